//! The staff side of the store on both backends: accounts, set-up links, sessions and
//! throttling; the quarterly cycle from opening to publication; conflicts and concurrent
//! approvals; and the audit trail's hash chain, including tampering.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sqlx::{AnyConnection, Connection};
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::workflow::{PeriodAction, PeriodState, ReturnContent, ReturnState, Role};
use waymark_domain::{Period, Status};
use waymark_store::{
    Act, AttemptKind, Backend, Gate, Incoming, NewUser, Organisation, SessionRules, Store,
    StoreError, ThrottleRules, Throttled, User, UserChange, Who,
};
use waymark_synth::{SynthSpec, council};
use waymark_testkit::{TestDb, backends};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0)
        .single()
        .expect("date")
        + Duration::minutes(minutes)
}

async fn load(store: &Store) -> Organisation {
    let spec = SynthSpec {
        councils: 1,
        activities: 8,
        years: 1,
        seed: 5,
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

async fn add(
    store: &Store,
    org: &Organisation,
    email: &str,
    role: Role,
    directorate: Option<&str>,
) -> User {
    store
        .add_user(
            org,
            &NewUser {
                email: email.into(),
                name: String::new(),
                role,
                directorate: directorate.map(str::to_string),
            },
            &Who::command_line(),
            at(0),
        )
        .await
        .expect("add user")
}

fn content(status: Status) -> ReturnContent {
    ReturnContent {
        status,
        commentary: "Works are behind schedule after the contractor's delay.".into(),
        corrective_action: "A second contractor starts in August.".into(),
        reason: String::new(),
        evidence: vec!["https://example.org/report".into()],
    }
}

async fn raw(db: &TestDb) -> AnyConnection {
    let url = match db.backend {
        Backend::Sqlite => format!("sqlite:{}", db.location),
        Backend::Postgres => db.location.clone(),
    };
    AnyConnection::connect(&url).await.expect("connect")
}

async fn count(db: &TestDb, sql: &'static str) -> i64 {
    let mut conn = raw(db).await;
    sqlx::query_scalar(sql)
        .fetch_one(&mut conn)
        .await
        .expect("count")
}

#[tokio::test]
async fn accounts_set_up_links_and_sessions() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        let org = load(store).await;
        let admin = add(store, &org, "Admin@Example.gov.uk", Role::Admin, None).await;
        assert_eq!(
            admin.email, "admin@example.gov.uk",
            "{backend:?}: addresses are kept lower-case"
        );
        assert!(admin.password_hash.is_none(), "no default password");

        // The same address twice, a director without a directorate, a bad address: refused.
        let again = store
            .add_user(
                &org,
                &NewUser {
                    email: "ADMIN@example.gov.uk".into(),
                    name: String::new(),
                    role: Role::Owner,
                    directorate: None,
                },
                &Who::command_line(),
                at(0),
            )
            .await;
        assert!(matches!(again, Err(StoreError::Usage(_))), "{backend:?}");
        for (email, role, directorate) in [
            ("d@example.gov.uk", Role::Director, None),
            (
                "d@example.gov.uk",
                Role::Director,
                Some("No Such Directorate"),
            ),
            ("not-an-address", Role::Owner, None),
        ] {
            let refused = store
                .add_user(
                    &org,
                    &NewUser {
                        email: email.into(),
                        name: String::new(),
                        role,
                        directorate: directorate.map(str::to_string),
                    },
                    &Who::command_line(),
                    at(0),
                )
                .await;
            assert!(
                matches!(refused, Err(StoreError::Usage(_))),
                "{backend:?}: {email}"
            );
        }

        // A set-up link works once, and not after it expires.
        let token = store
            .issue_setup_link(&admin, &Who::command_line(), at(0))
            .await
            .expect("link");
        assert_eq!(
            store
                .setup_link_user(&token, at(1))
                .await
                .expect("read")
                .map(|u| u.id),
            Some(admin.id)
        );
        assert!(
            store
                .setup_link_user("nonsense", at(1))
                .await
                .expect("read")
                .is_none()
        );
        let set = store
            .use_setup_link(
                &token,
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                at(2),
            )
            .await
            .expect("set password");
        assert!(set.password_hash.is_some());
        assert!(
            store
                .use_setup_link(&token, "$argon2id$other", at(3))
                .await
                .is_err(),
            "{backend:?}: a used link is refused"
        );
        let late = store
            .issue_setup_link(&admin, &Who::command_line(), at(0))
            .await
            .expect("link");
        assert!(
            store
                .use_setup_link(&late, "$argon2id$x", at(73 * 60))
                .await
                .is_err(),
            "{backend:?}: an expired link is refused"
        );

        // Sessions: found by token, end when idle, at their absolute limit, or on sign-out.
        let rules = SessionRules {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        };
        let (cookie, session) = store
            .start_session(&set, "password", "127.0.0.1", rules, at(10))
            .await
            .expect("session");
        let found = store.session(&cookie, rules, at(20)).await.expect("read");
        assert_eq!(
            found.map(|(s, u)| (s.id, u.id)),
            Some((session.id, admin.id))
        );
        assert!(
            store
                .session("wrong", rules, at(20))
                .await
                .expect("read")
                .is_none()
        );
        // Used at 20 minutes: still good at 49, gone at 51 (idle 30 minutes).
        assert!(
            store
                .session(&cookie, rules, at(49))
                .await
                .expect("read")
                .is_some()
        );
        assert!(
            store
                .session(&cookie, rules, at(80))
                .await
                .expect("read")
                .is_none(),
            "{backend:?}: idle"
        );
        assert!(
            store
                .session(&cookie, rules, at(81))
                .await
                .expect("read")
                .is_none(),
            "stays ended"
        );

        let (cookie, _) = store
            .start_session(&set, "password", "127.0.0.1", rules, at(100))
            .await
            .expect("session");
        let mut minute = 100;
        while minute < 100 + 12 * 60 - 20 {
            minute += 20;
            assert!(
                store
                    .session(&cookie, rules, at(minute))
                    .await
                    .expect("read")
                    .is_some()
            );
        }
        assert!(
            store
                .session(&cookie, rules, at(100 + 12 * 60))
                .await
                .expect("read")
                .is_none(),
            "{backend:?}: absolute limit"
        );

        let (cookie, session) = store
            .start_session(&set, "password", "127.0.0.1", rules, at(2000))
            .await
            .expect("session");
        store
            .end_session(&session, "signed out", at(2001))
            .await
            .expect("sign out");
        assert!(
            store
                .session(&cookie, rules, at(2002))
                .await
                .expect("read")
                .is_none()
        );

        // Deactivating an account ends its sessions.
        let owner = add(store, &org, "owner@example.gov.uk", Role::Owner, None).await;
        let (cookie, _) = store
            .start_session(&owner, "password", "127.0.0.1", rules, at(3000))
            .await
            .expect("session");
        store
            .change_user(
                &org,
                owner.id,
                &UserChange {
                    name: "Owner".into(),
                    role: Role::Owner,
                    directorate: None,
                    active: false,
                },
                &admin.who(),
                at(3001),
            )
            .await
            .expect("deactivate");
        assert!(
            store
                .session(&cookie, rules, at(3002))
                .await
                .expect("read")
                .is_none(),
            "{backend:?}"
        );

        // Throttling counts failures per address within the window, known address or not,
        // deciding and counting each attempt in one write.
        let rules = ThrottleRules::default();
        let minute = |i: i64| at(4000) + Duration::seconds(i);
        for i in 0..10 {
            let gate = store
                .begin_attempt(
                    AttemptKind::SignIn,
                    "Admin@example.gov.uk",
                    "127.0.0.1",
                    rules,
                    minute(i),
                )
                .await
                .expect("begin");
            let Gate::Open(attempt) = gate else {
                panic!("{backend:?}: attempt {i} refused")
            };
            store
                .attempt_failed(&attempt, "wrong password", minute(i))
                .await
                .expect("record");
        }
        assert_eq!(
            store
                .begin_attempt(
                    AttemptKind::SignIn,
                    "admin@example.gov.uk",
                    "10.0.0.9",
                    rules,
                    at(4001)
                )
                .await
                .expect("begin"),
            Gate::Throttled(Throttled::Address),
            "{backend:?}: the address is throttled from any client"
        );
        // Another kind of attempt for the same address has its own count.
        assert!(matches!(
            store
                .begin_attempt(
                    AttemptKind::SetupLink,
                    "admin@example.gov.uk",
                    "10.0.0.9",
                    rules,
                    at(4001)
                )
                .await
                .expect("begin"),
            Gate::Open(_)
        ));
        // Repeated attempts for one address from one client in one minute share one row.
        let rows: i64 = count(&db, "SELECT COUNT(*) FROM login_attempts WHERE email = 'admin@example.gov.uk' AND client = '127.0.0.1'").await;
        assert_eq!(rows, 1, "{backend:?}");
        // Only the first refusal of a row goes into the audit trail.
        let refusals: i64 = count(
            &db,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'session.sign-in-refused'",
        )
        .await;
        assert_eq!(
            refusals, 2,
            "{backend:?}: one per row (the failures, the throttled try)"
        );
        assert!(
            matches!(
                store
                    .begin_attempt(
                        AttemptKind::SignIn,
                        "admin@example.gov.uk",
                        "127.0.0.1",
                        rules,
                        at(4006)
                    )
                    .await
                    .expect("begin"),
                Gate::Open(_)
            ),
            "{backend:?}: the window passes"
        );
        // A success takes its own count back.
        let Gate::Open(attempt) = store
            .begin_attempt(
                AttemptKind::SignIn,
                "nobody@example.gov.uk",
                "127.0.0.1",
                rules,
                at(4006),
            )
            .await
            .expect("begin")
        else {
            panic!("refused")
        };
        store.attempt_succeeded(&attempt).await.expect("succeeded");
        assert_eq!(
            store
                .failures_for_address(
                    AttemptKind::SignIn,
                    "nobody@example.gov.uk",
                    rules,
                    at(4006)
                )
                .await
                .expect("count"),
            0
        );
        // A client over its own limit is refused whatever address it names, on one row.
        let tight = ThrottleRules {
            per_client: 3,
            ..rules
        };
        for i in 0..3 {
            let address = format!("guess{i}@example.gov.uk");
            assert!(matches!(
                store
                    .begin_attempt(AttemptKind::SignIn, &address, "192.0.2.7", tight, at(4010))
                    .await
                    .expect("begin"),
                Gate::Open(_)
            ));
        }
        for i in 3..20 {
            let address = format!("guess{i}@example.gov.uk");
            assert_eq!(
                store
                    .begin_attempt(AttemptKind::SignIn, &address, "192.0.2.7", tight, at(4010))
                    .await
                    .expect("begin"),
                Gate::Throttled(Throttled::Client),
                "{backend:?}"
            );
        }
        let rows: i64 = count(
            &db,
            "SELECT COUNT(*) FROM login_attempts WHERE client = '192.0.2.7'",
        )
        .await;
        assert_eq!(
            rows, 4,
            "{backend:?}: three addresses tried, then one row for the client"
        );
        // Throttling state older than a day is pruned by the next attempt.
        let _ = store
            .begin_attempt(
                AttemptKind::SignIn,
                "later@example.gov.uk",
                "127.0.0.1",
                rules,
                at(4000 + 2 * 24 * 60),
            )
            .await
            .expect("begin");
        let rows: i64 = count(&db, "SELECT COUNT(*) FROM login_attempts").await;
        assert_eq!(
            rows, 1,
            "{backend:?}: only the newest attempt's row is left"
        );

        let check = store.verify_audit().await.expect("verify");
        assert!(
            check.problems.is_empty(),
            "{backend:?}: {:?}",
            check.problems
        );
        let actions: Vec<String> = store
            .audit_export(None)
            .await
            .expect("export")
            .into_iter()
            .map(|e| e.action)
            .collect();
        for expected in [
            "user.created",
            "user.setup-link-issued",
            "user.password-set",
            "session.signed-in",
            "session.ended",
            "session.signed-out",
            "user.changed",
            "session.sign-in-refused",
        ] {
            assert!(
                actions.iter().any(|a| a == expected),
                "{backend:?}: no {expected} in {actions:?}"
            );
        }
        // The trail holds no secrets.
        let text =
            serde_json::to_string(&store.audit_export(None).await.expect("export")).expect("json");
        assert!(
            !text.contains("argon2") && !text.contains(&cookie),
            "{backend:?}"
        );
    }
}

