//! Rows whose cells are glued together by single spaces (text copied from a PDF table):
//! "1. Deliver the savings Resources 31-Mar-2026 On Target Q3 - £1.06m banked …". A header
//! line of known column words ("Action Lead Directorate Target Date Status Progress notes")
//! gives the order; a date and a status phrase anchor each row; the words before the date
//! are split into the title and the directorate by the directorates the rows share.

use super::roles::{self, Role};
use waymark_domain::StatusLabels;
use waymark_domain::text::fold;
use waymark_read::{Block, Cell, LineKind, Row, Table};

/// The roles a glued header names, in order, with their header words; `None` unless it
/// names an activity, a date and a status and little else.
fn glued_header(text: &str) -> Option<Vec<(Role, String)>> {
    if text.contains('\t') || text.contains("  ") {
        return None;
    }
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    if words.len() < 3 || words.len() > 16 {
        return None;
    }
    let mut out: Vec<(Role, String)> = vec![];
    let mut i = 0;
    let mut covered = 0;
    while i < words.len() {
        // The longest run of words from here that is a header on its own.
        let hit = (1..=4usize.min(words.len() - i)).rev().find_map(|n| {
            let phrase = words.get(i..i + n)?.join(" ");
            let (role, score) = *roles::header_roles(&phrase, &[]).first()?;
            (score >= 95 && role != Role::Other).then_some((n, role, phrase))
        });
        match hit {
            Some((n, role, phrase)) => {
                if !out.iter().any(|(r, _)| *r == role) {
                    out.push((role, phrase));
                }
                covered += n;
                i += n;
            }
            None => i += 1,
        }
    }
    let has = |r: Role| out.iter().any(|(x, _)| *x == r);
    (covered * 10 >= words.len() * 8 && has(Role::Title) && has(Role::Due) && has(Role::Status))
        .then_some(out)
}

/// "12. Complete the programme …" → ("12", rest).
fn numbered(text: &str) -> Option<(String, String)> {
    let (marker, rest) = text.trim().split_once(' ')?;
    let n = marker.strip_suffix('.')?;
    (!n.is_empty() && n.len() <= 4 && n.chars().all(|c| c.is_ascii_digit()))
        .then(|| (n.to_string(), rest.trim().to_string()))
}

struct Glued {
    at: usize,
    reference: String,
    text: String,
}

/// Replace glued rows under a glued header by a table.
pub(crate) fn tables_from_glued(blocks: Vec<Block>, labels: &StatusLabels) -> Vec<Block> {
    let Some((header_at, header)) = blocks.iter().enumerate().find_map(|(i, b)| match b {
        Block::Line(l) if l.kind == LineKind::Plain => glued_header(&l.text).map(|h| (i, h)),
        _ => None,
    }) else {
        return blocks;
    };
    let mut rows: Vec<Glued> = vec![];
    let mut headings: Vec<(usize, String)> = vec![];
    let mut kept: Vec<Block> = vec![];
    let mut used_any = false;
    for block in blocks.iter().skip(header_at + 1) {
        let Block::Line(line) = block else {
            kept.push(block.clone());
            continue;
        };
        let t = line.text.trim();
        if t.is_empty() || glued_header(t).is_some() {
            continue;
        }
        if let Some((reference, rest)) = numbered(t) {
            rows.push(Glued {
                at: line.at,
                reference,
                text: rest,
            });
            used_any = true;
        } else if let Some(last) = rows.last_mut()
            && (t.chars().next().is_some_and(char::is_lowercase)
                || !last.text.trim_end().ends_with(['.', '!', '?']))
        {
            // A row whose text has not finished its sentence carries on, whatever the
            // line looks like ("March 2026 target missed").
            last.text.push(' ');
            last.text.push_str(t);
        } else if looks_like_heading(t) {
            headings.push((rows.len(), t.to_string()));
        } else {
            kept.push(block.clone());
        }
    }
    if !used_any || rows.len() < 2 {
        return blocks;
    }
    let key = key_labels(&blocks);
    let Some(table) = split_rows(&rows, &headings, &header, labels, &key) else {
        return blocks;
    };
    let mut out: Vec<Block> = blocks.iter().take(header_at).cloned().collect();
    out.push(Block::Table(table));
    out.extend(kept);
    out
}

