//! Headline claims a council publishes about its own performance, read so they can be
//! recomputed: "83% … are complete or on track", "None are ‘red’", "38 of 46 (83%) are
//! complete", "24% (21) complete", "21 (24%) actions are on track", "Of the 46 actions, 38 are
//! complete or on track".

use waymark_domain::text::fold;
use waymark_domain::{ClaimKind, PublishedClaim, Status, StatusLabels};

/// Split prose into sentences, keeping each sentence's own punctuation.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = vec![];
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?') {
            let end = i + c.len_utf8();
            let rest = text.get(end..).unwrap_or("");
            let next_non_space = rest.trim_start().chars().next();
            let spaced = rest.starts_with(char::is_whitespace);
            let boundary = rest.is_empty()
                || (spaced
                    && next_non_space.is_some_and(|n| {
                        n.is_uppercase()
                            || n.is_ascii_digit()
                            || matches!(n, '‘' | '“' | '"' | '\'')
                    }));
            if boundary {
                if let Some(s) = text.get(start..end)
                    && !s.trim().is_empty()
                {
                    out.push(s.trim());
                }
                start = end;
            }
        }
        let _ = chars.peek();
    }
    if let Some(s) = text.get(start..)
        && !s.trim().is_empty()
    {
        out.push(s.trim());
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num {
        value: f64,
        percent: bool,
        paren: bool,
        /// Money ("£4.2m"), a unit ("2.41 days", "104 KB") or a number written as a word.
        money: bool,
        unit: bool,
        word: bool,
    },
    Year,
    Word(String),
    /// A clause break: ';' or ':'.
    Break,
    Comma,
}

/// A token and where it sits in the sentence (byte offsets).
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    tok: Tok,
    start: usize,
    end: usize,
}

const NUMBER_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// Words after a figure that make it a measurement, not a count of things.
const UNITS: &[&str] = &[
    "days",
    "day",
    "weeks",
    "week",
    "hours",
    "hour",
    "minutes",
    "mins",
    "months",
    "month",
    "years",
    "kb",
    "mb",
    "gb",
    "m",
    "bn",
    "k",
    "km",
    "miles",
    "kg",
    "tonnes",
    "pence",
    "p",
    "per",
    "am",
    "pm",
    "points",
    "pts",
    "homes",
    "grants",
    "people",
    "children",
    "residents",
];

/// Words before a figure that make it a label or a measurement ("Quarter 1", "within 5%").
const NOT_COUNT_BEFORE: &[&str] = &[
    "quarter",
    "q",
    "item",
    "items",
    "appendix",
    "page",
    "pages",
    "section",
    "paragraph",
    "para",
    "table",
    "line",
    "within",
    "scored",
    "annex",
    "chapter",
    "round",
    "phase",
    "stage",
    "version",
    "level",
    "grade",
    "band",
    "objective",
    "priority",
    "top",
    "aged",
    "ward",
    "was",
    "is",
    "at",
    "by",
    "rose",
    "fell",
    "increased",
    "decreased",
    "target",
    "than",
    "over",
    "under",
    "up",
    "down",
    "around",
    "about",
    "approximately",
    "nearly",
    "almost",
];

/// What councils count in their headline figures.
const ITEMS: &[&str] = &[
    "indicators",
    "indicator",
    "kpis",
    "kpi",
    "measures",
    "pis",
    "actions",
    "activities",
    "accountabilities",
    "milestones",
    "projects",
    "commitments",
    "steps",
    "deliverables",
    "targets",
    "objectives",
    "priorities",
    "them",
    "metrics",
    "lines",
];

