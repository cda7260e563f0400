//! The audit trail against someone who can write to the database but does not hold the audit
//! key, on both backends: seals, signed checkpoints and row hashes, each attack made as such a
//! person would make it (lifting the triggers that guard the trail first).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection, Row};
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::workflow::{ReturnContent, Role};
use waymark_domain::{Period, Status};
use waymark_store::{
    Act, ActivityFields, AuditCheck, AuditKey, Backend, Checkpoint, CheckpointError, Incoming,
    NewUser, Organisation, PlanEdit, SigningKey, Store, User, Who,
};
use waymark_synth::{SynthSpec, council};
use waymark_testkit::{TestDb, backends};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0)
        .single()
        .expect("date")
        + Duration::minutes(minutes)
}

fn key() -> AuditKey {
    AuditKey::from_bytes(&[0x5a; 32]).expect("key")
}

async fn load(store: &Store) -> Organisation {
    let spec = SynthSpec {
        councils: 1,
        activities: 6,
        years: 1,
        seed: 9,
        first_year: 2024,
    };
    let c = council(&spec, 0);
    let org = store
        .organisation(Some(&c.slug), Some(&c.name))
        .await
        .expect("council");
    for (i, doc) in c.documents.into_iter().enumerate() {
        store
            .import(
                &org,
                vec![Incoming::generated(&doc.file_name, doc.document)],
                at(0) - Duration::days(30 - i as i64),
                &ReconcileOptions::default(),
            )
            .await
            .expect("import");
    }
    org
}

async fn add(store: &Store, org: &Organisation, email: &str, role: Role) -> User {
    store
        .add_user(
            org,
            &NewUser {
                email: email.into(),
                name: String::new(),
                role,
                directorate: None,
            },
            &Who::command_line(),
            at(0),
        )
        .await
        .expect("add user")
}

fn q1() -> Period {
    "2025/26 Q1".parse().expect("period")
}

/// What the quarterly workflow and plan maintenance leave in the trail: accounts, a period,
/// a submitted return, an indicator value and a plan edit, each recording its row.
struct Activity {
    org: Organisation,
    admin: User,
    owner: User,
    cycle: i64,
    activity: i64,
}

async fn activity(store: &Store) -> Activity {
    use waymark_domain::indicator::{EntryInput, IndicatorRules, Polarity, RagRuleSet};
    let org = load(store).await;
    let admin = add(store, &org, "admin@example.gov.uk", Role::Admin).await;
    let owner = add(store, &org, "owner@example.gov.uk", Role::Owner).await;
    let deadline = NaiveDate::from_ymd_opt(2025, 7, 31).expect("date");
    let cycle = store
        .open_cycle(&org, q1(), deadline, &admin, at(1))
        .await
        .expect("open");
    let activities = store.activities(&org, None).await.expect("activities");
    let first = activities.first().expect("an activity");
    store
        .assign_owner(&org, cycle.id, first.id, Some(owner.id), &admin, at(2))
        .await
        .expect("assign");
    store
        .act_on_return(
            &org,
            cycle.id,
            first.id,
            Act::Submit(&ReturnContent {
                status: Status::Amber,
                commentary: "Works are behind schedule after the contractor's delay.".into(),
                corrective_action: "A second contractor starts in August.".into(),
                reason: "The contractor went into administration.".into(),
                evidence: vec![],
            }),
            0,
            &owner,
            at(3),
        )
        .await
        .expect("submit");
    let items = store
        .indicator_items(&org, cycle.id)
        .await
        .expect("indicators");
    let indicator = items.first().expect("an indicator").indicator_id;
    let rules = IndicatorRules {
        polarity: Polarity::HigherIsBetter,
        target: Some(80.5),
        rules: RagRuleSet::default(),
    };
    store
        .set_indicator_settings(&org, indicator, &rules, Some(owner.id), &admin, at(4))
        .await
        .expect("settings");
    store
        .enter_indicator_value(
            &org,
            cycle.id,
            indicator,
            &EntryInput {
                value: "89.02%".into(),
                note: "Measured at the quarter end.".into(),
                override_rag: None,
                override_reason: String::new(),
            },
            0,
            &owner,
            at(5),
        )
        .await
        .expect("value");
    store
        .edit_plan(
            &org,
            &PlanEdit::Add {
                reference: Some("99.1".into()),
                fields: ActivityFields {
                    title: "Open a second youth hub in Thamesmead".into(),
                    directorate: first.directorate.clone(),
                    portfolios: vec!["Children's Services".into()],
                    due: "March 2026".into(),
                },
            },
            &admin.who(),
            at(6),
        )
        .await
        .expect("plan edit");
    Activity {
        org,
        admin,
        owner,
        cycle: cycle.id,
        activity: first.id,
    }
}

