//! The Bexley seed pages, read end to end.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use waymark_domain::{
    ActionPlan, ActivityReport, ClaimKind, CorporatePlan, Document, DocumentKind, DueCell,
    DueValue, Period, PrinciplesPage, Quarter, Status, Strategy,
};
use waymark_import::{Vocabulary, detect, import};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/bexley/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> Document {
    import(name, fixture(name).as_bytes(), None, &Vocabulary::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn plan() -> ActionPlan {
    match read("action-delivery-plan-2024-12.txt") {
        Document::ActionPlan(p) => p,
        other => panic!("{:?}", other.kind()),
    }
}

fn report() -> ActivityReport {
    match read("annual-performance-report-2024-25.txt") {
        Document::ActivityReport(r) => r,
        other => panic!("{:?}", other.kind()),
    }
}

fn corporate() -> CorporatePlan {
    match read("corporate-plan.txt") {
        Document::CorporatePlan(p) => p,
        other => panic!("{:?}", other.kind()),
    }
}

fn principles() -> PrinciplesPage {
    match read("principles.txt") {
        Document::Principles(p) => p,
        other => panic!("{:?}", other.kind()),
    }
}

fn strategy() -> Strategy {
    match read("childrens-services-vision.txt") {
        Document::Strategy(s) => s,
        other => panic!("{:?}", other.kind()),
    }
}

#[test]
fn detects_all_five_pages() {
    for (file, kind) in [
        ("corporate-plan.txt", DocumentKind::CorporatePlan),
        ("principles.txt", DocumentKind::Principles),
        ("action-delivery-plan-2024-12.txt", DocumentKind::ActionPlan),
        (
            "annual-performance-report-2024-25.txt",
            DocumentKind::ActivityReport,
        ),
        ("childrens-services-vision.txt", DocumentKind::Strategy),
    ] {
        assert_eq!(detect(&fixture(file)), Some(kind), "{file}");
        // Naming the kind gives the same document as detecting it.
        let explicit = import(
            file,
            fixture(file).as_bytes(),
            Some(kind),
            &Vocabulary::default(),
        )
        .unwrap();
        assert_eq!(explicit, read(file));
    }
}

// ----- action plan -----

#[test]
fn action_plan_has_127_activities_in_five_directorates() {
    let p = plan();
    assert_eq!(p.title, "Action delivery plan");
    assert_eq!(p.last_updated.as_deref(), Some("December 2024"));
    assert_eq!(p.activities.len(), 127);
    let mut by_dir: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &p.activities {
        *by_dir.entry(a.directorate.as_str()).or_default() += 1;
    }
    assert_eq!(
        by_dir,
        BTreeMap::from([
            ("Adult Social Care & Health", 22),
            ("Chief Executive", 11),
            ("Children's Services", 20),
            ("Finance & Corporate Services", 33),
            ("Place", 41),
        ])
    );
}

#[test]
fn action_plan_portfolios_are_inferred_not_listed() {
    let p = plan();
    let portfolios: BTreeSet<&str> = p
        .activities
        .iter()
        .flat_map(|a| a.portfolios.iter().map(String::as_str))
        .collect();
    assert_eq!(
        portfolios,
        BTreeSet::from([
            "Adults’ Services & Health",
            "Children's Services",
            "Communities & Housing",
            "Deputy Leader of the Council / Resources",
            "Education",
            "Growth",
            "Leader of the Council",
            "Places",
        ])
    );
    // No title swallowed a portfolio, and no portfolio swallowed part of a title.
    for a in &p.activities {
        assert!(!a.title.is_empty());
        for q in &portfolios {
            if let Some(head) = a.title.strip_suffix(q) {
                assert!(head.ends_with(' '), "{} ends with {q} glued on", a.title);
            }
        }
    }
}

#[test]
fn action_plan_rows_that_teach_something() {
    let p = plan();
    let find = |start: &str| {
        p.activities
            .iter()
            .find(|a| a.title.starts_with(start))
            .unwrap_or_else(|| panic!("no activity starting {start:?}"))
    };

    // One activity over three lines: two portfolios, the date on its own line.
    let a = find("Develop plans for use of affordable housing budget");
    assert_eq!(a.line, 113);
    assert_eq!(
        a.title,
        "Develop plans for use of affordable housing budget"
    );
    assert_eq!(
        a.portfolios,
        vec!["Growth", "Deputy Leader of the Council / Resources"]
    );
    assert_eq!(a.due_date().map(|d| d.text.as_str()), Some("2023 to 2024"));
    assert!(!p.activities.iter().any(|a| a.line == 114 || a.line == 115));

    // Two portfolios run together.
    let a = find("Promote lifelong education");
    assert_eq!(a.title, "Promote lifelong education for all our residents");
    assert_eq!(a.portfolios, vec!["Education", "Growth"]);

    // A note typed into the date column.
    let a = find("Options for developing the youth services hub");
    assert_eq!(a.portfolios, vec!["Children's Services"]);
    assert_eq!(
        a.due,
        DueCell::Note(
            "No longer progressing with this action, our funding application was unsuccessful."
                .into()
        )
    );
    assert_eq!(
        a.status_note().map(|n| n.starts_with("No longer")),
        Some(true)
    );

    // Glue after a full stop, after ".)", and "BexleyCo" kept inside its title.
    let a = find("Prepare for new Care Quality Commission");
    assert_eq!(
        a.title,
        "Prepare for new Care Quality Commission inspection framework in our Adult Social Care directorate, informed by pilots"
    );
    assert_eq!(a.portfolios, vec!["Adults’ Services & Health"]);
    let a = find("Lobby Whitehall");
    assert!(a.title.ends_with("Funding Formula etc.)"), "{}", a.title);
    assert_eq!(
        find("Delivery of BexleyCo").title,
        "Delivery of BexleyCo Business Plan"
    );
    assert_eq!(
        find("Oppose ULEZ").portfolios,
        vec!["Leader of the Council"]
    );

    // Both apostrophes kept as written.
    assert!(
        find(
            "As a member of Bexley's Local Care Partnership, contribute to development of a health"
        )
        .title
        .contains("Bexley's")
    );
    assert!(
        find("Work with partners to deliver health outreach")
            .title
            .contains("children’s centres")
    );

    // Due dates as written, with their structure.
    let first = &p.activities[0];
    assert_eq!(first.line, 10);
    assert_eq!(
        first.title,
        "To continue to work with trusted providers to deliver Care Act assessments in the community"
    );
    let d = first.due_date().unwrap();
    assert_eq!(d.text, "October 2023");
    assert_eq!(
        d.value,
        DueValue::Month {
            year: 2023,
            month: 10
        }
    );
    let dues: Vec<&str> = p
        .activities
        .iter()
        .filter_map(|a| a.due_date())
        .map(|d| d.text.as_str())
        .collect();
    for text in [
        "Q4 2022 to 2023",
        "Annual Q3",
        "Q4 Annual",
        "Quarterly",
        "Ongoing",
        "TBC",
        "15 years",
        "October",
        "2025",
    ] {
        assert!(dues.contains(&text), "{text}");
    }
    assert_eq!(
        p.activities
            .iter()
            .filter(|a| a.status_note().is_some())
            .count(),
        1
    );
}

// ----- annual report -----

#[test]
fn report_has_128_rows_and_116_references() {
    let r = report();
    assert_eq!(r.title, "Our activity in 2024/25");
    assert_eq!(r.period, Period::new(2024, Quarter::Q4));
    assert_eq!(r.period_label, "Year End 24/25");
    assert_eq!(r.rows.len(), 128);
    let refs: BTreeSet<&str> = r.rows.iter().map(|row| row.reference.as_str()).collect();
    assert_eq!(refs.len(), 116);
    let mut by_dir: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &r.rows {
        *by_dir.entry(row.directorate.as_str()).or_default() += 1;
    }
    assert_eq!(
        by_dir,
        BTreeMap::from([
            ("Adult social care and health", 18),
            ("Children’s services", 18),
            ("Cross cutting", 10),
            ("Finance and corporate services", 29),
            ("Place", 53),
        ])
    );
    // The 12 repeated Place rows are kept (duplicates are found later, not here).
    let place_36 = r.rows.iter().filter(|row| row.reference == "36").count();
    assert_eq!(place_36, 2);
    // Bexley's headline: (Complete + Green) of the unique references = 97 of 116.
    let mut by_ref: BTreeMap<&str, Status> = BTreeMap::new();
    for row in &r.rows {
        by_ref.insert(&row.reference, row.status);
    }
    let good = by_ref
        .values()
        .filter(|s| matches!(s, Status::Complete | Status::Green))
        .count();
    assert_eq!(good, 97);
    assert!(!by_ref.values().any(|s| *s == Status::Red));
}

#[test]
fn report_rows_that_teach_something() {
    let r = report();
    let row = |reference: &str| r.rows.iter().find(|x| x.reference == reference).unwrap();
    let x = row("5.1");
    assert_eq!(
        x.title,
        "Prepare for new CQC inspection framework, informed by pilots"
    );
    assert_eq!(
        (x.status, x.status_label.as_str()),
        (Status::Green, "Green")
    );
    assert_eq!(x.line, 17);
    let x = row("26");
    assert_eq!(x.title, "Options for developing the youth services hub");
    assert_eq!(
        (x.status, x.status_label.as_str()),
        (Status::Ceased, "Ceased")
    );
    assert_eq!(x.note.as_deref(), Some("Funding bid not successful"));
    let x = row("96");
    assert_eq!(
        x.title,
        "Complete a 9 Borough project for open access fibre across London, led by Bexley"
    );
    assert_eq!(x.status, Status::Green);
    let x = row("1");
    assert!(x.title.ends_with("their carers"), "{}", x.title);
    assert_eq!(x.status_label, "Complete");
    let x = row("61");
    assert!(x.title.ends_with("etc.)"), "{}", x.title);
    assert_eq!(row("80").status, Status::Ceased);
    assert!(row("16").title.contains("children’s centres"));
    assert!(row("3").title.contains("Bexley's"));
    assert!(
        r.rows
            .iter()
            .all(|x| x.status_label == x.status_label.trim()
                && x.status_label.starts_with(char::is_uppercase))
    );
}

#[test]
fn report_headline_claims() {
    let r = report();
    assert_eq!(r.claims.len(), 2);
    assert_eq!(r.claims[0].line, 5);
    assert_eq!(
        r.claims[0].text,
        "At the end of 2024/25, 83% of the corporate plan action plan activities are complete or on track."
    );
    assert_eq!(
        r.claims[0].claim,
        ClaimKind::Share {
            percent: Some(83.0),
            count: None,
            total: None,
            statuses: vec![Status::Complete, Status::Green],
            label: Some(
                "of the corporate plan action plan activities are complete or on track".into()
            ),
            about: None,
        }
    );
    assert_eq!(r.claims[1].text, "None are ‘red’ RAG rated.");
    assert_eq!(
        r.claims[1].claim,
        ClaimKind::NoneWithStatus {
            status: Status::Red
        }
    );
}

// ----- corporate plan, principles, strategy -----

#[test]
fn corporate_plan_structure() {
    let p = corporate();
    assert_eq!(p.title, "Corporate Plan");
    assert!(
        p.mission
            .starts_with("We will aim to make Bexley even better")
    );
    assert!(
        p.mission.ends_with("to make the most of our resources"),
        "{}",
        p.mission
    );
    assert_eq!(p.principles.len(), 6);
    assert_eq!(p.principles[0], "We stand up for Bexley");
    assert_eq!(
        p.values,
        vec!["Open and accessible", "Listening and responding"]
    );
    assert_eq!(p.themes.len(), 3);
    let titles: Vec<&str> = p.themes.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "Aspiration for our residents",
            "Ambition for our Borough",
            "An Efficient and Effective Council"
        ]
    );
    assert!(
        p.themes[0]
            .summary
            .starts_with("Our priority is to support residents")
    );
    let numbers: Vec<u32> = p
        .themes
        .iter()
        .flat_map(|t| t.outcomes.iter().map(|o| o.number))
        .collect();
    assert_eq!(numbers, (1..=15).collect::<Vec<_>>());
    let per_theme: Vec<usize> = p.themes.iter().map(|t| t.outcomes.len()).collect();
    assert_eq!(per_theme, vec![5, 5, 5]);
    let outcome = |n: u32| {
        p.themes
            .iter()
            .flat_map(|t| &t.outcomes)
            .find(|o| o.number == n)
            .unwrap()
    };
    assert_eq!(
        outcome(1).title,
        "Children and young people have the best start in life"
    );
    assert_eq!(outcome(1).narrative.len(), 4);
    assert_eq!(
        outcome(5).title,
        "Your life, your choice – working together towards the life you want"
    );
    assert_eq!(
        outcome(12).title,
        "Taxpayers’ money is spent wisely and well"
    );
    assert_eq!(outcome(15).line, 99);
    assert!(outcome(4).narrative.iter().all(|para| !para.is_empty()));
}

