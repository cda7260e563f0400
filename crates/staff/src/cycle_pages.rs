//! The quarterly cycle's pages: your work, the periods, a period's progress, and a return
//! with its forms (write, submit, approve, send back, assign an owner). Who sees and does what
//! is asked of `waymark_domain::workflow`; the store asks again inside its write.

use crate::Staff;
use crate::auth::{Signed, signed_form, signed_in, signed_message, unavailable};
use crate::http::{self, Form};
use crate::view::{errors_view, with};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Duration, NaiveDate};
use minijinja::{Value, context};
use serde::Serialize;
use std::sync::Arc;
use waymark_domain::workflow::{
    self, Actor, FieldError, PeriodAction, PeriodState, ReturnAction, ReturnContent, ReturnState,
    Role, Viewer,
};
use waymark_domain::{Period, Status};
use waymark_store::{Act, Cycle, CycleItem, ReturnDetail, StoreError, User};

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
    status: Option<&'static str>,
    status_key: Option<&'static str>,
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
        status: visible.then(|| item.status.map(Status::name)).flatten(),
        status_key: visible.then(|| item.status.map(Status::key)).flatten(),
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

/// GET /staff: what this person has to do.
pub async fn home(State(staff): State<Arc<Staff>>, headers: axum::http::HeaderMap) -> Response {
    let signed = match signed_in(&staff, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cycles = match staff.store.cycles(&signed.org).await {
        Ok(c) => c,
        Err(e) => return unavailable(&staff, &e),
    };
    let mut mine = vec![];
    let mut to_review = vec![];
    let mut periods = vec![];
    let mut indicators = vec![];
    for cycle in &cycles {
        let items = match staff.store.cycle_items(&signed.org, cycle.id).await {
            Ok(i) => i,
            Err(e) => return unavailable(&staff, &e),
        };
        // The indicators this person enters, in periods still open.
        if cycle.state == PeriodState::Open {
            match staff.store.indicator_items(&signed.org, cycle.id).await {
                Ok(list) => indicators.extend(
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
                ),
                Err(e) => return unavailable(&staff, &e),
            }
        }
        let user = &signed.user;
        for item in &items {
            let owns = item.owner.as_ref().is_some_and(|o| o.id == user.id);
            if owns && cycle.state == PeriodState::Open {
                mine.push((period_view(cycle), item_view(cycle, item, user)));
            }
            // Anyone who could review it sees it (the author check happens on the page).
            if item.state == Some(ReturnState::Submitted)
                && cycle.state == PeriodState::Open
                && allowed(cycle, item, user, item.author_id, ReturnAction::Approve)
            {
                to_review.push((period_view(cycle), item_view(cycle, item, user)));
            }
        }
        let visible: Vec<CycleItem> = items
            .into_iter()
            .filter(|i| can_view(&signed.user, i))
            .collect();
        periods.push((period_view(cycle), progress(&visible)));
    }
    let mine: Vec<Value> = mine
        .into_iter()
        .map(|(p, i)| context! { period => p, item => i })
        .collect();
    let to_review: Vec<Value> = to_review
        .into_iter()
        .map(|(p, i)| context! { period => p, item => i })
        .collect();
    let periods: Vec<Value> = periods
        .into_iter()
        .map(|(p, progress)| context! { period => p, progress => progress })
        .collect();
    // The performance team sees how much an import left for a person to settle.
    let settle_waiting = if signed.user.role == Role::Admin {
        // The count is a convenience: the page stands without it.
        crate::settle_pages::Waiting::load(&staff.store, &signed.org, None)
            .await
            .map_or(0, |w| w.count())
    } else {
        0
    };
    staff.view.page(
        StatusCode::OK,
        "home.html",
        with(
            signed.frame("home", "Your work"),
            context! {
                settle_waiting => settle_waiting,
                mine => mine,
                to_review => to_review,
                periods => periods,
                indicators => indicators,
            },
        ),
    )
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
pub async fn periods(State(staff): State<Arc<Staff>>, headers: axum::http::HeaderMap) -> Response {
    let signed = match signed_in(&staff, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match staff.store.cycles(&signed.org).await {
        Ok(cycles) => periods_page(&staff, &signed, &cycles, StatusCode::OK, context! {}),
        Err(e) => unavailable(&staff, &e),
    }
}

fn refusal(staff: &Staff, signed: &Signed, e: StoreError) -> Response {
    match e {
        StoreError::Refused(r) if r.is_forbidden() => signed_message(
            staff,
            signed,
            StatusCode::FORBIDDEN,
            "You cannot do this",
            &format!("{r} Nothing was changed."),
        ),
        StoreError::Refused(r) => signed_message(
            staff,
            signed,
            StatusCode::CONFLICT,
            "This cannot be done now",
            &format!("{r} Nothing was changed."),
        ),
        StoreError::Conflict(m) => signed_message(
            staff,
            signed,
            StatusCode::CONFLICT,
            "Someone else got there first",
            &m,
        ),
        StoreError::NotFound(_) => not_found(staff, signed),
        StoreError::Usage(m) => signed_message(
            staff,
            signed,
            StatusCode::BAD_REQUEST,
            "This could not be done",
            &m,
        ),
        other => unavailable(staff, &other),
    }
}

fn not_found(staff: &Staff, signed: &Signed) -> Response {
    signed_message(
        staff,
        signed,
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing here for you. If you followed a link, it may be for a return you are not responsible for.",
    )
}

/// POST /staff/periods: open a period (admins).
pub async fn open_period(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    if signed.user.role != Role::Admin {
        return refusal(
            &staff,
            &signed,
            StoreError::Refused(workflow::Forbidden::NotAdmin.into()),
        );
    }
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
        })
        .ok_or(());
    if deadline.is_err() {
        errors.push(FieldError {
            field: "deadline",
            message: "Enter the date returns are due, like 2025-07-31, from the quarter's start to a year after its end".into(),
        });
    }
    let (Ok(period), Ok(deadline), true) = (period, deadline, errors.is_empty()) else {
        let cycles = staff.store.cycles(&signed.org).await.unwrap_or_default();
        return periods_page(
            &staff,
            &signed,
            &cycles,
            StatusCode::BAD_REQUEST,
            context! { errors => errors_view(&errors), period => form.get("period"), deadline => form.get("deadline") },
        );
    };
    match staff
        .store
        .open_cycle(&signed.org, period, deadline, &signed.user, staff.now())
        .await
    {
        Ok(cycle) => http::see_other(&format!("/staff/periods/{}?done=opened", cycle.id)),
        Err(e) => refusal(&staff, &signed, e),
    }
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
    request: Request,
) -> Response {
    let signed = match signed_in(&staff, request.headers()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cycle = match staff.store.cycle(&signed.org, cycle_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound(_)) => return not_found(&staff, &signed),
        Err(e) => return unavailable(&staff, &e),
    };
    let items = match staff.store.cycle_items(&signed.org, cycle.id).await {
        Ok(i) => i,
        Err(e) => return unavailable(&staff, &e),
    };
    let indicators: Vec<Value> = match staff.store.indicator_items(&signed.org, cycle.id).await {
        Ok(list) => list
            .iter()
            .map(|i| crate::indicator_pages::item_view(&cycle, i, &signed.user))
            .collect(),
        Err(e) => return unavailable(&staff, &e),
    };
    let all = progress(&items);
    // Readers see every activity but only what has been submitted; others what is theirs.
    let shown: Vec<ItemView> = items
        .iter()
        .filter(|i| signed.user.role == Role::Reader || can_view(&signed.user, i))
        .map(|i| item_view(&cycle, i, &signed.user))
        .collect();
    let is_admin = signed.user.role == Role::Admin;
    let actions: Vec<Value> = PeriodAction::ALL
        .iter()
        .filter(|a| {
            is_admin && workflow::period_transition(cycle.state, **a, signed.user.role).is_ok()
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
        .collect();
    staff.view.page(
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
                actions => actions,
                done => done_message(request.uri().query()),
                indicators => indicators,
            },
        ),
    )
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
    request: Request,
) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    // Only admins change periods: anyone else is refused whatever the form says.
    if signed.user.role != Role::Admin {
        return refusal(
            &staff,
            &signed,
            StoreError::Refused(workflow::Forbidden::NotAdmin.into()),
        );
    }
    let action = match form.get("action") {
        "lock" => PeriodAction::Lock,
        "unlock" => PeriodAction::Unlock,
        "publish" => PeriodAction::Publish,
        "reopen" => PeriodAction::Reopen,
        _ => {
            return signed_message(
                &staff,
                &signed,
                StatusCode::BAD_REQUEST,
                "This could not be done",
                "The form named no action. Nothing was changed.",
            );
        }
    };
    let Some(revision) = form.number("revision") else {
        return signed_message(
            &staff,
            &signed,
            StatusCode::BAD_REQUEST,
            "This could not be done",
            "The form was incomplete. Nothing was changed.",
        );
    };
    match staff
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
    {
        Ok(cycle) => {
            let done = match action {
                PeriodAction::Lock => "locked",
                PeriodAction::Unlock => "unlocked",
                PeriodAction::Publish => "published",
                PeriodAction::Reopen => "reopened",
            };
            http::see_other(&format!("/staff/periods/{}?done={done}", cycle.id))
        }
        Err(e) => refusal(&staff, &signed, e),
    }
}

