//! Fresh databases for tests that run against SQLite and PostgreSQL (see the crate's
//! documentation for the server they use).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use waymark_store::{Backend, Store};

/// A fresh, empty, migrated database on one backend.
pub struct TestDb {
    pub store: Store,
    /// What `Store::open` was given.
    pub location: String,
    pub backend: Backend,
    dir: tempfile::TempDir,
}

pub fn backends() -> Vec<Backend> {
    match std::env::var("WAYMARK_TEST_POSTGRES") {
        Ok(v) if v == "off" => vec![Backend::Sqlite],
        _ => vec![Backend::Sqlite, Backend::Postgres],
    }
}

/// The PostgreSQL server tests make their databases on (without a database name).
pub fn postgres_server() -> String {
    std::env::var("WAYMARK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
        .trim_end_matches('/')
        .to_string()
}

/// A name no other test or run uses.
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = match backend {
            Backend::Sqlite => dir.path().join("waymark.db").to_string_lossy().into_owned(),
            Backend::Postgres => format!("{}/{}", postgres_server(), unique_name("waymark_test")),
        };
        let store = Store::open(&location).await.unwrap_or_else(|e| {
            panic!(
                "cannot open a {backend:?} test database at {location}: {e}\n\
                 (run ./scripts/test, which starts PostgreSQL, or set WAYMARK_TEST_POSTGRES=off)"
            )
        });
        TestDb {
            store,
            location,
            backend,
            dir,
        }
    }

    /// A path in this test's scratch folder.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Another fresh location on the same backend (not opened yet).
    pub fn sibling_location(&self) -> String {
        match self.backend {
            Backend::Sqlite => self
                .scratch(&format!("{}.db", unique_name("sibling")))
                .to_string_lossy()
                .into_owned(),
            Backend::Postgres => format!("{}/{}", postgres_server(), unique_name("waymark_test")),
        }
    }
}

/// Drop a PostgreSQL database made by a test (no-op for SQLite paths).
pub fn drop_database(location: &str) {
    if !location.starts_with("postgres") {
        return;
    }
    let url = location.to_string();
    // A runtime of its own on another thread: the test may itself be inside one.
    let dropped = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| rt.block_on(waymark_store::drop_postgres_database(&url)))
    })
    .join();
    if !matches!(dropped, Ok(Ok(Ok(())))) {
        tracing::warn!(location, "could not drop a test database");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop_database(&self.location);
    }
}
