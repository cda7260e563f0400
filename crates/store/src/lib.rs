//! Waymark's store. One interface for the rest of the system over SQLite (one file, one council or
//! a few) and PostgreSQL (a shared service for many councils), chosen by the database URL.
//!
//! All SQL is written once: `$n` placeholders and portable types (64-bit integers, TEXT
//! timestamps in RFC 3339 UTC which sort as text, JSON kept as TEXT) so the same statements run
//! on both backends through sqlx's `Any` driver. Each backend has its own migrations with the
//! same tables and columns (a test compares them). Writes happen in one transaction per
//! command: a failure leaves the database as it was.

mod batch;
pub mod changes;
mod decide;
mod ingest;
mod outcomes;
mod public;
pub mod rows;
pub mod seal;
mod staff;
pub mod template;
mod transfer;

// The staff half's modules keep the paths other crates name (`waymark_store::accounts::…`).
pub use staff::{accounts, audit, cycle, indicators, plan_edit, reminders};
// Opening a store fills the summaries a migration asks for.
use public::summary;

pub use public::overview::{
    IndicatorValueView, OutcomeView, PlanOverview, PrincipleView, StrategyView, ThemeView,
};
pub use public::read::{PlanChange, StoredClaim};
pub use public::summary::{ActivityStatus, CouncilHeadline, MAX_NOTE_CHARS, NewReturn};

pub use decide::LinkDecision;
pub use ingest::{ImportOutcome, Incoming};
pub use outcomes::{ActivitySuggestion, OpenSuggestion, SuggestionDecision};
pub use rows::RowRef;
pub use seal::{AuditKey, Checkpoint, CheckpointError, Position, PublicKey, SigningKey};
pub use staff::accounts::{
    Attempt, AttemptKind, Gate, NewUser, Session, SessionRules, ThrottleRules, Throttled, User,
    UserChange,
};
pub use staff::audit::{AuditCheck, AuditEvent, Who};
pub use staff::cycle::{
    Act, Cycle, CycleItem, Person, PreviousAnswer, ReturnDetail, ReturnVersion,
};
pub use staff::indicators::{IndicatorEntry, IndicatorItem, IndicatorSettings, PreviousValue};
pub use staff::plan_edit::{ActivityFields, IndicatorEdit, PlanEdit};
pub use staff::settle::{MAX_SETTLE_NOTE_CHARS, SettledFinding, Settlement};
pub use staff::waiting::{WaitingSignIn, WaitingUpload};
pub use transfer::{ColumnKind, CopySummary, Dump, Value, catalogue};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Usage(String),
    #[error("stored data could not be read back: {0}")]
    Corrupt(String),
    /// The person may not do this, or not now (the workflow's rules said no).
    #[error("{0}")]
    Refused(waymark_domain::workflow::Refusal),
    /// Someone else changed the thing first; nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// What was entered breaks the rules; each problem names its field.
    #[error("{}", .0.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<waymark_domain::workflow::FieldError>),
    #[error("{0}")]
    NotFound(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// How long a request waits for a database connection before it is answered "unavailable":
/// while PostgreSQL is down every connection attempt fails, and the pool retries until this
/// passes, so it bounds how long a visitor waits for the 503 during an outage.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether a pooled connection may be handed out again. One still inside a transaction is
/// closed instead: when a commit fails because the disk is full, SQLite rolls the transaction
/// back itself, the driver's own rollback then fails, and the driver goes on counting the
/// connection as inside a transaction, so every later `BEGIN` on it would fail and the
/// server would not recover when the disk has room again.
fn fit_for_use(
    conn: &mut sqlx::AnyConnection,
    _: sqlx::pool::PoolConnectionMetadata,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = std::result::Result<bool, sqlx::Error>> + Send + '_>,
> {
    use sqlx::Connection;
    Box::pin(async move {
        if conn.is_in_transaction() {
            // A rollback may still be queued on the connection: let it run, then look again.
            conn.ping().await?;
        }
        Ok(!conn.is_in_transaction())
    })
}

/// A transaction on whichever backend the store runs on.
pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Stored data that cannot be read back as written.
pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// A yes/no column, selected as `CASE WHEN … THEN 1 ELSE 0 END` so both backends return an
/// integer (PostgreSQL would return a boolean, SQLite an integer, for the bare condition).
pub(crate) fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// A council whose data the store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store, open on one database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Seals audit events (see [`audit`]); held outside the database.
    audit_key: Option<std::sync::Arc<seal::AuditKey>>,
    /// Where the database is (the change signal listens or watches there).
    location: std::sync::Arc<Location>,
    /// Write transactions this process has committed, shared by every clone (see [`changes`]).
    writes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Writers on PostgreSQL take this transaction-scoped advisory lock, so imports are serialised
/// as SQLite serialises them (ids handed out inside an import stay unique).
const WRITE_LOCK_KEY: i64 = 0x0057_6179_6d61_726b; // "Waymark"

/// Where a database lives, read from what the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A file path (from a bare path or a `sqlite:` URL).
    Sqlite(String),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl Location {
    pub fn parse(location: &str) -> Result<Location> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Ok(Location::Postgres(location.to_string()));
        }
        let path = location
            .strip_prefix("sqlite://")
            .or_else(|| location.strip_prefix("sqlite:"))
            .unwrap_or(location);
        if path.is_empty() {
            return Err(StoreError::Usage("the database path is empty".into()));
        }
        Ok(Location::Sqlite(path.to_string()))
    }

    /// The location as shown to people: PostgreSQL passwords are hidden.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(path) => path.clone(),
            Location::Postgres(url) => hide_password(url),
        }
    }
}

