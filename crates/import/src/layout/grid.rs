//! A table of cells read as a council means it: which row is the header (title rows and
//! merged cells above it are context), what each column holds, which rows are headings
//! (a directorate or theme written across the table), repeated headers and footnotes.

use super::roles::{self, Role, Shape};
use waymark_domain::text::fold;
use waymark_domain::{Period, StatusLabels};
use waymark_read::{Row, Table};

/// A column and what it was read as.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub index: usize,
    pub header: String,
    pub role: Role,
    /// Out of 100: 95 a header word councils use for exactly this, lower for partial
    /// matches, 40–60 for a role judged by content alone.
    pub confidence: u8,
    pub period: Option<Period>,
    /// Why: "header 'Lead Committee'", "cells look like status words".
    pub reason: String,
}

/// A row of data with the headings it sits under.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub at: usize,
    pub cells: Vec<waymark_read::Cell>,
    /// Heading rows above it, outermost first.
    pub headings: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub columns: Vec<Column>,
    pub context: Vec<String>,
    pub records: Vec<Record>,
    /// 1-based row of the (last) header row.
    pub header_at: usize,
}

fn distinct_texts(row: &Row) -> Vec<&str> {
    let mut out: Vec<&str> = vec![];
    for c in &row.cells {
        let t = c.text.trim();
        if !t.is_empty() && !c.spanned && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// How strongly a row reads as a header: the number of distinct cells whose words are
/// column headings councils use, with no cell that looks like data.
fn header_strength(row: &Row, extra: &[(String, Role)]) -> usize {
    let texts = distinct_texts(row);
    if texts.len() < 2 {
        return 0;
    }
    let known = texts
        .iter()
        .filter(|t| {
            t.len() <= 60
                && roles::header_roles(t, extra)
                    .first()
                    .is_some_and(|r| r.1 >= 60)
        })
        .count();
    let long = texts
        .iter()
        .filter(|t| t.split_whitespace().count() > 8)
        .count();
    if long > 0 {
        known.saturating_sub(long)
    } else {
        known
    }
}

/// Read a table: `None` when no row reads as a header.
pub(crate) fn read(
    table: &Table,
    extra: &[(String, Role)],
    labels: &StatusLabels,
    mapping: &[(String, Role)],
) -> Option<Grid> {
    let candidates = table.rows.iter().take(30).enumerate();
    let (h, strength) = candidates
        .map(|(i, r)| (i, header_strength(r, extra) + usize::from(r.head)))
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    if strength < 2 {
        return None;
    }
    // A second header row under the first (years above, "Value | Target" below).
    let mut header_rows = vec![h];
    if let Some(next) = table.rows.get(h + 1)
        && (next.head
            || header_strength(next, extra) >= 2
                && next
                    .cells
                    .iter()
                    .all(|c| !roles::is_number(&c.text) || c.text.len() == 4))
        && next
            .cells
            .iter()
            .all(|c| c.text.split_whitespace().count() <= 6)
    {
        header_rows.push(h + 1);
    }
    let header_at = table.rows[*header_rows.last().unwrap_or(&h)].at;
    let context: Vec<String> = table.rows[..h]
        .iter()
        .flat_map(|r| {
            distinct_texts(r)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let width = table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let body: Vec<&Row> = table.rows[header_rows.last().map_or(h, |l| l + 1)..]
        .iter()
        .collect();
    let header_texts: Vec<String> = (0..width)
        .map(|i| {
            let mut parts: Vec<String> = vec![];
            for &r in &header_rows {
                if let Some(c) = table.rows[r].cells.get(i) {
                    let t = c.text.trim().replace('\n', " ");
                    if !t.is_empty() && !parts.contains(&t) {
                        parts.push(t);
                    }
                }
            }
            parts.join(" ")
        })
        .collect();
    let mut columns: Vec<Column> = vec![];
    for (i, header) in header_texts.iter().enumerate() {
        let shapes: Vec<Shape> = body
            .iter()
            .filter(|r| distinct_texts(r).len() > 1)
            .filter_map(|r| r.cells.get(i))
            .filter(|c| !c.spanned || c.text.trim().is_empty())
            .map(|c| roles::shape(&c.text, labels))
            .collect();
        let filled = shapes.iter().filter(|s| **s != Shape::Empty).count().max(1);
        let share = |s: Shape| shapes.iter().filter(|x| **x == s).count() * 100 / filled;
        let fills = body
            .iter()
            .filter_map(|r| r.cells.get(i))
            .filter(|c| c.fill.is_some() && c.text.trim().is_empty())
            .count();
        let mapped = mapping
            .iter()
            .find(|(h, _)| fold(h) == fold(header))
            .map(|(_, r)| *r);
        let (role, confidence, reason) = if let Some(role) = mapped {
            (
                role,
                100,
                format!("the mapping says '{header}' is {}", role.name()),
            )
        } else {
            let by_header = roles::header_roles(header, extra);
            match by_header.first() {
                Some(&(role, score)) if score >= 60 => {
                    // The content settles headers that could mean two things.
                    let role = match role {
                        Role::Status if share(Shape::Number) > 60 => Role::Value,
                        Role::Value if share(Shape::StatusWord) > 60 => Role::Status,
                        Role::Reference
                            if share(Shape::LongText) + share(Shape::ShortText) > 70
                                && share(Shape::Reference) < 20 =>
                        {
                            by_header.get(1).map_or(Role::Other, |r| r.0)
                        }
                        Role::Theme | Role::Polarity
                            if by_header.iter().any(|r| r.0 == Role::Polarity)
                                && share(Shape::ShortText) > 50
                                && body.iter().filter_map(|r| r.cells.get(i)).all(|c| {
                                    c.text.trim().is_empty()
                                        || roles::higher_is_better(&c.text).is_some()
                                }) =>
                        {
                            Role::Polarity
                        }
                        Role::Polarity if share(Shape::LongText) > 30 => Role::Theme,
                        // "Value" over "Smaller is Better": the cells say what the column is.
                        Role::Value | Role::Other if polarity_cells(&body, i) => Role::Polarity,
                        other => other,
                    };
                    (role, score, format!("header '{header}'"))
                }
                _ => {
                    if header.trim().is_empty()
                        && shapes.iter().all(|s| *s == Shape::Empty)
                        && fills == 0
                    {
                        continue;
                    }
                    let (role, why) = if share(Shape::StatusWord) >= 60 {
                        (Role::Status, "cells are status words")
                    } else if share(Shape::Reference) >= 60 {
                        (Role::Reference, "cells look like references")
                    } else if share(Shape::Date) >= 60 {
                        (Role::Due, "cells are dates")
                    } else if share(Shape::Number) >= 60
                        && roles::period_in_header(header).is_some()
                    {
                        (Role::Value, "cells are figures")
                    } else if share(Shape::LongText) >= 50 {
                        (Role::Commentary, "cells are sentences")
                    } else if fills > 0 && shapes.iter().all(|s| *s == Shape::Empty) {
                        (Role::Status, "cells are coloured, not written")
                    } else {
                        (Role::Other, "no header word or content it recognises")
                    };
                    (
                        role,
                        45,
                        format!(
                            "{why}{}",
                            if header.is_empty() {
                                String::new()
                            } else {
                                format!(" (header '{header}')")
                            }
                        ),
                    )
                }
            }
        };
        let period = roles::period_in_header(header);
        columns.push(Column {
            index: i,
            header: header.clone(),
            role,
            confidence,
            period,
            reason,
        });
    }
    settle_duplicates(&mut columns, &body, labels);
    let records = records(&body, &header_texts, &columns);
    Some(Grid {
        columns,
        context,
        records,
        header_at,
    })
}

/// One column per single-valued role: the first reference, the title with the longest text,
/// the latest status; the rest are kept as written.
fn settle_duplicates(columns: &mut [Column], body: &[&Row], labels: &StatusLabels) {
    let avg_words = |i: usize| {
        let texts: Vec<usize> = body
            .iter()
            .filter_map(|r| r.cells.get(i))
            .map(|c| c.text.split_whitespace().count())
            .collect();
        texts.iter().sum::<usize>() as f64 / texts.len().max(1) as f64
    };
    for role in [
        Role::Reference,
        Role::Title,
        Role::Measure,
        Role::Directorate,
        Role::Portfolio,
        Role::Due,
        Role::Commentary,
        Role::Action,
        Role::Polarity,
        Role::Direction,
        Role::Theme,
        Role::Unit,
        Role::Owner,
        Role::Description,
    ] {
        let idx: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.role == role)
            .map(|(i, _)| i)
            .collect();
        if idx.len() < 2 {
            continue;
        }
        let keep = match role {
            Role::Title | Role::Measure => *idx
                .iter()
                .max_by(|a, b| {
                    avg_words(columns[**a].index).total_cmp(&avg_words(columns[**b].index))
                })
                .unwrap_or(&idx[0]),
            _ => idx[0],
        };
        for i in idx {
            if i != keep {
                columns[i].role = Role::Other;
            }
        }
    }
    // Two value columns for one period ("Annual Perf. 2024/25", "TTAF 2024/25"): the first is
    // the value, the other is kept as written.
    let mut seen: Vec<Period> = vec![];
    for c in columns.iter_mut().filter(|c| c.role == Role::Value) {
        if let Some(p) = c.period {
            if seen.contains(&p) {
                c.role = Role::Other;
                c.reason = format!("a second column for {p}, kept as written");
            } else {
                seen.push(p);
            }
        }
    }
    // Several status columns: the latest period's is the status ("Q1 RAG", "Q2 RAG", "Q3 RAG").
    let statuses: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == Role::Status)
        .map(|(i, _)| i)
        .collect();
    if statuses.len() > 1 {
        let keep = statuses
            .iter()
            .copied()
            .max_by_key(|&i| (columns[i].period, std::cmp::Reverse(i)))
            .unwrap_or(statuses[0]);
        let any_period = statuses.iter().any(|&i| columns[i].period.is_some());
        // Without years, a quarter named in the header ("Q1 RAG", "Q3 RAG") orders them.
        let by_quarter = statuses
            .iter()
            .copied()
            .filter_map(|i| quarter_named(&columns[i].header).map(|q| (q, i)))
            .max()
            .map(|(_, i)| i);
        let keep = match (any_period, by_quarter) {
            (true, _) => keep,
            (false, Some(i)) => i,
            (false, None) => statuses[0],
        };
        for i in statuses {
            if i != keep {
                columns[i].role = Role::Other;
            }
        }
    }
    let _ = labels;
    // A table of activities with a "Measure" column of short names and no title: the measure
    // is the title only when there is no better one (decided by the caller).
}

/// Every filled cell of a column says which way is better ("Smaller is Better").
fn polarity_cells(body: &[&Row], i: usize) -> bool {
    let mut filled = body
        .iter()
        .filter_map(|r| r.cells.get(i))
        .filter(|c| !c.spanned && !c.text.trim().is_empty())
        .peekable();
    filled.peek().is_some() && filled.all(|c| roles::higher_is_better(&c.text).is_some())
}

/// The quarter a header names without a year: "Q3 RAG" → 3, "Quarter 2 status" → 2.
fn quarter_named(header: &str) -> Option<u8> {
    let f = fold(header);
    let words: Vec<&str> = f
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().find_map(|(i, w)| {
        let n = match w.strip_prefix('q') {
            Some(d) if d.len() == 1 => d,
            _ if *w == "quarter" => words.get(i + 1)?,
            _ => return None,
        };
        n.parse::<u8>().ok().filter(|q| (1..=4).contains(q))
    })
}

/// Data rows, each with the heading rows above it; repeated headers and footnotes dropped.
fn records(body: &[&Row], header: &[String], columns: &[Column]) -> Vec<Record> {
    let title_cols: Vec<usize> = columns
        .iter()
        .filter(|c| matches!(c.role, Role::Title | Role::Measure))
        .map(|c| c.index)
        .collect();
    let mut out = vec![];
    let mut headings: Vec<(usize, String)> = vec![];
    let header_fold: Vec<String> = header.iter().map(|h| fold(h)).collect();
    let last_data = body
        .iter()
        .rposition(|r| distinct_texts(r).len() >= 2)
        .unwrap_or(0);
    for (n, row) in body.iter().enumerate() {
        let texts = distinct_texts(row);
        if texts.is_empty() {
            continue;
        }
        let row_fold: Vec<String> = row.cells.iter().map(|c| fold(&c.text)).collect();
        let same_as_header = row_fold
            .iter()
            .zip(&header_fold)
            .filter(|(a, b)| !a.is_empty() && a == b)
            .count();
        if same_as_header >= 2 {
            continue;
        }
        let has_title = title_cols.iter().any(|&i| {
            row.cells
                .get(i)
                .is_some_and(|c| !c.text.trim().is_empty() && !c.spanned)
        });
        if texts.len() == 1
            && !(has_title
                && row
                    .cells
                    .iter()
                    .filter(|c| !c.text.trim().is_empty())
                    .count()
                    > 1)
        {
            let text = texts[0].to_string();
            if n > last_data || is_note(&text) {
                continue;
            }
            // A heading: merged across (level 0) or written in one cell.
            let merged = row.cells.iter().filter(|c| c.spanned).count() > 0;
            let level = usize::from(!merged);
            headings.retain(|(l, _)| *l < level);
            headings.push((level, text));
            continue;
        }
        out.push(Record {
            at: row.at,
            cells: row.cells.clone(),
            headings: headings.iter().map(|(_, t)| t.clone()).collect(),
        });
    }
    out
}

/// A footnote or key under a table: "* provisional", "Note:", "Source:".
pub(crate) fn is_note(text: &str) -> bool {
    let t = text.trim_start();
    let f = fold(t);
    t.starts_with(['*', '†', '‡', '¹', '('])
        || ["note", "notes", "source", "key", "nb", "footnote"]
            .iter()
            .any(|w| f == *w || f.starts_with(&format!("{w} ")))
}