#[test]
fn principles_page_without_alt_text() {
    let p = principles();
    assert_eq!(p.title, "Our principles");
    let titles: Vec<&str> = p.principles.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "We are driven to make a difference for our residents",
            "We stand up for Bexley",
            "We believe in a fairer Bexley",
            "We work in partnership",
            "We are committed to early intervention and prevention",
            "We embrace change and innovation",
        ]
    );
    let all: Vec<&str> = p
        .principles
        .iter()
        .flat_map(|p| p.explanation.iter().map(String::as_str))
        .collect();
    for alt in [
        "Rainbow",
        "Image of cogs",
        "Stand up for Bexley",
        "Find out more:",
        "A fairer Bexley logo",
        "Working in partnership",
        "Early intervention",
        "Two people carrying a big lightbulb",
    ] {
        assert!(!all.contains(&alt), "{alt} kept");
    }
    let fairer = &p.principles[2];
    assert_eq!(fairer.explanation.len(), 4);
    assert_eq!(
        fairer.explanation[1],
        "we will work with our partners to reduce inequalities between people and places in the borough, and champion equality"
    );
    assert_eq!(p.principles[4].explanation.len(), 3);
    assert!(p.principles[4].explanation[1].starts_with("It’s very important"));
    assert!(p.principles.iter().all(|p| !p.explanation.is_empty()));
}

