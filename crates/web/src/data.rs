//! Everything one council publishes, read from the store in one go. Pages, downloads and the
//! API are all functions of this value, so they always agree with each other.

use crate::opendata::{ActivityRow, activity_rows};
use crate::routes::slugify;
use std::collections::{BTreeMap, HashMap};
use waymark_domain::headline::HeadlineRule;
use waymark_domain::records::{ActivityRecord, ReturnRecord};
use waymark_domain::stats::{self, PeriodStats, unique_returns};
use waymark_domain::{Period, Status};
use waymark_store::{IndicatorValueView, Organisation, PlanOverview, Store, StoreError};

#[derive(Debug, Clone)]
pub struct CouncilData {
    pub org: Organisation,
    pub overview: PlanOverview,
    pub activities: Vec<ActivityRecord>,
    /// Periods with returns, oldest first.
    pub periods: Vec<Period>,
    /// Returns standing for each period (repeated rows included, as published).
    pub returns: BTreeMap<Period, Vec<ReturnRecord>>,
    pub stats: BTreeMap<Period, PeriodStats>,
    /// Activity rows (plan activities and reported rows) with their status in each period.
    pub rows: BTreeMap<Period, Vec<ActivityRow>>,
    /// Rows with no period: the plan as it stands before any return.
    pub plan_rows: Vec<ActivityRow>,
    pub indicators: Vec<Indicator>,
    /// The same values as `indicators`, as the store gave them (reports read these).
    pub indicator_values: Vec<IndicatorValueView>,
    pub rule: HeadlineRule,
    pub directorates: Vec<Named>,
    pub portfolios: Vec<Named>,
    /// Activity URL key → index into `activities`.
    pub by_key: HashMap<String, usize>,
    /// Activity id → its counted return in each period, oldest first (worked out once: every
    /// activity page and its JSON need it).
    history: HashMap<i64, Vec<ReturnRecord>>,
}

/// A directorate or portfolio: its name as published and its URL slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub slug: String,
}

/// An indicator with its values, oldest year first.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub reference: String,
    pub name: String,
    pub frequency: String,
    pub section: Option<String>,
    pub values: Vec<IndicatorValueView>,
}

