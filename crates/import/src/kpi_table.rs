//! KPI tables: indicators with their frequency, direction of travel, outturns by financial
//! year and RAG rating, published per priority theme.
//!
//! Columns: Ref, Performance indicator, Frequency, Direction of travel, one or more
//! "2023/2024 Outturn" columns, RAG (optional). Glued rows are read from both ends: the
//! reference at the start (`FC_01`), then from the last frequency word that is followed by a
//! direction word, the outturn values and an optional RAG label.

use crate::columns::{self, Layout, starts_with_ci};
use crate::error::ImportError;
use crate::period_label::financial_year;
use crate::source::{Line, Source};
use waymark_domain::indicator::{Frequency, Measure, Rag};
use waymark_domain::text::fold;
use waymark_domain::{FinancialYear, KpiRow, KpiTable, Outturn};

const FREQUENCIES: &[&str] = &[
    "Six-monthly",
    "Six monthly",
    "Half-yearly",
    "Half yearly",
    "Bi-annually",
    "Bi-annual",
    "Biannual",
    "Monthly",
    "Quarterly",
    "Termly",
    "Annually",
    "Annual",
    "Yearly",
    "Weekly",
    "Daily",
];

const DIRECTIONS: &[&str] = &[
    "no change",
    "increased",
    "increase",
    "decreased",
    "decrease",
    "unchanged",
    "improved",
    "improving",
    "worsened",
    "declined",
    "stable",
    "same",
];

/// An indicator reference: `FC_01`, `ASC-3`, `CS12`, `PL_07a`. Returns (reference, rest).
pub(crate) fn leading_kpi_ref(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=6).contains(&letters) {
        return None;
    }
    let mut i = letters;
    if matches!(b.get(i), Some(b'_' | b'-' | b'.' | b' ')) {
        i += 1;
    }
    let digits = b
        .get(i..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=4).contains(&digits) {
        return None;
    }
    i += digits;
    if let (Some(c), next) = (b.get(i), b.get(i + 1)) {
        let next_starts = next.is_none_or(|n| n.is_ascii_uppercase() || n.is_ascii_whitespace());
        if c.is_ascii_lowercase() && next_starts {
            i += 1;
        }
    }
    let reference = text.get(..i)?;
    let rest = text.get(i..)?.trim_start();
    rest.starts_with(|c: char| c.is_alphabetic())
        .then_some((reference, rest))
}

/// Is a cell an outturn value (a figure, or "N/A" / "-")?
pub(crate) fn is_value(tok: &str) -> bool {
    let t = tok.trim();
    let lower = t.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "n/a" | "na" | "-" | "–" | "—" | "tbc" | "nil"
    ) {
        return true;
    }
    let (t, currency) = match t.strip_prefix('£') {
        Some(r) => (r, true),
        None => (t, false),
    };
    let t = t.strip_prefix('-').unwrap_or(t);
    let t = t
        .strip_suffix('%')
        .or_else(|| {
            if currency {
                t.strip_suffix(['k', 'm', 'K', 'M'])
            } else {
                None
            }
        })
        .unwrap_or(t);
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        (1..=3).contains(&first.len())
            && first.bytes().all(|c| c.is_ascii_digit())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|c| c.is_ascii_digit()))
    } else {
        !int.is_empty() && int.len() <= 15 && int.bytes().all(|c| c.is_ascii_digit())
    }
}

/// Every way to cut `piece` into `k` values.
fn cuts(
    piece: &str,
    k: usize,
    out: &mut Vec<Vec<String>>,
    acc: &mut Vec<String>,
    budget: &mut usize,
) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    if k == 0 {
        if piece.is_empty() {
            out.push(acc.clone());
        }
        return;
    }
    for (i, c) in piece.char_indices() {
        let end = i + c.len_utf8();
        let (Some(head), Some(tail)) = (piece.get(..end), piece.get(end..)) else {
            continue;
        };
        if is_value(head) && (k > 1 || tail.is_empty()) {
            acc.push(head.to_string());
            cuts(tail, k - 1, out, acc, budget);
            acc.pop();
        }
    }
}

