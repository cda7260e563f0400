//! Excel workbooks (`.xlsx`), read straight from their XML so that what a reader sees comes
//! through: each number in its cell's number format, each cell's fill colour, merged cells.
//!
//! Bounded: every part is unpacked through a limit (a zip bomb stops at it), entity
//! references other than XML's five and character references are refused (no entity bomb
//! can expand), and cells past [`crate::MAX_CELLS`] stop the read.

use crate::numfmt;
use crate::{Block, Cell, MAX_CELLS, MAX_UNPACKED, Part, ReadError, Row, Table};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

struct Style {
    format: Option<String>,
    fill: Option<(u8, u8, u8)>,
}

pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Vec<Part>, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ReadError::new(
            file,
            format!("the spreadsheet cannot be opened as a zip package: {e}"),
        )
    })?;
    if zip.len() > 10_000 {
        return Err(ReadError::new(
            file,
            "the spreadsheet holds more than 10,000 parts",
        ));
    }
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(entry) = zip.by_index_raw(i) {
            declared = declared.saturating_add(entry.size());
        }
    }
    if declared > MAX_UNPACKED {
        return Err(ReadError::new(
            file,
            format!(
                "the spreadsheet would unpack to {declared} bytes, more than the limit of \
                 {MAX_UNPACKED} (a zip bomb?)"
            ),
        ));
    }
    let mut budget = MAX_UNPACKED;
    let workbook = part(file, &mut zip, "xl/workbook.xml", &mut budget)?.ok_or_else(|| {
        ReadError::new(
            file,
            "the file is a zip package but not an Excel workbook (no xl/workbook.xml)",
        )
    })?;
    let (sheets, date1904) = workbook_sheets(file, &workbook)?;
    let rels = part(file, &mut zip, "xl/_rels/workbook.xml.rels", &mut budget)?.unwrap_or_default();
    let targets = relationships(file, &rels)?;
    let strings = match part(file, &mut zip, "xl/sharedStrings.xml", &mut budget)? {
        Some(xml) => shared_strings(file, &xml)?,
        None => vec![],
    };
    let styles = match part(file, &mut zip, "xl/styles.xml", &mut budget)? {
        Some(xml) => styles(file, &xml)?,
        None => vec![],
    };
    let mut parts = vec![];
    let mut cells_read = 0usize;
    for (name, rid, hidden) in sheets {
        if hidden {
            continue;
        }
        let Some(target) = targets.get(&rid) else {
            continue;
        };
        let path = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None => format!("xl/{target}"),
        };
        let Some(xml) = part(file, &mut zip, &path, &mut budget)? else {
            return Err(ReadError::new(
                file,
                format!("the sheet '{name}' is missing ({path})"),
            ));
        };
        let table = sheet(
            file,
            &name,
            &xml,
            &strings,
            &styles,
            date1904,
            &mut cells_read,
        )?;
        parts.push(Part {
            name: Some(name),
            blocks: vec![Block::Table(table)],
        });
    }
    Ok(parts)
}

/// One part of the package, unpacked within what is left of the budget.
fn part(
    file: &str,
    zip: &mut Zip<'_>,
    name: &str,
    budget: &mut u64,
) -> Result<Option<Vec<u8>>, ReadError> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ReadError::new(file, format!("{e}")).at(name)),
    };
    let mut out = vec![];
    let read = entry
        .take(budget.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| ReadError::new(file, format!("the part cannot be unpacked: {e}")).at(name))?;
    if read as u64 > *budget {
        return Err(ReadError::new(
            file,
            format!("the spreadsheet unpacks to more than {MAX_UNPACKED} bytes (a zip bomb?)"),
        )
        .at(name));
    }
    *budget -= read as u64;
    Ok(Some(out))
}

fn xml_error(file: &str, part: &str, e: impl std::fmt::Display) -> ReadError {
    ReadError::new(file, format!("the XML is malformed: {e}")).at(part.to_string())
}