/// People for a cycle: an admin, a director of the first activity's directorate, that
/// activity's owner, an owner and director elsewhere, and a reader.
struct Cast {
    admin: User,
    director: User,
    owner: User,
    other_owner: User,
    other_director: User,
    reader: User,
    activity: i64,
    other_activity: i64,
}

async fn cast(store: &Store, org: &Organisation) -> Cast {
    let admin = add(store, org, "admin@example.gov.uk", Role::Admin, None).await;
    let activities = store.activities(org, None).await.expect("activities");
    let first = activities.first().expect("an activity");
    let other = activities
        .iter()
        .find(|a| a.directorate != first.directorate)
        .expect("an activity in another directorate");
    let director = add(
        store,
        org,
        "director@example.gov.uk",
        Role::Director,
        Some(&first.directorate),
    )
    .await;
    let other_director = add(
        store,
        org,
        "elsewhere@example.gov.uk",
        Role::Director,
        Some(&other.directorate),
    )
    .await;
    let owner = add(store, org, "owner@example.gov.uk", Role::Owner, None).await;
    let other_owner = add(store, org, "other@example.gov.uk", Role::Owner, None).await;
    let reader = add(store, org, "councillor@example.gov.uk", Role::Reader, None).await;
    Cast {
        admin,
        director,
        owner,
        other_owner,
        other_director,
        reader,
        activity: first.id,
        other_activity: other.id,
    }
}

