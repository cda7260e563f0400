//! Whole flows through the `waymark` binary on Bexley's published pages and a real SQLite file.

mod common;

use common::{Db, codes, fixture};
use serde_json::Value;
use std::path::Path;

#[test]
fn stats_recompute_bexleys_headline() {
    let db = Db::new();
    db.import_bexley();
    let stats = db.json(["stats", "--period", "2024/25 Q4", "--format", "json"]);
    assert_eq!(stats["period"], "2024/25 Q4");
    assert_eq!(stats["total"], 116);
    assert_eq!(stats["rows"], 128);
    assert_eq!(stats["counts"]["complete"], 39);
    assert_eq!(stats["counts"]["green"], 58);
    assert_eq!(stats["counts"]["amber"], 17);
    assert_eq!(stats["counts"]["red"], 0);
    assert_eq!(stats["counts"]["ceased"], 2);
    assert_eq!(stats["counts"]["not_started"], 0);
    assert_eq!(stats["counts"]["no_return"], 0);
    assert_eq!(stats["complete_or_on_track"], 97);
    assert_eq!(stats["percent"], 83.6);
    assert_eq!(
        stats["rule"],
        "(Complete + Green) ÷ all activities reported in the period"
    );
    let claim = &stats["published_claim"];
    assert_eq!(claim["percent"], 83.0);
    assert_eq!(claim["consistent"], true);
    assert_eq!(
        claim["note"],
        "83% published; 97 of 116 = 83.6%, rounded down"
    );
    assert!(claim["text"].as_str().expect("text").contains("83%"));
    // "None are 'red'" is checked too.
    let claims = stats["claims"].as_array().expect("claims");
    assert!(claims.iter().all(|c| c["consistent"] == true), "{claims:?}");
    // Breakdowns add up.
    let by_dir: u64 = stats["by_directorate"]
        .as_array()
        .expect("by directorate")
        .iter()
        .map(|b| b["total"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(by_dir, 116);
}

#[test]
fn every_period_spelling_gives_the_same_statistics() {
    let db = Db::new();
    db.import_bexley();
    let default = db.json(["stats", "--format", "json"]);
    for spelling in ["2024/25-Q4", "2024/25 Q4", "2024-25-q4", "Year End 24/25"] {
        assert_eq!(
            db.json(["stats", "--period", spelling, "--format", "json"]),
            default,
            "{spelling}"
        );
    }
    let empty = db.json(["stats", "--period", "2023/24 Q1", "--format", "json"]);
    assert_eq!(empty["total"], 0);
}

#[test]
fn checks_find_bexleys_known_problems() {
    let db = Db::new();
    db.import_bexley();
    let findings = db.json(["check", "--format", "json"]);
    for f in findings.as_array().expect("array") {
        for key in ["code", "severity", "message", "subject", "source"] {
            assert!(f.get(key).is_some(), "finding without {key}: {f}");
        }
    }
    let dups = codes(&findings, "duplicate-row");
    assert_eq!(dups.len(), 12, "{dups:#?}");
    assert!(dups.iter().all(|d| {
        d["source"]
            .as_str()
            .unwrap_or("")
            .contains("annual-performance-report-2024-25.txt:")
    }));
    assert!(codes(&findings, "duplicate-reference").is_empty());
    let unplanned = codes(&findings, "unplanned-activity");
    assert_eq!(unplanned.len(), 1, "{unplanned:#?}");
    assert!(
        unplanned[0]["subject"]
            .as_str()
            .unwrap_or("")
            .starts_with("activity 74")
    );
    let unreported = codes(&findings, "unreported-activity");
    assert_eq!(unreported.len(), 12, "{unreported:#?}");
    assert!(unreported.iter().all(|u| {
        u["source"]
            .as_str()
            .unwrap_or("")
            .contains("action-delivery-plan-2024-12.txt:")
    }));
    let moved = codes(&findings, "moved-directorate");
    assert!(moved.len() >= 10, "{moved:#?}");
    assert!(moved.iter().any(|m| {
        m["message"]
            .as_str()
            .unwrap_or("")
            .contains("Cross cutting")
    }));
    let notes = codes(&findings, "note-in-due-date");
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0]["subject"]
            .as_str()
            .unwrap_or("")
            .contains("youth services hub")
    );
    assert!(!codes(&findings, "vague-due-date").is_empty());
    assert!(!codes(&findings, "overdue").is_empty());
    assert!(!codes(&findings, "renamed").is_empty());
    assert!(codes(&findings, "headline-mismatch").is_empty());
}

