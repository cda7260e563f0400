//! Admins' pages: the council's accounts (add one — with its one-time set-up link — change a
//! role, deactivate) and the audit trail (read, page back, export).

use crate::auth::{Admin, AdminForm, Signed};
use crate::error::StaffError;
use crate::http::{self, Form};
use crate::view::{no_errors, one_error, with};
use crate::{Staff, export};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use std::sync::Arc;
use waymark_domain::workflow::Role;
use waymark_store::{NewUser, StoreError, User, UserChange};

fn person_view(u: &User) -> Value {
    context! {
        id => u.id,
        email => u.email.clone(),
        name => u.name.clone(),
        role => u.role.key(),
        role_name => u.role.name(),
        directorate => u.directorate.clone(),
        active => u.active,
        waiting => u.password_hash.is_none() && u.oidc_subject.is_none(),
        href => format!("/staff/people/{}", u.id),
    }
}

fn roles(selected: &str) -> Vec<Value> {
    Role::ALL
        .iter()
        .map(|r| context! { key => r.key(), name => r.name(), checked => r.key() == selected })
        .collect()
}

async fn directorates(staff: &Staff, signed: &Signed) -> Vec<String> {
    let mut names: Vec<String> = staff
        .store
        .activities(&signed.org, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|a| a.directorate)
        .collect();
    names.sort();
    names.dedup();
    names
}

async fn list_page(
    staff: &Staff,
    signed: &Signed,
    status: StatusCode,
    form: Value,
    link: Option<Value>,
) -> Result<Response, StaffError> {
    let people = staff.store.users(&signed.org).await?;
    let selected_role = form
        .get_attr("role")
        .ok()
        .map(|v| v.to_string())
        .unwrap_or_default();
    Ok(staff.view.page(
        status,
        "people.html",
        with(
            signed.frame("people", "People"),
            context! {
                people => people.iter().map(person_view).collect::<Vec<_>>(),
                roles => roles(&selected_role),
                directorates => directorates(staff, signed).await,
                form => form,
                link => link,
            },
        ),
    ))
}

/// GET /staff/people
pub async fn list(
    State(staff): State<Arc<Staff>>,
    Admin { signed, .. }: Admin,
) -> Result<Response, StaffError> {
    list_page(&staff, &signed, StatusCode::OK, no_errors(), None).await
}

/// The account the add form describes, or the field at fault and why.
fn new_user(form: &Form) -> Result<NewUser, (&'static str, String)> {
    if let Some(why) = name_problem(form.get("name")) {
        return Err(("name", why));
    }
    let role = Role::from_key(form.get("role"))
        .ok_or(("role", "Choose what this person does".to_string()))?;
    waymark_store::accounts::check_email(form.get("email")).map_err(|why| ("email", why))?;
    Ok(NewUser {
        email: form.get("email").to_string(),
        name: form.get("name").to_string(),
        role,
        directorate: Some(form.get("directorate").to_string()).filter(|d| !d.is_empty()),
    })
}

/// The set-up link shown once to the admin who made it.
fn setup_link(staff: &Staff, user: &User, token: &str) -> Value {
    context! {
        email => user.email.clone(),
        url => format!("{}/staff/setup/{token}", staff.config.base_url),
        hours => waymark_store::accounts::SETUP_LINK_HOURS,
    }
}

/// POST /staff/people: add an account and show its set-up link once.
pub async fn add(
    State(staff): State<Arc<Staff>>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let refused = |field: &'static str, why: String| {
        let typed = context! {
            email => form.get("email"),
            name => form.get("name"),
            role => form.get("role"),
            directorate => form.get("directorate"),
            errors => one_error(field, &why),
        };
        list_page(&staff, &signed, StatusCode::BAD_REQUEST, typed, None)
    };
    let new = match new_user(&form) {
        Ok(new) => new,
        Err((field, why)) => return refused(field, why).await,
    };
    let (who, now) = (signed.user.who(), staff.now());
    let user = match staff.store.add_user(&signed.org, &new, &who, now).await {
        Ok(user) => user,
        Err(StoreError::Usage(why)) => {
            // The address and name are checked above, so what the store can object to is an
            // address already taken or a directorate it does not know: which one is asked of
            // the store, not read from its words (which may hold the address itself).
            let taken = staff.store.user_by_email(&new.email).await?.is_some();
            let field = if taken { "email" } else { "directorate" };
            return refused(field, why).await;
        }
        Err(e) => return Err(e.into()),
    };
    let token = staff.store.issue_setup_link(&user, &who, now).await?;
    let link = setup_link(&staff, &user, &token);
    list_page(&staff, &signed, StatusCode::OK, no_errors(), Some(link)).await
}

async fn person_page(
    staff: &Staff,
    signed: &Signed,
    user: &User,
    status: StatusCode,
    errors: Value,
    link: Option<Value>,
) -> Response {
    staff.view.page(
        status,
        "person.html",
        with(
            signed.frame("people", &user.email),
            context! {
                person => person_view(user),
                roles => roles(user.role.key()),
                directorates => directorates(staff, signed).await,
                errors => errors,
                link => link,
                is_me => user.id == signed.user.id,
            },
        ),
    )
}

/// An account of this council (another council's is not found, as one that is not there).
async fn find(staff: &Staff, signed: &Signed, id: i64) -> Result<User, StaffError> {
    match staff.store.user(id).await? {
        Some(u) if u.org_id == signed.org.id => Ok(u),
        _ => Err(signed.not_found("There is no such account.")),
    }
}

