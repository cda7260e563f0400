//! The report as a Word document: title, the council and period, the headline with its claims,
//! then each section as a Heading 1 with its paragraphs, its chart (as a table of the numbers
//! the chart shows) and its tables. Table header rows repeat on every page; statuses are shaded
//! with their colours and always say the word.
//!
//! docx-rs writes the package; a few things it has no API for (repeating header rows, the core
//! properties' title and language, British English as the proofing language) are added to its
//! XML parts before they are zipped.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, Footer, Header, IndentLevel, Level, LevelJc,
    LevelText, LineSpacing, NumPages, NumberFormat, Numbering, NumberingId, PageMargin, PageNum,
    Paragraph, Run, RunFonts, Shading, ShdType, SpecialIndentType, Start, Style, StyleType,
    Table as WordTable, TableCell, TableLayoutType, TableRow, WidthType, XMLDocx,
};
use waymark_domain::Status;

use crate::document::STATUS_ORDER;
use crate::{
    Brand, Cell, Chart, ColumnKind, Document, ReportError, Table, status_colours, status_label,
};

/// The font runs use when the council's brand names none.
pub const DEFAULT_FONT: &str = "Arial";
/// The language Word proofs the text in.
pub const LANGUAGE: &str = "en-GB";

/// A4 with 2 cm margins: the width tables fill, in twentieths of a point.
const TEXT_WIDTH: usize = 11_906 - 2 * 1_134;
const BULLETS: usize = 2;
/// A bold 11-point character's width, generously, and a cell's left and right margins.
const CHAR_WIDTH: usize = 150;
const CELL_MARGINS: usize = 260;
const DRAFT_RED: &str = "d4351c";

/// The report as a `.docx` file.
pub fn docx(doc: &Document, brand: &Brand) -> Result<Vec<u8>, ReportError> {
    let mut xml = build(doc, brand).build();
    finish(&mut xml, doc);
    let mut stored = Cursor::new(Vec::with_capacity(128 * 1024));
    xml.pack(&mut stored).map_err(failed)?;
    compress(stored.get_ref()).map_err(failed)
}

fn failed(e: impl std::fmt::Display) -> ReportError {
    ReportError::Write {
        format: "Word document",
        message: e.to_string(),
    }
}

/// docx-rs stores its parts uncompressed; compressed, a report is several times smaller to
/// download or send by email.
fn compress(stored: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(stored))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(stored.len() / 4)));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        // The fastest level: XML shrinks about tenfold even so.
        .compression_level(Some(1));
    for i in 0..archive.len() {
        let mut part = archive.by_index(i)?;
        // Folder entries are not parts of the package.
        if part.is_dir() {
            continue;
        }
        let name = part.name()?.into_owned();
        out.start_file(name, options)?;
        std::io::copy(&mut part, &mut out)?;
    }
    Ok(out.finish()?.into_inner())
}

/// Colours and font the document is drawn with.
struct Look {
    font: String,
    accent: String,
    on_accent: &'static str,
}

impl Look {
    fn new(brand: &Brand) -> Look {
        let font = brand
            .font
            .as_ref()
            .map(|f| clean(f.family.trim()).into_owned())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| DEFAULT_FONT.to_string());
        let accent = hex(&brand.colour).unwrap_or_else(|| "1d70b8".to_string());
        let on_accent = if white_reads_on(&accent) {
            "ffffff"
        } else {
            "0b0c0c"
        };
        Look {
            font,
            accent,
            on_accent,
        }
    }

    fn fonts(&self) -> RunFonts {
        RunFonts::new()
            .ascii(&self.font)
            .hi_ansi(&self.font)
            .cs(&self.font)
            .east_asia(&self.font)
    }
}

