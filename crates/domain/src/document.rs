//! The documents a council publishes, as structured values. Importers produce these; the store
//! keeps them; statistics, checks and reconciliation read them.

use crate::due::{DueCell, DueDate};
use crate::indicator::{Frequency, Measure, Rag};
use crate::period::{FinancialYear, Period};
use crate::status::Status;
use serde::{Deserialize, Serialize};

/// Every kind of document Waymark can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    CorporatePlan,
    Principles,
    ActionPlan,
    ActivityReport,
    KpiTable,
    Strategy,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::CorporatePlan,
        DocumentKind::Principles,
        DocumentKind::ActionPlan,
        DocumentKind::ActivityReport,
        DocumentKind::KpiTable,
        DocumentKind::Strategy,
    ];

    /// The name used on the command line and in the database.
    pub fn key(self) -> &'static str {
        match self {
            DocumentKind::CorporatePlan => "corporate-plan",
            DocumentKind::Principles => "principles",
            DocumentKind::ActionPlan => "action-plan",
            DocumentKind::ActivityReport => "activity-report",
            DocumentKind::KpiTable => "kpi-table",
            DocumentKind::Strategy => "strategy",
        }
    }

    pub fn from_key(key: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// A document read by an importer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Document {
    CorporatePlan(CorporatePlan),
    Principles(PrinciplesPage),
    ActionPlan(ActionPlan),
    ActivityReport(ActivityReport),
    KpiTable(KpiTable),
    Strategy(Strategy),
}

impl Document {
    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::CorporatePlan(_) => DocumentKind::CorporatePlan,
            Document::Principles(_) => DocumentKind::Principles,
            Document::ActionPlan(_) => DocumentKind::ActionPlan,
            Document::ActivityReport(_) => DocumentKind::ActivityReport,
            Document::KpiTable(_) => DocumentKind::KpiTable,
            Document::Strategy(_) => DocumentKind::Strategy,
        }
    }
}

/// The corporate plan page: mission, principles, values, priority themes and outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorporatePlan {
    pub title: String,
    pub mission: String,
    pub principles: Vec<String>,
    pub values: Vec<String>,
    pub themes: Vec<Theme>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    pub number: u32,
    pub title: String,
    /// The sentence under the theme heading ("Our priority is to …").
    pub summary: String,
    pub outcomes: Vec<Outcome>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub number: u32,
    pub title: String,
    /// Paragraphs of narrative, in order.
    pub narrative: Vec<String>,
    pub line: usize,
}

/// The principles page: each principle with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrinciplesPage {
    pub title: String,
    pub principles: Vec<Principle>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Principle {
    pub title: String,
    /// Paragraphs and bullet points, image alt text and link labels removed.
    pub explanation: Vec<String>,
    pub line: usize,
}

/// An action delivery plan: the activities, grouped by directorate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionPlan {
    pub title: String,
    /// "Last updated: December 2024", as written.
    pub last_updated: Option<String>,
    pub activities: Vec<PlannedActivity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedActivity {
    /// 1-based line in the source where the row starts.
    pub line: usize,
    pub directorate: String,
    pub title: String,
    pub portfolios: Vec<String>,
    /// The end-date cell: a due date, or a note typed into the date column.
    pub due: DueCell,
    /// The plan's own reference for the activity, where it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<Extra>,
    /// Where the row is, beyond its line: "sheet 'Education' row 7".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// Something a document said about a row that Waymark has no field for, kept with the label
/// the document gave it ("Lead officer", "Q2 RAG"), never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extra {
    pub label: String,
    pub text: String,
}

impl PlannedActivity {
    pub fn due_date(&self) -> Option<&DueDate> {
        match &self.due {
            DueCell::Date(d) => Some(d),
            DueCell::Note(_) => None,
        }
    }
    pub fn status_note(&self) -> Option<&str> {
        match &self.due {
            DueCell::Note(n) => Some(n),
            DueCell::Date(_) => None,
        }
    }
}

/// A progress report: each activity's status for one period, plus the headline claims made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityReport {
    pub title: String,
    pub period: Period,
    /// The words that named the period ("Year End 24/25").
    pub period_label: String,
    pub claims: Vec<PublishedClaim>,
    pub rows: Vec<ReportRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    pub line: usize,
    pub directorate: String,
    pub reference: String,
    pub title: String,
    /// The label as written ("Complete", "Ceased").
    pub status_label: String,
    pub status: Status,
    /// Commentary given with the status ("Funding bid not successful").
    pub note: Option<String>,
    /// The cabinet members, portfolios or committees the report names for the row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub portfolios: Vec<String>,
    /// The due date as the report writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<Extra>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// A figure a council published about its own performance, kept so it can be recomputed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedClaim {
    pub line: usize,
    /// The sentence as published.
    pub text: String,
    pub claim: ClaimKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClaimKind {
    /// "83% … complete or on track", "38 of 46 (83%)", "24% (21) complete".
    Share {
        percent: Option<f64>,
        count: Option<u32>,
        total: Option<u32>,
        /// The statuses the claim counts ("complete or on track" = Complete + Green).
        statuses: Vec<Status>,
        /// What the figure counts, as written ("were on track", "are “below target”").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// What is being counted, as written ("KPIs", "Key Accountabilities").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        about: Option<String>,
    },
    /// "None are 'red' RAG rated."
    NoneWithStatus { status: Status },
}

/// A KPI table page: indicators with outturns by year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiTable {
    pub title: String,
    pub rows: Vec<KpiRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiRow {
    pub line: usize,
    /// The heading the table sat under (a priority theme), if any.
    pub section: Option<String>,
    pub reference: String,
    pub name: String,
    pub frequency: Frequency,
    /// "increase", "decrease", "no change", as written.
    pub direction: Option<String>,
    pub outturns: Vec<Outturn>,
    pub rag: Option<Rag>,
    pub rag_label: Option<String>,
    /// "Higher is better", "Low", "Smaller is Better", as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polarity: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<Extra>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outturn {
    pub year: FinancialYear,
    /// As written ("89.02%", "20,843", "N/A").
    pub text: String,
    pub value: Option<Measure>,
    /// The quarter the value is for, when it is a quarter's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The column it came from, as headed ("Q1 24/25", "Last Year").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The target it was measured against, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The rating given to this value, as written ("GREEN", "Target met").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rag_label: Option<String>,
}

/// A supporting strategy document linked to the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    pub title: String,
    pub paragraphs: Vec<String>,
}
