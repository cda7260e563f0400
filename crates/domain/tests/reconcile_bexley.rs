//! Reconcile Bexley's 2024/25 annual performance report against its December 2024 action
//! delivery plan, and score the result against the hand-labelled links in
//! `fixtures/bexley/expected-links.csv`.

use std::collections::BTreeMap;

use waymark_domain::reconcile::{Decision, ReconcileOptions, Titled, reconcile};

const EXPECTED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/bexley/expected-links.csv"
));

/// One CSV record: fields separated by commas, optionally quoted with `"` (a doubled `""` inside
/// quotes is a literal quote). Records here never span lines.
fn parse_record(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quote in {line:?}");
    fields.push(field);
    fields
}

struct Row {
    reference: String,
    report: Option<Titled>,
    plan: Option<Titled>,
}

fn rows() -> Vec<Row> {
    let mut lines = EXPECTED.lines();
    assert_eq!(
        lines.next(),
        Some("reference,report_title,report_directorate,plan_title,plan_directorate")
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f = parse_record(line);
            assert_eq!(f.len(), 5, "five fields in {line:?}");
            let titled = |title: &str, directorate: &str| {
                (!title.is_empty()).then(|| Titled {
                    title: title.to_string(),
                    directorate: directorate.to_string(),
                })
            };
            Row {
                reference: f[0].clone(),
                report: titled(&f[1], &f[2]),
                plan: titled(&f[3], &f[4]),
            }
        })
        .collect()
}

#[test]
fn expected_links_are_consistent() {
    let rows = rows();
    let linked = rows
        .iter()
        .filter(|r| r.report.is_some() && r.plan.is_some())
        .count();
    let report_only: Vec<&str> = rows
        .iter()
        .filter(|r| r.report.is_some() && r.plan.is_none())
        .map(|r| r.reference.as_str())
        .collect();
    let plan_only = rows
        .iter()
        .filter(|r| r.report.is_none() && r.plan.is_some())
        .count();
    assert_eq!(linked, 115);
    assert_eq!(report_only, ["74"]);
    assert_eq!(plan_only, 12);

    let mut references: Vec<&str> = rows
        .iter()
        .filter(|r| r.report.is_some())
        .map(|r| r.reference.as_str())
        .collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(references.len(), 116, "unique report references");

    let mut plan_titles: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.plan.as_ref().map(|p| p.title.as_str()))
        .collect();
    plan_titles.sort_unstable();
    plan_titles.dedup();
    assert_eq!(
        plan_titles.len(),
        127,
        "each plan activity used exactly once"
    );
}

#[test]
fn bexley_report_reconciles_with_plan() {
    let rows = rows();
    let plan: Vec<Titled> = rows.iter().filter_map(|r| r.plan.clone()).collect();
    let report: Vec<Titled> = rows.iter().filter_map(|r| r.report.clone()).collect();
    let references: Vec<&str> = rows
        .iter()
        .filter(|r| r.report.is_some())
        .map(|r| r.reference.as_str())
        .collect();
    // Expected plan index for each report index.
    let mut expected: BTreeMap<usize, Option<usize>> = BTreeMap::new();
    let (mut p, mut r) = (0, 0);
    for row in &rows {
        match (&row.report, &row.plan) {
            (Some(_), Some(_)) => {
                expected.insert(r, Some(p));
                r += 1;
                p += 1;
            }
            (Some(_), None) => {
                expected.insert(r, None);
                r += 1;
            }
            (None, Some(_)) => p += 1,
            (None, None) => unreachable!("empty row"),
        }
    }
    assert_eq!((plan.len(), report.len()), (127, 116));
    let expected_links = expected.values().filter(|p| p.is_some()).count();

    let options = ReconcileOptions::default();
    let result = reconcile(&plan, &report, &options);

    let (mut made, mut correct, mut review, mut review_correct) = (0, 0, 0, 0);
    for link in &result.links {
        let Some(r) = link.report else { continue };
        let right = expected[&r] == link.plan && link.plan.is_some();
        let label = match link.decision {
            Decision::Linked => {
                made += 1;
                if right {
                    correct += 1;
                }
                if right { "" } else { "WRONG LINK" }
            }
            Decision::Review => {
                review += 1;
                if right {
                    review_correct += 1;
                }
                if right { "review" } else { "review (wrong)" }
            }
            Decision::Unmatched => {
                if expected[&r].is_some() {
                    "MISSED"
                } else {
                    ""
                }
            }
        };
        if !label.is_empty() {
            println!(
                "{label:>14} {:>4} {:.3} {:?} -> {:?}",
                references[r],
                link.score,
                report[r].title,
                link.plan.map(|p| plan[p].title.as_str())
            );
        }
    }
    let precision = correct as f64 / made.max(1) as f64;
    let recall = correct as f64 / expected_links as f64;
    let plan_unmatched = result.links.iter().filter(|l| l.report.is_none()).count();
    println!(
        "links made {made}, correct {correct}, precision {precision:.3}, recall {recall:.3}; \
         review {review} ({review_correct} of them right); plan items unmatched {plan_unmatched}"
    );

    // Every report row appears exactly once.
    let mut seen = vec![0; report.len()];
    for link in &result.links {
        if let Some(r) = link.report {
            seen[r] += 1;
        }
    }
    assert!(seen.iter().all(|&n| n == 1));

    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.90, "recall {recall:.3}");

    let r74 = references
        .iter()
        .position(|&reference| reference == "74")
        .expect("reference 74 is in the report");
    let link74 = result
        .links
        .iter()
        .find(|l| l.report == Some(r74))
        .expect("reference 74 has an outcome");
    assert_ne!(link74.decision, Decision::Linked, "74 has no plan activity");
}
