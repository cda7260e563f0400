//! Running the `waymark` binary against a fresh database, for the integration tests: a SQLite
//! file, or with `WAYMARK_TEST_BACKEND=postgres` a new PostgreSQL database on the server at
//! `WAYMARK_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432`), dropped afterwards.
#![allow(dead_code)]

pub mod load;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

pub fn bexley_files() -> Vec<PathBuf> {
    [
        "corporate-plan.txt",
        "principles.txt",
        "action-delivery-plan-2024-12.txt",
        "annual-performance-report-2024-25.txt",
        "childrens-services-vision.txt",
    ]
    .iter()
    .map(|f| fixture(&format!("bexley/{f}")))
    .collect()
}

pub struct Db {
    _dir: tempfile::TempDir,
    /// The SQLite file (also used, on PostgreSQL runs, as a scratch path that never exists).
    pub path: PathBuf,
    /// What `--db` is given: the file path or the PostgreSQL URL.
    pub url: std::ffi::OsString,
    postgres: bool,
}

/// Whether this run of the suite is against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("WAYMARK_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

impl Db {
    pub fn new() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("waymark.db");
        if on_postgres() {
            let server = waymark_testkit::postgres_server();
            let url = format!("{server}/{}", waymark_testkit::unique_name("waymark_test"));
            return Db {
                _dir: dir,
                path,
                url: url.into(),
                postgres: true,
            };
        }
        Db {
            _dir: dir,
            url: path.clone().into_os_string(),
            path,
            postgres: false,
        }
    }

    /// A SQLite database at a path of the test's choosing (e.g. on a file system it breaks).
    pub fn sqlite_at(path: &Path) -> Db {
        Db {
            _dir: tempfile::tempdir().expect("temp dir"),
            path: path.to_path_buf(),
            url: path.as_os_str().to_os_string(),
            postgres: false,
        }
    }

    /// A PostgreSQL database at a URL of the test's choosing (e.g. on a server it stops),
    /// dropped afterwards like the others.
    pub fn postgres_at(url: &str) -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        Db {
            path: dir.path().join("waymark.db"),
            _dir: dir,
            url: url.into(),
            postgres: true,
        }
    }

    /// Whether the database has been created (by a command that writes).
    pub fn exists(&self) -> bool {
        if self.postgres {
            let out = self.run(["config", "show"]);
            !String::from_utf8_lossy(&out.stderr).contains("no database at")
        } else {
            self.path.exists()
        }
    }

    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Command::new(env!("CARGO_BIN_EXE_waymark"))
            .arg("--db")
            .arg(&self.url)
            .args(args)
            .env_remove("WAYMARK_DB")
            .env_remove("WAYMARK_COUNCIL")
            .env_remove("WAYMARK_CONFIG")
            .env_remove("WAYMARK_AUDIT_KEY_FILE")
            .output()
            .expect("run waymark")
    }

    pub fn ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "waymark failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    pub fn json<I, S>(&self, args: I) -> Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        serde_json::from_str(&self.ok(args)).expect("valid JSON")
    }

    pub fn import_bexley(&self) -> String {
        let mut args: Vec<std::ffi::OsString> = vec!["import".into()];
        args.extend(bexley_files().into_iter().map(|p| p.into_os_string()));
        self.ok(args)
    }

    /// Everything a user can read back: used to prove a failed command changed nothing.
    pub fn snapshot(&self) -> String {
        if !self.postgres && !self.path.exists() {
            return "no database".into();
        }
        let mut all = String::new();
        for args in [
            vec!["export", "activities", "--format", "json"],
            vec!["reconcile", "--format", "json"],
            vec!["stats", "--format", "json"],
            vec!["check", "--format", "json"],
        ] {
            let out = self.run(&args);
            all.push_str(&String::from_utf8_lossy(&out.stdout));
            all.push_str(&String::from_utf8_lossy(&out.stderr));
        }
        all
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if !self.postgres {
            return;
        }
        waymark_testkit::drop_database(&self.url.to_string_lossy());
    }
}

pub fn codes(findings: &Value, code: &str) -> Vec<Value> {
    findings
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["code"] == code)
        .cloned()
        .collect()
}
