//! Quarterly progress returns: every activity's status each quarter, evolving by a seeded
//! Markov chain, with officer commentary.
//!
//! Open activities move between Not started, Green, Amber and Red; they complete with a
//! probability that rises as their due date nears and passes, and cease rarely (more often
//! when Red). Complete and Ceased are absorbing: a closed activity stays closed.

use crate::identity::Identity;
use crate::plan::{Activity, quarter_ordinal};
use crate::rng::{Rng, Stream};
use crate::words::{
    ACHIEVEMENTS, AMBER_ISSUES, CEASED_REASONS, CORRECTIVE_ACTIONS, GREEN_NEXT, GREEN_PROGRESS,
    MILESTONES, NOT_STARTED_WAITS, RED_ISSUES,
};
use waymark_domain::{
    ActivityReport, ClaimKind, FinancialYear, Period, PublishedClaim, Quarter, ReportRow, Status,
};

/// The label written in the status column. Each is in [`waymark_domain::StatusLabels`]'
/// defaults, so an import with default labels reads the same status back.
pub(crate) fn label(status: Status) -> &'static str {
    match status {
        Status::Complete => "Complete",
        Status::Green => "Green",
        Status::Amber => "Amber",
        Status::Red => "Red",
        Status::Ceased => "Ceased",
        Status::NotStarted => "Not started",
        Status::NoReturn => "No return",
    }
}

/// "Quarter 2 2019/20"
pub(crate) fn period_label(period: Period) -> String {
    format!("Quarter {} {}", period.quarter.number(), period.year)
}

/// One activity's state between quarters.
#[derive(Clone, Copy)]
struct Track {
    status: Status,
    /// The quarter (index into the run) it closed in.
    closed_at: usize,
    /// Which reason or achievement its closing commentary gives.
    detail: usize,
    /// Whether later returns repeat "Completed in …" or leave the commentary empty.
    repeat_note: bool,
}

/// Every quarter's report for `years` financial years from `first_year`, oldest first.
pub(crate) fn reports(
    seed: u64,
    index: usize,
    id: &Identity,
    activities: &[Activity],
    first_year: u16,
    years: usize,
) -> Vec<ActivityReport> {
    let mut rng = Rng::for_council(seed, index, Stream::Returns);
    let quarters = years * 4;
    let periods: Vec<Period> = (0..quarters)
        .map(|t| FinancialYear(i32::from(first_year) + (t / 4) as i32).quarter(Quarter::ALL[t % 4]))
        .collect();
    let labels: Vec<String> = periods.iter().map(|p| period_label(*p)).collect();
    let first = quarter_ordinal(periods[0]);

    let mut tracks: Vec<Track> = activities
        .iter()
        .map(|_| Track {
            status: [
                Status::NotStarted,
                Status::Green,
                Status::Amber,
                Status::Red,
            ][rng.weighted(&[8, 78, 11, 3])],
            closed_at: 0,
            detail: 0,
            repeat_note: false,
        })
        .collect();

    let mut out = Vec::with_capacity(quarters);
    for (t, period) in periods.iter().enumerate() {
        if t > 0 {
            for (track, activity) in tracks.iter_mut().zip(activities) {
                step(&mut rng, track, t, first + t as i64, activity.deadline);
            }
        }
        out.push(report(
            &mut rng, id, activities, &tracks, t, *period, &labels,
        ));
    }
    out
}

/// Move one activity on by a quarter.
fn step(rng: &mut Rng, track: &mut Track, t: usize, now: i64, deadline: Option<i64>) {
    let from = track.status;
    if from.is_closed() {
        return;
    }
    // About 1% of activities cease over ten years, more of them from Red.
    let cease = match from {
        Status::Green => 0.0002,
        Status::Amber => 0.001,
        Status::Red => 0.006,
        _ => 0.001,
    };
    // Work tends to finish around its due date; "Ongoing" and "TBC" rarely finish at all.
    let due_pull = match deadline {
        None => 0.012,
        Some(d) if now < d - 3 => 0.01,
        Some(d) if now <= d => 0.16,
        Some(_) => 0.3,
    };
    let complete = due_pull
        * match from {
            Status::Green => 1.0,
            Status::Amber => 0.6,
            Status::Red => 0.15,
            _ => 0.0,
        };
    let u = rng.unit();
    if u < cease {
        track.status = Status::Ceased;
        track.closed_at = t;
        track.detail = rng.below(CEASED_REASONS.len());
        return;
    }
    if u < cease + complete {
        track.status = Status::Complete;
        track.closed_at = t;
        track.detail = rng.below(ACHIEVEMENTS.len());
        track.repeat_note = rng.chance(0.4);
        return;
    }
    let overdue = deadline.is_some_and(|d| now > d);
    let weights: [u32; 4] = match from {
        Status::NotStarted => [45, 50, 5, 0],
        Status::Green if overdue => [0, 85, 12, 3],
        Status::Green => [0, 91, 8, 1],
        Status::Amber => [0, 45, 45, 10],
        _ => [0, 20, 45, 35],
    };
    track.status = [
        Status::NotStarted,
        Status::Green,
        Status::Amber,
        Status::Red,
    ][rng.weighted(&weights)];
}

