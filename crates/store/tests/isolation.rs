//! Many councils in one store: every read is scoped to its council.
//!
//! The property: loading several councils into one database gives, for each council, exactly
//! what loading that council alone into a fresh database gives, through every public read of
//! the store (lists, statistics, exports, settings). Ids differ between the two databases, so
//! results are compared with ids replaced by their rank among the ids the council's reads show;
//! a row of another council would add an id (or a row) and shift or break the comparison.
//!
//! Writes are checked too: each write (import, settings, outcomes, returns, link decisions)
//! must have the same outcome in the shared database as in the solo one, and a decision for one
//! council never touches another's links even when both hold the same references.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use waymark_domain::headline::HeadlineRule;
use waymark_domain::reconcile::{Decision, ReconcileOptions};
use waymark_domain::{
    ActionPlan, ActivityReport, Document, Period, PlannedActivity, Quarter, ReportRow, Status,
};
use waymark_store::{Backend, Incoming, LinkDecision, NewReturn, Organisation, Store};
use waymark_synth::{SynthSpec, council};
use waymark_testkit::{TestDb, backends};

/// How one council is made up: a synthetic council plus some of the things people do later.
#[derive(Debug, Clone)]
struct CouncilCase {
    seed: u64,
    index: usize,
    activities: usize,
    years: usize,
    /// Copy the first council's documents exactly (same titles, references, files).
    same_as_first: bool,
    /// Reconcile so strictly that report rows wait for review instead of linking.
    strict: bool,
    /// A second action-plan revision renaming this many activities, after this many reports.
    revision: Option<(usize, usize)>,
    /// A corrected copy of the last report with repeated rows and an unplanned activity.
    corrected_report: bool,
    /// A headline rule of the council's own (0 or 1), set after the first report.
    rule: Option<usize>,
    /// Link two activities to the plan's outcomes.
    outcomes: bool,
    /// Record a return directly for the first activity in the last period.
    direct_return: bool,
    /// Decide up to three links awaiting review in the newest period, alternating.
    decide: bool,
}

fn council_case() -> impl Strategy<Value = CouncilCase> {
    (
        (0u64..3, 0usize..2, 3usize..=25, 1usize..=2, any::<bool>()),
        (
            any::<bool>(),
            prop::option::of((1usize..=3, 0usize..8)),
            any::<bool>(),
            prop::option::of(0usize..2),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (seed, index, activities, years, same_as_first),
                (strict, revision, corrected_report, rule, outcomes, direct_return, decide),
            )| CouncilCase {
                seed,
                index,
                activities,
                years,
                same_as_first,
                strict,
                revision,
                corrected_report,
                rule,
                outcomes,
                direct_return,
                decide,
            },
        )
}

/// One thing done to a council, in order.
#[derive(Debug, Clone)]
enum Step {
    Import(Vec<Incoming>, ReconcileOptions),
    Rule(HeadlineRule),
    Outcomes(Vec<(String, Vec<u32>)>),
    Return(NewReturn),
    /// Decide (alternately accept, reject) up to three links awaiting review in the newest
    /// period, one decision per call, reading which from the database itself.
    DecideReviews,
}

fn strict_options() -> ReconcileOptions {
    ReconcileOptions {
        link_threshold: 1.01,
        ..ReconcileOptions::default()
    }
}

fn rules() -> [HeadlineRule; 2] {
    [
        HeadlineRule {
            name: "complete".into(),
            numerator: vec![Status::Complete],
            excluded: vec![Status::Ceased, Status::NoReturn],
        },
        HeadlineRule {
            name: "not red".into(),
            numerator: vec![Status::Complete, Status::Green, Status::Amber],
            excluded: vec![Status::NoReturn],
        },
    ]
}

