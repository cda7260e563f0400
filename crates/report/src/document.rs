//! A report laid out for reading: a title, a headline, then sections of paragraphs, a chart and
//! tables. Every kind of report (annual, exceptions, portfolio) is built into this one shape,
//! and every format (HTML, Markdown, PDF, XLSX, DOCX, CSV) renders this shape, so a table
//! added to a report appears in every format at once.

use serde::Serialize;
use waymark_domain::Status;

/// Which report this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The year's performance for residents and councillors.
    Annual,
    /// Amber, Red, overdue and missing returns for Cabinet and scrutiny.
    Exceptions,
    /// One cabinet member's activities.
    Portfolio,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Annual, Kind::Exceptions, Kind::Portfolio];

    /// The word used on the command line and in file names.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Annual => "annual",
            Kind::Exceptions => "exceptions",
            Kind::Portfolio => "portfolio",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub kind: Kind,
    /// "Annual performance report 2024/25"
    pub title: String,
    pub council: String,
    /// The period reported, as people write it: "2024/25 Q4 (year end)".
    pub period: String,
    /// The portfolio of a portfolio report.
    pub subject: Option<String>,
    /// Built from returns not yet published (the staff site): every format says DRAFT on
    /// every page.
    pub draft: bool,
    /// The day the report was made, "24 November 2026".
    pub generated: String,
    pub introduction: Vec<String>,
    pub headline: Option<Headline>,
    pub sections: Vec<Section>,
}

/// The headline figure with the rule that produced it and the council's own published claims
/// checked against it.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    /// "97 of 116 (83.6%)"
    pub figure: String,
    pub numerator: usize,
    pub denominator: usize,
    pub percent: Option<f64>,
    /// "activities complete or on track"
    pub label: String,
    /// How it is counted, in words.
    pub rule: String,
    pub claims: Vec<Claim>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    pub text: String,
    /// False for a claim published as stated, with no rows to check it against.
    pub checked: bool,
    pub consistent: bool,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// A stable anchor ("by-directorate"): contents links and bookmarks use it.
    pub id: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub chart: Option<Chart>,
    pub tables: Vec<Table>,
}

/// Stacked bars of status counts, one bar per group. Always shown beside a table holding the
/// same numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub title: String,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    /// Counts in the report's status order, zeros left out.
    pub segments: Vec<Segment>,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub status: Status,
    pub label: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub id: String,
    pub caption: String,
    /// A short name for a spreadsheet tab (at most 31 characters, none of `[]:*?/\`), unique
    /// within the document.
    pub sheet: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Said instead of an empty table ("No activity was Red.").
    pub empty: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub heading: String,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Short text: references, names.
    Text,
    /// Long text: titles, commentary (wraps; wider in spreadsheets).
    Prose,
    /// A whole number.
    Count,
    /// A share, 0–100, one decimal.
    Percent,
    /// A RAG status.
    Status,
}

/// One cell: the text every format shows, with the number or status behind it where there is
/// one (spreadsheets keep numbers as numbers and colour statuses).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub text: String,
    pub number: Option<f64>,
    pub status: Option<Status>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            number: None,
            status: None,
        }
    }

    pub fn count(n: usize) -> Cell {
        Cell {
            text: n.to_string(),
            number: Some(n as f64),
            status: None,
        }
    }

    /// A share shown to one decimal place; blank when there is nothing to divide by.
    pub fn percent(p: Option<f64>) -> Cell {
        Cell {
            text: p.map_or_else(|| "n/a".to_string(), |p| format!("{p:.1}%")),
            number: p,
            status: None,
        }
    }

    pub fn status(status: Status) -> Cell {
        Cell {
            text: status_label(status).to_string(),
            number: None,
            status: Some(status),
        }
    }
}

/// The order statuses appear in tables and charts.
pub const STATUS_ORDER: [Status; 7] = [
    Status::Complete,
    Status::Green,
    Status::Amber,
    Status::Red,
    Status::Ceased,
    Status::NotStarted,
    Status::NoReturn,
];

