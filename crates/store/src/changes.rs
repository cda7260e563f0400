//! How a long-running reader (the web server) learns that the data may have changed without
//! asking the database on every request.
//!
//! A reader keeps a [`Token`] from before it last read the data; while [`Changes::token`] gives
//! the same token, nothing has been committed since and the copy it holds is current. Three
//! signals make up a token:
//!
//! - **Writes by this process**: every store write transaction raises a counter after it
//!   commits, so a write that finished before a request is always seen by it.
//! - **SQLite, any process**: in WAL mode every commit rewrites the WAL-index header at the
//!   start of the database's `-shm` file (its frame count, change counter and checksums; the
//!   layout is SQLite's documented WAL-index format). The header is written before the commit
//!   is visible to readers, and reading it is one `pread` from the page cache, so a commit that
//!   finished before the read is always seen. A connection is held open so the file stays.
//! - **PostgreSQL, other processes**: triggers on `data_versions` and `organisations`
//!   (migration 9) notify the `waymark_changes` channel when such a write commits, and a
//!   listening connection counts the notifications. Another server's write is seen as soon as
//!   its notification arrives (a network round trip after the commit), not strictly before a
//!   request that races it. While the listener is not connected there is no token, and the
//!   reader asks the database on every request, as it would with no signal at all.
//!
//! Anything the signal cannot vouch for (an in-memory database, a journal mode other than WAL,
//! a header that does not look like SQLite's) gives no token, never a wrong one.

use crate::{Backend, Location, Result, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The PostgreSQL channel the change triggers notify.
pub const CHANNEL: &str = "waymark_changes";
/// Bytes of the WAL-index header compared: the first of its two copies.
const WAL_INDEX_HEADER: usize = 48;
/// The WAL-index format version SQLite writes at the start of the header.
const WAL_INDEX_VERSION: u32 = 3_007_000;
/// How long the PostgreSQL listener waits before connecting again after losing its connection.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// What a reader compares: equal tokens mean nothing was committed in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    local: u64,
    remote: Remote,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Remote {
    WalIndex([u8; WAL_INDEX_HEADER]),
    Notified { generation: u64, count: u64 },
}

/// A store's change signal: see the module's documentation.
#[derive(Clone)]
pub struct Changes {
    writes: Arc<AtomicU64>,
    signal: Arc<Signal>,
}

enum Signal {
    None,
    WalIndex {
        /// Never closed (see [`Store::watch_wal_index`]).
        shm: std::mem::ManuallyDrop<std::fs::File>,
        /// Keeps the `-shm` file in use: SQLite removes it when the last connection closes.
        _held: tokio::sync::Mutex<sqlx::AnyConnection>,
    },
    Listener(Arc<Listener>),
}

/// What the PostgreSQL listening task shares with readers.
struct Listener {
    listening: AtomicBool,
    /// Raised each time the listener connects or loses its connection: notifications sent
    /// while it was away are lost, so a token from before never matches one from after.
    generation: AtomicU64,
    count: AtomicU64,
    stop: tokio::sync::Notify,
}

impl Drop for Signal {
    fn drop(&mut self) {
        if let Signal::Listener(listener) = self {
            listener.stop.notify_one();
        }
    }
}

impl Changes {
    /// The current token, or `None` when no cheap signal can vouch for the data now (the
    /// reader must ask the database).
    pub fn token(&self) -> Option<Token> {
        // The counter is read first: a write that commits after it is read changes the
        // remote part, or the counter again before the next token.
        let local = self.writes.load(Ordering::Acquire);
        let remote = match &*self.signal {
            Signal::None => return None,
            Signal::WalIndex { shm, .. } => Remote::WalIndex(read_wal_index(shm)?),
            Signal::Listener(listener) => {
                if !listener.listening.load(Ordering::Acquire) {
                    return None;
                }
                let generation = listener.generation.load(Ordering::Acquire);
                let count = listener.count.load(Ordering::Acquire);
                // Lost (and perhaps regained) between the loads: not a token to trust.
                if !listener.listening.load(Ordering::Acquire)
                    || listener.generation.load(Ordering::Acquire) != generation
                {
                    return None;
                }
                Remote::Notified { generation, count }
            }
        };
        Some(Token { local, remote })
    }

    /// Whether this signal can give tokens at all (for logs: "learning of writes by …").
    pub fn describe(&self) -> &'static str {
        match &*self.signal {
            Signal::None => "asking the database on each request",
            Signal::WalIndex { .. } => "watching SQLite's write-ahead log index",
            Signal::Listener(_) => "listening for PostgreSQL notifications",
        }
    }
}

