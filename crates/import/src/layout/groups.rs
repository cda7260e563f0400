//! Items grouped under a status heading: a short heading that reads as a status
//! ("Revised completion date", "Suspended", "Deleted"), then each item as a title line —
//! usually ending in the service in brackets — followed by the reason in one or more lines.
//! Each group becomes rows of a table (title, service, status, reason).

use super::roles;
use waymark_domain::StatusLabels;
use waymark_read::{Block, Cell, Line, LineKind, Row, Table};

fn line_of(b: &Block) -> Option<&Line> {
    match b {
        Block::Line(l) if !matches!(l.kind, LineKind::Item(_)) => Some(l),
        _ => None,
    }
}

/// "Adopt the framework (Planning and Building Control)" → ("Adopt the framework",
/// "Planning and Building Control"); a bracket left open at the end is read the same way.
fn bracketed_owner(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        return None;
    }
    let open = t.rfind('(')?;
    let inner = t.get(open + 1..)?.trim_end_matches(')').trim();
    let title = t.get(..open)?.trim();
    let words = inner.split_whitespace().count();
    if title.split_whitespace().count() < 2 || words == 0 || words > 8 || inner.contains('(') {
        return None;
    }
    // The bracket closes at the very end, or never closes.
    let closes_at_end = t.ends_with(')');
    let never_closes = !t.get(open..)?.contains(')');
    (closes_at_end || never_closes).then(|| (title.to_string(), inner.to_string()))
}

/// A status heading: a short line with no sentence punctuation whose words read as a status.
fn status_heading(text: &str, labels: &StatusLabels) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.split_whitespace().count() <= 6
        && !t.ends_with(['.', ':', ';', ','])
        && roles::status_of(t, labels).is_some()
}

struct Item {
    at: usize,
    title: String,
    owner: String,
    status: String,
    reason: String,
}

/// Replace runs of status-headed groups by a table. At least two items are needed.
pub(crate) fn tables_from_groups(blocks: Vec<Block>, labels: &StatusLabels) -> Vec<Block> {
    let mut items: Vec<Item> = vec![];
    let mut out: Vec<Block> = vec![];
    let mut pending: Vec<Block> = vec![];
    let mut status: Option<String> = None;
    let flush = |items: &mut Vec<Item>, out: &mut Vec<Block>, pending: &mut Vec<Block>| {
        if items.len() >= 2 {
            out.push(Block::Table(table_of(std::mem::take(items))));
        } else {
            items.clear();
            out.append(pending);
        }
        pending.clear();
    };
    // For each block, the next block after it that is a line with text (one pass).
    let mut next_text: Vec<Option<usize>> = vec![None; blocks.len()];
    let mut seen: Option<usize> = None;
    for k in (0..blocks.len()).rev() {
        if let Some(slot) = next_text.get_mut(k) {
            *slot = seen;
        }
        match blocks.get(k) {
            Some(Block::Line(l)) if l.text.trim().is_empty() => {}
            Some(Block::Line(l)) if !matches!(l.kind, LineKind::Item(_)) => seen = Some(k),
            _ => seen = None,
        }
    }
    let mut i = 0;
    while i < blocks.len() {
        let Some(block) = blocks.get(i) else { break };
        let Some(line) = line_of(block) else {
            flush(&mut items, &mut out, &mut pending);
            status = None;
            out.push(block.clone());
            i += 1;
            continue;
        };
        let text = line.text.trim();
        let next_is_item = next_text.get(i).copied().flatten().is_some_and(|k| {
            blocks
                .get(k)
                .and_then(line_of)
                .is_some_and(|l| bracketed_owner(&l.text).is_some())
        });
        if status_heading(text, labels) && next_is_item {
            if status.is_none() {
                // Lines kept so far were not part of a group.
                out.append(&mut pending);
            }
            status = Some(text.to_string());
            pending.push(block.clone());
            i += 1;
            continue;
        }
        let Some(current) = status.clone() else {
            out.push(block.clone());
            i += 1;
            continue;
        };
        if text.is_empty() {
            pending.push(block.clone());
            i += 1;
            continue;
        }
        if let Some((title, owner)) = bracketed_owner(text) {
            items.push(Item {
                at: line.at,
                title,
                owner,
                status: current,
                reason: String::new(),
            });
            pending.push(block.clone());
            i += 1;
            continue;
        }
        // A reason line (or its continuation) belongs to the item before it.
        match items.last_mut() {
            Some(item)
                if item.reason.is_empty() || !item.reason.ends_with('.') || starts_lower(text) =>
            {
                if !item.reason.is_empty() {
                    item.reason.push(' ');
                }
                item.reason.push_str(text);
                pending.push(block.clone());
                i += 1;
            }
            _ => {
                // Prose after the groups ends them.
                flush(&mut items, &mut out, &mut pending);
                status = None;
            }
        }
    }
    flush(&mut items, &mut out, &mut pending);
    out
}

fn starts_lower(t: &str) -> bool {
    t.chars().next().is_some_and(char::is_lowercase)
}

fn table_of(items: Vec<Item>) -> Table {
    let header = ["Title", "Service", "Status", "Reason"];
    let mut rows = vec![Row {
        at: items.first().map_or(1, |i| i.at),
        head: true,
        cells: header.iter().map(|h| Cell::text(*h)).collect(),
    }];
    for item in items {
        rows.push(Row {
            at: item.at,
            head: false,
            cells: vec![
                Cell::text(item.title),
                Cell::text(item.owner),
                Cell::text(item.status),
                Cell::text(item.reason),
            ],
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
    use crate::layout::testing::{first_table, plain_lines as lines, texts};

    #[test]
    fn status_headings_give_their_items_a_status() {
        let blocks = lines(
            "Intro prose.\n\nSuspended\n\nDevelop a business case (Finance)\nSuspended in July.\n\
             Pilot a library (Communities\nThe bid failed; the pilot\nwaits for funding.\n\n\
             Deleted\nHold a consultation (Parking)\nNo longer appropriate.\n\nClosing prose.",
        );
        let out = tables_from_groups(blocks, &StatusLabels::default());
        let table = first_table(&out).unwrap();
        let texts = texts(table);
        assert_eq!(texts.len(), 4);
        assert_eq!(
            texts[2],
            [
                "Pilot a library",
                "Communities",
                "Suspended",
                "The bid failed; the pilot waits for funding."
            ]
        );
        assert_eq!(texts[3][2], "Deleted");
        assert!(
            out.iter()
                .any(|b| matches!(b, Block::Line(l) if l.text == "Closing prose."))
        );
        assert!(
            out.iter()
                .any(|b| matches!(b, Block::Line(l) if l.text == "Intro prose."))
        );
    }

    #[test]
    fn brackets_inside_sentences_are_not_owners() {
        assert!(bracketed_owner("We met the target (just).").is_none());
        assert!(bracketed_owner("Open (a hub) in the west").is_none());
        assert_eq!(
            bracketed_owner("Hold a consultation on charges (Parking Services"),
            Some((
                "Hold a consultation on charges".into(),
                "Parking Services".into()
            ))
        );
    }
}
