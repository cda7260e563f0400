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
    },
    Year,
    Word(String),
}

fn tokenize(s: &str) -> Vec<Tok> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    let mut depth = 0i32;
    while let Some(&c) = chars.get(i) {
        if c == '(' {
            depth += 1;
            i += 1;
        } else if c == ')' {
            depth = (depth - 1).max(0);
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            let mut text = String::new();
            while let Some(&d) = chars.get(i) {
                let next_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
                if d.is_ascii_digit() || ((d == ',' || d == '.') && next_digit) {
                    text.push(d);
                    i += 1;
                } else {
                    break;
                }
            }
            // 2024/25, 24/25, 2024-25: a year, not a figure.
            let is_year_form = matches!(chars.get(i), Some('/' | '-' | '–'))
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if is_year_form {
                i += 1;
                while chars.get(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
                out.push(Tok::Year);
                continue;
            }
            let mut j = i;
            while chars.get(j) == Some(&' ') {
                j += 1;
            }
            let percent = if chars.get(j) == Some(&'%') {
                i = j + 1;
                true
            } else {
                let rest: String = chars.get(j..).unwrap_or(&[]).iter().take(9).collect();
                if rest.to_lowercase().starts_with("per cent") {
                    i = j + 8;
                    true
                } else {
                    false
                }
            };
            let plain = text.replace(',', "");
            let value: f64 = plain.parse().unwrap_or(f64::NAN);
            let yearish =
                !percent && plain.len() == 4 && (1990.0..2100.0).contains(&value) && start > 0;
            if yearish || !value.is_finite() {
                out.push(Tok::Year);
            } else {
                out.push(Tok::Num {
                    value,
                    percent,
                    paren: depth > 0,
                });
            }
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&d) = chars.get(i) {
                if d.is_alphanumeric() {
                    w.extend(d.to_lowercase());
                    i += 1;
                } else if matches!(d, '\'' | '’')
                    && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
                {
                    i += 1;
                } else {
                    break;
                }
            }
            out.push(Tok::Word(w));
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

fn words_between(toks: &[Tok]) -> Vec<String> {
    toks.iter()
        .filter_map(|t| match t {
            Tok::Word(w) => Some(w.clone()),
            _ => None,
        })
        .collect()
}

fn count_of(v: f64) -> Option<u32> {
    (v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX)).then_some(v as u32)
}

/// The claims one sentence makes.
fn claims_in_sentence(sentence: &str, labels: &StatusLabels) -> Vec<ClaimKind> {
    let toks = tokenize(sentence);
    let mut out = vec![];
    let is_num = |t: &Tok| matches!(t, Tok::Num { .. });

    // "None are ‘red’ RAG rated", "No activities are red".
    let words = words_between(&toks);
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

    let mut i = 0;
    let mut pending_total: Option<u32> = None;
    while i < toks.len() {
        let Some(Tok::Num { value, percent, .. }) = toks.get(i).cloned() else {
            i += 1;
            continue;
        };
        let prev_word = |back: usize| match i.checked_sub(back).and_then(|j| toks.get(j)) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        };
        // "Of the 46 actions, 38 are …": a total for the figure that follows.
        if !percent
            && (prev_word(1) == Some("of")
                || (prev_word(1) == Some("the") && prev_word(2) == Some("of")))
        {
            pending_total = count_of(value);
            i += 1;
            continue;
        }
        let mut claim_percent = None;
        let mut count = None;
        let mut total = None;
        let mut j = i + 1;
        if percent {
            claim_percent = Some(value);
            if let Some(Tok::Num {
                value: c,
                percent: false,
                paren: true,
            }) = toks.get(j)
            {
                count = count_of(*c);
                j += 1;
            }
        } else {
            count = count_of(value);
            let of = matches!(toks.get(j), Some(Tok::Word(w)) if w == "of");
            if let (
                true,
                Some(Tok::Num {
                    value: t,
                    percent: false,
                    ..
                }),
            ) = (of, toks.get(j + 1))
            {
                total = count_of(*t);
                j += 2;
            }
            if let Some(Tok::Num {
                value: p,
                percent: true,
                ..
            }) = toks.get(j)
            {
                claim_percent = Some(*p);
                j += 1;
            }
        }
        let next_num = toks
            .get(j..)
            .unwrap_or(&[])
            .iter()
            .position(is_num)
            .map_or(toks.len(), |k| j + k);
        let statuses = statuses_in(&words_between(toks.get(j..next_num).unwrap_or(&[])), labels);
        if !statuses.is_empty() {
            out.push(ClaimKind::Share {
                percent: claim_percent,
                count,
                total: total.or(pending_total),
                statuses,
            });
        }
        pending_total = None;
        i = next_num;
    }
    out
}

/// Every claim in a line of prose.
pub(crate) fn claims_in(line: usize, text: &str, labels: &StatusLabels) -> Vec<PublishedClaim> {
    sentences(text)
        .into_iter()
        .flat_map(|s| {
            claims_in_sentence(s, labels)
                .into_iter()
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

    fn kinds(s: &str) -> Vec<ClaimKind> {
        claims_in(1, s, &StatusLabels::default())
            .into_iter()
            .map(|c| c.claim)
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
            c[0].claim,
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
                share(Some(45.0), Some(40), None, &[Status::Green]),
                share(None, Some(3), None, &[Status::Red]),
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
            c[0].claim,
            share(Some(10.0), Some(12), None, &[Status::Complete])
        );
    }
}
