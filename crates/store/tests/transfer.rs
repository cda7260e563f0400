//! Backup, restore and copy between backends: the copy holds exactly the rows of the original
//! (compared table by table with `dump`) and reads back the same; a backup taken while imports
//! carry on is one instant of the database; a copy into a database holding data is refused.

use chrono::{DateTime, TimeZone, Utc};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use waymark_domain::headline::HeadlineRule;
use waymark_domain::reconcile::{Decision, ReconcileOptions};
use waymark_domain::records::{ActivityRecord, ReturnRecord};
use waymark_domain::workflow::{PeriodAction, ReturnContent, Role};
use waymark_domain::{Document, Status};
use waymark_import::Vocabulary;
use waymark_store::{
    Act, AttemptKind, Backend, Dump, Gate, Incoming, LinkDecision, NewUser, Organisation,
    SessionRules, Store, StoreError, ThrottleRules, Value, Who,
};
use waymark_synth::{SynthCouncil, SynthSpec};
use waymark_testkit::{TestDb, backends};

const BEXLEY: [&str; 5] = [
    "corporate-plan.txt",
    "principles.txt",
    "action-delivery-plan-2024-12.txt",
    "annual-performance-report-2024-25.txt",
    "childrens-services-vision.txt",
];

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, day, 9, 0, 0)
        .single()
        .expect("valid date")
}

fn synthetic(document: &waymark_synth::SynthDocument) -> Incoming {
    let bytes = serde_json::to_vec(&document.document).expect("document as JSON");
    Incoming::new(&document.file_name, &bytes, document.document.clone())
}

async fn council(store: &Store, c: &SynthCouncil) -> Organisation {
    store
        .organisation(Some(&c.slug), Some(&c.name))
        .await
        .expect("council")
}

/// Bexley's published pages with a person's decisions on top (an accepted link, so an activity
/// is merged into another; a headline rule; outcomes), and two small synthetic councils with
/// indicator values: every table holds rows.
async fn load(store: &Store) {
    let options = ReconcileOptions::default();
    let vocabulary = Vocabulary::default();
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bexley");
    let incoming = BEXLEY
        .iter()
        .map(|name| {
            let bytes = std::fs::read(folder.join(name)).expect("fixture");
            let document =
                waymark_import::import(name, &bytes, None, &vocabulary).expect("fixture parses");
            Incoming::new(name, &bytes, document)
        })
        .collect();
    let bexley = store
        .organisation(Some("bexley"), Some("London Borough of Bexley"))
        .await
        .expect("council");
    store
        .import(&bexley, incoming, at(1), &options)
        .await
        .expect("import Bexley");

    let periods = store.periods(&bexley, None).await.expect("periods");
    let period = *periods.last().expect("a reported period");
    let links = store.links(&bexley, period, None).await.expect("links");
    let review = links
        .iter()
        .find_map(|l| match (&l.decision, &l.reference) {
            (Decision::Review, Some(reference)) => Some(reference.clone()),
            _ => None,
        })
        .expect("Bexley's report has a link to review");
    store
        .decide_links(
            &bexley,
            period,
            &[(review, LinkDecision::Accept)],
            &waymark_store::Who::command_line(),
            at(2),
        )
        .await
        .expect("accept a link");
    let finding = store
        .findings(&bexley, Some(period))
        .await
        .expect("findings")
        .into_iter()
        .next()
        .expect("Bexley's data has a finding");
    store
        .settle_finding(
            &bexley,
            waymark_store::Settlement {
                period: Some(period),
                code: &finding.code,
                subject: &finding.subject,
                note: "checked with the directorate",
            },
            &waymark_store::Who::command_line(),
            at(2),
        )
        .await
        .expect("settle a finding");
    let rule = HeadlineRule {
        name: "complete".into(),
        numerator: vec![Status::Complete],
        excluded: vec![Status::NoReturn],
    };
    store
        .set_headline_rule(&bexley, &rule, at(3))
        .await
        .expect("headline rule");
    let plan = store.plan_overview(&bexley, None).await.expect("plan");
    let outcome = plan.themes[0].outcomes[0].number;
    let activities = store.activities(&bexley, None).await.expect("activities");
    let reference = activities
        .iter()
        .find_map(|a| a.reference.clone())
        .expect("an activity with a reference");
    store
        .assign_outcomes(
            &bexley,
            &[(reference, vec![u32::try_from(outcome).expect("small")])],
            at(4),
        )
        .await
        .expect("outcomes");
    store
        .suggest_outcomes(&bexley, true, at(4))
        .await
        .expect("suggest outcomes");
    staff_cycle(store, &bexley, &activities).await;

    let spec = SynthSpec {
        councils: 2,
        activities: 15,
        years: 1,
        seed: 3,
        first_year: 2021,
    };
    for i in 0..spec.councils {
        let c = waymark_synth::council(&spec, i);
        let org = council(store, &c).await;
        let incoming = c.documents.iter().map(synthetic).collect();
        store
            .import(&org, incoming, at(5), &options)
            .await
            .expect("import a synthetic council");
        // A revised action plan (one activity renamed, one dropped) records plan changes.
        let mut revised = c.documents[1].clone();
        let Document::ActionPlan(plan) = &mut revised.document else {
            panic!("the second synthetic document is the action plan");
        };
        plan.activities.pop();
        plan.activities[0].title.push_str(" and its neighbours");
        revised.file_name = revised.file_name.replace(".txt", "-revised.txt");
        store
            .import(&org, vec![synthetic(&revised)], at(6), &options)
            .await
            .expect("import a revised plan");
    }
    let first = store.organisations().await.expect("councils");
    let synthetic = first
        .iter()
        .find(|o| o.slug != "bexley")
        .expect("a synthetic council");
    staff_indicator(store, synthetic).await;
}

