//! Spreadsheet templates in exactly the shape this crate's importer reads back: a council's
//! plan, indicators or a period's returns as a workbook (one sheet for the table, a "Notes"
//! sheet explaining each column, drop-downs on the status, polarity and direction columns) or
//! as CSV (a header row, the same columns).
//!
//! The headers are words the layout pipeline knows (`layout::roles`), so `waymark import
//! --kind auto` reads a filled-in template with no mapping file; the tests prove each header's
//! role and that a written template reads back to the same rows. Given no rows, a template is
//! blank: headers only.
//!
//! ```
//! use waymark_domain::template::TemplateData;
//! use waymark_import::template::{template, Format, TemplateKind};
//!
//! let blank = template(TemplateKind::Plan, Format::Csv, &TemplateData::default()).unwrap();
//! assert_eq!(blank, b"Reference,Activity,Directorate,Portfolio,Due date\r\n");
//! ```

use crate::error::ImportError;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DocProperties, Format as CellFormat, FormatAlign,
    Formula, Workbook, Worksheet, XlsxError,
};
use waymark_domain::template::{DIRECTIONS, POLARITIES, TemplateData};

/// Which table a template holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// The action plan: an activity per row with its reference, directorate, portfolios and
    /// due date.
    Plan,
    /// Indicator values, one row per indicator and period (a long table).
    Indicators,
    /// One period's returns: each activity's status and commentary.
    Returns,
}

impl TemplateKind {
    /// The name used on the command line and in file names.
    pub fn key(self) -> &'static str {
        match self {
            TemplateKind::Plan => "plan",
            TemplateKind::Indicators => "indicators",
            TemplateKind::Returns => "returns",
        }
    }

    /// The data sheet's name.
    pub fn sheet(self) -> &'static str {
        match self {
            TemplateKind::Plan => "Plan",
            TemplateKind::Indicators => "Indicators",
            TemplateKind::Returns => "Returns",
        }
    }

    /// The columns, in order, with what each holds (the Notes sheet says this).
    pub fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            TemplateKind::Plan => &PLAN,
            TemplateKind::Indicators => &INDICATORS,
            TemplateKind::Returns => &RETURNS,
        }
    }
}

/// The file format of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// The media type to serve the file with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The name of the sheet explaining the columns; the importer passes over sheets so named.
pub const NOTES_SHEET: &str = "Notes";

const PLAN: [(&str, &str); 5] = [
    (
        "Reference",
        "The activity's reference, as the plan numbers it. Returns and later plans find the activity by it.",
    ),
    ("Activity", "What will be done, in the plan's words."),
    (
        "Directorate",
        "The directorate that leads the activity, as the council names it.",
    ),
    (
        "Portfolio",
        "The cabinet portfolio it reports to; separate several with a semicolon (;).",
    ),
    (
        "Due date",
        "When it is due, as the plan says it: a date, a month, a quarter (Q4 2025 to 2026), a year (2025/26) or Ongoing.",
    ),
];

const RETURNS: [(&str, &str); 6] = [
    (
        "Reference",
        "The activity's reference in the plan: the return is filed against that activity.",
    ),
    (
        "Activity",
        "The activity's title (read to link a row that has no reference).",
    ),
    ("Directorate", "The directorate making the return."),
    (
        "Period",
        "The reporting quarter, such as 2025/26 Q3; the same on every row of the file.",
    ),
    (
        "Status",
        "The status, chosen from the council's labels (the drop-down lists them). Leave it empty when no return was made.",
    ),
    (
        "Commentary",
        "What happened this quarter, in a sentence or a few.",
    ),
];

const INDICATORS: [(&str, &str); 9] = [
    (
        "Reference",
        "The indicator's reference (its code). Rows with the same reference are one indicator.",
    ),
    ("Indicator", "The indicator's name."),
    (
        "Polarity",
        "Whether higher or lower values are better (the drop-down offers both).",
    ),
    (
        "Unit",
        "percent, number, currency or days: what the value counts when it is written without a sign.",
    ),
    (
        "Period",
        "The period of the value: a year (2025/26) for an annual outturn, a quarter (2025/26 Q3) for a quarter's value.",
    ),
    (
        "Value",
        "The value as published, such as 89.02%, 20,843 or N/A.",
    ),
    ("Target", "The target the value is measured against."),
    (
        "RAG",
        "The rating given to the value: Red, Amber or Green, or the council's own words.",
    ),
    (
        "Direction of travel",
        "Whether the value rose or fell since the period before (the drop-down offers the usual words).",
    ),
];