/// "Aim 1. …", "Objective 1.a. …", "Page 2 of 4": lines between rows that are not part of one.
fn looks_like_heading(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("");
    let second = t.split_whitespace().nth(1).unwrap_or("");
    first.chars().next().is_some_and(char::is_uppercase)
        && second.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Status labels a document lists in its key ("Status key: Achieved; On Target; Under
/// Control (some slippage); Behind Schedule").
fn key_labels(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Line(l) => Some(l.text.trim()),
            _ => None,
        })
        .filter_map(|t| {
            let (label, rest) = t.split_once(':')?;
            let f = fold(label);
            (f == "key" || f.ends_with(" key") || f == "legend").then_some(rest)
        })
        .flat_map(|rest| {
            rest.split([';', ','])
                .map(|p| {
                    let p = p.split('(').next().unwrap_or("").trim();
                    p.split(['=', '–'])
                        .next()
                        .unwrap_or("")
                        .trim()
                        .trim_end_matches('.')
                        .to_string()
                })
                .filter(|p| !p.is_empty() && p.split_whitespace().count() <= 4)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Where the first date is, and the status phrase after it (start, end) in words: a label
/// from the document's key, else the run of capitalised words after the date, cut to the
/// longest part that reads as a status.
fn anchors(words: &[&str], labels: &StatusLabels, key: &[String]) -> Option<(usize, usize, usize)> {
    let date = words.iter().position(|w| {
        let w = w.trim_end_matches([',', ';']);
        w.chars().filter(char::is_ascii_digit).count() >= 2 && roles::is_date(w)
    })?;
    let phrase = |n: usize| words.get(date + 1..date + 1 + n).map(|p| p.join(" "));
    let from_key = (1..=4usize).rev().find(|&n| {
        phrase(n)
            .is_some_and(|p| key.iter().any(|k| fold(k) == fold(&p)) || labels.lookup(&p).is_some())
    });
    if let Some(n) = from_key {
        return Some((date, date + 1, date + 1 + n));
    }
    let capitalised = words
        .get(date + 1..)?
        .iter()
        .take(3)
        .take_while(|w| {
            w.chars().next().is_some_and(char::is_uppercase) && w.chars().all(char::is_alphabetic)
        })
        .count();
    let n = (1..=capitalised)
        .rev()
        .find(|&n| phrase(n).is_some_and(|p| roles::status_of(&p, labels).is_some()))
        .or((capitalised > 0).then_some(capitalised))?;
    Some((date, date + 1, date + 1 + n))
}

fn split_rows(
    rows: &[Glued],
    headings: &[(usize, String)],
    header: &[(Role, String)],
    labels: &StatusLabels,
    key: &[String],
) -> Option<Table> {
    let owner_role = header
        .iter()
        .find(|(r, _)| matches!(r, Role::Directorate | Role::Portfolio | Role::Owner))
        .cloned();
    struct Parts {
        at: usize,
        reference: String,
        before: Vec<String>,
        due: String,
        status: String,
        rest: String,
    }
    let mut parts = vec![];
    for r in rows {
        let words: Vec<&str> = r.text.split_whitespace().collect();
        let (date, s0, s1) = anchors(&words, labels, key)?;
        parts.push(Parts {
            at: r.at,
            reference: r.reference.clone(),
            before: words.get(..date)?.iter().map(|w| w.to_string()).collect(),
            due: words.get(date)?.to_string(),
            status: words.get(s0..s1)?.join(" "),
            rest: words.get(s1..)?.join(" "),
        });
    }
    // Owners: endings of the words before the date that several rows share.
    // How many rows end with each run of one to four words (or name it first of a pair,
    // "Governance / Customer Services"), counted once per row: one pass, then lookups.
    let endings = |ws: &[String]| -> Vec<String> {
        (1..=4usize)
            .filter(|&n| ws.len() > n)
            .map(|n| ws[ws.len() - n..].join(" "))
            .collect()
    };
    let mut rows_ending: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    for q in &parts {
        let left = q
            .before
            .iter()
            .rposition(|w| w == "/")
            .map_or(&q.before[..0], |k| &q.before[..k]);
        let mut mine: Vec<String> = endings(&q.before);
        mine.extend(endings(left));
        mine.sort();
        mine.dedup();
        for e in mine {
            *rows_ending.entry(e).or_default() += 1;
        }
    }
    let mut owners: std::collections::HashSet<String> = std::collections::HashSet::new();
    if owner_role.is_some() {
        for p in &parts {
            // The longest ending another row shares; an owner's name starts with a capital
            // ("Resources", not "budget Resources").
            let found = endings(&p.before).into_iter().rev().find(|tail| {
                tail.chars().next().is_some_and(char::is_uppercase)
                    && rows_ending.get(tail).is_some_and(|&n| n >= 2)
            });
            if let Some(tail) = found {
                owners.insert(tail);
            }
        }
    }
    // The longest known owner a run of words ends with, in words.
    let owner_at_end = |ws: &[String]| -> Option<usize> {
        (1..=4usize)
            .rev()
            .find(|&n| ws.len() > n && owners.contains(&ws[ws.len() - n..].join(" ")))
    };
    let split_owner = |before: &[String]| -> (String, String) {
        if owner_role.is_none() {
            return (before.join(" "), String::new());
        }
        // "… online Governance / Customer Services": a pair of owners.
        if let Some(slash) = before.iter().rposition(|w| w == "/") {
            let left = &before[..slash];
            if let Some(n) = owner_at_end(left) {
                let cut = left.len() - n;
                return (before[..cut].join(" "), before[cut..].join(" "));
            }
        }
        match owner_at_end(before) {
            Some(n) => {
                let cut = before.len() - n;
                (before[..cut].join(" "), before[cut..].join(" "))
            }
            None => (before.join(" "), String::new()),
        }
    };
    let owner_header = owner_role
        .as_ref()
        .map_or_else(|| "Owner".to_string(), |(_, h)| h.clone());
    let title_header = header
        .iter()
        .find(|(r, _)| *r == Role::Title)
        .map_or("Action".to_string(), |(_, h)| h.clone());
    let header_of = |role: Role, fallback: &str| {
        header
            .iter()
            .find(|(r, _)| *r == role)
            .map_or(fallback.to_string(), |(_, h)| h.clone())
    };
    let cells = [
        "Ref".to_string(),
        title_header,
        owner_header,
        header_of(Role::Due, "Due"),
        header_of(Role::Status, "Status"),
        header_of(Role::Commentary, "Commentary"),
    ];
    let mut out = vec![Row {
        at: parts.first().map_or(1, |p| p.at),
        head: true,
        cells: cells.iter().map(|c| Cell::text(c.clone())).collect(),
    }];
    let mut headings_at: std::collections::HashMap<usize, Vec<&String>> =
        std::collections::HashMap::new();
    for (at, h) in headings {
        headings_at.entry(*at).or_default().push(h);
    }
    for (i, p) in parts.iter().enumerate() {
        for h in headings_at.get(&i).into_iter().flatten() {
            let mut cells = vec![Cell::text(h.as_str())];
            cells.resize(6, Cell::default());
            out.push(Row {
                at: p.at.saturating_sub(1),
                head: false,
                cells,
            });
        }
        let (title, owner) = split_owner(&p.before);
        out.push(Row {
            at: p.at,
            head: false,
            cells: vec![
                Cell::text(p.reference.clone()),
                Cell::text(title),
                Cell::text(owner),
                Cell::text(p.due.clone()),
                Cell::text(p.status.clone()),
                Cell::text(p.rest.clone()),
            ],
        });
    }
    Some(Table {
        caption: None,
        rows: out,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::layout::testing::{plain_lines as lines, texts};

    #[test]
    fn glued_rows_split_on_dates_statuses_and_shared_directorates() {
        let text = [
            "Action Lead Directorate Target Date . Status Progress notes",
            "1. Deliver the savings agreed in the budget Resources 31-Mar-2026 On Target Q3 - Most banked; the rest depends",
            "on the waste round. Q2 - Reviewed.",
            "Objective 1.b. To use our land well",
            "2. Let the vacant units at Oakmere Parade Place 30-Sep-2025 Behind Schedule Q3 - Two let.",
            "3. Review fees and charges Resources 31-Dec-2025 Achieved Q3 Completed.",
            "4. Adopt the scheme Place 31-Oct-2025 Achieved Q2 Completed.",
            "5. Move forms online Governance / Customer Services 31-Mar-2026 On Target Q3 - Live.",
            "6. Train members Governance 30-Jun-2025 Achieved Q1 Completed.",
        ];
        let blocks = lines(&text.join("\n"));
        let out = tables_from_glued(blocks, &StatusLabels::default());
        let Some(Block::Table(t)) = out.first() else {
            panic!("{out:?}")
        };
        let texts = texts(t);
        assert_eq!(texts[0][1], "Action");
        assert_eq!(texts[0][2], "Lead Directorate");
        assert_eq!(
            texts[1],
            [
                "1",
                "Deliver the savings agreed in the budget",
                "Resources",
                "31-Mar-2026",
                "On Target",
                "Q3 - Most banked; the rest depends on the waste round. Q2 - Reviewed."
            ]
        );
        assert_eq!(texts[2][0], "Objective 1.b. To use our land well");
        assert_eq!(texts[3][1], "Let the vacant units at Oakmere Parade");
        assert_eq!(texts[3][4], "Behind Schedule");
        assert_eq!(texts[6][1], "Move forms online");
        assert_eq!(texts[6][2], "Governance / Customer Services");
    }

    #[test]
    fn prose_is_not_a_glued_header() {
        assert!(glued_header("This paper lists the actions and their status by date.").is_none());
        assert!(
            glued_header("Action Lead Directorate Target Date . Status Progress notes").is_some()
        );
    }
}
