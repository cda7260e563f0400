//! The staff site end to end over HTTP, on both backends: signing in (throttling, set-up links,
//! timeouts, sign-out), the whole quarterly cycle from opening a period to the public page
//! showing the new status, and forms without the right token changing nothing.

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::{Client, PASSWORD, World, backends, hidden, location};
use waymark_domain::workflow::Role;
use waymark_store::Backend;

#[tokio::test]
async fn signing_in_throttling_timeouts_and_signing_out() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let mut anon = Client::new(world.app.clone());

        // Signed-out visitors are sent to sign in.
        let (status, headers, _) = anon.get("/staff").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(location(&headers), "/staff/sign-in");
        let (status, headers, html) = anon.get("/staff/sign-in").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["cache-control"], "no-store");
        assert!(html.contains("Sign in"));

        // A wrong password and an unknown address get the same answer.
        let (status, _, wrong) = anon
            .sign_in("perf@bexley.example", "not the password at all")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _, unknown) = anon
            .sign_in("nobody@bexley.example", "not the password at all")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let message = |html: &str| html.contains("Enter a correct email address and password");
        assert!(message(&wrong) && message(&unknown), "{backend:?}");

        // A sign-in form without its cookie's token (posted from elsewhere) is refused.
        let mut other = Client::new(world.app.clone());
        let (status, _, _) = other
            .post_raw(
                "/staff/sign-in",
                &[
                    ("token", "forged"),
                    ("email", "perf@bexley.example"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");

        // Ten failures in five minutes: the right password is refused too, until the window passes.
        for _ in 0..9 {
            anon.sign_in("perf@bexley.example", "still not the password")
                .await;
        }
        let (status, _, html) = anon.sign_in("perf@bexley.example", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
        assert!(html.contains("too many failed attempts"));
        world.clock.advance(Duration::minutes(6));
        let (status, headers, _) = anon.sign_in("perf@bexley.example", PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let cookie = headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap_or(""))
            .find(|c| c.starts_with("waymark-session="))
            .expect("session cookie")
            .to_string();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain http on this machine");
        let (status, _, html) = anon.get("/staff").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Signed in as perf"), "{backend:?}");

        // Idle for longer than 30 minutes: signed out.
        world.clock.advance(Duration::minutes(31));
        let (status, headers, _) = anon.get("/staff").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}: idle timeout");
        assert_eq!(location(&headers), "/staff/sign-in?expired=1");

        // Signing out ends the session on the server, not just in the browser.
        let mut client = world.signed_in("perf@bexley.example").await;
        let stolen = client.cookies.clone();
        let (status, headers, _) = client.post("/staff", "/staff/sign-out", &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&headers), "/staff/sign-in?signed_out=1");
        let mut replay = Client::new(world.app.clone());
        replay.cookies = stolen;
        let (status, _, _) = replay.get("/staff").await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{backend:?}: the old cookie is dead"
        );
    }
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_bound_and_secure() {
    let world = World::with_base(Backend::Sqlite, "https://performance.bexley.example").await;
    world.person("perf@bexley.example", Role::Admin, None).await;
    let mut client = Client::new(world.app.clone());
    let (_, headers, _) = client.sign_in("perf@bexley.example", PASSWORD).await;
    let cookies: Vec<&str> = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-waymark-session="))
        .expect("host-bound cookie");
    assert!(
        session.contains("; Secure") && session.contains("HttpOnly") && session.contains("Path=/")
    );
    assert!(!session.contains("Domain="));
}

