//! Open data: the rows behind the CSV and JSON downloads (and `waymark export`), written so a
//! spreadsheet never runs a cell as a formula.

use serde::Serialize;
use std::collections::HashMap;
use waymark_domain::records::{ActivityRecord, ReturnRecord};
use waymark_domain::stats::unique_returns;
use waymark_domain::{Period, Status};

/// A spreadsheet must not run a cell as a formula: text starting with = + - @ gets a leading '.
pub use waymark_report::tabular::cell_safe;

pub trait CsvRecord {
    fn header() -> Vec<&'static str>;
    fn cells(&self) -> Vec<String>;
}

/// RFC 4180 CSV (CRLF line ends, quotes doubled) in UTF-8 with a header row.
pub fn csv_bytes<T: CsvRecord>(rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![]);
    writer.write_record(T::header())?;
    for row in rows {
        writer.write_record(row.cells().iter().map(|c| cell_safe(c)))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// One line of `waymark export activities` and of the activities download.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityRow {
    pub reference: Option<String>,
    pub title: String,
    pub former_titles: Vec<String>,
    pub directorate: String,
    pub portfolios: Vec<String>,
    pub due: Option<String>,
    pub due_date: Option<String>,
    pub due_precision: Option<&'static str>,
    pub status_note: Option<String>,
    pub status: Option<&'static str>,
    pub status_label: Option<String>,
    pub commentary: Option<String>,
    pub reported_directorate: Option<String>,
    pub period: Option<String>,
    pub in_plan: bool,
    pub outcomes: Vec<u32>,
    /// How the outcomes are linked: "confirmed" (by a person) or "suggested" (from the plan's
    /// words, not yet confirmed); none when the activity has no outcome.
    pub outcome_link: Option<&'static str>,
    pub source: Option<String>,
}

impl CsvRecord for ActivityRow {
    fn header() -> Vec<&'static str> {
        vec![
            "reference",
            "title",
            "former_titles",
            "directorate",
            "portfolios",
            "due",
            "due_date",
            "due_precision",
            "status_note",
            "status",
            "status_label",
            "commentary",
            "reported_directorate",
            "period",
            "in_plan",
            "outcomes",
            "outcome_link",
            "source",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.reference.clone().unwrap_or_default(),
            self.title.clone(),
            self.former_titles.join("; "),
            self.directorate.clone(),
            self.portfolios.join("; "),
            self.due.clone().unwrap_or_default(),
            self.due_date.clone().unwrap_or_default(),
            self.due_precision.unwrap_or_default().to_string(),
            self.status_note.clone().unwrap_or_default(),
            self.status.unwrap_or_default().to_string(),
            self.status_label.clone().unwrap_or_default(),
            self.commentary.clone().unwrap_or_default(),
            self.reported_directorate.clone().unwrap_or_default(),
            self.period.clone().unwrap_or_default(),
            self.in_plan.to_string(),
            self.outcomes
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join("; "),
            self.outcome_link.unwrap_or_default().to_string(),
            self.source.clone().unwrap_or_default(),
        ]
    }
}

/// Activities with their status for the period: the counted return, or "no return" for an
/// activity in the plan that has none.
pub fn activity_rows(
    activities: &[ActivityRecord],
    returns: &[ReturnRecord],
    period: Option<Period>,
) -> Vec<ActivityRow> {
    let unique = unique_returns(returns);
    let by_activity: HashMap<i64, &ReturnRecord> = unique
        .iter()
        .filter(|r| Some(r.period) == period)
        .filter_map(|r| r.activity_id.map(|id| (id, *r)))
        .collect();
    let mut rows: Vec<ActivityRow> = activities
        .iter()
        .filter(|a| a.in_plan || by_activity.contains_key(&a.id))
        .map(|a| {
            let ret = by_activity.get(&a.id);
            let status = match (ret, period) {
                (Some(r), _) => Some(r.status.key()),
                (None, Some(_)) => Some(Status::NoReturn.key()),
                (None, None) => None,
            };
            ActivityRow {
                reference: a.reference.clone(),
                title: a.title.clone(),
                former_titles: a.former_titles.clone(),
                directorate: a.directorate.clone(),
                portfolios: a.portfolios.clone(),
                due: a.due.as_ref().map(|d| d.text.clone()),
                due_date: a
                    .due
                    .as_ref()
                    .and_then(|d| d.deadline())
                    .map(|d| d.to_string()),
                due_precision: a.due.as_ref().map(|d| d.precision().key()),
                status_note: a.status_note.clone(),
                status,
                status_label: ret.map(|r| r.status_label.clone()),
                commentary: ret.and_then(|r| r.note.clone()),
                reported_directorate: ret.map(|r| r.directorate.clone()),
                period: period.map(|p| p.to_string()),
                in_plan: a.in_plan,
                outcomes: a.outcomes.iter().map(|o| o.number).collect(),
                outcome_link: match a.outcomes.first() {
                    None => None,
                    Some(_) if a.outcomes.iter().all(|o| o.suggested) => Some("suggested"),
                    Some(_) => Some("confirmed"),
                },
                source: a.source.as_ref().map(|s| s.to_string()),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        reference_order(&a.reference)
            .cmp(&reference_order(&b.reference))
            .then(a.title.cmp(&b.title))
    });
    rows
}

/// "5" < "5.1" < "10" < unreferenced.
fn reference_order(reference: &Option<String>) -> (u8, Vec<u64>, String) {
    match reference {
        Some(r) => {
            let parts: Option<Vec<u64>> = r.split('.').map(|p| p.parse().ok()).collect();
            match parts {
                Some(parts) => (0, parts, String::new()),
                None => (1, vec![], r.clone()),
            }
        }
        None => (2, vec![], String::new()),
    }
}

impl CsvRecord for waymark_store::IndicatorValueView {
    fn header() -> Vec<&'static str> {
        vec![
            "reference",
            "name",
            "frequency",
            "section",
            "year",
            "text",
            "value",
            "unit",
            "rag",
            "direction",
            "source",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.reference.clone(),
            self.name.clone(),
            self.frequency.clone(),
            self.section.clone().unwrap_or_default(),
            self.year.clone(),
            self.text.clone(),
            self.value.map(|v| v.to_string()).unwrap_or_default(),
            self.unit.clone().unwrap_or_default(),
            self.rag.clone().unwrap_or_default(),
            self.direction.clone().unwrap_or_default(),
            self.source.clone(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::cell_safe;

    #[test]
    fn formulas_are_defused_but_numbers_are_not() {
        assert_eq!(cell_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell_safe("+cmd"), "'+cmd");
        assert_eq!(cell_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell_safe("-2+3"), "'-2+3");
        assert_eq!(cell_safe("-1.2"), "-1.2");
        assert_eq!(cell_safe("Plain title"), "Plain title");
    }
}
