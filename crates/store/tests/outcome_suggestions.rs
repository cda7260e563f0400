//! Outcome suggestions on both backends: suggested links are kept apart from the links people
//! make, a person's decision is recorded and audited, confirmed links are never overwritten,
//! rejected suggestions never come back, and each council sees only its own.

use chrono::{DateTime, TimeZone, Utc};
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::{
    ActionPlan, CorporatePlan, Document, DueCell, Outcome, PlannedActivity, Theme,
};
use waymark_store::{Incoming, Organisation, Store, StoreError, SuggestionDecision, Who};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, day, 12, 0, 0)
        .single()
        .expect("valid test date")
}

fn corporate() -> Document {
    let outcome = |number: u32, title: &str, narrative: &str| Outcome {
        number,
        title: title.into(),
        narrative: vec![narrative.into()],
        line: number as usize,
    };
    Document::CorporatePlan(CorporatePlan {
        title: "Corporate plan".into(),
        mission: "A good place".into(),
        principles: vec![],
        values: vec![],
        themes: vec![
            Theme {
                number: 1,
                title: "People".into(),
                summary: "Residents live well.".into(),
                outcomes: vec![
                    outcome(
                        1,
                        "Children have the best start in life",
                        "Family hubs, early years and children in our care.",
                    ),
                    outcome(
                        2,
                        "Good schools",
                        "Pupils attend good schools; support for pupils with special educational needs.",
                    ),
                ],
                line: 1,
            },
            Theme {
                number: 2,
                title: "Place".into(),
                summary: "A thriving borough.".into(),
                outcomes: vec![
                    outcome(
                        3,
                        "Cleaner and greener streets",
                        "Street cleaning, recycling, parks and planting trees.",
                    ),
                    outcome(
                        4,
                        "Money spent wisely",
                        "Budgets, fees and charges, and the medium term financial strategy.",
                    ),
                ],
                line: 5,
            },
        ],
    })
}

fn action_plan() -> Document {
    let planned = |line: usize, title: &str, directorate: &str| PlannedActivity {
        line,
        directorate: directorate.into(),
        title: title.into(),
        portfolios: vec!["Cabinet".into()],
        due: DueCell::parse("March 2026"),
        reference: Some(line.to_string()),
        extras: vec![],
        place: None,
    };
    Document::ActionPlan(ActionPlan {
        title: "Action plan".into(),
        last_updated: None,
        activities: vec![
            planned(1, "Open two new family hubs for early years", "People"),
            planned(
                2,
                "Expand food recycling and plant trees in parks",
                "Environment",
            ),
            planned(3, "Review fees and charges against the budget", "Finance"),
            planned(4, "Xylophone zeppelin quorum", "Other"),
        ],
    })
}

async fn load(store: &Store, slug: &str) -> Organisation {
    let org = store
        .organisation(Some(slug), Some("Test council"))
        .await
        .expect("org");
    store
        .import(
            &org,
            vec![
                Incoming::new("corporate.txt", b"corporate", corporate()),
                Incoming::new("plan.txt", b"plan", action_plan()),
            ],
            at(1),
            &ReconcileOptions::default(),
        )
        .await
        .expect("import");
    org
}

/// Reference → (outcome numbers, all suggested?).
async fn links(store: &Store, org: &Organisation) -> Vec<(String, Vec<u32>, bool)> {
    let mut out: Vec<(String, Vec<u32>, bool)> = store
        .activities(org, None)
        .await
        .expect("activities")
        .into_iter()
        .map(|a| {
            (
                a.reference.unwrap_or_default(),
                a.outcomes.iter().map(|o| o.number).collect(),
                !a.outcomes.is_empty() && a.outcomes.iter().all(|o| o.suggested),
            )
        })
        .collect();
    out.sort();
    out
}

async fn id_of(store: &Store, org: &Organisation, reference: &str) -> i64 {
    store
        .activities(org, None)
        .await
        .expect("activities")
        .into_iter()
        .find(|a| a.reference.as_deref() == Some(reference))
        .map(|a| a.id)
        .expect("activity")
}