async fn add_user(
    store: &Store,
    org: &Organisation,
    email: &str,
    role: Role,
    directorate: Option<String>,
) -> waymark_store::User {
    let new = NewUser {
        email: email.into(),
        name: String::new(),
        role,
        directorate,
    };
    store
        .add_user(org, &new, &Who::command_line(), at(7))
        .await
        .expect("add user")
}

/// The staff side, so every table of the workflow holds rows: accounts, a set-up link, a
/// session, sign-in attempts, and a period taken from opening to publication.
async fn staff_cycle(store: &Store, org: &Organisation, activities: &[ActivityRecord]) {
    let activity = &activities[0];
    let admin = add_user(store, org, "admin@bexley.example", Role::Admin, None).await;
    let director = add_user(
        store,
        org,
        "director@bexley.example",
        Role::Director,
        Some(activity.directorate.clone()),
    )
    .await;
    let owner = add_user(store, org, "owner@bexley.example", Role::Owner, None).await;
    let token = store
        .issue_setup_link(&owner, &Who::command_line(), at(7))
        .await
        .expect("link");
    store
        .use_setup_link(
            &token,
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            at(7),
        )
        .await
        .expect("set password");
    let gate = store
        .begin_attempt(
            AttemptKind::SignIn,
            "owner@bexley.example",
            "127.0.0.1",
            ThrottleRules::default(),
            at(7),
        )
        .await
        .expect("attempt");
    let Gate::Open(attempt) = gate else {
        panic!("first attempt throttled")
    };
    store
        .attempt_failed(&attempt, "wrong password", at(7))
        .await
        .expect("failed sign-in");
    store
        .start_session(
            &owner,
            "password",
            "127.0.0.1",
            SessionRules::default(),
            at(7),
        )
        .await
        .expect("session");
    let period = "2025/26 Q1".parse().expect("period");
    let deadline = chrono::NaiveDate::from_ymd_opt(2025, 7, 31).expect("date");
    let cycle = store
        .open_cycle(org, period, deadline, &admin, at(7))
        .await
        .expect("open");
    store
        .assign_owner(org, cycle.id, activity.id, Some(owner.id), &admin, at(7))
        .await
        .expect("assign");
    let content = ReturnContent {
        status: Status::Amber,
        commentary: "Behind schedule.".into(),
        corrective_action: "A second contractor.".into(),
        reason: String::new(),
        evidence: vec!["https://example.org/evidence".into()],
    };
    store
        .act_on_return(
            org,
            cycle.id,
            activity.id,
            Act::Submit(&content),
            0,
            &owner,
            at(7),
        )
        .await
        .expect("submit");
    store
        .act_on_return(
            org,
            cycle.id,
            activity.id,
            Act::Approve { comment: "Agreed." },
            1,
            &director,
            at(7),
        )
        .await
        .expect("approve");
    store
        .record_reminder(org, &director, cycle.id, "approvals-waiting", 1, at(7))
        .await
        .expect("reminder");
    let locked = store
        .change_cycle(
            org,
            cycle.id,
            PeriodAction::Lock,
            cycle.revision,
            &admin,
            at(7),
        )
        .await
        .expect("lock");
    store
        .change_cycle(
            org,
            cycle.id,
            PeriodAction::Publish,
            locked.revision,
            &admin,
            at(7),
        )
        .await
        .expect("publish");
}

