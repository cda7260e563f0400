//! Reads and writes sized for a shared service: one council's statistics for a period, every
//! council's headline side by side, one council's activities with their latest status, and a
//! single return recorded durably (the quarterly workflow's write).

use crate::{Organisation, Result, Store, StoreError, as_of_bound, corrupt, stamp};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use std::collections::HashMap;
use waymark_domain::headline::percent_one_decimal;
use waymark_domain::records::{ActivityRecord, OutcomeRef, ReturnRecord};
use waymark_domain::stats::{self, PeriodStats, StatusCounts};
use waymark_domain::{Period, Status};

/// One council's headline for a period, under its own rule.
#[derive(Debug, Clone, PartialEq)]
pub struct CouncilHeadline {
    pub organisation: Organisation,
    /// Activities reported (repeated rows counted once).
    pub total: usize,
    pub counts: StatusCounts,
    pub numerator: usize,
    pub denominator: usize,
    pub percent: Option<f64>,
    pub rule_name: String,
    pub rule: String,
}

/// An activity with the newest return it has.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityStatus {
    pub activity: ActivityRecord,
    pub latest: Option<ReturnRecord>,
}

/// A return recorded for one activity and period, outside any report document.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReturn {
    pub reference: String,
    pub period: Period,
    pub status: Status,
    /// The label as the council writes it ("On track").
    pub status_label: String,
    /// Commentary; for Amber and Red the corrective action, for Ceased the reason.
    pub note: Option<String>,
}

/// Longest commentary kept with a return, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;

impl Store {
    /// The statistics for one council and period, as `waymark stats` shows them.
    pub async fn period_stats(
        &self,
        org: &Organisation,
        period: Period,
        as_of: Option<NaiveDate>,
    ) -> Result<PeriodStats> {
        // Independent reads, side by side on the pool's connections.
        let (activities, returns, claims, rule) = tokio::try_join!(
            self.activity_facets(org, as_of),
            self.returns(org, Some(period), as_of),
            self.claims(org, period, as_of),
            self.headline_rule(org, as_of),
        )?;
        let claims: Vec<_> = claims.into_iter().map(|c| c.claim).collect();
        Ok(stats::compute(
            period,
            &returns,
            &activities,
            &rule,
            &claims,
        ))
    }

