//! Deterministic synthetic council documents for Waymark's benchmarks and scale tests.
//!
//! [`synthetic`] writes an action delivery plan and an annual performance report in the London
//! Borough of Bexley's published layouts (columns glued together, directorate headings, a
//! headline sentence), at any size, from a seed. The report rewords plan titles the way the
//! real one does — truncated after a comma or "to", a word or two swapped for a synonym, "Review
//! X" turned into "Review of X" — moves some activities to "Cross cutting" or another
//! directorate, leaves ~3% of plan activities unreported, adds ~1% rows with no plan activity,
//! and repeats a few rows word for word. The ground truth (which report reference is which plan
//! activity) comes back with the text, so reconciliation accuracy can be measured.
//!
//! No external random number crate: a small xorshift generator keeps the output identical on
//! every platform and toolchain.
//!
//! ```
//! let s = waymark_bench::synthetic(200, 7);
//! assert_eq!(s.truth.plan.len(), 200);
//! assert_eq!(s.truth.rows.len(), 200);
//! assert!(s.plan.contains("ActivityCabinet MemberEnd date"));
//! assert!(s.report.contains("ReferenceActivityRAG Year End 25/26"));
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;

/// The financial year the synthetic report covers, as its headline and header write it.
pub const REPORT_YEAR: &str = "2025/26";
const REPORT_YEAR_SHORT: &str = "25/26";

/// xorshift64*: tiny, fast, deterministic. Not for anything but test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so nearby seeds give unrelated streams and 0 is not stuck.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A uniformly chosen item (`items` must not be empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Index chosen with the given relative weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A directorate: its name in the plan's headings, in the report's headings, its relative
/// size, and the portfolios its activities usually fall under.
struct Directorate {
    plan: &'static str,
    report: &'static str,
    weight: u32,
    portfolios: &'static [usize],
}

const PORTFOLIOS: &[&str] = &[
    "Adults’ Services & Health",                // 0
    "Children's Services",                      // 1
    "Education",                                // 2
    "Growth",                                   // 3
    "Places",                                   // 4
    "Communities & Housing",                    // 5
    "Deputy Leader of the Council / Resources", // 6
    "Leader of the Council",                    // 7
    "Climate & Environment",                    // 8
    "Culture, Leisure & Heritage",              // 9
    "Transport & Highways",                     // 10
    "Public Health & Wellbeing",                // 11
];

const DIRECTORATES: &[Directorate] = &[
    Directorate {
        plan: "Adult Social Care & Health",
        report: "Adult social care and health",
        weight: 16,
        portfolios: &[0, 0, 0, 11, 5],
    },
    Directorate {
        plan: "Children's Services",
        report: "Children’s services",
        weight: 16,
        portfolios: &[1, 1, 1, 2, 2],
    },
    Directorate {
        plan: "Education & Skills",
        report: "Education and skills",
        weight: 8,
        portfolios: &[2, 2, 2, 3],
    },
    Directorate {
        plan: "Finance & Corporate Services",
        report: "Finance and corporate services",
        weight: 18,
        portfolios: &[6, 6, 6, 7],
    },
    Directorate {
        plan: "Place",
        report: "Place",
        weight: 22,
        portfolios: &[3, 3, 4, 4, 8, 10, 9],
    },
    Directorate {
        plan: "Housing & Communities",
        report: "Housing and communities",
        weight: 9,
        portfolios: &[5, 5, 5, 3],
    },
    Directorate {
        plan: "Public Health",
        report: "Public health",
        weight: 6,
        portfolios: &[11, 11, 0],
    },
    Directorate {
        plan: "Chief Executive",
        report: "Chief executive",
        weight: 5,
        portfolios: &[7, 7, 6],
    },
];

/// The report's section for activities that span directorates.
pub const CROSS_CUTTING: &str = "Cross cutting";

