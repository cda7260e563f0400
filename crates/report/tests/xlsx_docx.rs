//! The spreadsheet and Word renderers, read back: the XLSX with calamine and by its XML parts,
//! the DOCX with docx-rs's reader and by its XML parts.

use std::io::{Cursor, Read};
use std::time::Instant;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use waymark_domain::Status;
use waymark_report::document::STATUS_ORDER;
use waymark_report::{
    Bar, Brand, Cell, Chart, Claim, Column, ColumnKind, Document, FontFile, Headline, Kind,
    Section, Segment, Table, status_colours, status_label,
};

const FORMULA: &str = "=HYPERLINK(\"http://x\")";

fn col(heading: &str, kind: ColumnKind) -> Column {
    Column {
        heading: heading.into(),
        kind,
    }
}

fn bar(label: &str, counts: &[(Status, usize)]) -> Bar {
    Bar {
        label: label.into(),
        segments: counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|&(status, count)| Segment {
                status,
                label: status_label(status),
                count,
            })
            .collect(),
        total: counts.iter().map(|(_, n)| n).sum(),
    }
}

fn long_prose() -> String {
    let mut s = String::new();
    while s.len() < 40_000 {
        s.push_str("The service reviewed every commissioned contract this quarter. ");
    }
    s
}

/// A report with every kind of column, a chart, hostile text and sheet names to guard.
fn sample(draft: bool, directorate_rows: usize) -> Document {
    let directorates: Vec<Vec<Cell>> = (0..directorate_rows)
        .map(|i| {
            let total = 10 + i % 17;
            let done = total - i % 5;
            vec![
                Cell::text(format!("Directorate {i}")),
                Cell::count(total),
                Cell::percent(Some(done as f64 * 100.0 / total as f64)),
                Cell::status(STATUS_ORDER[i % STATUS_ORDER.len()]),
                Cell::text(format!(
                    "Commentary for directorate {i}, with detail & notes."
                )),
            ]
        })
        .collect();
    let mut hostile = vec![
        vec![
            Cell::text("ACT-1"),
            Cell::text(FORMULA),
            Cell::status(Status::Red),
            Cell::text("+44 20 7946 0000"),
            Cell::percent(None),
        ],
        vec![
            Cell::text("ACT-2"),
            Cell::text("<script>alert('x')</script> & <b>bold</b>"),
            Cell::status(Status::Amber),
            Cell::text("-5 days late"),
            Cell::percent(Some(12.25)),
        ],
        vec![
            Cell::text("ACT-3"),
            Cell::text("Road safety \u{1f6a6} \u{2705} caf\u{e9} \u{201c}quoted\u{201d}"),
            Cell::status(Status::NoReturn),
            Cell::text("@SUM(A1:A2)"),
            Cell::percent(Some(0.0)),
        ],
        vec![
            Cell::text("ACT-4"),
            Cell::text(long_prose()),
            Cell::status(Status::NotStarted),
            Cell::text("First line\nSecond line"),
            Cell::percent(Some(100.0)),
        ],
    ];
    for (i, &s) in STATUS_ORDER.iter().enumerate() {
        hostile.push(vec![
            Cell::text(format!("ST-{i}")),
            Cell::text(format!("An activity that is {}", status_label(s))),
            Cell::status(s),
            Cell::text(""),
            Cell::percent(Some(50.0)),
        ]);
    }
    Document {
        kind: Kind::Annual,
        title: "Annual performance report 2024/25".into(),
        council: "Brighton & Hove City Council".into(),
        period: "2024/25 Q4 (year end)".into(),
        subject: None,
        draft,
        generated: "24 November 2026".into(),
        introduction: vec![
            "This report sets out how the council performed against its plan.".into(),
            "<script>alert(1)</script> should stay text.".into(),
        ],
        headline: Some(Headline {
            figure: "97 of 116 (83.6%)".into(),
            numerator: 97,
            denominator: 116,
            percent: Some(83.6),
            label: "activities complete or on track".into(),
            rule: "Complete and Green count; Ceased activities are left out.".into(),
            claims: vec![
                Claim {
                    text: "Over four in five activities on track".into(),
                    checked: true,
                    consistent: true,
                    note: String::new(),
                },
                Claim {
                    text: "Nine in ten activities on track".into(),
                    checked: true,
                    consistent: false,
                    note: "the figures show 83.6%".into(),
                },
            ],
        }),
        sections: vec![
            Section {
                id: "by-directorate".into(),
                heading: "By directorate".into(),
                paragraphs: vec!["Each directorate's activities by status.".into()],
                chart: Some(Chart {
                    title: "Activities by status in each directorate".into(),
                    bars: vec![
                        bar(
                            "Adults & Health",
                            &[(Status::Complete, 4), (Status::Green, 10), (Status::Red, 2)],
                        ),
                        bar(
                            "Children's Services",
                            &[
                                (Status::Green, 7),
                                (Status::Amber, 3),
                                (Status::NoReturn, 1),
                            ],
                        ),
                        bar(FORMULA, &[(Status::Green, 1)]),
                    ],
                }),
                tables: vec![Table {
                    id: "directorates".into(),
                    caption: "Activities by directorate".into(),
                    sheet: "By directorate".into(),
                    columns: vec![
                        col("Directorate", ColumnKind::Text),
                        col("Activities", ColumnKind::Count),
                        col("Complete or on track", ColumnKind::Percent),
                        col("Status", ColumnKind::Status),
                        col("Commentary", ColumnKind::Prose),
                    ],
                    rows: directorates,
                    empty: "No directorate has activities.".into(),
                }],
            },
            Section {
                id: "exceptions".into(),
                heading: "Exceptions & risks".into(),
                paragraphs: vec![
                    "Activities that are Amber, Red or without a return.".into(),
                    FORMULA.into(),
                ],
                chart: None,
                tables: vec![
                    Table {
                        id: "exceptions".into(),
                        caption: "Activities needing attention".into(),
                        sheet: "Exceptions".into(),
                        columns: vec![
                            col("Ref", ColumnKind::Text),
                            col("Activity", ColumnKind::Prose),
                            col("Status", ColumnKind::Status),
                            col("Contact", ColumnKind::Text),
                            col("Done", ColumnKind::Percent),
                        ],
                        rows: hostile,
                        empty: "No activity needs attention.".into(),
                    },
                    Table {
                        id: "red".into(),
                        caption: "Red activities".into(),
                        // Broken on purpose: the writer must still make a legal, unique name.
                        sheet: "exceptions".into(),
                        columns: vec![
                            col("Ref", ColumnKind::Text),
                            col("Activity", ColumnKind::Prose),
                        ],
                        rows: vec![],
                        empty: "No activity was Red.".into(),
                    },
                ],
            },
            Section {
                id: "missing".into(),
                heading: "Missing returns".into(),
                paragraphs: vec![],
                chart: None,
                tables: vec![Table {
                    id: "missing".into(),
                    caption: "Returns not made".into(),
                    sheet: "Missing: returns / overdue [Q4] and more words".into(),
                    columns: vec![
                        col("Ref", ColumnKind::Text),
                        col("Days overdue", ColumnKind::Count),
                    ],
                    rows: vec![
                        vec![Cell::text("ACT-9"), Cell::count(14)],
                        vec![Cell::text("ACT-10"), Cell::count(0)],
                    ],
                    empty: "Every return was made.".into(),
                }],
            },
        ],
    }
}