async fn raw(db: &TestDb) -> AnyConnection {
    raw_at(db.backend, &db.location).await
}

async fn raw_at(backend: Backend, location: &str) -> AnyConnection {
    let url = match backend {
        Backend::Sqlite => format!("sqlite:{location}"),
        Backend::Postgres => location.to_string(),
    };
    AnyConnection::connect(&url).await.expect("connect")
}

/// What someone with the database's rights does first: lift the triggers that refuse
/// changing and deleting events.
async fn lift_guards(conn: &mut AnyConnection, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &[
            "DROP TRIGGER IF EXISTS audit_events_append_only",
            "DROP TRIGGER IF EXISTS audit_events_no_delete",
        ],
        Backend::Postgres => &["ALTER TABLE audit_events DISABLE TRIGGER USER"],
    };
    for sql in statements {
        sqlx::query(*sql).execute(&mut *conn).await.expect(sql);
    }
}

/// The chain's hash of an event, as anyone who reads Waymark's source can compute it.
#[allow(clippy::too_many_arguments)]
fn event_hash(row: &sqlx::any::AnyRow, prev_hash: &str) -> String {
    let text = |i: usize| row.try_get::<Option<String>, _>(i).expect("column");
    let int = |i: usize| row.try_get::<Option<i64>, _>(i).expect("column");
    let mut fields = vec![
        json!(int(0)),
        json!(int(1)),
        json!(text(2)),
        json!(int(3)),
        json!(text(4)),
        json!(text(5)),
        json!(text(6)),
        json!(text(7)),
        json!(text(8)),
        json!(prev_hash),
    ];
    if text(9).is_some() || text(10).is_some() {
        fields.push(json!(text(9)));
        fields.push(json!(text(10)));
    }
    Sha256::digest(serde_json::Value::Array(fields).to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const COLUMNS: &str =
    "seq, org_id, at, actor_id, actor, action, subject, before_json, after_json, row_ref, row_hash";

/// Recompute every hash from event `from` on, so the chain links again (seals left as they are).
async fn relink_from(conn: &mut AnyConnection, from: i64) {
    let mut prev: String = sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1")
        .bind(from - 1)
        .fetch_optional(&mut *conn)
        .await
        .expect("previous")
        .unwrap_or_else(|| "0".repeat(64));
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_events WHERE seq >= $1 ORDER BY seq"
    )))
    .bind(from)
    .fetch_all(&mut *conn)
    .await
    .expect("events");
    for row in &rows {
        let seq: i64 = row.try_get(0).expect("seq");
        let hash = event_hash(row, &prev);
        sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(&mut *conn)
            .await
            .expect("relink");
        prev = hash;
    }
}

fn clean(check: &AuditCheck, backend: Backend) {
    assert!(
        check.problems.is_empty(),
        "{backend:?}: {:?}",
        check.problems
    );
}

fn found(check: &AuditCheck, needle: &str, backend: Backend) {
    assert!(
        check.problems.iter().any(|p| p.contains(needle)),
        "{backend:?}: expected a problem with '{needle}', got {:?}",
        check.problems
    );
}