#[tokio::test]
async fn suggestions_are_kept_apart_decided_by_people_and_never_overrule_them() {
    for backend in waymark_testkit::backends() {
        let db = waymark_testkit::TestDb::new(backend).await;
        let store = db.store.clone();
        let org = load(&store, "one").await;
        let other = load(&store, "two").await;

        // Nothing is suggested until asked; a dry run records nothing.
        assert!(
            links(&store, &org)
                .await
                .iter()
                .all(|(_, o, _)| o.is_empty())
        );
        let dry = store
            .suggest_outcomes(&org, false, at(2))
            .await
            .expect("dry run");
        assert_eq!(dry.len(), 4);
        assert!(
            links(&store, &org)
                .await
                .iter()
                .all(|(_, o, _)| o.is_empty())
        );

        let run = store
            .suggest_outcomes(&org, true, at(2))
            .await
            .expect("suggest");
        assert_eq!(run, dry, "{backend:?}: a dry run says what a real one does");
        let by_ref = |r: &str| {
            run.iter()
                .find(|s| s.reference.as_deref() == Some(r))
                .expect("row")
        };
        assert_eq!(by_ref("1").linked, Some(1), "{run:#?}");
        assert_eq!(by_ref("2").linked, Some(3));
        assert_eq!(by_ref("3").linked, Some(4));
        assert_eq!(by_ref("4").decision, "waiting");
        let counts_after_first = store.row_counts().await.expect("counts");
        assert_eq!(
            links(&store, &org).await,
            vec![
                ("1".into(), vec![1], true),
                ("2".into(), vec![3], true),
                ("3".into(), vec![4], true),
                ("4".into(), vec![], false),
            ]
        );
        // The other council has none of them.
        assert!(
            links(&store, &other)
                .await
                .iter()
                .all(|(_, o, _)| o.is_empty())
        );

        // Running again changes nothing.
        store
            .suggest_outcomes(&org, true, at(3))
            .await
            .expect("again");
        assert_eq!(
            store.row_counts().await.expect("counts"),
            counts_after_first
        );

        let who = Who {
            user_id: None,
            name: "admin@example.org".into(),
        };
        // A person confirms one, rejects another.
        let one = id_of(&store, &org, "1").await;
        let two = id_of(&store, &org, "2").await;
        store
            .decide_outcome_suggestion(&org, one, 1, SuggestionDecision::Confirm, &who, at(4))
            .await
            .expect("confirm");
        store
            .decide_outcome_suggestion(&org, two, 3, SuggestionDecision::Reject, &who, at(4))
            .await
            .expect("reject");
        // Deciding twice, or on the wrong council, is refused.
        let again = store
            .decide_outcome_suggestion(&org, one, 1, SuggestionDecision::Reject, &who, at(4))
            .await;
        assert!(matches!(again, Err(StoreError::Usage(_))), "{again:?}");
        let elsewhere = store
            .decide_outcome_suggestion(&other, two, 3, SuggestionDecision::Confirm, &who, at(4))
            .await;
        assert!(
            matches!(elsewhere, Err(StoreError::Usage(_))),
            "{elsewhere:?}"
        );

        let now = links(&store, &org).await;
        assert_eq!(now[0], ("1".into(), vec![1], false), "confirmed: {now:?}");
        assert!(!now[1].1.contains(&3), "rejected is not a link: {now:?}");

        // A re-run never brings the rejected one back nor touches the confirmed activity.
        let rerun = store
            .suggest_outcomes(&org, true, at(5))
            .await
            .expect("rerun");
        let row = |r: &str| {
            rerun
                .iter()
                .find(|s| s.reference.as_deref() == Some(r))
                .expect("row")
        };
        assert_eq!(row("1").decision, "decided");
        assert_eq!(row("1").confirmed, vec![1]);
        assert!(row("2").ranked.iter().all(|r| r.outcome != 3), "{rerun:#?}");
        let open = store
            .open_outcome_suggestions(&org, two)
            .await
            .expect("open");
        assert!(open.iter().all(|s| s.outcome != 3), "{open:?}");

        // Links a person sets are never overwritten by suggestions.
        store
            .assign_outcomes(&org, &[("3".into(), vec![2])], at(6))
            .await
            .expect("assign");
        store
            .suggest_outcomes(&org, true, at(7))
            .await
            .expect("after assign");
        let now = links(&store, &org).await;
        assert_eq!(now[2], ("3".into(), vec![2], false), "{now:?}");

        // Both decisions are in the audit trail with who made them.
        let events = store.audit_events(&org, None, 1000).await.expect("audit");
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"plan.outcome-suggestion-confirmed"),
            "{actions:?}"
        );
        assert!(
            actions.contains(&"plan.outcome-suggestion-rejected"),
            "{actions:?}"
        );
        assert!(
            events
                .iter()
                .filter(|e| e.action.starts_with("plan.outcome-suggestion"))
                .all(|e| e.actor == "admin@example.org")
        );
    }
}