fn build(doc: &Document, brand: &Brand) -> Docx {
    let look = Look::new(brand);
    let mut d = Docx::new()
        .page_margin(
            PageMargin::new()
                .top(1_134)
                .bottom(1_134)
                .left(1_134)
                .right(1_134)
                .header(567)
                .footer(567),
        )
        .default_fonts(look.fonts())
        .default_size(22)
        .default_line_spacing(LineSpacing::new().after(120).line(276))
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .fonts(look.fonts())
                .size(44)
                .bold()
                .color(&look.accent)
                .line_spacing(LineSpacing::new().after(240)),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .fonts(look.fonts())
                .size(32)
                .bold()
                .color(&look.accent)
                .outline_lvl(0)
                .line_spacing(LineSpacing::new().before(360).after(120)),
        )
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .fonts(look.fonts())
                .size(22)
                .bold()
                .line_spacing(LineSpacing::new().before(240).after(80)),
        )
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS).add_level(
                Level::new(
                    0,
                    Start::new(1),
                    NumberFormat::new("bullet"),
                    LevelText::new("\u{2022}"),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(720),
                    Some(SpecialIndentType::Hanging(360)),
                    None,
                    None,
                ),
            ),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS))
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().size(18).add_text("Page "))
                    .add_page_num(PageNum::new())
                    .add_run(Run::new().size(18).add_text(" of "))
                    .add_num_pages(NumPages::new()),
            ),
        );

    if doc.draft {
        d = d.header(
            Header::new().add_paragraph(
                Paragraph::new().align(AlignmentType::Center).add_run(
                    Run::new()
                        .bold()
                        .size(24)
                        .color(DRAFT_RED)
                        .add_text("DRAFT"),
                ),
            ),
        );
        d =
            d.add_paragraph(Paragraph::new().add_run(
                Run::new().bold().size(28).color(DRAFT_RED).add_text(
                    "DRAFT: built from returns not yet published. The figures may change.",
                ),
            ));
    }

    d = d.add_paragraph(text(
        Paragraph::new().style("Title"),
        Run::new(),
        &doc.title,
    ));
    d = d.add_paragraph(text(Paragraph::new(), Run::new().bold(), &doc.council));
    d = d.add_paragraph(labelled("Period", &doc.period));
    if let Some(subject) = &doc.subject {
        d = d.add_paragraph(labelled("Portfolio", subject));
    }
    d = d.add_paragraph(labelled("Generated", &doc.generated));
    for p in &doc.introduction {
        d = d.add_paragraph(text(Paragraph::new(), Run::new(), p));
    }

    if let Some(h) = &doc.headline {
        d = d.add_paragraph(heading("Headline", None));
        let mut figure = Paragraph::new().add_run(run_text(
            Run::new().bold().size(32).color(&look.accent),
            &h.figure,
        ));
        if !h.label.trim().is_empty() {
            figure = figure.add_run(run_text(Run::new().size(28), &format!(" {}", h.label)));
        }
        d = d.add_paragraph(figure);
        d = d.add_paragraph(text(Paragraph::new(), Run::new().italic(), &h.rule));
        if !h.claims.is_empty() {
            d = d.add_paragraph(
                Paragraph::new().keep_next(true).add_run(
                    Run::new()
                        .bold()
                        .add_text("The council\u{2019}s published claims"),
                ),
            );
        }
        for claim in &h.claims {
            let verdict = if !claim.checked {
                "Published as stated, not checked"
            } else if claim.consistent {
                "Consistent with the figures"
            } else {
                "Not consistent with the figures"
            };
            let mut p = Paragraph::new()
                .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                .add_run(run_text(Run::new(), &claim.text))
                .add_run(Run::new().add_text(" \u{2014} "))
                .add_run(Run::new().bold().add_text(verdict));
            if !claim.note.trim().is_empty() {
                p = p.add_run(run_text(Run::new(), &format!(": {}", claim.note)));
            }
            d = d.add_paragraph(p);
        }
    }

    let mut bookmarks = Bookmarks::default();
    for section in &doc.sections {
        d = d.add_paragraph(heading(
            &section.heading,
            Some(bookmarks.claim(&section.id)),
        ));
        for p in &section.paragraphs {
            d = d.add_paragraph(text(Paragraph::new(), Run::new(), p));
        }
        if let Some(chart) = section.chart.as_ref().filter(|c| !c.bars.is_empty()) {
            d = d.add_paragraph(caption(&chart.title));
            d = d.add_table(chart_table(chart, &look));
        }
        for table in &section.tables {
            d = d.add_paragraph(caption(&table.caption));
            match word_table(table, &look) {
                Some(t) => d = d.add_table(t),
                None => {
                    let said = if table.empty.trim().is_empty() {
                        "There is nothing to show."
                    } else {
                        table.empty.as_str()
                    };
                    d = d.add_paragraph(text(Paragraph::new(), Run::new().italic(), said));
                }
            }
        }
    }
    d
}

