//! The plan's framing (themes, outcomes, principles, values, strategies) and indicators.

use crate::{Organisation, Result, Store, as_of_bound, corrupt};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanOverview {
    pub source: Option<String>,
    /// The corporate plan's title and mission statement, as published.
    pub title: Option<String>,
    pub mission: Option<String>,
    pub themes: Vec<ThemeView>,
    pub principles: Vec<PrincipleView>,
    pub values: Vec<String>,
    pub strategies: Vec<StrategyView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeView {
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub outcomes: Vec<OutcomeView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeView {
    pub number: i64,
    pub title: String,
    pub narrative: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrincipleView {
    pub title: String,
    pub explanation: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyView {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorValueView {
    pub reference: String,
    pub name: String,
    pub frequency: String,
    pub section: Option<String>,
    pub year: String,
    pub text: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub rag: Option<String>,
    pub direction: Option<String>,
    pub source: String,
    /// The column the value came from, as headed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The rating as the council wrote it ("Target met", "GREEN").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rag_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polarity: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<waymark_domain::Extra>,
}

impl Store {
    /// The plan's framing from the newest corporate plan and principles pages, with every strategy.
    pub async fn plan_overview(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<PlanOverview> {
        let bound = as_of_bound(as_of);
        let latest = |kind: &'static str| {
            sqlx::query_scalar::<_, i64>(
                "SELECT MAX(id) FROM documents WHERE org_id = $1 AND kind = $2 AND recorded_at < $3 HAVING MAX(id) IS NOT NULL",
            )
            .bind(org.id)
            .bind(kind)
            .bind(bound.clone())
            .fetch_optional(&self.pool)
        };
        let plan_doc = latest("corporate-plan").await?;
        let principles_doc = latest("principles").await?;
        let mut overview = PlanOverview {
            source: None,
            title: None,
            mission: None,
            themes: vec![],
            principles: vec![],
            values: vec![],
            strategies: vec![],
        };
        if let Some(doc) = plan_doc {
            let row =
                sqlx::query("SELECT file_name, title, body_json FROM documents WHERE id = $1")
                    .bind(doc)
                    .fetch_one(&self.pool)
                    .await?;
            overview.source = Some(row.try_get("file_name")?);
            overview.title = Some(row.try_get("title")?);
            let body: serde_json::Value =
                serde_json::from_str(&row.try_get::<String, _>("body_json")?).map_err(corrupt)?;
            overview.mission = body
                .get("mission")
                .and_then(|m| m.as_str())
                .map(str::to_string)
                .filter(|m| !m.trim().is_empty());
            let themes = sqlx::query("SELECT id, number, title, summary FROM themes WHERE org_id = $1 AND document_id = $2 ORDER BY number")
                .bind(org.id)
                .bind(doc)
                .fetch_all(&self.pool)
                .await?;
            for t in &themes {
                let theme_id: i64 = t.try_get("id")?;
                let outcomes = sqlx::query("SELECT number, title, narrative_json FROM outcomes WHERE org_id = $1 AND theme_id = $2 ORDER BY number")
                    .bind(org.id)
                    .bind(theme_id)
                    .fetch_all(&self.pool)
                    .await?;
                let outcomes = outcomes
                    .iter()
                    .map(|o| {
                        let narrative: String = o.try_get("narrative_json")?;
                        Ok(OutcomeView {
                            number: o.try_get("number")?,
                            title: o.try_get("title")?,
                            narrative: serde_json::from_str(&narrative).map_err(corrupt)?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                overview.themes.push(ThemeView {
                    number: t.try_get("number")?,
                    title: t.try_get("title")?,
                    summary: t.try_get("summary")?,
                    outcomes,
                });
            }
            overview.values = sqlx::query_scalar("SELECT title FROM plan_values WHERE org_id = $1 AND document_id = $2 ORDER BY position")
                .bind(org.id)
                .bind(doc)
                .fetch_all(&self.pool)
                .await?;
        }
        // The principles page explains the principles; without it, the plan's list stands.
        if let Some(doc) = principles_doc.or(plan_doc) {
            let rows = sqlx::query("SELECT title, explanation_json FROM principles WHERE org_id = $1 AND document_id = $2 ORDER BY position")
                .bind(org.id)
                .bind(doc)
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                let explanation: String = r.try_get("explanation_json")?;
                overview.principles.push(PrincipleView {
                    title: r.try_get("title")?,
                    explanation: serde_json::from_str(&explanation).map_err(corrupt)?,
                });
            }
        }
        let rows = sqlx::query(
            "SELECT s.title, s.paragraphs_json, d.file_name FROM strategies s JOIN documents d ON d.id = s.document_id
             WHERE s.org_id = $1 AND d.recorded_at < $2 ORDER BY s.id",
        )
        .bind(org.id)
        .bind(&bound)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let paragraphs: String = r.try_get("paragraphs_json")?;
            overview.strategies.push(StrategyView {
                title: r.try_get("title")?,
                paragraphs: serde_json::from_str(&paragraphs).map_err(corrupt)?,
                source: r.try_get("file_name")?,
            });
        }
        Ok(overview)
    }

    /// Every indicator value recorded by `as_of`, by indicator reference then year.
    pub async fn indicator_values(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<IndicatorValueView>> {
        let rows = sqlx::query(
            "SELECT i.reference, i.name, i.frequency, i.section, v.year, v.text, v.value, v.unit, v.rag, v.direction,
                    d.file_name, v.line, v.period, v.label, v.target, v.rag_label, v.polarity, v.extras_json, v.place
             FROM indicator_values v
             JOIN indicators i ON i.id = v.indicator_id
             JOIN documents d ON d.id = v.document_id
             WHERE v.org_id = $1 AND v.recorded_at < $2
               -- The newest value for each indicator and year supersedes earlier ones (next
               -- year's table repeats last year's outturn; a corrected table replaces it).
               -- A value published for a quarter stands for that quarter alone. Within one
               -- document, values under different columns (monthly values of a quarter) all
               -- stand.
               AND v.id = (SELECT MAX(n.id) FROM indicator_values n
                           WHERE n.indicator_id = v.indicator_id AND n.year = v.year
                             AND COALESCE(n.period, '') = COALESCE(v.period, '') AND n.recorded_at < $2
                             AND (n.document_id <> v.document_id
                                  OR COALESCE(n.label, '') = COALESCE(v.label, '')))
             ORDER BY i.reference, v.year, v.id",
        )
        .bind(org.id)
        .bind(as_of_bound(as_of))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let year: i64 = r.try_get("year")?;
                let year = i32::try_from(year).map_err(corrupt)?;
                let file: String = r.try_get("file_name")?;
                let line: i64 = r.try_get("line")?;
                Ok(IndicatorValueView {
                    reference: r.try_get("reference")?,
                    name: r.try_get("name")?,
                    frequency: r.try_get("frequency")?,
                    section: r.try_get("section")?,
                    // A quarter's value is labelled with its quarter ("2025/26 Q1").
                    year: match r.try_get::<Option<String>, _>("period")? {
                        Some(period) => period
                            .parse::<waymark_domain::Period>()
                            .map_err(corrupt)?
                            .to_string(),
                        None => waymark_domain::FinancialYear(year).to_string(),
                    },
                    text: r.try_get("text")?,
                    value: r.try_get("value")?,
                    unit: r.try_get("unit")?,
                    rag: r.try_get("rag")?,
                    direction: r.try_get("direction")?,
                    source: match r.try_get::<Option<String>, _>("place")? {
                        Some(place) => format!("{file}: {place}"),
                        None => format!("{file}:{line}"),
                    },
                    label: r.try_get("label")?,
                    target: r.try_get("target")?,
                    rag_label: r.try_get("rag_label")?,
                    polarity: r.try_get("polarity")?,
                    extras: match r.try_get::<Option<String>, _>("extras_json")? {
                        Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
                        None => vec![],
                    },
                })
            })
            .collect()
    }
}
