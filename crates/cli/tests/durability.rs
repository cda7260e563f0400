//! Durability under a crash: a real `waymark serve` process takes many owners' returns at once
//! and is killed with SIGKILL mid-stream, several times over. Every return the server
//! acknowledged (303 to `?done=saved|submitted`) must still be there afterwards with exactly what
//! was sent, nothing the server refused may be there, every stored version must have its audit
//! event, and the audit chain must verify.
//!
//! What this does not prove: a SIGKILL leaves the operating system's page cache intact, so it
//! tests that acknowledgements follow commits and that commits are atomic, not that the disk
//! write reached stable storage (that needs a power cut, e.g. a VM or dm-flakey).

mod common;

use common::Db;
use common::load::{
    Attempt, Outcome, Shared, hidden, jitter, prepare, read_back, spawn_workers, start,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

const OWNERS: usize = 8;
/// Clients per owner, sharing the owner's session, each with activities of its own.
const THREADS_PER_OWNER: usize = 2;
const ACTIVITIES: usize = 64;
const ROUNDS: usize = 6;
/// Acknowledgements to wait for before each kill (plus up to 99 more, so kills land at
/// different points).
const ACKS_PER_ROUND: usize = 250;
/// Guards only: nothing waits this long when all is well.
const GUARD: Duration = common::load::GUARD;

#[test]
fn acknowledged_returns_survive_sigkill_with_their_audit_trail() {
    let started = Instant::now();
    let db = Db::new();
    let logs = tempfile::tempdir().expect("log dir");
    let (mut server, stage) = prepare(&db, || start(&db, logs.path(), 0), OWNERS, ACTIVITIES);
    let mut servers = 1;
    let (cycle, activities, sessions, per_owner) = (
        stage.cycle,
        stage.activities.clone(),
        stage.sessions.clone(),
        stage.per_owner,
    );
    let setup = started.elapsed();

    let mut revisions: HashMap<i64, i64> = activities.iter().map(|a| (*a, 0)).collect();
    let mut attempts: Vec<Attempt> = vec![];
    let mut last_history = HashMap::new();
    for round in 1..=ROUNDS {
        if round > 1 {
            server = start(&db, logs.path(), servers);
            servers += 1;
        }
        let round_started = Instant::now();
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            killed: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
        });
        let (acks, acked) = mpsc::channel();
        let workers = spawn_workers(
            &stage,
            &server.base,
            round,
            THREADS_PER_OWNER,
            &revisions,
            &shared,
            &acks,
        );
        drop(acks);
        let target = ACKS_PER_ROUND + jitter(100) as usize;
        let mut waited = Ok(());
        for n in 0..target {
            if let Err(e) = acked.recv_timeout(GUARD) {
                waited = Err(format!("after {n} acknowledgements: {e}"));
                break;
            }
        }
        // Kill with requests in flight, at a point of the commit cycle that varies from round
        // to round (not for correctness: every outcome is checked whenever the kill lands);
        // workers stop when they next look.
        std::thread::sleep(Duration::from_micros(u64::from(jitter(3000))));
        let in_flight = shared.in_flight.load(Ordering::SeqCst);
        shared.killed.store(true, Ordering::SeqCst);
        server.kill();
        shared.stop.store(true, Ordering::SeqCst);
        let load_time = round_started.elapsed();
        let mut this_round = vec![];
        for w in workers {
            this_round.extend(w.join().expect("worker thread"));
        }
        let failures = server.failures();
        let refused: Vec<Attempt> = this_round
            .iter()
            .filter(|a| {
                matches!(
                    a.outcome,
                    Outcome::Refused(_) | Outcome::Broken(_) | Outcome::Unavailable(_)
                )
            })
            .cloned()
            .collect();
        if let Err(why) = waited {
            panic!(
                "round {round}: the load stalled {why}; refused: {:#?}; server log: {failures:#?}",
                refused.iter().take(10).collect::<Vec<_>>()
            );
        }
        let acked_n = this_round
            .iter()
            .filter(|a| a.outcome == Outcome::Acked)
            .count();
        let unknown_n = this_round
            .iter()
            .filter(|a| matches!(a.outcome, Outcome::Unknown(_)))
            .count();
        attempts.extend(this_round);

        let back = read_back(&db, cycle, &activities, &attempts);
        for (activity, history) in &back.history {
            revisions.insert(*activity, i64::try_from(history.len()).expect("count"));
        }
        last_history = back.history;
        eprintln!(
            "round {round}: {acked_n} acknowledged ({target} awaited) in {:.1}s, {in_flight} in flight at the kill, {unknown_n} unanswered of which {} stored; {} refused; {} versions stored in all; server errors logged: {}",
            load_time.as_secs_f64(),
            back.unacked_stored.iter().filter(|r| **r == round).count(),
            refused.len(),
            back.versions,
            failures.len()
        );
        for r in refused.iter().take(5) {
            eprintln!("  refused: {r:?}");
        }
        for f in failures.iter().take(5) {
            eprintln!("  server: {f}");
        }
        assert!(
            refused.is_empty(),
            "round {round}: requests were refused or failed before the kill: {:#?}; server log: {failures:#?}",
            refused.iter().take(10).collect::<Vec<_>>()
        );
    }

    // After the last crash the server comes back, shows the last acknowledged revision and
    // takes another.
    let mut server = start(&db, logs.path(), servers);
    let base = server.base.clone();
    let last = attempts
        .iter()
        .rev()
        .find(|a| a.outcome == Outcome::Acked)
        .expect("something was acknowledged");
    let owner = activities
        .iter()
        .position(|a| *a == last.activity)
        .map(|i| i / per_owner)
        .expect("the activity's owner");
    let mut session = sessions[owner].clone();
    let path = format!("/staff/periods/{cycle}/activities/{}", last.activity);
    let page = session.get(&base, &path).expect("return page");
    assert_eq!(page.status, 200, "{}", page.gist());
    let current = revisions[&last.activity];
    assert_eq!(
        hidden(&page.body, "revision"),
        Some(current.to_string()),
        "the page offers the stored revision"
    );
    let shown = last_history
        .get(&last.activity)
        .and_then(|h| h.last())
        .map(|v| v.content.commentary.clone())
        .expect("the latest version");
    assert!(
        page.body.contains(&shown),
        "the page shows the latest commentary {shown:?}"
    );
    let to = session.post_ok(
        &base,
        &path,
        &[
            ("action", "submit"),
            ("revision", &current.to_string()),
            ("status", "green"),
            ("commentary", "after the crashes"),
            ("evidence", ""),
        ],
    );
    assert!(to.ends_with("?done=submitted"), "{to}");
    server.kill();
    eprintln!(
        "durability: set-up {:.1}s, {ROUNDS} rounds, {} acknowledged in all, total {:.1}s",
        setup.as_secs_f64(),
        attempts
            .iter()
            .filter(|a| a.outcome == Outcome::Acked)
            .count(),
        started.elapsed().as_secs_f64()
    );
}
