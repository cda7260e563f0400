//! Hostile files through the whole import: each is refused with exit status 2, naming the file
//! and the place, and the database holds exactly what it held before. Runs on SQLite and, with
//! `WAYMARK_TEST_BACKEND=postgres`, on PostgreSQL.

mod common;

use common::Db;
use std::io::Write;
use zip::write::SimpleFileOptions;

/// A workbook zip of the given parts (name, bytes), with the parts every workbook has.
fn workbook(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut all: Vec<(&str, Vec<u8>)> = vec![
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_vec(),
        ),
    ];
    if !parts.iter().any(|(n, _)| *n == "xl/workbook.xml") {
        all.push((
            "xl/workbook.xml",
            br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_vec(),
        ));
    }
    all.extend(parts.iter().cloned());
    for (name, bytes) in all {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(&bytes).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

/// A sheet part whose rows are written by `rows` (already XML).
fn sheet(rows: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
    .into_bytes()
}

/// A zip whose one sheet unpacks to more than the 256 MiB budget.
fn zip_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("xl/workbook.xml", options).expect("entry");
    zip.write_all(br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#).expect("write");
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .expect("entry");
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..260 {
        zip.write_all(&spaces).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

struct Hostile {
    name: &'static str,
    bytes: Vec<u8>,
    /// Words the refusal must contain, beyond the file's name.
    says: &'static [&'static str],
}

fn hostile_files() -> Vec<Hostile> {
    let million_empty_rows: String = (1..=1_000_000)
        .map(|r| format!("<row r=\"{r}\"/>"))
        .collect();
    let mut objects = b"%PDF-1.5\n".to_vec();
    for n in 0..200_001 {
        objects.extend_from_slice(format!("{n} 0 obj null endobj\n").as_bytes());
    }
    let nested = format!(
        "<!doctype html><html><body>{}deep{}</body></html>",
        "<table><tr><td>".repeat(200),
        "</td></tr></table>".repeat(200)
    );
    vec![
        Hostile {
            name: "bomb.xlsx",
            bytes: zip_bomb(),
            says: &["zip bomb"],
        },
        Hostile {
            name: "entities.xlsx",
            bytes: workbook(&[(
                "xl/workbook.xml",
                br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><workbook><sheets><sheet name="&lol2;" sheetId="1"/></sheets></workbook>"#.to_vec(),
            ), ("xl/worksheets/sheet1.xml", sheet(""))]),
            says: &["xl/workbook.xml"],
        },
        Hostile {
            name: "objects.pdf",
            bytes: objects,
            says: &["objects"],
        },
        Hostile {
            // A font the PDF interpreter panics on (found by fuzzing): caught, no message.
            name: "font.pdf",
            bytes: include_bytes!("../../../fuzz/regressions/read_any-1.bin")[1..].to_vec(),
            says: &["cannot be read"],
        },
        Hostile {
            name: "nested.html",
            bytes: nested.into_bytes(),
            says: &["deep"],
        },
        Hostile {
            name: "empty-rows.xlsx",
            bytes: workbook(&[("xl/worksheets/sheet1.xml", sheet(&million_empty_rows))]),
            says: &["could not tell"],
        },
        Hostile {
            name: "formulas.xlsx",
            bytes: workbook(&[(
                "xl/worksheets/sheet1.xml",
                sheet(r#"<row r="1"><c r="A1" t="str"><v>Ref</v></c><c r="B1"><f>WEBSERVICE("http://example.invalid")</f></c></row>"#),
            )]),
            says: &["formula", "cell B1"],
        },
        Hostile {
            name: "mixed.txt",
            bytes: b"Quarter 2 2025/26 report\nR\xe9sum\xe9 of progress\nCaf\xc3\xa9 opened\n".to_vec(),
            says: &["mixed.txt:2", "encodings"],
        },
        Hostile {
            name: "control.txt",
            bytes: b"Quarter 2 2025/26 report\nStatus\x00 Green\n".to_vec(),
            says: &["control.txt:2"],
        },
    ]
}

#[test]
fn hostile_files_are_refused_by_name_and_place_and_change_nothing() {
    let db = Db::new();
    db.import_bexley();
    let snapshot = |db: &Db| {
        (
            db.ok(["export", "activities", "--format", "json"]),
            db.ok(["export", "indicators", "--format", "json"]),
            db.ok(["stats", "--format", "json"]),
        )
    };
    let before = snapshot(&db);
    let dir = tempfile::tempdir().expect("temp dir");
    for h in hostile_files() {
        let path = dir.path().join(h.name);
        std::fs::write(&path, &h.bytes).expect("write the file");
        let out = db.run(["import".as_ref(), path.as_os_str()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", h.name);
        assert!(
            stderr.contains(h.name),
            "{}: the refusal does not name the file: {stderr}",
            h.name
        );
        for word in h.says {
            assert!(
                stderr.contains(word),
                "{}: the refusal does not say '{word}': {stderr}",
                h.name
            );
        }
        assert!(!stderr.contains("panicked"), "{}: {stderr}", h.name);
    }
    assert_eq!(snapshot(&db), before, "a refused file changed the database");
}
