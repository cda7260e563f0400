//! Shared set-up for the staff site's HTTP tests: a fresh database per test on SQLite and
//! PostgreSQL with Bexley's bundled documents loaded, the staff site composed with the public
//! site as `waymark serve` composes them, a movable clock, and a browser-like client that keeps
//! cookies and reads the forms' tokens.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::workflow::Role;
use waymark_import::Vocabulary;
use waymark_staff::{Staff, StaffConfig};
use waymark_store::{Incoming, NewUser, Organisation, Store, User, Who};
use waymark_web::Site;

pub use waymark_testkit::{TestDb, backends, load_bexley};

pub const HOST: &str = "staff.test";
pub const PASSWORD: &str = "violet harbour lantern quietly";

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn new() -> TestClock {
        let start = Utc
            .with_ymd_and_hms(2025, 7, 1, 9, 0, 0)
            .single()
            .expect("date");
        TestClock(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().expect("clock");
        *now += by;
    }
}

/// A database with Bexley loaded and the site around it.
pub struct World {
    pub db: TestDb,
    pub org: Organisation,
    pub app: Router,
    pub clock: TestClock,
    pub staff: Arc<Staff>,
}

impl World {
    pub async fn new(backend: waymark_store::Backend) -> World {
        World::with_base(backend, &format!("http://{HOST}")).await
    }

    pub async fn with_base(backend: waymark_store::Backend, base: &str) -> World {
        World::with_staff(backend, base, |_| {}).await
    }

    /// A world whose staff site is adjusted before it serves (e.g. given single sign-on).
    pub async fn with_staff(
        backend: waymark_store::Backend,
        base: &str,
        adjust: impl FnOnce(&mut Staff),
    ) -> World {
        let db = TestDb::new(backend).await;
        let org = load_bexley(&db.store).await;
        let clock = TestClock::new();
        let mut staff = Staff::new(db.store.clone(), StaffConfig::new(base));
        let ticking = clock.clone();
        staff.clock = Arc::new(move || ticking.now());
        adjust(&mut staff);
        let staff = Arc::new(staff);
        let site = Arc::new(Site::new(db.store.clone()));
        let app = waymark_staff::router(staff.clone()).fallback_service(waymark_web::app(site));
        World {
            db,
            org,
            app,
            clock,
            staff,
        }
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    /// An account with a password set (through a real set-up link and Argon2id hash).
    pub async fn person(&self, email: &str, role: Role, directorate: Option<&str>) -> User {
        let store = self.store();
        let user = store
            .add_user(
                &self.org,
                &NewUser {
                    email: email.into(),
                    name: email.split('@').next().unwrap_or(email).to_string(),
                    role,
                    directorate: directorate.map(str::to_string),
                },
                &Who::command_line(),
                self.clock.now(),
            )
            .await
            .expect("add user");
        let token = store
            .issue_setup_link(&user, &Who::command_line(), self.clock.now())
            .await
            .expect("link");
        let checker = waymark_staff::password::Checker::new(1);
        let permit = checker.permit().expect("free");
        let hash = checker.hash(permit, PASSWORD.into()).await.expect("hash");
        store
            .use_setup_link(&token, &hash, self.clock.now())
            .await
            .expect("set password")
    }

    /// A client signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Client {
        let mut client = Client::new(self.app.clone());
        let (status, _, _) = client.sign_in(email, PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{email} signs in");
        client
    }
}

/// A response as a test reads it.
pub type Answer = (StatusCode, HeaderMap, String);

/// A browser stand-in: keeps cookies, sends Host (and Origin on posts, as browsers do).
#[derive(Clone)]
pub struct Client {
    app: Router,
    pub cookies: HashMap<String, String>,
    /// The Origin header posts carry (None: send none).
    pub origin: Option<String>,
    /// The connection's peer address, as the server's listener would record it.
    pub peer: Option<std::net::SocketAddr>,
    /// Extra headers every request carries (e.g. a proxy's X-Forwarded-For).
    pub extra: Vec<(String, String)>,
}

impl Client {
    pub fn new(app: Router) -> Client {
        Client {
            app,
            cookies: HashMap::new(),
            origin: Some(format!("http://{HOST}")),
            peer: None,
            extra: vec![],
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().expect("cookie text");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let expired = text.contains("Max-Age=0");
                if expired || value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
    }

    pub async fn send(&mut self, mut request: Request<Body>) -> Answer {
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        for (name, value) in &self.extra {
            request.headers_mut().append(
                header::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                header::HeaderValue::from_str(value).expect("header value"),
            );
        }
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        self.keep_cookies(&headers);
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }

    /// Post a form as given (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body: String = form_urlencoded_body(fields);
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = &self.origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        self.send(builder.body(Body::from(body)).expect("request"))
            .await
    }

    /// Post a form the way a person does: load the page first and send its token back.
    pub async fn post(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let (_, _, html) = self.get(page).await;
        let csrf = hidden(&html, "csrf").unwrap_or_else(|| panic!("{page} has no form token"));
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        let (_, _, html) = self.get("/staff/sign-in").await;
        let token = hidden(&html, "token").expect("sign-in token");
        self.post_raw(
            "/staff/sign-in",
            &[("token", &token), ("email", email), ("password", password)],
        )
        .await
    }
}

pub fn form_urlencoded_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The value of a hidden field in a page.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub fn location(headers: &HeaderMap) -> String {
    headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A `multipart/form-data` body as a browser's upload form sends it: the text fields, then the
/// file (its name and bytes). Returns the content type (with the boundary) and the body.
pub fn multipart_body(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----waymark-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Client {
    /// Post a multipart form (an upload) with the client's cookies and Origin.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Answer {
        let (content_type, body) = multipart_body(fields, file);
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, content_type);
        if let Some(origin) = &self.origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        self.send(builder.body(Body::from(body)).expect("request"))
            .await
    }
}

/// Bexley's bundled action plan, as a file an admin might upload.
pub fn bexley_action_plan() -> (&'static str, &'static [u8]) {
    waymark_import::bundled::BEXLEY
        .iter()
        .find(|(name, _)| *name == "bexley/action-delivery-plan-2024-12.txt")
        .map(|(name, bytes)| (*name, *bytes))
        .expect("the bundled action plan")
}

/// Add an indicator table (an invented example in the KPI layout) to the council; its
/// indicators, by reference.
pub async fn with_kpi_table(world: &World) {
    let name = "examples/kpi-table.txt";
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/examples/kpi-table.txt"
    ))
    .expect("fixture");
    let document =
        waymark_import::import(name, &bytes, None, &Vocabulary::default()).expect("parses");
    world
        .store()
        .import(
            &world.org,
            vec![Incoming::new(name, &bytes, document)],
            Utc::now(),
            &ReconcileOptions::default(),
        )
        .await
        .expect("import the indicator table");
}