/// Indicator settings and a value entered, on a council that publishes indicators.
async fn staff_indicator(store: &Store, org: &Organisation) {
    let admin = add_user(store, org, "admin@synthetic.example", Role::Admin, None).await;
    let owner = add_user(store, org, "owner@synthetic.example", Role::Owner, None).await;
    let period = "2025/26 Q1".parse().expect("period");
    let deadline = chrono::NaiveDate::from_ymd_opt(2025, 7, 31).expect("date");
    let cycle = store
        .open_cycle(org, period, deadline, &admin, at(7))
        .await
        .expect("open");
    let indicator = store
        .indicator_items(org, cycle.id)
        .await
        .expect("indicators")
        .first()
        .map(|i| i.indicator_id)
        .expect("the synthetic council publishes indicators");
    store
        .set_indicator_settings(
            org,
            indicator,
            &waymark_domain::indicator::IndicatorRules::default(),
            Some(owner.id),
            &admin,
            at(7),
        )
        .await
        .expect("indicator settings");
    let value = waymark_domain::indicator::EntryInput {
        value: "87.5%".into(),
        note: "Quarter end.".into(),
        override_rag: None,
        override_reason: String::new(),
    };
    store
        .enter_indicator_value(org, cycle.id, indicator, &value, 0, &owner, at(7))
        .await
        .expect("indicator value");
}

/// What people read back: councils, and for each its activities and returns.
async fn reads(store: &Store) -> Vec<(Organisation, Vec<ActivityRecord>, Vec<ReturnRecord>)> {
    let mut out = vec![];
    for org in store.organisations().await.expect("councils") {
        let activities = store.activities(&org, None).await.expect("activities");
        let returns = store.returns(&org, None, None).await.expect("returns");
        out.push((org, activities, returns));
    }
    out
}

fn rows(dump: &Dump) -> usize {
    dump.iter().map(|(_, rows)| rows.len()).sum()
}

fn table<'d>(dump: &'d Dump, name: &str) -> &'d [Vec<Value>] {
    dump.iter()
        .find(|(t, _)| *t == name)
        .map(|(_, rows)| rows.as_slice())
        .expect("table in dump")
}

/// A fresh database on `backend`, or on SQLite when PostgreSQL is off for this run.
async fn fresh(backend: Backend) -> TestDb {
    let backend = if backends().contains(&backend) {
        backend
    } else {
        Backend::Sqlite
    };
    TestDb::new(backend).await
}