fn tokenize(s: &str) -> Vec<Placed> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let at = |k: usize| chars.get(k).map_or(s.len(), |(b, _)| *b);
    let ch = |k: usize| chars.get(k).map(|(_, c)| *c);
    let mut out = vec![];
    let mut i = 0;
    let mut depth = 0i32;
    while let Some(c) = ch(i) {
        if c == '(' {
            depth += 1;
            i += 1;
        } else if c == ')' {
            depth = (depth - 1).max(0);
            i += 1;
        } else if matches!(c, ';' | ':') {
            out.push(Placed {
                tok: Tok::Break,
                start: at(i),
                end: at(i + 1),
            });
            i += 1;
        } else if c == ',' {
            out.push(Placed {
                tok: Tok::Comma,
                start: at(i),
                end: at(i + 1),
            });
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            let money = i
                .checked_sub(1)
                .and_then(ch)
                .is_some_and(|p| matches!(p, '£' | '$' | '€'));
            let mut text = String::new();
            while let Some(d) = ch(i) {
                let next_digit = ch(i + 1).is_some_and(|n| n.is_ascii_digit());
                if d.is_ascii_digit() || ((d == ',' || d == '.') && next_digit) {
                    text.push(d);
                    i += 1;
                } else {
                    break;
                }
            }
            // 2024/25, 24/25, 2024-25, 16/09/2025: a year or date, not a figure.
            let is_year_form = matches!(ch(i), Some('/' | '-' | '–'))
                && ch(i + 1).is_some_and(|n| n.is_ascii_digit());
            if is_year_form {
                i += 1;
                while ch(i).is_some_and(|d| d.is_ascii_digit() || d == '/') {
                    i += 1;
                }
                out.push(Placed {
                    tok: Tok::Year,
                    start: at(start),
                    end: at(i),
                });
                continue;
            }
            // A figure glued to letters ("Q3", "4th", "£4.2m") is not a count.
            let glued_letters = ch(i).is_some_and(char::is_alphabetic);
            let glued_unit: String = (i..)
                .map_while(|k| ch(k).filter(|c| c.is_alphabetic()))
                .collect::<String>()
                .to_lowercase();
            let mut j = i;
            while ch(j) == Some(' ') {
                j += 1;
            }
            let percent = if ch(j) == Some('%') {
                i = j + 1;
                true
            } else {
                let rest: String = (j..j + 9).filter_map(ch).collect();
                if rest.to_lowercase().starts_with("per cent") {
                    i = j + 8;
                    true
                } else {
                    false
                }
            };
            let next_word: String = if percent {
                String::new()
            } else {
                (j..)
                    .map_while(|k| ch(k).filter(|c| c.is_alphabetic()))
                    .collect::<String>()
                    .to_lowercase()
            };
            let unit = !percent
                && (UNITS.contains(&next_word.as_str())
                    || (glued_letters && !glued_unit.is_empty()));
            let plain = text.replace(',', "");
            let value: f64 = plain.parse().unwrap_or(f64::NAN);
            let yearish =
                !percent && plain.len() == 4 && (1990.0..2100.0).contains(&value) && start > 0;
            let tok = if yearish || !value.is_finite() {
                Tok::Year
            } else {
                Tok::Num {
                    value,
                    percent,
                    paren: depth > 0,
                    money: money
                        || (glued_letters && matches!(glued_unit.as_str(), "m" | "bn" | "k")),
                    unit,
                    word: false,
                }
            };
            out.push(Placed {
                tok,
                start: at(start),
                end: at(i),
            });
        } else if c.is_alphabetic() {
            let start = i;
            let mut w = String::new();
            while let Some(d) = ch(i) {
                if d.is_alphanumeric() {
                    w.extend(d.to_lowercase());
                    i += 1;
                } else if matches!(d, '\'' | '’') && ch(i + 1).is_some_and(char::is_alphabetic) {
                    i += 1;
                } else {
                    break;
                }
            }
            let tok = match NUMBER_WORDS.iter().position(|n| *n == w) {
                Some(n) => Tok::Num {
                    value: n as f64,
                    percent: false,
                    paren: depth > 0,
                    money: false,
                    unit: false,
                    word: true,
                },
                None => Tok::Word(w),
            };
            out.push(Placed {
                tok,
                start: at(start),
                end: at(i),
            });
        } else {
            i += 1;
        }
    }
    out
}

