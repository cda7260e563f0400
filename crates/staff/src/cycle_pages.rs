//! The quarterly cycle's pages: your work, the periods, a period's progress, and a return
//! with its forms (write, submit, approve, send back, assign an owner). Who sees and does what
//! is asked of `waymark_domain::workflow`; the store asks again inside its write.

use crate::Staff;
use crate::auth::{AdminForm, AdminOnly, INCOMPLETE, NO_ACTION, Signed, SignedForm};
use crate::error::{OrNotFound, StaffError, Text};
use crate::http::{self, Form};
use crate::view::{errors_view, with};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Duration, NaiveDate};
use minijinja::{Value, context};
use serde::Serialize;
use std::sync::Arc;
use waymark_domain::workflow::{
    self, Actor, FieldError, Forbidden, PeriodAction, PeriodState, Refusal, ReturnAction,
    ReturnContent, ReturnState, Role, Viewer,
};
use waymark_domain::{Period, Status};
use waymark_store::{Act, Cycle, CycleItem, ReturnDetail, StoreError, User};
use waymark_web::html::StatusView;

/// Whether a person may see an activity's return at all (an owner only their own, a director
/// their directorate's, a reader what has been submitted): `workflow::may_see_return`.
pub fn can_view(user: &User, item: &CycleItem) -> bool {
    let viewer = Viewer {
        role: user.role,
        is_owner: item.owner.as_ref().is_some_and(|o| o.id == user.id),
        in_directorate: user.directorate_id == Some(item.directorate_id),
    };
    workflow::may_see_return(viewer, item.state)
}

fn actor(user: &User, item: &CycleItem, author: Option<i64>) -> Actor {
    Actor {
        role: user.role,
        is_owner: item.owner.as_ref().is_some_and(|o| o.id == user.id),
        in_directorate: user.role == Role::Director
            && user.directorate_id == Some(item.directorate_id),
        is_author: author == Some(user.id),
    }
}

fn allowed(
    cycle: &Cycle,
    item: &CycleItem,
    user: &User,
    author: Option<i64>,
    action: ReturnAction,
) -> bool {
    workflow::return_transition(cycle.state, item.state, action, &actor(user, item, author)).is_ok()
}

#[derive(Serialize)]
struct PeriodView {
    id: i64,
    name: String,
    state: &'static str,
    state_name: &'static str,
    deadline: String,
    revision: i64,
    href: String,
}

fn period_view(cycle: &Cycle) -> PeriodView {
    PeriodView {
        id: cycle.id,
        name: cycle.period.to_string(),
        state: cycle.state.key(),
        state_name: cycle.state.name(),
        deadline: cycle.deadline.format("%-d %B %Y").to_string(),
        revision: cycle.revision,
        href: format!("/staff/periods/{}", cycle.id),
    }
}

#[derive(Serialize)]
struct ItemView {
    reference: String,
    title: String,
    directorate: String,
    owner: String,
    state: &'static str,
    state_name: &'static str,
    status: Option<StatusView>,
    href: Option<String>,
}

fn state_of(item: &CycleItem) -> (&'static str, &'static str) {
    match item.state {
        Some(s) => (s.key(), s.name()),
        None => ("missing", "Not started"),
    }
}

fn item_view(cycle: &Cycle, item: &CycleItem, user: &User) -> ItemView {
    let visible = can_view(user, item);
    let (state, state_name) = if visible || user.role != Role::Reader {
        state_of(item)
    } else {
        ("hidden", "Not yet submitted")
    };
    ItemView {
        reference: item.reference.clone().unwrap_or_default(),
        title: item.title.clone(),
        directorate: item.directorate.clone(),
        owner: item
            .owner
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_else(|| "No owner".into()),
        state,
        state_name,
        status: visible.then(|| item.status.map(StatusView::of)).flatten(),
        href: visible.then(|| {
            format!(
                "/staff/periods/{}/activities/{}",
                cycle.id, item.activity_id
            )
        }),
    }
}

/// How many returns stand where, for a progress summary.
#[derive(Serialize, Default)]
struct Progress {
    total: usize,
    missing: usize,
    draft: usize,
    submitted: usize,
    returned: usize,
    approved: usize,
}

