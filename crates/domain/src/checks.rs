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

fn finding(
    code: &str,
    severity: Severity,
    subject: String,
    message: String,
    source: Option<&SourceRef>,
) -> Finding {
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

/// The checks for a period, with its published claims first recomputed against the returns
/// (what `waymark check` and the staff site's list of what needs a person show).
pub fn run_for_period(
    period: Option<Period>,
    activities: &[ActivityRecord],
    returns: &[ReturnRecord],
    links: &[LinkRecord],
    claims: &[crate::document::PublishedClaim],
    claims_source: Option<&str>,
    rule: &crate::headline::HeadlineRule,
) -> Vec<Finding> {
    let checked = period
        .map(|p| crate::stats::compute(p, returns, activities, rule, claims).claims)
        .unwrap_or_default();
    run(&CheckInput {
        period,
        activities,
        returns,
        links,
        claims: &checked,
        claims_source,
    })
}

/// Run every check. Findings come out grouped by code, in source order within a code.
pub fn run(input: &CheckInput) -> Vec<Finding> {
    let mut out = vec![];
    let returns: Vec<ReturnRecord> = match input.period {
        Some(p) => input
            .returns
            .iter()
            .filter(|r| r.period == p)
            .cloned()
            .collect(),
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
            message: format!(
                "Published claim does not agree with the returns: {}.",
                claim.note
            ),
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
                format!("Row repeats an earlier row word for word{earlier}; it is counted once."),
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
                let (Some(plan_dir), Some(report_dir)) =
                    (&link.plan_directorate, &link.report_directorate)
                else {
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
                        format!("Planned under {plan_dir} but reported under {report_dir}."),
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
                        format!(
                            "activity {reference}: {}",
                            link.report_title.as_deref().unwrap_or("")
                        ),
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
        let former: Vec<&String> = a
            .former_titles
            .iter()
            .filter(|t| fold(t) != current)
            .collect();
        if let Some(last) = former.last() {
            // A title cut short is worth knowing but is not a change of meaning.
            let message = if fold(last).starts_with(&current) {
                format!(
                    "Reported under a shortened title '{}'; the plan calls it '{}'.",
                    a.title, last
                )
            } else {
                format!("Now called '{}'; formerly '{}'.", a.title, last)
            };
            out.push(finding(
                code::RENAMED,
                Severity::Info,
                activity_subject(a),
                message,
                a.source.as_ref(),
            ));
        }
    }
}

fn due_dates(input: &CheckInput, returns: &[ReturnRecord], out: &mut Vec<Finding>) {
    let as_at: Option<NaiveDate> = input.period.map(|p| p.end());
    // A plan activity whose report row awaits a person's decision has no return of its own
    // yet; calling it overdue "with no return" would be wrong until the link is settled.
    let under_review: HashSet<i64> = input
        .links
        .iter()
        .filter(|l| l.decision == Decision::Review)
        .filter_map(|l| l.activity_id)
        .collect();
    for a in input.activities.iter().filter(|a| a.in_plan) {
        if let Some(note) = &a.status_note {
            out.push(finding(
                code::NOTE_IN_DUE_DATE,
                Severity::Warning,
                activity_subject(a),
                format!(
                    "The end-date column holds a note, not a date: '{note}'. Kept as a status note."
                ),
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
                    format!(
                        "Due date '{}' {why}, so progress cannot be held to a deadline.",
                        due.text
                    ),
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
        if latest.is_none() && under_review.contains(&a.id) {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::due::DueDate;
    use crate::period::Quarter;
    use crate::status::Status;

    fn src(line: usize) -> Option<SourceRef> {
        Some(SourceRef {
            file: "plan.txt".into(),
            line: Some(line),
        })
    }

    fn activity(id: i64, title: &str, due: &str) -> ActivityRecord {
        ActivityRecord {
            id,
            reference: None,
            title: title.into(),
            former_titles: vec![],
            plan_title: Some(title.into()),
            directorate: "Place".into(),
            portfolios: vec![],
            due: Some(DueDate::parse(due)),
            status_note: None,
            in_plan: true,
            source: src(id as usize),
            outcomes: vec![],
        }
    }

    fn ret(id: i64, reference: &str, status: Status, line: usize) -> ReturnRecord {
        ReturnRecord {
            activity_id: Some(id),
            reference: reference.into(),
            title: format!("Activity {reference}"),
            directorate: "Place".into(),
            period: Period::new(2024, Quarter::Q4),
            status,
            status_label: format!("{status:?}"),
            note: None,
            source: Some(SourceRef {
                file: "report.txt".into(),
                line: Some(line),
            }),
            corrective_action: None,
            reason: None,
        }
    }

    fn run_with(
        activities: &[ActivityRecord],
        returns: &[ReturnRecord],
        links: &[LinkRecord],
    ) -> Vec<Finding> {
        run(&CheckInput {
            period: Some(Period::new(2024, Quarter::Q4)),
            activities,
            returns,
            links,
            claims: &[],
            claims_source: None,
        })
    }

    fn count(findings: &[Finding], code: &str) -> usize {
        findings.iter().filter(|f| f.code == code).count()
    }

    #[test]
    fn repeated_rows_and_conflicting_references() {
        let acts = [activity(1, "One", "2026"), activity(2, "Two", "2026")];
        let mut conflicting = ret(2, "2", Status::Red, 13);
        conflicting.title = "Something else".into();
        let returns = [
            ret(1, "1", Status::Green, 10),
            ret(2, "2", Status::Green, 11),
            ret(1, "1", Status::Green, 12),
            conflicting,
        ];
        let f = run_with(&acts, &returns, &[]);
        assert_eq!(count(&f, code::DUPLICATE_ROW), 1);
        assert_eq!(count(&f, code::DUPLICATE_REFERENCE), 1);
        let dup = f
            .iter()
            .find(|f| f.code == code::DUPLICATE_ROW)
            .expect("duplicate");
        assert_eq!(dup.source.as_deref(), Some("report.txt:12"));
        assert!(dup.message.contains("report.txt:10"));
    }

    #[test]
    fn overdue_only_when_past_deadline_and_still_open() {
        let acts = [
            activity(1, "Late and amber", "October 2022"),
            activity(2, "Late but complete", "October 2022"),
            activity(3, "Not due yet", "2026"),
            activity(4, "Late with no return", "June 2023"),
        ];
        let returns = [
            ret(1, "1", Status::Amber, 1),
            ret(2, "2", Status::Complete, 2),
            ret(3, "3", Status::Amber, 3),
        ];
        let f = run_with(&acts, &returns, &[]);
        let overdue: Vec<&str> = f
            .iter()
            .filter(|f| f.code == code::OVERDUE)
            .map(|f| f.subject.as_str())
            .collect();
        assert_eq!(
            overdue,
            vec![
                "plan activity: Late and amber",
                "plan activity: Late with no return"
            ]
        );
        assert_eq!(count(&f, code::UNREPORTED_ACTIVITY), 1);
    }

    #[test]
    fn vague_dates_and_notes() {
        let mut note = activity(3, "Youth hub", "TBC");
        note.due = None;
        note.status_note = Some("No longer progressing with this action.".into());
        let acts = [
            activity(1, "Ongoing thing", "Ongoing"),
            activity(2, "Unconfirmed", "TBC"),
            note,
            activity(4, "No year", "October"),
        ];
        let f = run_with(&acts, &[], &[]);
        assert_eq!(count(&f, code::VAGUE_DUE_DATE), 3);
        assert_eq!(count(&f, code::NOTE_IN_DUE_DATE), 1);
        let ongoing = f
            .iter()
            .find(|f| f.code == code::VAGUE_DUE_DATE && f.subject.contains("Ongoing thing"))
            .expect("ongoing");
        assert_eq!(ongoing.severity, Severity::Info);
    }

    #[test]
    fn links_give_moved_unplanned_and_review_findings() {
        let acts = [activity(1, "Planned", "2026")];
        let link = |decision,
                    reference: Option<&str>,
                    plan_dir: Option<&str>,
                    report_dir: Option<&str>| LinkRecord {
            plan_title: plan_dir.map(|_| "Planned".to_string()),
            plan_directorate: plan_dir.map(str::to_string),
            reference: reference.map(str::to_string),
            report_title: reference.map(|r| format!("Row {r}")),
            report_directorate: report_dir.map(str::to_string),
            score: 0.8,
            decision,
            activity_id: Some(1),
            source: None,
        };
        let links = [
            link(
                Decision::Linked,
                Some("1"),
                Some("Adult Social Care & Health"),
                Some("Cross cutting"),
            ),
            link(
                Decision::Linked,
                Some("2"),
                Some("Adult Social Care & Health"),
                Some("Adult social care and health"),
            ),
            link(
                Decision::Unmatched,
                Some("74"),
                None,
                Some("Children's Services"),
            ),
            link(Decision::Review, Some("9"), Some("Place"), Some("Place")),
        ];
        let f = run_with(&acts, &[ret(1, "1", Status::Green, 1)], &links);
        assert_eq!(count(&f, code::MOVED_DIRECTORATE), 1);
        assert_eq!(count(&f, code::UNPLANNED_ACTIVITY), 1);
        assert_eq!(count(&f, code::LINK_NEEDS_REVIEW), 1);
    }

    #[test]
    fn renamed_activities_are_noted() {
        let mut a = activity(1, "Implement the care finder online platform", "2026");
        a.former_titles = vec!["Implement care finder 'app'".into()];
        let f = run_with(&[a], &[ret(1, "1", Status::Green, 1)], &[]);
        assert_eq!(count(&f, code::RENAMED), 1);
    }

    #[test]
    fn inconsistent_claims_are_errors_with_their_line() {
        let claims = [crate::stats::ClaimCheck {
            text: "85% complete".into(),
            line: 5,
            percent: Some(85.0),
            count: None,
            total: None,
            checked: true,
            consistent: false,
            note: "85% published; 97 of 116 = 83.6%".into(),
        }];
        let f = run(&CheckInput {
            period: Some(Period::new(2024, Quarter::Q4)),
            activities: &[],
            returns: &[],
            links: &[],
            claims: &claims,
            claims_source: Some("report.txt"),
        });
        assert_eq!(count(&f, code::HEADLINE_MISMATCH), 1);
        assert_eq!(f[0].source.as_deref(), Some("report.txt:5"));
        assert_eq!(f[0].severity, Severity::Error);
    }
}