#[rustfmt::skip]
const OPENING_VERBS: &[&str] = &[
    "Deliver", "Develop", "Implement", "Review", "Refresh", "Launch", "Establish", "Expand",
    "Improve", "Promote", "Agree", "Create", "Introduce", "Extend", "Explore", "Scope",
    "Strengthen", "Maximise", "Commission", "Modernise", "Redesign", "Embed", "Procure", "Pilot",
    "Publish", "Consult on", "Invest in", "Roll out", "Co-produce", "Evaluate",
];

#[rustfmt::skip]
const QUALIFIERS: &[&str] = &[
    "new", "refreshed", "borough-wide", "joint", "digital", "integrated", "community-led",
    "targeted", "multi-agency", "long-term", "local", "preventative", "sustainable", "shared",
    "accessible", "modern", "citywide", "neighbourhood", "online", "flexible",
];

#[rustfmt::skip]
const TOPICS: &[&str] = &[
    "parking", "waste collection", "recycling", "street lighting", "library", "youth",
    "early help", "adult learning", "homelessness prevention", "temporary accommodation",
    "air quality", "tree planting", "flood risk", "cycling", "school places", "fostering",
    "adoption", "domestic abuse", "community safety", "counter-fraud", "procurement",
    "digital inclusion", "customer contact", "housing repairs", "affordable housing",
    "regeneration", "high street", "business rates", "council tax", "apprenticeship", "skills",
    "unpaid carers", "dementia", "mental health", "social prescribing", "leisure centre", "parks",
    "allotments", "heritage", "arts", "sports", "road safety", "highways maintenance",
    "electric vehicle charging", "net zero", "energy efficiency", "waste reduction", "licensing",
    "planning enforcement", "building control", "data", "cyber security", "workforce",
    "volunteering", "food poverty", "welfare advice", "debt advice", "SEND transport",
    "care leavers", "school attendance", "youth justice", "childcare", "family hubs",
    "immunisation", "healthy weight", "stop smoking", "substance misuse", "sexual health",
    "falls prevention", "reablement", "hospital discharge", "supported living",
    "extra care housing", "estate renewal", "empty homes", "private rented sector",
    "anti-social behaviour", "CCTV", "graffiti removal", "fly-tipping", "street cleansing",
    "street markets", "events", "visitor economy", "inward investment", "town centre",
    "local plan", "bus services", "school streets", "green spaces", "biodiversity", "tree canopy",
    "noise nuisance", "pest control", "cemeteries", "registration", "elections", "complaints",
    "information governance", "member enquiries", "income collection", "payments", "pension fund",
    "treasury management", "asset management", "office accommodation", "ICT", "website",
    "customer portal", "performance management", "risk management", "internal audit", "equalities",
    "resident engagement", "consultation", "short breaks", "respite care", "home care",
    "day opportunities", "learning disability", "autism", "transitions", "care homes",
    "safeguarding adults", "child protection", "speech and language", "early years",
    "school readiness", "post-16 education", "employment support", "business support",
    "social value", "commercial waste", "garden waste", "food waste", "trading standards",
    "environmental health", "food safety", "housing standards", "disabled facilities grants",
    "adaptations", "assistive technology", "telecare", "winter pressures", "cost of living",
    "warm spaces", "holiday activities", "play areas", "swimming", "community hall", "museum",
    "theatre", "archives", "playing pitches", "footpath", "drainage", "bridge", "river frontage",
    "marshes", "nature reserve",
];

#[rustfmt::skip]
const ARTIFACTS: &[&str] = &[
    "strategy", "action plan", "programme", "service", "policy", "framework", "partnership",
    "pilot", "offer", "hub", "dashboard", "charter", "scheme", "pathway", "contract", "project",
    "toolkit", "board", "forum", "improvement plan", "review", "protocol", "network",
];

#[rustfmt::skip]
const PLACES: &[&str] = &[
    "in Erith", "in Thamesmead", "in Sidcup", "in Bexleyheath", "in Welling", "in Crayford",
    "in Belvedere", "in Abbey Wood", "across the borough", "in our town centres", "on our estates",
    "in schools", "in libraries", "in community centres", "in North End", "in Blackfen",
    "in Barnehurst", "in Northumberland Heath",
];

