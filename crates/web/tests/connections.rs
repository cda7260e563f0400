//! The HTTP server on real sockets: slow and idle connections are closed, the connection cap
//! holds, every error answer (the handlers', axum's, the request timeout's and hyper's own)
//! says not to store it, HSTS is sent exactly when asked for, and handlers see the client's
//! address. Clients here write raw bytes, so nothing is tidied up on the way.

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query};
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};
use waymark_web::{ServerSettings, Site};

/// A server on a free port, stopped when dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(settings: ServerSettings) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("waymark.db");
        let store = waymark_store::Store::open(db.to_str().expect("path"))
            .await
            .expect("store");
        let site = Arc::new(Site::new(store));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(waymark_web::serve_router(
            listener,
            router(site),
            settings,
            async move {
                let _ = stopped.await;
            },
        ));
        Server {
            addr,
            stop: Some(stop),
            done: Some(done),
            _dir: dir,
        }
    }

    /// Ask the server to stop and wait until it has.
    async fn shut_down(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.done.take() {
            Some(done) => timeout(Duration::from_secs(10), done)
                .await
                .expect("the server stops")
                .expect("the server's task"),
            None => Ok(()),
        }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.expect("connect")
    }

    /// Send `raw` on a new connection and read the answer until the server closes it.
    async fn exchange(&self, raw: &[u8]) -> Answer {
        let mut stream = self.connect().await;
        // The server may answer and close before reading everything sent: that is fine.
        let _ = stream.write_all(raw).await;
        let mut bytes = vec![];
        let read = timeout(
            Duration::from_secs(10),
            read_to_close(&mut stream, &mut bytes),
        )
        .await;
        assert!(read.is_ok(), "no answer within 10 s");
        Answer::parse(&bytes)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Read until the peer closes (or resets) the connection.
async fn read_to_close(stream: &mut TcpStream, into: &mut Vec<u8>) {
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => into.extend_from_slice(&buf[..n]),
        }
    }
}

/// The public site behind routes that make axum answer on its own: a 405 from a method
/// router, a 413 from a body limit, a 400 from a query that does not parse; and handlers
/// that are slow, or show what they were given.
fn router(site: Arc<Site>) -> Router {
    #[derive(serde::Deserialize)]
    struct Numbers {
        #[allow(dead_code)]
        n: u32,
    }
    Router::new()
        .route(
            "/form",
            post(|body: String| async move { body.len().to_string() }),
        )
        .route("/query", get(|_: Query<Numbers>| async { "ok" }))
        .route(
            "/slow/{ms}",
            get(
                |axum::extract::Path(ms): axum::extract::Path<u64>| async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    "late"
                },
            ),
        )
        .route(
            "/peer",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
        )
        .route(
            "/looks-like-a-head",
            get(|| async { "HTTP/1.1 400 Bad Request\r\n\r\n" }),
        )
        .layer(DefaultBodyLimit::max(1024))
        .fallback_service(waymark_web::app(site))
}

fn settings() -> ServerSettings {
    ServerSettings {
        header_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(2),
        max_connections: 64,
        hsts_max_age: None,
    }
}

/// A response as bytes on the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn parse(bytes: &[u8]) -> Answer {
        let text = String::from_utf8_lossy(bytes);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            panic!("no response head in {text:?}");
        };
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {status_line:?}"));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Answer {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The answer may not be kept by a browser or proxy.
    fn assert_not_stored(&self, what: &str) {
        let cache = self.header("cache-control").unwrap_or("");
        assert!(
            cache.contains("no-store") || cache.split(',').any(|d| d.trim() == "no-cache"),
            "{what}: {} with Cache-Control {cache:?} ({:?})",
            self.status,
            self.headers
        );
    }
}

fn raw_get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").into_bytes()
}

