//! Two `waymark serve` processes on one database, as behind a load balancer: a person signed
//! in on one carries on on the other, a file uploaded and previewed on one is confirmed on the
//! other, and what one publishes the other shows on its next request (from memory, having
//! learnt of the write). Runs on the suite's backend (SQLite file or PostgreSQL).

mod common;

use common::Db;
use common::load::{self, Browser, PASSWORD, Reply, add_user, hidden, runtime};
use waymark_store::Store;

const ADMIN: &str = "performance@bexley.example.gov.uk";
/// A second admin: nobody approves their own return.
const REVIEWER: &str = "review@bexley.example.gov.uk";

/// POST a file the way the plan page's upload form does, with the browser's cookies.
fn upload(browser: &Browser, base: &str, name: &str, text: &str) -> Reply {
    let boundary = "----waymark-servers-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n",
        csrf = browser.csrf
    );
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let request = format!(
        "POST /staff/plan/upload HTTP/1.1\r\nHost: {base}\r\nConnection: close\r\n\
         Origin: http://{base}\r\nCookie: {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{body}",
        cookies.join("; "),
        body.len()
    );
    load::exchange(base, request.as_bytes()).expect("the upload is answered")
}

/// The hidden `revision` of the period page (the period's own, for lock and publish).
fn period_revision(browser: &mut Browser, base: &str, cycle_path: &str) -> String {
    let page = browser.get(base, cycle_path).expect("the period page");
    assert_eq!(page.status, 200, "{}", page.gist());
    hidden(&page.body, "revision").expect("the period's revision")
}

