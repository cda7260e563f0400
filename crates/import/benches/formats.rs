//! How fast the layout pipeline reads the formats councils keep their data in. Run with
//! `cargo bench -p waymark-import --bench formats`; results are in docs/PERFORMANCE.md.
//!
//! - `xlsx_10k`: a 10,000-row quarterly tracker (one sheet: title rows, a header, a heading
//!   row per directorate, RAG as words with fills) read into an activity report.
//! - `pdf_50_pages`: a 50-page PDF of indicator tables (a header on every page, 48 indicators
//!   a page) read into a KPI table.
//!
//! Each reads the file as `waymark import` does (`waymark_import::read`: the format's reader,
//! then every layout, column roles and rows), from bytes already in memory.

use divan::{Bencher, black_box};
use std::sync::LazyLock;
use waymark_import::{Mapping, Vocabulary};

fn main() {
    divan::main();
}

const ROWS: usize = 10_000;
const PAGES: usize = 50;
const PER_PAGE: usize = 48;

/// The tracker workbook, made once.
static XLSX: LazyLock<Vec<u8>> = LazyLock::new(|| {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let green = Format::new().set_background_color(Color::RGB(0xC6EFCE));
    let amber = Format::new().set_background_color(Color::RGB(0xFFEB9C));
    let red = Format::new().set_background_color(Color::RGB(0xFFC7CE));
    let write = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, t: &str| {
        sheet.write_string(r, c, t).expect("a cell");
    };
    write(
        sheet,
        0,
        0,
        "Corporate Plan tracker: Quarter 3 2025/26 return",
    );
    let header = [
        "Ref",
        "Action",
        "Lead Officer",
        "Due date",
        "Q3 RAG",
        "Q3 update",
    ];
    for (c, h) in header.iter().enumerate() {
        write(sheet, 2, c as u16, h);
    }
    let directorates = ["Place", "People", "Resources", "Housing", "Communities"];
    let mut r = 3u32;
    for n in 0..ROWS {
        if n % 2_000 == 0 {
            write(
                sheet,
                r,
                0,
                &format!("Directorate: {}", directorates[n / 2_000 % 5]),
            );
            r += 1;
        }
        write(
            sheet,
            r,
            0,
            &format!("{}.{:02}.{:02}", n / 1_000 + 1, n / 100 % 10, n % 100),
        );
        write(
            sheet,
            r,
            1,
            &format!(
                "Deliver improvement {n} to the service for residents in ward {}",
                n % 23
            ),
        );
        write(sheet, r, 2, &format!("Head of Service {}", n % 37));
        write(sheet, r, 3, &format!("{}/03/2026", n % 28 + 1));
        let (word, fill) = match n % 3 {
            0 => ("Green", &green),
            1 => ("Amber", &amber),
            _ => ("Red", &red),
        };
        sheet
            .write_string_with_format(r, 4, word, fill)
            .expect("a cell");
        write(
            sheet,
            r,
            5,
            "Work is under way; the next milestone is due at the end of the quarter.",
        );
        r += 1;
    }
    book.save_to_buffer().expect("the workbook")
});

/// The indicator PDF, made once.
static PDF: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let lines: Vec<Vec<String>> = (0..PAGES)
        .map(|p| {
            let mut page = vec![
                "Quarterly Performance Report, Quarter 2 2025/26".to_string(),
                "Ref\tIndicator\tQ1 25/26\tQ2 25/26\tTarget\tRAG".to_string(),
            ];
            for i in 0..PER_PAGE {
                let n = p * PER_PAGE + i;
                page.push(format!(
                    "KPI{n:04}\tService measure {n}\t{}%\t{}%\t90%\t{}",
                    70 + n % 25,
                    72 + n % 24,
                    ["GREEN", "AMBER", "RED"][n % 3]
                ));
            }
            page
        })
        .collect();
    let pages: Vec<Vec<&str>> = lines
        .iter()
        .map(|p| p.iter().map(String::as_str).collect())
        .collect();
    waymark_read::pdf::text_pdf(&pages).expect("the PDF")
});

fn read(name: &str, bytes: &[u8]) -> usize {
    let reading = waymark_import::read(
        name,
        bytes,
        None,
        &Vocabulary::default(),
        &Mapping::default(),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    reading.documents.len()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn xlsx_10k(bencher: Bencher) {
    let bytes = &*XLSX;
    bencher.bench(|| black_box(read("tracker.xlsx", bytes)));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn pdf_50_pages(bencher: Bencher) {
    let bytes = &*PDF;
    bencher.bench(|| black_box(read("qpr.pdf", bytes)));
}

/// The files the benchmarks read, for timing `waymark import` on them from the command line:
/// `cargo bench -p waymark-import --bench formats -- --write-files DIR` is not a divan flag,
/// so they are written when `WAYMARK_BENCH_WRITE` names a directory.
#[divan::bench(sample_count = 1, sample_size = 1)]
fn write_files_when_asked() {
    if let Some(dir) = std::env::var_os("WAYMARK_BENCH_WRITE") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("tracker-10k.xlsx"), &*XLSX).expect("write the workbook");
        std::fs::write(dir.join("qpr-50-pages.pdf"), &*PDF).expect("write the PDF");
    }
}
