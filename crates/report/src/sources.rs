//! What reports are made from: a council's published record (the same reads the public site
//! makes), or for the staff site that record with the quarter's returns as they stand before
//! publication laid over it.

use crate::ReportError;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use waymark_domain::headline::HeadlineRule;
use waymark_domain::records::{ActivityRecord, ReturnRecord};
use waymark_domain::stats::{self, PeriodStats};
use waymark_domain::workflow::ReturnState;
use waymark_domain::{FinancialYear, Period};
use waymark_store::{IndicatorValueView, Organisation, PlanOverview, Store};

/// Everything a report reads, borrowed (the public site lends its own copy).
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub org: &'a Organisation,
    pub overview: &'a PlanOverview,
    pub activities: &'a [ActivityRecord],
    /// Returns standing for each period (repeated rows included, as published).
    pub returns: &'a BTreeMap<Period, Vec<ReturnRecord>>,
    pub stats: &'a BTreeMap<Period, PeriodStats>,
    pub indicators: &'a [IndicatorValueView],
    pub rule: &'a HeadlineRule,
    /// Reports built from returns not yet published say DRAFT.
    pub draft: bool,
    /// What a draft leaves out, said in its introduction (a director's holds only their
    /// directorate's unpublished returns).
    pub scope: Option<&'a str>,
    /// The day the report is made (overdue is judged against the period's end, not this).
    pub today: NaiveDate,
}

impl Sources<'_> {
    /// Periods with returns, oldest first.
    pub fn periods(&self) -> Vec<Period> {
        self.returns.keys().copied().collect()
    }

    /// The period reported before `period`, if any.
    pub fn previous(&self, period: Period) -> Option<Period> {
        self.returns.keys().rev().find(|p| **p < period).copied()
    }

    /// The last period of the financial year before `period`'s with returns: "last year".
    pub fn last_year(&self, period: Period) -> Option<Period> {
        let same = Period::new(period.year.0 - 1, period.quarter);
        if self.returns.contains_key(&same) {
            return Some(same);
        }
        self.returns
            .keys()
            .rev()
            .find(|p| p.year.0 == period.year.0 - 1)
            .copied()
    }

    /// A period as asked for on the command line: a quarter ("2024/25 Q4", "2024-25-q4"), or a
    /// financial year ("2024/25"), meaning its latest quarter with returns.
    pub fn resolve_period(&self, text: &str) -> Result<Period, ReportError> {
        let available = || {
            let list: Vec<String> = self.returns.keys().map(|p| p.slug()).collect();
            if list.is_empty() {
                "no period has returns yet".to_string()
            } else {
                format!("periods with returns: {}", list.join(", "))
            }
        };
        let wanted = if let Ok(p) = text.parse::<Period>() {
            Some(p)
        } else if let Ok(year) = text.parse::<FinancialYear>() {
            self.returns.keys().rev().find(|p| p.year == year).copied()
        } else {
            return Err(ReportError::Unavailable(format!(
                "'{text}' is not a period (write a quarter such as 2024/25 Q4 or a year such as 2024/25)"
            )));
        };
        match wanted {
            Some(p) if self.returns.contains_key(&p) => Ok(p),
            _ => Err(ReportError::Unavailable(format!(
                "nothing has been reported for {text}; {}",
                available()
            ))),
        }
    }
}

/// A council's published record, owned: what the command line and the staff site load.
#[derive(Debug, Clone)]
pub struct Published {
    pub org: Organisation,
    pub overview: PlanOverview,
    pub activities: Vec<ActivityRecord>,
    pub returns: BTreeMap<Period, Vec<ReturnRecord>>,
    pub stats: BTreeMap<Period, PeriodStats>,
    pub indicators: Vec<IndicatorValueView>,
    pub rule: HeadlineRule,
    pub draft: bool,
    /// See [`Sources::scope`].
    pub scope: Option<String>,
}