fn report(
    rng: &mut Rng,
    id: &Identity,
    activities: &[Activity],
    tracks: &[Track],
    t: usize,
    period: Period,
    labels: &[String],
) -> ActivityReport {
    let label_now = &labels[t];
    let label_later = labels.get(t + 1).map_or("the next quarter", String::as_str);
    let mut rows = Vec::with_capacity(activities.len());
    // Title on line 1, headline sentence on line 3, then a table per directorate.
    let mut line = 4;
    let mut previous_directorate = usize::MAX;
    let (mut counted, mut red) = (0u32, 0u32);
    for (activity, track) in activities.iter().zip(tracks) {
        if activity.directorate != previous_directorate {
            previous_directorate = activity.directorate;
            line += 3; // blank line, directorate heading, column header
        }
        let status = track.status;
        counted += u32::from(matches!(status, Status::Complete | Status::Green));
        red += u32::from(status == Status::Red);
        rows.push(ReportRow {
            line,
            directorate: id.directorates[activity.directorate].name.clone(),
            reference: activity.reference.clone(),
            title: activity.title.clone(),
            status_label: label(status).to_string(),
            status,
            note: note(rng, track, t, labels, label_later),
            portfolios: vec![],
            due: None,
            extras: vec![],
            place: None,
        });
        line += 1;
    }

    let total = rows.len() as u32;
    let mut claims = Vec::with_capacity(2);
    if total > 0 {
        let percent = (f64::from(counted) * 100.0 / f64::from(total)).round();
        claims.push(PublishedClaim {
            line: 3,
            text: format!(
                "At the end of {label_now}, {counted} of {total} ({percent}%) corporate plan \
                 activities were complete or on track."
            ),
            claim: ClaimKind::Share {
                percent: Some(percent),
                count: Some(counted),
                total: Some(total),
                statuses: vec![Status::Complete, Status::Green],
                label: None,
                about: None,
            },
        });
        if red == 0 {
            claims.push(PublishedClaim {
                line: 3,
                text: "None are rated red.".to_string(),
                claim: ClaimKind::NoneWithStatus {
                    status: Status::Red,
                },
            });
        }
    }

    ActivityReport {
        title: format!("Corporate plan progress report: {label_now}"),
        period,
        period_label: label_now.clone(),
        claims,
        rows,
    }
}

/// The officer's commentary. Amber and Red always say what is being done about it.
fn note(
    rng: &mut Rng,
    track: &Track,
    t: usize,
    labels: &[String],
    label_later: &str,
) -> Option<String> {
    let mut s = String::with_capacity(128);
    match track.status {
        Status::Green => {
            if !rng.chance(0.85) {
                return None;
            }
            s.push_str(rng.pick(MILESTONES));
            s.push_str(rng.pick(GREEN_PROGRESS));
            if rng.chance(0.4) {
                s.push_str(rng.pick(GREEN_NEXT));
                s.push_str(label_later);
            }
        }
        Status::Amber | Status::Red => {
            let issues = if track.status == Status::Red {
                RED_ISSUES
            } else {
                AMBER_ISSUES
            };
            s.push_str(rng.pick(issues));
            s.push_str("; ");
            s.push_str(rng.pick(CORRECTIVE_ACTIONS));
        }
        Status::NotStarted => {
            if !rng.chance(0.6) {
                return None;
            }
            s.push_str("Start planned for ");
            s.push_str(label_later);
            s.push_str(" once ");
            s.push_str(rng.pick(NOT_STARTED_WAITS));
        }
        Status::Complete => {
            if t != track.closed_at && !track.repeat_note {
                return None;
            }
            s.push_str("Completed in ");
            s.push_str(&labels[track.closed_at]);
            if t == track.closed_at {
                s.push_str(": ");
                s.push_str(ACHIEVEMENTS[track.detail]);
            }
        }
        Status::Ceased => {
            s.push_str("Ceased in ");
            s.push_str(&labels[track.closed_at]);
            s.push_str(": ");
            s.push_str(CEASED_REASONS[track.detail]);
        }
        Status::NoReturn => return None,
    }
    s.push('.');
    Some(s)
}
