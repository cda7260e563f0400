//! What an operator sees of a running `waymark serve`: the JSON log has one line per request
//! carrying the id sent back in `x-request-id`; `/healthz`, `/readyz` and `/metrics` answer,
//! with metrics moved to the operations address when one is given.

mod common;

use common::Db;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

struct Server {
    child: Child,
    base: String,
    admin: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &Db, log: &Path, admin: bool) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_waymark"));
    command.arg("--db").arg(&db.url).args([
        "--log-format",
        "json",
        "serve",
        "--addr",
        "127.0.0.1:0",
    ]);
    if admin {
        command.args(["--admin-addr", "127.0.0.1:0"]);
    }
    let mut child = command
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_COUNCIL")
        .env_remove("WAYMARK_ADDR")
        .env_remove("WAYMARK_ADMIN_ADDR")
        .env_remove("WAYMARK_URL")
        .env_remove("WAYMARK_CONFIG")
        .env_remove("WAYMARK_AUDIT_KEY_FILE")
        .env_remove("WAYMARK_LOG_FORMAT")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("log file"))
        .spawn()
        .expect("start waymark serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let mut admin_at = None;
    let base = loop {
        line.clear();
        let n = stdout.read_line(&mut line).expect("read stdout");
        assert!(
            n > 0,
            "waymark serve stopped before serving: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        if let Some(rest) = line.strip_prefix("Operations (health, readiness, metrics): http://") {
            admin_at = Some(rest.trim().trim_end_matches('/').to_string());
        }
        if let Some(rest) = line.strip_prefix("Waymark is serving http://") {
            break rest.split('/').next().expect("address").to_string();
        }
    };
    // Keep stdout drained for the server's life.
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stdout.read_to_string(&mut rest);
    });
    assert_eq!(
        admin_at.is_some(),
        admin,
        "the operations address is announced"
    );
    Server {
        child,
        base,
        admin: admin_at,
    }
}

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

fn get(base: &str, path: &str, extra: &str) -> Reply {
    let mut stream = TcpStream::connect(base).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {base}\r\n{extra}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

fn wait_until_ready(base: &str) -> Reply {
    let started = Instant::now();
    loop {
        let reply = get(base, "/readyz", "");
        if reply.status == 200 || started.elapsed() > WAIT {
            return reply;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The access log's lines, once `count` of them have been written.
fn access_lines(log: &Path, count: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let lines: Vec<Value> = std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
            })
            .filter(|v: &Value| v["target"] == "waymark::access")
            .collect();
        if lines.len() >= count || started.elapsed() > WAIT {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_request_is_logged_once_as_json_with_the_id_it_was_answered_with() {
    let db = Db::new();
    db.import_bexley();
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("serve.log");
    let server = start(&db, &log, false);
    let ready = wait_until_ready(&server.base);
    assert_eq!(ready.status, 200, "{}", ready.body);
    let readiness: Value = serde_json::from_str(&ready.body).expect("readiness is JSON");
    assert_eq!(readiness["ready"], true);
    assert_eq!(readiness["database"], "ok");
    assert_eq!(readiness["pages"], "rendered");

    let requests = [
        ("/", "", 200, "home"),
        ("/activities", "", 200, "activities"),
        ("/no-such-page", "", 404, "not_found"),
        (
            "/api/v1/stats",
            "X-Request-Id: lb-7f3a.42\r\n",
            200,
            "api_stats",
        ),
        ("/staff/sign-in", "", 200, "/staff/sign-in"),
        ("/healthz", "", 200, "ops"),
    ];
    let mut sent = vec![];
    for (path, extra, status, route) in requests {
        let reply = get(&server.base, path, extra);
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        let id = reply
            .headers
            .get("x-request-id")
            .unwrap_or_else(|| panic!("{path} has no x-request-id"))
            .clone();
        sent.push((path, id, status, route, reply.body.len()));
    }
    // A plain id from a proxy is kept; everything else gets one of the server's own.
    assert_eq!(sent[3].1, "lb-7f3a.42");
    let ids: std::collections::HashSet<&String> = sent.iter().map(|s| &s.1).collect();
    assert_eq!(ids.len(), sent.len(), "request ids repeat: {sent:?}");

    let before = access_lines(&log, 0).len();
    // /readyz was asked first (perhaps several times), then the requests above.
    let lines = access_lines(&log, before.max(sent.len()));
    for (path, id, status, route, bytes) in &sent {
        let mine: Vec<&Value> = lines.iter().filter(|l| l["request_id"] == **id).collect();
        assert_eq!(mine.len(), 1, "{path}: {mine:?}");
        let line = mine[0];
        assert_eq!(line["method"], "GET", "{line}");
        assert_eq!(line["path"], *path, "{line}");
        assert_eq!(line["status"], *status, "{line}");
        assert_eq!(line["route"], *route, "{line}");
        assert_eq!(line["bytes"], *bytes as u64, "{line}");
        assert!(
            line["duration_ms"].as_f64().is_some_and(|d| d >= 0.0),
            "{line}"
        );
        assert_eq!(line["level"], "INFO");
        assert!(line["timestamp"].is_string());
    }

    // Without an operations address, metrics are on the main one, counted by route.
    let metrics = get(&server.base, "/metrics", "");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.headers["content-type"].starts_with("text/plain; version=0.0.4"),
        "{:?}",
        metrics.headers
    );
    for expected in [
        "waymark_http_requests_total{method=\"GET\",route=\"home\",status=\"200\"} 1",
        "waymark_http_requests_total{method=\"GET\",route=\"not_found\",status=\"404\"} 1",
        "waymark_http_request_duration_seconds_bucket{route=\"activities\",le=\"",
        "waymark_renders_total 1",
        "waymark_db_connections{state=\"open\"}",
    ] {
        assert!(
            metrics.body.contains(expected),
            "no {expected} in\n{}",
            metrics.body
        );
    }
}

#[test]
fn an_operations_address_takes_the_metrics_off_the_public_one() {
    let db = Db::new();
    db.import_bexley();
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("serve.log");
    let server = start(&db, &log, true);
    let admin = server.admin.clone().expect("an operations address");
    assert_eq!(wait_until_ready(&admin).status, 200);
    assert_eq!(get(&server.base, "/readyz", "").status, 200);
    assert_eq!(get(&server.base, "/healthz", "").status, 200);
    assert_eq!(get(&admin, "/healthz", "").body, "alive\n");
    let public = get(&server.base, "/metrics", "");
    assert_eq!(public.status, 404, "{}", public.body);
    let _ = get(&server.base, "/", "");
    let metrics = get(&admin, "/metrics", "");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.contains(
            "waymark_http_requests_total{method=\"GET\",route=\"home\",status=\"200\"} 1"
        ),
        "{}",
        metrics.body
    );
    // The operations address serves nothing else.
    assert_eq!(get(&admin, "/", "").status, 404);
}
