//! Progress reports: each activity's reference, title and status for one period, plus the
//! headline claims the council made about them.
//!
//! Layouts: tables with glued columns (`5.1Prepare for new CQC inspection framework, informed
//! by pilotsGreen`: the reference is the leading number, the status the label found at the end),
//! tab- or space-separated tables, and labelled records (`Reference: 5` / `Activity: …` /
//! `Status: Green` / `Commentary: …`, records separated by blank lines).

use crate::action_plan::clean_title;
use crate::claims::claims_in;
use crate::columns::{self, ColumnSpec, Layout};
use crate::error::ImportError;
use crate::period_label;
use crate::prose::{is_section_heading, strip_heading_suffix};
use crate::source::{Line, Source, blocks};
use crate::tables;
use crate::vocabulary::Vocabulary;
use std::collections::HashSet;
use waymark_domain::text::fold;
use waymark_domain::{ActivityReport, Period, PublishedClaim, ReportRow, Status, StatusLabels};

pub(crate) const HEADER: &[ColumnSpec] = &[
    ColumnSpec {
        key: "reference",
        aliases: &["Reference", "Ref.", "Ref", "No.", "Number", "ID"],
        optional: false,
    },
    ColumnSpec {
        key: "title",
        aliases: &[
            "Activity",
            "Activities",
            "Action",
            "Actions",
            "Title",
            "Description",
            "Deliverable",
        ],
        optional: false,
    },
    ColumnSpec {
        key: "status",
        aliases: &[
            "RAG status",
            "RAG rating",
            "RAG",
            "Status",
            "Rating",
            "Progress",
        ],
        optional: false,
    },
    ColumnSpec {
        key: "note",
        aliases: &[
            "Commentary",
            "Comments",
            "Comment",
            "Update",
            "Notes",
            "Note",
        ],
        optional: true,
    },
];

/// Is this line a report table header?
pub(crate) fn is_header(line: &str) -> bool {
    columns::match_header(line, HEADER).is_some()
}

/// A status found in text: where the title ends, the label as written, and any note after it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StatusMatch {
    pub title_end: usize,
    pub label: String,
    pub status: Status,
    pub note: Option<String>,
}

/// Could a label start at byte `i` of `text`? Yes after a space or punctuation, or where an
/// upper-case letter is glued on; not in the middle of a word ("centred" does not end in Red).
fn label_can_start(text: &str, i: usize) -> bool {
    let prev = text.get(..i).and_then(|s| s.chars().next_back());
    let here = text.get(i..).and_then(|s| s.chars().next());
    match (prev, here) {
        (_, None) => false,
        (None, Some(c)) => c.is_alphanumeric(),
        (Some(p), Some(c)) => c.is_alphanumeric() && (!p.is_alphanumeric() || c.is_uppercase()),
    }
}

/// Find the status label at the end of a glued row, longest label first, or a label followed
/// by a note ("Ceased. Funding bid not successful").
pub(crate) fn find_status(text: &str, labels: &StatusLabels) -> Option<StatusMatch> {
    let text = text.trim_end();
    let floor = text.char_indices().rev().nth(80).map_or(0, |(i, _)| i);
    let positions: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .filter(|&i| i >= floor && label_can_start(text, i))
        .collect();
    // A label that is the whole tail; the leftmost such start is the longest label. Labels
    // are written with a capital ("…pilotsGreen"), so "…of the green" is not a status.
    for &i in &positions {
        let tail = text.get(i..)?.trim();
        if !tail.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) {
            continue;
        }
        if let Some(status) = labels.lookup(tail) {
            if fold(tail).is_empty() {
                continue;
            }
            return Some(StatusMatch {
                title_end: i,
                label: tail.trim_end_matches(['.', ';', ':']).to_string(),
                status,
                note: None,
            });
        }
    }
    // A capitalised label, a separator, then a note. Rightmost first.
    let note_floor = text.char_indices().rev().nth(400).map_or(0, |(i, _)| i);
    let all: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .filter(|&i| i >= note_floor && label_can_start(text, i))
        .collect();
    for &i in all.iter().rev() {
        let tail = text.get(i..)?;
        if !tail.starts_with(char::is_uppercase) {
            continue;
        }
        for sep in [". ", ": ", " - ", " – ", " — ", "; ", ", ", " ("] {
            let Some((head, note)) = tail.split_once(sep) else {
                continue;
            };
            if head.chars().count() > 40 {
                continue;
            }
            if let Some(status) = labels.lookup(head) {
                let note = note.trim().trim_end_matches(')').trim();
                return Some(StatusMatch {
                    title_end: i,
                    label: head.trim().to_string(),
                    status,
                    note: (!note.is_empty()).then(|| note.to_string()),
                });
            }
        }
    }
    None
}

