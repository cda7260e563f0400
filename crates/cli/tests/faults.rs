//! Database faults under load: a real `waymark serve` takes owners' returns while its database
//! goes away and comes back — a PostgreSQL server stopped with an immediate shutdown (no
//! checkpoint, connections cut) and started again, and a SQLite database whose disk fills up
//! and is then given room. During the outage every request must get a whole answer: a 503
//! page (or problem+json), never a 500, a panic or a cut connection. When the database is
//! back the server takes returns again by itself, without a restart, and afterwards every
//! acknowledged return is stored as sent, with its audit event, and the chain verifies.
//!
//! These tests make their own databases (a private PostgreSQL cluster, a small tmpfs), so they
//! run once, in the suite's default run. The SQLite one mounts a tmpfs and needs root, as
//! the test script runs; elsewhere it says so and does nothing.
//!
//! Not covered: a file system that turns read-only under a running server. Linux refuses to
//! remount a file system read-only while a process holds files open for writing, which
//! SQLite always does; what the server sees when the kernel forces it (after disk errors) is
//! the same failed write as a full disk, handled the same way.

mod common;

use common::Db;
use common::load::{
    Attempt, Browser, GUARD, Outcome, Server, Shared, prepare, read_back, spawn_workers, start,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

const OWNERS: usize = 4;
const THREADS_PER_OWNER: usize = 2;
const ACTIVITIES: usize = 32;
/// Acknowledgements before the fault, and after the database is back.
const ACKS_BEFORE: usize = 60;
const ACKS_AFTER: usize = 60;
/// How long the outage lasts, with the load running against it.
const OUTAGE: Duration = Duration::from_secs(3);

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What one outage showed.
struct Outage {
    /// Answers during the outage, by status.
    statuses: HashMap<u16, usize>,
    /// `/readyz`'s answers during the outage, by status.
    readiness: HashMap<u16, usize>,
    /// From the database coming back to the first acknowledged return.
    recovery: Duration,
    attempts: Vec<Attempt>,
}

/// Run the load, break the database after `ACKS_BEFORE` acknowledgements, keep the load on it
/// for `OUTAGE`, mend it, and wait for `ACKS_AFTER` more.
fn outage(
    stage: &common::load::Stage,
    server: &Server,
    round: usize,
    revisions: &HashMap<i64, i64>,
    break_it: impl FnOnce(),
    mend_it: impl FnOnce(),
) -> Outage {
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        killed: AtomicBool::new(false),
        in_flight: AtomicUsize::new(0),
    });
    let (acks, acked) = mpsc::channel();
    let workers = spawn_workers(
        stage,
        &server.base,
        round,
        THREADS_PER_OWNER,
        revisions,
        &shared,
        &acks,
    );
    drop(acks);
    for n in 0..ACKS_BEFORE {
        if let Err(e) = acked.recv_timeout(GUARD) {
            panic!("before the fault, after {n} acknowledgements: {e}");
        }
    }
    break_it();
    // Visitors during the outage: the public pages and the staff pages get whole answers.
    let started = Instant::now();
    let mut visitor = stage.sessions[0].clone();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    let mut readiness: HashMap<u16, usize> = HashMap::new();
    while started.elapsed() < OUTAGE {
        match visitor.get(&server.base, "/readyz") {
            Ok(reply) => *readiness.entry(reply.status).or_default() += 1,
            Err(e) => panic!("/readyz during the outage got no whole answer: {e}"),
        }
        for path in ["/", "/staff", "/api/v1/stats", "/staff/periods"] {
            match visitor.get(&server.base, path) {
                Ok(reply) => {
                    *statuses.entry(reply.status).or_default() += 1;
                    assert!(
                        reply.status < 500 || reply.status == 503,
                        "{path} during the outage: {}",
                        reply.gist()
                    );
                    if reply.status == 503 {
                        for internal in ["sqlx", "SQLITE", "error returned from", "panicked"] {
                            assert!(
                                !reply.body.contains(internal),
                                "{path}: the 503 shows internals: {}",
                                reply.body
                            );
                        }
                    }
                }
                Err(e) => panic!("{path} during the outage got no whole answer: {e}"),
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Drain what was acknowledged before the fault bit.
    while acked.try_recv().is_ok() {}
    mend_it();
    let mended = Instant::now();
    if let Err(e) = acked.recv_timeout(GUARD) {
        panic!(
            "nothing was acknowledged within {GUARD:?} of the database coming back ({e}); server log: {:#?}",
            server.failures()
        );
    }
    let recovery = mended.elapsed();
    // Ready again without a restart.
    let ready = visitor.get(&server.base, "/readyz");
    assert!(
        ready.as_ref().is_ok_and(|r| r.status == 200),
        "/readyz once the database is back: {:?}",
        ready.map(|r| r.gist())
    );
    for n in 1..ACKS_AFTER {
        if let Err(e) = acked.recv_timeout(GUARD) {
            panic!("after the database came back, after {n} acknowledgements: {e}");
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    let mut attempts = vec![];
    for w in workers {
        attempts.extend(w.join().expect("worker thread"));
    }
    for a in &attempts {
        assert!(
            matches!(a.outcome, Outcome::Acked | Outcome::Unavailable(_)),
            "round {round}: a return was answered {:?}; server log: {:#?}",
            a.outcome,
            server.failures()
        );
    }
    let panics: Vec<String> = server
        .failures()
        .into_iter()
        .filter(|l| l.contains("panicked"))
        .collect();
    assert!(panics.is_empty(), "the server panicked: {panics:#?}");
    Outage {
        statuses,
        readiness,
        recovery,
        attempts,
    }
}

fn report(what: &str, o: &Outage) {
    let unavailable = o
        .attempts
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Unavailable(_)))
        .count();
    let acked = o
        .attempts
        .iter()
        .filter(|a| a.outcome == Outcome::Acked)
        .count();
    eprintln!(
        "{what}: {acked} returns acknowledged, {unavailable} answered 503; visitors' answers during the outage {:?}; first acknowledgement {:.2}s after the database was back",
        o.statuses,
        o.recovery.as_secs_f64()
    );
}

/// The revisions stored now, for the next stretch of load.
fn revisions_after(
    db: &Db,
    stage: &common::load::Stage,
    attempts: &[Attempt],
) -> HashMap<i64, i64> {
    let back = read_back(db, stage.cycle, &stage.activities, attempts);
    back.history
        .iter()
        .map(|(a, h)| (*a, i64::try_from(h.len()).expect("count")))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// SQLite: the disk fills up.

/// A small tmpfs of its own, unmounted when dropped.
struct Tmpfs {
    _dir: tempfile::TempDir,
    at: PathBuf,
}

impl Tmpfs {
    fn new(megabytes: usize) -> Tmpfs {
        let dir = tempfile::tempdir().expect("temp dir");
        let at = dir.path().join("disk");
        std::fs::create_dir(&at).expect("mount point");
        let size = format!("size={megabytes}m");
        run(
            "mount",
            &["-t", "tmpfs", "-o", &size, "tmpfs", path_str(&at)],
        );
        Tmpfs { _dir: dir, at }
    }

    /// Fill every free byte with a file of its own; returns the file.
    fn fill(&self) -> PathBuf {
        let filler = self.at.join("filler");
        // dd stops at "No space left on device", which is the point.
        let _ = Command::new("dd")
            .args([
                "if=/dev/zero",
                &format!("of={}", path_str(&filler)),
                "bs=64k",
            ])
            .output();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.at).output();
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
fn sqlite_disk_full_under_load_loses_nothing_and_recovers() {
    if common::on_postgres() {
        return;
    }
    if !is_root() {
        eprintln!("skipped: mounting a tmpfs to fill needs root (scripts/test runs as root)");
        return;
    }
    let disk = Tmpfs::new(96);
    let db = Db::sqlite_at(&disk.at.join("waymark.db"));
    let logs = tempfile::tempdir().expect("log dir");
    let (server, stage) = prepare(&db, || start(&db, logs.path(), 0), OWNERS, ACTIVITIES);
    let zero: HashMap<i64, i64> = stage.activities.iter().map(|a| (*a, 0)).collect();
    let filler = std::cell::RefCell::new(None);
    let full = outage(
        &stage,
        &server,
        1,
        &zero,
        || *filler.borrow_mut() = Some(disk.fill()),
        || {
            if let Some(f) = filler.borrow_mut().take() {
                std::fs::remove_file(f).expect("make room");
            }
        },
    );
    report("SQLite, disk full", &full);
    assert!(
        full.attempts
            .iter()
            .any(|a| matches!(a.outcome, Outcome::Unavailable(_))),
        "the full disk refused some returns (else the test proved nothing)"
    );
    drop(server);
    read_back(&db, stage.cycle, &stage.activities, &full.attempts);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: the server stops with an immediate shutdown and starts again.

/// A PostgreSQL cluster of this test's own, on a port of its own (so stopping it harms no
/// other test), removed when dropped.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Run the server's programs as this user (PostgreSQL refuses to run as root).
    user: Option<&'static str>,
}

impl Cluster {
    fn new() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions
                    .filter_map(Result::ok)
                    .map(|v| v.path().join("bin"))
                    .filter(|b| b.join("pg_ctl").exists())
                    .max()
            })
            .expect(
                "PostgreSQL's programs under /usr/lib/postgresql (scripts/postgres installs them)",
            );
        let dir = tempfile::tempdir().expect("temp dir");
        let user = is_root().then_some("postgres");
        if let Some(user) = user {
            run("chown", &[user, path_str(dir.path())]);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let cluster = Cluster {
            dir,
            bin,
            port,
            user,
        };
        let data = cluster.data();
        cluster.pg(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        cluster.start();
        cluster
    }

    fn data(&self) -> String {
        format!("{}/data", path_str(self.dir.path()))
    }

    fn pg(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let program = path_str(&program);
        match self.user {
            Some(user) => {
                let mut all = vec!["-u", user, "--", program];
                all.extend_from_slice(args);
                run("runuser", &all);
            }
            None => run(program, args),
        }
    }

    fn start(&self) {
        let data = self.data();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on",
            self.port,
            path_str(self.dir.path())
        );
        let log = format!("{}/server.log", path_str(self.dir.path()));
        self.pg(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &options, "-w", "start"],
        );
    }

    fn stop_immediately(&self) {
        let data = self.data();
        self.pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/waymark", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let program = self.bin.join("pg_ctl");
        let mut command = match self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let _ = command
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}

#[test]
fn postgres_immediate_restart_under_load_loses_nothing_and_recovers() {
    if common::on_postgres() {
        return;
    }
    let cluster = Cluster::new();
    let db = Db::postgres_at(&cluster.url());
    let logs = tempfile::tempdir().expect("log dir");
    let (server, stage) = prepare(&db, || start(&db, logs.path(), 0), OWNERS, ACTIVITIES);
    let zero: HashMap<i64, i64> = stage.activities.iter().map(|a| (*a, 0)).collect();
    let restart = outage(
        &stage,
        &server,
        1,
        &zero,
        || cluster.stop_immediately(),
        || cluster.start(),
    );
    report("PostgreSQL, immediate shutdown and start", &restart);
    assert!(
        restart.statuses.get(&503).is_some_and(|n| *n > 0),
        "the outage was seen (else the test proved nothing): {:?}",
        restart.statuses
    );
    assert!(
        restart.readiness.get(&503).is_some_and(|n| *n > 0),
        "the server said it was not ready while its database was down: {:?}",
        restart.readiness
    );
    // A second outage on the same server process: recovery is not a one-off.
    let revisions = revisions_after(&db, &stage, &restart.attempts);
    let again = outage(
        &stage,
        &server,
        2,
        &revisions,
        || cluster.stop_immediately(),
        || cluster.start(),
    );
    report("PostgreSQL, second restart", &again);
    // People signed in before the outages are still signed in.
    let mut owner: Browser = stage.sessions[0].clone();
    let home = owner.get(&server.base, "/staff").expect("home");
    assert_eq!(home.status, 200, "{}", home.gist());
    drop(server);
    let mut all = restart.attempts;
    all.extend(again.attempts);
    read_back(&db, stage.cycle, &stage.activities, &all);
}
