//! Single sign-on against a real OpenID Connect provider served by the test over HTTP (its own
//! RSA key, discovery document, key set, authorisation and token endpoints checking PKCE), on
//! both backends: an existing account signs in and is linked; an unknown identity, a sign-in
//! started in another browser, a replayed callback and a token signed with the wrong key are
//! all refused.

mod common;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use common::{Client, World, backends, location};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreIdTokenFields, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
    CoreTokenResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, Audience, AuthUrl, EmptyAdditionalClaims, EmptyAdditionalProviderMetadata,
    EmptyExtraTokenFields, EndUserEmail, IssuerUrl, JsonWebKeyId, JsonWebKeySetUrl, Nonce,
    PrivateSigningKey, ResponseTypes, StandardClaims, SubjectIdentifier, TokenUrl,
};
use rsa::pkcs1::EncodeRsaPrivateKey;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use waymark_domain::workflow::Role;
use waymark_staff::oidc::{OidcConfig, Sso};

/// Two RSA keys (made once: key generation is slow): the provider's, and an impostor's.
fn keys() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let make = || {
            let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("key");
            key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
                .expect("pem")
                .to_string()
        };
        (make(), make())
    })
}

fn json(value: &impl serde::Serialize) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(value).expect("json"),
    )
        .into_response()
}

struct Grant {
    nonce: String,
    challenge: String,
}

/// The identity provider's state: who the next person to sign in is, and codes issued.
struct Provider {
    issuer: String,
    key: CoreRsaPrivateSigningKey,
    /// Signs ID tokens; the impostor's key when a test wants a forged token.
    signer: Mutex<CoreRsaPrivateSigningKey>,
    person: Mutex<(String, String)>,
    /// Whether the provider says it verified the address.
    verified: Mutex<bool>,
    grants: Mutex<HashMap<String, Grant>>,
}

async fn discovery(State(p): State<Arc<Provider>>) -> Response {
    let url = |path: &str| format!("{}{path}", p.issuer);
    let metadata = CoreProviderMetadata::new(
        IssuerUrl::new(p.issuer.clone()).expect("issuer"),
        AuthUrl::new(url("/authorize")).expect("url"),
        JsonWebKeySetUrl::new(url("/jwks")).expect("url"),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(TokenUrl::new(url("/token")).expect("url")));
    json(&metadata)
}

async fn jwks(State(p): State<Arc<Provider>>) -> Response {
    json(&CoreJsonWebKeySet::new(vec![p.key.as_verification_key()]))
}

async fn authorize(
    State(p): State<Arc<Provider>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256"),
        "PKCE is used"
    );
    let code = format!("code-{}", p.grants.lock().expect("grants").len() + 1);
    p.grants.lock().expect("grants").insert(
        code.clone(),
        Grant {
            nonce: q.get("nonce").cloned().unwrap_or_default(),
            challenge: q.get("code_challenge").cloned().unwrap_or_default(),
        },
    );
    let back = format!(
        "{}?code={code}&state={}",
        q.get("redirect_uri").cloned().unwrap_or_default(),
        q.get("state").cloned().unwrap_or_default()
    );
    Redirect::to(&back).into_response()
}

