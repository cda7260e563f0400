//! The matcher behind reconciliation.
//!
//! Titles are cut into content words (folded with [`crate::text::fold`], stopwords dropped,
//! lightly stemmed). Runs of capitalised words also yield their initials ("Care Quality
//! Commission" → `cqc`, "Special Educational Needs and Disabilities" → `send`), so an
//! abbreviation in one title can stand for the words spelled out in the other.
//!
//! A pair's score (0..=1) mixes
//! * IDF-weighted word overlap: mostly the coverage of the better-covered title (report titles
//!   are often truncated prefixes of plan titles), partly the Dice overlap of both; different
//!   words with a long common beginning ("Storyteller", "Storyhouse") earn partial credit;
//! * a character-level similarity (`strsim` normalised Levenshtein) of the two titles' leading
//!   content words, compared over the length of the shorter one;
//! * a small bonus when both sides name the same directorate.
//!
//! To stay fast on large inputs, each report item is only compared with the plan items it shares
//! a not-too-common word with (an inverted index), and only the best [`TOP_K`] of those by a
//! cheap overlap score get the full score. Links are then assigned one-to-one, greedily by
//! descending score.

use std::collections::HashMap;

use crate::reconcile::{Decision, Link, ReconcileOptions, Reconciliation, Titled};
use crate::text::{fold, plain};

/// How many candidates per report item get the full score.
const TOP_K: usize = 10;
/// A word in more than this share of plan items is not used to find candidates (it still counts
/// in the score).
const BLOCKING_SHARE: f64 = 0.2;
/// ... but a word is never considered too common when fewer items than this hold it.
const BLOCKING_MIN: usize = 32;
/// Share of the score given by character-level similarity.
const CHAR_WEIGHT: f64 = 0.2;
/// Character similarities below this are noise between unrelated English phrases.
const CHAR_FLOOR: f64 = 0.3;
/// Characters of each title compared at character level.
const CHAR_PREFIX: usize = 64;
/// Share of the score given by the directorates being the same.
const DIRECTORATE_BONUS: f64 = 0.05;
/// Longest run of capitalised words whose initials are taken as an abbreviation.
const MAX_ACRONYM: usize = 6;
/// Shortest common prefix for two different words to count as partly the same.
const MIN_FUZZY_PREFIX: usize = 4;
/// Words of a title looked at (hostile inputs can be long; real titles are short).
const MAX_WORDS: usize = 128;

const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "being", "both", "but", "by", "can", "do", "e", "each", "eg", "etc", "for", "from", "g", "has",
    "have", "how", "i", "ie", "if", "in", "into", "is", "it", "its", "may", "more", "must", "my",
    "not", "of", "on", "or", "our", "ours", "over", "per", "should", "so", "such", "than", "that",
    "the", "their", "them", "there", "these", "they", "this", "those", "through", "to", "us",
    "via", "was", "we", "were", "what", "when", "where", "which", "while", "who", "will", "with",
    "within", "would", "you", "your",
];

pub(crate) fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// A light suffix-stripping stemmer: plurals, -ing, -ed, -ment, -ation, -ise forms, final -e.
pub(crate) fn stem(word: &str) -> String {
    let count = |s: &str| s.chars().count();
    let mut w = word.to_string();
    if count(&w) <= 3 {
        return w;
    }
    if w.ends_with("ies") && count(&w) > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("sses") {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    const SUFFIXES: &[(&str, &str)] = &[
        ("isation", "is"),
        ("ization", "is"),
        ("ation", ""),
        ("ising", "is"),
        ("izing", "is"),
        ("ised", "is"),
        ("ized", "is"),
        ("ment", ""),
        ("ing", ""),
        ("ed", ""),
    ];
    for (suffix, replacement) in SUFFIXES {
        if let Some(base) = w.strip_suffix(suffix)
            && count(base) >= 3
        {
            w = format!("{base}{replacement}");
            break;
        }
    }
    if w.ends_with('e') && count(&w) > 4 {
        w.pop();
    }
    w
}

/// "CQC", "ULEZ", "LCNs": two to five capitals, perhaps a plural s. Kept whole, not stemmed.
/// (Longer capitalised words are more likely shouted than abbreviated.)
pub(crate) fn acronym_key(word: &str) -> Option<String> {
    let core = word.strip_suffix('s').unwrap_or(word);
    let letters = core.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= 2
        && core.chars().count() <= 5
        && core.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        Some(core.to_lowercase())
    } else {
        None
    }
}

