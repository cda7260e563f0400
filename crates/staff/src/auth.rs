//! Signing in and out, setting a password from a one-time link, and the checks every other
//! page makes: is there a good session, and did this form come from our own page.

use crate::Staff;
use crate::error::{StaffError, Text};
use crate::http::{self, Form, same_origin, same_secret};
use crate::view::{anonymous_frame, frame, with};
use axum::extract::{FromRequest, FromRequestParts, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use std::marker::PhantomData;
use std::sync::Arc;
use waymark_store::{
    Attempt, AttemptKind, Gate, Organisation, Session, StoreError, Throttled, User,
};

/// A signed-in request: the person, their council and their session. As an argument of a
/// handler, the handler runs only for someone signed in; anyone else goes to the sign-in page.
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

    pub fn is_admin(&self) -> bool {
        self.user.role == waymark_domain::workflow::Role::Admin
    }

    /// A page with a heading and one paragraph, in this person's frame.
    pub fn message(
        &self,
        status: StatusCode,
        heading: impl Into<Text>,
        text: impl Into<Text>,
    ) -> StaffError {
        StaffError::framed(status, heading, text, |heading| self.frame("", heading))
    }

    /// 404, saying what is not there.
    pub fn not_found(&self, text: impl Into<Text>) -> StaffError {
        self.message(StatusCode::NOT_FOUND, "Page not found", text)
    }

    /// 403: this person may not do this.
    pub fn forbidden(&self, text: impl Into<Text>) -> StaffError {
        self.message(StatusCode::FORBIDDEN, "You cannot do this", text)
    }

    /// 400: the request itself was not one this page can act on.
    pub fn cannot(&self, text: impl Into<Text>) -> StaffError {
        self.message(StatusCode::BAD_REQUEST, "This could not be done", text)
    }

    /// 403 for a form without this session's token, or sent from another site.
    pub fn stale_form(&self) -> StaffError {
        self.message(
            StatusCode::FORBIDDEN,
            "This form could not be accepted",
            "Nothing was changed. The form was out of date or did not come from this site: go back, reload the page and try again.",
        )
    }
}

/// What a form that named no action is told.
pub const NO_ACTION: &str = "The form named no action. Nothing was changed.";
/// What a form missing a field every copy of it carries (a revision) is told.
pub const INCOMPLETE: &str = "The form was incomplete. Nothing was changed.";

/// The person signed in, or the answer instead: to the sign-in page.
pub async fn signed_in(staff: &Staff, headers: &HeaderMap) -> Result<Signed, StaffError> {
    let token = http::cookie(headers, staff.config.session_cookie()).unwrap_or("");
    if token.is_empty() {
        return Err(StaffError::answer(http::see_other("/staff/sign-in")));
    }
    let found = staff
        .store
        .session(token, staff.config.sessions, staff.now())
        .await?;
    let Some((session, user)) = found else {
        // Expired, ended or unknown: the stale cookie goes.
        let gone = staff.config.cookie(
            staff.config.session_cookie(),
            "",
            Some(chrono::Duration::zero()),
        );
        return Err(StaffError::answer(http::with_cookie(
            http::see_other("/staff/sign-in?expired=1"),
            &gone,
        )));
    };
    let org = staff
        .store
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.id == user.org_id)
        .ok_or_else(|| StaffError::unavailable("the account's council is missing"))?;
    Ok(Signed { org, user, session })
}

impl FromRequestParts<Arc<Staff>> for Signed {
    type Rejection = StaffError;

    async fn from_request_parts(parts: &mut Parts, staff: &Arc<Staff>) -> Result<Self, StaffError> {
        signed_in(staff, &parts.headers).await
    }
}

/// A page or form only the performance team may use, and what anyone else is told.
pub trait AdminOnly {
    fn refusal() -> Text;
}

/// The performance team's own pages and forms: the plan, settling, people, the audit trail.
pub struct TeamPages;

impl AdminOnly for TeamPages {
    fn refusal() -> Text {
        "Only the performance team can use this page. Nothing was changed.".into()
    }
}

fn admin_only<W: AdminOnly>(signed: Signed) -> Result<Signed, StaffError> {
    if signed.is_admin() {
        Ok(signed)
    } else {
        Err(signed.forbidden(W::refusal()))
    }
}

/// The signed-in admin. Anyone else signed in is refused (403, saying what `W` says); anyone
/// not signed in goes to the sign-in page.
pub struct Admin<W: AdminOnly = TeamPages> {
    pub signed: Signed,
    only: PhantomData<fn() -> W>,
}

impl<W: AdminOnly> FromRequestParts<Arc<Staff>> for Admin<W> {
    type Rejection = StaffError;

