//! Many councils in one database, through the `waymark` binary: every read command for one
//! council prints exactly what it prints on a database holding that council alone, whatever
//! another council imports, settles or configures; a command that does not say which council
//! is refused.

mod common;

use common::{Db, bexley_files, fixture};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Every read command compared, as given after `--council SLUG`.
const READS: &[&[&str]] = &[
    &["stats"],
    &["stats", "--format", "json"],
    &["check"],
    &["check", "--format", "json"],
    &["reconcile"],
    &["reconcile", "--format", "json"],
    &["reconcile", "--format", "csv"],
    &["export", "activities", "--format", "json"],
    &["export", "activities", "--format", "csv"],
    &[
        "export",
        "activities",
        "--period",
        "2024/25 Q4",
        "--format",
        "csv",
    ],
    &["export", "indicators", "--format", "json"],
    &["export", "indicators", "--format", "csv"],
    &["export", "plan"],
    &["changes"],
    &["config", "show"],
];

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("read fixture")
}

fn import(db: &Db, council: &str, files: &[PathBuf]) -> String {
    let mut args: Vec<OsString> = vec!["--council".into(), council.into(), "import".into()];
    args.extend(files.iter().map(|p| p.clone().into_os_string()));
    db.ok(args)
}

/// Bexley's own files plus an indicator table, then (as a second command) a revision of the
/// action plan renaming one activity.
struct BexleyFiles {
    first: Vec<PathBuf>,
    revision: PathBuf,
}

/// Another council's files: a variant of Bexley's year-end report (other statuses, another
/// headline, an extra activity), a correction of it with a repeated row, the same action plan,
/// corporate plan and indicator table as Bexley, and its own plan revision.
struct OtherFiles {
    early_report: PathBuf,
    plans: Vec<PathBuf>,
    corrected_report: PathBuf,
    revision: PathBuf,
    outcomes: PathBuf,
}

fn files(dir: &Path) -> (BexleyFiles, OtherFiles) {
    let plan = read_fixture("bexley/action-delivery-plan-2024-12.txt");
    let renamed = "To continue to work with trusted providers to deliver Care Act assessments in the community";
    assert!(plan.contains(renamed), "the fixture has the row renamed");
    let bexley = BexleyFiles {
        first: bexley_files()
            .into_iter()
            .chain([fixture("examples/kpi-table-tabs.txt")])
            .collect(),
        revision: write(
            dir,
            "bexley-action-plan-2025-06.txt",
            &plan.replace(renamed, &format!("{renamed} and online")),
        ),
    };

    let report = read_fixture("bexley/annual-performance-report-2024-25.txt");
    assert!(report.contains("83%"), "the fixture states its headline");
    let variant = report
        .replace("83%", "61%")
        .replacen("Complete\n", "Amber\n", 6)
        .replacen(
            "ReferenceActivityRAG Year End 24/25\n",
            "ReferenceActivityRAG Year End 24/25\n901Open a tool library in Erith and CrayfordGreen\n",
            1,
        );
    let repeated = "14Support informal carers to undertake their caring role and to ensure that they can maintain a good quality of lifeGreen\n";
    assert!(
        variant.contains(repeated),
        "the fixture has the repeated row"
    );
    let corrected = variant
        .replacen("Amber\n", "Red\n", 2)
        .replace(repeated, &format!("{repeated}{repeated}"));
    let other = OtherFiles {
        early_report: write(dir, "other-report-2024-25.txt", &variant),
        plans: vec![
            fixture("bexley/corporate-plan.txt"),
            fixture("bexley/action-delivery-plan-2024-12.txt"),
            fixture("examples/kpi-table-tabs.txt"),
        ],
        corrected_report: write(dir, "other-report-2024-25-corrected.txt", &corrected),
        revision: write(
            dir,
            "other-action-plan-2025-06.txt",
            &plan.replace(renamed, &format!("{renamed} and by phone")),
        ),
        outcomes: write(
            dir,
            "other-outcomes.csv",
            "reference,outcomes\n5,1\n17,\"2;3\"\n",
        ),
    };
    (bexley, other)
}

/// The references the council's newest report leaves for a person to review.
fn in_review(db: &Db, council: &str) -> Vec<String> {
    let records = db.json(["--council", council, "reconcile", "--format", "json"]);
    records
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["decision"] == "review")
        .filter_map(|r| r["reference"].as_str().map(str::to_string))
        .collect()
}