impl CouncilData {
    pub async fn load(store: &Store, org: &Organisation) -> Result<CouncilData, StoreError> {
        let (overview, activities, periods, all_returns, values, rule) = tokio::try_join!(
            store.plan_overview(org, None),
            store.activities(org, None),
            store.periods(org, None),
            store.returns(org, None, None),
            store.indicator_values(org, None),
            store.headline_rule(org, None),
        )?;
        let mut returns: BTreeMap<Period, Vec<ReturnRecord>> = BTreeMap::new();
        for r in all_returns {
            returns.entry(r.period).or_default().push(r);
        }
        let mut stats = BTreeMap::new();
        let mut rows = BTreeMap::new();
        for period in &periods {
            let claims: Vec<_> = store
                .claims(org, *period, None)
                .await?
                .into_iter()
                .map(|c| c.claim)
                .collect();
            let in_period = returns.get(period).map(Vec::as_slice).unwrap_or_default();
            stats.insert(
                *period,
                stats::compute(*period, in_period, &activities, &rule, &claims),
            );
            rows.insert(
                *period,
                activity_rows(&activities, in_period, Some(*period)),
            );
        }
        let plan_rows = activity_rows(&activities, &[], None);
        Ok(CouncilData::assemble(
            org.clone(),
            overview,
            activities,
            periods,
            returns,
            stats,
            rows,
            plan_rows,
            values,
            rule,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        org: Organisation,
        overview: PlanOverview,
        activities: Vec<ActivityRecord>,
        periods: Vec<Period>,
        returns: BTreeMap<Period, Vec<ReturnRecord>>,
        stats: BTreeMap<Period, PeriodStats>,
        rows: BTreeMap<Period, Vec<ActivityRow>>,
        plan_rows: Vec<ActivityRow>,
        values: Vec<IndicatorValueView>,
        rule: HeadlineRule,
    ) -> CouncilData {
        let mut directorates = named(activities.iter().map(|a| a.directorate.as_str()));
        directorates.extend(named(
            returns.values().flatten().map(|r| r.directorate.as_str()),
        ));
        let directorates = dedupe(directorates);
        let portfolios = dedupe(named(
            activities
                .iter()
                .flat_map(|a| a.portfolios.iter().map(String::as_str)),
        ));
        let indicator_values = values.clone();
        let mut indicators: Vec<Indicator> = vec![];
        for value in values {
            match indicators.last_mut() {
                Some(last) if last.reference == value.reference => last.values.push(value),
                _ => indicators.push(Indicator {
                    reference: value.reference.clone(),
                    name: value.name.clone(),
                    frequency: value.frequency.clone(),
                    section: value.section.clone(),
                    values: vec![value],
                }),
            }
        }
        let mut history: HashMap<i64, Vec<ReturnRecord>> = HashMap::new();
        for in_period in returns.values() {
            for r in unique_returns(in_period) {
                if let Some(id) = r.activity_id {
                    history.entry(id).or_default().push(r.clone());
                }
            }
        }
        let mut by_key = HashMap::new();
        for (i, a) in activities.iter().enumerate() {
            by_key.insert(activity_key(a), i);
        }
        CouncilData {
            org,
            overview,
            activities,
            periods,
            returns,
            stats,
            rows,
            plan_rows,
            indicators,
            indicator_values,
            rule,
            directorates,
            portfolios,
            by_key,
            history,
        }
    }

    pub fn latest(&self) -> Option<Period> {
        self.periods.last().copied()
    }

    /// The rows the activity list shows: as of the latest period, or the plan alone.
    pub fn current_rows(&self) -> &[ActivityRow] {
        self.latest()
            .and_then(|p| self.rows.get(&p))
            .map_or(self.plan_rows.as_slice(), Vec::as_slice)
    }

    pub fn activity(&self, key: &str) -> Option<&ActivityRecord> {
        self.by_key.get(key).map(|&i| &self.activities[i])
    }

    /// The activity a row of the list stands for (report-only rows included).
    pub fn activity_of_row(&self, row: &ActivityRow) -> Option<&ActivityRecord> {
        match &row.reference {
            Some(reference) => self.activity(reference),
            None => self
                .activities
                .iter()
                .find(|a| a.reference.is_none() && a.title == row.title),
        }
    }

    /// Each period's counted return for one activity, oldest first.
    pub fn history(&self, activity: &ActivityRecord) -> &[ReturnRecord] {
        self.history
            .get(&activity.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub fn directorate(&self, slug: &str) -> Option<&Named> {
        self.directorates.iter().find(|d| d.slug == slug)
    }

    pub fn portfolio(&self, slug: &str) -> Option<&Named> {
        self.portfolios.iter().find(|p| p.slug == slug)
    }

    pub fn indicator(&self, reference: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.reference == reference)
    }

    /// The period reported before `period`, if any.
    pub fn previous(&self, period: Period) -> Option<Period> {
        self.periods.iter().rev().find(|p| **p < period).copied()
    }
}

/// The URL key of an activity: the council's own reference, or a stable key made from the
/// stored id for the few plan activities published without one.
pub fn activity_key(activity: &ActivityRecord) -> String {
    match &activity.reference {
        Some(reference) => reference.clone(),
        None => format!("unreferenced-{}", activity.id),
    }
}

/// The URL key for a list row: its reference, or its activity's key.
pub fn row_key(data: &CouncilData, row: &ActivityRow) -> Option<String> {
    match &row.reference {
        Some(reference) => Some(reference.clone()),
        None => data.activity_of_row(row).map(activity_key),
    }
}

fn named<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Named> {
    names
        .filter(|n| !n.trim().is_empty())
        .map(|name| Named {
            name: name.to_string(),
            slug: slugify(name),
        })
        .collect()
}

/// Names in order of first appearance, each once; two names with one slug share it.
fn dedupe(names: Vec<Named>) -> Vec<Named> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|n| seen.insert(n.slug.clone()))
        .collect()
}

/// What changed between two periods, activity by activity.
#[derive(Debug, Clone, Default)]
pub struct Movements {
    /// (key, title, from, to)
    pub changed: Vec<(Option<String>, String, Status, Status)>,
    pub new: Vec<(Option<String>, String, Status)>,
    pub dropped: Vec<(Option<String>, String, Status)>,
    pub unchanged: usize,
}

pub fn movements(data: &CouncilData, period: Period, previous: Period) -> Movements {
    let index = |p: Period| -> BTreeMap<String, (Option<String>, String, Status)> {
        data.rows
            .get(&p)
            .map(|rows| {
                rows.iter()
                    .filter_map(|row| {
                        let status = Status::from_key(row.status?)?;
                        let key = row_key(data, row);
                        let id = key.clone().unwrap_or_else(|| row.title.clone());
                        Some((id, (key, row.title.clone(), status)))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let now = index(period);
    let before = index(previous);
    let mut m = Movements::default();
    for (id, (key, title, status)) in &now {
        match before.get(id) {
            Some((_, _, was)) if was == status => m.unchanged += 1,
            Some((_, _, was)) => m.changed.push((key.clone(), title.clone(), *was, *status)),
            None => m.new.push((key.clone(), title.clone(), *status)),
        }
    }
    for (id, (key, title, status)) in &before {
        if !now.contains_key(id) {
            m.dropped.push((key.clone(), title.clone(), *status));
        }
    }
    m
}