#[tokio::test]
async fn set_up_links_enforce_the_password_rules_and_work_once() {
    for backend in backends() {
        let world = World::new(backend).await;
        let store = world.store();
        let user = store
            .add_user(
                &world.org,
                &waymark_store::NewUser {
                    email: "new.owner@bexley.example".into(),
                    name: "New Owner".into(),
                    role: Role::Owner,
                    directorate: None,
                },
                &waymark_store::Who::command_line(),
                world.clock.now(),
            )
            .await
            .expect("add");
        let token = store
            .issue_setup_link(
                &user,
                &waymark_store::Who::command_line(),
                world.clock.now(),
            )
            .await
            .expect("link");
        let path = format!("/staff/setup/{token}");
        let mut client = Client::new(world.app.clone());
        let (status, _, html) = client.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(html.contains("new.owner@bexley.example"));
        for (password, confirm, expected) in [
            ("short", "short", "at least 12 characters"),
            ("password1234", "password1234", "easy to guess"),
            ("new.owner bexley 2025", "new.owner bexley 2025", ""),
            (PASSWORD, "something else entirely", "do not match"),
        ] {
            let (status, _, html) = client
                .post_raw(&path, &[("password", password), ("confirm", confirm)])
                .await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{backend:?}: {password:?} accepted"
            );
            assert!(html.contains(expected), "{password:?}: {html}");
        }
        let (status, headers, _) = client
            .post_raw(&path, &[("password", PASSWORD), ("confirm", PASSWORD)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(location(&headers), "/staff/sign-in?password_set=1");
        let (status, _, _) = client.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: used up");
        let (status, _, _) = client.sign_in("new.owner@bexley.example", PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
}

/// Bexley's first activity with a reference, and its directorate.
async fn an_activity(world: &World) -> (i64, String, String) {
    let activities = world
        .store()
        .activities(&world.org, None)
        .await
        .expect("activities");
    let a = activities
        .iter()
        .find(|a| a.reference.is_some() && a.in_plan)
        .expect("a referenced plan activity");
    (
        a.id,
        a.reference.clone().unwrap_or_default(),
        a.directorate.clone(),
    )
}

#[tokio::test]
async fn the_whole_cycle_reaches_the_public_site_only_when_published() {
    for backend in backends() {
        let world = World::new(backend).await;
        let (activity, reference, directorate) = an_activity(&world).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        world
            .person(
                "director@bexley.example",
                Role::Director,
                Some(&directorate),
            )
            .await;
        let owner = world
            .person("owner@bexley.example", Role::Owner, None)
            .await;
        world
            .person("councillor@bexley.example", Role::Reader, None)
            .await;
        let mut admin = world.signed_in("perf@bexley.example").await;
        let mut director = world.signed_in("director@bexley.example").await;
        let mut owner_client = world.signed_in("owner@bexley.example").await;
        let mut reader = world.signed_in("councillor@bexley.example").await;

        // The admin opens Q1 2025/26 and gives the activity its owner.
        let (status, headers, _) = admin
            .post(
                "/staff/periods",
                "/staff/periods",
                &[("period", "2025/26 Q1"), ("deadline", "2025-07-31")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let period_page = location(&headers);
        let cycle_path = period_page.split('?').next().unwrap_or("").to_string();
        let return_path = format!("{cycle_path}/activities/{activity}");
        let (status, _, html) = admin.get(&period_page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("The period is open for returns."),
            "{backend:?}"
        );
        let owner_id = owner.id.to_string();
        let (status, _, _) = admin
            .post(
                &return_path,
                &format!("{return_path}/owner"),
                &[("owner", &owner_id)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");

        // The owner sees it in their work, and must give a corrective action for Amber.
        let (_, _, home) = owner_client.get("/staff").await;
        assert!(
            home.contains(&return_path),
            "{backend:?}: the return is in the owner's work"
        );
        let amber = [
            ("action", "submit"),
            ("revision", "0"),
            ("status", "amber"),
            ("commentary", "Consultation started late."),
            ("corrective_action", ""),
            ("reason", ""),
            ("evidence", "https://www.bexley.gov.uk/consultation"),
        ];
        let (status, _, html) = owner_client.post(&return_path, &return_path, &amber).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        assert!(
            html.contains("href=\"#corrective_action\""),
            "the error links to the field"
        );
        assert!(
            html.contains("Consultation started late."),
            "what was typed is kept"
        );
        let mut amber = amber;
        amber[4] = ("corrective_action", "Extra sessions in August.");
        let (status, _, _) = owner_client.post(&return_path, &return_path, &amber).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");

        // The reader sees the submitted return; the director sends it back with a comment.
        let (status, _, html) = reader.get(&return_path).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(html.contains("Extra sessions in August."));
        assert!(
            !html.contains("Send back for changes"),
            "readers cannot review"
        );
        let (status, _, _) = director
            .post(
                &return_path,
                &return_path,
                &[
                    ("action", "send_back"),
                    ("revision", "1"),
                    ("comment", "Give dates for the sessions."),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        // A returned return is not for readers' eyes.
        let (status, _, _) = reader.get(&return_path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");

        // The owner resubmits; the form shows their last answer and the director's comment.
        let (_, _, html) = owner_client.get(&return_path).await;
        assert!(html.contains("Give dates for the sessions."));
        assert_eq!(hidden(&html, "revision").as_deref(), Some("2"));
        amber[1] = ("revision", "2");
        amber[4] = ("corrective_action", "Extra sessions on 5 and 12 August.");
        let (status, _, _) = owner_client.post(&return_path, &return_path, &amber).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let (status, _, _) = director
            .post(
                &return_path,
                &return_path,
                &[("action", "approve"), ("revision", "3"), ("comment", "")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");

        // Not on the public site until published.
        let public_path = format!("/activities/{reference}");
        let mut resident = Client::new(world.app.clone());
        let (status, _, before) = resident.get(&public_path).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(
            !before.contains("Consultation started late."),
            "{backend:?}: not yet public"
        );

        let (_, _, html) = admin.get(&cycle_path).await;
        let revision = hidden(&html, "revision").expect("period revision");
        let (status, _, _) = admin
            .post(
                &cycle_path,
                &format!("{cycle_path}/state"),
                &[("action", "publish"), ("revision", &revision)],
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "{backend:?}: publishing needs a lock"
        );
        let (status, _, _) = admin
            .post(
                &cycle_path,
                &format!("{cycle_path}/state"),
                &[("action", "lock"), ("revision", &revision)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, html) = admin.get(&cycle_path).await;
        let revision = hidden(&html, "revision").expect("period revision");
        let (status, headers, _) = admin
            .post(
                &cycle_path,
                &format!("{cycle_path}/state"),
                &[("action", "publish"), ("revision", &revision)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let (_, _, html) = admin.get(&location(&headers)).await;
        assert!(html.contains("The period is published"));

        let (status, _, after) = resident.get(&public_path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            after.contains("Consultation started late."),
            "{backend:?}: the public page shows the published return"
        );
        assert!(
            after.contains("2025/26 Q1"),
            "{backend:?}: for the new period"
        );
        assert!(
            after.contains("What is being done:</strong> Extra sessions on 5 and 12 August."),
            "{backend:?}: the corrective action is published with it"
        );

        let check = world.store().verify_audit().await.expect("verify");
        assert!(
            check.problems.is_empty(),
            "{backend:?}: {:?}",
            check.problems
        );
    }
}

#[tokio::test]
async fn forms_without_the_sessions_token_or_from_another_site_change_nothing() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let mut admin = world.signed_in("perf@bexley.example").await;
        let before = world.store().row_counts().await.expect("counts");
        let open = [("period", "2025/26 Q1"), ("deadline", "2025-07-31")];
        // No token, a wrong token, another session's token.
        let (status, _, _) = admin.post_raw("/staff/periods", &open).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
        let mut with_wrong = vec![("csrf", "0000")];
        with_wrong.extend_from_slice(&open);
        let (status, _, _) = admin.post_raw("/staff/periods", &with_wrong).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The right token, but posted from another site.
        let (_, _, html) = admin.get("/staff/periods").await;
        let token = hidden(&html, "csrf").expect("token");
        let mut forged = admin.clone();
        forged.origin = Some("https://evil.example".into());
        let mut fields = vec![("csrf", token.as_str())];
        fields.extend_from_slice(&open);
        let (status, _, _) = forged.post_raw("/staff/periods", &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
        assert_eq!(
            world.store().row_counts().await.expect("counts"),
            before,
            "{backend:?}: nothing changed"
        );
        // And with everything right, it works.
        let (status, _, _) = admin.post_raw("/staff/periods", &fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
    }
}
