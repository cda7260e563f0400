//! What a person settles by hand: data-quality findings marked as dealt with, and the import
//! mapping a council's performance team chose for files of one shape.

use crate::staff::audit::{self, Change, Who};
use crate::{Organisation, Result, Store, StoreError, corrupt, stamp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use waymark_domain::Period;

/// Longest note kept with a settled finding.
pub const MAX_SETTLE_NOTE_CHARS: usize = 2_000;

/// A finding a person has marked as dealt with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettledFinding {
    pub code: String,
    pub subject: String,
    pub note: String,
    pub settled_by: String,
    pub at: String,
}

/// A person's word on one finding: which (its period, code and subject) and what was done.
#[derive(Debug, Clone, Copy)]
pub struct Settlement<'a> {
    pub period: Option<Period>,
    pub code: &'a str,
    pub subject: &'a str,
    pub note: &'a str,
}

#[derive(Serialize, Deserialize)]
struct RememberedMapping {
    shape: String,
    mapping: String,
}

fn period_key(period: Option<Period>) -> String {
    period.map(|p| p.slug()).unwrap_or_default()
}

/// Settings key for a file shape's mapping: the shape's hash, so keys stay short whatever the
/// headers.
fn mapping_key(shape: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(shape.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("import_mapping:{hex}")
}

impl Store {
    /// The data-quality findings for a period as they stand now (what `waymark check` says).
    pub async fn findings(
        &self,
        org: &Organisation,
        period: Option<Period>,
    ) -> Result<Vec<waymark_domain::checks::Finding>> {
        let activities = self.activities(org, None).await?;
        let (returns, links, claims) = match period {
            Some(p) => (
                self.returns(org, Some(p), None).await?,
                self.links(org, p, None).await?,
                self.claims(org, p, None).await?,
            ),
            None => (vec![], vec![], vec![]),
        };
        let rule = self.headline_rule(org, None).await?;
        let published: Vec<_> = claims.iter().map(|c| c.claim.clone()).collect();
        Ok(waymark_domain::checks::run_for_period(
            period,
            &activities,
            &returns,
            &links,
            &published,
            claims.first().map(|c| c.file.as_str()),
            &rule,
        ))
    }

    /// Mark a finding (by its code and subject, for a period) as dealt with, with a note.
    pub async fn settle_finding(
        &self,
        org: &Organisation,
        settlement: Settlement<'_>,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let Settlement {
            period,
            code,
            subject,
            note,
        } = settlement;
        let note = note.trim();
        if note.chars().count() > MAX_SETTLE_NOTE_CHARS {
            return Err(StoreError::Usage(format!(
                "the note must be at most {MAX_SETTLE_NOTE_CHARS} characters"
            )));
        }
        if code.trim().is_empty() || subject.trim().is_empty() {
            return Err(StoreError::Usage(
                "a finding is named by its code and subject".into(),
            ));
        }
        let now = stamp(at);
        let mut tx = self.begin_write().await?;
        // Under the write lock: a form sent twice settles the finding once.
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM settled_findings WHERE org_id = $1 AND period = $2 AND code = $3 AND subject = $4 LIMIT 1",
        )
        .bind(org.id)
        .bind(period_key(period))
        .bind(code)
        .bind(subject)
        .fetch_optional(&mut *tx)
        .await?;
        if already.is_some() {
            return Err(StoreError::Usage(
                "that finding has been settled already".into(),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO settled_findings (org_id, period, code, subject, note, settled_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(org.id)
        .bind(period_key(period))
        .bind(code)
        .bind(subject)
        .bind(note)
        .bind(&who.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who,
                action: "finding.settled",
                subject: format!("finding {code}: {subject}"),
                before: None,
                after: Some(json!({
                    "period": period.map(|p| p.to_string()),
                    "note": note,
                    "settled": id,
                })),
                row: None,
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The findings settled for a period, newest first.
    pub async fn settled_findings(
        &self,
        org: &Organisation,
        period: Option<Period>,
    ) -> Result<Vec<SettledFinding>> {
        let rows = sqlx::query(
            "SELECT code, subject, note, settled_by, recorded_at FROM settled_findings
             WHERE org_id = $1 AND period = $2 ORDER BY id DESC",
        )
        .bind(org.id)
        .bind(period_key(period))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SettledFinding {
                    code: r.try_get("code")?,
                    subject: r.try_get("subject")?,
                    note: r.try_get("note")?,
                    settled_by: r.try_get("settled_by")?,
                    at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }

    /// The mapping remembered for files of this shape, as TOML.
    pub async fn remembered_mapping(
        &self,
        org: &Organisation,
        shape: &str,
    ) -> Result<Option<String>> {
        let value: Option<String> = sqlx::query_scalar(
            "SELECT value_json FROM settings WHERE org_id = $1 AND key = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(org.id)
        .bind(mapping_key(shape))
        .fetch_optional(&self.pool)
        .await?;
        let Some(json) = value else {
            return Ok(None);
        };
        let remembered: RememberedMapping = serde_json::from_str(&json).map_err(corrupt)?;
        // A hash collision would hand one shape's mapping to another: the shape itself decides.
        Ok((remembered.shape == shape).then_some(remembered.mapping))
    }

    /// Remember the mapping a person chose for files of this shape (TOML), audited.
    pub async fn remember_mapping(
        &self,
        org: &Organisation,
        shape: &str,
        mapping: &str,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let key = mapping_key(shape);
        let value = serde_json::to_string(&RememberedMapping {
            shape: shape.to_string(),
            mapping: mapping.to_string(),
        })
        .map_err(corrupt)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO settings (org_id, key, value_json, recorded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org.id)
        .bind(&key)
        .bind(value)
        .bind(stamp(at))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who,
                action: "import.mapping-remembered",
                subject: key,
                before: None,
                after: Some(json!({ "mapping": mapping })),
                row: None,
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