fn checkpoint(check: &AuditCheck, signer: &SigningKey) -> Checkpoint {
    let signed =
        Checkpoint::sign(check.position(Some("test".into()), at(60)), signer).expect("sign");
    // Through its file form, as an auditor would hand it back.
    Checkpoint::parse("cp.json", &signed.to_json().expect("json")).expect("parse")
}

#[tokio::test]
async fn a_plain_delete_or_update_of_an_event_is_refused() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        let org = load(&store).await;
        add(&store, &org, "admin@example.gov.uk", Role::Admin).await;
        let mut conn = raw(&db).await;
        for sql in [
            "DELETE FROM audit_events WHERE seq = 1",
            "DELETE FROM audit_events",
            "UPDATE audit_events SET mac = NULL WHERE seq = 1",
        ] {
            let refused = sqlx::query(sql).execute(&mut conn).await;
            assert!(refused.is_err(), "{backend:?}: {sql} was allowed");
        }
        if backend == Backend::Postgres {
            let refused = sqlx::query("TRUNCATE audit_events")
                .execute(&mut conn)
                .await;
            assert!(refused.is_err(), "TRUNCATE was allowed");
        }
        clean(&store.verify_audit().await.expect("verify"), backend);
    }
}

#[tokio::test]
async fn events_are_sealed_and_record_their_rows() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        let a = activity(&store).await;
        let check = store.verify_audit().await.expect("verify");
        clean(&check, backend);
        assert!(check.seals_checked);
        assert_eq!(check.sealed, check.events, "{backend:?}");
        assert_eq!(check.unsealed_before_sealing, 0);
        assert_eq!(check.first_sealed, Some(1));
        let events = store.audit_export(Some(&a.org)).await.expect("events");
        let rows: Vec<&str> = events.iter().filter_map(|e| e.row_ref.as_deref()).collect();
        for table in [
            "users:",
            "return_versions:",
            "indicator_settings:",
            "indicator_entries:",
            "plan_revisions:",
        ] {
            assert!(
                rows.iter().any(|r| r.starts_with(table)),
                "{backend:?}: no event records {table} ({rows:?})"
            );
        }
        assert_eq!(
            check.rows_checked, 6,
            "{backend:?}: two accounts and four rows"
        );
        assert!(events.iter().all(|e| e.mac.is_some()));

        // Without the key the chain is checked, the seals are not.
        let check = db.store.verify_audit().await.expect("verify");
        clean(&check, backend);
        assert!(!check.seals_checked);

        // A key other than the one the trail was sealed with is told apart.
        let other = db
            .store
            .clone()
            .with_audit_key(AuditKey::from_bytes(&[1; 32]).expect("key"));
        let check = other.verify_audit().await.expect("verify");
        found(&check, "none of the", backend);
    }
}

#[tokio::test]
async fn events_written_before_sealing_began_still_verify() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let org = load(&db.store).await;
        // Before the deployment had a key.
        add(&db.store, &org, "first@example.gov.uk", Role::Admin).await;
        add(&db.store, &org, "second@example.gov.uk", Role::Owner).await;
        let sealed = db.store.clone().with_audit_key(key());
        add(&sealed, &org, "third@example.gov.uk", Role::Owner).await;
        let check = sealed.verify_audit().await.expect("verify");
        clean(&check, backend);
        assert_eq!(check.unsealed_before_sealing, 2, "{backend:?}");
        assert_eq!(check.first_sealed, Some(3));

        // Once sealing began, an unsealed event is a problem: a writer that lost its key.
        add(&db.store, &org, "fourth@example.gov.uk", Role::Reader).await;
        let check = sealed.verify_audit().await.expect("verify");
        found(&check, "event 4 (user.created", backend);
        found(&check, "has no seal", backend);
    }
}