/// A later revision of the plan: some activities renamed, the last removed, one added.
fn revised_plan(plan: &ActionPlan, renames: usize) -> ActionPlan {
    let mut activities: Vec<PlannedActivity> = plan.activities.clone();
    for a in activities.iter_mut().take(renames) {
        a.title = format!("{} and report on progress", a.title);
    }
    if activities.len() > 2 {
        activities.pop();
    }
    if let Some(first) = plan.activities.first() {
        let mut added = first.clone();
        added.title = "Pilot a neighbourhood repair café with volunteers".into();
        added.line = 9_000;
        activities.push(added);
    }
    ActionPlan {
        title: plan.title.clone(),
        last_updated: Some("Revised".into()),
        activities,
    }
}

/// A correction of a report: the first two rows repeated, one status changed, one row that no
/// plan activity has.
fn corrected(report: &ActivityReport) -> ActivityReport {
    let mut rows = report.rows.clone();
    for i in 0..2.min(report.rows.len()) {
        let mut again = report.rows[i].clone();
        again.line += 5_000;
        rows.push(again);
    }
    if let Some(row) = rows.get_mut(2) {
        row.status = Status::Amber;
        row.status_label = "Amber".into();
        row.note = Some("Corrected: delayed by a supplier".into());
    }
    let template = report.rows.first().cloned();
    if let Some(mut extra) = template {
        extra.reference = "NEW-1".into();
        extra.title = "Launch a borough-wide tool library".into();
        extra.line = 6_000;
        rows.push(extra);
    }
    ActivityReport {
        title: format!("{} (corrected)", report.title),
        rows,
        ..report.clone()
    }
}

/// The steps of one council, in the order they are done.
fn steps(case: &CouncilCase, first: &CouncilCase) -> Vec<Step> {
    let base = if case.same_as_first { first } else { case };
    let spec = SynthSpec {
        councils: 1,
        activities: base.activities,
        years: base.years,
        seed: base.seed,
        first_year: 2020,
    };
    let synth = council(&spec, base.index);
    let options = if case.strict {
        strict_options()
    } else {
        ReconcileOptions::default()
    };
    let import = |name: &str, document: Document| {
        Step::Import(vec![Incoming::generated(name, document)], options)
    };
    let mut plan = None;
    let mut reports = vec![];
    let mut rest = vec![];
    let mut out = vec![];
    for d in &synth.documents {
        match &d.document {
            Document::ActionPlan(p) => {
                plan = Some(p.clone());
                out.push(import(&d.file_name, d.document.clone()));
            }
            Document::ActivityReport(r) => reports.push((d.file_name.clone(), r.clone())),
            Document::CorporatePlan(_) => out.push(import(&d.file_name, d.document.clone())),
            _ => rest.push(d.clone()),
        }
    }
    let references: Vec<String> = reports
        .first()
        .map(|(_, r)| r.rows.iter().map(|row| row.reference.clone()).collect())
        .unwrap_or_default();
    for (i, (file, report)) in reports.iter().enumerate() {
        if let (Some((renames, after)), Some(plan)) = (case.revision, &plan)
            && after == i
        {
            out.push(import(
                "revised-action-plan.txt",
                Document::ActionPlan(revised_plan(plan, renames)),
            ));
        }
        out.push(import(file, Document::ActivityReport(report.clone())));
        if i == 0 {
            if let Some(rule) = case.rule {
                out.push(Step::Rule(rules()[rule].clone()));
            }
            if case.outcomes && references.len() >= 2 {
                out.push(Step::Outcomes(vec![
                    (references[0].clone(), vec![1]),
                    (references[1].clone(), vec![1, 2]),
                ]));
            }
        }
    }
    if let (Some((renames, after)), Some(plan)) = (case.revision, &plan)
        && after >= reports.len()
    {
        out.push(import(
            "revised-action-plan.txt",
            Document::ActionPlan(revised_plan(plan, renames)),
        ));
    }
    if case.corrected_report
        && let Some((file, last)) = reports.last()
    {
        out.push(import(
            &format!("corrected-{file}"),
            Document::ActivityReport(corrected(last)),
        ));
    }
    for d in rest {
        out.push(import(&d.file_name, d.document));
    }
    if case.direct_return
        && let (Some(reference), Some((_, last))) = (references.first(), reports.last())
    {
        out.push(Step::Return(NewReturn {
            reference: reference.clone(),
            period: last.period,
            status: Status::Red,
            status_label: "Red".into(),
            note: Some("Recorded directly: contractor went into administration".into()),
        }));
    }
    if case.decide {
        out.push(Step::DecideReviews);
    }
    out
}

