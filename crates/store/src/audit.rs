//! The audit trail: every change recorded append-only with who made it, when, and what it was
//! before and after, in one hash chain. Each event's hash covers its own content and the
//! previous event's hash, so changing, removing or inserting an event anywhere but the end
//! breaks the chain, and `verify_audit` names the first event that no longer fits.
//!
//! Events are appended inside the transaction of the change they describe, under the
//! database's write lock, so the chain has one order and a change is never without its event.

use crate::{Organisation, Result, Store, Tx, corrupt, stamp};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

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
}

/// What `verify_audit` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    pub events: u64,
    /// The newest event's hash: recording it elsewhere lets a later check prove that nothing
    /// was cut from the end of the trail either.
    pub head: String,
    /// Empty when the chain is whole; otherwise each break, in order.
    pub problems: Vec<String>,
}

/// The hash of an event: SHA-256 over a JSON array of its fields as stored, so the same
/// stored text always gives the same hash on either backend.
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
) -> String {
    let fields = serde_json::json!([
        seq, org_id, at, actor_id, actor, action, subject, before, after, prev_hash
    ]);
    let digest = Sha256::digest(fields.to_string().as_bytes());
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
}

/// Append an event inside a write transaction (which holds the write lock, so the newest
/// event read here stays the newest until this one is committed).
pub(crate) async fn append(tx: &mut Tx, change: Change<'_>, at: DateTime<Utc>) -> Result<()> {
    let last = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.try_get::<i64, _>(0)? + 1, row.try_get::<String, _>(1)?),
        None => (1, GENESIS.to_string()),
    };
    let at = stamp(at);
    let before = change.before.as_ref().map(|v| v.to_string());
    let after = change.after.as_ref().map(|v| v.to_string());
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
    );
    sqlx::query(
        "INSERT INTO audit_events (seq, org_id, at, actor_id, actor, action, subject, before_json,
                                   after_json, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const EVENT_COLUMNS: &str = "seq, org_id, at, actor_id, actor, action, subject, before_json, \
                             after_json, prev_hash, hash";

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
}

impl StoredEvent {
    fn read(r: &sqlx::any::AnyRow) -> Result<StoredEvent> {
        Ok(StoredEvent {
            seq: r.try_get(0)?,
            org_id: r.try_get(1)?,
            at: r.try_get(2)?,
            actor_id: r.try_get(3)?,
            actor: r.try_get(4)?,
            action: r.try_get(5)?,
            subject: r.try_get(6)?,
            before: r.try_get(7)?,
            after: r.try_get(8)?,
            prev_hash: r.try_get(9)?,
            hash: r.try_get(10)?,
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
            after = last.try_get(0)?;
            for r in &rows {
                out.push(StoredEvent::read(r)?.into_event()?);
            }
        }
        Ok(out)
    }

    /// Walk the whole chain and report every place it does not hold: an event whose content
    /// no longer matches its hash (changed after it was written), an event that does not
    /// follow the one before it (one removed or inserted), or a gap in the numbering.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let mut problems = vec![];
        let mut events = 0u64;
        let mut prev_seq = 0i64;
        let mut prev_hash = GENESIS.to_string();
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
            )))
            .bind(prev_seq)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
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
                        "event {} ({} by {} at {}) was changed after it was recorded",
                        event.seq, event.action, event.actor, event.at
                    ));
                }
                prev_seq = event.seq;
                prev_hash = event.hash;
            }
        }
        Ok(AuditCheck {
            events,
            head: prev_hash,
            problems,
        })
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
            ),
        ];
        for other in changed {
            assert_ne!(original, other);
        }
    }
}
