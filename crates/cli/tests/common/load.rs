//! A load of owners' returns against a real `waymark serve` process, for the tests that break
//! things under it (a SIGKILL, a database that stops, goes read-only or fills its disk): the
//! server process, a minimal HTTP/1.1 client with cookies, the workers that save and submit
//! revision after revision, and the read-back that checks every acknowledged return against
//! the database and the audit trail.

use super::Db;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;
use waymark_store::{Organisation, ReturnVersion, Store};

pub const PASSWORD: &str = "violet harbour lantern quietly";
/// Guards only: nothing waits this long when all is well.
pub const GUARD: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// The server process.

/// A running `waymark serve`, killed if the test fails before it is.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub stderr: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// SIGKILL (what `Child::kill` sends on Unix) and reap it.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        let status = self.child.wait().expect("reap the server");
        assert!(!status.success(), "the server was killed: {status:?}");
    }

    /// The lines the server wrote to stderr about failed requests.
    pub fn failures(&self) -> Vec<String> {
        std::fs::read_to_string(&self.stderr)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("failed") || l.contains("error") || l.contains("panicked"))
            .map(str::to_string)
            .collect()
    }
}

pub fn start(db: &Db, logs: &std::path::Path, n: usize) -> Server {
    let stderr = logs.join(format!("server-{n}.stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("--db")
        .arg(&db.url)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_COUNCIL")
        .env_remove("WAYMARK_ADDR")
        .env_remove("WAYMARK_CONFIG")
        .env_remove("WAYMARK_URL")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("start waymark serve");
    let stdout = child.stdout.take().expect("stdout");
    // Read stdout on a thread of its own: it is drained for the server's whole life (a full
    // pipe would stall it) and the address is awaited with a time limit.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("Waymark is serving http://") {
                let _ = tx.send(rest.split('/').next().unwrap_or_default().to_string());
            }
        }
    });
    let mut server = Server {
        child,
        base: String::new(),
        stderr,
    };
    server.base = match rx.recv_timeout(GUARD) {
        Ok(base) => base,
        Err(e) => panic!(
            "waymark serve did not start ({e}): {:?}",
            std::fs::read_to_string(&server.stderr)
        ),
    };
    server
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client over a plain socket, one connection per request.

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first line of the page's main message, for reports.
    pub fn gist(&self) -> String {
        let text = self
            .body
            .split("<h1")
            .nth(1)
            .and_then(|h| h.split_once('>'))
            .map(|(_, rest)| rest.split('<').next().unwrap_or_default())
            .unwrap_or_default();
        format!("{} {}", self.status, text.trim())
    }
}

/// Send one request and read the whole answer. An error means no complete answer came: the
/// outcome is unknown to the client.
pub fn exchange(base: &str, request: &[u8]) -> Result<Reply, String> {
    let mut stream = TcpStream::connect(base).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(GUARD))
        .and_then(|()| stream.set_write_timeout(Some(GUARD)))
        .map_err(|e| format!("socket: {e}"))?;
    stream
        .write_all(request)
        .map_err(|e| format!("send: {e}"))?;
    let mut raw = vec![];
    // Bytes read before an error are kept: a whole head and body is a whole answer, whatever
    // happened to the connection afterwards.
    let read = stream.read_to_end(&mut raw);
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(format!(
            "no complete response ({} bytes, {:?})",
            raw.len(),
            read.err()
        ));
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let body = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let reply = Reply {
        status,
        headers,
        body: String::from_utf8_lossy(body).into_owned(),
    };
    if let Err(e) = read {
        let length: Option<usize> = reply.header("content-length").and_then(|v| v.parse().ok());
        if length.is_none_or(|n| body.len() < n) {
            return Err(format!("connection failed after {} bytes: {e}", raw.len()));
        }
    }
    Ok(reply)
}

pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The value of a hidden field on a page (tokens and numbers: nothing that needs unescaping).
pub fn hidden(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body.find(&marker)? + marker.len();
    Some(body[at..].split('"').next()?.to_string())
}

/// A browser: cookies kept between requests, and the session's form token once signed in.
#[derive(Clone, Default)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
    pub csrf: String,
}