/// Wait until the server closes `stream`, writing `drip` every `every` meanwhile (if given).
/// Returns how long that took, or None if it was still open after `limit`.
async fn closed_within(
    stream: &mut TcpStream,
    drip: Option<(&[u8], Duration)>,
    limit: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    let mut next_drip = start;
    loop {
        if start.elapsed() > limit {
            return None;
        }
        if let Some((bytes, every)) = drip
            && Instant::now() >= next_drip
        {
            if stream.write_all(bytes).await.is_err() {
                return Some(start.elapsed());
            }
            next_drip += every;
        }
        let wait = match drip {
            Some(_) => next_drip.saturating_duration_since(Instant::now()),
            None => limit,
        };
        match timeout(wait.max(Duration::from_millis(10)), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            Ok(Ok(n)) => panic!(
                "the server answered a head it never got: {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_sent_slowly_is_cut_off_at_the_header_timeout() {
    let server = Server::start(settings()).await;
    // One header line every half second: each read is quick, the head never ends.
    let mut stream = server.connect().await;
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: test\r\n")
        .await
        .expect("send");
    let took = closed_within(
        &mut stream,
        Some((b"X-Slow: 1\r\n", Duration::from_millis(500))),
        Duration::from_secs(6),
    )
    .await
    .expect("a slow head is closed within 3x the header timeout");
    assert!(took >= Duration::from_millis(1500), "closed after {took:?}");

    // One header line every five seconds, as the review's client did.
    let mut stream = server.connect().await;
    stream.write_all(b"GET / HTTP/1.1\r\n").await.expect("send");
    closed_within(
        &mut stream,
        Some((b"X-Slow: 1\r\n", Duration::from_secs(5))),
        Duration::from_secs(6),
    )
    .await
    .expect("closed before the second line");

    // A connection that says nothing at all.
    let mut silent = server.connect().await;
    closed_within(&mut silent, None, Duration::from_secs(6))
        .await
        .expect("a silent connection is closed");

    // The server still answers.
    let answer = server.exchange(&raw_get("/robots.txt")).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_is_closed_when_idle_but_not_before() {
    let server = Server::start(ServerSettings {
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(3),
        ..settings()
    })
    .await;
    let mut stream = server.connect().await;
    let request = b"GET /peer HTTP/1.1\r\nHost: test\r\n\r\n";
    for round in 0..2 {
        stream.write_all(request).await.expect("send");
        let mut got = vec![];
        let mut buf = [0u8; 4096];
        // Read one whole response (its length is in its head).
        loop {
            let n = timeout(Duration::from_secs(5), stream.read(&mut buf))
                .await
                .expect("an answer")
                .expect("read");
            assert!(n > 0, "round {round}: closed instead of answering");
            got.extend_from_slice(&buf[..n]);
            if complete(&got) {
                break;
            }
        }
        let answer = Answer::parse(&got);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("connection"), None, "kept alive");
        // Longer than the header timeout, shorter than the idle timeout: still open.
        if round == 0 {
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    }
    let took = closed_within(&mut stream, None, Duration::from_secs(9))
        .await
        .expect("an idle connection is closed within 3x the idle timeout");
    assert!(took >= Duration::from_millis(2500), "closed after {took:?}");
}

/// Whether `bytes` hold a whole response with a Content-Length.
fn complete(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    body.len() >= length
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_cap_a_client_waits_until_one_closes() {
    let server = Server::start(ServerSettings {
        header_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(30),
        max_connections: 2,
        ..settings()
    })
    .await;
    // Two connections, each answered once and kept open: the cap is reached.
    let mut held = vec![];
    for _ in 0..2 {
        let mut stream = server.connect().await;
        stream
            .write_all(b"GET /robots.txt HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .expect("send");
        let mut got = vec![];
        let mut buf = [0u8; 4096];
        while !complete(&got) {
            let n = timeout(Duration::from_secs(5), stream.read(&mut buf))
                .await
                .expect("answered below the cap")
                .expect("read");
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
        held.push(stream);
    }
    // The third connects (the kernel's backlog takes it) but is not served...
    let mut third = server.connect().await;
    third
        .write_all(&raw_get("/robots.txt"))
        .await
        .expect("send");
    let mut buf = [0u8; 4096];
    let early = timeout(Duration::from_secs(1), third.read(&mut buf)).await;
    assert!(early.is_err(), "served beyond the cap: {early:?}");
    // ...until one of the others closes.
    drop(held.pop());
    let mut got = vec![];
    let read = timeout(Duration::from_secs(5), read_to_close(&mut third, &mut got)).await;
    assert!(read.is_ok(), "served once a connection closed");
    assert_eq!(Answer::parse(&got).status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_answer_says_not_to_store_it() {
    let server = Server::start(settings()).await;
    let long_path = format!("/{}", "a".repeat(20 * 1024));
    let huge_path = format!("/{}", "a".repeat(100 * 1024));
    let big_header = format!("X-Big: {}\r\n", "b".repeat(40 * 1024));
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        // The public site's own refusals.
        (
            "POST to the public site",
            b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_vec(),
            405,
        ),
        ("a long path", raw_get(&long_path), 414),
        (
            "a body on a GET",
            b"GET / HTTP/1.1\r\nHost: test\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n"
                .to_vec(),
            413,
        ),
        ("no such page", raw_get("/nope"), 404),
        ("no such asset", raw_get("/assets/nope.css"), 404),
        ("no such API resource", raw_get("/api/nope"), 404),
        // axum's.
        ("GET on a POST route", raw_get("/form"), 405),
        (
            "a body over the limit",
            format!(
                "POST /form HTTP/1.1\r\nHost: test\r\nContent-Length: 2000\r\nConnection: close\r\n\r\n{}",
                "x".repeat(2000)
            )
            .into_bytes(),
            413,
        ),
        ("a query that does not parse", raw_get("/query?n=many"), 400),
        // The request timeout's.
        ("a handler too slow", raw_get("/slow/10000"), 503),
        // hyper's own, before any handler.
        ("a 100 KB request line", raw_get(&huge_path), 431),
        (
            "a 40 KB header",
            format!("GET / HTTP/1.1\r\nHost: test\r\n{big_header}\r\n").into_bytes(),
            431,
        ),
        ("not HTTP", b"HELLO THERE\r\n\r\n".to_vec(), 400),
        (
            "a bad header",
            b"GET / HTTP/1.1\r\nHost: test\r\nBad Header\r\n\r\n".to_vec(),
            400,
        ),
    ];
    for (what, raw, status) in cases {
        let answer = server.exchange(&raw).await;
        assert_eq!(answer.status, status, "{what}: {answer:?}");
        answer.assert_not_stored(what);
        assert_eq!(answer.header("strict-transport-security"), None, "{what}");
    }
    // The timeout's answer is plain text with the site's headers.
    let answer = server.exchange(&raw_get("/slow/10000")).await;
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(answer.header("content-security-policy").is_some());
    assert!(String::from_utf8_lossy(&answer.body).contains("took too long"));
    // A handler inside the limit is not cut off, and success is left to the page's own rule.
    let answer = server.exchange(&raw_get("/slow/200")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("cache-control"), None);
    let answer = server.exchange(&raw_get("/robots.txt")).await;
    assert_eq!(answer.header("cache-control"), Some("no-cache"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_s_own_answers_are_changed_only_between_requests() {
    let server = Server::start(settings()).await;
    // A body that looks like an error head, then a head too large, on one connection: the
    // first answer's bytes are the handler's, the second is hyper's with the headers added.
    let mut raw = b"GET /looks-like-a-head HTTP/1.1\r\nHost: test\r\n\r\n".to_vec();
    raw.extend_from_slice(&raw_get(&format!("/{}", "a".repeat(100 * 1024))));
    let mut stream = server.connect().await;
    let _ = stream.write_all(&raw).await;
    let mut bytes = vec![];
    timeout(
        Duration::from_secs(10),
        read_to_close(&mut stream, &mut bytes),
    )
    .await
    .expect("answers");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let first_end = text
        .find("\r\n\r\nHTTP/1.1 400 Bad Request\r\n\r\n")
        .expect("first answer");
    let first = Answer::parse(&bytes[..first_end + 4]);
    assert_eq!(first.status, 200, "{text}");
    let rest = &text[first_end + 4..];
    assert!(
        rest.starts_with("HTTP/1.1 400 Bad Request\r\n\r\nHTTP/1.1 431 "),
        "the body is untouched and hyper's answer follows: {rest:?}"
    );
    let second = Answer::parse(&bytes[first_end + 4 + 28..]);
    assert_eq!(second.status, 431, "{text}");
    second.assert_not_stored("a 100 KB request line after a request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_is_sent_only_when_asked_for() {
    let https = Server::start(ServerSettings {
        hsts_max_age: Some(31_536_000),
        ..settings()
    })
    .await;
    let http = Server::start(settings()).await;
    let huge = raw_get(&format!("/{}", "a".repeat(100 * 1024)));
    for (path, raw) in [
        ("/robots.txt", raw_get("/robots.txt")),
        ("/nope", raw_get("/nope")),
        ("/form", raw_get("/form")),
        ("/slow/10000", raw_get("/slow/10000")),
        ("a 100 KB request line", huge),
    ] {
        let answer = https.exchange(&raw).await;
        assert_eq!(
            answer.header("strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}: {answer:?}"
        );
        let answer = http.exchange(&raw).await;
        assert_eq!(answer.header("strict-transport-security"), None, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_see_the_client_s_address_and_shutdown_finishes_requests() {
    let mut server = Server::start(settings()).await;
    let mut stream = server.connect().await;
    let local = stream.local_addr().expect("local address");
    stream.write_all(&raw_get("/peer")).await.expect("send");
    let mut bytes = vec![];
    read_to_close(&mut stream, &mut bytes).await;
    let answer = Answer::parse(&bytes);
    assert_eq!(String::from_utf8_lossy(&answer.body), local.to_string());

    // A request in flight when the server is told to stop is still answered.
    let mut slow = server.connect().await;
    slow.write_all(&raw_get("/slow/700")).await.expect("send");
    let idle = server.connect().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.shut_down().await.expect("stops cleanly");
    let mut bytes = vec![];
    read_to_close(&mut slow, &mut bytes).await;
    let answer = Answer::parse(&bytes);
    assert_eq!(answer.status, 200);
    assert_eq!(String::from_utf8_lossy(&answer.body), "late");
    drop(idle);
    // Nothing listens any more.
    assert!(TcpStream::connect(server.addr).await.is_err());
}