/// (a) An event is changed and every later hash recomputed: the chain holds, the seals do not.
#[tokio::test]
async fn an_edited_event_with_recomputed_hashes_is_caught_by_its_seal() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        activity(&store).await;
        let events = store.verify_audit().await.expect("verify").events as i64;
        let submitted: i64 = {
            let mut conn = raw(&db).await;
            sqlx::query_scalar("SELECT seq FROM audit_events WHERE action = 'return.submitted'")
                .fetch_one(&mut conn)
                .await
                .expect("event")
        };
        let mut conn = raw(&db).await;
        lift_guards(&mut conn, backend).await;
        sqlx::query("UPDATE audit_events SET actor = 'someone else' WHERE seq = $1")
            .bind(submitted)
            .execute(&mut conn)
            .await
            .expect("tamper");
        relink_from(&mut conn, submitted).await;

        // The hash chain alone is satisfied: this is what the seal is for.
        let unkeyed = db.store.verify_audit().await.expect("verify");
        clean(&unkeyed, backend);
        assert_eq!(unkeyed.events as i64, events);

        let check = store.verify_audit().await.expect("verify");
        found(
            &check,
            &format!("event {submitted} (return.submitted by someone else"),
            backend,
        );
        found(&check, "seal that does not match", backend);
    }
}

/// (b) The newest events are deleted: the chain still links, a checkpoint taken before says
/// the trail got shorter. (f) Ordinary activity after a checkpoint verifies clean.
#[tokio::test]
async fn a_checkpoint_catches_events_cut_off_the_end_and_allows_new_ones() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        let a = activity(&store).await;
        let signer = SigningKey::generate().expect("signing key");
        let check = store.verify_audit().await.expect("verify");
        clean(&check, backend);
        let cp = checkpoint(&check, &signer);
        cp.signed_by("cp.json", &signer.public()).expect("pinned");

        // (f) More work after the checkpoint is normal.
        store
            .issue_setup_link(&a.owner, &Who::command_line(), at(20))
            .await
            .expect("link");
        store
            .issue_setup_link(&a.admin, &Who::command_line(), at(21))
            .await
            .expect("link");
        let later = store
            .verify_audit_against(Some(&cp.position))
            .await
            .expect("verify");
        clean(&later, backend);
        assert_eq!(later.since_checkpoint, Some(2), "{backend:?}");

        // (b) Cut the last four events: two after the checkpoint, two before.
        let mut conn = raw(&db).await;
        lift_guards(&mut conn, backend).await;
        sqlx::query("DELETE FROM audit_events WHERE seq > $1")
            .bind(later.head_seq - 4)
            .execute(&mut conn)
            .await
            .expect("delete");
        // Without a checkpoint the shorter trail is whole: this is what checkpoints are for.
        clean(&store.verify_audit().await.expect("verify"), backend);
        let check = store
            .verify_audit_against(Some(&cp.position))
            .await
            .expect("verify");
        found(
            &check,
            &format!("the trail ends at event {}", later.head_seq - 4),
            backend,
        );
        found(&check, "events were removed", backend);

        // Cut and then written over with new activity: the checkpoint's event has another hash.
        store
            .issue_setup_link(&a.owner, &Who::command_line(), at(30))
            .await
            .expect("link");
        store
            .issue_setup_link(&a.owner, &Who::command_line(), at(31))
            .await
            .expect("link");
        let check = store
            .verify_audit_against(Some(&cp.position))
            .await
            .expect("verify");
        found(
            &check,
            &format!("event {} has the hash", cp.position.seq),
            backend,
        );
    }
}

