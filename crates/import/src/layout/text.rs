//! Plain text turned into blocks: runs of lines whose cells are separated by tabs or by
//! runs of spaces (text copied from a web table or a PDF) become tables; the other lines
//! stay lines.

use waymark_read::{Block, Cell, Line, LineKind, Row, Table};

/// The cells of a line split by tabs, else by runs of two or more spaces.
fn cells(line: &str) -> Vec<String> {
    let line = line.replace('\u{0C}', "");
    if line.contains('\t') {
        return line.split('\t').map(|c| c.trim().to_string()).collect();
    }
    let mut out = vec![];
    let mut current = String::new();
    let mut spaces = 0;
    for ch in line.trim().chars() {
        if ch == ' ' || ch == '\u{a0}' {
            spaces += 1;
            continue;
        }
        if spaces >= 2 && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        } else if spaces == 1 {
            current.push(' ');
        }
        spaces = 0;
        current.push(ch);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Group a text's lines into tables and lines.
pub(crate) fn blocks(lines: &[Line]) -> Vec<Block> {
    let mut out: Vec<Block> = vec![];
    let mut run: Vec<Row> = vec![];
    let flush = |run: &mut Vec<Row>, out: &mut Vec<Block>| {
        if run.len() >= 3 {
            out.push(Block::Table(Table {
                caption: None,
                rows: std::mem::take(run),
            }));
        } else {
            for r in run.drain(..) {
                let text = r
                    .cells
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join("  ");
                out.push(Block::Line(Line {
                    at: r.at,
                    kind: LineKind::Plain,
                    text,
                }));
            }
        }
    };
    for line in lines {
        let c = cells(&line.text);
        if c.iter().filter(|x| !x.is_empty()).count() >= 2
            && (line.text.contains('\t') || c.len() >= 3)
        {
            run.push(Row {
                at: line.at,
                head: false,
                cells: c.into_iter().map(Cell::text).collect(),
            });
        } else if line.text.trim().is_empty() {
            // Blank lines inside a table are common in copied text; a table ends at text.
            // Outside one they are kept: a line of only a no-break space is an empty cell
            // of a table copied one cell per line.
            if run.is_empty() {
                out.push(Block::Line(line.clone()));
            }
        } else if c.len() == 1 && !run.is_empty() && run.len() >= 2 {
            // A single cell inside a table: a heading row (a service area) or a wrapped name.
            run.push(Row {
                at: line.at,
                head: false,
                cells: vec![Cell::text(c[0].clone())],
            });
        } else {
            flush(&mut run, &mut out);
            out.push(Block::Line(line.clone()));
        }
    }
    flush(&mut run, &mut out);
    out
}