/// Words as they appear (case kept), split like [`fold`] splits: on anything that is not a
/// letter or digit, apostrophes dropped, "&" read as "and".
pub(crate) fn raw_words(title: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for ch in plain(title).chars() {
        if ch.is_alphanumeric() {
            current.push(ch);
        } else if ch == '\'' {
            // "children's" is one word.
        } else {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            if ch == '&' {
                words.push("and".to_string());
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Turns words into small integers so comparisons are cheap.
#[derive(Default)]
struct Vocabulary {
    ids: HashMap<String, u32>,
    words: Vec<String>,
}

impl Vocabulary {
    fn id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
        self.ids.insert(word.to_string(), id);
        self.words.push(word.to_string());
        id
    }
}

/// A title ready to compare.
struct Prepared {
    /// Distinct content words (stemmed), in order of first appearance.
    tokens: Vec<u32>,
    /// The same, sorted, for membership tests.
    sorted: Vec<u32>,
    /// Initials of runs of capitalised words, each with the `tokens` indices it stands for.
    acronyms: Vec<(u32, Vec<usize>)>,
    /// Acronym ids, sorted.
    acronym_ids: Vec<u32>,
    /// Tokens written as abbreviations in the title ("CQC"), sorted.
    caps: Vec<u32>,
    /// Leading content words (unstemmed), for the character-level comparison.
    chars: String,
    /// The whole title folded, to recognise titles made only of stopwords.
    key: String,
    /// Folded directorate.
    directorate: String,
}

impl Prepared {
    fn new(title: &str, directorate: &str, vocab: &mut Vocabulary) -> Prepared {
        let mut tokens: Vec<u32> = Vec::new();
        let mut caps: Vec<u32> = Vec::new();
        // Per word: (capitalised, is stopword, index in `tokens`).
        let mut shape: Vec<(bool, bool, Option<usize>)> = Vec::new();
        let mut chars = String::new();
        // A title in capitals throughout is shouted: its words are not abbreviations.
        let shouted = !title.chars().any(char::is_lowercase);
        for raw in raw_words(title).into_iter().take(MAX_WORDS) {
            let folded = fold(&raw);
            if folded.is_empty() {
                continue;
            }
            let capitalised = raw.chars().next().is_some_and(|c| c.is_uppercase());
            if is_stopword(&folded) {
                shape.push((capitalised, true, None));
                continue;
            }
            if chars.chars().count() < CHAR_PREFIX {
                if !chars.is_empty() {
                    chars.push(' ');
                }
                chars.push_str(&folded);
            }
            let abbreviation = (!shouted).then(|| acronym_key(&raw)).flatten();
            let is_abbreviation = abbreviation.is_some();
            let key = abbreviation.unwrap_or_else(|| stem(&folded));
            let id = vocab.id(&key);
            if is_abbreviation {
                caps.push(id);
            }
            let index = match tokens.iter().position(|&t| t == id) {
                Some(i) => i,
                None => {
                    tokens.push(id);
                    tokens.len() - 1
                }
            };
            shape.push((capitalised, false, Some(index)));
        }
        let chars: String = chars.chars().take(CHAR_PREFIX).collect();

        // Runs of capitalised content words, bridged by stopwords ("Needs and Disabilities").
        let mut acronyms: Vec<(u32, Vec<usize>)> = Vec::new();
        let mut run: Vec<(char, usize)> = Vec::new();
        let mut flush = |run: &mut Vec<(char, usize)>, vocab: &mut Vocabulary| {
            for start in 0..run.len() {
                for end in start + 2..=run.len().min(start + MAX_ACRONYM) {
                    let initials: String = run[start..end].iter().map(|(c, _)| *c).collect();
                    let covered = run[start..end].iter().map(|(_, i)| *i).collect();
                    acronyms.push((vocab.id(&initials), covered));
                }
            }
            run.clear();
        };
        for (capitalised, stop, index) in shape {
            match index {
                Some(i) if capitalised => {
                    let initial = vocab.words[tokens[i] as usize]
                        .chars()
                        .next()
                        .unwrap_or(' ');
                    if initial.is_alphabetic() {
                        run.push((initial, i));
                    } else {
                        flush(&mut run, vocab);
                    }
                }
                _ if stop && !capitalised => {} // bridges a run
                _ => flush(&mut run, vocab),
            }
        }
        flush(&mut run, vocab);
        let mut acronym_ids: Vec<u32> = acronyms.iter().map(|(id, _)| *id).collect();
        acronym_ids.sort_unstable();
        acronym_ids.dedup();

        let mut sorted = tokens.clone();
        sorted.sort_unstable();
        caps.sort_unstable();
        caps.dedup();
        let tokens_empty = tokens.is_empty();
        Prepared {
            tokens,
            sorted,
            acronyms,
            acronym_ids,
            caps,
            chars,
            key: if tokens_empty {
                fold(title)
            } else {
                String::new()
            },
            directorate: fold(directorate),
        }
    }

    fn has_token(&self, id: u32) -> bool {
        self.sorted.binary_search(&id).is_ok()
    }

    fn has_acronym(&self, id: u32) -> bool {
        self.acronym_ids.binary_search(&id).is_ok()
    }

    fn wrote_abbreviation(&self, id: u32) -> bool {
        self.caps.binary_search(&id).is_ok()
    }

    /// Index terms: content words and abbreviations, distinct and sorted.
    fn terms(&self) -> Vec<u32> {
        let mut terms: Vec<u32> = self
            .sorted
            .iter()
            .chain(&self.acronym_ids)
            .copied()
            .collect();
        terms.sort_unstable();
        terms.dedup();
        terms
    }
}

/// How much of `a`'s word weight `b` covers: (covered, total).
fn coverage(
    a: &Prepared,
    b: &Prepared,
    vocab: &Vocabulary,
    weight: &dyn Fn(u32) -> f64,
) -> (f64, f64) {
    let mut spelled_out = vec![false; a.tokens.len()];
    for (id, covered) in &a.acronyms {
        if b.wrote_abbreviation(*id) {
            for &i in covered {
                spelled_out[i] = true;
            }
        }
    }
    let mut matched = 0.0;
    let mut total = 0.0;
    for (i, &id) in a.tokens.iter().enumerate() {
        let w = weight(id);
        total += w;
        let stands_for = a.wrote_abbreviation(id) && b.has_acronym(id);
        let credit = if b.has_token(id) || stands_for || spelled_out[i] {
            1.0
        } else {
            let word = &vocab.words[id as usize];
            b.tokens
                .iter()
                .map(|&other| prefix_credit(word, &vocab.words[other as usize]))
                .fold(0.0, f64::max)
        };
        matched += w * credit;
    }
    (matched, total)
}

/// Partial credit for different words with a long common beginning ("storyteller",
/// "storyhouse").
fn prefix_credit(a: &str, b: &str) -> f64 {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    if common < MIN_FUZZY_PREFIX {
        return 0.0;
    }
    let longest = a.chars().count().max(b.chars().count());
    0.8 * common as f64 / longest as f64
}

/// Character-level likeness of the two titles' leading content words, over the shorter length.
fn char_similarity(a: &str, b: &str) -> f64 {
    let n = a.chars().count().min(b.chars().count());
    if n == 0 {
        return 0.0;
    }
    let prefix = |s: &str| -> usize { s.char_indices().nth(n).map_or(s.len(), |(i, _)| i) };
    let raw = strsim::normalized_levenshtein(&a[..prefix(a)], &b[..prefix(b)]);
    ((raw - CHAR_FLOOR) / (1.0 - CHAR_FLOOR)).clamp(0.0, 1.0)
}

/// Score two prepared titles, 0..=1, without the directorate bonus. Symmetric.
fn pair_score(a: &Prepared, b: &Prepared, vocab: &Vocabulary, weight: &dyn Fn(u32) -> f64) -> f64 {
    if a.tokens.is_empty() || b.tokens.is_empty() {
        // Only titles made of stopwords alone ("To do") can still be the same words.
        let same =
            a.tokens.is_empty() && b.tokens.is_empty() && !a.key.is_empty() && a.key == b.key;
        return if same { 1.0 } else { 0.0 };
    }
    let (ma, wa) = coverage(a, b, vocab, weight);
    let (mb, wb) = coverage(b, a, vocab, weight);
    if wa <= 0.0 || wb <= 0.0 {
        return 0.0;
    }
    let containment = (ma / wa).max(mb / wb);
    let dice = (ma + mb) / (wa + wb);
    let words = 0.6 * containment + 0.4 * dice;
    let chars = char_similarity(&a.chars, &b.chars);
    ((1.0 - CHAR_WEIGHT) * words + CHAR_WEIGHT * chars).clamp(0.0, 1.0)
}

pub(crate) fn title_similarity(a: &str, b: &str) -> f64 {
    let mut vocab = Vocabulary::default();
    let pa = Prepared::new(a, "", &mut vocab);
    let pb = Prepared::new(b, "", &mut vocab);
    pair_score(&pa, &pb, &vocab, &|_| 1.0)
}

/// A scored (report, plan) pair.
#[derive(Clone, Copy)]
struct Pair {
    report: usize,
    plan: usize,
    score: f64,
}

pub(crate) fn reconcile(
    plan: &[Titled],
    report: &[Titled],
    options: &ReconcileOptions,
) -> Reconciliation {
    let mut vocab = Vocabulary::default();
    let plan_items: Vec<Prepared> = plan
        .iter()
        .map(|t| Prepared::new(&t.title, &t.directorate, &mut vocab))
        .collect();
    let report_items: Vec<Prepared> = report
        .iter()
        .map(|t| Prepared::new(&t.title, &t.directorate, &mut vocab))
        .collect();

    // Word weights: inverse document frequency over both sides.
    let mut df = vec![0u32; vocab.words.len()];
    for item in plan_items.iter().chain(&report_items) {
        for &id in &item.sorted {
            df[id as usize] += 1;
        }
    }
    let documents = (plan_items.len() + report_items.len()).max(1) as f64;
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| (1.0 + documents / f64::from(d.max(1))).ln())
        .collect();
    let weight = |id: u32| idf.get(id as usize).copied().unwrap_or(1.0);

    // Inverted index over plan items: term → plan indices (ascending).
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); vocab.words.len()];
    let plan_terms: Vec<Vec<u32>> = plan_items.iter().map(Prepared::terms).collect();
    for (p, terms) in plan_terms.iter().enumerate() {
        for &t in terms {
            postings[t as usize].push(u32::try_from(p).unwrap_or(u32::MAX));
        }
    }
    let term_weight = |t: u32| -> f64 {
        let d = postings[t as usize].len().max(1) as f64;
        (1.0 + plan_items.len() as f64 / d).ln()
    };
    let plan_mass: Vec<f64> = plan_terms
        .iter()
        .map(|terms| terms.iter().map(|&t| term_weight(t)).sum())
        .collect();
    let too_common = ((plan_items.len() as f64 * BLOCKING_SHARE).ceil() as usize).max(BLOCKING_MIN);

    // Candidates for each report item, scored in full.
    let mut pairs: Vec<Pair> = Vec::new();
    let mut accumulator = vec![0.0f64; plan_items.len()];
    let mut touched: Vec<usize> = Vec::new();
    for (r, item) in report_items.iter().enumerate() {
        let terms = item.terms();
        let mass: f64 = terms.iter().map(|&t| term_weight(t)).sum();
        let mut blocking: Vec<u32> = terms
            .iter()
            .copied()
            .filter(|&t| {
                let n = postings[t as usize].len();
                n > 0 && n <= too_common
            })
            .collect();
        if blocking.is_empty() {
            // Only common words: fall back on the rarest one.
            blocking.extend(
                terms
                    .iter()
                    .copied()
                    .filter(|&t| !postings[t as usize].is_empty())
                    .min_by_key(|&t| (postings[t as usize].len(), t)),
            );
        }
        for &t in &blocking {
            let w = term_weight(t);
            for &p in &postings[t as usize] {
                let p = p as usize;
                if accumulator[p] == 0.0 {
                    touched.push(p);
                }
                accumulator[p] += w;
            }
        }
        let mut candidates: Vec<(f64, usize)> = touched
            .iter()
            .map(|&p| {
                let shared = accumulator[p];
                let cheap = 0.5 * shared / mass.max(f64::MIN_POSITIVE)
                    + 0.5 * shared / plan_mass[p].max(f64::MIN_POSITIVE);
                (cheap, p)
            })
            .collect();
        for &p in &touched {
            accumulator[p] = 0.0;
        }
        touched.clear();
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.truncate(TOP_K);
        for (_, p) in candidates {
            let base = pair_score(item, &plan_items[p], &vocab, &weight);
            let same =
                !item.directorate.is_empty() && item.directorate == plan_items[p].directorate;
            let score =
                (1.0 - DIRECTORATE_BONUS) * base + if same { DIRECTORATE_BONUS } else { 0.0 };
            if score > 0.0 {
                pairs.push(Pair {
                    report: r,
                    plan: p,
                    score,
                });
            }
        }
    }

    assign(plan.len(), report.len(), pairs, options)
}

