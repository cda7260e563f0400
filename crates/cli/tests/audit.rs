//! The audit trail's keys from the command line: events sealed by every writer, a signed
//! checkpoint taken and checked later (new events fine, events cut off the end or a changed
//! checkpoint refused), and `serve` refusing to listen beyond this machine without a key.

mod common;

use common::Db;
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `waymark --db DB [--config FILE] ARGS`, with no key from the environment unless given.
fn waymark(db: &Db, config: Option<&Path>, env_key: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_waymark"));
    command
        .arg("--db")
        .arg(&db.url)
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_COUNCIL")
        .env_remove("WAYMARK_CONFIG")
        .env_remove("WAYMARK_AUDIT_KEY_FILE")
        .env_remove("WAYMARK_ADDR");
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    if let Some(key) = env_key {
        command.env("WAYMARK_AUDIT_KEY_FILE", key);
    }
    command.args(args).output().expect("run waymark")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "waymark failed: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A folder for the keys and checkpoints (the database's own folder on SQLite runs).
fn scratch(db: &Db) -> PathBuf {
    db.path.parent().expect("folder").to_path_buf()
}

fn write_key(path: &Path) {
    std::fs::write(path, format!("{}\n", "3c".repeat(32))).expect("key");
}

async fn connect(db: &Db) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    let url = if common::on_postgres() {
        db.url.to_string_lossy().into_owned()
    } else {
        format!("sqlite:{}", db.path.display())
    };
    sqlx::AnyConnection::connect(&url).await.expect("connect")
}

/// Delete the newest `n` events as someone with the database's rights would.
async fn cut_events(db: &Db, n: i64) {
    let mut conn = connect(db).await;
    let lift = if common::on_postgres() {
        "ALTER TABLE audit_events DISABLE TRIGGER USER"
    } else {
        "DROP TRIGGER audit_events_no_delete"
    };
    sqlx::query(lift).execute(&mut conn).await.expect("lift");
    sqlx::query("DELETE FROM audit_events WHERE seq > (SELECT MAX(seq) FROM audit_events) - $1")
        .bind(n)
        .execute(&mut conn)
        .await
        .expect("delete");
}

