//! Single sign-on with the council's identity provider (OpenID Connect, e.g. Microsoft Entra
//! ID): the authorisation code flow with PKCE, a state bound to the browser by a cookie, a
//! nonce, and the ID token's signature, issuer, audience and expiry checked by the
//! `openidconnect` crate. Nobody signs up this way: the person must already have an account
//! (made by an admin); the first sign-in links the provider's subject to it by e-mail address,
//! later ones find it by that subject.

use crate::Staff;
use crate::auth;
use crate::error::StaffError;
use crate::http::{self, same_secret};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use std::sync::Arc;
use waymark_store::{AttemptKind, User, WaitingSignIn};

/// The `[oidc]` section of the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer, e.g. https://login.microsoftonline.com/{tenant}/v2.0
    pub issuer: String,
    pub client_id: String,
    /// The environment variable holding the client secret (none for a public client).
    pub client_secret_env: Option<String>,
    /// The button's words, e.g. "Sign in with your Bexley account".
    #[serde(default = "default_label")]
    pub label: String,
}

fn default_label() -> String {
    "Sign in with your council account".into()
}

/// Sign-ins waiting at once (the oldest goes first). They wait in the database, so the
/// provider may send the person back to another server than the one they left from.
const MAX_PENDING: usize = 256;
/// How long the provider may take to send the person back.
const PENDING_MINUTES: i64 = 10;
/// How long the provider's published configuration is trusted before it is fetched again.
const METADATA_MINUTES: i64 = 60;

/// The provider's client as built from its published configuration (with a redirect address).
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Single sign-on, ready to use.
pub struct Sso {
    pub config: OidcConfig,
    secret: Option<String>,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(CoreProviderMetadata, DateTime<Utc>)>>,
}

impl Sso {
    pub fn new(config: OidcConfig) -> Result<Sso, String> {
        IssuerUrl::new(config.issuer.clone()).map_err(|e| format!("oidc.issuer: {e}"))?;
        let secret = match &config.client_secret_env {
            Some(variable) => Some(std::env::var(variable).map_err(|_| {
                format!("oidc.client_secret_env: the environment variable {variable} is not set")
            })?),
            None => None,
        };
        // No redirects: the provider's endpoints are called as published, never elsewhere.
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Sso {
            config,
            secret,
            http,
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    async fn metadata(&self, now: DateTime<Utc>) -> Result<CoreProviderMetadata, String> {
        let mut cached = self.metadata.lock().await;
        if let Some((metadata, fetched)) = cached.as_ref()
            && now - *fetched < Duration::minutes(METADATA_MINUTES)
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| e.to_string())?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| format!("the identity provider's configuration could not be read: {e}"))?;
        *cached = Some((metadata.clone(), now));
        Ok(metadata)
    }

    fn client(&self, metadata: CoreProviderMetadata, base_url: &str) -> Result<Client, String> {
        let redirect = RedirectUrl::new(format!("{base_url}/staff/sign-in/callback"))
            .map_err(|e| e.to_string())?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }
}

fn sso_cookie(staff: &Staff) -> &'static str {
    if staff.config.secure_cookies() {
        "__Host-waymark-sso"
    } else {
        "waymark-sso"
    }
}

fn refused(status: StatusCode, why: &str) -> StaffError {
    StaffError::message(
        status,
        "Single sign-on did not work",
        format!("{why} Go back to the sign-in page and try again, or ask your performance team."),
    )
}

fn not_set_up() -> StaffError {
    refused(StatusCode::NOT_FOUND, "Single sign-on is not set up here.")
}

/// The provider's client, from its published configuration (fetched at most hourly).
async fn provider(staff: &Staff, sso: &Sso, now: DateTime<Utc>) -> Result<Client, StaffError> {
    let metadata = sso.metadata(now).await.map_err(StaffError::unavailable)?;
    sso.client(metadata, &staff.config.base_url)
        .map_err(StaffError::unavailable)
}

/// GET /staff/sign-in/sso: send the person to the identity provider.
pub async fn start(State(staff): State<Arc<Staff>>) -> Result<Response, StaffError> {
    let sso = staff.sso.as_ref().ok_or_else(not_set_up)?;
    let now = staff.now();
    let client = provider(&staff, sso, now).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let waiting = WaitingSignIn {
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
    };
    let expires = now + Duration::minutes(PENDING_MINUTES);
    // Anyone may start a sign-in, and each start is a database write: held like an attempt
    // to get in, so a flood is told "busy" at once rather than queued behind the write lock.
    let Ok(_writing) = staff.attempts.clone().try_acquire_owned() else {
        return Err(StaffError::busy());
    };
    staff
        .store
        .keep_sign_in(state.secret(), &waiting, expires, now, MAX_PENDING)
        .await?;
    let cookie = staff.config.cookie(
        sso_cookie(&staff),
        state.secret(),
        Some(Duration::minutes(PENDING_MINUTES)),
    );
    Ok(http::with_cookie(http::see_other(url.as_str()), &cookie))
}

fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// Why a callback was refused, for the audit trail, when there is more to say than its status.
#[derive(Clone)]
struct RefusalReason(String);

