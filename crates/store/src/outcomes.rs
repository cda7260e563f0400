//! Linking activities to the plan's outcomes, so progress can be read by theme and outcome.

//!
//! Links come two ways. People make them (`waymark outcomes FILE`, the staff site's plan
//! pages): `activity_outcomes`, the newest set of an activity standing. The outcome suggester
//! (`waymark_domain::outcome_suggest`) proposes them from the plan's own words:
//! `outcome_suggestions`, append-only, the newest row of an activity and outcome standing. A
//! confident suggestion is published and counted as a *suggested* link until a person
//! confirms it (it becomes part of the activity's `activity_outcomes` set) or rejects it (it
//! is never suggested again). An activity with a set made by a person gets no suggestions.

use crate::staff::audit::{self, Change, Who};
use crate::{Organisation, Result, Store, StoreError, Tx, as_of_bound, corrupt, stamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};
use waymark_domain::outcome_suggest::{
    ActivityText, OutcomeText, Ranked, SuggestOptions, Verdict, suggest,
};
use waymark_domain::records::OutcomeRef;

/// A confident suggestion: published and counted as a suggested link.
pub(crate) const STATE_SUGGESTED: &str = "suggested";
/// The best outcome, not confident: waits for a person.
const STATE_WAITING: &str = "waiting";
/// Ranked below the best.
const STATE_ALTERNATIVE: &str = "alternative";
/// A later run no longer ranks it.
const STATE_WITHDRAWN: &str = "withdrawn";
const STATE_CONFIRMED: &str = "confirmed";
const STATE_REJECTED: &str = "rejected";

/// Whether a state is a suggestion nobody has decided yet.
fn open(state: &str) -> bool {
    matches!(state, STATE_SUGGESTED | STATE_WAITING | STATE_ALTERNATIVE)
}

/// The newest row of one activity and outcome in `outcome_suggestions`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SuggestionState {
    pub state: String,
    pub score: f64,
    pub ranking: i64,
}

/// One activity's suggestions from a run of the suggester.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivitySuggestion {
    pub activity_id: i64,
    pub reference: Option<String>,
    pub title: String,
    pub directorate: String,
    /// The outcomes, best first, with scores (0..=1). Empty when a person has decided.
    pub ranked: Vec<Ranked>,
    /// "confident" (linked as suggested), "waiting" (for a person), or "decided" (a person
    /// linked the activity's outcomes: nothing suggested).
    pub decision: &'static str,
    /// The outcome linked as suggested (confident only).
    pub linked: Option<u32>,
    /// The outcomes a person linked (decided only).
    pub confirmed: Vec<u32>,
}

/// A suggestion for one activity as the staff site shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenSuggestion {
    pub outcome: u32,
    pub score: f64,
    /// "suggested" (published as a suggested link), "waiting" or "alternative".
    pub state: String,
}

/// A person's decision on one suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionDecision {
    Confirm,
    Reject,
}

