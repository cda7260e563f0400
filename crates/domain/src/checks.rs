//! Data-quality checks. Each finding has a stable code, a severity, a message a person can act
//! on, the subject it is about and the source line where known.

use crate::due::Precision;
use crate::period::Period;
use crate::reconcile::Decision;
use crate::records::{ActivityRecord, LinkRecord, ReturnRecord, SourceRef};
use crate::stats::{ClaimCheck, repeated_returns};
use crate::text::fold;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn key(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The stable codes; other tools match on these strings.
pub mod code {
    pub const DUPLICATE_ROW: &str = "duplicate-row";
    pub const DUPLICATE_REFERENCE: &str = "duplicate-reference";
    pub const MOVED_DIRECTORATE: &str = "moved-directorate";
    pub const RENAMED: &str = "renamed";
    pub const UNREPORTED_ACTIVITY: &str = "unreported-activity";
    pub const UNPLANNED_ACTIVITY: &str = "unplanned-activity";
    pub const LINK_NEEDS_REVIEW: &str = "link-needs-review";
    pub const VAGUE_DUE_DATE: &str = "vague-due-date";
    pub const OVERDUE: &str = "overdue";
    pub const NOTE_IN_DUE_DATE: &str = "note-in-due-date";
    pub const HEADLINE_MISMATCH: &str = "headline-mismatch";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// What the finding is about: "activity 74", "plan activity 'Agree a workforce plan…'".
    pub subject: String,
    /// "file:line" where known.
    pub source: Option<String>,
}

/// Everything the checks look at, for one period.
pub struct CheckInput<'a> {
    pub period: Option<Period>,
    pub activities: &'a [ActivityRecord],
    pub returns: &'a [ReturnRecord],
    pub links: &'a [LinkRecord],
    pub claims: &'a [ClaimCheck],
    pub claims_source: Option<&'a str>,
}

fn finding(code: &str, severity: Severity, subject: String, message: String, source: Option<&SourceRef>) -> Finding {
    Finding {
        code: code.to_string(),
        severity,
        message,
        subject,
        source: source.map(|s| s.to_string()),
    }
}

fn activity_subject(a: &ActivityRecord) -> String {
    match &a.reference {
        Some(r) => format!("activity {r}: {}", a.title),
        None => format!("plan activity: {}", a.title),
    }
}

/// Run every check. Findings come out grouped by code, in source order within a code.
pub fn run(input: &CheckInput) -> Vec<Finding> {
    let mut out = vec![];
    let returns: Vec<ReturnRecord> = match input.period {
        Some(p) => input.returns.iter().filter(|r| r.period == p).cloned().collect(),
        None => vec![],
    };
    repeats(&returns, &mut out);
    links(input, &returns, &mut out);
    renamed(input.activities, &mut out);
    due_dates(input, &returns, &mut out);
    for claim in input.claims.iter().filter(|c| !c.consistent) {
        out.push(Finding {
            code: code::HEADLINE_MISMATCH.to_string(),
            severity: Severity::Error,
            message: format!("Published claim does not agree with the returns: {}.", claim.note),
            subject: format!("published claim: {}", claim.text),
            source: input.claims_source.map(|f| format!("{f}:{}", claim.line)),
        });
    }
    out
}

fn repeats(returns: &[ReturnRecord], out: &mut Vec<Finding>) {
    for (i, first, identical) in repeated_returns(returns) {
        let r = &returns[i];
        let earlier = returns[first]
            .source
            .as_ref()
            .map(|s| format!(" (first at {s})"))
            .unwrap_or_default();
        if identical {
            out.push(finding(
                code::DUPLICATE_ROW,
                Severity::Warning,
                format!("activity {}: {}", r.reference, r.title),
                format!(
                    "Row repeats an earlier row word for word{earlier}; it is counted once."
                ),
                r.source.as_ref(),
            ));
        } else {
            out.push(finding(
                code::DUPLICATE_REFERENCE,
                Severity::Error,
                format!("activity {}", r.reference),
                format!(
                    "Reference {} is reported twice with different content{earlier}: '{}' ({}) and '{}' ({}); only the first is counted.",
                    r.reference,
                    returns[first].title,
                    returns[first].status_label,
                    r.title,
                    r.status_label
                ),
                r.source.as_ref(),
            ));
        }
    }
}