/// Status phrases in claims, on top of the council's own labels.
const CLAIM_WORDS: &[(&str, Status)] = &[
    ("not started", Status::NotStarted),
    ("on track", Status::Green),
    ("off track", Status::Red),
    ("at risk", Status::Amber),
    ("completed", Status::Complete),
    ("complete", Status::Complete),
    ("achieved", Status::Complete),
    ("delivered", Status::Complete),
    ("green", Status::Green),
    ("amber", Status::Amber),
    ("red", Status::Red),
    ("ceased", Status::Ceased),
];

/// Statuses named in a run of words, in order of first mention.
fn statuses_in(words: &[String], labels: &StatusLabels) -> Vec<Status> {
    let mut phrases: Vec<(Vec<String>, Status)> = CLAIM_WORDS
        .iter()
        .map(|(p, s)| (p.split(' ').map(str::to_string).collect(), *s))
        .collect();
    for (label, status) in labels.labels_longest_first() {
        let ws: Vec<String> = fold(label).split(' ').map(str::to_string).collect();
        if !ws.is_empty() && !phrases.iter().any(|(p, _)| *p == ws) {
            phrases.push((ws, status));
        }
    }
    phrases.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let mut out = vec![];
    let mut i = 0;
    while i < words.len() {
        let hit = phrases.iter().find(|(p, _)| {
            words
                .get(i..i + p.len())
                .is_some_and(|w| w.iter().zip(p).all(|(a, b)| a == b))
        });
        match hit {
            Some((p, s)) => {
                if !out.contains(s) {
                    out.push(*s);
                }
                i += p.len();
            }
            None => i += 1,
        }
    }
    out
}

fn words_of(toks: &[Placed]) -> Vec<String> {
    toks.iter()
        .filter_map(|t| match &t.tok {
            Tok::Word(w) => Some(w.clone()),
            _ => None,
        })
        .collect()
}

fn count_of(v: f64) -> Option<u32> {
    (v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX)).then_some(v as u32)
}

/// A figure that can count things: a whole number or a percentage, not money, a unit or a
/// label ("Quarter 1", "within 5%").
fn countable(toks: &[Placed], i: usize) -> bool {
    let Some(Tok::Num {
        value,
        percent,
        money,
        unit,
        ..
    }) = toks.get(i).map(|t| &t.tok)
    else {
        return false;
    };
    if *money || *unit || (!percent && count_of(*value).is_none()) {
        return false;
    }
    let before = i
        .checked_sub(1)
        .and_then(|j| toks.get(j))
        .and_then(|t| match &t.tok {
            Tok::Word(w) => Some(w.as_str()),
            _ => None,
        });
    !before.is_some_and(|w| NOT_COUNT_BEFORE.contains(&w))
}

fn num_at(toks: &[Placed], i: usize) -> Option<(f64, bool, bool, bool)> {
    match toks.get(i).map(|t| &t.tok) {
        Some(Tok::Num {
            value,
            percent,
            paren,
            word,
            ..
        }) => Some((*value, *percent, *paren, *word)),
        _ => None,
    }
}

