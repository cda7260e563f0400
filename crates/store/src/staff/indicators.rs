//! Indicators in the quarterly cycle: how each is judged (polarity, target, ordered RAG rules)
//! and who enters it, the values owners enter for a period (each save a new row; the RAG is
//! computed from the rules unless overridden with a reason), and their publication with the
//! period's returns.

use crate::rows::RowRef;
use crate::staff::audit::{self, Change};
use crate::staff::cycle::{Cycle, Person, cycle_in};
use crate::{Organisation, Result, Store, StoreError, Tx, User, corrupt, stamp};
use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use waymark_domain::indicator::{
    EntryInput, IndicatorRules, Polarity, Rag, RagRuleSet, check_entry, direction,
};
use waymark_domain::workflow::{FieldError, Forbidden, PeriodState, Refusal, Role, WrongState};

/// How an indicator is judged now, and who enters it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorSettings {
    pub rules: IndicatorRules,
    pub owner: Option<Person>,
    /// The owner's directorate (set on their account), if any: its director sees the
    /// indicator's values before they are published, as they see its returns.
    pub owner_directorate_id: Option<i64>,
    pub recorded_at: String,
}

/// A value entered for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorEntry {
    pub revision: i64,
    pub text: String,
    pub value: f64,
    pub unit: String,
    pub computed_rag: Option<Rag>,
    pub override_rag: Option<Rag>,
    pub override_reason: String,
    pub direction: Option<String>,
    pub note: String,
    pub author: Person,
    pub at: String,
}

impl IndicatorEntry {
    /// The rating that stands: the override if there is one, else the computed one.
    pub fn rag(&self) -> Option<Rag> {
        self.override_rag.or(self.computed_rag)
    }
}

/// An indicator in a period: its settings, the value entered so far and the one before.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorItem {
    pub indicator_id: i64,
    pub reference: String,
    pub name: String,
    pub frequency: String,
    pub settings: Option<IndicatorSettings>,
    /// The newest value entered for this period.
    pub entry: Option<IndicatorEntry>,
    /// How many values have been entered for this period (actions name it, as for returns).
    pub revision: i64,
    /// The newest value before this period (for direction of travel).
    pub previous: Option<PreviousValue>,
}

/// The newest value of an indicator before a period.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousValue {
    /// The period or financial year it was for ("2024/25 Q4", "2023/24").
    pub label: String,
    pub value: f64,
    /// Where the period it was entered for stands now; `None` for a value published from an
    /// imported table. (An entered value is public only once its period is published.)
    pub period_state: Option<PeriodState>,
}

/// Longest value accepted as written, in characters ("£1,234,567.89" is 13).
pub const MAX_VALUE_CHARS: usize = 100;

/// The entry's checks, and the value's own: it is kept as written, so it must be one short line
/// (the number parser reads some control characters as spaces).
fn check_value(input: &EntryInput) -> Result<waymark_domain::indicator::Measure> {
    let mut problems = match check_entry(input) {
        Ok(measure) => return value_text(&input.value).map(|()| measure),
        Err(problems) => problems,
    };
    if !problems.iter().any(|p| p.field == "value")
        && let Err(StoreError::Invalid(mut more)) = value_text(&input.value)
    {
        problems.append(&mut more);
    }
    Err(StoreError::Invalid(problems))
}

fn value_text(value: &str) -> Result<()> {
    let value = value.trim();
    let message = if value.chars().count() > MAX_VALUE_CHARS {
        format!("The value must be {MAX_VALUE_CHARS} characters or fewer")
    } else if value.chars().any(char::is_control) {
        "The value must not contain control characters or line breaks".into()
    } else {
        return Ok(());
    };
    Err(StoreError::Invalid(vec![FieldError {
        field: "value",
        message,
    }]))
}

fn rag_of(text: Option<String>) -> Option<Rag> {
    text.as_deref().and_then(Rag::parse)
}

