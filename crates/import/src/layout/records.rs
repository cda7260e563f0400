//! Labelled records: a title (a heading, or a line such as "Line 14 – Launch the platform")
//! followed by "Label: value" lines, record after record. Each run of records becomes a table
//! with one column per label, so the rest of the pipeline reads it like any other table.
//! Labels that mean the same thing ("Directorate", "Lead directorate"; "RAG", "RAG status")
//! share a column, so records whose labels drift still line up.

use super::roles::{self, Role};
use waymark_domain::text::fold;
use waymark_read::{Block, Cell, Line, LineKind, Row, Table};

/// The header given to the records' titles.
pub(crate) const TITLE_HEADER: &str = "Title";

/// "Label: value" → ("Label", "value"), for labels of a few words ("Q3 update and
/// corrective action:", "Progress -:", "Progress:On target").
fn field(text: &str) -> Option<(String, String)> {
    let (label, value) = text.split_once(':')?;
    let label = label.trim().trim_end_matches(['-', '–']).trim();
    let words: Vec<&str> = label.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 || label.chars().count() > 48 {
        return None;
    }
    // Words, or short codes such as "Q3": never a year or a range ("Plan 2024-26").
    let wordy = words.iter().all(|w| {
        let digits = w.chars().filter(char::is_ascii_digit).count();
        w.chars().next().is_some_and(char::is_alphabetic)
            && digits <= 1
            && w.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '&' | '/' | '\''))
    }) || words == ["&"];
    if !wordy {
        return None;
    }
    let value = value.trim();
    (!value.is_empty()).then(|| (label.to_string(), value.to_string()))
}

struct Record {
    at: usize,
    title: String,
    fields: Vec<(String, String)>,
    /// Headings met before this record (a theme over several records).
    headings: Vec<String>,
}

/// What a label is read as: its role where its words give one, else the label itself.
fn column_key(label: &str, extra: &[(String, Role)]) -> String {
    match roles::header_roles(label, extra).first() {
        Some((role, score)) if *score >= 60 && *role != Role::Other => format!("role:{role:?}"),
        _ => format!("label:{}", fold(label)),
    }
}

/// Replace each run of two or more labelled records by a table.
pub(crate) fn tables_from_records(blocks: Vec<Block>, extra: &[(String, Role)]) -> Vec<Block> {
    let mut out: Vec<Block> = vec![];
    let mut i = 0;
    while i < blocks.len() {
        let Some(run_end) = record_run(&blocks, i) else {
            if let Some(b) = blocks.get(i) {
                out.push(b.clone());
            }
            i += 1;
            continue;
        };
        let records = read_records(blocks.get(i..run_end).unwrap_or(&[]));
        if records.len() >= 2 {
            out.push(Block::Table(table_of(&records, extra)));
        } else if let Some(slice) = blocks.get(i..run_end) {
            out.extend(slice.iter().cloned());
        }
        i = run_end;
    }
    out
}

fn line_of(b: &Block) -> Option<&Line> {
    match b {
        Block::Line(l) if !matches!(l.kind, LineKind::Item(_)) => Some(l),
        _ => None,
    }
}

fn is_field(b: &Block) -> bool {
    line_of(b).is_some_and(|l| field(&l.text).is_some())
}

/// A title line: short, not a field, with at least two field lines straight after it.
fn starts_record(blocks: &[Block], i: usize) -> bool {
    let Some(line) = blocks.get(i).and_then(line_of) else {
        return false;
    };
    let t = line.text.trim();
    // A line naming the reporting period is the document's title, not a record's.
    !t.is_empty()
        && crate::period_label::period(t, false).is_none()
        && field(t).is_none()
        && t.split_whitespace().count() <= 40
        && blocks.get(i + 1).is_some_and(is_field)
        && blocks.get(i + 2).is_some_and(is_field)
}

/// Where a run of records starting at `start` ends (exclusive), if one starts there.
fn record_run(blocks: &[Block], start: usize) -> Option<usize> {
    if !starts_record(blocks, start) {
        return None;
    }
    let mut i = start;
    let mut last_end = start;
    while i < blocks.len() {
        if starts_record(blocks, i) {
            i += 1;
            let mut in_field = false;
            loop {
                if blocks.get(i).is_some_and(is_field) {
                    in_field = true;
                } else if !continues(blocks, i, in_field) {
                    break;
                }
                i += 1;
            }
            last_end = i;
            continue;
        }
        // Headings between records ("Economic prosperity") belong to the run.
        let heading = blocks
            .get(i)
            .and_then(line_of)
            .is_some_and(|l| matches!(l.kind, LineKind::Heading(_)) || l.text.trim().is_empty());
        if heading && (i + 1..blocks.len().min(i + 3)).any(|k| starts_record(blocks, k)) {
            i += 1;
            continue;
        }
        break;
    }
    (last_end > start).then_some(last_end)
}

