//! Statistics for one reporting period: counts by canonical status with duplicates removed,
//! the headline figure with its rule, breakdowns, and published claims recomputed.

use crate::document::{ClaimKind, PublishedClaim};
use crate::headline::{HeadlineRule, percent_one_decimal};
use crate::period::Period;
use crate::records::{ActivityRecord, ReturnRecord};
use crate::status::Status;
use crate::text::fold;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Counts per canonical status; every status is present (zero when none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub complete: usize,
    pub green: usize,
    pub amber: usize,
    pub red: usize,
    pub ceased: usize,
    pub not_started: usize,
    pub no_return: usize,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status) {
        *self.slot(status) += 1;
    }
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Complete => self.complete,
            Status::Green => self.green,
            Status::Amber => self.amber,
            Status::Red => self.red,
            Status::Ceased => self.ceased,
            Status::NotStarted => self.not_started,
            Status::NoReturn => self.no_return,
        }
    }
    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Complete => &mut self.complete,
            Status::Green => &mut self.green,
            Status::Amber => &mut self.amber,
            Status::Red => &mut self.red,
            Status::Ceased => &mut self.ceased,
            Status::NotStarted => &mut self.not_started,
            Status::NoReturn => &mut self.no_return,
        }
    }
    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// Counts and headline for one group (a directorate, a portfolio, a theme).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub name: String,
    pub total: usize,
    pub counts: StatusCounts,
    pub complete_or_on_track: usize,
    pub percent: Option<f64>,
}

fn checked_by_default() -> bool {
    true
}

impl ClaimCheck {
    /// "agrees", "does not agree" or "not checked", for people.
    pub fn verdict(&self) -> &'static str {
        match (self.checked, self.consistent) {
            (false, _) => "not checked",
            (true, true) => "agrees",
            (true, false) => "does not agree",
        }
    }
}

/// A published claim set against the recomputed figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimCheck {
    pub text: String,
    pub line: usize,
    /// The percentage the claim states, if it states one.
    pub percent: Option<f64>,
    /// The count and total the claim states, if it states them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    /// Whether the rows were there to check it against: a claim about indicators, or one
    /// counting something with no status, is published as stated and not checked.
    #[serde(default = "checked_by_default")]
    pub checked: bool,
    /// No disagreement found (always true for a claim that was not checked).
    pub consistent: bool,
    /// How the claim compares: "83% published; 97 of 116 = 83.6%, rounded down".
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodStats {
    pub period: Period,
    /// Returns counted: one per activity reference, duplicates removed.
    pub total: usize,
    /// Rows in the source(s) before duplicates were removed.
    pub rows: usize,
    pub duplicates_removed: usize,
    pub counts: StatusCounts,
    /// The headline numerator under the council's rule.
    pub numerator: usize,
    /// The headline denominator under the council's rule.
    pub denominator: usize,
    pub percent: Option<f64>,
    pub rule: String,
    pub rule_name: String,
    pub by_directorate: Vec<Breakdown>,
    pub by_portfolio: Vec<Breakdown>,
    /// By priority theme and by outcome, for activities linked to outcomes.
    pub by_theme: Vec<Breakdown>,
    pub by_outcome: Vec<Breakdown>,
    /// Of the activities counted, how many the theme and outcome breakdowns place by links a
    /// person made or confirmed, and how many only by the outcome suggester's links.
    #[serde(default)]
    pub outcome_links: OutcomeLinks,
    pub claims: Vec<ClaimCheck>,
}

/// How the activities counted in a period are linked to outcomes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeLinks {
    /// Linked by a person (or a suggestion a person confirmed).
    pub confirmed: usize,
    /// Linked only by a suggestion nobody has confirmed yet.
    pub suggested: usize,
    /// Not linked to any outcome.
    pub unlinked: usize,
}

/// What makes two returns one activity's: the reference, or the title of a row without one.
fn return_key(r: &ReturnRecord) -> String {
    if r.reference.trim().is_empty() {
        format!("\u{0}{}\u{0}{}", fold(&r.directorate), fold(&r.title))
    } else {
        fold(&r.reference)
    }
}