fn progress(items: &[CycleItem]) -> Progress {
    let mut p = Progress {
        total: items.len(),
        ..Progress::default()
    };
    for item in items {
        match item.state {
            None => p.missing += 1,
            Some(ReturnState::Draft) => p.draft += 1,
            Some(ReturnState::Submitted) => p.submitted += 1,
            Some(ReturnState::Returned) => p.returned += 1,
            Some(ReturnState::Approved) => p.approved += 1,
        }
    }
    p
}

/// What the home page lists for a person: their returns and indicators in open periods, the
/// returns waiting for their review, and each period's progress as far as they may see it.
#[derive(Default)]
struct Work {
    mine: Vec<Value>,
    to_review: Vec<Value>,
    periods: Vec<Value>,
    indicators: Vec<Value>,
}

impl Work {
    async fn gather(staff: &Staff, signed: &Signed) -> Result<Work, StaffError> {
        let mut work = Work::default();
        for cycle in &staff.store.cycles(&signed.org).await? {
            let items = staff.store.cycle_items(&signed.org, cycle.id).await?;
            // The indicators this person enters, in periods still open.
            if cycle.state == PeriodState::Open {
                let list = staff.store.indicator_items(&signed.org, cycle.id).await?;
                work.indicators.extend(
                    list.iter()
                        .filter(|i| {
                            i.settings
                                .as_ref()
                                .and_then(|s| s.owner.as_ref())
                                .is_some_and(|o| o.id == signed.user.id)
                        })
                        .map(|i| {
                            context! {
                                period => period_view(cycle),
                                item => crate::indicator_pages::item_view(cycle, i, &signed.user),
                            }
                        }),
                );
            }
            work.add(cycle, items, &signed.user);
        }
        Ok(work)
    }

    fn add(&mut self, cycle: &Cycle, items: Vec<CycleItem>, user: &User) {
        let entry = |item: &CycleItem| {
            context! { period => period_view(cycle), item => item_view(cycle, item, user) }
        };
        for item in &items {
            let owns = item.owner.as_ref().is_some_and(|o| o.id == user.id);
            if owns && cycle.state == PeriodState::Open {
                self.mine.push(entry(item));
            }
            // Anyone who could review it sees it (the author check happens on the page).
            if item.state == Some(ReturnState::Submitted)
                && cycle.state == PeriodState::Open
                && allowed(cycle, item, user, item.author_id, ReturnAction::Approve)
            {
                self.to_review.push(entry(item));
            }
        }
        let visible: Vec<CycleItem> = items.into_iter().filter(|i| can_view(user, i)).collect();
        self.periods
            .push(context! { period => period_view(cycle), progress => progress(&visible) });
    }
}

/// GET /staff: what this person has to do.
pub async fn home(State(staff): State<Arc<Staff>>, signed: Signed) -> Result<Response, StaffError> {
    let work = Work::gather(&staff, &signed).await?;
    // The performance team sees how much an import left for a person to settle.
    let settle_waiting = if signed.is_admin() {
        // The count is a convenience: the page stands without it.
        crate::settle_pages::Waiting::load(&staff.store, &signed.org, None)
            .await
            .map_or(0, |w| w.count())
    } else {
        0
    };
    Ok(staff.view.page(
        StatusCode::OK,
        "home.html",
        with(
            signed.frame("home", "Your work"),
            context! {
                settle_waiting => settle_waiting,
                mine => work.mine,
                to_review => work.to_review,
                periods => work.periods,
                indicators => work.indicators,
            },
        ),
    ))
}

fn periods_page(
    staff: &Staff,
    signed: &Signed,
    cycles: &[Cycle],
    status: StatusCode,
    form: Value,
) -> Response {
    let views: Vec<PeriodView> = cycles.iter().map(period_view).collect();
    let today = staff.now().date_naive();
    staff.view.page(
        status,
        "periods.html",
        with(
            signed.frame("periods", "Periods"),
            context! {
                periods => views,
                is_admin => signed.user.role == Role::Admin,
                suggested_period => Period::containing(today).to_string(),
                suggested_deadline => (today + Duration::days(28)).to_string(),
                form => form,
            },
        ),
    )
}

