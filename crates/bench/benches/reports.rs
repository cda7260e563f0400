//! Report benchmarks (divan): Bexley's annual performance report built from its published
//! pages and written as PDF and XLSX (targets: PDF under 1 s, XLSX under 100 ms in a release
//! build), with the other formats beside them. Run with
//! `cargo bench -p waymark-bench --bench reports`; results in docs/PERFORMANCE.md.

use chrono::{NaiveDate, Utc};
use divan::{Bencher, black_box};
use std::sync::LazyLock;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::{Period, Quarter};
use waymark_import::Vocabulary;
use waymark_import::bundled::BEXLEY;
use waymark_report::{Document, Format, Kind, Published, Reporter, Request, Templates};
use waymark_store::{Incoming, Store};

fn main() {
    divan::main();
}

/// Bexley's published record, loaded once from a fresh SQLite file.
static BEXLEY_RECORD: LazyLock<Published> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("bench.db").to_string_lossy())
            .await
            .expect("store");
        let vocabulary = Vocabulary::default();
        let incoming = BEXLEY
            .iter()
            .map(|(file, bytes)| {
                let document =
                    waymark_import::import(file, bytes, None, &vocabulary).expect("import");
                Incoming::new(file, bytes, document)
            })
            .collect();
        let org = store
            .organisation(Some("bexley"), Some("London Borough of Bexley"))
            .await
            .expect("council");
        store
            .import(&org, incoming, Utc::now(), &ReconcileOptions::default())
            .await
            .expect("import");
        let published = Published::load(&store, &org).await.expect("load");
        store.close().await;
        published
    })
});

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 2).expect("date")
}

fn annual() -> Document {
    waymark_report::build(
        &BEXLEY_RECORD.sources(today()),
        &Request {
            kind: Kind::Annual,
            period: Period::new(2024, Quarter::Q4),
            portfolio: None,
        },
    )
    .expect("annual report")
}

static REPORTER: LazyLock<Reporter> =
    LazyLock::new(|| Reporter::new(Templates::builtin(), Some(waymark_report_pdf::render)));

/// Building the annual report's document from the loaded record.
#[divan::bench]
fn bexley_annual_build(bencher: Bencher) {
    LazyLock::force(&BEXLEY_RECORD);
    bencher.bench(|| black_box(annual()));
}

/// The annual report, built and written, in each format.
#[divan::bench(args = ["pdf", "xlsx", "docx", "html", "md", "csv", "json"])]
fn bexley_annual(bencher: Bencher, format: &str) {
    LazyLock::force(&BEXLEY_RECORD);
    let format = Format::from_key(format).expect("format");
    // The first PDF loads the fonts once for the process: not part of any one report.
    let _ = REPORTER.render(&annual(), format).expect("render");
    bencher.bench(|| {
        let doc = annual();
        black_box(REPORTER.render(&doc, format).expect("render"))
    });
}

/// The annual report as PDF with nothing cached from earlier renders but the fonts: the cost
/// of a report the server has not typeset before (the figure the 1 s target is held to).
#[divan::bench]
fn bexley_annual_pdf_from_nothing(bencher: Bencher) {
    LazyLock::force(&BEXLEY_RECORD);
    waymark_report_pdf::warm_up();
    bencher
        .with_inputs(|| {
            waymark_report_pdf::forget_cached_layouts();
            annual()
        })
        .bench_values(|doc| black_box(REPORTER.render(&doc, Format::Pdf).expect("render")));
}
