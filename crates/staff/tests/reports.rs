//! DRAFT reports on the staff site: a period's submitted return shows in the draft exception
//! report (marked DRAFT) and nowhere on the public site until the period is published; owners
//! cannot fetch draft reports, and a director's draft holds only their own directorate's.

mod common;

use axum::http::StatusCode;
use common::{Client, World, backends, location};
use waymark_domain::workflow::Role;

/// The performance team, an owner, and the open period 2025/26 Q1.
struct Period {
    admin: Client,
    owner: Client,
    owner_id: String,
    path: String,
}

async fn open_period(world: &World) -> Period {
    world.person("perf@bexley.example", Role::Admin, None).await;
    let owner = world
        .person("owner@bexley.example", Role::Owner, None)
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
    let path = location(&headers)
        .split('?')
        .next()
        .unwrap_or("")
        .to_string();
    Period {
        admin,
        owner: world.signed_in("owner@bexley.example").await,
        owner_id: owner.id.to_string(),
        path,
    }
}

impl Period {
    /// The owner, assigned to the activity, submits a Red return for it.
    async fn submit_red(&mut self, activity_id: i64, commentary: &str, corrective_action: &str) {
        let return_path = format!("{}/activities/{activity_id}", self.path);
        self.admin
            .post(
                &return_path,
                &format!("{return_path}/owner"),
                &[("owner", &self.owner_id)],
            )
            .await;
        let (status, _, _) = self
            .owner
            .post(
                &return_path,
                &return_path,
                &[
                    ("action", "submit"),
                    ("revision", "0"),
                    ("status", "red"),
                    ("commentary", commentary),
                    ("corrective_action", corrective_action),
                    ("reason", ""),
                    ("evidence", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn a_submitted_return_is_in_the_draft_report_and_not_the_public_one() {
    for backend in backends() {
        let world = World::new(backend).await;
        let activities = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities");
        let activity = activities
            .iter()
            .find(|a| a.reference.is_some() && a.in_plan)
            .expect("a plan activity");
        let mut period = open_period(&world).await;
        world
            .person("councillor@bexley.example", Role::Reader, None)
            .await;
        let mut reader = world.signed_in("councillor@bexley.example").await;
        period
            .submit_red(
                activity.id,
                "Procurement <paused> pending the budget review",
                "A revised business case in September.",
            )
            .await;
        let cycle_path = period.path.clone();
        let (admin, owner_client) = (&mut period.admin, &mut period.owner);

        // The period page offers the draft reports to the admin and readers, not to owners.
        let (_, _, page) = admin.get(&cycle_path).await;
        let csv = format!("{cycle_path}/reports/exceptions.csv");
        assert!(page.contains(&csv), "{backend:?}: draft reports offered");
        let (_, _, owner_page) = owner_client.get(&cycle_path).await;
        assert!(
            !owner_page.contains("/reports/"),
            "owners are not offered drafts"
        );
        let (status, _, _) = owner_client.get(&csv).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");

        // The reader's draft exception report holds the submitted Red return, marked DRAFT.
        let (status, headers, body) = reader.get(&csv).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap_or("")
                .contains("-draft.csv"),
            "{headers:?}"
        );
        let reference = activity.reference.clone().unwrap_or_default();
        let red_row = body
            .lines()
            .find(|l| l.starts_with("Red activities,") && l.contains(&format!(",{reference},")))
            .unwrap_or_else(|| panic!("{backend:?}: no Red row for {reference} in\n{body}"));
        assert!(red_row.contains("A revised business case in September."));

        // A director's draft lays over their own directorate's unpublished returns only.
        let other = activities
            .iter()
            .map(|a| a.directorate.as_str())
            .find(|d| !d.is_empty() && *d != activity.directorate)
            .expect("another directorate");
        world
            .person(
                "own.director@bexley.example",
                Role::Director,
                Some(&activity.directorate),
            )
            .await;
        world
            .person("other.director@bexley.example", Role::Director, Some(other))
            .await;
        let mut own_director = world.signed_in("own.director@bexley.example").await;
        let mut other_director = world.signed_in("other.director@bexley.example").await;
        let (status, _, body) = own_director.get(&csv).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(body.contains("A revised business case in September."));
        let (status, _, body) = other_director.get(&csv).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(
            !body.contains("A revised business case") && !body.contains("Procurement"),
            "{backend:?}: another directorate's unpublished return reached a director"
        );
        let md = format!("{cycle_path}/reports/exceptions.md");
        let (_, _, said) = other_director.get(&md).await;
        assert!(
            said.contains("This draft includes the unpublished returns you can see"),
            "{said}"
        );
        let (_, _, said) = reader.get(&md).await;
        assert!(
            !said.contains("returns you can see"),
            "readers see every submitted return"
        );
        let (status, _, md) = admin
            .get(&format!("{cycle_path}/reports/exceptions.md"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(md.contains("**DRAFT:**") && md.contains("# DRAFT: Exception report 2025/26 Q1"));
        assert!(
            md.contains("Procurement &lt;paused&gt;") || md.contains("Procurement &lt;paused\\>"),
            "{md}"
        );
        let (status, headers, html) = admin
            .get(&format!("{cycle_path}/reports/annual.html"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("DRAFT: Annual performance report 2025/26"));
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap_or("")
                .contains("style-src 'sha256-")
        );

        // Nothing unpublished reaches the public site: no such period there yet.
        let mut public = common::Client::new(world.app.clone());
        let (status, _, _) = public.get("/reports/2025-26-q1/exceptions.csv").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");

        // Unknown reports and formats are 404s.
        for bad in ["annual.exe", "yearly.csv", "exceptions"] {
            let (status, _, _) = admin.get(&format!("{cycle_path}/reports/{bad}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        }
    }
}

/// Activities the plan gives no reference are each their own row in a draft, as they are once
/// published, and show no made-up reference.
#[tokio::test]
async fn unreferenced_activities_count_apart_in_a_draft() {
    for backend in backends() {
        let world = World::new(backend).await;
        let activities = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities");
        let unreferenced: Vec<_> = activities
            .iter()
            .filter(|a| a.reference.is_none() && a.in_plan)
            .take(2)
            .collect();
        assert_eq!(
            unreferenced.len(),
            2,
            "Bexley's plan has unreferenced activities"
        );
        let mut period = open_period(&world).await;
        for (n, activity) in unreferenced.iter().enumerate() {
            period
                .submit_red(
                    activity.id,
                    &format!("Unreferenced activity number {n}"),
                    "A plan to recover.",
                )
                .await;
        }
        let (cycle_path, admin) = (period.path.clone(), &mut period.admin);
        let (status, _, body) = admin
            .get(&format!("{cycle_path}/reports/exceptions.csv"))
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        for n in 0..2 {
            body.lines()
                .find(|l| {
                    l.starts_with("Red activities,")
                        && l.contains(&format!("Unreferenced activity number {n}"))
                })
                .unwrap_or_else(|| panic!("{backend:?}: return {n} is missing from\n{body}"));
        }
        assert!(!body.contains("unreferenced-"), "{backend:?}");
    }
}