#[test]
fn two_servers_on_one_database_act_as_one_site() {
    let db = Db::new();
    db.import_bexley();
    let link = add_user(&db, "admin", ADMIN, "Performance Team");
    let reviewer_link = add_user(&db, "admin", REVIEWER, "Review Team");
    let logs = tempfile::tempdir().expect("log folder");
    let a = load::start(&db, logs.path(), 0);
    let b = load::start(&db, logs.path(), 1);
    let (a, b) = (a.base.clone(), b.base.clone());

    // The password is set on A; signing in happens on A; the session works on B.
    let set = Browser::default()
        .post(&a, &link, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .expect("set a password");
    assert_eq!(set.status, 303, "{}", set.gist());
    let mut admin = Browser::sign_in(&a, ADMIN);
    let home = admin.get(&b, "/staff").expect("the staff home on B");
    assert_eq!(
        home.status,
        200,
        "signed in on A, carried on on B: {}",
        home.gist()
    );
    assert_eq!(
        hidden(&home.body, "csrf").as_deref(),
        Some(admin.csrf.as_str()),
        "one session, whichever server answers"
    );

    // A file uploaded and previewed on A is confirmed on B, once.
    let plan = std::fs::read_to_string(common::fixture("bexley/action-delivery-plan-2024-12.txt"))
        .expect("the action plan");
    let (removed_line, revised) = {
        let lines: Vec<&str> = plan.lines().collect();
        // The first row under the first table's header (an activity, written once).
        let header = lines
            .iter()
            .position(|l| l.ends_with("End date"))
            .expect("the plan's table header");
        let victim = lines[header + 1].to_string();
        assert_eq!(plan.matches(victim.as_str()).count(), 1, "{victim}");
        let kept: Vec<&str> = lines.into_iter().filter(|l| *l != victim).collect();
        (victim, kept.join("\n"))
    };
    let preview = upload(&admin, &a, "revised-action-plan.txt", &revised);
    assert_eq!(preview.status, 200, "preview on A: {}", preview.gist());
    assert!(preview.body.contains("Check what this file changes"));
    let token = hidden(&preview.body, "upload").expect("the upload's token");
    let csrf = admin.csrf.clone();
    let confirmed = admin
        .post(
            &b,
            "/staff/plan/confirm",
            &[("csrf", &csrf), ("upload", &token)],
        )
        .expect("confirm on B");
    assert_eq!(
        confirmed.status,
        303,
        "confirmed on B: {}",
        confirmed.gist()
    );
    assert_eq!(
        confirmed.header("location"),
        Some("/staff/plan?done=imported")
    );
    let again = admin
        .post(
            &a,
            "/staff/plan/confirm",
            &[("csrf", &csrf), ("upload", &token)],
        )
        .expect("confirm again on A");
    assert_eq!(
        again.status,
        410,
        "an upload is imported once: {}",
        again.gist()
    );
    let plan_page = admin.get(&a, "/staff/plan").expect("the plan page on A");
    assert_eq!(plan_page.status, 200);
    assert!(!removed_line.is_empty());

    // A period opened on B; the return written and approved across both; published on A.
    let opened = admin.post_ok(
        &b,
        "/staff/periods",
        &[("period", "2025/26 Q1"), ("deadline", "2025-07-31")],
    );
    let cycle_path = opened.split('?').next().unwrap_or_default().to_string();
    let cycle: i64 = cycle_path
        .strip_prefix("/staff/periods/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("opening a period leads to it: {opened}"));
    let url = db.url.to_str().expect("database address").to_string();
    let (admin_id, activity, reference) = runtime().block_on(async {
        let store = Store::open_existing(&url).await.expect("open");
        let org = load::council(&store).await;
        let users = store.users(&org).await.expect("users");
        let admin_id = users.iter().find(|u| u.email == ADMIN).map(|u| u.id);
        let items = store.cycle_items(&org, cycle).await.expect("items");
        store.close().await;
        let item = items
            .into_iter()
            .find(|i| i.reference.is_some())
            .expect("an activity with a reference");
        (
            admin_id.expect("the admin"),
            item.activity_id,
            item.reference.unwrap_or_default(),
        )
    });
    let return_path = format!("{cycle_path}/activities/{activity}");
    let assigned = admin.post_ok(
        &a,
        &format!("{return_path}/owner"),
        &[("owner", &admin_id.to_string())],
    );
    assert!(assigned.ends_with("?done=assigned"), "{assigned}");
    let commentary = "Both servers agree: the consultation closed on time.";
    admin.post_ok(
        &b,
        &return_path,
        &[
            ("action", "submit"),
            ("revision", "0"),
            ("status", "green"),
            ("commentary", commentary),
            ("corrective_action", ""),
            ("reason", ""),
            ("evidence", ""),
        ],
    );
    let set = Browser::default()
        .post(
            &b,
            &reviewer_link,
            &[("password", PASSWORD), ("confirm", PASSWORD)],
        )
        .expect("set a password");
    assert_eq!(set.status, 303, "{}", set.gist());
    let mut reviewer = Browser::sign_in(&b, REVIEWER);
    reviewer.post_ok(
        &a,
        &return_path,
        &[("action", "approve"), ("revision", "1"), ("comment", "")],
    );

    let revision = period_revision(&mut admin, &b, &cycle_path);
    admin.post_ok(
        &b,
        &format!("{cycle_path}/state"),
        &[("action", "lock"), ("revision", &revision)],
    );
    let revision = period_revision(&mut admin, &a, &cycle_path);

    // B renders the public page before the period is published, and writes nothing after
    // (its own writes would make it look at the database anyway): what it learns of A's
    // publication, it learns from the change signal.
    let public_path = format!("/activities/{reference}");
    let before = Browser::default()
        .get(&b, &public_path)
        .expect("public page on B");
    assert_eq!(before.status, 200, "{}", before.gist());
    assert!(
        !before.body.contains(commentary),
        "not public before publishing"
    );
    let published = admin.post_ok(
        &a,
        &format!("{cycle_path}/state"),
        &[("action", "publish"), ("revision", &revision)],
    );
    assert!(published.contains("done="), "{published}");

    // B's very next request shows it: at once on SQLite (every commit rewrites the WAL index
    // B reads); on PostgreSQL once A's notification has reached B's listener, a round trip
    // after the commit, so B is given a moment (well inside the second after which B would
    // ask the database anyway, so a signal that never arrives still fails this).
    let patience = if common::on_postgres() { 20 } else { 0 };
    let mut after = Browser::default()
        .get(&b, &public_path)
        .expect("public page on B");
    for _ in 0..patience {
        if after.body.contains(commentary) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        after = Browser::default()
            .get(&b, &public_path)
            .expect("public page on B");
    }
    assert_eq!(after.status, 200, "{}", after.gist());
    assert!(
        after.body.contains(commentary),
        "B shows what A published on its next request"
    );
    let on_a = Browser::default()
        .get(&a, &public_path)
        .expect("public page on A");
    assert!(on_a.body.contains(commentary));
}
