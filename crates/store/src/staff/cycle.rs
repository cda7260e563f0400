//! The quarterly cycle: an admin opens a period and assigns owners, owners save and submit
//! returns, directors approve them or send them back, and an admin locks and publishes the
//! period. Who may do what, and from which state, is decided by `waymark_domain::workflow`;
//! this module applies those decisions durably, one write transaction per action, with the
//! audit event in the same transaction.
//!
//! Nothing here changes the public site until a period is published: only then are the
//! approved returns written to `updates` (and the council's data version raised).
//! Every action on a return names the revision it was made against; if the return has moved
//! on since (someone else saved, submitted or approved it), the action is refused as a
//! conflict and changes nothing.

use crate::rows::RowRef;
use crate::staff::audit::{self, Change};
use crate::{Organisation, Result, Store, StoreError, Tx, User, corrupt, stamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::Row;
use waymark_domain::workflow::{
    self, Actor, FieldError, Forbidden, PeriodAction, PeriodState, Refusal, ReturnAction,
    ReturnContent, ReturnState, Role, WrongState,
};
use waymark_domain::{Period, Status};

/// A reporting period in the workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub id: i64,
    pub org_id: i64,
    pub period: Period,
    pub state: PeriodState,
    /// The date returns are due.
    pub deadline: NaiveDate,
    pub revision: i64,
    pub opened_at: String,
    pub changed_at: String,
    pub published_at: Option<String>,
}

/// A person, as lists show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
}

/// One activity in a cycle: who answers for it and where its return stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleItem {
    pub activity_id: i64,
    pub reference: Option<String>,
    pub title: String,
    pub directorate_id: i64,
    pub directorate: String,
    pub owner: Option<Person>,
    /// None until a return is first saved.
    pub state: Option<ReturnState>,
    /// How many times the return has changed (0: never saved). Actions name the revision they
    /// were made against.
    pub revision: i64,
    pub status: Option<Status>,
    pub updated_at: Option<String>,
    pub published_revision: Option<i64>,
    /// Who wrote the return's current content (nobody approves their own).
    pub author_id: Option<i64>,
}

/// One revision of a return, as it stood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnVersion {
    pub revision: i64,
    pub action: String,
    pub state: ReturnState,
    pub content: ReturnContent,
    pub review_comment: Option<String>,
    pub actor: Person,
    /// Who wrote the content (for an approval: the owner whose return it is).
    pub author: Person,
    pub at: String,
}

/// An earlier period's answer, offered to pre-fill this period's return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousAnswer {
    pub period: Period,
    pub content: ReturnContent,
}

/// Everything a return's page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnDetail {
    pub cycle: Cycle,
    pub item: CycleItem,
    /// Every revision, oldest first.
    pub history: Vec<ReturnVersion>,
    pub previous: Option<PreviousAnswer>,
}

impl ReturnDetail {
    pub fn current(&self) -> Option<&ReturnVersion> {
        self.history.last()
    }
}

/// An action on a return.
#[derive(Debug, Clone, Copy)]
pub enum Act<'a> {
    Save(&'a ReturnContent),
    Submit(&'a ReturnContent),
    Approve { comment: &'a str },
    SendBack { comment: &'a str },
}

impl Act<'_> {
    fn action(&self) -> ReturnAction {
        match self {
            Act::Save(_) => ReturnAction::SaveDraft,
            Act::Submit(_) => ReturnAction::Submit,
            Act::Approve { .. } => ReturnAction::Approve,
            Act::SendBack { .. } => ReturnAction::SendBack,
        }
    }

    fn key(&self) -> &'static str {
        match self {
            Act::Save(_) => "saved",
            Act::Submit(_) => "submitted",
            Act::Approve { .. } => "approved",
            Act::SendBack { .. } => "returned",
        }
    }
}

/// What someone is told when the return moved on while they worked on it.
pub const CHANGED_MEANWHILE: &str = "This return was changed by someone else while you were working on it. Your changes have not been saved: check its latest version and make them again.";

/// Longest reviewer's comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5_000;

const CYCLE_COLUMNS: &str =
    "id, org_id, period, state, deadline, revision, opened_at, changed_at, published_at";

fn read_cycle(r: &sqlx::any::AnyRow) -> Result<Cycle> {
    let period: String = r.try_get("period")?;
    let state: String = r.try_get("state")?;
    let deadline: String = r.try_get("deadline")?;
    Ok(Cycle {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        period: period.parse().map_err(corrupt)?,
        state: PeriodState::from_key(&state)
            .ok_or_else(|| corrupt(format!("unknown period state '{state}'")))?,
        deadline: deadline.parse().map_err(corrupt)?,
        revision: r.try_get("revision")?,
        opened_at: r.try_get("opened_at")?,
        changed_at: r.try_get("changed_at")?,
        published_at: r.try_get("published_at")?,
    })
}

pub(crate) async fn cycle_in(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    id: i64,
) -> Result<Cycle> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CYCLE_COLUMNS} FROM cycles WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => read_cycle(&r),
        None => Err(StoreError::NotFound("no such reporting period".into())),
    }
}

