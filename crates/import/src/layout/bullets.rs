//! A plan written as nested lists: numbered objectives, "Lead Directorate: …" lines under
//! them, bullets and sub-bullets of actions. Each item becomes a row (its number, its text,
//! its level and the item it sits under); labelled lines give the items under them a
//! directorate or a portfolio; a date written in the text ("by March 2026") is its due date.

use super::roles::{self, Role};
use waymark_domain::text::fold;
use waymark_read::{Block, Cell, Line, LineKind, Row, Table};

struct Item {
    at: usize,
    level: usize,
    number: Option<String>,
    text: String,
    parent: Option<usize>,
    /// Labelled lines that apply to this item and those under it ("Lead Directorate").
    fields: Vec<(String, String)>,
}

/// A list line: its indent (or list depth), its number if numbered, and its text.
fn list_line(line: &Line) -> Option<(usize, Option<String>, String)> {
    let indent_of = |t: &str| {
        t.chars()
            .take_while(|c| c.is_whitespace())
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum::<usize>()
    };
    // Depth orders items by indent, then by marker: a bullet under a number at the same
    // indent is nested in it, and "◦" sits under "•".
    let (indent, raw) = match line.kind {
        LineKind::Item(d) => (usize::from(d) * 8, line.text.as_str()),
        LineKind::Plain => (indent_of(&line.text), line.text.as_str()),
        _ => return None,
    };
    let depth = indent * 4;
    let t = raw.trim();
    let mut chars = t.chars();
    let first = chars.next()?;
    if matches!(
        first,
        '•' | '◦' | '▪' | '‣' | '∙' | '·' | '○' | '■' | '□' | '➢' | '-' | '*' | '–'
    ) && chars.next().is_some_and(char::is_whitespace)
    {
        let extra = match first {
            '◦' | '○' | '□' => 3,
            '▪' | '■' => 2,
            _ => 1,
        };
        return Some((
            depth + extra,
            None,
            t[first.len_utf8()..].trim().to_string(),
        ));
    }
    if line.kind != LineKind::Plain || indent > 0 {
        // "1. To reduce…", "(a) Deliver…", "2) Open…".
        let (marker, rest) = t.split_once(' ')?;
        let bare = marker.trim_start_matches('(').trim_end_matches(['.', ')']);
        let numbered = marker.len() > bare.len()
            && !bare.is_empty()
            && bare.len() <= 3
            && (bare.chars().all(|c| c.is_ascii_digit())
                || (bare.len() == 1 && bare.chars().all(|c| c.is_ascii_lowercase())));
        if numbered {
            return Some((depth, Some(bare.to_string()), rest.trim().to_string()));
        }
        if line.kind != LineKind::Plain {
            return Some((depth + 1, None, t.to_string()));
        }
    }
    None
}

/// "Lead Directorate: Health" → its role and value, for labels that say who or when.
fn owner_field(text: &str) -> Option<(Role, String, String)> {
    let (label, value) = text.split_once(':')?;
    let value = value.trim();
    if value.is_empty() || label.split_whitespace().count() > 4 {
        return None;
    }
    let (role, score) = *roles::header_roles(label, &[]).first()?;
    (score >= 70
        && matches!(
            role,
            Role::Directorate | Role::Portfolio | Role::Owner | Role::Due
        ))
    .then(|| (role, label.trim().to_string(), value.to_string()))
}

const SEASONS: &[&str] = &["spring", "summer", "autumn", "winter"];

/// A date written in an action's text: "by March 2026", "in Spring 2025", "completed by
/// September 2025", "in 2025/26".
pub(crate) fn date_in_text(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let f = fold(w);
        let next = words
            .get(i + 1)
            .map(|n| n.trim_end_matches(['.', ',', ';', ')']));
        if (crate::period_label::MONTHS.contains(&f.as_str()) || SEASONS.contains(&f.as_str()))
            && let Some(year) = next
            && year.len() == 4
            && year.chars().all(|c| c.is_ascii_digit())
        {
            return Some(format!("{w} {year}"));
        }
    }
    // A financial year named as the time ("for the 2025/26 financial year", "in 2025/26").
    words.iter().find_map(|w| {
        let w = w.trim_end_matches(['.', ',', ';', ')']);
        let (a, b) = w.split_once('/')?;
        (a.len() == 4 && b.len() == 2 && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit()))
            .then(|| w.to_string())
    })
}

