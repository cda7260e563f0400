//! The principles page: each principle's title and explanation, without the image alt text
//! and link labels that copying a web page mixes in ("Rainbow", "Image of cogs", "Find out
//! more:").
//!
//! A principle title is a short line starting "We " with no full stop, followed by a
//! paragraph. Other short lines without a full stop that are not bullets and not principle
//! titles are captions or link labels, and are dropped.

use crate::columns::{ends_sentence, squash, word_count};
use crate::error::ImportError;
use crate::source::{Line, Source};
use waymark_domain::{Principle, PrinciplesPage};

const BULLETS: &[char] = &['•', '◦', '▪', '‣', '·', '●', '-', '*', '–'];

/// A bullet item's text, if the line is one.
pub(crate) fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t.strip_prefix(BULLETS)?;
    rest.starts_with(char::is_whitespace).then(|| rest.trim())
}

/// Short and not a sentence: a title, caption or label.
fn is_short_label(line: &str) -> bool {
    word_count(line) <= 14
        && line.chars().count() <= 120
        && !ends_sentence(line)
        && bullet(line).is_none()
}

/// A paragraph of explanation: a bullet, or text that reads as sentences.
fn is_paragraph(line: &str) -> bool {
    bullet(line).is_some() || (ends_sentence(line) && word_count(line) >= 6)
}