fn q1() -> Period {
    "2025/26 Q1".parse().expect("period")
}

fn deadline() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 31).expect("date")
}

#[tokio::test]
async fn the_quarterly_cycle_reaches_the_public_record_only_when_published() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        let org = load(store).await;
        let c = cast(store, &org).await;
        let versions = || async { store.data_versions().await.expect("versions")[&org.id].clone() };

        // Only an admin opens a period.
        let refused = store
            .open_cycle(&org, q1(), deadline(), &c.owner, at(1))
            .await;
        assert!(
            matches!(refused, Err(StoreError::Refused(r)) if r.is_forbidden()),
            "{backend:?}"
        );
        let cycle = store
            .open_cycle(&org, q1(), deadline(), &c.admin, at(1))
            .await
            .expect("open");
        assert_eq!(cycle.state, PeriodState::Open);
        assert!(matches!(
            store
                .open_cycle(&org, q1(), deadline(), &c.admin, at(1))
                .await,
            Err(StoreError::Conflict(_))
        ));
        let version_at_open = versions().await;

        store
            .assign_owner(
                &org,
                cycle.id,
                c.activity,
                Some(c.owner.id),
                &c.admin,
                at(2),
            )
            .await
            .expect("assign");
        store
            .assign_owner(
                &org,
                cycle.id,
                c.other_activity,
                Some(c.other_owner.id),
                &c.admin,
                at(2),
            )
            .await
            .expect("assign");
        assert!(
            store
                .assign_owner(
                    &org,
                    cycle.id,
                    c.activity,
                    Some(c.reader.id),
                    &c.admin,
                    at(2)
                )
                .await
                .is_err(),
            "{backend:?}: a reader cannot own an activity"
        );

        // Another owner (changing the activity id) and a reader cannot write this return.
        let amber = content(Status::Amber);
        for who in [&c.other_owner, &c.reader, &c.director] {
            let r = store
                .act_on_return(
                    &org,
                    cycle.id,
                    c.activity,
                    Act::Submit(&amber),
                    0,
                    who,
                    at(3),
                )
                .await;
            assert!(
                matches!(&r, Err(StoreError::Refused(x)) if x.is_forbidden()),
                "{backend:?}: {} {r:?}",
                who.email
            );
        }
        // Amber without a corrective action is refused, naming the field.
        let mut missing = amber.clone();
        missing.corrective_action = " ".into();
        match store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Submit(&missing),
                0,
                &c.owner,
                at(3),
            )
            .await
        {
            Err(StoreError::Invalid(problems)) => {
                assert!(
                    problems.iter().any(|p| p.field == "corrective_action"),
                    "{problems:?}"
                )
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        // A draft, then a submission.
        let item = store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Save(&missing),
                0,
                &c.owner,
                at(4),
            )
            .await
            .expect("draft");
        assert_eq!((item.state, item.revision), (Some(ReturnState::Draft), 1));
        let item = store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Submit(&amber),
                1,
                &c.owner,
                at(5),
            )
            .await
            .expect("submit");
        assert_eq!(item.state, Some(ReturnState::Submitted));

        // The director of another directorate cannot review it; the owner cannot approve it.
        for who in [&c.other_director, &c.owner, &c.reader] {
            let r = store
                .act_on_return(
                    &org,
                    cycle.id,
                    c.activity,
                    Act::Approve { comment: "" },
                    2,
                    who,
                    at(6),
                )
                .await;
            assert!(
                matches!(&r, Err(StoreError::Refused(x)) if x.is_forbidden()),
                "{backend:?}: {} {r:?}",
                who.email
            );
        }
        // Sending back needs a comment.
        assert!(matches!(
            store
                .act_on_return(
                    &org,
                    cycle.id,
                    c.activity,
                    Act::SendBack { comment: "  " },
                    2,
                    &c.director,
                    at(6)
                )
                .await,
            Err(StoreError::Invalid(_))
        ));
        let item = store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::SendBack {
                    comment: "Give a date for the new contractor.",
                },
                2,
                &c.director,
                at(7),
            )
            .await
            .expect("send back");
        assert_eq!(item.state, Some(ReturnState::Returned));

        // A stale revision is a conflict and changes nothing.
        let stale = store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Submit(&amber),
                2,
                &c.owner,
                at(8),
            )
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict(_))),
            "{backend:?}: {stale:?}"
        );
        let mut revised = amber.clone();
        revised.corrective_action = "A second contractor starts on 4 August.".into();
        store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Submit(&revised),
                3,
                &c.owner,
                at(9),
            )
            .await
            .expect("resubmit");
        store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Approve { comment: "" },
                4,
                &c.director,
                at(10),
            )
            .await
            .expect("approve");

        // Publication needs a lock; until then the public record is unchanged.
        assert_eq!(
            versions().await,
            version_at_open,
            "{backend:?}: nothing public changed yet"
        );
        let stats_before = store.period_stats(&org, q1(), None).await.expect("stats");
        assert_eq!(stats_before.total, 0, "{backend:?}");
        let early = store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Publish,
                cycle.revision,
                &c.admin,
                at(11),
            )
            .await;
        assert!(
            matches!(early, Err(StoreError::Refused(r)) if !r.is_forbidden()),
            "{backend:?}"
        );
        let not_admin = store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Lock,
                cycle.revision,
                &c.director,
                at(11),
            )
            .await;
        assert!(matches!(not_admin, Err(StoreError::Refused(r)) if r.is_forbidden()));
        let locked = store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Lock,
                cycle.revision,
                &c.admin,
                at(12),
            )
            .await
            .expect("lock");
        // Locked: no more changes to returns.
        let r = store
            .act_on_return(
                &org,
                cycle.id,
                c.other_activity,
                Act::Save(&amber),
                0,
                &c.other_owner,
                at(13),
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::Refused(x)) if !x.is_forbidden()),
            "{backend:?}"
        );
        assert!(
            matches!(
                store
                    .change_cycle(
                        &org,
                        cycle.id,
                        PeriodAction::Publish,
                        cycle.revision,
                        &c.admin,
                        at(14)
                    )
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "{backend:?}: a stale period revision"
        );
        let published = store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Publish,
                locked.revision,
                &c.admin,
                at(15),
            )
            .await
            .expect("publish");
        assert_eq!(published.state, PeriodState::Published);
        assert_ne!(
            versions().await,
            version_at_open,
            "{backend:?}: publication changes the public site"
        );
        let stats = store.period_stats(&org, q1(), None).await.expect("stats");
        assert_eq!(stats.total, 1, "{backend:?}");
        assert_eq!(stats.counts.get(Status::Amber), 1);
        let public = store
            .returns(&org, Some(q1()), None)
            .await
            .expect("returns");
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].activity_id, Some(c.activity));
        assert_eq!(public[0].note.as_deref(), Some(revised.commentary.as_str()));

        // A correction after publication is a new version; the public record keeps the old
        // one until the period is published again.
        let reopened = store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Reopen,
                published.revision,
                &c.admin,
                at(16),
            )
            .await
            .expect("reopen");
        let green = ReturnContent {
            status: Status::Green,
            commentary: "The second contractor started on time.".into(),
            corrective_action: String::new(),
            reason: String::new(),
            evidence: vec![],
        };
        store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Submit(&green),
                5,
                &c.owner,
                at(17),
            )
            .await
            .expect("correct");
        store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Approve { comment: "Agreed." },
                6,
                &c.admin,
                at(18),
            )
            .await
            .expect("approve");
        assert_eq!(
            store
                .period_stats(&org, q1(), None)
                .await
                .expect("stats")
                .counts
                .get(Status::Amber),
            1
        );
        let locked = store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Lock,
                reopened.revision,
                &c.admin,
                at(19),
            )
            .await
            .expect("lock");
        store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Publish,
                locked.revision,
                &c.admin,
                at(20),
            )
            .await
            .expect("publish");
        let stats = store.period_stats(&org, q1(), None).await.expect("stats");
        assert_eq!(
            (
                stats.total,
                stats.counts.get(Status::Green),
                stats.counts.get(Status::Amber)
            ),
            (1, 1, 0),
            "{backend:?}"
        );

        let detail = store
            .return_detail(&org, cycle.id, c.activity)
            .await
            .expect("detail");
        let states: Vec<ReturnState> = detail.history.iter().map(|v| v.state).collect();
        assert_eq!(
            states,
            [
                ReturnState::Draft,
                ReturnState::Submitted,
                ReturnState::Returned,
                ReturnState::Submitted,
                ReturnState::Approved,
                ReturnState::Submitted,
                ReturnState::Approved
            ],
            "{backend:?}: every revision kept"
        );
        assert_eq!(
            detail.history[2].review_comment.as_deref(),
            Some("Give a date for the new contractor.")
        );
        assert_eq!(
            detail.history[4].author.id, c.owner.id,
            "the approval keeps the owner as author"
        );

        // The next quarter starts with last quarter's owners and answer.
        let q2: Period = "2025/26 Q2".parse().expect("period");
        let next = store
            .open_cycle(&org, q2, deadline() + Duration::days(92), &c.admin, at(30))
            .await
            .expect("open q2");
        let items = store.cycle_items(&org, next.id).await.expect("items");
        let mine = items
            .iter()
            .find(|i| i.activity_id == c.activity)
            .expect("item");
        assert_eq!(
            mine.owner.as_ref().map(|o| o.id),
            Some(c.owner.id),
            "{backend:?}: owner carried over"
        );
        let detail = store
            .return_detail(&org, next.id, c.activity)
            .await
            .expect("detail");
        assert_eq!(
            detail.previous.map(|p| (p.period, p.content.status)),
            Some((q1(), Status::Green))
        );

        let check = store.verify_audit().await.expect("verify");
        assert!(
            check.problems.is_empty(),
            "{backend:?}: {:?}",
            check.problems
        );
    }
}