/// The newest migration applied to a database, 0 for a new one.
/// The SQLite schema every migration builds, as one script: see [`create_from_schema`].
pub const SQLITE_SCHEMA: &str = include_str!("../schema/sqlite.sql");
/// The last migration [`SQLITE_SCHEMA`] includes (the schema test keeps the two in step).
pub const SQLITE_SCHEMA_VERSION: i64 = 9;

/// A new SQLite file is given the whole schema in one transaction, with every migration it
/// contains recorded as applied, instead of running the migrations one by one: SQLite re-reads
/// the schema after each `ALTER TABLE`, so the migrations cost about 20 ms against a few for
/// the finished schema, paid by every command that starts a database. Only an empty file takes
/// this path, and only when the script is as new as the migrations; anything else (another
/// process creating the same file at once, a schema older than the migrations) is left to the
/// migrator, which applies or validates what is there.
async fn create_from_schema(pool: &AnyPool) {
    let latest = SQLITE_MIGRATIONS.iter().map(|m| m.version).max();
    if latest != Some(SQLITE_SCHEMA_VERSION) {
        return;
    }
    let empty = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sqlite_master")
        .fetch_one(pool)
        .await
        .is_ok_and(|n| n == 0);
    if !empty {
        return;
    }
    let created = async {
        let mut tx = pool.begin().await?;
        sqlx::raw_sql(SQLITE_SCHEMA).execute(&mut *tx).await?;
        for m in SQLITE_MIGRATIONS.iter() {
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES ($1, $2, TRUE, $3, 0)",
            )
            .bind(m.version)
            .bind(m.description.to_string())
            .bind(m.checksum.to_vec())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    };
    // A failure rolls the transaction back: the migrator then starts from what is there.
    let _ = created.await;
}

async fn applied_version(pool: &AnyPool) -> i64 {
    sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .ok()
        .flatten()
        .unwrap_or(0)
}

