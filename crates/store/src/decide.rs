//! A person's decision on a suggested link: accept it (the report row is the plan activity) or
//! reject it (they are different activities).

use crate::staff::audit::{self, Change, Who};
use crate::{Organisation, Result, Store, StoreError, Tx, stamp};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::Row;
use waymark_domain::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDecision {
    Accept,
    Reject,
    /// The report row is this other plan activity (by id): for a suggestion that picked the
    /// wrong one, or a report row left unmatched.
    Choose(i64),
}

impl LinkDecision {
    fn action(self) -> &'static str {
        match self {
            LinkDecision::Accept => "link.accepted",
            LinkDecision::Reject => "link.rejected",
            LinkDecision::Choose(_) => "link.chosen",
        }
    }
}

impl Store {
    /// Decide the links awaiting review for some references in the newest report for
    /// `period`, all or nothing.
    pub async fn decide_links(
        &self,
        org: &Organisation,
        period: Period,
        decisions: &[(String, LinkDecision)],
        who: &Who,
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
            let (suggested, chosen) =
                decide(&mut tx, org, period, reference, *decision, &now).await?;
            audit::append(
                &mut tx,
                self.audit_key(),
                Change {
                    org_id: Some(org.id),
                    who,
                    action: decision.action(),
                    subject: format!("report row {reference} in {period}"),
                    before: Some(json!({ "suggested_activity": suggested })),
                    after: Some(json!({ "activity": chosen })),
                    row: None,
                },
                at,
            )
            .await?;
        }
        crate::public::summary::refresh_period_summary(&mut tx, org.id, period, &now).await?;
        crate::bump_version(&mut tx, org.id).await?;
        self.commit(tx).await?;
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
) -> Result<(Option<i64>, Option<i64>)> {
    // Accepting or rejecting needs a suggestion; choosing another activity may also settle a
    // report row nothing was suggested for.
    let also = match decision {
        LinkDecision::Choose(_) => "unmatched",
        _ => "review",
    };
    let row = sqlx::query(
            "SELECT id, activity_id, report_title, document_id FROM links
             WHERE org_id = $1 AND period = $2 AND reference = $3 AND decision IN ('review', $4)
               AND document_id = (SELECT MAX(document_id) FROM links WHERE org_id = $1 AND period = $2)
             ORDER BY id DESC LIMIT 1",
        )
        .bind(org.id)
        .bind(period.slug())
        .bind(reference)
        .bind(also)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            StoreError::Usage(match decision {
                LinkDecision::Choose(_) => format!(
                    "reference {reference} has no report row awaiting a link in {period}; `waymark reconcile` lists them"
                ),
                _ => format!(
                    "reference {reference} has no link awaiting review in {period}; `waymark reconcile` lists them"
                ),
            })
        })?;
    let link_id: i64 = row.try_get("id")?;
    let suggested: Option<i64> = row.try_get("activity_id")?;
    let report_title: Option<String> = row.try_get("report_title")?;
    let document_id: i64 = row.try_get("document_id")?;
    let plan_activity = match decision {
        LinkDecision::Choose(chosen) => chosen,
        _ => suggested.ok_or_else(|| {
            StoreError::Corrupt(format!("review link {link_id} names no plan activity"))
        })?,
    };
    match decision {
        LinkDecision::Accept | LinkDecision::Choose(_) => {
            // Only a plan activity still in the plan, with no reference of its own, can take
            // the report's reference; anything else would split or lose an activity.
            let state = sqlx::query(
                    "SELECT a.reference, a.merged_into,
                            (SELECT CASE WHEN v.revision_id IS NOT NULL AND v.removed = 0 THEN 1 ELSE 0 END FROM activity_versions v
                             WHERE v.activity_id = a.id ORDER BY v.id DESC LIMIT 1) AS in_plan
                     FROM activities a WHERE a.id = $1 AND a.org_id = $2",
                )
                .bind(plan_activity)
                .bind(org.id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| {
                    StoreError::Usage(format!(
                        "cannot link reference {reference}: there is no plan activity {plan_activity}"
                    ))
                })?;
            let existing: Option<String> = state.try_get("reference")?;
            let merged: Option<i64> = state.try_get("merged_into")?;
            let in_plan: Option<bool> = state.try_get::<Option<i64>, _>("in_plan")?.map(|v| v != 0);
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
            // The chosen activity must not already be another report row's in this report.
            let claimed: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM links WHERE org_id = $1 AND document_id = $2 AND activity_id = $3
                   AND decision = 'linked' AND id <> $4 LIMIT 1",
            )
            .bind(org.id)
            .bind(document_id)
            .bind(plan_activity)
            .bind(link_id)
            .fetch_optional(&mut **tx)
            .await?;
            if claimed.is_some() {
                return Err(StoreError::Usage(format!(
                    "cannot link reference {reference}: that plan activity is already linked to another row of this report"
                )));
            }
            let report_activity: i64 = sqlx::query_scalar(
                    "SELECT id FROM activities WHERE org_id = $1 AND reference = $2 AND origin = 'report'",
                )
                .bind(org.id)
                .bind(reference)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| {
                    StoreError::Usage(format!(
                        "cannot link reference {reference}: no activity known only from a report has that reference"
                    ))
                })?;
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
            sqlx::query(
                "UPDATE links SET decision = 'linked', activity_id = $1, decided_at = $2,
                    plan_title = (SELECT v.title FROM activity_versions v WHERE v.id = (SELECT MAX(id) FROM activity_versions WHERE activity_id = $1)),
                    plan_directorate = (SELECT d.name FROM activity_versions v JOIN directorates d ON d.id = v.directorate_id WHERE v.id = (SELECT MAX(id) FROM activity_versions WHERE activity_id = $1))
                 WHERE id = $3",
            )
            .bind(plan_activity)
            .bind(now)
            .bind(link_id)
            .execute(&mut **tx)
            .await?;
            // The chosen activity no longer stands unmatched on its own line.
            sqlx::query(
                "DELETE FROM links WHERE org_id = $1 AND document_id = $2 AND period = $3
                   AND activity_id = $4 AND reference IS NULL AND decision = 'unmatched'",
            )
            .bind(org.id)
            .bind(document_id)
            .bind(period.slug())
            .bind(plan_activity)
            .execute(&mut **tx)
            .await?;
            // Other rows of the report that were suggested this activity can no longer be.
            sqlx::query(
                "UPDATE links SET decision = 'unmatched', activity_id = NULL, plan_title = NULL,
                    plan_directorate = NULL, decided_at = $1
                 WHERE org_id = $2 AND document_id = $3 AND activity_id = $4
                   AND decision = 'review' AND id <> $5",
            )
            .bind(now)
            .bind(org.id)
            .bind(document_id)
            .bind(plan_activity)
            .bind(link_id)
            .execute(&mut **tx)
            .await?;
            if let Some(other) = suggested.filter(|s| *s != plan_activity) {
                unmatched_alone(tx, org, period, document_id, other, now).await?;
            }
        }
        LinkDecision::Reject => {
            sqlx::query("UPDATE links SET decision = 'unmatched', activity_id = NULL, plan_title = NULL, plan_directorate = NULL, decided_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(link_id)
                    .execute(&mut **tx)
                    .await?;
            unmatched_alone(tx, org, period, document_id, plan_activity, now).await?;
        }
    }
    Ok((
        suggested,
        (decision != LinkDecision::Reject).then_some(plan_activity),
    ))
}

/// A plan activity no report row is linked to stands unmatched on its own line.
async fn unmatched_alone(
    tx: &mut Tx,
    org: &Organisation,
    period: Period,
    document_id: i64,
    plan_activity: i64,
    now: &str,
) -> Result<()> {
    sqlx::query(
                    "INSERT INTO links (org_id, document_id, period, activity_id, plan_title, plan_directorate, score, decision, decided_at, recorded_at)
                     SELECT $1, $2, $3, a.id, v.title, d.name, 0, 'unmatched', $4, $4
                     FROM activities a
                     JOIN activity_versions v ON v.id = (SELECT MAX(id) FROM activity_versions WHERE activity_id = a.id)
                     JOIN directorates d ON d.id = v.directorate_id
                     WHERE a.id = $5 AND a.org_id = $1 AND a.reference IS NULL
                       AND NOT EXISTS (SELECT 1 FROM links l WHERE l.org_id = $1 AND l.document_id = $2
                                         AND l.activity_id = a.id AND l.decision IN ('linked', 'review', 'unmatched'))",
                )
                .bind(org.id)
                .bind(document_id)
                .bind(period.slug())
                .bind(now)
                .bind(plan_activity)
                .execute(&mut **tx)
                .await?;
    Ok(())
}
