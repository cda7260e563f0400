//! One import pipeline for every format: a file read into blocks (`waymark-read`), each
//! table's columns given roles (`grid`, `roles`), then rows built into domain documents —
//! an activity report, an action plan, a KPI table — with headline claims from the text.
//!
//! Nothing here knows a council: header words are the ones councils use, status words are
//! read by their meaning, and a mapping or vocabulary file can say what a column or label
//! is. What it cannot understand it refuses, saying what it found.

pub(crate) mod bullets;
pub(crate) mod flowing;
pub(crate) mod glued;
pub(crate) mod grid;
pub(crate) mod groups;
pub(crate) mod mapping;
pub(crate) mod records;
pub(crate) mod roles;
pub(crate) mod stacked;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod text;

use crate::claims;
use crate::error::ImportError;
use crate::period_label;
use crate::vocabulary::Vocabulary;
use grid::{Column, Grid, Record};
use mapping::Mapping;
use roles::Role;
use std::fmt::Write as _;
use waymark_domain::indicator::{Frequency, Measure, Rag, Unit};
use waymark_domain::{
    ActionPlan, ActivityReport, Document, DueCell, Extra, KpiRow, KpiTable, Outturn, Period,
    PlannedActivity, PublishedClaim, ReportRow, Status, StatusLabels,
};
use waymark_read::{Block, Book, LineKind};

/// What a file was read as: its documents and, for people, how each column was understood.
#[derive(Debug, Clone)]
pub struct Reading {
    pub documents: Vec<Document>,
    /// One paragraph per table: what each column was read as, with its confidence.
    pub explanation: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Report,
    Plan,
    Kpi,
}

/// How one table's columns were read: what a person checks, and corrects, before importing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableReading {
    /// "sheet 'Q3'", "table at row 4".
    pub place: String,
    pub header_row: usize,
    pub rows: usize,
    /// "an activity report", "an action plan", "a table of indicators", or
    /// "nothing Waymark can import".
    pub read_as: &'static str,
    pub columns: Vec<ColumnReading>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ColumnReading {
    /// Counted from 1, as a spreadsheet's users count.
    pub number: usize,
    pub header: String,
    /// The role's name, as a mapping file writes it ([`column_roles`]).
    pub role: &'static str,
    pub confidence: u8,
    pub reason: String,
    /// The first few values below the header, as written.
    pub samples: Vec<String>,
}

/// Every role a column can be given, by the name a mapping file uses.
pub fn column_roles() -> Vec<&'static str> {
    Role::ALL.iter().map(|r| r.name()).collect()
}