/// When step `k` of any council happens: the same in the shared and the solo database.
fn at(k: usize) -> DateTime<Utc> {
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 9, 0, 0)
        .single()
        .expect("valid date");
    start + Duration::days(i64::try_from(k).expect("small step count"))
}

/// Do one step; the outcome as text (errors included) so shared and solo can be compared.
async fn run_step(store: &Store, org: &Organisation, step: &Step, k: usize) -> String {
    let when = at(k);
    match step {
        Step::Import(files, options) => {
            format!(
                "{:?}",
                store.import(org, files.clone(), when, options).await
            )
        }
        Step::Rule(rule) => format!("{:?}", store.set_headline_rule(org, rule, when).await),
        Step::Outcomes(assignments) => {
            format!("{:?}", store.assign_outcomes(org, assignments, when).await)
        }
        Step::Return(input) => match store.record_return(org, input, when).await {
            // The id is the database's own; only success matters.
            Ok(_) => "recorded".into(),
            Err(e) => format!("{e}"),
        },
        Step::DecideReviews => {
            let periods = store.periods(org, None).await.expect("periods");
            let Some(period) = periods.last().copied() else {
                return "no period".into();
            };
            let links = store.links(org, period, None).await.expect("links");
            let review: Vec<String> = links
                .iter()
                .filter(|l| l.decision == Decision::Review)
                .filter_map(|l| l.reference.clone())
                .take(3)
                .collect();
            let mut out = vec![];
            for (i, reference) in review.into_iter().enumerate() {
                let decision = if i % 2 == 0 {
                    LinkDecision::Accept
                } else {
                    LinkDecision::Reject
                };
                let result = store
                    .decide_links(
                        org,
                        period,
                        &[(reference.clone(), decision)],
                        &waymark_store::Who::command_line(),
                        when,
                    )
                    .await;
                out.push(format!("{reference} {decision:?}: {result:?}"));
            }
            out.join("\n")
        }
    }
}

