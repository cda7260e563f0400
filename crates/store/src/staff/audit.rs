//! The audit trail: every change recorded append-only with who made it, when, and what it was
//! before and after, in one hash chain. Each event's hash covers its own content, the row it
//! records (if any) and the previous event's hash, so changing, removing or inserting an event
//! anywhere but the end breaks the chain, and `verify_audit` names the first event that no
//! longer fits.
//!
//! A chain alone does not stop someone who can write to the database: they can change an
//! event and recompute every later hash, or cut events off the end. So, when the store has an
//! audit key ([`Store::with_audit_key`]), each event is also sealed with an HMAC under that key
//! (see [`crate::seal`]), which the database never holds; signed checkpoints
//! ([`crate::seal::Checkpoint`]) kept elsewhere catch events cut off the end; and an event
//! that records a data row carries the row's hash ([`crate::rows`]), so a direct edit of the
//! row is found too.
//!
//! Events are appended inside the transaction of the change they describe, under the
//! database's write lock, so the chain has one order and a change is never without its event.

use crate::rows::{RowRef, row_hash};
use crate::seal::{AuditKey, Position};
use crate::{Organisation, Result, Store, Tx, corrupt, stamp};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashMap;

/// The hash the first event follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change: a signed-in person, or someone at the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub user_id: Option<i64>,
    /// How the trail names them: an e-mail address, or "command line (login name)".
    pub name: String,
}

impl Who {
    pub fn user(id: i64, email: &str) -> Who {
        Who {
            user_id: Some(id),
            name: email.to_string(),
        }
    }

