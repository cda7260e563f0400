//! Shared set-up for the web crate's HTTP tests: fresh databases on SQLite and PostgreSQL
//! (as `crates/store/tests/common` makes them), councils loaded through the real import path,
//! the app built in-process, requests sent with `tower::ServiceExt::oneshot`, and the
//! OpenAPI document's schemas as validators.
//!
//! PostgreSQL is the server at `WAYMARK_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432`); each test gets a database of its own, dropped
//! afterwards. `WAYMARK_TEST_POSTGRES=off` runs SQLite only.
// Each test binary uses some of this module: what one leaves unused is not dead.
#![allow(dead_code, unused_imports)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use bytes::Bytes;
use chrono::Utc;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use tower::ServiceExt;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_store::{Backend, Incoming, Organisation, Store};
use waymark_web::Site;

// ---------------------------------------------------------------------------------------------
// Databases

pub use waymark_testkit::{TestDb, backends};

// ---------------------------------------------------------------------------------------------
// Councils

pub use waymark_import::bundled::BEXLEY;

pub use waymark_testkit::import_files;

/// The London Borough of Bexley's published pages, as council `bexley`.
/// Outcomes are suggested from the plan's words, as the demo does.
pub async fn load_bexley(store: &Store) -> Organisation {
    let org = waymark_testkit::load_bexley(store).await;
    store
        .suggest_outcomes(&org, true, Utc::now())
        .await
        .expect("suggest outcomes");
    org
}

/// The synthetic council used by these tests: small, two years of quarterly returns ending
/// in 2024/25 Q4 (Bexley's period, so the two can be compared), and a KPI table.
pub fn synth_spec() -> waymark_synth::SynthSpec {
    waymark_synth::SynthSpec {
        councils: 1,
        activities: 30,
        years: 2,
        seed: 7,
        first_year: 2023,
    }
}

/// Synthetic council number 0 of [`synth_spec`]: its documents imported in one command (one
/// transaction, as `waymark import` of several files does), plans before reports.
pub async fn load_synth(store: &Store) -> (Organisation, waymark_synth::SynthCouncil) {
    let spec = synth_spec();
    spec.validate().expect("spec");
    let council = waymark_synth::council(&spec, 0);
    let org = store
        .organisation(Some(&council.slug), Some(&council.name))
        .await
        .expect("council");
    let incoming = council
        .documents
        .iter()
        .map(|doc| Incoming::generated(&doc.file_name, doc.document.clone()))
        .collect();
    store
        .import(&org, incoming, Utc::now(), &ReconcileOptions::default())
        .await
        .expect("synthetic import");
    (org, council)
}

// ---------------------------------------------------------------------------------------------
// Shared, read-only sites

/// One runtime for the whole test binary, so a database (and its connection pool) made for
/// one test can serve another running at the same time.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("test runtime")
});

/// Run a test's body on the shared runtime.
pub fn run<F: Future>(future: F) -> F::Output {
    RUNTIME.block_on(future)
}

/// The read-only sites tests share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixture {
    /// Bexley alone (short URLs).
    Bexley,
    /// The synthetic council alone: indicators and eight periods.
    Synth,
    /// Both in one database (`/{council}/…`).
    Both,
}

type Shared = Vec<(Fixture, Backend, Weak<App>)>;
static SHARED: tokio::sync::Mutex<Shared> = tokio::sync::Mutex::const_new(Vec::new());

/// A site over a database of `fixture` on `backend`, shared with the tests using it at the
/// same time. Nothing may write to it. It is dropped (and its PostgreSQL database with it)
/// when the last test holding it finishes, so nothing outlives the run; a later test builds
/// it again.
pub async fn shared(fixture: Fixture, backend: Backend) -> Arc<App> {
    let mut cache = SHARED.lock().await;
    cache.retain(|(_, _, app)| app.strong_count() > 0);
    let found = cache
        .iter()
        .find(|(f, b, _)| *f == fixture && *b == backend)
        .and_then(|(_, _, app)| app.upgrade());
    if let Some(app) = found {
        return app;
    }
    let app = Arc::new(match fixture {
        Fixture::Bexley => App::bexley(backend).await,
        Fixture::Synth => App::synth(backend).await,
        Fixture::Both => App::both(backend).await,
    });
    cache.push((fixture, backend, Arc::downgrade(&app)));
    app
}

/// Hold `fixtures` on every backend for as long as the value lives, so a test that moves
/// from SQLite to PostgreSQL keeps the other's database for the tests running beside it.
pub async fn hold(fixtures: &[Fixture]) -> Vec<Arc<App>> {
    let mut held = vec![];
    for backend in backends() {
        for fixture in fixtures {
            held.push(shared(*fixture, backend).await);
        }
    }
    held
}

// ---------------------------------------------------------------------------------------------
// The app

/// The site over one test database.
pub struct App {
    pub site: Arc<Site>,
    pub router: Router,
    pub db: TestDb,
}