const PURPOSES: &[&str] = &[
    "to improve outcomes for residents",
    "so that residents get the support they need",
    "to reduce costs and improve value for money",
    "to keep children and young people safe",
    "to support local businesses to grow",
    "to cut carbon emissions",
    "to make Bexley even better",
    "to help residents live independently for longer",
    "in line with new legislation",
    "to improve customer satisfaction",
    ", informed by residents' feedback",
    ", working with health partners",
    ", in partnership with the voluntary sector",
    "to reduce demand on statutory services",
    "to tackle inequalities in health",
    "to increase take-up",
    "to meet rising demand",
    "to raise standards",
    ", so that families get the best start",
    "to protect the most vulnerable",
    "to make our streets cleaner and safer",
    ", using data to target resources",
    "to improve the resident experience",
    "to bring in additional funding where possible",
];

#[rustfmt::skip]
const PARTNERS: &[&str] = &[
    "health partners", "the police", "schools", "the voluntary sector", "local businesses",
    "housing associations", "Transport for London", "neighbouring boroughs", "the NHS",
    "our Local Care Partnership", "residents", "faith groups",
];

#[rustfmt::skip]
const LEGISLATION: &[&str] = &[
    "adult social care", "children's social care", "housing", "environmental protection",
    "building safety", "procurement", "licensing", "public health", "planning", "waste",
];

/// Words the report swaps for another, whole words only.
const SYNONYMS: &[(&str, &str)] = &[
    ("Deliver", "Implement"),
    ("Develop", "Create"),
    ("Improve", "Enhance"),
    ("Review", "Assess"),
    ("Launch", "Introduce"),
    ("Expand", "Grow"),
    ("Promote", "Encourage"),
    ("Agree", "Approve"),
    ("Establish", "Set up"),
    ("Strengthen", "Improve"),
    ("strategy", "plan"),
    ("programme", "scheme"),
    ("residents", "local people"),
    ("children", "young people"),
    ("new", "refreshed"),
    ("borough", "Bexley"),
    ("partners", "partner organisations"),
    ("service", "provision"),
    ("framework", "approach"),
    ("reduce", "cut"),
    ("support", "help"),
    ("improve", "raise"),
    ("project", "initiative"),
    ("offer", "service"),
    ("across", "throughout"),
];

/// Long names the report sometimes gives as initials.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("Transport for London", "TfL"),
    ("the South East London Integrated Care Board", "the SEL ICB"),
    ("Bexley's Local Care Partnership", "the LCP"),
    ("our Local Care Partnership", "the LCP"),
    ("the Safer Bexley Partnership", "SBP"),
    ("the Department for Education", "DfE"),
    ("electric vehicle", "EV"),
    ("information and communication technology", "ICT"),
    ("anti-social behaviour", "ASB"),
    ("disabled facilities grants", "DFGs"),
    ("Mayor of London", "Mayor"),
];

/// Verbs the report sometimes turns into a noun: "Review X" → "Review of X".
const NOMINAL: &[(&str, &str)] = &[
    ("Review", "Review of"),
    ("Develop", "Development of"),
    ("Deliver", "Delivery of"),
    ("Implement", "Implementation of"),
    ("Refresh", "Refresh of"),
    ("Procure", "Procurement of"),
    ("Evaluate", "Evaluation of"),
    ("Launch", "Launch of"),
];

#[rustfmt::skip]
const DUE_MONTHS: &[&str] = &[
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

const CEASED_NOTES: &[&str] = &[
    "Ceased. Funding bid not successful",
    "Ceased. Superseded by the new programme",
    "Ceased",
];

const DUE_NOTE: &str =
    "No longer progressing with this action, our funding application was unsuccessful.";

/// What one plan activity was generated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanTruth {
    pub directorate: String,
    pub title: String,
    /// The title without its closing "why" clause (the part a report keeps when it shortens
    /// the title); the same as `title` when there is none. Distinct across the plan.
    pub core: String,
    pub portfolios: Vec<String>,
    /// The end-date cell as written.
    pub due: String,
}