/// GET /staff/periods: every period in the workflow; admins can open a new one.
pub async fn periods(
    State(staff): State<Arc<Staff>>,
    signed: Signed,
) -> Result<Response, StaffError> {
    let cycles = staff.store.cycles(&signed.org).await?;
    Ok(periods_page(
        &staff,
        &signed,
        &cycles,
        StatusCode::OK,
        context! {},
    ))
}

/// The forms that change periods and owners: admins only.
pub struct PeriodWork;

impl AdminOnly for PeriodWork {
    fn refusal() -> Text {
        format!(
            "{} Nothing was changed.",
            Refusal::from(Forbidden::NotAdmin)
        )
        .into()
    }
}

/// What the store's refusal of a return or period change shows.
fn refusal(signed: &Signed, e: StoreError) -> StaffError {
    match e {
        StoreError::Refused(r) if r.is_forbidden() => {
            signed.forbidden(format!("{r} Nothing was changed."))
        }
        StoreError::Refused(r) => signed.message(
            StatusCode::CONFLICT,
            "This cannot be done now",
            format!("{r} Nothing was changed."),
        ),
        StoreError::Conflict(m) => {
            signed.message(StatusCode::CONFLICT, "Someone else got there first", m)
        }
        StoreError::NotFound(_) => not_found(signed),
        StoreError::Usage(m) => signed.cannot(m),
        other => other.into(),
    }
}

fn not_found(signed: &Signed) -> StaffError {
    signed.not_found(
        "There is nothing here for you. If you followed a link, it may be for a return you are not responsible for.",
    )
}

/// The quarter and deadline the open-period form names, or what is wrong with them.
fn period_and_deadline(form: &Form) -> Result<(Period, NaiveDate), Vec<FieldError>> {
    let mut errors = vec![];
    let period = form.get("period").trim().parse::<Period>();
    if period.is_err() {
        errors.push(FieldError {
            field: "period",
            message: "Enter a quarter, like 2025/26 Q1".into(),
        });
    }
    // A deadline within a year or so of the quarter; anything else is a typing slip.
    let deadline = NaiveDate::parse_from_str(form.get("deadline").trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| match &period {
            Ok(p) => *d >= p.start() && *d <= p.end() + Duration::days(366),
            Err(_) => true,
        });
    if deadline.is_none() {
        errors.push(FieldError {
            field: "deadline",
            message: "Enter the date returns are due, like 2025-07-31, from the quarter's start to a year after its end".into(),
        });
    }
    match (period, deadline) {
        (Ok(period), Some(deadline)) => Ok((period, deadline)),
        _ => Err(errors),
    }
}

/// POST /staff/periods: open a period (admins).
pub async fn open_period(
    State(staff): State<Arc<Staff>>,
    AdminForm { signed, form, .. }: AdminForm<PeriodWork>,
) -> Result<Response, StaffError> {
    let (period, deadline) = match period_and_deadline(&form) {
        Ok(chosen) => chosen,
        Err(errors) => {
            let cycles = staff.store.cycles(&signed.org).await.unwrap_or_default();
            let typed = context! {
                errors => errors_view(&errors),
                period => form.get("period"),
                deadline => form.get("deadline"),
            };
            let status = StatusCode::BAD_REQUEST;
            return Ok(periods_page(&staff, &signed, &cycles, status, typed));
        }
    };
    let cycle = staff
        .store
        .open_cycle(&signed.org, period, deadline, &signed.user, staff.now())
        .await
        .map_err(|e| refusal(&signed, e))?;
    Ok(http::see_other(&format!(
        "/staff/periods/{}?done=opened",
        cycle.id
    )))
}

fn done_message(query: Option<&str>) -> Option<&'static str> {
    let done = query?.split('&').find_map(|p| p.strip_prefix("done="))?;
    Some(match done {
        "opened" => "The period is open for returns.",
        "locked" => "The period is locked: returns can no longer be changed.",
        "unlocked" => "The period is open again.",
        "published" => "The period is published: the approved returns are on the public site.",
        "reopened" => {
            "The period is reopened for corrections. The public site keeps the published returns until you publish again."
        }
        "saved" => "Your draft has been saved.",
        "submitted" => "The return has been submitted for approval.",
        "approved" => "The return has been approved.",
        "returned" => "The return has been sent back to its owner.",
        "assigned" => "The owner has been changed.",
        _ => return None,
    })
}