impl Published {
    pub async fn load(store: &Store, org: &Organisation) -> Result<Published, ReportError> {
        let (overview, activities, all_returns, indicators, rule) = tokio_free_join(
            store.plan_overview(org, None),
            store.activities(org, None),
            store.returns(org, None, None),
            store.indicator_values(org, None),
            store.headline_rule(org, None),
        )
        .await?;
        let mut returns: BTreeMap<Period, Vec<ReturnRecord>> = BTreeMap::new();
        for r in all_returns {
            returns.entry(r.period).or_default().push(r);
        }
        let mut published = Published {
            org: org.clone(),
            overview,
            activities,
            returns,
            stats: BTreeMap::new(),
            indicators,
            rule,
            draft: false,
            scope: None,
        };
        for period in published.returns.keys().copied().collect::<Vec<_>>() {
            let claims: Vec<_> = store
                .claims(org, period, None)
                .await?
                .into_iter()
                .map(|c| c.claim)
                .collect();
            published.recount(period, &claims);
        }
        Ok(published)
    }

    /// Lay a quarter's returns as they stand in the workflow over the published record: each
    /// submitted or approved return replaces the published one for its activity; returns still
    /// with their owner (draft, sent back) are left out, so the activity shows as missing.
    /// Only the returns of activities `visible` lets through are laid over (a director sees
    /// their own directorate's unpublished returns, not others'). Indicator values are not laid
    /// over: the indicators stay as published. The result is marked DRAFT.
    pub async fn with_unpublished(
        mut self,
        store: &Store,
        period: Period,
        visible: impl Fn(i64) -> bool,
    ) -> Result<Published, ReportError> {
        let Some(cycle) = store
            .cycles(&self.org)
            .await?
            .into_iter()
            .find(|c| c.period == period)
        else {
            return Ok(Published {
                draft: true,
                ..self
            });
        };
        let current = store.cycle_returns(&self.org, cycle.id).await?;
        let mut in_period = self.returns.remove(&period).unwrap_or_default();
        for (activity_id, version) in current {
            if !matches!(
                version.state,
                ReturnState::Submitted | ReturnState::Approved
            ) || !visible(activity_id)
            {
                continue;
            }
            let Some(activity) = self.activities.iter().find(|a| a.id == activity_id) else {
                continue;
            };
            in_period.retain(|r| r.activity_id != Some(activity_id));
            let c = &version.content;
            let text = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
            in_period.push(ReturnRecord {
                activity_id: Some(activity_id),
                // As publishing stores it: each unreferenced activity counted once, apart.
                reference: activity
                    .reference
                    .clone()
                    .unwrap_or_else(|| format!("unreferenced-{activity_id}")),
                title: activity.title.clone(),
                directorate: activity.directorate.clone(),
                period,
                status: c.status,
                status_label: crate::status_label(c.status).to_string(),
                note: text(&c.commentary),
                source: None,
                corrective_action: text(&c.corrective_action),
                reason: text(&c.reason),
            });
        }
        self.returns.insert(period, in_period);
        self.recount(period, &[]);
        self.draft = true;
        Ok(self)
    }

    fn recount(&mut self, period: Period, claims: &[waymark_domain::document::PublishedClaim]) {
        let in_period = self
            .returns
            .get(&period)
            .map(Vec::as_slice)
            .unwrap_or_default();
        self.stats.insert(
            period,
            stats::compute(period, in_period, &self.activities, &self.rule, claims),
        );
    }

    pub fn sources(&self, today: NaiveDate) -> Sources<'_> {
        Sources {
            org: &self.org,
            overview: &self.overview,
            activities: &self.activities,
            returns: &self.returns,
            stats: &self.stats,
            indicators: &self.indicators,
            rule: &self.rule,
            draft: self.draft,
            scope: self.scope.as_deref(),
            today,
        }
    }
}

/// Run five reads one after another (the store's pool serialises SQLite reads anyway, and this
/// crate stays free of a runtime dependency).
async fn tokio_free_join<A, B, C, D, E, Err>(
    a: impl Future<Output = Result<A, Err>>,
    b: impl Future<Output = Result<B, Err>>,
    c: impl Future<Output = Result<C, Err>>,
    d: impl Future<Output = Result<D, Err>>,
    e: impl Future<Output = Result<E, Err>>,
) -> Result<(A, B, C, D, E), Err> {
    Ok((a.await?, b.await?, c.await?, d.await?, e.await?))
}