impl Store {
    /// The outcomes of the newest corporate plan known on `as_of`, by number.
    pub(crate) async fn plan_outcomes(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<HashMap<u32, OutcomeRef>> {
        let rows = sqlx::query(
            "SELECT o.number, o.title, t.number AS theme_number, t.title AS theme_title
             FROM outcomes o JOIN themes t ON t.id = o.theme_id
             WHERE o.org_id = $1 AND t.document_id = (
                 SELECT MAX(id) FROM documents WHERE org_id = $1 AND kind = 'corporate-plan' AND recorded_at < $2)",
        )
        .bind(org.id)
        .bind(as_of_bound(as_of))
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::new();
        for r in &rows {
            let number: i64 = r.try_get("number")?;
            let theme: i64 = r.try_get("theme_number")?;
            let number = u32::try_from(number).map_err(corrupt)?;
            out.insert(
                number,
                OutcomeRef {
                    number,
                    title: r.try_get("title")?,
                    theme_number: u32::try_from(theme).map_err(corrupt)?,
                    theme_title: r.try_get("theme_title")?,
                    suggested: false,
                },
            );
        }
        Ok(out)
    }

    /// The newest outcome set of each activity recorded by `as_of`, each number with whether
    /// it is only suggested: the set a person made or confirmed (`activity_outcomes`) when there
    /// is one, else the outcome suggester's confident suggestions that nobody has decided.
    pub(crate) async fn outcome_sets(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<HashMap<i64, Vec<(u32, bool)>>> {
        let bound = as_of_bound(as_of);
        let rows = sqlx::query(
            "SELECT activity_id, outcomes_json FROM activity_outcomes
             WHERE org_id = $1 AND recorded_at < $2 ORDER BY id",
        )
        .bind(org.id)
        .bind(&bound)
        .fetch_all(&self.pool);
        let (rows, states) = tokio::try_join!(
            async { Ok::<_, StoreError>(rows.await?) },
            self.suggestion_states(org, &bound),
        )?;
        let mut out: HashMap<i64, Vec<(u32, bool)>> = HashMap::new();
        for r in &rows {
            let json: String = r.try_get("outcomes_json")?;
            let set: Vec<u32> = serde_json::from_str(&json).map_err(corrupt)?;
            out.insert(
                r.try_get("activity_id")?,
                set.into_iter().map(|n| (n, false)).collect(),
            );
        }
        let mut suggested: HashMap<i64, Vec<u32>> = HashMap::new();
        for ((activity, outcome), s) in &states {
            if s.state == STATE_SUGGESTED && !out.contains_key(activity) {
                suggested.entry(*activity).or_default().push(*outcome);
            }
        }
        for (activity, mut numbers) in suggested {
            numbers.sort_unstable();
            out.insert(activity, numbers.into_iter().map(|n| (n, true)).collect());
        }
        Ok(out)
    }

    /// The newest state of every suggested activity and outcome recorded before `bound`.
    pub(crate) async fn suggestion_states(
        &self,
        org: &Organisation,
        bound: &str,
    ) -> Result<BTreeMap<(i64, u32), SuggestionState>> {
        let rows = sqlx::query(
            "SELECT activity_id, outcome, state, score, ranking
             FROM outcome_suggestions WHERE org_id = $1 AND recorded_at < $2 ORDER BY id",
        )
        .bind(org.id)
        .bind(bound)
        .fetch_all(&self.pool)
        .await?;
        states_of(&rows)
    }

    /// The outcomes of the newest corporate plan as the plan describes them.
    async fn outcome_texts(&self, org: &Organisation) -> Result<Vec<OutcomeText>> {
        let rows = sqlx::query(
            "SELECT o.number, o.title, o.narrative_json, t.title AS theme_title, t.summary AS theme_summary
             FROM outcomes o JOIN themes t ON t.id = o.theme_id
             WHERE o.org_id = $1 AND t.document_id = (
                 SELECT MAX(id) FROM documents WHERE org_id = $1 AND kind = 'corporate-plan')
             ORDER BY o.number, o.id",
        )
        .bind(org.id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let number: i64 = r.try_get("number")?;
                let narrative: String = r.try_get("narrative_json")?;
                Ok(OutcomeText {
                    number: u32::try_from(number).map_err(corrupt)?,
                    title: r.try_get("title")?,
                    narrative: serde_json::from_str(&narrative).map_err(corrupt)?,
                    theme_title: r.try_get("theme_title")?,
                    theme_summary: r.try_get("theme_summary")?,
                })
            })
            .collect()
    }

    /// Suggest outcomes for every activity nobody has linked, from the newest corporate plan's
    /// words. With `apply`, record them (confident ones become suggested links; the rest wait
    /// for a person); a suggestion a person confirmed or rejected is never changed. Without a
    /// corporate plan with outcomes there is nothing to suggest (an empty list).
    pub async fn suggest_outcomes(
        &self,
        org: &Organisation,
        apply: bool,
        at: DateTime<Utc>,
    ) -> Result<Vec<ActivitySuggestion>> {
        let outcomes = self.outcome_texts(org).await?;
        if outcomes.is_empty() {
            return Ok(vec![]);
        }
        let activities = self.activities(org, None).await?;
        let mut tx = if apply {
            Some(self.begin_write().await?)
        } else {
            None
        };
        // The decisions are read inside the write lock, so a person's decision made meanwhile
        // is not overwritten.
        let (confirmed, states) = match tx.as_mut() {
            Some(tx) => decisions(tx, org).await?,
            None => {
                let mut conn = self.pool.acquire().await?;
                decisions(&mut conn, org).await?
            }
        };
        let texts: Vec<ActivityText> = activities
            .iter()
            .map(|a| {
                let mut titles = vec![a.title.clone()];
                titles.extend(a.plan_title.iter().cloned());
                titles.extend(a.former_titles.iter().cloned());
                titles.dedup();
                ActivityText {
                    id: a.id,
                    titles,
                    directorate: a.directorate.clone(),
                    excluded: states
                        .iter()
                        .filter(|((id, _), s)| *id == a.id && !open(&s.state))
                        .map(|((_, n), _)| *n)
                        .collect(),
                }
            })
            .collect();
        let known: Vec<(i64, Vec<u32>)> = confirmed
            .iter()
            .map(|(id, set)| (*id, set.clone()))
            .collect();
        let suggestions = suggest(&outcomes, &texts, &known, &SuggestOptions::default());
        let now = stamp(at);
        let mut out = vec![];
        let mut written = 0usize;
        for (a, s) in activities.iter().zip(suggestions) {
            let row = |ranked, decision, linked, confirmed| ActivitySuggestion {
                activity_id: a.id,
                reference: a.reference.clone(),
                title: a.title.clone(),
                directorate: a.directorate.clone(),
                ranked,
                decision,
                linked,
                confirmed,
            };
            if let Some(set) = confirmed.get(&a.id) {
                out.push(row(vec![], "decided", None, set.clone()));
                continue;
            }
            if let Some(tx) = tx.as_mut() {
                // What this run says of each outcome, then what it no longer says.
                let mut wanted: BTreeMap<u32, (&str, f64, i64)> = BTreeMap::new();
                for (i, r) in s.ranked.iter().enumerate() {
                    let state = match (i, s.verdict) {
                        (0, Verdict::Confident) => STATE_SUGGESTED,
                        (0, Verdict::Waiting) => STATE_WAITING,
                        _ => STATE_ALTERNATIVE,
                    };
                    wanted.insert(r.outcome, (state, r.score, i as i64 + 1));
                }
                for ((id, n), old) in states.range((a.id, 0)..=(a.id, u32::MAX)) {
                    if *id == a.id && open(&old.state) && !wanted.contains_key(n) {
                        wanted.insert(*n, (STATE_WITHDRAWN, old.score, 0));
                    }
                }
                for (n, (state, score, ranking)) in wanted {
                    let same = states.get(&(a.id, n)).is_some_and(|old| {
                        old.state == state
                            && old.ranking == ranking
                            && (old.score - score).abs() < 1e-9
                    });
                    if same {
                        continue;
                    }
                    insert(tx, org, a.id, n, score, ranking, state, None, &now).await?;
                    written += 1;
                }
            }
            let linked = s.confident();
            let decision = s.verdict.key();
            out.push(row(s.ranked, decision, linked, vec![]));
        }
        if let Some(mut tx) = tx {
            if written > 0 {
                crate::bump_version(&mut tx, org.id).await?;
            }
            self.commit(tx).await?;
        }
        Ok(out)
    }

    /// The suggestions nobody has decided for one activity, best first.
    pub async fn open_outcome_suggestions(
        &self,
        org: &Organisation,
        activity_id: i64,
    ) -> Result<Vec<OpenSuggestion>> {
        let rows = sqlx::query(
            "SELECT activity_id, outcome, state, score, ranking
             FROM outcome_suggestions WHERE org_id = $1 AND activity_id = $2 ORDER BY id",
        )
        .bind(org.id)
        .bind(activity_id)
        .fetch_all(&self.pool)
        .await?;
        let mut open_ones: Vec<(i64, OpenSuggestion)> = states_of(&rows)?
            .into_iter()
            .filter(|(_, s)| open(&s.state))
            .map(|((_, outcome), s)| {
                (
                    s.ranking,
                    OpenSuggestion {
                        outcome,
                        score: s.score,
                        state: s.state,
                    },
                )
            })
            .collect();
        open_ones.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.outcome.cmp(&b.1.outcome)));
        Ok(open_ones.into_iter().map(|(_, s)| s).collect())
    }

    /// A person confirms or rejects one suggested outcome of an activity. Confirming adds the
    /// outcome to the activity's links (the set a person made); rejecting means it is never
    /// suggested for the activity again. Both are recorded with who and when, and audited.
    pub async fn decide_outcome_suggestion(
        &self,
        org: &Organisation,
        activity_id: i64,
        outcome: u32,
        decision: SuggestionDecision,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "SELECT activity_id, outcome, state, score, ranking
             FROM outcome_suggestions WHERE org_id = $1 AND activity_id = $2 AND outcome = $3 ORDER BY id",
        )
        .bind(org.id)
        .bind(activity_id)
        .bind(i64::from(outcome))
        .fetch_all(&mut *tx)
        .await?;
        let states = states_of(&rows)?;
        let Some(current) = states
            .get(&(activity_id, outcome))
            .filter(|s| open(&s.state))
        else {
            return Err(StoreError::Usage(format!(
                "outcome {outcome} is not a suggestion waiting for a decision on this activity"
            )));
        };
        let now = stamp(at);
        let state = match decision {
            SuggestionDecision::Confirm => STATE_CONFIRMED,
            SuggestionDecision::Reject => STATE_REJECTED,
        };
        insert(
            &mut tx,
            org,
            activity_id,
            outcome,
            current.score,
            current.ranking,
            state,
            Some(&who.name),
            &now,
        )
        .await?;
        let before: Option<String> = sqlx::query_scalar(
            "SELECT outcomes_json FROM activity_outcomes WHERE org_id = $1 AND activity_id = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(org.id)
        .bind(activity_id)
        .fetch_optional(&mut *tx)
        .await?;
        let before: Option<Vec<u32>> = before
            .map(|b| serde_json::from_str(&b))
            .transpose()
            .map_err(corrupt)?;
        let mut after = before.clone().unwrap_or_default();
        if decision == SuggestionDecision::Confirm {
            after.push(outcome);
            after.sort_unstable();
            after.dedup();
            sqlx::query(
                "INSERT INTO activity_outcomes (org_id, activity_id, outcomes_json, recorded_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(org.id)
            .bind(activity_id)
            .bind(serde_json::to_string(&after).map_err(corrupt)?)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who,
                action: match decision {
                    SuggestionDecision::Confirm => "plan.outcome-suggestion-confirmed",
                    SuggestionDecision::Reject => "plan.outcome-suggestion-rejected",
                },
                subject: format!("activity {activity_id}"),
                before: Some(json!({
                    "outcome": outcome,
                    "suggestion": current.state,
                    "score": current.score,
                    "outcomes": before,
                })),
                after: Some(json!({ "outcome": outcome, "suggestion": state, "outcomes": after })),
                row: None,
            },
            at,
        )
        .await?;
        crate::bump_version(&mut tx, org.id).await?;
        self.commit(tx).await?;
        Ok(())
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
        self.commit(tx).await?;
        Ok(assignments.len())
    }
}

