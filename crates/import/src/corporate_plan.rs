//! The corporate plan page: mission, principles, values, priority themes and their numbered
//! outcomes with narrative.

use crate::columns::{ends_sentence, squash, starts_with_ci, word_count};
use crate::error::ImportError;
use crate::principles::bullet;
use crate::prose::{paragraphs_of_block, strip_stray_quote};
use crate::source::{Line, Source, blocks};
use waymark_domain::text::fold;
use waymark_domain::{CorporatePlan, Outcome, Theme};

/// "Priority theme 1: Aspiration for our residents" → (1, title).
pub(crate) fn theme_heading(line: &str) -> Option<(u32, String)> {
    let t = line.trim();
    let rest = ["Priority theme", "Theme"]
        .iter()
        .find(|p| starts_with_ci(t, p))
        .and_then(|p| t.get(p.len()..))?;
    numbered_title(rest)
}

/// "Outcome 1 – Children and young people…", "Outcome 12 - Taxpayers’ money…" → (n, title).
pub(crate) fn outcome_heading(line: &str) -> Option<(u32, String)> {
    let t = line.trim();
    if !starts_with_ci(t, "Outcome") {
        return None;
    }
    numbered_title(t.get("Outcome".len()..)?)
}

/// ` 12 – Title`, ` 3: Title`, ` 3. Title` → (12, "Title").
fn numbered_title(rest: &str) -> Option<(u32, String)> {
    let rest = rest.strip_prefix([' ', '\u{00A0}'])?.trim_start();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let n: u32 = rest.get(..digits)?.parse().ok()?;
    let after = rest.get(digits..)?;
    let title = after
        .trim_start()
        .trim_start_matches([':', '-', '–', '—', '.', ')'])
        .trim();
    // A separator (or at least a space) must come between number and title.
    let separated =
        after.starts_with(char::is_whitespace) || after.starts_with([':', '-', '–', '—', '.', ')']);
    if title.is_empty() || !separated || word_count(title) > 20 {
        return None;
    }
    Some((n, squash(title)))
}

fn section(line: &str) -> Option<&'static str> {
    let f = fold(line);
    let words = word_count(line);
    if words > 6 || ends_sentence(line) {
        return None;
    }
    if f.starts_with("our mission") || f == "mission" || f == "mission statement" {
        Some("mission")
    } else if f == "our principles" || f == "principles" {
        Some("principles")
    } else if f == "our values" || f == "values" {
        Some("values")
    } else {
        None
    }
}

/// Title Case with at least two long words: "Action Delivery Plan" (a link), not a value like
/// "Open and accessible".
fn is_title_case(line: &str) -> bool {
    let long: Vec<&str> = line
        .split_whitespace()
        .filter(|w| w.chars().count() >= 4)
        .collect();
    long.len() >= 2 && long.iter().all(|w| w.starts_with(char::is_uppercase))
}

/// Does a short list (principles, values) end at this line?
fn ends_list(line: &str, items: &[String]) -> bool {
    let f = fold(line);
    section(line).is_some()
        || theme_heading(line).is_some()
        || outcome_heading(line).is_some()
        || f.contains("action plan")
        || f.contains("delivery plan")
        || (f.starts_with("our ") && word_count(line) <= 4)
        || (is_title_case(line) && !items.is_empty() && !items.iter().any(|i| is_title_case(i)))
        || word_count(line) > 25
}

