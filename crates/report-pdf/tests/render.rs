//! Reports rendered to PDF and read back with poppler: the words, the fonts, the tags, the pages.

mod common;

use std::time::Instant;

use common::{DIRECTORATES, PdfFile, annual, contains, reference, short};
use waymark_report::{Brand, FontFile, Logo, ReportError};
use waymark_report_pdf::render;

fn annual_pdf(draft: bool) -> (Vec<u8>, PdfFile) {
    let started = Instant::now();
    let bytes = render(&annual(draft), &Brand::default(), None).expect("the annual report renders");
    eprintln!(
        "annual report (150 rows, draft {draft}) rendered in {:?}",
        started.elapsed()
    );
    keep(&format!("annual-draft-{draft}.pdf"), &bytes);
    let file = PdfFile::new(&bytes);
    (bytes, file)
}

/// Set WAYMARK_PDF_OUT to a folder to look at the reports these tests make.
fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("WAYMARK_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).expect("PDF kept");
    }
}

#[test]
fn the_annual_report_reads_back_whole() {
    let doc = annual(false);
    let (_, pdf) = annual_pdf(false);
    let text = pdf.text();
    for expected in [
        "Annual performance report 2024/25",
        "London Borough of Bexley",
        "2024/25 Q4 (year end)",
        "Generated 24 November 2026",
        "97 of 116 (83.6%)",
        "activities complete or on track",
        "84% of our activities are on track",
        "Does not match:",
        "Contents",
        "Activities by status and directorate",
        "Nothing to show under Red activities.",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the PDF text"
        );
    }
    // Every cell of every table, headings included.
    for table in doc.tables() {
        for column in &table.columns {
            assert!(
                text.contains(&column.heading),
                "heading {:?}",
                column.heading
            );
        }
        for cell in table.rows.iter().flatten() {
            assert!(text.contains(&cell.text), "cell {:?} missing", cell.text);
        }
    }
    for (d, _) in DIRECTORATES.iter().enumerate() {
        for i in 0..25 {
            assert!(text.contains(&reference(d, i)));
        }
    }
    for section in &doc.sections {
        assert!(text.contains(&section.heading), "{:?}", section.heading);
    }
    assert!(!text.contains("DRAFT"), "a published report is not a draft");
    assert!(pdf.pages() > 1, "150 rows take more than one page");
    assert!(pdf.page_text(1).contains("Page 1 of"));
    // Long tables repeat their header row on every page they run onto.
    for page in 2..=pdf.pages() {
        let text = pdf.page_text(page);
        if text.contains("BX") {
            // Cells never hold these capitalised words; pdftotext may reorder the row.
            for heading in ["Reference", "Activity", "Status"] {
                assert!(
                    text.contains(heading),
                    "page {page} has rows without the header {heading:?}: {text}"
                );
            }
        }
    }
    let last = pdf.pages();
    assert!(
        pdf.page_text(last)
            .contains(&format!("Page {last} of {last}"))
    );
}

#[test]
fn the_chart_writes_its_counts_in_words() {
    let doc = annual(false);
    let (_, pdf) = annual_pdf(false);
    let text = pdf.text();
    let chart = doc.sections[0]
        .chart
        .as_ref()
        .expect("the overview has a chart");
    for bar in &chart.bars {
        let words: Vec<String> = bar
            .segments
            .iter()
            .map(|s| format!("{} {}", s.label, s.count))
            .collect();
        let summary = format!("{}; total {}", words.join(", "), bar.total);
        assert!(text.contains(&summary), "{summary:?} missing");
    }
    assert!(text.contains("Key:"));
}

#[test]
fn a_draft_says_so_on_every_page() {
    let (_, pdf) = annual_pdf(true);
    let pages = pdf.pages();
    assert!(pages > 1);
    for page in 1..=pages {
        assert!(
            pdf.page_text(page).contains("DRAFT"),
            "page {page} does not say DRAFT"
        );
    }
}

