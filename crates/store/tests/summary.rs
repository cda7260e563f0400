//! Returns recorded one at a time, each council's headline side by side, and an activity list
//! with latest statuses: on SQLite and PostgreSQL.

use chrono::{Duration, TimeZone, Utc};
use waymark_domain::headline::HeadlineRule;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::{Document, Period, Status};
use waymark_store::{Incoming, NewReturn, Organisation, Store, StoreError};
use waymark_synth::{SynthSpec, council};
use waymark_testkit::{TestDb, backends};

fn spec(first_year: u16) -> SynthSpec {
    SynthSpec {
        councils: 3,
        activities: 8,
        years: 1,
        seed: 11,
        first_year,
    }
}

/// Load synthetic council `index` of `spec`, each document stamped a day apart.
async fn load(store: &Store, spec: &SynthSpec, index: usize) -> Organisation {
    let c = council(spec, index);
    let org = store
        .organisation(Some(&c.slug), Some(&c.name))
        .await
        .expect("council");
    let start = Utc
        .with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
        .single()
        .expect("date");
    for (i, doc) in c.documents.into_iter().enumerate() {
        store
            .import(
                &org,
                vec![Incoming::generated(&doc.file_name, doc.document)],
                start + Duration::days(i as i64),
                &ReconcileOptions::default(),
            )
            .await
            .expect("import");
    }
    org
}

fn last_period(spec: &SynthSpec) -> Period {
    let c = council(spec, 0);
    c.documents
        .iter()
        .filter_map(|d| match &d.document {
            Document::ActivityReport(r) => Some(r.period),
            _ => None,
        })
        .max()
        .expect("a report")
}

#[tokio::test]
async fn a_recorded_return_replaces_the_report_row_and_counts_at_once() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let spec = spec(2023);
        let org = load(&db.store, &spec, 0).await;
        let period = last_period(&spec);
        let before = db
            .store
            .period_stats(&org, period, None)
            .await
            .expect("stats");
        let returns = db
            .store
            .returns(&org, Some(period), None)
            .await
            .expect("returns");
        let target = returns
            .iter()
            .find(|r| r.status != Status::Red)
            .expect("a row not yet red")
            .clone();

        let input = NewReturn {
            reference: target.reference.clone(),
            period,
            status: Status::Red,
            status_label: "Red".into(),
            note: Some("Supplier failed; re-tendering by March.".into()),
        };
        let now = Utc::now();
        db.store
            .record_return(&org, &input, now)
            .await
            .expect("record");

        let after = db
            .store
            .period_stats(&org, period, None)
            .await
            .expect("stats");
        assert_eq!(
            after.total, before.total,
            "{backend:?}: still one return per activity"
        );
        assert_eq!(after.counts.red, before.counts.red + 1, "{backend:?}");
        assert_eq!(
            after.counts.get(target.status),
            before.counts.get(target.status) - 1,
            "{backend:?}"
        );
        // Every council's comparison, kept by the write itself, agrees at once.
        let compared = db
            .store
            .headline_comparison(period)
            .await
            .expect("comparison");
        let line = compared
            .iter()
            .find(|h| h.organisation.id == org.id)
            .expect("listed");
        assert_eq!(
            (line.total, &line.counts, line.numerator),
            (after.total, &after.counts, after.numerator),
            "{backend:?}"
        );
        let now_returns = db
            .store
            .returns(&org, Some(period), None)
            .await
            .expect("returns");
        let replaced: Vec<_> = now_returns
            .iter()
            .filter(|r| r.reference == target.reference)
            .collect();
        assert_eq!(
            replaced.len(),
            1,
            "{backend:?}: the report row is replaced, not joined"
        );
        assert_eq!(replaced[0].status, Status::Red);
        assert_eq!(replaced[0].note, input.note);
        assert_eq!(
            replaced[0].source, None,
            "{backend:?}: a direct return has no file"
        );

        // The list of activities shows it as the latest status.
        let list = db.store.activity_statuses(&org, None).await.expect("list");
        let row = list
            .iter()
            .find(|a| a.activity.reference.as_deref() == Some(target.reference.as_str()))
            .expect("activity");
        assert_eq!(row.latest.as_ref().map(|r| r.status), Some(Status::Red));
        assert!(list.iter().all(|a| a.latest.is_some()), "{backend:?}");

        // A later return for the same activity and period wins; a return for the next
        // period becomes the latest status without touching this period.
        let mut again = input.clone();
        again.status = Status::Amber;
        again.status_label = "Amber".into();
        db.store
            .record_return(&org, &again, now + Duration::seconds(1))
            .await
            .expect("record");
        let mut next = input.clone();
        next.period = period.next();
        next.status = Status::Complete;
        next.status_label = "Complete".into();
        db.store
            .record_return(&org, &next, now + Duration::seconds(2))
            .await
            .expect("record");
        let third = db
            .store
            .period_stats(&org, period, None)
            .await
            .expect("stats");
        assert_eq!(third.counts.red, before.counts.red, "{backend:?}");
        assert_eq!(
            third.counts.amber,
            before.counts.amber + 1 - usize::from(target.status == Status::Amber),
            "{backend:?}"
        );
        let periods = db.store.periods(&org, None).await.expect("periods");
        assert_eq!(periods.last(), Some(&period.next()));
        let list = db.store.activity_statuses(&org, None).await.expect("list");
        let row = list
            .iter()
            .find(|a| a.activity.reference.as_deref() == Some(target.reference.as_str()))
            .expect("activity");
        assert_eq!(
            row.latest.as_ref().map(|r| (r.period, r.status)),
            Some((period.next(), Status::Complete))
        );
    }
}

