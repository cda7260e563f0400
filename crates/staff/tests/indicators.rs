//! Indicators through the staff site on both backends: an admin sets the rules and the owner,
//! the owner enters a value (rated by the rules; an override needs a reason), and the value
//! reaches the public indicator page only when the period is published.

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

        // Another owner cannot enter it; its owner can.
        let mut other = world.signed_in("other@bexley.example").await;
        let (_, _, html) = other.get(&entry_path).await;
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
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");

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