#[test]
fn every_font_is_embedded_and_none_is_a_standard_font() {
    let (_, pdf) = annual_pdf(true);
    let fonts = pdf.fonts();
    assert!(!fonts.is_empty(), "pdffonts lists no font");
    for (name, kind, embedded) in &fonts {
        assert!(embedded, "{name} ({kind}) is not embedded");
        assert!(
            !kind.starts_with("Type 1"),
            "{name} is a standard Type 1 font"
        );
    }
    assert!(
        fonts.iter().any(|(name, _, _)| name.contains("NotoSans")),
        "the report is set in Noto Sans: {fonts:?}"
    );
}

#[test]
fn the_pdf_is_tagged_titled_and_in_british_english() {
    let (bytes, pdf) = annual_pdf(false);
    let info = pdf.info();
    assert!(
        info.lines()
            .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "pdfinfo: {info}"
    );
    assert!(
        info.lines()
            .any(|l| l.starts_with("Title:") && l.contains("Annual performance report 2024/25")),
        "pdfinfo: {info}"
    );
    assert!(contains(&bytes, b"/StructTreeRoot"));
    assert!(contains(&bytes, b"/MarkInfo"));
    assert!(contains(&bytes, b"en-GB"), "the language is en-GB");
    // The built-in template meets PDF/UA-1, and says so in its metadata.
    assert!(contains(&bytes, b"pdfuaid:part"), "claims PDF/UA");
}

#[test]
fn council_text_is_never_read_as_markup() {
    let hostile = r#"#panic("x") *bold* $x$ <l> @ref \"#;
    let mut doc = short(hostile);
    doc.council = "Council ] of #set page(width: 1cm) _here_".into();
    doc.sections[0].heading = "= Not a heading // nor a comment".into();
    doc.sections[0].tables[0].rows[0][0].text = r"\#RES-01 ` [x](y)".into();
    let bytes = render(&doc, &Brand::default(), None).expect("hostile text renders");
    let text = PdfFile::new(&bytes).text();
    assert!(text.contains(hostile), "title not literal: {text}");
    assert!(text.contains("Council ] of #set page(width: 1cm) _here_"));
    assert!(text.contains("= Not a heading // nor a comment"));
    // pdftotext guesses spaces from gaps, so the cell is checked word by word.
    for word in [r"\#RES-01", "`", "[x](y)"] {
        assert!(text.contains(word), "{word:?} missing: {text}");
    }
}

#[test]
fn a_councils_template_replaces_the_built_in_one() {
    let template = "#let doc = json(\"report.json\")\n\
                    #let brand = json(\"brand.json\")\n\
                    #set document(title: doc.title)\n\
                    #set text(font: brand.fonts, lang: \"en\", region: \"GB\")\n\
                    #text(\"Custom layout for \" + doc.council)\n";
    let bytes = render(&short("Exceptions"), &Brand::default(), Some(template))
        .expect("the override renders");
    let pdf = PdfFile::new(&bytes);
    let text = pdf.text();
    assert!(
        text.contains("Custom layout for London Borough of Bexley"),
        "{text}"
    );
    assert!(!text.contains("Contents"));
}

#[test]
fn a_broken_template_names_the_file_and_line() {
    // A missing field, found while evaluating line 3.
    let template = "#let doc = json(\"report.json\")\n\n#doc.no_such_field\n";
    match render(&short("x"), &Brand::default(), Some(template)) {
        Err(ReportError::Template {
            file,
            line,
            message,
        }) => {
            assert_eq!(file, "report.typ");
            assert_eq!(line, Some(3), "{message}");
            assert!(message.contains("no_such_field"), "{message}");
        }
        other => panic!("expected a template error, got {other:?}"),
    }
    // A syntax error on line 4.
    let template = "#let doc = json(\"report.json\")\n// fine\n#doc.title\n#let x = (1, 2\n";
    match render(&short("x"), &Brand::default(), Some(template)) {
        Err(ReportError::Template { file, line, .. }) => {
            assert_eq!(file, "report.typ");
            assert_eq!(line, Some(4));
        }
        other => panic!("expected a template error, got {other:?}"),
    }
    // An error inside a function reports the line where the function went wrong.
    let template = "#let f(x) = {\n  x.missing\n}\n#f((a: 1))\n";
    match render(&short("x"), &Brand::default(), Some(template)) {
        Err(ReportError::Template { line, .. }) => assert_eq!(line, Some(2)),
        other => panic!("expected a template error, got {other:?}"),
    }
    // Display names the file and line.
    let err = render(&short("x"), &Brand::default(), Some("#panic(\"stop\")")).expect_err("panics");
    assert!(err.to_string().starts_with("report.typ line 1: "), "{err}");
}

