//! The invented examples in `fixtures/examples/`: the layouts other councils publish.

#![allow(clippy::unwrap_used)]

use waymark_domain::indicator::{Frequency, Measure, Rag, Unit};
use waymark_domain::{
    ClaimKind, Document, DocumentKind, DueCell, FinancialYear, Period, Quarter, Status,
};
use waymark_import::{Vocabulary, detect, import};

fn example(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> Document {
    import(name, example(name).as_bytes(), None, &Vocabulary::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_example_is_detected() {
    for (file, kind) in [
        ("kpi-table.txt", DocumentKind::KpiTable),
        ("kpi-table-tabs.txt", DocumentKind::KpiTable),
        ("action-plan-tabs.txt", DocumentKind::ActionPlan),
        ("action-plan-spaced.txt", DocumentKind::ActionPlan),
        ("activity-report-tabs.txt", DocumentKind::ActivityReport),
        ("activity-report-spaced.txt", DocumentKind::ActivityReport),
        ("activity-report-records.txt", DocumentKind::ActivityReport),
    ] {
        assert_eq!(detect(&example(file)), Some(kind), "{file}");
    }
}

#[test]
fn kpi_tables_glued_and_tabbed_read_the_same() {
    let Document::KpiTable(glued) = read("kpi-table.txt") else {
        panic!()
    };
    let Document::KpiTable(tabs) = read("kpi-table-tabs.txt") else {
        panic!()
    };
    assert_eq!(glued, tabs);
    assert_eq!(glued.title, "Corporate performance indicators 2024/25");
    assert_eq!(glued.rows.len(), 8);
    let row = |r: &str| glued.rows.iter().find(|x| x.reference == r).unwrap();

    let fc01 = row("FC_01");
    assert_eq!(
        fc01.name,
        "Percentage of invoices paid within 30 days of invoice date"
    );
    assert_eq!(fc01.frequency, Frequency::Monthly);
    assert_eq!(fc01.direction.as_deref(), Some("increase"));
    assert_eq!(fc01.outturns.len(), 2);
    assert_eq!(fc01.outturns[0].year, FinancialYear(2023));
    assert_eq!(fc01.outturns[0].text, "89.02%");
    assert_eq!(fc01.outturns[1].year, FinancialYear(2024));
    assert_eq!(
        fc01.outturns[1].value,
        Some(Measure {
            value: 91.21,
            unit: Unit::Percent
        })
    );
    assert_eq!(
        (fc01.rag, fc01.rag_label.as_deref()),
        (Some(Rag::Amber), Some("Amber"))
    );
    assert_eq!(
        fc01.section.as_deref(),
        Some("Priority theme 3: An Efficient and Effective Council")
    );

    let cs04 = row("CS_04");
    assert_eq!(
        cs04.name,
        "Number of children’s centre contacts in the first 1,001 days"
    );
    assert_eq!(
        cs04.outturns[0].value,
        Some(Measure {
            value: 20843.0,
            unit: Unit::Count
        })
    );
    assert_eq!(
        cs04.section.as_deref(),
        Some("Priority theme 1: Aspiration for our residents")
    );
    assert_eq!(row("CS_07").direction.as_deref(), Some("decrease"));
    let fc06 = row("FC_06");
    assert_eq!((fc06.rag, fc06.rag_label.as_deref()), (None, None));
    assert_eq!(fc06.direction.as_deref(), Some("no change"));
    let fc09 = row("FC_09");
    assert_eq!(
        (fc09.outturns[0].text.as_str(), fc09.outturns[0].value),
        ("N/A", None)
    );
    assert_eq!(row("FC_04").outturns[1].text, "7.9");
}

#[test]
fn action_plans_in_columns() {
    let Document::ActionPlan(tabs) = read("action-plan-tabs.txt") else {
        panic!()
    };
    let Document::ActionPlan(spaced) = read("action-plan-spaced.txt") else {
        panic!()
    };
    assert_eq!(tabs, spaced);
    assert_eq!(tabs.activities.len(), 8);
    assert_eq!(tabs.last_updated.as_deref(), Some("March 2025"));
    let a = &tabs.activities[1];
    assert_eq!(a.directorate, "Housing & Communities");
    assert_eq!(a.portfolios, vec!["Communities", "Housing"]);
    assert_eq!(
        a.due_date().map(|d| d.text.as_str()),
        Some("Q2 2024 to 2025")
    );
    let note = tabs
        .activities
        .iter()
        .find(|a| a.title == "Pilot a new community grants scheme")
        .unwrap();
    assert!(matches!(&note.due, DueCell::Note(n) if n.starts_with("No longer progressing")));
    assert_eq!(tabs.activities[7].directorate, "Resources");
}

#[test]
fn reports_in_columns_and_records() {
    let Document::ActivityReport(tabs) = read("activity-report-tabs.txt") else {
        panic!()
    };
    let Document::ActivityReport(spaced) = read("activity-report-spaced.txt") else {
        panic!()
    };
    let Document::ActivityReport(records) = read("activity-report-records.txt") else {
        panic!()
    };
    assert_eq!(tabs, spaced);
    assert_eq!(tabs.period, Period::new(2024, Quarter::Q3));
    assert_eq!(records.period, Period::new(2024, Quarter::Q2));
    assert_eq!(records.period_label, "Quarter 2 2024/25");
    for r in [&tabs, &records] {
        assert_eq!(r.rows.len(), 6);
        let refs: Vec<&str> = r.rows.iter().map(|x| x.reference.as_str()).collect();
        assert_eq!(refs, vec!["81", "103", "115", "26", "5.1", "27"]);
        let statuses: Vec<Status> = r.rows.iter().map(|x| x.status).collect();
        assert_eq!(
            statuses,
            vec![
                Status::Complete,
                Status::Green,
                Status::Amber,
                Status::Ceased,
                Status::NotStarted,
                Status::Red
            ]
        );
        assert_eq!(r.rows[1].status_label, "On track");
        assert_eq!(
            r.rows[3].note.as_deref(),
            Some("Funding bid not successful")
        );
        assert_eq!(r.rows[0].directorate, "Place");
        assert_eq!(r.rows[5].directorate, "Children's Services");
        assert_eq!(
            r.claims.iter().map(|c| c.claim.clone()).collect::<Vec<_>>(),
            vec![
                ClaimKind::Share {
                    percent: None,
                    count: Some(2),
                    total: Some(6),
                    statuses: vec![Status::Complete, Status::Green],
                    label: Some("are complete or on track".into()),
                    about: Some("actions reported this quarter".into()),
                },
                ClaimKind::Share {
                    percent: Some(17.0),
                    count: Some(1),
                    total: None,
                    statuses: vec![Status::Red],
                    label: Some("is red".into()),
                    about: None,
                },
            ]
        );
    }
    assert_eq!(
        records.rows[0].note.as_deref(),
        Some("Adopted by Full Council in April. Officers will report the next steps to Cabinet.")
    );
    assert_eq!(records.rows[0].line, 8);
}
