//! What needs a person after an import: report rows linked to the plan with low confidence
//! (accept, reject, or pick another activity), report rows that match no activity, and the
//! data-quality findings of the checks, each settled with one click and audited by the store.
//! Admins only.

use crate::Staff;
use crate::auth::{Admin, AdminForm, Signed};
use crate::error::StaffError;
use crate::http;
use crate::view::with;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use waymark_domain::checks::{Finding, code};
use waymark_domain::reconcile::Decision;
use waymark_domain::{Period, records::LinkRecord};
use waymark_store::{LinkDecision, Organisation, Store, StoreError};

/// Findings the page lists with their own actions (the links above), not as findings, when the
/// row they are about has a reference to decide it by.
const SHOWN_AS_LINKS: [&str; 2] = [code::LINK_NEEDS_REVIEW, code::UNPLANNED_ACTIVITY];

/// What waits for a person in a period.
pub struct Waiting {
    pub period: Option<Period>,
    pub links: Vec<LinkRecord>,
    pub unmatched: Vec<LinkRecord>,
    /// Plan activities a report row of the period is linked to.
    pub claimed: HashSet<i64>,
    pub findings: Vec<Finding>,
    pub settled: Vec<waymark_store::SettledFinding>,
}

impl Waiting {
    pub fn count(&self) -> usize {
        self.links.len() + self.unmatched.len() + self.findings.len()
    }

    /// The newest period's, or the named one's (by its slug).
    pub async fn load(
        store: &Store,
        org: &Organisation,
        slug: Option<&str>,
    ) -> Result<Waiting, StoreError> {
        let periods = store.periods(org, None).await?;
        let period = match slug {
            Some(s) => periods.iter().copied().find(|p| p.slug() == s),
            None => periods.last().copied(),
        };
        let links = match period {
            Some(p) => store.links(org, p, None).await?,
            None => vec![],
        };
        let settled = store.settled_findings(org, period).await?;
        let done: HashSet<(&str, &str)> = settled
            .iter()
            .map(|s| (s.code.as_str(), s.subject.as_str()))
            .collect();
        let all = store.findings(org, period).await?;
        let is_settled = |code: &str, subject: &str| done.contains(&(code, subject));
        // Rows are decided by their reference; a row without one is settled as a finding.
        let referenced =
            |l: &LinkRecord| l.reference.as_deref().is_some_and(|r| !r.trim().is_empty());
        let mut seen = HashSet::new();
        let unmatched: Vec<LinkRecord> = links
            .iter()
            .filter(|l| l.decision == Decision::Unmatched && referenced(l))
            .filter(|l| l.reference.as_ref().is_some_and(|r| seen.insert(r.clone())))
            .filter(|l| !is_settled(code::UNPLANNED_ACTIVITY, &unplanned_subject(l)))
            .cloned()
            .collect();
        let review: Vec<LinkRecord> = links
            .iter()
            .filter(|l| l.decision == Decision::Review && referenced(l))
            .cloned()
            .collect();
        let claimed: HashSet<i64> = links
            .iter()
            .filter(|l| l.decision == Decision::Linked)
            .filter_map(|l| l.activity_id)
            .collect();
        let shown: HashSet<String> = review
            .iter()
            .chain(&unmatched)
            .map(unplanned_subject)
            .collect();
        let findings: Vec<Finding> = all
            .into_iter()
            .filter(|f| !(SHOWN_AS_LINKS.contains(&f.code.as_str()) && shown.contains(&f.subject)))
            .filter(|f| !is_settled(&f.code, &f.subject))
            .collect();
        Ok(Waiting {
            period,
            claimed,
            links: review,
            unmatched,
            findings,
            settled,
        })
    }
}

/// The subject the checks give a report row that matches no plan activity.
fn unplanned_subject(link: &LinkRecord) -> String {
    format!(
        "activity {}: {}",
        link.reference.as_deref().unwrap_or(""),
        link.report_title.as_deref().unwrap_or("")
    )
}

/// GET /staff/settle: everything waiting for a person in a period.
pub async fn page(
    State(staff): State<Arc<Staff>>,
    Admin { signed, .. }: Admin,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let slug = http::query_value(query.as_deref(), "period");
    let done = http::query_value(query.as_deref(), "done");
    render(&staff, &signed, StatusCode::OK, slug, done, None).await
}

