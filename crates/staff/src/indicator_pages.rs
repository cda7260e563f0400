//! Indicators in the staff site: each period's values (entered by the indicator's owner or the
//! performance team, rated by the indicator's rules unless overridden with a reason), and the
//! rules themselves (admins). Who sees a value before it is published is
//! `waymark_domain::workflow::may_see_indicator_value`'s answer, the returns' rule: anyone else
//! sees the indicator listed with its value withheld, and its page is not found for them.

use crate::Staff;
use crate::auth::{Admin, AdminForm, AdminOnly, INCOMPLETE, Signed, SignedForm};
use crate::error::{OrNotFound, StaffError, Text};
use crate::http::{self, Form};
use crate::view::{errors_view, with};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use std::sync::Arc;
use waymark_domain::indicator::{
    EntryInput, IndicatorRules, Polarity, Rag, RagCondition, RagRule, RagRuleSet,
};
use waymark_domain::workflow::{self, FieldError, PeriodState, Role, Viewer};
use waymark_store::{Cycle, IndicatorEntry, IndicatorItem, StoreError, User};

fn owns(user: &User, item: &IndicatorItem) -> bool {
    item.settings
        .as_ref()
        .and_then(|s| s.owner.as_ref())
        .is_some_and(|o| o.id == user.id)
}

/// How a person stands to an indicator: its owner, or (a director) of its owner's directorate.
fn viewer(user: &User, item: &IndicatorItem) -> Viewer {
    let owner_directorate = item.settings.as_ref().and_then(|s| s.owner_directorate_id);
    Viewer {
        role: user.role,
        is_owner: owns(user, item),
        in_directorate: owner_directorate.is_some() && user.directorate_id == owner_directorate,
    }
}

/// Whether a person may see the indicator's values (value, note, rating, override and its
/// reason, every version) for a period in `state`.
pub fn can_see_values(user: &User, item: &IndicatorItem, state: PeriodState) -> bool {
    workflow::may_see_indicator_value(viewer(user, item), state)
}

/// What someone who may not see a period's value is told instead: when they will see it.
fn withheld(user: &User, item: &IndicatorItem, period: &str) -> String {
    let until = match workflow::indicator_values_shown_from(viewer(user, item)) {
        PeriodState::Open | PeriodState::Locked => "locked",
        PeriodState::Published => "published",
    };
    format!("Not shown until {period} is {until}")
}

/// Whether a person may ever enter this indicator's values: its owner (unless now a reader)
/// and admins.
fn may_enter(user: &User, item: &IndicatorItem) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Reader => false,
        _ => owns(user, item),
    }
}

/// Whether a person may enter this indicator's value now.
fn can_enter(user: &User, item: &IndicatorItem, state: PeriodState) -> bool {
    state == PeriodState::Open && may_enter(user, item)
}

fn rag_key(rag: Option<Rag>) -> &'static str {
    match rag {
        Some(Rag::Red) => "red",
        Some(Rag::Amber) => "amber",
        Some(Rag::Green) => "green",
        None => "none",
    }
}

