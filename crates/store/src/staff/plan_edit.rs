//! Plan maintenance by the performance team: add, edit, retire and renumber activities and
//! indicators, link activities to outcomes, and import a new revision of the plan after
//! seeing what it would change.
//!
//! An edit to an activity is a plan revision of its own (with a small document recording the
//! edit), written by the same code as an imported action plan, so the plan's history, its
//! change list and `--as-of` reads treat both alike. Every edit is in the audit trail and
//! raises the council's data version (the public site shows the plan as it now stands).

use crate::ingest::{ImportOutcome, Incoming, NewVersion, Writer, import_in, json};
use crate::rows::RowRef;
use crate::staff::audit::{self, Change, Who};
use crate::{Organisation, PlanChange, Result, Store, StoreError, Tx, corrupt, stamp};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use waymark_domain::plan_diff::{Change as DiffChange, edit_changes};
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::text::fold;
use waymark_domain::workflow::FieldError;
use waymark_domain::{DueCell, PlannedActivity};

/// What an activity says, as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityFields {
    pub title: String,
    pub directorate: String,
    pub portfolios: Vec<String>,
    /// The due date as written ("Q4 2025 to 2026", "March 2026", "Ongoing").
    pub due: String,
}

/// One change to the plan's activities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum PlanEdit {
    Add {
        reference: Option<String>,
        fields: ActivityFields,
    },
    Edit {
        activity_id: i64,
        fields: ActivityFields,
    },
    Retire {
        activity_id: i64,
    },
    Renumber {
        activity_id: i64,
        reference: String,
    },
}

/// One change to the council's indicators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum IndicatorEdit {
    Add {
        reference: String,
        name: String,
        frequency: String,
    },
    Edit {
        indicator_id: i64,
        name: String,
        frequency: String,
    },
    Renumber {
        indicator_id: i64,
        reference: String,
    },
    Retire {
        indicator_id: i64,
    },
}

/// Longest title, name or reference accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 1_000;

/// A refusal of what was typed into one field (the staff site's form field, so its page marks
/// the right one).
fn invalid(field: &'static str, message: String) -> StoreError {
    StoreError::Invalid(vec![FieldError { field, message }])
}

/// `field` is the form's name for the text, `label` the words that name it in the message.
fn check_text(field: &'static str, label: &str, text: &str, required: bool) -> Result<()> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(invalid(field, format!("the {label} is empty")));
    }
    if text.chars().count() > MAX_TITLE_CHARS {
        return Err(invalid(
            field,
            format!("the {label} is longer than {MAX_TITLE_CHARS} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("the {label} contains control characters"),
        ));
    }
    Ok(())
}

/// A reference names the activity's or indicator's page on the public site, so it must be
/// one path segment that page can have: no '/', and not "." or "..".
fn check_reference(reference: &str) -> Result<()> {
    let valid = reference.chars().count() <= 32
        && reference.starts_with(|c: char| c.is_ascii_alphanumeric())
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "reference",
            "a reference is 1 to 32 letters, digits, '.', '-' or '_', starting with a letter or digit"
                .into(),
        ))
    }
}

impl ActivityFields {
    fn check(&self) -> Result<()> {
        check_text("title", "title", &self.title, true)?;
        check_text("directorate", "directorate", &self.directorate, true)?;
        check_text("due", "due date", &self.due, false)?;
        for p in &self.portfolios {
            check_text("portfolios", "portfolio", p, true)?;
        }
        Ok(())
    }

    fn planned(&self) -> PlannedActivity {
        PlannedActivity {
            line: 0,
            directorate: self.directorate.trim().to_string(),
            title: self.title.trim().to_string(),
            portfolios: self
                .portfolios
                .iter()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            due: DueCell::parse(self.due.trim()),
            reference: None,
            extras: vec![],
            place: None,
        }
    }
}