#[tokio::test]
async fn a_newer_report_supersedes_returns_recorded_before_it() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let spec = spec(2023);
        let org = load(&db.store, &spec, 0).await;
        let period = last_period(&spec);
        let c = council(&spec, 0);
        let report = c
            .documents
            .iter()
            .find_map(|d| match &d.document {
                Document::ActivityReport(r) if r.period == period => Some(r.clone()),
                _ => None,
            })
            .expect("report");
        let reference = report.rows[0].reference.clone();
        db.store
            .record_return(
                &org,
                &NewReturn {
                    reference: reference.clone(),
                    period,
                    status: Status::Red,
                    status_label: "Red".into(),
                    note: None,
                },
                Utc::now(),
            )
            .await
            .expect("record");
        // A corrected report for the period arrives afterwards: it stands in full.
        let mut corrected = report.clone();
        corrected.title.push_str(" (corrected)");
        corrected.rows[0].status = Status::Complete;
        corrected.rows[0].status_label = "Complete".into();
        db.store
            .import(
                &org,
                vec![Incoming::generated(
                    "corrected.txt",
                    Document::ActivityReport(corrected),
                )],
                Utc::now() + Duration::seconds(5),
                &ReconcileOptions::default(),
            )
            .await
            .expect("import");
        let returns = db
            .store
            .returns(&org, Some(period), None)
            .await
            .expect("returns");
        let row: Vec<_> = returns
            .iter()
            .filter(|r| r.reference == reference)
            .collect();
        assert_eq!(row.len(), 1, "{backend:?}");
        assert_eq!(row[0].status, Status::Complete, "{backend:?}");
        assert_eq!(
            row[0].source.as_ref().map(|s| s.file.as_str()),
            Some("corrected.txt")
        );
    }
}

#[tokio::test]
async fn bad_returns_are_refused_and_change_nothing() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let spec = spec(2023);
        let org = load(&db.store, &spec, 0).await;
        let other = load(&db.store, &spec, 1).await;
        let period = last_period(&spec);
        let before = db.store.row_counts().await.expect("counts");
        let theirs = db
            .store
            .returns(&other, Some(period), None)
            .await
            .expect("returns")[0]
            .reference
            .clone();
        let ours = db
            .store
            .returns(&org, Some(period), None)
            .await
            .expect("returns")[0]
            .reference
            .clone();
        let base = NewReturn {
            reference: ours,
            period,
            status: Status::Green,
            status_label: "Green".into(),
            note: None,
        };
        let cases = [
            NewReturn {
                reference: "NO-SUCH-REF".into(),
                ..base.clone()
            },
            NewReturn {
                status_label: "   ".into(),
                ..base.clone()
            },
            NewReturn {
                note: Some("x".repeat(waymark_store::MAX_NOTE_CHARS + 1)),
                ..base.clone()
            },
        ];
        for bad in cases {
            let err = db.store.record_return(&org, &bad, Utc::now()).await;
            assert!(
                matches!(err, Err(StoreError::Usage(_))),
                "{backend:?}: {err:?}"
            );
        }
        // Another council's reference is unknown here unless this council has it too.
        let mine = db.store.activities(&org, None).await.expect("activities");
        if !mine
            .iter()
            .any(|a| a.reference.as_deref() == Some(theirs.as_str()))
        {
            let err = db
                .store
                .record_return(
                    &org,
                    &NewReturn {
                        reference: theirs,
                        ..base.clone()
                    },
                    Utc::now(),
                )
                .await;
            assert!(matches!(err, Err(StoreError::Usage(_))), "{backend:?}");
        }
        assert_eq!(
            db.store.row_counts().await.expect("counts"),
            before,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn the_comparison_agrees_with_each_councils_own_statistics() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let spec = spec(2023);
        let a = load(&db.store, &spec, 0).await;
        let b = load(&db.store, &spec, 1).await;
        // A third council reporting other years has nothing for the period compared.
        let c = load(&db.store, &self::spec(2019), 2).await;
        let rule = HeadlineRule {
            name: "complete".into(),
            numerator: vec![Status::Complete],
            excluded: vec![Status::NoReturn, Status::Ceased],
        };
        db.store
            .set_headline_rule(&b, &rule, Utc::now())
            .await
            .expect("rule");
        let period = last_period(&spec);
        let all = db
            .store
            .headline_comparison(period)
            .await
            .expect("comparison");
        assert_eq!(all.len(), 3, "{backend:?}: every council is listed");
        for org in [&a, &b] {
            let own = db
                .store
                .period_stats(org, period, None)
                .await
                .expect("stats");
            let row = all
                .iter()
                .find(|h| h.organisation.id == org.id)
                .expect("listed");
            assert_eq!(
                (row.total, row.numerator, row.denominator, row.percent),
                (own.total, own.numerator, own.denominator, own.percent),
                "{backend:?}: {}",
                org.slug
            );
            assert_eq!(row.counts, own.counts);
            assert_eq!(row.rule, own.rule);
        }
        let b_row = all.iter().find(|h| h.organisation.id == b.id).expect("b");
        assert_eq!(b_row.rule_name, "complete");
        let c_row = all.iter().find(|h| h.organisation.id == c.id).expect("c");
        assert_eq!((c_row.total, c_row.percent), (0, None), "{backend:?}");
    }
}

