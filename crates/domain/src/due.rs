//! Due dates as councils write them, with the precision they really have.
//!
//! "October 2023", "Q4 2022 to 2023", "2023", "Annual Q3", "Ongoing", "TBC", "15 years",
//! "October" (no year)… The original text is always kept; the structured value says only what
//! the text says, and [`DueValue::Unknown`] when nothing can be derived.

use crate::period::{FinancialYear, Period, Quarter};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A due date: the words as written plus what they mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDate {
    pub text: String,
    pub value: DueValue,
}

/// What a due date's words mean, as far as they can be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DueValue {
    /// "31 March 2024"
    Day { date: NaiveDate },
    /// "October 2023"
    Month { year: i32, month: u32 },
    /// "Q4 2022 to 2023": a quarter of a financial year.
    Quarter { period: Period },
    /// "2022 to 2023", "2024/25"
    FinancialYear { year: FinancialYear },
    /// "2023"
    CalendarYear { year: i32 },
    /// "Annual Q3", "Q4 Annual", "Quarterly", "Monthly": a recurring deadline.
    Recurring {
        every: Recurrence,
        quarter: Option<Quarter>,
    },
    /// "Ongoing"
    Ongoing,
    /// "TBC", "To be confirmed"
    Tbc,
    /// "15 years": a length of time with no start.
    Duration { months: u32 },
    /// "October": a month with no year.
    MonthNoYear { month: u32 },
    /// Words that name no date we can derive.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    Annual,
    Quarterly,
    Monthly,
}

/// How precisely a due date pins down a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Day,
    Month,
    Quarter,
    FinancialYear,
    CalendarYear,
    Recurring,
    Ongoing,
    Tbc,
    Duration,
    Unknown,
}

/// What a plan's "end date" cell holds: a due date, or a note someone typed there
/// ("No longer progressing with this action, our funding application was unsuccessful.").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DueCell {
    Date(DueDate),
    Note(String),
}

impl Precision {
    pub fn key(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Quarter => "quarter",
            Precision::FinancialYear => "financial_year",
            Precision::CalendarYear => "calendar_year",
            Precision::Recurring => "recurring",
            Precision::Ongoing => "ongoing",
            Precision::Tbc => "tbc",
            Precision::Duration => "duration",
            Precision::Unknown => "unknown",
        }
    }
}

impl DueDate {
    /// Read a due date. Never fails: words that name no date give [`DueValue::Unknown`].
    pub fn parse(text: &str) -> DueDate {
        crate::due_parse::parse_due(text)
    }

    pub fn precision(&self) -> Precision {
        match self.value {
            DueValue::Day { .. } => Precision::Day,
            DueValue::Month { .. } => Precision::Month,
            DueValue::Quarter { .. } => Precision::Quarter,
            DueValue::FinancialYear { .. } => Precision::FinancialYear,
            DueValue::CalendarYear { .. } => Precision::CalendarYear,
            DueValue::Recurring { .. } => Precision::Recurring,
            DueValue::Ongoing => Precision::Ongoing,
            DueValue::Tbc => Precision::Tbc,
            DueValue::Duration { .. } => Precision::Duration,
            DueValue::MonthNoYear { .. } | DueValue::Unknown => Precision::Unknown,
        }
    }

    /// The last day by which the activity is due, when the words fix one.
    pub fn deadline(&self) -> Option<NaiveDate> {
        crate::due_parse::deadline(&self.value)
    }

    /// True when the words give no fixed deadline a reader could hold the council to.
    pub fn is_vague(&self) -> bool {
        self.deadline().is_none()
    }
}

impl DueCell {
    /// Read an end-date cell: a due date, or a note typed where the date belongs.
    pub fn parse(text: &str) -> DueCell {
        crate::due_parse::parse_cell(text)
    }
}
