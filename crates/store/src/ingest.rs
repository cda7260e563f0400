//! Writing imported documents: one transaction for a whole import command, idempotent by
//! document hash, with plan revisions diffed and report rows reconciled to plan activities.

use crate::batch::{Batch, Cell};
use crate::{Organisation, Result, Store, StoreError, corrupt, stamp};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use waymark_domain::plan_diff::{Change, RowDiff, StoredActivity, diff_plan};
use waymark_domain::reconcile::{Decision, ReconcileOptions, Titled, reconcile};
use waymark_domain::text::fold;
use waymark_domain::{
    ActionPlan, ActivityReport, CorporatePlan, Document, DocumentKind, KpiTable, PlannedActivity,
    PrinciplesPage, Strategy,
};

/// A parsed file ready to store.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub file_name: String,
    pub content_sha256: String,
    pub byte_len: usize,
    pub document: Document,
}

impl Incoming {
    /// The document is identified by the hash of what was read from it, not of its bytes, so
    /// the same text saved with other line endings or a byte-order mark counts as the same.
    pub fn new(file_name: &str, bytes: &[u8], document: Document) -> Incoming {
        let content = serde_json::to_vec(&document).unwrap_or_else(|_| bytes.to_vec());
        let digest = Sha256::digest(&content);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Incoming {
            file_name: file_name.to_string(),
            content_sha256: hex,
            byte_len: bytes.len(),
            document,
        }
    }