#[tokio::test]
async fn a_checkpoint_is_taken_and_checked_from_the_command_line() {
    let db = Db::new();
    db.import_bexley();
    let dir = scratch(&db);
    let key = dir.join("audit.key");
    write_key(&key);
    let config = dir.join("waymark.toml");
    std::fs::write(
        &config,
        "[audit]\nkey_file = \"audit.key\"\nsigning_key_file = \"checkpoint.key\"\n",
    )
    .expect("config");
    let config = Some(config.as_path());

    // Command-line writers seal their events with the configured key.
    ok(waymark(
        &db,
        config,
        None,
        &["user", "add", "admin@example.gov.uk", "--role", "admin"],
    ));
    let out = ok(waymark(&db, config, None, &["audit", "verify"]));
    assert!(
        out.contains("Seals: 2 events sealed, each checked"),
        "{out}"
    );

    // Without the key the chain is checked and the seals are said not to be.
    let out = ok(waymark(&db, None, None, &["audit", "verify"]));
    assert!(out.contains("Seals: not checked"), "{out}");

    let checkpoint = dir.join("checkpoint-1.json");
    let cp = checkpoint.to_str().expect("path");
    let out = ok(waymark(
        &db,
        config,
        None,
        &["audit", "checkpoint", "--out", cp],
    ));
    assert!(out.contains("Made a new checkpoint signing key"), "{out}");
    assert!(out.contains("event 2 of 2"), "{out}");
    let public = dir.join("checkpoint.key.pub");
    assert!(
        public.exists(),
        "the public key is written beside the signing key"
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint).expect("read")).expect("json");
    assert_eq!(saved["seq"], 2);
    assert_eq!(saved["format"], "waymark-audit-checkpoint/1");

    // A checkpoint never overwrites a file.
    let again = waymark(&db, config, None, &["audit", "checkpoint", "--out", cp]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));

    // More work after the checkpoint (sealed by the key from the environment this time).
    ok(waymark(
        &db,
        None,
        Some(&key),
        &["user", "add", "owner@example.gov.uk", "--role", "owner"],
    ));
    let public_arg = public.to_str().expect("path");
    let out = ok(waymark(
        &db,
        config,
        None,
        &[
            "audit",
            "verify",
            "--checkpoint",
            cp,
            "--public-key",
            public_arg,
        ],
    ));
    assert!(
        out.contains("Checkpoint: event 2 still has the hash"),
        "{out}"
    );
    assert!(out.contains("(2 events since)"), "{out}");
    // --expect-head still means "nothing since".
    let head = saved["hash"].as_str().expect("hash");
    let strict = waymark(
        &db,
        config,
        None,
        &["audit", "verify", "--expect-head", head],
    );
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));

    // A changed checkpoint is refused, naming the file.
    let forged = dir.join("forged.json");
    let original = std::fs::read_to_string(&checkpoint).expect("read");
    std::fs::write(&forged, original.replace("\"seq\": 2", "\"seq\": 1")).expect("write");
    let out = waymark(
        &db,
        config,
        None,
        &[
            "audit",
            "verify",
            "--checkpoint",
            forged.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("forged.json"), "{}", text(&out));
    assert!(
        text(&out).contains("signature does not match"),
        "{}",
        text(&out)
    );

    // A checkpoint signed with another key is refused when the deployment's key is pinned.
    let other_key = dir.join("other.key");
    let other = dir.join("other.json");
    ok(waymark(
        &db,
        config,
        None,
        &[
            "audit",
            "checkpoint",
            "--out",
            other.to_str().expect("path"),
            "--key-file",
            other_key.to_str().expect("path"),
        ],
    ));
    let out = waymark(
        &db,
        config,
        None,
        &[
            "audit",
            "verify",
            "--checkpoint",
            other.to_str().expect("path"),
            "--public-key",
            public_arg,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("not by the expected key"),
        "{}",
        text(&out)
    );
    // Pinned by default to this deployment's own signing key.
    let out = waymark(
        &db,
        config,
        None,
        &[
            "audit",
            "verify",
            "--checkpoint",
            other.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // Cut the newest three events (past the checkpoint's): the chain still links, the
    // checkpoint says the trail got shorter.
    cut_events(&db, 3).await;
    ok(waymark(&db, config, None, &["audit", "verify"]));
    let out = waymark(
        &db,
        config,
        None,
        &[
            "audit",
            "verify",
            "--checkpoint",
            cp,
            "--public-key",
            public_arg,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("BROKEN: the trail ends at event 1"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_configured_key_that_cannot_be_read_stops_writers() {
    let db = Db::new();
    db.import_bexley();
    let missing = scratch(&db).join("no-such.key");
    let out = waymark(
        &db,
        None,
        Some(&missing),
        &["user", "add", "admin@example.gov.uk", "--role", "admin"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no-such.key"), "{}", text(&out));
    let bad = scratch(&db).join("short.key");
    std::fs::write(&bad, "abcd\n").expect("write");
    let out = waymark(&db, None, Some(&bad), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("short.key"), "{}", text(&out));
}

#[test]
fn serve_refuses_to_listen_beyond_loopback_without_a_key() {
    let db = Db::new();
    db.import_bexley();
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let out = waymark(&db, None, None, &["serve", "--addr", addr]);
        assert_eq!(out.status.code(), Some(2), "{addr}: {}", text(&out));
        let said = text(&out);
        assert!(
            said.contains(&format!("refusing to serve on {addr} without an audit key")),
            "{said}"
        );
        assert!(said.contains("key_file"), "{said}");
        assert!(!said.contains("Waymark is serving"), "{said}");
    }
    // A key that is configured but missing is named, whatever the address.
    let missing = scratch(&db).join("missing.key");
    let out = waymark(&db, None, Some(&missing), &["serve", "--addr", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("missing.key"), "{}", text(&out));
}

#[test]
fn demo_makes_a_key_beside_a_sqlite_database() {
    if common::on_postgres() {
        return; // The key beside the database is for SQLite files only.
    }
    let db = Db::new();
    let out = ok(waymark(&db, None, None, &["demo", "--load-only"]));
    let mut beside = db.path.clone().into_os_string();
    beside.push(".audit-key");
    let beside = PathBuf::from(beside);
    assert!(out.contains("Made an audit key at"), "{out}");
    let written = std::fs::read_to_string(&beside).expect("key file");
    assert_eq!(written.trim().len(), 64, "32 random bytes in hex");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&beside)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Kept as it is by later runs, and used by every writer and the check.
    ok(waymark(&db, None, None, &["demo", "--load-only"]));
    assert_eq!(std::fs::read_to_string(&beside).expect("key"), written);
    ok(waymark(
        &db,
        None,
        None,
        &["user", "add", "admin@example.gov.uk", "--role", "admin"],
    ));
    let out = ok(waymark(&db, None, None, &["audit", "verify"]));
    assert!(
        out.contains("Seals: 2 events sealed, each checked"),
        "{out}"
    );
    // A checkpoint's signing key goes beside the audit key by default.
    let cp = db.path.with_file_name("cp.json");
    ok(waymark(
        &db,
        None,
        None,
        &["audit", "checkpoint", "--out", cp.to_str().expect("path")],
    ));
    let mut signing = beside.into_os_string();
    signing.push(".signing");
    assert!(PathBuf::from(signing).exists());
}
