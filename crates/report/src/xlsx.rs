//! The report as an Excel workbook: a "Summary" sheet with the words of the report, one sheet
//! per table (header frozen and filterable, numbers kept as numbers, statuses coloured), and a
//! "Charts" sheet holding each chart's numbers beside a native stacked-bar chart drawn from them.
//!
//! Every piece of text goes in with `write_string`, so a cell that starts with `=`, `+`, `-` or
//! `@` stays text and never becomes a formula.

use std::borrow::Cow;
use std::collections::HashSet;

use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartFormat, ChartLegendPosition, ChartLine, ChartSolidFill,
    ChartType, Color, DocProperties, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet,
    XlsxError,
};
use waymark_domain::Status;

use crate::document::STATUS_ORDER;
use crate::{
    Brand, Cell, Chart as BarChart, ColumnKind, Document, ReportError, Table, status_colours,
    status_label,
};

/// The first sheet's name.
pub const SUMMARY_SHEET: &str = "Summary";
/// The sheet holding the charts and the numbers they are drawn from.
pub const CHARTS_SHEET: &str = "Charts";

/// Rows above a table's data on its sheet: the caption, then the header row.
pub const TABLE_FIRST_DATA_ROW: u32 = 2;

/// The width of the Summary sheet's text column, and of the chart labels, in characters.
const SUMMARY_TEXT_WIDTH: f64 = 100.0;
const CHART_LABEL_WIDTH: f64 = 32.0;
/// The height of a line of 11-point text, in points, and the most lines a row shows (Excel's
/// rows stop at 409 points).
const LINE_HEIGHT: f64 = 15.0;
const MAX_LINES: u32 = 27;

/// Excel refuses longer text in one cell (counted in UTF-16 units).
const MAX_CELL_UNITS: usize = 32_767;
/// Excel's limit for a sheet name (UTF-16 units).
const MAX_SHEET_UNITS: usize = 31;
/// Excel's limit for page header and footer text, and for a chart's alternative text.
const MAX_SHORT_UNITS: usize = 255;

/// The report as an `.xlsx` file.
pub fn xlsx(doc: &Document, brand: &Brand) -> Result<Vec<u8>, ReportError> {
    build(doc, brand).map_err(|e| ReportError::Write {
        format: "spreadsheet",
        message: e.to_string(),
    })
}

fn build(doc: &Document, brand: &Brand) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new(brand);
    let mut names = SheetNames::default();
    let summary_name = names.claim(SUMMARY_SHEET);
    let charts: Vec<&BarChart> = doc
        .sections
        .iter()
        .filter_map(|s| s.chart.as_ref())
        .filter(|c| !c.bars.is_empty())
        .collect();
    let charts_name = if charts.is_empty() {
        None
    } else {
        Some(names.claim(CHARTS_SHEET))
    };
    // Name every table's sheet first: the summary links to them.
    let table_names: Vec<String> = doc.tables().map(|t| names.claim(&t.sheet)).collect();

    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(doc));

    // Charts are laid out first so the summary can link to the row each one starts on.
    let (chart_sheet, chart_rows) = match &charts_name {
        Some(name) => {
            let (sheet, rows) = charts_sheet(doc, name, &charts, &styles)?;
            (Some(sheet), rows)
        }
        None => (None, Vec::new()),
    };

    let summary = summary_sheet(
        doc,
        &summary_name,
        &table_names,
        charts_name.as_deref(),
        &chart_rows,
        &styles,
    )?;
    workbook.push_worksheet(summary);

    for (table, name) in doc.tables().zip(&table_names) {
        workbook.push_worksheet(table_sheet(doc, table, name, &styles)?);
    }
    if let Some(sheet) = chart_sheet {
        workbook.push_worksheet(sheet);
    }
    workbook.save_to_buffer()
}

fn properties(doc: &Document) -> DocProperties {
    let mut props = DocProperties::new()
        .set_title(clean(&doc.title))
        .set_subject(clean(&doc.period))
        .set_author(clean(&doc.council))
        .set_company(clean(&doc.council))
        .set_category(doc.kind.key());
    if doc.draft {
        props = props.set_status("Draft");
    }
    props
}

