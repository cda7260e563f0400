//! Every state-changing staff form, sent by someone who may use it, is refused (403, nothing
//! changed) when it does not carry their session's token or did not come from the site's own
//! pages; then the same request with everything right goes through, so each refusal is the
//! forgery check's and not some other rule's. The sign-in form (its token is in a cookie)
//! and the set-up form (its secret is in the address) are checked the same way, and so are
//! the indicator and plan forms, the plan's upload form (multipart) among them.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::NaiveDate;
use common::{
    Answer, Client, HOST, World, backends, bexley_action_plan, form_urlencoded_body, hidden,
    multipart_body, with_kpi_table,
};
use waymark_domain::Status;
use waymark_domain::workflow::{ReturnContent, Role};
use waymark_store::{Act, User, Who};

const OWN_ORIGIN: &str = "http://staff.test";
const REFUSED: &str = "This form could not be accepted";

/// A post with exactly these headers: the client's cookies, and Origin and Sec-Fetch-Site
/// when given.
async fn post(
    client: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    origin: Option<&str>,
    fetch_site: Option<&str>,
) -> Answer {
    let cookies: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !cookies.is_empty() {
        builder = builder.header(header::COOKIE, cookies.join("; "));
    }
    if let Some(origin) = origin {
        builder = builder.header(header::ORIGIN, origin);
    }
    if let Some(site) = fetch_site {
        builder = builder.header("sec-fetch-site", site);
    }
    let request = builder
        .body(Body::from(form_urlencoded_body(fields)))
        .expect("request");
    client.send(request).await
}

/// An upload (multipart) with exactly these headers, the token sent as its `csrf` part.
async fn post_upload(
    client: &mut Client,
    token: Option<&str>,
    file: (&str, &[u8]),
    origin: Option<&str>,
    fetch_site: Option<&str>,
) -> Answer {
    let cookies: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let fields: Vec<(&str, &str)> = token.map(|t| ("csrf", t)).into_iter().collect();
    let (content_type, body) = multipart_body(&fields, Some(file));
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri("/staff/plan/upload")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, cookies.join("; "));
    if let Some(origin) = origin {
        builder = builder.header(header::ORIGIN, origin);
    }
    if let Some(site) = fetch_site {
        builder = builder.header("sec-fetch-site", site);
    }
    client
        .send(builder.body(Body::from(body)).expect("request"))
        .await
}

/// A signed-in person's browser and the token their pages carry.
struct Person {
    user: User,
    client: Client,
    csrf: String,
    /// The same person signed in a second time, elsewhere.
    elsewhere: String,
}

async fn token(client: &mut Client) -> String {
    let (_, _, html) = client.get("/staff").await;
    hidden(&html, "csrf").expect("the page carries a token")
}

async fn person(world: &World, email: &str, role: Role, directorate: Option<&str>) -> Person {
    let user = world.person(email, role, directorate).await;
    let mut client = world.signed_in(email).await;
    let csrf = token(&mut client).await;
    let mut second = world.signed_in(email).await;
    let elsewhere = token(&mut second).await;
    assert_ne!(csrf, elsewhere, "each session has its own token");
    Person {
        user,
        client,
        csrf,
        elsewhere,
    }
}

/// One way of forging a form: the token sent (None: none) and the headers.
struct Forgery {
    what: &'static str,
    token: Option<String>,
    origin: Option<&'static str>,
    fetch_site: Option<&'static str>,
}

fn forgeries(right: &str, others: &str, elsewhere: &str) -> Vec<Forgery> {
    let with = |what, token: &str, origin, fetch_site| Forgery {
        what,
        token: Some(token.to_string()),
        origin,
        fetch_site,
    };
    vec![
        Forgery {
            what: "no token",
            token: None,
            origin: Some(OWN_ORIGIN),
            fetch_site: None,
        },
        with("an empty token", "", Some(OWN_ORIGIN), None),
        with("a wrong token", &"0".repeat(64), Some(OWN_ORIGIN), None),
        with(
            "a token one character short",
            &right[..right.len() - 1],
            Some(OWN_ORIGIN),
            None,
        ),
        with(
            "another person's session's token",
            others,
            Some(OWN_ORIGIN),
            None,
        ),
        with(
            "the same person's other session's token",
            elsewhere,
            Some(OWN_ORIGIN),
            None,
        ),
        with(
            "the right token from https://evil.example",
            right,
            Some("https://evil.example"),
            None,
        ),
        with(
            "the right token from a look-alike host",
            right,
            Some("http://staff.test.evil.example"),
            None,
        ),
        with(
            "the right token from Origin: null",
            right,
            Some("null"),
            None,
        ),
        with(
            "the right token, Sec-Fetch-Site: cross-site",
            right,
            None,
            Some("cross-site"),
        ),
        with(
            "the right token, Sec-Fetch-Site: cross-site with our Origin",
            right,
            Some(OWN_ORIGIN),
            Some("cross-site"),
        ),
        with(
            "the right token, Sec-Fetch-Site: same-site",
            right,
            None,
            Some("same-site"),
        ),
    ]
}