/// A status cell of a column layout: a label, or a label and a note; `Err` with the label when
/// the vocabulary does not know it.
fn status_cell(cell: &str, labels: &StatusLabels) -> Result<StatusMatch, String> {
    let cell = cell.trim();
    if let Some(status) = labels.lookup(cell) {
        return Ok(StatusMatch {
            title_end: 0,
            label: cell.trim_end_matches('.').to_string(),
            status,
            note: None,
        });
    }
    match find_status(cell, labels) {
        Some(m) if m.title_end == 0 => Ok(m),
        _ => Err(cell.to_string()),
    }
}

fn unknown_label(src: &Source, line: usize, label: &str, labels: &StatusLabels) -> ImportError {
    if label.is_empty() {
        return src
            .error_at(line, "this row has no status; fill in the status column")
            .in_field("status");
    }
    src.error_at(
        line,
        format!(
            "'{label}' is not a status label this council's vocabulary knows (known: {}); \
             map it to a canonical status in the council vocabulary file, e.g. \
             [statuses] \"{label}\" = \"complete\"",
            known_labels(labels)
        ),
    )
    .in_field("status")
}

fn known_labels(labels: &StatusLabels) -> String {
    let mut v: Vec<&str> = labels
        .labels_longest_first()
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    v.sort_unstable();
    v.join(", ")
}

/// A reference at the start of a glued row: `5`, `5.1`, `115`.
pub(crate) fn leading_reference(text: &str) -> Option<(&str, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let mut end = digits;
    let rest = text.get(digits..)?;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let more = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=3).contains(&more) {
            end += 1 + more;
        }
    }
    let reference = text.get(..end)?;
    let rest = text
        .get(end..)?
        .trim_start_matches([' ', '\t', ':', '-', '–']);
    // A title follows: a letter (or a quote) starts it.
    rest.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || matches!(c, '‘' | '“' | '\'' | '"' | '('))
        .then_some((reference, rest))
}

pub(crate) fn parse(src: &Source, vocab: &Vocabulary) -> Result<ActivityReport, ImportError> {
    let lines: Vec<Line<'_>> = src.lines().collect();
    let title = src
        .first_line()
        .map(|l| columns::squash(l.text))
        .unwrap_or_default();
    let labels = &vocab.statuses;

    let is_row =
        |t: &str| leading_reference(t).is_some_and(|(_, rest)| find_status(rest, labels).is_some());
    let found = tables::find(&lines, HEADER, &|_| true, &is_row);

    let mut consumed: HashSet<usize> = HashSet::new();
    let mut headings: HashSet<usize> = HashSet::new();
    let mut rows = vec![];
    let mut header_label: Option<String> = None;

    if found.is_empty() {
        if count_record_lines(&lines) >= 2 {
            return parse_records(src, &lines, &title, vocab);
        }
        return Err(src.error(
            "no report table found: expected a header line naming the columns Reference, \
             Activity and RAG/Status (glued, tab- or space-separated), or records of \
             'Reference:', 'Activity:' and 'Status:' lines",
        ));
    }

    for t in &found {
        consumed.insert(t.header_line);
        // A heading that names the period ("Quarter 2 2024/25") is not a directorate.
        let directorate = t
            .heading
            .filter(|h| period_label::period(h.text, false).is_none())
            .map(|h| {
                headings.insert(h.no);
                strip_heading_suffix(h.text)
            })
            .unwrap_or_default();
        let label = match t.header.layout {
            Layout::Glued => t.header.extra.clone(),
            _ => t
                .header
                .index_of("status")
                .and_then(|i| t.header.cell_extras.get(i))
                .cloned()
                .unwrap_or_default(),
        };
        if header_label.is_none() && !label.is_empty() {
            header_label = Some(label);
        }
        let before = rows.len();
        match t.header.layout {
            Layout::Glued => glued_rows(src, t, &directorate, labels, &mut rows, &mut consumed)?,
            Layout::Tabs | Layout::Spaced => {
                cell_rows(src, t, &directorate, labels, &mut rows, &mut consumed)?
            }
        }
        if rows.len() == before {
            return Err(src.error_at(
                t.header_line,
                "the table has a header but no rows; the file may be cut off",
            ));
        }
    }

    let (period, period_label) = find_period(src, &lines, header_label.as_deref(), &consumed)?;
    consumed.extend(headings);
    let claims = claims_outside(&lines, &consumed, labels);
    Ok(ActivityReport {
        title,
        period,
        period_label,
        claims,
        rows,
    })
}

