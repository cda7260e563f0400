//! Finding tables in a page: a header line, the heading above it, and the lines below it up
//! to the next table's heading.

use crate::columns::{self, ColumnSpec, Header};
use crate::source::Line;

pub(crate) struct Table<'a> {
    /// 1-based line of the header.
    pub header_line: usize,
    pub header: Header,
    /// The heading the table sits under, as written, and its line.
    pub heading: Option<Line<'a>>,
    /// The lines under the header up to the next table's heading, blank lines included.
    pub body: Vec<Line<'a>>,
}

/// Every table whose header matches `specs` and passes `accept`. `is_row` tells rows apart
/// from headings, so a table's last row is never taken as the next table's heading.
pub(crate) fn find<'a>(
    lines: &[Line<'a>],
    specs: &[ColumnSpec],
    accept: &dyn Fn(&Header) -> bool,
    is_row: &dyn Fn(&str) -> bool,
) -> Vec<Table<'a>> {
    let headers: Vec<(usize, Header)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            columns::match_header(l.text, specs)
                .filter(|h| accept(h))
                .map(|h| (i, h))
        })
        .collect();
    let mut tables = vec![];
    for (k, (h, header)) in headers.iter().enumerate() {
        let floor = k
            .checked_sub(1)
            .and_then(|j| headers.get(j))
            .map(|(i, _)| *i);
        let heading = heading_before(lines, *h, floor, is_row);
        let end = match headers.get(k + 1) {
            Some((next, _)) => heading_before(lines, *next, Some(*h), is_row).unwrap_or(*next),
            None => lines.len(),
        };
        let body = lines.get(h + 1..end.max(h + 1)).unwrap_or(&[]).to_vec();
        tables.push(Table {
            header_line: lines.get(*h).map_or(0, |l| l.no),
            header: header.clone(),
            heading: heading.and_then(|i| lines.get(i)).copied(),
            body,
        });
    }
    tables
}

/// The nearest non-blank line above a header, if it reads as a heading (short, not a
/// sentence, not a row).
fn heading_before(
    lines: &[Line<'_>],
    header: usize,
    floor: Option<usize>,
    is_row: &dyn Fn(&str) -> bool,
) -> Option<usize> {
    let mut i = header;
    while i > 0 {
        i -= 1;
        if floor.is_some_and(|f| i <= f) {
            return None;
        }
        let l = lines.get(i)?;
        if l.text.is_empty() {
            continue;
        }
        let heading =
            columns::word_count(l.text) <= 16 && !columns::ends_sentence(l.text) && !is_row(l.text);
        return heading.then_some(i);
    }
    None
}