/// The items of a cycle: every activity of the council (merged ones aside) with its owner and
/// its return. `only_activity` narrows to one.
async fn items_in(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    cycle_id: i64,
    only_activity: Option<i64>,
) -> Result<Vec<CycleItem>> {
    let rows = sqlx::query(
        "SELECT a.id AS activity_id, a.reference, v.title, d.id AS directorate_id,
                d.name AS directorate, o.id AS owner_id, o.email AS owner_email,
                o.name AS owner_name, r.state, r.revision, lv.status, r.updated_at,
                r.published_revision, lv.author_id
         FROM activities a
         JOIN activity_versions v ON v.id = (SELECT MAX(id) FROM activity_versions WHERE activity_id = a.id)
         JOIN directorates d ON d.id = v.directorate_id
         LEFT JOIN assignments asg ON asg.cycle_id = $2 AND asg.activity_id = a.id
         LEFT JOIN users o ON o.id = asg.owner_id
         LEFT JOIN staff_returns r ON r.cycle_id = $2 AND r.activity_id = a.id
         LEFT JOIN return_versions lv ON lv.return_id = r.id AND lv.revision = r.revision
         WHERE a.org_id = $1 AND a.merged_into IS NULL AND v.removed = 0
           AND ($3 = 0 OR a.id = $3)
         ORDER BY d.name, a.reference, a.id",
    )
    .bind(org_id)
    .bind(cycle_id)
    .bind(only_activity.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let owner_id: Option<i64> = r.try_get("owner_id")?;
            let state: Option<String> = r.try_get("state")?;
            let status: Option<String> = r.try_get("status")?;
            Ok(CycleItem {
                activity_id: r.try_get("activity_id")?,
                reference: r.try_get("reference")?,
                title: r.try_get("title")?,
                directorate_id: r.try_get("directorate_id")?,
                directorate: r.try_get("directorate")?,
                owner: match owner_id {
                    Some(id) => Some(Person {
                        id,
                        email: r.try_get("owner_email")?,
                        name: r.try_get("owner_name")?,
                    }),
                    None => None,
                },
                state: state
                    .map(|s| {
                        ReturnState::from_key(&s)
                            .ok_or_else(|| corrupt(format!("unknown return state '{s}'")))
                    })
                    .transpose()?,
                revision: r.try_get::<Option<i64>, _>("revision")?.unwrap_or(0),
                status: status
                    .map(|s| {
                        Status::from_key(&s).ok_or_else(|| corrupt(format!("unknown status '{s}'")))
                    })
                    .transpose()?,
                updated_at: r.try_get("updated_at")?,
                published_revision: r.try_get("published_revision")?,
                author_id: r.try_get("author_id")?,
            })
        })
        .collect()
}

/// A return version's columns (`ac` is who acted, `au` who wrote it), read by
/// [`read_version`] by these names.
const VERSION_COLUMNS: &str = "v.revision, v.action, v.state, v.status, v.commentary, \
    v.corrective_action, v.reason, v.evidence_json, v.review_comment, \
    ac.id AS actor_id, ac.email AS actor_email, ac.name AS actor_name, \
    au.id AS author_id, au.email AS author_email, au.name AS author_name, v.at";

