//! Reading stored facts back as domain records, optionally as they stood on a date.

use crate::{Organisation, Result, Store, as_of_bound, corrupt};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::HashMap;
use waymark_domain::reconcile::Decision;
use waymark_domain::records::{ActivityRecord, LinkRecord, OutcomeRef, ReturnRecord, SourceRef};
use waymark_domain::{ClaimKind, DueDate, Period, PublishedClaim, Status};

fn period_from_slug(slug: &str) -> Result<Period> {
    slug.parse().map_err(corrupt)
}

fn source(file: Option<String>, line: Option<i64>) -> Option<SourceRef> {
    file.map(|file| SourceRef {
        file,
        line: line.and_then(|l| usize::try_from(l).ok()),
    })
}

/// A published claim with the file it was published in.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredClaim {
    pub claim: PublishedClaim,
    pub file: String,
}

impl Store {
    /// Every activity as it stood at the end of `as_of` (or now).
    pub async fn activities(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<ActivityRecord>> {
        let bound = as_of_bound(as_of);
        let names = sqlx::query(
            "SELECT activity_id, title FROM activity_names WHERE org_id = $1 AND recorded_at < $2 ORDER BY id",
        )
        .bind(org.id)
        .bind(&bound)
        .fetch_all(&self.pool);
        // The reads are independent: run them side by side on the pool's connections.
        let (names, plan_outcomes, outcome_sets, rows) = tokio::try_join!(
            async { Ok::<_, crate::StoreError>(names.await?) },
            self.plan_outcomes(org, as_of),
            self.outcome_sets(org, as_of),
            self.latest_versions(org, &bound),
        )?;
        let mut outcome_sets = outcome_sets;
        let mut names_of: HashMap<i64, Vec<String>> = HashMap::new();
        for r in &names {
            names_of
                .entry(r.try_get("activity_id")?)
                .or_default()
                .push(r.try_get("title")?);
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let mut names = names_of.remove(&id).unwrap_or_default();
                let version_title: String = r.try_get("title")?;
                let title = names.pop().unwrap_or_else(|| version_title.clone());
                names.dedup();
                let portfolios: String = r.try_get("portfolios_json")?;
                let due: Option<String> = r.try_get("due_json")?;
                Ok(ActivityRecord {
                    id,
                    reference: r.try_get("reference")?,
                    title,
                    former_titles: names,
                    plan_title: r.try_get("plan_title")?,
                    directorate: r.try_get("directorate")?,
                    portfolios: serde_json::from_str(&portfolios).map_err(corrupt)?,
                    due: due
                        .map(|d| serde_json::from_str::<DueDate>(&d))
                        .transpose()
                        .map_err(corrupt)?,
                    status_note: r.try_get("status_note")?,
                    in_plan: crate::flag(r, "in_plan")?,
                    source: source(r.try_get("file_name")?, r.try_get("line")?),
                    outcomes: outcome_sets
                        .remove(&id)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|(n, suggested)| {
                            plan_outcomes.get(n).map(|o| OutcomeRef {
                                suggested: *suggested,
                                ..o.clone()
                            })
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// The latest version of each activity as of `bound`, for [`Store::activities`].
    async fn latest_versions(
        &self,
        org: &Organisation,
        bound: &str,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        // The latest version of each activity, and the latest plan version for its plan title.
        Ok(sqlx::query(
            "SELECT a.id, a.reference, v.title, d.name AS directorate, v.portfolios_json, v.due_json,
                    v.status_note,
                    CASE WHEN v.revision_id IS NOT NULL AND v.removed = 0 THEN 1 ELSE 0 END AS in_plan,
                    doc.file_name, v.line,
                    (SELECT p.title FROM activity_versions p WHERE p.activity_id = a.id AND p.revision_id IS NOT NULL
                        AND p.recorded_at < $2 ORDER BY p.id DESC LIMIT 1) AS plan_title
             FROM activities a
             JOIN activity_versions v ON v.id = (SELECT MAX(id) FROM activity_versions
                                                 WHERE activity_id = a.id AND recorded_at < $2)
             JOIN directorates d ON d.id = v.directorate_id
             JOIN documents doc ON doc.id = v.document_id
             WHERE a.org_id = $1 AND a.recorded_at < $2 AND a.merged_into IS NULL
             ORDER BY a.id",
        )
        .bind(org.id)
        .bind(bound)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The returns standing for each period as recorded by `as_of`, in row order, optionally
    /// for one period only: the rows of the newest report for the period (a corrected report
    /// replaces, not adds to, what was reported), with any return recorded directly for an
    /// activity after that report taking the place of the report's row.
    pub async fn returns(
        &self,
        org: &Organisation,
        period: Option<Period>,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<ReturnRecord>> {
        let mut conn = self.pool.acquire().await?;
        standing(&mut conn, org.id, period, as_of).await
    }

    /// The periods that have returns, oldest first.
    pub async fn periods(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<Period>> {
        // Without a date the index answers alone; with one, each row's time is read too.
        let rows: Vec<String> = match as_of {
            // A report may publish only headline claims, with no rows: its period counts.
            None => {
                sqlx::query_scalar(
                    "SELECT period FROM updates WHERE org_id = $1
                     UNION SELECT period FROM claims WHERE org_id = $1",
                )
                .bind(org.id)
                .fetch_all(&self.pool)
                .await?
            }
            Some(_) => {
                sqlx::query_scalar(
                    "SELECT period FROM updates WHERE org_id = $1 AND recorded_at < $2
                     UNION SELECT period FROM claims WHERE org_id = $1 AND recorded_at < $2",
                )
                .bind(org.id)
                .bind(as_of_bound(as_of))
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut periods = rows
            .iter()
            .map(|s| period_from_slug(s))
            .collect::<Result<Vec<_>>>()?;
        periods.sort();
        Ok(periods)
    }

    /// Claims published for a period, from the newest report that made any.
    pub async fn claims(
        &self,
        org: &Organisation,
        period: Period,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<StoredClaim>> {
        let rows = sqlx::query(
            "SELECT c.line, c.text, c.claim_json, d.file_name FROM claims c JOIN documents d ON d.id = c.document_id
             WHERE c.org_id = $1 AND c.period = $2 AND c.recorded_at < $3
               AND c.document_id = (SELECT MAX(document_id) FROM claims WHERE org_id = $1 AND period = $2 AND recorded_at < $3)
             ORDER BY c.line, c.id",
        )
        .bind(org.id)
        .bind(period.slug())
        .bind(as_of_bound(as_of))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let line: i64 = r.try_get("line")?;
                let claim: String = r.try_get("claim_json")?;
                Ok(StoredClaim {
                    claim: PublishedClaim {
                        line: usize::try_from(line).map_err(corrupt)?,
                        text: r.try_get("text")?,
                        claim: serde_json::from_str::<ClaimKind>(&claim).map_err(corrupt)?,
                    },
                    file: r.try_get("file_name")?,
                })
            })
            .collect()
    }

    /// Reconciliation decisions from the newest report for a period.
    pub async fn links(
        &self,
        org: &Organisation,
        period: Period,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<LinkRecord>> {
        let rows = sqlx::query(
            "SELECT l.plan_title, l.plan_directorate, l.reference, l.report_title, l.report_directorate, l.score,
                    l.decision, l.activity_id, d.file_name, l.line
             FROM links l JOIN documents d ON d.id = l.document_id
             WHERE l.org_id = $1 AND l.period = $2 AND l.recorded_at < $3
               AND l.document_id = (SELECT MAX(document_id) FROM links WHERE org_id = $1 AND period = $2 AND recorded_at < $3)
             ORDER BY l.id",
        )
        .bind(org.id)
        .bind(period.slug())
        .bind(as_of_bound(as_of))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let decision: String = r.try_get("decision")?;
                let decision = match decision.as_str() {
                    "linked" => Decision::Linked,
                    "review" => Decision::Review,
                    _ => Decision::Unmatched,
                };
                let line: Option<i64> = r.try_get("line")?;
                let has_report = r.try_get::<Option<String>, _>("reference")?.is_some();
                Ok(LinkRecord {
                    plan_title: r.try_get("plan_title")?,
                    plan_directorate: r.try_get("plan_directorate")?,
                    reference: r.try_get("reference")?,
                    report_title: r.try_get("report_title")?,
                    report_directorate: r.try_get("report_directorate")?,
                    score: r.try_get("score")?,
                    decision,
                    activity_id: r.try_get("activity_id")?,
                    source: if has_report {
                        source(r.try_get("file_name")?, line)
                    } else {
                        None
                    },
                })
            })
            .collect()
    }
}

/// One recorded difference between plan revisions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanChange {
    pub revision: i64,
    pub revision_file: String,
    pub last_updated: Option<String>,
    pub activity_id: i64,
    pub reference: Option<String>,
    pub change: String,
    pub detail: String,
    pub recorded_at: String,
}

impl Store {
    /// What each plan revision changed, oldest first.
    pub async fn plan_changes(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<PlanChange>> {
        let rows = sqlx::query(
            "SELECT c.revision_id, d.file_name, r.last_updated, c.activity_id, a.reference, c.change, c.detail, c.recorded_at
             FROM plan_changes c
             JOIN plan_revisions r ON r.id = c.revision_id
             JOIN documents d ON d.id = r.document_id
             JOIN activities a ON a.id = c.activity_id
             WHERE c.org_id = $1 AND c.recorded_at < $2
             ORDER BY c.id",
        )
        .bind(org.id)
        .bind(as_of_bound(as_of))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanChange {
                    revision: r.try_get("revision_id")?,
                    revision_file: r.try_get("file_name")?,
                    last_updated: r.try_get("last_updated")?,
                    activity_id: r.try_get("activity_id")?,
                    reference: r.try_get("reference")?,
                    change: r.try_get("change")?,
                    detail: r.try_get("detail")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }
}

/// The returns standing for each period (see [`Store::returns`]), on a connection or inside a
/// write transaction (so a write can refresh what it changed before it commits).
pub(crate) async fn standing(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    period: Option<Period>,
    as_of: Option<NaiveDate>,
) -> Result<Vec<ReturnRecord>> {
    // Two forms of one statement: with a period, both scans use the (org, period) index.
    // One period holds one report's rows (and returns recorded directly, which
    // `standing_returns` handles apart), so its rows need only their order in the report.
    let (newest_period, row_period, order) = match period {
        Some(_) => (
            "AND period = $3",
            "AND u.period = $3",
            "u.document_id DESC, u.position, u.id",
        ),
        None => (
            "",
            "",
            "u.recorded_at DESC, u.document_id DESC, u.position, u.id",
        ),
    };
    let sql = format!(
        "WITH newest AS (
             SELECT period, MAX(document_id) AS document_id, MAX(id) AS last_id FROM updates
             WHERE org_id = $1 AND recorded_at < $2 {newest_period} AND document_id IS NOT NULL
             GROUP BY period)
         SELECT u.activity_id, u.reference, u.title, d.name AS directorate, u.period, u.status,
                u.status_label, u.note, doc.file_name, u.line, u.id,
                CASE WHEN u.document_id IS NULL THEN 1 ELSE 0 END AS direct,
                u.corrective_action, u.reason
         FROM updates u
         LEFT JOIN newest n ON n.period = u.period
         JOIN directorates d ON d.id = u.directorate_id
         LEFT JOIN documents doc ON doc.id = u.document_id
         WHERE u.org_id = $1 AND u.recorded_at < $2 {row_period}
           AND (u.document_id = n.document_id
                OR (u.document_id IS NULL AND (n.last_id IS NULL OR u.id > n.last_id)))
         ORDER BY {order}"
    );
    // Only fixed fragments are spliced in; every value is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(as_of_bound(as_of));
    if let Some(p) = period {
        query = query.bind(p.slug());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let records = rows
        .iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            let period: String = r.try_get("period")?;
            let record = ReturnRecord {
                activity_id: r.try_get("activity_id")?,
                reference: r.try_get("reference")?,
                title: r.try_get("title")?,
                directorate: r.try_get("directorate")?,
                period: period_from_slug(&period)?,
                status: Status::from_key(&status)
                    .ok_or_else(|| corrupt(format!("unknown status '{status}'")))?,
                status_label: r.try_get("status_label")?,
                note: r.try_get("note")?,
                source: source(r.try_get("file_name")?, r.try_get("line")?),
                corrective_action: r.try_get("corrective_action")?,
                reason: r.try_get("reason")?,
            };
            Ok(Standing {
                record,
                id: r.try_get("id")?,
                direct: crate::flag(r, "direct")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(standing_returns(records))
}

/// A stored return before direct returns are laid over report rows.
struct Standing {
    record: ReturnRecord,
    id: i64,
    /// Recorded directly for one activity, not read from a report.
    direct: bool,
}

impl Standing {
    /// The period and activity the return is for (none for a report row no activity holds).
    fn key(&self) -> Option<(Period, i64)> {
        self.record.activity_id.map(|a| (self.record.period, a))
    }
}

/// Lay returns recorded directly over the report rows they supersede: the newest direct
/// return for an activity and period takes the place of the activity's first report row, and
/// its repeated rows go; direct returns for activities the report lacks come last.
fn standing_returns(rows: Vec<Standing>) -> Vec<ReturnRecord> {
    if rows.iter().all(|r| !r.direct) {
        return rows.into_iter().map(|r| r.record).collect();
    }
    let mut newest_direct: HashMap<(Period, i64), (i64, ReturnRecord)> = HashMap::new();
    let mut report_rows = Vec::with_capacity(rows.len());
    let mut direct_order = vec![];
    for row in rows {
        if !row.direct {
            report_rows.push((row.key(), row.record));
            continue;
        }
        let Some(key) = row.key() else { continue };
        match newest_direct.get(&key) {
            Some((id, _)) if *id > row.id => {}
            found => {
                if found.is_none() {
                    direct_order.push(key);
                }
                newest_direct.insert(key, (row.id, row.record));
            }
        }
    }
    let mut out = Vec::with_capacity(report_rows.len());
    let mut replaced = std::collections::HashSet::new();
    for (key, record) in report_rows {
        match key {
            Some(key) if newest_direct.contains_key(&key) => {
                if let Some((_, direct)) = newest_direct.remove(&key) {
                    out.push(direct);
                }
                replaced.insert(key);
            }
            // A repeated row of an activity already replaced is dropped.
            Some(key) if replaced.contains(&key) => {}
            _ => out.push(record),
        }
    }
    for key in direct_order {
        if let Some((_, direct)) = newest_direct.remove(&key) {
            out.push(direct);
        }
    }
    out
}
