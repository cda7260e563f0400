//! The action delivery plan: activities grouped by directorate, each with portfolios, a
//! distinct title, a reference and a due date written the way councils write them.

use crate::identity::Identity;
use crate::rng::{Rng, Stream};
use crate::words::{
    ARTEFACTS, DETERMINERS_CREATING, DETERMINERS_EXISTING, DirectorateDef, MONTHS, PROVISIONS,
    PURPOSES, VERBS_CREATING, VERBS_EXISTING, VERBS_NEW_FACILITY, VERBS_SERVICE,
    VERBS_THE_FACILITY,
};
use std::collections::HashSet;
use waymark_domain::{ActionPlan, DueCell, DueDate, Period, PlannedActivity};

/// One planned activity with what the returns need to know about it.
pub(crate) struct Activity {
    /// Index into the council's directorates.
    pub directorate: usize,
    pub reference: String,
    pub title: String,
    pub portfolios: Vec<String>,
    pub due: DueDate,
    /// The quarter (as [`quarter_ordinal`]) the due date falls in, when it fixes a deadline.
    pub deadline: Option<i64>,
    pub line: usize,
}

/// Quarters since year 0, so "how many quarters until the deadline" is a subtraction.
pub(crate) fn quarter_ordinal(period: Period) -> i64 {
    i64::from(period.year.0) * 4 + i64::from(period.quarter.number()) - 1
}

pub(crate) fn activities(
    seed: u64,
    index: usize,
    id: &Identity,
    count: usize,
    first_year: u16,
    years: usize,
) -> Vec<Activity> {
    let mut rng = Rng::for_council(seed, index, Stream::ActionPlan);

    // How many activities each directorate has: drawn by its usual share of a plan.
    let weights: Vec<u32> = id.directorates.iter().map(|d| d.def.weight).collect();
    let mut per_directorate = vec![0usize; id.directorates.len()];
    for _ in 0..count {
        per_directorate[rng.weighted(&weights)] += 1;
    }

    let mut titles: HashSet<String> = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    // Title, intro and "last updated" lines come first, as on the published page.
    let mut line = 6;
    for (d, directorate) in id.directorates.iter().enumerate() {
        let n = per_directorate[d];
        if n == 0 {
            continue;
        }
        line += 3; // blank line, directorate heading, column header
        let width = digits(n).max(3);
        // Cycle through the directorate's topics in a shuffled order so a plan covers its
        // services evenly instead of repeating a few.
        let mut topics: Vec<usize> = (0..directorate.def.topics.len()).collect();
        rng.shuffle(&mut topics);
        for k in 0..n {
            let topic = directorate.def.topics[topics[k % topics.len()]];
            let title = unique_title(&mut rng, directorate.def, &id.locals, topic, &mut titles);
            let portfolios = portfolios(&mut rng, id, d);
            let due = DueDate::parse(&due_text(&mut rng, first_year, years));
            let deadline = due
                .deadline()
                .map(|date| quarter_ordinal(Period::containing(date)));
            out.push(Activity {
                directorate: d,
                reference: format!("{}-{:0width$}", directorate.def.prefix, k + 1),
                title,
                portfolios,
                due,
                deadline,
                line,
            });
            line += 1;
        }
    }
    out
}

pub(crate) fn action_plan(id: &Identity, activities: &[Activity], first_year: u16) -> ActionPlan {
    ActionPlan {
        title: "Action delivery plan".to_string(),
        last_updated: Some(format!("April {first_year}")),
        activities: activities
            .iter()
            .map(|a| PlannedActivity {
                line: a.line,
                directorate: id.directorates[a.directorate].name.clone(),
                title: a.title.clone(),
                portfolios: a.portfolios.clone(),
                due: DueCell::Date(a.due.clone()),
                reference: None,
                extras: vec![],
                place: None,
            })
            .collect(),
    }
}

fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// Mostly the directorate's lead portfolio; sometimes its second, sometimes shared with
/// another directorate's, as real plans do.
fn portfolios(rng: &mut Rng, id: &Identity, d: usize) -> Vec<String> {
    let own = &id.directorates[d].portfolios;
    let mut chosen = if own.len() == 2 {
        match rng.weighted(&[65, 30, 5]) {
            0 => vec![own[0].clone()],
            1 => vec![own[1].clone()],
            _ => own.clone(),
        }
    } else {
        vec![own[0].clone()]
    };
    if chosen.len() == 1 && rng.chance(0.04) {
        let other = &id.directorates[rng.below(id.directorates.len())].portfolios[0];
        if !chosen.contains(other) {
            chosen.push(other.clone());
        }
    }
    chosen
}

/// A title not yet used in this council. Retries a few draws, then numbers a phase: the
/// grammar has hundreds of thousands of titles per directorate, so this is rare.
fn unique_title(
    rng: &mut Rng,
    def: &DirectorateDef,
    locals: &[String],
    topic: &str,
    used: &mut HashSet<String>,
) -> String {
    let mut title = String::new();
    for _ in 0..20 {
        title = draw_title(rng, def, locals, topic);
        if !used.contains(&title) {
            used.insert(title.clone());
            return title;
        }
    }
    let mut phase = 2;
    loop {
        let candidate = format!("{title} (phase {phase})");
        if used.insert(candidate.clone()) {
            return candidate;
        }
        phase += 1;
    }
}

