//! Signing in and out, setting a password from a one-time link, and the checks every other
//! page makes: is there a good session, and did this form come from our own page.

use crate::Staff;
use crate::http::{self, Form, same_origin, same_secret};
use crate::view::{anonymous_frame, frame, with};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use minijinja::context;
use std::sync::Arc;
use waymark_store::{Attempt, AttemptKind, Gate, Organisation, Session, Throttled, User};

/// A signed-in request: the person, their council and their session.
pub struct Signed {
    pub org: Organisation,
    pub user: User,
    pub session: Session,
}

impl Signed {
    /// The frame of a page for this person.
    pub fn frame(&self, section: &str, title: &str) -> minijinja::Value {
        frame(&self.org, &self.user, &self.session, section, title)
    }
}

/// The person signed in, or the response to send instead: to the sign-in page.
pub async fn signed_in(staff: &Staff, headers: &HeaderMap) -> Result<Signed, Response> {
    let token = http::cookie(headers, staff.config.session_cookie()).unwrap_or("");
    if token.is_empty() {
        return Err(http::see_other("/staff/sign-in"));
    }
    let found = staff
        .store
        .session(token, staff.config.sessions, staff.now())
        .await
        .map_err(|e| unavailable(staff, &e))?;
    let Some((session, user)) = found else {
        // Expired, ended or unknown: the stale cookie goes.
        let gone = staff.config.cookie(
            staff.config.session_cookie(),
            "",
            Some(chrono::Duration::zero()),
        );
        return Err(http::with_cookie(
            http::see_other("/staff/sign-in?expired=1"),
            &gone,
        ));
    };
    let org = staff
        .store
        .organisations()
        .await
        .map_err(|e| unavailable(staff, &e))?
        .into_iter()
        .find(|o| o.id == user.org_id)
        .ok_or_else(|| unavailable(staff, &"the account's council is missing"))?;
    Ok(Signed { org, user, session })
}

/// The signed-in admin, or the response for anyone else (sign in, or 403).
pub async fn signed_admin(staff: &Staff, headers: &HeaderMap) -> Result<Signed, Response> {
    let signed = signed_in(staff, headers).await?;
    if signed.user.role != waymark_domain::workflow::Role::Admin {
        return Err(admins_only(staff, &signed));
    }
    Ok(signed)
}

/// The refusal for a page or form only the performance team may use.
pub fn admins_only(staff: &Staff, signed: &Signed) -> Response {
    signed_message(
        staff,
        signed,
        StatusCode::FORBIDDEN,
        "You cannot do this",
        "Only the performance team can use this page. Nothing was changed.",
    )
}

