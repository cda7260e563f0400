//! Plan maintenance through the staff site on both backends: activities added, edited,
//! renumbered, linked to outcomes and retired; indicators added and retired; a new revision
//! uploaded, previewed (nothing written) and confirmed; bad files refused naming the problem.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, HOST, World, backends, hidden, location};
use waymark_domain::workflow::Role;

/// Post a file the way a browser's upload form does.
async fn upload(client: &mut Client, csrf: &str, name: &str, bytes: &[u8]) -> Answer {
    let boundary = "----waymark-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookies = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let request = Request::builder()
        .method(Method::POST)
        .uri("/staff/plan/upload")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(header::COOKIE, cookies)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    client.send(request).await
}

#[tokio::test]
async fn admins_maintain_the_plan_and_everyone_else_is_refused() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        world
            .person("owner@bexley.example", Role::Owner, None)
            .await;
        let mut admin = world.signed_in("perf@bexley.example").await;
        let mut owner = world.signed_in("owner@bexley.example").await;
        let activities = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities");
        let directorate = activities.first().expect("activity").directorate.clone();

        let (status, _, _) = owner.get("/staff/plan").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");

        // A title with a control character is refused, naming the field; nothing changes.
        let before = world.store().row_counts().await.expect("counts");
        let (status, _, html) = admin
            .post(
                "/staff/plan",
                "/staff/plan/activities",
                &[
                    ("reference", "9.9"),
                    ("title", "bad\u{7}title"),
                    ("directorate", &directorate),
                    ("portfolios", ""),
                    ("due", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        assert!(html.contains("href=\"#title\""), "{backend:?}");
        assert_eq!(world.store().row_counts().await.expect("counts"), before);

        let (status, headers, _) = admin
            .post(
                "/staff/plan",
                "/staff/plan/activities",
                &[
                    ("reference", "9.9"),
                    ("title", "Plant 500 street trees in Erith"),
                    ("directorate", &directorate),
                    ("portfolios", "Places"),
                    ("due", "March 2026"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(location(&headers), "/staff/plan?done=added");
        let added = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities")
            .into_iter()
            .find(|a| a.reference.as_deref() == Some("9.9"))
            .expect("added");
        let page = format!("/staff/plan/activities/{}", added.id);

        // Residents see it on the public site at once.
        let mut resident = Client::new(world.app.clone());
        let (status, _, html) = resident.get("/activities/9.9").await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(html.contains("Plant 500 street trees in Erith"));

        // Edit, link to outcomes, renumber, retire.
        let (status, _, _) = admin
            .post(
                &page,
                &page,
                &[
                    ("action", "edit"),
                    ("title", "Plant 800 street trees in Erith"),
                    ("directorate", &directorate),
                    ("portfolios", "Places"),
                    ("due", "June 2026"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let (_, _, html) = admin.get(&page).await;
        let first_outcome = html
            .split("name=\"outcome\" type=\"checkbox\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the plan's outcomes are offered")
            .to_string();
        let (status, _, _) = admin
            .post(
                &page,
                &page,
                &[("action", "outcomes"), ("outcome", &first_outcome)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let (status, _, _) = admin
            .post(
                &page,
                &page,
                &[("action", "renumber"), ("reference", "9.10")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let taken = activities
            .iter()
            .find_map(|a| a.reference.clone())
            .expect("a reference");
        let (status, _, html) = admin
            .post(
                &page,
                &page,
                &[("action", "renumber"), ("reference", &taken)],
            )
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{backend:?}: a reference in use"
        );
        assert!(html.contains("href=\"#reference\""));
        assert!(
            html.contains(&format!("value=\"{taken}\"")),
            "{backend:?}: what was typed stays in the form"
        );
        let (status, _, _) = admin.post(&page, &page, &[("action", "retire")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let now = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities")
            .into_iter()
            .find(|a| a.id == added.id)
            .expect("kept");
        assert_eq!(now.reference.as_deref(), Some("9.10"));
        assert_eq!(now.title, "Plant 800 street trees in Erith");
        assert!(!now.in_plan, "{backend:?}: retired");
        assert_eq!(now.outcomes.len(), 1, "{backend:?}: linked to an outcome");

        // An owner posting the same forms changes nothing.
        let before = world.store().row_counts().await.expect("counts");
        let (_, _, html) = owner.get("/staff").await;
        let csrf = hidden(&html, "csrf").expect("token");
        let (status, _, _) = owner
            .post_raw(&page, &[("csrf", &csrf), ("action", "retire")])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
        assert_eq!(world.store().row_counts().await.expect("counts"), before);

        // Indicators: add one, retire it.
        let (status, _, _) = admin
            .post(
                "/staff/plan",
                "/staff/plan/indicators",
                &[
                    ("indicator_reference", "CP42"),
                    ("indicator_name", "Street trees planted"),
                    ("indicator_frequency", "Quarterly"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let (_, _, html) = admin.get("/staff/plan").await;
        let link = html
            .split("href=\"/staff/plan/indicators/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the indicator is listed");
        let indicator_page = format!("/staff/plan/indicators/{link}");
        let (status, _, _) = admin
            .post(&indicator_page, &indicator_page, &[("action", "retire")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, html) = admin.get("/staff/plan").await;
        assert!(html.contains("No (retired)"), "{backend:?}");
        assert!(
            world
                .store()
                .verify_audit()
                .await
                .expect("verify")
                .problems
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_new_revision_is_previewed_then_confirmed() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let mut admin = world.signed_in("perf@bexley.example").await;
        let (_, _, html) = admin.get("/staff/plan").await;
        let csrf = hidden(&html, "csrf").expect("token");

        // A file that is not a council document: refused, naming it.
        let (status, _, html) =
            upload(&mut admin, &csrf, "photo.txt", &[0, 159, 146, 150, 0, 1]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        assert!(
            html.contains("photo.txt"),
            "{backend:?}: the error names the file"
        );
        // The wrong token: refused.
        let (status, _, _) = upload(&mut admin, "forged", "plan.txt", b"x").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");

        // Bexley's action plan with one activity dropped and one reworded.
        let (name, bytes) = waymark_import::bundled::BEXLEY
            .iter()
            .find(|(n, _)| n.contains("action-delivery-plan"))
            .expect("the action plan");
        let text = String::from_utf8(bytes.to_vec()).expect("text");
        let activities = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities");
        let victim = activities
            .iter()
            .filter(|a| a.in_plan)
            .map(|a| a.plan_title.clone().unwrap_or_default())
            .find(|t| !t.is_empty() && text.matches(t.as_str()).count() == 1)
            .expect("a plan title written once");
        let revised: String = text
            .lines()
            .filter(|l| !l.contains(victim.as_str()))
            .collect::<Vec<_>>()
            .join("\n");
        let before = world.store().row_counts().await.expect("counts");
        let (status, _, html) = upload(
            &mut admin,
            &csrf,
            &name.replace("bexley/", "revised-"),
            revised.as_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {html}");
        assert!(html.contains("Check what this file changes"));
        assert!(
            html.contains("removed"),
            "{backend:?}: the preview lists the removal"
        );
        assert_eq!(
            world.store().row_counts().await.expect("counts"),
            before,
            "{backend:?}: a preview writes nothing"
        );
        let token = hidden(&html, "upload").expect("upload token");

        // Another admin's session cannot confirm it; its own can, once.
        let (status, headers, _) = admin
            .post_raw(
                "/staff/plan/confirm",
                &[("csrf", &csrf), ("upload", &token)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(location(&headers), "/staff/plan?done=imported");
        let (status, _, _) = admin
            .post_raw(
                "/staff/plan/confirm",
                &[("csrf", &csrf), ("upload", &token)],
            )
            .await;
        assert_eq!(status, StatusCode::GONE, "{backend:?}: used once");
        let changes = world
            .store()
            .plan_changes(&world.org, None)
            .await
            .expect("changes");
        assert!(
            changes
                .iter()
                .any(|c| c.change == "removed" && c.detail.contains(victim.as_str())),
            "{backend:?}"
        );
        let events = world
            .store()
            .audit_export(Some(&world.org))
            .await
            .expect("audit");
        assert!(
            events
                .iter()
                .any(|e| e.action == "plan.imported" && e.actor == "perf@bexley.example")
        );
    }
}

#[tokio::test]
async fn admins_confirm_or_reject_suggested_outcomes() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        world
            .person("owner@bexley.example", Role::Owner, None)
            .await;
        let mut admin = world.signed_in("perf@bexley.example").await;
        let mut owner = world.signed_in("owner@bexley.example").await;
        let suggestions = world
            .store()
            .suggest_outcomes(&world.org, true, chrono::Utc::now())
            .await
            .expect("suggest");
        let mut confident = suggestions.iter().filter(|s| s.decision == "confident");
        let first = confident.next().expect("a confident suggestion");
        let second = confident.next().expect("another");
        let outcome = first.linked.expect("linked").to_string();
        let page = format!("/staff/plan/activities/{}", first.activity_id);

        let (status, _, html) = admin.get(&page).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(html.contains("Suggested outcomes"), "{backend:?}");
        assert!(html.contains("value=\"confirm-outcome\""));
        assert!(html.contains("value=\"reject-outcome\""));

        // Owners may not decide.
        let before = world.store().row_counts().await.expect("counts");
        let (_, _, html) = owner.get("/staff").await;
        let csrf = hidden(&html, "csrf").expect("token");
        let (status, _, _) = owner
            .post_raw(
                &page,
                &[
                    ("csrf", &csrf),
                    ("action", "confirm-outcome"),
                    ("outcome", &outcome),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
        assert_eq!(world.store().row_counts().await.expect("counts"), before);

        // An admin confirms: the link is the council's own now.
        let (status, headers, _) = admin
            .post(
                &page,
                &page,
                &[("action", "confirm-outcome"), ("outcome", &outcome)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(location(&headers), format!("{page}?done=confirmed"));
        let activity = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities")
            .into_iter()
            .find(|a| a.id == first.activity_id)
            .expect("activity");
        assert!(
            activity
                .outcomes
                .iter()
                .any(|o| o.number.to_string() == outcome && !o.suggested),
            "{backend:?}: {:?}",
            activity.outcomes
        );
        // Confirming again is refused, naming the problem.
        let (status, _, html) = admin
            .post(
                &page,
                &page,
                &[("action", "confirm-outcome"), ("outcome", &outcome)],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        assert!(html.contains("href=\"#suggestions\""), "{backend:?}");

        // An admin rejects another: it is no longer a link, and never suggested again.
        let rejected = second.linked.expect("linked");
        let page = format!("/staff/plan/activities/{}", second.activity_id);
        let (status, _, _) = admin
            .post(
                &page,
                &page,
                &[
                    ("action", "reject-outcome"),
                    ("outcome", &rejected.to_string()),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let again = world
            .store()
            .suggest_outcomes(&world.org, true, chrono::Utc::now())
            .await
            .expect("suggest again");
        let row = again
            .iter()
            .find(|s| s.activity_id == second.activity_id)
            .expect("row");
        assert!(row.ranked.iter().all(|r| r.outcome != rejected), "{row:?}");

        // Both decisions are audited.
        let events = world
            .store()
            .audit_events(&world.org, None, 100)
            .await
            .expect("audit");
        for action in [
            "plan.outcome-suggestion-confirmed",
            "plan.outcome-suggestion-rejected",
        ] {
            assert!(
                events
                    .iter()
                    .any(|e| e.action == action && e.actor == "perf@bexley.example"),
                "{backend:?}: {action}"
            );
        }
    }
}
