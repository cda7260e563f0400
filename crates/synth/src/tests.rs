#![allow(clippy::unwrap_used)]

use super::*;
use crate::words::CORRECTIVE_ACTIONS;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use waymark_domain::{
    ActionPlan, ActivityReport, ClaimKind, CorporatePlan, DueCell, DueValue, KpiTable, Period,
    Status, StatusLabels,
};

fn spec(councils: usize, activities: usize, years: usize, seed: u64) -> SynthSpec {
    SynthSpec {
        councils,
        activities,
        years,
        seed,
        first_year: 2019,
    }
}

/// The council's documents by kind, checking they come in import order.
fn split(c: &SynthCouncil) -> (&CorporatePlan, &ActionPlan, Vec<&ActivityReport>, &KpiTable) {
    let docs = &c.documents;
    let Document::CorporatePlan(corporate) = &docs[0].document else {
        panic!("first document is not the corporate plan")
    };
    let Document::ActionPlan(plan) = &docs[1].document else {
        panic!("second document is not the action plan")
    };
    let Some(Document::KpiTable(kpis)) = docs.last().map(|d| &d.document) else {
        panic!("last document is not the KPI table")
    };
    let reports = docs[2..docs.len() - 1]
        .iter()
        .map(|d| match &d.document {
            Document::ActivityReport(r) => r,
            other => panic!("expected a report, found {:?}", other.kind()),
        })
        .collect();
    (corporate, plan, reports, kpis)
}

/// Every structural promise the crate makes about one council.
fn check_council(spec: &SynthSpec, c: &SynthCouncil) {
    let (corporate, plan, reports, kpis) = split(c);
    assert_eq!(c.documents.len(), spec.years * 4 + 3);
    let files: HashSet<_> = c.documents.iter().map(|d| &d.file_name).collect();
    assert_eq!(files.len(), c.documents.len(), "file names unique");
    assert!(c.documents.iter().all(|d| d.file_name.starts_with(&c.slug)));

    // Corporate plan: 3–5 themes of 2–4 outcomes, outcomes numbered through the plan.
    assert!((3..=5).contains(&corporate.themes.len()));
    let mut outcome = 0;
    for theme in &corporate.themes {
        assert!((2..=4).contains(&theme.outcomes.len()));
        for o in &theme.outcomes {
            outcome += 1;
            assert_eq!(o.number, outcome);
            assert!(!o.narrative.is_empty());
        }
    }

    // Action plan: exactly `activities` rows, unique titles, increasing lines, real dates.
    assert_eq!(plan.activities.len(), spec.activities);
    let titles: HashSet<_> = plan.activities.iter().map(|a| &a.title).collect();
    assert_eq!(titles.len(), spec.activities, "titles unique");
    assert!(plan.activities.windows(2).all(|w| w[0].line < w[1].line));
    let directorates: HashSet<_> = plan.activities.iter().map(|a| &a.directorate).collect();
    assert!(directorates.len() <= 7);
    for a in &plan.activities {
        assert!((1..=2).contains(&a.portfolios.len()), "{:?}", a.portfolios);
        match &a.due {
            DueCell::Date(d) => {
                assert_ne!(d.value, DueValue::Unknown, "{}", d.text);
                assert_eq!(DueCell::parse(&d.text), a.due, "due text reads back");
            }
            DueCell::Note(n) => panic!("due is a note: {n}"),
        }
    }

    // Reports: one per quarter, consecutive, each with every activity.
    assert_eq!(reports.len(), spec.years * 4);
    let mut expected = Period::new(i32::from(spec.first_year), waymark_domain::Quarter::Q1);
    let labels = StatusLabels::default();
    let mut history: HashMap<&str, Vec<Status>> = HashMap::new();
    let mut reference_order: Option<Vec<&str>> = None;
    for r in &reports {
        assert_eq!(r.period, expected);
        expected = expected.next();
        assert_eq!(r.period_label.parse::<Period>(), Ok(r.period));
        assert_eq!(r.rows.len(), spec.activities);
        assert!(r.rows.windows(2).all(|w| w[0].line < w[1].line));
        let refs: Vec<&str> = r.rows.iter().map(|row| row.reference.as_str()).collect();
        let unique: HashSet<_> = refs.iter().collect();
        assert_eq!(
            unique.len(),
            refs.len(),
            "references unique in {}",
            r.period
        );
        match &reference_order {
            None => reference_order = Some(refs),
            Some(first) => assert_eq!(first, &refs, "references stable across quarters"),
        }
        for (row, planned) in r.rows.iter().zip(&plan.activities) {
            assert_eq!(row.title, planned.title);
            assert_eq!(row.directorate, planned.directorate);
            assert_eq!(labels.lookup(&row.status_label), Some(row.status));
            if matches!(row.status, Status::Amber | Status::Red) {
                let note = row.note.as_deref().unwrap_or_default();
                assert!(
                    CORRECTIVE_ACTIONS.iter().any(|c| note.contains(c)),
                    "{} {}: {note:?}",
                    row.reference,
                    row.status_label
                );
            }
            if row.status == Status::Ceased {
                assert!(
                    row.note
                        .as_deref()
                        .is_some_and(|n| n.starts_with("Ceased in "))
                );
            }
            history.entry(&row.reference).or_default().push(row.status);
        }
        // Published claims are true of the rows they sit above.
        for claim in &r.claims {
            match &claim.claim {
                ClaimKind::Share {
                    percent,
                    count,
                    total,
                    statuses,
                    ..
                } => {
                    let n = r
                        .rows
                        .iter()
                        .filter(|x| statuses.contains(&x.status))
                        .count();
                    assert_eq!(*count, Some(n as u32));
                    assert_eq!(*total, Some(r.rows.len() as u32));
                    let exact = n as f64 * 100.0 / r.rows.len() as f64;
                    assert_eq!(*percent, Some(exact.round()));
                }
                ClaimKind::NoneWithStatus { status } => {
                    assert!(r.rows.iter().all(|x| x.status != *status));
                }
            }
        }
    }
    let plan_prefixes: HashSet<_> = history.keys().map(|r| r.split('-').next()).collect();
    assert_eq!(
        plan_prefixes.len(),
        directorates.len(),
        "one prefix per directorate"
    );
    for (reference, statuses) in &history {
        if let Some(closed) = statuses.iter().position(|s| s.is_closed()) {
            assert!(
                statuses[closed..].iter().all(|s| *s == statuses[closed]),
                "{reference} reopened: {statuses:?}"
            );
        }
    }

    // KPIs: 10–20 indicators, one outturn per year, values consistent with text.
    assert!((10..=20).contains(&kpis.rows.len()));
    let refs: HashSet<_> = kpis.rows.iter().map(|k| &k.reference).collect();
    assert_eq!(refs.len(), kpis.rows.len());
    for k in &kpis.rows {
        assert_eq!(k.outturns.len(), spec.years);
        for (y, o) in k.outturns.iter().enumerate() {
            assert_eq!(o.year.0, i32::from(spec.first_year) + y as i32);
            assert_eq!(o.value.is_none(), o.text == "N/A", "{}", o.text);
        }
        assert!(k.outturns.last().is_some_and(|o| o.value.is_some()));
        assert_eq!(k.rag_label.as_deref(), k.rag.map(|r| r.label()));
    }
}