/// What each read command prints for `council`: (command, exit code, stdout, stderr).
fn read_all(db: &Db, council: &str) -> Vec<(String, Option<i32>, String, String)> {
    READS
        .iter()
        .map(|args| {
            let mut full = vec!["--council", council];
            full.extend_from_slice(args);
            let out = db.run(&full);
            (
                args.join(" "),
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

#[test]
fn every_read_for_one_council_is_what_it_reads_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bexley, other) = files(dir.path());

    // Bexley alone.
    let alone = Db::new();
    import(&alone, "bexley", &bexley.first);
    import(&alone, "bexley", std::slice::from_ref(&bexley.revision));

    // Bexley among others: the other council imports before, between and after Bexley's
    // commands, and settles links, sets a headline rule and links outcomes of its own.
    let shared = Db::new();
    import(&shared, "other", &other.plans);
    import(&shared, "bexley", &bexley.first);
    import(&shared, "other", std::slice::from_ref(&other.early_report));
    import(&shared, "bexley", std::slice::from_ref(&bexley.revision));
    import(
        &shared,
        "other",
        &[other.corrected_report.clone(), other.revision.clone()],
    );
    let review = in_review(&shared, "other");
    assert!(
        review.len() >= 2,
        "the other council has links to settle: {review:?}"
    );
    shared.ok([
        "--council",
        "other",
        "reconcile",
        "--accept",
        review[0].as_str(),
        "--reject",
        review[1].as_str(),
    ]);
    shared.ok([
        "--council",
        "other",
        "config",
        "headline",
        "--count",
        "complete",
        "--exclude",
        "ceased",
    ]);
    let mut outcomes: Vec<OsString> = vec!["--council".into(), "other".into(), "outcomes".into()];
    outcomes.push(other.outcomes.clone().into_os_string());
    shared.ok(outcomes);

    let expected = read_all(&alone, "bexley");
    for (command, code, stdout, _) in &expected {
        assert_eq!(*code, Some(0), "bexley alone: `{command}` succeeds");
        assert!(!stdout.is_empty(), "bexley alone: `{command}` prints");
    }
    let got = read_all(&shared, "bexley");
    for (want, have) in expected.iter().zip(&got) {
        assert_eq!(
            want, have,
            "`waymark --council bexley {}` differs when another council shares the database",
            want.0
        );
    }
    // The changes as JSON carry database ids and the time of import: the same once those go.
    let changes = |db: &Db| {
        let mut changes = db.json(["--council", "bexley", "changes", "--format", "json"]);
        for c in changes.as_array_mut().expect("array") {
            let c = c.as_object_mut().expect("object");
            for key in ["revision", "activity_id", "recorded_at"] {
                assert!(c.remove(key).is_some(), "a change has {key}");
            }
        }
        changes
    };
    let alone_changes = changes(&alone);
    assert!(!alone_changes.as_array().expect("array").is_empty());
    assert_eq!(alone_changes, changes(&shared));
    // On the database holding Bexley alone, naming the council changes nothing.
    for (args, want) in READS.iter().zip(&expected) {
        let out = alone.run(*args);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            want.2,
            "`{}` without --council",
            want.0
        );
    }

    // The other council's own reads are its own: its headline rule, its statuses.
    let other_stats = shared.json(["--council", "other", "stats", "--format", "json"]);
    let bexley_stats = shared.json(["--council", "bexley", "stats", "--format", "json"]);
    assert_ne!(other_stats, bexley_stats);
    assert_eq!(bexley_stats["complete_or_on_track"], 97);
    let other_activities = shared.json([
        "--council",
        "other",
        "export",
        "activities",
        "--format",
        "json",
    ]);
    assert!(
        other_activities
            .as_array()
            .expect("array")
            .iter()
            .any(|a| a["reference"] == "901"),
        "the other council's own activity"
    );
    let bexley_activities = shared.json([
        "--council",
        "bexley",
        "export",
        "activities",
        "--format",
        "json",
    ]);
    assert!(
        bexley_activities
            .as_array()
            .expect("array")
            .iter()
            .all(|a| a["reference"] != "901"),
        "Bexley never shows the other council's activity"
    );
}

#[test]
fn commands_must_name_a_known_council_when_there_are_several() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bexley, other) = files(dir.path());
    let db = Db::new();
    import(&db, "bexley", &bexley.first);
    import(&db, "other", std::slice::from_ref(&other.early_report));
    for args in READS {
        let out = db.run(*args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "`{}` with two councils and no --council: {stderr}",
            args.join(" ")
        );
        assert!(
            stderr.contains("bexley") && stderr.contains("other") && stderr.contains("--council"),
            "`{}` names both councils and the option: {stderr}",
            args.join(" ")
        );
        assert!(out.stdout.is_empty(), "`{}` prints nothing", args.join(" "));

        let mut unknown = vec!["--council", "nowhere"];
        unknown.extend_from_slice(args);
        let out = db.run(&unknown);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "`{}` for an unknown council: {stderr}",
            args.join(" ")
        );
        assert!(stderr.contains("nowhere"), "{stderr}");
        assert!(out.stdout.is_empty(), "`{}` prints nothing", args.join(" "));
    }
    // Writes are refused the same way, and change nothing.
    let before = (
        db.ok([
            "--council",
            "bexley",
            "export",
            "activities",
            "--format",
            "json",
        ]),
        db.ok([
            "--council",
            "other",
            "export",
            "activities",
            "--format",
            "json",
        ]),
    );
    let out = db.run([
        OsString::from("import"),
        other.corrected_report.clone().into_os_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = db.run(["config", "headline", "--count", "complete"]);
    assert_eq!(out.status.code(), Some(2));
    let out = db.run(["reconcile", "--accept", "4"]);
    assert_eq!(out.status.code(), Some(2));
    let after = (
        db.ok([
            "--council",
            "bexley",
            "export",
            "activities",
            "--format",
            "json",
        ]),
        db.ok([
            "--council",
            "other",
            "export",
            "activities",
            "--format",
            "json",
        ]),
    );
    assert_eq!(before, after);
}
