//! `fixtures/examples/quarterly-return.xlsx`: a council's quarterly return as a spreadsheet
//! (the staff site's browser test uploads it). Its commentary sits under a header Waymark
//! does not know, so a person has to say what that column holds. The file is made here;
//! `WAYMARK_WRITE_FIXTURES=1 cargo test -p waymark-import --test example_spreadsheet` writes
//! it again after a change.

use rust_xlsxwriter::{Format, Workbook};
use waymark_domain::{Document, Status};
use waymark_import::{Mapping, Vocabulary};

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/examples/quarterly-return.xlsx"
);

/// Reference, activity, directorate, RAG, what happened.
const ROWS: &[[&str; 5]] = &[
    [
        "5",
        "Implement requirements from Adult Social Care Reform White Paper",
        "Adult Social Care & Health",
        "Green",
        "Guidance published and teams briefed.",
    ],
    [
        "3",
        "As a member of Bexley's Local Care Partnership, contribute to development of a health & wellbeing vision for Bexley",
        "Adult Social Care & Health",
        "Green",
        "Vision agreed by the partnership board.",
    ],
    [
        "4",
        "Implement the ‘your life, your choice’ care finder online platform",
        "Adult Social Care & Health",
        "Amber",
        "Launch moved to September while providers are added.",
    ],
    [
        "12",
        "Refresh our Obesity Strategy and action plan",
        "Adult Social Care & Health",
        "Green",
        "Consultation closed in June.",
    ],
    [
        "Q1-1",
        "Establish Local Care Networks together with our partners",
        "Adult Social Care & Health",
        "Amber",
        "Two of four networks have met.",
    ],
    [
        "Q1-2",
        "Open a community wellbeing hub in the town centre",
        "Adult Social Care & Health",
        "Green",
        "Site chosen.",
    ],
];

fn workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Q1 return").expect("a sheet name");
    sheet
        .write_string_with_format(0, 0, "Corporate plan: Quarter 1 2025/26 return", &bold)
        .expect("a title");
    let header = ["Ref", "Activity", "Directorate", "RAG", "What happened"];
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(2, c as u16, *h, &bold)
            .expect("a header");
    }
    for (r, row) in ROWS.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet
                .write_string(3 + r as u32, c as u16, *cell)
                .expect("a cell");
        }
    }
    let notes = book.add_worksheet();
    notes.set_name("Notes").expect("a sheet name");
    notes
        .write_string(
            0,
            0,
            "RAG: Green on track, Amber some slippage, Red off track.",
        )
        .expect("a note");
    book.save_to_buffer().expect("the workbook")
}

fn report(bytes: &[u8], mapping: &Mapping) -> waymark_domain::ActivityReport {
    let reading = waymark_import::read(
        "quarterly-return.xlsx",
        bytes,
        None,
        &Vocabulary::default(),
        mapping,
    )
    .expect("the return reads");
    reading
        .documents
        .into_iter()
        .find_map(|d| match d {
            Document::ActivityReport(r) => Some(r),
            _ => None,
        })
        .expect("a report")
}

#[test]
fn the_example_return_is_current_and_needs_its_commentary_column_named() {
    let made = workbook();
    if std::env::var_os("WAYMARK_WRITE_FIXTURES").is_some() {
        std::fs::write(PATH, &made).expect("write the fixture");
    }
    let committed = std::fs::read(PATH).expect("the committed fixture");
    let plain = report(&committed, &Mapping::default());
    assert_eq!(
        plain,
        report(&made, &Mapping::default()),
        "the committed file is out of date: write it again (see the module's comment)"
    );
    assert_eq!(plain.rows.len(), ROWS.len());
    assert_eq!(plain.period.to_string(), "2025/26 Q1");
    assert_eq!(plain.rows[2].status, Status::Amber);
    // Unknown to Waymark, the column is kept as written, but is not the commentary...
    assert!(plain.rows.iter().all(|r| r.note.is_none()), "{plain:?}");
    let inspection = waymark_import::inspect(
        "quarterly-return.xlsx",
        &committed,
        None,
        &Vocabulary::default(),
        &Mapping::default(),
    );
    let column = inspection.tables[0]
        .columns
        .iter()
        .find(|c| c.header == "What happened")
        .expect("the column");
    assert_eq!(column.role, "kept as written");
    // ...until a person says what it holds.
    let mapped = Mapping::default()
        .with_column("What happened", "commentary")
        .expect("a role");
    let named = report(&committed, &mapped);
    assert_eq!(
        named.rows[2].note.as_deref(),
        Some("Launch moved to September while providers are added.")
    );
}
