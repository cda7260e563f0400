//! Spreadsheet templates and the round trip through them: a council's plan, indicators and
//! returns exported as xlsx and as CSV, imported into a fresh database with `--kind auto` and
//! no mapping, and exported again, identical. Runs on SQLite, and on PostgreSQL with
//! `WAYMARK_TEST_BACKEND=postgres`.

mod common;

use calamine::{Reader, Xlsx};
use common::Db;
use serde_json::Value;
use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};

const PERIODS: [&str; 4] = ["2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4"];

/// A synthetic council: a plan, four quarters of returns with commentary, indicators.
fn synthetic() -> Db {
    let db = Db::new();
    db.ok([
        "synth",
        "--councils",
        "1",
        "--activities",
        "24",
        "--years",
        "1",
        "--first-year",
        "2024",
        "--seed",
        "7",
    ]);
    db
}

/// Export the plan, the indicators and every quarter's returns as `format` into `dir`.
fn export_all(db: &Db, format: &str, dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![];
    let plan = dir.join(format!("plan.{format}"));
    db.ok([
        "export".as_ref(),
        "plan".as_ref(),
        "--format".as_ref(),
        format.as_ref(),
        "--out".as_ref(),
        plan.as_os_str(),
    ]);
    files.push(plan);
    let indicators = dir.join(format!("indicators.{format}"));
    db.ok([
        "export".as_ref(),
        "indicators".as_ref(),
        "--format".as_ref(),
        format.as_ref(),
        "--template".as_ref(),
        "--out".as_ref(),
        indicators.as_os_str(),
    ]);
    files.push(indicators);
    for period in PERIODS {
        let returns = dir.join(format!("returns-{}.{format}", period.replace('/', "-")));
        db.ok([
            "export".as_ref(),
            "returns".as_ref(),
            "--period".as_ref(),
            period.as_ref(),
            "--format".as_ref(),
            format.as_ref(),
            "--out".as_ref(),
            returns.as_os_str(),
        ]);
        files.push(returns);
    }
    files
}

/// Every sheet's cells as text, by sheet name.
fn cells(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).expect("workbook opens");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

fn zipped(path: &Path, member: &str) -> String {
    let file = std::fs::File::open(path).expect("open");
    let mut archive = zip::ZipArchive::new(file).expect("a zip file");
    let mut text = String::new();
    archive
        .by_name(member)
        .expect("member")
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

/// Only the named fields of each object of an array.
fn project(value: &Value, fields: &[&str]) -> Vec<Value> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| {
            let mut out = serde_json::Map::new();
            for f in fields {
                out.insert((*f).to_string(), v[*f].clone());
            }
            Value::Object(out)
        })
        .collect()
}

const ACTIVITY_FIELDS: [&str; 14] = [
    "reference",
    "title",
    "former_titles",
    "directorate",
    "portfolios",
    "due",
    "due_date",
    "due_precision",
    "status_note",
    "status",
    "status_label",
    "commentary",
    "period",
    "in_plan",
];

const INDICATOR_FIELDS: [&str; 11] = [
    "reference",
    "name",
    "year",
    "text",
    "value",
    "unit",
    "rag",
    "direction",
    "target",
    "rag_label",
    "polarity",
];

const STATS_FIELDS: [&str; 9] = [
    "period",
    "total",
    "rows",
    "duplicates_removed",
    "counts",
    "complete_or_on_track",
    "denominator",
    "percent",
    "by_directorate",
];

fn stats(db: &Db, period: &str) -> Value {
    let all = db.json(["stats", "--period", period, "--format", "json"]);
    let mut out = serde_json::Map::new();
    for f in STATS_FIELDS {
        out.insert(f.to_string(), all[f].clone());
    }
    out.insert("by_portfolio".into(), all["by_portfolio"].clone());
    Value::Object(out)
}