#[derive(Serialize)]
struct VersionView {
    revision: i64,
    action: String,
    state_name: &'static str,
    status: &'static str,
    status_key: &'static str,
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

async fn load_detail(
    staff: &Staff,
    signed: &Signed,
    cycle_id: i64,
    activity_id: i64,
) -> Result<ReturnDetail, Response> {
    match staff
        .store
        .return_detail(&signed.org, cycle_id, activity_id)
        .await
    {
        Ok(d) if can_view(&signed.user, &d.item) => Ok(d),
        Ok(_) | Err(StoreError::NotFound(_)) => Err(not_found(staff, signed)),
        Err(e) => Err(unavailable(staff, &e)),
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
            status: v.content.status.name(),
            status_key: v.content.status.key(),
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

/// GET /staff/periods/{cycle}/activities/{activity}: a return, its history and its forms.
pub async fn return_page(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, activity_id)): Path<(i64, i64)>,
    request: Request,
) -> Response {
    let signed = match signed_in(&staff, request.headers()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let detail = match load_detail(&staff, &signed, cycle_id, activity_id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let owners = owner_choices(&staff, &signed, &detail.item, &detail.cycle).await;
    return_view(
        &staff,
        &signed,
        &detail,
        None,
        done_message(request.uri().query()),
        owners,
    )
}

/// POST /staff/periods/{cycle}/activities/{activity}: save, submit, approve or send back.
pub async fn act(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, activity_id)): Path<(i64, i64)>,
    request: Request,
) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    // Someone who cannot see the return learns nothing about it, whatever they post.
    let detail = match load_detail(&staff, &signed, cycle_id, activity_id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let action = match form.get("action") {
        "save" => ReturnAction::SaveDraft,
        "submit" => ReturnAction::Submit,
        "approve" => ReturnAction::Approve,
        "send_back" => ReturnAction::SendBack,
        _ => {
            return signed_message(
                &staff,
                &signed,
                StatusCode::BAD_REQUEST,
                "This could not be done",
                "The form named no action. Nothing was changed.",
            );
        }
    };
    // Whether this person may ever do this is answered before anything about the form (as the
    // store answers it first): a reader or another directorate's director is refused, not told
    // how to fill the form in.
    let author = detail.current().map(|v| v.author.id);
    if let Err(r) = workflow::return_transition(
        detail.cycle.state,
        detail.item.state,
        action,
        &actor(&signed.user, &detail.item, author),
    ) && r.is_forbidden()
    {
        return refusal(&staff, &signed, StoreError::Refused(r));
    }
    let Some(revision) = form.number("revision") else {
        return signed_message(
            &staff,
            &signed,
            StatusCode::BAD_REQUEST,
            "This could not be done",
            "The form was incomplete. Nothing was changed.",
        );
    };
    let content = ReturnContent {
        status: Status::from_key(form.get("status")).unwrap_or(Status::NoReturn),
        commentary: form.get("commentary").to_string(),
        corrective_action: form.get("corrective_action").to_string(),
        reason: form.get("reason").to_string(),
        evidence: workflow::parse_evidence(form.get("evidence")),
    };
    let comment = form.get("comment");
    let (act, done) = match action {
        ReturnAction::SaveDraft => (Act::Save(&content), "saved"),
        ReturnAction::Submit => (Act::Submit(&content), "submitted"),
        ReturnAction::Approve => (Act::Approve { comment }, "approved"),
        ReturnAction::SendBack => (Act::SendBack { comment }, "returned"),
    };
    let mut errors = vec![];
    if matches!(act, Act::Save(_) | Act::Submit(_))
        && Status::from_key(form.get("status")).is_none()
    {
        errors.push(FieldError {
            field: "status",
            message: "Choose the activity's status".into(),
        });
    }
    let result = if errors.is_empty() {
        staff
            .store
            .act_on_return(
                &signed.org,
                cycle_id,
                activity_id,
                act,
                revision,
                &signed.user,
                staff.now(),
            )
            .await
    } else {
        Err(StoreError::Invalid(errors))
    };
    let problem = match result {
        Ok(_) => {
            return http::see_other(&format!(
                "/staff/periods/{cycle_id}/activities/{activity_id}?done={done}"
            ));
        }
        Err(StoreError::Invalid(errors)) => Problem {
            status: StatusCode::BAD_REQUEST,
            errors,
            conflict: None,
            input: FormView::from_form(&form),
        },
        // What the person wrote is kept in the form: nothing is lost, and they can look at
        // the newer version before sending theirs again.
        Err(StoreError::Conflict(message)) => Problem {
            status: StatusCode::CONFLICT,
            errors: vec![],
            conflict: Some(message),
            input: FormView::from_form(&form),
        },
        Err(StoreError::Refused(r)) if !r.is_forbidden() => Problem {
            status: StatusCode::CONFLICT,
            errors: vec![],
            conflict: Some(format!("{r} Nothing was changed.")),
            input: FormView::from_form(&form),
        },
        Err(e) => return refusal(&staff, &signed, e),
    };
    let detail = match load_detail(&staff, &signed, cycle_id, activity_id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let owners = owner_choices(&staff, &signed, &detail.item, &detail.cycle).await;
    return_view(&staff, &signed, &detail, Some(problem), None, owners)
}

/// POST /staff/periods/{cycle}/activities/{activity}/owner: give the activity an owner (admins).
pub async fn assign(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, activity_id)): Path<(i64, i64)>,
    request: Request,
) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    // Only admins assign owners: anyone else is refused whatever the form says.
    if signed.user.role != Role::Admin {
        return refusal(
            &staff,
            &signed,
            StoreError::Refused(workflow::Forbidden::NotAdmin.into()),
        );
    }
    let owner = match form.get("owner") {
        "" | "none" => None,
        id => match id.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                return signed_message(
                    &staff,
                    &signed,
                    StatusCode::BAD_REQUEST,
                    "This could not be done",
                    "Choose an owner from the list. Nothing was changed.",
                );
            }
        },
    };
    match staff
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
    {
        Ok(()) => http::see_other(&format!(
            "/staff/periods/{cycle_id}/activities/{activity_id}?done=assigned"
        )),
        Err(e) => refusal(&staff, &signed, e),
    }
}