/// Returns that repeat an earlier return of the same source file for the same reference and
/// period, as (index, index of the first occurrence, identical).
pub fn repeated_returns(returns: &[ReturnRecord]) -> Vec<(usize, usize, bool)> {
    let mut first: HashMap<(Period, String, Option<String>), usize> = HashMap::new();
    let mut out = vec![];
    for (i, r) in returns.iter().enumerate() {
        let file = r.source.as_ref().map(|s| s.file.clone());
        let key = (r.period, return_key(r), file);
        match first.get(&key) {
            Some(&j) => {
                let a = &returns[j];
                let identical = fold(&a.title) == fold(&r.title)
                    && a.status == r.status
                    && fold(&a.directorate) == fold(&r.directorate)
                    && a.note == r.note;
                out.push((i, j, identical));
            }
            None => {
                first.insert(key, i);
            }
        }
    }
    out
}

/// The returns that count: the first return for each reference in each period. Callers pass
/// returns newest document first, so a corrected report supersedes an earlier one.
pub fn unique_returns(returns: &[ReturnRecord]) -> Vec<&ReturnRecord> {
    let mut seen: HashSet<(Period, String)> = HashSet::new();
    returns
        .iter()
        .filter(|r| seen.insert((r.period, return_key(r))))
        .collect()
}

/// Compute the statistics for `period` from every return recorded (any period; others are
/// ignored), the activities they belong to (for portfolio breakdowns), and the claims published
/// for the period.
pub fn compute(
    period: Period,
    returns: &[ReturnRecord],
    activities: &[ActivityRecord],
    rule: &HeadlineRule,
    claims: &[PublishedClaim],
) -> PeriodStats {
    let in_period: Vec<ReturnRecord> = returns
        .iter()
        .filter(|r| r.period == period)
        .cloned()
        .collect();
    let unique = unique_returns(&in_period);
    let mut counts = StatusCounts::default();
    for r in &unique {
        counts.add(r.status);
    }
    let (numerator, denominator) = rule.apply(unique.iter().map(|r| r.status));

    let by_activity: HashMap<i64, &ActivityRecord> = activities.iter().map(|a| (a.id, a)).collect();
    let by_directorate = breakdown(&unique, rule, |r| vec![r.directorate.clone()]);
    let by_portfolio = breakdown(&unique, rule, |r| {
        r.activity_id
            .and_then(|id| by_activity.get(&id))
            .map(|a| a.portfolios.clone())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| vec!["No portfolio recorded".to_string()])
    });

    let outcomes_of = |r: &ReturnRecord| -> Vec<&crate::records::OutcomeRef> {
        r.activity_id
            .and_then(|id| by_activity.get(&id))
            .map(|a| a.outcomes.iter().collect())
            .unwrap_or_default()
    };
    let by_theme = breakdown(&unique, rule, |r| {
        let mut themes: Vec<String> = outcomes_of(r)
            .iter()
            .map(|o| format!("Priority theme {}: {}", o.theme_number, o.theme_title))
            .collect();
        themes.dedup();
        themes
    });
    let by_outcome = breakdown(&unique, rule, |r| {
        outcomes_of(r)
            .iter()
            .map(|o| format!("Outcome {}: {}", o.number, o.title))
            .collect()
    });
    let mut outcome_links = OutcomeLinks::default();
    for r in &unique {
        let outcomes = outcomes_of(r);
        if outcomes.is_empty() {
            outcome_links.unlinked += 1;
        } else if outcomes.iter().all(|o| o.suggested) {
            outcome_links.suggested += 1;
        } else {
            outcome_links.confirmed += 1;
        }
    }
    // What the headline would be if repeated rows were counted too: a common way to get a
    // published figure wrong, worth naming when a claim matches it.
    let (num_with_repeats, den_with_repeats) = rule.apply(in_period.iter().map(|r| r.status));
    // Claims are checked over the activities the council's rule counts (Bexley: all reported).
    let counted: Vec<&ReturnRecord> = unique
        .iter()
        .copied()
        .filter(|r| !rule.excluded.contains(&r.status))
        .collect();
    let claims = claims
        .iter()
        .map(|claim| {
            check_claim(
                claim,
                &counted,
                (num_with_repeats, den_with_repeats),
                in_period.len() - unique.len(),
            )
        })
        .collect();

    PeriodStats {
        period,
        total: unique.len(),
        rows: in_period.len(),
        duplicates_removed: in_period.len() - unique.len(),
        counts,
        numerator,
        denominator,
        percent: percent_one_decimal(numerator, denominator),
        rule: rule.describe(),
        rule_name: rule.name.clone(),
        by_directorate,
        by_portfolio,
        by_theme,
        by_outcome,
        outcome_links,
        claims,
    }
}