/// Is the line at `i` a principle title: "We …", short, no full stop, and followed (after
/// blank lines) by a paragraph?
pub(crate) fn is_principle_title(lines: &[Line<'_>], i: usize) -> bool {
    let Some(l) = lines.get(i) else { return false };
    let starts_we = l.text.starts_with("We ") || l.text.starts_with("we ");
    if !starts_we || !is_short_label(l.text) || l.text.contains(". ") {
        return false;
    }
    let adjacent = lines.get(i + 1).is_some_and(|n| !n.text.is_empty());
    let mut following = lines.iter().skip(i + 1).skip_while(|n| n.text.is_empty());
    let Some(first) = following.next() else {
        return false;
    };
    // A title is never the first half of a sentence that runs on to the next line.
    if adjacent && first.text.starts_with(char::is_lowercase) {
        return false;
    }
    if bullet(first.text).is_some() {
        return true;
    }
    let mut text = first.text.to_string();
    for n in following
        .take_while(|n| !n.text.is_empty() && bullet(n.text).is_none())
        .take(20)
    {
        if ends_sentence(&text) {
            break;
        }
        text.push(' ');
        text.push_str(n.text);
    }
    is_paragraph(&text)
}

pub(crate) fn parse(src: &Source) -> Result<PrinciplesPage, ImportError> {
    let lines: Vec<Line<'_>> = src.lines().collect();
    let title = src.first_line().map(|l| squash(l.text)).unwrap_or_default();
    let mut principles: Vec<Principle> = vec![];
    // Paragraph text being gathered (wrapped lines run on until a sentence ends).
    let mut para: Option<String> = None;
    let flush = |para: &mut Option<String>, principles: &mut Vec<Principle>| {
        if let (Some(text), Some(p)) = (para.take(), principles.last_mut()) {
            let text = squash(&text);
            if !text.is_empty() {
                p.explanation.push(text);
            }
        }
    };
    for (i, l) in lines.iter().enumerate() {
        if l.text.is_empty() {
            flush(&mut para, &mut principles);
            continue;
        }
        if is_principle_title(&lines, i) {
            flush(&mut para, &mut principles);
            principles.push(Principle {
                title: squash(l.text),
                explanation: vec![],
                line: l.no,
            });
            continue;
        }
        if let Some(item) = bullet(l.text) {
            flush(&mut para, &mut principles);
            if let Some(p) = principles.last_mut() {
                p.explanation.push(squash(item));
            }
            continue;
        }
        if para.is_none() && is_short_label(l.text) {
            // A caption or link label on its own: dropped, unless it runs on into text.
            let next = lines.get(i + 1).map_or("", |n| n.text);
            let runs_on = !next.is_empty()
                && !is_principle_title(&lines, i + 1)
                && !is_short_label(next)
                && bullet(next).is_none();
            if !runs_on {
                continue;
            }
        }
        match para.as_mut() {
            Some(p) => {
                p.push(' ');
                p.push_str(l.text);
            }
            None => para = Some(l.text.to_string()),
        }
        if ends_sentence(l.text) {
            flush(&mut para, &mut principles);
        }
    }
    flush(&mut para, &mut principles);
    if principles.is_empty() {
        return Err(src.error(
            "no principles found: expected short headings starting 'We …' (no full stop), \
             each followed by a paragraph of explanation",
        ));
    }
    if let Some(p) = principles.iter().find(|p| p.explanation.is_empty()) {
        return Err(src.error_at(
            p.line,
            format!(
                "the principle '{}' has no explanation; the file may be cut off",
                p.title
            ),
        ));
    }
    Ok(PrinciplesPage { title, principles })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn page(text: &str) -> Result<PrinciplesPage, ImportError> {
        parse(&Source::from_text("p.txt", text))
    }

    #[test]
    fn captions_and_link_labels_are_dropped() {
        let p = page(
            "Our principles\n\nThese are our principles, which underpin all our work.\n\n\
             Watering can and lightbulb flowers\n\n\
             We keep things simple\n\nWe write plainly, so everyone can follow what we do and why we do it.\n\n\
               • we will test our letters with residents\n  • we will publish in plain English\n\n\
             Find out more:\n\nPlain English logo\n\n\
             We listen\n\nWe ask residents what they think before we change a service.\n\n\
             We will\n\nA person listening",
        )
        .unwrap();
        assert_eq!(p.title, "Our principles");
        let titles: Vec<&str> = p.principles.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, vec!["We keep things simple", "We listen"]);
        assert_eq!(
            p.principles[0].explanation,
            vec![
                "We write plainly, so everyone can follow what we do and why we do it.",
                "we will test our letters with residents",
                "we will publish in plain English",
            ]
        );
        assert_eq!(p.principles[1].explanation.len(), 1);
    }

    #[test]
    fn wrapped_paragraphs_are_joined() {
        let p =
            page("We listen\n\nWe ask residents what they think\nbefore we change a service.\n")
                .unwrap();
        assert_eq!(
            p.principles[0].explanation,
            vec!["We ask residents what they think before we change a service."]
        );
    }

    #[test]
    fn titles_need_not_be_followed_by_a_blank_line() {
        let p = page(
            "Our principles\n\
             Photo of the town hall\n\
             We put residents first\n\
             Every service starts from what residents tell us they need.\n\
             Read our customer promise\n\
             We are open\n\
             We publish our decisions and the reasons for them.\n\
             See it.\n",
        )
        .unwrap();
        let titles: Vec<&str> = p.principles.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, vec!["We put residents first", "We are open"]);
        assert_eq!(
            p.principles[0].explanation,
            vec!["Every service starts from what residents tell us they need."]
        );
        // A short sentence with a full stop is explanation, not a caption.
        assert_eq!(
            p.principles[1].explanation,
            vec![
                "We publish our decisions and the reasons for them.",
                "See it."
            ]
        );
    }

    #[test]
    fn a_we_line_inside_a_paragraph_is_not_a_title() {
        let p = page(
            "We listen\n\nWhen residents complain, we listen and we act on what they say.\n\
             We will\nkeep doing this.\n",
        )
        .unwrap();
        assert_eq!(p.principles.len(), 1);
        assert_eq!(p.principles[0].explanation.len(), 2);
        assert_eq!(p.principles[0].explanation[1], "We will keep doing this.");
    }

    #[test]
    fn no_principles_is_an_error() {
        assert!(page("Just a caption\n\nAnother caption").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}") {
            let _ = page(&s);
        }
    }
}
