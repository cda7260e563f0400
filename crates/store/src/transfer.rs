//! Backup, restore and moving a whole database between backends (SQLite file ⇄ PostgreSQL).
//!
//! Everything goes through one hand-written catalogue of the schema ([`TABLES`]), so the same
//! code copies in every direction: rows are read from one snapshot of the source, a page at a
//! time (memory stays bounded however large the database), and written to the target in one
//! transaction with their ids, so every reference stays valid and a failed copy leaves the
//! target as it was. A backup is always a Waymark SQLite file: one file that any Waymark can
//! open, whichever backend it came from.

use crate::batch::{Batch, Cell};
use crate::{Backend, Location, Result, Store, StoreError, Tx};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{Executor, Row};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// How a column's values are carried between backends: the portable types the schema uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    Int,
    Text,
    Real,
}

/// One table of the schema: its columns in declaration order (`id` first) and their kinds.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [&'static str],
    pub(crate) kinds: &'static [ColumnKind],
    /// PostgreSQL hands out its ids from an identity sequence, which must be moved past
    /// copied ids (`activities` ids are handed out by the import itself).
    identity: bool,
}

macro_rules! table {
    ($name:literal, identity = $identity:literal, [$($column:literal : $kind:ident),+ $(,)?]) => {
        Table {
            name: $name,
            columns: &[$($column),+],
            kinds: &[$(ColumnKind::$kind),+],
            identity: $identity,
        }
    };
}

