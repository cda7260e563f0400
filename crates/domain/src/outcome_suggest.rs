//! Suggesting which of the plan's outcomes each activity delivers.
//!
//! Many councils group their action plan by directorate, not by outcome, so nothing says which
//! outcome an activity serves. The plan itself says what each outcome means: its title, its
//! narrative and its priority theme's title and summary. Each outcome becomes a bag of content
//! words (folded with [`crate::text::fold`], stopwords dropped, lightly stemmed as
//! reconciliation does; abbreviations such as "SEND" or "EV" kept whole), the title counting
//! more than the narrative and the theme's words less. A word's weight is its inverse document
//! frequency over the outcomes: a word every outcome uses says nothing.
//!
//! An activity's score for an outcome (0..=1) mixes
//! * the cosine similarity of the activity's words (all of its names) with the outcome's words;
//! * a weak directorate hint: how many of the directorate's other activities go to the outcome
//!   (links people confirmed, and the first pass's confident suggestions), and whether the
//!   directorate's own name is in the outcome's words ("Children's Services" → outcome about
//!   children).
//!
//! An activity is *confident* when its best score is high enough and clear enough of the
//! second; otherwise it waits for a person. Outcomes a person rejected for an activity are never
//! ranked for it. Everything is deterministic: ordered maps only, ties broken by outcome number.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::reconcile_match::{acronym_key, is_stopword, raw_words, stem};
use crate::text::fold;

/// How much an outcome's title counts against one word of its narrative.
const TITLE_WEIGHT: f64 = 3.0;
const NARRATIVE_WEIGHT: f64 = 1.0;
const THEME_TITLE_WEIGHT: f64 = 1.0;
const THEME_SUMMARY_WEIGHT: f64 = 0.5;
/// An activity word no outcome uses still counts in the activity's length, at this share of
/// the weight of the rarest outcome word: the outcome cannot be judged on what it never says.
const UNKNOWN_WEIGHT: f64 = 0.5;
/// Words read from one outcome's text, and from one activity's names (hostile inputs can be
/// long; real ones are far shorter).
const MAX_OUTCOME_WORDS: usize = 20_000;
const MAX_ACTIVITY_WORDS: usize = 512;
/// A directorate's learned preference needs this many activities behind it.
const MIN_PRIOR: f64 = 3.0;
/// Share of the directorate hint given by the directorate's name (the rest: where its other
/// activities go).
const NAME_SHARE: f64 = 0.25;

/// An outcome of the plan as the plan describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeText {
    pub number: u32,
    pub title: String,
    pub narrative: Vec<String>,
    pub theme_title: String,
    pub theme_summary: String,
}

/// An activity to place: its names (newest first or in any order), its directorate, and the
/// outcomes a person has already rejected for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityText {
    pub id: i64,
    pub titles: Vec<String>,
    pub directorate: String,
    #[serde(default)]
    pub excluded: Vec<u32>,
}

/// The general settings of the suggester (never tuned to one council's activities).
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestOptions {
    /// The best score must reach this to be confident.
    pub min_score: f64,
    /// ... and lead the second by this share of itself.
    pub min_margin: f64,
    /// Share of the score given by the directorate hint (0..=1).
    pub directorate_weight: f64,
    /// How many ranked outcomes to keep per activity.
    pub keep: usize,
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions {
            min_score: 0.12,
            min_margin: 0.15,
            directorate_weight: 0.2,
            keep: 3,
        }
    }
}

/// Whether a suggestion may stand as a link until a person decides, or waits for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Confident,
    Waiting,
}

impl Verdict {
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Confident => "confident",
            Verdict::Waiting => "waiting",
        }
    }
}

/// One outcome with its score for an activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub outcome: u32,
    pub score: f64,
}

/// An activity's outcomes, best first, and what to do with the best.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub activity_id: i64,
    pub ranked: Vec<Ranked>,
    pub verdict: Verdict,
}

impl Suggestion {
    /// The outcome to link without asking, when the suggestion is confident.
    pub fn confident(&self) -> Option<u32> {
        match self.verdict {
            Verdict::Confident => self.ranked.first().map(|r| r.outcome),
            Verdict::Waiting => None,
        }
    }
}