/// GET /staff/periods/{cycle}: a period's returns and progress; admins change its state here.
pub async fn period(
    State(staff): State<Arc<Staff>>,
    Path(cycle_id): Path<i64>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let (cycle, items) = cycle_items(&staff, &signed, cycle_id, not_found).await?;
    let indicators: Vec<Value> = staff
        .store
        .indicator_items(&signed.org, cycle.id)
        .await?
        .iter()
        .map(|i| crate::indicator_pages::item_view(&cycle, i, &signed.user))
        .collect();
    let all = progress(&items);
    // Readers see every activity but only what has been submitted; others what is theirs.
    let shown: Vec<ItemView> = items
        .iter()
        .filter(|i| signed.user.role == Role::Reader || can_view(&signed.user, i))
        .map(|i| item_view(&cycle, i, &signed.user))
        .collect();
    let is_admin = signed.is_admin();
    Ok(staff.view.page(
        StatusCode::OK,
        "period.html",
        with(
            signed.frame("periods", &cycle.period.to_string()),
            context! {
                period => period_view(&cycle),
                items => shown,
                progress => all,
                show_progress => is_admin || signed.user.role == Role::Reader,
                reports => (signed.user.role != Role::Owner).then(|| report_links(&staff, &cycle)),
                actions => period_actions(&cycle, &signed),
                done => done_message(query.as_deref()),
                indicators => indicators,
            },
        ),
    ))
}

/// A period and its activities' returns; a period that is not there is the page's own "not
/// found".
pub async fn cycle_items(
    staff: &Staff,
    signed: &Signed,
    cycle_id: i64,
    not_found: fn(&Signed) -> StaffError,
) -> Result<(Cycle, Vec<CycleItem>), StaffError> {
    let cycle = staff
        .store
        .cycle(&signed.org, cycle_id)
        .await
        .or_not_found(|| not_found(signed))?;
    let items = staff.store.cycle_items(&signed.org, cycle.id).await?;
    Ok((cycle, items))
}

/// The buttons that change a period's state, for an admin.
fn period_actions(cycle: &Cycle, signed: &Signed) -> Vec<Value> {
    PeriodAction::ALL
        .iter()
        .filter(|a| {
            signed.is_admin()
                && workflow::period_transition(cycle.state, **a, signed.user.role).is_ok()
        })
        .map(|a| {
            let (key, label) = match a {
                PeriodAction::Lock => ("lock", "Lock the period"),
                PeriodAction::Unlock => ("unlock", "Unlock the period"),
                PeriodAction::Publish => ("publish", "Publish the approved returns"),
                PeriodAction::Reopen => ("reopen", "Reopen for corrections"),
            };
            context! { key => key, label => label }
        })
        .collect()
}

/// Links to the period's DRAFT reports in every format.
fn report_links(staff: &Staff, cycle: &waymark_store::Cycle) -> Vec<Value> {
    let formats = staff.reporter.formats();
    [
        waymark_report::Kind::Annual,
        waymark_report::Kind::Exceptions,
    ]
    .into_iter()
    .map(|kind| {
        context! {
            name => match kind {
                waymark_report::Kind::Annual => "Annual performance report (year to date)",
                _ => "Exception report: Amber, Red, overdue and missing returns",
            },
            links => formats.iter().map(|f| context! {
                href => format!("/staff/periods/{}/reports/{}.{}", cycle.id, kind.key(), f.key()),
                label => f.name(),
            }).collect::<Vec<_>>(),
        }
    })
    .collect()
}

/// POST /staff/periods/{cycle}/state: lock, unlock, publish or reopen (admins).
pub async fn change_period(
    State(staff): State<Arc<Staff>>,
    Path(cycle_id): Path<i64>,
    AdminForm { signed, form, .. }: AdminForm<PeriodWork>,
) -> Result<Response, StaffError> {
    let action = match form.get("action") {
        "lock" => PeriodAction::Lock,
        "unlock" => PeriodAction::Unlock,
        "publish" => PeriodAction::Publish,
        "reopen" => PeriodAction::Reopen,
        _ => return Err(signed.cannot(NO_ACTION)),
    };
    let revision = form
        .number("revision")
        .ok_or_else(|| signed.cannot(INCOMPLETE))?;
    let cycle = staff
        .store
        .change_cycle(
            &signed.org,
            cycle_id,
            action,
            revision,
            &signed.user,
            staff.now(),
        )
        .await
        .map_err(|e| refusal(&signed, e))?;
    let done = match action {
        PeriodAction::Lock => "locked",
        PeriodAction::Unlock => "unlocked",
        PeriodAction::Publish => "published",
        PeriodAction::Reopen => "reopened",
    };
    Ok(http::see_other(&format!(
        "/staff/periods/{}?done={done}",
        cycle.id
    )))
}

