//! Plan-revision diffing: which stored activity each row of a new action plan continues, what
//! changed in it, which rows are new and which activities have left the plan.
//!
//! Pure: the store reads the activities as they stand, asks [`diff_plan`] and writes what it
//! says. A row continues an activity with the same title (folded), else one the reconciler
//! links confidently; everything else is new. The same comparison serves a single edit made on
//! the staff site ([`edit_changes`]), which reads due dates as written.

use crate::document::PlannedActivity;
use crate::due::DueDate;
use crate::reconcile::{Decision, ReconcileOptions, Titled, reconcile};
use crate::text::fold;
use std::collections::{HashMap, HashSet};

/// An activity as its latest version left it: what a new plan revision is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredActivity {
    pub reference: Option<String>,
    pub title: String,
    pub directorate: String,
    pub portfolios: Vec<String>,
    pub due: Option<DueDate>,
    /// A note typed into the plan's date column.
    pub status_note: Option<String>,
    /// The latest version is in a plan revision and not removed from it.
    pub in_plan: bool,
    /// Known only from a report: a plan revision does not continue it (reconciliation and a
    /// person's decision link it to the plan), nor does its reference count as taken.
    pub report_only: bool,
}

impl StoredActivity {
    /// The due date as written, else the note in the date column, else nothing.
    pub fn due_text(&self) -> String {
        self.due
            .as_ref()
            .map(|d| d.text.clone())
            .or(self.status_note.clone())
            .unwrap_or_default()
    }
}

/// One recorded change to an activity. [`Change::kind`] and [`Change::detail`] are what the
/// plan's change list stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new activity, under its title.
    Added {
        title: String,
    },
    /// An activity that had left the plan is in it again.
    BackInPlan,
    Renamed {
        from: String,
        to: String,
    },
    Moved {
        from: String,
        to: String,
    },
    /// The due date (or the note in its place) as written, before and after.
    DueChanged {
        from: String,
        to: String,
    },
    PortfoliosChanged {
        from: Vec<String>,
        to: Vec<String>,
    },
    /// An activity no row of the revision continues, under its title.
    Removed {
        title: String,
    },
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Added { .. } | Change::BackInPlan => "added",
            Change::Renamed { .. } => "renamed",
            Change::Moved { .. } => "moved",
            Change::DueChanged { .. } => "due-changed",
            Change::PortfoliosChanged { .. } => "portfolios-changed",
            Change::Removed { .. } => "removed",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            Change::Added { title } | Change::Removed { title } => title.clone(),
            Change::BackInPlan => "back in the plan".to_string(),
            Change::Renamed { from, to } | Change::DueChanged { from, to } => {
                format!("'{from}' → '{to}'")
            }
            Change::Moved { from, to } => format!("{from} → {to}"),
            Change::PortfoliosChanged { from, to } => {
                format!("{} → {}", from.join(", "), to.join(", "))
            }
        }
    }
}

/// What becomes of one row of the new plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowDiff {
    /// The row continues stored activity `stored` (an index into the stored activities);
    /// `changes` says what differs, in the order they are recorded (empty when nothing does).
    Continues { stored: usize, changes: Vec<Change> },
    /// A new activity, with the plan's reference for it when no other activity has it.
    Added { reference: Option<String> },
}

/// Who a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A stored activity, by index.
    Stored(usize),
    /// The new activity a row of the plan adds, by row index.
    Row(usize),
}

/// A new plan revision compared with the activities as they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDiff {
    /// One per row of the new plan, in its order.
    pub rows: Vec<RowDiff>,
    /// Stored activities in the plan that no row continues, in stored order.
    pub removed: Vec<usize>,
}

/// What became of one stored activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Row `row` continues it (changed or not).
    Continued { row: usize },
    /// It was in the plan and is not any more.
    Removed,
    /// It was not in the plan (or is known only from a report) and still is not.
    Untouched,
}

impl PlanDiff {
    /// Every change, in the order the plan's change list records them: each row's in the
    /// plan's order, then the removals.
    pub fn changes(
        &self,
        stored: &[StoredActivity],
        plan: &[PlannedActivity],
    ) -> Vec<(Subject, Change)> {
        let mut out = vec![];
        for (i, (diff, row)) in self.rows.iter().zip(plan).enumerate() {
            match diff {
                RowDiff::Continues { stored, changes } => {
                    out.extend(
                        changes
                            .iter()
                            .map(|c| (Subject::Stored(*stored), c.clone())),
                    );
                }
                RowDiff::Added { .. } => out.push((
                    Subject::Row(i),
                    Change::Added {
                        title: row.title.clone(),
                    },
                )),
            }
        }
        for &s in &self.removed {
            if let Some(a) = stored.get(s) {
                out.push((
                    Subject::Stored(s),
                    Change::Removed {
                        title: a.title.clone(),
                    },
                ));
            }
        }
        out
    }

    /// What became of stored activity `index`.
    pub fn fate(&self, index: usize) -> Fate {
        let row = self
            .rows
            .iter()
            .position(|r| matches!(r, RowDiff::Continues { stored, .. } if *stored == index));
        match row {
            Some(row) => Fate::Continued { row },
            None if self.removed.contains(&index) => Fate::Removed,
            None => Fate::Untouched,
        }
    }

