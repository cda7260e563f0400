//! The three reports, each built from the sources into a [`Document`]: what they say and in
//! which order. Formats decide only how it looks.

use crate::ReportError;
use crate::document::{
    Bar, Cell, Chart, Claim, Column, ColumnKind, Document, Headline, Kind, STATUS_ORDER, Section,
    Segment, Table, status_label,
};
use crate::sources::Sources;
use std::collections::{HashMap, HashSet};
use waymark_domain::records::{ActivityRecord, ReturnRecord};
use waymark_domain::stats::{Breakdown, PeriodStats, StatusCounts, natural_key, unique_returns};
use waymark_domain::text::fold;
use waymark_domain::{Period, Quarter, Status};
use waymark_store::ThemeView;

/// What to report on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub kind: Kind,
    pub period: Period,
    /// The cabinet portfolio of a portfolio report, as published (matched loosely).
    pub portfolio: Option<String>,
}

pub fn build(sources: &Sources, request: &Request) -> Result<Document, ReportError> {
    let period = request.period;
    let stats = sources.stats.get(&period).ok_or_else(|| {
        ReportError::Unavailable(format!(
            "nothing has been reported for {}",
            period_name(period)
        ))
    })?;
    let view = View::new(sources, period);
    let mut doc = match request.kind {
        Kind::Annual => annual(sources, &view, stats),
        Kind::Exceptions => exceptions(sources, &view, stats),
        Kind::Portfolio => {
            let asked = request.portfolio.as_deref().ok_or_else(|| {
                ReportError::Unavailable(format!(
                    "a portfolio report needs --portfolio NAME; portfolios: {}",
                    portfolio_names(sources).join("; ")
                ))
            })?;
            let name = portfolio_names(sources)
                .into_iter()
                .find(|n| fold(n) == fold(asked) || crate::slug(n) == crate::slug(asked))
                .ok_or_else(|| {
                    ReportError::Unavailable(format!(
                        "no cabinet portfolio is called '{asked}'; portfolios: {}",
                        portfolio_names(sources).join("; ")
                    ))
                })?;
            portfolio(sources, &view, stats, &name)
        }
    };
    if let Some(scope) = sources.scope {
        doc.introduction.push(scope.to_string());
    }
    Ok(doc)
}

/// Every cabinet portfolio named in the plan, in order of first appearance.
pub fn portfolio_names(sources: &Sources) -> Vec<String> {
    let mut seen = HashSet::new();
    sources
        .activities
        .iter()
        .flat_map(|a| a.portfolios.iter())
        .filter(|p| !p.trim().is_empty() && seen.insert(fold(p)))
        .cloned()
        .collect()
}

/// "2024/25 Q4 (year end)"
pub fn period_name(period: Period) -> String {
    match period.quarter {
        Quarter::Q4 => format!("{period} (year end)"),
        _ => period.to_string(),
    }
}

/// One period's counted returns, each with its activity where there is one.
struct View<'a> {
    period: Period,
    lines: Vec<Line<'a>>,
    by_id: HashMap<i64, &'a ActivityRecord>,
}

#[derive(Clone, Copy)]
struct Line<'a> {
    ret: &'a ReturnRecord,
    activity: Option<&'a ActivityRecord>,
}

