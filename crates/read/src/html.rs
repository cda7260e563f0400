//! Saved web pages, through a real HTML parser (html5ever, by way of `scraper`): headings,
//! paragraphs, list items with their depth, `<dl>` pairs as "term: description" lines, and
//! tables with `colspan` and `rowspan` filled in, `<br>` kept as a line break inside a cell,
//! images read by their alternative text and class names kept as hints.
//!
//! Places: an HTML row's `at` is its order on the page (the first row of the first table is
//! 1), and a line's is its order among the page's blocks, since the parser keeps no line
//! numbers. Nesting deeper than [`MAX_DEPTH`] is refused.

use crate::{Block, Cell, Line, LineKind, Part, ReadError, Row, Table, decode_text};
use scraper::{ElementRef, Html, Node};

/// The tables inside an element that are not inside another table within it (those are
/// read when their own table is).
fn nearest_tables<'a>(el: ElementRef<'a>, out: &mut Vec<ElementRef<'a>>) {
    // Iterative: a cell may hold markup nested far deeper than any table.
    let mut stack: Vec<ElementRef<'a>> = el.children().filter_map(ElementRef::wrap).collect();
    stack.reverse();
    while let Some(node) = stack.pop() {
        if node.value().name() == "table" {
            out.push(node);
        } else {
            let mut children: Vec<ElementRef<'a>> =
                node.children().filter_map(ElementRef::wrap).collect();
            children.reverse();
            stack.extend(children);
        }
    }
}

/// How deep elements may nest before the page is refused (a page of 200 tables inside one
/// another is hostile, not a report).
pub(crate) const MAX_DEPTH: usize = 96;
/// The most columns a row may span to (a `colspan` of a million is refused).
const MAX_SPAN: usize = 1_000;

pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Part, ReadError> {
    let text = decode_text(file, bytes)?;
    let html = Html::parse_document(&text);
    let mut walker = Walker {
        file,
        blocks: vec![],
        rows_seen: 0,
        tables: 0,
        cells_placed: 0,
        text_placed: 0,
    };
    walker.element(html.root_element(), 0, 0)?;
    Ok(Part {
        name: None,
        blocks: walker.blocks,
    })
}

struct Walker<'f> {
    file: &'f str,
    blocks: Vec<Block>,
    rows_seen: usize,
    tables: usize,
    /// Cells placed so far, spans' copies included, and the bytes of text they hold: the
    /// budget that keeps spans of spans from multiplying a small page into gigabytes.
    cells_placed: usize,
    text_placed: usize,
}

/// Text the tables of one page may hold once spans are copied out.
const MAX_TABLE_TEXT: usize = 64 * 1024 * 1024;

const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "svg", "iframe", "object", "button",
    "select",
];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "blockquote",
    "address",
    "figure",
    "figcaption",
    "caption",
    "td",
    "th",
    "pre",
    "body",
    "html",
    "form",
    "fieldset",
    "center",
    "font",
];