/// Every public read of the store for one council, as JSON with the raw ids still in.
async fn reads(store: &Store, org: &Organisation) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut put = |name: String, value: Value| {
        out.insert(name, value);
    };
    let periods = store.periods(org, None).await.expect("periods");
    put("periods".into(), json!(periods));
    // As of: before anything, part way through, and now.
    let dates = [
        Some(NaiveDate::from_ymd_opt(2024, 12, 1).expect("date")),
        Some(NaiveDate::from_ymd_opt(2025, 1, 4).expect("date")),
        None,
    ];
    for as_of in dates {
        let tag = as_of.map_or("now".to_string(), |d| d.to_string());
        put(
            format!("periods {tag}"),
            json!(store.periods(org, as_of).await.expect("periods")),
        );
        put(
            format!("activities {tag}"),
            json!(store.activities(org, as_of).await.expect("activities")),
        );
        put(
            format!("returns {tag}"),
            json!(store.returns(org, None, as_of).await.expect("returns")),
        );
        put(
            format!("plan_changes {tag}"),
            json!(store.plan_changes(org, as_of).await.expect("plan changes")),
        );
        put(
            format!("plan_overview {tag}"),
            json!(store.plan_overview(org, as_of).await.expect("overview")),
        );
        put(
            format!("indicator_values {tag}"),
            json!(
                store
                    .indicator_values(org, as_of)
                    .await
                    .expect("indicators")
            ),
        );
        put(
            format!("headline_rule {tag}"),
            json!(store.headline_rule(org, as_of).await.expect("rule")),
        );
        let statuses = store
            .activity_statuses(org, as_of)
            .await
            .expect("activity statuses");
        put(
            format!("activity_statuses {tag}"),
            Value::Array(
                statuses
                    .iter()
                    .map(|s| json!({"activity": s.activity, "latest": s.latest}))
                    .collect(),
            ),
        );
    }
    // Every period this council has, plus one no council has.
    let mut asked: Vec<Period> = periods.clone();
    asked.push(Period::new(2099, Quarter::Q1));
    for period in asked {
        let p = period.slug();
        for as_of in [
            Some(NaiveDate::from_ymd_opt(2025, 1, 6).expect("date")),
            None,
        ] {
            let tag = as_of.map_or("now".to_string(), |d| d.to_string());
            put(
                format!("returns {p} {tag}"),
                json!(
                    store
                        .returns(org, Some(period), as_of)
                        .await
                        .expect("returns")
                ),
            );
            put(
                format!("claims {p} {tag}"),
                json!(
                    store
                        .claims(org, period, as_of)
                        .await
                        .expect("claims")
                        .iter()
                        .map(|c| json!({"claim": c.claim, "file": c.file}))
                        .collect::<Vec<_>>()
                ),
            );
            put(
                format!("links {p} {tag}"),
                json!(store.links(org, period, as_of).await.expect("links")),
            );
            put(
                format!("period_stats {p} {tag}"),
                json!(
                    store
                        .period_stats(org, period, as_of)
                        .await
                        .expect("period stats")
                ),
            );
        }
        // The side-by-side comparison of every council: this council's line must be its own.
        let comparison = store
            .headline_comparison(period)
            .await
            .expect("headline comparison");
        let mine: Vec<Value> = comparison
            .iter()
            .filter(|h| h.organisation.id == org.id)
            .map(|h| {
                json!({
                    "slug": h.organisation.slug,
                    "total": h.total,
                    "counts": h.counts,
                    "numerator": h.numerator,
                    "denominator": h.denominator,
                    "percent": h.percent,
                    "rule_name": h.rule_name,
                    "rule": h.rule,
                })
            })
            .collect();
        put(format!("headline_comparison {p}"), json!(mine));
    }
    out
}

/// Keys whose numbers are activity ids, and plan revision ids.
const ACTIVITY_ID_KEYS: [&str; 2] = ["id", "activity_id"];
const REVISION_ID_KEYS: [&str; 1] = ["revision"];

fn collect_ids(value: &Value, keys: &[&str], into: &mut BTreeSet<i64>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if keys.contains(&k.as_str())
                    && let Some(n) = v.as_i64()
                {
                    into.insert(n);
                }
                collect_ids(v, keys, into);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, keys, into)),
        _ => {}
    }
}

fn rank_ids(value: &mut Value, keys: &[&str], ids: &BTreeSet<i64>, prefix: &str) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if keys.contains(&k.as_str())
                    && let Some(n) = v.as_i64()
                {
                    let rank = ids.iter().position(|i| *i == n).unwrap_or(usize::MAX);
                    *v = json!(format!("{prefix}{rank}"));
                } else {
                    rank_ids(v, keys, ids, prefix);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| rank_ids(v, keys, ids, prefix)),
        _ => {}
    }
}

/// Every activity id a council's reads show.
fn activity_ids(reads: &BTreeMap<String, Value>) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    for v in reads.values() {
        collect_ids(v, &ACTIVITY_ID_KEYS, &mut ids);
    }
    ids
}

/// The reads with database ids replaced by their rank among this council's ids.
fn normalised(mut reads: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let activities = activity_ids(&reads);
    let mut revisions = BTreeSet::new();
    for v in reads.values() {
        collect_ids(v, &REVISION_ID_KEYS, &mut revisions);
    }
    for v in reads.values_mut() {
        rank_ids(v, &ACTIVITY_ID_KEYS, &activities, "activity#");
        rank_ids(v, &REVISION_ID_KEYS, &revisions, "revision#");
    }
    reads
}

