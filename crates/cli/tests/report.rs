//! `waymark report`: every kind in every format from Bexley's published pages, read back with
//! the tools people open them with (pdftotext, a spreadsheet reader, a Word document's XML)
//! and checked against the database; DRAFT reports; mistakes refused with a clear message.

mod common;

use calamine::{Reader, Xlsx};
use common::Db;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::Command;

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils; scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
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

/// Bexley's activities reported in 2024/25 Q4, from `waymark export`, as (reference, status).
fn returns(db: &Db) -> Vec<(String, String)> {
    let json = db.json([
        "export",
        "activities",
        "--format",
        "json",
        "--period",
        "2024/25 Q4",
    ]);
    let rows = json.as_array().expect("rows");
    rows.iter()
        .filter_map(|r| {
            let reference = r["reference"].as_str()?.to_string();
            let status = r["status"].as_str()?.to_string();
            Some((reference, status))
        })
        .collect()
}

#[test]
fn every_format_of_the_annual_report_reads_back() {
    let db = Db::new();
    db.import_bexley();
    let dir = tempfile::tempdir().expect("dir");
    let stats = db.json(["stats", "--period", "2024/25 Q4", "--format", "json"]);
    let figure = format!(
        "{} of {}",
        stats["complete_or_on_track"].as_u64().expect("n"),
        stats["denominator"].as_u64().expect("d")
    );
    let returns = returns(&db);
    assert!(returns.len() > 100, "{}", returns.len());
    let file = |ext: &str| dir.path().join(format!("annual.{ext}"));
    for ext in ["html", "pdf", "xlsx", "docx", "md", "csv", "json"] {
        let out = db.ok([
            "report",
            "annual",
            "--period",
            "2024/25",
            "--format",
            ext,
            "--out",
            file(ext).to_str().expect("path"),
        ]);
        assert!(out.contains("Annual performance report 2024/25"), "{out}");
    }

    // PDF: the headline and every reference, in text a screen reader or search can find.
    let text = pdftotext(&file("pdf"));
    assert!(text.contains(&figure), "headline {figure} not in the PDF");
    assert!(text.contains("Annual performance report 2024/25"));
    for (reference, _) in &returns {
        assert!(
            text.contains(reference.as_str()),
            "reference {reference} not in the PDF"
        );
    }
    assert!(!text.contains("DRAFT"), "a published report is not a draft");
    let info = Command::new("pdfinfo")
        .arg(file("pdf"))
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Tagged:") && l.trim_end().ends_with("yes")),
        "{info}"
    );
    let fonts = Command::new("pdffonts")
        .arg(file("pdf"))
        .output()
        .expect("pdffonts");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        // name type encoding emb sub uni object ID: "emb" is the fourth column from the end
        // but three; read it as the yes/no after the encoding.
        let cells: Vec<&str> = row.split_whitespace().collect();
        let n = cells.len();
        assert_eq!(cells[n - 5], "yes", "font not embedded: {row}");
    }

    // XLSX: a sheet per table, statuses and counts as in the database.
    let mut book: Xlsx<_> = calamine::open_workbook(file("xlsx")).expect("workbook opens");
    let names = book.sheet_names();
    assert!(names.iter().any(|n| n == "Summary"), "{names:?}");
    assert!(names.len() > 5, "{names:?}");
    let mut seen = BTreeSet::new();
    for name in &names {
        let range = book.worksheet_range(name).expect("sheet");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        let Some(header) = rows
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "Ref"))
        else {
            continue;
        };
        let status = rows[header].iter().position(|c| c == "Status");
        for row in &rows[header + 1..] {
            if let Some(at) = status {
                seen.insert((row[0].clone(), row[at].clone()));
            }
        }
    }
    for (reference, status) in &returns {
        let word = match status.as_str() {
            "complete" => "Complete",
            "green" => "Green",
            "amber" => "Amber",
            "red" => "Red",
            "ceased" => "Ceased",
            "not_started" => "Not started",
            _ => "No return",
        };
        assert!(
            seen.contains(&(reference.clone(), word.to_string())),
            "{reference} {word} not in the spreadsheet"
        );
    }

    // DOCX: a Word document whose tables hold every reference.
    let document = zipped(&file("docx"), "word/document.xml");
    assert!(document.contains("<w:tbl>") || document.contains("<w:tbl "));
    for (reference, _) in &returns {
        assert!(
            document.contains(&format!(">{reference}<")),
            "{reference} not in the DOCX"
        );
    }

    // CSV and JSON match the database.
    let csv = std::fs::read_to_string(file("csv")).expect("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let ref_at = headers.iter().position(|h| h == "Ref").expect("Ref column");
    let status_at = headers
        .iter()
        .position(|h| h == "Status")
        .expect("Status column");
    let table_at = 0;
    let mut csv_rows = BTreeSet::new();
    for record in reader.records() {
        let record = record.expect("row");
        if record[table_at].starts_with("Indicators") {
            continue;
        }
        if !record[status_at].is_empty() {
            csv_rows.insert((record[ref_at].to_string(), record[status_at].to_string()));
        }
    }
    assert!(csv_rows.len() >= returns.len());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file("json")).expect("json"))
            .expect("parses");
    assert_eq!(json["headline"]["numerator"], stats["complete_or_on_track"]);
    assert_eq!(json["headline"]["denominator"], stats["denominator"]);
    let md = std::fs::read_to_string(file("md")).expect("md");
    assert!(
        md.starts_with("# Annual performance report 2024/25"),
        "{}",
        &md[..80]
    );
    let html = std::fs::read_to_string(file("html")).expect("html");
    assert!(html.contains(&figure));
}