/// A document recording one edit, so the rows it writes name their source like imported rows.
/// Its digest (unique within the council) has a random part: the same edit made twice at the
/// same instant is two documents, not a clash.
async fn edit_document(tx: &mut Tx, org_id: i64, kind: &str, body: &str, now: &str) -> Result<i64> {
    let (nonce, _) = crate::staff::accounts::new_token()?;
    let digest: String = Sha256::digest(format!("{org_id}|{now}|{nonce}|{body}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(sqlx::query_scalar(
        "INSERT INTO documents (org_id, kind, file_name, sha256, byte_len, title, body_json, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(org_id)
    .bind(kind)
    .bind(format!("edited on the staff site at {}", now.get(..16).unwrap_or(now)))
    .bind(&digest)
    .bind(i64::try_from(body.len()).map_err(corrupt)?)
    .bind("Plan edited on the staff site")
    .bind(body)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

impl Store {
    /// Apply one edit to the plan's activities. Returns the activity's id.
    pub async fn edit_plan(
        &self,
        org: &Organisation,
        edit: &PlanEdit,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        match edit {
            PlanEdit::Add { reference, fields } => {
                fields.check()?;
                if let Some(r) = reference {
                    check_reference(r)?;
                }
            }
            PlanEdit::Edit { fields, .. } => fields.check()?,
            PlanEdit::Renumber { reference, .. } => check_reference(reference)?,
            PlanEdit::Retire { .. } => {}
        }
        let now = stamp(at);
        let body = json(edit)?;
        let mut tx = self.begin_write().await?;
        let doc = edit_document(&mut tx, org.id, "plan-edit", &body, &now).await?;
        let revision: i64 = sqlx::query_scalar(
            "INSERT INTO plan_revisions (org_id, document_id, title, last_updated, recorded_at)
             VALUES ($1, $2, $3, NULL, $4) RETURNING id",
        )
        .bind(org.id)
        .bind(doc)
        .bind("Edited on the staff site")
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let w = Writer::new(org.id, doc, &now);
        let current = w.current_activities(&mut tx).await?;
        let find = |id: i64| {
            current
                .iter()
                .find(|c| c.id == id)
                .ok_or_else(|| StoreError::NotFound("no such activity".into()))
        };
        // Another activity's reference, compared as people read them (case and punctuation
        // aside); an activity's own reference never counts against it.
        let taken = |reference: &str, own: Option<i64>| {
            current.iter().any(|c| {
                Some(c.id) != own
                    && c.reference
                        .as_deref()
                        .is_some_and(|r| fold(r) == fold(reference))
            })
        };
        let (activity, before, after) = match edit {
            PlanEdit::Add { reference, fields } => {
                if let Some(r) = reference
                    && taken(r, None)
                {
                    return Err(StoreError::Usage(format!(
                        "another activity already has reference {r}"
                    )));
                }
                let row = fields.planned();
                let id = w
                    .new_activity(&mut tx, reference.as_deref(), "plan")
                    .await?;
                w.add_name(id, &row.title)?;
                write_version(&w, &mut tx, id, revision, &row).await?;
                let added = DiffChange::Added {
                    title: row.title.clone(),
                };
                w.change(revision, id, added.kind(), added.detail())?;
                (id, None, Some(json!(fields)))
            }
            PlanEdit::Edit {
                activity_id,
                fields,
            } => {
                let c = find(*activity_id)?;
                let row = fields.planned();
                let stored = c.stored();
                let was = stored.due_text();
                let changes = edit_changes(&stored, &row);
                if changes
                    .iter()
                    .any(|c| matches!(c, DiffChange::Renamed { .. }))
                {
                    w.add_name(c.id, &row.title)?;
                }
                for change in &changes {
                    w.change(revision, c.id, change.kind(), change.detail())?;
                }
                write_version(&w, &mut tx, c.id, revision, &row).await?;
                let before = json!({
                    "title": c.title, "directorate": c.directorate,
                    "portfolios": c.portfolios, "due": was,
                });
                (c.id, Some(before), Some(json!(fields)))
            }
            PlanEdit::Retire { activity_id } => {
                let c = find(*activity_id)?;
                if !c.in_plan {
                    return Err(StoreError::Usage(
                        "this activity is not in the plan now".into(),
                    ));
                }
                w.add_version(&mut tx, NewVersion::removal(c, revision))
                    .await?;
                let removed = DiffChange::Removed {
                    title: c.title.clone(),
                };
                w.change(revision, c.id, removed.kind(), removed.detail())?;
                (
                    c.id,
                    Some(json!({ "in_plan": true })),
                    Some(json!({ "in_plan": false })),
                )
            }
            PlanEdit::Renumber {
                activity_id,
                reference,
            } => {
                let c = find(*activity_id)?;
                if c.reference.as_deref() == Some(reference.as_str()) {
                    return Ok(c.id);
                }
                if taken(reference, Some(c.id)) {
                    return Err(StoreError::Usage(format!(
                        "another activity already has reference {reference}"
                    )));
                }
                w.flush(&mut tx).await?;
                sqlx::query("UPDATE activities SET reference = $1 WHERE id = $2 AND org_id = $3")
                    .bind(reference)
                    .bind(c.id)
                    .bind(org.id)
                    .execute(&mut *tx)
                    .await?;
                let old = c.reference.clone().unwrap_or_else(|| "none".into());
                w.change(revision, c.id, "renumbered", format!("{old} → {reference}"))?;
                (
                    c.id,
                    Some(json!({ "reference": c.reference })),
                    Some(json!({ "reference": reference })),
                )
            }
        };
        w.flush(&mut tx).await?;
        let verb = match edit {
            PlanEdit::Add { .. } => "plan.activity-added",
            PlanEdit::Edit { .. } => "plan.activity-edited",
            PlanEdit::Retire { .. } => "plan.activity-retired",
            PlanEdit::Renumber { .. } => "plan.activity-renumbered",
        };
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who,
                action: verb,
                subject: format!("activity {activity}"),
                before,
                after,
                row: RowRef::new("plan_revisions", revision),
            },
            at,
        )
        .await?;
        crate::bump_version(&mut tx, org.id).await?;
        self.commit(tx).await?;
        Ok(activity)
    }

    /// Add, rename, renumber or retire an indicator.
    pub async fn edit_indicators(
        &self,
        org: &Organisation,
        edit: &IndicatorEdit,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        match edit {
            IndicatorEdit::Add {
                reference,
                name,
                frequency,
            } => {
                check_reference(reference)?;
                check_text("name", "name", name, true)?;
                check_text("frequency", "frequency", frequency, false)?;
            }
            IndicatorEdit::Edit {
                name, frequency, ..
            } => {
                check_text("name", "name", name, true)?;
                check_text("frequency", "frequency", frequency, false)?;
            }
            IndicatorEdit::Renumber { reference, .. } => check_reference(reference)?,
            IndicatorEdit::Retire { .. } => {}
        }
        let now = stamp(at);
        let mut tx = self.begin_write().await?;
        let existing = |id: i64| {
            sqlx::query(
                "SELECT reference, name, frequency, retired_at FROM indicators WHERE org_id = $1 AND id = $2",
            )
            .bind(org.id)
            .bind(id)
        };
        let reference_taken = |reference: &str| {
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM indicators WHERE org_id = $1 AND reference = $2",
            )
            .bind(org.id)
            .bind(reference.to_string())
        };
        let (id, before, after, verb) = match edit {
            IndicatorEdit::Add {
                reference,
                name,
                frequency,
            } => {
                if reference_taken(reference)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some()
                {
                    return Err(StoreError::Usage(format!(
                        "another indicator already has reference {reference}"
                    )));
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO indicators (org_id, reference, name, frequency, section, recorded_at)
                     VALUES ($1, $2, $3, $4, NULL, $5) RETURNING id",
                )
                .bind(org.id)
                .bind(reference)
                .bind(name.trim())
                .bind(frequency.trim())
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?;
                (
                    id,
                    None,
                    json!({ "reference": reference, "name": name.trim(), "frequency": frequency.trim() }),
                    "indicator.added",
                )
            }
            other => {
                let id = match other {
                    IndicatorEdit::Edit { indicator_id, .. }
                    | IndicatorEdit::Renumber { indicator_id, .. }
                    | IndicatorEdit::Retire { indicator_id } => *indicator_id,
                    IndicatorEdit::Add { .. } => return Err(corrupt("unreachable edit")),
                };
                let row = existing(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound("no such indicator".into()))?;
                let (reference, name, frequency, retired): (
                    String,
                    String,
                    String,
                    Option<String>,
                ) = (
                    row.try_get("reference")?,
                    row.try_get("name")?,
                    row.try_get("frequency")?,
                    row.try_get("retired_at")?,
                );
                let before = json!({ "reference": reference, "name": name, "frequency": frequency, "retired": retired.is_some() });
                match other {
                    IndicatorEdit::Edit {
                        name, frequency, ..
                    } => {
                        sqlx::query(
                            "UPDATE indicators SET name = $1, frequency = $2 WHERE id = $3",
                        )
                        .bind(name.trim())
                        .bind(frequency.trim())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        (
                            id,
                            Some(before),
                            json!({ "name": name.trim(), "frequency": frequency.trim() }),
                            "indicator.edited",
                        )
                    }
                    IndicatorEdit::Renumber { reference: new, .. } => {
                        if *new == reference {
                            // Nothing to change (and nothing to record).
                            return Ok(id);
                        }
                        if let Some(other_id) =
                            reference_taken(new).fetch_optional(&mut *tx).await?
                            && other_id != id
                        {
                            return Err(StoreError::Usage(format!(
                                "another indicator already has reference {new}"
                            )));
                        }
                        sqlx::query("UPDATE indicators SET reference = $1 WHERE id = $2")
                            .bind(new)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        (
                            id,
                            Some(before),
                            json!({ "reference": new }),
                            "indicator.renumbered",
                        )
                    }
                    _ => {
                        if retired.is_some() {
                            return Err(StoreError::Usage(
                                "this indicator is retired already".into(),
                            ));
                        }
                        sqlx::query(
                            "UPDATE indicators SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL",
                        )
                        .bind(&now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        (
                            id,
                            Some(before),
                            json!({ "retired": true }),
                            "indicator.retired",
                        )
                    }
                }
            }
        };
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who,
                action: verb,
                subject: format!("indicator {id}"),
                before,
                after: Some(after),
                row: None,
            },
            at,
        )
        .await?;
        crate::bump_version(&mut tx, org.id).await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Every indicator of the council, retired ones too: (id, reference, name, frequency,
    /// retired).
    pub async fn plan_indicators(
        &self,
        org: &Organisation,
    ) -> Result<Vec<(i64, String, String, String, bool)>> {
        let rows = sqlx::query(
            "SELECT id, reference, name, frequency,
                    CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END AS retired
             FROM indicators WHERE org_id = $1 ORDER BY reference, id",
        )
        .bind(org.id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("reference")?,
                    r.try_get("name")?,
                    r.try_get("frequency")?,
                    crate::flag(r, "retired")?,
                ))
            })
            .collect()
    }

    /// Set the plan outcomes an activity delivers (an empty list unlinks it).
    pub async fn set_activity_outcomes(
        &self,
        org: &Organisation,
        activity_id: i64,
        numbers: &[u32],
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let outcomes = self.plan_outcomes(org, None).await?;
        if let Some(n) = numbers.iter().find(|n| !outcomes.contains_key(n)) {
            return Err(StoreError::Usage(format!("the plan has no outcome {n}")));
        }
        let mut numbers = numbers.to_vec();
        numbers.sort_unstable();
        numbers.dedup();
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM activities WHERE org_id = $1 AND id = $2 AND merged_into IS NULL",
        )
        .bind(org.id)
        .bind(activity_id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound("no such activity".into()));
        }
        let before: Option<String> = sqlx::query_scalar(
            "SELECT outcomes_json FROM activity_outcomes WHERE activity_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(activity_id)
        .fetch_optional(&mut *tx)
        .await?;
        let after = serde_json::to_string(&numbers).map_err(corrupt)?;
        sqlx::query(
            "INSERT INTO activity_outcomes (org_id, activity_id, outcomes_json, recorded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org.id)
        .bind(activity_id)
        .bind(&after)
        .bind(stamp(at))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who,
                action: "plan.outcomes-linked",
                subject: format!("activity {activity_id}"),
                before: Some(json!({ "outcomes": before.and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok()) })),
                after: Some(json!({ "outcomes": numbers })),
                row: None,
            },
            at,
        )
        .await?;
        crate::bump_version(&mut tx, org.id).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// What importing these documents would do, without keeping any of it: each file's
    /// outcome and every change to the plan's activities. Nothing is written.
    pub async fn preview_import(
        &self,
        org: &Organisation,
        files: Vec<Incoming>,
        at: DateTime<Utc>,
        options: &ReconcileOptions,
    ) -> Result<(Vec<ImportOutcome>, Vec<PlanChange>)> {
        let mut tx = self.begin_write().await?;
        let outcomes = import_in(&mut tx, org, files, at, options).await?;
        let rows = sqlx::query(
            "SELECT c.revision_id, d.file_name, r.last_updated, c.activity_id, a.reference, c.change, c.detail, c.recorded_at
             FROM plan_changes c
             JOIN plan_revisions r ON r.id = c.revision_id
             JOIN documents d ON d.id = r.document_id
             JOIN activities a ON a.id = c.activity_id
             WHERE c.org_id = $1 AND c.recorded_at = $2
             ORDER BY c.id",
        )
        .bind(org.id)
        .bind(stamp(at))
        .fetch_all(&mut *tx)
        .await?;
        let changes = rows
            .iter()
            .map(|r| {
                Ok(PlanChange {
                    revision: r.try_get("revision_id")?,
                    revision_file: r.try_get("file_name")?,
                    last_updated: r.try_get("last_updated")?,
                    activity_id: r.try_get("activity_id")?,
                    reference: r.try_get("reference")?,
                    change: r.try_get("change")?,
                    detail: r.try_get("detail")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        tx.rollback().await?;
        Ok((outcomes, changes))
    }

    /// Import documents from the staff site: as `import`, with an audit event naming who.
    pub async fn import_as(
        &self,
        org: &Organisation,
        files: Vec<Incoming>,
        who: &Who,
        at: DateTime<Utc>,
        options: &ReconcileOptions,
    ) -> Result<Vec<ImportOutcome>> {
        let names: Vec<String> = files.iter().map(|f| f.file_name.clone()).collect();
        let mut tx = self.begin_write().await?;
        let outcomes = import_in(&mut tx, org, files, at, options).await?;
        let summary: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|o| match o {
                ImportOutcome::Imported { file, summary, .. } => {
                    json!({ "file": file, "imported": summary })
                }
                ImportOutcome::AlreadyImported { file, .. } => {
                    json!({ "file": file, "imported": "already imported: nothing changed" })
                }
            })
            .collect();
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who,
                action: "plan.imported",
                subject: format!("documents {}", names.join(", ")),
                before: None,
                after: Some(json!(summary)),
                row: None,
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(outcomes)
    }
}

/// A version of an activity as the plan now states it.
async fn write_version(
    w: &Writer<'_>,
    tx: &mut Tx,
    activity: i64,
    revision: i64,
    row: &PlannedActivity,
) -> Result<()> {
    w.add_version(tx, NewVersion::planned(activity, revision, None, row)?)
        .await
}
