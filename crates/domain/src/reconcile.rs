//! Reconciliation: link each report row to the plan activity it reports on, by the meaning of
//! the titles, when titles are reworded, truncated or reported under another directorate.

use serde::{Deserialize, Serialize};

/// One side of a reconciliation: a titled item under a directorate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Titled {
    pub title: String,
    pub directorate: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Confidently the same activity.
    Linked,
    /// Plausible but ambiguous or weak: a person should decide.
    Review,
    /// No counterpart found.
    Unmatched,
}

impl Decision {
    pub fn key(self) -> &'static str {
        match self {
            Decision::Linked => "linked",
            Decision::Review => "review",
            Decision::Unmatched => "unmatched",
        }
    }
}

/// Thresholds for deciding links. Scores are in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReconcileOptions {
    /// At or above this score (and clear of the runner-up by `margin`) a pair is linked.
    pub link_threshold: f64,
    /// At or above this score a pair is worth a person's review.
    pub review_threshold: f64,
    /// How far the best candidate must lead the second to be linked without review.
    pub margin: f64,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        ReconcileOptions {
            link_threshold: 0.5,
            review_threshold: 0.3,
            margin: 0.1,
        }
    }
}

/// One outcome of reconciliation: a link, a pair to review, or an unmatched item on one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Index into the plan items, if any.
    pub plan: Option<usize>,
    /// Index into the report items, if any.
    pub report: Option<usize>,
    pub score: f64,
    pub decision: Decision,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Every report item appears exactly once (linked, review or unmatched), and every plan item
    /// not linked or under review appears once as unmatched.
    pub links: Vec<Link>,
}

/// Link report items to plan items.
pub fn reconcile(plan: &[Titled], report: &[Titled], options: &ReconcileOptions) -> Reconciliation {
    crate::reconcile_match::reconcile(plan, report, options)
}

/// How alike two titles are in meaning, 0..=1 (1 = same words). Symmetric.
pub fn title_similarity(a: &str, b: &str) -> f64 {
    crate::reconcile_match::title_similarity(a, b)
}