/// What one report row was generated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowTruth {
    pub reference: String,
    /// The section it is reported under (report spelling, or [`CROSS_CUTTING`]).
    pub directorate: String,
    pub title: String,
    pub status: String,
    /// Index into [`Truth::plan`] of the activity it reports on; `None` for a row with no plan
    /// activity.
    pub plan: Option<usize>,
    /// A word-for-word repeat of an earlier row.
    pub repeat: bool,
}

/// The ground truth of one synthetic plan and report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    /// Plan activities in document order.
    pub plan: Vec<PlanTruth>,
    /// Report rows in document order, repeats included.
    pub rows: Vec<RowTruth>,
    /// Plan activities with no report row.
    pub unreported: usize,
    /// Report rows with no plan activity.
    pub extra: usize,
    /// Report rows repeated word for word.
    pub repeated: usize,
    /// The percentage the headline sentence claims (Complete + Green over distinct rows,
    /// rounded down as Bexley does).
    pub headline_percent: u32,
}

/// A synthetic action plan and annual report, with the truth behind them.
#[derive(Debug, Clone)]
pub struct Synthetic {
    pub plan: String,
    pub report: String,
    pub truth: Truth,
}

/// An action delivery plan of `n_activities` activities in Bexley's layout.
pub fn synthetic_action_plan(n_activities: usize, seed: u64) -> String {
    synthetic(n_activities, seed).plan
}

/// The annual report on the plan that [`synthetic_action_plan`] gives for the same arguments:
/// `n_activities` rows in all (including repeats and rows with no plan activity).
pub fn synthetic_report(n_activities: usize, seed: u64) -> String {
    synthetic(n_activities, seed).report
}