/// The rows of one template kind, as text in its columns' order.
pub fn rows(kind: TemplateKind, data: &TemplateData) -> Vec<Vec<String>> {
    match kind {
        TemplateKind::Plan => data
            .plan
            .iter()
            .map(|l| {
                vec![
                    l.reference.clone(),
                    l.activity.clone(),
                    l.directorate.clone(),
                    l.portfolios.join("; "),
                    l.due.clone(),
                ]
            })
            .collect(),
        TemplateKind::Returns => data
            .returns
            .iter()
            .map(|l| {
                vec![
                    l.reference.clone(),
                    l.activity.clone(),
                    l.directorate.clone(),
                    l.period.to_string(),
                    l.status.clone(),
                    l.commentary.clone(),
                ]
            })
            .collect(),
        TemplateKind::Indicators => data
            .indicators
            .iter()
            .map(|l| {
                vec![
                    l.reference.clone(),
                    l.indicator.clone(),
                    l.polarity.clone(),
                    l.unit.clone(),
                    l.period.clone(),
                    l.value.clone(),
                    l.target.clone(),
                    l.rating.clone(),
                    l.direction.clone(),
                ]
            })
            .collect(),
    }
}

/// A template of `kind` in `format`, filled with `data` (blank when it holds no rows of that
/// kind). The staff site serves these bytes as a download with `format.content_type()`.
pub fn template(
    kind: TemplateKind,
    format: Format,
    data: &TemplateData,
) -> Result<Vec<u8>, ImportError> {
    let rows = rows(kind, data);
    match format {
        Format::Csv => Ok(csv(kind, &rows)),
        Format::Xlsx => xlsx(kind, &rows, data).map_err(|e| {
            ImportError::new(
                format!("{}.xlsx", kind.key()),
                format!("could not write the workbook: {e}"),
            )
        }),
    }
}