/// A key for files of the same shape: the headers of each table, folded, in order. Two
/// files with the same columns (a council's next quarter's return, say) share it.
pub fn shape_of(tables: &[TableReading]) -> Option<String> {
    if tables.iter().all(|t| t.columns.is_empty()) {
        return None;
    }
    Some(
        tables
            .iter()
            .map(|t| {
                t.columns
                    .iter()
                    .map(|c| waymark_domain::text::fold(&c.header))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn table_reading(where_: &str, grid: &Grid, kind: Option<Kind>) -> TableReading {
    TableReading {
        place: where_.to_string(),
        header_row: grid.header_at,
        rows: grid.records.len(),
        read_as: kind_name(kind),
        columns: grid
            .columns
            .iter()
            .map(|c| ColumnReading {
                number: c.index + 1,
                header: c.header.clone(),
                role: c.role.name(),
                confidence: c.confidence,
                reason: c.reason.clone(),
                samples: grid
                    .records
                    .iter()
                    .filter_map(|r| r.cells.get(c.index))
                    .map(|cell| cell.text.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .take(3)
                    .map(|t| {
                        if t.chars().count() > 80 {
                            format!("{}…", t.chars().take(79).collect::<String>())
                        } else {
                            t
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn kind_name(kind: Option<Kind>) -> &'static str {
    match kind {
        Some(Kind::Report) => "an activity report",
        Some(Kind::Plan) => "an action plan",
        Some(Kind::Kpi) => "a table of indicators",
        None => "nothing Waymark can import",
    }
}

/// Read every table of a book into documents. How each table's columns were read goes into
/// `tables` whether or not documents could be built from them.
pub(crate) fn read_book(
    book: &Book,
    vocab: &Vocabulary,
    mapping: &Mapping,
    tables: &mut Vec<TableReading>,
) -> Result<Reading, ImportError> {
    let labels = &vocab.statuses;
    let extra = mapping.header_roles();
    let mut explanation = vec![];
    let mut report_rows: Vec<ReportRow> = vec![];
    let mut plan_rows: Vec<PlannedActivity> = vec![];
    let mut kpi_rows: Vec<KpiRow> = vec![];
    let mut status_periods: Vec<Period> = vec![];
    let mut claims: Vec<PublishedClaim> = vec![];
    let mut context: Vec<String> = vec![];
    let mut found: Vec<String> = vec![];
    let mut row_periods: Vec<(Period, String)> = vec![];
    for part in &book.parts {
        let part_name = part.name.clone();
        if part_name.as_deref().is_some_and(is_notes_sheet) {
            explanation.push(format!(
                "sheet '{}': notes, not data; passed over",
                part_name.as_deref().unwrap_or_default()
            ));
            continue;
        }
        let mut before: Vec<String> = part_name.iter().cloned().collect();
        let blocks = stacked::tables_from_stacked(part.blocks.clone());
        let blocks = flowing::tables_from_flowing(blocks);
        let blocks = glued::tables_from_glued(blocks, labels);
        let blocks = records::tables_from_records(blocks, &extra);
        let blocks = groups::tables_from_groups(blocks, labels);
        let blocks = bullets::tables_from_lists(blocks);
        for block in &blocks {
            match block {
                Block::Line(line) => {
                    if !matches!(line.kind, LineKind::Item(_)) {
                        claims.extend(claims::claims_in(line.at, &line.text, labels));
                    }
                    if before.len() < 40 {
                        before.push(line.text.clone());
                    }
                    if context.len() < 40 {
                        context.push(line.text.clone());
                    }
                }
                Block::Table(table) => {
                    let where_ = match &part_name {
                        Some(n) => format!("sheet '{n}'"),
                        None => format!("table at row {}", table.rows.first().map_or(1, |r| r.at)),
                    };
                    let Some(grid) = grid::read(table, &extra, labels, &mapping.columns) else {
                        if table.rows.len() > 1 {
                            found.push(format!(
                                "{where_}: a table of {} rows in which no row reads as a header (no cells such as Ref, Activity, Status, Indicator, Target)",
                                table.rows.len()
                            ));
                        }
                        continue;
                    };
                    if is_legend(table, &grid) {
                        explanation.push(format!(
                            "{where_}: a key to the ratings or symbols, not data; skipped"
                        ));
                        continue;
                    }
                    let mut local: Vec<String> = before.clone();
                    local.extend(grid.context.iter().cloned());
                    context.extend(grid.context.iter().cloned());
                    let kind = mapping.kind.or_else(|| kind_of(&grid));
                    explanation.push(explain(&where_, &grid, kind));
                    tables.push(table_reading(&where_, &grid, kind));
                    let Some(kind) = kind else {
                        found.push(format!(
                            "{where_}: a table of {} rows with columns {}; no column reads as a status, an indicator or an activity with a due date",
                            grid.records.len(),
                            grid.columns.iter().map(|c| format!("'{}' ({})", c.header, c.role.name())).collect::<Vec<_>>().join(", ")
                        ));
                        continue;
                    };
                    let place = |at: usize| match &part_name {
                        Some(n) => format!("sheet '{n}' row {at}"),
                        None => format!("row {at}"),
                    };
                    if let Some(p) = grid
                        .columns
                        .iter()
                        .find(|c| c.role == Role::Status)
                        .and_then(|c| c.period)
                    {
                        status_periods.push(p);
                    }
                    let context_directorate = labelled(
                        &local,
                        &["directorate", "service", "department", "lead directorate"],
                    );
                    for record in &grid.records {
                        let row = RowView {
                            grid: &grid,
                            record,
                            labels,
                        };
                        match kind {
                            Kind::Report => {
                                if let Some(r) =
                                    row.report_row(place(record.at), context_directorate.as_deref())
                                {
                                    // A period column names the report's period on its rows.
                                    if let Some(p) = row.quarter() {
                                        row_periods.push((p, r.place.clone().unwrap_or_default()));
                                    }
                                    report_rows.push(r);
                                }
                            }
                            Kind::Plan => {
                                if let Some(r) =
                                    row.plan_row(place(record.at), context_directorate.as_deref())
                                {
                                    plan_rows.push(r);
                                }
                            }
                            Kind::Kpi => {
                                if let Some(r) = row.kpi_row(place(record.at)) {
                                    kpi_rows.push(r);
                                }
                            }
                        }
                    }
                    before.clear();
                }
            }
        }
    }
    let title = context
        .iter()
        .find(|l| !l.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| book.file.clone());
    let mut period_sources: Vec<String> = context.clone();
    let base = book.file.rsplit(['/', '\\']).next().unwrap_or(&book.file);
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    period_sources.push(stem.replace('_', " "));
    period_sources.push(book.file.clone());
    // Rows that name their period name the report's: one report is one period.
    let row_period = match row_periods.first() {
        Some((first, _)) => {
            if let Some((other, at)) = row_periods.iter().find(|(p, _)| p != first) {
                return Err(ImportError::new(
                    &book.file,
                    format!(
                        "{at}: the period column says {other} where earlier rows say {first}; a report covers one period, so put each period's returns in a file of its own"
                    ),
                ));
            }
            Some(*first)
        }
        None => None,
    };
    let period = mapping
        .period
        .or(row_period)
        .or_else(|| document_period(&period_sources, &status_periods));
    let mut documents = vec![];
    if !plan_rows.is_empty() {
        documents.push(Document::ActionPlan(ActionPlan {
            title: title.clone(),
            last_updated: None,
            activities: plan_rows,
        }));
    }
    if !kpi_rows.is_empty() {
        let kpi_rows = place_values(kpi_rows, period, &book.file)?;
        documents.push(Document::KpiTable(KpiTable {
            title: title.clone(),
            rows: merge_long(kpi_rows),
        }));
    }
    claims::carry_totals(&mut claims);
    if !report_rows.is_empty() || !claims.is_empty() {
        let Some(period) = period else {
            return Err(ImportError::new(
                &book.file,
                "this reads as a progress report, but no reporting period is named in it (such as 'Quarter 2 2025/26' in a title row, a heading or the file name); say which with --period (or `period` in a mapping file)",
            ));
        };
        let period_label = match row_period {
            Some(p) if mapping.period.is_none() => p.to_string(),
            _ => period_label_text(&period_sources).unwrap_or_else(|| period.to_string()),
        };
        documents.push(Document::ActivityReport(ActivityReport {
            title,
            period,
            period_label,
            claims,
            rows: report_rows,
        }));
    }
    if documents.is_empty() {
        let mut message = String::from("could not tell what this document holds. Found:");
        if found.is_empty() {
            let lines = book
                .parts
                .iter()
                .flat_map(|p| &p.blocks)
                .filter(|b| matches!(b, Block::Line(_)))
                .count();
            let sheets: Vec<String> = book
                .parts
                .iter()
                .filter_map(|p| p.name.as_ref().map(|n| format!("'{n}'")))
                .collect();
            if sheets.is_empty() {
                let _ = write!(
                    message,
                    " {lines} lines of text with no table, no activity rows and no headline figures"
                );
            } else {
                let _ = write!(
                    message,
                    " no table in sheet{} {}",
                    if sheets.len() == 1 { "" } else { "s" },
                    sheets.join(", ")
                );
            }
        }
        for f in found.iter().take(12) {
            let _ = write!(message, "\n  - {f}");
        }
        if found.len() > 12 {
            let _ = write!(
                message,
                "\n  - and {} more tables like these",
                found.len() - 12
            );
        }
        message.push_str(
            "\nTo help: name the kind with --kind, map the columns with --mapping FILE (e.g. `[columns] \"Lead Committee\" = \"portfolio\"`), or add the council's words to a vocabulary file; `waymark import --explain FILE` shows what each column was read as",
        );
        return Err(ImportError::new(&book.file, message));
    }
    Ok(Reading {
        documents,
        explanation,
    })
}

/// A key to the ratings ("Key | RAG Rating | …", a caption "Key"): it explains the
/// document's symbols and holds no rows of its own.
fn is_legend(table: &waymark_read::Table, grid: &Grid) -> bool {
    let legend_word = |t: &str| {
        let f = waymark_domain::text::fold(t);
        matches!(
            f.as_str(),
            "key" | "legend" | "rag key" | "key to ratings" | "rating key" | "status key"
        )
    };
    // A key is short and explains ratings: its first column holds status words or symbols.
    let short = grid.records.len() <= 8;
    let explains = grid
        .records
        .iter()
        .filter_map(|r| r.cells.first())
        .filter(|c| {
            let t = c.text.trim();
            roles::status_of(t, &StatusLabels::default()).is_some() || t.chars().count() <= 2
        })
        .count()
        * 2
        >= grid.records.len();
    short
        && explains
        && (table.caption.as_deref().is_some_and(legend_word)
            || grid.columns.first().is_some_and(|c| legend_word(&c.header)))
}

/// What kind of rows a table holds, by the roles its columns were given.
fn kind_of(grid: &Grid) -> Option<Kind> {
    let has = |r: Role| grid.columns.iter().any(|c| c.role == r);
    let values = grid
        .columns
        .iter()
        .filter(|c| c.role == Role::Value)
        .count();
    if has(Role::Measure) && (values > 0 || has(Role::Target) || has(Role::Polarity)) {
        return Some(Kind::Kpi);
    }
    if has(Role::Title)
        && values > 0
        && (has(Role::Target) || has(Role::Polarity) || has(Role::Direction))
    {
        return Some(Kind::Kpi);
    }
    if has(Role::Measure) && !has(Role::Title) && values == 0 && !has(Role::Status) {
        return None;
    }
    let titled = has(Role::Title) || has(Role::Measure);
    if titled && has(Role::Status) {
        return Some(Kind::Report);
    }
    if titled
        && (has(Role::Due)
            || has(Role::Directorate)
            || has(Role::Portfolio)
            || has(Role::Reference))
    {
        return Some(Kind::Plan);
    }
    None
}

fn explain(where_: &str, grid: &Grid, kind: Option<Kind>) -> String {
    let mut s = format!(
        "{where_}: header at row {}, {} data rows, read as {}",
        grid.header_at,
        grid.records.len(),
        kind_name(kind)
    );
    for c in &grid.columns {
        let _ = write!(
            s,
            "\n  column {} '{}': {} ({}% sure: {}){}",
            c.index + 1,
            c.header,
            c.role.name(),
            c.confidence,
            c.reason,
            c.period.map(|p| format!(", for {p}")).unwrap_or_default()
        );
    }
    s
}

/// The value after "Label:" in any context line ("Directorate: Education").
fn labelled(lines: &[String], labels: &[&str]) -> Option<String> {
    lines.iter().find_map(|l| {
        let (label, value) = l.split_once(':')?;
        let f = waymark_domain::text::fold(label);
        (labels.contains(&f.as_str()) && !value.trim().is_empty()).then(|| value.trim().to_string())
    })
}

/// The reporting period: the first quarter named in the document's titles, headings or file
/// name; else the latest status column's; else a year alone, read as its year end.
fn document_period(sources: &[String], status_periods: &[Period]) -> Option<Period> {
    for s in sources {
        if let Some(p) = period_label::period(s, false) {
            return Some(p);
        }
    }
    if let Some(p) = status_periods.iter().max() {
        return Some(*p);
    }
    sources
        .iter()
        .find_map(|s| period_label::month_period(s).map(|m| m.0))
        .or_else(|| sources.iter().find_map(|s| period_label::period(s, true)))
}

fn period_label_text(sources: &[String]) -> Option<String> {
    sources
        .iter()
        .find(|s| period_label::period(s, false).is_some())
        .map(|s| s.trim().to_string())
        .or_else(|| {
            sources
                .iter()
                .find_map(|s| period_label::month_period(s).map(|m| m.1))
        })
}

struct RowView<'a> {
    grid: &'a Grid,
    record: &'a Record,
    labels: &'a StatusLabels,
}

impl RowView<'_> {
    fn column(&self, role: Role) -> Option<&Column> {
        self.grid.columns.iter().find(|c| c.role == role)
    }

    fn text(&self, role: Role) -> Option<String> {
        let c = self.column(role)?;
        let t = self.record.cells.get(c.index)?.text.trim().to_string();
        (!t.is_empty()).then_some(t)
    }

    /// Cells of columns without a field, and headings, kept under their labels.
    fn extras(&self, used: &[Role]) -> Vec<Extra> {
        let mut out: Vec<Extra> = self
            .record
            .headings
            .iter()
            .map(|h| Extra {
                label: "heading".into(),
                text: h.clone(),
            })
            .collect();
        for c in &self.grid.columns {
            if used.contains(&c.role) {
                continue;
            }
            if let Some(cell) = self.record.cells.get(c.index) {
                let t = cell.text.trim();
                if !t.is_empty() {
                    let label = if c.header.is_empty() {
                        format!("column {}", c.index + 1)
                    } else {
                        c.header.clone()
                    };
                    out.push(Extra {
                        label,
                        text: t.to_string(),
                    });
                }
            }
        }
        out
    }

    /// The title and reference: a reference column, else a reference leading the title
    /// ("KA 3. Award the grants", "12. Open the hub").
    fn title_and_reference(&self, title_role: Role) -> Option<(String, Option<String>)> {
        let title = self.text(title_role).or_else(|| {
            self.text(if title_role == Role::Title {
                Role::Measure
            } else {
                Role::Title
            })
        })?;
        let title = title.replace('\n', " ");
        if let Some(r) = self.text(Role::Reference) {
            return Some((title, Some(clean_reference(&r))));
        }
        if let Some((r, rest)) = split_leading_reference(&title) {
            return Some((rest.to_string(), Some(r)));
        }
        Some((title, None))
    }

    fn status(&self) -> (String, Status) {
        let Some(c) = self.column(Role::Status) else {
            return (String::new(), Status::NoReturn);
        };
        let Some(cell) = self.record.cells.get(c.index) else {
            return (String::new(), Status::NoReturn);
        };
        let label = cell.text.trim().to_string();
        if label.is_empty() {
            if let Some((name, status)) = cell.fill.and_then(fill_status) {
                return (name.to_string(), status);
            }
            return (String::new(), Status::NoReturn);
        }
        let status = roles::status_of(&label, self.labels)
            .or_else(|| cell.fill.and_then(fill_status).map(|(_, s)| s))
            .unwrap_or(Status::NoReturn);
        (label, status)
    }

    /// The quarter a period column names on this row ("2025/26 Q3").
    fn quarter(&self) -> Option<Period> {
        self.text(Role::Period)
            .and_then(|t| period_label::period(&t, false))
    }

    /// The portfolios in the portfolio column: several are separated by semicolons.
    fn portfolios(&self) -> Vec<String> {
        self.text(Role::Portfolio)
            .map(|t| {
                t.split(';')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn directorate(&self, context: Option<&str>) -> String {
        self.text(Role::Directorate)
            .or_else(|| context.map(str::to_string))
            .or_else(|| self.record.headings.first().map(|h| strip_label(h)))
            .unwrap_or_default()
    }

    fn report_row(&self, place: String, context_directorate: Option<&str>) -> Option<ReportRow> {
        let (title, reference) = self.title_and_reference(Role::Title)?;
        let (status_label, status) = self.status();
        Some(ReportRow {
            line: self.record.at,
            directorate: self.directorate(context_directorate),
            reference: reference.unwrap_or_default(),
            title,
            status_label,
            status,
            note: self.text(Role::Commentary),
            portfolios: self.portfolios(),
            due: self.text(Role::Due),
            extras: self.extras(&[
                Role::Reference,
                Role::Title,
                Role::Measure,
                Role::Status,
                Role::Commentary,
                Role::Portfolio,
                Role::Due,
                Role::Directorate,
                // A period column that names no quarter is kept as written.
                if self.quarter().is_some() {
                    Role::Period
                } else {
                    Role::Directorate
                },
            ]),
            place: Some(place),
        })
    }

    fn plan_row(
        &self,
        place: String,
        context_directorate: Option<&str>,
    ) -> Option<PlannedActivity> {
        let (title, reference) = self.title_and_reference(Role::Title)?;
        let due = self.text(Role::Due).unwrap_or_default();
        Some(PlannedActivity {
            line: self.record.at,
            directorate: self.directorate(context_directorate),
            title,
            portfolios: self.portfolios(),
            due: DueCell::parse(&due),
            reference,
            extras: self.extras(&[
                Role::Reference,
                Role::Title,
                Role::Measure,
                Role::Portfolio,
                Role::Due,
                Role::Directorate,
            ]),
            place: Some(place),
        })
    }

    fn kpi_row(&self, place: String) -> Option<KpiRow> {
        let (name, reference) = self.title_and_reference(Role::Measure)?;
        let (rag_label, _) = self.status();
        let rag_text = (!rag_label.is_empty()).then_some(rag_label);
        let mut outturns = vec![];
        // A period column: a quarter ("2025/26 Q1") is that quarter's value; a year alone
        // ("2024/25") the year's outturn.
        let row_period = self.text(Role::Period).and_then(|p| {
            let quarter = period_label::period(&p, false).is_some();
            period_label::period(&p, true).map(|period| (period, quarter))
        });
        let values: Vec<&Column> = self
            .grid
            .columns
            .iter()
            .filter(|c| c.role == Role::Value)
            .collect();
        let mut rag_in_value = None;
        for c in &values {
            let Some(cell) = self.record.cells.get(c.index) else {
                continue;
            };
            let mut text = cell.text.trim().to_string();
            // "31.8% (Q3 time lag)\n(GREEN)": a rating written under the value.
            if let Some((value, last)) = text.rsplit_once('\n') {
                let bare = last.trim().trim_start_matches('(').trim_end_matches(')');
                if roles::status_of(bare, self.labels).is_some() {
                    rag_in_value = Some(bare.to_string());
                    text = value.trim().to_string();
                }
            }
            let text = text.replace('\n', " ");
            if text.is_empty() {
                continue;
            }
            // Year 0: placed later, against the document's period (`place_values`).
            let (year, period) = match (c.period, row_period) {
                (Some(p), _) => (waymark_domain::FinancialYear(0), Some(p)),
                (None, Some((p, true))) => (p.year, Some(p)),
                (None, Some((p, false))) => (p.year, None),
                (None, None) => (waymark_domain::FinancialYear(0), None),
            };
            outturns.push(Outturn {
                year,
                text: text.clone(),
                value: Measure::parse(text.trim_end_matches(['*', '†'])),
                period,
                label: Some(c.header.clone()),
                target: None,
                rag_label: None,
            });
        }
        // A unit column says what bare numbers count ("%" beside "89.02"); a unit it cannot
        // read is kept on the row as written.
        let unit = self.text(Role::Unit).map(|t| (unit_word(&t), t));
        if let Some((Some(unit), _)) = &unit {
            for o in &mut outturns {
                if let Some(m) = &mut o.value
                    && m.unit == Unit::Number
                {
                    m.unit = *unit;
                }
            }
        }
        let rag_label = rag_text.or(rag_in_value);
        // The rating and target are the latest period's (columns may run newest first). A
        // column with no period of its own is the report's period, the latest, unless it
        // says it is earlier ("Last year").
        let latest = outturns
            .iter()
            .enumerate()
            .max_by_key(|(i, o)| {
                let label = waymark_domain::text::fold(o.label.as_deref().unwrap_or(""));
                let earlier = label.contains("last") || label.contains("previous");
                let rank = match (o.period, earlier) {
                    (Some(_), _) => 1,
                    (None, true) => 0,
                    (None, false) => 2,
                };
                (rank, o.period, *i)
            })
            .map(|(i, _)| i);
        let mut target_used = None;
        if let Some(last) = latest.and_then(|i| outturns.get_mut(i)) {
            last.rag_label = rag_label.clone();
            // Several target columns ("2025/26 Annual Target", "2024/25 Annual Target"): the
            // one for the value's year; the others are kept as written.
            let targets: Vec<&Column> = self
                .grid
                .columns
                .iter()
                .filter(|c| c.role == Role::Target)
                .collect();
            // "Actual Oct" is rated against "Target Oct": the words that qualify them match.
            let qualifier = |header: &str| -> Vec<String> {
                waymark_domain::text::fold(header)
                    .split(' ')
                    .filter(|w| !matches!(*w, "actual" | "target" | "value" | "outturn" | ""))
                    .map(str::to_string)
                    .collect()
            };
            let value_words = qualifier(last.label.as_deref().unwrap_or(""));
            let chosen = targets
                .iter()
                .find(|c| !value_words.is_empty() && qualifier(&c.header) == value_words)
                .or_else(|| {
                    targets.iter().find(|c| {
                        c.period
                            .is_some_and(|p| Some(p.year) == last.period.map(|q| q.year))
                    })
                })
                .or_else(|| targets.iter().find(|c| c.period.is_none()))
                .or(targets.first());
            if let Some(c) = chosen {
                target_used = Some(c.index);
                last.target = self
                    .record
                    .cells
                    .get(c.index)
                    .map(|cell| cell.text.trim().to_string())
                    .filter(|t| !t.is_empty());
            }
        }
        let mut extras = self.extras(&[
            Role::Reference,
            Role::Measure,
            Role::Title,
            Role::Value,
            Role::Status,
            Role::Target,
            Role::Direction,
            Role::Polarity,
            Role::Period,
            Role::Unit,
        ]);
        if let Some((None, text)) = &unit {
            let header = self
                .column(Role::Unit)
                .map_or_else(|| "Unit".to_string(), |c| c.header.clone());
            extras.push(Extra {
                label: header,
                text: text.clone(),
            });
        }
        for c in self.grid.columns.iter().filter(|c| c.role == Role::Target) {
            let text = self
                .record
                .cells
                .get(c.index)
                .map_or("", |cell| cell.text.trim());
            if Some(c.index) != target_used && !text.is_empty() {
                extras.push(Extra {
                    label: c.header.clone(),
                    text: text.to_string(),
                });
            }
        }
        let section = (!self.record.headings.is_empty()).then(|| self.record.headings.join(" – "));
        Some(KpiRow {
            line: self.record.at,
            section,
            reference: reference.unwrap_or_else(|| name.clone()),
            name,
            frequency: Frequency::parse(""),
            direction: self.text(Role::Direction),
            outturns,
            rag: rag_label.as_deref().and_then(|l| {
                Rag::parse(l).or_else(|| match roles::status_of(l, self.labels)? {
                    Status::Green | Status::Complete => Some(Rag::Green),
                    Status::Amber => Some(Rag::Amber),
                    Status::Red => Some(Rag::Red),
                    _ => None,
                })
            }),
            rag_label,
            polarity: self.text(Role::Polarity),
            extras,
            place: Some(place),
        })
    }
}

/// A sheet that explains the workbook rather than holding its data ("Notes", "Read me").
fn is_notes_sheet(name: &str) -> bool {
    matches!(
        waymark_domain::text::fold(name).as_str(),
        "notes"
            | "note"
            | "read me"
            | "readme"
            | "guidance"
            | "instructions"
            | "how to use"
            | "help"
            | "about"
    )
}

/// The unit a unit column names: "%", "percent", "£", "days", "number".
fn unit_word(text: &str) -> Option<Unit> {
    let t = text.trim();
    if t == "%" {
        return Some(Unit::Percent);
    }
    if t == "£" {
        return Some(Unit::Currency);
    }
    match waymark_domain::text::fold(t).as_str() {
        "percent" | "percentage" | "per cent" | "pct" => Some(Unit::Percent),
        "currency" | "pounds" | "gbp" | "money" => Some(Unit::Currency),
        "days" | "day" => Some(Unit::Days),
        "count" => Some(Unit::Count),
        "number" | "numeric" => Some(Unit::Number),
        _ => None,
    }
}

/// "Directorate: Place" → "Place"; other headings as they are.
fn strip_label(heading: &str) -> String {
    match heading.split_once(':') {
        Some((label, rest)) if label.split_whitespace().count() <= 3 && !rest.trim().is_empty() => {
            rest.trim().to_string()
        }
        _ => heading.to_string(),
    }
}

/// A reference without the list punctuation around it: "KA 3." → "KA 3", "Line 77 –" → "Line 77".
fn clean_reference(r: &str) -> String {
    r.trim()
        .trim_end_matches(['.', ':', '–', '-', ' '])
        .trim()
        .to_string()
}

/// "KA 3. Award the grants" → ("KA 3", "Award the grants"); "12. Open" → ("12", "Open");
/// "Line 14 – Launch" → ("14", "Launch"); "1 - Open" → ("1", "Open"); "4.01.01 Deliver" →
/// ("4.01.01", "Deliver").
fn split_leading_reference(title: &str) -> Option<(String, &str)> {
    let title = title.trim();
    // Words that only say a number follows ("Line 77 –", "Ref 4").
    let mut body = title;
    if let Some((first, rest)) = title.split_once(' ') {
        let f = waymark_domain::text::fold(first);
        if matches!(
            f.as_str(),
            "line" | "item" | "no" | "number" | "ref" | "reference"
        ) {
            body = rest.trim_start();
        }
    }
    let words: Vec<&str> = body.splitn(4, ' ').collect();
    for n in [2usize, 1] {
        if words.len() <= n {
            continue;
        }
        let candidate = words[..n].join(" ");
        let trimmed = candidate
            .trim_end_matches(['.', ':', '–', '-', '—', ' '])
            .trim_end();
        if trimmed.is_empty() || !roles::is_reference(trimmed) {
            continue;
        }
        let after = &body[candidate.len()..];
        let dash_next = words
            .get(n)
            .is_some_and(|w| matches!(*w, "–" | "-" | "—" | ":"));
        let punctuated = trimmed.len() < candidate.len();
        // Without punctuation only a reference that cannot be a number in a sentence.
        let strong = trimmed.contains('.') || trimmed.chars().any(char::is_alphabetic);
        if !(punctuated || dash_next || (n == 1 && strong)) {
            continue;
        }
        let rest = after.trim_start_matches([' ', '–', '-', '—', ':']).trim();
        if !rest.is_empty() {
            return Some((trimmed.to_string(), rest));
        }
    }
    None
}

/// A fill colour read as a rating: its name and status.
fn fill_status((r, g, b): (u8, u8, u8)) -> Option<(&'static str, Status)> {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    if r > 200 && g > 200 && b > 200 || r + g + b < 60 {
        return None;
    }
    if g > r + 20 && g > b {
        Some(("Green", Status::Green))
    } else if r > 180 && g > 120 && b < 170 && r >= g {
        Some(("Amber", Status::Amber))
    } else if r > g + 40 && r > b + 40 {
        Some(("Red", Status::Red))
    } else if b > r + 20 && b > g {
        Some(("Blue", Status::Complete))
    } else {
        None
    }
}

/// Give each value its period and financial year: its column's period, or one relative to
/// the report's ("Last Year", "Value").
fn place_values(
    rows: Vec<KpiRow>,
    period: Option<Period>,
    file: &str,
) -> Result<Vec<KpiRow>, ImportError> {
    let mut out = vec![];
    for mut row in rows {
        for o in &mut row.outturns {
            if o.year.0 != 0 {
                continue; // placed by the row's own period column
            }
            let label = waymark_domain::text::fold(o.label.as_deref().unwrap_or(""));
            let p = o.period.or_else(|| {
                let p = period?;
                Some(if let Some(month) = month_named(&label) {
                    // "Actual Jul" in a report for October: July's quarter of that year.
                    let quarter = match month {
                        3..=5 => waymark_domain::Quarter::Q1,
                        6..=8 => waymark_domain::Quarter::Q2,
                        9..=11 => waymark_domain::Quarter::Q3,
                        _ => waymark_domain::Quarter::Q4,
                    };
                    // A month after the report's quarter is last year's ("Actual Mar" in a
                    // first-quarter report).
                    let same_year = Period::new(p.year.0, quarter);
                    if same_year > p {
                        Period::new(p.year.0 - 1, quarter)
                    } else {
                        same_year
                    }
                } else if label.contains("last year") || label.contains("previous year") {
                    Period::new(p.year.0 - 1, p.quarter)
                } else if label.contains("last quarter")
                    || label.contains("previous quarter")
                    || label.contains("last period")
                {
                    p.previous()
                } else {
                    p
                })
            });
            let Some(p) = p else {
                return Err(ImportError::new(
                    file,
                    format!(
                        "the indicator '{}' has a value in the column '{}', which names no period, and the document names none either; say which with --period",
                        row.name,
                        o.label.clone().unwrap_or_default()
                    ),
                )
                .at_line(row.line));
            };
            o.year = p.year;
            // A year's column ("2024/25") is the year's outturn, not its fourth quarter.
            o.period =
                if label_names_quarter(o.label.as_deref().unwrap_or("")) || o.period.is_none() {
                    Some(p)
                } else {
                    None
                };
        }
        out.push(row);
    }
    Ok(out)
}

/// The month a column's label names without a year ("Actual Jul" → 6, counting January
/// as 0).
fn month_named(label: &str) -> Option<usize> {
    let words: Vec<&str> = label.split(' ').collect();
    if words
        .iter()
        .any(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    words.iter().find_map(|w| period_label::month_index(w))
}

fn label_names_quarter(label: &str) -> bool {
    period_label::period(label, false).is_some()
}

/// A long table (a row per indicator and period) gathered into one row per indicator.
fn merge_long(rows: Vec<KpiRow>) -> Vec<KpiRow> {
    let mut out: Vec<KpiRow> = vec![];
    let mut index: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for row in rows {
        let key = (row.reference.clone(), row.name.clone());
        if let Some(existing) = index.get(&key).and_then(|&i| out.get_mut(i)) {
            existing.outturns.extend(row.outturns);
            if row.rag_label.is_some() {
                existing.rag = row.rag;
                existing.rag_label = row.rag_label;
            }
            if row.direction.is_some() {
                existing.direction = row.direction;
            }
        } else {
            index.insert(key, out.len());
            out.push(row);
        }
    }
    out
}
