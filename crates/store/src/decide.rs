//! A person's decision on a suggested link: accept it (the report row is the plan activity) or
//! reject it (they are different activities).

use crate::{Organisation, Result, Store, StoreError, Tx, stamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use waymark_domain::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDecision {
    Accept,
    Reject,
}

impl Store {
    /// Decide the links awaiting review for some references in the newest report for
    /// `period`, all or nothing.
    pub async fn decide_links(
        &self,
        org: &Organisation,
        period: Period,
        decisions: &[(String, LinkDecision)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        for (i, (reference, _)) in decisions.iter().enumerate() {
            if decisions[..i].iter().any(|(r, _)| r == reference) {
                return Err(StoreError::Usage(format!(
                    "reference {reference} is decided more than once; give each reference one --accept or --reject"
                )));
            }
        }
        let now = stamp(at);
        let mut tx = self.begin_write().await?;
        for (reference, decision) in decisions {
            decide(&mut tx, org, period, reference, *decision, &now).await?;
        }
        crate::summary::refresh_period_summary(&mut tx, org.id, period, &now).await?;
        crate::bump_version(&mut tx, org.id).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn decide(
    tx: &mut Tx,
    org: &Organisation,
    period: Period,
    reference: &str,
    decision: LinkDecision,
    now: &str,
) -> Result<()> {
    let row = sqlx::query(
            "SELECT id, activity_id, report_title, document_id FROM links
             WHERE org_id = $1 AND period = $2 AND reference = $3 AND decision = 'review'
               AND document_id = (SELECT MAX(document_id) FROM links WHERE org_id = $1 AND period = $2)
             ORDER BY id DESC LIMIT 1",
        )
        .bind(org.id)
        .bind(period.slug())
        .bind(reference)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            StoreError::Usage(format!(
                "reference {reference} has no link awaiting review in {period}; `waymark reconcile` lists them"
            ))
        })?;
    let link_id: i64 = row.try_get(0)?;
    let plan_activity: Option<i64> = row.try_get(1)?;
    let report_title: Option<String> = row.try_get(2)?;
    let document_id: i64 = row.try_get(3)?;
    let plan_activity = plan_activity.ok_or_else(|| {
        StoreError::Corrupt(format!("review link {link_id} names no plan activity"))
    })?;
    match decision {
        LinkDecision::Accept => {
            // Only a plan activity still in the plan, with no reference of its own, can take
            // the report's reference; anything else would split or lose an activity.
            let state = sqlx::query(
                    "SELECT a.reference, a.merged_into,
                            (SELECT CASE WHEN v.revision_id IS NOT NULL AND v.removed = 0 THEN 1 ELSE 0 END FROM activity_versions v
                             WHERE v.activity_id = a.id ORDER BY v.id DESC LIMIT 1)
                     FROM activities a WHERE a.id = $1 AND a.org_id = $2",
                )
                .bind(plan_activity)
                .bind(org.id)
                .fetch_one(&mut **tx)
                .await?;
            let existing: Option<String> = state.try_get(0)?;
            let merged: Option<i64> = state.try_get(1)?;
            let in_plan: Option<bool> = state.try_get::<Option<i64>, _>(2)?.map(|v| v != 0);
            if let Some(existing) = existing {
                return Err(StoreError::Usage(format!(
                    "cannot accept the link for reference {reference}: that plan activity has since been given reference {existing}; reject this suggestion instead"
                )));
            }
            if merged.is_some() || in_plan != Some(true) {
                return Err(StoreError::Usage(format!(
                    "cannot accept the link for reference {reference}: the suggested plan activity is no longer in the plan; reject this suggestion instead"
                )));
            }
            let report_activity: i64 = sqlx::query_scalar(
                    "SELECT id FROM activities WHERE org_id = $1 AND reference = $2 AND origin = 'report'",
                )
                .bind(org.id)
                .bind(reference)
                .fetch_one(&mut **tx)
                .await?;
            // The report-only activity folds into the plan activity: it gives up the
            // reference, its returns follow, and the plan activity learns the report's title.
            sqlx::query("UPDATE activities SET reference = NULL, merged_into = $1 WHERE id = $2 AND org_id = $3")
                    .bind(plan_activity)
                    .bind(report_activity)
                    .bind(org.id)
                    .execute(&mut **tx)
                    .await?;
            sqlx::query("UPDATE activities SET reference = $1 WHERE id = $2 AND org_id = $3")
                .bind(reference)
                .bind(plan_activity)
                .bind(org.id)
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "UPDATE updates SET activity_id = $1 WHERE activity_id = $2 AND org_id = $3",
            )
            .bind(plan_activity)
            .bind(report_activity)
            .bind(org.id)
            .execute(&mut **tx)
            .await?;
            if let Some(title) = report_title {
                sqlx::query(
                        "INSERT INTO activity_names (org_id, activity_id, title, document_id, recorded_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(org.id)
                    .bind(plan_activity)
                    .bind(title)
                    .bind(document_id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
            }
            sqlx::query("UPDATE links SET decision = 'linked', decided_at = $1 WHERE id = $2")
                .bind(now)
                .bind(link_id)
                .execute(&mut **tx)
                .await?;
        }
        LinkDecision::Reject => {
            sqlx::query("UPDATE links SET decision = 'unmatched', activity_id = NULL, plan_title = NULL, plan_directorate = NULL, decided_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(link_id)
                    .execute(&mut **tx)
                    .await?;
            // The plan activity now stands unmatched on its own line.
            sqlx::query(
                    "INSERT INTO links (org_id, document_id, period, activity_id, plan_title, plan_directorate, score, decision, decided_at, recorded_at)
                     SELECT $1, $2, $3, a.id, v.title, d.name, 0, 'unmatched', $4, $4
                     FROM activities a
                     JOIN activity_versions v ON v.id = (SELECT MAX(id) FROM activity_versions WHERE activity_id = a.id)
                     JOIN directorates d ON d.id = v.directorate_id
                     WHERE a.id = $5 AND a.org_id = $1",
                )
                .bind(org.id)
                .bind(document_id)
                .bind(period.slug())
                .bind(now)
                .bind(plan_activity)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}