/// Every table of the schema (both migrations) but [`WAITING`], parents before children, so rows can be
/// inserted in this order and deleted in reverse without breaking a foreign key. The schema
/// test checks this against both live schemas: a migration that adds a table or column must
/// add it here too.
pub(crate) static TABLES: &[Table] = &[
    table!("organisations", identity = true, [
        "id": Int, "slug": Text, "name": Text, "created_at": Text,
    ]),
    table!("documents", identity = true, [
        "id": Int, "org_id": Int, "kind": Text, "file_name": Text, "sha256": Text,
        "byte_len": Int, "title": Text, "body_json": Text, "recorded_at": Text,
    ]),
    table!("directorates", identity = true, [
        "id": Int, "org_id": Int, "name": Text, "fold_key": Text,
    ]),
    table!("portfolios", identity = true, [
        "id": Int, "org_id": Int, "name": Text, "fold_key": Text,
    ]),
    table!("themes", identity = true, [
        "id": Int, "org_id": Int, "document_id": Int, "number": Int, "title": Text,
        "summary": Text, "line": Int,
    ]),
    table!("outcomes", identity = true, [
        "id": Int, "org_id": Int, "theme_id": Int, "number": Int, "title": Text,
        "narrative_json": Text, "line": Int,
    ]),
    table!("principles", identity = true, [
        "id": Int, "org_id": Int, "document_id": Int, "position": Int, "title": Text,
        "explanation_json": Text,
    ]),
    table!("plan_values", identity = true, [
        "id": Int, "org_id": Int, "document_id": Int, "position": Int, "title": Text,
    ]),
    table!("strategies", identity = true, [
        "id": Int, "org_id": Int, "document_id": Int, "title": Text, "paragraphs_json": Text,
    ]),
    table!("plan_revisions", identity = true, [
        "id": Int, "org_id": Int, "document_id": Int, "title": Text, "last_updated": Text,
        "recorded_at": Text,
    ]),
    table!("activities", identity = false, [
        "id": Int, "org_id": Int, "reference": Text, "origin": Text, "merged_into": Int,
        "recorded_at": Text,
    ]),
    table!("activity_versions", identity = true, [
        "id": Int, "org_id": Int, "activity_id": Int, "revision_id": Int, "document_id": Int,
        "line": Int, "title": Text, "directorate_id": Int, "portfolios_json": Text,
        "due_json": Text, "due_deadline": Text, "status_note": Text, "removed": Int,
        "recorded_at": Text,
    ]),
    table!("activity_names", identity = true, [
        "id": Int, "org_id": Int, "activity_id": Int, "title": Text, "document_id": Int,
        "recorded_at": Text,
    ]),
    table!("plan_changes", identity = true, [
        "id": Int, "org_id": Int, "revision_id": Int, "activity_id": Int, "change": Text,
        "detail": Text, "recorded_at": Text,
    ]),
    // The staff site: people, sessions, the audit trail and the return workflow.
    table!("users", identity = true, [
        "id": Int, "org_id": Int, "email": Text, "name": Text, "role": Text,
        "directorate_id": Int, "password_hash": Text, "oidc_subject": Text, "active": Int,
        "created_at": Text, "updated_at": Text,
    ]),
    table!("setup_tokens", identity = true, [
        "id": Int, "org_id": Int, "user_id": Int, "token_hash": Text, "created_at": Text,
        "expires_at": Text, "used_at": Text,
    ]),
    table!("sessions", identity = true, [
        "id": Int, "org_id": Int, "user_id": Int, "token_hash": Text, "csrf_token": Text,
        "created_at": Text, "last_seen_at": Text, "expires_at": Text, "ended_at": Text,
        "end_reason": Text,
    ]),
    table!("login_attempts", identity = true, [
        "id": Int, "kind": Text, "email": Text, "client": Text, "minute": Text,
        "failures": Int, "last_at": Text,
    ]),
    table!("audit_events", identity = true, [
        "id": Int, "seq": Int, "org_id": Int, "at": Text, "actor_id": Int, "actor": Text,
        "action": Text, "subject": Text, "before_json": Text, "after_json": Text,
        "prev_hash": Text, "hash": Text, "row_ref": Text, "row_hash": Text, "mac": Text,
    ]),
    table!("cycles", identity = true, [
        "id": Int, "org_id": Int, "period": Text, "state": Text, "deadline": Text,
        "revision": Int, "opened_at": Text, "changed_at": Text, "published_at": Text,
    ]),
    table!("assignments", identity = true, [
        "id": Int, "org_id": Int, "cycle_id": Int, "activity_id": Int, "owner_id": Int,
        "assigned_at": Text,
    ]),
    table!("staff_returns", identity = true, [
        "id": Int, "org_id": Int, "cycle_id": Int, "activity_id": Int, "state": Text,
        "revision": Int, "published_revision": Int, "updated_at": Text,
    ]),
    table!("return_versions", identity = true, [
        "id": Int, "org_id": Int, "return_id": Int, "revision": Int, "action": Text,
        "state": Text, "status": Text, "commentary": Text, "corrective_action": Text,
        "reason": Text, "evidence_json": Text, "review_comment": Text, "actor_id": Int,
        "author_id": Int, "at": Text,
    ]),
    table!("reminders_sent", identity = true, [
        "id": Int, "org_id": Int, "user_id": Int, "cycle_id": Int, "kind": Text,
        "sent_on": Text, "items": Int, "at": Text,
    ]),
    table!("updates", identity = true, [
        "id": Int, "org_id": Int, "activity_id": Int, "period": Text, "reference": Text,
        "title": Text, "directorate_id": Int, "status": Text, "status_label": Text,
        "note": Text, "review_state": Text, "document_id": Int, "line": Int, "position": Int,
        "recorded_at": Text, "corrective_action": Text, "reason": Text, "evidence_json": Text,
        "return_version_id": Int, "extras_json": Text, "place": Text,
    ]),
    table!("links", identity = true, [
        "id": Int, "org_id": Int, "document_id": Int, "period": Text, "reference": Text,
        "report_title": Text, "report_directorate": Text, "line": Int, "activity_id": Int,
        "plan_title": Text, "plan_directorate": Text, "score": Real, "decision": Text,
        "decided_at": Text, "recorded_at": Text,
    ]),
    table!("claims", identity = true, [
        "id": Int, "org_id": Int, "document_id": Int, "period": Text, "line": Int,
        "text": Text, "claim_json": Text, "recorded_at": Text,
    ]),
    table!("indicators", identity = true, [
        "id": Int, "org_id": Int, "reference": Text, "name": Text, "frequency": Text,
        "section": Text, "recorded_at": Text, "retired_at": Text,
    ]),
    table!("indicator_settings", identity = true, [
        "id": Int, "org_id": Int, "indicator_id": Int, "polarity": Text, "target": Real,
        "rules_json": Text, "owner_id": Int, "actor_id": Int, "recorded_at": Text,
    ]),
    table!("indicator_entries", identity = true, [
        "id": Int, "org_id": Int, "indicator_id": Int, "cycle_id": Int, "revision": Int,
        "text": Text, "value": Real, "unit": Text, "computed_rag": Text, "override_rag": Text,
        "override_reason": Text, "direction": Text, "note": Text, "author_id": Int,
        "recorded_at": Text,
    ]),
    table!("indicator_values", identity = true, [
        "id": Int, "org_id": Int, "indicator_id": Int, "year": Int, "text": Text,
        "value": Real, "unit": Text, "rag": Text, "direction": Text, "document_id": Int,
        "line": Int, "recorded_at": Text, "period": Text, "entry_id": Int, "label": Text,
        "target": Text, "rag_label": Text, "polarity": Text, "extras_json": Text, "place": Text,
    ]),
    table!("settings", identity = true, [
        "id": Int, "org_id": Int, "key": Text, "value_json": Text, "recorded_at": Text,
    ]),
    table!("activity_outcomes", identity = true, [
        "id": Int, "org_id": Int, "activity_id": Int, "outcomes_json": Text,
        "recorded_at": Text,
    ]),
    table!("settled_findings", identity = true, [
        "id": Int, "org_id": Int, "period": Text, "code": Text, "subject": Text, "note": Text,
        "settled_by": Text, "recorded_at": Text,
    ]),
    table!("outcome_suggestions", identity = true, [
        "id": Int, "org_id": Int, "activity_id": Int, "outcome": Int, "score": Real,
        "ranking": Int, "state": Text, "decided_by": Text, "recorded_at": Text,
    ]),
    // Derived from the returns, but kept in the same transactions as them, so a snapshot's
    // summaries agree with its returns and are copied as they are.
    table!("period_summaries", identity = true, [
        "id": Int, "org_id": Int, "period": Text, "total": Int, "counts_json": Text,
        "refreshed_at": Text,
    ]),
    // Copied as they are: a server watching the target sees the versions change.
    table!("data_versions", identity = true, [
        "id": Int, "org_id": Int, "version": Int, "changed_at": Text,
    ]),
];

