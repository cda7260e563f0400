//! The action delivery plan: activities in tables under directorate headings, each with the
//! cabinet member portfolio(s) responsible and an end date.
//!
//! Bexley's page glues the three columns together
//! (`…the support they needAdults’ Services & HealthJune 2023`). The end date is found as a
//! due-date suffix; the portfolio is *inferred*: every place where a non-space character is
//! followed by an upper-case letter could be where the title ends, and the suffixes that repeat
//! across rows (or that the council's vocabulary names) are the portfolios. Tab- and
//! space-separated tables are read by column.

use crate::columns::{self, ColumnSpec, Header, Layout};
use crate::due_suffix::split_due_suffix;
use crate::error::ImportError;
use crate::prose::strip_heading_suffix;
use crate::source::{Line, Source};
use crate::tables;
use crate::vocabulary::Vocabulary;
use std::collections::{HashMap, HashSet};
use waymark_domain::{ActionPlan, DueCell, DueDate, PlannedActivity};

pub(crate) const HEADER: &[ColumnSpec] = &[
    ColumnSpec {
        key: "title",
        aliases: &[
            "Activity",
            "Activities",
            "Action",
            "Actions",
            "Deliverable",
            "Deliverables",
            "Title",
            "Description",
        ],
        optional: false,
    },
    ColumnSpec {
        key: "portfolio",
        aliases: &[
            "Cabinet Member",
            "Cabinet Members",
            "Cabinet Lead",
            "Lead Cabinet Member",
            "Lead Member",
            "Portfolio Holder",
            "Portfolio",
            "Portfolios",
        ],
        optional: false,
    },
    ColumnSpec {
        key: "due",
        aliases: &[
            "End date",
            "Due date",
            "Target date",
            "Completion date",
            "Deadline",
            "Timescale",
            "Timescales",
            "Due",
            "Date",
        ],
        optional: false,
    },
];

/// Is this line an action-plan table header?
pub(crate) fn is_header(line: &str) -> bool {
    columns::match_header(line, HEADER).is_some_and(|h| h.extra.is_empty())
}

/// The end date found at the end of each glued row, by line number: (where it starts, what
/// it says).
type Dues = HashMap<usize, (usize, DueDate)>;

/// Portfolio suffixes are short; only this many characters at the end of a row are searched.
const MAX_PORTFOLIO_CHARS: usize = 120;
/// A note typed into the end-date column is a sentence or two at most.
const MAX_NOTE_CHARS: usize = 300;

struct Table<'a> {
    header_line: usize,
    header: Header,
    directorate: String,
    body: Vec<Line<'a>>,
}

pub(crate) fn parse(src: &Source, vocab: &Vocabulary) -> Result<ActionPlan, ImportError> {
    let lines: Vec<Line<'_>> = src.lines().collect();
    let title = src
        .first_line()
        .map(|l| columns::squash(l.text))
        .unwrap_or_default();
    let last_updated = lines.iter().find_map(|l| last_updated(l.text));

    let tables = find_tables(&lines);
    if tables.is_empty() {
        return Err(src.error(
            "no activity table found: expected a header line naming the columns Activity, \
             Cabinet Member and End date (glued, tab- or space-separated)",
        ));
    }
    for t in &tables {
        if t.body.is_empty() {
            return Err(src.error_at(
                t.header_line,
                format!(
                    "the table{} has a header but no rows; the file may be cut off",
                    if t.directorate.is_empty() {
                        String::new()
                    } else {
                        format!(" for '{}'", t.directorate)
                    }
                ),
            ));
        }
    }

    // Portfolios are learned from the whole document, not table by table.
    // Each glued row's end date, read once.
    let dues: Dues = tables
        .iter()
        .filter(|t| t.header.layout == Layout::Glued)
        .flat_map(|t| t.body.iter())
        .filter_map(|l| split_due_suffix(l.text).map(|d| (l.no, d)))
        .collect();
    let glued_rows: Vec<Line<'_>> = tables
        .iter()
        .filter(|t| t.header.layout == Layout::Glued)
        .flat_map(|t| t.body.iter().copied())
        .collect();
    let known = Known::from_glued_rows(&glued_rows, &dues, vocab);
    let cell_known = Known::from_cells(&tables, vocab);

    let mut activities = vec![];
    for t in &tables {
        let before = activities.len();
        match t.header.layout {
            Layout::Glued => parse_glued(src, t, &known, &dues, &mut activities)?,
            Layout::Tabs | Layout::Spaced => parse_cells(src, t, &cell_known, &mut activities)?,
        }
        if activities.len() == before {
            return Err(src.error_at(t.header_line, "the table has a header but no rows"));
        }
    }
    Ok(ActionPlan {
        title,
        last_updated,
        activities,
    })
}

