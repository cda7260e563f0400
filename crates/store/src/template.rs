//! A council's data for its spreadsheet templates (`waymark_domain::template`): the plan, a
//! period's returns and the indicator values as a performance officer would type them, and the
//! status labels the council writes.

use crate::{Organisation, Result, Store, as_of_bound};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::HashMap;
use waymark_domain::template::{IndicatorLine, PlanLine, ReturnLine, TemplateData};
use waymark_domain::text::fold;
use waymark_domain::{Period, Status};

/// The word a status is written with when the council has not used a label of its own: one
/// the importer reads without a vocabulary file.
pub fn plain_label(status: Status) -> &'static str {
    match status {
        Status::Complete => "Complete",
        Status::Green => "Green",
        Status::Amber => "Amber",
        Status::Red => "Red",
        Status::Ceased => "Ceased",
        Status::NotStarted => "Not started",
        Status::NoReturn => "",
    }
}

impl Store {
    /// The status labels the council writes, in the order of the canonical statuses (newest
    /// first within one status): every label its returns have used for a status, else the
    /// plain word for it. "No return" has none: an empty status is no return.
    pub async fn status_labels(
        &self,
        org: &Organisation,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT status, status_label, MAX(id) AS newest FROM updates
             WHERE org_id = $1 AND recorded_at < $2 AND status_label <> ''
             GROUP BY status, status_label",
        )
        .bind(org.id)
        .bind(as_of_bound(as_of))
        .fetch_all(&self.pool)
        .await?;
        let mut used: Vec<(Status, String, i64)> = vec![];
        for r in &rows {
            let key: String = r.try_get("status")?;
            let Some(status) = Status::from_key(&key) else {
                continue;
            };
            used.push((status, r.try_get("status_label")?, r.try_get("newest")?));
        }
        used.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)));
        let mut labels: Vec<String> = vec![];
        for status in Status::ALL {
            if status == Status::NoReturn {
                continue;
            }
            let mut any = false;
            for (_, label, _) in used.iter().filter(|(s, _, _)| *s == status) {
                any = true;
                let label = label.trim();
                if !labels.iter().any(|l| fold(l) == fold(label)) {
                    labels.push(label.to_string());
                }
            }
            if !any && !labels.iter().any(|l| fold(l) == fold(plain_label(status))) {
                labels.push(plain_label(status).to_string());
            }
        }
        Ok(labels)
    }

    /// Everything the council's templates are filled with, as it stood at the end of `as_of`:
    /// the current plan's activities, the returns of `period` (default: the latest period
    /// with returns) and every indicator value.
    pub async fn template_data(
        &self,
        org: &Organisation,
        period: Option<Period>,
        as_of: Option<NaiveDate>,
    ) -> Result<TemplateData> {
        let status_labels = self.status_labels(org, as_of).await?;
        let plan = self
            .activities(org, as_of)
            .await?
            .into_iter()
            .filter(|a| a.in_plan)
            .map(|a| PlanLine {
                reference: a.reference.unwrap_or_default(),
                activity: a.plan_title.unwrap_or(a.title),
                directorate: a.directorate,
                portfolios: a.portfolios,
                due: a.due.map(|d| d.text).or(a.status_note).unwrap_or_default(),
            })
            .collect();
        let period = match period {
            Some(p) => Some(p),
            None => self.periods(org, as_of).await?.last().copied(),
        };
        let returns = match period {
            Some(p) => self
                .returns(org, Some(p), as_of)
                .await?
                .into_iter()
                .map(|r| ReturnLine {
                    status: if r.status_label.trim().is_empty() {
                        plain_label(r.status).to_string()
                    } else {
                        r.status_label
                    },
                    reference: r.reference,
                    activity: r.title,
                    directorate: r.directorate,
                    period: r.period,
                    commentary: r.note.unwrap_or_default(),
                })
                .collect(),
            None => vec![],
        };
        let values = self.indicator_values(org, as_of).await?;
        // Polarity is the indicator's: written on each of its rows.
        let mut polarity: HashMap<&str, &str> = HashMap::new();
        for v in &values {
            if let Some(p) = v.polarity.as_deref().filter(|p| !p.trim().is_empty()) {
                polarity.insert(&v.reference, p);
            }
        }
        let indicators = values
            .iter()
            .map(|v| IndicatorLine {
                reference: v.reference.clone(),
                indicator: v.name.clone(),
                polarity: polarity
                    .get(v.reference.as_str())
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                unit: v.unit.clone().unwrap_or_default(),
                period: v.year.clone(),
                value: v.text.clone(),
                target: v.target.clone().unwrap_or_default(),
                rating: v
                    .rag_label
                    .clone()
                    .or_else(|| v.rag.clone())
                    .unwrap_or_default(),
                direction: v.direction.clone().unwrap_or_default(),
            })
            .collect();
        Ok(TemplateData {
            status_labels,
            plan,
            returns,
            returns_period: period,
            indicators,
        })
    }
}