/// What waits between two requests (an upload until it is confirmed, a single sign-on until
/// the person is sent back): not the council's data, and gone within the hour, so neither
/// copied, dumped nor counted. A copy that replaces a database empties these first (they
/// refer to its councils and people). In the catalogue, so the schema test checks them too.
pub(crate) static WAITING: &[Table] = &[
    table!("pending_uploads", identity = true, [
        "id": Int, "org_id": Int, "user_id": Int, "token_hash": Text, "file_name": Text,
        "content": Text, "mapping": Text, "shape": Text, "remembered": Int, "created_at": Text,
        "expires_at": Text,
    ]),
    table!("sso_states", identity = true, [
        "id": Int, "state_hash": Text, "nonce": Text, "verifier": Text, "created_at": Text,
        "expires_at": Text,
    ]),
];

/// The schema as the store knows it: each table (parents first) with its columns and kinds.
/// The schema test compares it with what each backend's migrations actually create.
pub fn catalogue() -> Vec<(&'static str, Vec<(&'static str, ColumnKind)>)> {
    TABLES
        .iter()
        .chain(WAITING)
        .map(|t| {
            let columns = t.columns.iter().copied().zip(t.kinds.iter().copied());
            (t.name, columns.collect())
        })
        .collect()
}

/// Rows read per query: a page of the largest table stays a few megabytes.
const PAGE_ROWS: i64 = 5_000;

/// One stored value, in a form both backends give back identically.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Real(f64),
}

/// Every row of every table, in catalogue order and by id: two databases hold the same data
/// exactly when their dumps are equal.
pub type Dump = Vec<(&'static str, Vec<Vec<Value>>)>;

/// How many rows a copy, backup or restore wrote, per table in catalogue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySummary {
    pub tables: Vec<(&'static str, u64)>,
}

impl CopySummary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }

    pub fn councils(&self) -> u64 {
        self.count("organisations")
    }

    pub fn count(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}

/// A catalogue column's value, read by its name (the reads select the catalogue's columns).
pub(crate) fn read_value(row: &AnyRow, column: &str, kind: ColumnKind) -> Result<Value> {
    Ok(match kind {
        ColumnKind::Int => row
            .try_get::<Option<i64>, _>(column)?
            .map_or(Value::Null, Value::Int),
        ColumnKind::Text => row
            .try_get::<Option<String>, _>(column)?
            .map_or(Value::Null, Value::Text),
        ColumnKind::Real => row
            .try_get::<Option<f64>, _>(column)?
            .map_or(Value::Null, Value::Real),
    })
}