/// RFC 4180: a header row, CRLF line ends, fields quoted when they hold a separator, a quote
/// or a line break. Cells are written as they are, so the file reads back identically; one
/// that begins with `=` or `@` gets a leading apostrophe so a spreadsheet never runs it.
fn csv(kind: TemplateKind, rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::new();
    let header: Vec<String> = kind.columns().iter().map(|(h, _)| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn csv_field(text: &str) -> String {
    // A spreadsheet opening the CSV would run a cell starting with one of these as a formula;
    // a figure ("-5", "+2.1%") stays as it is. The CSV reader takes the apostrophe off again.
    let figure = text
        .trim_end_matches('%')
        .replace(',', "")
        .parse::<f64>()
        .is_ok();
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !figure {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Excel refuses longer text in one cell (counted in UTF-16 units).
const MAX_CELL_UNITS: usize = 32_767;
/// Excel's limit for a literal drop-down list.
const MAX_LIST_CHARS: usize = 255;
/// The rows a drop-down covers: every row of the sheet under the header.
const LAST_ROW: u32 = 1_048_575;

fn xlsx(
    kind: TemplateKind,
    rows: &[Vec<String>],
    data: &TemplateData,
) -> Result<Vec<u8>, XlsxError> {
    let header = CellFormat::new().set_bold().set_text_wrap();
    let wrap = CellFormat::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Waymark {} template", kind.key()))
            .set_category(kind.key()),
    );

    let mut sheet = Worksheet::new();
    sheet.set_name(kind.sheet())?;
    for (c, (name, _)) in kind.columns().iter().enumerate() {
        let c = col(c);
        sheet.write_string_with_format(0, c, *name, &header)?;
        sheet.set_column_width(c, width(name))?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, text) in row.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            if text.encode_utf16().count() > MAX_CELL_UNITS {
                return Err(XlsxError::MaxStringLengthExceeded);
            }
            // Always text: a cell starting with `=` stays text and never becomes a formula.
            sheet.write_string_with_format(r, col(c), text, &wrap)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;

    let mut notes = Worksheet::new();
    notes.set_name(NOTES_SHEET)?;
    notes.set_column_width(0, 24)?;
    notes.set_column_width(1, 90)?;
    notes.write_string_with_format(
        0,
        0,
        format!("How to fill in the {} sheet", kind.sheet()),
        &header,
    )?;
    notes.write_string(
        1,
        0,
        "Waymark reads this workbook back with waymark import; keep the header row as it is. This sheet is passed over.",
    )?;
    notes.write_string_with_format(3, 0, "Column", &header)?;
    notes.write_string_with_format(3, 1, "What to write in it", &header)?;
    let mut at = 4u32;
    for (name, meaning) in kind.columns() {
        notes.write_string(at, 0, *name)?;
        notes.write_string_with_format(at, 1, *meaning, &wrap)?;
        at += 1;
    }

    let index = |name: &str| kind.columns().iter().position(|(h, _)| *h == name).map(col);
    let mut lists: Vec<(u16, &str, Vec<String>)> = vec![];
    match kind {
        TemplateKind::Returns => {
            if let Some(c) = index("Status") {
                lists.push((c, "Status labels", data.status_labels.clone()));
            }
        }
        TemplateKind::Indicators => {
            if let Some(c) = index("Polarity") {
                lists.push((
                    c,
                    "Polarities",
                    POLARITIES.iter().map(|s| s.to_string()).collect(),
                ));
            }
            if let Some(c) = index("Direction of travel") {
                lists.push((
                    c,
                    "Directions of travel",
                    DIRECTIONS.iter().map(|s| s.to_string()).collect(),
                ));
            }
        }
        TemplateKind::Plan => {}
    }
    for (c, title, list) in &lists {
        let list: Vec<&String> = list.iter().filter(|l| !l.trim().is_empty()).collect();
        if list.is_empty() {
            continue;
        }
        // The list also goes on the Notes sheet: people read it there, and a list too long
        // (or with commas) for Excel's literal form is referred to there.
        at += 1;
        notes.write_string_with_format(at, 0, *title, &header)?;
        let first = at + 1;
        for label in &list {
            at += 1;
            notes.write_string(at, 0, label.as_str())?;
        }
        let literal = list.iter().all(|l| !l.contains([',', '"']))
            && list.iter().map(|l| l.chars().count() + 1).sum::<usize>() <= MAX_LIST_CHARS + 1;
        let validation = if literal {
            DataValidation::new().allow_list_strings(&list)?
        } else {
            DataValidation::new().allow_list_formula(Formula::new(format!(
                "={NOTES_SHEET}!$A${}:$A${}",
                first + 1,
                at + 1
            )))
        };
        let validation = validation
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title(title.to_string())?
            .set_error_message(
                "This is not one of the listed words. Waymark keeps it as written; a status label it cannot read counts as no return.",
            )?;
        sheet.add_data_validation(1, *c, LAST_ROW, *c, &validation)?;
    }

    workbook.push_worksheet(sheet);
    workbook.push_worksheet(notes);
    workbook.save_to_buffer()
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn width(header: &str) -> f64 {
    match header {
        "Activity" | "Indicator" => 60.0,
        "Commentary" => 80.0,
        "Directorate" | "Portfolio" => 28.0,
        _ => 16.0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::layout::roles::{Role, header_roles};
    use crate::{Mapping, Vocabulary};
    use waymark_domain::template::{IndicatorLine, PlanLine, ReturnLine};
    use waymark_domain::{Document, Period, Status};

    fn role(header: &str) -> Option<Role> {
        header_roles(header, &[]).first().map(|(r, _)| *r)
    }

    #[test]
    fn every_header_is_a_word_the_importer_knows() {
        let expected = [
            ("Reference", Role::Reference),
            ("Activity", Role::Title),
            ("Indicator", Role::Measure),
            ("Directorate", Role::Directorate),
            ("Portfolio", Role::Portfolio),
            ("Due date", Role::Due),
            ("Period", Role::Period),
            ("Status", Role::Status),
            ("Commentary", Role::Commentary),
            ("Polarity", Role::Polarity),
            ("Unit", Role::Unit),
            ("Value", Role::Value),
            ("Target", Role::Target),
            ("RAG", Role::Status),
            ("Direction of travel", Role::Direction),
        ];
        for kind in [
            TemplateKind::Plan,
            TemplateKind::Indicators,
            TemplateKind::Returns,
        ] {
            for (header, _) in kind.columns() {
                let want = expected.iter().find(|(h, _)| h == header).map(|(_, r)| *r);
                assert!(want.is_some(), "{header} has no expected role");
                assert_eq!(role(header), want, "{header}");
            }
        }
    }

    fn data() -> TemplateData {
        let period: Period = "2025/26 Q2".parse().unwrap();
        TemplateData {
            status_labels: vec![
                "Complete".into(),
                "Progressing to Plan".into(),
                "Some Problems".into(),
            ],
            plan: vec![
                PlanLine {
                    reference: "1".into(),
                    activity: "Open the new library, with a café".into(),
                    directorate: "Place".into(),
                    portfolios: vec!["Growth".into(), "Communities".into()],
                    due: "Q4 2025 to 2026".into(),
                },
                PlanLine {
                    reference: "2".into(),
                    activity: "Review \"parks\" byelaws".into(),
                    directorate: "Place".into(),
                    portfolios: vec![],
                    due: "Ongoing".into(),
                },
            ],
            returns: vec![
                ReturnLine {
                    reference: "1".into(),
                    activity: "Open the new library, with a café".into(),
                    directorate: "Place".into(),
                    period,
                    status: "Progressing to Plan".into(),
                    commentary: "Fit-out started.\nOpening in spring.".into(),
                },
                ReturnLine {
                    reference: "2".into(),
                    activity: "Review \"parks\" byelaws".into(),
                    directorate: "Place".into(),
                    period,
                    status: "Some Problems".into(),
                    commentary: "Consultation delayed".into(),
                },
            ],
            returns_period: Some(period),
            indicators: vec![
                IndicatorLine {
                    reference: "KPI 1".into(),
                    indicator: "Household waste recycled".into(),
                    polarity: "Higher is better".into(),
                    unit: "percent".into(),
                    period: "2024/25".into(),
                    value: "41.2%".into(),
                    ..IndicatorLine::default()
                },
                IndicatorLine {
                    reference: "KPI 1".into(),
                    indicator: "Household waste recycled".into(),
                    polarity: "Higher is better".into(),
                    unit: "percent".into(),
                    period: "2025/26 Q1".into(),
                    value: "43.0%".into(),
                    target: "45%".into(),
                    rating: "Amber".into(),
                    direction: "increase".into(),
                },
            ],
        }
    }

    fn vocab() -> Vocabulary {
        Vocabulary::from_toml(
            "v.toml",
            "[statuses]\n\"Progressing to Plan\" = \"green\"\n\"Some Problems\" = \"amber\"\n",
        )
        .unwrap()
    }

    fn read_back(kind: TemplateKind, format: Format) -> Vec<Document> {
        let bytes = template(kind, format, &data()).unwrap();
        let name = format!("{}.{}", kind.key(), format.extension());
        crate::read(&name, &bytes, None, &vocab(), &Mapping::default())
            .unwrap()
            .documents
    }

    #[test]
    fn a_filled_plan_reads_back() {
        for format in [Format::Xlsx, Format::Csv] {
            let docs = read_back(TemplateKind::Plan, format);
            let [Document::ActionPlan(plan)] = docs.as_slice() else {
                panic!("{format:?}: {docs:?}");
            };
            assert_eq!(plan.activities.len(), 2);
            let a = &plan.activities[0];
            assert_eq!(a.reference.as_deref(), Some("1"));
            assert_eq!(a.title, "Open the new library, with a café");
            assert_eq!(a.portfolios, vec!["Growth", "Communities"]);
            assert_eq!(a.directorate, "Place");
            assert!(a.extras.is_empty(), "{:?}", a.extras);
            assert_eq!(plan.activities[1].title, "Review \"parks\" byelaws");
        }
    }

    #[test]
    fn filled_returns_read_back_with_their_period() {
        for format in [Format::Xlsx, Format::Csv] {
            let docs = read_back(TemplateKind::Returns, format);
            let [Document::ActivityReport(report)] = docs.as_slice() else {
                panic!("{format:?}: {docs:?}");
            };
            assert_eq!(report.period, "2025/26 Q2".parse::<Period>().unwrap());
            assert_eq!(report.rows.len(), 2);
            assert_eq!(report.rows[0].status, Status::Green);
            assert_eq!(report.rows[0].status_label, "Progressing to Plan");
            assert_eq!(
                report.rows[0].note.as_deref(),
                Some("Fit-out started.\nOpening in spring.")
            );
            assert_eq!(report.rows[1].status, Status::Amber);
            assert!(
                report.rows[0].extras.is_empty(),
                "{:?}",
                report.rows[0].extras
            );
        }
    }

    #[test]
    fn filled_indicators_read_back_long() {
        for format in [Format::Xlsx, Format::Csv] {
            let docs = read_back(TemplateKind::Indicators, format);
            let [Document::KpiTable(table)] = docs.as_slice() else {
                panic!("{format:?}: {docs:?}");
            };
            assert_eq!(table.rows.len(), 1);
            let row = &table.rows[0];
            assert_eq!(row.reference, "KPI 1");
            assert_eq!(row.polarity.as_deref(), Some("Higher is better"));
            assert_eq!(row.direction.as_deref(), Some("increase"));
            assert!(row.extras.is_empty(), "{:?}", row.extras);
            assert_eq!(row.outturns.len(), 2);
            assert_eq!(row.outturns[0].text, "41.2%");
            assert_eq!(row.outturns[0].period, None);
            assert_eq!(row.outturns[1].target.as_deref(), Some("45%"));
            assert_eq!(row.outturns[1].rag_label.as_deref(), Some("Amber"));
        }
    }

    #[test]
    fn the_workbook_has_a_notes_sheet_and_drop_downs() {
        let bytes = template(TemplateKind::Returns, Format::Xlsx, &data()).unwrap();
        let book = waymark_read::read("returns.xlsx", &bytes).unwrap();
        let names: Vec<_> = book.parts.iter().filter_map(|p| p.name.clone()).collect();
        assert_eq!(names, vec!["Returns", "Notes"]);
        let blank = template(
            TemplateKind::Indicators,
            Format::Xlsx,
            &TemplateData::default(),
        );
        assert!(blank.is_ok());
    }

    #[test]
    fn csv_quotes_what_it_must_and_defuses_formulas() {
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("-3%"), "-3%");
    }
}
