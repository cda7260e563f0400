//! The store on a real SQLite file and a real PostgreSQL database: idempotent imports, plan
//! revisions, history as of a date.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::{
    ActionPlan, ActivityReport, ClaimKind, Document, DueCell, Period, PlannedActivity,
    PublishedClaim, Quarter, ReportRow, Status,
};
use waymark_store::{ImportOutcome, Incoming, Store};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 4, day, 12, 0, 0)
        .single()
        .expect("valid test date")
}

fn planned(line: usize, title: &str, directorate: &str, due: &str) -> PlannedActivity {
    PlannedActivity {
        line,
        directorate: directorate.into(),
        title: title.into(),
        portfolios: vec!["Growth".into()],
        due: DueCell::parse(due),
        reference: None,
        extras: vec![],
        place: None,
    }
}

fn plan(rows: Vec<PlannedActivity>) -> Document {
    Document::ActionPlan(ActionPlan {
        title: "Action plan".into(),
        last_updated: None,
        activities: rows,
    })
}

fn row(line: usize, reference: &str, title: &str, status: Status, directorate: &str) -> ReportRow {
    ReportRow {
        line,
        directorate: directorate.into(),
        reference: reference.into(),
        title: title.into(),
        status_label: format!("{status:?}"),
        status,
        note: None,
        portfolios: vec![],
        due: None,
        extras: vec![],
        place: None,
    }
}

fn report(rows: Vec<ReportRow>) -> Document {
    Document::ActivityReport(ActivityReport {
        title: "Annual report".into(),
        period: Period::new(2024, Quarter::Q4),
        period_label: "Year End 24/25".into(),
        claims: vec![PublishedClaim {
            line: 3,
            text: "50% are complete or on track".into(),
            claim: ClaimKind::Share {
                percent: Some(50.0),
                count: None,
                total: None,
                statuses: vec![Status::Complete, Status::Green],
                label: None,
                about: None,
            },
        }],
        rows,
    })
}

fn first_plan() -> Document {
    plan(vec![
        planned(
            2,
            "Open new libraries in Thamesmead and Sidcup",
            "Place",
            "2022",
        ),
        planned(
            3,
            "Refresh our approach to climate change",
            "Place",
            "Q4 2022 to 2023",
        ),
        planned(
            4,
            "Secure future of Barnehurst Golf Club",
            "Place",
            "June 2022",
        ),
    ])
}

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.db");
    let store = Store::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open store");
    (dir, store)
}

#[tokio::test]
async fn opening_runs_migrations_and_uses_wal() {
    let (dir, store) = open().await;
    let migrations = store.migrations().await.expect("migrations");
    assert_eq!(migrations.first().map(|m| m.0), Some(1));
    store.close().await;
    assert!(dir.path().join("test.db").exists());
    // WAL mode leaves its files beside the database while connections are open; after close the
    // journal mode is still recorded in the file header (bytes 18-19 = 2 for WAL).
    let bytes = std::fs::read(dir.path().join("test.db")).expect("read db");
    assert_eq!(&bytes[18..20], &[2, 2], "database is not in WAL mode");
}

#[tokio::test]
async fn importing_the_same_file_twice_adds_nothing() {
    for backend in waymark_testkit::backends() {
        let db = waymark_testkit::TestDb::new(backend).await;
        let store = db.store.clone();
        let org = store
            .organisation(None, Some("Test council"))
            .await
            .expect("org");
        let files = || vec![Incoming::new("plan.txt", b"plan bytes", first_plan())];
        store
            .import(&org, files(), at(1), &ReconcileOptions::default())
            .await
            .expect("first import");
        let before = store.row_counts().await.expect("counts");
        let outcomes = store
            .import(&org, files(), at(2), &ReconcileOptions::default())
            .await
            .expect("second import");
        assert!(matches!(outcomes[0], ImportOutcome::AlreadyImported { .. }));
        assert_eq!(store.row_counts().await.expect("counts"), before);
    }
}