#[test]
fn reconcile_lists_links_reviews_and_unmatched_items() {
    let db = Db::new();
    db.import_bexley();
    let records = db.json(["reconcile", "--format", "json"]);
    let records = records.as_array().expect("array");
    for r in records {
        for key in [
            "plan_title",
            "plan_directorate",
            "reference",
            "report_title",
            "report_directorate",
            "score",
            "decision",
        ] {
            assert!(r.get(key).is_some(), "record without {key}: {r}");
        }
    }
    let linked = records.iter().filter(|r| r["decision"] == "linked").count();
    assert!(linked >= 105, "only {linked} linked");
    let report_side = records.iter().filter(|r| !r["reference"].is_null()).count();
    assert_eq!(report_side, 116, "every unique report row appears once");
    let row74 = records
        .iter()
        .find(|r| r["reference"] == "74")
        .expect("row 74");
    assert_ne!(row74["decision"], "linked");
    let csv = db.ok(["reconcile", "--format", "csv"]);
    assert!(csv.starts_with(
        "plan_title,plan_directorate,reference,report_title,report_directorate,score,decision"
    ));
}

/// References whose suggested link awaits a person's decision.
fn in_review(db: &Db) -> Vec<String> {
    let records = db.json(["reconcile", "--format", "json"]);
    records
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["decision"] == "review")
        .filter_map(|r| r["reference"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn accepting_or_rejecting_suggested_links() {
    let db = Db::new();
    db.import_bexley();
    let review = in_review(&db);
    assert!(
        !review.is_empty(),
        "Bexley's reworded titles leave some links for a person"
    );
    let before = db.json(["export", "activities", "--format", "json"]);
    let before = before.as_array().expect("array").len();
    // Rejecting one: the row stays an activity of its own and the plan activity goes unreported.
    let rejected = review[0].clone();
    db.ok(["reconcile", "--reject", &rejected, "--format", "json"]);
    let findings = db.json(["check", "--format", "json"]);
    assert!(codes(&findings, "unplanned-activity").iter().any(|f| {
        f["subject"]
            .as_str()
            .unwrap_or("")
            .starts_with(&format!("activity {rejected}:"))
    }));
    assert_eq!(codes(&findings, "unreported-activity").len(), 13);
    // Deciding the same reference twice is refused with a reason.
    let out = db.run(["reconcile", "--reject", &rejected]);
    assert_eq!(out.status.code(), Some(2));
    // Accepting the rest: each report row folds into its plan activity.
    let mut args = vec!["reconcile".to_string(), "--format".into(), "json".into()];
    for r in &review[1..] {
        args.push("--accept".into());
        args.push(r.clone());
    }
    db.ok(&args);
    assert!(in_review(&db).is_empty());
    let after = db.json(["export", "activities", "--format", "json"]);
    assert_eq!(
        after.as_array().expect("array").len(),
        before - (review.len() - 1)
    );
    let stats = db.json(["stats", "--format", "json"]);
    assert_eq!(
        stats["complete_or_on_track"], 97,
        "decisions never change what was reported"
    );
}

#[test]
fn export_gives_every_activity_with_its_status() {
    let db = Db::new();
    db.import_bexley();
    let review = in_review(&db);
    let mut args = vec!["reconcile".to_string()];
    for r in &review {
        args.push("--accept".into());
        args.push(r.clone());
    }
    if !review.is_empty() {
        db.ok(&args);
    }
    let rows = db.json([
        "export",
        "activities",
        "--period",
        "2024/25 Q4",
        "--format",
        "json",
    ]);
    let rows = rows.as_array().expect("array");
    // 127 plan activities plus the one known only from the report.
    assert_eq!(rows.len(), 128);
    assert_eq!(rows.iter().filter(|r| r["in_plan"] == true).count(), 127);
    assert_eq!(
        rows.iter().filter(|r| r["status"] == "no_return").count(),
        12
    );
    let care_finder = rows
        .iter()
        .find(|r| {
            r["former_titles"].as_array().is_some_and(|t| {
                t.iter()
                    .any(|t| t.as_str().unwrap_or("").contains("care finder 'app'"))
            })
        })
        .expect("the care finder keeps its former title");
    assert_eq!(care_finder["reference"], "4");
    assert_eq!(care_finder["status"], "green");
    assert_eq!(care_finder["due"], "June 2023");
    assert_eq!(care_finder["due_date"], "2023-06-30");
    let csv = db.ok(["export", "activities", "--format", "csv"]);
    let header = csv.lines().next().expect("header");
    for column in [
        "reference",
        "title",
        "directorate",
        "portfolios",
        "due",
        "due_date",
        "status",
        "period",
    ] {
        assert!(
            header.split(',').any(|c| c == column),
            "missing column {column}"
        );
    }
    assert_eq!(csv.lines().count(), 129);
}

#[test]
fn importing_twice_adds_nothing() {
    let db = Db::new();
    db.import_bexley();
    let before = db.snapshot();
    let out = db.import_bexley();
    assert!(out.lines().all(|l| l.contains("already imported")), "{out}");
    assert_eq!(db.snapshot(), before);
}

#[test]
fn as_of_shows_data_as_it_stood() {
    let db = Db::new();
    db.import_bexley();
    let rows = db.json([
        "export",
        "activities",
        "--as-of",
        "2000-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(rows.as_array().expect("array").len(), 0);
    let stats = db.json(["stats", "--as-of", "2000-01-01", "--format", "json"]);
    assert_eq!(stats["total"], 0);
    let today = chrono::Utc::now().date_naive().to_string();
    let now = db.json(["export", "activities", "--format", "json"]);
    let rows = db.json([
        "export",
        "activities",
        "--as-of",
        &today,
        "--format",
        "json",
    ]);
    assert_eq!(rows, now);
    assert!(rows.as_array().expect("array").len() >= 128);
}

fn assert_rejected(db: &Db, args: &[&std::ffi::OsStr], names: &str) {
    let before = db.snapshot();
    let out = db.run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2, got {:?}: {stderr}",
        out.status
    );
    assert!(
        stderr.contains(names),
        "stderr should name {names}: {stderr}"
    );
    assert_eq!(
        db.snapshot(),
        before,
        "a rejected import changed the database"
    );
}

#[test]
fn bad_files_are_rejected_with_file_and_line_and_change_nothing() {
    let db = Db::new();
    db.import_bexley();
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    };
    let good = fixture("bexley/action-delivery-plan-2024-12.txt");
    let empty = write("empty.txt", b"");
    let blank = write("blank.txt", b"  \n\n \t\n");
    let binary = write("binary.txt", &[0x89, b'P', b'N', b'G', 0, 0, 1, 2, 3]);
    let invalid = write(
        "latin1.txt",
        b"Our activity in 2024/25\nReferenceActivityRAG Year End 24/25\n5Caf\xe9 reviewComplete\n",
    );
    let report = std::fs::read_to_string(fixture("bexley/annual-performance-report-2024-25.txt"))
        .expect("report");
    let truncated = write(
        "truncated.txt",
        report
            .lines()
            .take(9)
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
    );
    let huge = dir.path().join("huge.txt");
    {
        let f = std::fs::File::create(&huge).expect("create");
        f.set_len(17 * 1024 * 1024).expect("grow");
    }
    let cases: Vec<(&Path, &str)> = vec![
        (&empty, "empty.txt"),
        (&blank, "blank.txt"),
        (&binary, "binary.txt"),
        (&invalid, "latin1.txt:3"),
        (&huge, "huge.txt"),
        (Path::new("/nonexistent/plan.txt"), "/nonexistent/plan.txt"),
    ];
    for (path, names) in cases {
        // A good file imported alongside a bad one is not imported either.
        assert_rejected(
            &db,
            &[
                std::ffi::OsStr::new("import"),
                good.as_os_str(),
                path.as_os_str(),
            ],
            names,
        );
    }
    // A truncated report cut after its header says where, whichever importer it is forced through.
    let out = db.run([
        std::ffi::OsStr::new("import"),
        std::ffi::OsStr::new("--kind"),
        std::ffi::OsStr::new("activity-report"),
        truncated.as_os_str(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated.txt"));
}

#[test]
fn bad_options_exit_2_with_a_reason() {
    let db = Db::new();
    let out = db.run(["stats"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("import"));
    assert!(!db.exists(), "a read command must not create a database");
    db.import_bexley();
    for args in [
        vec!["stats", "--period", "2024/25 Q5"],
        vec!["stats", "--period", "next year"],
        vec![
            "export",
            "activities",
            "--as-of",
            "31/03/2025",
            "--format",
            "csv",
        ],
        vec!["export", "activities", "--format", "xml"],
        vec!["import", "--kind", "poem", "x.txt"],
        vec!["--council", "nowhere", "stats"],
        vec!["frobnicate"],
    ] {
        let out = db.run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn hostile_text_cannot_become_a_spreadsheet_formula() {
    let db = Db::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.txt");
    std::fs::write(
        &path,
        "Our activity in 2024/25\n\nPlace directorate corporate plan action delivery plan\n\nReference\tActivity\tRAG Year End 24/25\n1\t=HYPERLINK(\"http://example.invalid\",\"x\")\tGreen\n2\t<script>alert(1)</script>\tComplete\n",
    )
    .expect("write");
    db.ok([std::ffi::OsStr::new("import"), path.as_os_str()]);
    let csv = db.ok(["export", "activities", "--format", "csv"]);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.lines()
            .any(|l| l.split(',').any(|c| c.starts_with('=')))
    );
    let json = db.json(["export", "activities", "--format", "json"]);
    assert!(
        json.as_array()
            .expect("array")
            .iter()
            .any(|r| r["title"] == "<script>alert(1)</script>")
    );
}

#[test]
fn demo_loads_bexley_and_prints_the_summary() {
    let db = Db::new();
    let out = db.ok(["demo", "--load-only"]);
    assert!(out.contains("97 of 116 = 83.6%"), "{out}");
    assert!(out.contains("rounded down"), "{out}");
    let again = db.ok(["demo", "--load-only", "--format", "json"]);
    let v: Value = serde_json::from_str(&again).expect("json");
    assert_eq!(v["stats"]["total"], 116);
}

/// The whole pipeline (import, reconcile, store) measured against the hand-labelled links.
#[test]
fn stored_links_agree_with_the_labelled_expectation() {
    let db = Db::new();
    db.import_bexley();
    let mut expected = std::collections::HashMap::new();
    let mut reader = csv::Reader::from_path(fixture("bexley/expected-links.csv")).expect("labels");
    for record in reader.records() {
        let record = record.expect("label row");
        let (reference, plan_title) = (record[0].to_string(), record[3].to_string());
        if !reference.is_empty() && !plan_title.is_empty() {
            expected.insert(reference, waymark_domain::text::fold(&plan_title));
        }
    }
    assert_eq!(expected.len(), 115);
    let records = db.json(["reconcile", "--format", "json"]);
    let (mut right, mut wrong) = (0, 0);
    for r in records
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["decision"] == "linked")
    {
        let reference = r["reference"].as_str().expect("reference");
        let plan = waymark_domain::text::fold(r["plan_title"].as_str().expect("plan title"));
        if expected.get(reference) == Some(&plan) {
            right += 1;
        } else {
            wrong += 1;
        }
    }
    let precision = right as f64 / (right + wrong) as f64;
    let recall = right as f64 / expected.len() as f64;
    println!("precision {precision:.3}, recall {recall:.3} ({right} right, {wrong} wrong)");
    assert!(precision >= 0.98, "precision {precision:.3}");
    assert!(recall >= 0.90, "recall {recall:.3}");
}