/// Replace a run of list items (at least four, most of them sentences) by a table.
pub(crate) fn tables_from_lists(blocks: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = vec![];
    // The blocks a list run took, each with whether it stays beside the table (sub-headings)
    // or is read into it (items and their labelled lines).
    let mut run: Vec<(Block, bool)> = vec![];
    let mut items: Vec<Item> = vec![];
    let mut stack: Vec<usize> = vec![];
    let finish = |items: &mut Vec<Item>, run: &mut Vec<(Block, bool)>, out: &mut Vec<Block>| {
        let sentences = items
            .iter()
            .filter(|i| i.text.split_whitespace().count() >= 5)
            .count();
        // A plan, not prose in bullets: its items are numbered, dated or given an owner.
        let dated = items
            .iter()
            .filter(|i| date_in_text(&i.text).is_some())
            .count();
        let evidence = items.iter().any(|i| !i.fields.is_empty())
            || items.iter().any(|i| i.number.is_some())
            || dated * 10 >= items.len() * 3;
        if items.len() >= 4 && sentences * 10 >= items.len() * 7 && evidence {
            out.push(Block::Table(table_of(std::mem::take(items))));
            out.extend(run.drain(..).filter(|(_, stays)| *stays).map(|(b, _)| b));
        } else {
            items.clear();
            out.extend(run.drain(..).map(|(b, _)| b));
        }
    };
    for block in blocks {
        let Block::Line(line) = &block else {
            finish(&mut items, &mut run, &mut out);
            stack.clear();
            out.push(block);
            continue;
        };
        if let Some((indent, number, text)) = list_line(line) {
            while stack
                .last()
                .is_some_and(|&p| items.get(p).is_some_and(|it| it.level >= indent))
            {
                stack.pop();
            }
            let parent = stack.last().copied();
            items.push(Item {
                at: line.at,
                level: indent,
                number,
                text,
                parent,
                fields: vec![],
            });
            stack.push(items.len() - 1);
            run.push((block, false));
            continue;
        }
        let t = line.text.trim();
        if items.is_empty() {
            out.push(block);
            continue;
        }
        if let Some((_, label, value)) = owner_field(t) {
            // Applies to the item it follows at the outermost level.
            if let Some(&top) = stack.first()
                && let Some(item) = items.get_mut(top)
            {
                item.fields.push((label, value));
            }
            run.push((block, false));
            continue;
        }
        // Blank lines and short sub-headings ("Sub Objectives") sit inside a list.
        if t.is_empty() || (t.split_whitespace().count() <= 4 && !t.ends_with(['.', ':'])) {
            run.push((block, true));
            continue;
        }
        finish(&mut items, &mut run, &mut out);
        stack.clear();
        out.push(block);
    }
    finish(&mut items, &mut run, &mut out);
    out
}

fn table_of(items: Vec<Item>) -> Table {
    // Levels as ranks: the distinct indents in order.
    let mut indents: Vec<usize> = items.iter().map(|i| i.level).collect();
    indents.sort_unstable();
    indents.dedup();
    let mut labels: Vec<String> = vec![];
    for i in &items {
        for (l, _) in &i.fields {
            if !labels.iter().any(|x| fold(x) == fold(l)) {
                labels.push(l.clone());
            }
        }
    }
    let mut header = vec!["Ref", "Title", "Level", "Part of", "Due"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    header.extend(labels.iter().cloned());
    let mut rows = vec![Row {
        at: items.first().map_or(1, |i| i.at),
        head: true,
        cells: header.iter().map(|h| Cell::text(h.clone())).collect(),
    }];
    for (n, item) in items.iter().enumerate() {
        let level = indents.iter().position(|&x| x == item.level).unwrap_or(0);
        // The outermost item above this one says who leads it.
        let mut top = n;
        while let Some(p) = items.get(top).and_then(|i| i.parent) {
            top = p;
        }
        let fields = items.get(top).map(|t| t.fields.as_slice()).unwrap_or(&[]);
        let mut cells = vec![
            Cell::text(if level == 0 {
                item.number.clone().unwrap_or_default()
            } else {
                String::new()
            }),
            Cell::text(item.text.clone()),
            Cell::text(level.to_string()),
            Cell::text(
                item.parent
                    .and_then(|p| items.get(p))
                    .map(|p| p.text.chars().take(200).collect::<String>())
                    .unwrap_or_default(),
            ),
            Cell::text(date_in_text(&item.text).unwrap_or_default()),
        ];
        for l in &labels {
            cells.push(Cell::text(
                fields
                    .iter()
                    .find(|(x, _)| fold(x) == fold(l))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            ));
        }
        rows.push(Row {
            at: item.at,
            head: false,
            cells,
        });
    }
    Table {
        caption: None,
        rows,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::layout::testing::{plain_lines as lines, texts};

    #[test]
    fn nested_bullets_keep_their_parents_and_owner() {
        let out = tables_from_lists(lines(
            "Our objectives are as follows:\n\
             \x20 1. To reduce running costs by £2.1m this year\n\
             Lead Directorate: Corporate Services\n\
             Sub Objectives\n\
             \x20 • To deliver savings of £1.2m by March 2026\n\
             \x20     ◦ Review car parking tariffs by September 2025\n\
             \x20 • To spend £48m on community capital projects\n\
             \x20 1. To get more residents active in sport\n\
             Lead Directorate: Health\n\
             \x20 • To grow visits to leisure centres in 2025/26\n\
             Closing sentence of the page.",
        ));
        let Some(Block::Table(t)) = out.get(1) else {
            panic!("{out:?}")
        };
        let texts = texts(t);
        assert_eq!(
            texts[0],
            [
                "Ref",
                "Title",
                "Level",
                "Part of",
                "Due",
                "Lead Directorate"
            ]
        );
        assert_eq!(texts[1][0], "1");
        assert_eq!(texts[3][2], "2");
        assert_eq!(texts[3][3], "To deliver savings of £1.2m by March 2026");
        assert_eq!(texts[3][4], "September 2025");
        assert_eq!(texts[3][5], "Corporate Services");
        assert_eq!(texts[6][5], "Health");
        assert_eq!(texts[6][4], "2025/26");
        assert!(matches!(out.last(), Some(Block::Line(l)) if l.text.starts_with("Closing")));
    }

    #[test]
    fn a_short_menu_is_not_a_plan() {
        let blocks = lines("  • Home\n  • News\n  • Contact us\n  • Jobs");
        assert_eq!(tables_from_lists(blocks.clone()), blocks);
    }
}
