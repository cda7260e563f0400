//! Plan maintenance for the performance team: the plan's activities and indicators (add,
//! edit, renumber, retire, link to outcomes); files are imported in `upload_pages`. Admins
//! only; every change is audited by the store.

use crate::Staff;
use crate::auth::{Signed, admins_only, signed_admin, signed_form, signed_message, unavailable};
use crate::http::{self, Form};
use crate::view::{no_errors, one_error, with};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use std::sync::Arc;
use waymark_domain::workflow::Role;
use waymark_store::{ActivityFields, IndicatorEdit, PlanEdit, StoreError, SuggestionDecision};

/// GET /staff/plan: the plan's activities and indicators, and the upload form.
pub async fn plan(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let signed = match signed_admin(&staff, request.headers()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let done = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("done=")))
        .and_then(|d| {
            Some(match d {
                "added" => "The activity has been added to the plan.",
                "imported" => "The new revision of the plan has been imported.",
                "imported-unfinished" => "The file has been imported, but suggesting outcomes or remembering your choice of columns did not finish: run `waymark outcomes suggest`, or choose the columns again next time.",
                "indicator" => "The indicator has been saved.",
                _ => return None,
            })
        });
    plan_page(
        &staff,
        &signed,
        StatusCode::OK,
        done,
        no_errors(),
        context! {},
    )
    .await
}

pub(crate) async fn plan_page(
    staff: &Staff,
    signed: &Signed,
    status: StatusCode,
    done: Option<&str>,
    errors: Value,
    form: Value,
) -> Response {
    let activities = match staff.store.activities(&signed.org, None).await {
        Ok(a) => a,
        Err(e) => return unavailable(staff, &e),
    };
    let mut directorates: Vec<String> = activities.iter().map(|a| a.directorate.clone()).collect();
    directorates.sort();
    directorates.dedup();
    let rows: Vec<Value> = activities
        .iter()
        .map(|a| {
            context! {
                reference => a.reference.clone().unwrap_or_default(),
                title => a.title.clone(),
                directorate => a.directorate.clone(),
                in_plan => a.in_plan,
                href => format!("/staff/plan/activities/{}", a.id),
            }
        })
        .collect();
    let indicators = staff
        .store
        .plan_indicators(&signed.org)
        .await
        .unwrap_or_default();
    let indicators: Vec<Value> = indicators
        .iter()
        .map(|(id, reference, name, frequency, retired)| {
            context! {
                reference => reference, name => name, frequency => frequency, retired => retired,
                href => format!("/staff/plan/indicators/{id}"),
            }
        })
        .collect();
    staff.view.page(
        status,
        "plan.html",
        with(
            signed.frame("plan", "The plan"),
            context! {
                activities => rows,
                directorates => directorates,
                indicators => indicators,
                done => done,
                errors => errors,
                form => form,
                max_upload_mb => crate::upload_pages::MAX_UPLOAD_BYTES / 1024 / 1024,
            },
        ),
    )
}