    /// A document made by a program (synthetic councils), not read from a file: its size is
    /// that of its content.
    pub fn generated(file_name: &str, document: Document) -> Incoming {
        let content = serde_json::to_vec(&document).unwrap_or_default();
        Incoming::new(file_name, &content, document)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported {
        file: String,
        kind: DocumentKind,
        summary: String,
    },
    AlreadyImported {
        file: String,
        kind: DocumentKind,
    },
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// Plans before reports, so a report in the same command links to the plan it reports on.
fn order(kind: DocumentKind) -> u8 {
    match kind {
        DocumentKind::CorporatePlan => 0,
        DocumentKind::Principles => 1,
        DocumentKind::Strategy => 2,
        DocumentKind::ActionPlan => 3,
        DocumentKind::KpiTable => 4,
        DocumentKind::ActivityReport => 5,
    }
}

impl Store {
    /// Store the documents of one import command, all or nothing.
    pub async fn import(
        &self,
        org: &Organisation,
        files: Vec<Incoming>,
        at: DateTime<Utc>,
        options: &ReconcileOptions,
    ) -> Result<Vec<ImportOutcome>> {
        let mut tx = self.begin_write().await?;
        let outcomes = import_in(&mut tx, org, files, at, options).await?;
        self.commit(tx).await?;
        Ok(outcomes)
    }
}

/// The documents of one import, written inside a write transaction the caller commits (an
/// import) or rolls back (a preview of what an import would change).
pub(crate) async fn import_in(
    tx: &mut crate::Tx,
    org: &Organisation,
    mut files: Vec<Incoming>,
    at: DateTime<Utc>,
    options: &ReconcileOptions,
) -> Result<Vec<ImportOutcome>> {
    files.sort_by_key(|f| {
        let period = match &f.document {
            Document::ActivityReport(r) => Some(r.period),
            _ => None,
        };
        (order(f.document.kind()), period)
    });
    let now = stamp(at);
    let mut outcomes = vec![];
    for file in &files {
        let kind = file.document.kind();
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM documents WHERE org_id = $1 AND sha256 = $2")
                .bind(org.id)
                .bind(&file.content_sha256)
                .fetch_optional(&mut **tx)
                .await?;
        if exists.is_some() {
            outcomes.push(ImportOutcome::AlreadyImported {
                file: file.file_name.clone(),
                kind,
            });
            continue;
        }
        let body = serde_json::to_string(&file.document).map_err(corrupt)?;
        let title = match &file.document {
            Document::CorporatePlan(d) => d.title.clone(),
            Document::Principles(d) => d.title.clone(),
            Document::ActionPlan(d) => d.title.clone(),
            Document::ActivityReport(d) => d.title.clone(),
            Document::KpiTable(d) => d.title.clone(),
            Document::Strategy(d) => d.title.clone(),
        };
        let doc_id: i64 = sqlx::query_scalar(
            "INSERT INTO documents (org_id, kind, file_name, sha256, byte_len, title, body_json, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(org.id)
        .bind(kind.key())
        .bind(&file.file_name)
        .bind(&file.content_sha256)
        .bind(file.byte_len as i64)
        .bind(&title)
        .bind(&body)
        .bind(&now)
        .fetch_one(&mut **tx)
        .await?;
        let w = Writer::new(org.id, doc_id, &now);
        let summary = match &file.document {
            Document::CorporatePlan(d) => w.corporate_plan(tx, d).await?,
            Document::Principles(d) => w.principles(tx, d).await?,
            Document::Strategy(d) => w.strategy(tx, d).await?,
            Document::ActionPlan(d) => w.action_plan(tx, d, options).await?,
            Document::ActivityReport(d) => w.report(tx, d, options).await?,
            Document::KpiTable(d) => w.kpi_table(tx, d).await?,
        };
        w.flush(tx).await?;
        if let Document::ActivityReport(r) = &file.document {
            crate::public::summary::refresh_period_summary(tx, org.id, r.period, &now).await?;
        }
        outcomes.push(ImportOutcome::Imported {
            file: file.file_name.clone(),
            kind,
            summary,
        });
    }
    if outcomes
        .iter()
        .any(|o| matches!(o, ImportOutcome::Imported { .. }))
    {
        crate::bump_version(tx, org.id).await?;
    }
    Ok(outcomes)
}

/// Writes one document's rows.
pub(crate) struct Writer<'a> {
    org: i64,
    doc: i64,
    now: &'a str,
    /// Directorate ids and portfolios known in this import, so each is looked up once.
    known: Mutex<Known>,
    /// The next free activity id, once looked up.
    next_activity_id: Mutex<Option<i64>>,
    /// Rows written in bulk when the document is done (or before the next read).
    pending: Mutex<Pending>,
}

#[derive(Default)]
struct Known {
    directorates: HashMap<String, i64>,
    portfolios: HashSet<String>,
}

struct Pending {
    activities: Batch,
    /// References given to existing activities by a report: (activity id, reference).
    references: Vec<(i64, String)>,
    versions: Batch,
    names: Batch,
    changes: Batch,
    links: Batch,
    updates: Batch,
}

impl Default for Pending {
    fn default() -> Self {
        Pending {
            activities: Batch::new(
                "activities",
                &["id", "org_id", "reference", "origin", "recorded_at"],
            ),
            references: vec![],
            versions: Batch::new(
                "activity_versions",
                &[
                    "org_id",
                    "activity_id",
                    "revision_id",
                    "document_id",
                    "line",
                    "title",
                    "directorate_id",
                    "portfolios_json",
                    "due_json",
                    "due_deadline",
                    "status_note",
                    "removed",
                    "recorded_at",
                ],
            ),
            names: Batch::new(
                "activity_names",
                &[
                    "org_id",
                    "activity_id",
                    "title",
                    "document_id",
                    "recorded_at",
                ],
            ),
            changes: Batch::new(
                "plan_changes",
                &[
                    "org_id",
                    "revision_id",
                    "activity_id",
                    "change",
                    "detail",
                    "recorded_at",
                ],
            ),
            links: Batch::new(
                "links",
                &[
                    "org_id",
                    "document_id",
                    "period",
                    "reference",
                    "report_title",
                    "report_directorate",
                    "line",
                    "activity_id",
                    "plan_title",
                    "plan_directorate",
                    "score",
                    "decision",
                    "recorded_at",
                ],
            ),
            updates: Batch::new(
                "updates",
                &[
                    "org_id",
                    "activity_id",
                    "period",
                    "reference",
                    "title",
                    "directorate_id",
                    "status",
                    "status_label",
                    "note",
                    "review_state",
                    "document_id",
                    "line",
                    "position",
                    "recorded_at",
                    "extras_json",
                    "place",
                ],
            ),
        }
    }
}

/// An activity as the latest plan revision (or a report) left it.
pub(crate) struct Current {
    pub(crate) id: i64,
    pub(crate) reference: Option<String>,
    pub(crate) title: String,
    pub(crate) directorate: String,
    pub(crate) portfolios: Vec<String>,
    pub(crate) due_json: Option<String>,
    pub(crate) status_note: Option<String>,
    pub(crate) in_plan: bool,
    /// Known only from a report (never in a plan revision).
    pub(crate) report_only: bool,
}

/// One version of an activity, as [`Writer::add_version`] writes it.
pub(crate) struct NewVersion<'a> {
    pub(crate) activity: i64,
    /// The plan revision that states it; none for an activity a report made.
    pub(crate) revision: Option<i64>,
    /// The document's line, where the version comes from one.
    pub(crate) line: Option<usize>,
    pub(crate) title: &'a str,
    pub(crate) directorate: &'a str,
    pub(crate) portfolios: &'a [String],
    pub(crate) due_json: Option<String>,
    pub(crate) due_deadline: Option<String>,
    pub(crate) status_note: Option<&'a str>,
    /// The activity leaves the plan with this version.
    pub(crate) removed: bool,
}

impl<'a> NewVersion<'a> {
    /// An activity as a plan row (or an edit) states it.
    pub(crate) fn planned(
        activity: i64,
        revision: i64,
        line: Option<usize>,
        row: &'a PlannedActivity,
    ) -> Result<NewVersion<'a>> {
        let due = row.due_date();
        Ok(NewVersion {
            activity,
            revision: Some(revision),
            line,
            title: &row.title,
            directorate: &row.directorate,
            portfolios: &row.portfolios,
            due_json: due.map(json).transpose()?,
            due_deadline: due.and_then(|d| d.deadline()).map(|d| d.to_string()),
            status_note: row.status_note(),
            removed: false,
        })
    }

