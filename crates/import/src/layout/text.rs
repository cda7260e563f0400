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

fn indent(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ').count()
}

/// "Page 3 of 28": a page's number, not part of the table it interrupts.
fn is_page_furniture(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    matches!(words.as_slice(), ["Page", n] | ["Page", n, "of", _] if n.chars().all(|c| c.is_ascii_digit()))
}

/// A name that ran into the figure after it ("… (rolling year)38.2%"): split the figure off
/// the first cell that ends in one glued to a letter or bracket.
fn unglue(cells: &mut Vec<String>) {
    for i in 0..cells.len() {
        let Some(cell) = cells.get(i) else { break };
        // The figure at the end of the cell: digits and figure punctuation, read backwards.
        let figure_start = cell
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, '.' | ',' | '%'))
            .last()
            .map(|(at, _)| at);
        let Some(at) = figure_start.filter(|&at| at > 0) else {
            continue;
        };
        let glued = cell[..at]
            .chars()
            .next_back()
            .is_some_and(|p| p.is_alphabetic() || p == ')');
        let figure = &cell[at..];
        if !glued || !figure.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        if !super::roles::is_number(figure) {
            continue;
        }
        let (name, figure) = (cell[..at].trim().to_string(), figure.to_string());
        if name.split_whitespace().count() >= 2 {
            cells[i] = name;
            cells.insert(i + 1, figure);
            return;
        }
    }
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
    // The widest row so far (a header), to mend rows whose name ran into a figure.
    let mut widest = 0usize;
    for line in lines {
        let mut c = cells(&line.text);
        if is_page_furniture(&line.text) && !run.is_empty() {
            continue;
        }
        if c.iter().filter(|x| !x.is_empty()).count() >= 2
            && (line.text.contains('\t') || c.len() >= 3)
        {
            if c.len() + 1 == widest {
                unglue(&mut c);
            }
            widest = widest.max(c.len());
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
        } else if c.len() == 1
            && let Some(last) = run.last_mut()
            && indent(&line.text) >= 4
            && last.cells.len() >= 3
        {
            // An indented line under a row: the row's name carried onto a second line.
            match last
                .cells
                .iter_mut()
                .skip(1)
                .find(|x| x.text.split_whitespace().count() >= 2)
            {
                Some(cell) => {
                    cell.text.push(' ');
                    cell.text.push_str(c[0].trim());
                }
                // No name to carry on: the line stays, as a row of its own.
                None => run.push(Row {
                    at: line.at,
                    head: false,
                    cells: vec![Cell::text(c[0].clone())],
                }),
            }
        } else if c.len() == 1 && !run.is_empty() && (run.len() >= 2 || widest >= 4) {
            // A single cell inside a table: a heading row (a service area).
            run.push(Row {
                at: line.at,
                head: false,
                cells: vec![Cell::text(c[0].clone())],
            });
        } else {
            flush(&mut run, &mut out);
            widest = 0;
            out.push(Block::Line(line.clone()));
        }
    }
    flush(&mut run, &mut out);
    out
}