fn assert_same_reads(
    context: &str,
    shared: &BTreeMap<String, Value>,
    solo: &BTreeMap<String, Value>,
) {
    let names: BTreeSet<&String> = shared.keys().chain(solo.keys()).collect();
    for name in names {
        let (a, b) = (shared.get(name), solo.get(name));
        assert!(
            a == b,
            "{context}: `{name}` differs between the shared database and the council alone\n\
             shared: {}\nalone:  {}",
            serde_json::to_string_pretty(&a).unwrap_or_default(),
            serde_json::to_string_pretty(&b).unwrap_or_default()
        );
    }
}

fn slug(i: usize) -> String {
    format!("council-{}", i + 1)
}

/// One council loaded alone into a fresh database: the database, each step's outcome, and
/// its reads.
async fn solo_run(
    backend: Backend,
    i: usize,
    plan: Vec<Step>,
) -> (TestDb, Vec<String>, BTreeMap<String, Value>) {
    let solo = TestDb::new(backend).await;
    let name = format!("Council number {}", i + 1);
    let org = solo
        .store
        .organisation(Some(&slug(i)), Some(&name))
        .await
        .expect("create council");
    let mut outcomes = vec![];
    for (k, step) in plan.iter().enumerate() {
        outcomes.push(run_step(&solo.store, &org, step, k).await);
    }
    let reads = reads(&solo.store, &org).await;
    (solo, outcomes, reads)
}

/// Every council loaded into one database, their steps interleaved round-robin (step `k` of
/// each council before step `k + 1` of any): the database, each council's step outcomes and
/// each council's reads.
async fn shared_run(
    backend: Backend,
    plans: Vec<Vec<Step>>,
) -> (TestDb, Vec<Vec<String>>, Vec<BTreeMap<String, Value>>) {
    let shared = TestDb::new(backend).await;
    let mut orgs = vec![];
    for i in 0..plans.len() {
        let name = format!("Council number {}", i + 1);
        orgs.push(
            shared
                .store
                .organisation(Some(&slug(i)), Some(&name))
                .await
                .expect("create council"),
        );
    }
    let longest = plans.iter().map(Vec::len).max().unwrap_or(0);
    let mut outcomes: Vec<Vec<String>> = vec![vec![]; plans.len()];
    for k in 0..longest {
        for (i, plan) in plans.iter().enumerate() {
            if let Some(step) = plan.get(k) {
                outcomes[i].push(run_step(&shared.store, &orgs[i], step, k).await);
            }
        }
    }

    // The store finds councils only by their own slug, and will not guess between several.
    let err = shared
        .store
        .organisation(None, None)
        .await
        .expect_err("several councils: none is chosen silently")
        .to_string();
    for i in 0..plans.len() {
        assert!(err.contains(&slug(i)), "{err} names {}", slug(i));
    }
    for org in &orgs {
        let found = shared
            .store
            .organisation(Some(&org.slug), None)
            .await
            .expect("known council");
        assert_eq!(&found, org);
    }
    assert!(
        shared
            .store
            .organisation(Some("council-99"), None)
            .await
            .is_err()
    );
    let listed: Vec<Organisation> = shared.store.organisations().await.expect("councils");
    assert_eq!(listed.len(), plans.len());

    let mut all_reads = vec![];
    let mut union = BTreeSet::new();
    for org in &orgs {
        all_reads.push(reads(&shared.store, org).await);
        union.extend(shared.store.periods(org, None).await.expect("periods"));
    }
    // The periods of every council together are exactly the councils' own periods.
    let all = shared.store.all_periods(None).await.expect("all periods");
    assert_eq!(all, union.into_iter().collect::<Vec<_>>());
    (shared, outcomes, all_reads)
}

