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
    "being", "both", "but", "by", "can", "do", "e", "each", "eg", "etc", "for", "from", "g",
    "has", "have", "how", "i", "ie", "if", "in", "into", "is", "it", "its", "may", "more", "must",
    "my", "not", "of", "on", "or", "our", "ours", "over", "per", "should", "so", "such", "than",
    "that", "the", "their", "them", "there", "these", "they", "this", "those", "through", "to",
    "us", "via", "was", "we", "were", "what", "when", "where", "which", "while", "who", "will",
    "with", "within", "would", "you", "your",
];

fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// A light suffix-stripping stemmer: plurals, -ing, -ed, -ment, -ation, -ise forms, final -e.
fn stem(word: &str) -> String {
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
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is")
    {
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

/// "CQC", "ULEZ", "LCNs": two or more capitals, perhaps a plural s.
fn acronym_key(word: &str) -> Option<String> {
    let core = word.strip_suffix('s').unwrap_or(word);
    let letters = core.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= 2
        && core.chars().count() <= 8
        && core
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        Some(core.to_lowercase())
    } else {
        None
    }
}

/// Words as they appear (case kept), split like [`fold`] splits: on anything that is not a
/// letter or digit, apostrophes dropped, "&" read as "and".
fn raw_words(title: &str) -> Vec<String> {
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
        // Per word: (capitalised, is stopword, index in `tokens`).
        let mut shape: Vec<(bool, bool, Option<usize>)> = Vec::new();
        let mut chars = String::new();
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
            let key = acronym_key(&raw).unwrap_or_else(|| stem(&folded));
            let id = vocab.id(&key);
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
        let tokens_empty = tokens.is_empty();
        Prepared {
            tokens,
            sorted,
            acronyms,
            acronym_ids,
            chars,
            key: if tokens_empty { fold(title) } else { String::new() },
            directorate: fold(directorate),
        }
    }

    fn has_token(&self, id: u32) -> bool {
        self.sorted.binary_search(&id).is_ok()
    }

    fn has_acronym(&self, id: u32) -> bool {
        self.acronym_ids.binary_search(&id).is_ok()
    }

    /// Index terms: content words and abbreviations, distinct and sorted.
    fn terms(&self) -> Vec<u32> {
        let mut terms: Vec<u32> = self.sorted.iter().chain(&self.acronym_ids).copied().collect();
        terms.sort_unstable();
        terms.dedup();
        terms
    }
}

/// How much of `a`'s word weight `b` covers: (covered, total).
fn coverage(a: &Prepared, b: &Prepared, vocab: &Vocabulary, weight: &dyn Fn(u32) -> f64) -> (f64, f64) {
    let mut spelled_out = vec![false; a.tokens.len()];
    for (id, covered) in &a.acronyms {
        if b.has_token(*id) {
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
        let credit = if b.has_token(id) || b.has_acronym(id) || spelled_out[i] {
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
        let same = a.tokens.is_empty() && b.tokens.is_empty() && !a.key.is_empty() && a.key == b.key;
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
            let same = !item.directorate.is_empty() && item.directorate == plan_items[p].directorate;
            let score = (1.0 - DIRECTORATE_BONUS) * base + if same { DIRECTORATE_BONUS } else { 0.0 };
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

    // The best score `item` has with someone free other than `except`.
    let best_other = |list: &[(f64, usize)], taken: &[bool], except: usize| -> f64 {
        list.iter()
            .filter(|(_, other)| *other != except && !taken[*other])
            .map(|(s, _)| *s)
            .fold(0.0, f64::max)
    };

    for pair in &pairs {
        if pair.score < options.review_threshold {
            break;
        }
        if report_taken[pair.report] || plan_taken[pair.plan] {
            continue;
        }
        // A rival only counts when it is not clearly someone else's better match.
        let mut rival = 0.0f64;
        for &(s, p) in &by_report[pair.report] {
            if p == pair.plan || plan_taken[p] {
                continue;
            }
            if best_other(&by_plan[p], &report_taken, pair.report) < s + options.margin {
                rival = rival.max(s);
            }
        }
        for &(s, r) in &by_plan[pair.plan] {
            if r == pair.report || report_taken[r] {
                continue;
            }
            if best_other(&by_report[r], &plan_taken, pair.plan) < s + options.margin {
                rival = rival.max(s);
            }
        }
        let clear = pair.score - rival >= options.margin - 1e-9;
        let decision = if pair.score >= options.link_threshold && clear {
            Decision::Linked
        } else {
            Decision::Review
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