/// A paragraph holding one run of text, line breaks kept.
fn text(p: Paragraph, run: Run, s: &str) -> Paragraph {
    p.add_run(run_text(run, s))
}

/// Text into a run: lines split by breaks, characters XML cannot hold dropped.
fn run_text(mut run: Run, s: &str) -> Run {
    let s = clean(s);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn labelled(label: &str, value: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().bold().add_text(format!("{label}: ")))
        .add_run(run_text(Run::new(), value))
}

/// A Heading 1, with a bookmark named after the section's anchor.
fn heading(s: &str, bookmark: Option<(usize, String)>) -> Paragraph {
    let mut p = Paragraph::new().style("Heading1").keep_next(true);
    if let Some((id, name)) = &bookmark {
        p = p.add_bookmark_start(*id, name);
    }
    p = p.add_run(run_text(Run::new(), s));
    if let Some((id, _)) = bookmark {
        p = p.add_bookmark_end(id);
    }
    p
}

fn caption(s: &str) -> Paragraph {
    text(
        Paragraph::new().style("Caption").keep_next(true),
        Run::new(),
        s,
    )
}

/// Word bookmark names: a letter first, then letters, digits and underscores, at most 40, unique.
#[derive(Default)]
struct Bookmarks {
    taken: HashSet<String>,
}

impl Bookmarks {
    fn claim(&mut self, id: &str) -> (usize, String) {
        let mut base: String = id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(36)
            .collect();
        if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            base.insert_str(0, "s_");
            base.truncate(36);
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name.to_ascii_lowercase()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(name.to_ascii_lowercase());
        (self.taken.len(), name)
    }
}

/// A header cell: the heading in bold on the accent colour, or on a status's colour.
fn header_cell(s: &str, width: usize, status: Option<Status>, look: &Look) -> TableCell {
    let (fill, ink) = match status {
        Some(st) => {
            let (fill, ink) = status_colours(st);
            (plain_hex(fill), plain_hex(ink))
        }
        None => (look.accent.as_str(), look.on_accent),
    };
    TableCell::new()
        .width(width, WidthType::Dxa)
        .shading(shade(fill))
        .add_paragraph(text(
            Paragraph::new().keep_next(true),
            Run::new().bold().color(ink),
            s,
        ))
}

fn body_cell(s: &str, width: usize, kind: ColumnKind, status: Option<Status>) -> TableCell {
    let mut p = Paragraph::new();
    if matches!(kind, ColumnKind::Count | ColumnKind::Percent) {
        p = p.align(AlignmentType::Right);
    }
    let cell = TableCell::new().width(width, WidthType::Dxa);
    match status {
        Some(st) => {
            let (fill, ink) = status_colours(st);
            cell.shading(shade(plain_hex(fill))).add_paragraph(text(
                p,
                Run::new().color(plain_hex(ink)),
                s,
            ))
        }
        None => cell.add_paragraph(text(p, Run::new(), s)),
    }
}

fn shade(fill: &str) -> Shading {
    Shading::new()
        .shd_type(ShdType::Clear)
        .color("auto")
        .fill(fill)
}

