//! Which importer fits a document, judged by its content.
//!
//! Each structured kind is scored on signals only it shows (table headers, numbered
//! headings, row shapes). The best score wins if it is strong enough; otherwise prose with
//! real paragraphs is a strategy, and anything else (gibberish, binary) is not detected.

use crate::action_plan;
use crate::activity_report::{self, find_status, leading_reference};
use crate::columns::{ends_sentence, word_count};
use crate::corporate_plan::{outcome_heading, theme_heading};
use crate::due_suffix::split_due_suffix;
use crate::kpi_table::{self, leading_kpi_ref};
use crate::principles::is_principle_title;
use crate::source::{Line, Source, blocks};
use waymark_domain::text::fold;
use waymark_domain::{DocumentKind, StatusLabels};

/// The minimum score for a structured kind.
const THRESHOLD: u32 = 8;

/// Which importer fits this text, by content. `None` when no kind fits.
pub fn detect(text: &str) -> Option<DocumentKind> {
    if text.contains('\0') {
        return None;
    }
    detect_lines(&Source::from_text("", text))
}

pub(crate) fn detect_lines(src: &Source) -> Option<DocumentKind> {
    let lines: Vec<Line<'_>> = src.lines().take(20_000).collect();
    let labels = StatusLabels::default();
    let mut scores: Vec<(DocumentKind, u32)> = vec![];

    // Action plan: "Activity / Cabinet Member / End date" headers, rows ending in a due date.
    let plan_headers = lines
        .iter()
        .filter(|l| action_plan::is_header(l.text))
        .count() as u32;
    let due_rows = lines
        .iter()
        .filter(|l| word_count(l.text) >= 3 && split_due_suffix(l.text).is_some_and(|(i, _)| i > 0))
        .count() as u32;
    let plan_sections = lines
        .iter()
        .filter(|l| fold(l.text).ends_with("action delivery plan"))
        .count() as u32;
    scores.push((
        DocumentKind::ActionPlan,
        10 * plan_headers.min(5) + (due_rows / 4).min(10) + plan_sections.min(5),
    ));

    // Activity report: "Reference / Activity / RAG" headers, rows "5.1Title…Green", records.
    let report_headers = lines
        .iter()
        .filter(|l| activity_report::is_header(l.text))
        .count() as u32;
    let status_rows = lines
        .iter()
        .filter(|l| {
            leading_reference(l.text).is_some_and(|(_, rest)| find_status(rest, &labels).is_some())
        })
        .count() as u32;
    let label_count = |names: &[&str]| {
        lines
            .iter()
            .filter(|l| {
                l.text.contains(':')
                    && names.contains(&fold(l.text.split(':').next().unwrap_or("")).as_str())
            })
            .count() as u32
    };
    let records =
        label_count(&["reference", "ref"]).min(label_count(&["status", "rag", "rag status"]));
    let record_score = if records >= 2 {
        10 + records.min(10)
    } else {
        0
    };
    scores.push((
        DocumentKind::ActivityReport,
        10 * report_headers.min(5) + (status_rows / 3).min(10) + record_score,
    ));

    // Corporate plan: "Priority theme N" and "Outcome N" headings.
    let themes = lines
        .iter()
        .filter(|l| theme_heading(l.text).is_some())
        .count() as u32;
    let outcomes = lines
        .iter()
        .filter(|l| outcome_heading(l.text).is_some())
        .count() as u32;
    let mission = lines
        .iter()
        .any(|l| fold(l.text).starts_with("our mission")) as u32;
    let corporate = if themes > 0 && outcomes > 0 {
        4 * themes.min(5) + outcomes.min(20) + 3 * mission
    } else {
        0
    };
    scores.push((DocumentKind::CorporatePlan, corporate));

    // Principles: "Our principles" and several "We …" headings over paragraphs.
    let principle_titles = (0..lines.len())
        .filter(|&i| is_principle_title(&lines, i))
        .count() as u32;
    let principles_heading = lines
        .iter()
        .take(5)
        .any(|l| fold(l.text).contains("principles")) as u32;
    let principles = if principle_titles >= 2 {
        3 * principle_titles.min(10) + 5 * principles_heading
    } else {
        0
    };
    scores.push((DocumentKind::Principles, principles));

    // KPI table: a KPI header, rows starting "FC_01".
    let kpi_headers = lines
        .iter()
        .filter(|l| kpi_table::is_header(l.text))
        .count() as u32;
    let kpi_rows = lines
        .iter()
        .filter(|l| leading_kpi_ref(l.text).is_some())
        .count() as u32;
    scores.push((
        DocumentKind::KpiTable,
        10 * kpi_headers.min(5)
            + if kpi_headers > 0 {
                (kpi_rows / 2).min(10)
            } else {
                0
            },
    ));

    let best = scores.iter().copied().max_by_key(|(_, s)| *s)?;
    if best.1 >= THRESHOLD {
        return Some(best.0);
    }
    is_prose(&lines).then_some(DocumentKind::Strategy)
}

/// Prose: mostly words, in blocks of sentences, at least two paragraphs of some length.
fn is_prose(lines: &[Line<'_>]) -> bool {
    let text: String = lines.iter().map(|l| l.text).collect::<Vec<_>>().join(" ");
    let total = text.chars().count();
    if total < 200 {
        return false;
    }
    let letters = text
        .chars()
        .filter(|c| c.is_alphabetic() || c.is_whitespace())
        .count();
    if letters * 100 < total * 85 {
        return false;
    }
    // Words that look like words: letters, sensible length, with vowels.
    let words: Vec<&str> = text.split_whitespace().collect();
    let wordlike = words
        .iter()
        .filter(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphabetic());
            let n = w.chars().count();
            (1..=20).contains(&n) && w.chars().any(|c| "aeiouyAEIOUY".contains(c))
        })
        .count();
    if wordlike * 100 < words.len() * 80 {
        return false;
    }
    let paragraphs = blocks(lines)
        .iter()
        .filter(|b| {
            let joined: Vec<&str> = b.iter().map(|l| l.text).collect();
            let joined = joined.join(" ");
            word_count(&joined) >= 15 && ends_sentence(&joined)
        })
        .count();
    paragraphs >= 2
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gibberish_is_nothing() {
        assert_eq!(detect(""), None);
        assert_eq!(detect("asdf qwer zxcv\n1234 5678\n"), None);
        assert_eq!(detect(&"xq7#@!kk ".repeat(200)), None);
    }

    #[test]
    fn prose_is_a_strategy() {
        let p = "We will work with families and partners to keep children safe and help them thrive at school and at home.\n";
        assert_eq!(
            detect(&format!("Our vision\n\n{p}\n{p}\n{p}")),
            Some(DocumentKind::Strategy)
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,500}") {
            let _ = detect(&s);
        }

        #[test]
        fn random_text_is_not_structured(s in "[a-zA-Z0-9 .,\n]{0,400}") {
            let k = detect(&s);
            prop_assert!(k.is_none() || k == Some(DocumentKind::Strategy), "{:?}", k);
        }
    }
}
