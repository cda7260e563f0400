//! DRAFT reports on the staff site: the period's submitted and approved returns laid over the
//! published record, before anything is published. For the performance team, directors and
//! readers (who see submitted returns anyway); owners see only their own returns, so not these.
//! A director's draft lays over only the returns they may see (their directorate's); the rest
//! of the report is the published record. Indicator values are never laid over: a draft's
//! indicator tables are the published ones, which everyone signed in may see, and a draft of a
//! period not yet published says so.

use crate::Staff;
use crate::auth::signed_in;
use crate::cycle_pages::can_view;
use crate::http;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use waymark_domain::workflow::{PeriodState, Role};
use waymark_report::{Format, Kind, Published, ReportError, Request};
use waymark_store::StoreError;

/// GET /staff/periods/{cycle}/reports/{kind}.{format}[?portfolio=NAME]
pub async fn report(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, file)): Path<(i64, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let signed = match signed_in(&staff, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if signed.user.role == Role::Owner {
        return crate::auth::signed_message(
            &staff,
            &signed,
            StatusCode::FORBIDDEN,
            "You cannot see this",
            "Draft reports are for the performance team, directors and readers.",
        );
    }
    let parsed = file
        .rsplit_once('.')
        .and_then(|(kind, format)| Some((Kind::from_key(kind)?, Format::from_key(format)?)));
    let Some((kind, format)) = parsed.filter(|(_, f)| staff.reporter.formats().contains(f)) else {
        return not_found(&staff, &signed);
    };
    let cycle = match staff.store.cycle(&signed.org, cycle_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound(_)) => return not_found(&staff, &signed),
        Err(e) => return crate::auth::unavailable(&staff, &e),
    };
    let today = staff.now().date_naive();
    let items = match staff.store.cycle_items(&signed.org, cycle.id).await {
        Ok(items) => items,
        Err(e) => return crate::auth::unavailable(&staff, &e),
    };
    let visible: HashSet<i64> = items
        .iter()
        .filter(|item| can_view(&signed.user, item))
        .map(|item| item.activity_id)
        .collect();
    // (id, reference, name, frequency, retired)
    let indicators = match staff.store.plan_indicators(&signed.org).await {
        Ok(list) => list,
        Err(e) => return crate::auth::unavailable(&staff, &e),
    };
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
    let scope = (!scope.is_empty()).then(|| scope.join(" "));
    let built = async {
        let mut published = Published::load(&staff.store, &signed.org)
            .await?
            .with_unpublished(&staff.store, cycle.period, |id| visible.contains(&id))
            .await?;
        published.scope = scope;
        let request = Request {
            kind,
            period: cycle.period,
            portfolio: query.get("portfolio").cloned(),
        };
        // Typesetting (a PDF takes a tenth of a second) runs off the request threads.
        let reporter = staff.reporter.clone();
        tokio::task::spawn_blocking(move || {
            let doc = waymark_report::build(&published.sources(today), &request)?;
            let bytes = reporter.render(&doc, format)?;
            Ok::<_, ReportError>((doc, bytes))
        })
        .await
        .unwrap_or_else(|e| Err(ReportError::Unavailable(format!("the report stopped: {e}"))))
    }
    .await;
    match built {
        Ok((doc, bytes)) => {
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
            response
        }
        Err(ReportError::Unavailable(m)) => crate::auth::signed_message(
            &staff,
            &signed,
            StatusCode::NOT_FOUND,
            "This report cannot be made",
            &m,
        ),
        Err(e) => {
            eprintln!("waymark: draft report: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The report could not be made.",
            )
                .into_response()
        }
    }
}

fn not_found(staff: &Staff, signed: &crate::auth::Signed) -> Response {
    crate::auth::signed_message(
        staff,
        signed,
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is no such report. Reports are annual, exceptions or portfolio, as html, pdf, xlsx, docx, md, csv or json.",
    )
}