async fn render(
    staff: &Staff,
    signed: &Signed,
    status: StatusCode,
    slug: Option<&str>,
    done: Option<&str>,
    error: Option<&str>,
) -> Result<Response, StaffError> {
    let mut waiting = Waiting::load(&staff.store, &signed.org, slug).await?;
    let (mut status, mut error) = (status, error);
    if slug.is_some() && waiting.period.is_none() {
        // A period with no report: the newest one instead, saying so.
        waiting = Waiting::load(&staff.store, &signed.org, None).await?;
        status = StatusCode::NOT_FOUND;
        error = Some("There is no report for that period: choose one from the list.");
    }
    let periods = staff.store.periods(&signed.org, None).await?;
    let activities = staff.store.activities(&signed.org, None).await?;
    // A report row can become any plan activity that no report row has claimed yet.
    let mut by_directorate: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for a in activities
        .iter()
        .filter(|a| a.in_plan && a.reference.is_none() && !waiting.claimed.contains(&a.id))
    {
        by_directorate
            .entry(a.directorate.as_str())
            .or_default()
            .push(context! { id => a.id, title => a.title.clone() });
    }
    let choices: Vec<Value> = by_directorate
        .into_iter()
        .map(|(d, list)| context! { directorate => d, activities => list })
        .collect();
    let link_view = |l: &LinkRecord| {
        context! {
            reference => l.reference.clone().unwrap_or_default(),
            report_title => l.report_title.clone().unwrap_or_default(),
            report_directorate => l.report_directorate.clone().unwrap_or_default(),
            plan_title => l.plan_title.clone().unwrap_or_default(),
            plan_directorate => l.plan_directorate.clone().unwrap_or_default(),
            score => format!("{:.2}", l.score),
            source => l.source.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            subject => unplanned_subject(l),
        }
    };
    let findings: Vec<Value> = waiting
        .findings
        .iter()
        .map(|f| {
            context! {
                code => f.code.clone(),
                severity => f.severity.key(),
                subject => f.subject.clone(),
                message => f.message.clone(),
                source => f.source.clone().unwrap_or_default(),
            }
        })
        .collect();
    let period_views: Vec<Value> = periods
        .iter()
        .rev()
        .map(|p| context! { slug => p.slug(), name => p.to_string(), current => Some(*p) == waiting.period })
        .collect();
    Ok(staff.view.page(
        status,
        "settle.html",
        with(
            signed.frame("settle", "Settle what the import could not"),
            context! {
                period => waiting.period.map(|p| context! { slug => p.slug(), name => p.to_string() }),
                periods => period_views,
                links => waiting.links.iter().map(link_view).collect::<Vec<_>>(),
                unmatched => waiting.unmatched.iter().map(link_view).collect::<Vec<_>>(),
                findings => findings,
                settled => waiting.settled.clone(),
                choices => choices,
                waiting => waiting.count(),
                done => match done {
                    Some("link") => Some("The report row's link is saved."),
                    Some("finding") => Some("The finding is settled."),
                    _ => None,
                },
                error => error,
            },
        ),
    ))
}

/// The page again for a decision that changed nothing, saying why.
async fn refused(
    staff: &Staff,
    signed: &Signed,
    slug: Option<&str>,
    message: &str,
) -> Result<Response, StaffError> {
    render(
        staff,
        signed,
        StatusCode::BAD_REQUEST,
        slug,
        None,
        Some(message),
    )
    .await
}

/// What a form naming a period with no report is told.
const NO_REPORT: &str = "That period has no report: choose one from the list.";

/// POST /staff/settle/links: accept, reject, or choose another plan activity for a report row.
pub async fn decide(
    State(staff): State<Arc<Staff>>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let slug = form.get("period");
    let periods = staff.store.periods(&signed.org, None).await?;
    let Some(period) = periods.iter().copied().find(|p| p.slug() == slug) else {
        return refused(&staff, &signed, None, NO_REPORT).await;
    };
    let reference = form.get("reference").trim().to_string();
    let decision = match form.get("decision") {
        "accept" => LinkDecision::Accept,
        "reject" => LinkDecision::Reject,
        "choose" => match form.number("activity") {
            Some(id) => LinkDecision::Choose(id),
            None => {
                let message = format!(
                    "Choose the plan activity that report row {reference} is, then press Link to the chosen activity."
                );
                return refused(&staff, &signed, Some(slug), &message).await;
            }
        },
        _ => {
            let message = "Choose accept, reject or another activity.";
            return refused(&staff, &signed, Some(slug), message).await;
        }
    };
    let decisions = [(reference, decision)];
    let (who, now) = (signed.user.who(), staff.now());
    match staff
        .store
        .decide_links(&signed.org, period, &decisions, &who, now)
        .await
    {
        Ok(()) => Ok(http::see_other(&format!(
            "/staff/settle?period={slug}&done=link"
        ))),
        Err(StoreError::Usage(message)) => refused(&staff, &signed, Some(slug), &message).await,
        Err(e) => Err(e.into()),
    }
}

/// POST /staff/settle/findings: mark a finding as dealt with, with an optional note.
pub async fn settle(
    State(staff): State<Arc<Staff>>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let slug = form.get("period");
    let waiting = Waiting::load(&staff.store, &signed.org, Some(slug)).await?;
    if waiting.period.is_none() {
        return refused(&staff, &signed, None, NO_REPORT).await;
    }
    let (code, subject) = (form.get("code"), form.get("subject"));
    // Only a finding the checks make now can be settled: a stale or forged form changes nothing.
    let open = waiting
        .findings
        .iter()
        .any(|f| f.code == code && f.subject == subject)
        || (code == code::UNPLANNED_ACTIVITY
            && waiting
                .unmatched
                .iter()
                .any(|l| unplanned_subject(l) == subject));
    if !open {
        let message =
            "That finding is no longer waiting: it was settled already, or the data changed.";
        return refused(&staff, &signed, Some(slug), message).await;
    }
    let settlement = waymark_store::Settlement {
        period: waiting.period,
        code,
        subject,
        note: form.get("note"),
    };
    let (who, now) = (signed.user.who(), staff.now());
    match staff
        .store
        .settle_finding(&signed.org, settlement, &who, now)
        .await
    {
        Ok(()) => Ok(http::see_other(&format!(
            "/staff/settle?period={slug}&done=finding"
        ))),
        Err(StoreError::Usage(message)) => refused(&staff, &signed, Some(slug), &message).await,
        Err(e) => Err(e.into()),
    }
}
