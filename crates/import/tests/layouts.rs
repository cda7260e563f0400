//! Whole documents in the layouts councils publish, read end to end through
//! `waymark_import::read`: PDFs, labelled records, status-headed lists, nested bullets,
//! glued and flowing PDF text, and headline sentences.

use waymark_domain::{ClaimKind, Document, Status};
use waymark_import::{Mapping, Vocabulary};

fn read(name: &str, bytes: &[u8]) -> Vec<Document> {
    match waymark_import::read(
        name,
        bytes,
        None,
        &Vocabulary::default(),
        &Mapping::default(),
    ) {
        Ok(r) => r.documents,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn kpis(docs: &[Document]) -> &waymark_domain::KpiTable {
    docs.iter()
        .find_map(|d| match d {
            Document::KpiTable(t) => Some(t),
            _ => None,
        })
        .expect("a KPI table")
}

fn report(docs: &[Document]) -> &waymark_domain::ActivityReport {
    docs.iter()
        .find_map(|d| match d {
            Document::ActivityReport(r) => Some(r),
            _ => None,
        })
        .expect("an activity report")
}

#[test]
fn a_pdf_table_of_indicators() {
    let pdf = waymark_read::pdf::text_pdf(&[
        vec![
            "Quarterly Performance Report, Quarter 2 2025/26",
            "Ref\tIndicator\tQ1 25/26\tQ2 25/26\tTarget\tRAG",
            "CS01\tCalls answered\t84%\t91%\t90%\tGREEN",
            "CS08\tComplaints on time\t79%\t71%\t85%\tRED",
        ],
        vec![
            "Ref\tIndicator\tQ1 25/26\tQ2 25/26\tTarget\tRAG",
            "HT03\tDefects made safe\t88%\t93%\t90%\tGREEN",
        ],
    ])
    .expect("a PDF");
    let docs = read("qpr.pdf", &pdf);
    let t = kpis(&docs);
    let refs: Vec<&str> = t.rows.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(refs, ["CS01", "CS08", "HT03"]);
    let cs08 = &t.rows[1];
    assert_eq!(cs08.name, "Complaints on time");
    assert_eq!(cs08.rag_label.as_deref(), Some("RED"));
    let texts: Vec<&str> = cs08.outturns.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, ["79%", "71%"]);
    assert_eq!(cs08.outturns[1].target.as_deref(), Some("85%"));
}

#[test]
fn records_with_drifting_labels_and_a_headline() {
    let text = "Delivery Plan: Quarter 3 2025/26 update\n\n\
        Appendix 3 reports on all 176 activity lines. 18 lines (10%) are rated Red.\n\n\
        Line 14 – Launch the contact platform\n\
        Directorate: Resources\n\
        RAG: Red\n\
        Update: Go-live postponed.\n\n\
        Line 27 – Retrofit council homes\n\
        Lead directorate: Housing\n\
        RAG status: Red*\n\
        Update and corrective action: Only 38 homes done.\n";
    let docs = read("update.txt", text.as_bytes());
    let r = report(&docs);
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[1].reference, "27");
    assert_eq!(r.rows[1].directorate, "Housing");
    assert_eq!(r.rows[1].status, Status::Red);
    assert_eq!(r.rows[1].status_label, "Red*");
    let claim = r
        .claims
        .iter()
        .find_map(|c| match &c.claim {
            ClaimKind::Share {
                count: Some(18),
                total,
                percent,
                statuses,
                ..
            } => Some((*total, *percent, statuses.clone())),
            _ => None,
        })
        .expect("the claim about Red lines");
    assert_eq!(claim, (Some(176), Some(10.0), vec![Status::Red]));
}

#[test]
fn a_list_grouped_under_status_headings() {
    let text = "Service plan exceptions at the end of Quarter 2 2025/26\n\n\
        Suspended\n\n\
        Develop a business case for an energy company (Finance)\n\
        Suspended by the Executive in July.\n\
        Pilot a library of things (Communities\n\
        The funding bid failed; the pilot is\n\
        suspended.\n\n\
        Revised completion date\n\
        Adopt the design framework (Planning)\n\
        Consultation produced twice the responses expected.\n";
    let docs = read("exceptions.txt", text.as_bytes());
    let r = report(&docs);
    let rows: Vec<(&str, &str, Status)> = r
        .rows
        .iter()
        .map(|x| (x.title.as_str(), x.directorate.as_str(), x.status))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "Develop a business case for an energy company",
                "Finance",
                Status::Ceased
            ),
            ("Pilot a library of things", "Communities", Status::Ceased),
            ("Adopt the design framework", "Planning", Status::Amber),
        ]
    );
}

#[test]
fn a_plan_of_nested_bullets() {
    let text = "Improvement Objectives 2025/26\n\n\
        \x20 1. To reduce running costs by £2.1m while protecting services\n\n\
        Lead Directorate: Corporate Services\n\n\
        Sub Objectives\n\n\
        \x20 • To deliver savings of £1.2m through redesign by March 2026\n\
        \x20     ◦ Review of car parking tariffs completed by September 2025\n\
        \x20 • To increase income from council facilities by £0.6m\n\n\
        \x20 1. To get more residents active through leisure programmes\n\n\
        Lead Directorate: Health and Community\n\n\
        \x20 • To grow visits to leisure centres to 1.15 million in 2025/26\n";
    let docs = read("objectives.txt", text.as_bytes());
    let Some(Document::ActionPlan(plan)) = docs.first() else {
        panic!("{docs:?}")
    };
    assert_eq!(plan.activities.len(), 6);
    let review = &plan.activities[2];
    assert!(review.title.starts_with("Review of car parking"));
    assert_eq!(review.directorate, "Corporate Services");
    assert_eq!(plan.activities[5].directorate, "Health and Community");
}

#[test]
fn prose_is_still_refused_not_filed() {
    let text =
        "Our council\n\nWe are proud of our borough and its people.\n\nThank you for reading.\n";
    let err = waymark_import::read(
        "about.txt",
        text.as_bytes(),
        None,
        &Vocabulary::default(),
        &Mapping::default(),
    );
    // Prose alone is a strategy page, the one thing it can honestly be; it is never a plan.
    if let Ok(r) = err {
        assert!(
            r.documents
                .iter()
                .all(|d| matches!(d, Document::Strategy(_))),
            "{:?}",
            r.documents
        );
    }
}
