//! Rows that flow over several lines (text taken from a PDF whose table cells wrap): a
//! header line of glued column names, then for each row a reference and name, a polarity
//! line ("Good performance HIGH"), the figures in column order with traffic lights written
//! as their alternative text between them ("Octagon: R", "Up Arrow: G"), the responsible
//! officer, and an optional labelled commentary. The header's columns say what each figure
//! is; the last light is the rating and an arrow the direction.

use super::roles::{self, Role};
use waymark_read::{Block, Cell, Line, LineKind, Row, Table};

fn plain(b: &Block) -> Option<&Line> {
    match b {
        Block::Line(l) if l.kind == LineKind::Plain => Some(l),
        _ => None,
    }
}

/// The columns of a flowing table's header: a reference, a measure and two or more figures.
fn flowing_header(text: &str) -> Option<Vec<(Role, String)>> {
    if text.contains('\t') || text.contains("  ") || text.split_whitespace().count() > 30 {
        return None;
    }
    let columns = roles::segment_header(text);
    let has = |r: Role| columns.iter().any(|(x, _)| *x == r);
    let figures = columns
        .iter()
        .filter(|(r, _)| matches!(r, Role::Value | Role::Target))
        .count();
    (columns.len() >= 5 && has(Role::Reference) && has(Role::Measure) && figures >= 2)
        .then_some(columns)
}

/// "Octagon: R", "Up Arrow: G": a symbol's alternative text and its rating letter.
fn symbols(line: &str) -> (String, Vec<String>) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut rest: Vec<&str> = vec![];
    let mut found = vec![];
    let mut i = 0;
    while i < words.len() {
        let letter_after = |k: usize| {
            words
                .get(k)
                .is_some_and(|w| w.len() == 1 && w.chars().all(|c| c.is_ascii_uppercase()))
        };
        let word = words.get(i).copied().unwrap_or("");
        let next = words.get(i + 1).copied().unwrap_or("");
        if word.ends_with(':') && word.len() > 2 && letter_after(i + 1) {
            found.push(format!(
                "{word} {}",
                words.get(i + 1).copied().unwrap_or("")
            ));
            i += 2;
        } else if next.ends_with(':')
            && next.len() > 2
            && word.chars().next().is_some_and(char::is_uppercase)
            && letter_after(i + 2)
        {
            found.push(format!(
                "{word} {next} {}",
                words.get(i + 2).copied().unwrap_or("")
            ));
            i += 3;
        } else {
            rest.push(word);
            i += 1;
        }
    }
    (rest.join(" "), found)
}

fn is_figure(w: &str) -> bool {
    roles::is_number(w) || matches!(w, "-" | "–" | "n/a" | "N/A")
}

struct Flow {
    at: usize,
    reference: String,
    name: String,
    polarity: Option<String>,
    figures: Vec<String>,
    unit: Option<String>,
    words: Vec<String>,
    lights: Vec<String>,
    commentary: Option<String>,
}

/// Replace a flowing table by a table of one row per record.
pub(crate) fn tables_from_flowing(blocks: Vec<Block>) -> Vec<Block> {
    let Some((header_at, mut columns)) = blocks
        .iter()
        .enumerate()
        .find_map(|(i, b)| plain(b).and_then(|l| flowing_header(&l.text).map(|c| (i, c))))
    else {
        return blocks;
    };
    let mut i = header_at + 1;
    // A header word wrapped onto the next line on its own ("Trend").
    if let Some(l) = blocks.get(i).and_then(plain)
        && l.text.starts_with(' ')
        && l.text.split_whitespace().count() <= 2
    {
        columns.extend(roles::segment_header(l.text.trim()));
        i += 1;
    }
    let mut flows: Vec<Flow> = vec![];
    let mut headings: Vec<(usize, String)> = vec![];
    let mut end = i;
    let mut name_open = false;
    while let Some(line) = blocks.get(i).and_then(plain) {
        let t = line.text.trim();
        let first = t.split_whitespace().next().unwrap_or("");
        if t.is_empty() {
            name_open = false;
            i += 1;
            continue;
        }
        let letters = first.chars().filter(|c| c.is_alphabetic()).count();
        if roles::is_reference(first) && letters >= 2 && !t.contains(": ") {
            flows.push(Flow {
                at: line.at,
                reference: first.to_string(),
                name: t[first.len()..].trim().to_string(),
                polarity: None,
                figures: vec![],
                unit: None,
                words: vec![],
                lights: vec![],
                commentary: None,
            });
            name_open = true;
            i += 1;
            end = i;
            continue;
        }
        let Some(flow) = flows.last_mut() else {
            headings.push((0, t.to_string()));
            i += 1;
            continue;
        };
        // "Key: …" and prose after the table end it: a sentence once the row has its figures.
        let sentence =
            t.split_whitespace().count() >= 8 && t.ends_with(['.', '!', '?']) && !t.contains(':');
        if t.to_lowercase().starts_with("key") || (sentence && !flow.figures.is_empty()) {
            break;
        }
        if t.split_whitespace()
            .nth(1)
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            && t.ends_with(|c: char| c.is_alphabetic())
            && !t.split_whitespace().any(is_figure)
            && symbols(t).1.is_empty()
        {
            // "Theme 2: Cleaner streets" — a heading between rows.
            headings.push((flows.len(), t.to_string()));
            name_open = false;
        } else if let Some((_, value)) = t.split_once(':')
            && value.split_whitespace().count() >= 6
        {
            flow.commentary = Some(value.trim().to_string());
        } else if let Some((role, _)) = roles::header_roles(
            &t.split_whitespace().take(2).collect::<Vec<_>>().join(" "),
            &[],
        )
        .first()
        .filter(|(r, s)| *r == Role::Polarity && *s >= 90)
            && *role == Role::Polarity
        {
            flow.polarity = Some(t.to_string());
            name_open = false;
        } else if name_open {
            flow.name.push(' ');
            flow.name.push_str(t);
        } else {
            let (rest, lights) = symbols(t);
            flow.lights.extend(lights);
            for w in rest.split_whitespace() {
                if is_figure(w) {
                    flow.figures.push(w.to_string());
                } else if flow.figures.is_empty() && flow.unit.is_none() {
                    flow.unit = Some(w.to_string());
                } else {
                    flow.words.push(w.to_string());
                }
            }
        }
        i += 1;
        end = i;
    }
    if flows.len() < 2 {
        return blocks;
    }
    let table = table_of(&columns, &flows, &headings);
    let mut out: Vec<Block> = blocks.iter().take(header_at).cloned().collect();
    out.push(Block::Table(table));
    out.extend(blocks.iter().skip(end).cloned());
    out
}