fn word_at(toks: &[Placed], i: usize) -> Option<&str> {
    match toks.get(i).map(|t| &t.tok) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

/// The words naming what is counted, after a total: "KPIs", "Key Accountabilities".
fn items_after(sentence: &str, toks: &[Placed], from: usize) -> Option<String> {
    let mut end = None;
    let mut k = from;
    while let Some(t) = toks.get(k) {
        match &t.tok {
            Tok::Word(w)
                if !matches!(
                    w.as_str(),
                    "were"
                        | "are"
                        | "was"
                        | "is"
                        | "have"
                        | "has"
                        | "had"
                        | "could"
                        | "with"
                        | "due"
                        | "below"
                        | "above"
                        | "that"
                        | "which"
                        | "rated"
                        | "in"
                ) && k - from < 6 =>
            {
                end = Some(t.end);
            }
            _ => break,
        }
        k += 1;
    }
    let start = toks.get(from)?.start;
    let text = sentence.get(start..end?)?.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// What the figure counts, as written: the words after it up to the next figure or clause.
fn label_after(sentence: &str, toks: &[Placed], from: usize) -> (Option<String>, Vec<String>) {
    let mut k = from;
    let mut end_tok = from;
    while let Some(t) = toks.get(k) {
        match t.tok {
            Tok::Num { .. } | Tok::Break | Tok::Comma => break,
            _ => {
                end_tok = k + 1;
                k += 1;
            }
        }
    }
    let span = toks.get(from..end_tok).unwrap_or(&[]);
    let start = from
        .checked_sub(1)
        .and_then(|k| toks.get(k))
        .map_or(0, |t| t.end);
    let stop = toks.get(end_tok).map_or(sentence.len(), |t| t.start);
    let mut words = words_of(span);
    while words
        .last()
        .is_some_and(|w| matches!(w.as_str(), "and" | "or" | "the" | "remaining" | "while"))
    {
        words.pop();
    }
    let text = (!span.is_empty())
        .then(|| sentence.get(start..stop))
        .flatten()
        .map(|t| {
            let mut t = t
                .trim_start_matches(|c: char| c == ')' || c == '%' || c.is_whitespace())
                .trim_end_matches(|c: char| {
                    matches!(c, ',' | ';' | ':' | '.' | '(') || c.is_whitespace()
                })
                .to_string();
            for tail in [" the remaining", " and", " while"] {
                if let Some(x) = t.strip_suffix(tail) {
                    t = x.trim().to_string();
                }
            }
            t
        });
    (text.filter(|t| !t.is_empty()), words)
}

/// A bracketed percentage at `from` or after at most two words: "(24%)", "lines (10%)".
fn bracketed_share_after(toks: &[Placed], from: usize) -> Option<usize> {
    for k in from..toks.len().min(from + 3) {
        match num_at(toks, k) {
            Some((_, true, true, _)) => return Some(k),
            Some(_) => return None,
            None if word_at(toks, k).is_none() => return None,
            None => {}
        }
    }
    None
}

/// The claims one sentence makes.
fn claims_in_sentence(sentence: &str, labels: &StatusLabels) -> Vec<ClaimKind> {
    let toks = tokenize(sentence);
    let mut out = vec![];
    let is_num = |t: &Placed| matches!(t.tok, Tok::Num { word: false, .. });

    // "None are ‘red’ RAG rated", "No activities are red".
    let words = words_of(&toks);
    let has_figures = toks.iter().any(is_num);
    let none_at = words.iter().position(|w| w == "none").or_else(|| {
        words.windows(2).position(|w| {
            w.first().is_some_and(|a| a == "no")
                && w.get(1).is_some_and(|b| {
                    matches!(
                        b.as_str(),
                        "activities" | "actions" | "activity" | "action" | "projects"
                    )
                })
        })
    });
    if let (Some(at), false) = (none_at, has_figures) {
        for status in statuses_in(words.get(at..).unwrap_or(&[]), labels) {
            out.push(ClaimKind::NoneWithStatus { status });
        }
        return out;
    }
    let proportion = words
        .iter()
        .any(|w| matches!(w.as_str(), "proportion" | "share" | "percentage"));

    let mut total: Option<u32> = None;
    let mut about: Option<String> = None;
    // A total stated alone: "309 indicators were reported".
    let mut stated_total: Option<(u32, Option<String>)> = None;
    let mut i = 0;
    while i < toks.len() {
        let Some((value, percent, _, word)) = num_at(&toks, i) else {
            i += 1;
            continue;
        };
        if !countable(&toks, i) {
            // Skip the figure and a bracketed figure that belongs to it ("£4.2m (1.3%)"); one
            // after a label is a claim of its own ("an improvement on Quarter 2 (86%)").
            let measured = matches!(
                toks.get(i).map(|t| &t.tok),
                Some(Tok::Num { money: true, .. } | Tok::Num { unit: true, .. })
            );
            i += 1;
            if let Some((p, true, true, _)) = num_at(&toks, i)
                && !measured
                && let Some(ClaimKind::Share {
                    statuses, about, ..
                }) = out.last()
            {
                // The same measure at an earlier time.
                let (statuses, about) = (statuses.clone(), about.clone());
                out.push(ClaimKind::Share {
                    percent: Some(p),
                    count: None,
                    total: None,
                    statuses,
                    label: None,
                    about,
                });
                i += 1;
            } else if num_at(&toks, i).is_some_and(|(_, _, paren, _)| paren) {
                i += 1;
            }
            continue;
        }
        let prev = |back: usize| i.checked_sub(back).and_then(|j| word_at(&toks, j));
        // "Of the 46 actions", "Of 88 actions": the total for the figures that follow.
        if !percent && (prev(1) == Some("of") || (prev(1) == Some("the") && prev(2) == Some("of")))
        {
            total = count_of(value);
            about = items_after(sentence, &toks, i + 1);
            i += 1;
            continue;
        }
        // A bracketed share soon after ("18 lines (10%)", "21 (24%) actions"): a count.
        let share_follows = bracketed_share_after(&toks, i + 1).is_some();
        // "238 of them", "for 201 indicators", "309 indicators were reported".
        if !percent && !word && !share_follows {
            let next = word_at(&toks, i + 1);
            let them = next == Some("of") && word_at(&toks, i + 2) == Some("them");
            let items = next.is_some_and(|w| ITEMS.contains(&w))
                || (next.is_some()
                    && word_at(&toks, i + 2).is_some_and(|w| ITEMS.contains(&w))
                    && word_at(&toks, i + 2) != Some("them"));
            let verb_follows = (i + 1..toks.len().min(i + 5))
                .filter_map(|k| word_at(&toks, k))
                .any(|w| matches!(w, "were" | "was" | "are" | "have" | "has"));
            let introduced = matches!(prev(1), Some("for" | "all" | "on" | "across"));
            if them || (items && (introduced || verb_follows) && num_at(&toks, i + 1).is_none()) {
                let n = count_of(value);
                total = n;
                if !them {
                    about = items_after(sentence, &toks, i + 1);
                }
                if let Some(n) = n {
                    stated_total = Some((n, about.clone()));
                }
                // "238 of them were given a RAG rating: 74% (176) …": not a claim itself.
                i += if them { 3 } else { 1 };
                continue;
            }
        }
        let mut claim_percent = None;
        let mut count = None;
        let mut claim_total = None;
        let mut j = i + 1;
        if percent {
            claim_percent = Some(value);
            if let Some((c, false, true, _)) = num_at(&toks, j) {
                count = count_of(c);
                j += 1;
            }
        } else {
            count = count_of(value);
            // "21 (24%)", "18 lines (10%)".
            if let Some(k) = bracketed_share_after(&toks, j)
                && let Some((p, _, _, _)) = num_at(&toks, k)
            {
                claim_percent = Some(p);
                j = k + 1;
            }
            // "41 of the 57 …", "two of the four …", "33 (79%) of the 42 actions".
            let mut k = j;
            if word_at(&toks, k) == Some("of") {
                k += 1;
                if word_at(&toks, k) == Some("the") {
                    k += 1;
                }
                if let Some((t, false, _, _)) = num_at(&toks, k)
                    && count_of(t).is_some_and(|t| count.is_some_and(|c| c <= t))
                {
                    claim_total = count_of(t);
                    total = claim_total;
                    about = items_after(sentence, &toks, k + 1);
                    j = k + 1;
                    // "41 of the 57 … indicators with a target (72%) met": the share after.
                    if claim_percent.is_none() {
                        let next_num = (j..toks.len()).find(|&n| num_at(&toks, n).is_some());
                        if let Some(n) = next_num
                            && let Some((p, true, true, _)) = num_at(&toks, n)
                            && !toks[j..n].iter().any(|t| matches!(t.tok, Tok::Break))
                        {
                            claim_percent = Some(p);
                            j = n + 1;
                        }
                    }
                }
            }
            if word && claim_total.is_none() {
                i += 1;
                continue;
            }
        }
        let next_num = toks
            .get(j..)
            .unwrap_or(&[])
            .iter()
            .position(|t| matches!(t.tok, Tok::Num { .. }))
            .map_or(toks.len(), |k| j + k);
        let (label, label_words) = label_after(sentence, &toks, j);
        let mut statuses = statuses_in(&label_words, labels);
        // "the proportion of KPIs rated ‘green’ had risen from 33% … to 38%".
        if statuses.is_empty() && proportion && claim_percent.is_some() && count.is_none() {
            statuses = statuses_in(&words, labels);
        }
        let total_here = claim_total.or(total);
        let accepted = match (claim_percent, count) {
            _ if claim_total.is_some() => true,
            (Some(_), Some(_)) => true,
            (Some(_), None) => total.is_some() || !statuses.is_empty() || proportion,
            (None, Some(_)) => {
                let stated = label_words.first().is_some_and(|w| {
                    matches!(
                        w.as_str(),
                        "are"
                            | "were"
                            | "is"
                            | "was"
                            | "have"
                            | "has"
                            | "had"
                            | "remain"
                            | "remained"
                    )
                });
                stated
                    && (!statuses.is_empty()
                        || total.is_some_and(|t| count.is_some_and(|c| c <= t)))
            }
            (None, None) => false,
        };
        if accepted {
            out.push(ClaimKind::Share {
                percent: claim_percent,
                count,
                total: total_here,
                statuses,
                label,
                about: about.clone(),
            });
        }
        i = next_num.max(i + 1);
    }
    if out.is_empty()
        && let Some((total, about)) = stated_total
    {
        out.push(ClaimKind::Share {
            percent: None,
            count: None,
            total: Some(total),
            statuses: vec![],
            label: None,
            about,
        });
    }
    out
}

/// Claims that state no total take the one an earlier sentence gave for the same things:
/// "Appendix 3 reports on all 176 activity lines. … 18 lines (10%) are rated Red."
pub(crate) fn carry_totals(claims: &mut [PublishedClaim]) {
    let mut known: Vec<(String, u32)> = vec![];
    for c in claims.iter_mut() {
        let ClaimKind::Share { total, about, .. } = &mut c.claim else {
            continue;
        };
        match (total.as_ref(), about.as_deref()) {
            (Some(t), Some(a)) => {
                let folded = fold(a);
                let noun = folded
                    .split(' ')
                    .find(|w| ITEMS.contains(w))
                    .or_else(|| folded.split(' ').next_back())
                    .filter(|n| n.len() > 2);
                if let Some(noun) = noun {
                    known.retain(|(n, _)| n != noun);
                    known.push((noun.to_string(), *t));
                }
            }
            (None, _) => {
                // Sentences are short (MAX_SENTENCE), so folding each is cheap.
                let folded = fold(&c.text);
                let words: Vec<&str> = folded.split(' ').collect();
                if let Some((_, t)) = known
                    .iter()
                    .rev()
                    .find(|(n, _)| words.contains(&n.as_str()))
                {
                    *total = Some(*t);
                }
            }
            _ => {}
        }
    }
}

/// Every claim in a line of prose.
/// Headline sentences are short; a longer run of text is not read for claims, and no
/// sentence gives more than a handful (bounded work and storage for any upload).
const MAX_SENTENCE: usize = 1_000;
const MAX_CLAIMS_PER_SENTENCE: usize = 12;

pub(crate) fn claims_in(line: usize, text: &str, labels: &StatusLabels) -> Vec<PublishedClaim> {
    sentences(text)
        .into_iter()
        .filter(|s| s.len() <= MAX_SENTENCE)
        .flat_map(|s| {
            claims_in_sentence(s, labels)
                .into_iter()
                .take(MAX_CLAIMS_PER_SENTENCE)
                .map(move |claim| PublishedClaim {
                    line,
                    text: s.to_string(),
                    claim,
                })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The figures and statuses of a claim, without the words it was written in.
    fn bare(c: ClaimKind) -> ClaimKind {
        match c {
            ClaimKind::Share {
                percent,
                count,
                total,
                statuses,
                ..
            } => ClaimKind::Share {
                percent,
                count,
                total,
                statuses,
                label: None,
                about: None,
            },
            other => other,
        }
    }

    fn kinds(s: &str) -> Vec<ClaimKind> {
        claims_in(1, s, &StatusLabels::default())
            .into_iter()
            .map(|c| bare(c.claim))
            .collect()
    }

    fn share(
        percent: Option<f64>,
        count: Option<u32>,
        total: Option<u32>,
        statuses: &[Status],
    ) -> ClaimKind {
        ClaimKind::Share {
            percent,
            count,
            total,
            statuses: statuses.to_vec(),
            label: None,
            about: None,
        }
    }

    #[test]
    fn bexley_headline() {
        let c = claims_in(
            5,
            "At the end of 2024/25, 83% of the corporate plan action plan activities are complete or on track. None are ‘red’ RAG rated. The details are provided below.",
            &StatusLabels::default(),
        );
        assert_eq!(c.len(), 2);
        assert_eq!(
            bare(c[0].claim.clone()),
            share(Some(83.0), None, None, &[Status::Complete, Status::Green])
        );
        assert_eq!(
            c[0].text,
            "At the end of 2024/25, 83% of the corporate plan action plan activities are complete or on track."
        );
        assert_eq!(
            c[1].claim,
            ClaimKind::NoneWithStatus {
                status: Status::Red
            }
        );
        assert_eq!(c[1].text, "None are ‘red’ RAG rated.");
    }

    #[test]
    fn other_orders() {
        assert_eq!(
            kinds("38 of 46 (83%) are complete."),
            vec![share(Some(83.0), Some(38), Some(46), &[Status::Complete])]
        );
        assert_eq!(
            kinds("24% (21) complete"),
            vec![share(Some(24.0), Some(21), None, &[Status::Complete])]
        );
        assert_eq!(
            kinds("21 (24%) actions are on track."),
            vec![share(Some(24.0), Some(21), None, &[Status::Green])]
        );
        assert_eq!(
            kinds("Of the 46 actions, 38 are complete or on track."),
            vec![share(
                None,
                Some(38),
                Some(46),
                &[Status::Complete, Status::Green]
            )]
        );
        assert_eq!(
            kinds("Of 88 actions, 21 (24%) are achieved and 40 (45%) are green; 3 are red."),
            vec![
                share(Some(24.0), Some(21), Some(88), &[Status::Complete]),
                share(Some(45.0), Some(40), Some(88), &[Status::Green]),
                share(None, Some(3), Some(88), &[Status::Red]),
            ]
        );
        assert_eq!(
            kinds("72.8 per cent of actions were delivered"),
            vec![share(Some(72.8), None, None, &[Status::Complete])]
        );
    }

    #[test]
    fn prose_without_figures_claims_nothing() {
        assert!(kinds("The annual performance report provides an update on progress against the actions in our Corporate Plan Action Plan.").is_empty());
        assert!(kinds("Our activity in 2024/25").is_empty());
        assert!(kinds("We opened 2 libraries in 2022.").is_empty());
    }

    #[test]
    fn council_labels_count_in_claims() {
        let mut labels = StatusLabels::default();
        labels.insert("Blue", Status::Complete);
        let c = claims_in(1, "12 (10%) actions are blue.", &labels);
        assert_eq!(
            bare(c[0].claim.clone()),
            share(Some(10.0), Some(12), None, &[Status::Complete])
        );
    }
}