/// GET /staff/people/{user}
pub async fn person(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    Admin { signed, .. }: Admin,
) -> Result<Response, StaffError> {
    let user = find(&staff, &signed, id).await?;
    Ok(person_page(&staff, &signed, &user, StatusCode::OK, no_errors(), None).await)
}

/// POST /staff/people/{user}: change role, directorate or access; or issue a new set-up link.
pub async fn change(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let user = find(&staff, &signed, id).await?;
    let (who, now) = (signed.user.who(), staff.now());
    if form.get("action") == "link" {
        let token = staff.store.issue_setup_link(&user, &who, now).await?;
        let link = setup_link(&staff, &user, &token);
        let page = person_page(
            &staff,
            &signed,
            &user,
            StatusCode::OK,
            no_errors(),
            Some(link),
        );
        return Ok(page.await);
    }
    let change = match parse_change(&form, &user, &signed.user) {
        Ok(c) => c,
        Err(errors) => {
            let page = person_page(
                &staff,
                &signed,
                &user,
                StatusCode::BAD_REQUEST,
                errors,
                None,
            );
            return Ok(page.await);
        }
    };
    match staff
        .store
        .change_user(&signed.org, user.id, &change, &who, now)
        .await
    {
        Ok(after) => {
            Ok(person_page(&staff, &signed, &after, StatusCode::OK, no_errors(), None).await)
        }
        // The name and role are checked above: what the store can object to is the directorate.
        Err(StoreError::Usage(why)) => {
            let errors = one_error("directorate", &why);
            let status = StatusCode::BAD_REQUEST;
            Ok(person_page(&staff, &signed, &user, status, errors, None).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// Longest name an account may have, in characters (the store's limit for new accounts).
const MAX_NAME_CHARS: usize = 200;

/// What is wrong with a name as typed, if anything: the same rule for a new account and a
/// changed one, reported against the name field.
fn name_problem(name: &str) -> Option<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        Some(format!(
            "Enter a name of at most {MAX_NAME_CHARS} characters (it has {chars})"
        ))
    } else if name.chars().any(char::is_control) {
        Some("The name contains an invisible control character; please retype it".into())
    } else {
        None
    }
}

/// The change the form describes to `user`'s account, made by `me`, or the form's errors.
fn parse_change(form: &Form, user: &User, me: &User) -> Result<UserChange, Value> {
    if let Some(why) = name_problem(form.get("name")) {
        return Err(one_error("name", &why));
    }
    let role = Role::from_key(form.get("role"))
        .ok_or_else(|| one_error("role", "Choose what this person does"))?;
    let change = UserChange {
        name: Some(form.get("name").to_string())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| user.name.clone()),
        role,
        directorate: Some(form.get("directorate").to_string()).filter(|d| !d.is_empty()),
        active: form.get("active") == "yes",
    };
    // Nobody takes away their own admin access: a council must not lock itself out.
    if user.id == me.id && (change.role != Role::Admin || !change.active) {
        return Err(one_error(
            "role",
            "You cannot remove your own admin access; ask another admin",
        ));
    }
    Ok(change)
}

/// Events shown per page of the audit trail.
const AUDIT_PAGE: i64 = 50;

/// GET /staff/audit?before=SEQ: the council's audit trail, newest first.
pub async fn audit(
    State(staff): State<Arc<Staff>>,
    Admin { signed, .. }: Admin,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let before = http::query_value(query.as_deref(), "before").and_then(|v| v.parse::<i64>().ok());
    let events = staff
        .store
        .audit_events(&signed.org, before, AUDIT_PAGE + 1)
        .await?;
    let more = events.len() as i64 > AUDIT_PAGE;
    let shown: Vec<Value> = events
        .iter()
        .take(AUDIT_PAGE as usize)
        .map(|e| {
            context! {
                seq => e.seq,
                at => e.at.get(..19).unwrap_or(&e.at).replace('T', " "),
                actor => e.actor.clone(),
                action => e.action.clone(),
                subject => e.subject.clone(),
                before => e.before.as_ref().map(|v| v.to_string()),
                after => e.after.as_ref().map(|v| v.to_string()),
            }
        })
        .collect();
    let older = if more {
        events
            .get(AUDIT_PAGE as usize - 1)
            .map(|e| format!("/staff/audit?before={}", e.seq))
    } else {
        None
    };
    Ok(staff.view.page(
        StatusCode::OK,
        "audit.html",
        with(
            signed.frame("audit", "Audit trail"),
            context! { events => shown, older => older },
        ),
    ))
}

/// GET /staff/audit.csv
pub async fn audit_csv(
    State(staff): State<Arc<Staff>>,
    Admin { signed, .. }: Admin,
) -> Result<Response, StaffError> {
    let events = staff.store.audit_export(Some(&signed.org)).await?;
    let bytes = export::audit_csv(&events).map_err(StaffError::unavailable)?;
    Ok(http::download(
        "text/csv; charset=utf-8",
        "audit-trail.csv",
        bytes,
    ))
}

/// GET /staff/audit.json
pub async fn audit_json(
    State(staff): State<Arc<Staff>>,
    Admin { signed, .. }: Admin,
) -> Result<Response, StaffError> {
    let events = staff.store.audit_export(Some(&signed.org)).await?;
    let bytes = export::audit_json(&events).map_err(StaffError::unavailable)?;
    Ok(http::download(
        "application/json",
        "audit-trail.json",
        bytes,
    ))
}