/// A line that carries on the field before it (`in_field`: the line before is a field or
/// its continuation): it starts in lower case, or the field's value has not finished its
/// sentence.
fn continues(blocks: &[Block], i: usize, in_field: bool) -> bool {
    if !in_field {
        return false;
    }
    let (Some(prev), Some(line)) = (
        i.checked_sub(1)
            .and_then(|k| blocks.get(k))
            .and_then(line_of),
        blocks.get(i).and_then(line_of),
    ) else {
        return false;
    };
    let t = line.text.trim();
    if t.is_empty() || field(t).is_some() || starts_record(blocks, i) {
        return false;
    }
    let unfinished = !prev
        .text
        .trim_end()
        .ends_with(['.', '!', '?', ')', '”', '"']);
    t.chars().next().is_some_and(char::is_lowercase) || unfinished
}

fn read_records(blocks: &[Block]) -> Vec<Record> {
    let mut records: Vec<Record> = vec![];
    let mut headings: Vec<String> = vec![];
    let mut i = 0;
    while i < blocks.len() {
        let Some(line) = blocks.get(i).and_then(line_of) else {
            i += 1;
            continue;
        };
        if starts_record(blocks, i) {
            let mut record = Record {
                at: line.at,
                title: line.text.trim().to_string(),
                fields: vec![],
                headings: std::mem::take(&mut headings),
            };
            i += 1;
            let mut in_field = false;
            while let Some(l) = blocks.get(i).and_then(line_of) {
                if let Some((label, value)) = field(&l.text) {
                    record.fields.push((label, value));
                    in_field = true;
                } else if continues(blocks, i, in_field) {
                    if let Some(last) = record.fields.last_mut() {
                        last.1.push(' ');
                        last.1.push_str(l.text.trim());
                    }
                } else {
                    break;
                }
                i += 1;
            }
            records.push(record);
        } else {
            if !line.text.trim().is_empty() {
                headings.push(line.text.trim().to_string());
            }
            i += 1;
        }
    }
    records
}

fn table_of(records: &[Record], extra: &[(String, Role)]) -> Table {
    // Columns in order of first appearance; labels with one meaning share a column.
    let mut keys: Vec<(String, String)> = vec![];
    for r in records {
        for (label, _) in &r.fields {
            let key = column_key(label, extra);
            if !keys.iter().any(|(k, _)| *k == key) {
                keys.push((key, label.clone()));
            }
        }
    }
    let width = keys.len() + 1;
    let mut rows = vec![Row {
        at: records.first().map_or(1, |r| r.at),
        head: true,
        cells: std::iter::once(Cell::text(TITLE_HEADER))
            .chain(keys.iter().map(|(_, label)| Cell::text(label.clone())))
            .collect(),
    }];
    for r in records {
        for h in &r.headings {
            let mut cells = vec![Cell::text(h.clone())];
            cells.resize(width, Cell::default());
            rows.push(Row {
                at: r.at.saturating_sub(1),
                head: false,
                cells,
            });
        }
        let mut cells = vec![Cell::default(); width];
        if let Some(c) = cells.first_mut() {
            *c = Cell::text(r.title.clone());
        }
        for (label, value) in &r.fields {
            let key = column_key(label, extra);
            if let Some(k) = keys.iter().position(|(x, _)| *x == key)
                && let Some(cell) = cells.get_mut(k + 1)
            {
                if cell.text.is_empty() {
                    *cell = Cell::text(value.clone());
                } else {
                    // Two labels of one meaning in a record: keep both.
                    cell.text.push_str("; ");
                    cell.text.push_str(value);
                }
            }
        }
        rows.push(Row {
            at: r.at,
            head: false,
            cells,
        });
    }
    Table {
        caption: None,
        rows,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::layout::testing::{plain_lines as lines, texts};

    #[test]
    fn drifting_labels_share_columns() {
        let blocks = lines(
            "Summary line.\n\
             Line 14 – Launch the platform\n\
             Directorate: Resources\n\
             RAG: Red\n\
             Update: Go-live postponed.\n\
             Line 27 – Retrofit homes\n\
             Lead directorate: Housing\n\
             RAG status: Amber\n\
             Update: Only 38 homes\n\
             completed so far.\n\
             * A footnote.",
        );
        let out = tables_from_records(blocks, &[]);
        let Some(Block::Table(t)) = out.get(1) else {
            panic!("no table: {out:?}");
        };
        let texts = texts(t);
        assert_eq!(texts[0], ["Title", "Directorate", "RAG", "Update"]);
        assert_eq!(
            texts[2],
            [
                "Line 27 – Retrofit homes",
                "Housing",
                "Amber",
                "Only 38 homes completed so far."
            ]
        );
        assert!(matches!(out.last(), Some(Block::Line(l)) if l.text == "* A footnote."));
    }

    #[test]
    fn prose_with_a_colon_is_not_a_record() {
        let blocks = lines("Note: this is prose.\nAnother line.\nPeriod covered: Q3");
        let out = tables_from_records(blocks.clone(), &[]);
        assert_eq!(out, blocks);
    }

    #[test]
    fn labels_are_words_not_years() {
        assert!(field("Corporate Delivery Plan 2024-26: Quarter 3").is_none());
        assert_eq!(
            field("Progress -: Off target"),
            Some(("Progress".into(), "Off target".into()))
        );
        assert_eq!(
            field("Progress:On target"),
            Some(("Progress".into(), "On target".into()))
        );
    }
}