#[tokio::test]
async fn of_two_concurrent_approvals_exactly_one_wins() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        let org = load(store).await;
        let c = cast(store, &org).await;
        let cycle = store
            .open_cycle(&org, q1(), deadline(), &c.admin, at(1))
            .await
            .expect("open");
        store
            .assign_owner(
                &org,
                cycle.id,
                c.activity,
                Some(c.owner.id),
                &c.admin,
                at(2),
            )
            .await
            .expect("assign");
        store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Submit(&content(Status::Red)),
                0,
                &c.owner,
                at(3),
            )
            .await
            .expect("submit");
        for round in 0..5 {
            let (a, b) = tokio::join!(
                store.act_on_return(
                    &org,
                    cycle.id,
                    c.activity,
                    Act::Approve { comment: "" },
                    1 + round * 2,
                    &c.director,
                    at(4)
                ),
                store.act_on_return(
                    &org,
                    cycle.id,
                    c.activity,
                    Act::SendBack { comment: "No." },
                    1 + round * 2,
                    &c.admin,
                    at(4)
                ),
            );
            let wins = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
            assert_eq!(wins, 1, "{backend:?}: round {round}: {a:?} {b:?}");
            let loser = if a.is_ok() { b } else { a };
            assert!(
                matches!(loser, Err(StoreError::Conflict(_))),
                "{backend:?}: {loser:?}"
            );
            // Back to submitted for the next round (an approved return can be corrected too).
            store
                .act_on_return(
                    &org,
                    cycle.id,
                    c.activity,
                    Act::Submit(&content(Status::Red)),
                    2 + round * 2,
                    &c.owner,
                    at(5),
                )
                .await
                .expect("resubmit");
        }
        let detail = store
            .return_detail(&org, cycle.id, c.activity)
            .await
            .expect("detail");
        assert_eq!(
            detail.history.len(),
            11,
            "{backend:?}: one version per winning action"
        );
    }
}