/// Both documents and the truth behind them.
pub fn synthetic(n_activities: usize, seed: u64) -> Synthetic {
    let mut rng = Rng::new(seed);
    let n = n_activities;
    let weights: Vec<u32> = DIRECTORATES.iter().map(|d| d.weight).collect();

    // Titles first (plan and extra rows together, so they never coincide), then directorates.
    let unreported = (n as f64 * 0.03).round() as usize;
    let extra = (n as f64 * 0.01).round() as usize;
    let mut seen = HashSet::new();
    let mut titles = Vec::with_capacity(n + extra);
    while titles.len() < n + extra {
        let t = title(&mut rng);
        if seen.insert(t.core.to_lowercase()) {
            titles.push(t);
        }
    }
    let extra_titles = titles.split_off(n);

    let mut by_directorate: Vec<Vec<PlanTruth>> = DIRECTORATES.iter().map(|_| vec![]).collect();
    for t in titles {
        let d = rng.weighted(&weights);
        let dir = &DIRECTORATES[d];
        let mut portfolios = vec![PORTFOLIOS[rng.pick(dir.portfolios)].to_string()];
        if rng.chance(0.015) {
            let other = PORTFOLIOS[rng.below(PORTFOLIOS.len())].to_string();
            if !portfolios.contains(&other) {
                portfolios.push(other);
            }
        }
        by_directorate[d].push(PlanTruth {
            directorate: dir.plan.to_string(),
            title: t.full,
            core: t.core,
            portfolios,
            due: due(&mut rng),
        });
    }
    // Like Bexley's page, activities are roughly alphabetical within a directorate.
    for acts in &mut by_directorate {
        acts.sort_by_cached_key(|a| a.title.to_lowercase());
    }
    let plan: Vec<PlanTruth> = by_directorate.into_iter().flatten().collect();

    let plan_text = write_plan(&plan, &mut rng);

    // The report: references 1..=n in plan order; some unreported, some extra, some repeated.
    let mut skip: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut skip);
    skip.truncate(unreported);
    let skip: HashSet<usize> = skip.into_iter().collect();

    let report_sections: Vec<&str> = DIRECTORATES
        .iter()
        .map(|d| d.report)
        .chain([CROSS_CUTTING])
        .collect();
    let mut sections: Vec<Vec<RowTruth>> = report_sections.iter().map(|_| vec![]).collect();
    let plan_section = |p: &PlanTruth| {
        DIRECTORATES
            .iter()
            .position(|d| d.plan == p.directorate)
            .unwrap_or(0)
    };
    for (i, p) in plan.iter().enumerate() {
        if skip.contains(&i) {
            continue;
        }
        let section = if rng.chance(0.05) {
            report_sections.len() - 1
        } else if rng.chance(0.02) {
            rng.below(DIRECTORATES.len())
        } else {
            plan_section(p)
        };
        sections[section].push(RowTruth {
            reference: (i + 1).to_string(),
            directorate: report_sections[section].to_string(),
            title: reword(p, &mut rng),
            status: status(&mut rng),
            plan: Some(i),
            repeat: false,
        });
    }
    let mut used_sub = HashSet::new();
    for (k, t) in extra_titles.into_iter().enumerate() {
        // Half get a sub-reference of an existing one ("5.1"), half a number after the plan's.
        let reference = if rng.chance(0.5) && n > 0 {
            let base = rng.below(n) + 1;
            if used_sub.insert(base) {
                format!("{base}.1")
            } else {
                (n + k + 1).to_string()
            }
        } else {
            (n + k + 1).to_string()
        };
        let section = rng.below(report_sections.len());
        sections[section].push(RowTruth {
            reference,
            directorate: report_sections[section].to_string(),
            title: t.full.trim_end_matches('.').to_string(),
            status: status(&mut rng),
            plan: None,
            repeat: false,
        });
    }
    // Within a section rows are grouped by status, in no particular order within a group.
    for rows in &mut sections {
        rng.shuffle(rows);
        rows.sort_by_key(|r| status_rank(&r.status));
    }
    // Repeats: runs of rows copied word for word to the end of a section (Bexley's Place
    // section repeats a run of 12), until the report has exactly n rows.
    let distinct: usize = sections.iter().map(Vec::len).sum();
    let mut repeated = 0;
    let target = n.saturating_sub(distinct);
    let mut attempts = 0;
    while repeated < target && attempts < 10_000 {
        attempts += 1;
        let s = rng.below(sections.len());
        let len = sections[s].iter().filter(|r| !r.repeat).count();
        if len == 0 {
            continue;
        }
        let run = (1 + rng.below(12)).min(target - repeated).min(len);
        let start = rng.below(len - run + 1);
        let copies: Vec<RowTruth> = sections[s][start..start + run]
            .iter()
            .map(|r| RowTruth {
                repeat: true,
                ..r.clone()
            })
            .collect();
        sections[s].extend(copies);
        repeated += run;
    }

    let rows: Vec<RowTruth> = sections.into_iter().flatten().collect();
    let (mut good, mut total) = (0usize, 0usize);
    for r in rows.iter().filter(|r| !r.repeat) {
        total += 1;
        if r.status == "Complete" || r.status == "Green" {
            good += 1;
        }
    }
    let headline_percent = (good * 100).checked_div(total).unwrap_or(0) as u32;
    let report_text = write_report(&report_sections, &rows, headline_percent);

    Synthetic {
        plan: plan_text,
        report: report_text,
        truth: Truth {
            plan,
            rows,
            unreported,
            extra,
            repeated,
            headline_percent,
        },
    }
}

fn status_rank(label: &str) -> u8 {
    match label {
        "Complete" => 0,
        "Green" => 1,
        "Amber" => 2,
        "Red" => 3,
        "Not started" => 4,
        _ => 5,
    }
}

fn status(rng: &mut Rng) -> String {
    match rng.weighted(&[30, 45, 17, 2, 3, 3]) {
        0 => "Complete".into(),
        1 => "Green".into(),
        2 => "Amber".into(),
        3 => "Red".into(),
        4 => "Not started".into(),
        _ => rng.pick(CEASED_NOTES).to_string(),
    }
}