fn to_cell(value: Value, kind: ColumnKind) -> Cell {
    match (value, kind) {
        (Value::Int(v), _) => Cell::Int(Some(v)),
        (Value::Text(v), _) => Cell::Text(Some(v)),
        (Value::Real(v), _) => Cell::Real(Some(v)),
        (Value::Null, ColumnKind::Int) => Cell::Int(None),
        (Value::Null, ColumnKind::Text) => Cell::Text(None),
        (Value::Null, ColumnKind::Real) => Cell::Real(None),
    }
}

/// The next page of a table after id `after`, in id order.
async fn read_page(tx: &mut Tx, table: &Table, after: i64) -> Result<Vec<Vec<Value>>> {
    // Table and column names come from the catalogue, never from input.
    let sql = format!(
        "SELECT {} FROM {} WHERE id > $1 ORDER BY id LIMIT {PAGE_ROWS}",
        table.columns.join(", "),
        table.name
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| {
            table
                .columns
                .iter()
                .zip(table.kinds)
                .map(|(column, kind)| read_value(row, column, *kind))
                .collect()
        })
        .collect()
}

/// The id of a page's last row, where the next page starts.
fn last_id(page: &[Vec<Value>]) -> Result<Option<i64>> {
    match page.last().and_then(|row| row.first()) {
        None => Ok(None),
        Some(Value::Int(id)) => Ok(Some(*id)),
        Some(other) => Err(crate::corrupt(format!("a row has the id {other:?}"))),
    }
}

/// Removes a half-written backup (and SQLite's side files) unless the backup finished.
struct PartialFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
}

/// Where to write a backup before it is complete: next to `out`, so the final rename stays on
/// one file system, and unique, so two backups never share it.
fn partial_name(out: &Path) -> Result<PathBuf> {
    let name = out
        .file_name()
        .ok_or_else(|| StoreError::Usage(format!("'{}' is not a file name", out.display())))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let mut partial = std::ffi::OsString::from(".");
    partial.push(name);
    partial.push(format!(".partial-{}-{nanos}", std::process::id()));
    Ok(out.with_file_name(partial))
}

fn path_text(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| {
        StoreError::Usage(format!(
            "'{}': only paths that are valid UTF-8 are supported",
            path.display()
        ))
    })
}