/// "Last updated: December 2024" → "December 2024". A bare "Updated" needs its colon, so a
/// row such as "Updated guidance for schools…" is never taken for it.
fn last_updated(line: &str) -> Option<String> {
    for (label, needs_colon) in [
        ("last updated", false),
        ("last reviewed", false),
        ("updated", true),
    ] {
        if !columns::starts_with_ci(line, label) {
            continue;
        }
        let rest = line.get(label.len()..)?.trim_start();
        if needs_colon && !rest.starts_with(':') {
            continue;
        }
        let rest = rest.trim_start_matches([':', ' ', '-', '–']).trim();
        if !rest.is_empty() && columns::word_count(rest) <= 5 {
            return Some(rest.to_string());
        }
    }
    None
}

fn find_tables<'a>(lines: &[Line<'a>]) -> Vec<Table<'a>> {
    let is_row = |t: &str| split_due_suffix(t).is_some();
    tables::find(lines, HEADER, &|h| h.extra.is_empty(), &is_row)
        .into_iter()
        .map(|t| Table {
            header_line: t.header_line,
            header: t.header,
            directorate: t
                .heading
                .map(|l| strip_heading_suffix(l.text))
                .unwrap_or_default(),
            body: t
                .body
                .into_iter()
                .take_while(|l| last_updated(l.text).is_none())
                .filter(|l| !l.text.is_empty())
                .collect(),
        })
        .collect()
}

/// What the document teaches about portfolio names: how many distinct rows end with each
/// candidate suffix, plus the council's vocabulary.
struct Known<'v> {
    support: HashMap<String, usize>,
    vocab: &'v Vocabulary,
}

/// How good a reading is: named in the vocabulary, not inside an acronym, how many rows
/// support it, how long it is. Compared in that order.
type Rank = (bool, bool, usize, usize);

/// A row read as title, portfolio(s) and a note in the date column.
type TitleNote = (String, Vec<String>, String);

/// A way to read the end of a row as portfolio(s).
#[derive(Debug, Clone)]
struct Reading {
    portfolios: Vec<String>,
    in_vocab: bool,
    support: usize,
}