async fn settings_in(
    conn: &mut sqlx::AnyConnection,
    indicator_id: i64,
) -> Result<Option<IndicatorSettings>> {
    let row = sqlx::query(
        "SELECT s.polarity, s.target, s.rules_json, u.id AS owner_id, u.email AS owner_email,
                u.name AS owner_name, s.recorded_at, u.directorate_id AS owner_directorate_id
         FROM indicator_settings s LEFT JOIN users u ON u.id = s.owner_id
         WHERE s.indicator_id = $1 ORDER BY s.id DESC LIMIT 1",
    )
    .bind(indicator_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let polarity: String = r.try_get("polarity")?;
    let rules: String = r.try_get("rules_json")?;
    let owner_id: Option<i64> = r.try_get("owner_id")?;
    Ok(Some(IndicatorSettings {
        rules: IndicatorRules {
            polarity: Polarity::from_key(&polarity)
                .ok_or_else(|| corrupt(format!("unknown polarity '{polarity}'")))?,
            target: r.try_get("target")?,
            rules: serde_json::from_str::<RagRuleSet>(&rules).map_err(corrupt)?,
        },
        owner: match owner_id {
            Some(id) => Some(Person {
                id,
                email: r.try_get("owner_email")?,
                name: r.try_get("owner_name")?,
            }),
            None => None,
        },
        owner_directorate_id: match owner_id {
            Some(_) => r.try_get("owner_directorate_id")?,
            None => None,
        },
        recorded_at: r.try_get("recorded_at")?,
    }))
}

async fn entries_in(
    conn: &mut sqlx::AnyConnection,
    indicator_id: i64,
    cycle_id: i64,
) -> Result<Vec<IndicatorEntry>> {
    let rows = sqlx::query(
        "SELECT e.revision, e.text, e.value, e.unit, e.computed_rag, e.override_rag,
                e.override_reason, e.direction, e.note, u.id AS author_id, u.email AS author_email,
                u.name AS author_name, e.recorded_at
         FROM indicator_entries e JOIN users u ON u.id = e.author_id
         WHERE e.indicator_id = $1 AND e.cycle_id = $2 ORDER BY e.revision",
    )
    .bind(indicator_id)
    .bind(cycle_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(IndicatorEntry {
                revision: r.try_get("revision")?,
                text: r.try_get("text")?,
                value: r.try_get("value")?,
                unit: r.try_get("unit")?,
                computed_rag: rag_of(r.try_get("computed_rag")?),
                override_rag: rag_of(r.try_get("override_rag")?),
                override_reason: r.try_get("override_reason")?,
                direction: r.try_get("direction")?,
                note: r.try_get("note")?,
                author: Person {
                    id: r.try_get("author_id")?,
                    email: r.try_get("author_email")?,
                    name: r.try_get("author_name")?,
                },
                at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

/// The newest value of an indicator before a period: from an earlier period's entries, or
/// the published values (imported tables count by financial year).
async fn previous_in(
    conn: &mut sqlx::AnyConnection,
    indicator_id: i64,
    cycle: &Cycle,
) -> Result<Option<PreviousValue>> {
    let entered = sqlx::query(
        "SELECT c.period, e.value, c.state FROM indicator_entries e JOIN cycles c ON c.id = e.cycle_id
         WHERE e.indicator_id = $1 AND c.period < $2
         ORDER BY c.period DESC, e.revision DESC LIMIT 1",
    )
    .bind(indicator_id)
    .bind(cycle.period.slug())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(r) = entered {
        let period: String = r.try_get("period")?;
        let period: waymark_domain::Period = period.parse().map_err(corrupt)?;
        let state: String = r.try_get("state")?;
        return Ok(Some(PreviousValue {
            label: period.to_string(),
            value: r.try_get("value")?,
            period_state: Some(
                PeriodState::from_key(&state)
                    .ok_or_else(|| corrupt(format!("unknown period state '{state}'")))?,
            ),
        }));
    }
    let published = sqlx::query(
        "SELECT year, value FROM indicator_values
         WHERE indicator_id = $1 AND value IS NOT NULL AND year < $2 AND entry_id IS NULL
         ORDER BY year DESC, id DESC LIMIT 1",
    )
    .bind(indicator_id)
    .bind(i64::from(cycle.period.year.0))
    .fetch_optional(&mut *conn)
    .await?;
    match published {
        Some(r) => {
            let year: i64 = r.try_get("year")?;
            let year = i32::try_from(year).map_err(corrupt)?;
            Ok(Some(PreviousValue {
                label: waymark_domain::FinancialYear(year).to_string(),
                value: r.try_get("value")?,
                period_state: None,
            }))
        }
        None => Ok(None),
    }
}

async fn items_in(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    cycle: &Cycle,
    only: Option<i64>,
) -> Result<Vec<IndicatorItem>> {
    let rows = sqlx::query(
        "SELECT id, reference, name, frequency FROM indicators
         WHERE org_id = $1 AND ($2 = 0 OR id = $2) AND (retired_at IS NULL OR $2 <> 0)
         ORDER BY reference, id",
    )
    .bind(org_id)
    .bind(only.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = vec![];
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let mut entries = entries_in(conn, id, cycle.id).await?;
        let revision = i64::try_from(entries.len()).map_err(corrupt)?;
        out.push(IndicatorItem {
            indicator_id: id,
            reference: r.try_get("reference")?,
            name: r.try_get("name")?,
            frequency: r.try_get("frequency")?,
            settings: settings_in(conn, id).await?,
            entry: entries.pop(),
            revision,
            previous: previous_in(conn, id, cycle).await?,
        });
    }
    Ok(out)
}

impl Store {
    /// Every indicator of the council in a period, with its settings and value.
    pub async fn indicator_items(
        &self,
        org: &Organisation,
        cycle_id: i64,
    ) -> Result<Vec<IndicatorItem>> {
        let mut conn = self.pool.acquire().await?;
        let cycle = cycle_in(&mut conn, org.id, cycle_id).await?;
        items_in(&mut conn, org.id, &cycle, None).await
    }

    /// One indicator in a period, with every value entered for it.
    pub async fn indicator_detail(
        &self,
        org: &Organisation,
        cycle_id: i64,
        indicator_id: i64,
    ) -> Result<(Cycle, IndicatorItem, Vec<IndicatorEntry>)> {
        let mut conn = self.pool.acquire().await?;
        let cycle = cycle_in(&mut conn, org.id, cycle_id).await?;
        let item = items_in(&mut conn, org.id, &cycle, Some(indicator_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound("no such indicator".into()))?;
        let history = entries_in(&mut conn, indicator_id, cycle_id).await?;
        Ok((cycle, item, history))
    }

    /// Set how an indicator is judged and who enters it (admins). A new row: what applied
    /// before stays on record.
    pub async fn set_indicator_settings(
        &self,
        org: &Organisation,
        indicator_id: i64,
        rules: &IndicatorRules,
        owner_id: Option<i64>,
        by: &User,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if by.role != Role::Admin || by.org_id != org.id {
            return Err(StoreError::Refused(Forbidden::NotAdmin.into()));
        }
        if rules.target.is_some_and(|t| !t.is_finite()) {
            return Err(StoreError::Usage("the target must be a number".into()));
        }
        let mut tx = self.begin_write().await?;
        let reference: Option<String> =
            sqlx::query_scalar("SELECT reference FROM indicators WHERE org_id = $1 AND id = $2")
                .bind(org.id)
                .bind(indicator_id)
                .fetch_optional(&mut *tx)
                .await?;
        let reference =
            reference.ok_or_else(|| StoreError::NotFound("no such indicator".into()))?;
        if let Some(owner) = owner_id {
            let ok = crate::staff::accounts::user_in(&mut tx, owner)
                .await?
                .is_some_and(|u| u.org_id == org.id && u.active && u.role != Role::Reader);
            if !ok {
                return Err(StoreError::Usage(
                    "an indicator's owner must be an active account of this council that can enter values".into(),
                ));
            }
        }
        let before = settings_in(&mut tx, indicator_id).await?;
        let rules_json = serde_json::to_string(&rules.rules).map_err(corrupt)?;
        let query = sqlx::query(
            "INSERT INTO indicator_settings (org_id, indicator_id, polarity, target, rules_json, owner_id, actor_id, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(org.id)
        .bind(indicator_id)
        .bind(rules.polarity.key());
        let settings_id: i64 = crate::batch::bind_real(query, rules.target)
            .bind(rules_json)
            .bind(owner_id)
            .bind(by.id)
            .bind(stamp(at))
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        let view = |s: &IndicatorSettings| {
            json!({
                "polarity": s.rules.polarity.key(),
                "target": s.rules.target,
                "rules": s.rules.rules,
                "owner": s.owner.as_ref().map(|o| &o.email),
            })
        };
        let after = settings_in(&mut tx, indicator_id).await?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: &by.who(),
                action: "indicator.settings-changed",
                subject: format!("indicator {reference}"),
                before: before.as_ref().map(view),
                after: after.as_ref().map(view),
                row: RowRef::new("indicator_settings", settings_id),
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Enter (or correct) an indicator's value for a period: its owner or an admin, while the
    /// period is open. The RAG is computed from the indicator's rules; an override needs a
    /// reason. Refused as a conflict if someone entered a value since `expected_revision`.
    #[allow(clippy::too_many_arguments)] // each is a separate fact of the action, all required
    pub async fn enter_indicator_value(
        &self,
        org: &Organisation,
        cycle_id: i64,
        indicator_id: i64,
        input: &EntryInput,
        expected_revision: i64,
        by: &User,
        at: DateTime<Utc>,
    ) -> Result<IndicatorEntry> {
        if by.org_id != org.id || !by.active {
            return Err(StoreError::NotFound("no such indicator".into()));
        }
        let mut tx = self.begin_write().await?;
        let cycle = cycle_in(&mut tx, org.id, cycle_id).await?;
        let item = items_in(&mut tx, org.id, &cycle, Some(indicator_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound("no such indicator".into()))?;
        let owns = item
            .settings
            .as_ref()
            .and_then(|s| s.owner.as_ref())
            .is_some_and(|o| o.id == by.id);
        if by.role == Role::Reader {
            return Err(StoreError::Refused(Refusal::Forbidden(Forbidden::Reader)));
        }
        if !owns && by.role != Role::Admin {
            return Err(StoreError::Refused(Refusal::Forbidden(Forbidden::NotOwner)));
        }
        match cycle.state {
            PeriodState::Open => {}
            PeriodState::Locked => {
                return Err(StoreError::Refused(WrongState::PeriodLocked.into()));
            }
            PeriodState::Published => {
                return Err(StoreError::Refused(WrongState::PeriodPublished.into()));
            }
        }
        let retired: Option<String> =
            sqlx::query_scalar("SELECT retired_at FROM indicators WHERE id = $1")
                .bind(indicator_id)
                .fetch_one(&mut *tx)
                .await?;
        if retired.is_some() {
            return Err(StoreError::Usage(
                "this indicator is retired: it no longer takes values".into(),
            ));
        }
        if item.revision != expected_revision {
            return Err(StoreError::Conflict(
                "Someone else entered a value for this indicator while you were working on it. Yours has not been saved: check the latest value and enter yours again.".into(),
            ));
        }
        let measure = check_value(input)?;
        let rules = item
            .settings
            .as_ref()
            .map(|s| s.rules.clone())
            .unwrap_or_default();
        let computed = rules
            .rules
            .evaluate(measure.value, rules.target, rules.polarity);
        let travel = direction(
            item.previous.as_ref().map(|p| p.value),
            measure.value,
            rules.polarity,
        );
        let revision = expected_revision + 1;
        let unit = format!("{:?}", measure.unit).to_lowercase();
        let entry_id: i64 = sqlx::query_scalar(
            "INSERT INTO indicator_entries (org_id, indicator_id, cycle_id, revision, text, value, unit,
                 computed_rag, override_rag, override_reason, direction, note, author_id, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             RETURNING id",
        )
        .bind(org.id)
        .bind(indicator_id)
        .bind(cycle_id)
        .bind(revision)
        .bind(input.value.trim())
        .bind(measure.value)
        .bind(&unit)
        .bind(computed.map(Rag::label))
        .bind(input.override_rag.map(Rag::label))
        .bind(input.override_reason.trim())
        .bind(travel.as_deref())
        .bind(input.note.trim())
        .bind(by.id)
        .bind(stamp(at))
        .fetch_one(&mut *tx)
        .await?;
        let entry_view = |e: &IndicatorEntry| {
            json!({
                "value": e.text,
                "rag": e.rag().map(Rag::label),
                "computed_rag": e.computed_rag.map(Rag::label),
                "override_reason": e.override_reason,
                "note": e.note,
            })
        };
        let mut history = entries_in(&mut tx, indicator_id, cycle_id).await?;
        let entry = history
            .pop()
            .ok_or_else(|| corrupt("the value just entered vanished"))?;
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: &by.who(),
                action: "indicator.value-entered",
                subject: format!(
                    "indicator {} in period {}",
                    item.reference,
                    cycle.period.slug()
                ),
                before: item.entry.as_ref().map(entry_view),
                after: Some(entry_view(&entry)),
                row: RowRef::new("indicator_entries", entry_id),
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(entry)
    }
}

/// Make a period's newest indicator values public (those not published yet), inside the
/// publication's write. They go to `indicator_values` under a publication document, so the
/// public pages, open data and API show them as they show imported values.
pub(crate) async fn publish_indicators(
    tx: &mut Tx,
    org_id: i64,
    cycle: &Cycle,
    at: DateTime<Utc>,
) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT e.id, e.indicator_id, e.text, e.value, e.unit, e.computed_rag, e.override_rag,
                e.direction, i.reference
         FROM indicator_entries e JOIN indicators i ON i.id = e.indicator_id
         WHERE e.cycle_id = $1 AND i.retired_at IS NULL
           AND e.revision = (SELECT MAX(n.revision) FROM indicator_entries n
                             WHERE n.indicator_id = e.indicator_id AND n.cycle_id = e.cycle_id)
           AND NOT EXISTS (SELECT 1 FROM indicator_values v WHERE v.entry_id = e.id)
         ORDER BY i.reference",
    )
    .bind(cycle.id)
    .fetch_all(&mut **tx)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let now = stamp(at);
    let references: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String, _>("reference"))
        .collect::<std::result::Result<_, _>>()?;
    let body = json!({ "period": cycle.period.slug(), "indicators": references }).to_string();
    let digest: String =
        Sha256::digest(format!("{org_id}|{}|{now}|{body}", cycle.period.slug()).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
    let document_id: i64 = sqlx::query_scalar(
        "INSERT INTO documents (org_id, kind, file_name, sha256, byte_len, title, body_json, recorded_at)
         VALUES ($1, 'publication', $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org_id)
    .bind(format!("published {}", cycle.period))
    .bind(&digest)
    .bind(i64::try_from(body.len()).map_err(corrupt)?)
    .bind(format!("Indicator values published for {}", cycle.period))
    .bind(&body)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?;
    for (line, r) in rows.iter().enumerate() {
        let computed = rag_of(r.try_get("computed_rag")?);
        let overridden = rag_of(r.try_get("override_rag")?);
        let query = sqlx::query(
            "INSERT INTO indicator_values (org_id, indicator_id, year, text, value, unit, rag, direction,
                                           document_id, line, recorded_at, period, entry_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(org_id)
        .bind(r.try_get::<i64, _>("indicator_id")?)
        .bind(i64::from(cycle.period.year.0))
        .bind(r.try_get::<String, _>("text")?);
        crate::batch::bind_real(query, Some(r.try_get::<f64, _>("value")?))
            .bind(r.try_get::<String, _>("unit")?)
            .bind(overridden.or(computed).map(Rag::label))
            .bind(r.try_get::<Option<String>, _>("direction")?)
            .bind(document_id)
            .bind(i64::try_from(line + 1).map_err(corrupt)?)
            .bind(&now)
            .bind(cycle.period.slug())
            .bind(r.try_get::<i64, _>("id")?)
            .execute(&mut **tx)
            .await?;
    }
    Ok(rows.len() as u64)
}