/// The first copy of the WAL-index header, if it is one SQLite has initialised.
fn read_wal_index(shm: &std::fs::File) -> Option<[u8; WAL_INDEX_HEADER]> {
    let mut header = [0u8; WAL_INDEX_HEADER];
    read_at(shm, &mut header)?;
    // Native byte order, as SQLite writes it; `isInit` is byte 12.
    let version = u32::from_ne_bytes([header[0], header[1], header[2], header[3]]);
    (version == WAL_INDEX_VERSION && header[12] == 1).then_some(header)
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8]) -> Option<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, 0).ok()
}

#[cfg(not(unix))]
fn read_at(_file: &std::fs::File, _buf: &mut [u8]) -> Option<()> {
    None
}

impl Store {
    /// Raise this process's write counter: called after every write transaction commits.
    pub(crate) fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::AcqRel);
    }

    /// Commit a write transaction, then tell this process's readers (see [`Changes`]).
    pub(crate) async fn commit(&self, tx: crate::Tx) -> Result<()> {
        let done = tx.commit().await;
        // Raised even when the commit reports failure: it may have committed (a connection
        // lost during COMMIT), and an extra look at the data costs one query.
        self.wrote();
        Ok(done?)
    }

    /// Start learning of changes to this database: the web server's signal. Falls back to a
    /// signal that gives no tokens when none can be set up (the reason is logged).
    pub async fn watch_changes(&self) -> Changes {
        let signal = match (&self.backend, &*self.location) {
            (Backend::Sqlite, Location::Sqlite(path)) => self.watch_wal_index(path).await,
            (Backend::Postgres, Location::Postgres(url)) => Some(listen(url.clone())),
            _ => None,
        };
        Changes {
            writes: self.writes.clone(),
            signal: Arc::new(signal.unwrap_or(Signal::None)),
        }
    }

    async fn watch_wal_index(&self, path: &str) -> Option<Signal> {
        // Out of the pool, so the pool may open another in its place.
        let mut held = self.pool.acquire().await.ok()?.detach();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut held)
            .await
            .ok()?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::info!(
                mode,
                "SQLite is not in WAL mode: every request asks the database"
            );
            return None;
        }
        // A read opens the WAL index (and creates the -shm file) on this connection.
        sqlx::query("SELECT COUNT(*) FROM data_versions")
            .fetch_one(&mut held)
            .await
            .ok()?;
        // The file SQLite uses is beside the database's real path (symbolic links resolved).
        let real = std::fs::canonicalize(path).ok()?;
        let shm = std::fs::File::open(format!("{}-shm", real.display())).ok()?;
        // Never closed: on Unix, closing any descriptor of a file drops every lock this
        // process holds on it, SQLite's own locks on the -shm file among them. One descriptor
        // per watched database is left open for the life of the process instead.
        let shm = std::mem::ManuallyDrop::new(shm);
        read_wal_index(&shm)?;
        Some(Signal::WalIndex {
            shm,
            _held: tokio::sync::Mutex::new(held),
        })
    }
}

/// Listen on PostgreSQL for changes, on a task of its own that reconnects when the connection
/// is lost and stops when the signal is dropped.
fn listen(url: String) -> Signal {
    let listener = Arc::new(Listener {
        listening: AtomicBool::new(false),
        generation: AtomicU64::new(0),
        count: AtomicU64::new(0),
        stop: tokio::sync::Notify::new(),
    });
    let shared = listener.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = shared.stop.notified() => return,
                _ = listen_once(&url, &shared) => {}
            }
            tokio::select! {
                _ = shared.stop.notified() => return,
                _ = tokio::time::sleep(RECONNECT_AFTER) => {}
            }
        }
    });
    Signal::Listener(listener)
}

/// One connection's life: connect, listen, count notifications until the connection is lost.
async fn listen_once(url: &str, shared: &Listener) {
    let mut listener = match sqlx::postgres::PgListener::connect(url).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for changes; asking the database on each request");
            return;
        }
    };
    if let Err(e) = listener.listen(CHANNEL).await {
        tracing::warn!(error = %e, "cannot listen for changes; asking the database on each request");
        return;
    }
    shared.generation.fetch_add(1, Ordering::AcqRel);
    shared.listening.store(true, Ordering::Release);
    tracing::debug!("listening for changes");
    // None from try_recv says the connection was lost (it would reconnect on the next call,
    // hiding the gap), as an error says it failed: start again, as a new generation.
    while let Ok(Some(_)) = listener.try_recv().await {
        shared.count.fetch_add(1, Ordering::AcqRel);
    }
    shared.listening.store(false, Ordering::Release);
    shared.generation.fetch_add(1, Ordering::AcqRel);
    tracing::warn!("lost the connection that listens for changes; reconnecting");
}
