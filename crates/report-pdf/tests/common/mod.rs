//! A report built by hand, and poppler's tools to read PDFs back as a person's reader would.

#![allow(dead_code)]

use std::io::ErrorKind;
use std::process::Command;

use waymark_domain::Status;
use waymark_report::{
    Bar, Cell, Chart, Claim, Column, ColumnKind, Document, Headline, Kind, Section, Segment, Table,
    status_label,
};

pub const DIRECTORATES: [&str; 6] = [
    "Adult Social Care",
    "Children's Services",
    "Housing",
    "Place",
    "Resources",
    "Public Health",
];

const CYCLE: [Status; 7] = [
    Status::Complete,
    Status::Green,
    Status::Green,
    Status::Amber,
    Status::Complete,
    Status::Red,
    Status::NotStarted,
];

/// About the size of Bexley's annual report: an overview with a chart, one section per
/// directorate with 25 activities each (150 rows), and a section whose table is empty.
pub fn annual(draft: bool) -> Document {
    let mut sections = Vec::new();
    let mut bars = Vec::new();
    let mut summary_rows = Vec::new();
    let mut directorate_sections = Vec::new();
    for (d, name) in DIRECTORATES.iter().enumerate() {
        let mut rows = Vec::new();
        let mut counts = [0usize; 7];
        for i in 0..25 {
            let status = CYCLE[(i + d) % CYCLE.len()];
            counts[status_index(status)] += 1;
            rows.push(vec![
                Cell::text(reference(d, i)),
                Cell::text(format!(
                    "Deliver improvement {i} for {name}, working with partners across the borough"
                )),
                Cell::status(status),
                Cell::text(format!(
                    "Commentary {d}-{i}: progress reported at the quarter end."
                )),
            ]);
        }
        let segments: Vec<Segment> = waymark_report::document::STATUS_ORDER
            .iter()
            .filter(|s| counts[status_index(**s)] > 0)
            .map(|&s| Segment {
                status: s,
                label: status_label(s),
                count: counts[status_index(s)],
            })
            .collect();
        bars.push(Bar {
            label: name.to_string(),
            segments,
            total: 25,
        });
        let on_track = counts[status_index(Status::Complete)] + counts[status_index(Status::Green)];
        summary_rows.push(vec![
            Cell::text(*name),
            Cell::count(25),
            Cell::count(on_track),
            Cell::percent(Some(on_track as f64 * 100.0 / 25.0)),
        ]);
        directorate_sections.push(Section {
            id: format!("directorate-{d}"),
            heading: name.to_string(),
            paragraphs: vec![format!(
                "{name} reported on 25 activities this year. Each row gives the activity's \
                 reference, what it is for, its status at year end and the service's commentary."
            )],
            chart: None,
            tables: vec![Table {
                id: format!("activities-{d}"),
                caption: format!("Activities: {name}"),
                sheet: format!("Dir {d}"),
                columns: vec![
                    column("Reference", ColumnKind::Text),
                    column("Activity", ColumnKind::Prose),
                    column("Status", ColumnKind::Status),
                    column("Commentary", ColumnKind::Prose),
                ],
                rows,
                empty: "No activities.".into(),
            }],
        });
    }
    sections.push(Section {
        id: "by-directorate".into(),
        heading: "Performance by directorate".into(),
        paragraphs: vec!["Every directorate's activities by status at the year end.".into()],
        chart: Some(Chart {
            title: "Activities by status and directorate".into(),
            bars,
        }),
        tables: vec![Table {
            id: "directorate-summary".into(),
            caption: "Activities complete or on track by directorate".into(),
            sheet: "Summary".into(),
            columns: vec![
                column("Directorate", ColumnKind::Text),
                column("Activities", ColumnKind::Count),
                column("Complete or Green", ColumnKind::Count),
                column("Share", ColumnKind::Percent),
            ],
            rows: summary_rows,
            empty: "No directorate reported.".into(),
        }],
    });
    sections.extend(directorate_sections);
    for (n, heading) in ["Red activities", "Missing returns", "Data quality"]
        .iter()
        .enumerate()
    {
        sections.push(Section {
            id: format!("extra-{n}"),
            heading: heading.to_string(),
            paragraphs: vec![format!("About {heading}.")],
            chart: None,
            tables: vec![Table {
                id: format!("extra-{n}"),
                caption: heading.to_string(),
                sheet: heading.to_string(),
                columns: vec![column("Reference", ColumnKind::Text)],
                rows: Vec::new(),
                empty: format!("Nothing to show under {heading}."),
            }],
        });
    }
    Document {
        kind: Kind::Annual,
        title: "Annual performance report 2024/25".into(),
        council: "London Borough of Bexley".into(),
        period: "2024/25 Q4 (year end)".into(),
        subject: None,
        draft,
        generated: "24 November 2026".into(),
        introduction: vec![
            "This report sets out how the council performed against its plan.".into(),
        ],
        headline: Some(Headline {
            figure: "97 of 116 (83.6%)".into(),
            numerator: 97,
            denominator: 116,
            percent: Some(83.6),
            label: "activities complete or on track".into(),
            rule: "(Complete + Green) divided by all activities with a return".into(),
            claims: vec![
                Claim {
                    text: "84% of our activities are on track".into(),
                    checked: true,
                    consistent: true,
                    note: "rounds to the same figure".into(),
                },
                Claim {
                    text: "90% delivered".into(),
                    checked: true,
                    consistent: false,
                    note: "the returns give 83.6%".into(),
                },
            ],
        }),
        sections,
    }
}

