//! Canonical statuses and the per-council labels that map onto them.

use crate::text::fold;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The canonical status of an activity in a period. Councils' own labels map onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Complete,
    Green,
    Amber,
    Red,
    Ceased,
    NotStarted,
    /// The activity was due a return in the period and none was made.
    NoReturn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Complete,
        Status::Green,
        Status::Amber,
        Status::Red,
        Status::Ceased,
        Status::NotStarted,
        Status::NoReturn,
    ];

    /// Stable key used in JSON, CSV and the database.
    pub fn key(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Green => "green",
            Status::Amber => "amber",
            Status::Red => "red",
            Status::Ceased => "ceased",
            Status::NotStarted => "not_started",
            Status::NoReturn => "no_return",
        }
    }

    pub fn from_key(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Plain-English name used when a council has not chosen its own label.
    pub fn name(self) -> &'static str {
        match self {
            Status::Complete => "Complete",
            Status::Green => "Green (on track)",
            Status::Amber => "Amber (at risk)",
            Status::Red => "Red (off track)",
            Status::Ceased => "Ceased",
            Status::NotStarted => "Not started",
            Status::NoReturn => "No return",
        }
    }

    /// Finished one way or another: nothing more is expected of the activity.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Complete | Status::Ceased)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A council's mapping from the labels it writes to canonical statuses.
///
/// Labels are matched case-insensitively after folding punctuation. Nothing is guessed: a
/// label that is not in the mapping (Bexley has no "Blue") is reported, never assumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLabels {
    entries: Vec<(String, Status)>,
}

impl Default for StatusLabels {
    /// Labels whose meaning is unambiguous in UK council reporting.
    fn default() -> Self {
        let mut labels = StatusLabels { entries: vec![] };
        for (label, status) in [
            ("Complete", Status::Complete),
            ("Completed", Status::Complete),
            ("Green", Status::Green),
            ("On track", Status::Green),
            ("Amber", Status::Amber),
            ("At risk", Status::Amber),
            ("Red", Status::Red),
            ("Off track", Status::Red),
            ("Ceased", Status::Ceased),
            ("Not started", Status::NotStarted),
            ("No return", Status::NoReturn),
        ] {
            labels.insert(label, status);
        }
        labels
    }
}

impl StatusLabels {
    pub fn empty() -> Self {
        StatusLabels { entries: vec![] }
    }

    /// Add or replace a label. Later entries win, so a council file can override a default.
    pub fn insert(&mut self, label: &str, status: Status) {
        let key = fold(label);
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, status));
    }

    pub fn lookup(&self, label: &str) -> Option<Status> {
        let key = fold(label);
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| *s)
    }

    /// Labels, folded, longest first (so "Not started" is tried before "started").
    pub fn labels_longest_first(&self) -> Vec<(&str, Status)> {
        let mut v: Vec<(&str, Status)> =
            self.entries.iter().map(|(k, s)| (k.as_str(), *s)).collect();
        v.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_key(s.key()), Some(s));
        }
    }

    #[test]
    fn labels_fold_case_and_never_guess_blue() {
        let labels = StatusLabels::default();
        assert_eq!(labels.lookup("COMPLETE"), Some(Status::Complete));
        assert_eq!(labels.lookup(" on  track "), Some(Status::Green));
        assert_eq!(labels.lookup("Blue"), None);
        let mut custom = labels.clone();
        custom.insert("Blue", Status::Complete);
        assert_eq!(custom.lookup("blue"), Some(Status::Complete));
    }
}
