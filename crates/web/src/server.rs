//! HTTP: one handler resolves every path (see `routes`), and one layer puts the security
//! headers on every response.

use crate::observe::RouteName;
use crate::page::{HTML, Page};
use crate::pages::{self, error_page, problem};
use crate::render::{self, period_name};
use crate::routes::{Global, Route, Target, resolve};
use crate::site::{Site, Snapshot};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use waymark_domain::Period;

/// Longest path and query served; longer requests get 414 before any work is done.
pub const MAX_PATH: usize = 1024;
pub const MAX_QUERY: usize = 2048;
/// GET and HEAD carry no body; anything larger than this is refused outright.
pub const MAX_BODY: u64 = 16 * 1024;

/// robots.txt: empty, so every crawler may read every page.
pub(crate) const ROBOTS_TXT: &[u8] = b"";

mod assets {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn app(site: Arc<Site>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(site)
}

/// The front-end assets built into this binary: file name and bytes.
pub fn asset_files() -> &'static [(&'static str, &'static [u8])] {
    assets::ASSETS
}

/// Whether the front-end assets were built into this binary.
pub fn assets_built() -> bool {
    assets::ASSETS
        .iter()
        .any(|(name, _)| *name == "waymark.css")
}

/// The headers every response carries (the staff site's too): a strict content security
/// policy, no sniffing, no framing, no referrer across sites, no powerful features.
pub async fn security_headers(mut response: Response) -> Response {
    add_security_headers(response.headers_mut());
    response
}

/// What [`security_headers`] adds, for answers made outside the routers.
pub fn add_security_headers(headers: &mut HeaderMap) {
    // A page may bring a policy of its own (a report is a standalone document with its
    // styles inside it); everything else gets the site's.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
}

/// Answer a request and name its route (from the last snapshot seen: naming asks nothing of
/// the database).
async fn handle(
    State(site): State<Arc<Site>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let route = resolve(uri.path(), site.snapshot().multi()).name();
    let mut response = answer(site, method, &uri, headers).await;
    response
        .extensions_mut()
        .insert(RouteName(Cow::Borrowed(route)));
    response
}

async fn answer(site: Arc<Site>, method: Method, uri: &Uri, headers: HeaderMap) -> Response {
    let head = method == Method::HEAD;
    if method != Method::GET && !head {
        let mut response = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "This site is read-only: only GET and HEAD are allowed.",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let too_long = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY);
    if too_long {
        return plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Requests here carry no body.",
        );
    }
    let path = uri.path();
    let query = uri.query().unwrap_or("");
    if path.len() > MAX_PATH || query.len() > MAX_QUERY {
        return plain(
            StatusCode::URI_TOO_LONG,
            "The web address is too long for any page on this site.",
        );
    }
    // Assets and the API description do not depend on data: no version check needed.
    match resolve(path, false) {
        Target::Global(Global::Asset(name)) => return asset(&name).respond(&headers, head),
        Target::Global(Global::OpenApi) => return openapi().respond(&headers, head),
        Target::Global(Global::Robots) => {
            return Page::new(
                StatusCode::OK,
                "text/plain; charset=utf-8",
                ROBOTS_TXT.to_vec(),
            )
            .respond(&headers, head);
        }
        _ => {}
    }
    let snapshot = match site.fresh().await {
        Ok(snapshot) => snapshot,
        Err(e) => {
            tracing::error!("could not read the database: {e}");
            return unavailable();
        }
    };
    let page = match resolve(path, snapshot.multi()) {
        Target::Global(global) => global_page(&site, &snapshot, global, query).await,
        Target::Council { council, route } => {
            let org = match &council {
                Some(slug) => snapshot.councils.iter().find(|o| &o.slug == slug),
                None => snapshot.councils.first(),
            };
            let Some(org) = org else {
                if is_api(path) {
                    return problem(
                        StatusCode::NOT_FOUND,
                        "No such council",
                        "No council has this name here; see /api/v1/councils.",
                    )
                    .respond(&headers, head);
                }
                return site_not_found(&site, &snapshot, &headers, head);
            };
            if route == Route::Search {
                return search_redirect(&snapshot, org, query);
            }
            match site.council(&snapshot, org).await {
                // A report not yet made is typeset here (a PDF takes a tenth of a second):
                // on a blocking thread, so other requests are not held up behind it.
                Ok(c) if matches!(route, Route::ReportFile { .. }) => {
                    if let Some(page) = c.page(&crate::routes::path("", &route)) {
                        return page.respond(&headers, head);
                    }
                    let _permit = site.reports.acquire().await.ok();
                    let (site, query) = (site.clone(), query.to_string());
                    let made = tokio::task::spawn_blocking(move || {
                        pages::respond(&site.renderer, &c, &route, &query)
                    })
                    .await;
                    match made {
                        Ok(page) => page,
                        Err(e) => {
                            tracing::error!("a report could not be made: {e}");
                            Arc::new(pages::error_page())
                        }
                    }
                }
                Ok(c) => pages::respond(&site.renderer, &c, &route, query),
                Err(e) => {
                    tracing::error!("could not read council {}: {e}", org.slug);
                    return unavailable();
                }
            }
        }
        Target::NotFound if is_api(path) => Arc::new(problem(
            StatusCode::NOT_FOUND,
            "Not found",
            "No API resource has this path; see /api/openapi.json.",
        )),
        Target::NotFound => {
            // A one-council site keeps its own look for unknown paths.
            match (snapshot.multi(), snapshot.councils.first()) {
                (false, Some(org)) => match site.council(&snapshot, org).await {
                    Ok(c) => pages::not_found_page(&site.renderer, &c),
                    Err(_) => return unavailable(),
                },
                _ => return site_not_found(&site, &snapshot, &headers, head),
            }
        }
    };
    page.respond(&headers, head)
}

