//! Sign-in under attack, on both backends: parallel guesses cannot pass the limit, password
//! checks are bounded (beyond the bound the answer is "busy" at once), oversized input is
//! refused before anything is stored, each client has a limit of its own (through trusted
//! proxies only), and repeated refusals share one row of throttling state.

mod common;

use axum::http::StatusCode;
use common::{Client, PASSWORD, TestDb, World, backends};
use std::net::SocketAddr;
use waymark_domain::workflow::Role;
use waymark_staff::client::TrustedProxies;
use waymark_staff::password::Checker;
use waymark_store::Backend;

/// Rows in a table.
async fn rows(db: &TestDb, table: &str) -> i64 {
    db.store
        .row_counts()
        .await
        .expect("row counts")
        .into_iter()
        .find(|(t, _)| t == table)
        .map(|(_, n)| n)
        .unwrap_or_else(|| panic!("no table {table}"))
}

#[tokio::test]
async fn parallel_wrong_passwords_get_at_most_the_limit_of_checks() {
    for backend in backends() {
        // Room for every guess to hash at once: only the throttle can stop them.
        let world = World::with_staff(backend, "http://staff.test", |staff| {
            staff.passwords = Checker::new(100);
            staff.attempts = std::sync::Arc::new(tokio::sync::Semaphore::new(100));
        })
        .await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let before = world.staff.passwords.checks();
        let mut guesses = tokio::task::JoinSet::new();
        for i in 0..100 {
            let mut client = Client::new(world.app.clone());
            guesses.spawn(async move {
                client
                    .sign_in("perf@bexley.example", &format!("guess number {i}"))
                    .await
                    .0
            });
        }
        let mut refused = 0;
        let mut throttled = 0;
        while let Some(status) = guesses.join_next().await {
            match status.expect("guess") {
                StatusCode::UNAUTHORIZED => refused += 1,
                StatusCode::TOO_MANY_REQUESTS => throttled += 1,
                other => panic!("{backend:?}: unexpected {other}"),
            }
        }
        let checks = world.staff.passwords.checks() - before;
        assert!(checks <= 10, "{backend:?}: {checks} passwords checked");
        assert_eq!(refused, 10, "{backend:?}");
        assert_eq!(throttled, 90, "{backend:?}");
        // The right password is refused too until the window passes.
        let mut person = Client::new(world.app.clone());
        let (status, headers, _) = person.sign_in("perf@bexley.example", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
        assert_eq!(headers["retry-after"], "300");
    }
}

#[tokio::test]
async fn an_oversized_address_is_refused_and_nothing_is_stored() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let attempts = rows(&world.db, "login_attempts").await;
        let events = rows(&world.db, "audit_events").await;
        let mut client = Client::new(world.app.clone());
        let huge = format!("{}@example.gov.uk", "a".repeat(100 * 1024));
        let (status, _, html) = client.sign_in(&huge, "any password at all").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        assert!(html.contains("1024"), "the page says the limit");
        // An address of plausible length but no address at all is refused the same way.
        let (status, _, _) = client
            .sign_in("not an address", "any password at all")
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?}");
        let long_password = "p".repeat(200);
        let (status, _, _) = client.sign_in("perf@bexley.example", &long_password).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}: wrong, unhashed"
        );
        assert_eq!(
            rows(&world.db, "audit_events").await,
            events + 1,
            "{backend:?}: only the plausible attempt is recorded"
        );
        assert_eq!(
            rows(&world.db, "login_attempts").await,
            attempts + 1,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn when_every_password_check_is_taken_sign_in_is_busy_at_once() {
    let world = World::with_staff(Backend::Sqlite, "http://staff.test", |staff| {
        staff.passwords = Checker::new(1);
    })
    .await;
    world.person("perf@bexley.example", Role::Admin, None).await;
    let attempts = rows(&world.db, "login_attempts").await;
    let held = world.staff.passwords.permit().expect("the one permit");
    let mut client = Client::new(world.app.clone());
    let (status, headers, html) = client.sign_in("perf@bexley.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(html.contains("busy"));
    assert_eq!(rows(&world.db, "login_attempts").await, attempts);
    drop(held);
    let (status, _, _) = client.sign_in("perf@bexley.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "free again");
}

#[tokio::test]
async fn when_too_many_attempts_are_being_decided_the_rest_are_busy_at_once() {
    let world = World::with_staff(Backend::Sqlite, "http://staff.test", |staff| {
        staff.attempts = std::sync::Arc::new(tokio::sync::Semaphore::new(1));
    })
    .await;
    let attempts = rows(&world.db, "login_attempts").await;
    let held = world
        .staff
        .attempts
        .clone()
        .try_acquire_owned()
        .expect("the one place");
    let mut client = Client::new(world.app.clone());
    let (status, headers, _) = client
        .get(&format!("/staff/setup/{}", "ab".repeat(32)))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(
        rows(&world.db, "login_attempts").await,
        attempts,
        "nothing written"
    );
    drop(held);
    let (status, _, _) = client
        .get(&format!("/staff/setup/{}", "ab".repeat(32)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "decided once there is room");
}

#[tokio::test]
async fn each_client_has_its_own_limit_counted_through_trusted_proxies_only() {
    for backend in backends() {
        let world = World::with_staff(backend, "http://staff.test", |staff| {
            staff.config.throttle.per_client = 5;
            staff.config.proxies =
                TrustedProxies::new(&["10.0.0.0/24".into()], "X-Forwarded-For").expect("proxies");
        })
        .await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let proxy: SocketAddr = "10.0.0.2:40000".parse().expect("address");
        let through = |client_ip: &str| {
            let mut client = Client::new(world.app.clone());
            client.peer = Some(proxy);
            client.extra = vec![("x-forwarded-for".into(), format!("{client_ip}, 10.0.0.7"))];
            client
        };
        // One client guessing many addresses is stopped after its own limit.
        let mut guesser = through("203.0.113.9");
        for i in 0..5 {
            let (status, _, _) = guesser
                .sign_in(&format!("guess{i}@bexley.example"), "wrong password")
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend:?}: guess {i}");
        }
        let (status, headers, html) = guesser.sign_in("perf@bexley.example", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
        assert!(headers.contains_key("retry-after"));
        assert!(html.contains("from your network"));
        // Set-up links count against the same client.
        let (status, _, _) = guesser
            .get(&format!("/staff/setup/{}", "ab".repeat(32)))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
        // Another client behind the same proxy is not affected.
        let mut colleague = through("203.0.113.10");
        let (status, _, _) = colleague.sign_in("perf@bexley.example", PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        // A header from a peer that is not a trusted proxy is ignored: that peer is the client.
        let mut spoofer = Client::new(world.app.clone());
        spoofer.peer = Some("198.51.100.4:5000".parse().expect("address"));
        spoofer.extra = vec![("x-forwarded-for".into(), "203.0.113.77".into())];
        for i in 0..5 {
            spoofer
                .sign_in(&format!("other{i}@bexley.example"), "wrong password")
                .await;
        }
        let (status, _, _) = spoofer.sign_in("perf@bexley.example", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
        let mut claimed = through("203.0.113.77");
        let (status, _, _) = claimed.sign_in("perf@bexley.example", PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{backend:?}: the spoofed address was never charged"
        );
    }
}

#[tokio::test]
async fn repeated_refusals_share_one_row() {
    for backend in backends() {
        let world = World::new(backend).await;
        world.person("perf@bexley.example", Role::Admin, None).await;
        let attempts = rows(&world.db, "login_attempts").await;
        let events = rows(&world.db, "audit_events").await;
        let mut client = Client::new(world.app.clone());
        for _ in 0..30 {
            client
                .sign_in("perf@bexley.example", "wrong password")
                .await;
        }
        assert_eq!(
            rows(&world.db, "login_attempts").await,
            attempts + 1,
            "{backend:?}: one row for the address, client and minute"
        );
        assert_eq!(
            rows(&world.db, "audit_events").await,
            events + 1,
            "{backend:?}: the row's first refusal is recorded; the rest only count"
        );
    }
}