    /// Rows that add an activity.
    pub fn added(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r, RowDiff::Added { .. }))
            .count()
    }

    /// Rows that continue an activity with at least one change.
    pub fn changed(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r, RowDiff::Continues { changes, .. } if !changes.is_empty()))
            .count()
    }
}

/// Compare a new revision of the action plan with the stored activities.
///
/// Rows are matched in the plan's order to stored activities with the same folded title (the
/// first not yet taken, in stored order, when titles repeat); the rows left are reconciled
/// with the activities left, and only confident links continue an activity. A row's reference
/// goes to its new activity once, and never when another plan activity already has it.
pub fn diff_plan(
    stored: &[StoredActivity],
    plan: &[PlannedActivity],
    options: &ReconcileOptions,
) -> PlanDiff {
    let eligible: Vec<usize> = (0..stored.len())
        .filter(|&i| !stored[i].report_only)
        .collect();
    let mut matched: Vec<Option<usize>> = vec![None; plan.len()];
    let mut taken: HashSet<usize> = HashSet::new();
    // Same title (folded) is the same activity.
    let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
    for &i in &eligible {
        by_title.entry(fold(&stored[i].title)).or_default().push(i);
    }
    for (i, row) in plan.iter().enumerate() {
        if let Some(candidates) = by_title.get(&fold(&row.title))
            && let Some(&c) = candidates.iter().find(|c| !taken.contains(c))
        {
            matched[i] = Some(c);
            taken.insert(c);
        }
    }
    // Reworded titles: only confident links continue an activity.
    let rest_rows: Vec<usize> = (0..plan.len()).filter(|&i| matched[i].is_none()).collect();
    let rest_stored: Vec<usize> = eligible
        .iter()
        .copied()
        .filter(|i| !taken.contains(i))
        .collect();
    if !rest_rows.is_empty() && !rest_stored.is_empty() {
        let left: Vec<Titled> = rest_stored
            .iter()
            .map(|&i| Titled {
                title: stored[i].title.clone(),
                directorate: stored[i].directorate.clone(),
            })
            .collect();
        let right: Vec<Titled> = rest_rows
            .iter()
            .map(|&i| Titled {
                title: plan[i].title.clone(),
                directorate: plan[i].directorate.clone(),
            })
            .collect();
        for link in reconcile(&left, &right, options).links {
            if let (Decision::Linked, Some(l), Some(r)) = (link.decision, link.plan, link.report)
                && let (Some(&row), Some(&s)) = (rest_rows.get(r), rest_stored.get(l))
            {
                matched[row] = Some(s);
                taken.insert(s);
            }
        }
    }
    let mut taken_references: HashSet<String> = eligible
        .iter()
        .filter_map(|&i| stored[i].reference.clone())
        .collect();
    let rows = plan
        .iter()
        .zip(&matched)
        .map(|(row, m)| match m {
            Some(s) => RowDiff::Continues {
                stored: *s,
                changes: compare(&stored[*s], row, DueBy::Value),
            },
            None => RowDiff::Added {
                reference: row
                    .reference
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty() && taken_references.insert(r.to_string()))
                    .map(str::to_string),
            },
        })
        .collect();
    let removed = eligible
        .into_iter()
        .filter(|i| stored[*i].in_plan && !taken.contains(i))
        .collect();
    PlanDiff { rows, removed }
}

/// What one edit on the staff site changes in an activity. Unlike a revision, an edit
/// compares due dates as written: the form shows the text, and saving it unchanged is no
/// change even where the stored value was read by an older parser.
pub fn edit_changes(stored: &StoredActivity, row: &PlannedActivity) -> Vec<Change> {
    compare(stored, row, DueBy::Text)
}

enum DueBy {
    Value,
    Text,
}

fn compare(before: &StoredActivity, row: &PlannedActivity, due_by: DueBy) -> Vec<Change> {
    let mut changes = vec![];
    if fold(&before.title) != fold(&row.title) {
        changes.push(Change::Renamed {
            from: before.title.clone(),
            to: row.title.clone(),
        });
    }
    if fold(&before.directorate) != fold(&row.directorate) {
        changes.push(Change::Moved {
            from: before.directorate.clone(),
            to: row.directorate.clone(),
        });
    }
    let was = before.due_text();
    let now = row
        .due_date()
        .map(|d| d.text.clone())
        .or(row.status_note().map(str::to_string))
        .unwrap_or_default();
    let due_differs = match due_by {
        DueBy::Value => {
            before.due.as_ref() != row.due_date()
                || before.status_note.as_deref() != row.status_note()
        }
        DueBy::Text => was != now,
    };
    if due_differs {
        changes.push(Change::DueChanged { from: was, to: now });
    }
    let folded = |v: &[String]| v.iter().map(|p| fold(p)).collect::<Vec<_>>();
    if folded(&before.portfolios) != folded(&row.portfolios) {
        changes.push(Change::PortfoliosChanged {
            from: before.portfolios.clone(),
            to: row.portfolios.clone(),
        });
    }
    if !before.in_plan {
        changes.push(Change::BackInPlan);
    }
    changes
}
