//! Flows beyond Bexley's pages: indicators, vocabularies, headline rules, plan revisions, exports.

mod common;

use common::{Db, fixture};
use std::ffi::OsStr;

fn import(db: &Db, files: &[&str]) -> String {
    let mut args: Vec<std::ffi::OsString> = vec!["import".into()];
    args.extend(files.iter().map(|f| fixture(f).into_os_string()));
    db.ok(args)
}

#[test]
fn kpi_tables_import_and_export_with_their_rag() {
    let db = Db::new();
    let out = import(&db, &["examples/kpi-table.txt"]);
    assert!(out.contains("as kpi-table"), "{out}");
    let values = db.json(["export", "indicators", "--format", "json"]);
    let values = values.as_array().expect("array");
    let fc01: Vec<_> = values
        .iter()
        .filter(|v| v["reference"] == "FC_01")
        .collect();
    assert_eq!(fc01.len(), 2, "two outturns");
    assert_eq!(fc01[0]["year"], "2023/24");
    assert_eq!(fc01[0]["value"], 89.02);
    assert_eq!(fc01[1]["year"], "2024/25");
    assert_eq!(fc01[1]["text"], "91.21%");
    assert_eq!(fc01[1]["rag"], "Amber");
    assert_eq!(fc01[1]["direction"], "increase");
    let count = values
        .iter()
        .find(|v| v["text"] == "20,843")
        .expect("a count with a thousands separator");
    assert_eq!(count["value"], 20843.0);
    let na = values
        .iter()
        .find(|v| v["text"] == "N/A")
        .expect("a missing value");
    assert!(na["value"].is_null());
    let csv = db.ok(["export", "indicators", "--format", "csv"]);
    assert!(
        csv.starts_with(
            "reference,name,frequency,section,year,text,value,unit,rag,direction,source"
        )
    );
}

#[test]
fn plan_export_holds_themes_outcomes_principles_values_and_strategies() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);
    let plan = db.json(["export", "plan"]);
    let themes = plan["themes"].as_array().expect("themes");
    assert_eq!(themes.len(), 3);
    let outcomes: Vec<i64> = themes
        .iter()
        .flat_map(|t| {
            t["outcomes"]
                .as_array()
                .expect("outcomes")
                .iter()
                .map(|o| o["number"].as_i64().unwrap_or(0))
        })
        .collect();
    assert_eq!(outcomes, (1..=15).collect::<Vec<_>>());
    assert_eq!(plan["principles"].as_array().expect("principles").len(), 6);
    assert!(
        plan["principles"][0]["explanation"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    assert_eq!(plan["values"].as_array().expect("values").len(), 2);
    assert_eq!(plan["strategies"].as_array().expect("strategies").len(), 1);
}

#[test]
fn a_council_label_must_be_mapped_before_it_counts() {
    let db = Db::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("q3.txt");
    std::fs::write(
        &report,
        "Quarterly performance report\nQuarter 3 2024/25\n\nPlace directorate\nReference\tActivity\tStatus\n1\tOpen the new library\tBlue\n2\tResurface the high street\tGreen\n",
    )
    .expect("write");
    let out = db.run([OsStr::new("import"), report.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("q3.txt:6"), "{stderr}");
    assert!(stderr.contains("Blue"), "{stderr}");
    let vocabulary = fixture("examples/vocabulary.toml");
    db.ok([
        OsStr::new("import"),
        OsStr::new("--vocabulary"),
        vocabulary.as_os_str(),
        report.as_os_str(),
    ]);
    let stats = db.json(["stats", "--format", "json"]);
    assert_eq!(stats["period"], "2024/25 Q3");
    assert_eq!(stats["counts"]["complete"], 1);
    assert_eq!(stats["complete_or_on_track"], 2);
}

#[test]
fn the_headline_rule_is_the_councils_and_is_shown_with_the_number() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);
    let out = db.ok([
        "config",
        "headline",
        "--count",
        "complete",
        "--exclude",
        "ceased",
    ]);
    assert!(
        out.contains("(Complete) ÷ all activities reported in the period, excluding Ceased"),
        "{out}"
    );
    let stats = db.json(["stats", "--format", "json"]);
    assert_eq!(stats["complete_or_on_track"], 39);
    assert_eq!(stats["denominator"], 114);
    assert_eq!(stats["percent"], 34.2);
    assert_eq!(
        stats["rule"],
        "(Complete) ÷ all activities reported in the period, excluding Ceased"
    );
    // The published claim counts its own statuses (complete or on track) but over the
    // activities the council's rule counts: without the 2 ceased, 97 of 114 = 85.1%, not 83%.
    assert_eq!(stats["published_claim"]["consistent"], false);
    assert!(
        stats["published_claim"]["note"]
            .as_str()
            .unwrap_or("")
            .contains("97 of 114 = 85.1%"),
        "{}",
        stats["published_claim"]
    );
    let bad = db.run(["config", "headline", "--count", "blue"]);
    assert_eq!(bad.status.code(), Some(2));
    let both = db.run([
        "config",
        "headline",
        "--count",
        "complete",
        "--exclude",
        "complete",
    ]);
    assert_eq!(both.status.code(), Some(2));
    let shown = db.ok(["config", "show"]);
    assert!(shown.contains("excluding Ceased"), "{shown}");
}