/// Paths under `/api/` (or a council's `/{council}/api/`) answer in JSON, errors included.
pub(crate) fn is_api(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    first == "api" || segments.next() == Some("api")
}

/// `/search?q=…` is the activity list's search: one page for both, with a shareable URL.
fn search_redirect(
    snapshot: &Snapshot,
    org: &waymark_store::Organisation,
    query: &str,
) -> Response {
    let prefix = if snapshot.multi() {
        format!("/{}", org.slug)
    } else {
        String::new()
    };
    let q: String = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut target = crate::routes::path(&prefix, &Route::Activities);
    if !q.trim().is_empty() {
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q.trim())
            .finish();
        target = format!("{target}?{encoded}");
    }
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

async fn global_page(site: &Site, snapshot: &Snapshot, global: Global, query: &str) -> Arc<Page> {
    let key = format!("{}|{global:?}|{query}", snapshot.fingerprint);
    if let Some(page) = site.global_page(&key) {
        return page;
    }
    let page = match build_global(site, snapshot, &global, query).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!("could not build {global:?}: {e}");
            return Arc::new(error_page());
        }
    };
    let page = Arc::new(page);
    if page.status.is_success() {
        site.keep_global(key, page.clone());
    }
    page
}

pub(crate) const SITE_NAME: &str = "Councils' corporate plans";

pub(crate) async fn build_global(
    site: &Site,
    snapshot: &Snapshot,
    global: &Global,
    query: &str,
) -> Result<Page, waymark_store::StoreError> {
    let period_param = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty());
    match global {
        Global::ApiCouncils => {
            let councils: Vec<_> = snapshot
                .councils
                .iter()
                .map(|o| {
                    let url = if snapshot.multi() {
                        format!("/{}/", o.slug)
                    } else {
                        "/".into()
                    };
                    serde_json::json!({ "slug": o.slug, "name": o.name, "url": url })
                })
                .collect();
            Ok(json_page(&serde_json::json!({ "councils": councils })))
        }
        Global::Compare | Global::ApiComparison => {
            let periods = site.store.all_periods(None).await?;
            let period = match &period_param {
                None => periods.last().copied(),
                Some(text) => match text.parse::<Period>() {
                    Ok(p) => Some(p),
                    Err(_) if *global == Global::ApiComparison => {
                        return Ok(problem(
                            StatusCode::BAD_REQUEST,
                            "Bad period",
                            "The period parameter must be a reporting period such as 2024-25-q4.",
                        ));
                    }
                    Err(_) => periods.last().copied(),
                },
            };
            let headlines = match period {
                Some(p) => site.store.headline_comparison(p).await?,
                None => vec![],
            };
            if *global == Global::ApiComparison {
                return Ok(match period {
                    Some(p) if headlines.iter().any(|h| h.total > 0) => {
                        json_page(&crate::api::comparison(p, &headlines))
                    }
                    Some(p) => problem(
                        StatusCode::NOT_FOUND,
                        "No data for this period",
                        &format!("No council has reported for {}.", p.slug()),
                    ),
                    None => problem(
                        StatusCode::NOT_FOUND,
                        "No data yet",
                        "No council has reported yet.",
                    ),
                });
            }
            let councils: Vec<(String, String)> = snapshot
                .councils
                .iter()
                .map(|o| (o.slug.clone(), o.name.clone()))
                .collect();
            let html = render::compare(
                &site.renderer,
                SITE_NAME,
                period,
                &periods,
                &headlines,
                &councils,
            );
            Ok(match html {
                Ok(body) => Page::html(body),
                Err(e) => {
                    tracing::error!(
                        "{e} (comparison {})",
                        period.map(period_name).unwrap_or_default()
                    );
                    error_page()
                }
            })
        }
        Global::Asset(_) | Global::OpenApi | Global::Robots => Ok(error_page()),
    }
}

fn json_page(value: &serde_json::Value) -> Page {
    Page::new(
        StatusCode::OK,
        crate::page::JSON,
        serde_json::to_vec_pretty(value).unwrap_or_default(),
    )
}

fn site_not_found(site: &Site, snapshot: &Snapshot, headers: &HeaderMap, head: bool) -> Response {
    let title = if snapshot.councils.is_empty() {
        "Nothing has been published yet"
    } else {
        SITE_NAME
    };
    let body = render::global_not_found(&site.renderer, title).unwrap_or_default();
    Page::new(StatusCode::NOT_FOUND, HTML, body.into_bytes()).respond(headers, head)
}

/// The content type an asset is sent with (and the static export writes it as), by its name.
pub(crate) fn asset_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, e)| e) {
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn asset(name: &str) -> Arc<Page> {
    static PAGES: OnceLock<Vec<(&'static str, Arc<Page>)>> = OnceLock::new();
    let pages = PAGES.get_or_init(|| {
        assets::ASSETS
            .iter()
            .map(|(name, bytes)| {
                let page = Page::new(StatusCode::OK, asset_type(name), bytes.to_vec())
                    .cached_for("public, max-age=3600");
                (*name, Arc::new(page))
            })
            .collect()
    });
    pages
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| p.clone())
        .unwrap_or_else(|| {
            Arc::new(Page::new(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                b"No such file.".to_vec(),
            ))
        })
}

fn openapi() -> Arc<Page> {
    static PAGE: OnceLock<Arc<Page>> = OnceLock::new();
    PAGE.get_or_init(|| {
        Arc::new(Page::new(
            StatusCode::OK,
            crate::page::JSON,
            crate::api::OPENAPI.as_bytes().to_vec(),
        ))
    })
    .clone()
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn unavailable() -> Response {
    let mut response = plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sorry, the service is unavailable. Try again in a few minutes.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    response
}
