//! Plan-revision diffing: examples, and properties over random plans.

use proptest::prelude::*;
use std::collections::HashSet;
use waymark_domain::plan_diff::{
    Change, Fate, PlanDiff, RowDiff, StoredActivity, Subject, diff_plan, edit_changes,
};
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::text::fold;
use waymark_domain::{DueCell, DueDate, DueValue, PlannedActivity};

fn row(title: &str, directorate: &str, due: &str) -> PlannedActivity {
    PlannedActivity {
        line: 1,
        directorate: directorate.to_string(),
        title: title.to_string(),
        portfolios: vec!["Growth".to_string()],
        due: DueCell::parse(due),
        reference: None,
        extras: vec![],
        place: None,
    }
}

/// The activity a row would leave once stored.
fn stored(row: &PlannedActivity) -> StoredActivity {
    StoredActivity {
        reference: row.reference.clone(),
        title: row.title.clone(),
        directorate: row.directorate.clone(),
        portfolios: row.portfolios.clone(),
        due: row.due_date().cloned(),
        status_note: row.status_note().map(str::to_string),
        in_plan: true,
        report_only: false,
    }
}

fn diff(before: &[StoredActivity], plan: &[PlannedActivity]) -> PlanDiff {
    diff_plan(before, plan, &ReconcileOptions::default())
}

fn unchanged(stored: usize) -> RowDiff {
    RowDiff::Continues {
        stored,
        changes: vec![],
    }
}

#[test]
fn the_same_plan_changes_nothing() {
    let plan = vec![
        row("Open the new library", "Place", "March 2025"),
        row("Refresh the parks strategy", "Place", "Ongoing"),
    ];
    let before: Vec<_> = plan.iter().map(stored).collect();
    let d = diff(&before, &plan);
    assert_eq!(d.rows, vec![unchanged(0), unchanged(1)]);
    assert!(d.removed.is_empty());
    assert!(d.changes(&before, &plan).is_empty());
}

#[test]
fn a_changed_due_date_is_recorded_as_written() {
    let before = vec![stored(&row("Open the new library", "Place", "March 2025"))];
    let plan = vec![row("Open the new library", "Place", "June 2025")];
    let d = diff(&before, &plan);
    let change = Change::DueChanged {
        from: "March 2025".into(),
        to: "June 2025".into(),
    };
    assert_eq!(change.kind(), "due-changed");
    assert_eq!(change.detail(), "'March 2025' → 'June 2025'");
    assert_eq!(
        d.rows,
        vec![RowDiff::Continues {
            stored: 0,
            changes: vec![change]
        }]
    );
}

#[test]
fn a_note_in_the_date_column_replacing_a_date_is_a_due_change() {
    let before = vec![stored(&row("Open the new library", "Place", "March 2025"))];
    let plan = vec![row(
        "Open the new library",
        "Place",
        "No longer progressing with this action.",
    )];
    assert!(plan[0].status_note().is_some(), "the cell reads as a note");
    let changes = diff(&before, &plan).changes(&before, &plan);
    assert_eq!(
        changes,
        vec![(
            Subject::Stored(0),
            Change::DueChanged {
                from: "March 2025".into(),
                to: "No longer progressing with this action.".into()
            }
        )]
    );
}

#[test]
fn moves_renames_and_portfolio_changes_are_listed_in_order() {
    let before = vec![stored(&row(
        "Deliver the new library at Sidcup",
        "Place",
        "March 2025",
    ))];
    let mut new = row(
        "Deliver the new Sidcup library",
        "Communities",
        "March 2025",
    );
    new.portfolios = vec!["Growth".into(), "Culture".into()];
    let plan = vec![new];
    let d = diff(&before, &plan);
    let RowDiff::Continues { stored: 0, changes } = &d.rows[0] else {
        panic!("the reworded row continues the activity: {d:?}");
    };
    let kinds: Vec<_> = changes.iter().map(Change::kind).collect();
    assert_eq!(kinds, ["renamed", "moved", "portfolios-changed"]);
    assert_eq!(
        changes[0].detail(),
        "'Deliver the new library at Sidcup' → 'Deliver the new Sidcup library'"
    );
    assert_eq!(changes[1].detail(), "Place → Communities");
    assert_eq!(changes[2].detail(), "Growth → Growth, Culture");
}

