//! Small helpers for the prose parts of council pages: headings, paragraphs, quotes.

use crate::columns::{ends_sentence, squash, word_count};
use crate::source::Line;
use waymark_domain::text::fold;

/// Words that end a section heading without being part of the section's name:
/// "Place Directorate action delivery plan", "Cross cutting corporate plan action delivery
/// plan", "Adult social care and health directorate corporate plan action delivery plan".
const HEADING_TAIL_WORDS: &[&str] = &[
    "directorate",
    "directorates",
    "corporate",
    "plan",
    "action",
    "actions",
    "delivery",
    "activities",
    "activity",
    "progress",
    "update",
    "performance",
    "report",
];

/// The section name in a heading, as written, without the trailing "… action delivery plan"
/// words. Never strips the first word, so a heading always names something.
pub(crate) fn strip_heading_suffix(heading: &str) -> String {
    let words: Vec<&str> = heading.split_whitespace().collect();
    let mut keep = words.len();
    while keep > 1 {
        let Some(w) = words.get(keep - 1) else { break };
        if HEADING_TAIL_WORDS.contains(&fold(w).as_str()) {
            keep -= 1;
        } else {
            break;
        }
    }
    let name = words.get(..keep).unwrap_or(&[]).join(" ");
    name.trim_end_matches([':', '-', '–', ','])
        .trim()
        .to_string()
}

/// A heading names a plan/report section when it ends with those words.
pub(crate) fn is_section_heading(line: &str) -> bool {
    let f = fold(line);
    word_count(line) <= 16
        && !ends_sentence(line)
        && (f.ends_with("action delivery plan")
            || f.ends_with("action plan")
            || f.ends_with("directorate")
            || f.ends_with("delivery plan"))
}

/// Strip a closing quote left at the end with no opening one (`…our resources”`).
pub(crate) fn strip_stray_quote(s: &str) -> String {
    let t = s.trim();
    for (open, close) in [('“', '”'), ('‘', '’')] {
        if t.ends_with(close) && !t.contains(open) {
            return t.trim_end_matches(close).trim_end().to_string();
        }
    }
    if t.ends_with('"') && t.matches('"').count() % 2 == 1 {
        return t.trim_end_matches('"').trim_end().to_string();
    }
    t.to_string()
}

/// Join the lines of one block into paragraphs: a line that ends a sentence ends its
/// paragraph; a line that does not (a wrapped line) runs on into the next.
pub(crate) fn paragraphs_of_block(block: &[Line<'_>]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = vec![];
    let mut cur: Option<(usize, String)> = None;
    for l in block {
        match cur.as_mut() {
            Some((_, text)) => {
                text.push(' ');
                text.push_str(l.text);
            }
            None => cur = Some((l.no, l.text.to_string())),
        }
        if ends_sentence(l.text)
            && let Some((no, text)) = cur.take()
        {
            out.push((no, squash(&text)));
        }
    }
    if let Some((no, text)) = cur {
        out.push((no, squash(&text)));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn heading_suffixes() {
        assert_eq!(
            strip_heading_suffix("Adult Social Care & Health Directorate action delivery plan"),
            "Adult Social Care & Health"
        );
        assert_eq!(
            strip_heading_suffix(
                "Adult social care and health directorate corporate plan action delivery plan"
            ),
            "Adult social care and health"
        );
        assert_eq!(
            strip_heading_suffix("Cross cutting corporate plan action delivery plan"),
            "Cross cutting"
        );
        assert_eq!(
            strip_heading_suffix("Finance & Corporate Services Directorate action delivery plan"),
            "Finance & Corporate Services"
        );
        assert_eq!(strip_heading_suffix("Corporate action plan"), "Corporate");
    }

    #[test]
    fn stray_quotes() {
        assert_eq!(strip_stray_quote("our resources”"), "our resources");
        assert_eq!(strip_stray_quote("a “quoted” word"), "a “quoted” word");
        assert_eq!(strip_stray_quote("x\""), "x");
    }
}