type Bag = BTreeMap<String, f64>;

/// Content words of a text: folded, stopwords and bare numbers dropped, stemmed;
/// abbreviations kept whole.
fn words(text: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    for raw in raw_words(text).into_iter().take(limit) {
        let key = match acronym_key(&raw) {
            Some(abbreviation) => abbreviation,
            None => {
                let folded = fold(&raw);
                if folded.chars().count() < 2 || is_stopword(&folded) {
                    continue;
                }
                stem(&folded)
            }
        };
        if key.chars().count() < 2 || is_stopword(&key) || key.chars().all(|c| c.is_numeric()) {
            continue;
        }
        out.push(key);
    }
    out
}

fn add(bag: &mut Bag, text: &str, weight: f64, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    let found = words(text, *budget);
    *budget = budget.saturating_sub(found.len().max(1));
    for w in found {
        *bag.entry(w).or_insert(0.0) += weight;
    }
}

/// The outcomes as weighted word vectors, with the inverse document frequencies behind them.
struct Model {
    numbers: Vec<u32>,
    /// Per outcome: word → weight (term weight × idf), and the vector's length.
    vectors: Vec<(Bag, f64)>,
    idf: BTreeMap<String, f64>,
    /// Weight of a word no outcome uses.
    unknown: f64,
}

impl Model {
    fn new(outcomes: &[OutcomeText]) -> Model {
        // One entry per outcome number (a repeated number keeps its first text).
        let mut seen = BTreeSet::new();
        let mut bags: Vec<(u32, Bag)> = Vec::new();
        for o in outcomes {
            if !seen.insert(o.number) {
                continue;
            }
            let mut bag = Bag::new();
            let mut budget = MAX_OUTCOME_WORDS;
            add(&mut bag, &o.title, TITLE_WEIGHT, &mut budget);
            for p in &o.narrative {
                add(&mut bag, p, NARRATIVE_WEIGHT, &mut budget);
            }
            add(&mut bag, &o.theme_title, THEME_TITLE_WEIGHT, &mut budget);
            add(
                &mut bag,
                &o.theme_summary,
                THEME_SUMMARY_WEIGHT,
                &mut budget,
            );
            bags.push((o.number, bag));
        }
        bags.sort_by_key(|(n, _)| *n);
        let n = bags.len() as f64;
        let mut df: BTreeMap<String, f64> = BTreeMap::new();
        for (_, bag) in &bags {
            for w in bag.keys() {
                *df.entry(w.clone()).or_insert(0.0) += 1.0;
            }
        }
        let idf: BTreeMap<String, f64> = df
            .into_iter()
            .map(|(w, d)| (w, ((n + 1.0) / d).ln()))
            .collect();
        let unknown = UNKNOWN_WEIGHT * (n + 1.0).ln();
        let mut numbers = Vec::new();
        let mut vectors = Vec::new();
        for (number, bag) in bags {
            let vector: Bag = bag
                .into_iter()
                .map(|(w, tf)| {
                    let weight = (1.0 + tf).ln() * idf.get(&w).copied().unwrap_or(0.0);
                    (w, weight)
                })
                .collect();
            let length = vector.values().map(|v| v * v).sum::<f64>().sqrt();
            numbers.push(number);
            vectors.push((vector, length));
        }
        Model {
            numbers,
            vectors,
            idf,
            unknown,
        }
    }

    /// Cosine similarity of a set of words with each outcome, in `numbers` order.
    fn similarity(&self, words: &BTreeSet<String>) -> Vec<f64> {
        let query: Vec<(&String, f64)> = words
            .iter()
            .map(|w| (w, self.idf.get(w).copied().unwrap_or(self.unknown)))
            .collect();
        let length = query.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
        self.vectors
            .iter()
            .map(|(vector, outcome_length)| {
                if length <= 0.0 || *outcome_length <= 0.0 {
                    return 0.0;
                }
                let dot: f64 = query
                    .iter()
                    .filter_map(|(w, q)| vector.get(*w).map(|v| q * v))
                    .sum();
                (dot / (length * outcome_length)).clamp(0.0, 1.0)
            })
            .collect()
    }
}