    /// What statistics group returns by, for each activity: its portfolios and outcomes. The
    /// other fields of the records are left empty — statistics never read them — which
    /// spares the names, due dates and plan titles a full activity read fetches.
    async fn activity_facets(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<ActivityRecord>> {
        let bound = as_of_bound(as_of);
        let rows = sqlx::query(
            "SELECT a.id, v.portfolios_json FROM activities a
             JOIN activity_versions v ON v.id = (SELECT MAX(id) FROM activity_versions
                                                 WHERE activity_id = a.id AND recorded_at < $2)
             WHERE a.org_id = $1 AND a.recorded_at < $2 AND a.merged_into IS NULL",
        )
        .bind(org.id)
        .bind(&bound)
        .fetch_all(&self.pool);
        let (rows, plan_outcomes, mut outcome_sets) = tokio::try_join!(
            async { Ok::<_, StoreError>(rows.await?) },
            self.plan_outcomes(org, as_of),
            self.outcome_sets(org, as_of),
        )?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let portfolios: String = r.try_get("portfolios_json")?;
                Ok(ActivityRecord {
                    id,
                    reference: None,
                    title: String::new(),
                    former_titles: vec![],
                    plan_title: None,
                    directorate: String::new(),
                    portfolios: serde_json::from_str(&portfolios).map_err(corrupt)?,
                    due: None,
                    status_note: None,
                    in_plan: false,
                    source: None,
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

    /// Every council's headline figure and status mix for one period, each under the rule that
    /// council set (Bexley's when none). Councils with no returns for the period have a total
    /// of 0 and no percentage. Read from the per-period summaries that every write keeps.
    pub async fn headline_comparison(&self, period: Period) -> Result<Vec<CouncilHeadline>> {
        let rows = sqlx::query(
            "SELECT org_id, total, counts_json FROM period_summaries WHERE period = $1",
        )
        .bind(period.slug())
        .fetch_all(&self.pool)
        .await?;
        let mut by_org: HashMap<i64, (usize, StatusCounts)> = HashMap::new();
        for r in &rows {
            let total: i64 = r.try_get("total")?;
            let counts: String = r.try_get("counts_json")?;
            by_org.insert(
                r.try_get("org_id")?,
                (
                    usize::try_from(total).map_err(corrupt)?,
                    serde_json::from_str(&counts).map_err(corrupt)?,
                ),
            );
        }
        let rules = self.headline_rules().await?;
        let mut out = vec![];
        for organisation in self.organisations().await? {
            let (total, counts) = by_org.remove(&organisation.id).unwrap_or_default();
            let rule = rules.get(&organisation.id).cloned().unwrap_or_default();
            let statuses = Status::ALL
                .iter()
                .flat_map(|s| std::iter::repeat_n(*s, counts.get(*s)));
            let (numerator, denominator) = rule.apply(statuses);
            out.push(CouncilHeadline {
                organisation,
                total,
                counts,
                numerator,
                denominator,
                percent: percent_one_decimal(numerator, denominator),
                rule_name: rule.name.clone(),
                rule: rule.describe(),
            });
        }
        Ok(out)
    }

    /// One council's activities, each with its newest return (latest period).
    pub async fn activity_statuses(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<ActivityStatus>> {
        // Activities with any return, from the index alone (without `as_of`): one with none
        // has no latest return, and need not be looked for in every period.
        let with_returns = match as_of {
            None => {
                sqlx::query_scalar("SELECT DISTINCT activity_id FROM updates WHERE org_id = $1")
                    .bind(org.id)
                    .fetch_all(&self.pool)
            }
            Some(_) => sqlx::query_scalar(
                "SELECT DISTINCT activity_id FROM updates WHERE org_id = $1 AND recorded_at < $2",
            )
            .bind(org.id)
            .bind(as_of_bound(as_of))
            .fetch_all(&self.pool),
        };
        let (activities, with_returns, periods) = tokio::try_join!(
            self.activities(org, as_of),
            async { Ok::<Vec<Option<i64>>, StoreError>(with_returns.await?) },
            self.periods(org, as_of),
        )?;
        let mut latest: HashMap<i64, ReturnRecord> = HashMap::new();
        let mut waiting: std::collections::HashSet<i64> = activities.iter().map(|a| a.id).collect();
        let with_returns: std::collections::HashSet<i64> =
            with_returns.into_iter().flatten().collect();
        waiting.retain(|id| with_returns.contains(id));
        // Newest period first, until every activity has its latest standing return: usually
        // the newest period alone holds them all.
        let candidates = periods.into_iter().rev();
        for period in candidates {
            if waiting.is_empty() {
                break;
            }
            for r in self.returns(org, Some(period), as_of).await? {
                // Within a period the first row stands (repeats come after it).
                if let Some(id) = r.activity_id
                    && waiting.remove(&id)
                {
                    latest.insert(id, r);
                }
            }
        }
        Ok(activities
            .into_iter()
            .map(|activity| ActivityStatus {
                latest: latest.remove(&activity.id),
                activity,
            })
            .collect())
    }

    /// Record one return for an activity, durably: when this returns, the return is on disk
    /// (SQLite synchronous=FULL, PostgreSQL commit) and counts in the period's statistics.
    pub async fn record_return(
        &self,
        org: &Organisation,
        input: &NewReturn,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let label = input.status_label.trim();
        if label.is_empty() {
            return Err(StoreError::Usage("the status label is empty".into()));
        }
        if let Some(note) = &input.note
            && note.chars().count() > MAX_NOTE_CHARS
        {
            return Err(StoreError::Usage(format!(
                "the commentary is longer than {MAX_NOTE_CHARS} characters"
            )));
        }
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO updates (org_id, activity_id, period, reference, title, directorate_id, status,
                                  status_label, note, document_id, line, position, recorded_at)
             SELECT a.org_id, a.id, $3, a.reference, v.title, v.directorate_id, $4, $5, $6, NULL, NULL, 0, $7
             FROM activities a
             JOIN activity_versions v ON v.id = (SELECT MAX(id) FROM activity_versions WHERE activity_id = a.id)
             WHERE a.org_id = $1 AND a.reference = $2 AND a.merged_into IS NULL
             RETURNING id",
        )
        .bind(org.id)
        .bind(&input.reference)
        .bind(input.period.slug())
        .bind(input.status.key())
        .bind(label)
        .bind(input.note.as_deref())
        .bind(stamp(at))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Err(StoreError::Usage(format!(
                "council '{}' has no activity with reference '{}'",
                org.slug, input.reference
            )));
        };
        refresh_period_summary(&mut tx, org.id, input.period, &stamp(at)).await?;
        crate::bump_version(&mut tx, org.id).await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// The periods any council has returns for, oldest first.
    pub async fn all_periods(&self, as_of: Option<NaiveDate>) -> Result<Vec<Period>> {
        let rows: Vec<String> = match as_of {
            // Every period with returns has a summary, written in the same transaction: the
            // summaries' index answers without reading millions of returns.
            None => {
                sqlx::query_scalar("SELECT DISTINCT period FROM period_summaries")
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(_) => {
                sqlx::query_scalar("SELECT DISTINCT period FROM updates WHERE recorded_at < $1")
                    .bind(as_of_bound(as_of))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        let mut periods = rows
            .iter()
            .map(|s| s.parse::<Period>().map_err(corrupt))
            .collect::<Result<Vec<_>>>()?;
        periods.sort();
        Ok(periods)
    }
}

/// Recompute one council's status counts for a period from the returns standing now, inside
/// the write that changed them: the same rows and the same repeat rule as its statistics.
pub(crate) async fn refresh_period_summary(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    period: Period,
    now: &str,
) -> Result<()> {
    let returns = crate::public::read::standing(conn, org_id, Some(period), None).await?;
    let mut counts = StatusCounts::default();
    let unique = stats::unique_returns(&returns);
    for r in &unique {
        counts.add(r.status);
    }
    let total = i64::try_from(unique.len()).map_err(corrupt)?;
    sqlx::query(
        "INSERT INTO period_summaries (org_id, period, total, counts_json, refreshed_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, period) DO UPDATE
         SET total = excluded.total, counts_json = excluded.counts_json, refreshed_at = excluded.refreshed_at",
    )
    .bind(org_id)
    .bind(period.slug())
    .bind(total)
    .bind(serde_json::to_string(&counts).map_err(corrupt)?)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Summaries for every council and period that has returns but no summary: databases made
/// before summaries were kept, filled once when opened.
pub(crate) async fn fill_missing_summaries(store: &Store) -> Result<()> {
    let missing = sqlx::query(
        "SELECT DISTINCT u.org_id, u.period FROM updates u
         WHERE NOT EXISTS (SELECT 1 FROM period_summaries s WHERE s.org_id = u.org_id AND s.period = u.period)",
    )
    .fetch_all(&store.pool)
    .await?;
    if missing.is_empty() {
        return Ok(());
    }
    let now = stamp(Utc::now());
    let mut tx = store.begin_write().await?;
    for r in &missing {
        let period: String = r.try_get("period")?;
        let period: Period = period.parse().map_err(corrupt)?;
        refresh_period_summary(&mut tx, r.try_get("org_id")?, period, &now).await?;
    }
    store.commit(tx).await?;
    Ok(())
}