fn fields_from(form: &Form) -> ActivityFields {
    ActivityFields {
        title: form.get("title").to_string(),
        directorate: form.get("directorate").to_string(),
        portfolios: form
            .get("portfolios")
            .split(['\n', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        due: form.get("due").to_string(),
    }
}

/// Which field a store refusal is about, for the error summary.
fn field_of(message: &str) -> &'static str {
    if message.contains("reference") {
        "reference"
    } else if message.contains("directorate") {
        "directorate"
    } else if message.contains("portfolio") {
        "portfolios"
    } else if message.contains("due") {
        "due"
    } else if message.contains("name") {
        "name"
    } else {
        "title"
    }
}

/// A form field's value as typed, if the refused form sent it; else the stored value.
fn kept(typed: Option<&Form>, field: &str, stored: String) -> String {
    match typed {
        Some(form) if form.has(field) => form.get(field).to_string(),
        _ => stored,
    }
}

/// POST /staff/plan/activities: add an activity.
pub async fn add_activity(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    if signed.user.role != Role::Admin {
        return admins_only(&staff, &signed);
    }
    let reference = Some(form.get("reference").trim().to_string()).filter(|r| !r.is_empty());
    let edit = PlanEdit::Add {
        reference,
        fields: fields_from(&form),
    };
    match staff
        .store
        .edit_plan(&signed.org, &edit, &signed.user.who(), staff.now())
        .await
    {
        Ok(_) => http::see_other("/staff/plan?done=added"),
        Err(StoreError::Usage(message)) => {
            let echo = context! {
                reference => form.get("reference"), title => form.get("title"),
                directorate => form.get("directorate"), portfolios => form.get("portfolios"),
                due => form.get("due"),
            };
            plan_page(
                &staff,
                &signed,
                StatusCode::BAD_REQUEST,
                None,
                one_error(field_of(&message), &sentence(&message)),
                echo,
            )
            .await
        }
        Err(e) => unavailable(&staff, &e),
    }
}

/// A store message as a sentence for the error summary.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

async fn activity_page(
    staff: &Staff,
    signed: &Signed,
    activity_id: i64,
    status: StatusCode,
    errors: Value,
    done: Option<&str>,
    typed: Option<&Form>,
) -> Response {
    let activities = match staff.store.activities(&signed.org, None).await {
        Ok(a) => a,
        Err(e) => return unavailable(staff, &e),
    };
    let mut directorates: Vec<String> = activities.iter().map(|a| a.directorate.clone()).collect();
    directorates.sort();
    directorates.dedup();
    let Some(a) = activities.into_iter().find(|a| a.id == activity_id) else {
        return signed_message(
            staff,
            signed,
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no such activity.",
        );
    };
    let overview = staff.store.plan_overview(&signed.org, None).await.ok();
    // The boxes show the links people made; suggested links are listed apart, to confirm.
    let linked: Vec<u32> = a
        .outcomes
        .iter()
        .filter(|o| !o.suggested)
        .map(|o| o.number)
        .collect();
    let themes = overview.map(|o| o.themes).unwrap_or_default();
    let suggestions: Vec<Value> = match staff
        .store
        .open_outcome_suggestions(&signed.org, a.id)
        .await
    {
        Ok(list) => list
            .iter()
            .map(|s| {
                let title = themes
                    .iter()
                    .flat_map(|t| &t.outcomes)
                    .find(|o| o.number == i64::from(s.outcome))
                    .map(|o| o.title.clone())
                    .unwrap_or_default();
                context! {
                    number => s.outcome,
                    title => title,
                    score => format!("{:.2}", s.score),
                    state => match s.state.as_str() {
                        "suggested" => "Linked as suggested: the public site shows it as a suggested link",
                        "waiting" => "Best match, not confident: waiting for you",
                        _ => "Also possible",
                    },
                }
            })
            .collect(),
        Err(e) => return unavailable(staff, &e),
    };
    let outcomes: Vec<Value> = themes
        .iter()
        .flat_map(|t| {
            t.outcomes.iter().map(|o| {
                context! {
                    number => o.number,
                    label => format!("{}: {}", t.title, o.title),
                    checked => u32::try_from(o.number).is_ok_and(|n| linked.contains(&n)),
                }
            })
        })
        .collect();
    staff.view.page(
        status,
        "plan_activity.html",
        with(
            signed.frame("plan", &a.title),
            context! {
                activity => context! {
                    reference => a.reference.clone().unwrap_or_default(),
                    title => a.title.clone(),
                    directorate => a.directorate.clone(),
                    portfolios => a.portfolios.join("\n"),
                    due => a.due.as_ref().map(|d| d.text.clone()).or(a.status_note.clone()).unwrap_or_default(),
                    in_plan => a.in_plan,
                    former => a.former_titles.clone(),
                    href => format!("/staff/plan/activities/{}", a.id),
                },
                // What the forms show: what was typed, after a refusal; else what is stored.
                values => context! {
                    reference => kept(typed, "reference", a.reference.clone().unwrap_or_default()),
                    title => kept(typed, "title", a.title.clone()),
                    directorate => kept(typed, "directorate", a.directorate.clone()),
                    portfolios => kept(typed, "portfolios", a.portfolios.join("\n")),
                    due => kept(typed, "due", a.due.as_ref().map(|d| d.text.clone()).or(a.status_note.clone()).unwrap_or_default()),
                },
                directorates => directorates,
                outcomes => outcomes,
                suggestions => suggestions,
                errors => errors,
                done => done,
            },
        ),
    )
}

/// GET /staff/plan/activities/{id}
pub async fn activity(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let signed = match signed_admin(&staff, request.headers()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let done = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("done=")))
        .and_then(|d| {
            Some(match d {
                "edited" => "The activity has been changed.",
                "renumbered" => "The activity's reference has been changed.",
                "retired" => "The activity has been retired from the plan. Its history is kept.",
                "outcomes" => "The activity's outcomes have been saved.",
                "confirmed" => "The suggested outcome is now a confirmed link.",
                "rejected" => "The suggestion has been rejected. It will not be suggested again.",
                _ => return None,
            })
        });
    activity_page(&staff, &signed, id, StatusCode::OK, no_errors(), done, None).await
}

