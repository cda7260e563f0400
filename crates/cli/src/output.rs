//! Printing results as text for people and as JSON or CSV for other tools.

use crate::Failure;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use waymark_domain::checks::Finding;
use waymark_domain::records::{ActivityRecord, LinkRecord, ReturnRecord};
use waymark_domain::stats::{PeriodStats, unique_returns};
use waymark_domain::{Period, Status};

pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::Internal(e.into()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

/// A spreadsheet must not run a cell as a formula: text starting with = + - @ gets a leading '.
fn cell_safe(text: &str) -> String {
    // A plain number ("-1.2") is data, not a formula.
    if text.parse::<f64>().is_ok() {
        return text.to_string();
    }
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

pub trait CsvRecord {
    fn header() -> Vec<&'static str>;
    fn cells(&self) -> Vec<String>;
}

pub fn print_csv<T: CsvRecord>(rows: &[T]) -> Result<(), Failure> {
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    let internal = |e: csv::Error| Failure::Internal(e.into());
    writer.write_record(T::header()).map_err(internal)?;
    for row in rows {
        writer
            .write_record(row.cells().iter().map(|c| cell_safe(c)))
            .map_err(internal)?;
    }
    writer.flush()?;
    Ok(())
}

fn opt_percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "n/a".into())
}

pub fn stats_json(stats: &Option<PeriodStats>) -> Value {
    let Some(s) = stats else {
        return json!({ "period": null, "total": 0, "message": "no returns recorded yet" });
    };
    let headline_claim = s
        .claims
        .iter()
        .find(|c| c.percent.is_some())
        .map(|c| json!({ "text": c.text, "percent": c.percent, "consistent": c.consistent, "note": c.note }));
    json!({
        "period": s.period.to_string(),
        "period_slug": s.period.slug(),
        "total": s.total,
        "rows": s.rows,
        "duplicates_removed": s.duplicates_removed,
        "counts": s.counts,
        "complete_or_on_track": s.numerator,
        "denominator": s.denominator,
        "percent": s.percent,
        "rule": s.rule,
        "rule_name": s.rule_name,
        "published_claim": headline_claim,
        "claims": s.claims,
        "by_directorate": s.by_directorate,
        "by_portfolio": s.by_portfolio,
        "by_theme": s.by_theme,
        "by_outcome": s.by_outcome,
    })
}

pub fn stats_text(stats: &Option<PeriodStats>) -> String {
    let Some(s) = stats else {
        return "No returns recorded yet: import a progress report first.\n".to_string();
    };
    let mut out = String::new();
    let _ = writeln!(out, "Period: {}", s.period);
    let _ = writeln!(
        out,
        "Activities reported: {} ({} rows, {} repeated rows not counted)",
        s.total, s.rows, s.duplicates_removed
    );
    let counts: Vec<String> = Status::ALL
        .iter()
        .map(|st| format!("{} {}", short(*st), s.counts.get(*st)))
        .collect();
    let _ = writeln!(out, "  {}", counts.join(", "));
    let _ = writeln!(
        out,
        "Headline ({}): {} of {} = {}",
        s.rule_name,
        s.numerator,
        s.denominator,
        opt_percent(s.percent)
    );
    let _ = writeln!(out, "  rule: {}", s.rule);
    for c in &s.claims {
        let verdict = if c.consistent {
            "agrees"
        } else {
            "DOES NOT AGREE"
        };
        let _ = writeln!(
            out,
            "Published claim (line {}) {verdict}: {}",
            c.line, c.note
        );
        let _ = writeln!(out, "  \"{}\"", c.text);
    }
    for (heading, groups) in [
        ("By directorate:", &s.by_directorate),
        ("By portfolio:", &s.by_portfolio),
        (
            "By priority theme (activities linked to outcomes):",
            &s.by_theme,
        ),
        ("By outcome:", &s.by_outcome),
    ] {
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading}");
        for b in groups {
            let _ = writeln!(
                out,
                "  {:<40} {:>4} reported, {:>4} {} ({})",
                b.name,
                b.total,
                b.complete_or_on_track,
                s.rule_name,
                opt_percent(b.percent)
            );
        }
    }
    out
}

fn short(s: Status) -> &'static str {
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