#[test]
fn a_council_keeps_every_promise() {
    let s = spec(3, 60, 3, 42);
    for c in councils(&s) {
        check_council(&s, &c);
    }
}

#[test]
fn a_large_plan_still_has_unique_titles_and_references() {
    let s = spec(1, 5_000, 1, 9);
    check_council(&s, &council(&s, 0));
}

#[test]
fn slugs_and_names() {
    let s = spec(12, 5, 1, 1);
    let all: Vec<SynthCouncil> = councils(&s).collect();
    assert_eq!(all.len(), 12);
    assert_eq!(all[0].slug, "council-001");
    assert_eq!(all[11].slug, "council-012");
    let names: HashSet<_> = all.iter().map(|c| &c.name).collect();
    assert_eq!(names.len(), 12);
    assert_eq!(council(&spec(1_000, 5, 1, 1), 6).slug, "council-0007");
    assert!(
        all[0].documents[2]
            .file_name
            .ends_with("-returns-2019-20-q1.txt")
    );
}

#[test]
fn same_spec_same_bytes() {
    let s = spec(4, 40, 2, 7);
    let a: Vec<SynthCouncil> = councils(&s).collect();
    let b: Vec<SynthCouncil> = councils(&s).collect();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let other: Vec<SynthCouncil> = councils(&SynthSpec {
        seed: 8,
        ..s.clone()
    })
    .collect();
    assert_ne!(format!("{a:?}"), format!("{other:?}"));
}