#[test]
fn exception_and_portfolio_reports_and_mistakes() {
    let db = Db::new();
    db.import_bexley();
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("exceptions.pdf");
    db.ok([
        "report",
        "exceptions",
        "--period",
        "2024/25 Q4",
        "--format",
        "pdf",
        "--out",
        out.to_str().expect("path"),
    ]);
    let text = pdftotext(&out);
    for heading in [
        "Red: off track",
        "Amber: at risk",
        "Overdue",
        "Missing returns",
    ] {
        assert!(
            text.contains(heading),
            "{heading} not in the exception report"
        );
    }
    let out = dir.path().join("portfolio.md");
    let unknown = db.run([
        "report",
        "portfolio",
        "--period",
        "2024/25 Q4",
        "--portfolio",
        "Nobody",
        "--format",
        "md",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    let message = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        message.contains("no cabinet portfolio is called 'Nobody'"),
        "{message}"
    );
    assert!(!out.exists(), "nothing written on a refusal");
    let wrong = db.run([
        "report",
        "annual",
        "--period",
        "2019/20",
        "--format",
        "md",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        message.contains("nothing has been reported for 2019/20"),
        "{message}"
    );
    assert!(message.contains("2024-25-q4"), "{message}");

    // A council's broken template is refused naming the file and line, before any work.
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).expect("dir");
    std::fs::write(
        templates.join("report.md"),
        "# {{ doc.title }}\n\n{% if %}\n",
    )
    .expect("write");
    let config = dir.path().join("waymark.toml");
    std::fs::write(&config, "[reports]\ntemplates = \"templates\"\n").expect("write");
    let broken = db.run([
        "--config",
        config.to_str().expect("path"),
        "report",
        "annual",
        "--format",
        "md",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert_eq!(broken.status.code(), Some(2));
    let message = String::from_utf8_lossy(&broken.stderr);
    assert!(message.contains("report.md line 3"), "{message}");
    std::fs::write(templates.join("report.md"), "Our report: {{ doc.title }}\n").expect("write");
    db.ok([
        "--config",
        config.to_str().expect("path"),
        "report",
        "annual",
        "--format",
        "md",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert_eq!(
        std::fs::read_to_string(&out).expect("md"),
        "Our report: Annual performance report 2024/25"
    );

    // A broken PDF template is refused the same way, whatever format is asked for, and so
    // is publishing with it: it is tried when the templates are loaded.
    std::fs::write(
        templates.join("report.typ"),
        "#let doc = json(\"report.json\")\n\n#nosuchfunction(doc)\n",
    )
    .expect("write");
    std::fs::remove_file(&out).expect("remove");
    for args in [
        vec!["report", "annual", "--format", "csv", "--out"],
        vec!["publish", "--out"],
    ] {
        let site = dir.path().join("site");
        let mut full = vec!["--config", config.to_str().expect("path")];
        full.extend(args.iter().copied());
        full.push(if args[0] == "publish" {
            site.to_str().expect("path")
        } else {
            out.to_str().expect("path")
        });
        let broken = db.run(full);
        assert_eq!(broken.status.code(), Some(2), "{args:?}");
        let message = String::from_utf8_lossy(&broken.stderr);
        assert!(message.contains("report.typ line 3"), "{args:?}: {message}");
        assert!(
            !out.exists() && !site.exists(),
            "{args:?}: something was written"
        );
    }
}