impl Store {
    /// A read-only transaction that sees one instant of the database however long it is held,
    /// while writers carry on: SQLite's read transaction (WAL keeps its snapshot), PostgreSQL's
    /// REPEATABLE READ.
    pub(crate) async fn begin_snapshot(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?
            }
        })
    }

    /// Copy every row of this database into `target` (another backend or the same one), ids
    /// and all. The target must hold no council, unless `replace` is set: then its rows are
    /// deleted first, in the same transaction, so it ends as an exact copy or as it was.
    pub async fn copy_to(&self, target: &Store, replace: bool) -> Result<CopySummary> {
        let ours = self.migrations().await?;
        let theirs = target.migrations().await?;
        let versions = |m: &[(i64, String)]| m.iter().map(|(v, _)| *v).collect::<Vec<_>>();
        if versions(&ours) != versions(&theirs) {
            let newest = |m: &[(i64, String)]| m.last().map_or(0, |(v, _)| *v);
            return Err(StoreError::Usage(format!(
                "the two databases have different schema versions ({} and {}); open both with \
                 the same version of Waymark first",
                newest(&ours),
                newest(&theirs)
            )));
        }

        let mut source = self.begin_snapshot().await?;
        let mut tx = target.begin_write().await?;
        let councils: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
            .fetch_one(&mut *tx)
            .await?;
        if councils > 0 && !replace {
            return Err(StoreError::Usage(format!(
                "the target database already holds {councils} council(s); nothing was copied \
                 (replace its contents with --replace)"
            )));
        }
        if replace {
            // Replacing a whole database replaces its audit trail with the copy's: the trigger
            // that refuses deleting events is lifted for this transaction only.
            let (lift, restore) = match target.backend {
                Backend::Sqlite => (
                    "DROP TRIGGER audit_events_no_delete",
                    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
                ),
                Backend::Postgres => (
                    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_delete",
                    "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_delete",
                ),
            };
            sqlx::query(lift).execute(&mut *tx).await?;
            for table in WAITING.iter().chain(TABLES.iter().rev()) {
                // Names come from the catalogue, never from input.
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", table.name)))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(restore).execute(&mut *tx).await?;
        }

        let mut summary = CopySummary { tables: vec![] };
        // Set after every activity is in: a merge can point to an activity with a higher id.
        let mut merges: Vec<(i64, i64)> = vec![];
        for table in TABLES {
            let merged_column = match table.name {
                "activities" => table.columns.iter().position(|c| *c == "merged_into"),
                _ => None,
            };
            let mut copied = 0u64;
            let mut after = i64::MIN;
            loop {
                let page = read_page(&mut source, table, after).await?;
                let Some(last) = last_id(&page)? else { break };
                after = last;
                copied += page.len() as u64;
                let mut batch = Batch::new(table.name, table.columns);
                for mut row in page {
                    if let Some(i) = merged_column
                        && let (Some(Value::Int(id)), Some(Value::Int(into))) =
                            (row.first(), row.get(i))
                    {
                        merges.push((*id, *into));
                        row[i] = Value::Null;
                    }
                    let cells = row
                        .into_iter()
                        .zip(table.kinds)
                        .map(|(value, kind)| to_cell(value, *kind))
                        .collect();
                    batch.push(cells);
                }
                batch.write(&mut tx).await?;
            }
            summary.tables.push((table.name, copied));
        }
        // Everything is read: let go of the snapshot before the target's slower work.
        source.rollback().await?;
        for (id, into) in merges {
            sqlx::query("UPDATE activities SET merged_into = $1 WHERE id = $2")
                .bind(into)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if target.backend == Backend::Postgres {
            for table in TABLES.iter().filter(|t| t.identity) {
                // The next id handed out follows the largest copied one (1 for an empty table).
                // setval's result is cast so the portable driver can carry it.
                let sql = format!(
                    "SELECT CAST(setval(pg_get_serial_sequence('{0}', 'id'), \
                     COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) AS BIGINT) FROM {0}",
                    table.name
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        target.commit(tx).await?;
        Ok(summary)
    }

    /// Every row of every table, by id, read from one snapshot: used to prove that two
    /// databases (on any backends) hold identical data.
    pub async fn dump(&self) -> Result<Dump> {
        let mut source = self.begin_snapshot().await?;
        let mut out = vec![];
        for table in TABLES {
            let mut rows = vec![];
            let mut after = i64::MIN;
            loop {
                let page = read_page(&mut source, table, after).await?;
                let Some(last) = last_id(&page)? else { break };
                after = last;
                rows.extend(page);
            }
            out.push((table.name, rows));
        }
        source.rollback().await?;
        Ok(out)
    }

    /// Back the database up to a new Waymark SQLite file at `out`, consistent as of one
    /// instant even while others write. The file appears only once complete: it is written
    /// under a temporary name next to `out` and renamed, so a failed backup leaves nothing.
    pub async fn backup(&self, out: &Path) -> Result<CopySummary> {
        let shown = out.display();
        if out.exists() {
            return Err(StoreError::Usage(format!(
                "'{shown}' already exists; a backup never overwrites a file, choose a new name"
            )));
        }
        let folder = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !folder.is_dir() {
            return Err(StoreError::Usage(format!(
                "cannot write '{shown}': the folder '{}' does not exist",
                folder.display()
            )));
        }
        let mut partial = PartialFile {
            path: partial_name(out)?,
            keep: false,
        };
        let partial_text = path_text(&partial.path)?.to_string();
        let summary = match self.backend {
            Backend::Sqlite => {
                // SQLite's own online backup: one read transaction, so one instant, while
                // writers carry on. The path is bound, never spliced into the SQL.
                sqlx::query("VACUUM INTO $1")
                    .bind(&partial_text)
                    .execute(&self.pool)
                    .await?;
                // What waits between requests (uploaded files among it) is not kept in a
                // backup; secure_delete overwrites it rather than leaving it in free pages.
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!(
                    "sqlite:{partial_text}?mode=rw"
                ))
                .await?;
                // No journal file either: it would hold the deleted pages, unerased.
                conn.execute("PRAGMA secure_delete = ON; PRAGMA journal_mode = MEMORY")
                    .await?;
                for table in WAITING {
                    // Names come from the catalogue, never from input.
                    conn.execute(sqlx::AssertSqlSafe(format!("DELETE FROM {}", table.name)))
                        .await?;
                }
                <sqlx::AnyConnection as sqlx::Connection>::close(conn).await?;
                // Counted on a plain connection: opening a store would change the file's
                // journal mode.
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!(
                    "sqlite:{partial_text}?mode=ro"
                ))
                .await?;
                let counts = count_rows(&mut conn).await;
                <sqlx::AnyConnection as sqlx::Connection>::close(conn).await?;
                counts?
            }
            Backend::Postgres => {
                let copy = Store::open(&partial_text).await?;
                let copied = self.copy_to(&copy, false).await;
                copy.close().await;
                let copied = copied?;
                // A rollback journal, as VACUUM INTO leaves it: the backup is one self-contained
                // file that can be read from read-only media. One connection may switch.
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!(
                    "sqlite:{partial_text}?mode=rw"
                ))
                .await?;
                conn.execute("PRAGMA journal_mode = DELETE").await?;
                <sqlx::AnyConnection as sqlx::Connection>::close(conn).await?;
                copied
            }
        };
        // A hard link never replaces a file that appeared meanwhile; where links are not
        // supported, fall back to a rename.
        match std::fs::hard_link(&partial.path, out) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::Usage(format!(
                    "'{shown}' appeared while the backup was written; nothing was replaced"
                )));
            }
            Err(_) => {
                std::fs::rename(&partial.path, out)
                    .map_err(|e| StoreError::Usage(format!("cannot write '{shown}': {e}")))?;
                partial.keep = true;
            }
        }
        Ok(summary)
    }

    /// Open a backup file to read from, refusing anything that is not a Waymark database made
    /// with this schema. It is opened read-only, without migrations: a restore never changes
    /// the backup, and works from read-only media.
    pub async fn open_backup(backup: &Path) -> Result<Store> {
        let shown = backup.display();
        if !backup.is_file() {
            return Err(StoreError::Usage(format!(
                "'{shown}' does not exist or is not a file"
            )));
        }
        let not_waymark =
            || StoreError::Usage(format!("'{shown}' is not a Waymark database backup"));
        let mut header = [0u8; 16];
        let mut file = std::fs::File::open(backup)
            .map_err(|e| StoreError::Usage(format!("cannot read '{shown}': {e}")))?;
        // SQLite's file header: anything else is refused before a database driver sees it.
        if std::io::Read::read_exact(&mut file, &mut header).is_err()
            || &header != b"SQLite format 3\0"
        {
            return Err(not_waymark());
        }
        let path = path_text(backup)?;
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(&format!("sqlite:{path}?mode=ro"))
            .map_err(|_| not_waymark())?;
        let pool = AnyPoolOptions::new()
            .max_connections(2)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;")
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|_| not_waymark())?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'organisations')",
        )
        .fetch_all(&pool)
        .await
        .map_err(|_| not_waymark())?;
        if tables.len() != 2 {
            pool.close().await;
            return Err(not_waymark());
        }
        let applied = sqlx::query(
            "SELECT version, checksum FROM _sqlx_migrations WHERE success = 1 ORDER BY version",
        )
        .fetch_all(&pool)
        .await
        .map_err(|_| not_waymark())?;
        let mut versions = vec![];
        for row in &applied {
            let version: i64 = row.try_get("version")?;
            let checksum: Vec<u8> = row.try_get("checksum")?;
            versions.push((version, checksum));
        }
        // The same migrations, byte for byte (as sqlx itself would insist on opening it).
        let ours: Vec<(i64, Vec<u8>)> = crate::SQLITE_MIGRATIONS
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| (m.version, m.checksum.to_vec()))
            .collect();
        if versions != ours {
            pool.close().await;
            return Err(StoreError::Usage(format!(
                "'{shown}' was made by a Waymark with other database migrations (its newest is \
                 {}, this one's is {}) and cannot be restored by this version",
                versions.last().map_or(0, |(v, _)| *v),
                ours.last().map_or(0, |(v, _)| *v)
            )));
        }
        Ok(Store::on(
            pool,
            Backend::Sqlite,
            Location::Sqlite(path.to_string()),
        ))
    }

    /// Restore a backup made by [`Store::backup`] into this database (see [`Store::copy_to`]
    /// for what `replace` does).
    pub async fn restore_from(&self, backup: &Path, replace: bool) -> Result<CopySummary> {
        let source = Store::open_backup(backup).await?;
        let copied = source.copy_to(self, replace).await;
        source.close().await;
        copied
    }
}

/// Rows per catalogue table.
async fn count_rows(conn: &mut sqlx::AnyConnection) -> Result<CopySummary> {
    let mut tables = vec![];
    for table in TABLES {
        // Names come from the catalogue, never from input.
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            table.name
        )))
        .fetch_one(&mut *conn)
        .await?;
        tables.push((table.name, u64::try_from(n).unwrap_or(0)));
    }
    Ok(CopySummary { tables })
}