impl<'v> Known<'v> {
    fn from_glued_rows(rows: &[Line<'_>], dues: &Dues, vocab: &'v Vocabulary) -> Self {
        let mut distinct: HashSet<&str> = HashSet::new();
        for row in rows {
            if let Some((i, _)) = dues.get(&row.no)
                && let Some(prefix) = row.text.get(..*i)
            {
                let prefix = prefix.trim_end();
                if !prefix.is_empty() {
                    distinct.insert(prefix);
                }
            }
        }
        let mut support: HashMap<String, usize> = HashMap::new();
        for prefix in distinct {
            let mut seen = HashSet::new();
            for g in tail_glue_points(prefix) {
                if let Some(s) = prefix.get(g..) {
                    let s = s.trim();
                    if seen.insert(s) {
                        *support.entry(s.to_string()).or_default() += 1;
                    }
                }
            }
        }
        Known { support, vocab }
    }

    fn from_cells(tables: &[Table<'_>], vocab: &'v Vocabulary) -> Self {
        let mut support: HashMap<String, usize> = HashMap::new();
        for t in tables.iter().filter(|t| t.header.layout != Layout::Glued) {
            let Some(pi) = t.header.index_of("portfolio") else {
                continue;
            };
            for l in &t.body {
                if let Some(cell) = columns::cells(l.text, t.header.layout).get(pi)
                    && !cell.is_empty()
                {
                    *support.entry(cell.to_string()).or_default() += 1;
                }
            }
        }
        Known { support, vocab }
    }

    /// A single portfolio name the document or vocabulary knows: (in vocabulary, support).
    fn single(&self, s: &str) -> Option<(bool, usize)> {
        let support = self.support.get(s).copied().unwrap_or(0);
        if self.vocab.is_portfolio(s) {
            Some((true, support))
        } else if support >= 2 {
            Some((false, support))
        } else {
            None
        }
    }

    /// Read text as one known portfolio, or as several written one after another
    /// ("Education Growth"), preferring fewer parts.
    fn reading(&self, s: &str) -> Option<Reading> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if let Some((in_vocab, support)) = self.single(s) {
            return Some(Reading {
                portfolios: vec![s.to_string()],
                in_vocab,
                support,
            });
        }
        // Word boundaries where a second portfolio could start.
        let mut starts = vec![0usize];
        let mut prev_space = false;
        for (i, c) in s.char_indices() {
            if !c.is_whitespace() && prev_space {
                starts.push(i);
            }
            prev_space = c.is_whitespace() || c == ',' || c == ';';
        }
        if starts.len() > 24 {
            return None;
        }
        self.decompose(s, &starts)
    }

    /// Dynamic programme over word starts, from the end: `best[k]` reads the text from the
    /// k-th word start to the end as the fewest known portfolios.
    fn decompose(&self, s: &str, starts: &[usize]) -> Option<Reading> {
        let n = starts.len();
        let mut best: Vec<Option<Reading>> = vec![None; n];
        best.push(Some(Reading {
            portfolios: vec![],
            in_vocab: true,
            support: usize::MAX,
        }));
        for (k, &from) in starts.iter().enumerate().rev() {
            let mut here: Option<Reading> = None;
            for j in k + 1..=n {
                let to = starts.get(j).copied().unwrap_or(s.len());
                let Some(part) = s.get(from..to) else {
                    continue;
                };
                let part = part.trim().trim_end_matches([',', ';']).trim();
                let Some((in_vocab, support)) = self.single(part) else {
                    continue;
                };
                let Some(Some(rest)) = best.get(j) else {
                    continue;
                };
                if here
                    .as_ref()
                    .is_none_or(|b| rest.portfolios.len() + 1 < b.portfolios.len())
                {
                    let mut portfolios = vec![part.to_string()];
                    portfolios.extend(rest.portfolios.iter().cloned());
                    here = Some(Reading {
                        portfolios,
                        in_vocab: in_vocab && rest.in_vocab,
                        support: support.min(rest.support),
                    });
                }
            }
            if let Some(slot) = best.get_mut(k) {
                *slot = here;
            }
        }
        best.into_iter().next().flatten()
    }

    /// Split `title+portfolio(s)` glued together. The candidate split points are glue points;
    /// the reading preferred is: named in the vocabulary, then not inside an acronym, then the
    /// best-supported, then the longest.
    fn split_title(&self, text: &str) -> Option<(String, Vec<String>)> {
        let text = text.trim();
        let mut best: Option<(Rank, usize, Reading)> = None;
        for g in tail_glue_points(text) {
            let title = text.get(..g).unwrap_or("").trim();
            if title.is_empty() {
                continue;
            }
            let Some(suffix) = text.get(g..) else {
                continue;
            };
            if let Some(r) = self.reading(suffix) {
                let key = (
                    r.in_vocab,
                    !columns::is_weak_glue(text, g),
                    r.support,
                    suffix.len(),
                );
                if best.as_ref().is_none_or(|(k, _, _)| key > *k) {
                    best = Some((key, g, r));
                }
            }
        }
        let (_, g, r) = best?;
        Some((text.get(..g)?.trim().to_string(), r.portfolios))
    }

    /// Split `title+portfolio(s)+note` (a note typed into the date column).
    fn split_title_note(&self, text: &str) -> Option<TitleNote> {
        let text = text.trim();
        // The portfolio and the note sit at the end; notes are sentences, not essays.
        let floor = text
            .char_indices()
            .rev()
            .nth(MAX_PORTFOLIO_CHARS + MAX_NOTE_CHARS)
            .map_or(0, |(i, _)| i);
        let points: Vec<usize> = columns::glue_points(text)
            .into_iter()
            .filter(|&g| g >= floor)
            .collect();
        let mut best: Option<(Rank, TitleNote)> = None;
        for (a, &g1) in points.iter().enumerate() {
            let title = text.get(..g1).unwrap_or("").trim();
            if title.is_empty() {
                continue;
            }
            for &g2 in points.iter().skip(a + 1) {
                let (Some(mid), Some(note)) = (text.get(g1..g2), text.get(g2..)) else {
                    continue;
                };
                if mid.chars().count() > MAX_PORTFOLIO_CHARS {
                    break;
                }
                if let Some(r) = self.reading(mid) {
                    let key = (
                        r.in_vocab,
                        !columns::is_weak_glue(text, g1),
                        r.support,
                        mid.len(),
                    );
                    if best.as_ref().is_none_or(|(k, ..)| key > *k) {
                        best = Some((
                            key,
                            (title.to_string(), r.portfolios, note.trim().to_string()),
                        ));
                    }
                }
            }
        }
        best.map(|(_, found)| found)
    }
}

/// Glue points near the end of a row (where a portfolio could start).
fn tail_glue_points(text: &str) -> Vec<usize> {
    let floor = text
        .char_indices()
        .rev()
        .nth(MAX_PORTFOLIO_CHARS)
        .map_or(0, |(i, _)| i);
    columns::glue_points(text)
        .into_iter()
        .filter(|&g| g >= floor)
        .collect()
}

/// A title as the plan writes it, without a single trailing full stop.
pub(crate) fn clean_title(title: &str) -> String {
    let t = columns::squash(title);
    match t.strip_suffix('.') {
        Some(s) if !s.ends_with('.') => s.trim_end().to_string(),
        _ => t,
    }
}

/// A row being assembled from one or more lines.
struct Pending {
    line: usize,
    title: Vec<String>,
    portfolios: Vec<String>,
}

fn parse_glued(
    src: &Source,
    t: &Table<'_>,
    known: &Known<'_>,
    dues: &Dues,
    out: &mut Vec<PlannedActivity>,
) -> Result<(), ImportError> {
    let no_portfolio = |line: usize| {
        src.error_at(
            line,
            "cannot tell where the activity ends and the cabinet member begins; add the \
             portfolio to the council vocabulary file (portfolios = [...]) or separate the \
             columns with tabs",
        )
        .in_field("cabinet member")
    };
    let no_date = |line: usize| {
        src.error_at(
            line,
            "this row has no end date; the file may be cut off, or the date is missing",
        )
        .in_field("end date")
    };
    let finish =
        |p: Pending, due: DueCell, out: &mut Vec<PlannedActivity>| -> Result<(), ImportError> {
            if p.portfolios.is_empty() {
                return Err(no_portfolio(p.line));
            }
            let title = clean_title(&p.title.join(" "));
            if title.is_empty() {
                return Err(src
                    .error_at(p.line, "this row has no activity title")
                    .in_field("activity"));
            }
            out.push(PlannedActivity {
                line: p.line,
                directorate: t.directorate.clone(),
                title,
                portfolios: p.portfolios,
                due,
                reference: None,
                extras: vec![],
                place: None,
            });
            Ok(())
        };
    let mut pending: Option<Pending> = None;
    for l in &t.body {
        let text = l.text;
        let due_split = dues.get(&l.no).map(|(i, _)| *i);
        if crate::prose::is_section_heading(text) && due_split.is_none() {
            return Err(src.error_at(
                l.no,
                format!("the section '{text}' has no table under it; the file may be cut off"),
            ));
        }
        if let Some(i) = due_split {
            let prefix = text.get(..i).unwrap_or("").trim();
            let due = DueCell::parse(text.get(i..).unwrap_or("").trim());
            if prefix.is_empty() {
                // The end date on a line of its own closes a row that spans lines.
                match pending.take() {
                    Some(p) => finish(p, due, out)?,
                    None => {
                        return Err(src.error_at(
                            l.no,
                            "an end date on its own line, with no activity before it",
                        ));
                    }
                }
                continue;
            }
            if let Some(mut p) = pending.take() {
                if let (false, Some(r)) = (p.portfolios.is_empty(), known.reading(prefix)) {
                    // "…budgetGrowth" / "Deputy Leader of the Council / Resources2023 to 2024"
                    p.portfolios.extend(r.portfolios);
                    finish(p, due, out)?;
                    continue;
                }
                if let (true, Some((title, ps))) =
                    (p.portfolios.is_empty(), known.split_title(prefix))
                {
                    // A title wrapped over lines.
                    p.title.push(title);
                    p.portfolios = ps;
                    finish(p, due, out)?;
                    continue;
                }
                return Err(if p.portfolios.is_empty() {
                    no_portfolio(p.line)
                } else {
                    no_date(p.line)
                });
            }
            let (title, portfolios) = known
                .split_title(prefix)
                .ok_or_else(|| no_portfolio(l.no))?;
            finish(
                Pending {
                    line: l.no,
                    title: vec![title],
                    portfolios,
                },
                due,
                out,
            )?;
            continue;
        }
        // No end date on this line.
        if let Some(r) = known.reading(text) {
            match pending.as_mut() {
                Some(p) => {
                    p.portfolios.extend(r.portfolios);
                    continue;
                }
                None => {
                    return Err(src.error_at(
                        l.no,
                        "a cabinet member on its own line, with no activity before it",
                    ));
                }
            }
        }
        if let Some((title, portfolios)) = known.split_title(text) {
            match pending.take() {
                Some(mut p) if p.portfolios.is_empty() => {
                    p.title.push(title);
                    p.portfolios = portfolios;
                    pending = Some(p);
                }
                Some(p) => return Err(no_date(p.line)),
                None => {
                    pending = Some(Pending {
                        line: l.no,
                        title: vec![title],
                        portfolios,
                    })
                }
            }
            continue;
        }
        if let Some((title, portfolios, note)) = known.split_title_note(text) {
            let mut p = match pending.take() {
                Some(p) if p.portfolios.is_empty() => p,
                Some(p) => return Err(no_date(p.line)),
                None => Pending {
                    line: l.no,
                    title: vec![],
                    portfolios: vec![],
                },
            };
            p.title.push(title);
            p.portfolios = portfolios;
            finish(p, DueCell::parse(&note), out)?;
            continue;
        }
        match pending.take() {
            // Text after the portfolio: a note in the date column on its own line.
            Some(p) if !p.portfolios.is_empty() => finish(p, DueCell::parse(text), out)?,
            Some(mut p) => {
                p.title.push(text.to_string());
                pending = Some(p);
            }
            None => {
                pending = Some(Pending {
                    line: l.no,
                    title: vec![text.to_string()],
                    portfolios: vec![],
                })
            }
        }
    }
    if let Some(p) = pending {
        return Err(if p.portfolios.is_empty() {
            no_portfolio(p.line)
        } else {
            no_date(p.line)
        });
    }
    Ok(())
}

fn parse_cells(
    src: &Source,
    t: &Table<'_>,
    known: &Known<'_>,
    out: &mut Vec<PlannedActivity>,
) -> Result<(), ImportError> {
    let (Some(ti), Some(pi), Some(di)) = (
        t.header.index_of("title"),
        t.header.index_of("portfolio"),
        t.header.index_of("due"),
    ) else {
        return Err(src.error_at(
            t.header_line,
            "the header does not name the activity, cabinet member and end date columns",
        ));
    };
    let width = t.header.columns.len();
    for l in &t.body {
        let cells = columns::cells(l.text, t.header.layout);
        if cells.len() < width.min(di + 1).max(pi + 1) {
            return Err(src.error_at(
                l.no,
                format!(
                    "expected {width} columns (activity, cabinet member, end date) separated \
                     by {}, found {}; the row may be cut off",
                    if t.header.layout == Layout::Tabs {
                        "tabs"
                    } else {
                        "two or more spaces"
                    },
                    cells.len()
                ),
            ));
        }
        let title = clean_title(cells.get(ti).copied().unwrap_or(""));
        if title.is_empty() {
            return Err(src
                .error_at(l.no, "this row has no activity title")
                .in_field("activity"));
        }
        let cell = cells.get(pi).copied().unwrap_or("").trim();
        if cell.is_empty() {
            return Err(src
                .error_at(l.no, "this row names no cabinet member")
                .in_field("cabinet member"));
        }
        let portfolios = match known.reading(cell) {
            Some(r) => r.portfolios,
            None => {
                let parts: Vec<String> = cell
                    .split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect();
                parts
            }
        };
        let due = DueCell::parse(cells.get(di).copied().unwrap_or("").trim());
        out.push(PlannedActivity {
            line: l.no,
            directorate: t.directorate.clone(),
            title,
            portfolios,
            due,
            reference: None,
            extras: vec![],
            place: None,
        });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plan(text: &str) -> Result<ActionPlan, ImportError> {
        parse(&Source::from_text("t.txt", text), &Vocabulary::default())
    }

    #[test]
    fn infers_portfolios_from_repeats() {
        let p = plan(
            "Place Directorate action delivery plan\nActivityCabinet MemberEnd date\n\
             Refresh our ICT systemsPlaces2023\n\
             Open new libraries.PlacesOngoing\n\
             Delivery of BexleyCo Business Plan.Deputy Leader / ResourcesOngoing\n\
             Review lease for Broadway.Deputy Leader / ResourcesQ2 2023 to 2024\n\
             Promote lifelong education.Places Deputy Leader / ResourcesOngoing\n",
        )
        .unwrap();
        let got: Vec<(&str, Vec<&str>)> = p
            .activities
            .iter()
            .map(|a| {
                (
                    a.title.as_str(),
                    a.portfolios.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("Refresh our ICT systems", vec!["Places"]),
                ("Open new libraries", vec!["Places"]),
                (
                    "Delivery of BexleyCo Business Plan",
                    vec!["Deputy Leader / Resources"]
                ),
                (
                    "Review lease for Broadway",
                    vec!["Deputy Leader / Resources"]
                ),
                (
                    "Promote lifelong education",
                    vec!["Places", "Deputy Leader / Resources"]
                ),
            ]
        );
        assert_eq!(p.activities[0].directorate, "Place");
    }

    #[test]
    fn vocabulary_names_a_portfolio_used_once() {
        let text = "Place action plan\nActivityCabinet MemberEnd date\nOpen the new CCTV networkCommunity SafetyOngoing\n";
        assert!(plan(text).is_err());
        let vocab = Vocabulary {
            portfolios: vec!["Community Safety".into()],
            ..Vocabulary::default()
        };
        let p = parse(&Source::from_text("t.txt", text), &vocab).unwrap();
        assert_eq!(p.activities[0].title, "Open the new CCTV network");
        assert_eq!(p.activities[0].portfolios, vec!["Community Safety"]);
    }

    #[test]
    fn last_updated_lines() {
        assert_eq!(
            last_updated("Last updated: December 2024").as_deref(),
            Some("December 2024")
        );
        assert_eq!(
            last_updated("LAST UPDATED 3 March 2025").as_deref(),
            Some("3 March 2025")
        );
        assert_eq!(
            last_updated("Updated: May 2023").as_deref(),
            Some("May 2023")
        );
        assert_eq!(
            last_updated("Updated guidance for schoolsEducationOngoing"),
            None
        );
        assert_eq!(last_updated("Last updated"), None);
    }

    #[test]
    fn header_without_rows_is_an_error() {
        let e = plan("Action delivery plan\n\nPlace Directorate action delivery plan\nActivityCabinet MemberEnd date\n\n").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("no rows"), "{e}");
    }

    #[test]
    fn cut_off_row_is_an_error() {
        let e = plan("Place action plan\nActivityCabinet MemberEnd date\nOpen librariesPlacesOngoing\nClose librariesPlacesOngoing\nReview parksPla\n").unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
    }

    #[test]
    fn tab_and_space_separated_tables() {
        for sep in ["\t", "   "] {
            let text = format!(
                "Place Directorate action delivery plan\nActivity{sep}Cabinet Member{sep}End date\n\
                 Open libraries{sep}Places{sep}Ongoing\nGrow things{sep}Growth{sep}2023\n\
                 Close things{sep}Places Growth{sep}TBC\nMore things{sep}Places{sep}TBC\n\
                 Even more{sep}Growth{sep}2024\n"
            );
            let p = plan(&text).unwrap();
            assert_eq!(p.activities.len(), 5);
            assert_eq!(p.activities[2].portfolios, vec!["Places", "Growth"]);
            assert_eq!(p.activities[2].title, "Close things");
        }
    }

    const PORTFOLIOS: &[&str] = &[
        "Adults’ Services & Health",
        "Children's Services",
        "Deputy Leader of the Council / Resources",
        "Growth",
        "Places",
        "Leader of the Council",
    ];
    const DUES: &[&str] = &[
        "October 2023",
        "Q4 2022 to 2023",
        "2022 to 2023",
        "2023",
        "Annual Q3",
        "Ongoing",
        "TBC",
        "15 years",
    ];

    proptest! {
        #[test]
        fn glued_rows_split_back_into_their_cells(
            rows in proptest::collection::vec(
                ("[A-Z][a-z]{2,9}( [a-z]{1,9}){0,8}\\.?", 0..PORTFOLIOS.len(), 0..DUES.len()),
                1..12,
            )
        ) {
            // Every portfolio is used at least twice, as in a real plan.
            let mut text = String::from("Action delivery plan\n\nPlace Directorate action delivery plan\nActivityCabinet MemberEnd date\n");
            for (i, p) in PORTFOLIOS.iter().enumerate() {
                for n in 0..2 {
                    text.push_str(&format!("Filler activity {i} {n}{p}Ongoing\n"));
                }
            }
            for (title, p, d) in &rows {
                text.push_str(&format!("{title}{}{}\n", PORTFOLIOS[*p], DUES[*d]));
            }
            let plan = plan(&text).unwrap();
            prop_assert_eq!(plan.activities.len(), PORTFOLIOS.len() * 2 + rows.len());
            for (a, (title, p, d)) in plan.activities.iter().skip(PORTFOLIOS.len() * 2).zip(&rows) {
                prop_assert_eq!(&a.title, &clean_title(title));
                prop_assert_eq!(&a.portfolios, &vec![PORTFOLIOS[*p].to_string()]);
                let due_text = match &a.due {
                    DueCell::Date(date) => date.text.clone(),
                    DueCell::Note(n) => n.clone(),
                };
                prop_assert_eq!(due_text, DUES[*d]);
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,400}") {
            let _ = plan(&s);
            let _ = plan(&format!("ActivityCabinet MemberEnd date\n{s}"));
        }
    }
}