/// A one-page report.
pub fn short(title: &str) -> Document {
    Document {
        kind: Kind::Exceptions,
        title: title.into(),
        council: "London Borough of Bexley".into(),
        period: "2024/25 Q2".into(),
        subject: None,
        draft: false,
        generated: "1 October 2026".into(),
        introduction: Vec::new(),
        headline: None,
        sections: vec![Section {
            id: "red".into(),
            heading: "Red activities".into(),
            paragraphs: Vec::new(),
            chart: None,
            tables: vec![Table {
                id: "red".into(),
                caption: "Red activities".into(),
                sheet: "Red".into(),
                columns: vec![
                    column("Reference", ColumnKind::Text),
                    column("Status", ColumnKind::Status),
                ],
                rows: vec![vec![Cell::text("RES-01"), Cell::status(Status::Red)]],
                empty: "No activity was Red.".into(),
            }],
        }],
    }
}

pub fn reference(directorate: usize, i: usize) -> String {
    format!("BX{directorate}-{:03}", i + 1)
}

fn column(heading: &str, kind: ColumnKind) -> Column {
    Column {
        heading: heading.into(),
        kind,
    }
}

fn status_index(status: Status) -> usize {
    waymark_report::document::STATUS_ORDER
        .iter()
        .position(|s| *s == status)
        .expect("every status is in the order")
}

/// Runs one of poppler's tools, failing with how to install it when it is missing.
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let output = match Command::new(tool).args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "{tool} is not installed; these tests read PDFs back with poppler's tools: \
             apt-get install poppler-utils"
        ),
        Err(e) => panic!("{tool} could not run: {e}"),
    };
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

/// Writes the PDF to a temporary file for poppler to read.
pub struct PdfFile {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl PdfFile {
    pub fn new(bytes: &[u8]) -> PdfFile {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("report.pdf");
        std::fs::write(&path, bytes).expect("PDF written");
        PdfFile { _dir: dir, path }
    }

    pub fn path(&self) -> &str {
        self.path.to_str().expect("temporary paths are UTF-8")
    }

    /// The text of every page (or of one page), with runs of white space made single spaces
    /// so that wrapped lines still match.
    pub fn text(&self) -> String {
        squash(&poppler("pdftotext", &["-enc", "UTF-8", self.path(), "-"]))
    }

    pub fn page_text(&self, page: usize) -> String {
        let page = page.to_string();
        squash(&poppler(
            "pdftotext",
            &["-enc", "UTF-8", "-f", &page, "-l", &page, self.path(), "-"],
        ))
    }

    pub fn info(&self) -> String {
        poppler("pdfinfo", &[self.path()])
    }

    pub fn pages(&self) -> usize {
        self.info()
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("pdfinfo gives a page count")
    }

    /// pdffonts' table as (name, type, embedded) per font. Read from the right, where the
    /// columns are single words (emb sub uni object-number generation), as names may be long.
    pub fn fonts(&self) -> Vec<(String, String, bool)> {
        let out = poppler("pdffonts", &[self.path()]);
        out.lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                assert!(words.len() >= 7, "unexpected pdffonts line: {l}");
                let n = words.len();
                // name, type words…, encoding, emb, sub, uni, object, generation
                let kind = words[1..n - 6].join(" ");
                (words[0].to_string(), kind, words[n - 5] == "yes")
            })
            .collect()
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