fn table_of(columns: &[(Role, String)], flows: &[Flow], headings: &[(usize, String)]) -> Table {
    let mut header: Vec<String> = columns.iter().map(|(_, h)| h.clone()).collect();
    header.push("Good performance".into());
    header.push("Commentary".into());
    let width = header.len();
    let mut rows = vec![Row {
        at: flows.first().map_or(1, |f| f.at.saturating_sub(1)),
        head: true,
        cells: header.iter().map(|h| Cell::text(h.clone())).collect(),
    }];
    let mut headings_at: std::collections::HashMap<usize, Vec<&String>> =
        std::collections::HashMap::new();
    for (at, h) in headings {
        headings_at.entry(*at).or_default().push(h);
    }
    for (n, f) in flows.iter().enumerate() {
        for h in headings_at.get(&n).into_iter().flatten() {
            let mut cells = vec![Cell::text(h.as_str())];
            cells.resize(width, Cell::default());
            rows.push(Row {
                at: f.at.saturating_sub(1),
                head: false,
                cells,
            });
        }
        let mut figures = f.figures.iter();
        let arrows: Vec<&String> = f.lights.iter().filter(|l| l.contains("Arrow")).collect();
        let lights: Vec<&String> = f.lights.iter().filter(|l| !l.contains("Arrow")).collect();
        let mut cells: Vec<Cell> = columns
            .iter()
            .map(|(role, _)| {
                Cell::text(match role {
                    Role::Reference => f.reference.clone(),
                    Role::Measure | Role::Title => f.name.clone(),
                    Role::Unit => f.unit.clone().unwrap_or_default(),
                    Role::Value | Role::Target => figures.next().cloned().unwrap_or_default(),
                    Role::Owner | Role::Directorate | Role::Portfolio => f.words.join(" "),
                    Role::Status => lights.last().map(|s| s.to_string()).unwrap_or_default(),
                    Role::Direction => arrows.last().map(|s| s.to_string()).unwrap_or_default(),
                    _ => String::new(),
                })
            })
            .collect();
        cells.push(Cell::text(f.polarity.clone().unwrap_or_default()));
        cells.push(Cell::text(f.commentary.clone().unwrap_or_default()));
        rows.push(Row {
            at: f.at,
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
    fn rows_spread_over_lines_with_lights_between_values() {
        let text = "Report\n\
PI Ref No PI Description Meas. In Actual Jul Actual Aug Target Aug Responsible Officer Traffic Light\n\
\x20          Trend\n\
Theme 1: Listening to residents\n\
Strategic201 Percentage of enquiries closed\n\
\n\
Good performance HIGH\n\
% 81.40 Triangle: A\n\
84.02\n\
Circle: G\n\
85 Delia Farrant\n\
Up Arrow: G\n\
Monthly Performance:   The backlog was cleared once two caseworkers returned from leave.\n\
Strategic203 Stage 1 complaints responded to within 15\n\
working days\n\
\n\
Good performance LOW\n\
days 9.4 Octagon: R\n\
n/a\n\
8.5 Kwame Osei\n\
Right Arrow: A\n\
Key: Circle = on target.";
        let blocks = lines(text);
        let out = tables_from_flowing(blocks);
        let Some(Block::Table(t)) = out.get(1) else {
            panic!("{out:?}")
        };
        let texts = texts(t);
        assert_eq!(
            texts[0][..9],
            [
                "PI Ref No",
                "PI Description",
                "Meas. In",
                "Actual Jul",
                "Actual Aug",
                "Target Aug",
                "Responsible Officer",
                "Traffic Light",
                "Trend"
            ]
        );
        assert_eq!(texts[1][0], "Theme 1: Listening to residents");
        assert_eq!(
            texts[2][..9],
            [
                "Strategic201",
                "Percentage of enquiries closed",
                "%",
                "81.40",
                "84.02",
                "85",
                "Delia Farrant",
                "Circle: G",
                "Up Arrow: G"
            ]
        );
        assert_eq!(texts[2][9], "Good performance HIGH");
        assert!(texts[2][10].starts_with("The backlog"));
        assert_eq!(
            texts[3][1],
            "Stage 1 complaints responded to within 15 working days"
        );
        assert_eq!(texts[3][4], "n/a");
        assert!(matches!(out.last(), Some(Block::Line(l)) if l.text.starts_with("Key")));
    }
}
