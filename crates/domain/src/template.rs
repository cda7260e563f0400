//! A council's data in the shape of its spreadsheet templates: the plan, the indicators and a
//! period's returns as rows of text, as a performance officer would type them. The store fills
//! these (`Store::template_data`); `waymark_import::template` writes them as a workbook or CSV
//! in the columns the importer reads back.

use crate::Period;
use serde::{Deserialize, Serialize};

/// Everything a template can be filled with. Empty lists give a blank template (headers only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateData {
    /// The status labels the council writes, in the order of the canonical statuses: the
    /// status column's drop-down offers these.
    pub status_labels: Vec<String>,
    /// Activities of the current plan, in plan order.
    pub plan: Vec<PlanLine>,
    /// One period's returns, in row order.
    pub returns: Vec<ReturnLine>,
    /// The period of `returns` (the template names it in every row).
    pub returns_period: Option<Period>,
    /// Indicator values, one line per indicator and period (a long table).
    pub indicators: Vec<IndicatorLine>,
}

/// An activity of the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    pub reference: String,
    pub activity: String,
    pub directorate: String,
    pub portfolios: Vec<String>,
    /// The due date as written ("Q4 2024 to 2025", "Ongoing"), or the note typed in its place.
    pub due: String,
}

/// One activity's return for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLine {
    pub reference: String,
    pub activity: String,
    pub directorate: String,
    pub period: Period,
    /// The status as the council labels it ("Green", "Progressing to Plan"); empty: no return.
    pub status: String,
    pub commentary: String,
}

/// One indicator's value for one period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorLine {
    pub reference: String,
    pub indicator: String,
    /// "Higher is better", "Smaller is Better", as written.
    pub polarity: String,
    /// percent, number, currency, days, as the value reads.
    pub unit: String,
    /// "2024/25" (a year's outturn) or "2024/25 Q3" (a quarter's value).
    pub period: String,
    /// As written ("89.02%", "20,843", "N/A").
    pub value: String,
    pub target: String,
    /// The rating as written ("Green", "Target met").
    pub rating: String,
    /// The direction of travel as written ("increase", "no change").
    pub direction: String,
}

/// Polarities a template's drop-down offers (others are accepted, as written).
pub const POLARITIES: [&str; 2] = ["Higher is better", "Lower is better"];

/// Directions of travel a template's drop-down offers (others are accepted, as written).
pub const DIRECTIONS: [&str; 3] = ["Increase", "No change", "Decrease"];
