//! The headline figure: a share of activities, counted by a rule each council chooses.

use crate::status::Status;
use serde::{Deserialize, Serialize};

/// Which statuses a headline counts, and over which activities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadlineRule {
    /// Short name ("complete or on track").
    pub name: String,
    /// Statuses counted on top of the fraction.
    pub numerator: Vec<Status>,
    /// Statuses left out of the denominator (e.g. Ceased, or Not started when not yet due).
    pub excluded: Vec<Status>,
}

impl Default for HeadlineRule {
    /// Bexley's rule: (Complete + Green) ÷ all activities reported in the period.
    fn default() -> Self {
        HeadlineRule {
            name: "complete or on track".to_string(),
            numerator: vec![Status::Complete, Status::Green],
            excluded: vec![Status::NoReturn],
        }
    }
}

impl HeadlineRule {
    /// The rule in words, shown next to every headline number.
    pub fn describe(&self) -> String {
        let names = |set: &[Status]| {
            set.iter()
                .map(|s| short_name(*s))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let mut text = format!(
            "({}) ÷ all activities reported in the period",
            names(&self.numerator)
        );
        let excluded: Vec<Status> = self
            .excluded
            .iter()
            .copied()
            .filter(|s| *s != Status::NoReturn)
            .collect();
        if !excluded.is_empty() {
            text.push_str(&format!(", excluding {}", names(&excluded)));
        }
        text
    }

    /// Count the numerator and denominator over a list of statuses (one per activity).
    pub fn apply(&self, statuses: impl IntoIterator<Item = Status>) -> (usize, usize) {
        let mut numerator = 0;
        let mut denominator = 0;
        for s in statuses {
            if self.excluded.contains(&s) {
                continue;
            }
            denominator += 1;
            if self.numerator.contains(&s) {
                numerator += 1;
            }
        }
        (numerator, denominator)
    }
}

fn short_name(s: Status) -> &'static str {
    match s {
        Status::Complete => "Complete",
        Status::Green => "Green",
        Status::Amber => "Amber",
        Status::Red => "Red",
        Status::Ceased => "Ceased",
        Status::NotStarted => "Not started",
        Status::NoReturn => "No return",
    }
}

/// A percentage to one decimal place, rounding half away from zero.
pub fn percent_one_decimal(numerator: usize, denominator: usize) -> Option<f64> {
    if denominator == 0 {
        return None;
    }
    let p = numerator as f64 * 100.0 / denominator as f64;
    Some((p * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bexley_rule_counts_complete_and_green_over_all_reported() {
        let rule = HeadlineRule::default();
        let mut statuses = vec![Status::Complete; 39];
        statuses.extend(vec![Status::Green; 58]);
        statuses.extend(vec![Status::Amber; 17]);
        statuses.extend(vec![Status::Ceased; 2]);
        assert_eq!(rule.apply(statuses), (97, 116));
        assert_eq!(percent_one_decimal(97, 116), Some(83.6));
        assert_eq!(
            rule.describe(),
            "(Complete + Green) ÷ all activities reported in the period"
        );
    }
}
