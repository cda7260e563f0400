//! Bad files get a clear error with the line, and never a panic.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use waymark_domain::{Document, DocumentKind, Status};
use waymark_import::{ImportError, MAX_BYTES, Vocabulary, import};

fn bexley(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/bexley/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn err(text: &[u8], kind: Option<DocumentKind>) -> ImportError {
    match import("bad.txt", text, kind, &Vocabulary::default()) {
        Ok(doc) => panic!("expected an error, got a {:?}", doc.kind()),
        Err(e) => e,
    }
}

#[test]
fn empty_and_whitespace_files() {
    for text in [&b""[..], b"   \n\t\r\n  ", "\u{FEFF}\n".as_bytes()] {
        let e = err(text, None);
        assert!(e.message.contains("empty"), "{e}");
        assert_eq!(e.file, "bad.txt");
    }
}

#[test]
fn binary_files_name_the_line() {
    let e = err(b"Action delivery plan\n\nPK\x03\x04\0\0binary", None);
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("binary"), "{e}");
    let e = err(b"%PDF-1.7\n\x01\x02\x03", None);
    assert_eq!(e.line, Some(2));
    let e = err(&[0xFF, 0xFE, b'a', 0], None);
    assert!(e.message.contains("UTF-16"), "{e}");
}

#[test]
fn invalid_utf8_names_the_line_of_the_first_bad_byte() {
    let mut bytes = bexley("action-delivery-plan-2024-12.txt").into_bytes();
    // Line 12 in Latin-1: an é that is not UTF-8.
    let at = bytes
        .split(|b| *b == b'\n')
        .take(11)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    bytes.insert(at + 5, 0xE9);
    let e = err(&bytes, None);
    assert_eq!(e.line, Some(12));
    assert!(e.message.contains("UTF-8"), "{e}");
    assert_eq!(e.to_string(), format!("bad.txt:12: {}", e.message));
}

#[test]
fn huge_files_say_size_and_limit() {
    let bytes = vec![b'a'; MAX_BYTES + 10];
    let e = err(&bytes, None);
    assert!(e.message.contains(&(MAX_BYTES + 10).to_string()), "{e}");
    assert!(e.message.contains(&MAX_BYTES.to_string()), "{e}");
    // Exactly at the limit is not refused for size.
    let ok = vec![b'a'; MAX_BYTES];
    let e = err(&ok, None);
    assert!(!e.message.contains("limit"), "{e}");
}

#[test]
fn undetectable_files_say_what_was_tried() {
    let e = err(b"zzzz 1234\nqqqq\n", None);
    for kind in DocumentKind::ALL {
        assert!(e.message.contains(kind.key()), "{e}");
    }
}

#[test]
fn the_wrong_kind_says_what_it_expected() {
    let e = err(
        bexley("principles.txt").as_bytes(),
        Some(DocumentKind::ActionPlan),
    );
    assert!(e.message.contains("Cabinet Member"), "{e}");
    let e = err(
        bexley("principles.txt").as_bytes(),
        Some(DocumentKind::ActivityReport),
    );
    assert!(e.message.contains("Reference"), "{e}");
    let e = err(
        bexley("principles.txt").as_bytes(),
        Some(DocumentKind::KpiTable),
    );
    assert!(e.message.contains("Ref"), "{e}");
    let e = err(
        bexley("principles.txt").as_bytes(),
        Some(DocumentKind::CorporatePlan),
    );
    assert!(e.message.contains("Priority theme"), "{e}");
}

