//! Indicators through the staff site on both backends: an admin sets the rules and the owner,
//! the owner enters a value (rated by the rules; an override needs a reason), and the value
//! reaches the public indicator page only when the period is published. Before that, the value,
//! its note and its override reason are seen as returns are: by the owner, the director of the
//! owner's directorate, admins, and readers once the period is locked; draft reports hold no
//! unpublished value.

mod common;

use axum::http::StatusCode;
use chrono::Utc;
use common::{Client, World, backends, hidden, location};
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::workflow::Role;
use waymark_import::Vocabulary;
use waymark_store::Incoming;

/// Add an indicator table (an invented example in the KPI layout) to the council.
async fn with_indicators(world: &World) -> (i64, String) {
    let name = "examples/kpi-table.txt";
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/examples/kpi-table.txt"
    ))
    .expect("fixture");
    let document =
        waymark_import::import(name, &bytes, None, &Vocabulary::default()).expect("parses");
    world
        .store()
        .import(
            &world.org,
            vec![Incoming::new(name, &bytes, document)],
            Utc::now(),
            &ReconcileOptions::default(),
        )
        .await
        .expect("import");
    let cycles = world.store().cycles(&world.org).await.expect("cycles");
    let cycle = cycles.first().expect("a period is open").id;
    let items = world
        .store()
        .indicator_items(&world.org, cycle)
        .await
        .expect("items");
    let first = items.first().expect("an indicator");
    (first.indicator_id, first.reference.clone())
}