/// The value of an attribute, with XML's own escapes undone.
fn attr(file: &str, e: &BytesStart<'_>, key: &str) -> Result<Option<String>, ReadError> {
    for a in e.attributes() {
        let a = a.map_err(|err| xml_error(file, "attribute", err))?;
        if a.key.local_name().as_ref() == key {
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| xml_error(file, "attribute", err))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

/// An entity reference inside text: only XML's five and character references exist here.
fn entity(file: &str, part: &str, name: &str) -> Result<String, ReadError> {
    Ok(match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n if n.starts_with('#') => {
            let code = match n.strip_prefix("#x").or_else(|| n.strip_prefix("#X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => n[1..].parse().ok(),
            };
            code.and_then(char::from_u32)
                .filter(|&c| c != '\0')
                .map(String::from)
                .ok_or_else(|| xml_error(file, part, format!("bad character reference &{n};")))?
        }
        other => {
            return Err(ReadError::new(
                file,
                format!(
                    "the XML uses an entity (&{other};) that spreadsheets never define; refused"
                ),
            )
            .at(part.to_string()));
        }
    })
}

fn reader(xml: &[u8]) -> Reader<&[u8]> {
    let mut r = Reader::from_reader(xml);
    r.config_mut().check_end_names = false;
    r
}

/// A sheet named in the workbook: its name, relationship id and whether it is hidden.
type SheetEntry = (String, String, bool);

fn workbook_sheets(file: &str, xml: &[u8]) -> Result<(Vec<SheetEntry>, bool), ReadError> {
    let mut r = reader(xml);
    let mut sheets = vec![];
    let mut date1904 = false;
    loop {
        match r
            .read_event()
            .map_err(|e| xml_error(file, "xl/workbook.xml", e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "sheet" => {
                    let name = attr(file, &e, "name")?.unwrap_or_default();
                    let id = attr(file, &e, "id")?.unwrap_or_default();
                    let hidden = attr(file, &e, "state")?.is_some_and(|s| s != "visible");
                    sheets.push((name, id, hidden));
                }
                "workbookPr" => {
                    date1904 = attr(file, &e, "date1904")?.is_some_and(|v| v == "1" || v == "true");
                }
                _ => {}
            },
            Event::DocType(_) => {
                return Err(ReadError::new(file, "the workbook declares a DTD; refused")
                    .at("xl/workbook.xml"));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((sheets, date1904))
}

fn relationships(file: &str, xml: &[u8]) -> Result<HashMap<String, String>, ReadError> {
    let mut r = reader(xml);
    let mut out = HashMap::new();
    loop {
        match r
            .read_event()
            .map_err(|e| xml_error(file, "xl/_rels/workbook.xml.rels", e))?
        {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(file, &e, "Id")?, attr(file, &e, "Target")?)
                {
                    out.insert(id, target);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Text inside `<t>` elements (not phonetic runs) until the end of the enclosing element.
fn shared_strings(file: &str, xml: &[u8]) -> Result<Vec<String>, ReadError> {
    const PART: &str = "xl/sharedStrings.xml";
    let mut r = reader(xml);
    let mut out = vec![];
    let mut current = String::new();
    let mut in_t = false;
    let mut in_phonetic = false;
    loop {
        match r.read_event().map_err(|e| xml_error(file, PART, e))? {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => current.clear(),
                "t" => in_t = true,
                "rPh" => in_phonetic = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "si" => {
                    out.push(std::mem::take(&mut current));
                    if out.len() > MAX_CELLS {
                        return Err(ReadError::new(file, "too many shared strings").at(PART));
                    }
                }
                "t" => in_t = false,
                "rPh" => in_phonetic = false,
                _ => {}
            },
            Event::Text(t) if in_t && !in_phonetic => current.push_str(&t.xml10_content()),
            Event::CData(t) if in_t && !in_phonetic => current.push_str(&t.xml10_content()),
            Event::GeneralRef(g) if in_t && !in_phonetic => {
                current.push_str(&entity(file, PART, &g.xml10_content())?)
            }
            Event::DocType(_) => {
                return Err(ReadError::new(file, "a DTD inside a spreadsheet; refused").at(PART));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn styles(file: &str, xml: &[u8]) -> Result<Vec<Style>, ReadError> {
    const PART: &str = "xl/styles.xml";
    let mut r = reader(xml);
    let mut formats: HashMap<u32, String> = HashMap::new();
    let mut fills: Vec<Option<(u8, u8, u8)>> = vec![];
    let mut xfs: Vec<(u32, usize)> = vec![];
    let mut section = String::new();
    let mut fill_solid = false;
    loop {
        let event = r.read_event().map_err(|e| xml_error(file, PART, e))?;
        let (e, empty) = match &event {
            Event::Start(e) => (e.clone(), false),
            Event::Empty(e) => (e.clone(), true),
            Event::End(e) => {
                if matches!(e.local_name().as_ref(), "cellXfs" | "fills" | "numFmts") {
                    section.clear();
                }
                continue;
            }
            Event::DocType(_) => {
                return Err(ReadError::new(file, "a DTD inside a spreadsheet; refused").at(PART));
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = e.local_name().as_ref().to_string();
        match name.as_str() {
            "cellXfs" | "fills" | "numFmts" if !empty => section = name.clone(),
            "numFmt" => {
                if let (Some(id), Some(code)) =
                    (attr(file, &e, "numFmtId")?, attr(file, &e, "formatCode")?)
                {
                    formats.insert(id.parse().unwrap_or(0), code);
                }
            }
            "fill" if section == "fills" => {
                fills.push(None);
                fill_solid = false;
            }
            "patternFill" if section == "fills" => {
                fill_solid = attr(file, &e, "patternType")?.is_some_and(|p| p != "none");
            }
            "fgColor" if section == "fills" && fill_solid => {
                let colour = match attr(file, &e, "rgb")? {
                    Some(rgb) => parse_rgb(&rgb),
                    None => attr(file, &e, "indexed")?
                        .and_then(|i| i.parse().ok())
                        .and_then(indexed_colour),
                };
                if let Some(last) = fills.last_mut() {
                    *last = colour;
                }
            }
            "xf" if section == "cellXfs" => {
                let format = attr(file, &e, "numFmtId")?
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let fill = attr(file, &e, "fillId")?
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                xfs.push((format, fill));
            }
            _ => {}
        }
        if xfs.len() > 100_000 || fills.len() > 100_000 {
            return Err(ReadError::new(file, "too many styles").at(PART));
        }
    }
    Ok(xfs
        .into_iter()
        .map(|(format, fill)| Style {
            format: formats
                .get(&format)
                .cloned()
                .or_else(|| numfmt::builtin(format).map(String::from)),
            fill: fills.get(fill).copied().flatten(),
        })
        .collect())
}

fn parse_rgb(rgb: &str) -> Option<(u8, u8, u8)> {
    let hex = if rgb.len() == 8 { &rgb[2..] } else { rgb };
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

/// The colours of Excel's legacy palette that councils' trackers use for RAG fills.
fn indexed_colour(index: u32) -> Option<(u8, u8, u8)> {
    Some(match index {
        10 => (0xFF, 0x00, 0x00),
        11 => (0x00, 0xFF, 0x00),
        12 => (0x00, 0x00, 0xFF),
        13 => (0xFF, 0xFF, 0x00),
        17 => (0x00, 0x80, 0x00),
        50 => (0x99, 0xCC, 0x00),
        51 => (0xFF, 0xCC, 0x00),
        52 => (0xFF, 0x99, 0x00),
        53 => (0xFF, 0x66, 0x00),
        57 => (0x33, 0x99, 0x66),
        _ => return None,
    })
}

/// "B12" → (row 11, column 1), zero-based.
/// A cell's address as a spreadsheet shows it: (0, 0) → "A1", (6, 27) → "AB7".
fn a1(row: u32, col: u32) -> String {
    let mut letters = vec![];
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

pub(crate) fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &r[letters.len()..];
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() {
        return None;
    }
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = digits.parse().ok()?;
    if row == 0 || col == 0 || col > 16_384 || row > 1_048_576 {
        return None;
    }
    Some((row - 1, col - 1))
}

#[allow(clippy::too_many_arguments)]
fn sheet(
    file: &str,
    name: &str,
    xml: &[u8],
    strings: &[String],
    styles: &[Style],
    date1904: bool,
    cells_read: &mut usize,
) -> Result<Table, ReadError> {
    let place = format!("sheet '{name}'");
    let mut r = reader(xml);
    let mut cells: BTreeMap<u32, BTreeMap<u32, Cell>> = BTreeMap::new();
    let mut merges: Vec<((u32, u32), (u32, u32))> = vec![];
    // The cell being read: position, type, style, and what its elements held.
    let mut pos: Option<(u32, u32)> = None;
    let mut kind = String::new();
    let mut style = 0usize;
    let mut value = String::new();
    let mut inline = String::new();
    let mut formula = false;
    // Whether the cell has a <v> at all (a formula's calculated value may be empty text).
    let mut has_value = false;
    let mut in_v = false;
    let mut in_t = false;
    let mut next_row = 0u32;
    let mut next_col = 0u32;
    loop {
        let event = r.read_event().map_err(|e| xml_error(file, &place, e))?;
        let event_kind = if matches!(event, Event::Empty(_)) {
            EventKind::Empty
        } else {
            EventKind::Other
        };
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "row" => {
                next_row = match attr(file, &e, "r")? {
                    Some(n) => n
                        .parse::<u32>()
                        .ok()
                        .and_then(|n| n.checked_sub(1))
                        .unwrap_or(next_row),
                    None => next_row,
                };
                next_col = 0;
            }
            Event::End(e) if e.local_name().as_ref() == "row" => next_row += 1,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "c" => {
                let self_closing = matches!(event_kind, EventKind::Empty);
                let at = match attr(file, &e, "r")? {
                    Some(reference) => cell_ref(&reference).ok_or_else(|| {
                        ReadError::new(file, format!("a cell has a bad reference '{reference}'"))
                            .at(place.clone())
                    })?,
                    None => (next_row, next_col),
                };
                next_col = at.1 + 1;
                kind = attr(file, &e, "t")?.unwrap_or_default();
                style = attr(file, &e, "s")?
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                value.clear();
                inline.clear();
                formula = false;
                has_value = false;
                pos = Some(at);
                if self_closing {
                    // <c r="B4" s="7"/>: no value, but its fill may be the only RAG there is.
                    pos = None;
                    let cell = make_cell("", "", "", styles.get(style), strings, date1904, false);
                    if cell.fill.is_some() {
                        cells.entry(at.0).or_default().insert(at.1, cell);
                    }
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "v" => {
                in_v = true;
                has_value = true;
            }
            Event::Empty(e) if e.local_name().as_ref() == "v" => has_value = true,
            Event::End(e) if e.local_name().as_ref() == "v" => in_v = false,
            Event::Start(e) if e.local_name().as_ref() == "t" => in_t = true,
            Event::End(e) if e.local_name().as_ref() == "t" => in_t = false,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "f" => formula = true,
            Event::Text(t) if in_v => value.push_str(&t.xml10_content()),
            Event::Text(t) if in_t => inline.push_str(&t.xml10_content()),
            Event::GeneralRef(g) if in_v || in_t => {
                let text = entity(file, &place, &g.xml10_content())?;
                if in_v {
                    value.push_str(&text)
                } else {
                    inline.push_str(&text)
                }
            }
            Event::End(e) if e.local_name().as_ref() == "c" => {
                if let Some((row, col)) = pos.take() {
                    // A formula is read by the value last calculated; one never calculated
                    // has none, and Waymark never runs formulas itself.
                    if formula && !has_value && inline.trim().is_empty() {
                        return Err(ReadError::new(
                            file,
                            "a cell holds a formula that was never calculated, so it has no value to read; open the file in a spreadsheet program and save it, so the values are stored",
                        )
                        .at(format!("{place} cell {}", a1(row, col))));
                    }
                    let cell = make_cell(
                        &kind,
                        &value,
                        &inline,
                        styles.get(style),
                        strings,
                        date1904,
                        formula,
                    );
                    if !cell.text.is_empty() || cell.fill.is_some() {
                        *cells_read += 1;
                        if *cells_read > MAX_CELLS {
                            return Err(ReadError::new(
                                file,
                                format!("the workbook holds more than {MAX_CELLS} cells; split it"),
                            )
                            .at(format!("{place} row {}", row + 1)));
                        }
                        cells.entry(row).or_default().insert(col, cell);
                    }
                }
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "mergeCell" => {
                if let Some(range) = attr(file, &e, "ref")?
                    && let Some((a, b)) = range.split_once(':')
                    && let (Some(a), Some(b)) = (cell_ref(a), cell_ref(b))
                {
                    merges.push((a, b));
                }
            }
            Event::DocType(_) => {
                return Err(ReadError::new(file, "a DTD inside a spreadsheet; refused").at(place));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let max_row = cells.keys().next_back().copied().unwrap_or(0);
    let max_col = cells
        .values()
        .filter_map(|r| r.keys().next_back())
        .max()
        .copied()
        .unwrap_or(0);
    // Merged regions: the top-left cell's text and fill spread over the region, marked.
    for ((r0, c0), (r1, c1)) in merges {
        let Some(origin) = cells.get(&r0).and_then(|r| r.get(&c0)).cloned() else {
            continue;
        };
        for row in r0..=r1.min(max_row) {
            for col in c0..=c1.min(max_col) {
                if (row, col) == (r0, c0) {
                    continue;
                }
                let mut copy = origin.clone();
                copy.spanned = true;
                cells.entry(row).or_default().insert(col, copy);
            }
        }
    }
    let width = max_col as usize + 1;
    if cells.len().saturating_mul(width) > MAX_CELLS {
        return Err(ReadError::new(
            file,
            format!(
                "the sheet is too wide and long to read ({} rows × {width} columns)",
                cells.len()
            ),
        )
        .at(place));
    }
    let rows = cells
        .into_iter()
        .map(|(row, by_col)| {
            let mut out = vec![Cell::default(); width];
            for (col, cell) in by_col {
                if let Some(slot) = out.get_mut(col as usize) {
                    *slot = cell;
                }
            }
            while out
                .last()
                .is_some_and(|c| c.text.is_empty() && c.fill.is_none())
            {
                out.pop();
            }
            Row {
                at: row as usize + 1,
                head: false,
                cells: out,
            }
        })
        .collect();
    Ok(Table {
        caption: None,
        rows,
    })
}

enum EventKind {
    Empty,
    Other,
}

fn make_cell(
    kind: &str,
    value: &str,
    inline: &str,
    style: Option<&Style>,
    strings: &[String],
    date1904: bool,
    formula: bool,
) -> Cell {
    let fill = style.and_then(|s| s.fill);
    let (text, number) = match kind {
        "s" => (
            value
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|i| strings.get(i))
                .cloned()
                .unwrap_or_default(),
            None,
        ),
        "inlineStr" => (inline.to_string(), None),
        "str" | "e" => (value.to_string(), None),
        "b" => (
            (if value.trim() == "1" { "TRUE" } else { "FALSE" }).to_string(),
            None,
        ),
        _ => match value.trim().parse::<f64>() {
            Ok(n) => {
                let code = style.and_then(|s| s.format.as_deref()).unwrap_or("General");
                (numfmt::format(n, code, date1904), Some(n))
            }
            Err(_) => (value.to_string(), None),
        },
    };
    Cell {
        text: text.trim().to_string(),
        number,
        fill,
        hints: vec![],
        spanned: false,
        formula,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_shown() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(6, 27), "AB7");
        assert_eq!(a1(9, 25), "Z10");
    }

    #[test]
    fn cell_references() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("AB12"), Some((11, 27)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("12"), None);
        assert_eq!(cell_ref("ZZZZ1"), None);
    }
}