/// POST /staff/plan/activities/{id}: edit, renumber, retire, or link to outcomes.
pub async fn change_activity(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    if signed.user.role != Role::Admin {
        return admins_only(&staff, &signed);
    }
    let who = signed.user.who();
    let now = staff.now();
    let (result, done) = match form.get("action") {
        "edit" => (
            staff
                .store
                .edit_plan(
                    &signed.org,
                    &PlanEdit::Edit {
                        activity_id: id,
                        fields: fields_from(&form),
                    },
                    &who,
                    now,
                )
                .await
                .map(|_| ()),
            "edited",
        ),
        "renumber" => (
            staff
                .store
                .edit_plan(
                    &signed.org,
                    &PlanEdit::Renumber {
                        activity_id: id,
                        reference: form.get("reference").trim().to_string(),
                    },
                    &who,
                    now,
                )
                .await
                .map(|_| ()),
            "renumbered",
        ),
        "retire" => (
            staff
                .store
                .edit_plan(
                    &signed.org,
                    &PlanEdit::Retire { activity_id: id },
                    &who,
                    now,
                )
                .await
                .map(|_| ()),
            "retired",
        ),
        "outcomes" => {
            let numbers: Result<Vec<u32>, _> = form
                .all("outcome")
                .iter()
                .map(|n| n.parse::<u32>())
                .collect();
            match numbers {
                Ok(numbers) => (
                    staff
                        .store
                        .set_activity_outcomes(&signed.org, id, &numbers, &who, now)
                        .await,
                    "outcomes",
                ),
                Err(_) => (
                    Err(StoreError::Usage("choose outcomes from the list".into())),
                    "outcomes",
                ),
            }
        }
        action @ ("confirm-outcome" | "reject-outcome") => {
            let (decision, done) = if action == "confirm-outcome" {
                (SuggestionDecision::Confirm, "confirmed")
            } else {
                (SuggestionDecision::Reject, "rejected")
            };
            let result = match form.get("outcome").trim().parse::<u32>() {
                Ok(n) => {
                    staff
                        .store
                        .decide_outcome_suggestion(&signed.org, id, n, decision, &who, now)
                        .await
                }
                Err(_) => Err(StoreError::Usage("choose a suggested outcome".into())),
            };
            (result, done)
        }
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
    match result {
        Ok(()) => http::see_other(&format!("/staff/plan/activities/{id}?done={done}")),
        Err(StoreError::Usage(message)) => {
            let field = match form.get("action") {
                "outcomes" => "outcome",
                "confirm-outcome" | "reject-outcome" => "suggestions",
                _ => field_of(&message),
            };
            activity_page(
                &staff,
                &signed,
                id,
                StatusCode::BAD_REQUEST,
                one_error(field, &sentence(&message)),
                None,
                Some(&form),
            )
            .await
        }
        Err(StoreError::NotFound(_)) => signed_message(
            &staff,
            &signed,
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no such activity.",
        ),
        Err(e) => unavailable(&staff, &e),
    }
}

/// POST /staff/plan/indicators: add an indicator.
pub async fn add_indicator(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    if signed.user.role != Role::Admin {
        return admins_only(&staff, &signed);
    }
    let edit = IndicatorEdit::Add {
        reference: form.get("indicator_reference").trim().to_string(),
        name: form.get("indicator_name").to_string(),
        frequency: form.get("indicator_frequency").to_string(),
    };
    match staff
        .store
        .edit_indicators(&signed.org, &edit, &signed.user.who(), staff.now())
        .await
    {
        Ok(_) => http::see_other("/staff/plan?done=indicator"),
        Err(StoreError::Usage(message)) => {
            let field = if message.contains("reference") {
                "indicator_reference"
            } else if message.contains("frequency") {
                "indicator_frequency"
            } else {
                "indicator_name"
            };
            let echo = context! {
                indicator_reference => form.get("indicator_reference"),
                indicator_name => form.get("indicator_name"),
                indicator_frequency => form.get("indicator_frequency"),
            };
            plan_page(
                &staff,
                &signed,
                StatusCode::BAD_REQUEST,
                None,
                one_error(field, &sentence(&message)),
                echo,
            )
            .await
        }
        Err(e) => unavailable(&staff, &e),
    }
}

async fn indicator_page(
    staff: &Staff,
    signed: &Signed,
    id: i64,
    status: StatusCode,
    errors: Value,
    done: Option<&str>,
    typed: Option<&Form>,
) -> Response {
    let all = match staff.store.plan_indicators(&signed.org).await {
        Ok(a) => a,
        Err(e) => return unavailable(staff, &e),
    };
    let Some((_, reference, name, frequency, retired)) = all.into_iter().find(|i| i.0 == id) else {
        return signed_message(
            staff,
            signed,
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no such indicator.",
        );
    };
    staff.view.page(
        status,
        "plan_indicator.html",
        with(
            signed.frame("plan", &reference),
            context! {
                values => context! {
                    reference => kept(typed, "reference", reference.clone()),
                    name => kept(typed, "name", name.clone()),
                    frequency => kept(typed, "frequency", frequency.clone()),
                },
                indicator => context! {
                    reference => reference, name => name, frequency => frequency, retired => retired,
                    href => format!("/staff/plan/indicators/{id}"),
                    settings => format!("/staff/indicators/{id}"),
                },
                errors => errors,
                done => done,
            },
        ),
    )
}

/// GET /staff/plan/indicators/{id}
pub async fn indicator(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let signed = match signed_admin(&staff, request.headers()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let done = request
        .uri()
        .query()
        .is_some_and(|q| q.contains("done=saved"))
        .then_some("The indicator has been saved.");
    indicator_page(&staff, &signed, id, StatusCode::OK, no_errors(), done, None).await
}

/// POST /staff/plan/indicators/{id}: rename, renumber or retire.
pub async fn change_indicator(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    if signed.user.role != Role::Admin {
        return admins_only(&staff, &signed);
    }
    let edit = match form.get("action") {
        "edit" => IndicatorEdit::Edit {
            indicator_id: id,
            name: form.get("name").to_string(),
            frequency: form.get("frequency").to_string(),
        },
        "renumber" => IndicatorEdit::Renumber {
            indicator_id: id,
            reference: form.get("reference").trim().to_string(),
        },
        "retire" => IndicatorEdit::Retire { indicator_id: id },
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
    match staff
        .store
        .edit_indicators(&signed.org, &edit, &signed.user.who(), staff.now())
        .await
    {
        Ok(_) => http::see_other(&format!("/staff/plan/indicators/{id}?done=saved")),
        Err(StoreError::Usage(message)) => {
            let field = if message.contains("reference") {
                "reference"
            } else if message.contains("frequency") {
                "frequency"
            } else {
                "name"
            };
            indicator_page(
                &staff,
                &signed,
                id,
                StatusCode::BAD_REQUEST,
                one_error(field, &sentence(&message)),
                None,
                Some(&form),
            )
            .await
        }
        Err(StoreError::NotFound(_)) => signed_message(
            &staff,
            &signed,
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no such indicator.",
        ),
        Err(e) => unavailable(&staff, &e),
    }
}
