//! The HTTP server under the routers: it accepts connections, drives each with hyper's HTTP/1
//! connection, holds every connection to its time limits and finishes every response.
//!
//! - At most `max_connections` connections are open. The next one is not accepted until one
//!   closes: it waits in the operating system's listen backlog (a client sees a slow connect,
//!   never a refusal while the backlog has room). No task is started for it meanwhile.
//! - A connection's request head (request line and headers) must arrive whole within
//!   `header_timeout` of the connection opening, or of the first byte of a later request; a
//!   connection kept alive with no request in progress, and nothing moving either way, is
//!   closed after `idle_timeout`. Either way the connection is simply closed, as a proxy would.
//! - A request's handling (the handler up to the response's head, reading any body included)
//!   may take `request_timeout`; then it is stopped and answered 503. Sending the response's
//!   body afterwards is not counted: a slow client downloading a large report file is held only
//!   to moving some bytes every `idle_timeout`.
//! - Request heads over [`MAX_HEAD`] bytes are refused by hyper before any handler (431); so
//!   are heads that do not parse (400).
//! - Every response gets `Cache-Control: no-store` when it is an error without a rule of its
//!   own, and `Strict-Transport-Security` when the site is served over https: the handlers'
//!   answers, the timeout's, and hyper's own 400/414/431 (which never reach a handler, so the
//!   header is put into the bytes hyper writes; see [`Watched`]).
//! - On shutdown the listener is closed, idle connections are closed, requests in progress are
//!   finished and answered (`Connection: close`), and `run` returns when every connection has.

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use tower::ServiceExt;
use tracing::Instrument;

use crate::observe::{self, Exchange, RequestId, RouteName};

/// The largest request head (request line and headers) read; hyper answers 431 beyond it.
/// Pages need far less (paths up to 1 KiB, queries up to 2 KiB), and it keeps every head
/// below the 64 KiB where hyper would answer a long address 414 on its own.
pub const MAX_HEAD: usize = 32 * 1024;

/// The most a connection buffers while reading (hyper's default is about 400 KB).
const MAX_BUFFER: usize = 64 * 1024;

/// Most connections that can be allowed (also the semaphore's size, so it must fit a u32).
const MOST_CONNECTIONS: usize = 1 << 20;

/// `Strict-Transport-Security`'s usual max-age: a year.
pub const HSTS_YEAR: u64 = 365 * 24 * 60 * 60;

/// Limits on connections and requests, and what every response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// The whole request head must arrive within this.
    pub header_timeout: Duration,
    /// A connection with no request in progress and nothing moving is closed after this.
    pub idle_timeout: Duration,
    /// A request's handling (up to its response's head) is stopped and answered 503 after this.
    pub request_timeout: Duration,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// `Strict-Transport-Security: max-age=…; includeSubDomains` on every response when set:
    /// only for a site served over https.
    pub hsts_max_age: Option<u64>,
}

impl Default for ServerSettings {
    fn default() -> ServerSettings {
        ServerSettings {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(120),
            max_connections: 1024,
            hsts_max_age: None,
        }
    }
}

/// The headers added to responses by [`finish`], made once.
struct Finish {
    hsts: Option<HeaderValue>,
    /// The same, as bytes put into the heads hyper writes on its own.
    raw: Vec<u8>,
}

impl Finish {
    fn new(settings: &ServerSettings) -> Finish {
        let hsts = settings
            .hsts_max_age
            .map(|age| format!("max-age={age}; includeSubDomains"));
        let mut raw = b"cache-control: no-store\r\n".to_vec();
        if let Some(value) = &hsts {
            raw.extend_from_slice(format!("strict-transport-security: {value}\r\n").as_bytes());
        }
        Finish {
            hsts: hsts.and_then(|v| HeaderValue::from_str(&v).ok()),
            raw,
        }
    }
}

/// Serve `router` on `listener` until `shutdown` resolves, then finish the requests in flight
/// and return once every connection has closed.
pub async fn run(
    listener: TcpListener,
    router: Router,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // A handler that panics is answered 500 and logged; the connection and its other
    // requests carry on.
    let router = router.layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked));
    let max = settings.max_connections.clamp(1, MOST_CONNECTIONS);
    let settings = Arc::new(settings);
    let finish = Arc::new(Finish::new(&settings));
    let permits = Arc::new(Semaphore::new(max));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        // A permit first: beyond the cap, connections are left in the backlog, not accepted.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
        };
        let connection = Connection {
            router: router.clone(),
            settings: settings.clone(),
            finish: finish.clone(),
            peer,
        };
        tokio::spawn(connection.drive(stream, stopping.clone(), permit));
    }
    // Refuse new connections, ask the open ones to finish, and wait for every permit: a
    // connection gives its permit back when it closes.
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