pub fn findings_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    let mut by_code: Vec<(&str, usize)> = vec![];
    for f in findings {
        let _ = writeln!(
            out,
            "{:<7} {:<20} {}: {}{}",
            f.severity.key(),
            f.code,
            f.subject,
            f.message,
            f.source
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default()
        );
        match by_code.iter_mut().find(|(c, _)| *c == f.code) {
            Some(entry) => entry.1 += 1,
            None => by_code.push((&f.code, 1)),
        }
    }
    let summary: Vec<String> = by_code.iter().map(|(c, n)| format!("{n} {c}")).collect();
    let _ = writeln!(
        out,
        "{} findings{}{}",
        findings.len(),
        if summary.is_empty() { "" } else { ": " },
        summary.join(", ")
    );
    out
}

/// One line of `waymark reconcile`.
#[derive(Debug, Serialize)]
pub struct ReconcileRecord {
    pub plan_title: Option<String>,
    pub plan_directorate: Option<String>,
    pub reference: Option<String>,
    pub report_title: Option<String>,
    pub report_directorate: Option<String>,
    pub score: f64,
    pub decision: &'static str,
    pub source: Option<String>,
}

impl CsvRecord for ReconcileRecord {
    fn header() -> Vec<&'static str> {
        vec![
            "plan_title",
            "plan_directorate",
            "reference",
            "report_title",
            "report_directorate",
            "score",
            "decision",
            "source",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.plan_title.clone().unwrap_or_default(),
            self.plan_directorate.clone().unwrap_or_default(),
            self.reference.clone().unwrap_or_default(),
            self.report_title.clone().unwrap_or_default(),
            self.report_directorate.clone().unwrap_or_default(),
            format!("{:.3}", self.score),
            self.decision.to_string(),
            self.source.clone().unwrap_or_default(),
        ]
    }
}

pub fn reconcile_records(links: &[LinkRecord]) -> Vec<ReconcileRecord> {
    links
        .iter()
        .map(|l| ReconcileRecord {
            plan_title: l.plan_title.clone(),
            plan_directorate: l.plan_directorate.clone(),
            reference: l.reference.clone(),
            report_title: l.report_title.clone(),
            report_directorate: l.report_directorate.clone(),
            score: (l.score * 1000.0).round() / 1000.0,
            decision: l.decision.key(),
            source: l.source.as_ref().map(|s| s.to_string()),
        })
        .collect()
}

pub fn reconcile_text(records: &[ReconcileRecord]) -> String {
    let mut out = String::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in records {
        *counts.entry(r.decision).or_default() += 1;
        let _ = writeln!(
            out,
            "{:<9} {:>5} {:<6} {} <- {}",
            r.decision,
            format!("{:.2}", r.score),
            r.reference.as_deref().unwrap_or("-"),
            r.plan_title
                .as_deref()
                .map(|t| format!("plan: {t}"))
                .unwrap_or_else(|| "plan: (none)".into()),
            r.report_title
                .as_deref()
                .map(|t| format!("report: {t}"))
                .unwrap_or_else(|| "report: (none)".into()),
        );
    }
    let report_unmatched = records
        .iter()
        .filter(|r| r.decision == "unmatched" && r.reference.is_some())
        .count();
    let plan_unmatched = records
        .iter()
        .filter(|r| r.decision == "unmatched" && r.reference.is_none())
        .count();
    let _ = writeln!(
        out,
        "{} linked, {} to review, {} report rows unmatched, {} plan activities unmatched",
        counts.get("linked").unwrap_or(&0),
        counts.get("review").unwrap_or(&0),
        report_unmatched,
        plan_unmatched
    );
    out
}

/// One line of `waymark export activities`.
#[derive(Debug, Serialize)]
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

pub fn changes_text(changes: &[waymark_store::PlanChange]) -> String {
    let mut out = String::new();
    let mut revision = None;
    for c in changes {
        if revision != Some(c.revision) {
            revision = Some(c.revision);
            let _ = writeln!(
                out,
                "Revision from {}{}:",
                c.revision_file,
                c.last_updated
                    .as_deref()
                    .map(|u| format!(" ({u})"))
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(
            out,
            "  {:<18} {:<6} {}",
            c.change,
            c.reference.as_deref().unwrap_or("-"),
            c.detail
        );
    }
    let _ = writeln!(out, "{} changes", changes.len());
    out
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