pub(crate) fn parse(src: &Source) -> Result<CorporatePlan, ImportError> {
    let lines: Vec<Line<'_>> = src.lines().collect();
    let title = lines
        .iter()
        .find(|l| {
            fold(l.text).contains("corporate plan")
                && word_count(l.text) <= 8
                && !ends_sentence(l.text)
        })
        .map(|l| squash(l.text))
        .unwrap_or_else(|| "Corporate Plan".to_string());

    let mut mission = String::new();
    let mut principles = vec![];
    let mut values = vec![];
    let mut themes: Vec<Theme> = vec![];
    let mut i = 0;
    while let Some(l) = lines.get(i) {
        match section(l.text) {
            Some("mission") => {
                let mut parts = vec![];
                let mut j = i + 1;
                while let Some(n) = lines.get(j) {
                    if n.text.is_empty() && !parts.is_empty() {
                        break;
                    }
                    if section(n.text).is_some() || theme_heading(n.text).is_some() {
                        break;
                    }
                    if !n.text.is_empty() {
                        parts.push(n.text);
                    }
                    j += 1;
                }
                if parts.is_empty() {
                    return Err(src.error_at(l.no, "the mission heading has no text under it"));
                }
                mission = strip_stray_quote(&squash(&parts.join(" ")));
                i = j;
            }
            Some(which) => {
                let mut items: Vec<String> = vec![];
                let mut j = i + 1;
                while let Some(n) = lines.get(j) {
                    if n.text.is_empty() {
                        if items.is_empty() {
                            j += 1;
                            continue;
                        }
                        break;
                    }
                    if ends_list(n.text, &items) {
                        break;
                    }
                    items.push(squash(bullet(n.text).unwrap_or(n.text)));
                    j += 1;
                }
                if items.is_empty() {
                    return Err(
                        src.error_at(l.no, format!("the {which} heading has no list under it"))
                    );
                }
                if which == "principles" {
                    principles = items;
                } else {
                    values = items;
                }
                i = j;
            }
            None => {
                if let Some((number, t)) = theme_heading(l.text) {
                    themes.push(Theme {
                        number,
                        title: t,
                        summary: String::new(),
                        outcomes: vec![],
                        line: l.no,
                    });
                    i += 1;
                    let mut summary = vec![];
                    while let Some(n) = lines.get(i) {
                        if outcome_heading(n.text).is_some() || theme_heading(n.text).is_some() {
                            break;
                        }
                        if n.text.is_empty() && !summary.is_empty() {
                            break;
                        }
                        if !n.text.is_empty() {
                            summary.push(n.text);
                        }
                        i += 1;
                    }
                    if let Some(theme) = themes.last_mut() {
                        theme.summary = squash(&summary.join(" "));
                    }
                    continue;
                }
                if let Some((number, t)) = outcome_heading(l.text) {
                    let Some(theme) = themes.last_mut() else {
                        return Err(src.error_at(
                            l.no,
                            "an outcome before any 'Priority theme N: …' heading; outcomes must sit under a priority theme",
                        ));
                    };
                    let mut j = i + 1;
                    let mut body = vec![];
                    while let Some(n) = lines.get(j) {
                        if outcome_heading(n.text).is_some()
                            || theme_heading(n.text).is_some()
                            || section(n.text).is_some()
                        {
                            break;
                        }
                        body.push(*n);
                        j += 1;
                    }
                    let narrative: Vec<String> = blocks(&body)
                        .iter()
                        .flat_map(|b| paragraphs_of_block(b))
                        .map(|(_, p)| p)
                        .collect();
                    if narrative.is_empty() {
                        return Err(src.error_at(
                            l.no,
                            format!("outcome {number} has no narrative under it; the file may be cut off"),
                        ));
                    }
                    theme.outcomes.push(Outcome {
                        number,
                        title: t,
                        narrative,
                        line: l.no,
                    });
                    i = j;
                    continue;
                }
                i += 1;
            }
        }
    }

    if themes.is_empty() {
        return Err(src.error(
            "no priority themes found: expected headings like 'Priority theme 1: …' followed \
             by outcomes like 'Outcome 1 – …'",
        ));
    }
    let mut seen: Vec<(u32, usize)> = vec![];
    for theme in &themes {
        if theme.outcomes.is_empty() {
            return Err(src.error_at(
                theme.line,
                format!(
                    "priority theme {} has no outcomes under it; the file may be cut off",
                    theme.number
                ),
            ));
        }
        for o in &theme.outcomes {
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == o.number) {
                return Err(src.error_at(
                    o.line,
                    format!("outcome {} appears twice (first on line {first})", o.number),
                ));
            }
            seen.push((o.number, o.line));
        }
    }
    Ok(CorporatePlan {
        title,
        mission,
        principles,
        values,
        themes,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn headings_with_every_dash() {
        assert_eq!(
            outcome_heading("Outcome 1 – Children first"),
            Some((1, "Children first".into()))
        );
        assert_eq!(
            outcome_heading("Outcome 12 - Taxpayers’ money"),
            Some((12, "Taxpayers’ money".into()))
        );
        assert_eq!(outcome_heading("Outcome 3: Jobs"), Some((3, "Jobs".into())));
        assert_eq!(
            outcome_heading("Outcome 5 – Your life, your choice – together"),
            Some((5, "Your life, your choice – together".into()))
        );
        assert_eq!(outcome_heading("Outcomes are good"), None);
        assert_eq!(
            theme_heading("Priority theme 2: Ambition for our Borough"),
            Some((2, "Ambition for our Borough".into()))
        );
    }

    #[test]
    fn truncated_plans_are_errors() {
        let e = parse(&Source::from_text("c.txt", "Priority theme 1: A\nSummary.\n\nOutcome 1 – B\nText.\nPriority theme 2: C\nSummary.\n")).unwrap_err();
        assert_eq!(e.line, Some(6));
        let e = parse(&Source::from_text(
            "c.txt",
            "Priority theme 1: A\nSummary.\n\nOutcome 1 – B\n",
        ))
        .unwrap_err();
        assert_eq!(e.line, Some(4));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}") {
            let _ = parse(&Source::from_text("c.txt", &s));
            let _ = parse(&Source::from_text("c.txt", &format!("Priority theme 1: x\n{s}\nOutcome 1 – y\n{s}")));
        }
    }
}