#[test]
fn case_and_punctuation_are_not_changes() {
    let before = vec![stored(&row(
        "Open the new library",
        "Adults & Health",
        "2025",
    ))];
    let mut new = row("open the new library.", "adults and health", "2025");
    new.portfolios = vec!["growth".into()];
    let d = diff(&before, &[new]);
    assert_eq!(d.rows, vec![unchanged(0)]);
}

#[test]
fn an_activity_back_in_the_plan_is_added_again() {
    let mut before = stored(&row("Open the new library", "Place", "2025"));
    before.in_plan = false;
    let before = vec![before];
    let plan = vec![row("Open the new library", "Place", "2025")];
    let d = diff(&before, &plan);
    assert_eq!(
        d.rows,
        vec![RowDiff::Continues {
            stored: 0,
            changes: vec![Change::BackInPlan]
        }]
    );
    assert_eq!(Change::BackInPlan.kind(), "added");
    assert_eq!(Change::BackInPlan.detail(), "back in the plan");
    // Left out again, it is not removed twice.
    let d = diff(&before, &[]);
    assert!(d.removed.is_empty());
    assert_eq!(d.fate(0), Fate::Untouched);
}

#[test]
fn rows_that_match_nothing_are_added_and_activities_left_over_removed() {
    let before = vec![
        stored(&row("Open the new library", "Place", "2025")),
        stored(&row("Refresh the parks strategy", "Place", "2025")),
    ];
    let plan = vec![
        row("Refresh the parks strategy", "Place", "2025"),
        row("Recruit foster carers", "Children's", "2026"),
    ];
    let d = diff(&before, &plan);
    assert_eq!(
        d.rows,
        vec![unchanged(1), RowDiff::Added { reference: None }]
    );
    assert_eq!(d.removed, vec![0]);
    assert_eq!(
        d.changes(&before, &plan),
        vec![
            (
                Subject::Row(1),
                Change::Added {
                    title: "Recruit foster carers".into()
                }
            ),
            (
                Subject::Stored(0),
                Change::Removed {
                    title: "Open the new library".into()
                }
            ),
        ]
    );
    assert_eq!((d.added(), d.changed()), (1, 0));
}

#[test]
fn repeated_titles_continue_activities_in_stored_order() {
    let before = vec![
        stored(&row("Review the service", "Place", "2025")),
        stored(&row("Review the service", "Resources", "2025")),
    ];
    let plan = vec![
        row("Review the service", "Place", "2025"),
        row("Review the service", "Resources", "2025"),
        row("Review the service", "Housing", "2025"),
    ];
    let d = diff(&before, &plan);
    assert_eq!(d.rows[..2], [unchanged(0), unchanged(1)]);
    assert_eq!(d.rows[2], RowDiff::Added { reference: None });
}

#[test]
fn references_go_to_new_activities_once_and_never_to_one_taken() {
    let mut planned = stored(&row("Open the new library", "Place", "2025"));
    planned.reference = Some("P1".into());
    let mut reported = stored(&row("Something a report named", "Place", "2025"));
    reported.reference = Some("R1".into());
    reported.report_only = true;
    reported.in_plan = false;
    let before = vec![planned, reported];
    let with = |title: &str, reference: &str| PlannedActivity {
        reference: Some(reference.into()),
        ..row(title, "Place", "2025")
    };
    let plan = vec![
        with("Open the new library", "P1"),
        with("Recruit foster carers", " P1 "),
        with("Build homes", " P2 "),
        with("Plant trees", "P2"),
        with("Mend roads", "  "),
        // Only plan activities' references count as taken.
        with("Clean streets", "R1"),
    ];
    let references: Vec<_> = diff(&before, &plan)
        .rows
        .into_iter()
        .map(|r| match r {
            RowDiff::Added { reference } => reference,
            RowDiff::Continues { stored, .. } => Some(format!("continues {stored}")),
        })
        .collect();
    assert_eq!(
        references,
        [
            Some("continues 0".to_string()),
            None,
            Some("P2".into()),
            None,
            None,
            Some("R1".into())
        ]
    );
}