/// Split a PostgreSQL URL into (server part, database name, query string).
fn postgres_database(url: &str) -> Option<(&str, &str, &str)> {
    let (before_query, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let scheme_end = before_query.find("://")? + 3;
    let slash = scheme_end + before_query[scheme_end..].find('/')?;
    Some((&before_query[..slash], &before_query[slash + 1..], query))
}

/// The database name a PostgreSQL URL gives, and a connection to the same server's `postgres`
/// database, from which databases are created and dropped.
async fn maintenance_connection(url: &str) -> Result<(&str, sqlx::AnyConnection)> {
    let (server, name, query) = postgres_database(url)
        .ok_or_else(|| StoreError::Usage("the PostgreSQL URL names no database".into()))?;
    let admin = if query.is_empty() {
        format!("{server}/postgres")
    } else {
        format!("{server}/postgres?{query}")
    };
    let conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await?;
    Ok((name, conn))
}

/// Create the database a PostgreSQL URL names, connecting to the server's `postgres` database.
async fn create_postgres_database(url: &str) -> Result<()> {
    let (name, mut conn) = maintenance_connection(url).await?;
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(StoreError::Usage(format!(
            "database '{name}' does not exist, and only a name of letters, digits, '_' and '-' is created automatically"
        )));
    }
    // The name was checked above to hold only safe characters; it is quoted as an identifier.
    let created = conn
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .await;
    match created {
        Ok(_) => Ok(()),
        // Another process created it first: that is what we wanted.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Drop the database a PostgreSQL URL names, closing its connections: for test suites and
/// tooling that make a fresh database per run. Refuses the server's own `postgres` database.
pub async fn drop_postgres_database(url: &str) -> Result<()> {
    sqlx::any::install_default_drivers();
    let (name, mut conn) = maintenance_connection(url).await?;
    if name == "postgres" || name.contains('"') {
        return Err(StoreError::Usage(format!(
            "will not drop database '{name}'"
        )));
    }
    // The name holds no quote (checked above) and is quoted as an identifier.
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .await?;
    Ok(())
}

/// `postgres://user:secret@host/db` shown as `postgres://user:***@host/db`.
pub(crate) fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// Timestamps are stored as RFC 3339 UTC text with fixed width, so text order is time order.
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Raise the council's data version inside a write transaction: readers that keep rendered
/// pages (the web server) compare versions to know their copy is stale.
pub(crate) async fn bump_version(tx: &mut Tx, org_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO data_versions (org_id, version, changed_at) VALUES ($1, 1, $2)
         ON CONFLICT (org_id) DO UPDATE SET version = data_versions.version + 1, changed_at = excluded.changed_at",
    )
    .bind(org_id)
    .bind(stamp(Utc::now()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The first instant after a date: "as of 2025-03-31" includes everything recorded that day.
pub(crate) fn as_of_bound(as_of: Option<NaiveDate>) -> String {
    match as_of.and_then(|d| d.succ_opt()) {
        Some(next) => format!("{}T00:00:00.000000Z", next.format("%Y-%m-%d")),
        None => "9999-12-31T23:59:59.999999Z".to_string(),
    }
}

impl Store {
    /// Open the database at `location`: a file path or `sqlite:` URL (created if needed), or a
    /// `postgres://` URL (the database is created if the server has none of that name).
    /// Migrations are applied.
    pub async fn open(location: &str) -> Result<Store> {
        Store::open_with(location, true).await
    }

    /// Open a database that must already exist: read commands never create one.
    pub async fn open_existing(location: &str) -> Result<Store> {
        Store::open_with(location, false).await
    }

    pub(crate) fn on(pool: AnyPool, backend: Backend, location: Location) -> Store {
        Store {
            pool,
            backend,
            audit_key: None,
            location: std::sync::Arc::new(location),
            writes: Default::default(),
        }
    }

    async fn open_with(location: &str, create: bool) -> Result<Store> {
        sqlx::any::install_default_drivers();
        match Location::parse(location)? {
            Location::Sqlite(path) => {
                if !create && !std::path::Path::new(&path).exists() {
                    return Err(StoreError::Usage(format!(
                        "no database at '{path}'; import documents first (waymark --db {path} import FILE...)"
                    )));
                }
                Store::open_sqlite(&path).await
            }
            Location::Postgres(url) => Store::open_postgres(&url, create).await,
        }
    }

    async fn open_sqlite(path: &str) -> Result<Store> {
        // A path that cannot be opened, or a file that is not a database, is the user's to fix.
        let unusable = |e: &dyn std::fmt::Display| {
            StoreError::Usage(format!("cannot use '{path}' as a Waymark database: {e}"))
        };
        // A file that is not a database is refused at once (the pool would otherwise retry
        // until its acquire timeout); an empty or missing file becomes a new database.
        if let Ok(mut file) = std::fs::File::open(path) {
            let mut header = [0u8; 16];
            let read = std::io::Read::read(&mut file, &mut header).unwrap_or(0);
            if read > 0 && (read < header.len() || &header != b"SQLite format 3\0") {
                return Err(unusable(&"the file is not a SQLite database"));
            }
        }
        let options = AnyConnectOptions::from_str(&format!("sqlite:{path}?mode=rwc"))
            .map_err(|e| unusable(&e))?;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .before_acquire(fit_for_use)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // FULL: a commit is on disk before it is acknowledged, even in WAL mode.
                    conn.execute(
                        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                         PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| unusable(&e))?;
        let before = applied_version(&pool).await;
        if before == 0 {
            create_from_schema(&pool).await;
        }
        SQLITE_MIGRATIONS.run(&pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(db)) => unusable(&db),
            other => StoreError::Migration(other),
        })?;
        let store = Store::on(pool, Backend::Sqlite, Location::Sqlite(path.to_string()));
        store.after_migrations(before).await?;
        Ok(store)
    }

    async fn open_postgres(url: &str, create: bool) -> Result<Store> {
        let shown = hide_password(url);
        let unusable = |e: &dyn std::fmt::Display| {
            StoreError::Usage(format!("cannot use '{shown}' as a Waymark database: {e}"))
        };
        let connect = || async {
            let options = AnyConnectOptions::from_str(url).map_err(|e| unusable(&e))?;
            AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .before_acquire(fit_for_use)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // Every statement is prepared once per connection and reads one
                        // council's rows by index; planning it afresh on each run (PostgreSQL's
                        // default for the first runs) cost more than running it.
                        conn.execute("SET plan_cache_mode = force_generic_plan")
                            .await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await
                .map_err(StoreError::Database)
        };
        let pool = match connect().await {
            Ok(pool) => pool,
            // Like a SQLite file, a missing database is created on first use.
            Err(StoreError::Database(sqlx::Error::Database(e)))
                if create && e.code().as_deref() == Some("3D000") =>
            {
                create_postgres_database(url)
                    .await
                    .map_err(|e| unusable(&e))?;
                connect().await.map_err(|e| unusable(&e))?
            }
            Err(StoreError::Database(sqlx::Error::Database(e)))
                if e.code().as_deref() == Some("3D000") =>
            {
                return Err(StoreError::Usage(format!(
                    "no database at '{shown}'; import documents first"
                )));
            }
            Err(StoreError::Database(e)) => return Err(unusable(&e)),
            Err(other) => return Err(other),
        };
        let before = applied_version(&pool).await;
        POSTGRES_MIGRATIONS.run(&pool).await?;
        let store = Store::on(pool, Backend::Postgres, Location::Postgres(url.to_string()));
        store.after_migrations(before).await?;
        Ok(store)
    }

    /// Data steps that go with a migration: summaries for returns stored before migration 2
    /// started keeping them (done once, when that migration is applied).
    async fn after_migrations(&self, before: i64) -> Result<()> {
        if before > 0 && before < 2 {
            summary::fill_missing_summaries(self).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This store, sealing every audit event it writes with `key` and checking seals with it
    /// in [`Store::verify_audit`]. The key is the deployment's, not the database's: a backup
    /// restored elsewhere needs the same key to verify.
    pub fn with_audit_key(mut self, key: seal::AuditKey) -> Store {
        self.audit_key = Some(std::sync::Arc::new(key));
        self
    }

    /// The key audit events are sealed with, if the store has one.
    pub fn audit_key(&self) -> Option<&seal::AuditKey> {
        self.audit_key.as_deref()
    }

    /// After a bulk load: on PostgreSQL, bring the planner's statistics and the visibility map
    /// up to date (what autovacuum would do in its own time), so reads are planned for the data
    /// now there and can be answered from indexes alone. SQLite needs nothing.
    pub async fn after_bulk_load(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            self.pool.execute("VACUUM ANALYZE").await?;
        }
        Ok(())
    }

    /// A write transaction that holds the database's write lock from its first statement, so
    /// two writers wait for each other instead of one failing half way: SQLite's BEGIN
    /// IMMEDIATE (with a busy timeout), PostgreSQL's transaction-scoped advisory lock.
    pub(crate) async fn begin_write(&self) -> Result<Tx> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                // Selected through a sub-query: the lock function returns `void`, which the
                // portable driver cannot carry.
                sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database answers a query now (readiness checks).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The connection pool as it stands: connections open, and how many of them are idle.
    pub fn pool_status(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// The migrations applied, newest last, as (version, description).
    pub async fn migrations(&self) -> Result<Vec<(i64, String)>> {
        let rows =
            sqlx::query("SELECT version, description FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("version")?, r.try_get("description")?)))
            .collect()
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let rows = sqlx::query("SELECT id, slug, name FROM organisations ORDER BY slug")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Organisation {
                    id: r.try_get("id")?,
                    slug: r.try_get("slug")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// A cheap fingerprint of every council's data version and the list of councils: it
    /// changes with every write that changes what public pages show.
    pub async fn data_fingerprint(&self) -> Result<String> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM organisations) AS councils, COUNT(*) AS versions,
                    CAST(COALESCE(SUM(version), 0) AS BIGINT) AS version_sum,
                    COALESCE(MAX(changed_at), '') AS latest
             FROM data_versions",
        )
        .fetch_one(&self.pool)
        .await?;
        let (councils, rows, sum, latest): (i64, i64, i64, String) = (
            row.try_get("councils")?,
            row.try_get("versions")?,
            row.try_get("version_sum")?,
            row.try_get("latest")?,
        );
        Ok(format!("{councils}/{rows}/{sum}/{latest}"))
    }

    /// Each council's data version (council id → version and when it last changed).
    pub async fn data_versions(&self) -> Result<std::collections::HashMap<i64, String>> {
        let rows = sqlx::query("SELECT org_id, version, changed_at FROM data_versions")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let version: i64 = r.try_get("version")?;
                let changed: String = r.try_get("changed_at")?;
                Ok((r.try_get("org_id")?, format!("{version}@{changed}")))
            })
            .collect()
    }

    /// Find the council to work on. With no slug, the only council there is; with none stored
    /// and `create` set, a council called "default".
    pub async fn organisation(
        &self,
        slug: Option<&str>,
        create: Option<&str>,
    ) -> Result<Organisation> {
        let all = self.organisations().await?;
        match slug {
            Some(slug) => {
                if let Some(org) = all.into_iter().find(|o| o.slug == slug) {
                    return Ok(org);
                }
                match create {
                    Some(name) => self.create_organisation(slug, name).await,
                    None => Err(StoreError::Usage(format!(
                        "no council '{slug}' in this database; import a document with --council {slug} first"
                    ))),
                }
            }
            None => match all.len() {
                1 => Ok(all
                    .into_iter()
                    .next()
                    .ok_or_else(|| StoreError::Corrupt("organisation vanished".into()))?),
                0 => match create {
                    Some(name) => self.create_organisation("default", name).await,
                    None => Err(StoreError::Usage(
                        "this database holds no data yet; run `waymark import` first".into(),
                    )),
                },
                _ => Err(StoreError::Usage(format!(
                    "this database holds several councils ({}); choose one with --council",
                    all.iter()
                        .map(|o| o.slug.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            },
        }
    }

    async fn create_organisation(&self, slug: &str, name: &str) -> Result<Organisation> {
        let valid = !slug.is_empty()
            && slug.len() <= 64
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(StoreError::Usage(format!(
                "council slug '{slug}' must be 1-64 characters of a-z, 0-9 and '-'"
            )));
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(slug)
        .bind(name)
        .bind(stamp(Utc::now()))
        .fetch_one(&mut *tx)
        .await?;
        bump_version(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(Organisation {
            id,
            slug: slug.to_string(),
            name: name.to_string(),
        })
    }

    /// Counts of rows per table, all councils together: a cheap fingerprint used by tests to prove a
    /// failed import changed nothing.
    pub async fn row_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut out = vec![];
        // Every table of the catalogue (this list once missed `activity_outcomes`).
        for table in transfer::TABLES.iter().map(|t| t.name) {
            let n: i64 =
            // Table names come from the catalogue, never from input.
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&self.pool)
                .await?;
            out.push((table.to_string(), n));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_read_from_paths_and_urls() {
        assert_eq!(
            Location::parse("waymark.db").ok(),
            Some(Location::Sqlite("waymark.db".into()))
        );
        assert_eq!(
            Location::parse("sqlite:///tmp/w.db").ok(),
            Some(Location::Sqlite("/tmp/w.db".into()))
        );
        assert_eq!(
            Location::parse("sqlite:w.db").ok(),
            Some(Location::Sqlite("w.db".into()))
        );
        assert_eq!(
            Location::parse("postgresql://u@h/db").ok(),
            Some(Location::Postgres("postgresql://u@h/db".into()))
        );
        assert!(Location::parse("sqlite:").is_err());
    }

    #[test]
    fn passwords_are_hidden_when_shown() {
        assert_eq!(
            hide_password("postgres://alice:s3cret@db.example/waymark"),
            "postgres://alice:***@db.example/waymark"
        );
        assert_eq!(
            hide_password("postgres://alice@db/waymark"),
            "postgres://alice@db/waymark"
        );
    }

    #[test]
    fn postgres_urls_are_split_into_server_and_database() {
        assert_eq!(
            postgres_database("postgres://u@h:5432/waymark?sslmode=disable"),
            Some(("postgres://u@h:5432", "waymark", "sslmode=disable"))
        );
        assert_eq!(postgres_database("postgres://u@h"), None);
    }
}