/// Every cell format the workbook uses, made once: cells only refer to them.
struct Styles {
    title: Format,
    draft: Format,
    label: Format,
    heading: Format,
    body: Format,
    strong: Format,
    caption: Format,
    header: Format,
    text: Format,
    prose: Format,
    number_text: Format,
    count: Format,
    /// Indexed by the number of decimal places shown (0–4).
    percent: Vec<Format>,
    empty: Format,
    /// Indexed like `STATUS_ORDER`.
    status: Vec<Format>,
}

impl Styles {
    fn new(brand: &Brand) -> Styles {
        let font = brand
            .font
            .as_ref()
            .map(|f| clean(f.family.trim()).into_owned())
            .filter(|f| !f.is_empty());
        let base = || {
            let f = Format::new().set_align(FormatAlign::Top);
            match &font {
                Some(name) => f.set_font_name(name.as_str()),
                None => f,
            }
        };
        let accent = rgb(&brand.colour).unwrap_or(0x1d70b8);
        let on_accent = readable_on(accent);
        let red = status_rgb(Status::Red).0;
        let bordered = |f: Format| f.set_border(FormatBorder::Thin).set_border_color(0xb1b4b6);
        Styles {
            title: base().set_bold().set_font_size(16).set_font_color(accent),
            draft: base().set_bold().set_font_size(12).set_font_color(red),
            label: base().set_bold(),
            heading: base().set_bold().set_font_size(13).set_font_color(accent),
            body: base().set_text_wrap(),
            strong: base().set_bold().set_text_wrap(),
            caption: base().set_bold().set_font_size(12),
            header: bordered(
                base()
                    .set_bold()
                    .set_text_wrap()
                    .set_background_color(accent)
                    .set_font_color(on_accent),
            ),
            text: bordered(base().set_text_wrap()),
            prose: bordered(base().set_text_wrap()),
            number_text: bordered(base().set_align(FormatAlign::Right)),
            count: bordered(base().set_num_format("0")),
            percent: ["0%", "0.0%", "0.00%", "0.000%", "0.0000%"]
                .into_iter()
                .map(|n| bordered(base().set_num_format(n)))
                .collect(),
            empty: base().set_italic(),
            status: STATUS_ORDER
                .iter()
                .map(|&s| {
                    let (fill, ink) = status_rgb(s);
                    bordered(base().set_background_color(fill).set_font_color(ink))
                })
                .collect(),
        }
    }

    fn status(&self, status: Status) -> &Format {
        let i = status_index(status);
        &self.status[i]
    }
}

fn status_index(status: Status) -> usize {
    STATUS_ORDER
        .iter()
        .position(|&s| s == status)
        .unwrap_or_default()
}

/// A status's fill and text colours as numbers.
fn status_rgb(status: Status) -> (u32, u32) {
    let (fill, ink) = status_colours(status);
    (rgb(fill).unwrap_or(0x505a5f), rgb(ink).unwrap_or(0xffffff))
}