#[tokio::test]
async fn report_rows_link_to_plan_activities_and_repeats_are_kept_but_marked() {
    for backend in waymark_testkit::backends() {
        let db = waymark_testkit::TestDb::new(backend).await;
        let store = db.store.clone();
        let org = store
            .organisation(None, Some("Test council"))
            .await
            .expect("org");
        let rep = report(vec![
            row(
                5,
                "108",
                "Open new libraries in Thamesmead and Sidcup",
                Status::Complete,
                "Place",
            ),
            row(
                6,
                "109",
                "Refresh our approach to climate change",
                Status::Green,
                "Cross cutting",
            ),
            row(
                7,
                "74",
                "Host apprenticeship fairs",
                Status::Complete,
                "Children's Services",
            ),
            row(
                8,
                "108",
                "Open new libraries in Thamesmead and Sidcup",
                Status::Complete,
                "Place",
            ),
        ]);
        store
            .import(
                &org,
                vec![
                    Incoming::new("report.txt", b"report", rep),
                    Incoming::new("plan.txt", b"plan", first_plan()),
                ],
                at(1),
                &ReconcileOptions::default(),
            )
            .await
            .expect("import");
        let activities = store.activities(&org, None).await.expect("activities");
        let libraries = activities
            .iter()
            .find(|a| a.title.starts_with("Open new libraries"))
            .expect("libraries");
        assert_eq!(libraries.reference.as_deref(), Some("108"));
        assert!(libraries.in_plan);
        let fairs = activities
            .iter()
            .find(|a| a.reference.as_deref() == Some("74"))
            .expect("report-only activity");
        assert!(!fairs.in_plan);
        let period = Period::new(2024, Quarter::Q4);
        let returns = store
            .returns(&org, Some(period), None)
            .await
            .expect("returns");
        assert_eq!(returns.len(), 4, "every row is kept");
        let links = store.links(&org, period, None).await.expect("links");
        let decisions: Vec<_> = links
            .iter()
            .map(|l| (l.reference.clone(), l.decision.key()))
            .collect();
        assert!(decisions.contains(&(Some("108".into()), "linked")));
        assert!(decisions.contains(&(Some("74".into()), "unmatched")));
        assert!(
            decisions.contains(&(None, "unmatched")),
            "the golf club has no report row: {decisions:?}"
        );
        let claims = store.claims(&org, period, None).await.expect("claims");
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].file, "report.txt");
        assert_eq!(
            store.periods(&org, None).await.expect("periods"),
            vec![period]
        );
    }
}

#[tokio::test]
async fn a_later_plan_revision_records_what_changed_and_history_stays_readable() {
    for backend in waymark_testkit::backends() {
        let db = waymark_testkit::TestDb::new(backend).await;
        let store = db.store.clone();
        let org = store
            .organisation(None, Some("Test council"))
            .await
            .expect("org");
        store
            .import(
                &org,
                vec![Incoming::new("plan-2023.txt", b"v1", first_plan())],
                at(1),
                &ReconcileOptions::default(),
            )
            .await
            .expect("first plan");
        let second = plan(vec![
            planned(
                2,
                "Open new libraries in Thamesmead and Sidcup",
                "Place",
                "2023",
            ),
            planned(
                3,
                "Refresh our approach to climate change",
                "Chief Executive",
                "Q4 2022 to 2023",
            ),
            planned(4, "Adopt the new Local Plan", "Place", "2024"),
        ]);
        store
            .import(
                &org,
                vec![Incoming::new("plan-2024.txt", b"v2", second)],
                at(10),
                &ReconcileOptions::default(),
            )
            .await
            .expect("second plan");
        let changes = store.plan_changes(&org, None).await.expect("changes");
        let kinds: Vec<&str> = changes.iter().map(|c| c.change.as_str()).collect();
        assert!(kinds.contains(&"due-changed"), "{kinds:?}");
        assert!(kinds.contains(&"moved"), "{kinds:?}");
        assert!(kinds.contains(&"added"), "{kinds:?}");
        assert!(kinds.contains(&"removed"), "{kinds:?}");

        let now = store.activities(&org, None).await.expect("now");
        let golf = now
            .iter()
            .find(|a| a.title.contains("Golf"))
            .expect("golf club still known");
        assert!(!golf.in_plan, "removed from the plan");
        assert_eq!(now.iter().filter(|a| a.in_plan).count(), 3);

        let then = store
            .activities(
                &org,
                Some(NaiveDate::from_ymd_opt(2025, 4, 5).expect("date")),
            )
            .await
            .expect("as of");
        assert_eq!(then.iter().filter(|a| a.in_plan).count(), 3);
        assert!(then.iter().any(|a| a.title.contains("Golf") && a.in_plan));
        assert!(!then.iter().any(|a| a.title.contains("Local Plan")));
        let before_anything = store
            .activities(
                &org,
                Some(NaiveDate::from_ymd_opt(2025, 3, 31).expect("date")),
            )
            .await
            .expect("as of");
        assert!(before_anything.is_empty());
    }
}