/// The answer to a request whose handler panicked (the panic is logged here).
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!("a request's handler panicked: {what}");
    let mut response = Response::new(Body::from(
        "Sorry, something went wrong on our side. Try again in a few minutes.",
    ));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    crate::server::add_security_headers(headers);
    response
}

/// A failed accept: a client that gave up is nothing; running out of file descriptors or
/// memory is waited out (a tight loop would only burn the processor).
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
    ) {
        return;
    }
    tracing::error!("could not accept a connection: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// What one connection needs.
struct Connection {
    router: Router,
    settings: Arc<ServerSettings>,
    finish: Arc<Finish>,
    peer: SocketAddr,
}

impl Connection {
    async fn drive(
        self,
        stream: TcpStream,
        mut stopping: watch::Receiver<bool>,
        _permit: OwnedSemaphorePermit,
    ) {
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            inner: stream,
            activity: activity.clone(),
            finish: self.finish.clone(),
            inject: None,
        });
        let settings = self.settings.clone();
        let service = {
            let activity = activity.clone();
            hyper::service::service_fn(move |request| {
                Box::pin(respond(
                    request,
                    self.peer,
                    self.router.clone(),
                    self.settings.clone(),
                    self.finish.clone(),
                    activity.clone(),
                ))
            })
        };
        let mut builder = http1::Builder::new();
        builder
            // The head and idle limits are kept here (hyper's one timer would close idle
            // connections at the head's limit).
            .header_read_timeout(None)
            .max_header_size(MAX_HEAD)
            .max_buf_size(MAX_BUFFER)
            // One buffer per write: what `Watched` looks into when hyper answers on its own.
            .writev(false);
        let mut conn = builder.serve_connection(io, service);
        let mut stop = pin!(async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        });
        let mut stopped = false;
        let mut timer = pin!(tokio::time::sleep(settings.header_timeout));
        let ended = poll_fn(|cx| {
            if !stopped && stop.as_mut().poll(cx).is_ready() {
                stopped = true;
                Pin::new(&mut conn).graceful_shutdown();
            }
            // Errors are the client's (a reset, a head that does not parse): either way the
            // connection is over.
            if conn.poll_without_shutdown(cx).is_ready() {
                return Poll::Ready(Ended::Done);
            }
            // Everything the connection did is in `activity` now: when must it next move?
            // A request being handled has its own limit and wakes this task when it ends.
            let Some(deadline) = activity.deadline(&settings) else {
                return Poll::Pending;
            };
            if timer.deadline() != deadline {
                timer.as_mut().reset(deadline);
            }
            match timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Ended::TooSlow),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        match ended {
            // Too slow: dropping the connection closes the socket.
            Ended::TooSlow => {}
            Ended::Done => linger(conn.into_parts().io.into_inner().inner).await,
        }
    }
}

enum Ended {
    Done,
    TooSlow,
}

/// Close a connection whose exchange is over the way web servers do ("lingering close"):
/// say so (FIN), then read and discard what the client is still sending until it closes its
/// side, for a little while. Closing at once with unread bytes (the rest of a head or body
/// that was refused) would reset the connection, and the client could lose the answer.
async fn linger(mut stream: TcpStream) {
    const LINGER: Duration = Duration::from_secs(2);
    const MOST: usize = 1024 * 1024;
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut buf = [0u8; 8192];
    let mut read = 0;
    let _ = tokio::time::timeout(LINGER, async {
        while read < MOST {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
    })
    .await;
}

/// Answer one request: the router within the request timeout, then the finishing headers.
/// The request gets an id (sent back in `x-request-id`, and on every line logged while it is
/// handled) and is logged and counted once, when its answer's last byte has gone.
async fn respond(
    mut request: Request<Incoming>,
    peer: SocketAddr,
    router: Router,
    settings: Arc<ServerSettings>,
    finish: Arc<Finish>,
    activity: Arc<Activity>,
) -> Result<Response<Body>, Infallible> {
    let busy = Busy::begin(activity);
    let handling = busy.handling();
    let id = observe::request_id(request.headers());
    let mut exchange = Exchange::begin(
        id.clone(),
        request.method().clone(),
        request.uri().path().to_string(),
        peer,
    );
    // As axum's `into_make_service_with_connect_info` has it: the sign-in counts attempts
    // per address.
    request.extensions_mut().insert(ConnectInfo(peer));
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", id = %id);
    let handled = tokio::time::timeout(settings.request_timeout, router.oneshot(request))
        .instrument(span)
        .await;
    let mut response = match handled {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => {
            tracing::warn!(
                request_id = %id,
                method = %exchange.method,
                path = %exchange.path,
                "stopped after {} s (the request timeout)",
                settings.request_timeout.as_secs()
            );
            timed_out()
        }
    };
    drop(handling);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(observe::REQUEST_ID.clone(), value);
    }
    let response = finish_response(response, finish.hsts.as_ref());
    exchange.status = response.status();
    if let Some(RouteName(route)) = response.extensions().get::<RouteName>() {
        exchange.route = route.clone();
    }
    // The request stays busy until its body has been handed to hyper.
    Ok(response.map(|body| {
        Body::new(Tracked {
            body,
            exchange,
            _busy: busy,
        })
    }))
}

