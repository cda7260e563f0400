//! Council files of any format read into one shape: a [`Book`] of parts (a sheet, a page, the
//! whole text), each a list of [`Block`]s (lines of text, headings, list items, tables of
//! cells), every one carrying its place (line or row) so later errors can point at it.
//!
//! Nothing here knows what a council document means: that is `waymark-import`'s job. This
//! crate only gets the text out, the way a reader would see it (a spreadsheet's numbers in
//! their number format, an HTML table with its spans filled in), and refuses files that are
//! malformed or hostile (zip and entity bombs, huge sheets, deep nesting) with an error that
//! names the file and the place, within bounded memory.
//!
//! ```
//! let book = waymark_read::read("kpis.csv", b"Ref,Measure,Q1\nA1,Calls answered,91%\n").unwrap();
//! let waymark_read::Block::Table(table) = &book.parts[0].blocks[0] else { panic!() };
//! assert_eq!(table.rows[1].cells[2].text, "91%");
//! ```

mod csv_file;
mod decode;
mod html;
mod numfmt;
pub mod pdf;
mod sheet;
mod xlsx;

pub use decode::decode_text;

use std::fmt;

/// The largest file accepted, in bytes.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// The most cells one file may hold (a sheet of a million rows is refused, not read).
pub const MAX_CELLS: usize = 2_000_000;
/// The most bytes a spreadsheet's parts may unpack to, all together.
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// What kind of file it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Csv,
    Spreadsheet,
    Html,
    /// A PDF's text, read into plain lines with tabs between its columns.
    Pdf,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Csv => "CSV",
            Format::Spreadsheet => "spreadsheet",
            Format::Html => "web page",
            Format::Pdf => "PDF",
        }
    }
}

/// A file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    pub file: String,
    pub format: Format,
    pub parts: Vec<Part>,
}

/// A sheet of a workbook, or the whole of a text, CSV or HTML file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Part {
    /// The sheet's name; `None` for a file with one part.
    pub name: Option<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Line(Line),
    Table(Table),
}

/// A line of text: a heading, a paragraph, a list item, or a plain line of a text file.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// 1-based line of the file (for HTML, the line the element starts on).
    pub at: usize,
    pub kind: LineKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A line of a plain text file, as it was (leading spaces kept: columns may depend on them).
    Plain,
    /// An HTML heading, level 1 to 6.
    Heading(u8),
    /// An HTML paragraph or other run of text.
    Paragraph,
    /// A list item; 0 for the outermost list.
    Item(u8),
}

/// A table: an HTML `<table>`, a CSV file, the used cells of a sheet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub caption: Option<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// 1-based row of the sheet or line of the file.
    pub at: usize,
    /// Marked as a header by the file itself (`<thead>`, `<th>` cells).
    pub head: bool,
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cells that hold something.
    pub fn filled(&self) -> impl Iterator<Item = (usize, &Cell)> {
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.text.trim().is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    /// What a reader sees: a number in its number format, a date as formatted, an image's
    /// alternative text.
    pub text: String,
    /// The number behind the text, where the file stores one.
    pub number: Option<f64>,
    /// The cell's fill colour (red, green, blue), where it has one.
    pub fill: Option<(u8, u8, u8)>,
    /// Words the file attaches to the cell but does not show as text: an HTML class name or
    /// an image's title (councils mark a status that way).
    pub hints: Vec<String>,
    /// Part of a merged cell or a span copied from the cell that holds the text.
    pub spanned: bool,
    /// The cell holds a formula (its last calculated value is the text).
    pub formula: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
}

/// A file could not be read. Displayed as `file: place: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub file: String,
    /// Where: "line 12", "sheet 'KPIs' row 40", "xl/worksheets/sheet1.xml".
    pub place: Option<String>,
    /// 1-based line, when the place is a line.
    pub line: Option<usize>,
    pub message: String,
}

impl ReadError {
    pub(crate) fn new(file: &str, message: impl Into<String>) -> ReadError {
        ReadError {
            file: file.to_string(),
            place: None,
            line: None,
            message: message.into(),
        }
    }
    pub(crate) fn at(mut self, place: impl Into<String>) -> ReadError {
        self.place = Some(place.into());
        self
    }
    pub(crate) fn at_line(mut self, line: usize) -> ReadError {
        self.line = Some(line);
        self.place = Some(format!("line {line}"));
        self
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(place) = &self.place {
            write!(f, ": {place}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ReadError {}

/// Which reader a file needs: by its first bytes, then its name.
pub fn sniff(file_name: &str, bytes: &[u8]) -> Format {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Format::Spreadsheet;
    }
    if bytes.starts_with(b"%PDF-") || ext == "pdf" {
        return Format::Pdf;
    }
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => Format::Spreadsheet,
        "csv" | "tsv" => Format::Csv,
        "html" | "htm" | "xhtml" => Format::Html,
        _ => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
            let head = head.trim_start_matches('\u{feff}').trim_start();
            if head.starts_with("<!doctype html") || head.starts_with("<html") {
                Format::Html
            } else {
                Format::Text
            }
        }
    }
}

/// Read a file of any supported format. Never panics, whatever the bytes.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Book, ReadError> {
    if bytes.len() > MAX_BYTES {
        return Err(ReadError::new(
            file_name,
            format!(
                "the file is {} bytes, more than the limit of {MAX_BYTES} bytes (16 MiB); \
                 split it into smaller documents",
                bytes.len()
            ),
        ));
    }
    let format = sniff(file_name, bytes);
    let parts = match format {
        Format::Spreadsheet => sheet::read(file_name, bytes)?,
        Format::Csv => vec![csv_file::read(file_name, bytes)?],
        Format::Html => vec![html::read(file_name, bytes)?],
        Format::Pdf => vec![pdf::read(file_name, bytes)?],
        Format::Text => {
            let text = decode_text(file_name, bytes)?;
            let blocks = text
                .lines()
                .enumerate()
                .map(|(i, l)| {
                    Block::Line(Line {
                        at: i + 1,
                        kind: LineKind::Plain,
                        // Only ASCII space is trimmed: a line of a no-break space is an
                        // empty cell of a table copied one cell per line, not a blank line.
                        text: l.trim_end_matches([' ', '\t', '\r']).to_string(),
                    })
                })
                .collect();
            vec![Part { name: None, blocks }]
        }
    };
    let cells: usize = parts
        .iter()
        .flat_map(|p| &p.blocks)
        .map(|b| match b {
            Block::Table(t) => t.rows.iter().map(|r| r.cells.len()).sum(),
            Block::Line(_) => 1,
        })
        .sum();
    if cells > MAX_CELLS {
        return Err(ReadError::new(
            file_name,
            format!("the file holds more than {MAX_CELLS} cells; split it into smaller files"),
        ));
    }
    Ok(Book {
        file: file_name.to_string(),
        format,
        parts,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_are_told_by_content_then_name() {
        assert_eq!(sniff("a.txt", b"PK\x03\x04rest"), Format::Spreadsheet);
        assert_eq!(sniff("a.csv", b"a,b"), Format::Csv);
        assert_eq!(sniff("a", b"<!DOCTYPE html><p>x"), Format::Html);
        assert_eq!(sniff("a.htm", b"<p>x"), Format::Html);
        assert_eq!(sniff("notes", b"plain words"), Format::Text);
    }

    proptest! {
        #[test]
        fn any_bytes_under_any_name_never_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..600),
            ext in prop::sample::select(vec!["txt", "csv", "html", "xlsx", "ods", "xls"]),
        ) {
            let _ = read(&format!("f.{ext}"), &bytes);
        }
    }
}