    /// A change made with the `waymark` command, named by the operating-system account.
    pub fn command_line() -> Who {
        let login = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Who {
            user_id: None,
            name: format!("command line ({login})"),
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub org_id: Option<i64>,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    /// What was done, as `thing.verb` ("return.submitted", "user.created").
    pub action: String,
    /// What it was done to ("return 12", "user alice@example.gov.uk").
    pub subject: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
    /// The data row the event recorded ("return_versions:12"), if any.
    pub row_ref: Option<String>,
    /// That row's hash as the event wrote it.
    pub row_hash: Option<String>,
    /// The event's seal under the audit key (none for events written without a key).
    pub mac: Option<String>,
}

/// What `verify_audit` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    pub events: u64,
    /// The newest event's number (0 for an empty trail).
    pub head_seq: i64,
    /// The newest event's hash: recording it elsewhere lets a later check prove that nothing
    /// was cut from the end of the trail either (a signed checkpoint does this better).
    pub head: String,
    /// Empty when the trail is whole; otherwise each problem, in order.
    pub problems: Vec<String>,
    /// Events carrying a seal.
    pub sealed: u64,
    /// Events without a seal written before the first sealed one: from before the deployment
    /// had an audit key (or from a time it ran without one). Not a problem in itself.
    pub unsealed_before_sealing: u64,
    /// The first sealed event.
    pub first_sealed: Option<i64>,
    /// Whether the seals were checked (the store has an audit key); without a key only their
    /// presence is.
    pub seals_checked: bool,
    /// Data rows compared with the events that recorded them.
    pub rows_checked: u64,
    /// With a checkpoint whose event is still in place: how many events were added since.
    pub since_checkpoint: Option<i64>,
}

impl AuditCheck {
    /// Where the trail stands, for a checkpoint.
    pub fn position(&self, database: Option<String>, at: DateTime<Utc>) -> Position {
        Position {
            seq: self.head_seq,
            hash: self.head.clone(),
            events: self.events,
            sealed_from: self.first_sealed,
            taken_at: stamp(at),
            database,
        }
    }
}

/// The hash of an event: SHA-256 over a JSON array of its fields as stored, so the same
/// stored text always gives the same hash on either backend. An event that records a row has
/// the row's reference and hash at the end of the array; one that does not has the array
/// events had before rows were recorded, so older events keep their hashes.
#[allow(clippy::too_many_arguments)]
fn event_hash(
    seq: i64,
    org_id: Option<i64>,
    at: &str,
    actor_id: Option<i64>,
    actor: &str,
    action: &str,
    subject: &str,
    before: Option<&str>,
    after: Option<&str>,
    prev_hash: &str,
    row_ref: Option<&str>,
    row_hash: Option<&str>,
) -> String {
    let mut fields = vec![
        serde_json::json!(seq),
        serde_json::json!(org_id),
        serde_json::json!(at),
        serde_json::json!(actor_id),
        serde_json::json!(actor),
        serde_json::json!(action),
        serde_json::json!(subject),
        serde_json::json!(before),
        serde_json::json!(after),
        serde_json::json!(prev_hash),
    ];
    if row_ref.is_some() || row_hash.is_some() {
        fields.push(serde_json::json!(row_ref));
        fields.push(serde_json::json!(row_hash));
    }
    let digest = Sha256::digest(serde_json::Value::Array(fields).to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A change to record, appended with [`append`].
pub(crate) struct Change<'a> {
    pub org_id: Option<i64>,
    pub who: &'a Who,
    pub action: &'a str,
    pub subject: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// The data row the change wrote, already in the transaction: the event carries its hash.
    pub row: Option<RowRef>,
}

/// Append an event inside a write transaction (which holds the write lock, so the newest
/// event read here stays the newest until this one is committed), sealed with `key` when the
/// store has one ([`Store::audit_key`]).
pub(crate) async fn append(
    tx: &mut Tx,
    key: Option<&AuditKey>,
    change: Change<'_>,
    at: DateTime<Utc>,
) -> Result<()> {
    let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (
            row.try_get::<i64, _>("seq")? + 1,
            row.try_get::<String, _>("hash")?,
        ),
        None => (1, GENESIS.to_string()),
    };
    let at = stamp(at);
    let before = change.before.as_ref().map(|v| v.to_string());
    let after = change.after.as_ref().map(|v| v.to_string());
    let (row_ref, row_hash) = match &change.row {
        Some(row) => {
            let hash = row_hash(tx, row)
                .await?
                .ok_or_else(|| corrupt(format!("the row {} just written vanished", row.text())))?;
            (Some(row.text()), Some(hash))
        }
        None => (None, None),
    };
    let hash = event_hash(
        seq,
        change.org_id,
        &at,
        change.who.user_id,
        &change.who.name,
        change.action,
        &change.subject,
        before.as_deref(),
        after.as_deref(),
        &prev_hash,
        row_ref.as_deref(),
        row_hash.as_deref(),
    );
    let mac = key.map(|k| k.seal(seq, &hash, row_ref.as_deref(), row_hash.as_deref()));
    sqlx::query(
        "INSERT INTO audit_events (seq, org_id, at, actor_id, actor, action, subject, before_json,
                                   after_json, prev_hash, hash, row_ref, row_hash, mac)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(seq)
    .bind(change.org_id)
    .bind(&at)
    .bind(change.who.user_id)
    .bind(&change.who.name)
    .bind(change.action)
    .bind(&change.subject)
    .bind(before)
    .bind(after)
    .bind(&prev_hash)
    .bind(&hash)
    .bind(row_ref)
    .bind(row_hash)
    .bind(mac)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const EVENT_COLUMNS: &str = "seq, org_id, at, actor_id, actor, action, subject, before_json, \
                             after_json, prev_hash, hash, row_ref, row_hash, mac";

/// An event as stored, with its JSON still as text (hashes are over the text).
struct StoredEvent {
    seq: i64,
    org_id: Option<i64>,
    at: String,
    actor_id: Option<i64>,
    actor: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
    row_ref: Option<String>,
    row_hash: Option<String>,
    mac: Option<String>,
}

impl StoredEvent {
    fn read(r: &sqlx::any::AnyRow) -> Result<StoredEvent> {
        Ok(StoredEvent {
            seq: r.try_get("seq")?,
            org_id: r.try_get("org_id")?,
            at: r.try_get("at")?,
            actor_id: r.try_get("actor_id")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            subject: r.try_get("subject")?,
            before: r.try_get("before_json")?,
            after: r.try_get("after_json")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
            row_ref: r.try_get("row_ref")?,
            row_hash: r.try_get("row_hash")?,
            mac: r.try_get("mac")?,
        })
    }

    fn expected_hash(&self) -> String {
        event_hash(
            self.seq,
            self.org_id,
            &self.at,
            self.actor_id,
            &self.actor,
            &self.action,
            &self.subject,
            self.before.as_deref(),
            self.after.as_deref(),
            &self.prev_hash,
            self.row_ref.as_deref(),
            self.row_hash.as_deref(),
        )
    }

    /// "event 12 (return.submitted by a@example.org at …)".
    fn describe(&self) -> String {
        format!(
            "event {} ({} by {} at {})",
            self.seq, self.action, self.actor, self.at
        )
    }

    fn into_event(self) -> Result<AuditEvent> {
        let parse = |text: Option<String>| {
            text.map(|t| serde_json::from_str(&t).map_err(corrupt))
                .transpose()
        };
        Ok(AuditEvent {
            seq: self.seq,
            org_id: self.org_id,
            at: self.at,
            actor_id: self.actor_id,
            actor: self.actor,
            action: self.action,
            subject: self.subject,
            before: parse(self.before)?,
            after: parse(self.after)?,
            prev_hash: self.prev_hash,
            hash: self.hash,
            row_ref: self.row_ref,
            row_hash: self.row_hash,
            mac: self.mac,
        })
    }
}

/// Events read per query when walking the whole trail.
const PAGE: i64 = 5_000;

impl Store {
    /// One council's events, newest first, `limit` at most, older than `before_seq` when given
    /// (to page back through the trail).
    pub async fn audit_events(
        &self,
        org: &Organisation,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE org_id = $1 AND seq < $2
             ORDER BY seq DESC LIMIT $3"
        )))
        .bind(org.id)
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| StoredEvent::read(r)?.into_event())
            .collect()
    }

    /// Every event of one council (or all councils), oldest first: for export.
    pub async fn audit_export(&self, org: Option<&Organisation>) -> Result<Vec<AuditEvent>> {
        let mut out = vec![];
        let mut after = 0;
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events
                 WHERE seq > $1 AND ($2 = 0 OR org_id = $2) ORDER BY seq LIMIT $3"
            )))
            .bind(after)
            .bind(org.map(|o| o.id).unwrap_or(0))
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("seq")?;
            for r in &rows {
                out.push(StoredEvent::read(r)?.into_event()?);
            }
        }
        Ok(out)
    }

    /// Walk the whole trail and report every place it does not hold (see
    /// [`Store::verify_audit_against`]), without a checkpoint.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        self.verify_audit_against(None).await
    }

    /// Walk the whole trail, in one snapshot, and report every place it does not hold:
    /// - an event whose content no longer matches its hash (changed after it was written), an
    ///   event that does not follow the one before it (one removed or inserted), a gap in the
    ///   numbering;
    /// - with the audit key, a seal that does not match (an event changed and its hashes
    ///   recomputed, or one forged); with or without it, an event without a seal after
    ///   sealing began (or, by the checkpoint, from where it began);
    /// - a recorded row that was changed or removed since the newest event that recorded it;
    /// - with a signed checkpoint (its signature checked by the caller): the checkpoint's
    ///   event missing or with another hash (something up to it changed), or a trail shorter
    ///   than it (events cut off the end). Events added since are normal.
    pub async fn verify_audit_against(&self, checkpoint: Option<&Position>) -> Result<AuditCheck> {
        let key = self.audit_key();
        let mut tx = self.begin_snapshot().await?;
        let mut problems = Problems::default();
        let mut events = 0u64;
        let mut prev_seq = 0i64;
        let mut prev_hash = GENESIS.to_string();
        let (mut sealed, mut good_seals, mut unsealed_before_sealing) = (0u64, 0u64, 0u64);
        let mut first_sealed = None;
        let mut checkpoint_found = false;
        // The newest event naming each row: (its seq, the row, the hash it recorded).
        let mut rows: HashMap<String, (i64, RowRef, String)> = HashMap::new();
        let required_from = checkpoint.and_then(|c| c.sealed_from);
        loop {
            let rows_page = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
            )))
            .bind(prev_seq)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await?;
            if rows_page.is_empty() {
                break;
            }
            for r in &rows_page {
                let event = StoredEvent::read(r)?;
                events += 1;
                if event.seq != prev_seq + 1 {
                    problems.push(if event.seq == prev_seq + 2 {
                        format!("event {} is missing", prev_seq + 1)
                    } else {
                        format!("events {} to {} are missing", prev_seq + 1, event.seq - 1)
                    });
                }
                if event.prev_hash != prev_hash {
                    problems.push(format!(
                        "event {} does not follow the event before it (an event before it was changed, removed or inserted)",
                        event.seq
                    ));
                }
                if event.expected_hash() != event.hash {
                    problems.push(format!(
                        "{} was changed after it was recorded",
                        event.describe()
                    ));
                }
                match &event.mac {
                    Some(mac) => {
                        sealed += 1;
                        first_sealed.get_or_insert(event.seq);
                        if let Some(key) = key {
                            if key.check(
                                event.seq,
                                &event.hash,
                                event.row_ref.as_deref(),
                                event.row_hash.as_deref(),
                                mac,
                            ) {
                                good_seals += 1;
                            } else {
                                problems.push(format!(
                                    "{} has a seal that does not match it: it was changed, or written by someone without the audit key",
                                    event.describe()
                                ));
                            }
                        }
                    }
                    None => {
                        if first_sealed.is_some() || required_from.is_some_and(|s| event.seq >= s) {
                            problems.push(format!(
                                "{} has no seal, though sealing began at event {}: it was inserted, or its seal removed",
                                event.describe(),
                                first_sealed.or(required_from).unwrap_or_default()
                            ));
                        } else {
                            unsealed_before_sealing += 1;
                        }
                    }
                }
                match (&event.row_ref, &event.row_hash) {
                    (None, None) => {}
                    (Some(text), Some(hash)) => match RowRef::parse(text) {
                        Some(row) => {
                            rows.insert(text.clone(), (event.seq, row, hash.clone()));
                        }
                        None => problems.push(format!(
                            "{} names a row Waymark does not record ('{text}')",
                            event.describe()
                        )),
                    },
                    _ => problems.push(format!(
                        "{} has a row reference without a row hash, or a hash without a reference",
                        event.describe()
                    )),
                }
                if let Some(c) = checkpoint
                    && event.seq == c.seq
                {
                    checkpoint_found = true;
                    if !event.hash.eq_ignore_ascii_case(c.hash.trim()) {
                        problems.push(format!(
                            "event {} has the hash {}, but the checkpoint taken {} recorded {}: the trail up to it was changed or replaced",
                            event.seq, event.hash, c.taken_at, c.hash
                        ));
                    }
                }
                prev_seq = event.seq;
                prev_hash = event.hash;
            }
        }
        if key.is_some() && sealed > 0 && good_seals == 0 {
            problems.first(format!(
                "none of the {sealed} sealed events matches the audit key: is this the key the trail was sealed with?"
            ));
        }
        let mut since_checkpoint = None;
        if let Some(c) = checkpoint {
            if c.seq > 0 && !checkpoint_found {
                problems.push(if prev_seq < c.seq {
                    format!(
                        "the trail ends at event {prev_seq}, but the checkpoint taken {} recorded event {}: events were removed from the end, or the trail was replaced",
                        c.taken_at, c.seq
                    )
                } else {
                    format!(
                        "event {}, which the checkpoint taken {} recorded, is missing",
                        c.seq, c.taken_at
                    )
                });
            } else if c.seq == 0 && !c.hash.eq_ignore_ascii_case(GENESIS) {
                problems.push("the checkpoint records an empty trail with a hash other than the start of every chain".into());
            }
            if events < c.events {
                problems.push(format!(
                    "the trail holds {events} events, fewer than the {} the checkpoint taken {} recorded: events were removed",
                    c.events, c.taken_at
                ));
            }
            if problems.is_empty() {
                since_checkpoint = Some(prev_seq - c.seq);
            }
        }
        let mut recorded: Vec<_> = rows.into_values().collect();
        recorded.sort_by_key(|(seq, _, _)| *seq);
        let rows_checked = recorded.len() as u64;
        for (seq, row, hash) in recorded {
            match row_hash(&mut tx, &row).await? {
                None => problems.push(format!(
                    "{} row {}, recorded by event {seq}, is gone",
                    row.table, row.id
                )),
                Some(now) if now != hash => problems.push(format!(
                    "{} row {} was changed after event {seq} recorded it (directly in the database: every change through Waymark is recorded)",
                    row.table, row.id
                )),
                Some(_) => {}
            }
        }
        tx.rollback().await?;
        Ok(AuditCheck {
            events,
            head_seq: prev_seq,
            head: prev_hash,
            problems: problems.into_list(),
            sealed,
            unsealed_before_sealing,
            first_sealed,
            seals_checked: key.is_some(),
            rows_checked,
            since_checkpoint,
        })
    }
}