/// `#rrggbb` (or `rrggbb`) as a number; `None` for anything else.
fn rgb(hex: &str) -> Option<u32> {
    let hex = hex.trim();
    let hex = hex.strip_prefix('#').unwrap_or(hex);
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// White text on the accent unless it would read below 4.5:1 (a pale brand colour), then
/// near-black.
fn readable_on(background: u32) -> u32 {
    let channel = |shift: u32| {
        let c = f64::from((background >> shift) & 0xff) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0);
    let against_white = 1.05 / (luminance + 0.05);
    if against_white >= 4.5 {
        0xffffff
    } else {
        0x0b0c0c
    }
}

fn summary_sheet(
    doc: &Document,
    name: &str,
    table_names: &[String],
    charts_name: Option<&str>,
    chart_rows: &[u32],
    st: &Styles,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, SUMMARY_TEXT_WIDTH)?;
    page_setup(&mut ws, doc);
    ws.set_print_fit_to_pages(1, 0);

    let mut row = 0;
    if doc.draft {
        ws.write_string_with_format(row, 0, draft_line(), &st.draft)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, fit(&doc.title), &st.title)?;
    row += 2;

    let pair = |ws: &mut Worksheet, row: &mut u32, label: &str, value: &str, f: &Format| {
        ws.write_string_with_format(*row, 0, label, &st.label)?;
        ws.write_string_with_format(*row, 1, fit(value), f)?;
        fit_height(ws, *row, wrapped_lines(value, SUMMARY_TEXT_WIDTH))?;
        *row += 1;
        Ok::<(), XlsxError>(())
    };
    pair(&mut ws, &mut row, "Council", &doc.council, &st.body)?;
    pair(&mut ws, &mut row, "Period", &doc.period, &st.body)?;
    if let Some(subject) = &doc.subject {
        pair(&mut ws, &mut row, "Portfolio", subject, &st.body)?;
    }
    pair(&mut ws, &mut row, "Generated", &doc.generated, &st.body)?;

    if !doc.introduction.is_empty() {
        row += 1;
        ws.write_string_with_format(row, 0, "Introduction", &st.label)?;
        for p in &doc.introduction {
            ws.write_string_with_format(row, 1, fit(p), &st.body)?;
            fit_height(&mut ws, row, wrapped_lines(p, SUMMARY_TEXT_WIDTH))?;
            row += 1;
        }
    }

    if let Some(h) = &doc.headline {
        row += 1;
        ws.write_string_with_format(row, 0, "Headline", &st.heading)?;
        row += 1;
        let figure = format!("{} {}", h.figure, h.label);
        pair(&mut ws, &mut row, "Figure", figure.trim(), &st.strong)?;
        pair(&mut ws, &mut row, "How it is counted", &h.rule, &st.body)?;
        for claim in &h.claims {
            let verdict = if !claim.checked {
                "Published as stated, not checked"
            } else if claim.consistent {
                "Consistent with the figures"
            } else {
                "Not consistent with the figures"
            };
            let mut text = format!("{} ({verdict}", claim.text);
            if !claim.note.trim().is_empty() {
                text.push_str(": ");
                text.push_str(&claim.note);
            }
            text.push(')');
            pair(&mut ws, &mut row, "Published claim", &text, &st.body)?;
        }
    }

    let mut tables = table_names.iter();
    let mut charts = chart_rows.iter();
    for section in &doc.sections {
        row += 1;
        ws.write_string_with_format(row, 0, fit(&section.heading), &st.heading)?;
        row += 1;
        for p in &section.paragraphs {
            ws.write_string_with_format(row, 1, fit(p), &st.body)?;
            fit_height(&mut ws, row, wrapped_lines(p, SUMMARY_TEXT_WIDTH))?;
            row += 1;
        }
        if let Some(chart) = section.chart.as_ref().filter(|c| !c.bars.is_empty())
            && let (Some(sheet), Some(&at)) = (charts_name, charts.next())
        {
            ws.write_string_with_format(row, 0, "Chart", &st.label)?;
            let link = Url::new(internal_link(sheet, at)).set_text(fit(&chart.title));
            ws.write_url(row, 1, link)?;
            row += 1;
        }
        for table in &section.tables {
            let Some(sheet) = tables.next() else { break };
            ws.write_string_with_format(row, 0, "Table", &st.label)?;
            let text = format!("{} (sheet \u{201c}{sheet}\u{201d})", table.caption);
            let link = Url::new(internal_link(sheet, 0)).set_text(fit(&text));
            ws.write_url(row, 1, link)?;
            row += 1;
        }
    }
    Ok(ws)
}

/// A link to a row of another sheet in this workbook.
fn internal_link(sheet: &str, row: u32) -> String {
    format!("internal:'{}'!A{}", sheet.replace('\'', "''"), row + 1)
}

fn draft_line() -> &'static str {
    "DRAFT: built from returns not yet published. The figures may change."
}

/// Print setup shared by every sheet: DRAFT in the page header, the report and page number in
/// the footer.
fn page_setup(ws: &mut Worksheet, doc: &Document) {
    if doc.draft {
        ws.set_header("&C&\"-,Bold\"DRAFT");
    }
    let title = header_text(&doc.title, MAX_SHORT_UNITS - 40);
    ws.set_footer(format!("&L{title}&RPage &P of &N"));
    ws.set_paper_size(9); // A4
}

/// Text for a page header or footer: `&` doubled (it starts a code there) and cut short.
fn header_text(text: &str, max_units: usize) -> String {
    let escaped = clean(text).replace('&', "&&");
    let cut = truncate_units(&escaped, max_units);
    // Never leave a lone `&` at the end, which would start a code.
    let trimmed = cut.trim_end_matches('&');
    let strip = (cut.len() - trimmed.len()) % 2;
    cut[..cut.len() - strip].to_string()
}