/// A report table as a Word table; `None` when it has no rows (the report says so instead).
fn word_table(table: &Table, look: &Look) -> Option<WordTable> {
    if table.rows.is_empty() {
        return None;
    }
    let width = table
        .columns
        .len()
        .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
    if width == 0 {
        return None;
    }
    let kinds: Vec<ColumnKind> = (0..width)
        .map(|c| {
            table
                .columns
                .get(c)
                .map_or(ColumnKind::Text, |col| col.kind)
        })
        .collect();
    let blank = Cell::text("");
    let needs: Vec<usize> = (0..width)
        .map(|c| {
            let heading = table.columns.get(c).map_or("", |col| col.heading.as_str());
            table
                .rows
                .iter()
                .map(|r| unbroken(&r.get(c).unwrap_or(&blank).text, kinds[c]))
                .fold(longest_word(heading), usize::max)
        })
        .collect();
    let widths = column_widths(&kinds, &needs);

    let mut rows = Vec::with_capacity(table.rows.len() + 1);
    rows.push(
        TableRow::new(
            (0..width)
                .map(|c| {
                    let heading = table.columns.get(c).map_or("", |col| col.heading.as_str());
                    header_cell(heading, widths[c], None, look)
                })
                .collect(),
        )
        .cant_split(),
    );
    for cells in &table.rows {
        rows.push(TableRow::new(
            (0..width)
                .map(|c| {
                    let cell = cells.get(c).unwrap_or(&blank);
                    body_cell(&cell.text, widths[c], kinds[c], cell.status)
                })
                .collect(),
        ));
    }
    Some(grid(rows, widths))
}

/// The chart's numbers as a table: a row per bar, a column per status it shows, and the total.
fn chart_table(chart: &Chart, look: &Look) -> WordTable {
    let statuses: Vec<Status> = STATUS_ORDER
        .into_iter()
        .filter(|s| {
            chart
                .bars
                .iter()
                .any(|b| b.segments.iter().any(|g| g.status == *s && g.count > 0))
        })
        .collect();
    let mut kinds = vec![ColumnKind::Text];
    kinds.extend(statuses.iter().map(|_| ColumnKind::Count));
    kinds.push(ColumnKind::Count);
    let mut needs = vec![
        chart
            .bars
            .iter()
            .map(|b| longest_word(&b.label))
            .fold(5, usize::max),
    ];
    needs.extend(statuses.iter().map(|s| longest_word(status_label(*s))));
    needs.push(
        chart
            .bars
            .iter()
            .map(|b| b.total.to_string().len())
            .fold(5, usize::max),
    );
    let widths = column_widths(&kinds, &needs);

    let mut head = vec![header_cell("Group", widths[0], None, look)];
    for (i, s) in statuses.iter().enumerate() {
        head.push(header_cell(status_label(*s), widths[i + 1], Some(*s), look));
    }
    head.push(header_cell("Total", widths[kinds.len() - 1], None, look));
    let mut rows = vec![TableRow::new(head).cant_split()];

    for bar in &chart.bars {
        let mut cells = vec![body_cell(&bar.label, widths[0], ColumnKind::Text, None)];
        for (i, s) in statuses.iter().enumerate() {
            let count: usize = bar
                .segments
                .iter()
                .filter(|g| g.status == *s)
                .map(|g| g.count)
                .sum();
            cells.push(body_cell(
                &count.to_string(),
                widths[i + 1],
                ColumnKind::Count,
                None,
            ));
        }
        cells.push(body_cell(
            &bar.total.to_string(),
            widths[kinds.len() - 1],
            ColumnKind::Count,
            None,
        ));
        rows.push(TableRow::new(cells));
    }
    grid(rows, widths)
}

