//! A council's own words: its directorates, cabinet portfolios and status labels.

use crate::error::ImportError;
use serde::Deserialize;
use std::collections::BTreeMap;
use waymark_domain::text::fold;
use waymark_domain::{Status, StatusLabels};

/// What the importers need to know about one council's vocabulary.
///
/// Read from a TOML file:
///
/// ```toml
/// directorates = ["Place", "Children's Services"]
/// portfolios = ["Growth", "Places"]
///
/// [statuses]
/// "Blue" = "complete"
/// "Delayed by less than 3 months" = "amber"
/// ```
///
/// Status labels are added to the unambiguous defaults (Complete, Green, On track, …); a
/// council file can override a default. Nothing is guessed: a label that is in neither is an
/// import error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vocabulary {
    pub directorates: Vec<String>,
    pub portfolios: Vec<String>,
    pub statuses: StatusLabels,
    /// The file's own status labels as it writes them, with what each means, in status order
    /// (for templates' drop-downs; `statuses` holds them folded, with the defaults).
    pub labels: Vec<(String, Status)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVocabulary {
    #[serde(default)]
    directorates: Vec<String>,
    #[serde(default)]
    portfolios: Vec<String>,
    #[serde(default)]
    statuses: BTreeMap<String, toml::Spanned<String>>,
}

impl Vocabulary {
    /// Read a council vocabulary file. `name` is used in error messages.
    pub fn from_toml(name: &str, text: &str) -> Result<Vocabulary, ImportError> {
        let raw: RawVocabulary = toml::from_str(text).map_err(|e| {
            let mut err = ImportError::new(
                name,
                format!(
                    "{} (expected `directorates = [...]`, `portfolios = [...]` and a \
                     `[statuses]` table such as `\"Blue\" = \"complete\"`)",
                    e.message().trim_end_matches('\n')
                ),
            );
            if let Some(span) = e.span() {
                err = err.at_line(line_of(text, span.start));
            }
            err
        })?;
        let mut statuses = StatusLabels::default();
        let mut labels: Vec<(String, Status)> = vec![];
        for (label, value) in &raw.statuses {
            let line = line_of(text, value.span().start);
            if fold(label).is_empty() {
                return Err(ImportError::new(
                    name,
                    "a status label is empty; write the label as the council's documents show it",
                )
                .at_line(line)
                .in_field("statuses"));
            }
            let status = status_from_word(value.get_ref()).ok_or_else(|| {
                ImportError::new(
                    name,
                    format!(
                        "'{}' is not a canonical status; use one of {}",
                        value.get_ref(),
                        Status::ALL
                            .iter()
                            .map(|s| s.key())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at_line(line)
                .in_field(format!("statuses.{label}"))
            })?;
            statuses.insert(label, status);
            labels.push((label.trim().to_string(), status));
        }
        labels.sort_by_key(|(_, s)| *s);
        Ok(Vocabulary {
            directorates: clean_list(raw.directorates),
            portfolios: clean_list(raw.portfolios),
            statuses,
            labels,
        })
    }

    /// Whether `text` names one of the council's portfolios (compared after folding).
    pub(crate) fn is_portfolio(&self, text: &str) -> bool {
        if self.portfolios.is_empty() {
            return false;
        }
        let f = fold(text);
        !f.is_empty() && self.portfolios.iter().any(|p| fold(p) == f)
    }
}

/// "complete", "Not started", "not-started", "on track" (a default label) → a status.
fn status_from_word(word: &str) -> Option<Status> {
    let key = fold(word).replace(' ', "_");
    Status::from_key(&key).or_else(|| StatusLabels::default().lookup(word))
}

fn clean_list(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for item in list {
        let item = item.trim().to_string();
        if !item.is_empty() && !out.iter().any(|o| fold(o) == fold(&item)) {
            out.push(item);
        }
    }
    out
}

fn line_of(text: &str, byte: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(byte)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_council_file() {
        let v = Vocabulary::from_toml(
            "bexley.toml",
            "directorates = [\"Place\"]\nportfolios = [\"Growth\", \"Places\"]\n\n[statuses]\n\"Blue\" = \"complete\"\n\"Delayed\" = \"Not started\"\n",
        )
        .unwrap();
        assert_eq!(v.directorates, vec!["Place"]);
        assert_eq!(v.portfolios, vec!["Growth", "Places"]);
        assert_eq!(v.statuses.lookup("blue"), Some(Status::Complete));
        assert_eq!(v.statuses.lookup("Delayed"), Some(Status::NotStarted));
        assert_eq!(v.statuses.lookup("Green"), Some(Status::Green));
        assert!(v.is_portfolio("places"));
    }

    #[test]
    fn bad_status_names_the_line_and_label() {
        let e =
            Vocabulary::from_toml("v.toml", "[statuses]\n\"Blue\" = \"done-ish\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(e.field.as_deref(), Some("statuses.Blue"));
        assert!(e.message.contains("complete, green"), "{e}");
    }

    #[test]
    fn syntax_errors_and_unknown_keys_name_the_line() {
        let e = Vocabulary::from_toml("v.toml", "portfolios = [\"a\"]\nstatus = 3\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = Vocabulary::from_toml("v.toml", "portfolios = [\"a\"\n").unwrap_err();
        assert!(e.line.is_some(), "{e}");
    }
}
