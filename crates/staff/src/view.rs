//! Staff pages: templates compiled into the binary on the HTML environment the public site
//! uses too (`waymark_web::html`: everything escaped), and the frame every page shares — who
//! is signed in, the menu their role gets, and the token their forms carry.

use crate::http;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Environment, Value, context};
use serde::Serialize;
use std::sync::{Arc, LazyLock};
use waymark_domain::workflow::{FieldError, Role};
use waymark_store::{Organisation, Session, User};

const TEMPLATES: [(&str, &str); 19] = [
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("setup.html", include_str!("../templates/setup.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("periods.html", include_str!("../templates/periods.html")),
    ("period.html", include_str!("../templates/period.html")),
    ("return.html", include_str!("../templates/return.html")),
    ("people.html", include_str!("../templates/people.html")),
    ("person.html", include_str!("../templates/person.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("plan.html", include_str!("../templates/plan.html")),
    ("settle.html", include_str!("../templates/settle.html")),
    (
        "plan_activity.html",
        include_str!("../templates/plan_activity.html"),
    ),
    (
        "plan_indicator.html",
        include_str!("../templates/plan_indicator.html"),
    ),
    (
        "plan_preview.html",
        include_str!("../templates/plan_preview.html"),
    ),
    (
        "indicator.html",
        include_str!("../templates/indicator.html"),
    ),
    (
        "indicator_settings.html",
        include_str!("../templates/indicator_settings.html"),
    ),
];

/// The staff templates, compiled once and shared (cheap to clone).
#[derive(Clone)]
pub struct View {
    env: Arc<Environment<'static>>,
}

impl View {
    pub fn new() -> Result<View, minijinja::Error> {
        let mut env = waymark_web::html::html_environment();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(View { env: Arc::new(env) })
    }

    /// The built-in templates, for answers made where no `Staff` is at hand (a `StaffError`
    /// becoming its page).
    pub fn shared() -> &'static View {
        static SHARED: LazyLock<View> = LazyLock::new(|| {
            // The templates are part of the binary and rendered by every test: failing here
            // is a bug.
            #[allow(clippy::expect_used)]
            View::new().expect("built-in staff templates compile")
        });
        &SHARED
    }

    /// Render a page, or a plain apology if a template fails (logged: that is a bug).
    pub fn page(&self, status: StatusCode, name: &str, ctx: Value) -> Response {
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(body) => http::html(status, body),
            Err(e) => {
                tracing::error!("staff page {name} could not be rendered: {e:#}");
                http::html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<!DOCTYPE html><title>Sorry</title><p>Sorry, something went wrong. Please try again.</p>".into(),
                )
            }
        }
    }
}

impl Default for View {
    fn default() -> Self {
        View::shared().clone()
    }
}

#[derive(Debug, Serialize)]
struct NavItem {
    label: &'static str,
    href: &'static str,
    current: bool,
}

/// The menu a role sees.
fn nav(role: Role, section: &str) -> Vec<NavItem> {
    let mut items = vec![
        ("home", "Your work", "/staff"),
        ("periods", "Periods", "/staff/periods"),
    ];
    if role == Role::Admin {
        items.push(("plan", "The plan", "/staff/plan"));
        items.push(("settle", "Settle", "/staff/settle"));
        items.push(("people", "People", "/staff/people"));
        items.push(("audit", "Audit trail", "/staff/audit"));
    }
    items
        .into_iter()
        .map(|(key, label, href)| NavItem {
            label,
            href,
            current: key == section,
        })
        .collect()
}

/// The frame of a signed-in page: who, their council, their menu, their forms' token.
pub fn frame(
    org: &Organisation,
    user: &User,
    session: &Session,
    section: &str,
    title: &str,
) -> Value {
    context! {
        council => context! { name => org.name.clone() },
        title => title,
        nav => nav(user.role, section),
        me => context! {
            name => user.name.clone(),
            email => user.email.clone(),
            role => user.role.key(),
            role_name => user.role.name(),
        },
        csrf => session.csrf_token.clone(),
        signed_in => true,
    }
}

/// The frame of a page for someone not signed in.
pub fn anonymous_frame(title: &str) -> Value {
    context! {
        council => context! { name => "Waymark" },
        title => title,
        nav => Vec::<NavItem>::new(),
        signed_in => false,
    }
}

/// Merge a page's own values into its frame.
pub fn with(frame: Value, page: Value) -> Value {
    context! { ..page, ..frame }
}

/// Form errors as the templates use them: a list for the error summary, and each field's
/// message (its first) for the field itself.
pub fn errors_view(errors: &[FieldError]) -> Value {
    let list: Vec<Value> = errors
        .iter()
        .map(|e| context! { field => e.field, message => e.message.clone() })
        .collect();
    let by_field: std::collections::BTreeMap<&str, String> = errors
        .iter()
        .rev()
        .map(|e| (e.field, e.message.clone()))
        .collect();
    context! { list => list, by_field => by_field }
}

/// One field's error.
pub fn one_error(field: &'static str, message: &str) -> Value {
    errors_view(&[FieldError {
        field,
        message: message.to_string(),
    }])
}

/// No errors (the templates still expect the shape).
pub fn no_errors() -> Value {
    errors_view(&[])
}