#[test]
fn strategy_paragraphs() {
    let s = strategy();
    assert_eq!(
        s.title,
        "Our vision for children, schools and families in Bexley"
    );
    assert_eq!(s.paragraphs.len(), 13);
    assert_eq!(
        s.paragraphs[0],
        "In our work with families and alongside our partners, we will work to reduce harm to children and young people and we will protect them from abuse and neglect. If the risk remains or intensifies, we will act quickly to protect them from further harm."
    );
    assert!(
        s.paragraphs
            .iter()
            .all(|p| !p.contains("  ") && p == p.trim())
    );
    assert!(
        s.paragraphs
            .iter()
            .any(|p| p.contains("‘what life and education is like for me’"))
    );
}

// ----- the same pages, saved differently -----

#[test]
fn crlf_and_bom_read_the_same() {
    for file in [
        "action-delivery-plan-2024-12.txt",
        "annual-performance-report-2024-25.txt",
        "corporate-plan.txt",
        "principles.txt",
        "childrens-services-vision.txt",
    ] {
        let crlf = format!("\u{FEFF}{}", fixture(file).replace('\n', "\r\n"));
        let doc = import(file, crlf.as_bytes(), None, &Vocabulary::default()).unwrap();
        assert_eq!(doc, read(file), "{file}");
    }
}

#[test]
fn a_council_vocabulary_changes_nothing_when_it_agrees() {
    let vocab = Vocabulary::from_toml(
        "bexley.toml",
        "portfolios = [\"Education\", \"Growth\", \"Places\"]\ndirectorates = [\"Place\"]\n",
    )
    .unwrap();
    let file = "action-delivery-plan-2024-12.txt";
    let doc = import(file, fixture(file).as_bytes(), None, &vocab).unwrap();
    assert_eq!(doc, Document::ActionPlan(plan()));
}

// ----- snapshots (review changes to these by eye) -----

#[test]
fn snapshot_action_plan() {
    insta::assert_json_snapshot!("bexley_action_plan", plan());
}

#[test]
fn snapshot_report() {
    insta::assert_json_snapshot!("bexley_report", report());
}
