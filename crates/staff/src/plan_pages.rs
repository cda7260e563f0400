//! Plan maintenance for the performance team: the plan's activities and indicators (add,
//! edit, renumber, retire, link to outcomes); files are imported in `upload_pages`. Admins
//! only; every change is audited by the store.

use crate::Staff;
use crate::auth::{Admin, AdminForm, NO_ACTION, Signed};
use crate::error::StaffError;
use crate::http::{self, Form};
use crate::view::{errors_view, no_errors, with};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use std::sync::Arc;
use waymark_domain::workflow::FieldError;
use waymark_store::{ActivityFields, IndicatorEdit, PlanEdit, StoreError, SuggestionDecision};

/// GET /staff/plan: the plan's activities and indicators, and the upload form.
pub async fn plan(
    State(staff): State<Arc<Staff>>,
    Admin { signed, .. }: Admin,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let done = http::query_value(query.as_deref(), "done").and_then(|d| {
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
) -> Result<Response, StaffError> {
    let activities = staff.store.activities(&signed.org, None).await?;
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
    Ok(staff.view.page(
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
    ))
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

/// The errors a refused edit shows on its form: the fields the store named (`rename` gives a
/// form's own name for one), or, for a refusal that names none, `field`: what the edit is about
/// (an activity's new reference is refused when another has it). Anything else is no fault of
/// the form's.
fn field_errors(
    e: StoreError,
    field: &'static str,
    rename: fn(&'static str) -> &'static str,
) -> Result<Value, StaffError> {
    let errors = match e {
        StoreError::Invalid(errors) => errors,
        StoreError::Usage(message) => vec![FieldError { field, message }],
        other => return Err(other.into()),
    };
    let shown: Vec<FieldError> = errors
        .into_iter()
        .map(|e| FieldError {
            field: rename(e.field),
            message: sentence(&e.message),
        })
        .collect();
    Ok(errors_view(&shown))
}

/// A form whose fields have the store's names.
fn same(field: &'static str) -> &'static str {
    field
}

/// A form field's value as typed, if the refused form sent it; else the stored value.
fn kept(typed: Option<&Form>, field: &str, stored: String) -> String {
    match typed {
        Some(form) if form.has(field) => form.get(field).to_string(),
        _ => stored,
    }
}

/// POST /staff/plan/activities: add an activity.
pub async fn add_activity(
    State(staff): State<Arc<Staff>>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let reference = Some(form.get("reference").trim().to_string()).filter(|r| !r.is_empty());
    let edit = PlanEdit::Add {
        reference,
        fields: fields_from(&form),
    };
    let who = signed.user.who();
    match staff
        .store
        .edit_plan(&signed.org, &edit, &who, staff.now())
        .await
    {
        Ok(_) => Ok(http::see_other("/staff/plan?done=added")),
        Err(e) => {
            let errors = field_errors(e, "reference", same)?;
            let echo = context! {
                reference => form.get("reference"), title => form.get("title"),
                directorate => form.get("directorate"), portfolios => form.get("portfolios"),
                due => form.get("due"),
            };
            let status = StatusCode::BAD_REQUEST;
            plan_page(&staff, &signed, status, None, errors, echo).await
        }
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
) -> Result<Response, StaffError> {
    let activities = staff.store.activities(&signed.org, None).await?;
    let mut directorates: Vec<String> = activities.iter().map(|a| a.directorate.clone()).collect();
    directorates.sort();
    directorates.dedup();
    let Some(a) = activities.into_iter().find(|a| a.id == activity_id) else {
        return Err(no_activity(signed));
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
    let suggestions: Vec<Value> = staff
        .store
        .open_outcome_suggestions(&signed.org, a.id)
        .await?
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
            .collect();
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
    Ok(staff.view.page(
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
    ))
}

fn no_activity(signed: &Signed) -> StaffError {
    signed.not_found("There is no such activity.")
}

/// GET /staff/plan/activities/{id}
pub async fn activity(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    Admin { signed, .. }: Admin,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let done = http::query_value(query.as_deref(), "done").and_then(|d| {
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

/// What an activity form's action asks for, done: the store's answer, the word the page
/// after it says it with, and the field a refusal that names none is shown on. None for no
/// action.
type Changed = Option<(Result<(), StoreError>, &'static str, &'static str)>;

/// The plan edit an activity form's action asks for, with its word and field as in `Changed`.
fn plan_edit(activity_id: i64, form: &Form) -> Option<(PlanEdit, &'static str, &'static str)> {
    Some(match form.get("action") {
        "edit" => {
            let fields = fields_from(form);
            let edit = PlanEdit::Edit {
                activity_id,
                fields,
            };
            (edit, "edited", "title")
        }
        "renumber" => {
            let reference = form.get("reference").trim().to_string();
            let renumber = PlanEdit::Renumber {
                activity_id,
                reference,
            };
            (renumber, "renumbered", "reference")
        }
        "retire" => (PlanEdit::Retire { activity_id }, "retired", "title"),
        _ => return None,
    })
}

/// The activity's outcomes chosen, or a suggested outcome confirmed or rejected.
async fn outcome_change(staff: &Staff, signed: &Signed, activity_id: i64, form: &Form) -> Changed {
    let (org, who, now) = (&signed.org, &signed.user.who(), staff.now());
    let store = &staff.store;
    Some(match form.get("action") {
        "outcomes" => {
            let numbers: Result<Vec<u32>, _> = form
                .all("outcome")
                .iter()
                .map(|n| n.parse::<u32>())
                .collect();
            let result = match numbers {
                Ok(numbers) => {
                    store
                        .set_activity_outcomes(org, activity_id, &numbers, who, now)
                        .await
                }
                Err(_) => Err(StoreError::Usage("choose outcomes from the list".into())),
            };
            (result, "outcomes", "outcome")
        }
        action @ ("confirm-outcome" | "reject-outcome") => {
            let (decision, done) = if action == "confirm-outcome" {
                (SuggestionDecision::Confirm, "confirmed")
            } else {
                (SuggestionDecision::Reject, "rejected")
            };
            let result = match form.get("outcome").trim().parse::<u32>() {
                Ok(n) => {
                    store
                        .decide_outcome_suggestion(org, activity_id, n, decision, who, now)
                        .await
                }
                Err(_) => Err(StoreError::Usage("choose a suggested outcome".into())),
            };
            (result, done, "suggestions")
        }
        _ => return None,
    })
}

/// The activity form's action, done (see `Changed`).
async fn change(staff: &Staff, signed: &Signed, activity_id: i64, form: &Form) -> Changed {
    let Some((edit, done, field)) = plan_edit(activity_id, form) else {
        return outcome_change(staff, signed, activity_id, form).await;
    };
    let (who, now) = (signed.user.who(), staff.now());
    let result = staff.store.edit_plan(&signed.org, &edit, &who, now).await;
    Some((result.map(|_| ()), done, field))
}

/// POST /staff/plan/activities/{id}: edit, renumber, retire, or link to outcomes.
pub async fn change_activity(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let Some((result, done, field)) = change(&staff, &signed, id, &form).await else {
        return Err(signed.cannot(NO_ACTION));
    };
    match result {
        Ok(()) => Ok(http::see_other(&format!(
            "/staff/plan/activities/{id}?done={done}"
        ))),
        Err(StoreError::NotFound(_)) => Err(no_activity(&signed)),
        Err(e) => {
            let errors = field_errors(e, field, same)?;
            let status = StatusCode::BAD_REQUEST;
            activity_page(&staff, &signed, id, status, errors, None, Some(&form)).await
        }
    }
}

/// The add-indicator form's name for a field (it shares the plan page with the activity form).
fn on_plan_page(field: &'static str) -> &'static str {
    match field {
        "reference" => "indicator_reference",
        "frequency" => "indicator_frequency",
        _ => "indicator_name",
    }
}

/// POST /staff/plan/indicators: add an indicator.
pub async fn add_indicator(
    State(staff): State<Arc<Staff>>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let edit = IndicatorEdit::Add {
        reference: form.get("indicator_reference").trim().to_string(),
        name: form.get("indicator_name").to_string(),
        frequency: form.get("indicator_frequency").to_string(),
    };
    let who = signed.user.who();
    match staff
        .store
        .edit_indicators(&signed.org, &edit, &who, staff.now())
        .await
    {
        Ok(_) => Ok(http::see_other("/staff/plan?done=indicator")),
        Err(e) => {
            let errors = field_errors(e, "reference", on_plan_page)?;
            let echo = context! {
                indicator_reference => form.get("indicator_reference"),
                indicator_name => form.get("indicator_name"),
                indicator_frequency => form.get("indicator_frequency"),
            };
            let status = StatusCode::BAD_REQUEST;
            plan_page(&staff, &signed, status, None, errors, echo).await
        }
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
) -> Result<Response, StaffError> {
    let all = staff.store.plan_indicators(&signed.org).await?;
    let Some((_, reference, name, frequency, retired)) = all.into_iter().find(|i| i.0 == id) else {
        return Err(no_indicator(signed));
    };
    Ok(staff.view.page(
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
    ))
}

fn no_indicator(signed: &Signed) -> StaffError {
    signed.not_found("There is no such indicator.")
}

/// GET /staff/plan/indicators/{id}
pub async fn indicator(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    Admin { signed, .. }: Admin,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let done = query
        .is_some_and(|q| q.contains("done=saved"))
        .then_some("The indicator has been saved.");
    indicator_page(&staff, &signed, id, StatusCode::OK, no_errors(), done, None).await
}

/// POST /staff/plan/indicators/{id}: rename, renumber or retire.
pub async fn change_indicator(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    // Each with the field a refusal that names none is shown on.
    let (edit, field) = match form.get("action") {
        "edit" => {
            let name = form.get("name").to_string();
            let frequency = form.get("frequency").to_string();
            (
                IndicatorEdit::Edit {
                    indicator_id: id,
                    name,
                    frequency,
                },
                "name",
            )
        }
        "renumber" => {
            let reference = form.get("reference").trim().to_string();
            (
                IndicatorEdit::Renumber {
                    indicator_id: id,
                    reference,
                },
                "reference",
            )
        }
        "retire" => (IndicatorEdit::Retire { indicator_id: id }, "name"),
        _ => return Err(signed.cannot(NO_ACTION)),
    };
    let who = signed.user.who();
    match staff
        .store
        .edit_indicators(&signed.org, &edit, &who, staff.now())
        .await
    {
        Ok(_) => Ok(http::see_other(&format!(
            "/staff/plan/indicators/{id}?done=saved"
        ))),
        Err(StoreError::NotFound(_)) => Err(no_indicator(&signed)),
        Err(e) => {
            let errors = field_errors(e, field, same)?;
            let status = StatusCode::BAD_REQUEST;
            indicator_page(&staff, &signed, id, status, errors, None, Some(&form)).await
        }
    }
}