/// Split the values part of a glued row into exactly `n` values. Whitespace always separates;
/// glued figures are cut where the grammar allows (`89.02%91.21%`, `20,84321,002`). When
/// several cuts fit, the one whose values share unit and decimals wins; otherwise `None`.
pub(crate) fn split_values(zone: &str, n: usize) -> Option<Vec<String>> {
    let zone = zone.replace(" %", "%");
    let pieces: Vec<&str> = zone.split_whitespace().collect();
    if pieces.is_empty() || pieces.len() > n || zone.chars().count() > 80 {
        return None;
    }
    // Distribute the n values over the pieces.
    let mut all: Vec<Vec<String>> = vec![vec![]];
    for (pi, piece) in pieces.iter().enumerate() {
        let remaining_pieces = pieces.len() - pi - 1;
        let mut next = vec![];
        for prefix in &all {
            let used = prefix.len();
            let max_here = n.saturating_sub(used + remaining_pieces);
            for k in 1..=max_here {
                let mut found = vec![];
                let mut budget = 10_000;
                cuts(piece, k, &mut found, &mut vec![], &mut budget);
                for f in found {
                    let mut v = prefix.clone();
                    v.extend(f);
                    next.push(v);
                }
            }
        }
        all = next;
        if all.len() > 1_000 {
            return None;
        }
    }
    all.retain(|v| v.len() == n);
    all.dedup();
    if all.len() > 1 {
        let shape = |s: &String| {
            (
                s.ends_with('%'),
                s.split_once('.')
                    .map(|(_, f)| f.trim_end_matches('%').len()),
            )
        };
        all.retain(|v| {
            v.windows(2)
                .all(|w| w.first().map(shape) == w.get(1).map(shape))
        });
    }
    if all.len() == 1 { all.pop() } else { None }
}

/// Header of a KPI table: the column layout, the outturn years in order and whether there is
/// a RAG column.
#[derive(Debug, Clone)]
struct KpiHeader {
    layout: Layout,
    years: Vec<FinancialYear>,
    has_rag: bool,
    /// For cell layouts: what each column holds.
    cols: Vec<Col>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    Ref,
    Name,
    Frequency,
    Direction,
    Outturn(FinancialYear),
    Rag,
    Other,
}

/// Financial years written in a header, in order ("2023/2024 Outturn2024/2025 Outturn").
fn years_in(text: &str) -> Vec<FinancialYear> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = vec![];
    let mut k = 0;
    while let Some(&(start, c)) = chars.get(k) {
        if !c.is_ascii_digit() {
            k += 1;
            continue;
        }
        let mut m = k;
        while chars
            .get(m)
            .is_some_and(|(_, c)| c.is_ascii_digit() || matches!(c, '/' | '-' | '–'))
        {
            m += 1;
        }
        let end = chars.get(m).map_or(text.len(), |(i, _)| *i);
        if let Some(y) = text.get(start..end).and_then(financial_year) {
            out.push(y);
        }
        k = m.max(k + 1);
    }
    out
}