/// Put the finishing headers on a response: `Cache-Control: no-store` on an error that has no
/// rule forbidding storage already, and HSTS when given.
fn finish_response(mut response: Response<Body>, hsts: Option<&HeaderValue>) -> Response<Body> {
    let status = response.status();
    let headers = response.headers_mut();
    if (status.is_client_error() || status.is_server_error()) && !forbids_storage(headers) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(hsts) = hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
    }
    response
}

/// Whether `Cache-Control` already says `no-store` or (unqualified) `no-cache`.
fn forbids_storage(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| {
            let d = d.trim();
            d.eq_ignore_ascii_case("no-store") || d.eq_ignore_ascii_case("no-cache")
        })
}

/// The answer to a request that took longer than the request timeout.
fn timed_out() -> Response<Body> {
    let mut response = Response::new(Body::from(
        "Sorry, this request took too long to answer. Try again in a few minutes.",
    ));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    crate::server::add_security_headers(headers);
    response
}

/// What a connection has been doing, in milliseconds since it opened (all from its own task).
struct Activity {
    opened: Instant,
    /// When bytes last moved either way, or a response was handed over.
    last_moved: AtomicU64,
    /// When the head being read began (the connection opening, or the first byte read after
    /// the last request); [`NONE`] while no head is being read.
    head_began: AtomicU64,
    /// Requests being handled or answered: from their head being read to their body handed
    /// to hyper.
    busy: AtomicUsize,
    /// Requests being handled: from their head being read to their response's head.
    handling: AtomicUsize,
    /// Everything answered so far has been written and flushed, and no request is being
    /// handled: whatever hyper writes next is an answer of its own.
    between: AtomicBool,
}

const NONE: u64 = u64::MAX;

