//! Admins' pages: the council's accounts (add one — with its one-time set-up link — change a
//! role, deactivate) and the audit trail (read, page back, export).

use crate::auth::{Signed, admins_only, signed_admin, signed_form, signed_message, unavailable};
use crate::http::{self, Form};
use crate::view::{no_errors, one_error, with};
use crate::{Staff, export};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
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
) -> Response {
    let people = match staff.store.users(&signed.org).await {
        Ok(p) => p,
        Err(e) => return unavailable(staff, &e),
    };
    let selected_role = form
        .get_attr("role")
        .ok()
        .map(|v| v.to_string())
        .unwrap_or_default();
    staff.view.page(
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
    )
}

/// GET /staff/people
pub async fn list(State(staff): State<Arc<Staff>>, headers: HeaderMap) -> Response {
    match signed_admin(&staff, &headers).await {
        Ok(signed) => list_page(&staff, &signed, StatusCode::OK, no_errors(), None).await,
        Err(r) => r,
    }
}

/// POST /staff/people: add an account and show its set-up link once.
pub async fn add(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let (signed, form) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(r) => return r,
    };
    if signed.user.role != Role::Admin {
        return admins_only(&staff, &signed);
    }
    let echo = |errors: Value| {
        context! {
            email => form.get("email"),
            name => form.get("name"),
            role => form.get("role"),
            directorate => form.get("directorate"),
            errors => errors,
        }
    };
    if let Some(why) = name_problem(form.get("name")) {
        return list_page(
            &staff,
            &signed,
            StatusCode::BAD_REQUEST,
            echo(one_error("name", &why)),
            None,
        )
        .await;
    }
    let Some(role) = Role::from_key(form.get("role")) else {
        let errors = one_error("role", "Choose what this person does");
        return list_page(&staff, &signed, StatusCode::BAD_REQUEST, echo(errors), None).await;
    };
    if let Err(why) = waymark_store::accounts::check_email(form.get("email")) {
        return list_page(
            &staff,
            &signed,
            StatusCode::BAD_REQUEST,
            echo(one_error("email", &why)),
            None,
        )
        .await;
    }
    let new = NewUser {
        email: form.get("email").to_string(),
        name: form.get("name").to_string(),
        role,
        directorate: Some(form.get("directorate").to_string()).filter(|d| !d.is_empty()),
    };
    let now = staff.now();
    let user = match staff
        .store
        .add_user(&signed.org, &new, &signed.user.who(), now)
        .await
    {
        Ok(user) => user,
        Err(StoreError::Usage(why)) => {
            // The address and name are checked above, so what the store can object to is an
            // address already taken or a directorate it does not know. (Which one is not read
            // from words the address itself may contain.)
            let field = if why.starts_with("there is already an account") {
                "email"
            } else {
                "directorate"
            };
            return list_page(
                &staff,
                &signed,
                StatusCode::BAD_REQUEST,
                echo(one_error(field, &why)),
                None,
            )
            .await;
        }
        Err(e) => return unavailable(&staff, &e),
    };
    let token = match staff
        .store
        .issue_setup_link(&user, &signed.user.who(), now)
        .await
    {
        Ok(t) => t,
        Err(e) => return unavailable(&staff, &e),
    };
    let link = context! {
        email => user.email.clone(),
        url => format!("{}/staff/setup/{token}", staff.config.base_url),
        hours => waymark_store::accounts::SETUP_LINK_HOURS,
    };
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

async fn find(staff: &Staff, signed: &Signed, id: i64) -> Result<User, Response> {
    match staff.store.user(id).await {
        Ok(Some(u)) if u.org_id == signed.org.id => Ok(u),
        Ok(_) => Err(signed_message(
            staff,
            signed,
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no such account.",
        )),
        Err(e) => Err(unavailable(staff, &e)),
    }
}