fn header_of(line: &str) -> Option<KpiHeader> {
    let compact: String = fold(line).split_whitespace().collect();
    let named = compact.starts_with("ref")
        && (compact.contains("indicator") || compact.contains("measure"))
        && (compact.contains("frequency") || compact.contains("outturn"));
    if !named || line.chars().count() > 300 {
        return None;
    }
    let layout = columns::layout_of(line);
    let years = years_in(line);
    if years.is_empty() {
        return None;
    }
    let mut cols = vec![];
    if layout != Layout::Glued {
        for cell in columns::cells(line, layout) {
            let f = fold(cell);
            let cys = years_in(cell);
            cols.push(if let Some(y) = cys.first() {
                Col::Outturn(*y)
            } else if f.starts_with("ref") {
                Col::Ref
            } else if f.contains("indicator") || f.contains("measure") || f == "name" {
                Col::Name
            } else if f.starts_with("frequency") {
                Col::Frequency
            } else if f.starts_with("direction") || f.starts_with("dot") {
                Col::Direction
            } else if f.starts_with("rag") || f == "status" || f == "rating" {
                Col::Rag
            } else {
                Col::Other
            });
        }
    }
    let has_rag = compact.ends_with("rag")
        || compact.ends_with("ragstatus")
        || compact.ends_with("ragrating")
        || cols.contains(&Col::Rag);
    Some(KpiHeader {
        layout,
        years,
        has_rag,
        cols,
    })
}

pub(crate) fn is_header(line: &str) -> bool {
    header_of(line).is_some()
}

/// The cells of a glued KPI row after its reference, as written.
struct GluedRow {
    name: String,
    frequency: String,
    direction: Option<String>,
    values: Vec<String>,
    rag: Option<String>,
}

/// Read the part of a glued row after the reference: name, frequency, direction, values, RAG.
fn glued_row(rest: &str, h: &KpiHeader) -> Option<GluedRow> {
    let n = h.years.len();
    let mut starts: Vec<(usize, &str)> = vec![];
    for (i, c) in rest.char_indices() {
        let prev = rest.get(..i).and_then(|s| s.chars().next_back());
        let can_start = prev.is_some_and(|p| !p.is_alphanumeric() || c.is_uppercase());
        if !can_start {
            continue;
        }
        if let Some(tail) = rest.get(i..)
            && let Some(w) = FREQUENCIES
                .iter()
                .filter(|w| starts_with_ci(tail, w))
                .max_by_key(|w| w.len())
        {
            starts.push((i, w));
        }
    }
    for (i, word) in starts.into_iter().rev() {
        let name = rest.get(..i)?.trim();
        let freq = rest.get(i..i + word.len())?;
        let after = rest.get(i + word.len()..)?.trim_start();
        let (direction, after) = match DIRECTIONS.iter().find(|d| starts_with_ci(after, d)) {
            Some(d) => (
                after.get(..d.len()).map(str::to_string),
                after.get(d.len()..)?.trim_start(),
            ),
            None => (None, after),
        };
        let (zone, rag) = strip_rag(after);
        if rag.is_some() && !h.has_rag {
            continue;
        }
        if let Some(values) = split_values(zone, n)
            && !name.is_empty()
        {
            return Some(GluedRow {
                name: name.to_string(),
                frequency: freq.to_string(),
                direction,
                values,
                rag,
            });
        }
    }
    None
}

/// A RAG label glued or spaced onto the end: ("89.02%91.21%", Some("Amber")).
fn strip_rag(text: &str) -> (&str, Option<String>) {
    let t = text.trim_end();
    for label in ["Green", "Amber", "Red"] {
        if columns::ends_with_ci(t, label) {
            let cut = t.len() - label.len();
            if let (Some(zone), Some(l)) = (t.get(..cut), t.get(cut..)) {
                return (zone.trim_end(), Some(l.to_string()));
            }
        }
    }
    (t, None)
}

fn outturns(years: &[FinancialYear], values: &[String]) -> Vec<Outturn> {
    years
        .iter()
        .zip(values)
        .map(|(y, v)| Outturn {
            year: *y,
            text: v.trim().to_string(),
            value: Measure::parse(v),
            period: None,
            label: None,
            target: None,
            rag_label: None,
        })
        .collect()
}