#[tokio::test]
async fn a_tampered_audit_trail_is_detected() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        let org = load(store).await;
        let c = cast(store, &org).await;
        let cycle = store
            .open_cycle(&org, q1(), deadline(), &c.admin, at(1))
            .await
            .expect("open");
        store
            .assign_owner(
                &org,
                cycle.id,
                c.activity,
                Some(c.owner.id),
                &c.admin,
                at(2),
            )
            .await
            .expect("assign");
        store
            .act_on_return(
                &org,
                cycle.id,
                c.activity,
                Act::Submit(&content(Status::Amber)),
                0,
                &c.owner,
                at(3),
            )
            .await
            .expect("submit");
        let check = store.verify_audit().await.expect("verify");
        assert!(check.problems.is_empty(), "{backend:?}");
        assert!(check.events >= 9, "{backend:?}: {}", check.events);
        let events = store.audit_events(&org, None, 100).await.expect("events");
        let submitted = events
            .iter()
            .find(|e| e.action == "return.submitted")
            .expect("event");

        // The database refuses changes to the trail outright.
        let mut conn = raw(&db).await;
        let refused = sqlx::query("UPDATE audit_events SET actor = 'someone else' WHERE seq = $1")
            .bind(submitted.seq)
            .execute(&mut conn)
            .await;
        assert!(refused.is_err(), "{backend:?}: the trail is append-only");

        // Someone with the power to drop that guard rewrites who submitted the return.
        let drop_guard = match backend {
            Backend::Sqlite => "DROP TRIGGER audit_events_append_only",
            Backend::Postgres => "DROP TRIGGER audit_events_append_only ON audit_events",
        };
        sqlx::query(drop_guard)
            .execute(&mut conn)
            .await
            .expect("drop trigger");
        sqlx::query("UPDATE audit_events SET actor = 'someone else' WHERE seq = $1")
            .bind(submitted.seq)
            .execute(&mut conn)
            .await
            .expect("tamper");
        let check = store.verify_audit().await.expect("verify");
        assert_eq!(check.problems.len(), 1, "{backend:?}: {:?}", check.problems);
        assert!(
            check.problems[0].contains(&format!("event {}", submitted.seq)),
            "{:?}",
            check.problems
        );

        // Deleting is refused; someone who lifts the refusal and removes an event from the
        // middle is found too.
        assert!(
            sqlx::query("DELETE FROM audit_events WHERE seq = 2")
                .execute(&mut conn)
                .await
                .is_err(),
            "{backend:?}: deleting an event is refused"
        );
        let lift = match backend {
            Backend::Sqlite => "DROP TRIGGER audit_events_no_delete",
            Backend::Postgres => "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_delete",
        };
        sqlx::query(lift).execute(&mut conn).await.expect("lift");
        sqlx::query("DELETE FROM audit_events WHERE seq = 2")
            .execute(&mut conn)
            .await
            .expect("delete");
        let check = store.verify_audit().await.expect("verify");
        assert!(
            check
                .problems
                .iter()
                .any(|p| p.contains("event 2 is missing")),
            "{backend:?}: {:?}",
            check.problems
        );
        assert!(
            check
                .problems
                .iter()
                .any(|p| p.contains("event 3 does not follow")),
            "{:?}",
            check.problems
        );
    }
}