fn claims_outside(
    lines: &[Line<'_>],
    consumed: &HashSet<usize>,
    labels: &StatusLabels,
) -> Vec<PublishedClaim> {
    lines
        .iter()
        .filter(|l| !l.text.is_empty() && !consumed.contains(&l.no))
        .flat_map(|l| claims_in(l.no, l.text, labels))
        .collect()
}

fn find_period(
    src: &Source,
    lines: &[Line<'_>],
    header_label: Option<&str>,
    consumed: &HashSet<usize>,
) -> Result<(Period, String), ImportError> {
    if let Some(label) = header_label
        && let Some(p) = period_label::period(label, true)
    {
        return Ok((p, label.to_string()));
    }
    let short = |l: &&Line<'_>| {
        !l.text.is_empty() && !consumed.contains(&l.no) && columns::word_count(l.text) <= 12
    };
    // "Quarter 2 2024/25", "Period: Q3 2023/24"
    for l in lines.iter().filter(short) {
        let text =
            strip_label(l.text, &["period", "reporting period", "quarter"]).unwrap_or(l.text);
        if let Some(p) = period_label::period(text, false) {
            return Ok((p, columns::squash(text)));
        }
    }
    // "Our activity in 2024/25": an annual report, so the year-end period.
    for l in lines.iter().filter(short) {
        if let Some(p) = period_label::period(l.text, true) {
            return Ok((p, columns::squash(l.text)));
        }
    }
    Err(src.error(
        "cannot tell which reporting period this report covers; name it in the table header \
         (e.g. 'RAG Year End 24/25') or in a heading such as 'Quarter 2 2024/25'",
    ))
}

/// `Label: value` → value, when the label (any case) is one of `labels`.
fn strip_label<'t>(text: &'t str, labels: &[&str]) -> Option<&'t str> {
    let (label, value) = text.split_once(':')?;
    let f = fold(label);
    labels.iter().any(|l| f == *l).then_some(value.trim())
}

struct PendingRow {
    line: usize,
    reference: String,
    text: String,
}

fn glued_rows(
    src: &Source,
    t: &tables::Table<'_>,
    directorate: &str,
    labels: &StatusLabels,
    rows: &mut Vec<ReportRow>,
    consumed: &mut HashSet<usize>,
) -> Result<(), ImportError> {
    let no_status = |p: &PendingRow| {
        src.error_at(
            p.line,
            format!(
                "no status label found at the end of the row for reference {} (known labels: {}); \
                 if the row is cut off, fix the file; if the council uses another label, map it \
                 in the council vocabulary file",
                p.reference,
                known_labels(labels)
            ),
        )
        .in_field("status")
    };
    let mut pending: Option<PendingRow> = None;
    let mut seen_blank = false;
    for l in &t.body {
        if l.text.is_empty() {
            seen_blank = true;
            continue;
        }
        if let Some((reference, rest)) = leading_reference(l.text) {
            if let Some(p) = pending.take() {
                return Err(no_status(&p));
            }
            consumed.insert(l.no);
            pending = Some(PendingRow {
                line: l.no,
                reference: reference.to_string(),
                text: rest.to_string(),
            });
        } else if let Some(p) = pending.as_mut() {
            // A title wrapped onto the next line.
            consumed.insert(l.no);
            p.text.push(' ');
            p.text.push_str(l.text);
        } else if seen_blank {
            if is_section_heading(l.text) {
                return Err(src.error_at(
                    l.no,
                    format!(
                        "the section '{}' has no table under it; the file may be cut off",
                        l.text
                    ),
                ));
            }
            // Prose after the table.
            break;
        } else {
            return Err(src.error_at(
                l.no,
                "expected a row starting with a reference number (such as 5 or 5.1) followed \
                 by the activity and its status",
            ));
        }
        if let Some(p) = pending.take() {
            match find_status(&p.text, labels) {
                Some(m) => {
                    let title = clean_title(p.text.get(..m.title_end).unwrap_or(""));
                    if title.is_empty() {
                        return Err(src
                            .error_at(p.line, "this row has a status but no activity title")
                            .in_field("activity"));
                    }
                    rows.push(ReportRow {
                        line: p.line,
                        directorate: directorate.to_string(),
                        reference: p.reference,
                        title,
                        status_label: m.label,
                        status: m.status,
                        note: m.note,
                        portfolios: vec![],
                        due: None,
                        extras: vec![],
                        place: None,
                    });
                }
                None => pending = Some(p),
            }
        }
    }
    match pending {
        Some(p) => Err(no_status(&p)),
        None => Ok(()),
    }
}