pub(crate) fn parse(src: &Source) -> Result<KpiTable, ImportError> {
    let lines: Vec<Line<'_>> = src.lines().collect();
    let title = src
        .first_line()
        .map(|l| columns::squash(l.text))
        .unwrap_or_default();
    let mut rows = vec![];
    let mut header: Option<(KpiHeader, usize, usize)> = None; // header, line, rows so far
    let mut section: Option<String> = None;
    let mut last_heading: Option<String> = None;
    let mut seen_blank = false;
    let close = |header: &Option<(KpiHeader, usize, usize)>| -> Result<(), ImportError> {
        match header {
            Some((_, line, 0)) => Err(src.error_at(
                *line,
                "the table has a header but no rows; the file may be cut off",
            )),
            _ => Ok(()),
        }
    };
    for l in &lines {
        if l.text.is_empty() {
            seen_blank = true;
            continue;
        }
        if let Some(h) = header_of(l.text) {
            close(&header)?;
            header = Some((h, l.no, 0));
            section = last_heading.take();
            seen_blank = false;
            continue;
        }
        let Some((h, _, count)) = header.as_mut() else {
            if columns::word_count(l.text) <= 16 && !columns::ends_sentence(l.text) {
                last_heading = Some(columns::squash(l.text));
            }
            continue;
        };
        let row = match h.layout {
            Layout::Glued => {
                let Some((reference, rest)) = leading_kpi_ref(l.text) else {
                    if seen_blank
                        || (columns::word_count(l.text) <= 16 && !columns::ends_sentence(l.text))
                    {
                        // A heading for the next table, or prose after this one.
                        last_heading = Some(columns::squash(l.text));
                        let ended = header.take();
                        close(&ended)?;
                        continue;
                    }
                    return Err(src.error_at(
                        l.no,
                        "expected an indicator row starting with a reference such as FC_01",
                    ));
                };
                let GluedRow {
                    name,
                    frequency: freq,
                    direction,
                    values,
                    rag,
                } = glued_row(rest, h).ok_or_else(|| {
                    src.error_at(
                        l.no,
                        format!(
                            "cannot read the frequency, direction of travel and {} outturn value(s) of indicator {reference}; \
                             the row may be cut off, or the values run together ambiguously (separate the columns with tabs)",
                            h.years.len()
                        ),
                    )
                })?;
                KpiRow {
                    line: l.no,
                    section: section.clone(),
                    reference: reference.to_string(),
                    name: columns::squash(&name),
                    frequency: Frequency::parse(&freq),
                    direction,
                    outturns: outturns(&h.years, &values),
                    rag: rag.as_deref().and_then(Rag::parse),
                    rag_label: rag,
                    polarity: None,
                    extras: vec![],
                    place: None,
                }
            }
            Layout::Tabs | Layout::Spaced => {
                let cells = columns::cells(l.text, h.layout);
                if cells.len() < 2 && (seen_blank || leading_kpi_ref(l.text).is_none()) {
                    last_heading = Some(columns::squash(l.text));
                    let ended = header.take();
                    close(&ended)?;
                    continue;
                }
                let get = |c: Col| {
                    h.cols
                        .iter()
                        .position(|k| *k == c)
                        .and_then(|i| cells.get(i))
                        .map(|s| s.trim())
                };
                let reference = get(Col::Ref).unwrap_or("");
                let name = get(Col::Name).unwrap_or("");
                if reference.is_empty() || name.is_empty() {
                    return Err(src.error_at(
                        l.no,
                        "this row has no reference or no indicator name; the row may be cut off",
                    ));
                }
                let mut outs = vec![];
                for (i, col) in h.cols.iter().enumerate() {
                    if let Col::Outturn(y) = col {
                        let text = cells.get(i).copied().unwrap_or("").trim();
                        if !text.is_empty() && !is_value(text) {
                            return Err(src
                                .error_at(l.no, format!("'{text}' is not an outturn value (expected a figure such as 89.02%, 20,843 or N/A)"))
                                .in_field(format!("{y} outturn")));
                        }
                        outs.push(Outturn {
                            year: *y,
                            text: text.to_string(),
                            value: Measure::parse(text),
                            period: None,
                            label: None,
                            target: None,
                            rag_label: None,
                        });
                    }
                }
                let rag_label = get(Col::Rag).filter(|s| !s.is_empty()).map(str::to_string);
                let rag = rag_label.as_deref().and_then(Rag::parse);
                if let (Some(label), None) = (&rag_label, rag) {
                    return Err(src
                        .error_at(l.no, format!("'{label}' is not a RAG rating (expected Red, Amber or Green, or leave it blank)"))
                        .in_field("RAG"));
                }
                KpiRow {
                    line: l.no,
                    section: section.clone(),
                    reference: reference.to_string(),
                    name: columns::squash(name),
                    frequency: Frequency::parse(get(Col::Frequency).unwrap_or("")),
                    direction: get(Col::Direction)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                    outturns: outs,
                    rag,
                    rag_label,
                    polarity: None,
                    extras: vec![],
                    place: None,
                }
            }
        };
        *count += 1;
        seen_blank = false;
        rows.push(row);
    }
    close(&header)?;
    if rows.is_empty() {
        return Err(src.error(
            "no indicator table found: expected a header naming Ref, Performance indicator, \
             Frequency, Direction of travel, outturn years (e.g. 2023/2024 Outturn) and RAG",
        ));
    }
    Ok(KpiTable { title, rows })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_split_where_the_grammar_allows() {
        assert_eq!(
            split_values("89.02%91.21%", 2),
            Some(vec!["89.02%".into(), "91.21%".into()])
        );
        assert_eq!(
            split_values("20,84323,517", 2),
            Some(vec!["20,843".into(), "23,517".into()])
        );
        assert_eq!(
            split_values("N/A312", 2),
            Some(vec!["N/A".into(), "312".into()])
        );
        assert_eq!(
            split_values("8.47.9", 2),
            Some(vec!["8.4".into(), "7.9".into()])
        );
        assert_eq!(
            split_values("312 298", 2),
            Some(vec!["312".into(), "298".into()])
        );
        assert_eq!(split_values("312298", 2), None);
        assert_eq!(
            split_values("1,2041,204", 2),
            Some(vec!["1,204".into(), "1,204".into()])
        );
    }

    #[test]
    fn references() {
        assert_eq!(
            leading_kpi_ref("FC_01Percentage of"),
            Some(("FC_01", "Percentage of"))
        );
        assert_eq!(leading_kpi_ref("PL_07aNumber"), Some(("PL_07a", "Number")));
        assert_eq!(leading_kpi_ref("ASC-3 Number"), Some(("ASC-3", "Number")));
        assert_eq!(leading_kpi_ref("Priority theme 1"), None);
    }

    #[test]
    fn glued_row() {
        let t = parse(&Source::from_text(
            "k.txt",
            "KPIs\nRefPerformance indicatorFrequencyDirection of travel2023/2024 Outturn2024/2025 OutturnRAG\nFC_01Percentage of invoices paid within 30 days of invoice dateMonthlyincrease89.02%91.21%Amber\n",
        ))
        .unwrap();
        let r = &t.rows[0];
        assert_eq!(r.reference, "FC_01");
        assert_eq!(
            r.name,
            "Percentage of invoices paid within 30 days of invoice date"
        );
        assert_eq!(r.frequency, Frequency::Monthly);
        assert_eq!(r.direction.as_deref(), Some("increase"));
        assert_eq!(r.outturns[0].year, FinancialYear(2023));
        assert_eq!(r.outturns[1].text, "91.21%");
        assert_eq!(r.rag, Some(Rag::Amber));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = parse(&Source::from_text("k.txt", &format!("RefPerformance indicatorFrequencyDirection of travel2023/2024 Outturn2024/2025 OutturnRAG\n{s}")));
            let _ = parse(&Source::from_text("k.txt", &format!("Ref\tPerformance indicator\tFrequency\t2024/25 Outturn\n{s}")));
            let _ = split_values(&s, 2);
        }
    }
}