fn number(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn rules_text(rules: &IndicatorRules) -> String {
    let target = match rules.target {
        Some(t) => format!("target {}", number(t)),
        None => "no target: not rated".into(),
    };
    format!("{}; {target}", rules.polarity.name())
}

fn entry_view(e: &IndicatorEntry) -> Value {
    context! {
        revision => e.revision,
        text => e.text.clone(),
        rag => e.rag().map(Rag::label),
        rag_key => rag_key(e.rag()),
        computed => e.computed_rag.map(Rag::label),
        overridden => e.override_rag.is_some(),
        override_reason => e.override_reason.clone(),
        direction => e.direction.clone(),
        note => e.note.clone(),
        author => e.author.name.clone(),
        at => e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
    }
}

/// One row of a period's indicator table, as `user` may see it: someone who may not see the
/// value sees the indicator and its owner, when the value will be shown, and no link.
pub fn item_view(cycle: &Cycle, item: &IndicatorItem, user: &User) -> Value {
    let visible = can_see_values(user, item, cycle.state);
    let entry = item.entry.as_ref().filter(|_| visible);
    context! {
        reference => item.reference.clone(),
        name => item.name.clone(),
        owner => item.settings.as_ref().and_then(|s| s.owner.as_ref()).map(|o| o.name.clone()),
        value => entry.map(|e| e.text.clone()),
        rag => entry.and_then(IndicatorEntry::rag).map(Rag::label),
        rag_key => rag_key(entry.and_then(IndicatorEntry::rag)),
        withheld => (!visible).then(|| withheld(user, item, "the period")),
        href => visible.then(|| format!("/staff/periods/{}/indicators/{}", cycle.id, item.indicator_id)),
    }
}

/// What was typed into the value form: value, note, override rating and its reason.
type TypedValue = (String, String, String, String);

#[derive(Default)]
struct Problem {
    status: Option<StatusCode>,
    errors: Vec<FieldError>,
    conflict: Option<String>,
    input: Option<TypedValue>,
}

async fn entry_page(
    staff: &Staff,
    signed: &Signed,
    cycle_id: i64,
    indicator_id: i64,
    problem: Problem,
    done: Option<&str>,
) -> Result<Response, StaffError> {
    let (cycle, item, history) = visible_detail(staff, signed, cycle_id, indicator_id).await?;
    // The value before this period is shown only if it is one this person may see too.
    let previous = item.previous.as_ref().map(|p| match p.period_state {
        Some(state) if !can_see_values(&signed.user, &item, state) => {
            withheld(&signed.user, &item, &p.label)
        }
        _ => format!("{} in {}", number(p.value), p.label),
    });
    let current = item.entry.as_ref();
    let (value, note, override_rag, reason) = problem.input.unwrap_or_else(|| match current {
        Some(e) => (
            e.text.clone(),
            e.note.clone(),
            e.override_rag
                .map(|r| rag_key(Some(r)).to_string())
                .unwrap_or_default(),
            e.override_reason.clone(),
        ),
        None => Default::default(),
    });
    let rules = item.settings.as_ref().map(|s| s.rules.clone());
    Ok(staff.view.page(
        problem.status.unwrap_or(StatusCode::OK),
        "indicator.html",
        with(
            signed.frame("periods", &format!("{} – {}", item.reference, cycle.period)),
            context! {
                period => context! {
                    id => cycle.id,
                    name => cycle.period.to_string(),
                    href => format!("/staff/periods/{}", cycle.id),
                    state_name => cycle.state.name(),
                },
                indicator => context! {
                    reference => item.reference.clone(),
                    name => item.name.clone(),
                    frequency => item.frequency.clone(),
                    rules => rules.as_ref().map(rules_text).unwrap_or_else(|| "Not set: values are not rated".into()),
                    owner => item.settings.as_ref().and_then(|s| s.owner.as_ref()).map(|o| o.name.clone()),
                    previous => previous,
                    revision => item.revision,
                    settings_href => format!("/staff/indicators/{}?period={}", item.indicator_id, cycle.id),
                },
                action => format!("/staff/periods/{}/indicators/{}", cycle.id, item.indicator_id),
                history => history.iter().rev().map(entry_view).collect::<Vec<_>>(),
                can_enter => can_enter(&signed.user, &item, cycle.state),
                is_admin => signed.user.role == Role::Admin,
                form => context! { value => value, note => note, override_rag => override_rag, override_reason => reason },
                errors => errors_view(&problem.errors),
                conflict => problem.conflict,
                done => done,
            },
        ),
    ))
}

fn not_found(signed: &Signed) -> StaffError {
    signed.not_found(
        "There is nothing here for you. If you followed a link, it may be for an indicator whose value you cannot see before it is published.",
    )
}

/// The indicator in a period, with its values' history, if this person may see its values:
/// someone who may not finds nothing here, as with a return.
async fn visible_detail(
    staff: &Staff,
    signed: &Signed,
    cycle_id: i64,
    indicator_id: i64,
) -> Result<(Cycle, IndicatorItem, Vec<IndicatorEntry>), StaffError> {
    let (cycle, item, history) = staff
        .store
        .indicator_detail(&signed.org, cycle_id, indicator_id)
        .await
        .or_not_found(|| not_found(signed))?;
    if can_see_values(&signed.user, &item, cycle.state) {
        Ok((cycle, item, history))
    } else {
        Err(not_found(signed))
    }
}

/// GET /staff/periods/{cycle}/indicators/{indicator}
pub async fn entry(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, indicator_id)): Path<(i64, i64)>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let done = query
        .is_some_and(|q| q.contains("done=entered"))
        .then_some("The value has been saved.");
    let problem = Problem::default();
    entry_page(&staff, &signed, cycle_id, indicator_id, problem, done).await
}