#[test]
fn the_brand_logo_colour_and_font_are_used() {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40"><rect width="120" height="40" fill="#1d70b8"/><circle cx="20" cy="20" r="12" fill="#ffffff"/></svg>"##;
    // DejaVu Sans Mono (regular) is the last of typst's bundled faces.
    let mono = typst_assets::fonts().last().expect("typst bundles fonts");
    let brand = Brand {
        colour: "#6f2c91".into(),
        logo: Some(Logo {
            file_name: "bexley.svg".into(),
            bytes: svg.to_vec(),
            alt: "London Borough of Bexley".into(),
        }),
        font: Some(FontFile {
            family: "DejaVu Sans Mono".into(),
            file_name: "brand.ttf".into(),
            bytes: mono.to_vec(),
        }),
    };
    let bytes = render(&annual(false), &brand, None).expect("a branded report renders");
    keep("annual-branded.pdf", &bytes);
    let pdf = PdfFile::new(&bytes);
    let fonts = pdf.fonts();
    assert!(
        fonts
            .iter()
            .any(|(name, _, _)| name.contains("DejaVuSansMono")),
        "the brand's font is used: {fonts:?}"
    );
    assert!(fonts.iter().all(|(_, _, embedded)| *embedded));
    // The logo has its alt text, so the report still meets PDF/UA-1.
    assert!(contains(&bytes, b"pdfuaid:part"));
    assert!(pdf.text().contains("Annual performance report 2024/25"));
}

#[test]
fn a_broken_brand_names_its_file() {
    let brand = Brand {
        colour: "blue".into(),
        ..Brand::default()
    };
    match render(&short("x"), &brand, None) {
        Err(ReportError::Template { file, .. }) => assert_eq!(file, "brand.toml"),
        other => panic!("expected a brand error, got {other:?}"),
    }
    let brand = Brand {
        font: Some(FontFile {
            family: "Nothing".into(),
            file_name: "nothing.ttf".into(),
            bytes: b"not a font".to_vec(),
        }),
        ..Brand::default()
    };
    match render(&short("x"), &brand, None) {
        Err(ReportError::Template { file, .. }) => assert_eq!(file, "nothing.ttf"),
        other => panic!("expected a font error, got {other:?}"),
    }
}

#[test]
fn text_no_font_covers_still_renders() {
    // A glyph none of the embedded fonts has rules out PDF/UA-1; the report is still made.
    let bytes = render(
        &short("Emoji \u{1F600} and \u{4E2D}"),
        &Brand::default(),
        None,
    )
    .expect("renders without the PDF/UA claim");
    assert!(
        !contains(&bytes, b"pdfuaid:part"),
        "no PDF/UA claim without the glyphs"
    );
    let pdf = PdfFile::new(&bytes);
    assert!(
        pdf.info()
            .lines()
            .any(|l| l.starts_with("Tagged:") && l.ends_with("yes"))
    );
    assert!(pdf.text().contains("Emoji"));
}

#[test]
#[ignore = "prints timings: cargo test --release -p waymark-report-pdf -- --ignored --nocapture"]
fn render_times() {
    let doc = annual(false);
    let brand = Brand::default();
    waymark_report_pdf::warm_up();
    for round in 0..5 {
        // Empty typst's memo cache so each render starts from nothing, as a new report would.
        typst::comemo::evict(0);
        let started = Instant::now();
        render(&doc, &brand, None).expect("renders");
        eprintln!("uncached render {round}: {:?}", started.elapsed());
    }
    for round in 0..3 {
        let started = Instant::now();
        render(&doc, &brand, None).expect("renders");
        eprintln!("same report again {round}: {:?}", started.elapsed());
    }
}
