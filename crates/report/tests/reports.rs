//! Reports built from real councils (Bexley's published pages and a synthetic council with
//! two years of quarters) on SQLite and PostgreSQL, then read back in every text format and
//! checked against what the store holds.

use chrono::{NaiveDate, Utc};
use std::collections::BTreeSet;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::stats::unique_returns;
use waymark_domain::{Period, Quarter, Status};
use waymark_report::{
    Document, Format, Kind, Published, ReportError, Reporter, Request, Templates, build,
    portfolio_names,
};
use waymark_store::{Incoming, Organisation, Store};
use waymark_testkit::{TestDb, backends, load_bexley};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 2).expect("date")
}

async fn load_synth(store: &Store) -> Organisation {
    let spec = waymark_synth::SynthSpec {
        councils: 1,
        activities: 30,
        years: 2,
        seed: 7,
        first_year: 2023,
    };
    let council = waymark_synth::council(&spec, 0);
    let org = store
        .organisation(Some(&council.slug), Some(&council.name))
        .await
        .expect("council");
    let incoming = council
        .documents
        .iter()
        .map(|doc| Incoming::generated(&doc.file_name, doc.document.clone()))
        .collect();
    store
        .import(&org, incoming, Utc::now(), &ReconcileOptions::default())
        .await
        .expect("synthetic import");
    org
}

fn year_end() -> Period {
    Period::new(2024, Quarter::Q4)
}

fn every_cell(doc: &Document) -> BTreeSet<String> {
    doc.tables()
        .flat_map(|t| t.rows.iter().flatten().map(|c| c.text.clone()))
        .collect()
}

/// Rows of one table by caption.
fn table<'a>(doc: &'a Document, caption: &str) -> &'a waymark_report::Table {
    doc.tables()
        .find(|t| t.caption == caption)
        .unwrap_or_else(|| panic!("no table '{caption}'"))
}

#[tokio::test]
async fn the_annual_report_holds_every_return_and_the_published_headline() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let org = load_bexley(&db.store).await;
        let published = Published::load(&db.store, &org).await.expect("load");
        let sources = published.sources(today());
        let period = sources
            .resolve_period("2024/25")
            .expect("the year resolves");
        assert_eq!(period, year_end());
        let doc = build(
            &sources,
            &Request {
                kind: Kind::Annual,
                period,
                portfolio: None,
            },
        )
        .expect("annual report");
        let stats = db
            .store
            .period_stats(&org, period, None)
            .await
            .expect("stats");
        let headline = doc.headline.as_ref().expect("headline");
        assert_eq!(
            (headline.numerator, headline.denominator),
            (stats.numerator, stats.denominator),
            "{backend:?}"
        );
        assert!(!headline.claims.is_empty(), "Bexley's claims are checked");
        // Every counted return appears once in the directorate tables with its status.
        let returns = db
            .store
            .returns(&org, Some(period), None)
            .await
            .expect("returns");
        let counted = unique_returns(&returns);
        let mut in_tables = 0;
        let directorates = doc
            .sections
            .iter()
            .find(|s| s.id == "directorates")
            .expect("directorates section");
        for t in &directorates.tables {
            in_tables += t.rows.len();
        }
        assert_eq!(in_tables, counted.len(), "{backend:?}");
        let cells = every_cell(&doc);
        for r in &counted {
            assert!(
                cells.contains(&r.title) || cells.iter().any(|c| c.contains(&r.reference)),
                "{} missing",
                r.reference
            );
        }
        let ceased = table(&doc, "Ceased activities and why");
        assert_eq!(
            ceased.rows.len(),
            counted
                .iter()
                .filter(|r| r.status == Status::Ceased)
                .count()
        );
        // The CSV holds the same rows as the tables, and JSON is the document.
        let reporter = Reporter::default();
        let csv = reporter.render(&doc, Format::Csv).expect("csv");
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        let rows = reader.records().count();
        assert_eq!(rows, doc.tables().map(|t| t.rows.len()).sum::<usize>());
        let json: serde_json::Value =
            serde_json::from_slice(&reporter.render(&doc, Format::Json).expect("json"))
                .expect("JSON parses");
        assert_eq!(json["headline"]["numerator"], stats.numerator);
        assert_eq!(json["kind"], "annual");
        assert_eq!(json["draft"], false);
    }
}