impl<'a> View<'a> {
    fn new(sources: &Sources<'a>, period: Period) -> View<'a> {
        let by_id: HashMap<i64, &ActivityRecord> =
            sources.activities.iter().map(|a| (a.id, a)).collect();
        let lines = sources
            .returns
            .get(&period)
            .map(|rs| {
                unique_returns(rs)
                    .into_iter()
                    .map(|ret| Line {
                        ret,
                        activity: ret.activity_id.and_then(|id| by_id.get(&id).copied()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        View {
            period,
            lines,
            by_id,
        }
    }

    fn statuses(&self, sources: &Sources<'a>, period: Period) -> HashMap<String, (Status, String)> {
        sources
            .returns
            .get(&period)
            .map(|rs| {
                unique_returns(rs)
                    .into_iter()
                    .map(|r| (identity(r), (r.status, title_of(r, &self.by_id))))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What identifies an activity across periods: its id, else its published reference.
fn identity(r: &ReturnRecord) -> String {
    match r.activity_id {
        Some(id) => format!("#{id}"),
        None => format!("ref:{}", fold(&r.reference)),
    }
}

fn title_of(r: &ReturnRecord, by_id: &HashMap<i64, &ActivityRecord>) -> String {
    r.activity_id
        .and_then(|id| by_id.get(&id))
        .map_or_else(|| r.title.clone(), |a| a.title.clone())
}

fn headline(stats: &PeriodStats) -> Headline {
    Headline {
        figure: format!(
            "{} of {} ({})",
            stats.numerator,
            stats.denominator,
            percent(stats.percent)
        ),
        numerator: stats.numerator,
        denominator: stats.denominator,
        percent: stats.percent,
        label: format!("activities {}", stats.rule_name),
        rule: stats.rule.clone(),
        claims: stats
            .claims
            .iter()
            .map(|c| Claim {
                text: c.text.clone(),
                checked: c.checked,
                consistent: c.consistent,
                note: c.note.clone(),
            })
            .collect(),
    }
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "n/a".into(), |p| format!("{p:.1}%"))
}

fn document(sources: &Sources, kind: Kind, title: String, period: Period) -> Document {
    Document {
        kind,
        title,
        council: sources.org.name.clone(),
        period: period_name(period),
        subject: None,
        draft: sources.draft,
        generated: sources.today.format("%-d %B %Y").to_string(),
        introduction: vec![],
        headline: None,
        sections: vec![],
    }
}

/// Hands out spreadsheet tab names: short, unique, and free of the characters Excel refuses.
#[derive(Default)]
struct Sheets(HashSet<String>);

impl Sheets {
    fn name(&mut self, wanted: &str) -> String {
        let clean: String = wanted
            .chars()
            .map(|c| if "[]:*?/\\'".contains(c) { ' ' } else { c })
            .collect();
        let base: String = clean.trim().chars().take(31).collect();
        let base = if base.trim().is_empty() {
            "Table".to_string()
        } else {
            base.trim().to_string()
        };
        // Spreadsheets allow 31 characters: a number to tell names apart takes the end.
        let mut name = base.clone();
        let mut n = 2;
        while !self.0.insert(name.to_lowercase()) {
            let suffix = format!(" {n}");
            let keep: String = base.chars().take(31 - suffix.len()).collect();
            name = format!("{}{suffix}", keep.trim_end());
            n += 1;
        }
        name
    }
}

fn columns(spec: &[(&str, ColumnKind)]) -> Vec<Column> {
    spec.iter()
        .map(|(heading, kind)| Column {
            heading: heading.to_string(),
            kind: *kind,
        })
        .collect()
}

/// A table of status counts per group with the headline share of each.
fn mix_table(
    sheets: &mut Sheets,
    id: &str,
    caption: &str,
    group_heading: &str,
    groups: &[(String, StatusCounts, Option<f64>)],
) -> Table {
    let mut spec = vec![(group_heading, ColumnKind::Text)];
    let labels: Vec<&str> = STATUS_ORDER.iter().map(|s| status_label(*s)).collect();
    for label in &labels {
        spec.push((label, ColumnKind::Count));
    }
    spec.push(("Total", ColumnKind::Count));
    spec.push(("Complete or on track", ColumnKind::Percent));
    let rows = groups
        .iter()
        .map(|(name, counts, share)| {
            let mut row = vec![Cell::text(name.clone())];
            row.extend(STATUS_ORDER.iter().map(|s| Cell::count(counts.get(*s))));
            row.push(Cell::count(counts.total()));
            row.push(Cell::percent(*share));
            row
        })
        .collect();
    Table {
        id: id.into(),
        caption: caption.into(),
        sheet: sheets.name(caption),
        columns: columns(&spec),
        rows,
        empty: "Nothing was reported.".into(),
    }
}

fn breakdown_groups(list: &[Breakdown]) -> Vec<(String, StatusCounts, Option<f64>)> {
    list.iter()
        .map(|b| (b.name.clone(), b.counts.clone(), b.percent))
        .collect()
}

fn chart(title: String, groups: &[(String, StatusCounts, Option<f64>)]) -> Chart {
    Chart {
        title,
        bars: groups
            .iter()
            .map(|(label, counts, _)| Bar {
                label: label.clone(),
                segments: STATUS_ORDER
                    .iter()
                    .filter(|s| counts.get(**s) > 0)
                    .map(|s| Segment {
                        status: *s,
                        label: status_label(*s),
                        count: counts.get(*s),
                    })
                    .collect(),
                total: counts.total(),
            })
            .collect(),
    }
}

/// The council's reference; none for an activity it gave none (publishing stores those as
/// `unreferenced-ID` only to count each once).
fn reference(line: &Line) -> String {
    match line.activity {
        Some(a) => a.reference.clone().unwrap_or_default(),
        None => line.ret.reference.clone(),
    }
}

fn title(line: &Line) -> String {
    line.activity
        .map_or_else(|| line.ret.title.clone(), |a| a.title.clone())
}

/// The directorate the return was made under (as the status mix counts it), else the
/// activity's present one.
fn directorate(line: &Line) -> String {
    Some(line.ret.directorate.clone())
        .filter(|d| !d.trim().is_empty())
        .or_else(|| line.activity.map(|a| a.directorate.clone()))
        .unwrap_or_default()
}

fn text_or(value: &Option<String>, otherwise: &str) -> Cell {
    Cell::text(
        value
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(otherwise),
    )
}

/// Numbers in number order, case and punctuation aside.
fn sort_key(reference: &str) -> String {
    natural_key(&fold(reference))
}

/// Sorted as a reader looks for them: by reference, numbers in number order ("A2" before
/// "A10"), then by title (activities without a reference).
fn sort_lines(lines: &mut [Line]) {
    lines.sort_by_key(|l| (sort_key(&reference(l)), title(l)));
}

/// Amber or Red lines with commentary and corrective action.
fn exception_table(
    sheets: &mut Sheets,
    id: &str,
    caption: &str,
    lines: &[Line],
    empty: &str,
) -> Table {
    Table {
        id: id.into(),
        caption: caption.into(),
        sheet: sheets.name(caption),
        columns: columns(&[
            ("Ref", ColumnKind::Text),
            ("Activity", ColumnKind::Prose),
            ("Directorate", ColumnKind::Text),
            ("Status", ColumnKind::Status),
            ("Commentary", ColumnKind::Prose),
            ("Corrective action", ColumnKind::Prose),
        ]),
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    Cell::text(reference(l)),
                    Cell::text(title(l)),
                    Cell::text(directorate(l)),
                    Cell::status(l.ret.status),
                    text_or(&l.ret.note, "No commentary was given."),
                    text_or(&l.ret.corrective_action, "None recorded."),
                ]
            })
            .collect(),
        empty: empty.into(),
    }
}

fn activity_table(
    sheets: &mut Sheets,
    id: &str,
    caption: &str,
    lines: &[Line],
    with_directorate: bool,
) -> Table {
    let mut spec = vec![("Ref", ColumnKind::Text), ("Activity", ColumnKind::Prose)];
    if with_directorate {
        spec.push(("Directorate", ColumnKind::Text));
    }
    spec.push(("Status", ColumnKind::Status));
    spec.push(("Commentary", ColumnKind::Prose));
    Table {
        id: id.into(),
        caption: caption.into(),
        sheet: sheets.name(caption),
        columns: columns(&spec),
        rows: lines
            .iter()
            .map(|l| {
                let mut row = vec![Cell::text(reference(l)), Cell::text(title(l))];
                if with_directorate {
                    row.push(Cell::text(directorate(l)));
                }
                row.push(Cell::status(l.ret.status));
                row.push(text_or(&l.ret.note, ""));
                row
            })
            .collect(),
        empty: "No activity was reported.".into(),
    }
}

/// How a status moved: Better, Worse or Changed (when the two cannot be ranked).
fn movement(from: Status, to: Status) -> (&'static str, u8) {
    let rank = |s: Status| match s {
        Status::Complete => Some(3),
        Status::Green => Some(2),
        Status::Amber => Some(1),
        Status::Red => Some(0),
        _ => None,
    };
    match (rank(from), rank(to)) {
        (Some(a), Some(b)) if b < a => ("Worse", 0),
        (Some(a), Some(b)) if b > a => ("Better", 2),
        _ => ("Changed", 1),
    }
}

/// Status changes between two periods, worst news first.
fn movements_section(
    sources: &Sources,
    view: &View,
    sheets: &mut Sheets,
    id: &str,
    heading: String,
    earlier: Option<Period>,
    keep: &dyn Fn(&str) -> bool,
) -> Section {
    let Some(earlier) = earlier else {
        return Section {
            id: id.into(),
            heading,
            paragraphs: vec![format!(
                "There is no earlier period on record to compare {} with.",
                period_name(view.period)
            )],
            chart: None,
            tables: vec![],
        };
    };
    let now = view.statuses(sources, view.period);
    let before = view.statuses(sources, earlier);
    let mut changed: Vec<(u8, String, String, Status, Status, &str)> = vec![];
    let (mut new, mut unchanged) = (0, 0);
    let refs: HashMap<String, String> = view
        .lines
        .iter()
        .map(|l| (identity(l.ret), reference(l)))
        .collect();
    for (key, (status, title)) in &now {
        if !keep(key) {
            continue;
        }
        match before.get(key) {
            Some((was, _)) if was == status => unchanged += 1,
            Some((was, _)) => {
                let (word, order) = movement(*was, *status);
                changed.push((
                    order,
                    refs.get(key).cloned().unwrap_or_default(),
                    title.clone(),
                    *was,
                    *status,
                    word,
                ));
            }
            None => new += 1,
        }
    }
    changed.sort_by_key(|a| (a.0, sort_key(&a.1)));
    let worse = changed.iter().filter(|c| c.5 == "Worse").count();
    let better = changed.iter().filter(|c| c.5 == "Better").count();
    let caption = format!("Status changes since {}", period_name(earlier));
    Section {
        id: id.into(),
        heading,
        paragraphs: vec![format!(
            "Compared with {}: {} activities changed status ({worse} worse, {better} better), {new} reported for the first time, {unchanged} unchanged.",
            period_name(earlier),
            changed.len()
        )],
        chart: None,
        tables: vec![Table {
            id: format!("{id}-table"),
            sheet: sheets.name("Status changes"),
            caption,
            columns: columns(&[
                ("Ref", ColumnKind::Text),
                ("Activity", ColumnKind::Prose),
                ("Was", ColumnKind::Status),
                ("Now", ColumnKind::Status),
                ("Movement", ColumnKind::Text),
            ]),
            rows: changed
                .iter()
                .map(|(_, r, t, was, now, word)| {
                    vec![
                        Cell::text(r.clone()),
                        Cell::text(t.clone()),
                        Cell::status(*was),
                        Cell::status(*now),
                        Cell::text(*word),
                    ]
                })
                .collect(),
            empty: "No activity changed status.".into(),
        }],
    }
}

fn annual(sources: &Sources, view: &View, stats: &PeriodStats) -> Document {
    let period = view.period;
    let mut doc = document(
        sources,
        Kind::Annual,
        format!("Annual performance report {}", period.year),
        period,
    );
    let mut sheets = Sheets::default();
    sheets.name("Summary");
    sheets.name("Chart data");
    doc.introduction = vec![format!(
        "How {} delivered its corporate plan in {}: the position at {}, from {} returns ({} rows published).",
        sources.org.name,
        period.year,
        period_name(period),
        stats.total,
        stats.rows
    )];
    if let Some(mission) = sources.overview.mission.as_ref().filter(|m| !m.is_empty()) {
        doc.introduction
            .push(format!("The plan's mission: {mission}"));
    }
    doc.headline = Some(headline(stats));

    let mut all = vec![(
        "All directorates".to_string(),
        stats.counts.clone(),
        stats.percent,
    )];
    all.extend(breakdown_groups(&stats.by_directorate));
    let mut mix = Section {
        id: "status-mix".into(),
        heading: "How activities stand".into(),
        paragraphs: vec![format!(
            "{} activities were reported: {}.",
            stats.total,
            counts_in_words(&stats.counts)
        )],
        chart: Some(chart(
            format!(
                "Status of activities by directorate, {}",
                period_name(period)
            ),
            &all,
        )),
        tables: vec![mix_table(
            &mut sheets,
            "by-directorate",
            "Activities by status and directorate",
            "Directorate",
            &all,
        )],
    };
    if !stats.by_portfolio.is_empty() {
        mix.tables.push(mix_table(
            &mut sheets,
            "by-portfolio",
            "Activities by status and cabinet portfolio",
            "Portfolio",
            &breakdown_groups(&stats.by_portfolio),
        ));
    }
    if !stats.by_theme.is_empty() {
        mix.tables.push(mix_table(
            &mut sheets,
            "by-theme",
            "Activities by status and priority theme",
            "Priority theme",
            &breakdown_groups(&stats.by_theme),
        ));
    }
    doc.sections.push(mix);

    // One table per directorate, named and ordered as the breakdown (and its chart) has
    // them: spellings that fold alike ("Place", "PLACE") are one directorate.
    let order: Vec<(String, &str)> = stats
        .by_directorate
        .iter()
        .map(|b| (fold(&b.name), b.name.as_str()))
        .collect();
    let mut by_directorate: Vec<(String, String, Vec<Line>)> = vec![];
    for line in &view.lines {
        let name = directorate(line);
        let key = fold(&name);
        match by_directorate.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, lines)) => lines.push(*line),
            None => {
                let shown = order
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or(name, |(_, n)| n.to_string());
                by_directorate.push((key, shown, vec![*line]));
            }
        }
    }
    by_directorate.sort_by_key(|(key, _, _)| {
        order
            .iter()
            .position(|(k, _)| k == key)
            .unwrap_or(order.len())
    });
    let mut tables = vec![];
    for (_, name, mut lines) in by_directorate {
        sort_lines(&mut lines);
        tables.push(activity_table(
            &mut sheets,
            &format!("directorate-{}", crate::slug(&name)),
            &name,
            &lines,
            false,
        ));
    }
    doc.sections.push(Section {
        id: "directorates".into(),
        heading: "Activities by directorate".into(),
        paragraphs: vec![
            "Every activity reported, with the status and commentary its directorate gave.".into(),
        ],
        chart: None,
        tables,
    });

    let mut ceased: Vec<Line> = view
        .lines
        .iter()
        .filter(|l| l.ret.status == Status::Ceased)
        .copied()
        .collect();
    sort_lines(&mut ceased);
    doc.sections.push(Section {
        id: "ceased".into(),
        heading: "Activities that stopped".into(),
        paragraphs: vec![format!(
            "{} activities were ceased; each with the reason given.",
            ceased.len()
        )],
        chart: None,
        tables: vec![Table {
            id: "ceased-table".into(),
            caption: "Ceased activities and why".into(),
            sheet: sheets.name("Ceased"),
            columns: columns(&[
                ("Ref", ColumnKind::Text),
                ("Activity", ColumnKind::Prose),
                ("Directorate", ColumnKind::Text),
                ("Reason", ColumnKind::Prose),
            ]),
            rows: ceased
                .iter()
                .map(|l| {
                    let reason = l.ret.reason.clone().or_else(|| l.ret.note.clone());
                    vec![
                        Cell::text(reference(l)),
                        Cell::text(title(l)),
                        Cell::text(directorate(l)),
                        text_or(&reason, "No reason was published."),
                    ]
                })
                .collect(),
            empty: "No activity was ceased.".into(),
        }],
    });

    doc.sections
        .push(indicators_section(sources, &mut sheets, period));
    let earlier = sources.last_year(period);
    doc.sections.push(movements_section(
        sources,
        view,
        &mut sheets,
        "changes",
        "Changes since last year".into(),
        earlier,
        &|_| true,
    ));
    doc
}

fn counts_in_words(counts: &StatusCounts) -> String {
    let parts: Vec<String> = STATUS_ORDER
        .iter()
        .filter(|s| counts.get(**s) > 0)
        .map(|s| format!("{} {}", counts.get(*s), status_label(*s)))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

/// Lower-case words of letters and digits, each with a space either side, so that one phrase
/// can be found in another only as whole words.
fn words(text: &str) -> String {
    let mut out = String::from(" ");
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push_str(&word.to_lowercase());
        out.push(' ');
    }
    out
}

/// The priority theme an indicator table's heading names: by "theme N" or "priority N" when
/// it says so, else by the theme's title (the longest that appears, as whole words). Councils
/// arrange their indicator tables under their themes' headings; a heading naming none gives
/// `None`.
pub(crate) fn theme_named<'t>(heading: &str, themes: &'t [ThemeView]) -> Option<&'t ThemeView> {
    let heading = words(heading);
    let tokens: Vec<&str> = heading.split_whitespace().collect();
    let by_number = tokens.windows(2).find_map(|pair| {
        let number: i64 = pair[1].parse().ok()?;
        matches!(pair[0], "theme" | "priority")
            .then(|| themes.iter().find(|t| t.number == number))
            .flatten()
    });
    by_number.or_else(|| {
        themes
            .iter()
            .filter(|t| {
                let title = words(&t.title);
                title.len() > 2 && heading.contains(&title)
            })
            .max_by_key(|t| t.title.len())
    })
}

/// Indicators grouped by the priority theme their table's heading names (in the plan's
/// order), then those under headings that name none, each with its value for the report's
/// year (or the latest before it) and the one before.
fn indicators_section(sources: &Sources, sheets: &mut Sheets, period: Period) -> Section {
    let year = period.year.to_string();
    let themes = &sources.overview.themes;
    // (theme's position in the plan, or after them all; caption; table id; rows)
    let mut groups: Vec<(usize, String, String, Vec<Vec<Cell>>)> = vec![];
    let mut seen = HashSet::new();
    for first in sources.indicators {
        if !seen.insert(first.reference.clone()) {
            continue;
        }
        let values: Vec<_> = sources
            .indicators
            .iter()
            .filter(|v| {
                v.reference == first.reference
                    && v.year.get(..7).unwrap_or(&v.year) <= year.as_str()
            })
            .collect();
        let Some(latest) = values.last() else {
            continue;
        };
        let before = values.len().checked_sub(2).and_then(|i| values.get(i));
        let section = first
            .section
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "Other indicators".into());
        let (order, caption, id) = match theme_named(&section, themes) {
            Some(theme) => (
                themes
                    .iter()
                    .position(|t| t.number == theme.number)
                    .unwrap_or_default(),
                format!("Priority theme {}: {}", theme.number, theme.title),
                format!("indicators-theme-{}", theme.number),
            ),
            None => (
                themes.len(),
                section.clone(),
                format!("indicators-{}", crate::slug(&section)),
            ),
        };
        let row = vec![
            Cell::text(first.reference.clone()),
            Cell::text(first.name.clone()),
            Cell::text(latest.year.clone()),
            Cell::text(latest.text.clone()),
            Cell::text(latest.rag.clone().unwrap_or_default()),
            Cell::text(latest.direction.clone().unwrap_or_default()),
            Cell::text(
                before
                    .map(|b| format!("{} ({})", b.text, b.year))
                    .unwrap_or_default(),
            ),
        ];
        match groups.iter_mut().find(|g| g.2 == id) {
            Some(group) => group.3.push(row),
            None => groups.push((order, caption, id, vec![row])),
        }
    }
    // Stable: headings naming no theme keep the order they were published in.
    groups.sort_by_key(|g| g.0);
    let count: usize = groups.iter().map(|g| g.3.len()).sum();
    let unplaced: usize = groups
        .iter()
        .filter(|g| g.0 == themes.len())
        .map(|g| g.3.len())
        .sum();
    let mut paragraphs = vec![if count == 0 {
        "No indicator values have been published.".into()
    } else {
        format!(
            "{count} indicators, each with its latest value up to {year} and the one before, \
             under the priority theme their table's heading names."
        )
    }];
    if unplaced > 0 {
        paragraphs.push(format!(
            "{unplaced} of them sit under headings that name no priority theme, and are listed \
             under those headings."
        ));
    }
    Section {
        id: "indicators".into(),
        heading: "Indicators by priority theme".into(),
        paragraphs,
        chart: None,
        tables: groups
            .into_iter()
            .map(|(_, caption, id, rows)| Table {
                sheet: sheets.name(&format!("KPI {caption}")),
                caption: format!("Indicators: {caption}"),
                id,
                columns: columns(&[
                    ("Ref", ColumnKind::Text),
                    ("Indicator", ColumnKind::Prose),
                    ("Year", ColumnKind::Text),
                    ("Value", ColumnKind::Text),
                    ("RAG", ColumnKind::Text),
                    ("Direction of travel", ColumnKind::Text),
                    ("Previous value", ColumnKind::Text),
                ]),
                rows,
                empty: "No values.".into(),
            })
            .collect(),
    }
}