/// GET /staff/people/{user}
pub async fn person(
    State(staff): State<Arc<Staff>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let signed = match signed_admin(&staff, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match find(&staff, &signed, id).await {
        Ok(user) => person_page(&staff, &signed, &user, StatusCode::OK, no_errors(), None).await,
        Err(r) => r,
    }
}

/// POST /staff/people/{user}: change role, directorate or access; or issue a new set-up link.
pub async fn change(
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
    let user = match find(&staff, &signed, id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let now = staff.now();
    if form.get("action") == "link" {
        return match staff
            .store
            .issue_setup_link(&user, &signed.user.who(), now)
            .await
        {
            Ok(token) => {
                let link = context! {
                    email => user.email.clone(),
                    url => format!("{}/staff/setup/{token}", staff.config.base_url),
                    hours => waymark_store::accounts::SETUP_LINK_HOURS,
                };
                person_page(
                    &staff,
                    &signed,
                    &user,
                    StatusCode::OK,
                    no_errors(),
                    Some(link),
                )
                .await
            }
            Err(e) => unavailable(&staff, &e),
        };
    }
    let change = match parse_change(&form, &user) {
        Ok(c) => c,
        Err(errors) => {
            return person_page(
                &staff,
                &signed,
                &user,
                StatusCode::BAD_REQUEST,
                errors,
                None,
            )
            .await;
        }
    };
    // Nobody takes away their own admin access: a council must not lock itself out.
    if user.id == signed.user.id && (change.role != Role::Admin || !change.active) {
        let errors = one_error(
            "role",
            "You cannot remove your own admin access; ask another admin",
        );
        return person_page(
            &staff,
            &signed,
            &user,
            StatusCode::BAD_REQUEST,
            errors,
            None,
        )
        .await;
    }
    match staff
        .store
        .change_user(&signed.org, user.id, &change, &signed.user.who(), now)
        .await
    {
        Ok(after) => person_page(&staff, &signed, &after, StatusCode::OK, no_errors(), None).await,
        Err(StoreError::Usage(why)) => {
            let errors = one_error("directorate", &why);
            person_page(
                &staff,
                &signed,
                &user,
                StatusCode::BAD_REQUEST,
                errors,
                None,
            )
            .await
        }
        Err(e) => unavailable(&staff, &e),
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

fn parse_change(form: &Form, user: &User) -> Result<UserChange, Value> {
    if let Some(why) = name_problem(form.get("name")) {
        return Err(one_error("name", &why));
    }
    let role = Role::from_key(form.get("role"))
        .ok_or_else(|| one_error("role", "Choose what this person does"))?;
    Ok(UserChange {
        name: Some(form.get("name").to_string())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| user.name.clone()),
        role,
        directorate: Some(form.get("directorate").to_string()).filter(|d| !d.is_empty()),
        active: form.get("active") == "yes",
    })
}

/// Events shown per page of the audit trail.
const AUDIT_PAGE: i64 = 50;

/// GET /staff/audit?before=SEQ: the council's audit trail, newest first.
pub async fn audit(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let signed = match signed_admin(&staff, request.headers()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let before = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("before=")))
        .and_then(|v| v.parse::<i64>().ok());
    let events = match staff
        .store
        .audit_events(&signed.org, before, AUDIT_PAGE + 1)
        .await
    {
        Ok(e) => e,
        Err(e) => return unavailable(&staff, &e),
    };
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
    staff.view.page(
        StatusCode::OK,
        "audit.html",
        with(
            signed.frame("audit", "Audit trail"),
            context! { events => shown, older => older },
        ),
    )
}

/// GET /staff/audit.csv
pub async fn audit_csv(State(staff): State<Arc<Staff>>, headers: HeaderMap) -> Response {
    let signed = match signed_admin(&staff, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match staff.store.audit_export(Some(&signed.org)).await {
        Ok(events) => match export::audit_csv(&events) {
            Ok(bytes) => http::download("text/csv; charset=utf-8", "audit-trail.csv", bytes),
            Err(e) => unavailable(&staff, &e),
        },
        Err(e) => unavailable(&staff, &e),
    }
}

/// GET /staff/audit.json
pub async fn audit_json(State(staff): State<Arc<Staff>>, headers: HeaderMap) -> Response {
    let signed = match signed_admin(&staff, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match staff.store.audit_export(Some(&signed.org)).await {
        Ok(events) => match export::audit_json(&events) {
            Ok(bytes) => http::download("application/json", "audit-trail.json", bytes),
            Err(e) => unavailable(&staff, &e),
        },
        Err(e) => unavailable(&staff, &e),
    }
}