fn links(input: &CheckInput, returns: &[ReturnRecord], out: &mut Vec<Finding>) {
    let reported: HashSet<i64> = returns.iter().filter_map(|r| r.activity_id).collect();
    let mut seen_refs = HashSet::new();
    for link in input.links {
        match link.decision {
            Decision::Linked => {
                let (Some(plan_dir), Some(report_dir)) = (&link.plan_directorate, &link.report_directorate) else {
                    continue;
                };
                if fold(plan_dir) != fold(report_dir) && !same_directorate(plan_dir, report_dir) {
                    out.push(finding(
                        code::MOVED_DIRECTORATE,
                        Severity::Info,
                        format!(
                            "activity {}: {}",
                            link.reference.as_deref().unwrap_or("?"),
                            link.report_title.as_deref().unwrap_or("")
                        ),
                        format!(
                            "Planned under {plan_dir} but reported under {report_dir}."
                        ),
                        link.source.as_ref(),
                    ));
                }
            }
            Decision::Review => {
                out.push(finding(
                    code::LINK_NEEDS_REVIEW,
                    Severity::Warning,
                    format!(
                        "activity {}: {}",
                        link.reference.as_deref().unwrap_or("?"),
                        link.report_title.as_deref().unwrap_or("")
                    ),
                    format!(
                        "May be the plan activity '{}' (score {:.2}) but the match is not clear enough to link without a person's decision.",
                        link.plan_title.as_deref().unwrap_or(""),
                        link.score
                    ),
                    link.source.as_ref(),
                ));
            }
            Decision::Unmatched => {
                if let Some(reference) = &link.reference
                    && seen_refs.insert(reference.clone())
                {
                    out.push(finding(
                        code::UNPLANNED_ACTIVITY,
                        Severity::Warning,
                        format!("activity {reference}: {}", link.report_title.as_deref().unwrap_or("")),
                        "Reported, but no activity in the plan matches it.".to_string(),
                        link.source.as_ref(),
                    ));
                }
            }
        }
    }
    if input.period.is_some() {
        for a in input.activities.iter().filter(|a| a.in_plan) {
            if !reported.contains(&a.id) {
                let in_review = input
                    .links
                    .iter()
                    .any(|l| l.decision == Decision::Review && l.activity_id == Some(a.id));
                if in_review {
                    continue;
                }
                out.push(finding(
                    code::UNREPORTED_ACTIVITY,
                    Severity::Warning,
                    activity_subject(a),
                    format!(
                        "In the plan ({}), but no return was made for it in {}.",
                        a.directorate,
                        input.period.map(|p| p.to_string()).unwrap_or_default()
                    ),
                    a.source.as_ref(),
                ));
            }
        }
    }
}

/// "Adult social care and health" and "Adult Social Care & Health" fold alike already; this
/// also accepts one name being the other plus "directorate".
fn same_directorate(a: &str, b: &str) -> bool {
    let strip = |s: &str| fold(s).trim_end_matches(" directorate").to_string();
    strip(a) == strip(b)
}

fn renamed(activities: &[ActivityRecord], out: &mut Vec<Finding>) {
    for a in activities {
        let current = fold(&a.title);
        let former: Vec<&String> = a.former_titles.iter().filter(|t| fold(t) != current).collect();
        if let Some(last) = former.last() {
            out.push(finding(
                code::RENAMED,
                Severity::Info,
                activity_subject(a),
                format!("Now called '{}'; formerly '{}'.", a.title, last),
                a.source.as_ref(),
            ));
        }
    }
}

fn due_dates(input: &CheckInput, returns: &[ReturnRecord], out: &mut Vec<Finding>) {
    let as_at: Option<NaiveDate> = input.period.map(|p| p.end());
    for a in input.activities.iter().filter(|a| a.in_plan) {
        if let Some(note) = &a.status_note {
            out.push(finding(
                code::NOTE_IN_DUE_DATE,
                Severity::Warning,
                activity_subject(a),
                format!("The end-date column holds a note, not a date: '{note}'. Kept as a status note."),
                a.source.as_ref(),
            ));
            continue;
        }
        let Some(due) = &a.due else { continue };
        match due.precision() {
            Precision::Ongoing | Precision::Tbc | Precision::Duration | Precision::Unknown
                if !matches!(due.value, crate::due::DueValue::MonthNoYear { .. }) =>
            {
                let why = match due.precision() {
                    Precision::Ongoing => "has no end date",
                    Precision::Tbc => "is still to be confirmed",
                    Precision::Duration => "is a length of time with no start",
                    _ => "names no date that can be derived",
                };
                let severity = if due.precision() == Precision::Ongoing {
                    Severity::Info
                } else {
                    Severity::Warning
                };
                out.push(finding(
                    code::VAGUE_DUE_DATE,
                    severity,
                    activity_subject(a),
                    format!("Due date '{}' {why}, so progress cannot be held to a deadline.", due.text),
                    a.source.as_ref(),
                ));
            }
            _ => {}
        }
        if matches!(due.value, crate::due::DueValue::MonthNoYear { .. }) {
            out.push(finding(
                code::VAGUE_DUE_DATE,
                Severity::Warning,
                activity_subject(a),
                format!("Due date '{}' names a month but no year.", due.text),
                a.source.as_ref(),
            ));
        }
        let (Some(deadline), Some(as_at)) = (due.deadline(), as_at) else {
            continue;
        };
        if deadline >= as_at {
            continue;
        }
        let latest = returns.iter().find(|r| r.activity_id == Some(a.id));
        let open = match latest {
            Some(r) => !r.status.is_closed(),
            None => true,
        };
        if open {
            let status = latest
                .map(|r| format!("still {}", r.status_label))
                .unwrap_or_else(|| "with no return".to_string());
            out.push(finding(
                code::OVERDUE,
                Severity::Warning,
                activity_subject(a),
                format!(
                    "Due by {} ('{}') but {status} at the end of {}.",
                    deadline.format("%-d %B %Y"),
                    due.text,
                    input.period.map(|p| p.to_string()).unwrap_or_default()
                ),
                a.source.as_ref(),
            ));
        }
    }
}