#[tokio::test]
async fn indicator_values_are_rated_by_their_rules_and_published_with_the_period() {
    use waymark_domain::indicator::{EntryInput, IndicatorRules, Polarity, Rag, RagRuleSet};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        let org = load(store).await;
        let c = cast(store, &org).await;
        let cycle = store
            .open_cycle(&org, q1(), deadline(), &c.admin, at(1))
            .await
            .expect("open");
        let items = store.indicator_items(&org, cycle.id).await.expect("items");
        let indicator = items.first().expect("the synthetic council has indicators");
        let id = indicator.indicator_id;
        let rules = IndicatorRules {
            polarity: Polarity::LowerIsBetter,
            target: Some(10.0),
            rules: RagRuleSet::default(),
        };
        // Only an admin sets the rules and the owner.
        let refused = store
            .set_indicator_settings(&org, id, &rules, Some(c.owner.id), &c.director, at(2))
            .await;
        assert!(
            matches!(refused, Err(StoreError::Refused(r)) if r.is_forbidden()),
            "{backend:?}"
        );
        store
            .set_indicator_settings(&org, id, &rules, Some(c.owner.id), &c.admin, at(2))
            .await
            .expect("settings");

        let entry = |value: &str| EntryInput {
            value: value.into(),
            note: "Measured at the quarter end.".into(),
            override_rag: None,
            override_reason: String::new(),
        };
        // Someone else's indicator, a reader, a value that is not a number: refused.
        for who in [&c.other_owner, &c.reader] {
            let r = store
                .enter_indicator_value(&org, cycle.id, id, &entry("9"), 0, who, at(3))
                .await;
            assert!(
                matches!(r, Err(StoreError::Refused(x)) if x.is_forbidden()),
                "{backend:?}: {}",
                who.email
            );
        }
        assert!(matches!(
            store
                .enter_indicator_value(&org, cycle.id, id, &entry("about ten"), 0, &c.owner, at(3))
                .await,
            Err(StoreError::Invalid(_))
        ));
        // 10.4 against a target of 10, lower is better, Amber within 5%.
        let first = store
            .enter_indicator_value(&org, cycle.id, id, &entry("10.4"), 0, &c.owner, at(4))
            .await
            .expect("enter");
        assert_eq!(first.computed_rag, Some(Rag::Amber), "{backend:?}");
        // A stale revision is a conflict; an override needs a reason.
        assert!(matches!(
            store
                .enter_indicator_value(&org, cycle.id, id, &entry("9"), 0, &c.owner, at(5))
                .await,
            Err(StoreError::Conflict(_))
        ));
        let mut overridden = entry("12");
        overridden.override_rag = Some(Rag::Amber);
        assert!(matches!(
            store
                .enter_indicator_value(&org, cycle.id, id, &overridden, 1, &c.owner, at(5))
                .await,
            Err(StoreError::Invalid(_))
        ));
        overridden.override_reason = "A one-off backlog from the system change.".into();
        let second = store
            .enter_indicator_value(&org, cycle.id, id, &overridden, 1, &c.owner, at(6))
            .await
            .expect("override");
        assert_eq!(
            (second.computed_rag, second.rag()),
            (Some(Rag::Red), Some(Rag::Amber))
        );

        // Not public until the period is published.
        let public = |values: Vec<waymark_store::IndicatorValueView>| {
            values
                .into_iter()
                .filter(|v| v.reference == indicator.reference && v.text == "12")
                .count()
        };
        assert_eq!(
            public(store.indicator_values(&org, None).await.expect("values")),
            0
        );
        let locked = store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Lock,
                cycle.revision,
                &c.admin,
                at(7),
            )
            .await
            .expect("lock");
        // Locked: no more values.
        assert!(matches!(
            store.enter_indicator_value(&org, cycle.id, id, &entry("8"), 2, &c.owner, at(8)).await,
            Err(StoreError::Refused(r)) if !r.is_forbidden()
        ));
        store
            .change_cycle(
                &org,
                cycle.id,
                PeriodAction::Publish,
                locked.revision,
                &c.admin,
                at(9),
            )
            .await
            .expect("publish");
        let values = store.indicator_values(&org, None).await.expect("values");
        assert_eq!(public(values.clone()), 1, "{backend:?}: published");
        let shown = values
            .iter()
            .find(|v| v.reference == indicator.reference && v.text == "12")
            .expect("value");
        assert_eq!(
            shown.rag.as_deref(),
            Some("Amber"),
            "{backend:?}: the override stands"
        );
        let (_, _, history) = store
            .indicator_detail(&org, cycle.id, id)
            .await
            .expect("detail");
        assert_eq!(history.len(), 2, "{backend:?}: both values kept");
        assert!(
            store
                .verify_audit()
                .await
                .expect("verify")
                .problems
                .is_empty()
        );
    }
}