#[derive(Serialize)]
struct VersionView {
    revision: i64,
    action: String,
    state_name: &'static str,
    status: StatusView,
    commentary: String,
    corrective_action: String,
    reason: String,
    evidence: Vec<String>,
    review_comment: Option<String>,
    actor: String,
    at: String,
}

/// What the return form shows: the person's own input (after an error) or the saved content,
/// or last period's answer.
#[derive(Serialize)]
struct FormView {
    status: String,
    commentary: String,
    corrective_action: String,
    reason: String,
    evidence: String,
    comment: String,
}

impl FormView {
    fn of(content: &ReturnContent) -> FormView {
        FormView {
            status: content.status.key().to_string(),
            commentary: content.commentary.clone(),
            corrective_action: content.corrective_action.clone(),
            reason: content.reason.clone(),
            evidence: content.evidence.join("\n"),
            comment: String::new(),
        }
    }

    fn from_form(form: &Form) -> FormView {
        FormView {
            status: form.get("status").to_string(),
            commentary: form.get("commentary").to_string(),
            corrective_action: form.get("corrective_action").to_string(),
            reason: form.get("reason").to_string(),
            evidence: form.get("evidence").to_string(),
            comment: form.get("comment").to_string(),
        }
    }
}

struct Problem {
    status: StatusCode,
    errors: Vec<FieldError>,
    conflict: Option<String>,
    input: FormView,
}

impl Problem {
    /// The return's page again for a refusal the person can act on (what they wrote kept in
    /// the form: nothing is lost, and they can look at the newer version before sending theirs
    /// again); any other refusal is given back.
    fn of(e: StoreError, form: &Form) -> Result<Problem, StoreError> {
        let (status, errors, conflict) = match e {
            StoreError::Invalid(errors) => (StatusCode::BAD_REQUEST, errors, None),
            StoreError::Conflict(message) => (StatusCode::CONFLICT, vec![], Some(message)),
            StoreError::Refused(r) if !r.is_forbidden() => (
                StatusCode::CONFLICT,
                vec![],
                Some(format!("{r} Nothing was changed.")),
            ),
            other => return Err(other),
        };
        Ok(Problem {
            status,
            errors,
            conflict,
            input: FormView::from_form(form),
        })
    }
}

/// The return, if this person may see it; "not found" otherwise, as for one that is not there.
async fn load_detail(
    staff: &Staff,
    signed: &Signed,
    cycle_id: i64,
    activity_id: i64,
) -> Result<ReturnDetail, StaffError> {
    let detail = staff
        .store
        .return_detail(&signed.org, cycle_id, activity_id)
        .await
        .or_not_found(|| not_found(signed))?;
    if can_view(&signed.user, &detail.item) {
        Ok(detail)
    } else {
        Err(not_found(signed))
    }
}

