//! A web table copied one cell per line: the header cells ("Performance", "2021/22", …,
//! "Better or Worse"), then an optional second header row ("Value", …, "Target"), then each
//! row as its name followed by one line per cell. An empty cell is a line holding only a
//! no-break space; blank lines between cells are ignored. The header's periods say how many
//! cells each row has.

use super::roles::{self, Role};
use waymark_read::{Block, Cell, LineKind, Row, Table};

struct Stacked {
    /// Index of the first block of the table and one past its last.
    start: usize,
    end: usize,
    table: Table,
}

/// The cell lines of a part: (block index, line, text), blank separator lines left out.
fn cell_lines(blocks: &[Block]) -> Vec<(usize, usize, String)> {
    blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Line(l) if l.kind == LineKind::Plain && !l.text.is_empty() => {
                Some((i, l.at, l.text.trim().to_string()))
            }
            _ => None,
        })
        .collect()
}

fn is_period(t: &str) -> bool {
    roles::period_in_header(t).is_some() && t.split_whitespace().count() <= 3
}

fn role_of(t: &str) -> Option<Role> {
    roles::header_roles(t, &[])
        .first()
        .filter(|(_, s)| *s >= 70)
        .map(|(r, _)| *r)
}

/// Read one stacked table whose period run starts at `k` in `cells`.
fn read_at(cells: &[(usize, usize, String)], k: usize) -> Option<(Stacked, usize)> {
    let name_header = cells.get(k.checked_sub(1)?)?;
    if name_header.2.is_empty() || name_header.2.split_whitespace().count() > 4 {
        return None;
    }
    let mut top: Vec<String> = vec![];
    let mut i = k;
    while let Some((_, _, t)) = cells.get(i) {
        // Periods, then other column names ("Better or Worse"), never "Value"/"Target".
        let other_column = !top.is_empty()
            && role_of(t).is_some_and(|r| !matches!(r, Role::Value | Role::Target))
            && t.split_whitespace().count() <= 4;
        if is_period(t) || other_column {
            top.push(t.clone());
        } else {
            break;
        }
        i += 1;
    }
    let periods = top.iter().filter(|t| is_period(t)).count();
    if periods < 2 {
        return None;
    }
    let width = top.len();
    // A second header row of "Value"/"Target" words under the first cells.
    let mut sub: Vec<String> = vec![];
    while let Some((_, _, t)) = cells.get(i) {
        if sub.len() < width && matches!(role_of(t), Some(Role::Value | Role::Target)) {
            sub.push(t.clone());
            i += 1;
        } else {
            break;
        }
    }
    let header: Vec<String> = top
        .iter()
        .enumerate()
        .map(|(n, t)| match sub.get(n) {
            Some(s) => format!("{t} {s}"),
            None => t.clone(),
        })
        .collect();
    // Rows: a name that is not a figure, then `width` short cells.
    let mut rows: Vec<Row> = vec![];
    while let Some((_, at, name)) = cells.get(i) {
        if name.is_empty() || roles::is_number(name) || is_period(name) {
            break;
        }
        let Some(row_cells) = cells.get(i + 1..i + 1 + width) else {
            break;
        };
        if row_cells
            .iter()
            .any(|(_, _, t)| t.split_whitespace().count() > 4 || t.ends_with('.'))
        {
            break;
        }
        let mut out = vec![Cell::text(name.clone())];
        out.extend(row_cells.iter().map(|(_, _, t)| Cell::text(t.clone())));
        rows.push(Row {
            at: *at,
            head: false,
            cells: out,
        });
        i += 1 + width;
    }
    if rows.len() < 2 {
        return None;
    }
    // The names' column: headed by what the page says, read as the indicators.
    let name_text = match role_of(&name_header.2) {
        Some(Role::Measure | Role::Title) => name_header.2.clone(),
        _ => "Indicator".to_string(),
    };
    let mut head = vec![Cell::text(name_text)];
    head.extend(header.into_iter().map(Cell::text));
    rows.insert(
        0,
        Row {
            at: name_header.1,
            head: true,
            cells: head,
        },
    );
    let start = name_header.0;
    let end = cells.get(i.saturating_sub(1)).map_or(start, |c| c.0) + 1;
    Some((
        Stacked {
            start,
            end,
            table: Table {
                caption: None,
                rows,
            },
        },
        i,
    ))
}

/// Replace each table copied one cell per line by a table.
pub(crate) fn tables_from_stacked(blocks: Vec<Block>) -> Vec<Block> {
    let cells = cell_lines(&blocks);
    let mut found: Vec<Stacked> = vec![];
    let mut k = 1;
    while k < cells.len() {
        let starts = cells.get(k).is_some_and(|c| is_period(&c.2))
            && cells.get(k + 1).is_some_and(|c| is_period(&c.2));
        if starts && let Some((s, next)) = read_at(&cells, k) {
            found.push(s);
            k = next;
        } else if starts {
            // Not a table here: go past this run of periods rather than retry inside it.
            while cells.get(k).is_some_and(|c| is_period(&c.2)) {
                k += 1;
            }
        } else {
            k += 1;
        }
    }
    if found.is_empty() {
        return blocks;
    }
    let mut out = vec![];
    let mut tables = found.into_iter().peekable();
    let mut i = 0;
    while i < blocks.len() {
        if let Some(t) = tables.next_if(|t| t.start == i) {
            out.push(Block::Table(t.table));
            i = t.end;
            continue;
        }
        if let Some(b) = blocks.get(i) {
            out.push(b.clone());
        }
        i += 1;
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::layout::testing::{first_table, plain_lines as lines, texts};

    #[test]
    fn one_cell_per_line_with_a_missing_sub_header() {
        let text = "Roads\n\nPerformance\n\n2023/24\n\n2024/25\n\nBetter or Worse\n\nValue\n\nTarget\n\n\
                    Roads needing repair (%)\n\n27.4%\n\n26%\n\nWorse\n\n\
                    Street lights fixed in 7 days\n\n83.5%\n\n\u{a0}\n\nBetter\n\n*A footnote sentence.";
        let blocks = lines(text);
        let out = tables_from_stacked(blocks);
        let t = first_table(&out).unwrap();
        let texts = texts(t);
        assert_eq!(
            texts[0],
            [
                "Indicator",
                "2023/24 Value",
                "2024/25 Target",
                "Better or Worse"
            ]
        );
        assert_eq!(
            texts[2],
            ["Street lights fixed in 7 days", "83.5%", "", "Better"]
        );
        assert!(matches!(out.last(), Some(Block::Line(l)) if l.text.starts_with("*A footnote")));
    }
}
