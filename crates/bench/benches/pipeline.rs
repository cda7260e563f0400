//! Waymark's performance benchmarks (divan). Run with `cargo bench -p waymark-bench`
//! (`-- bexley` or `-- synthetic_10k` for one group); method and results are in
//! docs/PERFORMANCE.md. Databases go in a fresh temporary directory per sample, under
//! `$WAYMARK_BENCH_DIR` when set.
//!
//! - `bexley`: the five published Bexley pages: parsing, reconciliation (domain only), and the
//!   whole pipeline as the CLI runs it (parse, open a fresh SQLite file, import, load the view,
//!   statistics and checks), with its stages timed apart.
//! - `synthetic_10k`: a synthetic 10,000-activity plan and 10,000-row report in Bexley's
//!   layout: parsing, reconciliation, and a full import into a fresh SQLite store.

use chrono::Utc;
use divan::{Bencher, black_box};
use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;
use tempfile::TempDir;
use waymark_bench::Synthetic;
use waymark_domain::checks::{self, CheckInput, Finding};
use waymark_domain::headline::HeadlineRule;
use waymark_domain::reconcile::{ReconcileOptions, Reconciliation, Titled, reconcile};
use waymark_domain::records::{ActivityRecord, LinkRecord, ReturnRecord};
use waymark_domain::stats::{self, PeriodStats};
use waymark_domain::{ActionPlan, ActivityReport, Document, DocumentKind, Period};
use waymark_import::Vocabulary;
use waymark_store::{Incoming, Organisation, Store, StoredClaim};

fn main() {
    divan::main();
}

use waymark_import::bundled::BEXLEY;

/// Activities (and report rows) in the synthetic documents.
const SYNTHETIC_N: usize = 10_000;
const SYNTHETIC_SEED: u64 = 2025;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    // As the CLI builds it.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
});

static SYNTHETIC: LazyLock<Synthetic> =
    LazyLock::new(|| waymark_bench::synthetic(SYNTHETIC_N, SYNTHETIC_SEED));

fn parse(name: &str, bytes: &[u8], kind: Option<DocumentKind>) -> Document {
    waymark_import::import(name, bytes, kind, &Vocabulary::default())
        .unwrap_or_else(|e| panic!("{name} did not import: {e}"))
}

/// Every Bexley page parsed, detecting kinds as the demo does.
fn parse_bexley() -> Vec<Incoming> {
    BEXLEY
        .iter()
        .map(|(name, bytes)| Incoming::new(name, bytes, parse(name, bytes, None)))
        .collect()
}

fn parse_synthetic() -> Vec<Incoming> {
    let s = &*SYNTHETIC;
    vec![
        Incoming::new(
            "synthetic/plan.txt",
            s.plan.as_bytes(),
            parse(
                "synthetic/plan.txt",
                s.plan.as_bytes(),
                Some(DocumentKind::ActionPlan),
            ),
        ),
        Incoming::new(
            "synthetic/report.txt",
            s.report.as_bytes(),
            parse(
                "synthetic/report.txt",
                s.report.as_bytes(),
                Some(DocumentKind::ActivityReport),
            ),
        ),
    ]
}

/// The two sides of reconciliation as the store builds them: every plan activity, and the
/// first row of each report reference.
fn sides(plan: &ActionPlan, report: &ActivityReport) -> (Vec<Titled>, Vec<Titled>) {
    let left = plan
        .activities
        .iter()
        .map(|a| Titled {
            title: a.title.clone(),
            directorate: a.directorate.clone(),
        })
        .collect();
    let mut seen = HashSet::new();
    let right = report
        .rows
        .iter()
        .filter(|r| seen.insert(r.reference.clone()))
        .map(|r| Titled {
            title: r.title.clone(),
            directorate: r.directorate.clone(),
        })
        .collect();
    (left, right)
}

fn plan_and_report(docs: &[Incoming]) -> (&ActionPlan, &ActivityReport) {
    let plan = docs.iter().find_map(|d| match &d.document {
        Document::ActionPlan(p) => Some(p),
        _ => None,
    });
    let report = docs.iter().find_map(|d| match &d.document {
        Document::ActivityReport(r) => Some(r),
        _ => None,
    });
    (
        plan.expect("an action plan"),
        report.expect("an activity report"),
    )
}

fn reconcile_docs(docs: &[Incoming]) -> Reconciliation {
    let (plan, report) = plan_and_report(docs);
    let (left, right) = sides(plan, report);
    reconcile(&left, &right, &ReconcileOptions::default())
}

