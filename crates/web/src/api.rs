//! The read-only JSON API and the JSON downloads. Shapes here are the ones `openapi.json`
//! describes; the HTTP tests validate every response against that document.

use crate::data::{CouncilData, activity_key, row_key};
use crate::html::STATUS_ORDER;
use crate::opendata::ActivityRow;
use crate::render::period_name;
use crate::routes::{Route, path};
use serde_json::{Map, Value, json};
use waymark_domain::Period;
use waymark_domain::stats::{Breakdown, PeriodStats, StatusCounts, unique_returns};
use waymark_store::CouncilHeadline;

pub const OPENAPI: &str = include_str!("../openapi.json");

fn council(data: &CouncilData) -> Value {
    json!({ "slug": data.org.slug, "name": data.org.name })
}

fn counts(c: &StatusCounts) -> Value {
    let mut map = Map::new();
    for s in STATUS_ORDER {
        map.insert(s.key().into(), json!(c.get(s)));
    }
    Value::Object(map)
}

fn period(p: Period) -> Value {
    json!({ "id": p.slug(), "name": period_name(p) })
}

/// An activity row as published: its stable id, where to find it, and its fields.
fn activity_row(data: &CouncilData, prefix: &str, row: &ActivityRow) -> Value {
    let key = row_key(data, row);
    let mut value = serde_json::to_value(row).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("id".into(), json!(key));
        map.insert(
            "url".into(),
            json!(key.map(|k| path(prefix, &Route::Activity(k)))),
        );
    }
    value
}

pub fn activities(data: &CouncilData, prefix: &str, p: Option<Period>) -> Value {
    let rows = match p {
        Some(p) => data.rows.get(&p).map(Vec::as_slice).unwrap_or_default(),
        None => data.plan_rows.as_slice(),
    };
    json!({
        "council": council(data),
        "period": p.map(period),
        "count": rows.len(),
        "activities": rows.iter().map(|r| activity_row(data, prefix, r)).collect::<Vec<_>>(),
    })
}

pub fn activity(data: &CouncilData, prefix: &str, key: &str) -> Option<Value> {
    let a = data.activity(key)?;
    let history: Vec<Value> = data
        .history(a)
        .iter()
        .map(|r| {
            json!({
                "period": period(r.period),
                "status": r.status.key(),
                "status_label": r.status_label,
                "commentary": r.note,
                "reported_directorate": r.directorate,
            })
        })
        .collect();
    let key = activity_key(a);
    Some(json!({
        "council": council(data),
        "id": key,
        "url": path(prefix, &Route::Activity(key.clone())),
        "reference": a.reference,
        "title": a.title,
        "former_titles": a.former_titles,
        "directorate": a.directorate,
        "portfolios": a.portfolios,
        "due": a.due.as_ref().map(|d| json!({
            "text": d.text,
            "date": d.deadline().map(|d| d.to_string()),
            "precision": d.precision().key(),
        })),
        "status_note": a.status_note,
        "in_plan": a.in_plan,
        "outcomes": a.outcomes.iter().map(|o| json!({
            "number": o.number, "title": o.title, "theme_number": o.theme_number, "theme_title": o.theme_title,
            "link": if o.suggested { "suggested" } else { "confirmed" },
        })).collect::<Vec<_>>(),
        "history": history,
    }))
}

fn breakdowns(list: &[Breakdown]) -> Vec<Value> {
    list.iter()
        .map(|b| {
            json!({
                "name": b.name,
                "total": b.total,
                "counts": counts(&b.counts),
                "numerator": b.complete_or_on_track,
                "percent": b.percent,
            })
        })
        .collect()
}