fn read_version(r: &sqlx::any::AnyRow) -> Result<ReturnVersion> {
    let state: String = r.try_get("state")?;
    let status: String = r.try_get("status")?;
    let evidence: String = r.try_get("evidence_json")?;
    Ok(ReturnVersion {
        revision: r.try_get("revision")?,
        action: r.try_get("action")?,
        state: ReturnState::from_key(&state)
            .ok_or_else(|| corrupt(format!("unknown return state '{state}'")))?,
        content: ReturnContent {
            status: Status::from_key(&status)
                .ok_or_else(|| corrupt(format!("unknown status '{status}'")))?,
            commentary: r.try_get("commentary")?,
            corrective_action: r.try_get("corrective_action")?,
            reason: r.try_get("reason")?,
            evidence: serde_json::from_str(&evidence).map_err(corrupt)?,
        },
        review_comment: r.try_get("review_comment")?,
        actor: Person {
            id: r.try_get("actor_id")?,
            email: r.try_get("actor_email")?,
            name: r.try_get("actor_name")?,
        },
        author: Person {
            id: r.try_get("author_id")?,
            email: r.try_get("author_email")?,
            name: r.try_get("author_name")?,
        },
        at: r.try_get("at")?,
    })
}

async fn versions_in(conn: &mut sqlx::AnyConnection, return_id: i64) -> Result<Vec<ReturnVersion>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM return_versions v
         JOIN users ac ON ac.id = v.actor_id JOIN users au ON au.id = v.author_id
         WHERE v.return_id = $1 ORDER BY v.revision"
    )))
    .bind(return_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(read_version).collect()
}

fn refused(r: Refusal) -> StoreError {
    StoreError::Refused(r)
}

/// How a person relates to an activity's return.
fn actor_for(user: &User, item: &CycleItem, author_id: Option<i64>) -> Actor {
    Actor {
        role: user.role,
        is_owner: item.owner.as_ref().is_some_and(|o| o.id == user.id),
        in_directorate: user.role == Role::Director
            && user.directorate_id == Some(item.directorate_id),
        is_author: author_id == Some(user.id),
    }
}