/// A fresh database file in a temporary directory (created outside the timed region; the
/// directory is returned from the benchmark so it is removed outside it too). The directory is
/// made under `$WAYMARK_BENCH_DIR` if set (e.g. `/dev/shm`, to take disk flushes out of the
/// numbers), else under the system's temporary directory.
fn fresh_dir() -> TempDir {
    match std::env::var_os("WAYMARK_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("a temporary directory")
}

fn db_path(dir: &TempDir) -> String {
    Path::new(dir.path())
        .join("waymark.db")
        .to_string_lossy()
        .into_owned()
}

async fn open_and_import(db: &str, docs: Vec<Incoming>) -> (Store, Organisation) {
    let store = Store::open(db).await.expect("open the store");
    let org = store
        .organisation(Some("bench"), Some("Benchmark council"))
        .await
        .expect("an organisation");
    store
        .import(&org, docs, Utc::now(), &ReconcileOptions::default())
        .await
        .expect("import");
    (store, org)
}

/// What the CLI's `View::load` reads (crates/cli/src/commands.rs): the latest period, every
/// activity, and that period's returns, links and claims.
struct View {
    period: Option<Period>,
    activities: Vec<ActivityRecord>,
    returns: Vec<ReturnRecord>,
    links: Vec<LinkRecord>,
    claims: Vec<StoredClaim>,
}

async fn load_view(store: &Store, org: &Organisation) -> View {
    let periods = store.periods(org, None).await.expect("periods");
    let period = periods.last().copied();
    let activities = store.activities(org, None).await.expect("activities");
    let (returns, links, claims) = match period {
        Some(p) => (
            store.returns(org, Some(p), None).await.expect("returns"),
            store.links(org, p, None).await.expect("links"),
            store.claims(org, p, None).await.expect("claims"),
        ),
        None => (vec![], vec![], vec![]),
    };
    View {
        period,
        activities,
        returns,
        links,
        claims,
    }
}

/// What the CLI's `View::stats` and `View::findings` compute from a loaded view.
fn stats_and_checks(view: &View) -> (Option<PeriodStats>, Vec<Finding>) {
    let rule = HeadlineRule::default();
    let published: Vec<_> = view.claims.iter().map(|c| c.claim.clone()).collect();
    let stats = view
        .period
        .map(|p| stats::compute(p, &view.returns, &view.activities, &rule, &published));
    let checked = stats.as_ref().map(|s| s.claims.clone()).unwrap_or_default();
    let findings = checks::run(&CheckInput {
        period: view.period,
        activities: &view.activities,
        returns: &view.returns,
        links: &view.links,
        claims: &checked,
        claims_source: view.claims.first().map(|c| c.file.as_str()),
    });
    (stats, findings)
}

async fn load_stats_checks(
    store: &Store,
    org: &Organisation,
) -> (Option<PeriodStats>, Vec<Finding>) {
    let view = load_view(store, org).await;
    stats_and_checks(&view)
}

/// A store already holding `docs`, for the read-side benchmarks.
fn populated(docs: Vec<Incoming>) -> (TempDir, Store, Organisation) {
    let dir = fresh_dir();
    let (store, org) = RUNTIME.block_on(open_and_import(&db_path(&dir), docs));
    (dir, store, org)
}

mod bexley {
    use super::*;

    const NAMES: [&str; 5] = [
        "corporate-plan",
        "principles",
        "action-delivery-plan-2024-12",
        "annual-performance-report-2024-25",
        "childrens-services-vision",
    ];

    /// All five pages, kinds detected from content.
    #[divan::bench]
    fn parse_all() -> Vec<Document> {
        BEXLEY
            .iter()
            .map(|(name, bytes)| parse(name, black_box(bytes), None))
            .collect()
    }

    /// One page at a time.
    #[divan::bench(args = NAMES)]
    fn parse_one(bencher: Bencher, which: &str) {
        let (name, bytes) = BEXLEY
            .iter()
            .find(|(n, _)| n.contains(which))
            .expect("a fixture");
        bencher.bench(|| parse(name, black_box(bytes), None));
    }

    /// Report (first row per reference) against plan, domain only.
    #[divan::bench]
    fn reconcile_report_to_plan(bencher: Bencher) {
        let docs = parse_bexley();
        let (plan, report) = plan_and_report(&docs);
        let (left, right) = sides(plan, report);
        let options = ReconcileOptions::default();
        bencher.bench(|| reconcile(black_box(&left), black_box(&right), &options));
    }

    /// The CLI's import + stats + check, end to end: parse the five pages, open a fresh SQLite
    /// file (migrations included), import in one transaction, load the view, compute
    /// statistics and run the checks.
    #[divan::bench(sample_count = 30, sample_size = 1)]
    fn pipeline(bencher: Bencher) {
        bencher
            .with_inputs(fresh_dir)
            .bench_local_values(|dir: TempDir| {
                let db = db_path(&dir);
                let out = RUNTIME.block_on(async {
                    let docs = parse_bexley();
                    let (store, org) = open_and_import(&db, docs).await;
                    let out = load_stats_checks(&store, &org).await;
                    store.close().await;
                    out
                });
                (dir, out)
            });
    }

    /// Pipeline stage: open (create + migrate) a fresh SQLite file.
    #[divan::bench(sample_count = 30, sample_size = 1)]
    fn stage_open_fresh_store(bencher: Bencher) {
        bencher
            .with_inputs(fresh_dir)
            .bench_local_values(|dir: TempDir| {
                let db = db_path(&dir);
                RUNTIME.block_on(async {
                    let store = Store::open(&db).await.expect("open");
                    store.close().await;
                });
                dir
            });
    }

    /// Pipeline stage: open a fresh store and import the parsed pages (parsing not timed).
    #[divan::bench(sample_count = 30, sample_size = 1)]
    fn stage_open_and_import(bencher: Bencher) {
        bencher
            .with_inputs(|| (fresh_dir(), parse_bexley()))
            .bench_local_values(|(dir, docs)| {
                let db = db_path(&dir);
                RUNTIME.block_on(async {
                    let (store, _) = open_and_import(&db, docs).await;
                    store.close().await;
                });
                dir
            });
    }

    /// Pipeline stage: load the view from a populated store, statistics and checks.
    #[divan::bench(sample_count = 30, sample_size = 1)]
    fn stage_load_stats_checks(bencher: Bencher) {
        let (_dir, store, org) = populated(parse_bexley());
        bencher.bench_local(|| RUNTIME.block_on(load_stats_checks(&store, &org)));
        RUNTIME.block_on(store.close());
    }
}

mod synthetic_10k {
    use super::*;

    /// Generating both documents (not part of any pipeline; for scale).
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn generate() -> Synthetic {
        waymark_bench::synthetic(black_box(SYNTHETIC_N), SYNTHETIC_SEED)
    }

    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn parse_plan() -> Document {
        let s = &*SYNTHETIC;
        parse(
            "plan.txt",
            black_box(s.plan.as_bytes()),
            Some(DocumentKind::ActionPlan),
        )
    }

    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn parse_report() -> Document {
        let s = &*SYNTHETIC;
        parse(
            "report.txt",
            black_box(s.report.as_bytes()),
            Some(DocumentKind::ActivityReport),
        )
    }

    /// Reconciliation alone, on parsed documents.
    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn reconcile_only(bencher: Bencher) {
        let docs = parse_synthetic();
        let (plan, report) = plan_and_report(&docs);
        let (left, right) = sides(plan, report);
        let options = ReconcileOptions::default();
        bencher.bench(|| reconcile(black_box(&left), black_box(&right), &options));
    }

    /// Target (d): parse both documents and reconcile them (domain only).
    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn parse_and_reconcile() -> Reconciliation {
        let docs = parse_synthetic();
        reconcile_docs(&docs)
    }

    /// Target (e): parse both, open a fresh SQLite file, import plan and report in one
    /// transaction (plan revision, reconciliation, links, returns).
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn parse_and_store_import(bencher: Bencher) {
        LazyLock::force(&SYNTHETIC);
        bencher
            .with_inputs(fresh_dir)
            .bench_local_values(|dir: TempDir| {
                let db = db_path(&dir);
                RUNTIME.block_on(async {
                    let (store, _) = open_and_import(&db, parse_synthetic()).await;
                    store.close().await;
                });
                dir
            });
    }

    /// Reading the 10,000-activity store back: load the view, statistics and checks.
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn load_stats_checks_after_import(bencher: Bencher) {
        let (_dir, store, org) = populated(parse_synthetic());
        bencher.bench_local(|| RUNTIME.block_on(load_stats_checks(&store, &org)));
        RUNTIME.block_on(store.close());
    }

    /// The read side split: loading the view from the store ...
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn load_view_only(bencher: Bencher) {
        let (_dir, store, org) = populated(parse_synthetic());
        bencher.bench_local(|| RUNTIME.block_on(load_view(&store, &org)));
        RUNTIME.block_on(store.close());
    }

    /// ... and statistics plus checks on the loaded view (domain only).
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn stats_and_checks_only(bencher: Bencher) {
        let (_dir, store, org) = populated(parse_synthetic());
        let view = RUNTIME.block_on(load_view(&store, &org));
        RUNTIME.block_on(store.close());
        bencher.bench_local(|| stats_and_checks(black_box(&view)));
    }
}