impl Activity {
    fn new() -> Activity {
        Activity {
            opened: Instant::now(),
            last_moved: AtomicU64::new(0),
            head_began: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
            handling: AtomicUsize::new(0),
            between: AtomicBool::new(true),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(NONE - 1)
    }

    fn at(&self, millis: u64) -> Instant {
        self.opened + Duration::from_millis(millis)
    }

    fn read(&self) {
        let now = self.now();
        self.last_moved.store(now, Ordering::Relaxed);
        if self.busy.load(Ordering::Relaxed) == 0 && self.head_began.load(Ordering::Relaxed) == NONE
        {
            self.head_began.store(now, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last_moved.store(self.now(), Ordering::Relaxed);
    }

    fn flushed(&self) {
        if self.busy.load(Ordering::Relaxed) == 0 {
            self.between.store(true, Ordering::Relaxed);
        }
    }

    /// When the connection is closed unless something happens first: none while a request is
    /// being handled (it has a limit of its own); while an answer is being sent, or nothing
    /// is asked, when nothing has moved for the idle timeout; while a head is arriving, the
    /// header timeout after it began.
    fn deadline(&self, settings: &ServerSettings) -> Option<Instant> {
        if self.handling.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let idle = self.at(self.last_moved.load(Ordering::Relaxed)) + settings.idle_timeout;
        if self.busy.load(Ordering::Relaxed) > 0 {
            return Some(idle);
        }
        match self.head_began.load(Ordering::Relaxed) {
            NONE => Some(idle),
            began => Some(self.at(began) + settings.header_timeout),
        }
    }
}

/// One request in progress: begun when hyper hands over its head, ended when its response's
/// body is done with (sent, or dropped with the connection).
struct Busy(Arc<Activity>);

impl Busy {
    fn begin(activity: Arc<Activity>) -> Busy {
        activity.busy.fetch_add(1, Ordering::Relaxed);
        activity.head_began.store(NONE, Ordering::Relaxed);
        activity.between.store(false, Ordering::Relaxed);
        Busy(activity)
    }

    /// The request is being handled until the value returned is dropped.
    fn handling(&self) -> Handling {
        self.0.handling.fetch_add(1, Ordering::Relaxed);
        Handling(self.0.clone())
    }
}

/// A request being handled (by the router, within the request timeout).
struct Handling(Arc<Activity>);

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.handling.fetch_sub(1, Ordering::Relaxed);
        self.0.wrote();
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
        self.0.wrote();
    }
}

/// A response body that keeps its request busy until it ends, counting the bytes it gives
/// (its exchange is logged when it is dropped).
struct Tracked {
    body: Body,
    exchange: Exchange,
    _busy: Busy,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            this.exchange.bytes += data.len() as u64;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket as hyper sees it: every read and write noted in [`Activity`], and the finishing
/// headers put into the answers hyper writes without asking the service (a 400, 414 or 431
/// for a head it could not take). Hyper writes such an answer only between requests, when
/// everything before it has been flushed, and as one buffer (`writev(false)`): the headers go
/// after its status line.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
    finish: Arc<Finish>,
    inject: Option<Inject>,
}

/// Headers to put into hyper's answer: after `before` more bytes of it, `extra` from `done`.
struct Inject {
    before: usize,
    done: usize,
}

impl Watched {
    /// Write whatever remains of the injected headers once their place is reached.
    fn poll_injected(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(inject) = &mut self.inject else {
            return Poll::Ready(Ok(()));
        };
        if inject.before > 0 {
            return Poll::Ready(Ok(()));
        }
        let extra = &self.finish.raw;
        while inject.done < extra.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &extra[inject.done..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            inject.done += n;
        }
        self.inject = None;
        Poll::Ready(Ok(()))
    }
}

/// Where to put the headers in a head hyper wrote on its own: after the status line, when
/// it is an error and carries no `Cache-Control`.
fn injection_point(buf: &[u8]) -> Option<usize> {
    let line_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let line = &buf[..line_end];
    let status = line
        .strip_prefix(b"HTTP/1.1 ")
        .or(line.strip_prefix(b"HTTP/1.0 "))?;
    if !matches!(status.first(), Some(b'4' | b'5')) {
        return None;
    }
    let head_end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let head = buf[..head_end].to_ascii_lowercase();
    if head.windows(15).any(|w| w == b"\ncache-control:") {
        return None;
    }
    Some(line_end + 2)
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            this.activity.read();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.activity.between.swap(false, Ordering::Relaxed)
            && let Some(at) = injection_point(buf)
        {
            this.inject = Some(Inject {
                before: at,
                done: 0,
            });
        }
        ready!(this.poll_injected(cx))?;
        let limit = match &this.inject {
            Some(inject) => inject.before.min(buf.len()),
            None => buf.len(),
        };
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &buf[..limit]))?;
        if let Some(inject) = &mut this.inject {
            inject.before -= n;
        }
        if n > 0 {
            this.activity.wrote();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_injected(cx))?;
        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
        this.activity.flushed();
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_injected(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_go_after_the_status_line_of_hyper_s_own_errors() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(injection_point(head), Some(46));
        assert_eq!(
            injection_point(b"HTTP/1.1 400 Bad Request\r\n\r\n"),
            Some(26)
        );
        // Not an error, already ruled, or not a head at all: left alone.
        assert_eq!(injection_point(b"HTTP/1.1 200 OK\r\n\r\n"), None);
        assert_eq!(
            injection_point(b"HTTP/1.1 404 Not Found\r\nCache-Control: no-cache\r\n\r\n"),
            None
        );
        assert_eq!(injection_point(b"<html>HTTP/1.1 400\r\n"), None);
        assert_eq!(injection_point(b"HTTP/1.1 400 Bad Request"), None);
    }

    #[test]
    fn errors_are_not_stored_unless_they_say_so() {
        let with = |status: StatusCode, cache: Option<&'static str>| {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status;
            if let Some(c) = cache {
                r.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(c));
            }
            finish_response(r, None)
                .headers()
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(with(StatusCode::OK, None), None);
        assert_eq!(
            with(StatusCode::OK, Some("public, max-age=3600")).as_deref(),
            Some("public, max-age=3600")
        );
        assert_eq!(
            with(StatusCode::NOT_FOUND, None).as_deref(),
            Some("no-store")
        );
        assert_eq!(
            with(StatusCode::NOT_FOUND, Some("No-Cache")).as_deref(),
            Some("No-Cache")
        );
        assert_eq!(
            with(StatusCode::METHOD_NOT_ALLOWED, Some("public, max-age=60")).as_deref(),
            Some("no-store")
        );
        assert_eq!(
            with(StatusCode::BAD_GATEWAY, Some("private, no-store")).as_deref(),
            Some("private, no-store")
        );
    }
}
