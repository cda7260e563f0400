//! Waymark's staff site: officers sign in, owners write their quarterly returns, directors
//! approve them, the performance team locks and publishes, and every change lands in the
//! audit trail.
//!
//! Every page and action checks, on the server, who is signed in and what their role and
//! assignments allow (`waymark_domain::workflow` decides; the store applies its decision again
//! inside the write, so a forged request changes nothing). Every form carries the session's
//! synchroniser token and must come from this site. Pages are plain HTML forms: everything
//! works without JavaScript.

pub mod auth;
pub mod client;
pub mod config;
pub mod cycle_pages;
pub mod error;
pub mod export;
pub mod http;
pub mod indicator_pages;
pub mod oidc;
pub mod password;
pub mod people;
pub mod plan_pages;
pub mod report_pages;
pub mod settle_pages;
pub mod upload_pages;
pub mod view;

pub use config::{SignInSettings, StaffConfig};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use waymark_store::Store;

/// The clock the staff site reads: tests move it to expire sessions and links.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What every staff request needs.
pub struct Staff {
    pub store: Store,
    pub config: StaffConfig,
    pub clock: Clock,
    pub view: view::View,
    /// Single sign-on with the council's identity provider, when configured.
    pub sso: Option<oidc::Sso>,
    /// Writes the DRAFT reports (the council's templates and, from the command line, PDF).
    pub reporter: Arc<waymark_report::Reporter>,
    /// Bounds the password hashes running at once.
    pub passwords: password::Checker,
    /// Bounds the attempts to get in (sign-ins, set-up links, single-sign-on callbacks) being
    /// decided at once: each is a database write anyone can ask for, so beyond this they are
    /// told "busy" rather than queued behind the write lock.
    pub attempts: Arc<tokio::sync::Semaphore>,
}

/// Attempts to get in decided at once, by default.
pub const ATTEMPTS_AT_ONCE: usize = 16;

impl Staff {
    pub fn new(store: Store, config: StaffConfig) -> Staff {
        Staff {
            store,
            config,
            clock: Arc::new(Utc::now),
            view: view::View::default(),
            sso: None,
            reporter: Arc::new(waymark_report::Reporter::default()),
            passwords: password::Checker::per_core(),
            attempts: Arc::new(tokio::sync::Semaphore::new(ATTEMPTS_AT_ONCE)),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

/// The staff site's routes, all under `/staff`. Give it the public site as its fallback
/// (`.fallback_service(waymark_web::app(site))`): any other path is the public site's.
pub fn router(staff: Arc<Staff>) -> Router {
    Router::new()
        .route("/staff", get(cycle_pages::home))
        .route("/staff/", get(cycle_pages::home))
        .route(
            "/staff/sign-in",
            get(auth::sign_in_page).post(auth::sign_in),
        )
        .route("/staff/sign-in/sso", get(oidc::start))
        .route("/staff/sign-in/callback", get(oidc::callback))
        .route("/staff/sign-out", post(auth::sign_out))
        .route(
            "/staff/setup/{token}",
            get(auth::setup_page).post(auth::setup),
        )
        .route(
            "/staff/periods",
            get(cycle_pages::periods).post(cycle_pages::open_period),
        )
        .route("/staff/periods/{cycle}", get(cycle_pages::period))
        .route(
            "/staff/periods/{cycle}/reports/{file}",
            get(report_pages::report),
        )
        .route(
            "/staff/periods/{cycle}/state",
            post(cycle_pages::change_period),
        )
        .route(
            "/staff/periods/{cycle}/activities/{activity}",
            get(cycle_pages::return_page).post(cycle_pages::act),
        )
        .route(
            "/staff/periods/{cycle}/activities/{activity}/owner",
            post(cycle_pages::assign),
        )
        .route(
            "/staff/periods/{cycle}/indicators/{indicator}",
            get(indicator_pages::entry).post(indicator_pages::enter),
        )
        .route(
            "/staff/indicators/{indicator}",
            get(indicator_pages::settings).post(indicator_pages::save_settings),
        )
        .route("/staff/plan", get(plan_pages::plan))
        .route("/staff/plan/activities", post(plan_pages::add_activity))
        .route(
            "/staff/plan/activities/{activity}",
            get(plan_pages::activity).post(plan_pages::change_activity),
        )
        .route("/staff/plan/indicators", post(plan_pages::add_indicator))
        .route(
            "/staff/plan/indicators/{indicator}",
            get(plan_pages::indicator).post(plan_pages::change_indicator),
        )
        .route(
            "/staff/plan/upload",
            post(upload_pages::upload).layer(DefaultBodyLimit::max(
                upload_pages::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .route("/staff/plan/mapping", post(upload_pages::remap))
        .route("/staff/plan/template/{file}", get(upload_pages::template))
        .route("/staff/plan/confirm", post(upload_pages::confirm))
        .route("/staff/settle", get(settle_pages::page))
        .route("/staff/settle/links", post(settle_pages::decide))
        .route("/staff/settle/findings", post(settle_pages::settle))
        .route("/staff/people", get(people::list).post(people::add))
        .route(
            "/staff/people/{user}",
            get(people::person).post(people::change),
        )
        .route("/staff/audit", get(people::audit))
        .route("/staff/audit.csv", get(people::audit_csv))
        .route("/staff/audit.json", get(people::audit_json))
        .layer(DefaultBodyLimit::max(http::MAX_FORM_BYTES))
        .layer(axum::middleware::map_response(
            waymark_web::server::security_headers,
        ))
        .with_state(staff)
}