/// Problems listed in full up to this many; past it only counted (a wrong key, or a trail
/// replaced wholesale, would otherwise list every event).
const MAX_LISTED: usize = 1_000;

#[derive(Default)]
struct Problems {
    listed: Vec<String>,
    more: u64,
}

impl Problems {
    fn push(&mut self, problem: String) {
        if self.listed.len() < MAX_LISTED {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }

    /// A problem that explains the others, listed first.
    fn first(&mut self, problem: String) {
        self.listed.insert(0, problem);
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    fn into_list(mut self) -> Vec<String> {
        if self.more > 0 {
            self.listed
                .push(format!("… and {} more problems not listed", self.more));
        }
        self.listed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_cover_every_field() {
        let base = || {
            event_hash(
                1,
                Some(2),
                "2026-01-01T00:00:00.000000Z",
                Some(3),
                "a@example.org",
                "user.created",
                "user a@example.org",
                None,
                Some("{}"),
                GENESIS,
                None,
                None,
            )
        };
        let original = base();
        assert_eq!(original, base(), "deterministic");
        assert_eq!(original.len(), 64);
        let changed = [
            event_hash(
                2,
                Some(2),
                "2026-01-01T00:00:00.000000Z",
                Some(3),
                "a@example.org",
                "user.created",
                "user a@example.org",
                None,
                Some("{}"),
                GENESIS,
                None,
                None,
            ),
            event_hash(
                1,
                None,
                "2026-01-01T00:00:00.000000Z",
                Some(3),
                "a@example.org",
                "user.created",
                "user a@example.org",
                None,
                Some("{}"),
                GENESIS,
                None,
                None,
            ),
            event_hash(
                1,
                Some(2),
                "2026-01-01T00:00:00.000000Z",
                Some(3),
                "a@example.org",
                "user.created",
                "user a@example.org",
                Some("{}"),
                None,
                GENESIS,
                None,
                None,
            ),
        ];
        for other in changed {
            assert_ne!(original, other);
        }
    }

    #[test]
    fn events_without_a_row_keep_the_hash_they_always_had() {
        // The formula before rows were recorded: the ten fields alone.
        let old = serde_json::json!([
            1,
            Some(2),
            "2026-01-01T00:00:00.000000Z",
            Some(3),
            "a@example.org",
            "user.created",
            "user a@example.org",
            None::<&str>,
            Some("{}"),
            GENESIS
        ]);
        let old: String = Sha256::digest(old.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let hash = |row_ref: Option<&str>, row_hash: Option<&str>| {
            event_hash(
                1,
                Some(2),
                "2026-01-01T00:00:00.000000Z",
                Some(3),
                "a@example.org",
                "user.created",
                "user a@example.org",
                None,
                Some("{}"),
                GENESIS,
                row_ref,
                row_hash,
            )
        };
        assert_eq!(hash(None, None), old);
        let with_row = hash(Some("users:3"), Some("abc"));
        assert_ne!(with_row, old);
        assert_ne!(with_row, hash(Some("users:4"), Some("abc")));
        assert_ne!(with_row, hash(Some("users:3"), Some("abd")));
        assert_ne!(with_row, hash(Some("users:3"), None));
    }
}