/// A sort key in which "outcome 2" comes before "outcome 10" (and "A2" before "A10").
pub fn natural_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut digits = String::new();
    for ch in text.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        if !digits.is_empty() {
            out.push_str(&format!("{digits:0>10}"));
            digits.clear();
        }
        out.push(ch);
    }
    out.pop();
    out
}

fn breakdown(
    returns: &[&ReturnRecord],
    rule: &HeadlineRule,
    groups_of: impl Fn(&ReturnRecord) -> Vec<String>,
) -> Vec<Breakdown> {
    // Group by folded name; show the first spelling seen.
    let mut groups: BTreeMap<String, (String, Vec<Status>)> = BTreeMap::new();
    for r in returns {
        for name in groups_of(r) {
            let entry = groups
                .entry(natural_key(&fold(&name)))
                .or_insert_with(|| (name.clone(), vec![]));
            entry.1.push(r.status);
        }
    }
    groups
        .into_values()
        .map(|(name, statuses)| {
            let mut counts = StatusCounts::default();
            for s in &statuses {
                counts.add(*s);
            }
            let (n, d) = rule.apply(statuses.iter().copied());
            Breakdown {
                name,
                total: statuses.len(),
                counts,
                complete_or_on_track: n,
                percent: percent_one_decimal(n, d),
            }
        })
        .collect()
}

fn format_percent(p: f64) -> String {
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{p}%")
    }
}

