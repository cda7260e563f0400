//! The matcher behind reconciliation. (Being written.)
use crate::reconcile::{ReconcileOptions, Reconciliation, Titled};

pub(crate) fn reconcile(
    _plan: &[Titled],
    _report: &[Titled],
    _options: &ReconcileOptions,
) -> Reconciliation {
    Reconciliation { links: vec![] }
}
pub(crate) fn title_similarity(_a: &str, _b: &str) -> f64 {
    0.0
}
