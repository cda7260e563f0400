//! Single sign-on with the council's identity provider (OpenID Connect, e.g. Microsoft Entra
//! ID): the authorisation code flow with PKCE, a state bound to the browser by a cookie, a
//! nonce, and the ID token's signature, issuer, audience and expiry checked by the
//! `openidconnect` crate. Nobody signs up this way: the person must already have an account
//! (made by an admin); the first sign-in links the provider's subject to it by e-mail address,
//! later ones find it by that subject.

use crate::Staff;
use crate::auth::{self, message, unavailable};
use crate::http::{self, same_secret};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use std::sync::Arc;
use waymark_store::AttemptKind;

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

/// A sign-in begun: what the callback must match.
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    expires: DateTime<Utc>,
}

/// Sign-ins waiting at once (the oldest goes first).
const MAX_PENDING: usize = 256;
/// How long the provider may take to send the person back.
const PENDING_MINUTES: i64 = 10;
/// How long the provider's published configuration is trusted before it is fetched again.
const METADATA_MINUTES: i64 = 60;

/// Single sign-on, ready to use.
pub struct Sso {
    pub config: OidcConfig,
    secret: Option<String>,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(CoreProviderMetadata, DateTime<Utc>)>>,
    pending: std::sync::Mutex<Vec<Pending>>,
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
            pending: std::sync::Mutex::new(vec![]),
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

    fn client(
        &self,
        metadata: CoreProviderMetadata,
        base_url: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        String,
    > {
        let redirect = RedirectUrl::new(format!("{base_url}/staff/sign-in/callback"))
            .map_err(|e| e.to_string())?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    fn remember(&self, pending: Pending, now: DateTime<Utc>) {
        let mut waiting = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        waiting.retain(|p| p.expires > now);
        if waiting.len() >= MAX_PENDING {
            waiting.remove(0);
        }
        waiting.push(pending);
    }

    fn take(&self, state: &str, now: DateTime<Utc>) -> Option<Pending> {
        let mut waiting = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let at = waiting
            .iter()
            .position(|p| same_secret(&p.state, state) && p.expires > now)?;
        Some(waiting.remove(at))
    }
}

fn sso_cookie(staff: &Staff) -> &'static str {
    if staff.config.secure_cookies() {
        "__Host-waymark-sso"
    } else {
        "waymark-sso"
    }
}

fn refused(staff: &Staff, status: StatusCode, why: &str) -> Response {
    message(
        staff,
        status,
        "Single sign-on did not work",
        &format!("{why} Go back to the sign-in page and try again, or ask your performance team."),
    )
}

/// GET /staff/sign-in/sso: send the person to the identity provider.
pub async fn start(State(staff): State<Arc<Staff>>) -> Response {
    let Some(sso) = &staff.sso else {
        return refused(
            &staff,
            StatusCode::NOT_FOUND,
            "Single sign-on is not set up here.",
        );
    };
    let now = staff.now();
    let metadata = match sso.metadata(now).await {
        Ok(m) => m,
        Err(e) => return unavailable(&staff, &e),
    };
    let client = match sso.client(metadata, &staff.config.base_url) {
        Ok(c) => c,
        Err(e) => return unavailable(&staff, &e),
    };
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
    sso.remember(
        Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            expires: now + Duration::minutes(PENDING_MINUTES),
        },
        now,
    );
    let cookie = staff.config.cookie(
        sso_cookie(&staff),
        state.secret(),
        Some(Duration::minutes(PENDING_MINUTES)),
    );
    http::with_cookie(http::see_other(url.as_str()), &cookie)
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
pub async fn callback(State(staff): State<Arc<Staff>>, request: Request) -> Response {
    let Some(sso) = &staff.sso else {
        return refused(
            &staff,
            StatusCode::NOT_FOUND,
            "Single sign-on is not set up here.",
        );
    };
    let client_ip = staff.config.proxies.of(&request);
    let attempt = match auth::admit(&staff, AttemptKind::SingleSignOn, "", &client_ip).await {
        Ok(attempt) => attempt,
        Err(Ok(_)) => return auth::client_throttled(&staff),
        Err(Err(response)) => return response,
    };
    let response = returned(&staff, sso, request, &client_ip).await;
    let status = response.status();
    let settled = if status.is_redirection() || status.is_server_error() {
        staff.store.attempt_succeeded(&attempt).await
    } else {
        let why = response
            .extensions()
            .get::<RefusalReason>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| format!("single sign-on refused ({})", status.as_u16()));
        staff
            .store
            .attempt_failed(&attempt, &why, staff.now())
            .await
    };
    match settled {
        Ok(()) => response,
        Err(e) => unavailable(&staff, &e),
    }
}