/// A status in one or two words, as reports print it.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Complete => "Complete",
        Status::Green => "Green",
        Status::Amber => "Amber",
        Status::Red => "Red",
        Status::Ceased => "Ceased",
        Status::NotStarted => "Not started",
        Status::NoReturn => "No return",
    }
}

/// Fill colours for statuses in charts and spreadsheet cells, each at least 3:1 against white
/// (WCAG 1.4.11), and the text colour that reads on it at 4.5:1.
pub fn status_colours(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Complete => ("#1d70b8", "#ffffff"),
        Status::Green => ("#00703c", "#ffffff"),
        Status::Amber => ("#b45309", "#ffffff"),
        Status::Red => ("#d4351c", "#ffffff"),
        Status::Ceased => ("#505a5f", "#ffffff"),
        Status::NotStarted => ("#4c2c92", "#ffffff"),
        Status::NoReturn => ("#0b0c0c", "#ffffff"),
    }
}

impl Document {
    /// Every table in the document, in order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.sections.iter().flat_map(|s| s.tables.iter())
    }

    /// A file name for this report in a format: "bexley-annual-2024-25-q4.pdf".
    pub fn file_name(&self, council_slug: &str, period_slug: &str, extension: &str) -> String {
        let draft = if self.draft { "-draft" } else { "" };
        let subject = self
            .subject
            .as_deref()
            .map(|s| format!("-{}", slug(s)))
            .unwrap_or_default();
        format!(
            "{council_slug}-{}{subject}-{period_slug}{draft}.{extension}",
            self.kind.key()
        )
    }
}

/// Lower-case letters and digits joined by single hyphens.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "report".into() } else { out }
}

/// A small document touching every part of the shape: council templates are tried on it when
/// they are loaded, and renderers' tests use it.
pub fn sample() -> Document {
    let table = Table {
        id: "sample-table".into(),
        caption: "Activities".into(),
        sheet: "Activities".into(),
        columns: vec![
            Column {
                heading: "Ref".into(),
                kind: ColumnKind::Text,
            },
            Column {
                heading: "Activity".into(),
                kind: ColumnKind::Prose,
            },
            Column {
                heading: "Status".into(),
                kind: ColumnKind::Status,
            },
            Column {
                heading: "Returns".into(),
                kind: ColumnKind::Count,
            },
            Column {
                heading: "Share".into(),
                kind: ColumnKind::Percent,
            },
        ],
        rows: vec![
            vec![
                Cell::text("1.1"),
                Cell::text("Open the new library"),
                Cell::status(Status::Green),
                Cell::count(4),
                Cell::percent(Some(75.0)),
            ],
            vec![
                Cell::text("1.2"),
                Cell::text("Resurface the high street"),
                Cell::status(Status::Red),
                Cell::count(2),
                Cell::percent(None),
            ],
        ],
        empty: "Nothing.".into(),
    };
    Document {
        kind: Kind::Exceptions,
        title: "Exception report 2024/25 Q2".into(),
        council: "Example Council".into(),
        period: "2024/25 Q2".into(),
        subject: None,
        draft: true,
        generated: "1 October 2024".into(),
        introduction: vec!["What needs attention.".into()],
        headline: Some(Headline {
            figure: "1 of 2 (50.0%)".into(),
            numerator: 1,
            denominator: 2,
            percent: Some(50.0),
            label: "activities complete or on track".into(),
            rule: "(Complete + Green) ÷ all activities reported in the period".into(),
            claims: vec![Claim {
                text: "Half of our activities are on track.".into(),
                checked: true,
                consistent: true,
                note: "50% published; 1 of 2 = 50.0%".into(),
            }],
        }),
        sections: vec![Section {
            id: "status".into(),
            heading: "Status".into(),
            paragraphs: vec!["Two activities.".into()],
            chart: Some(Chart {
                title: "Status of activities".into(),
                bars: vec![Bar {
                    label: "All".into(),
                    segments: vec![
                        Segment {
                            status: Status::Green,
                            label: "Green",
                            count: 1,
                        },
                        Segment {
                            status: Status::Red,
                            label: "Red",
                            count: 1,
                        },
                    ],
                    total: 2,
                }],
            }),
            tables: vec![table],
        }],
    }
}
