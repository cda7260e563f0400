//! A mapping file: what a person says about a council's files, over what Waymark infers.
//!
//! ```toml
//! kind = "activity-report"        # optional: activity-report, action-plan or kpi-table
//! period = "2025/26 Q3"           # optional: the reporting period
//!
//! [columns]                       # a column's header, as written = its role
//! "Lead Committee" = "portfolio"
//! "Linked measure" = "ignore"
//! ```

use super::Kind;
use super::roles::Role;
use crate::error::ImportError;
use serde::Deserialize;
use std::collections::BTreeMap;
use waymark_domain::Period;

#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub(crate) kind: Option<Kind>,
    pub(crate) period: Option<Period>,
    /// Header as written → role.
    pub(crate) columns: Vec<(String, Role)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    kind: Option<String>,
    period: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

impl Mapping {
    /// Read a mapping file; errors name the file, line and field.
    pub fn from_toml(name: &str, text: &str) -> Result<Mapping, ImportError> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let mut err = ImportError::new(name, e.message().trim_end().to_string());
            if let Some(span) = e.span() {
                err = err.at_line(text[..span.start.min(text.len())].matches('\n').count() + 1);
            }
            err
        })?;
        let kind = match raw.kind.as_deref() {
            None => None,
            Some("activity-report") => Some(Kind::Report),
            Some("action-plan") => Some(Kind::Plan),
            Some("kpi-table") => Some(Kind::Kpi),
            Some(other) => {
                return Err(ImportError::new(
                    name,
                    format!("'{other}' is not a kind a mapping can name; use activity-report, action-plan or kpi-table"),
                )
                .in_field("kind"));
            }
        };
        let period = match raw.period.as_deref() {
            None => None,
            Some(p) => Some(crate::period_label::period(p, false).ok_or_else(|| {
                ImportError::new(
                    name,
                    format!("'{p}' is not a reporting period (write e.g. '2025/26 Q3')"),
                )
                .in_field("period")
            })?),
        };
        let mut columns = vec![];
        for (header, role) in raw.columns {
            let r = Role::from_name(&role).ok_or_else(|| {
                ImportError::new(
                    name,
                    format!(
                        "'{role}' is not a column role; use one of {}",
                        Role::ALL
                            .iter()
                            .map(|r| r.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .in_field(format!("columns.{header}"))
            })?;
            columns.push((header, r));
        }
        Ok(Mapping {
            kind,
            period,
            columns,
        })
    }

    /// The same mapping with a column given a role by its name ([`super::column_roles`]);
    /// `None` when no role has that name.
    pub fn with_column(mut self, header: &str, role: &str) -> Option<Mapping> {
        let role = Role::from_name(role)?;
        self.columns.retain(|(h, _)| h != header);
        self.columns.push((header.to_string(), role));
        Some(self)
    }

    /// The columns the mapping names: header as written, role's name.
    pub fn columns(&self) -> Vec<(String, &'static str)> {
        self.columns
            .iter()
            .map(|(h, r)| (h.clone(), r.name()))
            .collect()
    }

    /// Whether the mapping says nothing (and so need not be remembered).
    pub fn is_empty(&self) -> bool {
        self.kind.is_none() && self.period.is_none() && self.columns.is_empty()
    }

    /// The same mapping with the kind a person chose by its key ("activity-report",
    /// "action-plan", "kpi-table"); any other key leaves the kind to be inferred.
    pub fn with_kind_key(mut self, key: &str) -> Mapping {
        self.kind = match key {
            "activity-report" => Some(Kind::Report),
            "action-plan" => Some(Kind::Plan),
            "kpi-table" => Some(Kind::Kpi),
            _ => None,
        };
        self
    }

    /// The kind the mapping names, by its key.
    pub fn kind_key(&self) -> Option<&'static str> {
        self.kind.map(|k| match k {
            Kind::Report => "activity-report",
            Kind::Plan => "action-plan",
            Kind::Kpi => "kpi-table",
        })
    }

    /// The same mapping with the reporting period a person named.
    pub fn with_period(mut self, period: Period) -> Mapping {
        self.period = Some(period);
        self
    }

    pub(crate) fn kind_is_unset(&self) -> bool {
        self.kind.is_none()
    }

    /// The same mapping with the kind a person named on the command line.
    pub(crate) fn with_document_kind(mut self, kind: waymark_domain::DocumentKind) -> Mapping {
        self.kind = match kind {
            waymark_domain::DocumentKind::ActivityReport => Some(Kind::Report),
            waymark_domain::DocumentKind::ActionPlan => Some(Kind::Plan),
            waymark_domain::DocumentKind::KpiTable => Some(Kind::Kpi),
            _ => self.kind,
        };
        self
    }

    /// Headers the mapping names, as extra synonyms for finding the header row.
    pub(crate) fn header_roles(&self) -> Vec<(String, Role)> {
        self.columns.clone()
    }

    /// Write the mapping as TOML (what `--explain` suggests and the staff site remembers).
    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        if let Some(k) = self.kind_key() {
            s.push_str(&format!("kind = \"{k}\"\n"));
        }
        if let Some(p) = self.period {
            s.push_str(&format!("period = \"{p}\"\n"));
        }
        s.push_str("\n[columns]\n");
        for (h, r) in &self.columns {
            s.push_str(&format!("{} = \"{}\"\n", toml_string(h), r.name()));
        }
        s
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mapping_round_trips_and_names_bad_roles() {
        let m = Mapping::from_toml("m.toml", "kind = \"kpi-table\"\nperiod = \"2025/26 Q3\"\n[columns]\n\"Lead \\\"Committee\\\"\" = \"portfolio\"\n").unwrap();
        let again = Mapping::from_toml("m.toml", &m.to_toml()).unwrap();
        assert_eq!(again.columns, m.columns);
        assert_eq!(again.period, m.period);
        let e = Mapping::from_toml("m.toml", "[columns]\nStatus = \"colour\"\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("columns.Status"));
    }
}