impl Browser {
    pub fn send(
        &mut self,
        base: &str,
        method: &str,
        path: &str,
        body: &str,
    ) -> Result<Reply, String> {
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nHost: {base}\r\nConnection: close\r\n");
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        if method == "POST" {
            request.push_str(&format!(
                "Origin: http://{base}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(body);
        let reply = exchange(base, request.as_bytes())?;
        for (name, value) in &reply.headers {
            if !name.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let pair = value.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if value.contains("Max-Age=0") {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies
                        .insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        Ok(reply)
    }

    pub fn get(&mut self, base: &str, path: &str) -> Result<Reply, String> {
        self.send(base, "GET", path, "")
    }

    pub fn post(
        &mut self,
        base: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<Reply, String> {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect();
        self.send(base, "POST", path, &body.join("&"))
    }

    /// POST a signed-in form (with the session's token) and expect a redirect; its target.
    pub fn post_ok(&mut self, base: &str, path: &str, fields: &[(&str, &str)]) -> String {
        let csrf = self.csrf.clone();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let reply = self.post(base, path, &all).expect("POST answered");
        assert_eq!(reply.status, 303, "POST {path}: {}", reply.gist());
        reply.header("location").unwrap_or_default().to_string()
    }

    pub fn sign_in(base: &str, email: &str) -> Browser {
        let mut b = Browser::default();
        let page = b.get(base, "/staff/sign-in").expect("sign-in page");
        let token = hidden(&page.body, "token").expect("sign-in token");
        let reply = b
            .post(
                base,
                "/staff/sign-in",
                &[("token", &token), ("email", email), ("password", PASSWORD)],
            )
            .expect("sign in");
        assert_eq!(reply.status, 303, "sign in as {email}: {}", reply.gist());
        let home = b.get(base, "/staff").expect("home");
        assert_eq!(home.status, 200, "home for {email}: {}", home.gist());
        b.csrf = hidden(&home.body, "csrf").expect("csrf token on the home page");
        b
    }
}

// ---------------------------------------------------------------------------------------------
// The load: owners saving and submitting revision after revision.

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// 303 to the return with `?done=...`: the server says it is saved.
    Acked,
    /// A whole answer saying something else.
    Refused(String),
    /// No whole answer: the server died with the request in flight (or before it was read).
    Unknown(String),
    /// No whole answer although the server had not been killed: a fault of its own.
    Broken(String),
    /// 503: the database could not be reached; whether the change was stored is not known
    /// (a commit the database made as it went down cannot be acknowledged).
    Unavailable(String),
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub round: usize,
    pub activity: i64,
    /// The revision the action would create.
    pub revision: i64,
    /// "saved" or "submitted", as the version and the redirect name it.
    pub done: &'static str,
    pub commentary: String,
    pub outcome: Outcome,
}

pub struct Shared {
    pub stop: AtomicBool,
    pub killed: AtomicBool,
    pub in_flight: AtomicUsize,
}

pub struct Job {
    pub owner: usize,
    pub round: usize,
    pub base: String,
    pub cycle: i64,
    pub browser: Browser,
    /// Activity and its current revision.
    pub activities: Vec<(i64, i64)>,
    pub shared: Arc<Shared>,
    pub acks: mpsc::Sender<()>,
}

pub fn work(mut job: Job) -> Vec<Attempt> {
    let mut attempts = vec![];
    let mut turn = 0usize;
    while !job.shared.stop.load(Ordering::SeqCst) && !job.activities.is_empty() {
        let slot = turn % job.activities.len();
        turn += 1;
        let (activity, current) = job.activities[slot];
        let revision = current + 1;
        let submit = revision % 3 == 0;
        let (action, done, status) = if submit {
            ("submit", "submitted", "amber")
        } else {
            ("save", "saved", "green")
        };
        // Unique to the attempt: a request the database may or may not have stored is sent
        // again for the same revision, and each must be told apart when read back.
        let commentary = format!(
            "owner{} activity {activity} rev {revision} round {} try {turn}: on track – £{revision}k “spent”",
            job.owner, job.round
        );
        let evidence = format!("https://example.gov.uk/evidence/{activity}/{revision}");
        let corrective = format!("Recovery plan {revision} & review");
        let current = current.to_string();
        let path = format!("/staff/periods/{}/activities/{activity}", job.cycle);
        let csrf = job.browser.csrf.clone();
        let fields = [
            ("csrf", csrf.as_str()),
            ("action", action),
            ("revision", current.as_str()),
            ("status", status),
            ("commentary", commentary.as_str()),
            ("corrective_action", corrective.as_str()),
            ("reason", ""),
            ("evidence", evidence.as_str()),
        ];
        job.shared.in_flight.fetch_add(1, Ordering::SeqCst);
        let reply = job.browser.post(&job.base, &path, &fields);
        job.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        let expected = format!("{path}?done={done}");
        let outcome = match &reply {
            Ok(r) if r.status == 303 && r.header("location") == Some(expected.as_str()) => {
                Outcome::Acked
            }
            Ok(r) if r.status == 503 => Outcome::Unavailable(r.gist()),
            Ok(r) => Outcome::Refused(format!(
                "{} (location {:?})",
                r.gist(),
                r.header("location")
            )),
            // Whether the kill had been sent is read after the failure: false means the
            // connection failed while the server was still meant to be up.
            Err(e) if job.shared.killed.load(Ordering::SeqCst) => Outcome::Unknown(e.clone()),
            Err(e) => Outcome::Broken(e.clone()),
        };
        let acked = outcome == Outcome::Acked;
        let unknown = matches!(outcome, Outcome::Unknown(_) | Outcome::Broken(_));
        let unavailable = matches!(outcome, Outcome::Unavailable(_));
        attempts.push(Attempt {
            round: job.round,
            activity,
            revision,
            done,
            commentary,
            outcome,
        });
        if acked {
            job.activities[slot].1 = revision;
            let _ = job.acks.send(());
        } else if unknown {
            break;
        } else if unavailable {
            // The database is away: wait until the page answers again, then carry on from
            // the revision it shows (the change may or may not have been stored).
            let mut back = None;
            while !job.shared.stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
                if let Ok(page) = job.browser.get(&job.base, &path)
                    && page.status == 200
                {
                    back = hidden(&page.body, "revision").and_then(|r| r.parse().ok());
                    break;
                }
            }
            match back {
                Some(r) => job.activities[slot].1 = r,
                None => break,
            }
        } else {
            // Refused: carry on from whatever revision the return is really at.
            match job.browser.get(&job.base, &path) {
                Ok(page) if page.status == 200 => {
                    match hidden(&page.body, "revision").and_then(|r| r.parse().ok()) {
                        Some(r) => job.activities[slot].1 = r,
                        None => break,
                    }
                }
                _ => break,
            }
        }
    }
    attempts
}

// ---------------------------------------------------------------------------------------------
// Reading the database back after a crash.

pub struct Readback {
    /// Each activity's stored versions, oldest first.
    pub history: HashMap<i64, Vec<ReturnVersion>>,
    pub versions: usize,
    /// The rounds of stored versions whose request never got an answer (committed, not
    /// acknowledged).
    pub unacked_stored: Vec<usize>,
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub async fn council(store: &Store) -> Organisation {
    let mut orgs = store.organisations().await.expect("councils");
    assert_eq!(orgs.len(), 1, "one council");
    orgs.remove(0)
}

/// Everything the store holds for the activities, and the problems found, checked against
/// every attempt so far.
pub fn read_back(db: &Db, cycle: i64, activities: &[i64], attempts: &[Attempt]) -> Readback {
    let url = db.url.to_str().expect("database address").to_string();
    let (history, counts) = runtime().block_on(async {
        // The crashed database opens (SQLite recovers its journal here).
        let store = Store::open_existing(&url)
            .await
            .expect("the database opens");
        let org = council(&store).await;
        let mut history = HashMap::new();
        for &activity in activities {
            let detail = store
                .return_detail(&org, cycle, activity)
                .await
                .expect("a return's history");
            let n = i64::try_from(detail.history.len()).expect("count");
            assert_eq!(
                detail.item.revision, n,
                "activity {activity}: the return's revision is its number of versions"
            );
            if let Some(last) = detail.current() {
                assert_eq!(detail.item.state, Some(last.state), "activity {activity}");
            }
            history.insert(activity, detail.history);
        }
        let counts = store.row_counts().await.expect("row counts");
        store.close().await;
        (history, counts)
    });
    let count = |table: &str| {
        counts
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, n)| usize::try_from(*n).expect("count"))
            .unwrap_or_else(|| panic!("no table {table}"))
    };

    let mut problems = vec![];
    let by_commentary: HashMap<&str, &Attempt> = attempts
        .iter()
        .map(|a| (a.commentary.as_str(), a))
        .collect();
    assert_eq!(
        by_commentary.len(),
        attempts.len(),
        "commentaries are unique"
    );

    // Nothing acknowledged is lost or changed.
    for a in attempts.iter().filter(|a| a.outcome == Outcome::Acked) {
        let stored = history
            .get(&a.activity)
            .and_then(|h| h.get(usize::try_from(a.revision - 1).ok()?));
        match stored {
            None => problems.push(format!(
                "LOST: activity {} revision {} ({}) was acknowledged in round {} but is not stored",
                a.activity, a.revision, a.commentary, a.round
            )),
            Some(v) if v.content.commentary != a.commentary || v.action != a.done => {
                problems.push(format!(
                    "CHANGED: activity {} revision {} was acknowledged as {:?} ({}) but is stored as {:?} ({})",
                    a.activity, a.revision, a.commentary, a.done, v.content.commentary, v.action
                ))
            }
            Some(_) => {}
        }
    }

    // Everything stored was sent, at that revision, and not refused.
    let mut versions = 0;
    let mut unacked_stored = vec![];
    for (activity, versions_of) in &history {
        for (i, v) in versions_of.iter().enumerate() {
            versions += 1;
            if usize::try_from(v.revision).ok() != Some(i + 1) {
                problems.push(format!(
                    "activity {activity}: version {} is numbered {}",
                    i + 1,
                    v.revision
                ));
            }
            match by_commentary.get(v.content.commentary.as_str()) {
                None => problems.push(format!(
                    "PHANTOM: activity {activity} revision {} holds {:?}, which was never sent",
                    v.revision, v.content.commentary
                )),
                Some(a) if a.activity != *activity || a.revision != v.revision => {
                    problems.push(format!(
                        "MISPLACED: {:?} was sent for activity {} revision {}, stored as activity {activity} revision {}",
                        a.commentary, a.activity, a.revision, v.revision
                    ))
                }
                Some(a) => match &a.outcome {
                    Outcome::Acked => {}
                    Outcome::Unknown(_) | Outcome::Broken(_) | Outcome::Unavailable(_) => {
                        unacked_stored.push(a.round)
                    }
                    Outcome::Refused(why) => problems.push(format!(
                        "STORED ALTHOUGH REFUSED: activity {activity} revision {} ({:?}) was answered {why}",
                        v.revision, a.commentary
                    )),
                },
            }
        }
    }
    if count("return_versions") != versions {
        problems.push(format!(
            "return_versions holds {} rows, the histories {versions}",
            count("return_versions")
        ));
    }
    let with_returns = history.values().filter(|h| !h.is_empty()).count();
    if count("staff_returns") != with_returns {
        problems.push(format!(
            "staff_returns holds {} rows, {with_returns} activities have versions",
            count("staff_returns")
        ));
    }

    // Every version has exactly one audit event, with its content.
    let trail = db.json(["audit", "export", "--format", "json"]);
    let mut events: HashMap<(String, i64, String), usize> = HashMap::new();
    let mut return_events = 0;
    for e in trail.as_array().expect("audit events") {
        let action = e["action"].as_str().unwrap_or_default();
        if !action.starts_with("return.") {
            continue;
        }
        return_events += 1;
        let after = &e["after"];
        let key = (
            after["commentary"].as_str().unwrap_or_default().to_string(),
            after["revision"].as_i64().unwrap_or_default(),
            action.to_string(),
        );
        *events.entry(key).or_default() += 1;
    }
    if return_events != versions {
        problems.push(format!(
            "{return_events} return events in the audit trail for {versions} stored versions"
        ));
    }
    for versions_of in history.values() {
        for v in versions_of {
            let key = (
                v.content.commentary.clone(),
                v.revision,
                format!("return.{}", v.action),
            );
            match events.remove(&key) {
                Some(1) => {}
                Some(n) => problems.push(format!("{n} audit events for {key:?}")),
                None => problems.push(format!("NO AUDIT EVENT for {key:?}")),
            }
        }
    }
    for key in events.keys() {
        problems.push(format!("an audit event with no stored version: {key:?}"));
    }

    let verify = db.run(["audit", "verify"]);
    if !verify.status.success() {
        problems.push(format!(
            "audit verify failed: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        ));
    }

    assert!(
        problems.is_empty(),
        "{} problems after the crash:\n{}",
        problems.len(),
        problems
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    Readback {
        history,
        versions,
        unacked_stored,
    }
}

// ---------------------------------------------------------------------------------------------

/// A number below `n` that differs from call to call (the clock's microseconds).
pub fn jitter(n: u32) -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_micros())
        .unwrap_or_default()
        % n
}

/// The path of the one-time link `waymark user add` prints on its last line.
pub fn add_user(db: &Db, role: &str, email: &str, name: &str) -> String {
    let out = db.ok([
        "user",
        "add",
        "--role",
        role,
        "--name",
        name,
        "--url",
        "http://127.0.0.1",
        email,
    ]);
    let link = out.lines().last().unwrap_or_default();
    let at = link.find("/staff/setup/").expect("a set-up link");
    link[at..].to_string()
}

/// A council ready for the load: owners with passwords and sessions, a period open, and each
/// owner's share of the activities assigned to them.
pub struct Stage {
    pub cycle: i64,
    pub activities: Vec<i64>,
    /// Each owner's signed-in browser.
    pub sessions: Vec<Browser>,
    pub per_owner: usize,
}

/// Import Bexley, add an admin and `owners` owners, start the server (`serve` needs the
/// database to exist), set their passwords through it, open a period and assign `activities`
/// activities evenly among the owners.
pub fn prepare(
    db: &Db,
    serve: impl FnOnce() -> Server,
    owners: usize,
    activities: usize,
) -> (Server, Stage) {
    db.import_bexley();
    let admin_email = "performance@bexley.example.gov.uk";
    let admin_link = add_user(db, "admin", admin_email, "Performance Team");
    let people: Vec<(String, String)> = (0..owners)
        .map(|o| {
            let email = format!("owner{o}@bexley.example.gov.uk");
            let link = add_user(db, "owner", &email, &format!("Owner {o}"));
            (email, link)
        })
        .collect();
    let server = serve();
    let base = server.base.clone();
    for link in std::iter::once(&admin_link).chain(people.iter().map(|(_, l)| l)) {
        let reply = Browser::default()
            .post(
                &base,
                link,
                &[("password", PASSWORD), ("confirm", PASSWORD)],
            )
            .expect("set a password");
        assert_eq!(reply.status, 303, "set-up link {link}: {}", reply.gist());
    }
    let mut admin = Browser::sign_in(&base, admin_email);
    let sessions: Vec<Browser> = people
        .iter()
        .map(|(email, _)| Browser::sign_in(&base, email))
        .collect();

    let opened = admin.post_ok(
        &base,
        "/staff/periods",
        &[("period", "2025/26 Q1"), ("deadline", "2025-07-31")],
    );
    let cycle: i64 = opened
        .strip_prefix("/staff/periods/")
        .and_then(|rest| rest.strip_suffix("?done=opened"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("opening a period leads to it: {opened}"));

    let url = db.url.to_str().expect("database address").to_string();
    let (owner_ids, chosen) = runtime().block_on(async {
        let store = Store::open_existing(&url).await.expect("open");
        let org = council(&store).await;
        let users = store.users(&org).await.expect("users");
        let ids: Vec<i64> = people
            .iter()
            .map(|(email, _)| {
                users
                    .iter()
                    .find(|u| &u.email == email)
                    .map(|u| u.id)
                    .expect("owner's id")
            })
            .collect();
        let items = store.cycle_items(&org, cycle).await.expect("items");
        store.close().await;
        let chosen: Vec<i64> = items
            .iter()
            .map(|i| i.activity_id)
            .take(activities)
            .collect();
        (ids, chosen)
    });
    assert_eq!(chosen.len(), activities, "Bexley has enough activities");
    let per_owner = activities / owners;
    for (i, activity) in chosen.iter().enumerate() {
        let owner = owner_ids[i / per_owner].to_string();
        let done = admin.post_ok(
            &base,
            &format!("/staff/periods/{cycle}/activities/{activity}/owner"),
            &[("owner", &owner)],
        );
        assert!(done.ends_with("?done=assigned"), "{done}");
    }
    let stage = Stage {
        cycle,
        activities: chosen,
        sessions,
        per_owner,
    };
    (server, stage)
}

/// The workers for one stretch of load: each owner's activities split among
/// `threads_per_owner` clients sharing the owner's session, starting from `revisions`.
pub fn spawn_workers(
    stage: &Stage,
    base: &str,
    round: usize,
    threads_per_owner: usize,
    revisions: &HashMap<i64, i64>,
    shared: &Arc<Shared>,
    acks: &mpsc::Sender<()>,
) -> Vec<std::thread::JoinHandle<Vec<Attempt>>> {
    let mut workers = vec![];
    for (o, session) in stage.sessions.iter().enumerate() {
        let mine = &stage.activities[o * stage.per_owner..(o + 1) * stage.per_owner];
        for t in 0..threads_per_owner {
            let job = Job {
                owner: o,
                round,
                base: base.to_string(),
                cycle: stage.cycle,
                browser: session.clone(),
                activities: mine
                    .iter()
                    .skip(t)
                    .step_by(threads_per_owner)
                    .map(|a| (*a, revisions[a]))
                    .collect(),
                shared: shared.clone(),
                acks: acks.clone(),
            };
            workers.push(std::thread::spawn(move || work(job)));
        }
    }
    workers
}