#[tokio::test]
async fn copies_between_backends_and_back_hold_the_same_rows_and_read_the_same() {
    let source = TestDb::new(Backend::Sqlite).await;
    load(&source.store).await;
    let original = source.store.dump().await.expect("dump");
    for (name, rows) in &original {
        assert!(!rows.is_empty(), "the test data leaves {name} empty");
    }
    let merged = table(&original, "activities")
        .iter()
        .filter(|r| r[4] != Value::Null)
        .count();
    assert!(merged > 0, "an accepted link merges an activity");
    let original_reads = reads(&source.store).await;

    let started = Instant::now();
    let middle = fresh(Backend::Postgres).await;
    let there = source
        .store
        .copy_to(&middle.store, false)
        .await
        .expect("copy out");
    assert_eq!(there.rows(), rows(&original) as u64);
    assert_eq!(there.councils(), 3);
    let back = TestDb::new(Backend::Sqlite).await;
    let again = middle
        .store
        .copy_to(&back.store, false)
        .await
        .expect("copy back");
    assert_eq!(again, there);
    eprintln!(
        "{} rows out to {:?} and back in {:?}",
        there.rows(),
        middle.backend,
        started.elapsed()
    );

    for copy in [&middle, &back] {
        assert!(
            copy.store.dump().await.expect("dump") == original,
            "{:?} copy differs",
            copy.backend
        );
        assert_eq!(reads(&copy.store).await, original_reads);
    }

    // The copies carry on: new rows get fresh ids (PostgreSQL's sequences were moved on).
    let spec = SynthSpec {
        councils: 3,
        activities: 10,
        years: 1,
        seed: 3,
        first_year: 2021,
    };
    let newcomer = waymark_synth::council(&spec, 2);
    for copy in [&middle, &back] {
        let org = council(&copy.store, &newcomer).await;
        let incoming = newcomer.documents.iter().map(synthetic).collect();
        copy.store
            .import(&org, incoming, at(7), &ReconcileOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{:?}: import after a copy: {e}", copy.backend));
    }
    assert_eq!(
        middle.store.row_counts().await.expect("counts"),
        back.store.row_counts().await.expect("counts")
    );
}

#[tokio::test]
async fn backups_restore_to_identical_databases_on_every_backend() {
    for backend in backends() {
        let source = TestDb::new(backend).await;
        load(&source.store).await;
        let original = source.store.dump().await.expect("dump");
        let original_reads = reads(&source.store).await;

        let file = source.scratch("backup.waymark");
        let started = Instant::now();
        let summary = source.store.backup(&file).await.expect("backup");
        eprintln!(
            "{backend:?}: backup of {} rows in {:?}",
            summary.rows(),
            started.elapsed()
        );
        assert_eq!(summary.rows(), rows(&original) as u64);
        // Only the backup is left behind: no temporary or journal files.
        let names: Vec<String> = std::fs::read_dir(source.scratch(""))
            .expect("scratch folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("waymark.db"))
            .collect();
        assert_eq!(names, ["backup.waymark"]);
        // A backup never overwrites a file.
        let before = std::fs::read(&file).expect("backup bytes");
        let again = source.store.backup(&file).await;
        assert!(matches!(again, Err(StoreError::Usage(m)) if m.contains("backup.waymark")));
        assert_eq!(std::fs::read(&file).expect("backup bytes"), before);

        for target in backends() {
            let restored = TestDb::new(target).await;
            let started = Instant::now();
            let summary = restored
                .store
                .restore_from(&file, false)
                .await
                .expect("restore");
            eprintln!(
                "{backend:?} backup restored into {target:?}: {} rows in {:?}",
                summary.rows(),
                started.elapsed()
            );
            assert!(
                restored.store.dump().await.expect("dump") == original,
                "{backend:?} backup restored into {target:?} differs"
            );
            assert_eq!(reads(&restored.store).await, original_reads);
            // Restoring again over the data needs --replace, and then changes nothing.
            let twice = restored.store.restore_from(&file, false).await;
            assert!(matches!(twice, Err(StoreError::Usage(_))));
            restored
                .store
                .restore_from(&file, true)
                .await
                .expect("restore with replace");
            assert!(restored.store.dump().await.expect("dump") == original);
        }
        // Restores only read the backup: it is byte for byte as written, one self-contained
        // file (a rollback journal, not WAL: bytes 18-19 of the header are 1).
        let after = std::fs::read(&file).expect("backup bytes");
        assert!(after == before, "{backend:?}: restoring changed the backup");
        assert_eq!(
            &after[18..20],
            &[1, 1],
            "{backend:?}: the backup is in WAL mode"
        );
    }
}

#[tokio::test]
async fn a_copy_into_a_database_that_holds_data_needs_replace() {
    let spec = SynthSpec {
        councils: 2,
        activities: 12,
        years: 1,
        seed: 9,
        first_year: 2022,
    };
    for source_backend in backends() {
        for target_backend in backends() {
            let source = TestDb::new(source_backend).await;
            let target = TestDb::new(target_backend).await;
            for (db, i) in [(&source, 0), (&target, 1)] {
                let c = waymark_synth::council(&spec, i);
                let org = council(&db.store, &c).await;
                let incoming = c.documents.iter().map(synthetic).collect();
                db.store
                    .import(&org, incoming, at(1), &ReconcileOptions::default())
                    .await
                    .expect("import");
            }
            let before = target.store.dump().await.expect("dump");
            let refused = source.store.copy_to(&target.store, false).await;
            match refused {
                Err(StoreError::Usage(m)) => assert!(m.contains("already holds 1 council"), "{m}"),
                other => panic!("copy into a database with data: {other:?}"),
            }
            assert!(target.store.dump().await.expect("dump") == before);

            source
                .store
                .copy_to(&target.store, true)
                .await
                .expect("copy with replace");
            assert!(
                target.store.dump().await.expect("dump")
                    == source.store.dump().await.expect("dump"),
                "{source_backend:?} → {target_backend:?}: replaced target differs"
            );
        }
    }
}

#[tokio::test]
async fn databases_at_different_schema_versions_are_not_copied() {
    for backend in backends() {
        let source = TestDb::new(Backend::Sqlite).await;
        let target = TestDb::new(backend).await;
        // A migration this build does not have, as a newer Waymark would have left it.
        let url = match backend {
            Backend::Sqlite => format!("sqlite:{}", target.location),
            Backend::Postgres => target.location.clone(),
        };
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .expect("connect");
        let sql = match backend {
            Backend::Sqlite => {
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (9999, 'future', 1, x'00', 0)"
            }
            Backend::Postgres => {
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (9999, 'future', TRUE, '\\x00'::bytea, 0)"
            }
        };
        sqlx::query(sql).execute(&mut conn).await.expect("insert");
        let copied = source.store.copy_to(&target.store, false).await;
        match copied {
            Err(StoreError::Usage(m)) => assert!(m.contains("schema versions"), "{m}"),
            other => panic!("copy across schema versions: {other:?}"),
        }
    }
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_waymark_backup() {
    let target = TestDb::new(Backend::Sqlite).await;
    let missing = target.scratch("missing.db");
    let text = target.scratch("notes.txt");
    std::fs::write(&text, "not a database").expect("write");
    let empty = target.scratch("empty.db");
    std::fs::write(&empty, "").expect("write");
    // Another program's SQLite database: it must be refused, and left exactly as it was.
    let foreign = target.scratch("other.sqlite");
    {
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!(
            "sqlite:{}?mode=rwc",
            foreign.display()
        ))
        .await
        .expect("create");
        sqlx::query("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)")
            .execute(&mut conn)
            .await
            .expect("create table");
        <sqlx::AnyConnection as sqlx::Connection>::close(conn)
            .await
            .expect("close");
    }
    let foreign_bytes = std::fs::read(&foreign).expect("read");
    for (file, says) in [
        (&missing, "does not exist"),
        (&text, "is not a Waymark database"),
        (&empty, "is not a Waymark database"),
        (&foreign, "is not a Waymark database"),
    ] {
        match target.store.restore_from(file, false).await {
            Err(StoreError::Usage(m)) => {
                let name = file.file_name().expect("name").to_string_lossy();
                assert!(m.contains(says) && m.contains(name.as_ref()), "{m}");
            }
            other => panic!("restore from {}: {other:?}", file.display()),
        }
    }
    assert_eq!(std::fs::read(&foreign).expect("read"), foreign_bytes);
    assert!(!missing.exists());
    assert_eq!(
        std::fs::read(&empty).expect("read"),
        b"",
        "the empty file was not made a database"
    );
}

#[tokio::test]
async fn a_backup_into_a_missing_folder_is_refused_and_leaves_nothing() {
    for backend in backends() {
        let source = TestDb::new(backend).await;
        let out = source.scratch("no-such-folder/backup.db");
        let refused = source.store.backup(&out).await;
        assert!(matches!(refused, Err(StoreError::Usage(m)) if m.contains("does not exist")));
        assert!(!source.scratch("no-such-folder").exists());
    }
}

/// The documents of several synthetic councils, interleaved (one council's next report, then
/// the next council's), as the stream of imports to back up in the middle of.
fn stream(
    councils: &[SynthCouncil],
    orgs: &[Organisation],
    skip: usize,
) -> Vec<(Organisation, Incoming)> {
    let longest = councils
        .iter()
        .map(|c| c.documents.len())
        .max()
        .unwrap_or(0);
    let mut out = vec![];
    for d in skip..longest {
        for (c, org) in councils.iter().zip(orgs) {
            if let Some(document) = c.documents.get(d) {
                out.push((org.clone(), synthetic(document)));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_imports_carry_on_is_one_point_in_time() {
    let spec = SynthSpec {
        councils: 4,
        activities: 25,
        years: 4,
        seed: 21,
        first_year: 2016,
    };
    let councils: Vec<SynthCouncil> = waymark_synth::councils(&spec).collect();
    for backend in backends() {
        let source = TestDb::new(backend).await;
        let store = source.store.clone();
        let options = ReconcileOptions::default();
        // Plans and first reports before the stream, so that the stream only appends rows
        // (the first report gives plan activities their references in place).
        let mut orgs = vec![];
        for c in &councils {
            let org = council(&store, c).await;
            assert!(matches!(
                c.documents[2].document,
                Document::ActivityReport(_)
            ));
            let first: Vec<Incoming> = c.documents[..3].iter().map(synthetic).collect();
            store
                .import(&org, first, at(1), &options)
                .await
                .expect("import plans");
            orgs.push(org);
        }
        let imports = stream(&councils, &orgs, 3);
        let total = imports.len();

        // counts[k]: the rows of each table after the k-th import of the stream.
        let (committed_tx, mut committed) = tokio::sync::watch::channel(0usize);
        let backup_done = Arc::new(tokio::sync::Notify::new());
        let writer = {
            let store = store.clone();
            let backup_done = backup_done.clone();
            tokio::spawn(async move {
                let mut counts = vec![store.row_counts().await.expect("counts")];
                for (k, (org, incoming)) in imports.into_iter().enumerate() {
                    // The last import waits for the backup, so the backup cannot see it.
                    if k + 1 == total {
                        backup_done.notified().await;
                    }
                    store
                        .import(&org, vec![incoming], at(2), &ReconcileOptions::default())
                        .await
                        .expect("import");
                    counts.push(store.row_counts().await.expect("counts"));
                    committed_tx.send_replace(k + 1);
                }
                counts
            })
        };

        committed
            .wait_for(|n| *n >= 3)
            .await
            .expect("the writer commits");
        let file = source.scratch("during-writes.waymark");
        let started_after = *committed.borrow();
        let started = Instant::now();
        let backed_up = store.backup(&file).await.expect("backup");
        let took = started.elapsed();
        let finished_after = *committed.borrow();
        backup_done.notify_one();
        let counts = writer.await.expect("writer");
        eprintln!(
            "{backend:?}: backup of {} rows in {took:?}, started after import {started_after} \
             and finished after import {finished_after} of {total}",
            backed_up.rows()
        );

        let restored = TestDb::new(backend).await;
        restored
            .store
            .restore_from(&file, false)
            .await
            .expect("restore");
        let restored_counts = restored.store.row_counts().await.expect("counts");
        let matching: Vec<usize> = (0..counts.len())
            .filter(|k| counts[*k] == restored_counts)
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "{backend:?}: the backup's row counts {restored_counts:?} are not those after exactly one import"
        );
        let k = matching[0];
        eprintln!("{backend:?}: the backup holds the database as it was after import {k}");
        assert!(
            k >= started_after && k < total,
            "{backend:?}: the backup is of import {k}, taken after {started_after} of {total}"
        );

        // Rows only ever append in this stream: the backup is the final database cut at the
        // point of import k.
        let restored_dump = restored.store.dump().await.expect("dump");
        let final_dump = store.dump().await.expect("dump");
        for ((name, final_rows), (_, backup_rows)) in final_dump.iter().zip(&restored_dump) {
            if *name == "data_versions" {
                // The one table updated in place: a counter per council, raised by each import.
                assert_eq!(backup_rows.len(), final_rows.len(), "{backend:?}");
                continue;
            }
            let n = counts[k]
                .iter()
                .find(|(t, _)| t == name)
                .map(|(_, n)| usize::try_from(*n).expect("count"))
                .expect("counted");
            assert!(
                backup_rows.as_slice() == &final_rows[..n],
                "{backend:?}: table {name} in the backup is not its first {n} rows"
            );
        }
    }
}