fn table_sheet(
    doc: &Document,
    table: &Table,
    name: &str,
    st: &Styles,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    page_setup(&mut ws, doc);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);

    let caption = if doc.draft {
        Cow::Owned(format!("DRAFT \u{2014} {}", table.caption))
    } else {
        Cow::Borrowed(table.caption.as_str())
    };
    ws.write_string_with_format(
        0,
        0,
        fit(&caption),
        if doc.draft { &st.draft } else { &st.caption },
    )?;

    let kinds: Vec<ColumnKind> = table.columns.iter().map(|c| c.kind).collect();
    let width = table
        .columns
        .len()
        .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
    let widths: Vec<f64> = (0..width)
        .map(|c| match table.columns.get(c) {
            Some(column) => column_width(table, c, column.kind, &column.heading),
            None => column_width(table, c, ColumnKind::Text, ""),
        })
        .collect();
    let mut header_lines = 1;
    for (c, column) in table.columns.iter().enumerate() {
        let col = col_num(c)?;
        ws.write_string_with_format(1, col, fit(&column.heading), &st.header)?;
        header_lines = header_lines.max(wrapped_lines(&column.heading, widths[c]));
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c)?, *w)?;
    }
    fit_height(&mut ws, 1, header_lines)?;

    let mut row = TABLE_FIRST_DATA_ROW;
    for cells in &table.rows {
        let mut lines = 1;
        for (c, cell) in cells.iter().enumerate() {
            let kind = kinds.get(c).copied().unwrap_or(ColumnKind::Text);
            write_cell(&mut ws, row, col_num(c)?, kind, cell, st)?;
            if matches!(kind, ColumnKind::Text | ColumnKind::Prose) {
                lines = lines.max(wrapped_lines(&cell.text, widths[c]));
            }
        }
        fit_height(&mut ws, row, lines)?;
        row += 1;
    }
    if table.rows.is_empty() && !table.empty.is_empty() {
        ws.write_string_with_format(row, 0, fit(&table.empty), &st.empty)?;
    }

    // The caption and header stay in view and on every printed page.
    ws.set_freeze_panes(TABLE_FIRST_DATA_ROW, 0)?;
    ws.set_repeat_rows(0, 1)?;
    if width > 0 {
        let last_row = (TABLE_FIRST_DATA_ROW - 1) + table.rows.len() as u32;
        ws.autofilter(1, 0, last_row, col_num(width - 1)?)?;
    }
    Ok(ws)
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Lines a wrapped cell of this width (in characters) needs, roughly: viewers differ in
/// whether they size rows to wrapped text when a file opens, so rows say their height.
fn wrapped_lines(text: &str, width: f64) -> u32 {
    // Words do not fill a line exactly.
    let per_line = ((width - 1.0) * 0.85).max(1.0) as usize;
    let mut lines = 0;
    for segment in text.split('\n') {
        let chars = segment.chars().take(per_line * MAX_LINES as usize).count();
        lines += chars.div_ceil(per_line).max(1) as u32;
        if lines >= MAX_LINES {
            return MAX_LINES;
        }
    }
    lines.max(1)
}

/// Sets a row's height for this many lines of text; one line keeps the default.
fn fit_height(ws: &mut Worksheet, row: u32, lines: u32) -> Result<(), XlsxError> {
    if lines > 1 {
        ws.set_row_height(row, f64::from(lines.min(MAX_LINES)) * LINE_HEIGHT + 2.0)?;
    }
    Ok(())
}

/// Column widths in characters, by what the column holds.
fn column_width(table: &Table, c: usize, kind: ColumnKind, heading: &str) -> f64 {
    let heading_len = heading.chars().take(40).count() + 2;
    let width = match kind {
        ColumnKind::Prose => 60,
        ColumnKind::Text => {
            let longest = table
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.text.chars().take(40).count())
                .max()
                .unwrap_or(0);
            (longest + 2).max(heading_len.min(24)).clamp(8, 40)
        }
        ColumnKind::Count | ColumnKind::Percent => heading_len.clamp(10, 18),
        ColumnKind::Status => heading_len.clamp(14, 20),
    };
    width as f64
}