fn return_view(
    staff: &Staff,
    signed: &Signed,
    detail: &ReturnDetail,
    problem: Option<Problem>,
    done: Option<&str>,
    owners: Vec<Value>,
) -> Response {
    let cycle = &detail.cycle;
    let item = &detail.item;
    let author = detail.current().map(|v| v.author.id);
    let can_edit = allowed(cycle, item, &signed.user, author, ReturnAction::Submit);
    let can_review = allowed(cycle, item, &signed.user, author, ReturnAction::Approve);
    let reviewer_but_author = item.state == Some(ReturnState::Submitted)
        && author == Some(signed.user.id)
        && matches!(signed.user.role, Role::Admin | Role::Director);
    // Readers see what was put forward for approval, not drafts or the review between owner
    // and director.
    let reader = signed.user.role == Role::Reader;
    let history: Vec<VersionView> = detail
        .history
        .iter()
        .rev()
        .filter(|v| !reader || workflow::visible_to_reader(v.state))
        .map(|v| VersionView {
            revision: v.revision,
            action: v.action.clone(),
            state_name: v.state.name(),
            status: StatusView::of(v.content.status),
            commentary: v.content.commentary.clone(),
            corrective_action: v.content.corrective_action.clone(),
            reason: v.content.reason.clone(),
            evidence: v.content.evidence.clone(),
            review_comment: v.review_comment.clone().filter(|_| !reader),
            actor: v.actor.name.clone(),
            at: v.at.get(..16).unwrap_or(&v.at).replace('T', " "),
        })
        .collect();
    let (status, errors, conflict, form, prefilled) = match problem {
        Some(p) => (p.status, p.errors, p.conflict, p.input, None),
        None => match (detail.current(), &detail.previous) {
            (Some(current), _) => (
                StatusCode::OK,
                vec![],
                None,
                FormView::of(&current.content),
                None,
            ),
            (None, Some(previous)) => (
                StatusCode::OK,
                vec![],
                None,
                FormView::of(&previous.content),
                Some(previous.period.to_string()),
            ),
            (None, None) => (
                StatusCode::OK,
                vec![],
                None,
                FormView {
                    status: String::new(),
                    commentary: String::new(),
                    corrective_action: String::new(),
                    reason: String::new(),
                    evidence: String::new(),
                    comment: String::new(),
                },
                None,
            ),
        },
    };
    let choices: Vec<Value> = workflow::REPORTABLE
        .iter()
        .map(|s| context! { key => s.key(), name => s.name(), checked => form.status == s.key() })
        .collect();
    let (state, state_name) = state_of(item);
    staff.view.page(
        status,
        "return.html",
        with(
            signed.frame(
                "periods",
                &format!(
                    "{} – {}",
                    item.reference.clone().unwrap_or_default(),
                    cycle.period
                ),
            ),
            context! {
                period => period_view(cycle),
                item => context! {
                    reference => item.reference.clone().unwrap_or_default(),
                    title => item.title.clone(),
                    directorate => item.directorate.clone(),
                    owner => item.owner.as_ref().map(|o| o.name.clone()),
                    state => state,
                    state_name => state_name,
                    revision => item.revision,
                },
                action => format!("/staff/periods/{}/activities/{}", cycle.id, item.activity_id),
                history => history,
                form => form,
                prefilled => prefilled,
                statuses => choices,
                can_edit => can_edit,
                can_review => can_review,
                reviewer_but_author => reviewer_but_author,
                owners => owners,
                errors => errors_view(&errors),
                has_errors => !errors.is_empty(),
                conflict => conflict,
                done => done,
            },
        ),
    )
}

/// The people an admin can make an activity's owner, the current one selected.
async fn owner_choices(
    staff: &Staff,
    signed: &Signed,
    item: &CycleItem,
    cycle: &Cycle,
) -> Vec<Value> {
    if signed.user.role != Role::Admin || cycle.state != PeriodState::Open {
        return vec![];
    }
    let people = staff.store.users(&signed.org).await.unwrap_or_default();
    people
        .into_iter()
        .filter(|u| u.active && u.role != Role::Reader)
        .map(|u| {
            let selected = item.owner.as_ref().is_some_and(|o| o.id == u.id);
            context! { id => u.id, label => format!("{} ({})", u.name, u.email), selected => selected }
        })
        .collect()
}

/// The return's page: its history and forms, and what a refused form sent with why.
async fn show_return(
    staff: &Staff,
    signed: &Signed,
    (cycle_id, activity_id): (i64, i64),
    problem: Option<Problem>,
    done: Option<&str>,
) -> Result<Response, StaffError> {
    let detail = load_detail(staff, signed, cycle_id, activity_id).await?;
    let owners = owner_choices(staff, signed, &detail.item, &detail.cycle).await;
    Ok(return_view(staff, signed, &detail, problem, done, owners))
}

/// GET /staff/periods/{cycle}/activities/{activity}: a return, its history and its forms.
pub async fn return_page(
    State(staff): State<Arc<Staff>>,
    Path(ids): Path<(i64, i64)>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let done = done_message(query.as_deref());
    show_return(&staff, &signed, ids, None, done).await
}

