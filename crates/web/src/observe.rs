//! What the server tells its operator: a request id on every exchange, one log line per
//! request, metrics, and the health and readiness answers a load balancer asks for.
//!
//! Metrics go through the `metrics` facade: the `waymark serve` command installs a Prometheus
//! recorder and hands its rendering to [`ops_router`]; elsewhere (tests, other commands) no
//! recorder is installed and recording costs nothing.

use crate::site::Site;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The header a request id arrives in (from a proxy that made one) and is sent back in.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client; longer ones are replaced.
const MAX_REQUEST_ID: usize = 64;

/// How long `/readyz` waits for the database before saying it is not ready.
const READY_WAIT: Duration = Duration::from_secs(3);

/// The route that answered, as a name with few values (never the path itself, which anyone
/// can vary without end): put in a response's extensions by each site and read by the
/// server for the log line and the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteName(pub Cow<'static, str>);

/// This request's id, in the request's extensions for handlers that log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub Arc<str>);

/// The request's id: the one a proxy sent if it is plain (letters, digits, `-`, `_`, `.`,
/// `:`; so it can go into a log line as it is), else a new one.
pub fn request_id(headers: &HeaderMap) -> Arc<str> {
    let given = headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= MAX_REQUEST_ID
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        });
    match given {
        Some(id) => Arc::from(id),
        None => Arc::from(new_request_id()),
    }
}

/// A new id: a random start for this process, then a count, so ids never repeat within a
/// process and seldom across the servers behind one address.
fn new_request_id() -> String {
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let start = *START.get_or_init(|| {
        let mut bytes = [0u8; 8];
        // Without randomness the ids are still unique within the process.
        let _ = getrandom::fill(&mut bytes);
        u64::from_le_bytes(bytes)
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}", start.wrapping_add(n))
}

/// A method as a metric label: the standard ones by name, anything else as `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// One request, from its arrival to the last byte of its answer: logged and counted once,
/// when it ends.
pub(crate) struct Exchange {
    pub id: Arc<str>,
    pub method: Method,
    pub path: String,
    pub peer: SocketAddr,
    pub started: Instant,
    pub status: StatusCode,
    pub route: Cow<'static, str>,
    pub bytes: u64,
}

impl Exchange {
    pub fn begin(id: Arc<str>, method: Method, path: String, peer: SocketAddr) -> Exchange {
        metrics::gauge!("waymark_http_requests_in_flight").increment(1.0);
        Exchange {
            id,
            method,
            path,
            peer,
            started: Instant::now(),
            status: StatusCode::OK,
            route: Cow::Borrowed("unknown"),
            bytes: 0,
        }
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        let elapsed = self.started.elapsed();
        let method = method_label(&self.method);
        let status = self.status.as_u16();
        metrics::gauge!("waymark_http_requests_in_flight").decrement(1.0);
        metrics::counter!(
            "waymark_http_requests_total",
            "method" => method,
            "route" => self.route.clone(),
            "status" => status.to_string()
        )
        .increment(1);
        metrics::histogram!("waymark_http_request_duration_seconds", "route" => self.route.clone())
            .record(elapsed.as_secs_f64());
        metrics::counter!("waymark_http_response_bytes_total", "route" => self.route.clone())
            .increment(self.bytes);
        tracing::info!(
            target: "waymark::access",
            request_id = %self.id,
            method,
            route = %self.route,
            path = %self.path,
            status,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            bytes = self.bytes,
            peer = %self.peer.ip(),
            "request"
        );
    }
}

/// Middleware for routers with routes of their own (the staff site): name each answer by the
/// route pattern that matched (`/staff/periods/{period}`), never the path.
pub async fn name_matched_route(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let matched = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().to_string());
    let mut response = next.run(request).await;
    if let Some(route) = matched
        && response.extensions().get::<RouteName>().is_none()
    {
        response
            .extensions_mut()
            .insert(RouteName(Cow::Owned(route)));
    }
    response
}

/// What the operations endpoints read.
pub struct Ops {
    pub site: Arc<Site>,
    /// The metrics as Prometheus text, when a recorder is installed.
    pub metrics: Option<Box<dyn Fn() -> String + Send + Sync>>,
}

/// `/healthz`, `/readyz` and (when `with_metrics` and a recorder is given) `/metrics`. The
/// server is alive while it answers `/healthz`; it is ready when the database answers and
/// every council's pages have been rendered once.
pub fn ops_router(ops: Arc<Ops>, with_metrics: bool) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if with_metrics && ops.metrics.is_some() {
        router = router.route("/metrics", get(metrics_text));
    }
    router
        .layer(axum::middleware::map_response(named_ops))
        .layer(axum::middleware::map_response(
            crate::server::security_headers,
        ))
        .with_state(ops)
}

/// The operations endpoints log under their own route name.
async fn named_ops(mut response: Response) -> Response {
    response
        .extensions_mut()
        .insert(RouteName(Cow::Borrowed("ops")));
    response
}

fn plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

async fn healthz() -> Response {
    plain(StatusCode::OK, "alive\n".into())
}

async fn readyz(State(ops): State<Arc<Ops>>) -> Response {
    // The database is asked outright: the site itself may not need to ask it (its change
    // signal says nothing was written), but a server that cannot reach it is not ready.
    let check = async {
        ops.site.store.ping().await?;
        ops.site.fresh().await
    };
    let (database, pages) = match tokio::time::timeout(READY_WAIT, check).await {
        Ok(Ok(state)) => {
            let rendered = ops.site.rendered_once(&state);
            (
                "ok",
                if rendered {
                    "rendered"
                } else {
                    "not rendered yet"
                },
            )
        }
        Ok(Err(e)) => {
            tracing::warn!("not ready: the database did not answer: {e}");
            ("unavailable", "unknown")
        }
        Err(_) => {
            tracing::warn!(
                "not ready: the database did not answer within {} s",
                READY_WAIT.as_secs()
            );
            ("unavailable", "unknown")
        }
    };
    let ready = database == "ok" && pages == "rendered";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "ready": ready,
        "database": database,
        "pages": pages,
    });
    let mut response = plain(status, format!("{body}\n"));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn metrics_text(State(ops): State<Arc<Ops>>) -> Response {
    let (size, idle) = ops.site.store.pool_status();
    metrics::gauge!("waymark_db_connections", "state" => "open").set(f64::from(size));
    metrics::gauge!("waymark_db_connections", "state" => "idle").set(idle as f64);
    let text = ops
        .metrics
        .as_ref()
        .map(|render| render())
        .unwrap_or_default();
    let mut response = plain(StatusCode::OK, text);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_request_id_is_kept_and_anything_else_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert(&REQUEST_ID, HeaderValue::from_static("lb-1234.abc_9:x"));
        assert_eq!(&*request_id(&headers), "lb-1234.abc_9:x");
        for bad in ["", "a b", "a\"b", "<script>", &"x".repeat(65)] {
            let mut headers = HeaderMap::new();
            headers.insert(
                &REQUEST_ID,
                HeaderValue::from_str(bad).expect("a header value"),
            );
            let id = request_id(&headers);
            assert_ne!(&*id, bad);
            assert_eq!(id.len(), 16, "{id}");
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn new_request_ids_do_not_repeat() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_request_id()).collect();
        assert_eq!(ids.len(), 1000);
    }

    #[test]
    fn methods_outside_the_standard_ones_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"BREW").expect("a method");
        assert_eq!(method_label(&odd), "OTHER");
    }
}