fn grid(rows: Vec<TableRow>, widths: Vec<usize>) -> WordTable {
    let total = widths.iter().sum();
    WordTable::new(rows)
        .set_grid(widths)
        .width(total, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// Column widths filling the text width: shared out by what each column holds, each at least
/// wide enough for its longest word (`needs`, in characters) where the page allows.
fn column_widths(kinds: &[ColumnKind], needs: &[usize]) -> Vec<usize> {
    let weight = |k: ColumnKind| match k {
        ColumnKind::Text => 20,
        ColumnKind::Prose => 50,
        ColumnKind::Count => 12,
        ColumnKind::Percent => 13,
        ColumnKind::Status => 15,
    };
    let sum: usize = kinds.iter().map(|&k| weight(k)).sum::<usize>().max(1);
    let least: Vec<usize> = (0..kinds.len())
        .map(|i| needs.get(i).map_or(0, |&n| n.min(24)) * CHAR_WIDTH + CELL_MARGINS)
        .collect();
    let mut widths: Vec<usize> = kinds
        .iter()
        .zip(&least)
        .map(|(&k, &l)| (TEXT_WIDTH * weight(k) / sum).max(l))
        .collect();
    let total: usize = widths.iter().sum();
    if total > TEXT_WIDTH {
        // Take the excess from the columns with room to spare, in proportion to that room.
        let spare: usize = widths.iter().zip(&least).map(|(w, l)| w - l).sum();
        let excess = total - TEXT_WIDTH;
        if spare >= excess {
            for (w, l) in widths.iter_mut().zip(&least) {
                *w -= (*w - l) * excess / spare.max(1);
            }
        } else {
            // Too many columns for their words: shrink all alike.
            for w in &mut widths {
                *w = *w * TEXT_WIDTH / total;
            }
        }
    }
    widths
}

/// How many characters of this cell must sit on one line: numbers and statuses whole,
/// words of text up to a point.
fn unbroken(text: &str, kind: ColumnKind) -> usize {
    match kind {
        ColumnKind::Count | ColumnKind::Percent => text.chars().count(),
        _ => longest_word(text),
    }
}

fn longest_word(text: &str) -> usize {
    text.split_whitespace()
        .take(400)
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0)
}

/// What docx-rs cannot say: header rows repeat on each page, the title and language in the
/// core properties, and British English for proofing.
fn finish(xml: &mut XMLDocx, doc: &Document) {
    // Header rows, and only they, are built with cantSplit.
    if let Ok(document) = std::str::from_utf8(&xml.document) {
        let marked = document.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />");
        xml.document = marked.into_bytes();
    }
    if let Ok(styles) = std::str::from_utf8(&xml.styles)
        && let Some(patched) = with_language(styles)
    {
        xml.styles = patched.into_bytes();
    }
    xml.doc_props.core = core_properties(doc).into_bytes();
}

/// The styles part with the language added to the document's default run properties.
fn with_language(styles: &str) -> Option<String> {
    let lang =
        format!("<w:lang w:val=\"{LANGUAGE}\" w:eastAsia=\"{LANGUAGE}\" w:bidi=\"ar-SA\" />");
    let start = styles.find("<w:rPrDefault>")?;
    let end = start + styles[start..].find("</w:rPrDefault>")?;
    let inner = &styles[start..end];
    if inner.contains("<w:lang") {
        return None;
    }
    let patched = if let Some(close) = inner.rfind("</w:rPr>") {
        format!(
            "{}{lang}{}",
            &styles[..start + close],
            &styles[start + close..]
        )
    } else if let Some(empty) = inner.find("<w:rPr />") {
        format!(
            "{}<w:rPr>{lang}</w:rPr>{}",
            &styles[..start + empty],
            &styles[start + empty + "<w:rPr />".len()..]
        )
    } else {
        return None;
    };
    Some(patched)
}

fn core_properties(doc: &Document) -> String {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let status = if doc.draft {
        "<cp:contentStatus>Draft</cp:contentStatus>"
    } else {
        ""
    };
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
            r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
            r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>",
            "<dc:creator>{council}</dc:creator><cp:lastModifiedBy>{council}</cp:lastModifiedBy>",
            "<cp:category>{kind}</cp:category><dc:language>{lang}</dc:language>{status}",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>"#,
            "<cp:revision>1</cp:revision></cp:coreProperties>"
        ),
        title = escape(&doc.title),
        subject = escape(&doc.period),
        council = escape(&doc.council),
        kind = doc.kind.key(),
        lang = LANGUAGE,
        status = status,
        now = now,
    )
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Without characters XML 1.0 cannot hold; tabs become spaces, carriage returns go.
fn clean(s: &str) -> Cow<'_, str> {
    let bad = |c: char| (c < ' ' && c != '\n') || c == '\u{fffe}' || c == '\u{ffff}';
    if !s.contains(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter_map(|c| match c {
                '\t' => Some(' '),
                c if bad(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// `#rrggbb` as Word writes colours (`rrggbb`); `None` for anything else.
fn hex(colour: &str) -> Option<String> {
    let c = colour.trim();
    let c = c.strip_prefix('#').unwrap_or(c);
    (c.len() == 6 && c.bytes().all(|b| b.is_ascii_hexdigit())).then(|| c.to_ascii_lowercase())
}

fn plain_hex(colour: &'static str) -> &'static str {
    colour.strip_prefix('#').unwrap_or(colour)
}

/// Whether white text reads at 4.5:1 on this colour (`rrggbb`).
fn white_reads_on(colour: &str) -> bool {
    let Ok(v) = u32::from_str_radix(colour, 16) else {
        return true;
    };
    let channel = |shift: u32| {
        let c = f64::from((v >> shift) & 0xff) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0);
    1.05 / (luminance + 0.05) >= 4.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_goes_into_default_run_properties() {
        let filled = "<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val=\"22\" /></w:rPr></w:rPrDefault></w:docDefaults>";
        let out = with_language(filled).expect("patched");
        assert!(out.contains("<w:sz w:val=\"22\" /><w:lang w:val=\"en-GB\""));
        let empty = "<w:rPrDefault><w:rPr /></w:rPrDefault>";
        let out = with_language(empty).expect("patched");
        assert!(out.starts_with("<w:rPrDefault><w:rPr><w:lang w:val=\"en-GB\""));
        assert!(out.ends_with("</w:rPr></w:rPrDefault>"));
        assert_eq!(with_language("<w:styles />"), None);
    }

    #[test]
    fn text_loses_what_xml_cannot_hold() {
        assert_eq!(clean("a\u{1}b\tc\r\nd\u{fffe}"), "ab c\nd");
        assert!(matches!(clean("plain & simple"), Cow::Borrowed(_)));
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }

    #[test]
    fn bookmarks_are_word_names() {
        let mut b = Bookmarks::default();
        assert_eq!(b.claim("by-directorate").1, "by_directorate");
        assert_eq!(b.claim("by-directorate").1, "by_directorate_2");
        assert_eq!(b.claim("2024").1, "s_2024");
        assert!(b.claim(&"x".repeat(80)).1.len() <= 40);
    }

    #[test]
    fn widths_fill_the_page() {
        let kinds = [ColumnKind::Text, ColumnKind::Prose, ColumnKind::Status];
        let w = column_widths(&kinds, &[5, 10, 8]);
        let total: usize = w.iter().sum();
        assert!(total <= TEXT_WIDTH && total > TEXT_WIDTH - 10);
        assert!(w[1] > w[0]);
        // Many narrow columns still fit their words.
        let kinds = [ColumnKind::Count; 6];
        let w = column_widths(&kinds, &[8; 6]);
        assert!(w.iter().all(|&w| w >= 8 * CHAR_WIDTH + CELL_MARGINS));
        assert!(w.iter().sum::<usize>() <= TEXT_WIDTH);
        // More than the page can hold shrinks alike and stays on the page.
        let w = column_widths(&[ColumnKind::Text; 12], &[20; 12]);
        assert!(w.iter().sum::<usize>() <= TEXT_WIDTH);
    }
}
