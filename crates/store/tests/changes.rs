//! The change signal a web server relies on to serve from memory: a token that stays the same
//! while nothing is written and changes with every write, by this process or another.

use std::time::{Duration, Instant};
use waymark_store::changes::{Changes, Token};
use waymark_store::{Backend, Store};
use waymark_testkit::{TestDb, backends, drop_database};

/// The token, once the signal gives one (PostgreSQL's listener connects in the background).
async fn token(changes: &Changes) -> Token {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(token) = changes.token() {
            return token;
        }
        assert!(
            Instant::now() < deadline,
            "the signal gave no token ({})",
            changes.describe()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A token other than `before`, waited for as long as a notification may take on a busy
/// machine (PostgreSQL); SQLite and this process's own writes must show at once.
async fn changed(changes: &Changes, before: Token, wait: bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(if wait { 10 } else { 0 });
    loop {
        if changes.token().is_some_and(|t| t != before) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn the_token_changes_with_every_write_and_only_then() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = &db.store;
        store
            .organisation(Some("first"), Some("First Council"))
            .await
            .expect("a council");
        let changes = store.watch_changes().await;
        let quiet = token(&changes).await;

        // Reads change nothing.
        store.organisations().await.expect("read");
        store.data_fingerprint().await.expect("read");
        assert_eq!(
            token(&changes).await,
            quiet,
            "{backend:?}: a read changed the token"
        );

        // A write by this process is seen at once.
        store
            .organisation(Some("second"), Some("Second Council"))
            .await
            .expect("a council");
        assert!(
            changed(&changes, quiet, false).await,
            "{backend:?}: own write not seen"
        );
        let after_own = token(&changes).await;

        // A write by another process (a store of its own, as `waymark import` would open).
        let other = Store::open(&db.location).await.expect("a second store");
        other
            .organisation(Some("third"), Some("Third Council"))
            .await
            .expect("a council");
        let wait = backend == Backend::Postgres;
        assert!(
            changed(&changes, after_own, wait).await,
            "{backend:?}: another process's write not seen"
        );
        other.close().await;
        assert_eq!(
            changes.describe(),
            match backend {
                Backend::Sqlite => "watching SQLite's write-ahead log index",
                Backend::Postgres => "listening for PostgreSQL notifications",
            }
        );
        drop(changes);
        store.close().await;
        drop_database(&db.location);
    }
}
