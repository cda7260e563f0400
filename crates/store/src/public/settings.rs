//! Per-council settings, kept as an append-only history.

use crate::{Organisation, Result, Store, as_of_bound, corrupt, stamp};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use std::collections::HashMap;
use waymark_domain::headline::HeadlineRule;

const HEADLINE_RULE: &str = "headline_rule";

impl Store {
    /// The council's headline rule as it stood on `as_of`; Bexley's rule when none was set.
    pub async fn headline_rule(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<HeadlineRule> {
        let value: Option<String> = sqlx::query_scalar(
            "SELECT value_json FROM settings WHERE org_id = $1 AND key = $2 AND recorded_at < $3 ORDER BY id DESC LIMIT 1",
        )
        .bind(org.id)
        .bind(HEADLINE_RULE)
        .bind(as_of_bound(as_of))
        .fetch_optional(&self.pool)
        .await?;
        match value {
            Some(json) => serde_json::from_str(&json).map_err(corrupt),
            None => Ok(HeadlineRule::default()),
        }
    }

    pub async fn set_headline_rule(
        &self,
        org: &Organisation,
        rule: &HeadlineRule,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let json = serde_json::to_string(rule).map_err(corrupt)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO settings (org_id, key, value_json, recorded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org.id)
        .bind(HEADLINE_RULE)
        .bind(json)
        .bind(stamp(at))
        .execute(&mut *tx)
        .await?;
        crate::bump_version(&mut tx, org.id).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Each council's current headline rule, for those that set one.
    pub(crate) async fn headline_rules(&self) -> Result<HashMap<i64, HeadlineRule>> {
        let rows = sqlx::query(
            "SELECT s.org_id, s.value_json FROM settings s
             WHERE s.key = $1 AND s.id = (SELECT MAX(id) FROM settings WHERE org_id = s.org_id AND key = $1)",
        )
        .bind(HEADLINE_RULE)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let json: String = r.try_get("value_json")?;
                Ok((
                    r.try_get("org_id")?,
                    serde_json::from_str(&json).map_err(corrupt)?,
                ))
            })
            .collect()
    }
}