impl Problem {
    /// The form again, as typed, for a refusal the person can act on; any other refusal is
    /// its own page.
    fn of(e: StoreError, signed: &Signed, typed: TypedValue) -> Result<Problem, StaffError> {
        let (status, errors, conflict) = match e {
            StoreError::Invalid(errors) => (StatusCode::BAD_REQUEST, errors, None),
            StoreError::Conflict(message) => (StatusCode::CONFLICT, vec![], Some(message)),
            StoreError::Refused(r) if r.is_forbidden() => {
                return Err(signed.forbidden(format!("{r} Nothing was changed.")));
            }
            StoreError::Refused(r) => (
                StatusCode::CONFLICT,
                vec![],
                Some(format!("{r} Nothing was changed.")),
            ),
            StoreError::NotFound(_) => return Err(not_found(signed)),
            other => return Err(other.into()),
        };
        Ok(Problem {
            status: Some(status),
            errors,
            conflict,
            input: Some(typed),
        })
    }
}

/// POST /staff/periods/{cycle}/indicators/{indicator}: enter or correct the value.
pub async fn enter(
    State(staff): State<Arc<Staff>>,
    Path((cycle_id, indicator_id)): Path<(i64, i64)>,
    SignedForm { signed, form }: SignedForm,
) -> Result<Response, StaffError> {
    // Who may enter it is settled before anything about the form: someone refused is refused
    // whatever they sent, and someone who may not see the value learns nothing about it.
    let (_, item, _) = visible_detail(&staff, &signed, cycle_id, indicator_id).await?;
    if !may_enter(&signed.user, &item) {
        return Err(signed.forbidden(
            "Only the indicator's owner and the performance team enter its values. Nothing was changed.",
        ));
    }
    let revision = form
        .number("revision")
        .ok_or_else(|| signed.cannot(INCOMPLETE))?;
    let typed = (
        form.get("value").to_string(),
        form.get("note").to_string(),
        form.get("override_rag").to_string(),
        form.get("override_reason").to_string(),
    );
    // Only the choices the form offers: anything else is refused, not read as "none".
    let override_rag = match form.get("override_rag") {
        "" | "none" => None,
        "red" => Some(Rag::Red),
        "amber" => Some(Rag::Amber),
        "green" => Some(Rag::Green),
        _ => {
            let error = FieldError {
                field: "override_rag",
                message: "Choose a rating from the list".into(),
            };
            let problem = Problem::of(StoreError::Invalid(vec![error]), &signed, typed)?;
            return entry_page(&staff, &signed, cycle_id, indicator_id, problem, None).await;
        }
    };
    let input = EntryInput {
        value: form.get("value").to_string(),
        note: form.get("note").to_string(),
        override_rag,
        override_reason: form.get("override_reason").to_string(),
    };
    let (org, user, now) = (&signed.org, &signed.user, staff.now());
    let entered = staff
        .store
        .enter_indicator_value(org, cycle_id, indicator_id, &input, revision, user, now)
        .await;
    let problem = match entered {
        Ok(_) => {
            let page = format!("/staff/periods/{cycle_id}/indicators/{indicator_id}?done=entered");
            return Ok(http::see_other(&page));
        }
        Err(e) => Problem::of(e, &signed, typed)?,
    };
    entry_page(&staff, &signed, cycle_id, indicator_id, problem, None).await
}

/// The rules as the settings form edits them: Green on target, Amber within a tolerance
/// (percent of target or an amount), Red otherwise.
fn tolerance_of(rules: &RagRuleSet) -> (String, String) {
    for rule in &rules.rules {
        match rule.when {
            RagCondition::WithinPercentOfTarget { percent } if rule.rag == Rag::Amber => {
                return ("percent".into(), number(percent));
            }
            RagCondition::WithinAbsoluteOfTarget { amount } if rule.rag == Rag::Amber => {
                return ("amount".into(), number(amount));
            }
            _ => {}
        }
    }
    ("percent".into(), "5".into())
}

/// What was typed into the settings form, shown back when it is refused.
struct Typed {
    polarity: String,
    target: String,
    tolerance: String,
    tolerance_kind: String,
    owner: String,
}

