//! `waymark backup`, `restore` and `copy`: what people read back is the same after every move,
//! and a move that cannot be made exits with 2, says which file is wrong, and changes nothing.

mod common;

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output};

fn waymark<I, S>(db: &OsString, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_waymark"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_COUNCIL")
        .output()
        .expect("run waymark")
}

fn ok<I, S>(db: &OsString, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = waymark(db, args);
    assert!(
        out.status.success(),
        "waymark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Exit code 2 with a message on stderr, which is returned.
fn refused<I, S>(db: &OsString, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = waymark(db, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "expected a refusal: {stderr}");
    assert!(out.stdout.is_empty(), "a refusal prints no summary");
    stderr
}

/// What people read: the activities with their statuses, and the statistics.
fn view(db: &OsString) -> String {
    let activities = ok(db, ["export", "activities", "--format", "json"]);
    let stats = ok(db, ["stats", "--format", "json"]);
    assert!(activities.len() > 1000, "the demo data is loaded");
    format!("{activities}\n{stats}")
}

fn os(path: &Path) -> OsString {
    path.as_os_str().to_owned()
}

/// A fresh PostgreSQL database (with a password in its URL that must never be shown), dropped
/// when the test ends; `None` when this run has no PostgreSQL.
struct Postgres {
    url: String,
}

impl Postgres {
    fn new() -> Option<Postgres> {
        let server = std::env::var("WAYMARK_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        if server == "off" {
            return None;
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let name = format!("waymark_test_copy_{}_{nanos}", std::process::id());
        // The test server trusts its clients, so the password is accepted and ignored.
        let server =
            server
                .trim_end_matches('/')
                .replacen("://postgres@", "://postgres:hunter2@", 1);
        Some(Postgres {
            url: format!("{server}/{name}"),
        })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        waymark_testkit::drop_database(&self.url);
    }
}

#[test]
fn backup_restore_and_copy_keep_what_people_read() {
    // The original is on the backend this run of the suite uses.
    let db = common::Db::new();
    db.ok(["demo", "--load-only"]);
    let original = db.url.clone();
    let expected = view(&original);

    let dir = tempfile::tempdir().expect("temp dir");
    let backup = dir.path().join("bexley.backup");
    let said = ok(
        &original,
        [OsString::from("backup"), "--out".into(), os(&backup)],
    );
    assert!(
        said.starts_with("backed up ") && said.contains("(1 council)"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1);

    let restored = os(&dir.path().join("restored.db"));
    let said = ok(&restored, [OsString::from("restore"), os(&backup)]);
    assert!(said.starts_with("restored "), "{said}");
    assert_eq!(view(&restored), expected);

    let Some(postgres) = Postgres::new() else {
        return;
    };
    let unused = OsString::from(dir.path().join("unused.db"));
    let said = ok(
        &unused,
        [
            "copy",
            "--from",
            &original.to_string_lossy(),
            "--to",
            &postgres.url,
        ],
    );
    assert!(
        said.starts_with("copied ") && said.contains(":***@"),
        "{said}"
    );
    assert!(!said.contains("hunter2"), "the password is shown: {said}");
    assert_eq!(view(&OsString::from(&postgres.url)), expected);

    let back = dir.path().join("back.db");
    ok(
        &unused,
        [
            "copy",
            "--from",
            &postgres.url,
            "--to",
            &back.to_string_lossy(),
        ],
    );
    assert_eq!(view(&os(&back)), expected);
    assert!(!Path::new(&unused).exists(), "copy does not touch --db");

    // A PostgreSQL database backs up to a SQLite file like any other.
    let from_postgres = dir.path().join("from-postgres.backup");
    let said = ok(
        &OsString::from(&postgres.url),
        [OsString::from("backup"), "--out".into(), os(&from_postgres)],
    );
    assert!(!said.contains("hunter2"), "{said}");
    let again = os(&dir.path().join("again.db"));
    ok(&again, [OsString::from("restore"), os(&from_postgres)]);
    assert_eq!(view(&again), expected);
}

#[test]
fn moves_that_cannot_be_made_exit_2_name_the_file_and_change_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name);
    let original = os(&path("original.db"));
    ok(&original, ["demo", "--load-only"]);
    let expected = view(&original);

    // A backup never overwrites a file.
    std::fs::write(path("taken.db"), "keep me").expect("write");
    let said = refused(
        &original,
        [
            OsString::from("backup"),
            "--out".into(),
            os(&path("taken.db")),
        ],
    );
    assert!(
        said.contains("taken.db") && said.contains("already exists"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(path("taken.db")).expect("read"),
        "keep me"
    );

    // Restoring from a missing file or from something that is not a backup creates nothing.
    std::fs::write(path("notes.txt"), "not a database").expect("write");
    let target = os(&path("target.db"));
    for (file, says) in [
        ("missing.backup", "does not exist"),
        ("notes.txt", "not a Waymark database"),
    ] {
        let said = refused(&target, [OsString::from("restore"), os(&path(file))]);
        assert!(said.contains(file) && said.contains(says), "{said}");
        assert!(
            !path("target.db").exists(),
            "a failed restore created the database"
        );
    }
    assert_eq!(
        std::fs::read_to_string(path("notes.txt")).expect("read"),
        "not a database"
    );

    // Into a database that already holds a council: refused without --replace.
    let backup = path("good.backup");
    ok(
        &original,
        [OsString::from("backup"), "--out".into(), os(&backup)],
    );
    ok(&target, [OsString::from("restore"), os(&backup)]);
    ok(&target, ["config", "headline", "--count", "complete"]);
    let changed = view(&target);
    assert_ne!(changed, expected);
    let said = refused(&target, [OsString::from("restore"), os(&backup)]);
    assert!(
        said.contains("target.db") && said.contains("--replace"),
        "{said}"
    );
    let said = refused(
        &original,
        [
            "copy",
            "--from",
            &original.to_string_lossy(),
            "--to",
            &target.to_string_lossy(),
        ],
    );
    assert!(
        said.contains("target.db") && said.contains("--replace"),
        "{said}"
    );
    assert_eq!(view(&target), changed);
    // With --replace the target becomes the backup again.
    ok(
        &target,
        [OsString::from("restore"), os(&backup), "--replace".into()],
    );
    assert_eq!(view(&target), expected);

    // A database cannot be copied onto itself.
    let said = refused(
        &original,
        [
            "copy",
            "--from",
            &original.to_string_lossy(),
            "--to",
            &original.to_string_lossy(),
            "--replace",
        ],
    );
    assert!(said.contains("original.db"), "{said}");
    assert_eq!(view(&original), expected);

    let Some(postgres) = Postgres::new() else {
        return;
    };
    let from = original.to_string_lossy().into_owned();
    ok(&original, ["copy", "--from", &from, "--to", &postgres.url]);
    let said = refused(&original, ["copy", "--from", &from, "--to", &postgres.url]);
    assert!(
        said.contains(":***@") && said.contains("--replace"),
        "{said}"
    );
    assert!(!said.contains("hunter2"), "the password is shown: {said}");
    assert_eq!(view(&OsString::from(&postgres.url)), expected);
}