    async fn from_request_parts(parts: &mut Parts, staff: &Arc<Staff>) -> Result<Self, StaffError> {
        let signed = signed_in(staff, &parts.headers).await?;
        Ok(Admin {
            signed: admin_only::<W>(signed)?,
            only: PhantomData,
        })
    }
}

/// A posted form read within its bounds (`http::Form`), with the request's headers and the
/// client's address; a body too large or not a form of ours is refused before anything else.
pub struct Posted {
    pub headers: HeaderMap,
    pub client: String,
    pub form: Form,
}

impl FromRequest<Arc<Staff>> for Posted {
    type Rejection = StaffError;

    async fn from_request(request: Request, staff: &Arc<Staff>) -> Result<Self, StaffError> {
        let client = staff.config.proxies.of(&request);
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, http::MAX_FORM_BYTES)
            .await
            .map_err(|_| {
                StaffError::message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "The form is too large",
                    "Nothing was saved. Shorten the text and try again.",
                )
            })?;
        let form = Form::parse(&parts.headers, &bytes).map_err(|why| {
            StaffError::message(
                StatusCode::BAD_REQUEST,
                "The form could not be read",
                format!("Nothing was saved: {why}."),
            )
        })?;
        Ok(Posted {
            headers: parts.headers,
            client,
            form,
        })
    }
}

/// A signed-in person's form, checked: it must carry their session's synchroniser token and
/// come from this site (`Origin`, `Sec-Fetch-Site`). Otherwise nothing is done (403).
pub struct SignedForm {
    pub signed: Signed,
    pub form: Form,
}

impl FromRequest<Arc<Staff>> for SignedForm {
    type Rejection = StaffError;

    async fn from_request(request: Request, staff: &Arc<Staff>) -> Result<Self, StaffError> {
        let Posted { headers, form, .. } = Posted::from_request(request, staff).await?;
        let signed = signed_in(staff, &headers).await?;
        if !same_origin(&headers) || !same_secret(form.get("csrf"), &signed.session.csrf_token) {
            return Err(signed.stale_form());
        }
        Ok(SignedForm { signed, form })
    }
}

/// An admin's form: checked as `SignedForm`, then refused (403, saying what `W` says) for
/// anyone but an admin.
pub struct AdminForm<W: AdminOnly = TeamPages> {
    pub signed: Signed,
    pub form: Form,
    only: PhantomData<fn() -> W>,
}

impl<W: AdminOnly> FromRequest<Arc<Staff>> for AdminForm<W> {
    type Rejection = StaffError;

    async fn from_request(request: Request, staff: &Arc<Staff>) -> Result<Self, StaffError> {
        let SignedForm { signed, form } = SignedForm::from_request(request, staff).await?;
        Ok(AdminForm {
            signed: admin_only::<W>(signed)?,
            form,
            only: PhantomData,
        })
    }
}

/// Seconds until a throttled attempt may be tried again (the whole window, to be safe).
fn window_seconds(staff: &Staff) -> String {
    (staff.config.throttle.window_minutes.max(1) * 60).to_string()
}

/// Ask whether an attempt may go ahead: the attempt, or why it is throttled; an error when the
/// server is too busy to decide or the database fails.
pub async fn admit(
    staff: &Staff,
    kind: AttemptKind,
    email: &str,
    client: &str,
) -> Result<Result<Attempt, Throttled>, StaffError> {
    // Held while the attempt is decided (one write): a flood is told "busy" at once.
    let Ok(_deciding) = staff.attempts.clone().try_acquire_owned() else {
        return Err(StaffError::busy());
    };
    let gate = staff
        .store
        .begin_attempt(kind, email, client, staff.config.throttle, staff.now())
        .await?;
    Ok(match gate {
        Gate::Open(attempt) => Ok(attempt),
        Gate::Throttled(why) => Err(why),
    })
}

/// What the sign-in form says when the account has had too many failures.
fn address_throttled(staff: &Staff) -> String {
    let minutes = staff.config.throttle.window_minutes;
    format!(
        "There have been too many failed attempts to sign in to this account. Wait {minutes} minutes and try again."
    )
}