fn word_set(texts: &[String]) -> BTreeSet<String> {
    let mut budget = MAX_ACTIVITY_WORDS;
    let mut out = BTreeSet::new();
    for t in texts {
        if budget == 0 {
            break;
        }
        let found = words(t, budget);
        budget = budget.saturating_sub(found.len().max(1));
        out.extend(found);
    }
    out
}

/// Rank and decide, from text scores and per-outcome hints (both per `model.numbers`).
fn decide(
    model: &Model,
    activity: &ActivityText,
    text: &[f64],
    hint: &[f64],
    options: &SuggestOptions,
) -> Suggestion {
    let w = if options.directorate_weight.is_finite() {
        options.directorate_weight.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut ranked: Vec<Ranked> = model
        .numbers
        .iter()
        .enumerate()
        .filter(|(_, n)| !activity.excluded.contains(n))
        .map(|(i, n)| Ranked {
            outcome: *n,
            score: ((1.0 - w) * text[i] + w * hint[i]).clamp(0.0, 1.0),
        })
        .filter(|r| r.score > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.outcome.cmp(&b.outcome)));
    let verdict = match ranked.as_slice() {
        [] => Verdict::Waiting,
        [best, rest @ ..] => {
            let second = rest.first().map_or(0.0, |r| r.score);
            // A word the activity shares with the outcome it is given is needed: the hint
            // alone never decides.
            let has_words = model
                .numbers
                .iter()
                .position(|n| *n == best.outcome)
                .and_then(|i| text.get(i))
                .is_some_and(|t| *t > 0.0);
            if has_words
                && best.score >= options.min_score
                && best.score - second >= options.min_margin * best.score
            {
                Verdict::Confident
            } else {
                Verdict::Waiting
            }
        }
    };
    ranked.truncate(options.keep.max(1));
    Suggestion {
        activity_id: activity.id,
        ranked,
        verdict,
    }
}