impl Typed {
    fn from(form: &Form) -> Typed {
        Typed {
            polarity: form.get("polarity").to_string(),
            target: form.get("target").to_string(),
            tolerance: form.get("tolerance").to_string(),
            tolerance_kind: form.get("tolerance_kind").to_string(),
            owner: form.get("owner").to_string(),
        }
    }
}

#[allow(clippy::too_many_arguments)] // the page, and what a refused form brings back to it
async fn settings_page(
    staff: &Staff,
    signed: &Signed,
    indicator_id: i64,
    period: Option<i64>,
    errors: Vec<FieldError>,
    typed: Option<Typed>,
    status: StatusCode,
    done: Option<&str>,
) -> Result<Response, StaffError> {
    // Settings are the indicator's, not a period's; any period shows them.
    let cycles = staff.store.cycles(&signed.org).await?;
    let Some(cycle) = period
        .and_then(|p| cycles.iter().find(|c| c.id == p))
        .or(cycles.first())
    else {
        return Err(signed.message(
            StatusCode::NOT_FOUND,
            "Open a period first",
            "Indicators are set up from a period's page.",
        ));
    };
    let (_, item, _) = staff
        .store
        .indicator_detail(&signed.org, cycle.id, indicator_id)
        .await
        .or_not_found(|| not_found(signed))?;
    let rules = item
        .settings
        .as_ref()
        .map(|s| s.rules.clone())
        .unwrap_or_default();
    let (mut tolerance_kind, mut tolerance) = tolerance_of(&rules.rules);
    let mut target = rules.target.map(number).unwrap_or_default();
    let people = staff.store.users(&signed.org).await.unwrap_or_default();
    let mut owner_id = item
        .settings
        .as_ref()
        .and_then(|s| s.owner.as_ref())
        .map(|o| o.id);
    let mut polarity = Some(rules.polarity);
    if let Some(typed) = typed {
        target = typed.target;
        tolerance = typed.tolerance;
        tolerance_kind = typed.tolerance_kind;
        owner_id = typed.owner.parse().ok();
        polarity = Polarity::from_key(&typed.polarity);
    }
    let owners: Vec<Value> = people
        .iter()
        .filter(|u| u.active && u.role != Role::Reader)
        .map(|u| context! { id => u.id, label => format!("{} ({})", u.name, u.email), selected => Some(u.id) == owner_id })
        .collect();
    let polarities: Vec<Value> = [
        Polarity::HigherIsBetter,
        Polarity::LowerIsBetter,
        Polarity::Neutral,
    ]
    .iter()
    .map(|p| context! { key => p.key(), name => p.name(), checked => Some(*p) == polarity })
    .collect();
    Ok(staff.view.page(
        status,
        "indicator_settings.html",
        with(
            signed.frame("periods", &format!("{} settings", item.reference)),
            context! {
                indicator => context! { reference => item.reference.clone(), name => item.name.clone() },
                action => format!("/staff/indicators/{indicator_id}?period={}", cycle.id),
                back => format!("/staff/periods/{}/indicators/{indicator_id}", cycle.id),
                polarities => polarities,
                target => target,
                tolerance_kind => tolerance_kind,
                tolerance => tolerance,
                owners => owners,
                errors => errors_view(&errors),
                done => done,
            },
        ),
    ))
}

fn period_query(query: Option<&str>) -> Option<i64> {
    query?
        .split('&')
        .find_map(|p| p.strip_prefix("period="))?
        .parse()
        .ok()
}

/// The settings page: admins only.
pub struct SettingsView;

impl AdminOnly for SettingsView {
    fn refusal() -> Text {
        "Only the performance team can see this page.".into()
    }
}

/// The settings form: admins only.
pub struct SettingsChange;

impl AdminOnly for SettingsChange {
    fn refusal() -> Text {
        "Only the performance team can change an indicator's settings. Nothing was changed.".into()
    }
}

/// GET /staff/indicators/{indicator}: how it is rated and who enters it (admins).
pub async fn settings(
    State(staff): State<Arc<Staff>>,
    Path(indicator_id): Path<i64>,
    Admin { signed, .. }: Admin<SettingsView>,
    RawQuery(query): RawQuery,
) -> Result<Response, StaffError> {
    let done = query
        .as_deref()
        .is_some_and(|q| q.contains("done=saved"))
        .then_some("The indicator's settings have been saved.");
    let period = period_query(query.as_deref());
    let status = StatusCode::OK;
    settings_page(
        &staff,
        &signed,
        indicator_id,
        period,
        vec![],
        None,
        status,
        done,
    )
    .await
}