/// An end-date cell, in the mix of forms Bexley's plan uses.
fn due(rng: &mut Rng) -> String {
    match rng.weighted(&[34, 28, 10, 8, 6, 5, 3, 3, 2, 1]) {
        0 => format!("{} {}", rng.pick(DUE_MONTHS), 2025 + rng.below(3) as i32),
        1 => "Ongoing".into(),
        2 => {
            let y = 2024 + rng.below(4) as i32;
            format!("Q{} {} to {}", 1 + rng.below(4), y, y + 1)
        }
        3 => (2025 + rng.below(3)).to_string(),
        4 => {
            let y = 2024 + rng.below(3);
            format!("{} to {}", y, y + 1)
        }
        5 => "TBC".into(),
        6 => "Quarterly".into(),
        7 => format!("Annual Q{}", 1 + rng.below(4)),
        8 => format!("{} years", 2 + rng.below(14)),
        _ => DUE_NOTE.into(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    // "Consult on" → "consult on", but keep acronyms ("SEND") as they are.
    let mut words = s.splitn(2, ' ');
    let first = words.next().unwrap_or("");
    let rest = words.next();
    let first = if first.chars().skip(1).any(|c| c.is_uppercase()) {
        first.to_string()
    } else {
        first.to_lowercase()
    };
    match rest {
        Some(r) => format!("{first} {r}"),
        None => first,
    }
}

fn article(rng: &mut Rng) -> &'static str {
    rng.pick(&["the ", "our ", "a ", ""])
}

/// An activity title, varied the way councils write them: what is to be done (`core`), and the
/// whole title, which often adds why (" to improve outcomes for residents").
struct Title {
    core: String,
    full: String,
}

fn title(rng: &mut Rng) -> Title {
    let topic = rng.pick(TOPICS);
    let artifact = rng.pick(ARTIFACTS);
    let mut t = match rng.weighted(&[50, 12, 10, 8, 8, 6, 6]) {
        // "Deliver a new borough-wide recycling strategy in Erith to cut carbon emissions"
        0 => {
            let mut t = format!("{} {}", rng.pick(OPENING_VERBS), article(rng));
            if rng.chance(0.6) {
                t.push_str(rng.pick(QUALIFIERS));
                t.push(' ');
            }
            t.push_str(topic);
            t.push(' ');
            t.push_str(artifact);
            if rng.chance(0.4) {
                t.push(' ');
                t.push_str(rng.pick(PLACES));
            }
            t
        }
        // "Work with the NHS to develop a joint dementia pathway"
        1 => format!(
            "Work with {} to {} {}{} {} {}",
            rng.pick(PARTNERS),
            lower_first(rng.pick(OPENING_VERBS)),
            article(rng),
            rng.pick(QUALIFIERS),
            topic,
            artifact
        ),
        // "Review of parking charges and permits"
        2 => format!(
            "{} {} {}",
            rng.pick(&["Review of", "Delivery of", "Development of", "Options for"]),
            topic,
            rng.pick(&[
                "charges and permits",
                "arrangements",
                "provision",
                "services",
                "capacity",
                "contracts",
                "governance",
                "performance",
            ])
        ),
        // "Respond to legislative and regulatory changes - housing"
        3 => format!(
            "Respond to legislative and regulatory changes - {} ({})",
            rng.pick(LEGISLATION),
            topic
        ),
        // "As a member of our Local Care Partnership, contribute to a dementia strategy"
        4 => format!(
            "As a member of {}, contribute to development of {}{} {} {}",
            rng.pick(&[
                "Bexley's Local Care Partnership",
                "the South East London Integrated Care Board",
                "the Safer Bexley Partnership",
                "the Bexley Business Forum",
            ]),
            article(rng),
            rng.pick(QUALIFIERS),
            topic,
            artifact
        ),
        // "Continue to invest in school streets and play areas"
        5 => format!(
            "Continue to {} {} and {}",
            lower_first(rng.pick(&["invest in", "support", "improve", "expand", "promote"])),
            topic,
            rng.pick(TOPICS)
        ),
        // "Make the case for fairer funding for SEND transport with government"
        _ => format!(
            "Make the case for {} funding for {} with {}",
            rng.pick(&["fairer", "better", "sustainable", "long-term"]),
            topic,
            rng.pick(&[
                "government",
                "the Department for Education",
                "the Mayor of London",
                "London Councils"
            ])
        ),
    };
    let core = tidy(&t);
    if rng.chance(0.55) {
        let purpose = rng.pick(PURPOSES);
        if !purpose.starts_with(',') {
            t.push(' ');
        }
        t.push_str(purpose);
    }
    if rng.chance(0.3) {
        t.push('.');
    }
    Title {
        core,
        full: tidy(&t),
    }
}

/// Replace the first whole-word `from` with `to`.
fn swap_word(title: &str, from: &str, to: &str) -> Option<String> {
    let mut start = 0;
    while let Some(i) = title[start..].find(from) {
        let at = start + i;
        let end = at + from.len();
        let before = title[..at].chars().next_back();
        let after = title[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-');
        // A `from` ending in a space ("new ") is a word with the space after it.
        if boundary(before) && (from.ends_with(' ') || boundary(after)) {
            return Some(format!("{}{}{}", &title[..at], to, &title[end..]));
        }
        start = end;
    }
    None
}

/// The report's version of a plan title.
fn reword(plan: &PlanTruth, rng: &mut Rng) -> String {
    // Often cut short where the "why" begins: after a comma, before "to", "so that", ….
    let mut t = if rng.chance(0.45) {
        plan.core.clone()
    } else {
        plan.title.trim_end_matches('.').to_string()
    };
    if rng.chance(0.12) {
        for (verb, noun) in NOMINAL {
            if let Some(rest) = t.strip_prefix(&format!("{verb} ")) {
                let rest = rest
                    .strip_prefix("the ")
                    .or_else(|| rest.strip_prefix("our "))
                    .or_else(|| rest.strip_prefix("a "))
                    .unwrap_or(rest);
                t = format!("{noun} {rest}");
                break;
            }
        }
    }
    let swaps = rng.weighted(&[45, 40, 15]);
    for _ in 0..swaps {
        let start = rng.below(SYNONYMS.len());
        for k in 0..SYNONYMS.len() {
            let (from, to) = SYNONYMS[(start + k) % SYNONYMS.len()];
            if let Some(s) = swap_word(&t, from, to) {
                t = s;
                break;
            }
        }
    }
    // Names shortened to the initials officers use ("Transport for London" → "TfL").
    if rng.chance(0.5) {
        for (long, short) in ABBREVIATIONS {
            if let Some(s) = swap_word(&t, long, short) {
                t = s;
                break;
            }
        }
    }
    // A describing word or an article left out ("Deliver a new recycling hub" → "Deliver
    // recycling hub").
    if rng.chance(0.2) {
        for q in QUALIFIERS {
            if let Some(s) = swap_word(&t, &format!("{q} "), "") {
                t = s;
                break;
            }
        }
    }
    if rng.chance(0.2) {
        for a in ["the ", "our ", "a "] {
            if let Some(s) = swap_word(&t, a, "") {
                t = s;
                break;
            }
        }
    }
    tidy(&t)
}

/// Capital first letter, "an" before a vowel, and no verb left in front of "of" by a synonym
/// swap ("Review of" → "Assess of" → "Assessment of").
fn tidy(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 8);
    let words: Vec<&str> = t.split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let next = words.get(i + 1).and_then(|n| n.chars().next());
        let vowel = next.is_some_and(|c| "aeiouAEIOU".contains(c));
        match (*w, vowel) {
            ("a", true) => out.push_str("an"),
            ("A", true) => out.push_str("An"),
            ("an", false) if next.is_some() => out.push('a'),
            _ => out.push_str(w),
        }
    }
    let out = out
        .replace("Assess of ", "Assessment of ")
        .replace("Introduce of ", "Introduction of ")
        .replace("Create of ", "Creation of ");
    capitalise(&out)
}