/// (c) A forged event with a correct hash: without a seal, or with a made-up one.
#[tokio::test]
async fn a_forged_event_without_a_valid_seal_is_caught() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        let a = activity(&store).await;
        let head = store.verify_audit().await.expect("verify");
        for (n, mac) in [(1, None), (2, Some("ab".repeat(32)))] {
            let mut conn = raw(&db).await;
            let seq = head.head_seq + n;
            let prev: String = sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1")
                .bind(seq - 1)
                .fetch_one(&mut conn)
                .await
                .expect("head");
            sqlx::query(
                "INSERT INTO audit_events (seq, org_id, at, actor_id, actor, action, subject,
                     before_json, after_json, prev_hash, hash, mac)
                 VALUES ($1, $2, $3, $4, $5, 'user.changed', $6, NULL, $7, $8, 'pending', $9)",
            )
            .bind(seq)
            .bind(a.org.id)
            .bind("2025-07-01T12:00:00.000000Z")
            .bind(a.admin.id)
            .bind(&a.admin.email)
            .bind(format!("user {}", a.owner.email))
            .bind(r#"{"role":"admin"}"#)
            .bind(&prev)
            .bind(mac.as_deref())
            .execute(&mut conn)
            .await
            .expect("insert");
            // The attacker computes the right hash; the guards only refuse changing events,
            // so it is lifted to set it, as someone with the rights would.
            lift_guards(&mut conn, backend).await;
            relink_from(&mut conn, seq).await;
            // With a made-up seal, nothing but the key tells the forged event apart.
            let unkeyed = db.store.verify_audit().await.expect("verify");
            if mac.is_some() {
                assert!(
                    !unkeyed
                        .problems
                        .iter()
                        .any(|p| p.contains(&format!("event {seq} "))),
                    "{backend:?}: {:?}",
                    unkeyed.problems
                );
            }
            let check = store.verify_audit().await.expect("verify");
            found(&check, &format!("event {seq} (user.changed"), backend);
            found(
                &check,
                if mac.is_some() {
                    "seal that does not match"
                } else {
                    "has no seal"
                },
                backend,
            );
            // Put the guards back for the next round (SQLite dropped them).
            if backend == Backend::Sqlite {
                for sql in [
                    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
                    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
                ] {
                    sqlx::query(sql).execute(&mut conn).await.expect("guard");
                }
            } else {
                sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER USER")
                    .execute(&mut conn)
                    .await
                    .expect("guard");
            }
        }
    }
}

/// (d) Recorded rows edited or deleted directly with SQL.
#[tokio::test]
async fn rows_changed_behind_the_trail_are_caught_by_their_hashes() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        let a = activity(&store).await;
        clean(&store.verify_audit().await.expect("verify"), backend);
        let mut conn = raw(&db).await;
        let version: i64 = sqlx::query_scalar("SELECT MAX(id) FROM return_versions")
            .fetch_one(&mut conn)
            .await
            .expect("version");

        // A return's status turned from Amber to Green.
        sqlx::query("UPDATE return_versions SET status = 'green' WHERE id = $1")
            .bind(version)
            .execute(&mut conn)
            .await
            .expect("edit");
        let check = store.verify_audit().await.expect("verify");
        found(
            &check,
            &format!("return_versions row {version} was changed"),
            backend,
        );
        // Undone exactly, it verifies again: the hash is of the content, not of the edit.
        sqlx::query("UPDATE return_versions SET status = 'amber' WHERE id = $1")
            .bind(version)
            .execute(&mut conn)
            .await
            .expect("undo");
        clean(&store.verify_audit().await.expect("verify"), backend);

        // An owner made an admin without the staff site.
        sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1")
            .bind(a.owner.id)
            .execute(&mut conn)
            .await
            .expect("escalate");
        // A plan edit's activity quietly renamed.
        sqlx::query(
            "UPDATE activity_versions SET title = 'Something else' WHERE revision_id =
                 (SELECT MAX(id) FROM plan_revisions)",
        )
        .execute(&mut conn)
        .await
        .expect("rename");
        // An indicator value changed.
        sqlx::query("UPDATE indicator_entries SET value = 99.5")
            .execute(&mut conn)
            .await
            .expect("value");
        // And the return's version removed altogether.
        sqlx::query("DELETE FROM return_versions WHERE id = $1")
            .bind(version)
            .execute(&mut conn)
            .await
            .expect("delete");
        let check = store.verify_audit().await.expect("verify");
        found(
            &check,
            &format!("users row {} was changed", a.owner.id),
            backend,
        );
        found(&check, "plan_revisions row", backend);
        found(&check, "indicator_entries row", backend);
        found(
            &check,
            &format!("return_versions row {version}, recorded by event"),
            backend,
        );
        found(&check, "is gone", backend);
        assert_eq!(check.problems.len(), 4, "{backend:?}: {:?}", check.problems);

        // Changes through Waymark are recorded, so they never count as tampering.
        let db2 = TestDb::new(backend).await;
        let store2 = db2.store.clone().with_audit_key(key());
        let b = activity(&store2).await;
        store2
            .change_user(
                &b.org,
                b.owner.id,
                &waymark_store::UserChange {
                    name: "Owner".into(),
                    role: Role::Director,
                    directorate: store2
                        .activities(&b.org, None)
                        .await
                        .expect("activities")
                        .first()
                        .map(|x| x.directorate.clone()),
                    active: true,
                },
                &b.admin.who(),
                at(40),
            )
            .await
            .expect("change");
        store2
            .act_on_return(
                &b.org,
                b.cycle,
                b.activity,
                Act::Approve { comment: "" },
                1,
                &b.admin,
                at(41),
            )
            .await
            .expect("approve");
        clean(&store2.verify_audit().await.expect("verify"), backend);
    }
}