#[test]
fn header_only_tables_are_errors_naming_the_header() {
    let plan = bexley("action-delivery-plan-2024-12.txt");
    let cut: String = plan.lines().take(9).map(|l| format!("{l}\n")).collect();
    let e = err(cut.as_bytes(), Some(DocumentKind::ActionPlan));
    assert_eq!(e.line, Some(9), "{e}");
    assert!(e.message.contains("no rows"), "{e}");

    let report = bexley("annual-performance-report-2024-25.txt");
    let cut: String = report.lines().take(9).map(|l| format!("{l}\n")).collect();
    let e = err(cut.as_bytes(), Some(DocumentKind::ActivityReport));
    assert_eq!(e.line, Some(9), "{e}");

    let kpi = "KPIs\n\nRefPerformance indicatorFrequencyDirection of travel2023/2024 Outturn2024/2025 OutturnRAG\n";
    let e = err(kpi.as_bytes(), Some(DocumentKind::KpiTable));
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn a_report_cut_off_mid_row_names_the_row() {
    let report = bexley("annual-performance-report-2024-25.txt");
    let lines: Vec<&str> = report.lines().collect();
    // Cut every row line at several points: the error names that line.
    for (i, line) in lines.iter().enumerate() {
        let no = i + 1;
        let is_row = line.starts_with(|c: char| c.is_ascii_digit());
        if !is_row || line.contains("Ceased.") {
            continue;
        }
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        for k in [chars.len() / 3, chars.len() / 2, chars.len() - 2] {
            let Some(&(cut_at, _)) = chars.get(k) else {
                continue;
            };
            let mut text: String = lines[..i].iter().map(|l| format!("{l}\n")).collect();
            text.push_str(&line[..cut_at]);
            let e = err(text.as_bytes(), None);
            assert_eq!(e.line, Some(no), "cut line {no} at {cut_at}: {e}");
            assert_eq!(e.field.as_deref(), Some("status"), "{e}");
        }
    }
}

#[test]
fn a_report_cut_off_after_a_heading_says_so() {
    let report = bexley("annual-performance-report-2024-25.txt");
    let cut: String = report.lines().take(85).map(|l| format!("{l}\n")).collect();
    let e = err(cut.as_bytes(), None);
    assert_eq!(e.line, Some(84), "{e}");
    assert!(e.message.contains("cut off"), "{e}");
}

#[test]
fn a_plan_cut_off_mid_title_names_the_row() {
    // Cut where every portfolio has already been seen twice, so the cut row is the only
    // problem (a plan cut earlier fails on the first row whose portfolio it cannot learn).
    let plan = bexley("action-delivery-plan-2024-12.txt");
    let lines: Vec<&str> = plan.lines().collect();
    for no in [10, 125, 148, 158] {
        let line = lines[no - 1];
        let cut_at = line.char_indices().nth(20).map(|(i, _)| i).unwrap();
        let mut text: String = lines[..no - 1].iter().map(|l| format!("{l}\n")).collect();
        text.push_str(&line[..cut_at]);
        let e = err(text.as_bytes(), Some(DocumentKind::ActionPlan));
        assert_eq!(e.line, Some(no), "{e}");
    }
    // A plan cut after a directorate heading.
    let cut: String = lines[..146].iter().map(|l| format!("{l}\n")).collect();
    let e = err(cut.as_bytes(), Some(DocumentKind::ActionPlan));
    assert_eq!(e.line, Some(146), "{e}");
    assert!(e.message.contains("cut off"), "{e}");
}

#[test]
fn a_corporate_plan_cut_off_names_the_heading() {
    let plan = bexley("corporate-plan.txt");
    let cut: String = plan.lines().take(99).map(|l| format!("{l}\n")).collect();
    let e = err(cut.as_bytes(), None);
    assert_eq!(e.line, Some(99), "{e}");
    assert!(e.message.contains("outcome 15"), "{e}");
}

#[test]
fn unknown_status_label_names_file_line_field_and_fix() {
    let text = "Quarter 2 2024/25\n\nPlace directorate\nReference\tActivity\tStatus\n1\tOpen libraries\tGreen\n2\tShut libraries\tBlue\n";
    let e = err(text.as_bytes(), None);
    assert_eq!(e.file, "bad.txt");
    assert_eq!(e.line, Some(6));
    assert_eq!(e.field.as_deref(), Some("status"));
    assert!(
        e.message.contains("'Blue'") && e.message.contains("vocabulary"),
        "{e}"
    );
    assert!(e.to_string().starts_with("bad.txt:6: status: "), "{e}");

    let vocab = Vocabulary::from_toml("v.toml", "[statuses]\n\"Blue\" = \"complete\"\n").unwrap();
    let Document::ActivityReport(r) = import("ok.txt", text.as_bytes(), None, &vocab).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (r.rows[1].status, r.rows[1].status_label.as_str()),
        (Status::Complete, "Blue")
    );

    // The same in labelled records.
    let records = "Period: Quarter 1 2024/25\n\nReference: 1\nActivity: Open libraries\nStatus: Blue\n\nReference: 2\nActivity: Shut libraries\nStatus: Green\n";
    let e = err(records.as_bytes(), None);
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(5), Some("status")),
        "{e}"
    );
}