fn exceptions(sources: &Sources, view: &View, stats: &PeriodStats) -> Document {
    let period = view.period;
    let mut doc = document(
        sources,
        Kind::Exceptions,
        format!("Exception report {}", period_name(period)),
        period,
    );
    let mut sheets = Sheets::default();
    sheets.name("Summary");
    sheets.name("Chart data");
    let pick = |status: Status| {
        let mut lines: Vec<Line> = view
            .lines
            .iter()
            .filter(|l| l.ret.status == status)
            .copied()
            .collect();
        sort_lines(&mut lines);
        lines
    };
    let red = pick(Status::Red);
    let amber = pick(Status::Amber);
    let overdue = overdue_lines(view);
    let missing = missing_activities(sources, view);
    doc.introduction = vec![format!(
        "For Cabinet and scrutiny: the activities that need attention at {}. {} Red, {} Amber, {} past their due date and not complete, {} without a return.",
        period_name(period),
        red.len(),
        amber.len(),
        overdue.len(),
        missing.len()
    )];
    doc.headline = Some(headline(stats));
    let mut all = vec![(
        "All directorates".to_string(),
        stats.counts.clone(),
        stats.percent,
    )];
    all.extend(breakdown_groups(&stats.by_directorate));
    doc.sections.push(Section {
        id: "status-mix".into(),
        heading: "Status at a glance".into(),
        paragraphs: vec![format!("{}.", counts_in_words(&stats.counts))],
        chart: Some(chart(
            format!(
                "Status of activities by directorate, {}",
                period_name(period)
            ),
            &all,
        )),
        tables: vec![mix_table(
            &mut sheets,
            "by-directorate",
            "Activities by status and directorate",
            "Directorate",
            &all,
        )],
    });
    doc.sections.push(Section {
        id: "red".into(),
        heading: "Red: off track".into(),
        paragraphs: vec![],
        chart: None,
        tables: vec![exception_table(
            &mut sheets,
            "red-table",
            "Red activities",
            &red,
            "No activity was Red.",
        )],
    });
    doc.sections.push(Section {
        id: "amber".into(),
        heading: "Amber: at risk".into(),
        paragraphs: vec![],
        chart: None,
        tables: vec![exception_table(
            &mut sheets,
            "amber-table",
            "Amber activities",
            &amber,
            "No activity was Amber.",
        )],
    });
    doc.sections.push(Section {
        id: "overdue".into(),
        heading: "Overdue".into(),
        paragraphs: vec![format!(
            "Activities whose due date passed by the end of {} and that were not complete.",
            period_name(period)
        )],
        chart: None,
        tables: vec![Table {
            id: "overdue-table".into(),
            caption: "Overdue activities".into(),
            sheet: sheets.name("Overdue"),
            columns: columns(&[
                ("Ref", ColumnKind::Text),
                ("Activity", ColumnKind::Prose),
                ("Directorate", ColumnKind::Text),
                ("Due", ColumnKind::Text),
                ("Status", ColumnKind::Status),
                ("Commentary", ColumnKind::Prose),
            ]),
            rows: overdue
                .iter()
                .map(|(l, due)| {
                    vec![
                        Cell::text(reference(l)),
                        Cell::text(title(l)),
                        Cell::text(directorate(l)),
                        Cell::text(due.clone()),
                        Cell::status(l.ret.status),
                        text_or(&l.ret.note, ""),
                    ]
                })
                .collect(),
            empty: "No activity was overdue.".into(),
        }],
    });
    doc.sections.push(Section {
        id: "missing".into(),
        heading: "Missing returns".into(),
        paragraphs: vec![
            if sources.draft {
                "Plan activities with no submitted or approved return for the period yet.".into()
            } else {
                "Plan activities with no return published for the period.".into()
            },
            "For a quarter before the latest, an activity counts only if it had reported \
             before that quarter (one added to the plan since was not yet expected)."
                .into(),
        ],
        chart: None,
        tables: vec![Table {
            id: "missing-table".into(),
            caption: "Activities without a return".into(),
            sheet: sheets.name("Missing returns"),
            columns: columns(&[
                ("Ref", ColumnKind::Text),
                ("Activity", ColumnKind::Prose),
                ("Directorate", ColumnKind::Text),
                ("Last status", ColumnKind::Text),
            ]),
            rows: missing
                .iter()
                .map(|(a, last)| {
                    vec![
                        Cell::text(a.reference.clone().unwrap_or_default()),
                        Cell::text(a.title.clone()),
                        Cell::text(a.directorate.clone()),
                        Cell::text(last.clone()),
                    ]
                })
                .collect(),
            empty: "Every plan activity has a return.".into(),
        }],
    });
    let previous = sources.previous(period);
    doc.sections.push(movements_section(
        sources,
        view,
        &mut sheets,
        "movements",
        "Movements since last quarter".into(),
        previous,
        &|_| true,
    ));
    doc
}