fn parse_settings(form: &Form) -> Result<(IndicatorRules, Option<i64>), Vec<FieldError>> {
    let mut errors = vec![];
    let polarity = Polarity::from_key(form.get("polarity"));
    if polarity.is_none() {
        errors.push(FieldError {
            field: "polarity",
            message: "Choose whether higher or lower is better".into(),
        });
    }
    let number_field = |field: &'static str, errors: &mut Vec<FieldError>, message: &str| {
        let text = form.get(field).trim().replace(',', "");
        if text.is_empty() {
            return None;
        }
        match text.trim_end_matches('%').trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                errors.push(FieldError {
                    field,
                    message: message.into(),
                });
                None
            }
        }
    };
    let target = number_field(
        "target",
        &mut errors,
        "Enter the target as a number, like 85 or 12.5",
    );
    let tolerance = number_field(
        "tolerance",
        &mut errors,
        "Enter the tolerance as a number, like 5",
    )
    .unwrap_or(0.0);
    if tolerance < 0.0 {
        errors.push(FieldError {
            field: "tolerance",
            message: "The tolerance cannot be negative".into(),
        });
    }
    // Only the choices the form offers: anything else is refused, not read as "percent".
    let amber = match form.get("tolerance_kind") {
        "amount" => RagCondition::WithinAbsoluteOfTarget { amount: tolerance },
        "percent" | "" => RagCondition::WithinPercentOfTarget { percent: tolerance },
        _ => {
            errors.push(FieldError {
                field: "tolerance_kind",
                message: "Choose how the tolerance is measured from the list".into(),
            });
            RagCondition::WithinPercentOfTarget { percent: tolerance }
        }
    };
    let owner = match form.get("owner") {
        "" | "none" => None,
        id => match id.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError {
                    field: "owner",
                    message: "Choose an owner from the list".into(),
                });
                None
            }
        },
    };
    match (polarity, errors.is_empty()) {
        (Some(polarity), true) => Ok((
            IndicatorRules {
                polarity,
                target,
                rules: RagRuleSet {
                    rules: vec![
                        RagRule {
                            rag: Rag::Green,
                            when: RagCondition::MeetsTarget,
                        },
                        RagRule {
                            rag: Rag::Amber,
                            when: amber,
                        },
                        RagRule {
                            rag: Rag::Red,
                            when: RagCondition::Otherwise,
                        },
                    ],
                },
            },
            owner,
        )),
        _ => Err(errors),
    }
}

/// POST /staff/indicators/{indicator}: save the rules and owner (admins).
pub async fn save_settings(
    State(staff): State<Arc<Staff>>,
    Path(indicator_id): Path<i64>,
    RawQuery(query): RawQuery,
    AdminForm { signed, form, .. }: AdminForm<SettingsChange>,
) -> Result<Response, StaffError> {
    let period = period_query(query.as_deref());
    let refused = |errors: Vec<FieldError>| {
        let (typed, status) = (Some(Typed::from(&form)), StatusCode::BAD_REQUEST);
        settings_page(
            &staff,
            &signed,
            indicator_id,
            period,
            errors,
            typed,
            status,
            None,
        )
    };
    let (rules, owner) = match parse_settings(&form) {
        Ok(parsed) => parsed,
        Err(errors) => return refused(errors).await,
    };
    let (org, user, now) = (&signed.org, &signed.user, staff.now());
    match staff
        .store
        .set_indicator_settings(org, indicator_id, &rules, owner, user, now)
        .await
    {
        Ok(()) => Ok(http::see_other(&format!(
            "/staff/indicators/{indicator_id}?period={}&done=saved",
            period.unwrap_or(0)
        ))),
        // The form's own checks come first, so what the store can object to is the owner.
        Err(StoreError::Usage(message)) => {
            refused(vec![FieldError {
                field: "owner",
                message,
            }])
            .await
        }
        Err(StoreError::NotFound(_)) => Err(not_found(&signed)),
        Err(e) => Err(e.into()),
    }
}