/// For each backend, load every council into one database and each alone into a fresh one
/// (all databases loaded concurrently); each council's step outcomes and reads must be the
/// same in both, and no activity may show up in two councils' reads. Returns the databases,
/// to be dropped by the caller.
async fn shared_equals_solo(cases: &[CouncilCase]) -> Vec<TestDb> {
    let plans: Vec<Vec<Step>> = cases.iter().map(|c| steps(c, &cases[0])).collect();
    let mut shared_tasks = tokio::task::JoinSet::new();
    let mut solo_tasks = tokio::task::JoinSet::new();
    for backend in backends() {
        let all = plans.clone();
        shared_tasks.spawn(async move { (backend, shared_run(backend, all).await) });
        for (i, plan) in plans.iter().enumerate() {
            let plan = plan.clone();
            solo_tasks.spawn(async move { (backend, i, solo_run(backend, i, plan).await) });
        }
    }
    let mut shared = BTreeMap::new();
    let mut dbs = vec![];
    while let Some(done) = shared_tasks.join_next().await {
        let (backend, (db, outcomes, reads)) = done.expect("shared load");
        shared.insert(format!("{backend:?}"), (outcomes, reads));
        dbs.push(db);
    }
    while let Some(done) = solo_tasks.join_next().await {
        let (backend, i, (db, solo_outcomes, solo_reads)) = done.expect("solo load");
        dbs.push(db);
        let (outcomes, reads) = &shared[&format!("{backend:?}")];
        let context = format!("{backend:?}, council {} of {cases:#?}", i + 1);
        assert_eq!(
            outcomes[i], solo_outcomes,
            "{context}: writes had other outcomes"
        );
        assert_same_reads(
            &context,
            &normalised(reads[i].clone()),
            &normalised(solo_reads),
        );
    }
    // No activity id shows up in two councils' reads.
    for (backend, (_, reads)) in &shared {
        let ids: Vec<BTreeSet<i64>> = reads.iter().map(activity_ids).collect();
        for i in 0..ids.len() {
            for j in i + 1..ids.len() {
                let common: Vec<_> = ids[i].intersection(&ids[j]).collect();
                assert!(
                    common.is_empty(),
                    "{backend}: councils {} and {} both show activities {common:?}",
                    i + 1,
                    j + 1
                );
            }
        }
    }
    dbs
}

/// Drop test databases side by side (dropping a PostgreSQL database takes a while).
fn drop_all(dbs: Vec<TestDb>) {
    std::thread::scope(|s| {
        for db in dbs {
            s.spawn(move || drop(db));
        }
    });
}

/// Check [`shared_equals_solo`] on every backend.
fn check_isolation(cases: &[CouncilCase]) {
    let dbs = runtime().block_on(shared_equals_solo(cases));
    drop_all(dbs);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 6,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_read_of_a_council_is_the_same_alone_or_among_others(
        cases in prop::collection::vec(council_case(), 2..=4)
    ) {
        check_isolation(&cases);
    }
}

/// Two councils whose documents are identical, title for title and reference for reference:
/// each sees only its own rows (a join on reference or title without the council would
/// double them), through every read.
#[test]
fn councils_with_identical_documents_never_see_each_other() {
    let case = CouncilCase {
        seed: 7,
        index: 0,
        activities: 12,
        years: 1,
        same_as_first: true,
        strict: false,
        revision: Some((2, 1)),
        corrected_report: true,
        rule: None,
        outcomes: true,
        direct_return: true,
        decide: false,
    };
    let strict = CouncilCase {
        strict: true,
        decide: true,
        rule: Some(0),
        ..case.clone()
    };
    check_isolation(&[case.clone(), case.clone()]);
    check_isolation(&[strict.clone(), strict, case]);
}

fn review_references(links: &[waymark_domain::records::LinkRecord]) -> Vec<String> {
    links
        .iter()
        .filter(|l| l.decision == Decision::Review)
        .filter_map(|l| l.reference.clone())
        .collect()
}