/// Lines whose activity's deadline fell on or before the period's end and are not complete.
fn overdue_lines<'a>(view: &View<'a>) -> Vec<(Line<'a>, String)> {
    let end = view.period.end();
    let mut lines: Vec<(Line, String)> = view
        .lines
        .iter()
        .filter(|l| !l.ret.status.is_closed())
        .filter_map(|l| {
            let due = l.activity?.due.as_ref()?;
            let deadline = due.deadline()?;
            (deadline <= end).then(|| (*l, due.text.clone()))
        })
        .collect();
    lines.sort_by_key(|(l, _)| sort_key(&reference(l)));
    lines
}

/// Plan activities with no counted return in the period (or one saying "no return"), with the
/// status they last had.
/// Activities of the plan with no return in the view's period, each with its last status
/// before it. The plan is today's: for the latest period every activity in it is expected;
/// for an earlier one, only those that had reported before it (one added since, with no
/// return until later, was not yet in the plan then).
fn missing_activities<'a>(
    sources: &Sources<'a>,
    view: &View<'a>,
) -> Vec<(&'a ActivityRecord, String)> {
    let reported: HashSet<i64> = view
        .lines
        .iter()
        .filter(|l| l.ret.status != Status::NoReturn)
        .filter_map(|l| l.ret.activity_id)
        .collect();
    let latest = sources.periods().last().is_none_or(|p| *p <= view.period);
    let mut out: Vec<(&ActivityRecord, String)> = sources
        .activities
        .iter()
        .filter(|a| a.in_plan && !reported.contains(&a.id))
        .filter_map(|a| {
            let last = sources
                .returns
                .range(..view.period)
                .rev()
                .find_map(|(p, rs)| {
                    rs.iter()
                        .find(|r| r.activity_id == Some(a.id))
                        .map(|r| format!("{} ({})", status_label(r.status), p))
                });
            match last {
                Some(last) => Some((a, last)),
                None if latest => Some((a, "Never reported".into())),
                None => None,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        sort_key(a.0.reference.as_deref().unwrap_or(""))
            .cmp(&sort_key(b.0.reference.as_deref().unwrap_or("")))
    });
    out
}

fn portfolio(sources: &Sources, view: &View, _stats: &PeriodStats, name: &str) -> Document {
    let period = view.period;
    let mut doc = document(
        sources,
        Kind::Portfolio,
        format!("Portfolio report: {name}, {}", period_name(period)),
        period,
    );
    doc.subject = Some(name.to_string());
    let mut sheets = Sheets::default();
    sheets.name("Summary");
    sheets.name("Chart data");
    let wanted = fold(name);
    let in_portfolio = |a: &ActivityRecord| a.portfolios.iter().any(|p| fold(p) == wanted);
    let mut lines: Vec<Line> = view
        .lines
        .iter()
        .filter(|l| l.activity.is_some_and(in_portfolio))
        .copied()
        .collect();
    sort_lines(&mut lines);
    let mut counts = StatusCounts::default();
    for l in &lines {
        counts.add(l.ret.status);
    }
    let (numerator, denominator) = sources.rule.apply(lines.iter().map(|l| l.ret.status));
    let share = waymark_domain::headline::percent_one_decimal(numerator, denominator);
    doc.introduction = vec![format!(
        "The activities of the {name} portfolio at {}: {} reported.",
        period_name(period),
        lines.len()
    )];
    doc.headline = Some(Headline {
        figure: format!("{numerator} of {denominator} ({})", percent(share)),
        numerator,
        denominator,
        percent: share,
        label: format!("activities {}", sources.rule.name),
        rule: sources.rule.describe(),
        claims: vec![],
    });
    let groups = vec![(name.to_string(), counts.clone(), share)];
    doc.sections.push(Section {
        id: "status-mix".into(),
        heading: "Status at a glance".into(),
        paragraphs: vec![format!("{}.", counts_in_words(&counts))],
        chart: Some(chart(
            format!(
                "Status of the portfolio's activities, {}",
                period_name(period)
            ),
            &groups,
        )),
        tables: vec![mix_table(
            &mut sheets,
            "mix",
            "Activities by status",
            "Portfolio",
            &groups,
        )],
    });
    let exceptions: Vec<Line> = lines
        .iter()
        .filter(|l| matches!(l.ret.status, Status::Red | Status::Amber))
        .copied()
        .collect();
    doc.sections.push(Section {
        id: "exceptions".into(),
        heading: "Red and Amber".into(),
        paragraphs: vec![],
        chart: None,
        tables: vec![exception_table(
            &mut sheets,
            "exceptions-table",
            "Red and Amber activities",
            &exceptions,
            "No activity in this portfolio was Red or Amber.",
        )],
    });
    doc.sections.push(Section {
        id: "activities".into(),
        heading: "Every activity".into(),
        paragraphs: vec![],
        chart: None,
        tables: vec![activity_table(
            &mut sheets,
            "activities-table",
            "Activities in the portfolio",
            &lines,
            true,
        )],
    });
    let ids: HashSet<String> = lines.iter().map(|l| identity(l.ret)).collect();
    let previous = sources.previous(period);
    doc.sections.push(movements_section(
        sources,
        view,
        &mut sheets,
        "movements",
        "Movements since last quarter".into(),
        previous,
        &|key| ids.contains(key),
    ));
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(number: i64, title: &str) -> ThemeView {
        ThemeView {
            number,
            title: title.into(),
            summary: String::new(),
            outcomes: vec![],
        }
    }

    #[test]
    fn sheet_names_are_unique_short_and_plain() {
        let mut sheets = Sheets(HashSet::new());
        let mut names = HashSet::new();
        for _ in 0..150 {
            let name = sheets.name("Indicators: Priority theme 1: Aspiration [for] our/residents");
            assert!(name.chars().count() <= 31, "{name}");
            assert!(!name.contains(|c| "[]:*?/\\'".contains(c)), "{name}");
            assert!(names.insert(name.to_lowercase()), "{name} twice");
        }
        assert_eq!(sheets.name("  "), "Table");
    }

    #[test]
    fn a_heading_names_a_theme_by_title_or_number() {
        let themes = [
            theme(1, "Aspiration for our residents"),
            theme(2, "Ambition for our Borough"),
            theme(3, "An Efficient and Effective Council"),
            theme(4, "Council"),
        ];
        let named = |h: &str| theme_named(h, &themes).map(|t| t.number);
        assert_eq!(
            named("Priority theme 1: Aspiration for our residents"),
            Some(1)
        );
        assert_eq!(named("AMBITION FOR OUR BOROUGH – indicators"), Some(2));
        // The longest title that appears wins over a shorter one inside it.
        assert_eq!(named("An efficient and effective council"), Some(3));
        assert_eq!(named("Council tax"), Some(4));
        assert_eq!(named("Theme 2"), Some(2));
        assert_eq!(named("Priority 3 measures"), Some(3));
        // A number the heading gives wins over a title that happens to appear in it.
        assert_eq!(named("Priority 3: council performance"), Some(3));
        // Whole words only, and a number no theme has names none.
        assert_eq!(named("Councillors' casework"), None);
        assert_eq!(named("Theme 9"), None);
        assert_eq!(named("Contextual measures"), None);
        assert_eq!(named(""), None);
    }
}