fn write_plan(plan: &[PlanTruth], rng: &mut Rng) -> String {
    let mut out = String::with_capacity(plan.len() * 140 + 1024);
    out.push_str(
        "Action delivery plan\n\n\
         We have created an action plan to make sure all mission and priorities are delivered.\n\n\
         We will update this plan annually and let you know how we are doing.\n\n\
         Watering can and lightbulb flowers\n",
    );
    let mut current: Option<&str> = None;
    for p in plan {
        if current != Some(p.directorate.as_str()) {
            if current.is_some() {
                out.push_str("\n \n\n");
            }
            let _ = writeln!(out, "{} Directorate action delivery plan", p.directorate);
            out.push_str("ActivityCabinet MemberEnd date\n");
            current = Some(p.directorate.as_str());
        }
        let mut title = p.title.clone();
        // The odd non-breaking space copied from the web page.
        if rng.chance(0.01)
            && let Some(i) = title.find(" and ")
        {
            title.replace_range(i + 4..i + 5, "\u{a0}");
        }
        if p.portfolios.len() > 1 && rng.chance(0.3) {
            // Bexley's one three-line row: title and first portfolio, second portfolio, date.
            let _ = writeln!(out, "{title}{}", p.portfolios[0]);
            for extra in &p.portfolios[1..] {
                let _ = writeln!(out, "{extra}");
            }
            let _ = writeln!(out, "{}", p.due);
        } else {
            // Several portfolios run together with a space ("Education Growth").
            let _ = writeln!(out, "{title}{}{}", p.portfolios.join(" "), p.due);
        }
    }
    out.push_str("\nLast updated: December 2025\n");
    out
}