#[test]
fn a_council_does_not_depend_on_how_many_are_generated() {
    let few = council(&spec(6, 30, 2, 5), 5);
    let many = council(&spec(60, 30, 2, 5), 5);
    assert_eq!(format!("{few:?}"), format!("{many:?}"));
    assert_eq!(few, many);
    // Nor do its name and indicators depend on the number of activities.
    let bigger = council(&spec(6, 90, 2, 5), 5);
    assert_eq!(few.name, bigger.name);
    assert_eq!(few.documents.last(), bigger.documents.last());
    assert_eq!(few.documents[0], bigger.documents[0]);
}

#[test]
fn documents_survive_a_json_round_trip() {
    let s = spec(2, 25, 2, 3);
    for c in councils(&s) {
        for d in &c.documents {
            let json = serde_json::to_string(&d.document).unwrap();
            let back: Document = serde_json::from_str(&json).unwrap();
            assert_eq!(back, d.document, "{}", d.file_name);
        }
    }
}

#[test]
fn statuses_look_like_a_real_council() {
    let s = spec(20, 150, 4, 2024);
    let mut counts: HashMap<Status, usize> = HashMap::new();
    let mut ceased_activities = 0;
    let mut total_activities = 0;
    let mut rows = 0;
    let mut with_note = 0;
    for c in councils(&s) {
        let (_, _, reports, _) = split(&c);
        for r in &reports {
            for row in &r.rows {
                *counts.entry(row.status).or_default() += 1;
                rows += 1;
                with_note += usize::from(row.note.is_some());
            }
        }
        let last = reports.last().unwrap();
        total_activities += last.rows.len();
        ceased_activities += last
            .rows
            .iter()
            .filter(|r| r.status == Status::Ceased)
            .count();
    }
    let share = |s: Status| counts.get(&s).copied().unwrap_or(0) as f64 / rows as f64;
    let open_green = share(Status::Green);
    assert!(open_green > share(Status::Amber) * 3.0, "{counts:?}");
    assert!(share(Status::Amber) > share(Status::Red), "{counts:?}");
    assert!(
        share(Status::Red) > 0.0 && share(Status::Complete) > 0.05,
        "{counts:?}"
    );
    let ceased = ceased_activities as f64 / total_activities as f64;
    assert!((0.0005..0.05).contains(&ceased), "ceased {ceased}");
    assert!(
        with_note as f64 / rows as f64 > 0.5,
        "commentary on most rows"
    );
}

#[test]
fn validate_names_the_field() {
    let ok = spec(1, 1, 1, 0);
    assert_eq!(ok.validate(), Ok(()));
    assert_eq!(spec(10_000, 5_000, 50, 0).validate(), Ok(()));
    let cases = [
        (
            SynthSpec {
                councils: 0,
                ..ok.clone()
            },
            "councils",
        ),
        (
            SynthSpec {
                councils: 10_001,
                ..ok.clone()
            },
            "councils",
        ),
        (
            SynthSpec {
                activities: 0,
                ..ok.clone()
            },
            "activities",
        ),
        (
            SynthSpec {
                activities: 5_001,
                ..ok.clone()
            },
            "activities",
        ),
        (
            SynthSpec {
                years: 0,
                ..ok.clone()
            },
            "years",
        ),
        (
            SynthSpec {
                years: 51,
                ..ok.clone()
            },
            "years",
        ),
        (
            SynthSpec {
                first_year: 1999,
                ..ok.clone()
            },
            "first_year",
        ),
        (
            SynthSpec {
                first_year: 2100,
                ..ok.clone()
            },
            "first_year",
        ),
        (
            SynthSpec {
                first_year: 2080,
                years: 20,
                ..ok.clone()
            },
            "first_year + years",
        ),
    ];
    for (bad, field) in cases {
        let err = bad.validate().unwrap_err();
        assert!(err.starts_with(field), "{bad:?}: {err}");
    }
    assert_eq!(
        SynthSpec {
            first_year: 2049,
            years: 50,
            ..ok.clone()
        }
        .validate(),
        Ok(())
    );
    assert_eq!(SynthSpec::default().validate(), Ok(()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn small_specs_keep_every_promise(
        councils_n in 1usize..4,
        activities in 1usize..40,
        years in 1usize..4,
        seed in any::<u64>(),
        first_year in 2000u16..2090,
        index in 0usize..50,
    ) {
        let s = SynthSpec { councils: councils_n, activities, years, seed, first_year };
        prop_assert_eq!(s.validate(), Ok(()));
        let c = council(&s, index);
        check_council(&s, &c);
        prop_assert_eq!(&c, &council(&s, index));
    }
}