/// A page saying the database could not be reached (the detail goes to the log).
pub fn unavailable(staff: &Staff, e: &dyn std::fmt::Display) -> Response {
    eprintln!("waymark: staff request failed: {e}");
    let mut response = message(
        staff,
        StatusCode::SERVICE_UNAVAILABLE,
        "Sorry, there is a problem with the service",
        "Try again in a few minutes. Nothing you sent has been lost if you were told it was saved.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    response
}

/// A page with a heading and one paragraph, for someone not signed in (or any error).
pub fn message(staff: &Staff, status: StatusCode, heading: &str, text: &str) -> Response {
    staff.view.page(
        status,
        "message.html",
        with(
            anonymous_frame(heading),
            context! { heading => heading, text => text },
        ),
    )
}

/// The answer when every password check the server allows at once is taken: come back in a
/// moment (nothing was checked or recorded).
pub fn busy(staff: &Staff) -> Response {
    let mut response = message(
        staff,
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is busy",
        "Many people are signing in at once. Wait a few seconds and try again.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    response
}

/// Seconds until a throttled attempt may be tried again (the whole window, to be safe).
fn retry_after(staff: &Staff, mut response: Response) -> Response {
    let seconds = (staff.config.throttle.window_minutes.max(1) * 60).to_string();
    if let Ok(value) = HeaderValue::from_str(&seconds) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Ask whether an attempt may go ahead: the attempt, or the response refusing it.
pub async fn admit(
    staff: &Staff,
    kind: AttemptKind,
    email: &str,
    client: &str,
) -> Result<Attempt, Result<Throttled, Response>> {
    // Held while the attempt is decided (one write): a flood is told "busy" at once.
    let Ok(_deciding) = staff.attempts.clone().try_acquire_owned() else {
        return Err(Err(busy(staff)));
    };
    match staff
        .store
        .begin_attempt(kind, email, client, staff.config.throttle, staff.now())
        .await
    {
        Ok(Gate::Open(attempt)) => Ok(attempt),
        Ok(Gate::Throttled(why)) => Err(Ok(why)),
        Err(e) => Err(Err(unavailable(staff, &e))),
    }
}

/// The page for a client refused for too many failures from its address.
pub fn client_throttled(staff: &Staff) -> Response {
    let minutes = staff.config.throttle.window_minutes;
    retry_after(
        staff,
        message(
            staff,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            &format!(
                "There have been too many failed attempts to sign in from your network. Wait {minutes} minutes and try again."
            ),
        ),
    )
}

/// The same, inside a signed-in person's frame.
pub fn signed_message(
    staff: &Staff,
    signed: &Signed,
    status: StatusCode,
    heading: &str,
    text: &str,
) -> Response {
    staff.view.page(
        status,
        "message.html",
        with(
            signed.frame("", heading),
            context! { heading => heading, text => text },
        ),
    )
}

/// A request's headers, client address and form, or the response refusing it.
pub async fn read_form(
    staff: &Staff,
    request: Request,
) -> Result<(HeaderMap, String, Form), Response> {
    let client = staff.config.proxies.of(&request);
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, http::MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return Err(message(
                staff,
                StatusCode::PAYLOAD_TOO_LARGE,
                "The form is too large",
                "Nothing was saved. Shorten the text and try again.",
            ));
        }
    };
    let form = Form::parse(&parts.headers, &bytes).map_err(|why| {
        message(
            staff,
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            &format!("Nothing was saved: {why}."),
        )
    })?;
    Ok((parts.headers, client, form))
}

/// A signed-in person's form, checked: it must carry their session's token and come from this
/// site. Otherwise nothing is done.
pub async fn signed_form(staff: &Staff, request: Request) -> Result<(Signed, Form), Response> {
    let (headers, _, form) = read_form(staff, request).await?;
    let signed = signed_in(staff, &headers).await?;
    if !same_origin(&headers) || !same_secret(form.get("csrf"), &signed.session.csrf_token) {
        return Err(signed_message(
            staff,
            &signed,
            StatusCode::FORBIDDEN,
            "This form could not be accepted",
            "Nothing was changed. The form was out of date or did not come from this site: go back, reload the page and try again.",
        ));
    }
    Ok((signed, form))
}

/// The council's name for pages before sign-in, when the database holds one council.
async fn council_name(staff: &Staff) -> String {
    match staff.store.organisations().await {
        Ok(orgs) if orgs.len() == 1 => orgs[0].name.clone(),
        _ => "Waymark".into(),
    }
}

fn sign_in_form(
    staff: &Staff,
    council: String,
    status: StatusCode,
    token: &str,
    email: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let mut frame = anonymous_frame("Sign in");
    frame = with(frame, context! { council => context! { name => council } });
    staff.view.page(
        status,
        "sign_in.html",
        with(
            frame,
            context! {
                token => token, email => email, error => error, notice => notice,
                sso => staff.sso.as_ref().map(|s| s.config.label.clone()),
            },
        ),
    )
}

/// GET /staff/sign-in: the form, with a fresh token in a cookie and a hidden field (the form
/// cannot be posted from another site before there is a session to protect).
pub async fn sign_in_page(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    // Someone already signed in goes to their work.
    let token = http::cookie(request.headers(), staff.config.session_cookie()).unwrap_or("");
    if !token.is_empty()
        && let Ok(Some(_)) = staff
            .store
            .session(token, staff.config.sessions, staff.now())
            .await
    {
        return http::see_other("/staff");
    }
    let query = request.uri().query().unwrap_or("");
    let notice = if query.contains("signed_out=1") {
        Some("You have signed out.")
    } else if query.contains("expired=1") {
        Some("Your session has ended. Sign in again to carry on.")
    } else if query.contains("password_set=1") {
        Some("Your password has been set. Sign in with it now.")
    } else {
        None
    };
    let Ok((token, _)) = waymark_store::accounts::new_token() else {
        return unavailable(&staff, &"no randomness");
    };
    let page = sign_in_form(
        &staff,
        council_name(&staff).await,
        StatusCode::OK,
        &token,
        "",
        None,
        notice,
    );
    let cookie = staff
        .config
        .cookie(staff.config.sign_in_cookie(), &token, None);
    http::with_cookie(page, &cookie)
}

/// POST /staff/sign-in: check the password (or refuse, saying the same thing whatever was
/// wrong), throttle repeated failures, and start a session.
pub async fn sign_in(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let (headers, client, form) = match read_form(&staff, request).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let council = council_name(&staff).await;
    let token = http::cookie(&headers, staff.config.sign_in_cookie()).unwrap_or("");
    let email = form.get("email").trim().to_string();
    if !same_origin(&headers) || !same_secret(form.get("token"), token) {
        return message(
            &staff,
            StatusCode::FORBIDDEN,
            "This form could not be accepted",
            "The sign-in form was out of date or did not come from this site. Go back, reload the page and try again.",
        );
    }
    let now = staff.now();
    // Nothing is stored, and nothing hashed, for input that cannot be an address and password:
    // an address is at most 254 characters, a password at most 128. (The form shows what was
    // typed again, escaped; reading the form bounded it.)
    let plausible = waymark_store::accounts::check_email(&email).is_ok();
    let again = |status: StatusCode, error: &str| {
        sign_in_form(
            &staff,
            council.clone(),
            status,
            token,
            &email,
            Some(error),
            None,
        )
    };
    let password = form.get("password");
    if email.is_empty() || password.is_empty() {
        return again(
            StatusCode::BAD_REQUEST,
            "Enter your email address and password",
        );
    }
    if !plausible {
        return again(
            StatusCode::BAD_REQUEST,
            "Enter an email address in the correct format, like name@example.gov.uk",
        );
    }
    // A permit first: when the server is already hashing as much as it allows, say so at once
    // and record nothing.
    let Some(permit) = staff.passwords.permit() else {
        return busy(&staff);
    };
    let attempt = match admit(&staff, AttemptKind::SignIn, &email, &client).await {
        Ok(attempt) => attempt,
        Err(Ok(Throttled::Client)) => return client_throttled(&staff),
        Err(Ok(Throttled::Address)) => {
            let minutes = staff.config.throttle.window_minutes;
            return retry_after(
                &staff,
                again(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!(
                        "There have been too many failed attempts to sign in to this account. Wait {minutes} minutes and try again."
                    ),
                ),
            );
        }
        Err(Err(response)) => return response,
    };
    let user = match staff.store.user_by_email(&email).await {
        Ok(user) => user.filter(|u| u.active),
        Err(e) => return unavailable(&staff, &e),
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    // No password is longer than the rules allow, so a longer one is wrong without hashing it.
    let good = password.chars().count() <= waymark_domain::password::MAX_CHARS
        && staff
            .passwords
            .verify(permit, password.to_string(), stored)
            .await;
    let Some(user) = user.filter(|_| good) else {
        if let Err(e) = staff
            .store
            .attempt_failed(&attempt, "wrong email address or password", now)
            .await
        {
            return unavailable(&staff, &e);
        }
        return again(
            StatusCode::UNAUTHORIZED,
            "Enter a correct email address and password",
        );
    };
    if let Err(e) = staff.store.attempt_succeeded(&attempt).await {
        return unavailable(&staff, &e);
    }
    let (cookie_token, _) = match staff
        .store
        .start_session(&user, "password", &client, staff.config.sessions, now)
        .await
    {
        Ok(started) => started,
        Err(e) => return unavailable(&staff, &e),
    };
    let session_cookie = staff
        .config
        .cookie(staff.config.session_cookie(), &cookie_token, None);
    let spent = staff.config.cookie(
        staff.config.sign_in_cookie(),
        "",
        Some(chrono::Duration::zero()),
    );
    http::with_cookie(
        http::with_cookie(http::see_other("/staff"), &session_cookie),
        &spent,
    )
}

/// POST /staff/sign-out: end the session (a form with the session's token, so another site
/// cannot sign people out).
pub async fn sign_out(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let (signed, _) = match signed_form(&staff, request).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    if let Err(e) = staff
        .store
        .end_session(&signed.session, "signed out", staff.now())
        .await
    {
        return unavailable(&staff, &e);
    }
    let gone = staff.config.cookie(
        staff.config.session_cookie(),
        "",
        Some(chrono::Duration::zero()),
    );
    http::with_cookie(http::see_other("/staff/sign-in?signed_out=1"), &gone)
}

fn setup_form(
    staff: &Staff,
    council: String,
    user: &User,
    token: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    staff.view.page(
        status,
        "setup.html",
        with(
            with(
                anonymous_frame("Set your password"),
                context! { council => context! { name => council } },
            ),
            context! {
                email => user.email.clone(),
                action => format!("/staff/setup/{token}"),
                error => error,
                min_chars => waymark_domain::password::MIN_CHARS,
            },
        ),
    )
}

fn link_gone(staff: &Staff) -> Response {
    message(
        staff,
        StatusCode::NOT_FOUND,
        "This link has expired or has already been used",
        "Ask your performance team for a new link to set your password.",
    )
}

/// The account a set-up link is for, counted against the client's limit: a link that is
/// unknown, used or expired is a failure (guessing links is throttled like guessing passwords).
async fn link_user(staff: &Staff, token: &str, client: &str) -> Result<User, Response> {
    let attempt = match admit(staff, AttemptKind::SetupLink, "", client).await {
        Ok(attempt) => attempt,
        Err(Ok(_)) => return Err(client_throttled(staff)),
        Err(Err(response)) => return Err(response),
    };
    // A link's token is 64 hex digits: anything else is not a link, and is not looked up.
    let shaped = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let found = if shaped {
        staff
            .store
            .setup_link_user(token, staff.now())
            .await
            .map_err(|e| unavailable(staff, &e))?
    } else {
        None
    };
    match found {
        Some(user) => {
            staff
                .store
                .attempt_succeeded(&attempt)
                .await
                .map_err(|e| unavailable(staff, &e))?;
            Ok(user)
        }
        None => {
            staff
                .store
                .attempt_failed(
                    &attempt,
                    "unknown, used or expired set-up link",
                    staff.now(),
                )
                .await
                .map_err(|e| unavailable(staff, &e))?;
            Err(link_gone(staff))
        }
    }
}

/// GET /staff/setup/{token}: the form to choose a password, while the link is good.
pub async fn setup_page(
    State(staff): State<Arc<Staff>>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let client = staff.config.proxies.of(&request);
    match link_user(&staff, &token, &client).await {
        Ok(user) => setup_form(
            &staff,
            council_name(&staff).await,
            &user,
            &token,
            StatusCode::OK,
            None,
        ),
        Err(response) => response,
    }
}

/// POST /staff/setup/{token}: set the password if it meets the rules. The link's secret token
/// is in the address, so another site cannot post this form for someone.
pub async fn setup(
    State(staff): State<Arc<Staff>>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let (headers, client, form) = match read_form(&staff, request).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    if !same_origin(&headers) {
        return link_gone(&staff);
    }
    // Hashing the new password needs a permit: take it before anything is counted.
    let Some(permit) = staff.passwords.permit() else {
        return busy(&staff);
    };
    let user = match link_user(&staff, &token, &client).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let chosen = form.get("password");
    let council = council_name(&staff).await;
    if let Err(why) = waymark_domain::password::check_password(chosen, &[&user.email, &council]) {
        return setup_form(
            &staff,
            council.clone(),
            &user,
            &token,
            StatusCode::BAD_REQUEST,
            Some(&why),
        );
    }
    if chosen != form.get("confirm") {
        return setup_form(
            &staff,
            council,
            &user,
            &token,
            StatusCode::BAD_REQUEST,
            Some("The passwords do not match"),
        );
    }
    let hashed = match staff.passwords.hash(permit, chosen.to_string()).await {
        Ok(h) => h,
        Err(e) => return unavailable(&staff, &e),
    };
    match staff
        .store
        .use_setup_link(&token, &hashed, staff.now())
        .await
    {
        Ok(_) => http::see_other("/staff/sign-in?password_set=1"),
        Err(waymark_store::StoreError::Usage(_)) => link_gone(&staff),
        Err(e) => unavailable(&staff, &e),
    }
}