/// The label the council uses for a status: the newest label it published for it, else the
/// plain name.
async fn status_label(tx: &mut Tx, org_id: i64, status: Status) -> Result<String> {
    let label: Option<String> = sqlx::query_scalar(
        "SELECT status_label FROM updates WHERE org_id = $1 AND status = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(org_id)
    .bind(status.key())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(label.unwrap_or_else(|| status.name().to_string()))
}

fn content_view(content: &ReturnContent) -> serde_json::Value {
    json!({
        "status": content.status.key(),
        "commentary": content.commentary,
        "corrective_action": content.corrective_action,
        "reason": content.reason,
        "evidence": content.evidence,
    })
}

impl Store {
    /// Open a period for returns, due by `deadline`. Owners are carried over from the council's
    /// most recent earlier period, so a quarter starts with last quarter's assignments.
    pub async fn open_cycle(
        &self,
        org: &Organisation,
        period: Period,
        deadline: NaiveDate,
        by: &User,
        at: DateTime<Utc>,
    ) -> Result<Cycle> {
        if by.role != Role::Admin || by.org_id != org.id {
            return Err(refused(Forbidden::NotAdmin.into()));
        }
        let now = stamp(at);
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM cycles WHERE org_id = $1 AND period = $2")
                .bind(org.id)
                .bind(period.slug())
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("{period} is already open")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cycles (org_id, period, state, deadline, revision, opened_at, changed_at)
             VALUES ($1, $2, 'open', $3, 1, $4, $4) RETURNING id",
        )
        .bind(org.id)
        .bind(period.slug())
        .bind(deadline.to_string())
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let earlier: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM cycles WHERE org_id = $1 AND period < $2 ORDER BY period DESC LIMIT 1",
        )
        .bind(org.id)
        .bind(period.slug())
        .fetch_optional(&mut *tx)
        .await?;
        let carried = match earlier {
            Some(earlier) => sqlx::query(
                "INSERT INTO assignments (org_id, cycle_id, activity_id, owner_id, assigned_at)
                 SELECT g.org_id, $1, g.activity_id, g.owner_id, $2 FROM assignments g
                 JOIN users u ON u.id = g.owner_id AND u.active = 1
                 JOIN activities a ON a.id = g.activity_id AND a.merged_into IS NULL
                 WHERE g.cycle_id = $3",
            )
            .bind(id)
            .bind(&now)
            .bind(earlier)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            None => 0,
        };
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: &by.who(),
                action: "cycle.opened",
                subject: format!("period {}", period.slug()),
                before: None,
                after: Some(json!({
                    "state": "open",
                    "deadline": deadline.to_string(),
                    "owners_carried_over": carried,
                })),
                row: None,
            },
            at,
        )
        .await?;
        let cycle = cycle_in(&mut tx, org.id, id).await?;
        self.commit(tx).await?;
        Ok(cycle)
    }

    /// The council's periods in the workflow, newest first.
    pub async fn cycles(&self, org: &Organisation) -> Result<Vec<Cycle>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CYCLE_COLUMNS} FROM cycles WHERE org_id = $1 ORDER BY period DESC"
        )))
        .bind(org.id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_cycle).collect()
    }

    pub async fn cycle(&self, org: &Organisation, id: i64) -> Result<Cycle> {
        let mut conn = self.pool.acquire().await?;
        cycle_in(&mut conn, org.id, id).await
    }

    /// Every activity of a cycle with its owner and return.
    pub async fn cycle_items(&self, org: &Organisation, cycle_id: i64) -> Result<Vec<CycleItem>> {
        let mut conn = self.pool.acquire().await?;
        cycle_in(&mut conn, org.id, cycle_id).await?;
        items_in(&mut conn, org.id, cycle_id, None).await
    }

    /// Every saved return of a cycle as it stands now (its newest revision), by activity id:
    /// what a DRAFT report shows before the period is published.
    pub async fn cycle_returns(
        &self,
        org: &Organisation,
        cycle_id: i64,
    ) -> Result<Vec<(i64, ReturnVersion)>> {
        let mut conn = self.pool.acquire().await?;
        cycle_in(&mut conn, org.id, cycle_id).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS}, r.activity_id
             FROM staff_returns r
             JOIN return_versions v ON v.return_id = r.id AND v.revision = r.revision
             JOIN users ac ON ac.id = v.actor_id
             JOIN users au ON au.id = v.author_id
             WHERE r.org_id = $1 AND r.cycle_id = $2
             ORDER BY r.activity_id"
        )))
        .bind(org.id)
        .bind(cycle_id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("activity_id")?, read_version(r)?)))
            .collect()
    }

    /// Lock, unlock, publish or reopen a period. `expected_revision` is the revision the admin
    /// saw: if another admin changed the period since, nothing happens (a conflict).
    /// Publishing writes every approved return not yet published to the public record.
    pub async fn change_cycle(
        &self,
        org: &Organisation,
        cycle_id: i64,
        action: PeriodAction,
        expected_revision: i64,
        by: &User,
        at: DateTime<Utc>,
    ) -> Result<Cycle> {
        if by.org_id != org.id {
            return Err(StoreError::NotFound("no such reporting period".into()));
        }
        let mut tx = self.begin_write().await?;
        let before = cycle_in(&mut tx, org.id, cycle_id).await?;
        let decision = workflow::period_transition(before.state, action, by.role);
        if let Err(r) = decision
            && r.is_forbidden()
        {
            return Err(refused(r));
        }
        if before.revision != expected_revision {
            return Err(StoreError::Conflict(format!(
                "{} was changed by someone else while you were looking at it; check its state and try again",
                before.period
            )));
        }
        let next = decision.map_err(refused)?;
        let now = stamp(at);
        let mut published = (0u64, 0u64);
        if action == PeriodAction::Publish {
            published = (
                publish_approved(&mut tx, org.id, &before, at).await?,
                crate::staff::indicators::publish_indicators(&mut tx, org.id, &before, at).await?,
            );
        }
        sqlx::query(
            "UPDATE cycles SET state = $1, revision = revision + 1, changed_at = $2,
                    published_at = CASE WHEN $3 = 1 THEN $2 ELSE published_at END
             WHERE id = $4",
        )
        .bind(next.key())
        .bind(&now)
        .bind(i64::from(action == PeriodAction::Publish))
        .bind(cycle_id)
        .execute(&mut *tx)
        .await?;
        let verb = match action {
            PeriodAction::Lock => "cycle.locked",
            PeriodAction::Unlock => "cycle.unlocked",
            PeriodAction::Publish => "cycle.published",
            PeriodAction::Reopen => "cycle.reopened",
        };
        let mut after = json!({ "state": next.key() });
        if action == PeriodAction::Publish {
            after["returns_published"] = json!(published.0);
            after["indicator_values_published"] = json!(published.1);
        }
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: &by.who(),
                action: verb,
                subject: format!("period {}", before.period.slug()),
                before: Some(json!({ "state": before.state.key() })),
                after: Some(after),
                row: None,
            },
            at,
        )
        .await?;
        let cycle = cycle_in(&mut tx, org.id, cycle_id).await?;
        self.commit(tx).await?;
        Ok(cycle)
    }

    /// Give an activity an owner for a cycle (or take its owner away with `None`). The owner
    /// must be an active account of the council that can write returns.
    pub async fn assign_owner(
        &self,
        org: &Organisation,
        cycle_id: i64,
        activity_id: i64,
        owner_id: Option<i64>,
        by: &User,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if by.role != Role::Admin || by.org_id != org.id {
            return Err(refused(Forbidden::NotAdmin.into()));
        }
        let mut tx = self.begin_write().await?;
        let cycle = cycle_in(&mut tx, org.id, cycle_id).await?;
        match cycle.state {
            PeriodState::Open => {}
            PeriodState::Locked => return Err(refused(WrongState::PeriodLocked.into())),
            PeriodState::Published => return Err(refused(WrongState::PeriodPublished.into())),
        }
        let item = items_in(&mut tx, org.id, cycle_id, Some(activity_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound("no such activity".into()))?;
        let owner = match owner_id {
            Some(id) => {
                let owner = crate::staff::accounts::user_in(&mut tx, id)
                    .await?
                    .filter(|u| u.org_id == org.id && u.active && u.role != Role::Reader)
                    .ok_or_else(|| {
                        StoreError::Usage(
                            "an owner must be an active account of this council that can write returns"
                                .into(),
                        )
                    })?;
                Some(owner)
            }
            None => None,
        };
        sqlx::query("DELETE FROM assignments WHERE cycle_id = $1 AND activity_id = $2")
            .bind(cycle_id)
            .bind(activity_id)
            .execute(&mut *tx)
            .await?;
        if let Some(owner) = &owner {
            sqlx::query(
                "INSERT INTO assignments (org_id, cycle_id, activity_id, owner_id, assigned_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org.id)
            .bind(cycle_id)
            .bind(activity_id)
            .bind(owner.id)
            .bind(stamp(at))
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: &by.who(),
                action: "assignment.changed",
                subject: format!(
                    "activity {} in period {}",
                    item.reference.as_deref().unwrap_or(&item.title),
                    cycle.period.slug()
                ),
                before: Some(json!({ "owner": item.owner.as_ref().map(|o| &o.email) })),
                after: Some(json!({ "owner": owner.as_ref().map(|o| &o.email) })),
                row: None,
            },
            at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// One activity's return in a cycle, with its history and last period's answer.
    pub async fn return_detail(
        &self,
        org: &Organisation,
        cycle_id: i64,
        activity_id: i64,
    ) -> Result<ReturnDetail> {
        let mut conn = self.pool.acquire().await?;
        let cycle = cycle_in(&mut conn, org.id, cycle_id).await?;
        let item = items_in(&mut conn, org.id, cycle_id, Some(activity_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound("no such activity".into()))?;
        let return_id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM staff_returns WHERE cycle_id = $1 AND activity_id = $2",
        )
        .bind(cycle_id)
        .bind(activity_id)
        .fetch_optional(&mut *conn)
        .await?;
        let history = match return_id {
            Some(id) => versions_in(&mut conn, id).await?,
            None => vec![],
        };
        let previous = previous_answer(&mut conn, org.id, activity_id, cycle.period).await?;
        Ok(ReturnDetail {
            cycle,
            item,
            history,
            previous,
        })
    }

    /// Save, submit, approve or send back a return. Refused (changing nothing) when the person
    /// may not act, the return or period is in the wrong state, the content is invalid, or the
    /// return has moved on from `expected_revision`.
    #[allow(clippy::too_many_arguments)] // each is a separate fact of the action, all required
    pub async fn act_on_return(
        &self,
        org: &Organisation,
        cycle_id: i64,
        activity_id: i64,
        act: Act<'_>,
        expected_revision: i64,
        by: &User,
        at: DateTime<Utc>,
    ) -> Result<CycleItem> {
        if by.org_id != org.id || !by.active {
            return Err(StoreError::NotFound("no such activity".into()));
        }
        let mut tx = self.begin_write().await?;
        let cycle = cycle_in(&mut tx, org.id, cycle_id).await?;
        let item = items_in(&mut tx, org.id, cycle_id, Some(activity_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound("no such activity".into()))?;
        let existing = sqlx::query(
            "SELECT r.id, v.author_id FROM staff_returns r
             JOIN return_versions v ON v.return_id = r.id AND v.revision = r.revision
             WHERE r.cycle_id = $1 AND r.activity_id = $2",
        )
        .bind(cycle_id)
        .bind(activity_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (return_id, author_id) = match &existing {
            Some(r) => (
                Some(r.try_get::<i64, _>("id")?),
                Some(r.try_get::<i64, _>("author_id")?),
            ),
            None => (None, None),
        };
        let actor = actor_for(by, &item, author_id);
        // Who may act is answered first; then whether the return moved on since the person
        // looked (a stale action is a conflict, whatever state it finds); then the state.
        let decision = workflow::return_transition(cycle.state, item.state, act.action(), &actor);
        if let Err(r) = decision
            && r.is_forbidden()
        {
            return Err(refused(r));
        }
        if item.revision != expected_revision {
            return Err(StoreError::Conflict(CHANGED_MEANWHILE.into()));
        }
        let next = decision.map_err(refused)?;
        let previous = match return_id {
            Some(id) => versions_in(&mut tx, id).await?.pop(),
            None => None,
        };
        // The content of the new revision: what the owner wrote, or (for a review) the content
        // reviewed, unchanged.
        let (content, author, comment) = match act {
            Act::Save(content) | Act::Submit(content) => {
                let problems = workflow::validate_return(content, matches!(act, Act::Submit(_)));
                if !problems.is_empty() {
                    return Err(StoreError::Invalid(problems));
                }
                (content.clone(), by.id, None)
            }
            Act::Approve { comment } | Act::SendBack { comment } => {
                let comment = comment.trim();
                let mut problems = vec![];
                if matches!(act, Act::SendBack { .. }) && comment.is_empty() {
                    problems.push(FieldError {
                        field: "comment",
                        message: "Say what needs to change before this return can be approved"
                            .into(),
                    });
                }
                if comment.chars().count() > MAX_COMMENT_CHARS {
                    problems.push(FieldError {
                        field: "comment",
                        message: format!(
                            "The comment must be {MAX_COMMENT_CHARS} characters or fewer"
                        ),
                    });
                }
                if comment
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                {
                    problems.push(FieldError {
                        field: "comment",
                        message: "The comment must not contain control characters".into(),
                    });
                }
                if !problems.is_empty() {
                    return Err(StoreError::Invalid(problems));
                }
                let Some(previous) = &previous else {
                    return Err(corrupt("a submitted return has no version"));
                };
                (
                    previous.content.clone(),
                    previous.author.id,
                    (!comment.is_empty()).then(|| comment.to_string()),
                )
            }
        };
        let now = stamp(at);
        let revision = expected_revision + 1;
        let return_id = match return_id {
            Some(id) => {
                let changed = sqlx::query(
                    "UPDATE staff_returns SET state = $1, revision = $2, updated_at = $3
                     WHERE id = $4 AND revision = $5",
                )
                .bind(next.key())
                .bind(revision)
                .bind(&now)
                .bind(id)
                .bind(expected_revision)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed != 1 {
                    return Err(StoreError::Conflict(CHANGED_MEANWHILE.into()));
                }
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO staff_returns (org_id, cycle_id, activity_id, state, revision, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(org.id)
                .bind(cycle_id)
                .bind(activity_id)
                .bind(next.key())
                .bind(revision)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let version_id: i64 = sqlx::query_scalar(
            "INSERT INTO return_versions (org_id, return_id, revision, action, state, status,
                 commentary, corrective_action, reason, evidence_json, review_comment,
                 actor_id, author_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             RETURNING id",
        )
        .bind(org.id)
        .bind(return_id)
        .bind(revision)
        .bind(act.key())
        .bind(next.key())
        .bind(content.status.key())
        .bind(&content.commentary)
        .bind(&content.corrective_action)
        .bind(&content.reason)
        .bind(serde_json::to_string(&content.evidence).map_err(corrupt)?)
        .bind(comment.as_deref())
        .bind(by.id)
        .bind(author)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let mut after = content_view(&content);
        after["state"] = json!(next.key());
        after["revision"] = json!(revision);
        if let Some(comment) = &comment {
            after["review_comment"] = json!(comment);
        }
        let before = previous.as_ref().map(|p| {
            let mut v = content_view(&p.content);
            v["state"] = json!(p.state.key());
            v["revision"] = json!(p.revision);
            v
        });
        audit::append(
            &mut tx,
            self.audit_key(),
            Change {
                org_id: Some(org.id),
                who: &by.who(),
                action: match act {
                    Act::Save(_) => "return.saved",
                    Act::Submit(_) => "return.submitted",
                    Act::Approve { .. } => "return.approved",
                    Act::SendBack { .. } => "return.sent-back",
                },
                subject: format!(
                    "return for {} in period {}",
                    item.reference.as_deref().unwrap_or(&item.title),
                    cycle.period.slug()
                ),
                before,
                after: Some(after),
                row: RowRef::new("return_versions", version_id),
            },
            at,
        )
        .await?;
        let item = items_in(&mut tx, org.id, cycle_id, Some(activity_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| corrupt("the activity vanished"))?;
        self.commit(tx).await?;
        Ok(item)
    }
}

/// The newest answer for an activity before `period`: its latest version in an earlier cycle,
/// else its newest published return (e.g. from an imported report).
async fn previous_answer(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    activity_id: i64,
    period: Period,
) -> Result<Option<PreviousAnswer>> {
    let in_workflow = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS}, c.period FROM staff_returns r
         JOIN cycles c ON c.id = r.cycle_id
         JOIN return_versions v ON v.return_id = r.id AND v.revision = r.revision
         JOIN users ac ON ac.id = v.actor_id JOIN users au ON au.id = v.author_id
         WHERE r.org_id = $1 AND r.activity_id = $2 AND c.period < $3
         ORDER BY c.period DESC LIMIT 1"
    )))
    .bind(org_id)
    .bind(activity_id)
    .bind(period.slug())
    .fetch_optional(&mut *conn)
    .await?;
    let published = sqlx::query(
        "SELECT period, status, note, corrective_action, reason, evidence_json FROM updates
         WHERE org_id = $1 AND activity_id = $2 AND period < $3
         ORDER BY period DESC, id DESC LIMIT 1",
    )
    .bind(org_id)
    .bind(activity_id)
    .bind(period.slug())
    .fetch_optional(&mut *conn)
    .await?;
    let from_workflow = match &in_workflow {
        Some(r) => {
            let p: String = r.try_get("period")?;
            let version = read_version(r)?;
            Some(PreviousAnswer {
                period: p.parse().map_err(corrupt)?,
                content: version.content,
            })
        }
        None => None,
    };
    let from_public = match &published {
        Some(r) => {
            let p: String = r.try_get("period")?;
            let status: String = r.try_get("status")?;
            let evidence: Option<String> = r.try_get("evidence_json")?;
            Some(PreviousAnswer {
                period: p.parse().map_err(corrupt)?,
                content: ReturnContent {
                    status: Status::from_key(&status)
                        .ok_or_else(|| corrupt(format!("unknown status '{status}'")))?,
                    commentary: r.try_get::<Option<String>, _>("note")?.unwrap_or_default(),
                    corrective_action: r
                        .try_get::<Option<String>, _>("corrective_action")?
                        .unwrap_or_default(),
                    reason: r
                        .try_get::<Option<String>, _>("reason")?
                        .unwrap_or_default(),
                    evidence: match evidence {
                        Some(e) => serde_json::from_str(&e).map_err(corrupt)?,
                        None => vec![],
                    },
                },
            })
        }
        None => None,
    };
    // The later of the two periods; the workflow's own answer when they are the same period.
    Ok(match (from_workflow, from_public) {
        (Some(w), Some(p)) if p.period > w.period => Some(p),
        (Some(w), _) => Some(w),
        (None, p) => p,
    })
}

/// Write every approved return of a cycle not yet published (or approved again since) to the
/// public record, and bring the period's summary and the council's data version up to date.
async fn publish_approved(
    tx: &mut Tx,
    org_id: i64,
    cycle: &Cycle,
    at: DateTime<Utc>,
) -> Result<u64> {
    let now = stamp(at);
    let rows = sqlx::query(
        "SELECT r.id AS return_id, r.revision, v.id AS version_id, v.status, v.commentary,
                v.corrective_action, v.reason, v.evidence_json, a.id AS activity_id, a.reference,
                av.title, av.directorate_id
         FROM staff_returns r
         JOIN return_versions v ON v.return_id = r.id AND v.revision = r.revision
         JOIN activities a ON a.id = r.activity_id
         JOIN activity_versions av ON av.id = (SELECT MAX(id) FROM activity_versions WHERE activity_id = a.id)
         WHERE r.cycle_id = $1 AND r.state = 'approved' AND a.merged_into IS NULL
           AND (r.published_revision IS NULL OR r.published_revision < r.revision)
         ORDER BY a.id",
    )
    .bind(cycle.id)
    .fetch_all(&mut **tx)
    .await?;
    let mut published = 0;
    for r in &rows {
        let return_id: i64 = r.try_get("return_id")?;
        let revision: i64 = r.try_get("revision")?;
        let status: String = r.try_get("status")?;
        let status = Status::from_key(&status)
            .ok_or_else(|| corrupt(format!("unknown status '{status}'")))?;
        let label = status_label(tx, org_id, status).await?;
        let activity_id: i64 = r.try_get("activity_id")?;
        let reference: Option<String> = r.try_get("reference")?;
        let commentary: String = r.try_get("commentary")?;
        let corrective: String = r.try_get("corrective_action")?;
        let reason: String = r.try_get("reason")?;
        let evidence: String = r.try_get("evidence_json")?;
        let non_empty = |s: String| (!s.trim().is_empty()).then_some(s);
        sqlx::query(
            "INSERT INTO updates (org_id, activity_id, period, reference, title, directorate_id,
                 status, status_label, note, document_id, line, position, recorded_at,
                 corrective_action, reason, evidence_json, return_version_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, 0, $10, $11, $12, $13, $14)",
        )
        .bind(org_id)
        .bind(activity_id)
        .bind(cycle.period.slug())
        // Statistics count an activity once per period by its reference.
        .bind(reference.unwrap_or_else(|| format!("unreferenced-{activity_id}")))
        .bind(r.try_get::<String, _>("title")?)
        .bind(r.try_get::<i64, _>("directorate_id")?)
        .bind(status.key())
        .bind(label)
        .bind(non_empty(commentary))
        .bind(&now)
        .bind(non_empty(corrective))
        .bind(non_empty(reason))
        .bind((evidence != "[]").then_some(evidence))
        .bind(r.try_get::<i64, _>("version_id")?)
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE staff_returns SET published_revision = $1 WHERE id = $2")
            .bind(revision)
            .bind(return_id)
            .execute(&mut **tx)
            .await?;
        published += 1;
    }
    if published > 0 {
        crate::public::summary::refresh_period_summary(tx, org_id, cycle.period, &now).await?;
    }
    // Raised even when nothing new was approved: the period's published state is news too.
    crate::bump_version(tx, org_id).await?;
    Ok(published)
}
