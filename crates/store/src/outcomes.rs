//! Linking activities to the plan's outcomes, so progress can be read by theme and outcome.

use crate::{Organisation, Result, Store, StoreError, as_of_bound, corrupt, stamp};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use std::collections::HashMap;
use waymark_domain::records::OutcomeRef;

impl Store {
    /// The outcomes of the newest corporate plan known on `as_of`, by number.
    pub(crate) async fn plan_outcomes(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<HashMap<u32, OutcomeRef>> {
        let rows = sqlx::query(
            "SELECT o.number, o.title, t.number, t.title FROM outcomes o JOIN themes t ON t.id = o.theme_id
             WHERE o.org_id = $1 AND t.document_id = (
                 SELECT MAX(id) FROM documents WHERE org_id = $1 AND kind = 'corporate-plan' AND recorded_at < $2)",
        )
        .bind(org.id)
        .bind(as_of_bound(as_of))
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::new();
        for r in &rows {
            let number: i64 = r.try_get(0)?;
            let theme: i64 = r.try_get(2)?;
            let number = u32::try_from(number).map_err(corrupt)?;
            out.insert(
                number,
                OutcomeRef {
                    number,
                    title: r.try_get(1)?,
                    theme_number: u32::try_from(theme).map_err(corrupt)?,
                    theme_title: r.try_get(3)?,
                },
            );
        }
        Ok(out)
    }

    /// The newest outcome set of each activity recorded by `as_of`.
    pub(crate) async fn outcome_sets(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<HashMap<i64, Vec<u32>>> {
        let rows = sqlx::query(
            "SELECT activity_id, outcomes_json FROM activity_outcomes
             WHERE org_id = $1 AND recorded_at < $2 ORDER BY id",
        )
        .bind(org.id)
        .bind(as_of_bound(as_of))
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::new();
        for r in &rows {
            let json: String = r.try_get(1)?;
            let set: Vec<u32> = serde_json::from_str(&json).map_err(corrupt)?;
            out.insert(r.try_get(0)?, set);
        }
        Ok(out)
    }

    /// Record which outcomes each activity (by reference) delivers, all or nothing. Every
    /// reference must name a known activity and every number an outcome of the current plan.
    pub async fn assign_outcomes(
        &self,
        org: &Organisation,
        assignments: &[(String, Vec<u32>)],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let outcomes = self.plan_outcomes(org, None).await?;
        if outcomes.is_empty() {
            return Err(StoreError::Usage(
                "no corporate plan with outcomes has been imported; import it before linking activities to outcomes".into(),
            ));
        }
        let mut tx = self.begin_write().await?;
        let now = stamp(at);
        for (reference, numbers) in assignments {
            if let Some(n) = numbers.iter().find(|n| !outcomes.contains_key(n)) {
                return Err(StoreError::Usage(format!(
                    "reference {reference}: the plan has no outcome {n}"
                )));
            }
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM activities WHERE org_id = $1 AND reference = $2 AND merged_into IS NULL",
            )
            .bind(org.id)
            .bind(reference)
            .fetch_optional(&mut *tx)
            .await?;
            let id = id.ok_or_else(|| {
                StoreError::Usage(format!("no activity has the reference {reference}"))
            })?;
            let mut numbers = numbers.clone();
            numbers.sort_unstable();
            numbers.dedup();
            sqlx::query(
                "INSERT INTO activity_outcomes (org_id, activity_id, outcomes_json, recorded_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(org.id)
            .bind(id)
            .bind(serde_json::to_string(&numbers).map_err(corrupt)?)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        crate::bump_version(&mut tx, org.id).await?;
        tx.commit().await?;
        Ok(assignments.len())
    }
}