/// One table cell: numbers as numbers showing exactly the cell's text, statuses as the word on
/// the status colour, anything else as text.
fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    kind: ColumnKind,
    cell: &Cell,
    st: &Styles,
) -> Result<(), XlsxError> {
    if let Some(status) = cell.status {
        ws.write_string_with_format(row, col, fit(&cell.text), st.status(status))?;
        return Ok(());
    }
    match kind {
        ColumnKind::Count | ColumnKind::Percent if cell.number.is_some() => {
            match shown_number(kind, &cell.text) {
                Some((value, None)) => {
                    ws.write_number_with_format(row, col, value, &st.count)?;
                }
                Some((value, Some(decimals))) => {
                    ws.write_number_with_format(row, col, value, &st.percent[decimals])?;
                }
                None => {
                    ws.write_string_with_format(row, col, fit(&cell.text), &st.number_text)?;
                }
            }
        }
        ColumnKind::Count | ColumnKind::Percent => {
            ws.write_string_with_format(row, col, fit(&cell.text), &st.number_text)?;
        }
        ColumnKind::Prose => {
            ws.write_string_with_format(row, col, fit(&cell.text), &st.prose)?;
        }
        ColumnKind::Text | ColumnKind::Status => {
            ws.write_string_with_format(row, col, fit(&cell.text), &st.text)?;
        }
    }
    Ok(())
}

/// The number a Count or Percent cell's text shows, so the spreadsheet displays exactly the
/// same text: a whole number for a count (`None` decimals), a fraction with the text's number
/// of decimal places for a percentage. `None` when the text is not such a number.
fn shown_number(kind: ColumnKind, text: &str) -> Option<(f64, Option<usize>)> {
    let text = text.trim();
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-'))
            && s.bytes().filter(|&b| b == b'.').count() <= 1
            && s.bytes().any(|b| b.is_ascii_digit())
    };
    match kind {
        ColumnKind::Count => {
            if !plain(text) || text.contains('.') {
                return None;
            }
            let n: f64 = text.parse().ok()?;
            // Past 15 digits Excel would show other digits.
            (n.is_finite() && n.abs() < 1e15).then_some((n, None))
        }
        ColumnKind::Percent => {
            let number = text.strip_suffix('%')?.trim_end();
            if !plain(number) {
                return None;
            }
            let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
            if decimals > 4 {
                return None;
            }
            let p: f64 = number.parse().ok()?;
            (p.is_finite() && p.abs() < 1e12).then_some((p / 100.0, Some(decimals)))
        }
        _ => None,
    }
}

/// The "Charts" sheet: for each chart its title, a small table of status counts per bar, and a
/// native stacked-bar chart drawn from that table. Returns the sheet and the row each chart's
/// title is on.
fn charts_sheet(
    doc: &Document,
    name: &str,
    charts: &[&BarChart],
    st: &Styles,
) -> Result<(Worksheet, Vec<u32>), XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    page_setup(&mut ws, doc);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_column_width(0, CHART_LABEL_WIDTH)?;

    let mut row = 0;
    if doc.draft {
        ws.write_string_with_format(row, 0, draft_line(), &st.draft)?;
        row += 2;
    }
    let mut starts = Vec::with_capacity(charts.len());
    for chart in charts {
        starts.push(row);
        row = chart_block(&mut ws, name, row, chart, st)?;
    }
    Ok((ws, starts))
}

