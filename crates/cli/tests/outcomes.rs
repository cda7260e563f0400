//! `waymark outcomes suggest` on the demo (Bexley's pages, whose action plan names no
//! outcomes), on SQLite and, with WAYMARK_TEST_BACKEND=postgres, on PostgreSQL: what it
//! suggests, how it agrees with a person's labels (`fixtures/bexley/outcome-labels.csv`), and
//! that links people make are never overwritten.

mod common;

use common::{Db, fixture};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsStr;

/// (reference, folded title) → labelled outcome.
fn labels() -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let mut reader = csv::Reader::from_path(fixture("bexley/outcome-labels.csv")).expect("labels");
    let (mut by_ref, mut by_title) = (BTreeMap::new(), BTreeMap::new());
    for record in reader.records() {
        let r = record.expect("row");
        let outcome: u64 = r[2].parse().expect("number");
        by_title.insert(waymark_domain::text::fold(&r[1]), outcome);
        if !r[0].is_empty() {
            by_ref.insert(r[0].to_string(), outcome);
        }
    }
    (by_ref, by_title)
}

#[test]
fn the_demo_suggests_outcomes_and_people_links_stand() {
    let db = Db::new();
    db.ok(["demo", "--load-only", "--format", "json"]);

    // The demo applied the suggestions: a dry run now says the same and records nothing.
    let out = db.json(["outcomes", "suggest", "--format", "json"]);
    assert_eq!(out["applied"], false);
    let activities = out["activities"].as_array().expect("activities");
    // The plan's activities, and report rows the reconciliation left for a person (each an
    // activity of its own until someone settles it).
    assert!(activities.len() >= 128, "{}", activities.len());
    let decision = |d: &str| activities.iter().filter(|a| a["decision"] == d).count();
    let (confident, waiting) = (decision("confident"), decision("waiting"));
    assert_eq!(confident + waiting, activities.len());
    assert!(confident > 0 && waiting > 0, "{confident} {waiting}");
    for a in activities {
        let ranked = a["ranked"].as_array().expect("ranked");
        assert!(ranked.len() <= 3);
        for r in ranked {
            let s = r["score"].as_f64().expect("score");
            assert!(s > 0.0 && s <= 1.0);
            assert!((1..=15).contains(&r["outcome"].as_u64().expect("outcome")));
        }
        if a["decision"] == "confident" {
            assert_eq!(a["linked"], ranked[0]["outcome"]);
        }
    }

    // Top-1 agreement with a person's labels (docs/PERFORMANCE.md keeps the figure).
    let (by_ref, by_title) = labels();
    let mut agree = 0;
    let mut labelled = 0;
    let mut confident_agree = 0;
    for a in activities {
        let title = waymark_domain::text::fold(a["title"].as_str().unwrap_or(""));
        let Some(want) = by_title
            .get(&title)
            .or_else(|| a["reference"].as_str().and_then(|r| by_ref.get(r)))
        else {
            continue;
        };
        labelled += 1;
        let hit = a["ranked"][0]["outcome"].as_u64() == Some(*want);
        agree += usize::from(hit);
        confident_agree += usize::from(hit && a["decision"] == "confident");
    }
    println!(
        "through the store: top-1 agrees for {agree} of {labelled} labelled activities; \
         {} activities: confident {confident} ({confident_agree} agree), waiting {waiting}",
        activities.len()
    );
    assert!(labelled >= 128, "{labelled}");
    assert!(
        agree * 2 >= labelled,
        "agreement fell to {agree} of {labelled}"
    );

    // The statistics by theme and outcome use the suggested links and say so.
    let stats = db.json(["stats", "--format", "json"]);
    assert!(
        !stats["by_outcome"]
            .as_array()
            .expect("by outcome")
            .is_empty()
    );
    assert!(
        stats["outcome_links"]["suggested"]
            .as_u64()
            .expect("suggested")
            > 0
    );
    assert_eq!(stats["outcome_links"]["confirmed"], 0);
    // The headline is Bexley's, whatever the links.
    assert_eq!(stats["complete_or_on_track"], 97);
    assert_eq!(stats["denominator"], 116);
    let text = db.ok(["stats"]);
    assert!(
        text.contains("suggested from the plan's words for"),
        "{text}"
    );
    let rows = db.json(["export", "activities", "--format", "json"]);
    assert!(
        rows.as_array()
            .expect("rows")
            .iter()
            .any(|r| r["outcome_link"] == "suggested")
    );

    // A link a person makes stands: suggestions never overwrite it.
    let dir = tempfile::tempdir().expect("temp dir");
    let map = dir.path().join("map.csv");
    std::fs::write(&map, "reference,outcomes\n4,12\n").expect("write");
    db.ok([OsStr::new("outcomes"), map.as_os_str()]);
    let text = db.ok(["outcomes", "suggest", "--apply"]);
    assert!(text.contains("linked by a person to outcomes 12"), "{text}");
    assert!(text.contains("linked as suggested"), "{text}");
    let rows = db.json(["export", "activities", "--format", "json"]);
    let four: &Value = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["reference"] == "4")
        .expect("4");
    assert_eq!(four["outcomes"], serde_json::json!([12]));
    assert_eq!(four["outcome_link"], "confirmed");

    // The file form of the command still works alongside the new one.
    let out = db.run(["outcomes"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn suggesting_without_a_corporate_plan_says_what_to_import() {
    let db = Db::new();
    let mut args: Vec<std::ffi::OsString> = vec!["import".into()];
    args.push(fixture("bexley/action-delivery-plan-2024-12.txt").into_os_string());
    let out = db.ok(args);
    assert!(!out.contains("suggested outcomes"), "{out}");
    let out = db.run(["outcomes", "suggest"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("corporate plan"));
    // Importing the corporate plan afterwards suggests outcomes straight away.
    let mut args: Vec<std::ffi::OsString> = vec!["import".into()];
    args.push(fixture("bexley/corporate-plan.txt").into_os_string());
    let out = db.ok(args);
    assert!(
        out.contains("suggested outcomes from the plan's words:"),
        "{out}"
    );
}
