//! Waymark's store. One interface for the rest of the system; SQLite today, PostgreSQL next.
//!
//! All SQL uses `$n` placeholders and portable types (TEXT timestamps in RFC 3339 UTC, which
//! sort as text) so the same statements can run on both backends. Writes happen in one
//! transaction per command: a failure leaves the database as it was.

mod batch;
mod decide;
mod ingest;
mod outcomes;
mod overview;
mod read;
mod settings;
pub use overview::{
    IndicatorValueView, OutcomeView, PlanOverview, PrincipleView, StrategyView, ThemeView,
};
pub use read::{PlanChange, StoredClaim};

pub use decide::LinkDecision;
pub use ingest::{ImportOutcome, Incoming};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
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
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Stored data that cannot be read back as written.
pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// A council whose data the store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// The store, open on one database.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Timestamps are stored as RFC 3339 UTC text with fixed width, so text order is time order.
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The first instant after a date: "as of 2025-03-31" includes everything recorded that day.
pub(crate) fn as_of_bound(as_of: Option<NaiveDate>) -> String {
    match as_of.and_then(|d| d.succ_opt()) {
        Some(next) => format!("{}T00:00:00.000000Z", next.format("%Y-%m-%d")),
        None => "9999-12-31T23:59:59.999999Z".to_string(),
    }
}

impl Store {
    /// Open (creating if needed) the database at `location`: a file path or a `sqlite:` URL.
    pub async fn open(location: &str) -> Result<Store> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Err(StoreError::Usage(
                "PostgreSQL is not supported by this version of the store yet; use a SQLite file path".into(),
            ));
        }
        let path = location
            .strip_prefix("sqlite://")
            .or_else(|| location.strip_prefix("sqlite:"))
            .unwrap_or(location);
        if path.is_empty() {
            return Err(StoreError::Usage("the database path is empty".into()));
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before it is acknowledged, even in WAL mode.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // A path that cannot be opened, or a file that is not a database, is the user's to fix.
        let unusable = |e: &dyn std::fmt::Display| {
            StoreError::Usage(format!("cannot use '{path}' as a Waymark database: {e}"))
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| unusable(&e))?;
        SQLITE_MIGRATIONS.run(&pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(db)) => unusable(&db),
            other => StoreError::Migration(other),
        })?;
        Ok(Store { pool })
    }

    /// A write transaction that takes SQLite's write lock at once (BEGIN IMMEDIATE), so two
    /// writers wait for each other (busy timeout) instead of one failing when it first writes.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The migrations applied, newest last, as (version, description).
    pub async fn migrations(&self) -> Result<Vec<(i64, String)>> {
        let rows =
            sqlx::query("SELECT version, description FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let rows = sqlx::query("SELECT id, slug, name FROM organisations ORDER BY slug")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Organisation {
                    id: r.try_get(0)?,
                    slug: r.try_get(1)?,
                    name: r.try_get(2)?,
                })
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
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(slug)
        .bind(name)
        .bind(stamp(Utc::now()))
        .fetch_one(&self.pool)
        .await?;
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
        for table in [
            "organisations",
            "documents",
            "directorates",
            "portfolios",
            "themes",
            "outcomes",
            "principles",
            "plan_values",
            "strategies",
            "plan_revisions",
            "activities",
            "activity_versions",
            "activity_names",
            "plan_changes",
            "updates",
            "links",
            "claims",
            "indicators",
            "indicator_values",
            "settings",
        ] {
            let n: i64 =
            // Table names come from the fixed list above, never from input.
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&self.pool)
                .await?;
            out.push((table.to_string(), n));
        }
        Ok(out)
    }
}