fn brand() -> Brand {
    Brand {
        colour: "#6b2c91".into(),
        logo: None,
        font: None,
    }
}

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("a part");
        let name = file.name().expect("a part name").to_string();
        let mut text = String::new();
        if file.read_to_string(&mut text).is_ok() {
            parts.push((name, text));
        }
    }
    parts
}

fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
    parts
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no part {name}"))
}

// ---------------------------------------------------------------------------------------------
// XLSX

fn workbook(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook")
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn string(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match cell(range, row, col) {
        Data::String(s) => s,
        Data::Empty => String::new(),
        other => panic!("cell ({row}, {col}) is {other:?}, not text"),
    }
}

const SHEETS: [&str; 6] = [
    "Summary",
    "By directorate",
    "Exceptions",
    "exceptions (2)",
    "Missing- returns - overdue -Q4-",
    "Charts",
];

#[test]
fn xlsx_has_a_sheet_per_table_with_the_documents_cells() {
    for draft in [false, true] {
        let doc = sample(draft, 30);
        let bytes = waymark_report::xlsx::xlsx(&doc, &brand()).expect("xlsx");
        let mut wb = workbook(&bytes);
        assert_eq!(wb.sheet_names(), SHEETS);

        for (table, sheet) in doc.tables().zip(&SHEETS[1..5]) {
            let range = wb.worksheet_range(sheet).expect("sheet");
            let caption = string(&range, 0, 0);
            if draft {
                assert_eq!(caption, format!("DRAFT \u{2014} {}", table.caption));
            } else {
                assert_eq!(caption, table.caption);
            }
            for (c, column) in table.columns.iter().enumerate() {
                assert_eq!(string(&range, 1, c as u32), column.heading);
            }
            if table.rows.is_empty() {
                assert_eq!(string(&range, 2, 0), table.empty);
            }
            for (r, cells) in table.rows.iter().enumerate() {
                let row = r as u32 + 2;
                for (c, expected) in cells.iter().enumerate() {
                    let got = cell(&range, row, c as u32);
                    let kind = table.columns[c].kind;
                    match (kind, expected.number) {
                        (ColumnKind::Count, Some(n)) => {
                            assert_eq!(got, Data::Float(n), "count at {sheet} {row},{c}")
                        }
                        (ColumnKind::Percent, Some(p)) => {
                            let Data::Float(v) = got else {
                                panic!("percent at {sheet} {row},{c} is {got:?}")
                            };
                            let shown: f64 = expected
                                .text
                                .trim_end_matches('%')
                                .parse()
                                .expect("percent text");
                            assert!((v - shown / 100.0).abs() < 1e-12);
                            assert!((v * 100.0 - p).abs() < 0.051);
                        }
                        _ if expected.text.is_empty() => assert_eq!(got, Data::Empty),
                        _ if expected.text.len() > 32_767 => {
                            let Data::String(s) = got else {
                                panic!("long text")
                            };
                            assert_eq!(s.encode_utf16().count(), 32_767);
                            assert!(s.ends_with('\u{2026}'));
                            assert!(expected.text.starts_with(s.trim_end_matches('\u{2026}')));
                        }
                        _ => assert_eq!(
                            got,
                            Data::String(expected.text.clone()),
                            "text at {sheet} {row},{c}"
                        ),
                    }
                }
            }
        }

        // The summary carries the report's words, and DRAFT first when it is one.
        let summary = wb.worksheet_range("Summary").expect("summary");
        let words: Vec<String> = summary
            .rows()
            .flatten()
            .filter_map(|d| match d {
                Data::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        for expected in [
            doc.title.as_str(),
            "Brighton & Hove City Council",
            "2024/25 Q4 (year end)",
            "24 November 2026",
            "<script>alert(1)</script> should stay text.",
            "97 of 116 (83.6%) activities complete or on track",
            "Complete and Green count; Ceased activities are left out.",
            "Nine in ten activities on track (Not consistent with the figures: the figures show 83.6%)",
            "By directorate",
            "Each directorate's activities by status.",
            "Exceptions & risks",
            FORMULA,
            "Activities by status in each directorate",
        ] {
            assert!(
                words.iter().any(|w| w == expected),
                "summary lacks {expected:?}"
            );
        }
        let first = string(&summary, 0, 0);
        assert_eq!(first.starts_with("DRAFT"), draft, "{first}");

        // The chart's numbers, one column per status it shows.
        let charts = wb.worksheet_range("Charts").expect("charts");
        let top = if draft { 2 } else { 0 };
        assert_eq!(
            string(&charts, top, 0),
            "Activities by status in each directorate"
        );
        let header: Vec<String> = (0..7).map(|c| string(&charts, top + 1, c)).collect();
        assert_eq!(
            header,
            [
                "Group",
                "Complete",
                "Green",
                "Amber",
                "Red",
                "No return",
                "Total"
            ]
        );
        assert_eq!(string(&charts, top + 2, 0), "Adults & Health");
        let numbers: Vec<Data> = (1..7).map(|c| cell(&charts, top + 2, c)).collect();
        let expected: Vec<Data> = [4.0, 10.0, 0.0, 2.0, 0.0, 16.0]
            .into_iter()
            .map(Data::Float)
            .collect();
        assert_eq!(numbers, expected);
        assert_eq!(string(&charts, top + 4, 0), FORMULA);
    }
}

#[test]
fn xlsx_never_turns_text_into_formulas() {
    let doc = sample(false, 3);
    let bytes = waymark_report::xlsx::xlsx(&doc, &brand()).expect("xlsx");
    let mut wb = workbook(&bytes);
    let range = wb.worksheet_range("Exceptions").expect("sheet");
    assert_eq!(cell(&range, 2, 1), Data::String(FORMULA.into()));
    assert_eq!(cell(&range, 2, 3), Data::String("+44 20 7946 0000".into()));
    assert_eq!(cell(&range, 3, 3), Data::String("-5 days late".into()));
    assert_eq!(cell(&range, 4, 3), Data::String("@SUM(A1:A2)".into()));
    let formulas = wb.worksheet_formula("Exceptions").expect("formulas");
    assert!(formulas.rows().flatten().all(String::is_empty));
    for (name, xml) in unzip(&bytes) {
        if name.starts_with("xl/worksheets/") {
            assert!(
                !xml.contains("<f>") && !xml.contains("<f "),
                "{name} has a formula"
            );
        }
    }
}

#[test]
fn xlsx_freezes_filters_and_colours() {
    let doc = sample(true, 10);
    let bytes = waymark_report::xlsx::xlsx(&doc, &brand()).expect("xlsx");
    let parts = unzip(&bytes);

    // Sheets 2–5 are the tables: header frozen below row 2, filter on the header.
    for n in 2..=5 {
        let sheet = part(&parts, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(sheet.contains("state=\"frozen\""), "sheet{n} not frozen");
        assert!(
            sheet.contains("topLeftCell=\"A3\""),
            "sheet{n} frozen elsewhere"
        );
        assert!(
            sheet.contains("<autoFilter ref=\"A2:"),
            "sheet{n} has no filter"
        );
        assert!(sheet.contains("DRAFT"), "sheet{n} header lacks DRAFT");
    }
    let exceptions = part(&parts, "xl/worksheets/sheet3.xml");
    assert!(exceptions.contains("<autoFilter ref=\"A2:E13\""));

    // A fill and text colour for every status, and the brand colour for headers.
    let styles = part(&parts, "xl/styles.xml");
    for s in STATUS_ORDER {
        let (fill, ink) = status_colours(s);
        let fill = format!("FF{}", fill.trim_start_matches('#').to_uppercase());
        let ink = format!("FF{}", ink.trim_start_matches('#').to_uppercase());
        assert!(
            styles.contains(&format!("<fgColor rgb=\"{fill}\"")),
            "no fill {fill}"
        );
        assert!(
            styles.contains(&format!("<color rgb=\"{ink}\"")),
            "no ink {ink}"
        );
    }
    assert!(styles.contains("<fgColor rgb=\"FF6B2C91\""));
    assert!(styles.contains("formatCode=\"0.0%\""));

    // A native stacked bar chart, one series per status shown, in the status colours.
    let chart = part(&parts, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:barDir val=\"bar\"/>"));
    assert!(chart.contains("<c:grouping val=\"stacked\"/>"));
    assert_eq!(chart.matches("<c:ser>").count(), 5);
    for s in [
        Status::Complete,
        Status::Green,
        Status::Amber,
        Status::Red,
        Status::NoReturn,
    ] {
        let fill = status_colours(s).0.trim_start_matches('#').to_uppercase();
        assert!(
            chart.contains(&format!("<a:srgbClr val=\"{fill}\"")),
            "series {fill}"
        );
    }
    assert!(
        chart.contains("Charts!$A$5:$A$7"),
        "categories from the table"
    );

    let core = part(&parts, "docProps/core.xml");
    assert!(core.contains("<dc:title>Annual performance report 2024/25</dc:title>"));
    assert!(core.contains("<dc:creator>Brighton &amp; Hove City Council</dc:creator>"));
    let app = part(&parts, "docProps/app.xml");
    assert!(app.contains("<Company>Brighton &amp; Hove City Council</Company>"));
}

#[test]
fn xlsx_without_draft_says_no_draft() {
    let doc = sample(false, 5);
    let bytes = waymark_report::xlsx::xlsx(&doc, &brand()).expect("xlsx");
    for (name, xml) in unzip(&bytes) {
        assert!(!xml.contains("DRAFT"), "{name} says DRAFT");
    }
}

#[test]
fn xlsx_of_a_bare_document() {
    let doc = Document {
        kind: Kind::Exceptions,
        title: "Exception report".into(),
        council: "Test".into(),
        period: "Q1".into(),
        subject: Some("Housing".into()),
        draft: false,
        generated: "1 May 2026".into(),
        introduction: vec![],
        headline: None,
        sections: vec![],
    };
    let bytes = waymark_report::xlsx::xlsx(&doc, &Brand::default()).expect("xlsx");
    let wb = workbook(&bytes);
    assert_eq!(wb.sheet_names(), ["Summary"]);
}

#[test]
fn xlsx_of_150_rows_is_quick() {
    let doc = sample(true, 150);
    let start = Instant::now();
    let bytes = waymark_report::xlsx::xlsx(&doc, &brand()).expect("xlsx");
    let took = start.elapsed();
    assert!(!bytes.is_empty());
    // Generous for an unoptimised build on a busy machine; the benchmark holds the real bound.
    assert!(took.as_millis() < 2_000, "took {took:?}");
}

// ---------------------------------------------------------------------------------------------
// DOCX

fn paragraph_texts(docx: &docx_rs::Docx) -> Vec<String> {
    docx.document
        .children
        .iter()
        .filter_map(|c| match c {
            docx_rs::DocumentChild::Paragraph(p) => Some(p.raw_text()),
            _ => None,
        })
        .collect()
}

fn table_texts(docx: &docx_rs::Docx) -> Vec<Vec<Vec<String>>> {
    docx.document
        .children
        .iter()
        .filter_map(|c| match c {
            docx_rs::DocumentChild::Table(t) => Some(t),
            _ => None,
        })
        .map(|t| {
            t.rows
                .iter()
                .map(|docx_rs::TableChild::TableRow(row)| {
                    row.cells
                        .iter()
                        .map(|docx_rs::TableRowChild::TableCell(cell)| {
                            cell.children
                                .iter()
                                .filter_map(|c| match c {
                                    docx_rs::TableCellContent::Paragraph(p) => Some(p.raw_text()),
                                    _ => None,
                                })
                                .collect::<Vec<_>>()
                                .join("\n")
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The tables the document should hold, in order: each section's chart, then its tables with
/// rows, each as its header row then body rows.
fn expected_tables(doc: &Document) -> Vec<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for section in &doc.sections {
        if let Some(chart) = &section.chart {
            let statuses: Vec<Status> = STATUS_ORDER
                .into_iter()
                .filter(|s| {
                    chart
                        .bars
                        .iter()
                        .any(|b| b.segments.iter().any(|g| g.status == *s))
                })
                .collect();
            let mut head = vec!["Group".to_string()];
            head.extend(statuses.iter().map(|s| status_label(*s).to_string()));
            head.push("Total".into());
            let mut rows = vec![head];
            for bar in &chart.bars {
                let mut row = vec![bar.label.clone()];
                for s in &statuses {
                    let n: usize = bar
                        .segments
                        .iter()
                        .filter(|g| g.status == *s)
                        .map(|g| g.count)
                        .sum();
                    row.push(n.to_string());
                }
                row.push(bar.total.to_string());
                rows.push(row);
            }
            out.push(rows);
        }
        for table in section.tables.iter().filter(|t| !t.rows.is_empty()) {
            let mut rows = vec![table.columns.iter().map(|c| c.heading.clone()).collect()];
            rows.extend(
                table
                    .rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.text.clone()).collect()),
            );
            out.push(rows);
        }
    }
    out
}

#[test]
fn docx_opens_and_holds_the_tables() {
    for draft in [false, true] {
        let doc = sample(draft, 20);
        let bytes = waymark_report::docx::docx(&doc, &brand()).expect("docx");
        let word = docx_rs::read_docx(&bytes).expect("docx-rs reads it back");

        assert_eq!(table_texts(&word), expected_tables(&doc));

        let paragraphs = paragraph_texts(&word);
        for expected in [
            doc.title.as_str(),
            "Brighton & Hove City Council",
            "Period: 2024/25 Q4 (year end)",
            "Generated: 24 November 2026",
            "<script>alert(1)</script> should stay text.",
            "97 of 116 (83.6%) activities complete or on track",
            "Nine in ten activities on track \u{2014} Not consistent with the figures: the figures show 83.6%",
            "Over four in five activities on track \u{2014} Consistent with the figures",
            "Headline",
            "By directorate",
            "Exceptions & risks",
            "Missing returns",
            FORMULA,
            "Activities by status in each directorate",
            "Activities by directorate",
            "Red activities",
            "No activity was Red.",
        ] {
            assert!(
                paragraphs.iter().any(|p| p == expected),
                "no paragraph {expected:?}"
            );
        }
        assert_eq!(
            paragraphs[0].starts_with("DRAFT"),
            draft,
            "{}",
            paragraphs[0]
        );

        let parts = unzip(&bytes);
        let document = part(&parts, "word/document.xml");
        // Headline and each section are Heading 1.
        assert_eq!(
            document.matches("<w:pStyle w:val=\"Heading1\" />").count(),
            4
        );
        assert!(document.contains("<w:pStyle w:val=\"Title\" />"));
        // Every table's header row repeats on each page.
        assert_eq!(document.matches("<w:tblHeader />").count(), 4);
        for s in STATUS_ORDER {
            let fill = status_colours(s).0.trim_start_matches('#');
            assert!(
                document.contains(&format!("w:fill=\"{fill}\"")),
                "no shading {fill}"
            );
        }
        assert!(
            document.contains("w:fill=\"6b2c91\""),
            "headers on the brand colour"
        );
        assert!(document.contains("&lt;script&gt;"));
        assert!(document.contains("w:name=\"by_directorate\""));

        let headers: Vec<&(String, String)> = parts
            .iter()
            .filter(|(n, _)| n.starts_with("word/header"))
            .collect();
        if draft {
            assert!(headers.iter().any(|(_, x)| x.contains(">DRAFT<")));
        } else {
            assert!(headers.iter().all(|(_, x)| !x.contains("DRAFT")));
            assert!(!document.contains("DRAFT"));
        }

        let core = part(&parts, "docProps/core.xml");
        assert!(core.contains("<dc:title>Annual performance report 2024/25</dc:title>"));
        assert!(core.contains("<dc:creator>Brighton &amp; Hove City Council</dc:creator>"));
        assert!(core.contains("<dc:language>en-GB</dc:language>"));
        assert_eq!(
            core.contains("<cp:contentStatus>Draft</cp:contentStatus>"),
            draft
        );
        let styles = part(&parts, "word/styles.xml");
        assert!(styles.contains("<w:lang w:val=\"en-GB\""));
        assert!(styles.contains("w:ascii=\"Arial\""));
    }
}

#[test]
fn docx_uses_the_brand_font() {
    let brand = Brand {
        colour: "#1d70b8".into(),
        logo: None,
        font: Some(FontFile {
            family: "Open Sans".into(),
            file_name: "OpenSans.ttf".into(),
            bytes: vec![],
        }),
    };
    let bytes = waymark_report::docx::docx(&sample(false, 2), &brand).expect("docx");
    let parts = unzip(&bytes);
    let styles = part(&parts, "word/styles.xml");
    assert!(styles.contains("w:ascii=\"Open Sans\""));
    assert!(!styles.contains("Arial"));
}

#[test]
fn docx_keeps_hostile_text_as_text() {
    let doc = sample(false, 1);
    let bytes = waymark_report::docx::docx(&doc, &brand()).expect("docx");
    let word = docx_rs::read_docx(&bytes).expect("reads");
    let tables = table_texts(&word);
    let exceptions = &tables[2];
    assert_eq!(exceptions[1][1], FORMULA);
    assert_eq!(
        exceptions[2][1],
        "<script>alert('x')</script> & <b>bold</b>"
    );
    assert_eq!(
        exceptions[3][1],
        "Road safety \u{1f6a6} \u{2705} caf\u{e9} \u{201c}quoted\u{201d}"
    );
    assert_eq!(exceptions[4][1], long_prose());
    assert_eq!(exceptions[4][3], "First line\nSecond line");
}

#[test]
fn docx_of_a_bare_document() {
    let doc = Document {
        kind: Kind::Portfolio,
        title: "Portfolio report".into(),
        council: "Test".into(),
        period: "Q1".into(),
        subject: Some("Housing".into()),
        draft: false,
        generated: "1 May 2026".into(),
        introduction: vec![],
        headline: None,
        sections: vec![],
    };
    let bytes = waymark_report::docx::docx(&doc, &Brand::default()).expect("docx");
    let word = docx_rs::read_docx(&bytes).expect("reads");
    assert!(paragraph_texts(&word).contains(&"Portfolio: Housing".to_string()));
}

#[test]
fn docx_of_150_rows_is_quick() {
    let doc = sample(true, 150);
    let start = Instant::now();
    let bytes = waymark_report::docx::docx(&doc, &brand()).expect("docx");
    let took = start.elapsed();
    assert!(took.as_millis() < 2_000, "took {took:?}");
    // The parts are compressed: a few tens of kilobytes, not a quarter of a megabyte.
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).expect("a zip");
    let document = zip.by_name("word/document.xml").expect("the document part");
    assert_eq!(document.compression(), zip::CompressionMethod::Deflated);
}

#[test]
fn a_chart_with_no_counts_still_has_its_table() {
    let mut doc = sample(false, 2);
    doc.sections[0].chart = Some(Chart {
        title: "Nothing yet".into(),
        bars: vec![bar("Adults", &[]), bar("Children", &[])],
    });
    let bytes = waymark_report::xlsx::xlsx(&doc, &brand()).expect("xlsx");
    let mut wb = workbook(&bytes);
    let charts = wb.worksheet_range("Charts").expect("charts");
    assert_eq!(string(&charts, 1, 0), "Group");
    assert_eq!(string(&charts, 1, 1), "Total");
    assert_eq!(cell(&charts, 2, 1), Data::Float(0.0));
    // No series to draw, so no chart part.
    assert!(
        unzip(&bytes)
            .iter()
            .all(|(n, _)| !n.starts_with("xl/charts/"))
    );

    let bytes = waymark_report::docx::docx(&doc, &brand()).expect("docx");
    let word = docx_rs::read_docx(&bytes).expect("reads");
    let tables = table_texts(&word);
    assert_eq!(
        tables[0],
        [["Group", "Total"], ["Adults", "0"], ["Children", "0"]]
    );
}
