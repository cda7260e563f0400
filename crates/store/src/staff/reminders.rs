//! Which reminder e-mails have gone out, so each person gets at most one of each kind a day
//! for each period however often reminders run. Each one sent is also in the audit trail.

use crate::staff::audit::{self, Change, Who};
use crate::{Organisation, Result, Store, User, stamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::Row;
use std::collections::HashSet;

/// (person, period, kind) already reminded on a day.
pub type Sent = HashSet<(i64, i64, String)>;

impl Store {
    /// The reminders a council sent on `day`.
    pub async fn reminders_sent_on(&self, org: &Organisation, day: NaiveDate) -> Result<Sent> {
        let rows = sqlx::query(
            "SELECT user_id, cycle_id, kind FROM reminders_sent WHERE org_id = $1 AND sent_on = $2",
        )
        .bind(org.id)
        .bind(day.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("user_id")?,
                    r.try_get("cycle_id")?,
                    r.try_get("kind")?,
                ))
            })
            .collect()
    }

    /// Record a reminder sent (after it was handed to the mail server: a failure to record
    /// means one more reminder tomorrow, never one lost).
    pub async fn record_reminder(
        &self,
        org: &Organisation,
        to: &User,
        cycle_id: i64,
        kind: &str,
        items: usize,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO reminders_sent (org_id, user_id, cycle_id, kind, sent_on, items, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (user_id, cycle_id, kind, sent_on) DO NOTHING",
        )
        .bind(org.id)
        .bind(to.id)
        .bind(cycle_id)
        .bind(kind)
        .bind(at.date_naive().to_string())
        .bind(i64::try_from(items).unwrap_or(i64::MAX))
        .bind(stamp(at))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: &Who {
                    user_id: None,
                    name: "reminders".into(),
                },
                action: "reminder.sent",
                subject: format!("user {}", to.email),
                before: None,
                after: Some(json!({ "kind": kind, "period": cycle_id, "items": items })),
                row: None,
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
