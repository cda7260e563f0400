//! CSV and JSON: the report's numbers for people who want to work with them.

use crate::{Document, ReportError};

/// One CSV for the whole report: a row per table row, the first column naming the table, then
/// every column heading used by any table (blank where a table has no such column), so the
/// file filters cleanly in a spreadsheet. Cells that a spreadsheet would run as a formula are
/// defused with a leading apostrophe.
pub fn csv(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut headings: Vec<&str> = vec![];
    for table in doc.tables() {
        for column in &table.columns {
            if !headings.contains(&column.heading.as_str()) {
                headings.push(&column.heading);
            }
        }
    }
    let fail = |e: csv::Error| ReportError::Write {
        format: "CSV",
        message: e.to_string(),
    };
    let mut out = csv::Writer::from_writer(vec![]);
    let mut header = vec!["Table"];
    header.extend(headings.iter().copied());
    out.write_record(&header).map_err(fail)?;
    for table in doc.tables() {
        let at: Vec<usize> = table
            .columns
            .iter()
            .map(|c| headings.iter().position(|h| *h == c.heading).unwrap_or(0))
            .collect();
        for row in &table.rows {
            let mut record = vec![String::new(); headings.len() + 1];
            record[0] = cell_safe(&table.caption);
            for (cell, i) in row.iter().zip(&at) {
                record[i + 1] = cell_safe(&cell.text);
            }
            out.write_record(&record).map_err(fail)?;
        }
    }
    out.into_inner().map_err(|e| ReportError::Write {
        format: "CSV",
        message: e.to_string(),
    })
}

/// Text a spreadsheet would take for a formula gets a leading apostrophe.
pub fn cell_safe(text: &str) -> String {
    // A plain number ("-1.2") is data, not a formula.
    if text.parse::<f64>().is_ok() {
        return text.to_string();
    }
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// The whole document as JSON: every table with its numbers and status keys.
pub fn json(doc: &Document) -> Result<Vec<u8>, ReportError> {
    serde_json::to_vec_pretty(doc).map_err(|e| ReportError::Write {
        format: "JSON",
        message: e.to_string(),
    })
}