/// The newest state of each activity and outcome among rows selected as
/// `activity_id, outcome, state, score, ranking` in id order (read by those names).
fn states_of(rows: &[sqlx::any::AnyRow]) -> Result<BTreeMap<(i64, u32), SuggestionState>> {
    let mut out = BTreeMap::new();
    for r in rows {
        let outcome: i64 = r.try_get("outcome")?;
        out.insert(
            (
                r.try_get("activity_id")?,
                u32::try_from(outcome).map_err(corrupt)?,
            ),
            SuggestionState {
                state: r.try_get("state")?,
                score: r.try_get("score")?,
                ranking: r.try_get("ranking")?,
            },
        );
    }
    Ok(out)
}

/// People's outcome sets (newest per activity) and the suggestions' newest states.
#[allow(clippy::type_complexity)]
async fn decisions(
    conn: &mut sqlx::AnyConnection,
    org: &Organisation,
) -> Result<(
    BTreeMap<i64, Vec<u32>>,
    BTreeMap<(i64, u32), SuggestionState>,
)> {
    let rows = sqlx::query(
        "SELECT activity_id, outcomes_json FROM activity_outcomes WHERE org_id = $1 ORDER BY id",
    )
    .bind(org.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut sets = BTreeMap::new();
    for r in &rows {
        let json: String = r.try_get("outcomes_json")?;
        let set: Vec<u32> = serde_json::from_str(&json).map_err(corrupt)?;
        sets.insert(r.try_get::<i64, _>("activity_id")?, set);
    }
    let rows = sqlx::query(
        "SELECT activity_id, outcome, state, score, ranking
         FROM outcome_suggestions WHERE org_id = $1 ORDER BY id",
    )
    .bind(org.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok((sets, states_of(&rows)?))
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx,
    org: &Organisation,
    activity_id: i64,
    outcome: u32,
    score: f64,
    ranking: i64,
    state: &str,
    decided_by: Option<&str>,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO outcome_suggestions (org_id, activity_id, outcome, score, ranking, state, decided_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(org.id)
    .bind(activity_id)
    .bind(i64::from(outcome))
    .bind(score)
    .bind(ranking)
    .bind(state)
    .bind(decided_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