/// Writes one chart's title, table and chart from `top`; returns the first free row after it.
fn chart_block(
    ws: &mut Worksheet,
    sheet: &str,
    top: u32,
    chart: &BarChart,
    st: &Styles,
) -> Result<u32, XlsxError> {
    // Only statuses some bar has, in the report's order.
    let statuses: Vec<Status> = STATUS_ORDER
        .into_iter()
        .filter(|s| {
            chart
                .bars
                .iter()
                .any(|b| b.segments.iter().any(|g| g.status == *s && g.count > 0))
        })
        .collect();

    ws.write_string_with_format(top, 0, fit(&chart.title), &st.caption)?;
    let head = top + 1;
    ws.write_string_with_format(head, 0, "Group", &st.header)?;
    for (i, s) in statuses.iter().enumerate() {
        let col = col_num(i + 1)?;
        ws.write_string_with_format(head, col, status_label(*s), st.status(*s))?;
        ws.set_column_width(col, 12)?;
    }
    let total_col = col_num(statuses.len() + 1)?;
    ws.write_string_with_format(head, total_col, "Total", &st.header)?;
    ws.set_column_width(total_col, 10)?;

    let first = head + 1;
    for (i, bar) in chart.bars.iter().enumerate() {
        let row = first + i as u32;
        ws.write_string_with_format(row, 0, fit(&bar.label), &st.text)?;
        fit_height(ws, row, wrapped_lines(&bar.label, CHART_LABEL_WIDTH))?;
        for (j, s) in statuses.iter().enumerate() {
            let count: usize = bar
                .segments
                .iter()
                .filter(|g| g.status == *s)
                .map(|g| g.count)
                .sum();
            ws.write_number_with_format(row, col_num(j + 1)?, count as f64, &st.count)?;
        }
        ws.write_number_with_format(row, total_col, bar.total as f64, &st.count)?;
    }
    let last = first + chart.bars.len() as u32 - 1;

    let height = (110 + 26 * chart.bars.len() as u32).clamp(260, 1600);
    if !statuses.is_empty() {
        let mut native = Chart::new(ChartType::BarStacked);
        // Titles and names come from cells, never parsed from the report's text.
        native.title().set_name((sheet, top, 0));
        for (j, s) in statuses.iter().enumerate() {
            let col = col_num(j + 1)?;
            let (fill, _) = status_rgb(*s);
            native
                .add_series()
                .set_name((sheet, head, col))
                .set_categories((sheet, first, 0, last, 0))
                .set_values((sheet, first, col, last, col))
                .set_gap(60)
                .set_format(
                    ChartFormat::new()
                        .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(fill)))
                        .set_border(ChartLine::new().set_color(Color::RGB(0xffffff))),
                );
        }
        // Bars read top to bottom in the table's order, with the count axis at the bottom.
        native
            .y_axis()
            .set_reverse()
            .set_crossing(ChartAxisCrossing::Max);
        native.x_axis().set_min(0).set_num_format("0");
        // Small counts would otherwise get fractional steps, shown as repeated whole numbers.
        if chart.bars.iter().map(|b| b.total).max().unwrap_or(0) <= 8 {
            native.x_axis().set_major_unit(1);
        }
        native.legend().set_position(ChartLegendPosition::Bottom);
        native.set_width(720).set_height(height);
        let alt = format!(
            "{}: stacked bars of statuses for each group; the numbers are in the table beside the chart.",
            clean(&chart.title)
        );
        native.set_alt_text(truncate_units(&alt, MAX_SHORT_UNITS));
        ws.insert_chart(top, total_col + 2, &native)?;
    }

    let table_rows = chart.bars.len() as u32 + 2;
    let chart_rows = if statuses.is_empty() {
        0
    } else {
        height.div_ceil(20) + 1
    };
    Ok(top + table_rows.max(chart_rows) + 2)
}

/// Sheet names Excel accepts, unique ignoring case.
#[derive(Default)]
struct SheetNames {
    taken: HashSet<String>,
}

impl SheetNames {
    fn claim(&mut self, wanted: &str) -> String {
        let mut base: String = wanted
            .chars()
            .filter(|c| !c.is_control())
            .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
            .collect();
        base = base.trim().trim_matches('\'').trim().to_string();
        if base.is_empty() {
            base = "Table".into();
        }
        // Excel keeps this name for itself.
        if base.eq_ignore_ascii_case("history") {
            base.push_str(" table");
        }
        let mut name = tidy_name(truncate_units(&base, MAX_SHEET_UNITS));
        let mut n = 2;
        while self.taken.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            let stem = truncate_units(&base, MAX_SHEET_UNITS - suffix.len());
            name = format!("{}{suffix}", stem.trim_end().trim_end_matches('\''));
            n += 1;
        }
        self.taken.insert(name.to_lowercase());
        name
    }
}

fn tidy_name(name: &str) -> String {
    let name = name.trim().trim_matches('\'').trim();
    if name.is_empty() {
        "Table".into()
    } else {
        name.to_string()
    }
}

/// Text as a cell can hold it: characters XML cannot carry dropped, and cut to Excel's limit
/// with an ellipsis (the full text is in the other formats).
fn fit(text: &str) -> Cow<'_, str> {
    let text = clean(text);
    // A UTF-8 byte count is never below the UTF-16 count, so short text needs no counting.
    if text.len() <= MAX_CELL_UNITS || utf16_units(&text) <= MAX_CELL_UNITS {
        return text;
    }
    let cut = truncate_units(&text, MAX_CELL_UNITS - 1);
    Cow::Owned(format!("{cut}\u{2026}"))
}