#[tokio::test]
async fn the_exception_report_lists_red_amber_missing_and_movements() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let org = load_synth(&db.store).await;
        let published = Published::load(&db.store, &org).await.expect("load");
        let sources = published.sources(today());
        let period = year_end();
        let doc = build(
            &sources,
            &Request {
                kind: Kind::Exceptions,
                period,
                portfolio: None,
            },
        )
        .expect("exceptions");
        let returns = db
            .store
            .returns(&org, Some(period), None)
            .await
            .expect("returns");
        let counted = unique_returns(&returns);
        for (status, caption) in [
            (Status::Red, "Red activities"),
            (Status::Amber, "Amber activities"),
        ] {
            let t = table(&doc, caption);
            let expected: BTreeSet<&str> = counted
                .iter()
                .filter(|r| r.status == status)
                .map(|r| r.reference.as_str())
                .collect();
            let got: BTreeSet<&str> = t.rows.iter().map(|r| r[0].text.as_str()).collect();
            assert_eq!(got, expected, "{backend:?} {caption}");
            assert!(t.rows.iter().all(|r| r[3].status == Some(status)));
        }
        // Movements compare with the quarter before, and every row really moved.
        let previous = Period::new(2024, Quarter::Q3);
        let before = db
            .store
            .returns(&org, Some(previous), None)
            .await
            .expect("returns");
        let before = unique_returns(&before);
        let moved = table(&doc, &format!("Status changes since {previous}"));
        assert!(!moved.rows.is_empty(), "two years of quarters move");
        for row in &moved.rows {
            let now = counted
                .iter()
                .find(|r| r.reference == row[0].text)
                .expect("now");
            let was = before
                .iter()
                .find(|r| r.reference == row[0].text)
                .expect("was");
            assert_eq!(
                (row[2].status, row[3].status),
                (Some(was.status), Some(now.status))
            );
            assert_ne!(was.status, now.status);
        }

        // An earlier quarter expects only activities that had reported before it: nothing is
        // "never reported" in the first quarter of all.
        let first = *sources.periods().first().expect("periods");
        let early = build(
            &sources,
            &Request {
                kind: Kind::Exceptions,
                period: first,
                portfolio: None,
            },
        )
        .expect("first quarter");
        let missing = table(&early, "Activities without a return");
        assert!(
            missing.rows.iter().all(|r| r[3].text != "Never reported"),
            "{backend:?}: {:?}",
            missing.rows
        );
    }
}

#[tokio::test]
async fn the_annual_report_lists_indicators_under_their_priority_themes() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let org = load_synth(&db.store).await;
        let published = Published::load(&db.store, &org).await.expect("load");
        let sources = published.sources(today());
        let doc = build(
            &sources,
            &Request {
                kind: Kind::Annual,
                period: year_end(),
                portfolio: None,
            },
        )
        .expect("annual");
        let themes = &published.overview.themes;
        assert!(!themes.is_empty());
        let tables: Vec<_> = doc
            .tables()
            .filter(|t| t.id.starts_with("indicators-"))
            .collect();
        assert!(!tables.is_empty(), "{backend:?}: no indicator tables");
        // One table per theme, in the plan's order, each named for its theme.
        let mut last = 0;
        for t in &tables {
            let number: i64 =
                t.id.strip_prefix("indicators-theme-")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("{}: not a theme's table", t.id));
            assert!(number > last, "{backend:?}: themes out of order");
            last = number;
            let theme = themes.iter().find(|th| th.number == number).expect("theme");
            assert_eq!(
                t.caption,
                format!("Indicators: Priority theme {number}: {}", theme.title)
            );
        }
        // Every indicator once, under the theme its table heading gave it.
        let mut listed = BTreeSet::new();
        for t in &tables {
            for row in &t.rows {
                assert!(listed.insert(row[0].text.clone()), "{} twice", row[0].text);
                let heading = sources
                    .indicators
                    .iter()
                    .find(|v| v.reference == row[0].text)
                    .and_then(|v| v.section.clone())
                    .expect("section");
                assert!(heading.contains(&t.caption["Indicators: ".len()..]));
            }
        }
        let all: BTreeSet<String> = sources
            .indicators
            .iter()
            .map(|v| v.reference.clone())
            .collect();
        assert_eq!(listed, all, "{backend:?}");
    }
}

#[tokio::test]
async fn a_portfolio_report_holds_only_that_portfolio() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let org = load_bexley(&db.store).await;
        let published = Published::load(&db.store, &org).await.expect("load");
        let sources = published.sources(today());
        let names = portfolio_names(&sources);
        assert!(names.len() > 1, "Bexley has several portfolios");
        let name = &names[0];
        let doc = build(
            &sources,
            &Request {
                kind: Kind::Portfolio,
                period: year_end(),
                portfolio: Some(name.to_uppercase()),
            },
        )
        .expect("matched loosely");
        assert_eq!(doc.subject.as_deref(), Some(name.as_str()));
        let t = table(&doc, "Activities in the portfolio");
        let in_portfolio: BTreeSet<String> = published
            .activities
            .iter()
            .filter(|a| a.portfolios.contains(name))
            .filter_map(|a| a.reference.clone())
            .collect();
        assert!(!t.rows.is_empty());
        for row in &t.rows {
            assert!(
                in_portfolio.contains(&row[0].text),
                "{} is not in {name}",
                row[0].text
            );
        }
        let missing = build(
            &sources,
            &Request {
                kind: Kind::Portfolio,
                period: year_end(),
                portfolio: Some("Nobody's portfolio".into()),
            },
        );
        match missing {
            Err(ReportError::Unavailable(m)) => assert!(m.contains(name.as_str()), "{m}"),
            other => panic!("expected a refusal naming the portfolios, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn html_and_markdown_match_their_snapshots_and_the_markdown_renders() {
    let db = TestDb::new(waymark_store::Backend::Sqlite).await;
    let org = load_bexley(&db.store).await;
    let published = Published::load(&db.store, &org).await.expect("load");
    let sources = published.sources(today());
    let reporter = Reporter::default();
    for kind in [Kind::Annual, Kind::Exceptions] {
        let doc = build(
            &sources,
            &Request {
                kind,
                period: year_end(),
                portfolio: None,
            },
        )
        .expect("report");
        let html =
            String::from_utf8(reporter.render(&doc, Format::Html).expect("html")).expect("utf-8");
        let md = String::from_utf8(reporter.render(&doc, Format::Md).expect("md")).expect("utf-8");
        insta::assert_snapshot!(format!("bexley_{}_html", kind.key()), html);
        insta::assert_snapshot!(format!("bexley_{}_md", kind.key()), md);
        // Markdown renders to HTML with a table per non-empty table and every heading.
        let rendered = markdown_to_html(&md);
        let tables = doc.tables().filter(|t| !t.rows.is_empty()).count();
        assert_eq!(rendered.matches("<table>").count(), tables, "{kind:?}");
        for s in &doc.sections {
            assert!(
                rendered.contains(&format!(">{}</h2>", html_text(&s.heading))),
                "{}",
                s.heading
            );
        }
    }
}

fn markdown_to_html(md: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES);
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, parser);
    out
}

fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn hostile_text_stays_text_in_html_markdown_and_csv() {
    let hostile = "<script>alert(1)</script> *x* | =SUM(A1) [a](javascript:x) {{ 7*7 }}";
    let mut doc = waymark_report::document::sample();
    doc.title = hostile.into();
    doc.sections[0].tables[0].rows[0][1].text = hostile.into();
    let reporter = Reporter::default();
    let html =
        String::from_utf8(reporter.render(&doc, Format::Html).expect("html")).expect("utf-8");
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(1)"));
    assert!(html.contains("{{ 7*7 }}"), "templates never evaluate data");
    let md = String::from_utf8(reporter.render(&doc, Format::Md).expect("md")).expect("utf-8");
    let rendered = markdown_to_html(&md);
    assert!(!rendered.contains("<script"));
    assert!(!rendered.contains("href=\"javascript"));
    assert!(rendered.contains("&lt;script&gt;"));
    // The cell with a pipe stays one cell: the table keeps five columns.
    assert_eq!(rendered.matches("</th>").count(), 5);
    let csv = String::from_utf8(reporter.render(&doc, Format::Csv).expect("csv")).expect("utf-8");
    assert!(!csv.contains(",=SUM"));
}

#[test]
fn a_councils_templates_replace_the_built_in_ones_and_broken_ones_name_file_and_line() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("report.html"),
        "<!DOCTYPE html><html lang=\"en\"><title>{{ doc.title }}</title><h1>Our own: {{ doc.council }}</h1></html>",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("brand.toml"),
        "colour = \"#005EA5\"\nlogo = \"logo.svg\"\nlogo_alt = \"Example Council\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .expect("write");
    let templates = Templates::load(dir.path()).expect("loads");
    assert_eq!(templates.brand.colour, "#005ea5");
    let reporter = Reporter::new(templates, None);
    let doc = waymark_report::document::sample();
    let html =
        String::from_utf8(reporter.render(&doc, Format::Html).expect("html")).expect("utf-8");
    assert!(html.contains("<h1>Our own: Example Council</h1>"));
    // Markdown still comes from the built-in template.
    let md = String::from_utf8(reporter.render(&doc, Format::Md).expect("md")).expect("utf-8");
    assert!(md.contains("# DRAFT: Exception report"));

    // A syntax error, and an error that only shows when data is rendered.
    for (source, line) in [
        ("line one\nline two\n{% for x in %}\n", 3),
        ("fine\n\n\n{{ doc.no_such_field.deeper }}\n", 4),
    ] {
        std::fs::write(dir.path().join("report.html"), source).expect("write");
        match Templates::load(dir.path()) {
            Err(ReportError::Template {
                file,
                line: Some(l),
                message,
            }) => {
                assert_eq!((file.as_str(), l), ("report.html", line), "{message}");
            }
            Err(other) => panic!("expected a template error, got {other}"),
            Ok(_) => panic!("a broken template was accepted"),
        }
    }
    std::fs::remove_file(dir.path().join("report.html")).expect("rm");
    for (brand, field, line) in [
        ("colour = \"blue\"\n", "colour", 1),
        ("\nlogo = \"../secret.png\"\nlogo_alt = \"x\"\n", "logo", 2),
        ("logo = \"logo.svg\"\n", "logo_alt", 0),
        ("colour = \"#000000\"\nshade = 3\n", "shade", 2),
    ] {
        std::fs::write(dir.path().join("brand.toml"), brand).expect("write");
        let err = match Templates::load(dir.path()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("brand {brand:?} was accepted"),
        };
        assert!(err.starts_with("brand.toml"), "{err}");
        assert!(err.contains(field), "{err}");
        if line > 0 {
            assert!(err.contains(&format!("line {line}")), "{err}");
        }
    }
}
