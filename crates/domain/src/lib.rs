//! Waymark's domain: the words of a council's corporate plan as types and rules.
//!
//! Everything here is pure (no IO) so it is quick to test, to fuzz and to reuse from
//! the importers, the store and the web layer alike.

pub mod checks;
pub mod document;
pub mod due;
pub mod due_parse;
pub mod headline;
pub mod indicator;
pub mod outcome_suggest;
pub mod password;
pub mod period;
mod period_parse;
pub mod plan_diff;
pub mod reconcile;
mod reconcile_match;
pub mod records;
pub mod stats;
pub mod status;
pub mod template;
pub mod text;
pub mod workflow;

pub use document::*;
pub use due::{DueCell, DueDate, DueValue, Precision};
pub use period::{FinancialYear, Period, PeriodError, Quarter};
pub use status::{Status, StatusLabels};