/// (e) The delete trigger is dropped and an event in the middle deleted.
#[tokio::test]
async fn an_event_deleted_from_the_middle_is_caught() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        activity(&store).await;
        let mut conn = raw(&db).await;
        let drop = match backend {
            Backend::Sqlite => "DROP TRIGGER audit_events_no_delete",
            Backend::Postgres => "DROP TRIGGER audit_events_no_delete ON audit_events",
        };
        sqlx::query(drop).execute(&mut conn).await.expect("drop");
        sqlx::query("DELETE FROM audit_events WHERE seq = 4")
            .execute(&mut conn)
            .await
            .expect("delete");
        let check = store.verify_audit().await.expect("verify");
        found(&check, "event 4 is missing", backend);
        found(&check, "event 5 does not follow", backend);

        // Renumbering and relinking the rest to hide the gap breaks every seal after it.
        lift_guards(&mut conn, backend).await;
        let head: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_events")
            .fetch_one(&mut conn)
            .await
            .expect("head");
        for seq in 5..=head {
            sqlx::query("UPDATE audit_events SET seq = seq - 1 WHERE seq = $1")
                .bind(seq)
                .execute(&mut conn)
                .await
                .expect("renumber");
        }
        relink_from(&mut conn, 4).await;
        clean(&db.store.verify_audit().await.expect("verify"), backend);
        let check = store.verify_audit().await.expect("verify");
        found(&check, "event 4 (", backend);
        found(&check, "seal that does not match", backend);
    }
}

/// (g) A checkpoint file changed after it was signed, or signed by another key, is refused;
/// one signed by the right key for another trail does not match.
#[tokio::test]
async fn tampered_or_forged_checkpoints_are_refused() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        activity(&store).await;
        let signer = SigningKey::generate().expect("signing key");
        let check = store.verify_audit().await.expect("verify");
        let cp = checkpoint(&check, &signer);
        let text = cp.to_json().expect("json");

        // The hash changed in the file.
        let changed = text.replace(&cp.position.hash, &"0".repeat(64));
        assert_ne!(changed, text);
        assert!(matches!(
            Checkpoint::parse("cp.json", &changed),
            Err(CheckpointError::Forged(_))
        ));
        // The signature changed.
        let mut signature = cp.signature.clone().into_bytes();
        signature[0] = if signature[0] == b'a' { b'b' } else { b'a' };
        let changed = text.replace(&cp.signature, &String::from_utf8(signature).expect("utf-8"));
        assert!(matches!(
            Checkpoint::parse("cp.json", &changed),
            Err(CheckpointError::Forged(_))
        ));
        // Re-signed by someone else with their own key: sound in itself, refused when pinned.
        let mut position = cp.position.clone();
        position.seq -= 1;
        let forged =
            Checkpoint::sign(position, &SigningKey::generate().expect("key")).expect("sign");
        let forged = Checkpoint::parse("forged.json", &forged.to_json().expect("json"))
            .expect("self-consistent");
        assert!(matches!(
            forged.signed_by("forged.json", &signer.public()),
            Err(CheckpointError::Forged(m)) if m.contains("forged.json")
        ));
        // Not a checkpoint at all.
        assert!(matches!(
            Checkpoint::parse("cp.json", "[audit]\nkey = 1\n"),
            Err(CheckpointError::Unreadable(_))
        ));
        // Signed with the right key but for another trail (the trail was replaced).
        let mut other = cp.position.clone();
        other.hash = "1".repeat(64);
        let other = Checkpoint::sign(other, &signer).expect("sign");
        let check = store
            .verify_audit_against(Some(&other.position))
            .await
            .expect("verify");
        found(&check, "recorded 1111", backend);
        // A checkpoint from further on than the trail has reached.
        let mut ahead = cp.position.clone();
        ahead.seq += 10;
        ahead.events += 10;
        let check = store
            .verify_audit_against(Some(&ahead))
            .await
            .expect("verify");
        found(&check, "the trail ends at event", backend);
    }
}