#[test]
fn plan_indicators_and_returns_round_trip_through_xlsx_and_csv() {
    let original = synthetic();
    for format in ["xlsx", "csv"] {
        let first = tempfile::tempdir().expect("temp dir");
        let files = export_all(&original, format, first.path());

        // A fresh database, the same council settings (the default headline rule), the files
        // read with the kind detected and no mapping.
        let copy = Db::new();
        let mut args: Vec<OsString> = vec![
            "import".into(),
            "--kind".into(),
            "auto".into(),
            "--council-name".into(),
            "Round trip".into(),
        ];
        args.extend(files.iter().map(|f| f.clone().into_os_string()));
        let out = copy.ok(args);
        assert!(out.contains("as action-plan"), "{out}");
        assert!(out.contains("as kpi-table"), "{out}");
        assert_eq!(out.matches("as activity-report").count(), 4, "{out}");

        let second = tempfile::tempdir().expect("temp dir");
        let again = export_all(&copy, format, second.path());
        for (a, b) in files.iter().zip(&again) {
            if format == "csv" {
                let (a_text, b_text) = (
                    std::fs::read_to_string(a).expect("read"),
                    std::fs::read_to_string(b).expect("read"),
                );
                assert!(a_text.lines().count() > 1, "{} is empty", a.display());
                assert_eq!(a_text, b_text, "{} differs", a.display());
            } else {
                let (a_cells, b_cells) = (cells(a), cells(b));
                assert!(a_cells[0].1.len() > 1, "{} is empty", a.display());
                // The Notes sheet lists the labels used: every period's returns came back.
                assert_eq!(a_cells, b_cells, "{} differs", a.display());
            }
        }

        // What the council publishes and counts is the same.
        for period in PERIODS {
            let activities = |db: &Db| {
                project(
                    &db.json([
                        "export",
                        "activities",
                        "--period",
                        period,
                        "--format",
                        "json",
                    ]),
                    &ACTIVITY_FIELDS,
                )
            };
            assert_eq!(
                activities(&original),
                activities(&copy),
                "{format} {period}"
            );
            assert_eq!(
                stats(&original, period),
                stats(&copy, period),
                "{format} {period}"
            );
        }
        let indicators = |db: &Db| {
            project(
                &db.json(["export", "indicators", "--format", "json"]),
                &INDICATOR_FIELDS,
            )
        };
        let values = indicators(&original);
        assert!(!values.is_empty());
        assert_eq!(values, indicators(&copy), "{format}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

const VOCABULARY: &str = "[statuses]\n\"Progressing to Plan\" = \"green\"\n\"Some Problems\" = \"amber\"\n\"Blue\" = \"complete\"\n";

#[test]
fn the_template_lists_the_councils_labels_and_a_filled_one_imports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vocabulary = write(dir.path(), "vocabulary.toml", VOCABULARY);
    let db = Db::new();

    // A council that writes its own labels.
    let plan = write(
        dir.path(),
        "plan.csv",
        "Reference,Activity,Directorate,Portfolio,Due date\r\n\
         1,Open the new library,Place,Growth; Communities,Q4 2025 to 2026\r\n\
         2,Review parking charges,Place,Growth,Ongoing\r\n\
         3,Publish the carbon plan,Resources,Climate,March 2026\r\n",
    );
    let returns = write(
        dir.path(),
        "returns.csv",
        "Reference,Activity,Directorate,Period,Status,Commentary\r\n\
         1,Open the new library,Place,2025/26 Q2,Progressing to Plan,Fit-out started\r\n\
         2,Review parking charges,Place,2025/26 Q2,Some Problems,\"Consultation delayed, by a month\"\r\n\
         3,Publish the carbon plan,Resources,2025/26 Q2,Blue,Published in June\r\n",
    );
    let out = db.ok([
        "import".as_ref(),
        "--vocabulary".as_ref(),
        vocabulary.as_os_str(),
        plan.as_os_str(),
        returns.as_os_str(),
    ]);
    assert!(out.contains("as action-plan"), "{out}");
    assert!(out.contains("as activity-report"), "{out}");

    // The returns template's status column offers the council's labels.
    let template = dir.path().join("returns.xlsx");
    db.ok([
        "template".as_ref(),
        "returns".as_ref(),
        "--format".as_ref(),
        "xlsx".as_ref(),
        "--out".as_ref(),
        template.as_os_str(),
    ]);
    let sheet = zipped(&template, "xl/worksheets/sheet1.xml");
    let validations: Vec<&str> = sheet.split("<dataValidation ").skip(1).collect();
    assert_eq!(validations.len(), 1, "{sheet}");
    let status = validations[0];
    assert!(status.contains("type=\"list\""), "{status}");
    assert!(status.contains("sqref=\"E2:E1048576\""), "{status}");
    for label in [
        "Blue",
        "Progressing to Plan",
        "Some Problems",
        "Red",
        "Not started",
    ] {
        assert!(status.contains(label), "{label} missing: {status}");
    }
    assert!(!status.contains(">\"Complete,"), "{status}");
    // Filled with the council's data, and the Notes sheet passed over when read back.
    let book = cells(&template);
    assert_eq!(
        book.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["Returns", "Notes"]
    );
    assert_eq!(book[0].1.len(), 4);
    assert_eq!(book[0].1[2][4], "Some Problems");
    let explained = db.ok([
        "import".as_ref(),
        "--explain".as_ref(),
        "--vocabulary".as_ref(),
        vocabulary.as_os_str(),
        template.as_os_str(),
    ]);
    assert!(
        explained.contains("sheet 'Notes': notes, not data; passed over"),
        "{explained}"
    );
    assert!(
        explained.contains("read as an activity report"),
        "{explained}"
    );

    // The indicators template: drop-downs on polarity and direction, the fixed words.
    let indicators = dir.path().join("indicators.xlsx");
    db.ok([
        "template".as_ref(),
        "indicators".as_ref(),
        "--blank".as_ref(),
        "--out".as_ref(),
        indicators.as_os_str(),
    ]);
    let sheet = zipped(&indicators, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("\"Higher is better,Lower is better\""),
        "{sheet}"
    );
    assert!(sheet.contains("\"Increase,No change,Decrease\""), "{sheet}");
    assert_eq!(cells(&indicators)[0].1.len(), 1, "blank: headers only");

    // A blank CSV template, filled in by hand, imports as the next quarter.
    let blank = db.ok(["template", "returns", "--format", "csv", "--blank"]);
    assert_eq!(
        blank,
        "Reference,Activity,Directorate,Period,Status,Commentary\r\n"
    );
    let filled = write(
        dir.path(),
        "filled.csv",
        &format!(
            "{blank}1,Open the new library,Place,2025/26 Q3,Blue,Opened in November\r\n\
             2,Review parking charges,Place,2025/26 Q3,Progressing to Plan,Back on track\r\n"
        ),
    );
    db.ok([
        "import".as_ref(),
        "--vocabulary".as_ref(),
        vocabulary.as_os_str(),
        filled.as_os_str(),
    ]);
    let stats = db.json(["stats", "--period", "2025/26-Q3", "--format", "json"]);
    assert_eq!(stats["counts"]["complete"], 1, "{stats}");
    assert_eq!(stats["counts"]["green"], 1, "{stats}");
    let rows = db.json([
        "export",
        "activities",
        "--period",
        "2025/26-Q3",
        "--format",
        "json",
    ]);
    let library = rows
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["reference"] == "1")
        .expect("activity 1")
        .clone();
    assert_eq!(library["status_label"], "Blue");
    assert_eq!(
        library["portfolios"],
        serde_json::json!(["Growth", "Communities"])
    );
}

#[test]
fn without_a_database_the_template_is_blank_with_plain_labels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("returns.xlsx");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_waymark"))
        .current_dir(dir.path())
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_COUNCIL")
        .env_remove("WAYMARK_CONFIG")
        .env_remove("WAYMARK_VOCABULARY")
        .args(["template", "returns", "--out"])
        .arg(&out)
        .output()
        .expect("run waymark");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        !dir.path().join("waymark.db").exists(),
        "no database is made"
    );
    let sheet = zipped(&out, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("\"Complete,Green,Amber,Red,Ceased,Not started\""),
        "{sheet}"
    );
    assert_eq!(cells(&out)[0].1.len(), 1);
}