/// The page for a client refused for too many failures from its address.
pub fn client_throttled(staff: &Staff) -> StaffError {
    let minutes = staff.config.throttle.window_minutes;
    StaffError::message(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts",
        format!(
            "There have been too many failed attempts to sign in from your network. Wait {minutes} minutes and try again."
        ),
    )
    .retry_after(&window_seconds(staff))
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
pub async fn sign_in_page(
    State(staff): State<Arc<Staff>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    // Someone already signed in goes to their work.
    let token = http::cookie(&headers, staff.config.session_cookie()).unwrap_or("");
    if !token.is_empty()
        && let Ok(Some(_)) = staff
            .store
            .session(token, staff.config.sessions, staff.now())
            .await
    {
        return Ok(http::see_other("/staff"));
    }
    let query = query.unwrap_or_default();
    let notice = if query.contains("signed_out=1") {
        Some("You have signed out.")
    } else if query.contains("expired=1") {
        Some("Your session has ended. Sign in again to carry on.")
    } else if query.contains("password_set=1") {
        Some("Your password has been set. Sign in with it now.")
    } else {
        None
    };
    let (token, _) = waymark_store::accounts::new_token()
        .map_err(|_| StaffError::unavailable("no randomness"))?;
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
    Ok(http::with_cookie(page, &cookie))
}

/// POST /staff/sign-in: check the password (or refuse, saying the same thing whatever was
/// wrong), throttle repeated failures, and start a session.
pub async fn sign_in(
    State(staff): State<Arc<Staff>>,
    Posted {
        headers,
        client,
        form,
    }: Posted,
) -> Result<Response, StaffError> {
    let council = council_name(&staff).await;
    let token = http::cookie(&headers, staff.config.sign_in_cookie()).unwrap_or("");
    let email = form.get("email").trim().to_string();
    if !same_origin(&headers) || !same_secret(form.get("token"), token) {
        return Err(StaffError::message(
            StatusCode::FORBIDDEN,
            "This form could not be accepted",
            "The sign-in form was out of date or did not come from this site. Go back, reload the page and try again.",
        ));
    }
    let now = staff.now();
    let again = |status: StatusCode, error: &str| {
        let page = sign_in_form(
            &staff,
            council.clone(),
            status,
            token,
            &email,
            Some(error),
            None,
        );
        StaffError::answer(page)
    };
    let password = form.get("password");
    if let Some(error) = implausible(&email, password) {
        return Err(again(StatusCode::BAD_REQUEST, error));
    }
    // A permit first: when the server is already hashing as much as it allows, say so at once
    // and record nothing.
    let permit = staff.passwords.permit().ok_or_else(StaffError::busy)?;
    let attempt = match admit(&staff, AttemptKind::SignIn, &email, &client).await? {
        Ok(attempt) => attempt,
        Err(Throttled::Client) => {
            metrics::counter!("waymark_sign_in_refusals_total", "reason" => "client_throttled")
                .increment(1);
            return Err(client_throttled(&staff));
        }
        Err(Throttled::Address) => {
            metrics::counter!("waymark_sign_in_refusals_total", "reason" => "address_throttled")
                .increment(1);
            let refused = again(StatusCode::TOO_MANY_REQUESTS, &address_throttled(&staff));
            return Err(refused.retry_after(&window_seconds(&staff)));
        }
    };
    let Some(user) = password_user(&staff, permit, &attempt, &email, password, now).await? else {
        metrics::counter!("waymark_sign_in_refusals_total", "reason" => "wrong_password")
            .increment(1);
        let error = "Enter a correct email address and password";
        return Err(again(StatusCode::UNAUTHORIZED, error));
    };
    let (cookie_token, _) = staff
        .store
        .start_session(&user, "password", &client, staff.config.sessions, now)
        .await?;
    Ok(signed_in_now(
        &staff,
        &cookie_token,
        staff.config.sign_in_cookie(),
    ))
}

/// What is wrong with a sign-in form that cannot hold an address and password, if anything.
/// Nothing is stored, and nothing hashed, for such input: an address is at most 254 characters,
/// a password at most 128. (The form shows what was typed again, escaped; reading the form
/// bounded it.)
fn implausible(email: &str, password: &str) -> Option<&'static str> {
    if email.is_empty() || password.is_empty() {
        Some("Enter your email address and password")
    } else if waymark_store::accounts::check_email(email).is_err() {
        Some("Enter an email address in the correct format, like name@example.gov.uk")
    } else {
        None
    }
}

/// To the person's work with their new session's cookie, the cookie that bound the sign-in to
/// this browser spent.
pub fn signed_in_now(staff: &Staff, session_token: &str, spent_cookie: &str) -> Response {
    let session = staff
        .config
        .cookie(staff.config.session_cookie(), session_token, None);
    let spent = staff
        .config
        .cookie(spent_cookie, "", Some(chrono::Duration::zero()));
    http::with_cookie(
        http::with_cookie(http::see_other("/staff"), &session),
        &spent,
    )
}

