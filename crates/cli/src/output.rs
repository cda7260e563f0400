//! Printing results as text for people and as JSON or CSV for other tools.

use crate::Failure;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use waymark_domain::Status;
use waymark_domain::checks::Finding;
use waymark_domain::records::LinkRecord;
use waymark_domain::stats::PeriodStats;

pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::Internal(e.into()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

pub use waymark_web::opendata::{CsvRecord, activity_rows};

pub fn print_csv<T: CsvRecord>(rows: &[T]) -> Result<(), Failure> {
    let bytes = waymark_web::opendata::csv_bytes(rows).map_err(|e| Failure::Internal(e.into()))?;
    std::io::stdout().lock().write_all(&bytes)?;
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
        "outcome_links": s.outcome_links,
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
        let verdict = match c.verdict() {
            "does not agree" => "DOES NOT AGREE",
            other => other,
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
        ("By priority theme:", &s.by_theme),
        ("By outcome:", &s.by_outcome),
    ] {
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading}");
        if !s.by_theme.is_empty() && heading == "By priority theme:" {
            let l = &s.outcome_links;
            let _ = writeln!(
                out,
                "  (links confirmed by a person for {} activities and suggested from the plan's words for {}; {} not linked)",
                l.confirmed, l.suggested, l.unlinked
            );
        }
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

/// One line on what a document read from a file holds.
pub fn document_summary(document: &waymark_domain::Document) -> String {
    use waymark_domain::Document;
    match document {
        Document::ActivityReport(r) => format!(
            "an activity report for {} ({}): {} rows, {} headline claims",
            r.period,
            r.period_label,
            r.rows.len(),
            r.claims.len()
        ),
        Document::ActionPlan(p) => format!("an action plan: {} activities", p.activities.len()),
        Document::KpiTable(t) => format!(
            "a table of {} indicators with {} values",
            t.rows.len(),
            t.rows.iter().map(|r| r.outturns.len()).sum::<usize>()
        ),
        Document::CorporatePlan(p) => {
            format!("a corporate plan: {} priority themes", p.themes.len())
        }
        Document::Principles(p) => format!("principles: {}", p.principles.len()),
        Document::Strategy(s) => format!("a strategy: {} paragraphs", s.paragraphs.len()),
    }
}

/// One line on what a run of the outcome suggester did, when there was anything to suggest.
pub fn suggestions_summary(list: &[waymark_store::ActivitySuggestion]) -> Option<String> {
    if list.is_empty() {
        return None;
    }
    let count = |d: &str| list.iter().filter(|s| s.decision == d).count();
    Some(format!(
        "suggested outcomes from the plan's words: {} linked as suggested, {} waiting for a person, {} already linked by a person (see `waymark outcomes suggest`)",
        count("confident"),
        count("waiting"),
        count("decided")
    ))
}

/// Each activity's suggested outcomes with their scores, and what was (or would be) linked.
pub fn suggestions_text(list: &[waymark_store::ActivitySuggestion], applied: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Outcomes suggested from the corporate plan's words (score 0-1, best first):"
    );
    for s in list {
        let reference = s.reference.as_deref().unwrap_or("-");
        let _ = writeln!(out, "{reference:>6}  {} [{}]", s.title, s.directorate);
        let ranked: Vec<String> = s
            .ranked
            .iter()
            .map(|r| format!("outcome {} ({:.2})", r.outcome, r.score))
            .collect();
        let what = match (s.decision, s.linked) {
            ("decided", _) => {
                let set: Vec<String> = s.confirmed.iter().map(u32::to_string).collect();
                format!("linked by a person to outcomes {}", set.join(", "))
            }
            ("confident", Some(n)) if applied => format!("linked to outcome {n} as suggested"),
            ("confident", Some(n)) => format!("would link to outcome {n} as suggested"),
            _ if s.ranked.is_empty() => "no outcome shares its words: waiting for a person".into(),
            _ => "waiting for a person".into(),
        };
        if ranked.is_empty() {
            let _ = writeln!(out, "        {what}");
        } else {
            let _ = writeln!(out, "        {}: {what}", ranked.join(", "));
        }
    }
    let count = |d: &str| list.iter().filter(|s| s.decision == d).count();
    let _ = writeln!(
        out,
        "{} activities: {} confident ({}), {} waiting for a person, {} linked by a person.",
        list.len(),
        count("confident"),
        if applied {
            "linked as suggested"
        } else {
            "not recorded: run with --apply to link them as suggested"
        },
        count("waiting"),
        count("decided")
    );
    out
}