    /// An activity leaving the plan in `revision`: what it said, marked removed, with no
    /// deadline.
    pub(crate) fn removal(c: &'a Current, revision: i64) -> NewVersion<'a> {
        NewVersion {
            activity: c.id,
            revision: Some(revision),
            line: None,
            title: &c.title,
            directorate: &c.directorate,
            portfolios: &c.portfolios,
            due_json: c.due_json.clone(),
            due_deadline: None,
            status_note: c.status_note.as_deref(),
            removed: true,
        }
    }
}

impl Current {
    /// The activity as plan diffing compares it. A stored due date that cannot be read
    /// compares as none (a note in the date column still counts), as it always has.
    pub(crate) fn stored(&self) -> StoredActivity {
        StoredActivity {
            reference: self.reference.clone(),
            title: self.title.clone(),
            directorate: self.directorate.clone(),
            portfolios: self.portfolios.clone(),
            due: self
                .due_json
                .as_deref()
                .and_then(|j| serde_json::from_str::<waymark_domain::DueDate>(j).ok()),
            status_note: self.status_note.clone(),
            in_plan: self.in_plan,
            report_only: self.report_only,
        }
    }
}

impl Writer<'_> {
    pub(crate) fn new(org: i64, doc: i64, now: &str) -> Writer<'_> {
        Writer {
            org,
            doc,
            now,
            known: Mutex::default(),
            next_activity_id: Mutex::default(),
            pending: Mutex::default(),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        // A poisoned lock only means another statement panicked; the rows are still whole.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Write every pending row. Called before reading back and when a document is done.
    pub(crate) async fn flush(&self, tx: &mut Tx<'_>) -> Result<()> {
        // Activities first: every other row refers to one.
        let (activities, references, rest) = {
            let mut p = self.pending();
            (
                p.activities.take(),
                std::mem::take(&mut p.references),
                [
                    p.versions.take(),
                    p.names.take(),
                    p.changes.take(),
                    p.links.take(),
                    p.updates.take(),
                ],
            )
        };
        activities.write(tx).await?;
        set_references(tx, self.org, &references).await?;
        for batch in rest {
            batch.write(tx).await?;
        }
        Ok(())
    }

    async fn directorate(&self, tx: &mut Tx<'_>, name: &str) -> Result<i64> {
        let key = fold(name);
        if let Some(id) = self.known().directorates.get(&key) {
            return Ok(*id);
        }
        let id = self.directorate_id(tx, name, &key).await?;
        self.known().directorates.insert(key, id);
        Ok(id)
    }

    async fn directorate_id(&self, tx: &mut Tx<'_>, name: &str, key: &str) -> Result<i64> {
        if let Some(id) = sqlx::query_scalar::<_, i64>(
            "SELECT id FROM directorates WHERE org_id = $1 AND fold_key = $2",
        )
        .bind(self.org)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?
        {
            return Ok(id);
        }
        Ok(sqlx::query_scalar(
            "INSERT INTO directorates (org_id, name, fold_key) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(self.org)
        .bind(name)
        .bind(key)
        .fetch_one(&mut **tx)
        .await?)
    }

    async fn portfolio(&self, tx: &mut Tx<'_>, name: &str) -> Result<()> {
        if !self.known().portfolios.insert(fold(name)) {
            return Ok(());
        }
        sqlx::query("INSERT INTO portfolios (org_id, name, fold_key) VALUES ($1, $2, $3) ON CONFLICT (org_id, fold_key) DO NOTHING")
            .bind(self.org)
            .bind(name)
            .bind(fold(name))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn corporate_plan(&self, tx: &mut Tx<'_>, plan: &CorporatePlan) -> Result<String> {
        for theme in &plan.themes {
            let theme_id: i64 = sqlx::query_scalar(
                "INSERT INTO themes (org_id, document_id, number, title, summary, line) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(self.org)
            .bind(self.doc)
            .bind(theme.number as i64)
            .bind(&theme.title)
            .bind(&theme.summary)
            .bind(theme.line as i64)
            .fetch_one(&mut **tx)
            .await?;
            for outcome in &theme.outcomes {
                sqlx::query(
                    "INSERT INTO outcomes (org_id, theme_id, number, title, narrative_json, line) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(self.org)
                .bind(theme_id)
                .bind(outcome.number as i64)
                .bind(&outcome.title)
                .bind(json(&outcome.narrative)?)
                .bind(outcome.line as i64)
                .execute(&mut **tx)
                .await?;
            }
        }
        for (i, title) in plan.principles.iter().enumerate() {
            self.principle(tx, i, title, &[]).await?;
        }
        for (i, title) in plan.values.iter().enumerate() {
            sqlx::query("INSERT INTO plan_values (org_id, document_id, position, title) VALUES ($1, $2, $3, $4)")
                .bind(self.org)
                .bind(self.doc)
                .bind(i as i64)
                .bind(title)
                .execute(&mut **tx)
                .await?;
        }
        let outcomes: usize = plan.themes.iter().map(|t| t.outcomes.len()).sum();
        Ok(format!(
            "{} priority themes, {} outcomes, {} principles, {} values",
            plan.themes.len(),
            outcomes,
            plan.principles.len(),
            plan.values.len()
        ))
    }

    async fn principle(
        &self,
        tx: &mut Tx<'_>,
        position: usize,
        title: &str,
        explanation: &[String],
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO principles (org_id, document_id, position, title, explanation_json) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(self.org)
        .bind(self.doc)
        .bind(position as i64)
        .bind(title)
        .bind(json(&explanation)?)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn principles(&self, tx: &mut Tx<'_>, page: &PrinciplesPage) -> Result<String> {
        for (i, p) in page.principles.iter().enumerate() {
            self.principle(tx, i, &p.title, &p.explanation).await?;
        }
        Ok(format!("{} principles", page.principles.len()))
    }

    async fn strategy(&self, tx: &mut Tx<'_>, s: &Strategy) -> Result<String> {
        sqlx::query("INSERT INTO strategies (org_id, document_id, title, paragraphs_json) VALUES ($1, $2, $3, $4)")
            .bind(self.org)
            .bind(self.doc)
            .bind(&s.title)
            .bind(json(&s.paragraphs)?)
            .execute(&mut **tx)
            .await?;
        Ok(format!(
            "strategy '{}', {} paragraphs",
            s.title,
            s.paragraphs.len()
        ))
    }

    async fn kpi_table(&self, tx: &mut Tx<'_>, table: &KpiTable) -> Result<String> {
        let mut values = 0;
        for row in &table.rows {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO indicators (org_id, reference, name, frequency, section, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, reference) DO UPDATE SET name = excluded.name, frequency = excluded.frequency
                 RETURNING id",
            )
            .bind(self.org)
            .bind(&row.reference)
            .bind(&row.name)
            .bind(row.frequency.label())
            .bind(&row.section)
            .bind(self.now)
            .fetch_one(&mut **tx)
            .await?;
            let last = row.outturns.len().saturating_sub(1);
            for (i, outturn) in row.outturns.iter().enumerate() {
                // The RAG and direction in a KPI table describe the latest outturn.
                let (rag, direction) = if i == last {
                    (
                        row.rag.map(|r| r.label().to_string()),
                        row.direction.clone(),
                    )
                } else {
                    (None, None)
                };
                // A rating given for an earlier value (a long table) is that value's own.
                let rag_label = outturn.rag_label.clone().or_else(|| {
                    if i == last {
                        row.rag_label.clone()
                    } else {
                        None
                    }
                });
                let query = sqlx::query(
                    "INSERT INTO indicator_values (org_id, indicator_id, year, text, value, unit, rag, direction, document_id, line, recorded_at,
                                                   period, label, target, rag_label, polarity, extras_json, place)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
                )
                .bind(self.org)
                .bind(id)
                .bind(outturn.year.0 as i64)
                .bind(&outturn.text);
                crate::batch::bind_real(query, outturn.value.map(|m| m.value))
                    .bind(
                        outturn
                            .value
                            .map(|m| format!("{:?}", m.unit).to_lowercase()),
                    )
                    .bind(rag)
                    .bind(direction)
                    .bind(self.doc)
                    .bind(row.line as i64)
                    .bind(self.now)
                    .bind(outturn.period.map(|p| p.slug()))
                    .bind(outturn.label.clone())
                    .bind(outturn.target.clone())
                    .bind(rag_label)
                    .bind(if i == last {
                        row.polarity.clone()
                    } else {
                        None
                    })
                    .bind(if i == last {
                        extras_json(&row.extras)?
                    } else {
                        None
                    })
                    .bind(row.place.clone())
                    .execute(&mut **tx)
                    .await?;
                values += 1;
            }
        }
        Ok(format!(
            "{} indicators, {} values",
            table.rows.len(),
            values
        ))
    }

    /// Activities as they stand now (latest version of each).
    pub(crate) async fn current_activities(&self, tx: &mut Tx<'_>) -> Result<Vec<Current>> {
        self.flush(tx).await?;
        let rows = sqlx::query(
            "SELECT a.id, a.reference, v.title, d.name AS directorate, v.portfolios_json, v.due_json,
                    v.status_note,
                    CASE WHEN v.revision_id IS NOT NULL AND v.removed = 0 THEN 1 ELSE 0 END AS in_plan,
                    CASE WHEN a.origin = 'report' THEN 1 ELSE 0 END AS report_only
             FROM activities a
             JOIN activity_versions v ON v.id = (SELECT MAX(id) FROM activity_versions WHERE activity_id = a.id)
             JOIN directorates d ON d.id = v.directorate_id
             WHERE a.org_id = $1 AND a.merged_into IS NULL
             ORDER BY a.id",
        )
        .bind(self.org)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter()
            .map(|r| {
                let portfolios: String = r.try_get("portfolios_json")?;
                Ok(Current {
                    id: r.try_get("id")?,
                    reference: r.try_get("reference")?,
                    title: r.try_get("title")?,
                    directorate: r.try_get("directorate")?,
                    portfolios: serde_json::from_str(&portfolios).map_err(corrupt)?,
                    due_json: r.try_get("due_json")?,
                    status_note: r.try_get("status_note")?,
                    in_plan: crate::flag(r, "in_plan")?,
                    report_only: crate::flag(r, "report_only")?,
                })
            })
            .collect()
    }

    pub(crate) async fn add_version(&self, tx: &mut Tx<'_>, v: NewVersion<'_>) -> Result<()> {
        let directorate_id = self.directorate(tx, v.directorate).await?;
        for p in v.portfolios {
            self.portfolio(tx, p).await?;
        }
        let row: Vec<Cell> = vec![
            self.org.into(),
            v.activity.into(),
            v.revision.into(),
            self.doc.into(),
            v.line.map(|l| l as i64).into(),
            v.title.into(),
            directorate_id.into(),
            json(v.portfolios)?.into(),
            v.due_json.into(),
            v.due_deadline.into(),
            v.status_note.into(),
            (v.removed as i64).into(),
            self.now.into(),
        ];
        self.pending().versions.push(row);
        Ok(())
    }

    pub(crate) fn add_name(&self, activity: i64, title: &str) -> Result<()> {
        let row: Vec<Cell> = vec![
            self.org.into(),
            activity.into(),
            title.into(),
            self.doc.into(),
            self.now.into(),
        ];
        self.pending().names.push(row);
        Ok(())
    }

    /// A new activity. Ids are handed out here, inside the import's write transaction (which
    /// holds SQLite's write lock), so the rows can be inserted in one statement with the rest.
    pub(crate) async fn new_activity(
        &self,
        tx: &mut Tx<'_>,
        reference: Option<&str>,
        origin: &str,
    ) -> Result<i64> {
        let known_next = *self
            .next_activity_id
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let id = match known_next {
            Some(id) => id,
            None => {
                let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM activities")
                    .fetch_one(&mut **tx)
                    .await?;
                max + 1
            }
        };
        *self
            .next_activity_id
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(id + 1);
        let row: Vec<Cell> = vec![
            id.into(),
            self.org.into(),
            reference.into(),
            origin.into(),
            self.now.into(),
        ];
        self.pending().activities.push(row);
        Ok(id)
    }

    pub(crate) fn change(
        &self,
        revision: i64,
        activity: i64,
        change: &str,
        detail: String,
    ) -> Result<()> {
        let row: Vec<Cell> = vec![
            self.org.into(),
            revision.into(),
            activity.into(),
            change.into(),
            detail.into(),
            self.now.into(),
        ];
        self.pending().changes.push(row);
        Ok(())
    }

    /// A new revision of the action plan: the domain's plan diff says which activity each row
    /// continues and what changed; here its versions, names and change list are written.
    async fn action_plan(
        &self,
        tx: &mut Tx<'_>,
        plan: &ActionPlan,
        options: &ReconcileOptions,
    ) -> Result<String> {
        let had_plan: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM plan_revisions WHERE org_id = $1")
                .bind(self.org)
                .fetch_one(&mut **tx)
                .await?;
        let revision: i64 = sqlx::query_scalar(
            "INSERT INTO plan_revisions (org_id, document_id, title, last_updated, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(self.org)
        .bind(self.doc)
        .bind(&plan.title)
        .bind(&plan.last_updated)
        .bind(self.now)
        .fetch_one(&mut **tx)
        .await?;
        let current = self.current_activities(tx).await?;
        let before: Vec<StoredActivity> = current.iter().map(Current::stored).collect();
        let diff = diff_plan(&before, &plan.activities, options);
        // A council's first plan is where its history starts: its rows are not changes.
        let record = had_plan > 0;
        for (row, fate) in plan.activities.iter().zip(&diff.rows) {
            let id = match fate {
                RowDiff::Continues { stored, changes } => {
                    let before = current
                        .get(*stored)
                        .ok_or_else(|| corrupt("no such activity"))?;
                    if record {
                        for change in changes {
                            self.change(revision, before.id, change.kind(), change.detail())?;
                        }
                    }
                    if changes.iter().any(|c| matches!(c, Change::Renamed { .. })) {
                        self.add_name(before.id, &row.title)?;
                    }
                    before.id
                }
                RowDiff::Added { reference } => {
                    let id = self.new_activity(tx, reference.as_deref(), "plan").await?;
                    self.add_name(id, &row.title)?;
                    if record {
                        let added = Change::Added {
                            title: row.title.clone(),
                        };
                        self.change(revision, id, added.kind(), added.detail())?;
                    }
                    id
                }
            };
            let version = NewVersion::planned(id, revision, Some(row.line), row)?;
            self.add_version(tx, version).await?;
        }
        for &gone in &diff.removed {
            let c = current
                .get(gone)
                .ok_or_else(|| corrupt("no such activity"))?;
            self.add_version(tx, NewVersion::removal(c, revision))
                .await?;
            let removed = Change::Removed {
                title: c.title.clone(),
            };
            self.change(revision, c.id, removed.kind(), removed.detail())?;
        }
        let (added, changed, removed) = (diff.added(), diff.changed(), diff.removed.len());
        Ok(if had_plan > 0 {
            format!(
                "plan revision with {} activities: {added} added, {changed} changed, {removed} removed",
                plan.activities.len()
            )
        } else {
            format!("{} activities in {} directorates", plan.activities.len(), {
                let mut d: Vec<String> = plan
                    .activities
                    .iter()
                    .map(|a| fold(&a.directorate))
                    .collect();
                d.sort();
                d.dedup();
                d.len()
            })
        })
    }

    /// A progress report: claims, reconciliation to plan activities, and one return per row.
    async fn report(
        &self,
        tx: &mut Tx<'_>,
        report: &ActivityReport,
        options: &ReconcileOptions,
    ) -> Result<String> {
        let period = report.period.slug();
        for claim in &report.claims {
            sqlx::query("INSERT INTO claims (org_id, document_id, period, line, text, claim_json, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(self.org)
                .bind(self.doc)
                .bind(&period)
                .bind(claim.line as i64)
                .bind(&claim.text)
                .bind(json(&claim.claim)?)
                .bind(self.now)
                .execute(&mut **tx)
                .await?;
        }
        let current = self.current_activities(tx).await?;
        let by_reference: HashMap<String, usize> = current
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.reference.as_ref().map(|r| (r.clone(), i)))
            .collect();
        let by_title: HashMap<String, usize> = current
            .iter()
            .enumerate()
            .filter(|(_, c)| c.reference.is_none() && c.report_only)
            .map(|(i, c)| (title_key(&c.directorate, &c.title), i))
            .collect();
        // The first row of each reference speaks for it; repeats are kept as returns below.
        let mut first_rows: Vec<usize> = vec![];
        let mut seen = HashSet::new();
        for (i, row) in report.rows.iter().enumerate() {
            if seen.insert(row_key(row)) {
                first_rows.push(i);
            }
        }
        let mut activity_of: HashMap<String, i64> = HashMap::new();
        let mut new_rows = vec![];
        for &i in &first_rows {
            let row = &report.rows[i];
            match by_reference
                .get(&row.reference)
                .filter(|_| !row.reference.is_empty())
            {
                Some(&c) => {
                    let a = &current[c];
                    activity_of.insert(row_key(row), a.id);
                    if fold(&a.title) != fold(&row.title) {
                        self.add_name(a.id, &row.title)?;
                    }
                    if a.in_plan {
                        self.link(&period, row, Some(a), 1.0, Decision::Linked);
                    } else {
                        // Still known only from reports: carry forward a suggestion awaiting a
                        // person's decision, if there is one; otherwise it stays unplanned.
                        let pending = self.pending_review(tx, &row.reference).await?;
                        let candidate = pending.and_then(|(plan_id, score)| {
                            current
                                .iter()
                                .find(|p| p.id == plan_id && p.in_plan && p.reference.is_none())
                                .map(|p| (p, score))
                        });
                        match candidate {
                            Some((p, score)) => {
                                self.link(&period, row, Some(p), score, Decision::Review)
                            }
                            None => self.link(&period, row, None, 0.0, Decision::Unmatched),
                        }
                    }
                }
                // A row without a reference is the activity an earlier report without
                // references named the same way, in the same directorate.
                None if row.reference.is_empty() => match by_title.get(&row_key(row)) {
                    Some(&c) => {
                        activity_of.insert(row_key(row), current[c].id);
                        self.link(&period, row, None, 0.0, Decision::Unmatched);
                    }
                    None => new_rows.push(i),
                },
                None => new_rows.push(i),
            }
        }
        // Reconcile the unknown references against plan activities that have none yet.
        let candidates: Vec<usize> = (0..current.len())
            .filter(|&i| current[i].in_plan && current[i].reference.is_none())
            .collect();
        let left: Vec<Titled> = candidates
            .iter()
            .map(|&i| Titled {
                title: current[i].title.clone(),
                directorate: current[i].directorate.clone(),
            })
            .collect();
        let right: Vec<Titled> = new_rows
            .iter()
            .map(|&i| Titled {
                title: report.rows[i].title.clone(),
                directorate: report.rows[i].directorate.clone(),
            })
            .collect();
        let result = reconcile(&left, &right, options);
        let (mut linked, mut review, mut unmatched) = (0, 0, 0);
        for link in &result.links {
            match (link.plan, link.report) {
                (plan, Some(r)) => {
                    let row = &report.rows[new_rows[r]];
                    let plan_activity = plan.map(|p| &current[candidates[p]]);
                    match (link.decision, plan_activity) {
                        (Decision::Linked, Some(a)) => {
                            if !row.reference.is_empty() {
                                self.pending()
                                    .references
                                    .push((a.id, row.reference.clone()));
                            }
                            if fold(&a.title) != fold(&row.title) {
                                self.add_name(a.id, &row.title)?;
                            }
                            activity_of.insert(row_key(row), a.id);
                            linked += 1;
                        }
                        (decision, _) => {
                            // Review or unmatched: the report row becomes an activity of its own
                            // until a person decides.
                            let reference =
                                (!row.reference.is_empty()).then_some(row.reference.as_str());
                            let id = self.new_activity(tx, reference, "report").await?;
                            self.add_name(id, &row.title)?;
                            // What the report says of the activity's portfolio and due date
                            // is all that is known of them.
                            let due = row.due.as_deref().map(waymark_domain::DueCell::parse);
                            let due_date = due.as_ref().and_then(|d| match d {
                                waymark_domain::DueCell::Date(d) => Some(d),
                                waymark_domain::DueCell::Note(_) => None,
                            });
                            let due_json = due_date.map(json).transpose()?;
                            let deadline =
                                due_date.and_then(|d| d.deadline()).map(|d| d.to_string());
                            let note = match &due {
                                Some(waymark_domain::DueCell::Note(n)) => Some(n.as_str()),
                                _ => None,
                            };
                            let version = NewVersion {
                                activity: id,
                                revision: None,
                                line: Some(row.line),
                                title: &row.title,
                                directorate: &row.directorate,
                                portfolios: &row.portfolios,
                                due_json,
                                due_deadline: deadline,
                                status_note: note,
                                removed: false,
                            };
                            self.add_version(tx, version).await?;
                            activity_of.insert(row_key(row), id);
                            if decision == Decision::Review {
                                review += 1;
                            } else {
                                unmatched += 1;
                            }
                        }
                    }
                    self.link(&period, row, plan_activity, link.score, link.decision);
                }
                (Some(p), None) => {
                    let a = &current[candidates[p]];
                    self.plan_only_link(&period, a);
                }
                (None, None) => {}
            }
        }
        for (position, row) in report.rows.iter().enumerate() {
            let activity = *activity_of.get(&row_key(row)).ok_or_else(|| {
                StoreError::Corrupt(format!("no activity for reference {}", row.reference))
            })?;
            let directorate = self.directorate(tx, &row.directorate).await?;
            let cells: Vec<Cell> = vec![
                self.org.into(),
                activity.into(),
                period.as_str().into(),
                row.reference.as_str().into(),
                row.title.as_str().into(),
                directorate.into(),
                row.status.key().into(),
                row.status_label.as_str().into(),
                row.note.clone().into(),
                "approved".into(),
                self.doc.into(),
                (row.line as i64).into(),
                (position as i64).into(),
                self.now.into(),
                extras_json(&row.extras)?.into(),
                row.place.clone().into(),
            ];
            self.pending().updates.push(cells);
        }
        Ok(format!(
            "{} rows ({} references) for {}: {} linked by reference, {linked} linked by title, {review} to review, {unmatched} unmatched",
            report.rows.len(),
            first_rows.len(),
            report.period,
            first_rows.len() - new_rows.len(),
        ))
    }

    fn link(
        &self,
        period: &str,
        row: &waymark_domain::ReportRow,
        plan: Option<&Current>,
        score: f64,
        decision: Decision,
    ) {
        let cells: Vec<Cell> = vec![
            self.org.into(),
            self.doc.into(),
            period.into(),
            row.reference.as_str().into(),
            row.title.as_str().into(),
            row.directorate.as_str().into(),
            (row.line as i64).into(),
            plan.map(|a| a.id).into(),
            plan.map(|a| a.title.clone()).into(),
            plan.map(|a| a.directorate.clone()).into(),
            score.into(),
            decision.key().into(),
            self.now.into(),
        ];
        self.pending().links.push(cells);
    }

    /// The plan activity suggested for a reference in its newest link awaiting review.
    async fn pending_review(&self, tx: &mut Tx<'_>, reference: &str) -> Result<Option<(i64, f64)>> {
        let row = sqlx::query(
            "SELECT activity_id, score FROM links
             WHERE org_id = $1 AND reference = $2 AND decision = 'review' AND activity_id IS NOT NULL
             ORDER BY id DESC LIMIT 1",
        )
        .bind(self.org)
        .bind(reference)
        .fetch_optional(&mut **tx)
        .await?;
        match row {
            Some(r) => Ok(Some((r.try_get("activity_id")?, r.try_get("score")?))),
            None => Ok(None),
        }
    }

    /// A plan activity that no report row matched.
    fn plan_only_link(&self, period: &str, a: &Current) {
        let cells: Vec<Cell> = vec![
            self.org.into(),
            self.doc.into(),
            period.into(),
            Cell::Text(None),
            Cell::Text(None),
            Cell::Text(None),
            Cell::Int(None),
            a.id.into(),
            a.title.as_str().into(),
            a.directorate.as_str().into(),
            0.0.into(),
            Decision::Unmatched.key().into(),
            self.now.into(),
        ];
        self.pending().links.push(cells);
    }
}

/// Give existing activities their references, many per statement.
/// Which rows of a report speak of one activity: its reference, or for a row without one
/// (an exceptions list), its title.
fn row_key(row: &waymark_domain::ReportRow) -> String {
    if row.reference.trim().is_empty() {
        title_key(&row.directorate, &row.title)
    } else {
        row.reference.clone()
    }
}

/// A key no reference can equal: the directorate and title, folded.
fn title_key(directorate: &str, title: &str) -> String {
    format!("\u{0}{}\u{0}{}", fold(directorate), fold(title))
}

async fn set_references(tx: &mut Tx<'_>, org: i64, references: &[(i64, String)]) -> Result<()> {
    // Values in order, the council last: SQLite gets anonymous `?` placeholders (its `$n` are
    // looked up by name, slowly in long statements), PostgreSQL numbered ones.
    let sqlite = tx.backend_name() == "SQLite";
    for chunk in references.chunks(5_000) {
        let (rows, org_placeholder) = if sqlite {
            (crate::batch::in_order(chunk.len(), 2), "?".to_string())
        } else {
            (
                crate::batch::placeholders(chunk.len(), 2, 1),
                format!("${}", chunk.len() * 2 + 1),
            )
        };
        let sql = format!(
            "WITH given (id, reference) AS (VALUES {rows})
             UPDATE activities SET reference = (SELECT reference FROM given WHERE given.id = activities.id)
             WHERE id IN (SELECT id FROM given) AND org_id = {org_placeholder}"
        );
        // The statement is built from placeholders only; every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, reference) in chunk {
            query = query.bind(*id).bind(reference.clone());
        }
        query = query.bind(org);
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(corrupt)
}

/// Labels kept as written, as JSON (`None` when there are none).
fn extras_json(extras: &[waymark_domain::Extra]) -> Result<Option<String>> {
    if extras.is_empty() {
        return Ok(None);
    }
    Ok(Some(json(&extras)?))
}