pub fn stats(data: &CouncilData, s: &PeriodStats) -> Value {
    json!({
        "council": council(data),
        "period": period(s.period),
        "total": s.total,
        "rows": s.rows,
        "duplicates_removed": s.duplicates_removed,
        "counts": counts(&s.counts),
        "headline": {
            "numerator": s.numerator,
            "denominator": s.denominator,
            "percent": s.percent,
            "rule_name": s.rule_name,
            "rule": s.rule,
        },
        "by_directorate": breakdowns(&s.by_directorate),
        "by_portfolio": breakdowns(&s.by_portfolio),
        "by_theme": breakdowns(&s.by_theme),
        "by_outcome": breakdowns(&s.by_outcome),
        "claims": s.claims.iter().map(|c| json!({
            "text": c.text, "line": c.line, "percent": c.percent, "checked": c.checked, "consistent": c.consistent, "note": c.note,
        })).collect::<Vec<_>>(),
    })
}

pub fn indicators(data: &CouncilData) -> Value {
    json!({
        "council": council(data),
        "indicators": data.indicators.iter().map(|i| json!({
            "reference": i.reference,
            "name": i.name,
            "frequency": i.frequency,
            "section": i.section,
            "values": i.values.iter().map(|v| json!({
                "year": v.year, "text": v.text, "value": v.value, "unit": v.unit,
                "rag": v.rag, "direction": v.direction, "source": v.source,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Every status reported: one row per activity and period (repeated rows counted once).
pub fn statuses(data: &CouncilData) -> Vec<StatusRow> {
    // `in_plan` says what it says in the activities download: the activity is in the current
    // plan. A row known only from a report is an activity of its own, so having an activity
    // id is not enough.
    let in_plan: std::collections::HashMap<i64, bool> =
        data.activities.iter().map(|a| (a.id, a.in_plan)).collect();
    data.returns
        .values()
        .flat_map(|in_period| unique_returns(in_period))
        .map(|r| StatusRow {
            period: r.period.slug(),
            reference: r.reference.clone(),
            title: r.title.clone(),
            directorate: r.directorate.clone(),
            status: r.status.key(),
            status_label: r.status_label.clone(),
            commentary: r.note.clone(),
            in_plan: r
                .activity_id
                .and_then(|id| in_plan.get(&id).copied())
                .unwrap_or(false),
            source: r.source.as_ref().map(|s| s.to_string()),
        })
        .collect()
}

#[derive(Debug, serde::Serialize)]
pub struct StatusRow {
    pub period: String,
    pub reference: String,
    pub title: String,
    pub directorate: String,
    pub status: &'static str,
    pub status_label: String,
    pub commentary: Option<String>,
    pub in_plan: bool,
    pub source: Option<String>,
}

impl crate::opendata::CsvRecord for StatusRow {
    fn header() -> Vec<&'static str> {
        vec![
            "period",
            "reference",
            "title",
            "directorate",
            "status",
            "status_label",
            "commentary",
            "in_plan",
            "source",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.period.clone(),
            self.reference.clone(),
            self.title.clone(),
            self.directorate.clone(),
            self.status.to_string(),
            self.status_label.clone(),
            self.commentary.clone().unwrap_or_default(),
            self.in_plan.to_string(),
            self.source.clone().unwrap_or_default(),
        ]
    }
}

pub fn comparison(p: Period, headlines: &[CouncilHeadline]) -> Value {
    json!({
        "period": period(p),
        "councils": headlines.iter().map(|h| json!({
            "slug": h.organisation.slug,
            "name": h.organisation.name,
            "url": format!("/{}/", h.organisation.slug),
            "total": h.total,
            "counts": counts(&h.counts),
            "headline": {
                "numerator": h.numerator,
                "denominator": h.denominator,
                "percent": h.percent,
                "rule_name": h.rule_name,
                "rule": h.rule,
            },
        })).collect::<Vec<_>>(),
    })
}

/// An error as `application/problem+json` (RFC 9457). `detail` is written for the caller:
/// it never carries internal error text.
pub fn problem(status: u16, title: &str, detail: &str) -> Value {
    json!({
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    })
}