/// A checkpoint records where sealing began, so stripping every seal (and rewriting events
/// freely as "written before sealing") is caught.
#[tokio::test]
async fn seals_stripped_from_the_whole_trail_are_caught_by_a_checkpoint() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        let a = activity(&store).await;
        let signer = SigningKey::generate().expect("signing key");
        let cp = checkpoint(&store.verify_audit().await.expect("verify"), &signer);
        store
            .issue_setup_link(&a.owner, &Who::command_line(), at(50))
            .await
            .expect("link");
        let mut conn = raw(&db).await;
        lift_guards(&mut conn, backend).await;
        sqlx::query("UPDATE audit_events SET mac = NULL")
            .execute(&mut conn)
            .await
            .expect("strip");
        let check = store.verify_audit().await.expect("verify");
        // Alone, the trail looks like one from before sealing began...
        clean(&check, backend);
        assert_eq!(check.sealed, 0);
        // ...the checkpoint knows better.
        let check = store
            .verify_audit_against(Some(&cp.position))
            .await
            .expect("verify");
        found(&check, "event 1 (", backend);
        found(&check, "has no seal", backend);
    }
}

/// Backups, restores and copies keep every seal and row hash valid (ids and stored text are
/// kept); the key travels with the deployment, not the file. The same trail verifies on the
/// other backend too, so the row hashes' canonical form is the same on both.
#[tokio::test]
async fn backups_and_copies_keep_seals_and_row_hashes() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.store.clone().with_audit_key(key());
        activity(&store).await;
        let original = store.verify_audit().await.expect("verify");
        clean(&original, backend);

        let file = db.scratch("backup.db");
        store.backup(&file).await.expect("backup");
        let backup = Store::open_backup(&file)
            .await
            .expect("open backup")
            .with_audit_key(key());
        let check = backup.verify_audit().await.expect("verify backup");
        clean(&check, backend);
        assert_eq!(check.rows_checked, original.rows_checked);

        let restored_at = db.sibling_location();
        let restored = Store::open(&restored_at).await.expect("open");
        restored.restore_from(&file, false).await.expect("restore");
        let restored = restored.with_audit_key(key());
        let check = restored.verify_audit().await.expect("verify restored");
        clean(&check, backend);
        assert_eq!(check.head, original.head);
        restored.close().await;
        waymark_testkit::drop_database(&restored_at);

        for other in backends().into_iter().filter(|b| *b != backend) {
            let target = TestDb::new(other).await;
            store.copy_to(&target.store, false).await.expect("copy");
            let copy = target.store.clone().with_audit_key(key());
            let check = copy.verify_audit().await.expect("verify copy");
            clean(&check, other);
            assert_eq!(check.rows_checked, original.rows_checked, "{other:?}");
            assert_eq!(check.sealed, original.sealed);
            // Without the deployment's key the copy's seals cannot be checked.
            let foreign = target
                .store
                .clone()
                .with_audit_key(AuditKey::generate().expect("key"));
            found(
                &foreign.verify_audit().await.expect("verify"),
                "none of the",
                other,
            );
        }
    }
}