fn draw_title(rng: &mut Rng, def: &DirectorateDef, locals: &[String], topic: &str) -> String {
    let mut t = String::with_capacity(96);
    match rng.weighted(&[50, 30, 20]) {
        // "Refresh our home care strategy to meet rising demand"
        0 => {
            // "Refresh a new …" reads wrong: verbs of change take what exists.
            let (verbs, determiners) = if rng.chance(0.5) {
                (VERBS_EXISTING, DETERMINERS_EXISTING)
            } else {
                (VERBS_CREATING, DETERMINERS_CREATING)
            };
            t.push_str(rng.pick(verbs));
            t.push(' ');
            let determiner = rng.pick(determiners);
            // "a" before a vowel sound is "an"; "a new" and "a joint" never need it.
            if determiner == "a"
                && topic.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U'])
            {
                t.push_str("an");
            } else {
                t.push_str(determiner);
            }
            t.push(' ');
            t.push_str(topic);
            t.push(' ');
            t.push_str(rng.pick(ARTEFACTS));
            if rng.chance(0.55) {
                t.push_str(rng.pick(PURPOSES));
            }
        }
        // "Review home-to-school transport services for pupils with SEND"
        1 => {
            t.push_str(rng.pick(VERBS_SERVICE));
            t.push(' ');
            t.push_str(topic);
            let provision = rng.pick(PROVISIONS);
            // "dementia support" needs no second "support".
            if !topic.ends_with("support") && !topic.ends_with("advice") {
                t.push(' ');
                t.push_str(provision);
            }
            t.push_str(" for ");
            let group = rng.pick(def.groups);
            t.push_str(group);
            let purpose = rng.pick(PURPOSES);
            if rng.chance(0.25) && !(group.contains("resident") && purpose.contains("resident")) {
                t.push_str(purpose);
            }
        }
        // "Deliver the Erith Quarry community hub", "Open a new library in Kestle Wharf"
        _ => {
            let local = &locals[rng.below(locals.len())];
            let facility = rng.pick(def.facilities);
            if rng.chance(0.5) {
                t.push_str(rng.pick(VERBS_THE_FACILITY));
                t.push_str(" the ");
                t.push_str(local);
                t.push(' ');
                t.push_str(facility);
            } else {
                t.push_str(rng.pick(VERBS_NEW_FACILITY));
                t.push_str(" a new ");
                t.push_str(facility);
                t.push_str(" in ");
                t.push_str(local);
            }
        }
    }
    t
}

/// Due-date words in the forms councils use, for a deadline inside the generated years.
fn due_text(rng: &mut Rng, first_year: u16, years: usize) -> String {
    // Months counted from year 0; deadlines run from a quarter into the plan to its last March.
    let start = i64::from(first_year) * 12 + 3 + 3;
    let end = (i64::from(first_year) + years as i64) * 12 + 2;
    let m = start + rng.below((end - start + 1).max(1) as usize) as i64;
    let year = m.div_euclid(12);
    let month = (m.rem_euclid(12) + 1) as usize;
    let fy = if month >= 4 { year } else { year - 1 };
    let quarter = (month + 8) % 12 / 3 + 1;
    let yy = (fy + 1).rem_euclid(100);
    match rng.weighted(&[40, 8, 7, 5, 7, 5, 22, 3, 3]) {
        0 => format!("{} {year}", MONTHS[month - 1]),
        1 => format!("Q{quarter} {fy}/{yy:02}"),
        2 => format!("Q{quarter} {fy} to {}", fy + 1),
        3 => format!("{} {} {year}", last_day(year, month), MONTHS[month - 1]),
        4 => format!("{fy} to {}", fy + 1),
        // A calendar year ends in December: the one inside the deadline's financial year.
        5 => format!("{fy}"),
        6 => "Ongoing".to_string(),
        7 => "TBC".to_string(),
        _ => format!("Annual Q{quarter}"),
    }
}

fn last_day(year: i64, month: usize) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_domain::DueValue;

    #[test]
    fn every_due_form_reads_back_as_a_date_in_range() {
        let mut rng = Rng::new(11);
        let mut kinds = HashSet::new();
        for _ in 0..5_000 {
            let text = due_text(&mut rng, 2019, 3);
            let due = DueDate::parse(&text);
            assert_ne!(due.value, DueValue::Unknown, "{text}");
            assert!(matches!(DueCell::parse(&text), DueCell::Date(_)), "{text}");
            kinds.insert(due.precision().key());
            if let Some(deadline) = due.deadline() {
                let p = Period::containing(deadline);
                assert!(p.year.0 >= 2019 && p.year.0 <= 2021, "{text}");
            }
        }
        assert_eq!(kinds.len(), 8, "{kinds:?}");
    }

    #[test]
    fn quarter_ordinals_are_consecutive() {
        let p = Period::new(2019, waymark_domain::Quarter::Q4);
        assert_eq!(quarter_ordinal(p.next()), quarter_ordinal(p) + 1);
    }

    #[test]
    fn digits_counts() {
        assert_eq!(digits(0), 1);
        assert_eq!(digits(9), 1);
        assert_eq!(digits(10), 2);
        assert_eq!(digits(1000), 4);
    }
}