#[test]
fn an_activity_known_only_from_a_report_is_never_continued_or_removed() {
    let mut reported = stored(&row("Open the new library", "Place", "2025"));
    reported.report_only = true;
    let before = vec![reported];
    let plan = vec![row("Open the new library", "Place", "2025")];
    let d = diff(&before, &plan);
    assert_eq!(d.rows, vec![RowDiff::Added { reference: None }]);
    assert!(diff(&before, &[]).removed.is_empty());
}

#[test]
fn an_edit_compares_due_dates_as_written() {
    // A value an older reading of the same words gave.
    let mut before = stored(&row("Open the new library", "Place", "Ongoing"));
    before.due = Some(DueDate {
        text: "Ongoing".into(),
        value: DueValue::Unknown,
    });
    let new = row("Open the new library", "Place", "Ongoing");
    assert!(edit_changes(&before, &new).is_empty());
    let d = diff(std::slice::from_ref(&before), std::slice::from_ref(&new));
    let kinds: Vec<_> = d
        .changes(&[before], &[new])
        .into_iter()
        .map(|(_, c)| c.kind())
        .collect();
    assert_eq!(kinds, ["due-changed"]);
}

// Properties over random plans.

const DUES: &[&str] = &[
    "March 2025",
    "Q4 2024 to 2025",
    "2025/26",
    "Ongoing",
    "TBC",
    "Paused while funding is sought.",
];

fn planned(
    title: String,
    directorate: usize,
    due: usize,
    reference: Option<u8>,
) -> PlannedActivity {
    PlannedActivity {
        line: 1,
        directorate: ["Place", "Resources", "Children's Services"][directorate % 3].to_string(),
        title,
        portfolios: vec![["Growth", "Finance"][directorate % 2].to_string()],
        due: DueCell::parse(DUES[due % DUES.len()]),
        reference: reference.map(|r| format!("R{r}")),
        extras: vec![],
        place: None,
    }
}

/// Rows whose titles come from a small pool, so repeats and shared words are common.
fn crowded_rows() -> impl Strategy<Value = Vec<PlannedActivity>> {
    let title = prop::sample::select(vec![
        "Open the new library",
        "open the new library.",
        "Review the service",
        "Review the parks service",
        "Recruit foster carers",
        "Recruit more foster carers",
        "Build homes",
        "Mend roads",
    ]);
    prop::collection::vec(
        (title, 0..3usize, 0..6usize, prop::option::of(0..4u8)),
        0..10,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(t, d, due, r)| planned(t.to_string(), d, due, r))
            .collect()
    })
}

/// Rows whose titles share no word: three to five invented words each.
fn distinct_rows() -> impl Strategy<Value = Vec<PlannedActivity>> {
    prop::collection::vec(
        (
            prop::collection::vec(
                "[b-df-hj-np-tv-z][aeiou][b-df-hj-np-tv-z]{2}[aeiou][rnt]",
                3..6,
            ),
            0..3usize,
            0..6usize,
        ),
        1..10,
    )
    .prop_filter_map("every word used once", |rows| {
        let mut seen = HashSet::new();
        let all_new = rows
            .iter()
            .flat_map(|(words, _, _)| words)
            .all(|w| seen.insert(w[..4].to_string()));
        all_new.then(|| {
            rows.into_iter()
                .map(|(words, d, due)| planned(words.join(" "), d, due, None))
                .collect()
        })
    })
}