/// One-to-one assignment, greedily by descending score.
fn assign(
    plan_len: usize,
    report_len: usize,
    mut pairs: Vec<Pair>,
    options: &ReconcileOptions,
) -> Reconciliation {
    pairs.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.report.cmp(&b.report))
            .then(a.plan.cmp(&b.plan))
    });
    let mut by_report: Vec<Vec<(f64, usize)>> = vec![Vec::new(); report_len];
    let mut by_plan: Vec<Vec<(f64, usize)>> = vec![Vec::new(); plan_len];
    for pair in &pairs {
        by_report[pair.report].push((pair.score, pair.plan));
        by_plan[pair.plan].push((pair.score, pair.report));
    }
    let mut report_taken = vec![false; report_len];
    let mut plan_taken = vec![false; plan_len];
    let mut decided: Vec<Option<(usize, f64, Decision)>> = vec![None; report_len];

    // Lists are in descending score order, so the first free entry is the best.
    let best_free = |list: &[(f64, usize)], taken: &[bool], except: usize| -> f64 {
        list.iter()
            .find(|(_, other)| *other != except && !taken[*other])
            .map_or(0.0, |(s, _)| *s)
    };
    let cutoff = options.review_threshold.min(options.link_threshold);

    for pair in &pairs {
        if pair.score < cutoff {
            break;
        }
        if report_taken[pair.report] || plan_taken[pair.plan] {
            continue;
        }
        // The best rival for either side, among items still free. A rival only counts when it
        // is not clearly someone else's better match. Rivals lower than `score - margin` cannot
        // matter, so each (descending) list is read only that far.
        let floor = pair.score - options.margin;
        let mut rival = 0.0f64;
        for &(s, p) in &by_report[pair.report] {
            if s < floor {
                break;
            }
            if p != pair.plan
                && !plan_taken[p]
                && best_free(&by_plan[p], &report_taken, pair.report) < s + options.margin
            {
                rival = rival.max(s);
            }
        }
        for &(s, r) in &by_plan[pair.plan] {
            if s < floor {
                break;
            }
            if r != pair.report
                && !report_taken[r]
                && best_free(&by_report[r], &plan_taken, pair.plan) < s + options.margin
            {
                rival = rival.max(s);
            }
        }
        let clear = pair.score - rival >= options.margin - 1e-9;
        let decision = if pair.score >= options.link_threshold && clear {
            Decision::Linked
        } else if pair.score >= options.review_threshold {
            Decision::Review
        } else {
            continue;
        };
        report_taken[pair.report] = true;
        plan_taken[pair.plan] = true;
        decided[pair.report] = Some((pair.plan, pair.score, decision));
    }

    let mut links = Vec::with_capacity(report_len + plan_len);
    for (r, outcome) in decided.into_iter().enumerate() {
        links.push(match outcome {
            Some((p, score, decision)) => Link {
                plan: Some(p),
                report: Some(r),
                score,
                decision,
            },
            None => Link {
                plan: None,
                report: Some(r),
                score: 0.0,
                decision: Decision::Unmatched,
            },
        });
    }
    for (p, taken) in plan_taken.iter().enumerate() {
        if !taken {
            links.push(Link {
                plan: Some(p),
                report: None,
                score: 0.0,
                decision: Decision::Unmatched,
            });
        }
    }
    Reconciliation { links }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::Link;
    use proptest::prelude::*;

    fn item(title: &str, directorate: &str) -> Titled {
        Titled {
            title: title.to_string(),
            directorate: directorate.to_string(),
        }
    }

    fn outcome(result: &Reconciliation, report: usize) -> &Link {
        result
            .links
            .iter()
            .find(|l| l.report == Some(report))
            .expect("every report item has an outcome")
    }

    fn defaults() -> ReconcileOptions {
        ReconcileOptions::default()
    }

    /// A few unrelated plan activities, to give the IDF weights something to work with.
    fn background() -> Vec<Titled> {
        [
            (
                "Review of sales, fees and charges",
                "Finance & Corporate Services",
            ),
            (
                "Refresh our ICT systems and hardware",
                "Finance & Corporate Services",
            ),
            ("Secure future of Barnehurst Golf Club", "Place"),
            (
                "Open new libraries in Thamesmead and Sidcup for our residents to enjoy.",
                "Place",
            ),
            ("Oppose ULEZ expansion on behalf of our residents.", "Place"),
            (
                "Establish a new Risk Management Strategy.",
                "Chief Executive",
            ),
        ]
        .into_iter()
        .map(|(t, d)| item(t, d))
        .collect()
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn stemming_joins_word_forms() {
        assert_eq!(stem("personalisation"), stem("personalised"));
        assert_eq!(stem("development"), stem("developing"));
        assert_eq!(stem("assessments"), stem("assessment"));
        assert_eq!(stem("disabilities"), stem("disability"));
        assert_eq!(stem("housing"), stem("house"));
        assert_eq!(stem("care"), "care");
        assert_eq!(stem("ask"), "ask");
    }

    #[test]
    fn capitalised_runs_give_initials() {
        let mut vocab = Vocabulary::default();
        let p = Prepared::new(
            "Prepare for new Care Quality Commission inspection framework",
            "",
            &mut vocab,
        );
        let cqc = vocab.id("cqc");
        assert!(p.has_acronym(cqc));
        let p = Prepared::new(
            "Implement the joint Special Educational Needs and Disabilities strategy",
            "",
            &mut vocab,
        );
        let send = vocab.id("send");
        assert!(p.has_acronym(send));
    }

    #[test]
    fn identical_titles_score_one_and_similarity_is_symmetric() {
        let a = "Adoption of Local Plan, to guide development in the borough.";
        assert_eq!(title_similarity(a, a), 1.0);
        assert_eq!(
            title_similarity("Children’s services", "children's SERVICES"),
            1.0
        );
        assert_eq!(title_similarity("To do", "to do"), 1.0);
        assert_eq!(title_similarity("REVIEW OF PARKS", "Review of parks"), 1.0);
        let b = "Adoption of Local Plan";
        assert_eq!(title_similarity(a, b), title_similarity(b, a));
        assert!(
            title_similarity(a, b) > title_similarity(a, "Secure future of Barnehurst Golf Club")
        );
        assert_eq!(title_similarity("", ""), 0.0);
        assert_eq!(title_similarity(a, ""), 0.0);
    }

    #[test]
    fn abbreviations_match_their_spelled_out_words() {
        let spelled = "Deliver a sustainable Medium Term Financial Strategy";
        let short = "Deliver a sustainable MTFS";
        let other = "Deliver a sustainable transport strategy";
        assert!(title_similarity(short, spelled) > title_similarity(short, other));
        assert!(
            title_similarity(
                "Prepare for new CQC inspection framework, informed by pilots",
                "Prepare for new Care Quality Commission inspection framework in our Adult \
                 Social Care directorate, informed by pilots."
            ) > 0.7
        );
    }

    #[test]
    fn truncated_title_links() {
        let mut plan = background();
        plan.push(item(
            "Refresh our Obesity Strategy and action plan to improve the health of Bexley residents",
            "Adult Social Care & Health",
        ));
        let report = vec![item(
            "Refresh our Obesity Strategy and action plan",
            "Adult social care and health",
        )];
        let result = reconcile(&plan, &report, &defaults());
        let link = outcome(&result, 0);
        assert_eq!(link.plan, Some(6));
        assert_eq!(link.decision, Decision::Linked);
        assert!(link.score >= 0.5 && link.score <= 1.0);
    }

    #[test]
    fn reworded_title_links_or_goes_to_review() {
        let mut plan = background();
        plan.push(item(
            "Deliver the Sidcup Storyhouse as a new community and culture hub.",
            "Place",
        ));
        plan.push(item(
            "Deliver a sustainable Medium Term Financial Strategy",
            "Finance & Corporate Services",
        ));
        let report = vec![
            item("Deliver Sidcup Storyteller", "Place"),
            item(
                "Deliver a sustainable MTFS",
                "Finance and corporate services",
            ),
        ];
        let result = reconcile(&plan, &report, &defaults());
        assert_eq!(outcome(&result, 0).plan, Some(6));
        assert_eq!(outcome(&result, 0).decision, Decision::Linked);
        assert_eq!(outcome(&result, 1).plan, Some(7));
        assert_eq!(outcome(&result, 1).decision, Decision::Linked);
    }

    #[test]
    fn cross_directorate_move_links() {
        let mut plan = background();
        plan.push(item("Review approach to social media", "Chief Executive"));
        plan.push(item(
            "Review our approach to complaints handling, to better serve our residents.",
            "Finance & Corporate Services",
        ));
        let report = vec![
            item(
                "Review our approach to complaints handling",
                "Cross cutting",
            ),
            item("Review approach to social media", "Cross cutting"),
        ];
        let result = reconcile(&plan, &report, &defaults());
        assert_eq!(outcome(&result, 0).plan, Some(7));
        assert_eq!(outcome(&result, 0).decision, Decision::Linked);
        assert_eq!(outcome(&result, 1).plan, Some(6));
        assert_eq!(outcome(&result, 1).decision, Decision::Linked);
    }

    #[test]
    fn ambiguous_pair_goes_to_review() {
        let mut plan = background();
        plan.push(item(
            "Review car park charges in Bexleyheath town centre",
            "Place",
        ));
        plan.push(item(
            "Review car park charges in Sidcup town centre",
            "Place",
        ));
        let report = vec![item("Review car park charges", "Place")];
        let result = reconcile(&plan, &report, &defaults());
        let link = outcome(&result, 0);
        assert_eq!(link.decision, Decision::Review);
        assert!(matches!(link.plan, Some(6 | 7)));
        // The other plan item is left unmatched, once.
        let unmatched: Vec<usize> = result
            .links
            .iter()
            .filter(|l| l.report.is_none())
            .filter_map(|l| l.plan)
            .collect();
        assert_eq!(unmatched.len(), plan.len() - 1);
    }

    #[test]
    fn duplicate_report_rows_do_not_share_a_plan_item() {
        let mut plan = background();
        plan.push(item(
            "Small grants programme for Jubilee celebrations.",
            "Place",
        ));
        let report = vec![
            item("Small grants programme for Jubilee", "Place"),
            item("Small grants programme for Jubilee", "Place"),
        ];
        let result = reconcile(&plan, &report, &defaults());
        let first = outcome(&result, 0);
        let second = outcome(&result, 1);
        assert_eq!(first.plan, Some(6));
        assert_ne!(first.decision, Decision::Unmatched);
        assert_ne!(second.plan, Some(6));
        assert_ne!(
            first.decision,
            Decision::Linked,
            "a duplicate makes the pair ambiguous"
        );
    }

    #[test]
    fn unrelated_report_row_is_unmatched() {
        let plan = background();
        let report = vec![item("Host apprenticeship fairs", "Children's Services")];
        let result = reconcile(&plan, &report, &defaults());
        let link = outcome(&result, 0);
        assert_eq!(link.decision, Decision::Unmatched);
        assert_eq!(link.plan, None);
    }

    #[test]
    fn output_is_report_order_then_unmatched_plan_order() {
        let plan = background();
        let report = vec![
            item("Oppose ULEZ expansion", "Place"),
            item("Host apprenticeship fairs", "Children's Services"),
            item(
                "Refresh our ICT systems and hardware",
                "Finance & Corporate Services",
            ),
        ];
        let result = reconcile(&plan, &report, &defaults());
        let reports: Vec<Option<usize>> = result.links.iter().map(|l| l.report).collect();
        assert_eq!(reports, [Some(0), Some(1), Some(2), None, None, None, None]);
        let rest: Vec<Option<usize>> = result.links[3..].iter().map(|l| l.plan).collect();
        assert_eq!(rest, [Some(0), Some(2), Some(3), Some(5)]);
        assert_eq!(
            result,
            reconcile(&plan, &report, &defaults()),
            "deterministic"
        );
    }

    #[test]
    fn empty_inputs() {
        let none: Vec<Titled> = Vec::new();
        assert!(reconcile(&none, &none, &defaults()).links.is_empty());
        let plan = background();
        let result = reconcile(&plan, &none, &defaults());
        assert_eq!(result.links.len(), plan.len());
        assert!(
            result
                .links
                .iter()
                .all(|l| l.decision == Decision::Unmatched)
        );
        let report = vec![item("", ""), item("the of and", "")];
        let result = reconcile(&none, &report, &defaults());
        assert_eq!(result.links.len(), 2);
        assert!(result.links.iter().all(|l| l.plan.is_none()));
        let result = reconcile(&plan, &report, &defaults());
        assert_eq!(result.links.len(), 2 + plan.len());
    }

    #[test]
    fn hostile_strings_do_not_panic() {
        let long = "word ".repeat(5_000);
        let caps = "ABC DEF ".repeat(2_000);
        let hostile = [
            "",
            " ",
            "&&&",
            "''''",
            "İstanbul İİİ ǅ ß ﬃ",
            "👩‍👩‍👧‍👦 🚀🚀",
            "a\u{0301}\u{0301}\u{0301} e\u{0308}",
            "\u{202E}evil\u{202C} \u{200B}zero\u{FEFF}",
            "\0\0\0",
            "١٢٣ ٤٥٦ مرحبا",
            "漢字かなカナ 한국어",
            "ESS SS S s ies ing ed ment ation",
            "Q4 2022 to 2023 – ‘quoted’ “double”",
            long.as_str(),
            caps.as_str(),
        ];
        for a in hostile {
            for b in hostile {
                let s = title_similarity(a, b);
                assert!((0.0..=1.0).contains(&s), "{a:?} {b:?} {s}");
                assert_eq!(s, title_similarity(b, a));
            }
        }
        let items: Vec<Titled> = hostile.iter().map(|t| item(t, t)).collect();
        let result = reconcile(&items, &items, &defaults());
        assert_eq!(
            result.links.iter().filter(|l| l.report.is_some()).count(),
            items.len()
        );
    }

    #[test]
    fn many_items_reconcile_quickly_and_correctly() {
        // A small stand-in for the 10,000 × 10,000 benchmark (see the ignored test below).
        let (plan, report) = synthetic(800);
        let result = reconcile(&plan, &report, &defaults());
        let right = result
            .links
            .iter()
            .filter(|l| l.decision == Decision::Linked && l.report.is_some() && l.plan == l.report)
            .count();
        let wrong = result
            .links
            .iter()
            .filter(|l| l.decision == Decision::Linked && l.plan != l.report)
            .count();
        assert!(right >= 700, "{right} right");
        assert!(wrong <= 8, "{wrong} wrong");
    }

    /// Run with `cargo test --release -p waymark-domain -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing; run in release"]
    fn ten_thousand_by_ten_thousand() {
        let (plan, report) = synthetic(10_000);
        let start = std::time::Instant::now();
        let result = reconcile(&plan, &report, &defaults());
        let elapsed = start.elapsed();
        let right = result
            .links
            .iter()
            .filter(|l| l.decision == Decision::Linked && l.report.is_some() && l.plan == l.report)
            .count();
        let wrong = result
            .links
            .iter()
            .filter(|l| l.decision == Decision::Linked && l.plan != l.report)
            .count();
        println!("10,000 x 10,000 in {elapsed:?}; {right} linked correctly, {wrong} wrongly");
        assert!(elapsed.as_secs_f64() < 5.0);
    }

    /// `n` plan titles from a 3,000-word vocabulary, and a report item for each one: truncated,
    /// with a word dropped or swapped, in the same order.
    fn synthetic(n: usize) -> (Vec<Titled>, Vec<Titled>) {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |bound: usize| -> usize {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound as u64) as usize
        };
        let syllables = [
            "ba", "ke", "lo", "mi", "nu", "ra", "si", "to", "ve", "zo", "qu", "ex",
        ];
        let vocabulary: Vec<String> = (0..3_000)
            .map(|i| {
                let mut w = String::new();
                let mut k = i + 1;
                while k > 0 {
                    w.push_str(syllables[k % syllables.len()]);
                    k /= syllables.len();
                }
                w.push_str("ton");
                w
            })
            .collect();
        let directorates = ["Place", "Children's Services", "Chief Executive", "Finance"];
        let mut plan = Vec::with_capacity(n);
        let mut report = Vec::with_capacity(n);
        for _ in 0..n {
            let len = 5 + next(10);
            let words: Vec<&str> = (0..len)
                .map(|_| {
                    // Zipf-ish: common words are picked more often.
                    let r = next(3_000);
                    vocabulary[r * r / 3_000].as_str()
                })
                .collect();
            let directorate = directorates[next(directorates.len())];
            plan.push(item(&words.join(" "), directorate));
            let mut changed = words.clone();
            changed.truncate(3.max(len * 2 / 3));
            let drop = next(changed.len());
            changed.remove(drop);
            changed.push(vocabulary[next(3_000)].as_str());
            let moved = if next(5) == 0 {
                "Cross cutting"
            } else {
                directorate
            };
            report.push(item(&changed.join(" "), moved));
        }
        (plan, report)
    }

    proptest! {
        #[test]
        fn every_report_item_once_and_no_plan_item_twice(
            plan in proptest::collection::vec(
                ("[a-e ]{0,3}(care|home|plan|park|fund|road|school)( [a-f]{1,6}){0,4}", 0..3usize),
                0..12,
            ),
            report in proptest::collection::vec(
                ("[a-e ]{0,3}(care|home|plan|park|fund|road|school)( [a-f]{1,6}){0,4}", 0..3usize),
                0..12,
            ),
            link in 0.0f64..1.0,
            review in 0.0f64..1.0,
            margin in 0.0f64..0.5,
        ) {
            let dirs = ["Place", "Children's Services", "Cross cutting"];
            let plan: Vec<Titled> = plan.iter().map(|(t, d)| item(t, dirs[*d])).collect();
            let report: Vec<Titled> = report.iter().map(|(t, d)| item(t, dirs[*d])).collect();
            let options = ReconcileOptions { link_threshold: link, review_threshold: review, margin };
            let result = reconcile(&plan, &report, &options);

            let mut report_seen = vec![0usize; report.len()];
            let mut plan_seen = vec![0usize; plan.len()];
            for l in &result.links {
                prop_assert!(l.plan.is_some() || l.report.is_some());
                prop_assert!((0.0..=1.0).contains(&l.score));
                if let Some(r) = l.report {
                    report_seen[r] += 1;
                }
                if let Some(p) = l.plan {
                    plan_seen[p] += 1;
                }
                match l.decision {
                    Decision::Linked => {
                        prop_assert!(l.plan.is_some() && l.report.is_some());
                        prop_assert!(l.score >= link);
                    }
                    Decision::Review => {
                        prop_assert!(l.plan.is_some() && l.report.is_some());
                        prop_assert!(l.score >= review);
                    }
                    Decision::Unmatched => {
                        prop_assert!(l.plan.is_none() || l.report.is_none());
                    }
                }
            }
            prop_assert!(report_seen.iter().all(|&n| n == 1));
            prop_assert!(plan_seen.iter().all(|&n| n == 1));
            // Report items first, in order.
            let order: Vec<usize> = result.links.iter().filter_map(|l| l.report).collect();
            prop_assert_eq!(order, (0..report.len()).collect::<Vec<_>>());
        }

        #[test]
        fn similarity_is_bounded_and_symmetric(a in "\\PC{0,40}", b in "\\PC{0,40}") {
            let s = title_similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert_eq!(s, title_similarity(&b, &a));
        }
    }
}