fn write_report(sections: &[&str], rows: &[RowTruth], headline_percent: u32) -> String {
    let mut out = String::with_capacity(rows.len() * 100 + 1024);
    let _ = write!(
        out,
        "Our activity in {REPORT_YEAR}\n\n\
         The annual performance report provides an update on progress against the actions in \
         our Corporate Plan Action Plan. \n\n\
         At the end of {REPORT_YEAR}, {headline_percent}% of the corporate plan action plan \
         activities are complete or on track. The details are provided below.\n"
    );
    for section in sections {
        let in_section: Vec<&RowTruth> =
            rows.iter().filter(|r| r.directorate == *section).collect();
        if in_section.is_empty() {
            continue;
        }
        if *section == CROSS_CUTTING {
            let _ = write!(out, "\n{section} corporate plan action delivery plan\n\n");
        } else {
            let _ = write!(
                out,
                "\n{section} directorate corporate plan action delivery plan\n\n"
            );
        }
        let _ = writeln!(out, "ReferenceActivityRAG Year End {REPORT_YEAR_SHORT}");
        for r in in_section {
            let _ = writeln!(out, "{}{}{}", r.reference, r.title, r.status);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_seed_dependent() {
        let a = synthetic(300, 1);
        let b = synthetic(300, 1);
        let c = synthetic(300, 2);
        assert_eq!(a.plan, b.plan);
        assert_eq!(a.report, b.report);
        assert_ne!(a.plan, c.plan);
    }

    #[test]
    fn counts_add_up() {
        for n in [0, 1, 10, 100, 1000] {
            let s = synthetic(n, 42);
            assert_eq!(s.truth.plan.len(), n);
            assert_eq!(s.truth.rows.len(), n, "n = {n}");
            let reported = s
                .truth
                .rows
                .iter()
                .filter(|r| !r.repeat && r.plan.is_some())
                .count();
            assert_eq!(reported, n - s.truth.unreported);
            assert_eq!(
                s.truth.rows.iter().filter(|r| r.repeat).count(),
                s.truth.repeated
            );
            assert_eq!(
                s.truth
                    .rows
                    .iter()
                    .filter(|r| !r.repeat && r.plan.is_none())
                    .count(),
                s.truth.extra
            );
        }
    }

    #[test]
    fn titles_are_mostly_distinct_and_varied() {
        let s = synthetic(10_000, 3);
        let titles: HashSet<&str> = s.truth.plan.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles.len(), 10_000);
        let openings: HashSet<String> = s
            .truth
            .plan
            .iter()
            .map(|p| {
                p.title
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert!(
            openings.len() > 1000,
            "only {} distinct openings",
            openings.len()
        );
        let reworded = s
            .truth
            .rows
            .iter()
            .filter(|r| {
                r.plan
                    .is_some_and(|p| s.truth.plan[p].title.trim_end_matches('.') != r.title)
            })
            .count();
        assert!(reworded > 4000, "only {reworded} reworded titles");
    }
}
