//! `waymark demo` and `waymark serve` as a council runs them: a real process on a real port,
//! an import from another process seen on the next request, and a clean stop on SIGTERM.

mod common;

use common::Db;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// A running server, killed if the test fails before stopping it.
struct Server {
    child: Child,
    base: String,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &Db, command: &str) -> Server {
    start_with(db, command, &[])
}

fn start_with(db: &Db, command: &str, args: &[&std::ffi::OsStr]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("--db")
        .arg(&db.url)
        .args([command, "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_COUNCIL")
        .env_remove("WAYMARK_ADDR")
        .env_remove("WAYMARK_URL")
        .env_remove("WAYMARK_CONFIG")
        .env_remove("WAYMARK_AUDIT_KEY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start waymark");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let base = loop {
        line.clear();
        let n = stdout.read_line(&mut line).expect("read stdout");
        assert!(n > 0, "waymark {command} stopped before serving");
        if let Some(rest) = line.strip_prefix("Waymark is serving http://") {
            let addr = rest.split('/').next().expect("address");
            break addr.to_string();
        }
    };
    Server {
        child,
        base,
        stdout,
    }
}

/// GET over a plain socket: status line and body.
fn get(base: &str, path: &str) -> (String, String) {
    let (head, body) = exchange(base, "GET", path);
    let status = head.lines().next().unwrap_or_default().to_string();
    (status, body)
}

/// A request over a plain socket: the response's head (lower-cased) and body.
fn exchange(base: &str, method: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(base).expect("connect");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {base}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.to_ascii_lowercase(), body.to_string())
}

#[test]
fn demo_loads_an_empty_database_serves_it_and_stops_on_sigterm() {
    let db = Db::new();
    let mut server = start(&db, "demo");
    let (status, body) = get(&server.base, "/");
    assert!(status.contains("200"), "{status}");
    assert!(
        body.contains("97 of 116 (83.6%)"),
        "the headline is on the home page"
    );
    assert!(body.contains("2024/25 Q4"));
    // Served over plain http: no HSTS.
    let (head, _) = exchange(&server.base, "GET", "/");
    assert!(!head.contains("strict-transport-security"), "{head}");

    // An import by another process is visible on the very next request.
    let (_, before) = get(&server.base, "/api/v1/councils");
    assert!(!before.contains("\"westminster\""));
    db.ok([
        "import",
        "--council",
        "westminster",
        "--council-name",
        "Westminster",
        common::fixture("bexley/corporate-plan.txt")
            .to_str()
            .expect("path"),
    ]);
    let (_, after) = get(&server.base, "/api/v1/councils");
    assert!(after.contains("\"westminster\""), "{after}");
    let (status, _) = get(&server.base, "/westminster/");
    assert!(status.contains("200"), "{status}");

    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let exit = server.child.wait().expect("wait");
    assert!(
        exit.success(),
        "a SIGTERM stops the server cleanly: {exit:?}"
    );
    let mut rest = String::new();
    server.stdout.read_to_string(&mut rest).expect("stdout");
    assert!(rest.contains("Waymark stopped."), "{rest}");
}

#[test]
fn serve_never_creates_a_database() {
    let db = Db::new();
    let out = db.run(["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!db.exists(), "serve must not create a database");
}

#[test]
fn the_server_section_sets_the_limits_and_an_https_address_brings_hsts() {
    let db = Db::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("waymark.toml");
    std::fs::write(
        &config,
        "[server]\nheader_timeout = 1\nidle_timeout = 5\nhsts_max_age = 600\n",
    )
    .expect("write the configuration");
    let server = start_with(
        &db,
        "demo",
        &[
            "--config".as_ref(),
            config.as_os_str(),
            "--url".as_ref(),
            "https://performance.example.gov.uk".as_ref(),
        ],
    );
    let hsts = "strict-transport-security: max-age=600; includesubdomains";
    // The public site and the staff site, pages and errors alike.
    for (method, path, status) in [
        ("GET", "/", "200"),
        ("GET", "/nope", "404"),
        ("POST", "/", "405"),
        ("GET", "/staff/sign-in", "200"),
        ("DELETE", "/staff/sign-in", "405"),
    ] {
        let (head, _) = exchange(&server.base, method, path);
        let status_line = head.lines().next().unwrap_or_default();
        assert!(status_line.contains(status), "{method} {path}: {head}");
        assert!(head.contains(hsts), "{method} {path}: {head}");
        if status != "200" {
            assert!(
                head.contains("cache-control: no-store")
                    || head.contains("cache-control: no-cache"),
                "{method} {path}: {head}"
            );
        }
    }
    // A connection that sends nothing is closed after the configured second.
    let mut silent = TcpStream::connect(&server.base).expect("connect");
    silent
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    let mut buf = [0u8; 16];
    match silent.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("a silent connection was not closed by the header timeout: {other:?}"),
    }
}