/// GET /staff/sign-in/callback: the provider sends the person back with a code; exchange it
/// (with the PKCE verifier), check the ID token, find the account, start a session. Each
/// callback is counted against the client's limit (as sign-ins and set-up links are): one
/// that does not end signed in is a failure, unless the service itself was unavailable.
pub async fn callback(
    State(staff): State<Arc<Staff>>,
    request: Request,
) -> Result<Response, StaffError> {
    let sso = staff.sso.as_ref().ok_or_else(not_set_up)?;
    let client_ip = staff.config.proxies.of(&request);
    let attempt = auth::admit(&staff, AttemptKind::SingleSignOn, "", &client_ip)
        .await?
        .map_err(|_| auth::client_throttled(&staff))?;
    // The answer is made here, so that its status decides how the attempt counts.
    let response = returned(&staff, sso, request, &client_ip)
        .await
        .into_response();
    let status = response.status();
    if status.is_redirection() || status.is_server_error() {
        staff.store.attempt_succeeded(&attempt).await?;
    } else {
        let why = response
            .extensions()
            .get::<RefusalReason>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| format!("single sign-on refused ({})", status.as_u16()));
        staff
            .store
            .attempt_failed(&attempt, &why, staff.now())
            .await?;
    }
    Ok(response)
}

/// The pending sign-in this callback finishes, and the code the provider sent with it.
async fn pending_sign_in(
    staff: &Staff,
    (state, code): (String, Option<String>),
    now: DateTime<Utc>,
) -> Result<(WaitingSignIn, String), StaffError> {
    let Some(pending) = staff.store.take_sign_in(&state, now).await? else {
        let why = "The sign-in took too long or was already used.";
        return Err(refused(StatusCode::FORBIDDEN, why));
    };
    let Some(code) = code else {
        let why = "The identity provider sent no code.";
        return Err(refused(StatusCode::BAD_REQUEST, why));
    };
    Ok((pending, code))
}

/// The state and code the provider sent back, if the sign-in started from this browser.
fn sent_back(staff: &Staff, request: &Request) -> Result<(String, Option<String>), StaffError> {
    let query = request.uri().query().unwrap_or("");
    if let Some(error) = query_value(query, "error") {
        let error: String = error
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        let why = format!("The identity provider said: {error}.");
        return Err(refused(StatusCode::UNAUTHORIZED, &why));
    }
    let state = query_value(query, "state").unwrap_or_default();
    let bound = http::cookie(request.headers(), sso_cookie(staff)).unwrap_or("");
    // The state must be the one this browser was given (no sign-in forced from elsewhere).
    if !same_secret(&state, bound) {
        let why = "The sign-in did not start from this browser.";
        return Err(refused(StatusCode::FORBIDDEN, why));
    }
    Ok((state, query_value(query, "code")))
}

/// Who the provider says the person is: its subject (issuer and subject), and the address
/// that finds their account the first time.
async fn identify(
    staff: &Staff,
    sso: &Sso,
    pending: WaitingSignIn,
    code: String,
    now: DateTime<Utc>,
) -> Result<(String, String), StaffError> {
    let client = provider(staff, sso, now).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(StaffError::unavailable)?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&sso.http)
        .await
        .map_err(|e| {
            tracing::warn!("single sign-on code exchange failed: {e}");
            let why = "The identity provider did not confirm who you are.";
            refused(StatusCode::UNAUTHORIZED, why)
        })?;
    let Some(id_token) = tokens.id_token() else {
        let why = "The identity provider sent no identity.";
        return Err(refused(StatusCode::UNAUTHORIZED, why));
    };
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce))
        .map_err(|e| {
            tracing::warn!("an ID token was refused: {e}");
            let why = "The identity provider's answer could not be trusted.";
            refused(StatusCode::UNAUTHORIZED, why)
        })?;
    let subject = format!("{} {}", claims.issuer().as_str(), claims.subject().as_str());
    // The address used to find the account the first time: `email` only when the provider
    // says it verified it; otherwise the provider's own user name (Entra ID's
    // `preferred_username` is the user principal name, which the council's directory controls).
    let verified_email = match claims.email_verified() {
        Some(true) => claims.email().map(|e| e.as_str().to_string()),
        _ => None,
    };
    let email = verified_email
        .or_else(|| claims.preferred_username().map(|u| u.as_str().to_string()))
        .unwrap_or_default();
    Ok((subject, email))
}

/// The active account for a provider's subject: found by it, or (the first time) an account
/// not yet linked, found by address and linked to it.
async fn account(
    staff: &Staff,
    subject: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<User, StaffError> {
    let found = match staff.store.user_by_oidc_subject(subject).await? {
        Some(user) => Some(user),
        None => match staff.store.user_by_email(email).await? {
            // An account not yet linked, or linked to this very subject.
            Some(user) if user.oidc_subject.is_none() && user.active => {
                Some(staff.store.link_oidc_subject(&user, subject, now).await?)
            }
            _ => None,
        },
    };
    found.filter(|u| u.active).ok_or_else(|| {
        let shown = if email.is_empty() {
            "single sign-on"
        } else {
            email
        };
        let why = "You signed in with your council account, but it has no access to this site.";
        let mut response = refused(StatusCode::FORBIDDEN, why).into_response();
        response.extensions_mut().insert(RefusalReason(format!(
            "no account for this single sign-on identity ({shown})"
        )));
        StaffError::answer(response)
    })
}

/// The callback's work, once the client is allowed to try.
async fn returned(
    staff: &Staff,
    sso: &Sso,
    request: Request,
    client_ip: &str,
) -> Result<Response, StaffError> {
    let now = staff.now();
    let (pending, code) = pending_sign_in(staff, sent_back(staff, &request)?, now).await?;
    let (subject, email) = identify(staff, sso, pending, code, now).await?;
    let user = account(staff, &subject, &email, now).await?;
    let (token, _) = staff
        .store
        .start_session(
            &user,
            "single sign-on",
            client_ip,
            staff.config.sessions,
            now,
        )
        .await?;
    Ok(auth::signed_in_now(staff, &token, sso_cookie(staff)))
}
