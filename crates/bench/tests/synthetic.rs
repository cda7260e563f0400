//! The synthetic documents read back through the real importers, and reconciliation over them
//! links report rows to the plan activities they were generated from.

use std::collections::HashSet;
use waymark_bench::{Synthetic, synthetic};
use waymark_domain::reconcile::{Decision, ReconcileOptions, Titled, reconcile};
use waymark_domain::{ActionPlan, ActivityReport, ClaimKind, Document, DocumentKind, DueCell};
use waymark_domain::{Period, Quarter, text::fold};
use waymark_import::{Vocabulary, import};

fn parse(s: &Synthetic, kinds: bool) -> (ActionPlan, ActivityReport) {
    let vocab = Vocabulary::default();
    let (plan_kind, report_kind) = if kinds {
        (
            Some(DocumentKind::ActionPlan),
            Some(DocumentKind::ActivityReport),
        )
    } else {
        (None, None)
    };
    let plan = match import("plan.txt", s.plan.as_bytes(), plan_kind, &vocab) {
        Ok(Document::ActionPlan(p)) => p,
        Ok(other) => panic!("the plan read as {:?}", other.kind()),
        Err(e) => panic!("the plan did not import: {e}"),
    };
    let report = match import("report.txt", s.report.as_bytes(), report_kind, &vocab) {
        Ok(Document::ActivityReport(r)) => r,
        Ok(other) => panic!("the report read as {:?}", other.kind()),
        Err(e) => panic!("the report did not import: {e}"),
    };
    (plan, report)
}

fn due_text(cell: &DueCell) -> &str {
    match cell {
        DueCell::Date(d) => d.text.trim(),
        DueCell::Note(n) => n.trim(),
    }
}

/// How the reconciliation of one synthetic pair went, over distinct report rows.
#[derive(Debug, Default)]
struct Score {
    rows: usize,
    correct: usize,
    wrong_links: usize,
    review: usize,
    missed: usize,
}

fn score(s: &Synthetic, plan: &ActionPlan, report: &ActivityReport) -> Score {
    let left: Vec<Titled> = plan
        .activities
        .iter()
        .map(|a| Titled {
            title: a.title.clone(),
            directorate: a.directorate.clone(),
        })
        .collect();
    // The first row of each reference speaks for it, as the store does.
    let mut seen = HashSet::new();
    let first: Vec<usize> = (0..report.rows.len())
        .filter(|&i| seen.insert(report.rows[i].reference.clone()))
        .collect();
    let right: Vec<Titled> = first
        .iter()
        .map(|&i| Titled {
            title: report.rows[i].title.clone(),
            directorate: report.rows[i].directorate.clone(),
        })
        .collect();
    let result = reconcile(&left, &right, &ReconcileOptions::default());
    let mut out = Score {
        rows: right.len(),
        ..Score::default()
    };
    for link in &result.links {
        let Some(r) = link.report else { continue };
        let truth = s.truth.rows[first[r]].plan;
        match (link.decision, truth) {
            (Decision::Linked, Some(p)) if link.plan == Some(p) => out.correct += 1,
            (Decision::Linked, _) => out.wrong_links += 1,
            (Decision::Review, None) | (Decision::Unmatched, None) => out.correct += 1,
            (Decision::Review, Some(_)) => out.review += 1,
            (Decision::Unmatched, Some(_)) => out.missed += 1,
        }
    }
    out
}

fn check(n: usize, seed: u64) {
    let s = synthetic(n, seed);
    let (plan, report) = parse(&s, n.is_multiple_of(2));

    // The plan: every activity, under its directorate, with its portfolios and end date.
    assert_eq!(plan.activities.len(), n, "plan activities");
    let mut portfolios_ok = 0;
    for (i, (got, want)) in plan.activities.iter().zip(&s.truth.plan).enumerate() {
        assert_eq!(
            got.directorate, want.directorate,
            "directorate of activity {i}"
        );
        assert_eq!(
            fold(&got.title),
            fold(&want.title),
            "title of activity {i} (line {})",
            got.line
        );
        assert_eq!(due_text(&got.due), want.due, "end date of activity {i}");
        if got.portfolios == want.portfolios {
            portfolios_ok += 1;
        }
    }
    assert!(
        portfolios_ok * 100 >= n * 99,
        "portfolios read right for only {portfolios_ok} of {n}"
    );

    // The report: every row, repeats included, with its reference and status.
    assert_eq!(report.rows.len(), n, "report rows");
    assert_eq!(report.period, Period::new(2025, Quarter::Q4));
    for (got, want) in report.rows.iter().zip(&s.truth.rows) {
        assert_eq!(got.reference, want.reference);
        assert_eq!(
            fold(&got.title),
            fold(&want.title),
            "title of row {}",
            got.line
        );
        assert!(
            want.status.starts_with(&got.status_label),
            "status of row {}: {} vs {}",
            got.line,
            got.status_label,
            want.status
        );
    }
    let headline = report.claims.iter().find_map(|c| match &c.claim {
        ClaimKind::Share { percent, .. } => *percent,
        _ => None,
    });
    assert_eq!(headline, Some(f64::from(s.truth.headline_percent)));

    // Reconciliation: at least 90% of distinct report rows decided right.
    let sc = score(&s, &plan, &report);
    eprintln!("n = {n}, seed = {seed}: {sc:?}");
    assert!(
        sc.correct * 100 >= sc.rows * 90,
        "only {} of {} report rows reconciled correctly: {sc:?}",
        sc.correct,
        sc.rows
    );
}

#[test]
fn small_synthetic_pair_imports_and_reconciles() {
    check(150, 11);
}

#[test]
fn synthetic_pair_imports_and_reconciles() {
    check(2_000, 1);
    check(2_001, 2);
}

#[test]
fn ten_thousand_activities_import_and_reconcile() {
    check(10_000, 2025);
}