#[tokio::test]
async fn plan_edits_are_revisions_with_their_changes_and_audit() {
    use waymark_store::{ActivityFields, IndicatorEdit, PlanEdit};
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        let org = load(store).await;
        let admin = add(store, &org, "admin@example.gov.uk", Role::Admin, None).await;
        let who = admin.who();
        let activities = store.activities(&org, None).await.expect("activities");
        let first = activities.first().expect("activity");
        let version = store.data_versions().await.expect("versions")[&org.id].clone();

        // Add an activity with a new reference; a reference in use is refused.
        let fields = ActivityFields {
            title: "Open a second youth hub in Thamesmead".into(),
            directorate: first.directorate.clone(),
            portfolios: vec!["Children's Services".into()],
            due: "March 2026".into(),
        };
        let added = store
            .edit_plan(
                &org,
                &PlanEdit::Add {
                    reference: Some("99.1".into()),
                    fields: fields.clone(),
                },
                &who,
                at(1),
            )
            .await
            .expect("add");
        assert!(
            matches!(
                store
                    .edit_plan(
                        &org,
                        &PlanEdit::Add {
                            reference: Some("99.1".into()),
                            fields: fields.clone()
                        },
                        &who,
                        at(2)
                    )
                    .await,
                Err(StoreError::Usage(_))
            ),
            "{backend:?}"
        );
        let listed = store.activities(&org, None).await.expect("activities");
        let new = listed
            .iter()
            .find(|a| a.id == added)
            .expect("the new activity");
        assert_eq!(new.reference.as_deref(), Some("99.1"));
        assert!(new.in_plan, "{backend:?}");
        assert_eq!(
            new.due.as_ref().map(|d| d.text.as_str()),
            Some("March 2026")
        );
        assert_ne!(
            store.data_versions().await.expect("versions")[&org.id],
            version,
            "the public site sees it"
        );

        // Edit (rename, new due date), renumber, retire: each recorded as a plan change.
        let mut renamed = fields.clone();
        renamed.title = "Open two youth hubs in Thamesmead".into();
        renamed.due = "June 2026".into();
        store
            .edit_plan(
                &org,
                &PlanEdit::Edit {
                    activity_id: added,
                    fields: renamed,
                },
                &who,
                at(3),
            )
            .await
            .expect("edit");
        store
            .edit_plan(
                &org,
                &PlanEdit::Renumber {
                    activity_id: added,
                    reference: "99.2".into(),
                },
                &who,
                at(4),
            )
            .await
            .expect("renumber");
        store
            .edit_plan(&org, &PlanEdit::Retire { activity_id: added }, &who, at(5))
            .await
            .expect("retire");
        let changes: Vec<String> = store
            .plan_changes(&org, None)
            .await
            .expect("changes")
            .into_iter()
            .filter(|c| c.activity_id == added)
            .map(|c| c.change)
            .collect();
        assert_eq!(
            changes,
            ["added", "renamed", "due-changed", "renumbered", "removed"],
            "{backend:?}"
        );
        let listed = store.activities(&org, None).await.expect("activities");
        let gone = listed.iter().find(|a| a.id == added).expect("kept");
        assert!(!gone.in_plan, "{backend:?}: retired, not deleted");
        assert_eq!(
            gone.former_titles,
            ["Open a second youth hub in Thamesmead"]
        );

        // Bad input is refused and changes nothing.
        let before = store.row_counts().await.expect("counts");
        let mut bad = fields.clone();
        bad.title = "a\u{0}b".into();
        assert!(
            store
                .edit_plan(
                    &org,
                    &PlanEdit::Add {
                        reference: None,
                        fields: bad
                    },
                    &who,
                    at(6)
                )
                .await
                .is_err()
        );
        assert!(
            store
                .edit_plan(
                    &org,
                    &PlanEdit::Renumber {
                        activity_id: first.id,
                        reference: "<b>".into()
                    },
                    &who,
                    at(6)
                )
                .await
                .is_err()
        );
        assert!(
            store
                .edit_plan(
                    &org,
                    &PlanEdit::Retire {
                        activity_id: 999_999
                    },
                    &who,
                    at(6)
                )
                .await
                .is_err()
        );
        assert_eq!(
            store.row_counts().await.expect("counts"),
            before,
            "{backend:?}"
        );

        // Indicators: add, rename, renumber, retire.
        let id = store
            .edit_indicators(
                &org,
                &IndicatorEdit::Add {
                    reference: "CP99".into(),
                    name: "Youth hub visits".into(),
                    frequency: "Quarterly".into(),
                },
                &who,
                at(7),
            )
            .await
            .expect("add indicator");
        store
            .edit_indicators(
                &org,
                &IndicatorEdit::Edit {
                    indicator_id: id,
                    name: "Visits to youth hubs".into(),
                    frequency: "Monthly".into(),
                },
                &who,
                at(8),
            )
            .await
            .expect("edit");
        store
            .edit_indicators(
                &org,
                &IndicatorEdit::Renumber {
                    indicator_id: id,
                    reference: "CP100".into(),
                },
                &who,
                at(9),
            )
            .await
            .expect("renumber");
        let cycle = store
            .open_cycle(&org, q1(), deadline(), &admin, at(10))
            .await
            .expect("open");
        let items = store.indicator_items(&org, cycle.id).await.expect("items");
        assert!(
            items
                .iter()
                .any(|i| i.reference == "CP100" && i.name == "Visits to youth hubs"),
            "{backend:?}"
        );
        store
            .edit_indicators(
                &org,
                &IndicatorEdit::Retire { indicator_id: id },
                &who,
                at(11),
            )
            .await
            .expect("retire");
        let items = store.indicator_items(&org, cycle.id).await.expect("items");
        assert!(
            !items.iter().any(|i| i.reference == "CP100"),
            "{backend:?}: retired indicators are not collected"
        );

        let actions: Vec<String> = store
            .audit_export(Some(&org))
            .await
            .expect("audit")
            .into_iter()
            .map(|e| e.action)
            .collect();
        for a in [
            "plan.activity-added",
            "plan.activity-edited",
            "plan.activity-renumbered",
            "plan.activity-retired",
            "indicator.added",
            "indicator.retired",
        ] {
            assert!(actions.iter().any(|x| x == a), "{backend:?}: {a}");
        }
        assert!(
            store
                .verify_audit()
                .await
                .expect("verify")
                .problems
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_plan_revision_is_previewed_without_writing_anything() {
    use waymark_domain::Document;
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        let org = load(store).await;
        let spec = SynthSpec {
            councils: 1,
            activities: 8,
            years: 1,
            seed: 5,
            first_year: 2024,
        };
        let c = council(&spec, 0);
        let mut revised = c
            .documents
            .iter()
            .find(|d| matches!(d.document, Document::ActionPlan(_)))
            .expect("an action plan")
            .clone();
        let Document::ActionPlan(plan) = &mut revised.document else {
            panic!("an action plan");
        };
        let dropped = plan.activities.pop().expect("a row").title;
        plan.activities[0].title.push_str(" across the borough");
        plan.title.push_str(" (revised)");
        let before = store.row_counts().await.expect("counts");
        let version = store.data_versions().await.expect("versions");
        let (outcomes, changes) = store
            .preview_import(
                &org,
                vec![Incoming::generated("revised.txt", revised.document.clone())],
                at(1),
                &ReconcileOptions::default(),
            )
            .await
            .expect("preview");
        assert_eq!(outcomes.len(), 1, "{backend:?}");
        assert!(
            changes
                .iter()
                .any(|c| c.change == "removed" && c.detail == dropped),
            "{backend:?}: {changes:?}"
        );
        assert!(
            changes.iter().any(|c| c.change == "renamed"),
            "{backend:?}: {changes:?}"
        );
        assert_eq!(
            store.row_counts().await.expect("counts"),
            before,
            "{backend:?}: nothing written"
        );
        assert_eq!(store.data_versions().await.expect("versions"), version);
        // Confirming writes the same changes, with an audit event.
        let admin = add(store, &org, "admin@example.gov.uk", Role::Admin, None).await;
        store
            .import_as(
                &org,
                vec![Incoming::generated("revised.txt", revised.document)],
                &admin.who(),
                at(2),
                &ReconcileOptions::default(),
            )
            .await
            .expect("import");
        let kept = store.plan_changes(&org, None).await.expect("changes");
        assert!(
            kept.iter()
                .any(|c| c.change == "removed" && c.detail == dropped),
            "{backend:?}"
        );
        assert!(
            store
                .audit_export(Some(&org))
                .await
                .expect("audit")
                .iter()
                .any(|e| e.action == "plan.imported")
        );
    }
}