/// The callback's work, once the client is allowed to try.
async fn returned(staff: &Arc<Staff>, sso: &Sso, request: Request, client_ip: &str) -> Response {
    let staff = staff.clone();
    let now = staff.now();
    let query = request.uri().query().unwrap_or("").to_string();
    let client_ip = client_ip.to_string();
    if let Some(error) = query_value(&query, "error") {
        let error: String = error
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        return refused(
            &staff,
            StatusCode::UNAUTHORIZED,
            &format!("The identity provider said: {error}."),
        );
    }
    let state = query_value(&query, "state").unwrap_or_default();
    let bound = http::cookie(request.headers(), sso_cookie(&staff)).unwrap_or("");
    // The state must be the one this browser was given (no sign-in forced from elsewhere).
    if !same_secret(&state, bound) {
        return refused(
            &staff,
            StatusCode::FORBIDDEN,
            "The sign-in did not start from this browser.",
        );
    }
    let Some(pending) = sso.take(&state, now) else {
        return refused(
            &staff,
            StatusCode::FORBIDDEN,
            "The sign-in took too long or was already used.",
        );
    };
    let Some(code) = query_value(&query, "code") else {
        return refused(
            &staff,
            StatusCode::BAD_REQUEST,
            "The identity provider sent no code.",
        );
    };
    let metadata = match sso.metadata(now).await {
        Ok(m) => m,
        Err(e) => return unavailable(&staff, &e),
    };
    let client = match sso.client(metadata, &staff.config.base_url) {
        Ok(c) => c,
        Err(e) => return unavailable(&staff, &e),
    };
    let request = match client.exchange_code(AuthorizationCode::new(code)) {
        Ok(r) => r,
        Err(e) => return unavailable(&staff, &e),
    };
    let tokens = match request
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&sso.http)
        .await
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("waymark: single sign-on code exchange failed: {e}");
            return refused(
                &staff,
                StatusCode::UNAUTHORIZED,
                "The identity provider did not confirm who you are.",
            );
        }
    };
    let Some(id_token) = tokens.id_token() else {
        return refused(
            &staff,
            StatusCode::UNAUTHORIZED,
            "The identity provider sent no identity.",
        );
    };
    let verifier = client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(pending.nonce)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("waymark: an ID token was refused: {e}");
            return refused(
                &staff,
                StatusCode::UNAUTHORIZED,
                "The identity provider's answer could not be trusted.",
            );
        }
    };
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
    let found = match staff.store.user_by_oidc_subject(&subject).await {
        Ok(Some(user)) => Some(user),
        Ok(None) => match staff.store.user_by_email(&email).await {
            // An account not yet linked, or linked to this very subject.
            Ok(Some(user)) if user.oidc_subject.is_none() && user.active => {
                match staff.store.link_oidc_subject(&user, &subject, now).await {
                    Ok(linked) => Some(linked),
                    Err(e) => return unavailable(&staff, &e),
                }
            }
            Ok(_) => None,
            Err(e) => return unavailable(&staff, &e),
        },
        Err(e) => return unavailable(&staff, &e),
    };
    let Some(user) = found.filter(|u| u.active) else {
        let shown = if email.is_empty() {
            "single sign-on"
        } else {
            email.as_str()
        };
        let mut response = refused(
            &staff,
            StatusCode::FORBIDDEN,
            "You signed in with your council account, but it has no access to this site.",
        );
        response.extensions_mut().insert(RefusalReason(format!(
            "no account for this single sign-on identity ({shown})"
        )));
        return response;
    };
    let (token, _) = match staff
        .store
        .start_session(
            &user,
            "single sign-on",
            &client_ip,
            staff.config.sessions,
            now,
        )
        .await
    {
        Ok(started) => started,
        Err(e) => return unavailable(&staff, &e),
    };
    let session = staff
        .config
        .cookie(staff.config.session_cookie(), &token, None);
    let spent = staff
        .config
        .cookie(sso_cookie(&staff), "", Some(Duration::zero()));
    http::with_cookie(
        http::with_cookie(http::see_other("/staff"), &session),
        &spent,
    )
}