/// Set one published claim against the unique returns.
fn check_claim(
    claim: &PublishedClaim,
    unique: &[&ReturnRecord],
    with_repeats: (usize, usize),
    repeats: usize,
) -> ClaimCheck {
    match &claim.claim {
        ClaimKind::NoneWithStatus { status } => {
            let n = unique.iter().filter(|r| r.status == *status).count();
            let note = if n == 0 {
                format!(
                    "none {} published; 0 of {} are {}",
                    status.key(),
                    unique.len(),
                    status.key()
                )
            } else {
                format!(
                    "none {} published; but {} of {} are {}",
                    status.key(),
                    n,
                    unique.len(),
                    status.key()
                )
            };
            ClaimCheck {
                text: claim.text.clone(),
                line: claim.line,
                percent: None,
                count: Some(0),
                total: None,
                checked: true,
                consistent: n == 0,
                note,
            }
        }
        ClaimKind::Share {
            percent,
            count,
            total,
            statuses,
            about,
            label,
        } => {
            // What is counted, from the words naming it or the words after the figure
            // ("83% of KPIs are green"): indicators are rated in their own tables.
            let names_indicators = |t: &str| {
                fold(t).split(' ').any(|w| {
                    matches!(
                        w,
                        "indicator"
                            | "indicators"
                            | "kpi"
                            | "kpis"
                            | "pi"
                            | "pis"
                            | "measure"
                            | "measures"
                            | "metric"
                            | "metrics"
                    )
                })
            };
            let counts_indicators = about.as_deref().is_some_and(names_indicators)
                || label
                    .as_deref()
                    .is_some_and(|l| fold(l).starts_with("of ") && names_indicators(l));
            if statuses.is_empty() || counts_indicators || unique.is_empty() {
                let why = if counts_indicators {
                    "it counts indicators, which are rated in their own tables"
                } else if statuses.is_empty() {
                    "it counts something other than a progress status"
                } else {
                    "nothing was reported in the period to recompute it from"
                };
                return ClaimCheck {
                    text: claim.text.clone(),
                    line: claim.line,
                    percent: *percent,
                    count: *count,
                    total: *total,
                    checked: false,
                    consistent: true,
                    note: format!("published as stated; not checked: {why}"),
                };
            }
            let numerator = unique
                .iter()
                .filter(|r| statuses.contains(&r.status))
                .count();
            let denominator = unique.len();
            let mut problems = vec![];
            if let Some(c) = count
                && *c as usize != numerator
            {
                problems.push(format!(
                    "the count {c} published differs from {numerator} recomputed"
                ));
            }
            if let Some(t) = total
                && *t as usize != denominator
            {
                problems.push(format!(
                    "the total {t} published differs from {denominator} recomputed"
                ));
            }
            let exact = if denominator == 0 {
                None
            } else {
                Some(numerator as f64 * 100.0 / denominator as f64)
            };
            let one_decimal = percent_one_decimal(numerator, denominator);
            let mut how = String::new();
            if let (Some(p), Some(exact), Some(shown)) = (percent, exact, one_decimal) {
                how = if (p - shown).abs() < 0.05 {
                    "as published".to_string()
                } else if (*p - exact.floor()).abs() < 1e-9 && (p - exact.round()).abs() < 1e-9 {
                    "rounded".to_string()
                } else if (*p - exact.floor()).abs() < 1e-9 {
                    "rounded down".to_string()
                } else if (*p - exact.round()).abs() < 1e-9 {
                    "rounded to the nearest whole number".to_string()
                } else if (*p - exact.ceil()).abs() < 1e-9 {
                    "rounded up".to_string()
                } else {
                    let mut problem = format!(
                        "{} published does not match {shown}% recomputed",
                        format_percent(*p)
                    );
                    let (n2, d2) = with_repeats;
                    if repeats > 0 && d2 > 0 {
                        let exact2 = n2 as f64 * 100.0 / d2 as f64;
                        if (p - exact2.floor()).abs() < 1e-9 || (p - exact2.round()).abs() < 1e-9 {
                            problem.push_str(&format!(
                                "; it matches {n2} of {d2} = {}%, which counts the {repeats} repeated rows",
                                percent_one_decimal(n2, d2).unwrap_or(0.0)
                            ));
                        }
                    }
                    problems.push(problem);
                    String::new()
                };
            }
            let mut note = match (percent, one_decimal) {
                (Some(p), Some(shown)) => format!(
                    "{} published; {numerator} of {denominator} = {shown}%",
                    format_percent(*p)
                ),
                (None, Some(shown)) => {
                    format!("{numerator} of {denominator} = {shown}% recomputed")
                }
                _ => "nothing reported in the period to recompute it from".to_string(),
            };
            if !how.is_empty() {
                note.push_str(", ");
                note.push_str(&how);
            }
            for p in &problems {
                note.push_str("; ");
                note.push_str(p);
            }
            ClaimCheck {
                text: claim.text.clone(),
                line: claim.line,
                percent: *percent,
                count: *count,
                total: *total,
                checked: true,
                consistent: problems.is_empty() && denominator > 0,
                note,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Quarter;

    fn ret(reference: &str, status: Status, directorate: &str) -> ReturnRecord {
        ReturnRecord {
            activity_id: None,
            reference: reference.to_string(),
            title: format!("Activity {reference}"),
            directorate: directorate.to_string(),
            period: Period::new(2024, Quarter::Q4),
            status,
            status_label: status.name().to_string(),
            note: None,
            source: None,
            corrective_action: None,
            reason: None,
        }
    }

    fn bexley_like() -> Vec<ReturnRecord> {
        let mut rows = vec![];
        let mut n = 0;
        for (status, count) in [
            (Status::Complete, 39),
            (Status::Green, 58),
            (Status::Amber, 17),
            (Status::Ceased, 2),
        ] {
            for _ in 0..count {
                n += 1;
                rows.push(ret(
                    &n.to_string(),
                    status,
                    if n % 2 == 0 { "Place" } else { "Cross cutting" },
                ));
            }
        }
        // Twelve complete rows repeated word for word.
        let repeats: Vec<ReturnRecord> = rows.iter().take(12).cloned().collect();
        rows.extend(repeats);
        rows
    }

    fn share(percent: f64) -> PublishedClaim {
        PublishedClaim {
            line: 5,
            text: format!("{percent}% are complete or on track"),
            claim: ClaimKind::Share {
                percent: Some(percent),
                count: None,
                total: None,
                statuses: vec![Status::Complete, Status::Green],
                label: None,
                about: None,
            },
        }
    }

    #[test]
    fn duplicates_are_removed_and_headline_recomputed() {
        let rows = bexley_like();
        let stats = compute(
            Period::new(2024, Quarter::Q4),
            &rows,
            &[],
            &HeadlineRule::default(),
            &[share(83.0)],
        );
        assert_eq!(stats.rows, 128);
        assert_eq!(stats.total, 116);
        assert_eq!(stats.duplicates_removed, 12);
        assert_eq!((stats.numerator, stats.denominator), (97, 116));
        assert_eq!(stats.percent, Some(83.6));
        assert_eq!(stats.counts.complete, 39);
        assert!(stats.claims[0].consistent);
        assert_eq!(
            stats.claims[0].note,
            "83% published; 97 of 116 = 83.6%, rounded down"
        );
    }

    #[test]
    fn a_claim_that_counts_repeats_is_named() {
        let rows = bexley_like();
        let stats = compute(
            Period::new(2024, Quarter::Q4),
            &rows,
            &[],
            &HeadlineRule::default(),
            &[share(85.0)],
        );
        assert!(!stats.claims[0].consistent);
        assert!(
            stats.claims[0].note.contains("counts the 12 repeated rows"),
            "{}",
            stats.claims[0].note
        );
    }

    #[test]
    fn none_red_claim_is_checked() {
        let rows = bexley_like();
        let claim = PublishedClaim {
            line: 5,
            text: "None are red".into(),
            claim: ClaimKind::NoneWithStatus {
                status: Status::Red,
            },
        };
        let stats = compute(
            Period::new(2024, Quarter::Q4),
            &rows,
            &[],
            &HeadlineRule::default(),
            &[claim],
        );
        assert!(stats.claims[0].consistent);
        let mut with_red = rows.clone();
        with_red.push(ret("999", Status::Red, "Place"));
        let claim = stats.claims[0].clone();
        let again = compute(
            Period::new(2024, Quarter::Q4),
            &with_red,
            &[],
            &HeadlineRule::default(),
            &[PublishedClaim {
                line: claim.line,
                text: claim.text,
                claim: ClaimKind::NoneWithStatus {
                    status: Status::Red,
                },
            }],
        );
        assert!(!again.claims[0].consistent);
    }

    #[test]
    fn breakdowns_cover_every_return() {
        let rows = bexley_like();
        let stats = compute(
            Period::new(2024, Quarter::Q4),
            &rows,
            &[],
            &HeadlineRule::default(),
            &[],
        );
        let sum: usize = stats.by_directorate.iter().map(|b| b.total).sum();
        assert_eq!(sum, stats.total);
        assert_eq!(stats.by_portfolio.len(), 1);
    }

    #[test]
    fn other_periods_are_ignored() {
        let mut rows = bexley_like();
        let mut other = ret("1", Status::Red, "Place");
        other.period = Period::new(2023, Quarter::Q4);
        rows.push(other);
        let stats = compute(
            Period::new(2024, Quarter::Q4),
            &rows,
            &[],
            &HeadlineRule::default(),
            &[],
        );
        assert_eq!(stats.counts.red, 0);
    }
}