impl App {
    pub fn new(db: TestDb) -> App {
        let site = Arc::new(Site::new(db.store.clone()));
        let router = waymark_web::app(site.clone());
        App { site, router, db }
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    /// Bexley alone.
    pub async fn bexley(backend: Backend) -> App {
        let db = TestDb::new(backend).await;
        load_bexley(&db.store).await;
        App::new(db)
    }

    /// The synthetic council alone.
    pub async fn synth(backend: Backend) -> App {
        let db = TestDb::new(backend).await;
        load_synth(&db.store).await;
        App::new(db)
    }

    /// Bexley and the synthetic council in one database.
    pub async fn both(backend: Backend) -> App {
        let db = TestDb::new(backend).await;
        load_bexley(&db.store).await;
        load_synth(&db.store).await;
        App::new(db)
    }

    pub async fn send(&self, request: Request<Body>) -> Resp {
        let description = format!("{} {}", request.method(), request.uri());
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .unwrap_or_else(|e| match e {});
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{description}: body could not be read: {e}"))
            .to_bytes();
        Resp {
            request: description,
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Resp {
        self.send(request(Method::GET, uri, &[])).await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Resp {
        self.send(request(Method::GET, uri, headers)).await
    }
}

/// A request with no body. Panics on a URI `http` refuses (tests send raw bytes elsewhere).
pub fn request(method: Method, uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("bad test request {uri}: {e}"))
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Resp {
    /// "GET /path", for messages.
    pub request: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec())
            .unwrap_or_else(|_| panic!("{}: body is not UTF-8", self.request))
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: body is not JSON ({e}): {}",
                self.request,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header(header::CONTENT_TYPE).unwrap_or("")
    }

    /// The media type without parameters.
    pub fn media_type(&self) -> &str {
        self.content_type().split(';').next().unwrap_or("").trim()
    }

    #[track_caller]
    pub fn assert(&self, status: u16, media_type: &str) -> &Resp {
        assert_eq!(
            (self.status.as_u16(), self.media_type()),
            (status, media_type),
            "{}: status and content type; body starts {:?}",
            self.request,
            String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
        );
        self
    }
}

/// The headers every response carries, whatever its status.
#[track_caller]
pub fn assert_security_headers(r: &Resp) {
    let csp = r
        .header(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{}: no Content-Security-Policy", r.request));
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{}: CSP allows inline code: {csp}",
        r.request
    );
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{}: CSP lets other sites frame pages: {csp}",
        r.request
    );
    assert!(
        csp.contains("default-src 'none'") || csp.contains("default-src 'self'"),
        "{}: CSP has no restrictive default-src: {csp}",
        r.request
    );
    assert_eq!(
        r.header(header::X_CONTENT_TYPE_OPTIONS),
        Some("nosniff"),
        "{}: X-Content-Type-Options",
        r.request
    );
    let referrer = r.header(header::REFERRER_POLICY).unwrap_or("");
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer),
        "{}: Referrer-Policy {referrer:?}",
        r.request
    );
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI document

/// The document as shipped (the same bytes `/api/openapi.json` serves).
pub fn openapi() -> Value {
    static DOC: LazyLock<Value> = LazyLock::new(|| {
        serde_json::from_str(waymark_web::api::OPENAPI).expect("openapi.json is JSON")
    });
    DOC.clone()
}

/// A JSON Schema 2020-12 validator for `schema`, with the document's components reachable
/// through `#/components/schemas/…` references. Compiled once per schema.
pub fn validator_for(schema: &Value) -> Arc<jsonschema::Validator> {
    static COMPILED: LazyLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> =
        LazyLock::new(Mutex::default);
    let key = schema.to_string();
    if let Some(v) = COMPILED.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return v;
    }
    let doc = openapi();
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": doc["components"],
    });
    let validator = Arc::new(
        jsonschema::draft202012::options()
            // `format: date` and friends are checked, not just noted.
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}")),
    );
    if let Ok(mut compiled) = COMPILED.lock() {
        compiled.insert(key, validator.clone());
    }
    validator
}

/// A validator for `#/components/schemas/{name}`.
pub fn schema(name: &str) -> Arc<jsonschema::Validator> {
    assert!(
        openapi()["components"]["schemas"].get(name).is_some(),
        "openapi.json has no schema {name}"
    );
    validator_for(&json!({ "$ref": format!("#/components/schemas/{name}") }))
}

/// Validate `instance` and panic with every error found.
#[track_caller]
pub fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(20)
        .map(|e| format!("  at {}: {e}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match openapi.json:\n{}",
        errors.join("\n")
    );
}

/// The schema openapi.json gives for a response: path template as written in the document
/// (e.g. `/api/v1/activities/{reference}`), status code and media type.
pub fn response_schema(path: &str, status: u16, media_type: &str) -> Value {
    let doc = openapi();
    let operation = &doc["paths"][path]["get"];
    assert!(operation.is_object(), "openapi.json has no GET {path}");
    let mut response = operation["responses"][status.to_string()].clone();
    // Follow a reference to a shared response.
    if let Some(r) = response.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/responses/");
        response = doc["components"]["responses"][name].clone();
    }
    let schema = response["content"][media_type]["schema"].clone();
    assert!(
        schema.is_object(),
        "openapi.json describes no {media_type} body for GET {path} {status}"
    );
    schema
}

/// Check a JSON (or problem+json) response against what openapi.json says `path` returns.
#[track_caller]
pub fn assert_matches_openapi(path: &str, r: &Resp) {
    let media = r.media_type().to_string();
    let schema = response_schema(path, r.status.as_u16(), &media);
    assert_valid(&validator_for(&schema), &r.json(), &r.request);
}

/// Every JSON path openapi.json documents, as written there.
pub fn documented_paths() -> Vec<String> {
    openapi()["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect()
}