#[test]
fn glued_rows_with_an_unknown_label_say_to_map_it() {
    let text = "Our activity in 2024/25\n\nPlace directorate corporate plan action delivery plan\nReferenceActivityRAG Year End 24/25\n36Small grants programme for JubileeComplete\n81Adoption of Local PlanBlue\n";
    let e = err(text.as_bytes(), None);
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(6), Some("status")),
        "{e}"
    );
    assert!(e.message.contains("vocabulary"), "{e}");
}

#[test]
fn cutting_the_seeds_anywhere_never_panics() {
    for name in [
        "action-delivery-plan-2024-12.txt",
        "annual-performance-report-2024-25.txt",
        "corporate-plan.txt",
        "principles.txt",
        "childrens-services-vision.txt",
    ] {
        let text = bexley(name);
        let bytes = text.as_bytes();
        for cut in (0..bytes.len()).step_by(97) {
            // Byte cuts can split a multi-byte character: still no panic.
            let _ = import(name, &bytes[..cut], None, &Vocabulary::default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        for kind in std::iter::once(None).chain(DocumentKind::ALL.into_iter().map(Some)) {
            let _ = import("x", &bytes, kind, &Vocabulary::default());
        }
    }

    #[test]
    fn never_panics_on_text(s in "\\PC{0,600}") {
        for kind in std::iter::once(None).chain(DocumentKind::ALL.into_iter().map(Some)) {
            let _ = import("x", s.as_bytes(), kind, &Vocabulary::default());
        }
    }

    #[test]
    fn never_panics_on_table_like_text(rows in proptest::collection::vec("[A-Za-z0-9 ’'.,()/&%_\t-]{0,80}", 0..12)) {
        for header in [
            "ActivityCabinet MemberEnd date",
            "ReferenceActivityRAG Year End 24/25",
            "Reference\tActivity\tStatus\tCommentary",
            "RefPerformance indicatorFrequencyDirection of travel2023/2024 Outturn2024/2025 OutturnRAG",
            "Ref\tPerformance indicator\tFrequency\tDirection of travel\t2023/24 Outturn\t2024/25 Outturn\tRAG",
            "Priority theme 1: Things",
        ] {
            let text = format!("Title\n\nSome directorate action delivery plan\n{header}\n{}\n", rows.join("\n"));
            for kind in std::iter::once(None).chain(DocumentKind::ALL.into_iter().map(Some)) {
                let _ = import("x", text.as_bytes(), kind, &Vocabulary::default());
            }
        }
    }
}

#[test]
fn big_odd_inputs_stay_fast() {
    // One enormous line with glue points everywhere, and many short table-like lines.
    let word = "abcDef GhiJkl.Mno(PQR)stuVwx 2023 Green ";
    let one_line = word.repeat(40_000);
    let many_lines = "5.1Prepare for new framework, informed by pilotsGreen\nTitle of some activityPlacesOngoing\nWe do things\n".repeat(20_000);
    for text in [one_line, many_lines] {
        let start = std::time::Instant::now();
        for kind in std::iter::once(None).chain(DocumentKind::ALL.into_iter().map(Some)) {
            let _ = import("big.txt", text.as_bytes(), kind, &Vocabulary::default());
        }
        assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
    }
}
