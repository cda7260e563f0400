//! CSV: UTF-8 (with or without a byte-order mark) or Windows-1252; `,`, `;` or tab between
//! cells, whichever gives the same number of cells on most lines; quoted cells may hold the
//! separator and line breaks.

use crate::{Block, Cell, Part, ReadError, Row, Table, decode_text};

pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Part, ReadError> {
    let text = decode_text(file, bytes)?;
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| consistency(&text, d))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = vec![];
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let at = record
                    .position()
                    .map_or(line, |p| line_at(&text, p.byte() as usize));
                rows.push(Row {
                    at,
                    head: false,
                    cells: record
                        .iter()
                        .map(|c| Cell::text(undefused(c.trim())))
                        .collect(),
                });
            }
            Err(e) => {
                let at = e.position().map_or(line, |p| p.line() as usize);
                return Err(
                    ReadError::new(file, format!("the CSV cannot be read: {e}")).at_line(at)
                );
            }
        }
    }
    Ok(Part {
        name: None,
        blocks: vec![Block::Table(Table {
            caption: None,
            rows,
        })],
    })
}

/// A cell written with an apostrophe before a leading `=`, `+`, `-` or `@` (so that a
/// spreadsheet shows it as text instead of running it as a formula) reads as the text itself.
fn undefused(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// The 1-based line a byte offset falls on.
/// The reader reports a record as starting at the line end before it, so line ends there
/// are skipped.
fn line_at(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let start = byte
        + bytes
            .iter()
            .skip(byte)
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
    bytes.iter().take(start).filter(|&&b| b == b'\n').count() + 1
}

/// How many of the first lines have the most common number of cells (more than one),
/// splitting on `delimiter` and respecting quotes.
fn consistency(text: &str, delimiter: u8) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut counts: std::collections::HashMap<usize, usize> = Default::default();
    for record in reader.records().take(200) {
        let Ok(record) = record else { return 0 };
        let filled = record.iter().filter(|c| !c.trim().is_empty()).count();
        if record.len() > 1 && filled > 1 {
            *counts.entry(record.len()).or_default() += 1;
        }
    }
    counts.values().copied().max().unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cells(part: &Part) -> Vec<Vec<String>> {
        let Block::Table(t) = &part.blocks[0] else {
            panic!()
        };
        t.rows
            .iter()
            .map(|r| r.cells.iter().map(|c| c.text.clone()).collect())
            .collect()
    }

    #[test]
    fn semicolons_quotes_and_line_breaks() {
        let part = read(
            "a.csv",
            "\u{feff}Ref;Title;Status\r\n1;\"Open; close\";Green\r\n2;\"Two\r\nlines\";Red\r\n"
                .as_bytes(),
        )
        .unwrap();
        let c = cells(&part);
        assert_eq!(c[1], ["1", "Open; close", "Green"]);
        assert_eq!(c[2][1], "Two\r\nlines");
        let Block::Table(t) = &part.blocks[0] else {
            panic!()
        };
        assert_eq!(t.rows.iter().map(|r| r.at).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn windows_1252_commas() {
        let part = read("a.csv", b"PI,Value\nEDU018*,\"\xa31,204\"\n").unwrap();
        assert_eq!(cells(&part)[1], ["EDU018*", "£1,204"]);
        let part = read(
            "a.csv",
            "Ref,Note\n1,'=SUM(A1)\n2,'-5 below\n3,'plain\n".as_bytes(),
        )
        .expect("read");
        let c = cells(&part);
        assert_eq!(
            (c[1][1].as_str(), c[2][1].as_str(), c[3][1].as_str()),
            ("=SUM(A1)", "-5 below", "'plain")
        );
    }
}