#[tokio::test]
async fn period_statistics_equal_those_computed_from_every_full_read() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let spec = spec(2023);
        let org = load(&db.store, &spec, 0).await;
        // Link some activities to outcomes so the theme and outcome breakdowns have content.
        let activities = db.store.activities(&org, None).await.expect("activities");
        let overview = db.store.plan_overview(&org, None).await.expect("overview");
        let numbers: Vec<u32> = overview
            .themes
            .iter()
            .flat_map(|t| {
                t.outcomes
                    .iter()
                    .filter_map(|o| u32::try_from(o.number).ok())
            })
            .collect();
        let links: Vec<(String, Vec<u32>)> = activities
            .iter()
            .filter_map(|a| a.reference.clone())
            .zip(numbers.iter().cycle())
            .take(5)
            .map(|(r, n)| (r, vec![*n]))
            .collect();
        db.store
            .assign_outcomes(&org, &links, Utc::now())
            .await
            .expect("outcomes");
        let activities = db.store.activities(&org, None).await.expect("activities");
        let rule = db.store.headline_rule(&org, None).await.expect("rule");
        for period in db.store.periods(&org, None).await.expect("periods") {
            let returns = db
                .store
                .returns(&org, Some(period), None)
                .await
                .expect("returns");
            let claims: Vec<_> = db
                .store
                .claims(&org, period, None)
                .await
                .expect("claims")
                .into_iter()
                .map(|c| c.claim)
                .collect();
            let full =
                waymark_domain::stats::compute(period, &returns, &activities, &rule, &claims);
            let quick = db
                .store
                .period_stats(&org, period, None)
                .await
                .expect("stats");
            assert_eq!(quick, full, "{backend:?} {period}");
            assert!(
                !quick.by_outcome.is_empty(),
                "{backend:?}: outcomes are counted"
            );
        }
    }
}

/// The web server keeps rendered pages until a council's data version changes: every write
/// that changes what a council publishes must raise it, and nothing else may.
#[tokio::test]
async fn every_publishing_write_raises_only_its_councils_data_version() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let spec = spec(2023);
        let a = load(&db.store, &spec, 0).await;
        let b = load(&db.store, &spec, 1).await;
        let versions = || async { db.store.data_versions().await.expect("versions") };
        let fingerprint = || async { db.store.data_fingerprint().await.expect("fingerprint") };
        let before = versions().await;
        let print = fingerprint().await;
        assert_eq!(before.len(), 2, "{backend:?}: one version per council");

        // Reads change nothing.
        db.store.activities(&a, None).await.expect("read");
        assert_eq!(fingerprint().await, print, "{backend:?}");

        let activities = db.store.activities(&a, None).await.expect("activities");
        let reference = activities
            .iter()
            .find_map(|x| x.reference.clone())
            .expect("a referenced activity");
        let input = NewReturn {
            reference,
            period: last_period(&spec),
            status: Status::Red,
            status_label: "Red".into(),
            note: Some("Contractor went into administration".into()),
        };
        db.store
            .record_return(&a, &input, Utc::now())
            .await
            .expect("record");
        let after = versions().await;
        assert_ne!(
            after[&a.id], before[&a.id],
            "{backend:?}: a's version moves"
        );
        assert_eq!(after[&b.id], before[&b.id], "{backend:?}: b's does not");
        let print_after = fingerprint().await;
        assert_ne!(print_after, print, "{backend:?}");

        // A refused write leaves every version as it was.
        let mut bad = input.clone();
        bad.reference = "no-such-reference".into();
        assert!(db.store.record_return(&a, &bad, Utc::now()).await.is_err());
        assert_eq!(fingerprint().await, print_after, "{backend:?}");

        db.store
            .set_headline_rule(&b, &HeadlineRule::default(), Utc::now())
            .await
            .expect("rule");
        let last = versions().await;
        assert_ne!(
            last[&b.id], after[&b.id],
            "{backend:?}: a rule change moves b"
        );
        assert_eq!(last[&a.id], after[&a.id], "{backend:?}");

        // A new council changes the fingerprint even before it has data.
        db.store
            .organisation(Some("newham"), Some("Newham"))
            .await
            .expect("create");
        assert_ne!(fingerprint().await, print_after, "{backend:?}");
    }
}
