//! DRAFT reports on the staff site: the period's submitted and approved returns laid over the
//! published record, before anything is published. For the performance team, directors and
//! readers (who see submitted returns anyway); owners see only their own returns, so not these.
//! A director's draft lays over only the returns they may see (their directorate's); the rest
//! of the report is the published record. Indicator values are never laid over: a draft's
//! indicator tables are the published ones, which everyone signed in may see, and a draft of a
//! period not yet published says so.

use crate::Staff;
use crate::auth::Signed;
use crate::cycle_pages::{can_view, cycle_items};
use crate::error::StaffError;
use crate::http;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use waymark_domain::workflow::{PeriodState, Role};
use waymark_report::{Format, Kind, Published, ReportError, Request};
use waymark_store::{Cycle, CycleItem};

/// What a draft says of what it leaves out, for this person and period (None: nothing).
fn scope(
    signed: &Signed,
    cycle: &Cycle,
    items: &[CycleItem],
    visible: &HashSet<i64>,
    indicators: &[(i64, String, String, String, bool)],
) -> Option<String> {
    // Said in the report when the draft leaves some unpublished returns or values out.
    let returns_left_out = items
        .iter()
        .any(|item| !visible.contains(&item.activity_id))
        && signed.user.role == Role::Director;
    // Said whether or not values have been entered, so the draft tells nobody that they have.
    let values_left_out = cycle.state != PeriodState::Published && indicators.iter().any(|i| !i.4);
    let scope = [
        returns_left_out.then_some(
            "This draft includes the unpublished returns you can see (your directorate's and \
             those you own); other activities show what has been published.",
        ),
        values_left_out.then_some(
            "Indicator values for this period are not in this draft until the period is \
             published: the indicator tables show what has been published.",
        ),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    (!scope.is_empty()).then(|| scope.join(" "))
}

/// The draft as a file: the published record with the returns this person may see laid over
/// it, typeset off the request threads (a PDF takes a tenth of a second).
async fn build(
    staff: &Staff,
    signed: &Signed,
    request: Request,
    format: Format,
    visible: HashSet<i64>,
    scope: Option<String>,
) -> Result<(waymark_report::Document, Vec<u8>), ReportError> {
    let today = staff.now().date_naive();
    let mut published = Published::load(&staff.store, &signed.org)
        .await?
        .with_unpublished(&staff.store, request.period, |id| visible.contains(&id))
        .await?;
    published.scope = scope;
    let reporter = staff.reporter.clone();
    tokio::task::spawn_blocking(move || {
        let doc = waymark_report::build(&published.sources(today), &request)?;
        let bytes = reporter.render(&doc, format)?;
        Ok::<_, ReportError>((doc, bytes))
    })
    .await
    .unwrap_or_else(|e| Err(ReportError::Unavailable(format!("the report stopped: {e}"))))
}

/// GET /staff/periods/{cycle}/reports/{kind}.{format}[?portfolio=NAME]
pub async fn report(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, file)): Path<(i64, String)>,
    Query(query): Query<HashMap<String, String>>,
    signed: Signed,
) -> Result<Response, StaffError> {
    if signed.user.role == Role::Owner {
        return Err(signed.message(
            StatusCode::FORBIDDEN,
            "You cannot see this",
            "Draft reports are for the performance team, directors and readers.",
        ));
    }
    let parsed = file
        .rsplit_once('.')
        .and_then(|(kind, format)| Some((Kind::from_key(kind)?, Format::from_key(format)?)));
    let Some((kind, format)) = parsed.filter(|(_, f)| staff.reporter.formats().contains(f)) else {
        return Err(not_found(&signed));
    };
    let (cycle, items) = cycle_items(&staff, &signed, cycle_id, not_found).await?;
    let visible: HashSet<i64> = items
        .iter()
        .filter(|item| can_view(&signed.user, item))
        .map(|item| item.activity_id)
        .collect();
    let indicators = staff.store.plan_indicators(&signed.org).await?;
    let scope = scope(&signed, &cycle, &items, &visible, &indicators);
    let request = Request {
        kind,
        period: cycle.period,
        portfolio: query.get("portfolio").cloned(),
    };
    let (doc, bytes) = build(&staff, &signed, request, format, visible, scope)
        .await
        .map_err(|e| unmade(&signed, e))?;
    let name = doc.file_name(&signed.org.slug, &cycle.period.slug(), format.key());
    let csp = (format == Format::Html)
        .then(|| waymark_report::html_csp(&String::from_utf8_lossy(&bytes)));
    let mut response = http::download(format.media_type(), &name, bytes);
    // A standalone document: its styles are inside it.
    if let Some(value) = csp.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Ok(response)
}

/// Why a draft was not made: a report the data cannot give (say, a portfolio nobody has) is
/// not found; anything else is a fault, logged.
fn unmade(signed: &Signed, e: ReportError) -> StaffError {
    match e {
        ReportError::Unavailable(m) => {
            signed.message(StatusCode::NOT_FOUND, "This report cannot be made", m)
        }
        e => {
            tracing::error!("draft report: {e}");
            let answer = (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The report could not be made.",
            );
            StaffError::answer(answer.into_response())
        }
    }
}

fn not_found(signed: &Signed) -> StaffError {
    signed.not_found(
        "There is no such report. Reports are annual, exceptions or portfolio, as html, pdf, xlsx, docx, md, csv or json.",
    )
}