/// Send every forgery of a form and then the real thing; collect what went wrong.
#[allow(clippy::too_many_arguments)]
async fn check_form(
    world: &World,
    wrong: &mut Vec<String>,
    label: &str,
    who: &mut Person,
    others: &str,
    path: &str,
    fields: &[(&str, &str)],
    success: StatusCode,
) {
    let right = who.csrf.clone();
    for forgery in forgeries(&right, others, &who.elsewhere) {
        let mut all: Vec<(&str, &str)> = vec![];
        if let Some(token) = &forgery.token {
            all.push(("csrf", token));
        }
        all.extend_from_slice(fields);
        let before = world.store().row_counts().await.expect("counts");
        let (status, _, html) = post(
            &mut who.client,
            path,
            &all,
            forgery.origin,
            forgery.fetch_site,
        )
        .await;
        let after = world.store().row_counts().await.expect("counts");
        if status != StatusCode::FORBIDDEN || !html.contains(REFUSED) {
            wrong.push(format!("{label} with {}: got {status}", forgery.what));
        }
        if before != after {
            wrong.push(format!("{label} with {}: something changed", forgery.what));
        }
    }
    let mut all = vec![("csrf", right.as_str())];
    all.extend_from_slice(fields);
    let before = world.store().row_counts().await.expect("counts");
    // As a browser sends it from our own page.
    let (status, _, _) = post(
        &mut who.client,
        path,
        &all,
        Some(OWN_ORIGIN),
        Some("same-origin"),
    )
    .await;
    if status != success {
        wrong.push(format!(
            "{label} with everything right: got {status}, expected {success}"
        ));
    }
    let after = world.store().row_counts().await.expect("counts");
    if before == after {
        wrong.push(format!(
            "{label} with everything right: nothing was recorded"
        ));
    }
}

async fn revision(world: &World, cycle: i64, activity: i64) -> String {
    world
        .store()
        .return_detail(&world.org, cycle, activity)
        .await
        .expect("return")
        .item
        .revision
        .to_string()
}

