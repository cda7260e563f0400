//! Spreadsheets: `.xlsx` through our own reader (number formats, fills and merged cells
//! matter), `.xls` and `.ods` through calamine (values as stored, dates as day/month/year).

use crate::{Block, Cell, MAX_CELLS, MAX_UNPACKED, Part, ReadError, Row, Table, numfmt, xlsx};
use calamine::{Data, Reader};
use std::io::Cursor;

pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Vec<Part>, ReadError> {
    if bytes.starts_with(b"PK\x03\x04") {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            ReadError::new(
                file,
                format!("the file cannot be opened as a zip package: {e}"),
            )
        })?;
        let names: Vec<String> = zip
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect();
        let has = |n: &str| names.iter().any(|x| x == n);
        if has("xl/workbook.xml") {
            return xlsx::read(file, bytes);
        }
        if has("content.xml") {
            let declared: u64 = (0..zip.len())
                .filter_map(|i| zip.clone().by_index_raw(i).ok().map(|e| e.size()))
                .fold(0u64, u64::saturating_add);
            if declared > MAX_UNPACKED {
                return Err(ReadError::new(
                    file,
                    format!(
                        "the spreadsheet would unpack to {declared} bytes, more than the limit of {MAX_UNPACKED} (a zip bomb?)"
                    ),
                ));
            }
            return with_calamine(file, bytes);
        }
        return Err(ReadError::new(
            file,
            "the file is a zip package but neither an Excel (.xlsx) nor an OpenDocument (.ods) \
             spreadsheet; a Word document? Save the table as .xlsx or .csv",
        ));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return with_calamine(file, bytes);
    }
    Err(ReadError::new(
        file,
        "the file is named as a spreadsheet but is not one (.xlsx, .xls and .ods are read)",
    ))
}

fn with_calamine(file: &str, bytes: &[u8]) -> Result<Vec<Part>, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::new(file, format!("the spreadsheet cannot be read: {e}")))?;
    let mut parts = vec![];
    let mut total = 0usize;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| {
            ReadError::new(file, format!("the sheet cannot be read: {e}"))
                .at(format!("sheet '{name}'"))
        })?;
        let (top, _) = range.start().unwrap_or((0, 0));
        let mut rows = vec![];
        for (i, row) in range.rows().enumerate() {
            let cells: Vec<Cell> = row.iter().map(cell).collect();
            if cells.iter().all(|c| c.text.is_empty()) {
                continue;
            }
            total += cells.len();
            if total > MAX_CELLS {
                return Err(ReadError::new(
                    file,
                    format!("the workbook holds more than {MAX_CELLS} cells; split it"),
                )
                .at(format!("sheet '{name}' row {}", top as usize + i + 1)));
            }
            rows.push(Row {
                at: top as usize + i + 1,
                head: false,
                cells,
            });
        }
        parts.push(Part {
            name: Some(name),
            blocks: vec![Block::Table(Table {
                caption: None,
                rows,
            })],
        });
    }
    Ok(parts)
}

fn cell(data: &Data) -> Cell {
    let (text, number) = match data {
        Data::Empty => (String::new(), None),
        Data::String(s) => (s.trim().to_string(), None),
        Data::Int(i) => (i.to_string(), Some(*i as f64)),
        Data::Float(f) => (numfmt::general(*f), Some(*f)),
        Data::Bool(b) => ((if *b { "TRUE" } else { "FALSE" }).to_string(), None),
        Data::DateTime(d) => (
            numfmt::format(d.as_f64(), "dd/mm/yyyy", false),
            Some(d.as_f64()),
        ),
        Data::DateTimeIso(s) | Data::DurationIso(s) => (s.clone(), None),
        Data::Error(e) => (format!("{e}"), None),
    };
    Cell {
        text,
        number,
        ..Cell::default()
    }
}