fn cell_rows(
    src: &Source,
    t: &tables::Table<'_>,
    directorate: &str,
    labels: &StatusLabels,
    rows: &mut Vec<ReportRow>,
    consumed: &mut HashSet<usize>,
) -> Result<(), ImportError> {
    let h = &t.header;
    let (Some(ri), Some(ti), Some(si)) = (
        h.index_of("reference"),
        h.index_of("title"),
        h.index_of("status"),
    ) else {
        return Err(src.error_at(
            t.header_line,
            "the header does not name the reference, activity and status columns",
        ));
    };
    let ni = h.index_of("note");
    let mut seen_blank = false;
    for l in &t.body {
        if l.text.is_empty() {
            seen_blank = true;
            continue;
        }
        let cells = columns::cells(l.text, h.layout);
        if cells.len() <= si {
            if seen_blank && !rows.is_empty() && leading_reference(l.text).is_none() {
                break;
            }
            return Err(src.error_at(
                l.no,
                format!(
                    "expected at least {} columns (reference, activity, status) separated by {}, \
                     found {}; the row may be cut off",
                    si + 1,
                    if h.layout == Layout::Tabs {
                        "tabs"
                    } else {
                        "two or more spaces"
                    },
                    cells.len()
                ),
            ));
        }
        consumed.insert(l.no);
        let reference = cells.get(ri).copied().unwrap_or("").trim();
        if reference.is_empty() {
            return Err(src
                .error_at(l.no, "this row has no reference")
                .in_field("reference"));
        }
        let title = clean_title(cells.get(ti).copied().unwrap_or(""));
        if title.is_empty() {
            return Err(src
                .error_at(l.no, "this row has no activity title")
                .in_field("activity"));
        }
        let cell = cells.get(si).copied().unwrap_or("");
        let m =
            status_cell(cell, labels).map_err(|label| unknown_label(src, l.no, &label, labels))?;
        let commentary = ni
            .and_then(|i| cells.get(i))
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        rows.push(ReportRow {
            line: l.no,
            directorate: directorate.to_string(),
            reference: reference.to_string(),
            title,
            status_label: m.label,
            status: m.status,
            note: join_notes(m.note, commentary),
            portfolios: vec![],
            due: None,
            extras: vec![],
            place: None,
        });
    }
    Ok(())
}

fn join_notes(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    }
}

// ----- labelled records -----

const F_REFERENCE: &[&str] = &[
    "reference",
    "ref",
    "reference number",
    "ref no",
    "id",
    "action reference",
    "activity reference",
];
const F_TITLE: &[&str] = &["activity", "action", "title", "deliverable", "description"];
const F_STATUS: &[&str] = &[
    "status",
    "rag",
    "rag status",
    "rag rating",
    "rating",
    "overall status",
];
const F_NOTE: &[&str] = &[
    "commentary",
    "comment",
    "comments",
    "update",
    "progress update",
    "note",
    "notes",
    "reason",
];
const F_DIRECTORATE: &[&str] = &["directorate", "service", "department"];
const F_PERIOD: &[&str] = &["period", "reporting period"];
const F_OTHER: &[&str] = &[
    "due date",
    "end date",
    "stage",
    "percentage complete",
    "owner",
    "lead",
    "lead officer",
    "cabinet member",
    "portfolio",
    "target",
    "outcome",
    "priority",
    "theme",
    "corrective action",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    Reference,
    Title,
    Status,
    Note,
    Directorate,
    Period,
    Other,
}