#[test]
fn a_later_plan_revision_records_what_changed() {
    let db = Db::new();
    import(&db, &["bexley/action-delivery-plan-2024-12.txt"]);
    let original =
        std::fs::read_to_string(fixture("bexley/action-delivery-plan-2024-12.txt")).expect("plan");
    let revised = original
        .replace("Secure future of Barnehurst Golf ClubPlacesJune 2022\n", "")
        .replace("Refresh our ICT systems and hardwareDeputy Leader of the Council / Resources2023", "Refresh our ICT systems and hardwareDeputy Leader of the Council / ResourcesMarch 2026")
        .replace("Last updated: December 2024", "Plant 1,000 new street treesPlaces2026\n\nLast updated: December 2025");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("action-delivery-plan-2025-12.txt");
    std::fs::write(&path, revised).expect("write");
    let out = db.ok([OsStr::new("import"), path.as_os_str()]);
    assert!(
        out.contains("1 added") && out.contains("1 removed"),
        "{out}"
    );
    let changes = db.json(["changes", "--format", "json"]);
    let changes = changes.as_array().expect("array");
    let kinds: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap_or(""),
                c["detail"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("removed", "Secure future of Barnehurst Golf Club")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("due-changed", "'2023' → 'March 2026'")),
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|(k, d)| *k == "added" && d.contains("street trees")),
        "{kinds:?}"
    );
    assert_eq!(changes.len(), 3, "{kinds:?}");
    let text = db.ok(["changes"]);
    assert!(text.contains("3 changes"), "{text}");
}

#[test]
fn the_demo_exports_are_stable() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);
    insta::assert_snapshot!(
        "bexley_activities_csv",
        db.ok(["export", "activities", "--format", "csv"])
    );
    insta::assert_snapshot!("bexley_stats_json", db.ok(["stats", "--format", "json"]));
    insta::assert_snapshot!(
        "bexley_reconcile_csv",
        db.ok(["reconcile", "--format", "csv"])
    );
}

#[test]
fn activities_linked_to_outcomes_give_theme_and_outcome_breakdowns() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    };
    // Unknown references and outcomes are refused, and nothing is linked.
    let unknown_ref = write("bad-ref.csv", "reference,outcomes\n4,5\n9999,1\n");
    let out = db.run([OsStr::new("outcomes"), unknown_ref.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("9999"));
    let unknown_outcome = write("bad-outcome.csv", "reference,outcomes\n4,16\n");
    let out = db.run([OsStr::new("outcomes"), unknown_outcome.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no outcome 16"));
    // The demo suggested outcomes from the plan's words; the statistics say so.
    let stats = db.json(["stats", "--format", "json"]);
    assert_eq!(stats["outcome_links"]["confirmed"], 0);

    let map = write(
        "map.csv",
        "reference,outcomes\n4,5\n14,\"4;5\"\n108,9\n94,Outcome 6\n",
    );
    db.ok([OsStr::new("outcomes"), map.as_os_str()]);
    let stats = db.json(["stats", "--format", "json"]);
    let outcomes: Vec<(String, u64)> = stats["by_outcome"]
        .as_array()
        .expect("by outcome")
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap_or("").to_string(),
                b["total"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // Four activities linked by a person, the rest by suggestions: every outcome has some.
    assert_eq!(stats["outcome_links"]["confirmed"], 4, "{stats}");
    assert!(outcomes.len() > 4, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .any(|(n, t)| n.starts_with("Outcome 5: Your life, your choice") && *t >= 2),
        "{outcomes:?}"
    );
    let themes = stats["by_theme"].as_array().expect("by theme");
    assert_eq!(themes.len(), 3, "{themes:?}");
    assert_eq!(
        themes[0]["name"],
        "Priority theme 1: Aspiration for our residents"
    );
    let rows = db.json(["export", "activities", "--format", "json"]);
    let ulez = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["reference"] == "94")
        .expect("94");
    assert_eq!(ulez["outcomes"], serde_json::json!([6]));
    assert_eq!(ulez["outcome_link"], "confirmed");
    let text = db.ok(["stats"]);
    assert!(text.contains("By outcome:"), "{text}");
}

#[test]
fn a_corrected_report_replaces_the_earlier_one_for_its_period() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);
    let original = std::fs::read_to_string(fixture("bexley/annual-performance-report-2024-25.txt"))
        .expect("report");
    let corrected = original
        .replace("74Host apprenticeship fairsComplete\n", "")
        .replace(
            "5Implement requirements from Adult Social Care Reform White PaperComplete",
            "5Implement requirements from Adult Social Care Reform White PaperAmber",
        );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir
        .path()
        .join("annual-performance-report-2024-25-corrected.txt");
    std::fs::write(&path, corrected).expect("write");
    db.ok([OsStr::new("import"), path.as_os_str()]);
    let stats = db.json(["stats", "--format", "json"]);
    assert_eq!(stats["total"], 115);
    assert_eq!(stats["rows"], 127);
    assert_eq!(stats["counts"]["complete"], 37);
    assert_eq!(stats["counts"]["amber"], 18);
    let findings = db.json(["check", "--format", "json"]);
    assert_eq!(common::codes(&findings, "duplicate-row").len(), 12);
    assert!(common::codes(&findings, "duplicate-reference").is_empty());
    // The 6 suggestions still await a person; 74 is no longer reported.
    assert_eq!(common::codes(&findings, "link-needs-review").len(), 6);
    assert!(common::codes(&findings, "unplanned-activity").is_empty());
}