#[tokio::test]
async fn every_signed_in_form_refuses_forgeries_and_accepts_the_real_thing() {
    let mut wrong = vec![];
    for backend in backends() {
        let world = World::new(backend).await;
        let activities = world
            .store()
            .activities(&world.org, None)
            .await
            .expect("activities");
        let x = activities
            .iter()
            .find(|a| a.reference.is_some() && a.in_plan)
            .expect("an activity");
        let mut admin = person(&world, "perf@bexley.example", Role::Admin, None).await;
        let mut owner = person(&world, "owner@bexley.example", Role::Owner, None).await;
        let mut director = person(
            &world,
            "director@bexley.example",
            Role::Director,
            Some(&x.directorate),
        )
        .await;
        let reader = person(&world, "councillor@bexley.example", Role::Reader, None).await;
        let other = world
            .person("other.owner@bexley.example", Role::Owner, None)
            .await;
        let cycle = world
            .store()
            .open_cycle(
                &world.org,
                "2025/26 Q1".parse().expect("period"),
                NaiveDate::from_ymd_opt(2025, 7, 31).expect("date"),
                &admin.user,
                world.clock.now(),
            )
            .await
            .expect("open");
        world
            .store()
            .assign_owner(
                &world.org,
                cycle.id,
                x.id,
                Some(owner.user.id),
                &admin.user,
                world.clock.now(),
            )
            .await
            .expect("assign");
        let others = reader.csrf.clone();
        let period_path = format!("/staff/periods/{}", cycle.id);
        let return_path = format!("{period_path}/activities/{}", x.id);
        let label = |what: &str| format!("{backend:?} {what}");

        check_form(
            &world,
            &mut wrong,
            &label("opening a period"),
            &mut admin,
            &others,
            "/staff/periods",
            &[("period", "2025/26 Q2"), ("deadline", "2025-10-31")],
            StatusCode::SEE_OTHER,
        )
        .await;
        for action in ["save", "submit"] {
            let rev = revision(&world, cycle.id, x.id).await;
            check_form(
                &world,
                &mut wrong,
                &label(&format!("{action} a return")),
                &mut owner,
                &others,
                &return_path,
                &[
                    ("action", action),
                    ("revision", &rev),
                    ("status", "green"),
                    ("commentary", "On track."),
                    ("corrective_action", ""),
                    ("reason", ""),
                    ("evidence", "https://www.bexley.gov.uk/"),
                ],
                StatusCode::SEE_OTHER,
            )
            .await;
        }
        let rev = revision(&world, cycle.id, x.id).await;
        check_form(
            &world,
            &mut wrong,
            &label("sending a return back"),
            &mut director,
            &others,
            &return_path,
            &[
                ("action", "send_back"),
                ("revision", &rev),
                ("comment", "Dates, please."),
            ],
            StatusCode::SEE_OTHER,
        )
        .await;
        let again = ReturnContent {
            status: Status::Green,
            commentary: "On track, from 5 August.".into(),
            corrective_action: String::new(),
            reason: String::new(),
            evidence: vec![],
        };
        let rev = revision(&world, cycle.id, x.id).await;
        world
            .store()
            .act_on_return(
                &world.org,
                cycle.id,
                x.id,
                Act::Submit(&again),
                rev.parse().expect("number"),
                &owner.user,
                world.clock.now(),
            )
            .await
            .expect("resubmit");
        let rev = revision(&world, cycle.id, x.id).await;
        check_form(
            &world,
            &mut wrong,
            &label("approving a return"),
            &mut director,
            &others,
            &return_path,
            &[("action", "approve"), ("revision", &rev), ("comment", "")],
            StatusCode::SEE_OTHER,
        )
        .await;
        let other_id = other.id.to_string();
        check_form(
            &world,
            &mut wrong,
            &label("assigning an owner"),
            &mut admin,
            &others,
            &format!("{return_path}/owner"),
            &[("owner", &other_id)],
            StatusCode::SEE_OTHER,
        )
        .await;
        check_form(
            &world,
            &mut wrong,
            &label("adding a person"),
            &mut admin,
            &others,
            "/staff/people",
            &[
                ("email", "new.person@bexley.example"),
                ("name", "New Person"),
                ("role", "owner"),
                ("directorate", ""),
            ],
            StatusCode::OK,
        )
        .await;
        let reader_path = format!("/staff/people/{}", reader.user.id);
        check_form(
            &world,
            &mut wrong,
            &label("changing a person"),
            &mut admin,
            &others,
            &reader_path,
            &[
                ("action", "change"),
                ("name", "Councillor Renamed"),
                ("role", "reader"),
                ("directorate", ""),
                ("active", "yes"),
            ],
            StatusCode::OK,
        )
        .await;
        check_form(
            &world,
            &mut wrong,
            &label("making a set-up link"),
            &mut admin,
            &others,
            &reader_path,
            &[("action", "link")],
            StatusCode::OK,
        )
        .await;
        let cycle_now = world
            .store()
            .cycle(&world.org, cycle.id)
            .await
            .expect("cycle");
        let rev = cycle_now.revision.to_string();
        check_form(
            &world,
            &mut wrong,
            &label("locking a period"),
            &mut admin,
            &others,
            &format!("{period_path}/state"),
            &[("action", "lock"), ("revision", &rev)],
            StatusCode::SEE_OTHER,
        )
        .await;
        check_form(
            &world,
            &mut wrong,
            &label("signing out"),
            &mut owner,
            &others,
            "/staff/sign-out",
            &[],
            StatusCode::SEE_OTHER,
        )
        .await;
        let (status, _, _) = owner.client.get("/staff").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}: signed out");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn every_indicator_and_plan_form_refuses_forgeries_and_accepts_the_real_thing() {
    let mut wrong = vec![];
    for backend in backends() {
        let world = World::new(backend).await;
        let mut admin = person(&world, "perf@bexley.example", Role::Admin, None).await;
        let mut owner = person(&world, "owner@bexley.example", Role::Owner, None).await;
        let reader = person(&world, "councillor@bexley.example", Role::Reader, None).await;
        let others = reader.csrf.clone();
        let store = world.store();
        let cycle = store
            .open_cycle(
                &world.org,
                "2025/26 Q1".parse().expect("period"),
                NaiveDate::from_ymd_opt(2025, 7, 31).expect("date"),
                &admin.user,
                world.clock.now(),
            )
            .await
            .expect("open");
        with_kpi_table(&world).await;
        let items = store
            .indicator_items(&world.org, cycle.id)
            .await
            .expect("indicators");
        let indicator = items.first().expect("an indicator").indicator_id;
        let activity = store
            .activities(&world.org, None)
            .await
            .expect("activities")
            .into_iter()
            .find(|a| a.reference.is_some() && a.in_plan)
            .expect("an activity");
        let outcome = store
            .plan_overview(&world.org, None)
            .await
            .expect("plan")
            .themes
            .iter()
            .flat_map(|t| &t.outcomes)
            .map(|o| o.number.to_string())
            .next()
            .expect("an outcome");
        let label = |what: &str| format!("{backend:?} {what}");
        let owner_id = owner.user.id.to_string();

        // An indicator: the admin makes the owner its owner, the owner enters its value.
        let settings = format!("/staff/indicators/{indicator}?period={}", cycle.id);
        check_form(
            &world,
            &mut wrong,
            &label("saving an indicator's settings"),
            &mut admin,
            &others,
            &settings,
            &[
                ("polarity", "higher_is_better"),
                ("target", "90"),
                ("tolerance", "5"),
                ("tolerance_kind", "amount"),
                ("owner", &owner_id),
            ],
            StatusCode::SEE_OTHER,
        )
        .await;
        check_form(
            &world,
            &mut wrong,
            &label("entering an indicator's value"),
            &mut owner,
            &others,
            &format!("/staff/periods/{}/indicators/{indicator}", cycle.id),
            &[
                ("revision", "0"),
                ("value", "86.5%"),
                ("note", "Quarter end."),
                ("override_rag", "green"),
                ("override_reason", "The target is being revised."),
            ],
            StatusCode::SEE_OTHER,
        )
        .await;

        // The plan's activities.
        let directorate = activity.directorate.clone();
        check_form(
            &world,
            &mut wrong,
            &label("adding an activity"),
            &mut admin,
            &others,
            "/staff/plan/activities",
            &[
                ("reference", "9.9"),
                ("title", "Plant 500 street trees in Erith"),
                ("directorate", &directorate),
                ("portfolios", "Places"),
                ("due", "March 2026"),
            ],
            StatusCode::SEE_OTHER,
        )
        .await;
        let page = format!("/staff/plan/activities/{}", activity.id);
        let forms: [(&str, Vec<(&str, &str)>); 5] = [
            (
                "editing an activity",
                vec![
                    ("action", "edit"),
                    ("title", "Plant 800 street trees in Erith"),
                    ("directorate", &directorate),
                    ("portfolios", "Places"),
                    ("due", "June 2026"),
                ],
            ),
            (
                "renumbering an activity",
                vec![("action", "renumber"), ("reference", "9.10")],
            ),
            (
                "linking an activity to outcomes",
                vec![("action", "outcomes"), ("outcome", &outcome)],
            ),
            (
                "unlinking an activity from outcomes",
                vec![("action", "outcomes")],
            ),
            ("retiring an activity", vec![("action", "retire")]),
        ];
        for (what, fields) in &forms {
            check_form(
                &world,
                &mut wrong,
                &label(what),
                &mut admin,
                &others,
                &page,
                fields,
                StatusCode::SEE_OTHER,
            )
            .await;
        }

        // The plan's indicators.
        check_form(
            &world,
            &mut wrong,
            &label("adding an indicator"),
            &mut admin,
            &others,
            "/staff/plan/indicators",
            &[
                ("indicator_reference", "CP42"),
                ("indicator_name", "Street trees planted"),
                ("indicator_frequency", "Quarterly"),
            ],
            StatusCode::SEE_OTHER,
        )
        .await;
        let page = format!("/staff/plan/indicators/{indicator}");
        let forms: [(&str, Vec<(&str, &str)>); 3] = [
            (
                "editing an indicator",
                vec![
                    ("action", "edit"),
                    ("name", "Adults who feel safe"),
                    ("frequency", "Quarterly"),
                ],
            ),
            (
                "renumbering an indicator",
                vec![("action", "renumber"), ("reference", "ASC_99")],
            ),
            ("retiring an indicator", vec![("action", "retire")]),
        ];
        for (what, fields) in &forms {
            check_form(
                &world,
                &mut wrong,
                &label(what),
                &mut admin,
                &others,
                &page,
                fields,
                StatusCode::SEE_OTHER,
            )
            .await;
        }

        // A new revision of the plan, uploaded (multipart): every forgery refused; the real
        // thing shows a preview (writing nothing), which the admin then confirms.
        let (name, bytes) = bexley_action_plan();
        let text = String::from_utf8_lossy(bytes);
        let first = text
            .lines()
            .find(|l| l.contains("Care Act assessments"))
            .expect("a line of the plan");
        let revised = text.replace(first, "");
        let file = (name.rsplit('/').next().unwrap_or(name), revised.as_bytes());
        let right = admin.csrf.clone();
        for forgery in forgeries(&right, &others, &admin.elsewhere) {
            let before = store.row_counts().await.expect("counts");
            let (status, _, html) = post_upload(
                &mut admin.client,
                forgery.token.as_deref(),
                file,
                forgery.origin,
                forgery.fetch_site,
            )
            .await;
            let what = label(&format!("uploading a plan with {}", forgery.what));
            if status != StatusCode::FORBIDDEN || !html.contains(REFUSED) {
                wrong.push(format!("{what}: got {status}"));
            }
            if hidden(&html, "upload").is_some() {
                wrong.push(format!("{what}: a preview was made"));
            }
            if store.row_counts().await.expect("counts") != before {
                wrong.push(format!("{what}: something changed"));
            }
        }
        let before = store.row_counts().await.expect("counts");
        let (status, _, html) = post_upload(
            &mut admin.client,
            Some(&right),
            file,
            Some(OWN_ORIGIN),
            Some("same-origin"),
        )
        .await;
        if status != StatusCode::OK || !html.contains("Check what this file changes") {
            wrong.push(label(&format!(
                "uploading a plan with everything right: got {status}"
            )));
        }
        if store.row_counts().await.expect("counts") != before {
            wrong.push(label("uploading a plan: the preview wrote something"));
        }
        match hidden(&html, "upload") {
            Some(upload) => {
                check_form(
                    &world,
                    &mut wrong,
                    &label("confirming an upload"),
                    &mut admin,
                    &others,
                    "/staff/plan/confirm",
                    &[("upload", &upload)],
                    StatusCode::SEE_OTHER,
                )
                .await;
            }
            None => wrong.push(label("uploading a plan: no preview to confirm")),
        }
        let changes = store.plan_changes(&world.org, None).await.expect("changes");
        if !changes
            .iter()
            .any(|c| c.detail.contains("Care Act assessments"))
        {
            wrong.push(label("confirming an upload: the plan did not change"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn the_sign_in_form_refuses_forgeries_and_accepts_the_real_thing() {
    let mut wrong = vec![];
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let mut browser = Client::new(world.app.clone());
        let (_, _, html) = browser.get("/staff/sign-in").await;
        let right = hidden(&html, "token").expect("token");
        let mut attacker = Client::new(world.app.clone());
        let (_, _, html) = attacker.get("/staff/sign-in").await;
        let attackers = hidden(&html, "token").expect("token");
        assert_ne!(right, attackers);
        let credentials = [
            ("email", "perf@bexley.example"),
            ("password", common::PASSWORD),
        ];
        // Each way of forging the form, and whether the browser still holds its sign-in cookie.
        let forged = |what, token: Option<&str>, origin, fetch_site| Forgery {
            what,
            token: token.map(str::to_string),
            origin,
            fetch_site,
        };
        let cases = [
            (forged("no token", None, Some(OWN_ORIGIN), None), true),
            (
                forged("an empty token", Some(""), Some(OWN_ORIGIN), None),
                true,
            ),
            (
                forged("a wrong token", Some("forged"), Some(OWN_ORIGIN), None),
                true,
            ),
            (
                forged(
                    "another browser's token",
                    Some(&attackers),
                    Some(OWN_ORIGIN),
                    None,
                ),
                true,
            ),
            (
                forged(
                    "the right token from https://evil.example",
                    Some(&right),
                    Some("https://evil.example"),
                    None,
                ),
                true,
            ),
            (
                forged(
                    "the right token, Sec-Fetch-Site: cross-site",
                    Some(&right),
                    None,
                    Some("cross-site"),
                ),
                true,
            ),
            (
                forged(
                    "the right token, Sec-Fetch-Site: same-site",
                    Some(&right),
                    Some(OWN_ORIGIN),
                    Some("same-site"),
                ),
                true,
            ),
            // Without the sign-in cookie at all, a token the attacker fetched is no good either.
            (
                forged(
                    "a token but no cookie",
                    Some(&attackers),
                    Some(OWN_ORIGIN),
                    None,
                ),
                false,
            ),
        ];
        for (forgery, with_cookie) in cases {
            let what = forgery.what;
            let mut fields = vec![];
            if let Some(token) = &forgery.token {
                fields.push(("token", token.as_str()));
            }
            fields.extend_from_slice(&credentials);
            let mut client = if with_cookie {
                browser.clone()
            } else {
                Client::new(world.app.clone())
            };
            let before = world.store().row_counts().await.expect("counts");
            let (status, headers, html) = post(
                &mut client,
                "/staff/sign-in",
                &fields,
                forgery.origin,
                forgery.fetch_site,
            )
            .await;
            let after = world.store().row_counts().await.expect("counts");
            let session = headers
                .get_all(header::SET_COOKIE)
                .iter()
                .any(|c| c.to_str().unwrap_or("").starts_with("waymark-session="));
            if status != StatusCode::FORBIDDEN || !html.contains(REFUSED) || session {
                wrong.push(format!("{backend:?} signing in with {what}: got {status}"));
            }
            if before != after {
                wrong.push(format!(
                    "{backend:?} signing in with {what}: something changed"
                ));
            }
        }
        let mut fields = vec![("token", right.as_str())];
        fields.extend_from_slice(&credentials);
        let before = world.store().row_counts().await.expect("counts");
        let (status, _, _) = post(
            &mut browser,
            "/staff/sign-in",
            &fields,
            Some(OWN_ORIGIN),
            Some("same-origin"),
        )
        .await;
        if status != StatusCode::SEE_OTHER {
            wrong.push(format!(
                "{backend:?} signing in with everything right: got {status}"
            ));
        }
        assert_ne!(
            world.store().row_counts().await.expect("counts"),
            before,
            "{backend:?}: a session was started"
        );
        let (status, _, _) = browser.get("/staff").await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: signed in");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The set-up form has no session to take a token from: the one-time secret in its address
/// is what a forger cannot know. A post from another site is still refused, and says only
/// that the link does not work (404), whatever the link.
#[tokio::test]
async fn the_set_up_form_refuses_other_sites_and_accepts_the_real_thing() {
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
                &Who::command_line(),
                world.clock.now(),
            )
            .await
            .expect("add");
        let link = store
            .issue_setup_link(&user, &Who::command_line(), world.clock.now())
            .await
            .expect("link");
        let path = format!("/staff/setup/{link}");
        let fields = [
            ("password", common::PASSWORD),
            ("confirm", common::PASSWORD),
        ];
        let mut client = Client::new(world.app.clone());
        for (what, origin, site) in [
            (
                "from https://evil.example",
                Some("https://evil.example"),
                None,
            ),
            ("from Origin: null", Some("null"), None),
            ("with Sec-Fetch-Site: cross-site", None, Some("cross-site")),
            ("with Sec-Fetch-Site: same-site", None, Some("same-site")),
        ] {
            let before = store.row_counts().await.expect("counts");
            let (status, _, _) = post(&mut client, &path, &fields, origin, site).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?} {what}");
            assert_eq!(
                store.row_counts().await.expect("counts"),
                before,
                "{backend:?} {what}"
            );
            let unchanged = store.user(user.id).await.expect("user").expect("user");
            assert!(
                unchanged.password_hash.is_none(),
                "{backend:?} {what}: no password was set"
            );
        }
        let (status, _, _) = post(&mut client, &path, &fields, Some(OWN_ORIGIN), None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let set = store.user(user.id).await.expect("user").expect("user");
        assert!(
            set.password_hash.is_some(),
            "{backend:?}: the password is set"
        );
    }
}
