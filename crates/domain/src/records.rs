//! Stored facts as the store hands them to statistics and checks: one activity as it stands,
//! one return (an activity's status for a period), each with the document line it came from.

use crate::due::DueDate;
use crate::period::Period;
use crate::reconcile::Decision;
use crate::status::Status;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a fact came from: a file and, where known, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    pub file: String,
    pub line: Option<usize>,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file, line),
            None => f.write_str(&self.file),
        }
    }
}

/// An activity as it stands: from the plan, or known only from a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    pub id: i64,
    pub reference: Option<String>,
    /// The newest name the activity is known by.
    pub title: String,
    /// Earlier names, oldest first.
    pub former_titles: Vec<String>,
    /// The title the plan gives it (None for an activity known only from a report).
    pub plan_title: Option<String>,
    pub directorate: String,
    pub portfolios: Vec<String>,
    pub due: Option<DueDate>,
    /// A note typed into the plan's date column.
    pub status_note: Option<String>,
    /// True when the activity is in the current plan revision.
    pub in_plan: bool,
    pub source: Option<SourceRef>,
    /// The plan outcomes the activity delivers, with their priority themes.
    #[serde(default)]
    pub outcomes: Vec<OutcomeRef>,
}

/// An outcome of the plan, named with its priority theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRef {
    pub number: u32,
    pub title: String,
    pub theme_number: u32,
    pub theme_title: String,
    /// True when the link is the outcome suggester's (confident, not yet confirmed by a
    /// person); false for a link a person made or confirmed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suggested: bool,
}

/// One activity's status for one period, as reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnRecord {
    pub activity_id: Option<i64>,
    pub reference: String,
    /// The title as the return gives it.
    pub title: String,
    /// The directorate the return was made under.
    pub directorate: String,
    pub period: Period,
    pub status: Status,
    pub status_label: String,
    pub note: Option<String>,
    pub source: Option<SourceRef>,
    /// For Amber and Red, what will be done to bring the activity back on track (returns
    /// made through the quarterly workflow carry it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrective_action: Option<String>,
    /// For Ceased, why the activity stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A stored reconciliation decision for one report row or one unmatched plan activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRecord {
    pub plan_title: Option<String>,
    pub plan_directorate: Option<String>,
    pub reference: Option<String>,
    pub report_title: Option<String>,
    pub report_directorate: Option<String>,
    pub score: f64,
    pub decision: Decision,
    pub activity_id: Option<i64>,
    pub source: Option<SourceRef>,
}