/// Whether this person may ever do this is answered before anything about the form (as the
/// store answers it first): a reader or another directorate's director is refused, not told
/// how to fill the form in.
fn may_ever(
    signed: &Signed,
    detail: &ReturnDetail,
    action: ReturnAction,
) -> Result<(), StaffError> {
    let author = detail.current().map(|v| v.author.id);
    let by = actor(&signed.user, &detail.item, author);
    match workflow::return_transition(detail.cycle.state, detail.item.state, action, &by) {
        Err(r) if r.is_forbidden() => Err(refusal(signed, StoreError::Refused(r))),
        _ => Ok(()),
    }
}

/// The return as the form describes it.
fn content_of(form: &Form) -> ReturnContent {
    ReturnContent {
        status: Status::from_key(form.get("status")).unwrap_or(Status::NoReturn),
        commentary: form.get("commentary").to_string(),
        corrective_action: form.get("corrective_action").to_string(),
        reason: form.get("reason").to_string(),
        evidence: workflow::parse_evidence(form.get("evidence")),
    }
}

/// POST /staff/periods/{cycle}/activities/{activity}: save, submit, approve or send back.
pub async fn act(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, activity_id)): Path<(i64, i64)>,
    SignedForm { signed, form }: SignedForm,
) -> Result<Response, StaffError> {
    // Someone who cannot see the return learns nothing about it, whatever they post.
    let detail = load_detail(&staff, &signed, cycle_id, activity_id).await?;
    let action = match form.get("action") {
        "save" => ReturnAction::SaveDraft,
        "submit" => ReturnAction::Submit,
        "approve" => ReturnAction::Approve,
        "send_back" => ReturnAction::SendBack,
        _ => return Err(signed.cannot(NO_ACTION)),
    };
    may_ever(&signed, &detail, action)?;
    let revision = form
        .number("revision")
        .ok_or_else(|| signed.cannot(INCOMPLETE))?;
    let content = content_of(&form);
    let comment = form.get("comment");
    let (act, done) = match action {
        ReturnAction::SaveDraft => (Act::Save(&content), "saved"),
        ReturnAction::Submit => (Act::Submit(&content), "submitted"),
        ReturnAction::Approve => (Act::Approve { comment }, "approved"),
        ReturnAction::SendBack => (Act::SendBack { comment }, "returned"),
    };
    let result = if matches!(act, Act::Save(_) | Act::Submit(_))
        && Status::from_key(form.get("status")).is_none()
    {
        Err(StoreError::Invalid(vec![FieldError {
            field: "status",
            message: "Choose the activity's status".into(),
        }]))
    } else {
        let (org, user, now) = (&signed.org, &signed.user, staff.now());
        let store = &staff.store;
        store
            .act_on_return(org, cycle_id, activity_id, act, revision, user, now)
            .await
    };
    let problem = match result {
        Ok(_) => {
            let page = format!("/staff/periods/{cycle_id}/activities/{activity_id}?done={done}");
            return Ok(http::see_other(&page));
        }
        Err(e) => Problem::of(e, &form).map_err(|e| refusal(&signed, e))?,
    };
    let ids = (cycle_id, activity_id);
    show_return(&staff, &signed, ids, Some(problem), None).await
}

/// POST /staff/periods/{cycle}/activities/{activity}/owner: give the activity an owner (admins).
pub async fn assign(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, activity_id)): Path<(i64, i64)>,
    AdminForm { signed, form, .. }: AdminForm<PeriodWork>,
) -> Result<Response, StaffError> {
    let owner =
        match form.get("owner") {
            "" | "none" => None,
            id => Some(id.parse::<i64>().map_err(|_| {
                signed.cannot("Choose an owner from the list. Nothing was changed.")
            })?),
        };
    staff
        .store
        .assign_owner(
            &signed.org,
            cycle_id,
            activity_id,
            owner,
            &signed.user,
            staff.now(),
        )
        .await
        .map_err(|e| refusal(&signed, e))?;
    Ok(http::see_other(&format!(
        "/staff/periods/{cycle_id}/activities/{activity_id}?done=assigned"
    )))
}