/// Suggest outcomes for each activity, in the order given. `confirmed` holds the links people
/// made (activity id, outcome numbers): they teach the directorate hint and are never
/// overruled (the caller does not ask again for an activity a person has decided).
pub fn suggest(
    outcomes: &[OutcomeText],
    activities: &[ActivityText],
    confirmed: &[(i64, Vec<u32>)],
    options: &SuggestOptions,
) -> Vec<Suggestion> {
    let model = Model::new(outcomes);
    let count = model.numbers.len();
    let text: Vec<Vec<f64>> = activities
        .iter()
        .map(|a| model.similarity(&word_set(&a.titles)))
        .collect();
    // The directorate's own words against each outcome (a name's words are few, so this stays
    // small unless the name is the outcome's subject).
    let mut directorate_words: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for a in activities {
        let key = fold(&a.directorate);
        if directorate_words.contains_key(&key) {
            continue;
        }
        let sims = model.similarity(&word_set(std::slice::from_ref(&a.directorate)));
        directorate_words.insert(key, sims);
    }
    let zeros = vec![0.0; count];
    let words_of = |a: &ActivityText| -> &Vec<f64> {
        directorate_words
            .get(&fold(&a.directorate))
            .unwrap_or(&zeros)
    };

    // First pass: the activity's words alone.
    let text_only = SuggestOptions {
        directorate_weight: 0.0,
        ..options.clone()
    };
    let first: Vec<Suggestion> = activities
        .iter()
        .zip(&text)
        .map(|(a, t)| decide(&model, a, t, &zeros, &text_only))
        .collect();

    // What each directorate's decided activities go to: people's links, then the confident.
    let index: BTreeMap<u32, usize> = model
        .numbers
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i))
        .collect();
    let directorate_of: BTreeMap<i64, String> = activities
        .iter()
        .map(|a| (a.id, fold(&a.directorate)))
        .collect();
    let mut prior: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut decided: BTreeSet<i64> = BTreeSet::new();
    for (id, numbers) in confirmed {
        let Some(d) = directorate_of.get(id) else {
            continue;
        };
        let known: Vec<usize> = numbers
            .iter()
            .filter_map(|n| index.get(n).copied())
            .collect();
        if known.is_empty() || !decided.insert(*id) {
            continue;
        }
        let row = prior.entry(d.clone()).or_insert_with(|| vec![0.0; count]);
        for i in &known {
            row[*i] += 1.0 / known.len() as f64;
        }
    }
    for s in &first {
        if decided.contains(&s.activity_id) {
            continue;
        }
        let (Some(n), Some(d)) = (s.confident(), directorate_of.get(&s.activity_id)) else {
            continue;
        };
        if let Some(i) = index.get(&n) {
            prior.entry(d.clone()).or_insert_with(|| vec![0.0; count])[*i] += 1.0;
        }
    }

    // Second pass: the words, and the directorate's name and habits.
    activities
        .iter()
        .zip(&text)
        .map(|(a, t)| {
            let named = words_of(a);
            let hint: Vec<f64> = match prior.get(&fold(&a.directorate)) {
                Some(row) if row.iter().sum::<f64>() >= MIN_PRIOR => {
                    let total: f64 = row.iter().sum();
                    row.iter()
                        .zip(named)
                        .map(|(r, n)| (1.0 - NAME_SHARE) * (r / total) + NAME_SHARE * n)
                        .collect()
                }
                _ => named.iter().map(|n| NAME_SHARE * n).collect(),
            };
            decide(&model, a, t, &hint, options)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn outcome(number: u32, title: &str, narrative: &str, theme: &str) -> OutcomeText {
        OutcomeText {
            number,
            title: title.into(),
            narrative: vec![narrative.into()],
            theme_title: theme.into(),
            theme_summary: String::new(),
        }
    }

    fn plan() -> Vec<OutcomeText> {
        vec![
            outcome(
                1,
                "Children have the best start in life",
                "Early years, family hubs and children in our care.",
                "People",
            ),
            outcome(
                2,
                "Cleaner and greener streets",
                "Street cleaning, recycling, parks and planting trees.",
                "Place",
            ),
            outcome(
                3,
                "Money spent wisely",
                "Budgets, the medium term financial strategy, fees and charges.",
                "Council",
            ),
        ]
    }

    fn activity(id: i64, title: &str, directorate: &str) -> ActivityText {
        ActivityText {
            id,
            titles: vec![title.into()],
            directorate: directorate.into(),
            excluded: vec![],
        }
    }

    #[test]
    fn words_place_activities() {
        let acts = vec![
            activity(1, "Open two new family hubs for early years", "People"),
            activity(
                2,
                "Expand food recycling and plant more trees",
                "Environment",
            ),
            activity(3, "Review fees and charges", "Finance"),
        ];
        let got = suggest(&plan(), &acts, &[], &SuggestOptions::default());
        let best: Vec<Option<u32>> = got.iter().map(Suggestion::confident).collect();
        assert_eq!(best, vec![Some(1), Some(2), Some(3)]);
        for s in &got {
            assert!(s.ranked.windows(2).all(|w| w[0].score >= w[1].score));
        }
    }

    #[test]
    fn nothing_in_common_waits() {
        let acts = vec![activity(7, "Xylophone zeppelin", "Nowhere")];
        let got = suggest(&plan(), &acts, &[], &SuggestOptions::default());
        assert_eq!(got[0].verdict, Verdict::Waiting);
        assert!(got[0].ranked.is_empty());
    }

    #[test]
    fn rejected_outcomes_are_never_ranked() {
        let mut a = activity(1, "Plant trees in parks", "Place");
        a.excluded = vec![2];
        let got = suggest(&plan(), &[a], &[], &SuggestOptions::default());
        assert!(got[0].ranked.iter().all(|r| r.outcome != 2));
    }

    #[test]
    fn directorate_habits_break_a_tie() {
        // "Review the service" says nothing; the directorate's confirmed links lean to 3.
        let acts = vec![
            activity(1, "Review the service", "Corporate"),
            activity(2, "x", "Corporate"),
            activity(3, "y", "Corporate"),
            activity(4, "z", "Corporate"),
        ];
        let confirmed = vec![(2, vec![3]), (3, vec![3]), (4, vec![3])];
        let got = suggest(&plan(), &acts, &confirmed, &SuggestOptions::default());
        // The hint alone never makes an activity confident, but ranks it.
        assert_eq!(got[0].verdict, Verdict::Waiting);
        assert_eq!(got[0].ranked.first().map(|r| r.outcome), Some(3));
    }

    #[test]
    fn abbreviations_match_whole() {
        let outcomes = vec![
            outcome(1, "Good schools", "Support for pupils with SEND.", "People"),
            outcome(2, "Greener borough", "More EV charging points.", "Place"),
        ];
        let acts = vec![activity(1, "Deliver the SEND action plan", "X")];
        let got = suggest(&outcomes, &acts, &[], &SuggestOptions::default());
        assert_eq!(got[0].ranked.first().map(|r| r.outcome), Some(1));
    }

    #[test]
    fn empty_inputs_are_safe() {
        assert!(suggest(&[], &[], &[], &SuggestOptions::default()).is_empty());
        let got = suggest(
            &[],
            &[activity(1, "Plant trees", "Place")],
            &[(1, vec![9])],
            &SuggestOptions::default(),
        );
        assert_eq!(got.len(), 1);
        assert!(got[0].ranked.is_empty());
        assert_eq!(got[0].verdict, Verdict::Waiting);
        let got = suggest(
            &[outcome(1, "", "", "")],
            &[activity(1, "", "")],
            &[],
            &SuggestOptions::default(),
        );
        assert!(got[0].ranked.is_empty());
    }

    fn texts() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("children".to_string()),
                Just("schools".to_string()),
                Just("parks".to_string()),
                Just("recycling".to_string()),
                Just("SEND".to_string()),
                Just("budget".to_string()),
                Just("the".to_string()),
                Just("homes".to_string()),
                Just("&".to_string()),
                Just("’".to_string()),
                Just("2024".to_string()),
                "[a-zA-Z]{1,8}".prop_map(|s| s),
            ],
            0..12,
        )
        .prop_map(|w| w.join(" "))
    }

    proptest! {
        #[test]
        fn suggestions_are_sound(
            outcomes in proptest::collection::vec((1u32..8, texts(), texts(), texts()), 0..6),
            acts in proptest::collection::vec((texts(), prop_oneof![Just("A"), Just("B"), Just("Children")], proptest::collection::vec(1u32..8, 0..2)), 0..10),
            confirmed in proptest::collection::vec((0i64..10, proptest::collection::vec(0u32..10, 0..3)), 0..4),
            weight in 0.0f64..1.0,
        ) {
            let outcomes: Vec<OutcomeText> = outcomes
                .into_iter()
                .map(|(n, t, nar, th)| outcome(n, &t, &nar, &th))
                .collect();
            let acts: Vec<ActivityText> = acts
                .into_iter()
                .enumerate()
                .map(|(i, (t, d, ex))| ActivityText { id: i as i64, titles: vec![t], directorate: d.into(), excluded: ex })
                .collect();
            let options = SuggestOptions { directorate_weight: weight, ..SuggestOptions::default() };
            let got = suggest(&outcomes, &acts, &confirmed, &options);
            // Deterministic.
            prop_assert_eq!(&got, &suggest(&outcomes, &acts, &confirmed, &options));
            prop_assert_eq!(got.len(), acts.len());
            let numbers: BTreeSet<u32> = outcomes.iter().map(|o| o.number).collect();
            for (s, a) in got.iter().zip(&acts) {
                prop_assert_eq!(s.activity_id, a.id);
                prop_assert!(s.ranked.len() <= options.keep);
                let mut seen = BTreeSet::new();
                for r in &s.ranked {
                    prop_assert!(r.score > 0.0 && r.score <= 1.0, "score {}", r.score);
                    prop_assert!(numbers.contains(&r.outcome));
                    prop_assert!(!a.excluded.contains(&r.outcome));
                    prop_assert!(seen.insert(r.outcome));
                }
                prop_assert!(s.ranked.windows(2).all(|w| w[0].score >= w[1].score));
                if s.verdict == Verdict::Confident {
                    prop_assert!(!s.ranked.is_empty());
                    prop_assert!(s.ranked[0].score >= options.min_score);
                }
            }
        }
    }
}