impl Walker<'_> {
    fn line(&mut self, kind: LineKind, text: String) {
        let text = collapse(&text);
        if !text.is_empty() {
            let at = self.blocks.len() + 1;
            self.blocks.push(Block::Line(Line { at, kind, text }));
        }
    }

    fn deep(&self, depth: usize) -> Result<(), ReadError> {
        if depth > MAX_DEPTH {
            return Err(ReadError::new(
                self.file,
                format!("the page nests elements more than {MAX_DEPTH} deep; refused"),
            )
            .at(format!("block {}", self.blocks.len() + 1)));
        }
        Ok(())
    }

    /// Walk an element that is not inside a table, emitting blocks. Inline text is gathered
    /// into the enclosing block's line.
    fn element(
        &mut self,
        el: ElementRef<'_>,
        depth: usize,
        list_depth: u8,
    ) -> Result<(), ReadError> {
        self.deep(depth)?;
        let mut inline = String::new();
        for child in el.children() {
            match child.value() {
                Node::Text(t) => inline.push_str(t),
                Node::Element(e) => {
                    let Some(child_el) = ElementRef::wrap(child) else {
                        continue;
                    };
                    let name = e.name();
                    if SKIPPED.contains(&name) {
                        continue;
                    }
                    match name {
                        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                            self.line(LineKind::Paragraph, std::mem::take(&mut inline));
                            let level = name[1..].parse().unwrap_or(6);
                            let text = self.text_of(child_el, depth + 1)?;
                            self.line(LineKind::Heading(level), text);
                        }
                        "table" => {
                            self.line(LineKind::Paragraph, std::mem::take(&mut inline));
                            self.table(child_el, depth + 1)?;
                        }
                        "ul" | "ol" => {
                            self.line(LineKind::Paragraph, std::mem::take(&mut inline));
                            self.element(child_el, depth + 1, list_depth + 1)?;
                        }
                        "li" => {
                            self.line(LineKind::Paragraph, std::mem::take(&mut inline));
                            // The item's own text, then any lists inside it, deeper.
                            let own = self.own_text(child_el, depth + 1)?;
                            self.line(LineKind::Item(list_depth.saturating_sub(1)), own);
                            for sub in child_el.children().filter_map(ElementRef::wrap) {
                                if matches!(sub.value().name(), "ul" | "ol" | "table" | "dl") {
                                    let wrapper = sub;
                                    if wrapper.value().name() == "table" {
                                        self.table(wrapper, depth + 2)?;
                                    } else {
                                        self.element(wrapper, depth + 2, list_depth + 1)?;
                                    }
                                }
                            }
                        }
                        "dl" => {
                            self.line(LineKind::Paragraph, std::mem::take(&mut inline));
                            self.definitions(child_el, depth + 1)?;
                        }
                        "br" => inline.push('\n'),
                        "img" => {
                            if let Some(alt) = e.attr("alt") {
                                inline.push(' ');
                                inline.push_str(alt);
                                inline.push(' ');
                            }
                        }
                        n if BLOCKS.contains(&n) || n == "tr" || n == "tbody" => {
                            self.line(LineKind::Paragraph, std::mem::take(&mut inline));
                            self.element(child_el, depth + 1, list_depth)?;
                        }
                        _ => {
                            // Inline: its text joins the current line, unless it holds blocks.
                            if has_block(child_el) {
                                self.line(LineKind::Paragraph, std::mem::take(&mut inline));
                                self.element(child_el, depth + 1, list_depth)?;
                            } else {
                                inline.push_str(&self.text_of(child_el, depth + 1)?);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for piece in inline.split('\n') {
            self.line(LineKind::Paragraph, piece.to_string());
        }
        Ok(())
    }

    /// `<dt>Progress</dt><dd>On target</dd>` → "Progress: On target".
    fn definitions(&mut self, dl: ElementRef<'_>, depth: usize) -> Result<(), ReadError> {
        let mut term: Option<String> = None;
        for child in dl.descendants().filter_map(ElementRef::wrap) {
            match child.value().name() {
                "dt" => {
                    if let Some(t) = term.take() {
                        self.line(LineKind::Paragraph, t);
                    }
                    term = Some(collapse(&self.text_of(child, depth + 1)?));
                }
                "dd" => {
                    let value = collapse(&self.text_of(child, depth + 1)?);
                    match term.take() {
                        Some(t) => {
                            let t = t.trim_end_matches([':', ' ']).to_string();
                            self.line(LineKind::Paragraph, format!("{t}: {value}"));
                        }
                        None => self.line(LineKind::Paragraph, value),
                    }
                }
                _ => {}
            }
        }
        if let Some(t) = term {
            self.line(LineKind::Paragraph, t);
        }
        Ok(())
    }

    /// All the text inside an element (images by their alt text, `<br>` as a line break).
    fn text_of(&self, el: ElementRef<'_>, depth: usize) -> Result<String, ReadError> {
        self.deep(depth)?;
        let mut out = String::new();
        for child in el.children() {
            match child.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    let Some(child_el) = ElementRef::wrap(child) else {
                        continue;
                    };
                    match e.name() {
                        n if SKIPPED.contains(&n) => {}
                        "br" => out.push('\n'),
                        "img" => {
                            if let Some(alt) = e.attr("alt") {
                                out.push(' ');
                                out.push_str(alt);
                                out.push(' ');
                            }
                        }
                        "p" | "div" | "li" | "tr" => {
                            if !out.ends_with('\n') && !out.is_empty() {
                                out.push('\n');
                            }
                            out.push_str(&self.text_of(child_el, depth + 1)?);
                            out.push('\n');
                        }
                        "td" | "th" => {
                            out.push(' ');
                            out.push_str(&self.text_of(child_el, depth + 1)?);
                            out.push(' ');
                        }
                        _ => out.push_str(&self.text_of(child_el, depth + 1)?),
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// A list item's text without the lists nested inside it.
    fn own_text(&self, li: ElementRef<'_>, depth: usize) -> Result<String, ReadError> {
        let mut out = String::new();
        for child in li.children() {
            match child.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    if matches!(e.name(), "ul" | "ol" | "table" | "dl")
                        || SKIPPED.contains(&e.name())
                    {
                        continue;
                    }
                    if let Some(c) = ElementRef::wrap(child) {
                        out.push(' ');
                        out.push_str(&self.text_of(c, depth + 1)?);
                    }
                }
                _ => {}
            }
        }
        Ok(out.replace('\n', " "))
    }

    /// Count one placed cell against the page's budget.
    fn place(&mut self, text: &str) -> Result<(), ReadError> {
        self.cells_placed += 1;
        self.text_placed += text.len();
        if self.cells_placed > crate::MAX_CELLS || self.text_placed > MAX_TABLE_TEXT {
            return Err(ReadError::new(
                self.file,
                format!(
                    "the page's tables spread over more than {} cells or {} MiB of text once their spans are filled in; it is refused",
                    crate::MAX_CELLS,
                    MAX_TABLE_TEXT / (1024 * 1024)
                ),
            )
            .at(format!("table {}", self.tables)));
        }
        Ok(())
    }

    fn table(&mut self, table: ElementRef<'_>, depth: usize) -> Result<(), ReadError> {
        self.deep(depth)?;
        self.tables += 1;
        let mut caption = None;
        let mut trs: Vec<(ElementRef<'_>, bool)> = vec![];
        let mut nested: Vec<ElementRef<'_>> = vec![];
        self.rows_of(table, false, depth, &mut caption, &mut trs, &mut nested)?;
        // Pending rowspans: (column, rows still to fill, the cell).
        let mut pending: Vec<(usize, usize, Cell)> = vec![];
        let mut rows = vec![];
        for (tr, in_head) in trs {
            self.rows_seen += 1;
            let mut cells: Vec<Option<Cell>> = vec![];
            for (col, left, cell) in pending.iter_mut() {
                if *left > 0 {
                    if cells.len() <= *col {
                        cells.resize(*col + 1, None);
                    }
                    self.place(&cell.text)?;
                    let mut copy = cell.clone();
                    copy.spanned = true;
                    cells[*col] = Some(copy);
                    *left -= 1;
                }
            }
            pending.retain(|(_, left, _)| *left > 0);
            let mut all_th = true;
            let mut any = false;
            for td in tr.children().filter_map(ElementRef::wrap) {
                let name = td.value().name();
                if name != "td" && name != "th" {
                    continue;
                }
                any = true;
                all_th &= name == "th";
                nearest_tables(td, &mut nested);
                let text = self.cell_text(td, depth + 1)?;
                let mut hints: Vec<String> = td.value().classes().map(str::to_string).collect();
                for inner in td.descendants().filter_map(ElementRef::wrap) {
                    hints.extend(inner.value().classes().map(str::to_string));
                    if let Some(title) = inner.value().attr("title") {
                        hints.push(title.to_string());
                    }
                }
                if let Some(title) = td.value().attr("title") {
                    hints.push(title.to_string());
                }
                let span = |attr: &str| {
                    td.value()
                        .attr(attr)
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                        .clamp(1, MAX_SPAN)
                };
                let (colspan, rowspan) = (span("colspan"), span("rowspan").min(10_000));
                let mut col = cells
                    .iter()
                    .position(Option::is_none)
                    .unwrap_or(cells.len());
                // Skip over columns a rowspan above already fills.
                while cells.get(col).is_some_and(Option::is_some) {
                    col += 1;
                }
                let cell = Cell {
                    text,
                    hints,
                    ..Cell::default()
                };
                for k in 0..colspan {
                    let c = col + k;
                    if c >= MAX_SPAN {
                        break;
                    }
                    if cells.len() <= c {
                        cells.resize(c + 1, None);
                    }
                    self.place(&cell.text)?;
                    let mut placed = cell.clone();
                    placed.spanned = k > 0;
                    cells[c] = Some(placed);
                    if rowspan > 1 {
                        pending.push((c, rowspan - 1, cell.clone()));
                    }
                }
            }
            if !any {
                continue;
            }
            rows.push(Row {
                at: self.rows_seen,
                head: in_head || all_th,
                cells: cells.into_iter().map(Option::unwrap_or_default).collect(),
            });
        }
        if !rows.is_empty() {
            self.blocks.push(Block::Table(Table { caption, rows }));
        }
        for inner in nested {
            self.table(inner, depth + 1)?;
        }
        Ok(())
    }

    /// The rows of a table, through `thead`/`tbody`/`tfoot`, not into tables inside cells.
    fn rows_of<'a>(
        &self,
        el: ElementRef<'a>,
        in_head: bool,
        depth: usize,
        caption: &mut Option<String>,
        trs: &mut Vec<(ElementRef<'a>, bool)>,
        nested: &mut Vec<ElementRef<'a>>,
    ) -> Result<(), ReadError> {
        self.deep(depth)?;
        for child in el.children().filter_map(ElementRef::wrap) {
            match child.value().name() {
                "caption" => *caption = Some(collapse(&self.text_of(child, depth + 1)?)),
                "thead" => self.rows_of(child, true, depth + 1, caption, trs, nested)?,
                "tbody" | "tfoot" => {
                    self.rows_of(child, in_head, depth + 1, caption, trs, nested)?
                }
                "tr" => trs.push((child, in_head)),
                "table" => nested.push(child),
                _ => {}
            }
        }
        Ok(())
    }

    /// A cell's text: lines kept (`<br>`, paragraphs), spaces collapsed within each line;
    /// the text of tables nested inside is left to those tables.
    fn cell_text(&self, td: ElementRef<'_>, depth: usize) -> Result<String, ReadError> {
        let raw = self.text_of_without_tables(td, depth)?;
        Ok(raw
            .split('\n')
            .map(collapse)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n"))
    }

    fn text_of_without_tables(
        &self,
        el: ElementRef<'_>,
        depth: usize,
    ) -> Result<String, ReadError> {
        self.deep(depth)?;
        let mut out = String::new();
        for child in el.children() {
            match child.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    let Some(c) = ElementRef::wrap(child) else {
                        continue;
                    };
                    match e.name() {
                        "table" => {}
                        n if SKIPPED.contains(&n) => {}
                        "br" => out.push('\n'),
                        "img" => {
                            if let Some(alt) = e.attr("alt") {
                                out.push(' ');
                                out.push_str(alt);
                                out.push(' ');
                            }
                        }
                        "p" | "div" | "li" => {
                            out.push('\n');
                            out.push_str(&self.text_of_without_tables(c, depth + 1)?);
                            out.push('\n');
                        }
                        _ => out.push_str(&self.text_of_without_tables(c, depth + 1)?),
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

fn has_block(el: ElementRef<'_>) -> bool {
    el.descendants().filter_map(ElementRef::wrap).any(|d| {
        let n = d.value().name();
        matches!(
            n,
            "table" | "ul" | "ol" | "dl" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "p" | "div"
        )
    })
}

/// Whitespace (including no-break spaces) collapsed to single spaces, trimmed.
pub(crate) fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tables(part: &Part) -> Vec<&Table> {
        part.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn nested_tables_are_read_once_and_spans_are_budgeted() {
        // Found by the read_any fuzz target: nested tables were read again for every table
        // around them, each time filling their spans, until memory ran out.
        let bytes = include_bytes!("../../../fuzz/regressions/read_any-2.bin");
        let part = read("oom.html", &bytes[1..]).unwrap();
        let cells: usize = part
            .blocks
            .iter()
            .map(|b| match b {
                Block::Table(t) => t.rows.iter().map(|r| r.cells.len()).sum(),
                Block::Line(_) => 0,
            })
            .sum();
        assert!(cells < 10_000, "{cells} cells");
    }

    #[test]
    fn spans_past_the_budget_are_refused() {
        // 70 KB of text spread over 1,000 columns is 70 MB once copied out.
        let page = format!(
            "<table><tr><td colspan=1000>{}</td></tr></table>",
            "x".repeat(70_000)
        );
        let refused = read("spans.html", page.as_bytes())
            .is_err_and(|e| e.message.contains("spans") && e.file == "spans.html");
        assert!(refused, "a page spreading to 70 MB was not refused");
    }

    #[test]
    fn spans_are_filled_in() {
        let page = b"<table><thead><tr><th rowspan=2>Ref</th><th colspan=2>Q1</th></tr>\
            <tr><th>Value</th><th>Target</th></tr></thead>\
            <tr><td>A1</td><td>5<br>(GREEN)</td><td>4</td></tr>\
            <tr><td colspan=3>Section</td></tr></table>";
        let part = read("p.html", page).unwrap();
        let t = tables(&part)[0];
        let texts: Vec<Vec<&str>> = t
            .rows
            .iter()
            .map(|r| r.cells.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(texts[0], ["Ref", "Q1", "Q1"]);
        assert_eq!(texts[1], ["Ref", "Value", "Target"]);
        assert!(t.rows[1].cells[0].spanned);
        assert_eq!(texts[2], ["A1", "5\n(GREEN)", "4"]);
        assert!(t.rows[0].head && t.rows[1].head && !t.rows[2].head);
        assert_eq!(texts[3], ["Section", "Section", "Section"]);
    }

    #[test]
    fn headings_lists_and_definitions() {
        let page = "<h2>1 - Homes</h2><dl><dt>Progress</dt><dd>On target</dd></dl>\
            <ul><li>First<ul><li>Inner &amp; more</li></ul></li></ul><p>Status <img alt='Green'> now</p>";
        let part = read("p.html", page.as_bytes()).unwrap();
        let lines: Vec<(LineKind, &str)> = part
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Line(l) => Some((l.kind, l.text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            lines,
            [
                (LineKind::Heading(2), "1 - Homes"),
                (LineKind::Paragraph, "Progress: On target"),
                (LineKind::Item(0), "First"),
                (LineKind::Item(1), "Inner & more"),
                (LineKind::Paragraph, "Status Green now"),
            ]
        );
    }

    #[test]
    fn deep_nesting_is_refused_with_a_place() {
        let page = "<table><tr><td>".repeat(200) + &"</td></tr></table>".repeat(200);
        let e = read("deep.html", page.as_bytes()).unwrap_err();
        assert!(e.message.contains("nests"), "{e}");
        assert!(e.place.is_some());
    }
}