/// Without the characters an XML file cannot hold (U+FFFE, U+FFFF); control characters are
/// kept, the writer escapes them.
fn clean(text: &str) -> Cow<'_, str> {
    if text.contains(['\u{fffe}', '\u{ffff}']) {
        Cow::Owned(text.replace(['\u{fffe}', '\u{ffff}'], ""))
    } else {
        Cow::Borrowed(text)
    }
}

fn utf16_units(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// The longest prefix of `text` within `max` UTF-16 units, cut between characters.
fn truncate_units(text: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &text[..i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_percentages_keep_their_text() {
        assert_eq!(shown_number(ColumnKind::Count, "116"), Some((116.0, None)));
        assert_eq!(shown_number(ColumnKind::Count, "-3"), Some((-3.0, None)));
        assert_eq!(shown_number(ColumnKind::Count, "1,234"), None);
        assert_eq!(shown_number(ColumnKind::Count, "NaN"), None);
        assert_eq!(shown_number(ColumnKind::Count, "inf"), None);
        assert_eq!(shown_number(ColumnKind::Count, "2.5"), None);
        assert_eq!(shown_number(ColumnKind::Percent, "n/a"), None);
        assert_eq!(shown_number(ColumnKind::Percent, "83.6"), None);
        let (v, d) = shown_number(ColumnKind::Percent, "83.6%").expect("a percentage");
        assert!((v - 0.836).abs() < 1e-12);
        assert_eq!(d, Some(1));
        assert_eq!(
            shown_number(ColumnKind::Percent, "100%"),
            Some((1.0, Some(0)))
        );
        assert_eq!(shown_number(ColumnKind::Percent, "1.23456%"), None);
        assert_eq!(shown_number(ColumnKind::Text, "5"), None);
    }

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("Summary"), "Summary");
        assert_eq!(names.claim("summary"), "summary (2)");
        assert_eq!(names.claim("a/b:c*d?[e]\\f"), "a-b-c-d--e--f");
        assert_eq!(names.claim("'quoted'"), "quoted");
        assert_eq!(names.claim(""), "Table");
        assert_eq!(names.claim("   "), "Table (2)");
        assert_eq!(names.claim("History"), "History table");
        let long = "x".repeat(40);
        let first = names.claim(&long);
        let second = names.claim(&long);
        assert_eq!(first, "x".repeat(31));
        assert_eq!(second, format!("{} (2)", "x".repeat(27)));
        // Emoji count as two units each.
        let emoji = names.claim(&"\u{1f600}".repeat(20));
        assert_eq!(utf16_units(&emoji), 30);
    }

    #[test]
    fn long_text_is_cut_to_excels_limit() {
        let long = "é".repeat(40_000);
        let cut = fit(&long);
        assert_eq!(utf16_units(&cut), MAX_CELL_UNITS);
        assert!(cut.ends_with('\u{2026}'));
        let emoji = "\u{1f600}".repeat(20_000);
        assert!(utf16_units(&fit(&emoji)) <= MAX_CELL_UNITS);
        assert_eq!(fit("short"), "short");
    }

    #[test]
    fn wrapped_text_asks_for_taller_rows() {
        assert_eq!(wrapped_lines("", 20.0), 1);
        assert_eq!(wrapped_lines("short", 20.0), 1);
        assert_eq!(wrapped_lines("one\ntwo", 20.0), 2);
        assert_eq!(wrapped_lines(&"word ".repeat(30), 60.0), 3);
        assert_eq!(wrapped_lines(&"x".repeat(40_000), 60.0), MAX_LINES);
    }

    #[test]
    fn header_text_doubles_ampersands() {
        assert_eq!(header_text("Brighton & Hove", 100), "Brighton && Hove");
        assert_eq!(header_text("a&b", 2), "a");
        assert_eq!(header_text("a&b", 3), "a&&");
    }

    #[test]
    fn header_text_on_pale_brand_is_dark() {
        assert_eq!(readable_on(0x1d70b8), 0xffffff);
        assert_eq!(readable_on(0xffdd00), 0x0b0c0c);
        assert_eq!(rgb("#1D70B8"), Some(0x1d70b8));
        assert_eq!(rgb("blue"), None);
    }
}