#[test]
fn a_later_report_keeps_unplanned_and_pending_links_as_they_are() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("q1.txt");
    std::fs::write(
        &path,
        "Quarterly performance report\nQuarter 1 2025/26\n\nChildren's Services directorate\nReference\tActivity\tStatus\n74\tHost apprenticeship fairs\tGreen\n13\tReview our Prevention Strategy\tAmber\n200\tImplement care finder 'app' to make it easier for residents to get the support they need\tGreen\n",
    )
    .expect("write");
    db.ok([OsStr::new("import"), path.as_os_str()]);
    let records = db.json(["reconcile", "--period", "2025/26 Q1", "--format", "json"]);
    let decision = |reference: &str| {
        records
            .as_array()
            .expect("array")
            .iter()
            .find(|r| r["reference"] == reference)
            .map(|r| r["decision"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(decision("74").as_deref(), Some("unmatched"));
    assert_eq!(decision("13").as_deref(), Some("review"));
    assert_eq!(decision("200").as_deref(), Some("linked"));
    let findings = db.json(["check", "--format", "json"]);
    assert_eq!(common::codes(&findings, "unplanned-activity").len(), 1);
    let moved = common::codes(&findings, "moved-directorate");
    assert!(
        moved.iter().all(|f| !f["subject"]
            .as_str()
            .unwrap_or("")
            .starts_with("activity 74")),
        "a report-only activity never moved: {moved:?}"
    );
    // Reference 200 went to the care finder, so the year-end suggestion for 4 can no longer be accepted.
    let out = db.run(["reconcile", "--period", "2024/25 Q4", "--accept", "4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reference 200"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_file_that_is_not_a_database_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let not_db = dir.path().join("notes.db");
    std::fs::write(&not_db, "these are my notes, not a database ".repeat(200)).expect("write");
    for args in [vec!["stats"], vec!["demo", "--load-only"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_waymark"))
            .arg("--db")
            .arg(&not_db)
            .args(&args)
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("notes.db"));
    }
}

#[test]
fn link_decisions_are_all_or_nothing() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);
    let before = db.snapshot();
    for args in [
        vec!["reconcile", "--accept", "4", "--accept", "9999"],
        vec!["reconcile", "--accept", "6", "--reject", "6"],
    ] {
        let out = db.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(db.snapshot(), before, "{args:?} changed the database");
    }
}

#[test]
fn the_same_text_with_other_line_endings_is_already_imported() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);
    let text = std::fs::read_to_string(fixture("bexley/annual-performance-report-2024-25.txt"))
        .expect("report");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report-crlf.txt");
    std::fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).expect("write");
    let before = db.snapshot();
    let out = db.ok([OsStr::new("import"), path.as_os_str()]);
    assert!(out.contains("already imported"), "{out}");
    assert_eq!(db.snapshot(), before);
}
