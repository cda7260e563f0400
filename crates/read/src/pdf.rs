//! PDF: the text of each page with its positions (through `pdf-extract` on `lopdf`), turned
//! back into lines. Characters on one baseline make a line; a wide gap between them (a
//! column gap) becomes a tab, so the table readers see the columns a PDF table had. Each
//! page ends with a form feed line.
//!
//! A PDF is checked before it is interpreted: too many objects, too many pages, or streams
//! that would unpack past the budget are refused, and a fault in the interpreter is caught
//! and reported as a PDF it cannot read, naming the file.

use crate::{Block, Line, LineKind, MAX_UNPACKED, Part, ReadError};
use euclid::vec2;
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};
use std::io::Read;

/// More objects than any council report needs; a file with more is refused before parsing.
pub const MAX_OBJECTS: usize = 200_000;
pub const MAX_PAGES: usize = 2_000;

/// A character as placed on its page, y measured down from the top.
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

/// More characters than any report holds; past it the PDF is refused (a form drawn a
/// million times).
pub const MAX_GLYPHS: usize = 5_000_000;

#[derive(Default)]
struct Collector {
    flip: Option<Transform>,
    pages: Vec<Vec<Glyph>>,
    glyphs: usize,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.flip = Some(Transform::row_major(
            1.,
            0.,
            0.,
            -1.,
            0.,
            media_box.ury - media_box.lly,
        ));
        self.pages.push(vec![]);
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        let flip = self.flip.unwrap_or_else(Transform::identity);
        let position = trm.post_transform(&flip);
        let v = trm.transform_vector(vec2(font_size, font_size));
        let size = (v.x * v.y).abs().sqrt();
        let (x, y) = (position.m31, position.m32);
        if !(x.is_finite() && y.is_finite() && size.is_finite()) {
            return Ok(());
        }
        self.glyphs += 1;
        if self.glyphs > MAX_GLYPHS {
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        if let Some(page) = self.pages.last_mut() {
            page.push(Glyph {
                x,
                y,
                end: x + width * size,
                size,
                text: char.to_string(),
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Count PDF objects by their "N G obj" headers, without parsing.
fn object_headers(bytes: &[u8]) -> usize {
    bytes.windows(4).filter(|w| *w == b" obj").count()
}

/// The filter names of a stream's dictionary, read from the raw text before it:
/// `/Filter /FlateDecode` or `/Filter [/ASCII85Decode /FlateDecode]`.
fn filters_before(dict: &[u8]) -> Vec<String> {
    let Some(at) = dict.windows(7).rposition(|w| w == b"/Filter") else {
        return vec![];
    };
    let rest = &dict[at + 7..];
    let text = String::from_utf8_lossy(&rest[..rest.len().min(200)]).into_owned();
    let text = text.trim_start();
    let names = match text.strip_prefix('[') {
        Some(list) => list.split(']').next().unwrap_or(""),
        None => text.split(['/', '>', '<']).nth(1).map_or("", |n| n),
    };
    names
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
        .collect()
}

/// How many bytes a Flate stream unpacks to, reading no more than `limit + 1` of them (as a
/// zlib stream, or as raw deflate, which readers fall back to).
fn inflated_size(data: &[u8], limit: u64) -> u64 {
    let mut sink = std::io::sink();
    let zlib = std::io::copy(
        &mut flate2::read::ZlibDecoder::new(data).take(limit.saturating_add(1)),
        &mut sink,
    )
    .unwrap_or(0);
    let raw = std::io::copy(
        &mut flate2::read::DeflateDecoder::new(data).take(limit.saturating_add(1)),
        &mut sink,
    )
    .unwrap_or(0);
    // A stream that is not zlib may still be raw deflate after a bad header.
    let skipped = data
        .get(2..)
        .map(|d| {
            std::io::copy(
                &mut flate2::read::DeflateDecoder::new(d).take(limit.saturating_add(1)),
                &mut sink,
            )
            .unwrap_or(0)
        })
        .unwrap_or(0);
    zlib.max(raw).max(skipped)
}

/// Check every stream in the raw file, before any of it is parsed, against the unpacking
/// budget (a deflate bomb, or an object stream that would unpack to gigabytes while the
/// file is loaded), and refuse compressions that can expand without bound.
fn check_raw_streams(file: &str, bytes: &[u8]) -> Result<(), ReadError> {
    let bomb = || {
        ReadError::new(
            file,
            format!(
                "the PDF's contents unpack to more than {} MiB; it is refused as a compression bomb",
                MAX_UNPACKED / (1024 * 1024)
            ),
        )
    };
    let mut budget = MAX_UNPACKED;
    let mut from = 0;
    while let Some(found) = bytes
        .get(from..)
        .and_then(|b| b.windows(6).position(|w| w == b"stream"))
    {
        let at = from + found;
        from = at + 6;
        // "endstream", or the word inside some text: not a stream's start.
        let after = bytes.get(at + 6).copied();
        if at >= 3 && bytes.get(at - 3..at) == Some(b"end") || !matches!(after, Some(b'\r' | b'\n'))
        {
            continue;
        }
        let mut start = at + 6;
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let end = bytes
            .get(start..)
            .and_then(|b| b.windows(9).position(|w| w == b"endstream"))
            .map_or(bytes.len(), |e| start + e);
        let dict = bytes.get(at.saturating_sub(4096)..at).unwrap_or(&[]);
        let dict = match dict.windows(3).rposition(|w| w == b"obj") {
            Some(o) => &dict[o..],
            None => dict,
        };
        let data = bytes.get(start..end).unwrap_or(&[]);
        let filters = filters_before(dict);
        let is = |names: &[&str]| filters.iter().any(|f| names.contains(&f.as_str()));
        if is(&["LZWDecode", "LZW", "RunLengthDecode", "RL"]) {
            return Err(ReadError::new(
                file,
                "the PDF uses LZW or run-length compression, which Waymark does not unpack; save it again as a standard PDF",
            ));
        }
        let flate = is(&["FlateDecode", "Fl"]);
        if flate && filters.len() > 1 {
            return Err(ReadError::new(
                file,
                "the PDF has streams both encoded and compressed, which Waymark does not unpack; save it again as a standard PDF",
            ));
        }
        let size = if flate {
            inflated_size(data, budget)
        } else {
            data.len() as u64
        };
        budget = budget.checked_sub(size).ok_or_else(bomb)?;
        from = end.max(from);
    }
    Ok(())
}

/// Every page's chain of parents must end: the interpreter follows `/Parent` for inherited
/// attributes without noticing a page that is its own ancestor.
fn check_page_tree(file: &str, doc: &Document) -> Result<(), ReadError> {
    for page in doc.get_pages().into_values() {
        let mut seen = std::collections::HashSet::new();
        let mut at = page;
        while let Ok(dict) = doc.get_dictionary(at) {
            if !seen.insert(at) || seen.len() > 64 {
                return Err(ReadError::new(
                    file,
                    format!(
                        "the PDF's page tree loops back on itself (object {} {}); it cannot be read",
                        at.0, at.1
                    ),
                ));
            }
            match dict.get(b"Parent") {
                Ok(Object::Reference(parent)) => at = *parent,
                _ => break,
            }
        }
    }
    Ok(())
}

/// Forms that draw other forms (or names they cannot resolve) are refused: the interpreter
/// follows them without a depth limit, so a form that draws itself would never end.
fn check_forms(file: &str, doc: &Document) -> Result<(), ReadError> {
    let is_form = |o: &Object| match o {
        Object::Stream(s) => s
            .dict
            .get(b"Subtype")
            .ok()
            .is_some_and(|t| matches!(t, Object::Name(n) if n == b"Form")),
        _ => false,
    };
    let resolve = |o: &Object| -> Option<Object> {
        match o {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let nested = || {
        ReadError::new(
            file,
            "the PDF draws forms inside forms, which Waymark does not follow; print it to a new PDF and import that",
        )
    };
    for object in doc.objects.values() {
        if !is_form(object) {
            continue;
        }
        let Object::Stream(stream) = object else {
            continue;
        };
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let Ok(ops) = Content::decode(&content) else {
            continue;
        };
        let xobjects = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(resolve)
            .and_then(|r| {
                r.as_dict()
                    .ok()
                    .and_then(|d| d.get(b"XObject").ok().cloned())
            })
            .and_then(|x| resolve(&x))
            .and_then(|x| x.as_dict().ok().cloned());
        for op in ops.operations.iter().filter(|op| op.operator == "Do") {
            let name = op.operands.first().and_then(|n| n.as_name().ok());
            let target = match (name, &xobjects) {
                (Some(name), Some(x)) => x.get(name).ok().and_then(resolve),
                _ => None,
            };
            match target {
                Some(t) if !is_form(&t) => {}
                _ => return Err(nested()),
            }
        }
    }
    Ok(())
}

thread_local! {
    /// Set while this thread runs the PDF interpreter, whose panics `read` catches.
    static INTERPRETING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keep the interpreter's caught panics quiet: a panic hook, installed once, that stays
/// silent while a thread is interpreting a PDF and passes every other panic to the hook
/// that was there before.
fn quiet_while_interpreting() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !INTERPRETING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Read a PDF's text into lines.
pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Part, ReadError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(ReadError::new(
            file,
            "this is not a PDF (it does not start with %PDF-)",
        ));
    }
    let objects = object_headers(bytes);
    if objects > MAX_OBJECTS {
        return Err(ReadError::new(
            file,
            format!("the PDF has {objects} objects, more than the {MAX_OBJECTS} accepted"),
        ));
    }
    check_raw_streams(file, bytes)?;
    let doc = Document::load_mem(bytes)
        .map_err(|e| ReadError::new(file, format!("this PDF cannot be read: {e}")))?;
    if doc.is_encrypted() {
        return Err(ReadError::new(
            file,
            "this PDF is encrypted; save an unprotected copy and import that",
        ));
    }
    let pages = doc.get_pages().len();
    if pages > MAX_PAGES {
        return Err(ReadError::new(
            file,
            format!("the PDF has {pages} pages, more than the {MAX_PAGES} accepted"),
        ));
    }
    if doc.objects.len() > MAX_OBJECTS {
        return Err(ReadError::new(
            file,
            format!(
                "the PDF has {} objects, more than the {MAX_OBJECTS} accepted",
                doc.objects.len()
            ),
        ));
    }
    check_page_tree(file, &doc)?;
    check_forms(file, &doc)?;
    let mut collector = Collector::default();
    // The interpreter can fault on a malformed font or content stream: a file it cannot read
    // is refused, never allowed to take the process down (nor to print a panic message).
    quiet_while_interpreting();
    INTERPRETING.with(|flag| flag.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::output_doc(&doc, &mut collector)
    }));
    INTERPRETING.with(|flag| flag.set(false));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(_)) if collector.glyphs > MAX_GLYPHS => {
            return Err(ReadError::new(
                file,
                format!("the PDF draws more than {MAX_GLYPHS} characters; it is refused"),
            ));
        }
        Ok(Err(e)) => {
            return Err(ReadError::new(
                file,
                format!("the text of this PDF cannot be read: {e}"),
            ));
        }
        Err(_) => {
            return Err(ReadError::new(
                file,
                "the text of this PDF cannot be read: its content is malformed",
            ));
        }
    }
    let mut blocks = vec![];
    let mut at = 0;
    for (n, page) in collector.pages.into_iter().enumerate() {
        for text in page_lines(page) {
            at += 1;
            blocks.push(Block::Line(Line {
                at,
                kind: LineKind::Plain,
                text,
            }));
        }
        at += 1;
        blocks.push(Block::Line(Line {
            at,
            kind: LineKind::Plain,
            text: format!("\u{0C}Page {}", n + 1),
        }));
    }
    if blocks
        .iter()
        .all(|b| matches!(b, Block::Line(l) if l.text.starts_with('\u{0C}')))
    {
        return Err(ReadError::new(
            file,
            "this PDF holds no text (a scanned image?); Waymark reads the text of a PDF, not pictures of it",
        ));
    }
    Ok(Part { name: None, blocks })
}

/// A page's glyphs gathered into lines, top to bottom: a gap of about a space between
/// characters is a space; a gap wider than two spaces is a tab (a column boundary).
fn page_lines(mut glyphs: Vec<Glyph>) -> Vec<String> {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<Glyph>> = vec![];
    for g in glyphs {
        match rows.last_mut() {
            Some(row)
                if row
                    .first()
                    .is_some_and(|f| (f.y - g.y).abs() <= f.size.max(g.size) * 0.35) =>
            {
                row.push(g);
            }
            _ => rows.push(vec![g]),
        }
    }
    let mut out = vec![];
    let mut last_y: Option<(f64, f64)> = None;
    for mut row in rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let (Some(first), size) = (row.first(), row.iter().map(|g| g.size).fold(0.0, f64::max))
        else {
            continue;
        };
        // A blank line where the text skips a line's height or more.
        if let Some((y, s)) = last_y
            && first.y - y > s.max(size) * 2.2
        {
            out.push(String::new());
        }
        last_y = Some((first.y, size));
        let mut text = String::new();
        let mut end: Option<f64> = None;
        for g in &row {
            if let Some(e) = end {
                let gap = g.x - e;
                if gap > g.size * 1.2 {
                    text.push('\t');
                } else if gap > g.size * 0.12 && !text.ends_with(' ') && g.text != " " {
                    text.push(' ');
                }
            }
            if g.text == " " && (text.ends_with(' ') || text.ends_with('\t')) {
                end = Some(g.end);
                continue;
            }
            // Fonts without a Unicode map can give control characters: never text.
            text.extend(g.text.chars().filter(|c| !c.is_control()));
            end = Some(g.end);
        }
        out.push(text.trim_end().to_string());
    }
    out
}

/// A PDF whose pages hold the given lines in Helvetica; a tab moves to the next column
/// (150 points on), so a PDF table can be written. For tests, benchmarks and examples.
pub fn text_pdf(pages: &[Vec<&str>]) -> Result<Vec<u8>, ReadError> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = vec![];
    for lines in pages {
        let mut ops = vec![];
        for (n, line) in lines.iter().enumerate() {
            for (col, cell) in line.split('\t').enumerate() {
                ops.push(Operation::new("BT", vec![]));
                ops.push(Operation::new("Tf", vec!["F1".into(), 10.into()]));
                ops.push(Operation::new(
                    "Td",
                    vec![(50 + 150 * col as i64).into(), (780 - 14 * n as i64).into()],
                ));
                ops.push(Operation::new(
                    "Tj",
                    vec![Object::string_literal(cell.to_string())],
                ));
                ops.push(Operation::new("ET", vec![]));
            }
        }
        let content = Content { operations: ops };
        let encoded = content
            .encode()
            .map_err(|e| ReadError::new("text.pdf", e.to_string()))?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, encoded));
        kids.push(
            doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => content_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            })
            .into(),
        );
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    let mut out = vec![];
    doc.save_to(&mut out)
        .map_err(|e| ReadError::new("text.pdf", e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn texts(part: &Part) -> Vec<String> {
        part.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Line(l) => Some(l.text.clone()),
                Block::Table(_) => None,
            })
            .collect()
    }

    #[test]
    fn columns_become_tabs_and_pages_end_with_a_form_feed() {
        let bytes = text_pdf(&[
            vec![
                "Quarterly report",
                "Ref\tMeasure\tTarget",
                "CS01\tCalls answered\t90%",
            ],
            vec!["Second page"],
        ])
        .unwrap();
        let part = read("r.pdf", &bytes).unwrap();
        assert_eq!(
            texts(&part),
            [
                "Quarterly report",
                "Ref\tMeasure\tTarget",
                "CS01\tCalls answered\t90%",
                "\u{c}Page 1",
                "Second page",
                "\u{c}Page 2"
            ]
        );
    }

    #[test]
    fn not_a_pdf_and_broken_pdfs_are_refused() {
        assert!(read("x.pdf", b"hello").is_err());
        let mut bytes = text_pdf(&[vec!["Some text"]]).unwrap();
        bytes.truncate(bytes.len() / 2);
        let err = read("x.pdf", &bytes).unwrap_err();
        assert_eq!(err.file, "x.pdf");
    }

    #[test]
    fn a_huge_object_count_is_refused_before_parsing() {
        let mut bytes = b"%PDF-1.5\n".to_vec();
        for n in 0..(MAX_OBJECTS + 1) {
            bytes.extend_from_slice(format!("{n} 0 obj null endobj\n").as_bytes());
        }
        let err = read("many.pdf", &bytes).unwrap_err();
        assert!(err.message.contains("objects"), "{}", err.message);
    }

    #[test]
    fn a_font_the_interpreter_cannot_read_is_refused_quietly() {
        // Found by the read_any fuzz target: pdf-extract panics on a font dictionary it does
        // not expect; the panic is caught and the file refused.
        let bytes = include_bytes!("../../../fuzz/regressions/read_any-1.bin");
        let err = read("crash.pdf", &bytes[1..]).unwrap_err();
        assert!(err.message.contains("cannot be read"), "{}", err.message);
    }

    #[test]
    fn a_page_that_is_its_own_parent_is_refused() {
        // Found by the read_any fuzz target: the interpreter looped for ever looking up the
        // page's inherited media box through `/Parent 3 0 R` on object 3 itself.
        let bytes = include_bytes!("../../../fuzz/regressions/read_any-3.bin");
        let err = read("loop.pdf", &bytes[1..]).unwrap_err();
        assert!(err.message.contains("loops"), "{}", err.message);
    }

    #[test]
    fn a_form_that_draws_itself_is_refused() {
        let mut doc = Document::with_version("1.5");
        let form_id = doc.new_object_id();
        let mut form = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "X" => form_id } },
            },
            b"/X Do".to_vec(),
        );
        form.allows_compression = false;
        doc.objects.insert(form_id, Object::Stream(form));
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog" });
        doc.trailer.set("Root", catalog);
        let mut bytes = vec![];
        doc.save_to(&mut bytes).unwrap();
        let err = read("forms.pdf", &bytes).unwrap_err();
        assert!(
            err.message.contains("forms inside forms"),
            "{}",
            err.message
        );
    }

    #[test]
    fn compressions_without_bound_are_refused() {
        let mut doc = Document::with_version("1.5");
        doc.add_object(Stream::new(
            dictionary! { "Filter" => "LZWDecode" },
            vec![0x80, 0x0b, 0x60, 0x50],
        ));
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog" });
        doc.trailer.set("Root", catalog);
        let mut bytes = vec![];
        doc.save_to(&mut bytes).unwrap();
        let err = read("lzw.pdf", &bytes).unwrap_err();
        assert!(err.message.contains("LZW"), "{}", err.message);
    }

    #[test]
    fn filters_are_read_from_the_raw_dictionary() {
        assert_eq!(
            filters_before(b"1 0 obj << /Length 5 /Filter /FlateDecode >>"),
            ["FlateDecode"]
        );
        assert_eq!(
            filters_before(b"<< /Filter [ /ASCII85Decode /FlateDecode ] /Length 3 >>"),
            ["ASCII85Decode", "FlateDecode"]
        );
        assert!(filters_before(b"<< /Length 3 >>").is_empty());
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..(MAX_UNPACKED as usize / zeros.len() + 2) {
            enc.write_all(&zeros).unwrap();
        }
        let packed = enc.finish().unwrap();
        let mut doc = Document::with_version("1.5");
        doc.add_object(Stream::new(
            dictionary! { "Filter" => "FlateDecode" },
            packed,
        ));
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog" });
        doc.trailer.set("Root", catalog);
        let mut bytes = vec![];
        doc.save_to(&mut bytes).unwrap();
        let err = read("bomb.pdf", &bytes).unwrap_err();
        assert!(err.message.contains("bomb"), "{}", err.message);
    }
}