/// The active account whose password this is, with the attempt counted as a success; or
/// None, counted as a failure.
async fn password_user(
    staff: &Staff,
    permit: crate::password::Permit,
    attempt: &Attempt,
    email: &str,
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<User>, StaffError> {
    let user = staff.store.user_by_email(email).await?.filter(|u| u.active);
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    // No password is longer than the rules allow, so a longer one is wrong without hashing it.
    let good = password.chars().count() <= waymark_domain::password::MAX_CHARS
        && staff
            .passwords
            .verify(permit, password.to_string(), stored)
            .await;
    let Some(user) = user.filter(|_| good) else {
        staff
            .store
            .attempt_failed(attempt, "wrong email address or password", now)
            .await?;
        return Ok(None);
    };
    staff.store.attempt_succeeded(attempt).await?;
    Ok(Some(user))
}

/// POST /staff/sign-out: end the session (a form with the session's token, so another site
/// cannot sign people out).
pub async fn sign_out(
    State(staff): State<Arc<Staff>>,
    SignedForm { signed, .. }: SignedForm,
) -> Result<Response, StaffError> {
    staff
        .store
        .end_session(&signed.session, "signed out", staff.now())
        .await?;
    let gone = staff.config.cookie(
        staff.config.session_cookie(),
        "",
        Some(chrono::Duration::zero()),
    );
    Ok(http::with_cookie(
        http::see_other("/staff/sign-in?signed_out=1"),
        &gone,
    ))
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

fn link_gone() -> StaffError {
    StaffError::message(
        StatusCode::NOT_FOUND,
        "This link has expired or has already been used",
        "Ask your performance team for a new link to set your password.",
    )
}

/// The account a set-up link is for, counted against the client's limit: a link that is
/// unknown, used or expired is a failure (guessing links is throttled like guessing passwords).
async fn link_user(staff: &Staff, token: &str, client: &str) -> Result<User, StaffError> {
    let attempt = admit(staff, AttemptKind::SetupLink, "", client)
        .await?
        .map_err(|_| client_throttled(staff))?;
    // A link's token is 64 hex digits: anything else is not a link, and is not looked up.
    let shaped = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let found = if shaped {
        staff.store.setup_link_user(token, staff.now()).await?
    } else {
        None
    };
    let Some(user) = found else {
        let why = "unknown, used or expired set-up link";
        staff
            .store
            .attempt_failed(&attempt, why, staff.now())
            .await?;
        return Err(link_gone());
    };
    staff.store.attempt_succeeded(&attempt).await?;
    Ok(user)
}

/// GET /staff/setup/{token}: the form to choose a password, while the link is good.
pub async fn setup_page(
    State(staff): State<Arc<Staff>>,
    Path(token): Path<String>,
    request: Request,
) -> Result<Response, StaffError> {
    let client = staff.config.proxies.of(&request);
    let user = link_user(&staff, &token, &client).await?;
    let council = council_name(&staff).await;
    Ok(setup_form(
        &staff,
        council,
        &user,
        &token,
        StatusCode::OK,
        None,
    ))
}

/// POST /staff/setup/{token}: set the password if it meets the rules. The link's secret token
/// is in the address, so another site cannot post this form for someone.
pub async fn setup(
    State(staff): State<Arc<Staff>>,
    Path(token): Path<String>,
    Posted {
        headers,
        client,
        form,
    }: Posted,
) -> Result<Response, StaffError> {
    if !same_origin(&headers) {
        return Err(link_gone());
    }
    // Hashing the new password needs a permit: take it before anything is counted.
    let permit = staff.passwords.permit().ok_or_else(StaffError::busy)?;
    let user = link_user(&staff, &token, &client).await?;
    let chosen = form.get("password");
    let council = council_name(&staff).await;
    let refuse = |why: &str| {
        let page = setup_form(
            &staff,
            council.clone(),
            &user,
            &token,
            StatusCode::BAD_REQUEST,
            Some(why),
        );
        StaffError::answer(page)
    };
    if let Err(why) = waymark_domain::password::check_password(chosen, &[&user.email, &council]) {
        return Err(refuse(&why));
    }
    if chosen != form.get("confirm") {
        return Err(refuse("The passwords do not match"));
    }
    let hashed = staff
        .passwords
        .hash(permit, chosen.to_string())
        .await
        .map_err(StaffError::unavailable)?;
    match staff
        .store
        .use_setup_link(&token, &hashed, staff.now())
        .await
    {
        Ok(_) => Ok(http::see_other("/staff/sign-in?password_set=1")),
        Err(StoreError::Usage(_)) => Err(link_gone()),
        Err(e) => Err(e.into()),
    }
}