async fn token(State(p): State<Arc<Provider>>, body: String) -> Response {
    let form: HashMap<String, String> = form_urlencoded_pairs(&body);
    let Some(grant) = p
        .grants
        .lock()
        .expect("grants")
        .remove(form.get("code").map(String::as_str).unwrap_or(""))
    else {
        return (
            StatusCode::BAD_REQUEST,
            json(&serde_json::json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    if computed != grant.challenge {
        return (
            StatusCode::BAD_REQUEST,
            json(&serde_json::json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let (subject, email) = p.person.lock().expect("person").clone();
    let verified = *p.verified.lock().expect("verified");
    let now = chrono::Utc::now();
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(p.issuer.clone()).expect("issuer"),
        vec![Audience::new("waymark".into())],
        now + chrono::Duration::minutes(5),
        now,
        StandardClaims::new(SubjectIdentifier::new(subject))
            .set_email(Some(EndUserEmail::new(email)))
            .set_email_verified(Some(verified)),
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new(grant.nonce)));
    let access = AccessToken::new("access-token".into());
    let signer = p.signer.lock().expect("signer");
    let id_token = CoreIdToken::new(
        claims,
        &*signer,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&access),
        None,
    )
    .expect("sign");
    let response = CoreTokenResponse::new(
        access,
        CoreTokenType::Bearer,
        CoreIdTokenFields::new(Some(id_token), EmptyExtraTokenFields {}),
    );
    json(&response)
}

fn form_urlencoded_pairs(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// Start the provider on a free port.
async fn provider() -> Arc<Provider> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let (good, impostor) = keys();
    let key = || {
        CoreRsaPrivateSigningKey::from_pem(good, Some(JsonWebKeyId::new("k1".into()))).expect("key")
    };
    let _ = impostor;
    let p = Arc::new(Provider {
        issuer,
        key: key(),
        signer: Mutex::new(key()),
        person: Mutex::new(("subject-1".into(), "perf@bexley.example".into())),
        verified: Mutex::new(true),
        grants: Mutex::new(HashMap::new()),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(p.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    p
}

/// Follow the provider's redirect the way a browser would, returning the path (with query)
/// the provider sends the person back to.
async fn through_provider(authorize_url: &str) -> String {
    let http = openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = http
        .get(authorize_url)
        .send()
        .await
        .expect("provider answers");
    assert_eq!(
        response.status().as_u16(),
        303,
        "the provider sends the person back"
    );
    let back = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    back.strip_prefix("http://staff.test")
        .expect("back to the staff site")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn single_sign_on_links_an_existing_account_and_refuses_everything_else() {
    let idp = provider().await;
    for backend in backends() {
        let config = OidcConfig {
            issuer: idp.issuer.clone(),
            client_id: "waymark".into(),
            client_secret_env: None,
            label: "Sign in with your Bexley account".into(),
        };
        let world = World::with_staff(backend, "http://staff.test", |staff| {
            staff.sso = Some(Sso::new(config).expect("sso"));
        })
        .await;
        let admin = world.person("perf@bexley.example", Role::Admin, None).await;
        *idp.person.lock().expect("person") = ("subject-1".into(), "perf@bexley.example".into());

        let mut browser = Client::new(world.app.clone());
        let (_, _, html) = browser.get("/staff/sign-in").await;
        assert!(
            html.contains("Sign in with your Bexley account"),
            "{backend:?}: the button is offered"
        );
        let (status, headers, _) = browser.get("/staff/sign-in/sso").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let to_provider = location(&headers);
        assert!(
            to_provider.starts_with(&format!("{}/authorize?", idp.issuer)),
            "{to_provider}"
        );
        assert!(to_provider.contains("code_challenge="), "PKCE");
        let back = through_provider(&to_provider).await;
        let (status, headers, _) = browser.get(&back).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}: signed in");
        assert_eq!(location(&headers), "/staff");
        let (status, _, html) = browser.get("/staff").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Signed in as"), "{backend:?}");
        let linked = world
            .store()
            .user(admin.id)
            .await
            .expect("read")
            .expect("user");
        assert_eq!(
            linked.oidc_subject,
            Some(format!("{} subject-1", idp.issuer))
        );

        // Replaying the same callback: refused.
        let (status, _, _) = browser.get(&back).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}: used once");

        // A sign-in started in one browser cannot be finished in another.
        let mut victim = Client::new(world.app.clone());
        let mut attacker = Client::new(world.app.clone());
        let (_, headers, _) = attacker.get("/staff/sign-in/sso").await;
        let back = through_provider(&location(&headers)).await;
        let (status, _, _) = victim.get(&back).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{backend:?}: state bound to the browser"
        );

        // An address the provider has not verified links nothing.
        let owner = world
            .person("owner@bexley.example", Role::Owner, None)
            .await;
        *idp.verified.lock().expect("verified") = false;
        *idp.person.lock().expect("person") = ("subject-9".into(), "owner@bexley.example".into());
        let mut unverified = Client::new(world.app.clone());
        let (_, headers, _) = unverified.get("/staff/sign-in/sso").await;
        let back = through_provider(&location(&headers)).await;
        let (status, _, _) = unverified.get(&back).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{backend:?}: an unverified address links nothing"
        );
        let still = world
            .store()
            .user(owner.id)
            .await
            .expect("read")
            .expect("user");
        assert_eq!(still.oidc_subject, None, "{backend:?}");
        *idp.verified.lock().expect("verified") = true;

        // Someone the council has no account for.
        *idp.person.lock().expect("person") = ("subject-2".into(), "stranger@example.org".into());
        let mut stranger = Client::new(world.app.clone());
        let (_, headers, _) = stranger.get("/staff/sign-in/sso").await;
        let back = through_provider(&location(&headers)).await;
        let (status, _, html) = stranger.get(&back).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
        assert!(html.contains("no access"), "{backend:?}");

        // A token signed with a key the provider does not publish.
        let (_, impostor) = keys();
        *idp.signer.lock().expect("signer") =
            CoreRsaPrivateSigningKey::from_pem(impostor, Some(JsonWebKeyId::new("k1".into())))
                .expect("key");
        *idp.person.lock().expect("person") = ("subject-1".into(), "perf@bexley.example".into());
        let mut forged = Client::new(world.app.clone());
        let (_, headers, _) = forged.get("/staff/sign-in/sso").await;
        let back = through_provider(&location(&headers)).await;
        let (status, _, _) = forged.get(&back).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}: a forged token is refused"
        );
        let (good, _) = keys();
        *idp.signer.lock().expect("signer") =
            CoreRsaPrivateSigningKey::from_pem(good, Some(JsonWebKeyId::new("k1".into())))
                .expect("key");

        let actions: Vec<String> = world
            .store()
            .audit_export(Some(&world.org))
            .await
            .expect("audit")
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.iter().any(|a| a == "user.single-sign-on-linked"),
            "{backend:?}"
        );
        assert!(
            world
                .store()
                .verify_audit()
                .await
                .expect("verify")
                .problems
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_sign_in_start_with_no_room_to_write_is_told_busy() {
    let idp = provider().await;
    for backend in backends() {
        let config = OidcConfig {
            issuer: idp.issuer.clone(),
            client_id: "waymark".into(),
            client_secret_env: None,
            label: "Sign in with your Bexley account".into(),
        };
        let world = World::with_staff(backend, "http://staff.test", |staff| {
            staff.sso = Some(Sso::new(config).expect("sso"));
            // Every write an anonymous visitor may start is already running (a flood).
            staff.attempts = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
        })
        .await;
        let mut browser = Client::new(world.app.clone());
        let (status, headers, _) = browser.get("/staff/sign-in/sso").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{backend:?}");
        assert_eq!(
            headers.get("retry-after").and_then(|v| v.to_str().ok()),
            Some("2")
        );
        assert!(
            !browser.cookies.keys().any(|k| k.contains("sso")),
            "{backend:?}: no sign-in was begun"
        );
    }
}