#[tokio::test]
async fn councils_are_kept_apart() {
    for backend in waymark_testkit::backends() {
        let db = waymark_testkit::TestDb::new(backend).await;
        let store = db.store.clone();
        let a = store
            .organisation(Some("alpha"), Some("Alpha"))
            .await
            .expect("alpha");
        let b = store
            .organisation(Some("beta"), Some("Beta"))
            .await
            .expect("beta");
        store
            .import(
                &a,
                vec![Incoming::new("plan.txt", b"same bytes", first_plan())],
                at(1),
                &ReconcileOptions::default(),
            )
            .await
            .expect("alpha import");
        // The same file for another council is that council's own document.
        let outcomes = store
            .import(
                &b,
                vec![Incoming::new("plan.txt", b"same bytes", first_plan())],
                at(1),
                &ReconcileOptions::default(),
            )
            .await
            .expect("beta import");
        assert!(matches!(outcomes[0], ImportOutcome::Imported { .. }));
        assert_eq!(store.activities(&a, None).await.expect("a").len(), 3);
        assert_eq!(store.activities(&b, None).await.expect("b").len(), 3);
        assert!(
            store.organisation(None, None).await.is_err(),
            "two councils: one must be chosen"
        );
        assert!(
            store
                .organisation(Some("Bad Slug!"), Some("x"))
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn indicator_values_missing_then_present_are_stored_on_every_backend() {
    use waymark_domain::FinancialYear;
    use waymark_domain::document::{KpiRow, KpiTable, Outturn};
    use waymark_domain::indicator::{Frequency, Measure};
    // A value missing first and present after, in one transaction (one connection): a missing
    // value must not fix the statement's parameter type to one a number cannot fill.
    let outturn = |year: i32, text: &str| Outturn {
        year: FinancialYear(year),
        text: text.to_string(),
        value: Measure::parse(text),
        period: None,
        label: None,
        target: None,
        rag_label: None,
    };
    let table = Document::KpiTable(KpiTable {
        title: "Key performance indicators".into(),
        rows: vec![KpiRow {
            line: 3,
            section: None,
            reference: "KPI 1".into(),
            name: "Households in temporary accommodation".into(),
            frequency: Frequency::Quarterly,
            direction: Some("decrease".into()),
            outturns: vec![
                outturn(2022, "N/A"),
                outturn(2023, "1,204"),
                outturn(2024, "89.02%"),
            ],
            rag: None,
            rag_label: None,
            polarity: None,
            extras: vec![],
            place: None,
        }],
    });
    for backend in waymark_testkit::backends() {
        let db = waymark_testkit::TestDb::new(backend).await;
        let org = db
            .store
            .organisation(None, Some("Test council"))
            .await
            .expect("org");
        db.store
            .import(
                &org,
                vec![Incoming::generated("kpis.txt", table.clone())],
                at(1),
                &ReconcileOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        let values = db.store.indicator_values(&org, None).await.expect("values");
        let numbers: Vec<Option<f64>> = values.iter().map(|v| v.value).collect();
        assert_eq!(
            numbers,
            vec![None, Some(1204.0), Some(89.02)],
            "{backend:?}"
        );
    }
}