fn field_of(line: &str) -> Option<(Field, &str)> {
    let (label, value) = line.split_once(':')?;
    if columns::word_count(label) > 4 {
        return None;
    }
    let f = fold(label);
    let field = [
        (F_REFERENCE, Field::Reference),
        (F_TITLE, Field::Title),
        (F_STATUS, Field::Status),
        (F_NOTE, Field::Note),
        (F_DIRECTORATE, Field::Directorate),
        (F_PERIOD, Field::Period),
        (F_OTHER, Field::Other),
    ]
    .iter()
    .find(|(names, _)| names.contains(&f.as_str()))
    .map(|(_, field)| *field)?;
    Some((field, value.trim()))
}

fn count_record_lines(lines: &[Line<'_>]) -> usize {
    let refs = lines
        .iter()
        .filter(|l| matches!(field_of(l.text), Some((Field::Reference, _))))
        .count();
    let statuses = lines
        .iter()
        .filter(|l| matches!(field_of(l.text), Some((Field::Status, _))))
        .count();
    refs.min(statuses)
}

fn parse_records(
    src: &Source,
    lines: &[Line<'_>],
    title: &str,
    vocab: &Vocabulary,
) -> Result<ActivityReport, ImportError> {
    let labels = &vocab.statuses;
    let mut rows = vec![];
    let mut consumed = HashSet::new();
    let mut directorate = String::new();
    let mut period_text: Option<String> = None;
    for block in blocks(lines) {
        let mut fields: Vec<(Field, String, usize)> = vec![];
        let mut prose = vec![];
        for l in &block {
            match field_of(l.text) {
                Some((f, v)) => fields.push((f, v.to_string(), l.no)),
                None => match fields.last_mut() {
                    Some((_, v, _)) => {
                        v.push(' ');
                        v.push_str(l.text);
                    }
                    None => prose.push(*l),
                },
            }
        }
        let get = |f: Field| fields.iter().find(|(k, _, _)| *k == f);
        if let Some((_, v, _)) = get(Field::Directorate) {
            directorate = columns::squash(v);
        }
        if let Some((_, v, _)) = get(Field::Period) {
            period_text.get_or_insert_with(|| columns::squash(v));
        }
        let is_record = [Field::Reference, Field::Title, Field::Status]
            .iter()
            .any(|f| get(*f).is_some());
        if !is_record {
            for l in &prose {
                if is_section_heading(l.text)
                    || fold(l.text).contains("directorate") && columns::word_count(l.text) <= 12
                {
                    directorate = strip_heading_suffix(l.text);
                    consumed.insert(l.no);
                }
            }
            for (_, _, no) in &fields {
                consumed.insert(*no);
            }
            continue;
        }
        let first = block.first().map_or(0, |l| l.no);
        for l in &block {
            consumed.insert(l.no);
        }
        let missing = |what: &str, label: &str| {
            src.error_at(
                first,
                format!("this record has no {what} line ('{label}: …'); every record needs a reference, an activity and a status"),
            )
            .in_field(what.to_string())
        };
        let (_, reference, _) =
            get(Field::Reference).ok_or_else(|| missing("reference", "Reference"))?;
        let (_, activity, _) = get(Field::Title).ok_or_else(|| missing("activity", "Activity"))?;
        let (_, status, status_line) =
            get(Field::Status).ok_or_else(|| missing("status", "Status"))?;
        let m = status_cell(status, labels)
            .map_err(|label| unknown_label(src, *status_line, &label, labels))?;
        let title = clean_title(activity);
        if reference.trim().is_empty() || title.is_empty() {
            return Err(src.error_at(first, "this record's reference or activity is empty"));
        }
        let commentary = get(Field::Note)
            .map(|(_, v, _)| columns::squash(v))
            .filter(|v| !v.is_empty());
        rows.push(ReportRow {
            line: first,
            directorate: directorate.clone(),
            reference: reference.trim().to_string(),
            title,
            status_label: m.label,
            status: m.status,
            note: join_notes(m.note, commentary),
            portfolios: vec![],
            due: None,
            extras: vec![],
            place: None,
        });
    }
    if rows.is_empty() {
        return Err(src.error(
            "no records found: each record needs 'Reference:', 'Activity:' and 'Status:' lines",
        ));
    }
    let (period, period_label) = find_period(src, lines, period_text.as_deref(), &consumed)?;
    Ok(ActivityReport {
        title: title.to_string(),
        period,
        period_label,
        claims: claims_outside(lines, &consumed, labels),
        rows,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn labels() -> StatusLabels {
        StatusLabels::default()
    }

    #[test]
    fn status_at_the_end() {
        let m = find_status(
            "Prepare for new CQC inspection framework, informed by pilotsGreen",
            &labels(),
        )
        .unwrap();
        assert_eq!(m.status, Status::Green);
        assert_eq!(m.label, "Green");
        let m = find_status(
            "Complete a 9 Borough project for open access fibre across London, led by BexleyGreen",
            &labels(),
        )
        .unwrap();
        assert_eq!(m.status, Status::Green);
        let m = find_status(
            "Options for developing the youth services hubCeased. Funding bid not successful",
            &labels(),
        )
        .unwrap();
        assert_eq!(
            (m.status, m.label.as_str(), m.note.as_deref()),
            (Status::Ceased, "Ceased", Some("Funding bid not successful"))
        );
        let m = find_status("Do the thingNot started", &labels()).unwrap();
        assert_eq!(m.status, Status::NotStarted);
        assert!(find_status("A person-centred", &labels()).is_none());
        assert!(find_status("Review the offerBlue", &labels()).is_none());
    }

    #[test]
    fn references() {
        assert_eq!(leading_reference("5.1Prepare"), Some(("5.1", "Prepare")));
        assert_eq!(leading_reference("104Increase"), Some(("104", "Increase")));
        assert_eq!(
            leading_reference("96Complete a 9 Borough"),
            Some(("96", "Complete a 9 Borough"))
        );
        assert_eq!(leading_reference("Our activity"), None);
        assert_eq!(leading_reference("2024/25"), None);
    }

    fn report(text: &str) -> Result<ActivityReport, ImportError> {
        parse(&Source::from_text("r.txt", text), &Vocabulary::default())
    }

    #[test]
    fn unknown_label_in_a_tab_table_names_line_and_field() {
        let e = report("Quarter 2 2024/25\n\nPlace directorate\nReference\tActivity\tStatus\n1\tOpen libraries\tGreen\n2\tShut libraries\tBlue\n").unwrap_err();
        assert_eq!(e.line, Some(6));
        assert_eq!(e.field.as_deref(), Some("status"));
        assert!(e.message.contains("vocabulary"), "{e}");
        let mut vocab = Vocabulary::default();
        vocab.statuses.insert("Blue", Status::Complete);
        let r = parse(&Source::from_text("r.txt", "Quarter 2 2024/25\n\nReference\tActivity\tStatus\n1\tOpen libraries\tGreen\n2\tShut libraries\tBlue\n"), &vocab).unwrap();
        assert_eq!(r.rows[1].status, Status::Complete);
        assert_eq!(r.rows[1].status_label, "Blue");
    }

    #[test]
    fn cut_off_report_names_the_row() {
        let e = report("Our activity in 2024/25\n\nPlace directorate corporate plan action delivery plan\nReferenceActivityRAG Year End 24/25\n36Small grants programme for JubileeComplete\n81Adoption of Local Pl").unwrap_err();
        assert_eq!(e.line, Some(6));
        assert_eq!(e.field.as_deref(), Some("status"));
        let e = report("Our activity in 2024/25\n\nPlace directorate corporate plan action delivery plan\nReferenceActivityRAG Year End 24/25\n").unwrap_err();
        assert_eq!(e.line, Some(4));
    }

    #[test]
    fn records() {
        let r = report("Quarterly report\nPeriod: Quarter 2 2024/25\n\nOf the 2 actions, 1 is complete.\n\nDirectorate: Place\n\nReference: 5\nActivity: Open libraries.\nStatus: On track\nCommentary: Going well,\nand more.\n\nReference: 6\nActivity: Shut libraries\nStatus: Complete\n").unwrap();
        assert_eq!(r.period, Period::new(2024, waymark_domain::Quarter::Q2));
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].title, "Open libraries");
        assert_eq!(r.rows[0].status, Status::Green);
        assert_eq!(r.rows[0].note.as_deref(), Some("Going well, and more."));
        assert_eq!(r.rows[0].directorate, "Place");
        assert_eq!(r.rows[1].line, 14);
        assert_eq!(r.claims.len(), 1);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}") {
            let _ = report(&s);
            let _ = report(&format!("ReferenceActivityRAG Year End 24/25\n{s}"));
            let _ = report(&format!("Reference: 1\nStatus: {s}\n\nReference: 2\nActivity: {s}\nStatus: Green"));
            let _ = find_status(&s, &labels());
        }
    }
}