/// A decision on a suggested link for one council cannot touch another council's links, even
/// for the same reference in the same period.
#[test]
fn deciding_a_link_for_one_council_leaves_the_other_alone() {
    runtime().block_on(async {
        for backend in backends() {
            let db = TestDb::new(backend).await;
            let store = &db.store;
            let a = store
                .organisation(Some("alpha"), Some("Alpha"))
                .await
                .expect("alpha");
            let b = store
                .organisation(Some("beta"), Some("Beta"))
                .await
                .expect("beta");
            let spec = SynthSpec {
                councils: 1,
                activities: 8,
                years: 1,
                seed: 3,
                first_year: 2020,
            };
            let synth = council(&spec, 0);
            // The plans and the first quarter's report, identical in both councils, every
            // report row left for a person to review.
            let docs: Vec<Incoming> = synth
                .documents
                .iter()
                .take(3)
                .map(|d| Incoming::generated(&d.file_name, d.document.clone()))
                .collect();
            let Document::ActivityReport(report) = &synth.documents[2].document else {
                panic!("the third synthetic document is a report");
            };
            let period = report.period;
            for (k, org) in [&a, &b].into_iter().enumerate() {
                store
                    .import(org, docs.clone(), at(k), &strict_options())
                    .await
                    .expect("import");
            }
            // Beta alone reports one more activity, also left for review.
            let mut extra: ReportRow = report.rows[0].clone();
            extra.reference = "BETA-ONLY".into();
            extra.line = 500;
            let beta_report = ActivityReport {
                title: "Beta's corrected report".into(),
                rows: [report.rows.clone(), vec![extra]].concat(),
                ..report.clone()
            };
            store
                .import(
                    &b,
                    vec![Incoming::generated(
                        "beta.txt",
                        Document::ActivityReport(beta_report),
                    )],
                    at(2),
                    &strict_options(),
                )
                .await
                .expect("import beta's report");
            let review_a = review_references(&store.links(&a, period, None).await.expect("links"));
            let review_b = review_references(&store.links(&b, period, None).await.expect("links"));
            assert!(review_a.len() >= 2, "{review_a:?}");
            assert!(review_b.contains(&"BETA-ONLY".to_string()), "{review_b:?}");
            assert!(review_a.iter().all(|r| review_b.contains(r)));

            let before_b = reads(store, &b).await;
            // Alpha cannot decide a link only Beta has; nothing changes for either.
            let before_a = reads(store, &a).await;
            let err = store
                .decide_links(
                    &a,
                    period,
                    &[("BETA-ONLY".into(), LinkDecision::Accept)],
                    &waymark_store::Who::command_line(),
                    at(3),
                )
                .await
                .expect_err("alpha has no such link");
            assert!(err.to_string().contains("no link awaiting review"), "{err}");
            assert_eq!(reads(store, &a).await, before_a);
            assert_eq!(reads(store, &b).await, before_b);

            // Alpha accepts one and rejects another reference Beta also has under review.
            store
                .decide_links(
                    &a,
                    period,
                    &[
                        (review_a[0].clone(), LinkDecision::Accept),
                        (review_a[1].clone(), LinkDecision::Reject),
                    ],
                    &waymark_store::Who::command_line(),
                    at(3),
                )
                .await
                .expect("alpha decides");
            let after_a = review_references(&store.links(&a, period, None).await.expect("links"));
            assert!(!after_a.contains(&review_a[0]) && !after_a.contains(&review_a[1]));
            assert_eq!(
                reads(store, &b).await,
                before_b,
                "{backend:?}: alpha's decisions changed beta's data"
            );

            // And Beta's decisions leave Alpha's as Alpha left them.
            let settled_a = reads(store, &a).await;
            store
                .decide_links(
                    &b,
                    period,
                    &[
                        (review_a[0].clone(), LinkDecision::Reject),
                        (review_a[1].clone(), LinkDecision::Accept),
                        ("BETA-ONLY".into(), LinkDecision::Reject),
                    ],
                    &waymark_store::Who::command_line(),
                    at(4),
                )
                .await
                .expect("beta decides");
            assert_eq!(
                reads(store, &a).await,
                settled_a,
                "{backend:?}: beta's decisions changed alpha's data"
            );
            let after_b = review_references(&store.links(&b, period, None).await.expect("links"));
            assert!(!after_b.contains(&"BETA-ONLY".to_string()));
            // Alpha's accepted reference is Alpha's: Beta's activity list holds its own copy,
            // not Alpha's.
            let ids_a = activity_ids(&reads(store, &a).await);
            let ids_b = activity_ids(&reads(store, &b).await);
            assert!(ids_a.is_disjoint(&ids_b));
        }
    });
}