fn stored_from(rows: &[PlannedActivity], flags: &[(bool, bool)]) -> Vec<StoredActivity> {
    rows.iter()
        .zip(flags.iter().chain(std::iter::repeat(&(true, false))))
        .map(|(r, &(in_plan, report_only))| StoredActivity {
            in_plan,
            report_only,
            ..stored(r)
        })
        .collect()
}

proptest! {
    #[test]
    fn diffing_a_plan_against_itself_changes_nothing(plan in crowded_rows()) {
        let before: Vec<_> = plan.iter().map(stored).collect();
        let d = diff(&before, &plan);
        let expected: Vec<_> = (0..plan.len()).map(unchanged).collect();
        prop_assert_eq!(&d.rows, &expected);
        prop_assert!(d.removed.is_empty());
        prop_assert!(d.changes(&before, &plan).is_empty());
    }

    #[test]
    fn every_activity_and_every_row_is_accounted_for_once(
        old in crowded_rows(),
        flags in prop::collection::vec((any::<bool>(), prop::bool::weighted(0.2)), 0..10),
        plan in crowded_rows(),
    ) {
        let before = stored_from(&old, &flags);
        let d = diff(&before, &plan);
        prop_assert_eq!(d.rows.len(), plan.len());
        let mut continued = HashSet::new();
        let mut references = HashSet::new();
        for (i, r) in d.rows.iter().enumerate() {
            match r {
                RowDiff::Continues { stored, .. } => {
                    prop_assert!(continued.insert(*stored), "activity {} continued twice", stored);
                    prop_assert!(!before[*stored].report_only);
                }
                RowDiff::Added { reference: Some(reference) } => {
                    prop_assert!(references.insert(reference.clone()), "reference {} given twice", reference);
                    prop_assert_eq!(plan[i].reference.as_deref().map(str::trim), Some(reference.as_str()));
                    prop_assert!(!before.iter().any(|b| !b.report_only && b.reference.as_ref() == Some(reference)));
                }
                RowDiff::Added { reference: None } => {}
            }
        }
        let mut sorted = d.removed.clone();
        sorted.dedup();
        prop_assert_eq!(&sorted, &d.removed);
        prop_assert!(d.removed.windows(2).all(|w| w[0] < w[1]));
        for (i, b) in before.iter().enumerate() {
            let fate = d.fate(i);
            match fate {
                Fate::Continued { row } => {
                    prop_assert!(continued.contains(&i));
                    prop_assert!(!d.removed.contains(&i));
                    let continues = matches!(&d.rows[row], RowDiff::Continues { stored, .. } if *stored == i);
                    prop_assert!(continues, "row {} continues activity {}", row, i);
                }
                Fate::Removed => prop_assert!(b.in_plan && !b.report_only && !continued.contains(&i)),
                Fate::Untouched => prop_assert!(!b.in_plan || b.report_only),
            }
        }
        // The change list agrees with the rows and the removals.
        let changes = d.changes(&before, &plan);
        let count = |kind: &str| changes.iter().filter(|(_, c)| c.kind() == kind).count();
        let back = changes.iter().filter(|(_, c)| *c == Change::BackInPlan).count();
        prop_assert_eq!(count("added"), d.added() + back);
        prop_assert_eq!(count("removed"), d.removed.len());
        let came_back = continued.iter().filter(|&&i| !before[i].in_plan).count();
        prop_assert_eq!(back, came_back);
        for (subject, change) in &changes {
            match subject {
                Subject::Row(r) => {
                    let added = matches!(d.rows[*r], RowDiff::Added { .. })
                        && matches!(change, Change::Added { .. });
                    prop_assert!(added, "row {} adds an activity", r);
                }
                Subject::Stored(s) => prop_assert!(continued.contains(s) || d.removed.contains(s)),
            }
        }
    }

    #[test]
    fn renaming_one_title_is_exactly_one_rename(
        plan in distinct_rows(),
        pick in any::<prop::sample::Index>(),
        extra in "[b-df-hj-np-tv-z]{1}[aeiou]{1}zzq[aeiou]{2}",
    ) {
        let before: Vec<_> = plan.iter().map(stored).collect();
        let k = pick.index(plan.len());
        let mut new = plan.clone();
        new[k].title = format!("{} {extra}", plan[k].title);
        let d = diff(&before, &new);
        let expected = (
            Subject::Stored(k),
            Change::Renamed { from: plan[k].title.clone(), to: new[k].title.clone() },
        );
        prop_assert_eq!(d.changes(&before, &new), vec![expected]);
        prop_assert!(d.removed.is_empty());
    }

    #[test]
    fn moving_one_activity_is_exactly_one_move(
        plan in crowded_rows(),
        pick in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!plan.is_empty());
        let before: Vec<_> = plan.iter().map(stored).collect();
        let k = pick.index(plan.len());
        let mut new = plan.clone();
        new[k].directorate = "Housing".into();
        let changes = diff(&before, &new).changes(&before, &new);
        prop_assert_eq!(changes, vec![(
            Subject::Stored(k),
            Change::Moved { from: plan[k].directorate.clone(), to: "Housing".into() },
        )]);
    }

    #[test]
    fn dropping_one_row_removes_exactly_that_activity(
        plan in distinct_rows(),
        pick in any::<prop::sample::Index>(),
    ) {
        let before: Vec<_> = plan.iter().map(stored).collect();
        let k = pick.index(plan.len());
        let mut new = plan.clone();
        new.remove(k);
        let d = diff(&before, &new);
        prop_assert_eq!(&d.removed, &vec![k]);
        let expected: Vec<_> = (0..plan.len()).filter(|&i| i != k).map(unchanged).collect();
        prop_assert_eq!(&d.rows, &expected);
    }

    #[test]
    fn a_row_with_a_new_title_is_exactly_one_addition(
        plan in distinct_rows(),
        at in any::<prop::sample::Index>(),
    ) {
        let before: Vec<_> = plan.iter().map(stored).collect();
        let mut new = plan.clone();
        let k = at.index(plan.len() + 1);
        new.insert(k, planned("Qqqq zzzz xxxx".into(), 0, 0, Some(9)));
        let d = diff(&before, &new);
        prop_assert_eq!(d.changes(&before, &new), vec![(
            Subject::Row(k),
            Change::Added { title: "Qqqq zzzz xxxx".into() },
        )]);
        prop_assert_eq!(&d.rows[k], &RowDiff::Added { reference: Some("R9".into()) });
    }

    /// With titles that share no word, the rows' order does not change which activity each
    /// continues, nor what changed, even where titles were reworded.
    #[test]
    fn the_order_of_distinct_rows_does_not_change_the_result(
        plan in distinct_rows(),
        reworded in prop::collection::vec(any::<bool>(), 10),
        order in Just((0..10usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let before: Vec<_> = plan.iter().map(stored).collect();
        let mut new = plan.clone();
        for (r, &rename) in new.iter_mut().zip(&reworded) {
            if rename {
                r.title = format!("{} programme", r.title);
            }
        }
        let order: Vec<usize> = order.into_iter().filter(|&i| i < new.len()).collect();
        let shuffled: Vec<_> = order.iter().map(|&i| new[i].clone()).collect();
        let d = diff(&before, &new);
        let e = diff(&before, &shuffled);
        for (position, &i) in order.iter().enumerate() {
            prop_assert_eq!(&e.rows[position], &d.rows[i], "row {}", fold(&new[i].title));
        }
        prop_assert_eq!(&d.removed, &e.removed);
    }
}
