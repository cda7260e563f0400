//! Running the `waymark` binary against a fresh SQLite file, for the integration tests.
#![allow(dead_code)]

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
    pub path: PathBuf,
}

impl Db {
    pub fn new() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("waymark.db");
        Db { _dir: dir, path }
    }

    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Command::new(env!("CARGO_BIN_EXE_waymark"))
            .arg("--db")
            .arg(&self.path)
            .args(args)
            .env_remove("WAYMARK_DB")
            .env_remove("WAYMARK_COUNCIL")
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
        if !self.path.exists() {
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

pub fn codes(findings: &Value, code: &str) -> Vec<Value> {
    findings
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["code"] == code)
        .cloned()
        .collect()
}