#[tokio::test]
async fn an_owner_enters_a_value_rated_by_the_admins_rules() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let owner = world
            .person("owner@bexley.example", Role::Owner, None)
            .await;
        world
            .person("other@bexley.example", Role::Owner, None)
            .await;
        let mut admin = world.signed_in("perf@bexley.example").await;
        let (status, headers, _) = admin
            .post(
                "/staff/periods",
                "/staff/periods",
                &[("period", "2025/26 Q1"), ("deadline", "2025-07-31")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let cycle_path = location(&headers)
            .split('?')
            .next()
            .unwrap_or("")
            .to_string();
        let (indicator, reference) = with_indicators(&world).await;
        let (_, _, period_page) = admin.get(&cycle_path).await;
        let entry_path = format!("{cycle_path}/indicators/{indicator}");
        assert!(
            period_page.contains(&entry_path),
            "{backend:?}: the period lists its indicators"
        );

        // The admin sets: higher is better, target 90, Amber within 5 points, owner.
        let settings = format!("/staff/indicators/{indicator}");
        let owner_id = owner.id.to_string();
        let fields = [
            ("polarity", "higher_is_better"),
            ("target", "90"),
            ("tolerance", "5"),
            ("tolerance_kind", "amount"),
            ("owner", owner_id.as_str()),
        ];
        let (status, _, _) = admin.post(&settings, &settings, &fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let mut bad = fields;
        bad[1] = ("target", "ninety");
        let (status, _, html) = admin.post(&settings, &settings, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("href=\"#target\""), "{backend:?}");

        // Another owner cannot find it before publication, let alone enter it; its owner can.
        let mut other = world.signed_in("other@bexley.example").await;
        let (status, _, html) = other.get(&entry_path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");
        assert!(
            !html.contains("Save the value"),
            "{backend:?}: no form for someone else"
        );
        let csrf = hidden(&html, "csrf").expect("token");
        let (status, _, _) = other
            .post_raw(
                &entry_path,
                &[
                    ("csrf", &csrf),
                    ("revision", "0"),
                    ("value", "88%"),
                    ("note", ""),
                    ("override_rag", "none"),
                    ("override_reason", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");

        let mut owner_client = world.signed_in("owner@bexley.example").await;
        let (_, _, home) = owner_client.get("/staff").await;
        assert!(
            home.contains(&entry_path),
            "{backend:?}: the owner's work lists the indicator"
        );
        let (status, _, _) = owner_client
            .post(
                &entry_path,
                &entry_path,
                &[
                    ("revision", "0"),
                    ("value", "86.5%"),
                    ("note", "Quarter end."),
                    ("override_rag", "none"),
                    ("override_reason", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let (_, _, html) = owner_client.get(&entry_path).await;
        assert!(
            html.contains("86.5%") && html.contains(">Amber<"),
            "{backend:?}: 86.5 is within 5 of 90"
        );
        // An override without a reason is refused, and what was typed is kept.
        let (status, _, html) = owner_client
            .post(
                &entry_path,
                &entry_path,
                &[
                    ("revision", "1"),
                    ("value", "84%"),
                    ("note", "Dip in August."),
                    ("override_rag", "amber"),
                    ("override_reason", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        assert!(html.contains("href=\"#override_reason\"") && html.contains("Dip in August."));

        // Published with the period: the public indicator page shows it.
        let public = format!("/indicators/{reference}");
        let mut resident = Client::new(world.app.clone());
        let (_, _, before) = resident.get(&public).await;
        assert!(!before.contains("86.5%"), "{backend:?}: not yet public");
        for action in ["lock", "publish"] {
            let (_, _, html) = admin.get(&cycle_path).await;
            let revision = hidden(&html, "revision").expect("revision");
            let (status, _, _) = admin
                .post(
                    &cycle_path,
                    &format!("{cycle_path}/state"),
                    &[("action", action), ("revision", &revision)],
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}: {action}");
        }
        let (status, _, after) = resident.get(&public).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {public}");
        assert!(after.contains("86.5%"), "{backend:?}: published");
    }
}

/// A value, note and override reason nobody else writes, so a page can be searched for them.
const VALUE: &str = "87.31%";
const NOTE: &str = "Referrals slowed while the new triage team started";
const REASON: &str = "Survey sample too small to trust the worked-out rating";

/// Whether a page or file shows the value, the note, the override reason.
fn shows(body: &str) -> (bool, bool, bool) {
    (
        body.contains("87.31"),
        body.contains(NOTE),
        body.contains(REASON),
    )
}

const ALL: (bool, bool, bool) = (true, true, true);
const VALUE_ONLY: (bool, bool, bool) = (true, false, false);
const NONE: (bool, bool, bool) = (false, false, false);

/// Everyone the rule tells apart, signed in, with an open period 2025/26 Q1 whose first
/// indicator the owner (in the director's directorate) owns and has entered, with a note and
/// an override to Amber with its reason.
struct Cast {
    admin: Client,
    owner: Client,
    other_owner: Client,
    director: Client,
    other_director: Client,
    reader: Client,
    cycle_path: String,
    entry_path: String,
}

async fn cast(world: &World) -> Cast {
    let activities = world
        .store()
        .activities(&world.org, None)
        .await
        .expect("activities");
    let mut directorates: Vec<String> = activities.into_iter().map(|a| a.directorate).collect();
    directorates.sort();
    directorates.dedup();
    let (home, elsewhere) = (&directorates[0], &directorates[1]);
    world.person("perf@bexley.example", Role::Admin, None).await;
    let owner = world
        .person("owner@bexley.example", Role::Owner, Some(home))
        .await;
    world
        .person("other@bexley.example", Role::Owner, Some(elsewhere))
        .await;
    world
        .person("director@bexley.example", Role::Director, Some(home))
        .await;
    world
        .person(
            "other.director@bexley.example",
            Role::Director,
            Some(elsewhere),
        )
        .await;
    world
        .person("councillor@bexley.example", Role::Reader, None)
        .await;
    let mut admin = world.signed_in("perf@bexley.example").await;
    let (status, headers, _) = admin
        .post(
            "/staff/periods",
            "/staff/periods",
            &[("period", "2025/26 Q1"), ("deadline", "2025-07-31")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cycle_path = location(&headers)
        .split('?')
        .next()
        .unwrap_or("")
        .to_string();
    let (indicator, _) = with_indicators(world).await;
    let settings = format!("/staff/indicators/{indicator}");
    let owner_id = owner.id.to_string();
    let (status, _, _) = admin
        .post(
            &settings,
            &settings,
            &[
                ("polarity", "higher_is_better"),
                ("target", "90"),
                ("tolerance", "5"),
                ("tolerance_kind", "amount"),
                ("owner", owner_id.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let entry_path = format!("{cycle_path}/indicators/{indicator}");
    let mut owner = world.signed_in("owner@bexley.example").await;
    let (status, _, _) = owner
        .post(
            &entry_path,
            &entry_path,
            &[
                ("revision", "0"),
                ("value", VALUE),
                ("note", NOTE),
                ("override_rag", "amber"),
                ("override_reason", REASON),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    Cast {
        admin,
        owner,
        other_owner: world.signed_in("other@bexley.example").await,
        director: world.signed_in("director@bexley.example").await,
        other_director: world.signed_in("other.director@bexley.example").await,
        reader: world.signed_in("councillor@bexley.example").await,
        cycle_path,
        entry_path,
    }
}

impl Cast {
    /// Everyone but the admin, by name.
    fn others(&mut self) -> [(&'static str, &mut Client); 5] {
        [
            ("owner", &mut self.owner),
            ("other owner", &mut self.other_owner),
            ("director", &mut self.director),
            ("other director", &mut self.other_director),
            ("reader", &mut self.reader),
        ]
    }

    /// The admin moves the period on.
    async fn period(&mut self, action: &str) {
        let (_, _, html) = self.admin.get(&self.cycle_path).await;
        let revision = hidden(&html, "revision").expect("revision");
        let (status, _, _) = self
            .admin
            .post(
                &self.cycle_path,
                &format!("{}/state", self.cycle_path),
                &[("action", action), ("revision", &revision)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{action}");
    }
}

/// Through the period's life, who sees the value, note and override reason on the period's
/// page and the indicator's page; who is told when they will see it.
#[tokio::test]
async fn unpublished_values_are_seen_as_returns_are() {
    for backend in backends() {
        let world = World::new(backend).await;
        let mut cast = cast(&world).await;
        let (cycle_path, entry_path) = (cast.cycle_path.clone(), cast.entry_path.clone());
        // (state, then for owner, other owner, director, other director, reader: whether
        // they see the value, and what the period page says instead)
        let stages: [(&str, [Option<&str>; 5]); 4] = [
            (
                "open",
                [
                    None,
                    Some("Not shown until the period is published"),
                    None,
                    Some("Not shown until the period is published"),
                    Some("Not shown until the period is locked"),
                ],
            ),
            (
                "lock",
                [
                    None,
                    Some("Not shown until the period is published"),
                    None,
                    Some("Not shown until the period is published"),
                    None,
                ],
            ),
            ("publish", [None; 5]),
            // Reopened for corrections: private again until it is published again.
            (
                "reopen",
                [
                    None,
                    Some("Not shown until the period is published"),
                    None,
                    Some("Not shown until the period is published"),
                    Some("Not shown until the period is locked"),
                ],
            ),
        ];
        for (stage, withheld) in stages {
            if stage != "open" {
                cast.period(stage).await;
            }
            let (_, _, page) = cast.admin.get(&cycle_path).await;
            assert_eq!(
                shows(&page),
                VALUE_ONLY,
                "{backend:?} {stage}: admin's list"
            );
            let (_, _, page) = cast.admin.get(&entry_path).await;
            assert_eq!(shows(&page), ALL, "{backend:?} {stage}: admin's page");
            for ((who, client), withheld) in cast.others().into_iter().zip(withheld) {
                let at = format!("{backend:?} {stage} as {who}");
                let (status, _, list) = client.get(&cycle_path).await;
                assert_eq!(status, StatusCode::OK, "{at}");
                let (status, _, page) = client.get(&entry_path).await;
                match withheld {
                    None => {
                        assert_eq!(shows(&list), VALUE_ONLY, "{at}: the period's list");
                        assert!(list.contains(&entry_path), "{at}: linked");
                        assert_eq!(status, StatusCode::OK, "{at}");
                        assert_eq!(shows(&page), ALL, "{at}: the indicator's page");
                        assert!(page.contains(">Amber<"), "{at}: the override");
                    }
                    Some(said) => {
                        assert_eq!(shows(&list), NONE, "{at}: the period's list");
                        assert!(list.contains(said), "{at}: says when");
                        assert!(!list.contains(&entry_path), "{at}: not linked");
                        assert_eq!(status, StatusCode::NOT_FOUND, "{at}");
                        assert_eq!(shows(&page), NONE, "{at}: the indicator's page");
                    }
                }
            }
        }
    }
}

/// Draft reports, in every text format, hold no unpublished indicator value for anyone who may
/// fetch them (even those who may see the value), and say so; once the period is published
/// the value is in them, never its note or override reason. The audit trail, which records
/// every value entered, is the admins' alone.
#[tokio::test]
async fn draft_reports_and_exports_hold_no_unpublished_value() {
    for backend in backends() {
        let world = World::new(backend).await;
        let mut cast = cast(&world).await;
        let cycle_path = cast.cycle_path.clone();
        let files: Vec<String> = ["annual.csv", "annual.json", "annual.md", "annual.html"]
            .iter()
            .chain(&["exceptions.csv", "exceptions.md"])
            .map(|f| format!("{cycle_path}/reports/{f}"))
            .collect();
        for stage in ["open", "lock", "publish"] {
            if stage != "open" {
                cast.period(stage).await;
            }
            let mut fetchers = [
                ("admin", &mut cast.admin),
                ("director", &mut cast.director),
                ("other director", &mut cast.other_director),
                ("reader", &mut cast.reader),
            ];
            for (who, client) in fetchers.iter_mut() {
                for file in &files {
                    let at = format!("{backend:?} {stage} as {who}: {file}");
                    let (status, _, body) = client.get(file).await;
                    assert_eq!(status, StatusCode::OK, "{at}");
                    let annual = file.contains("annual");
                    if stage == "publish" && annual {
                        assert_eq!(shows(&body), VALUE_ONLY, "{at}");
                    } else {
                        assert_eq!(shows(&body), NONE, "{at}");
                    }
                    // (A CSV file holds the tables alone.)
                    if !file.ends_with(".csv") {
                        let said =
                            body.contains("Indicator values for this period are not in this draft");
                        assert_eq!(said, stage != "publish", "{at}: says what it leaves out");
                    }
                }
            }
            // Owners fetch no draft; only admins export the audit trail.
            for (who, client) in cast.others() {
                for path in ["/staff/audit.csv", "/staff/audit.json"]
                    .iter()
                    .map(|p| p.to_string())
                    .chain(files.iter().take(1).cloned())
                {
                    let (status, _, body) = client.get(&path).await;
                    let at = format!("{backend:?} {stage} as {who}: {path}");
                    if path.contains("/reports/") && !who.contains("owner") {
                        continue;
                    }
                    assert_eq!(status, StatusCode::FORBIDDEN, "{at}");
                    assert_eq!(shows(&body), NONE, "{at}");
                }
            }
            let (status, _, trail) = cast.admin.get("/staff/audit.csv").await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(shows(&trail), ALL, "{backend:?}: the admins' audit trail");
        }
    }
}
