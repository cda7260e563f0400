//! Performance indicators (KPIs): values, targets, polarity and RAG rules.

use serde::{Deserialize, Serialize};

/// How often an indicator is measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    Termly,
    SixMonthly,
    Annual,
    /// A frequency the source names in other words, kept as written.
    Other(String),
}

impl Frequency {
    /// Read a frequency word ("Monthly", "Quarterly", "Annually", "Bi-annual", …).
    pub fn parse(text: &str) -> Frequency {
        let folded = crate::text::fold(text);
        match folded.as_str() {
            "monthly" | "month" => Frequency::Monthly,
            "quarterly" | "quarter" => Frequency::Quarterly,
            "termly" | "term" => Frequency::Termly,
            "six monthly" | "half yearly" | "bi annual" | "biannual" | "bi annually" => {
                Frequency::SixMonthly
            }
            "annual" | "annually" | "yearly" | "year" => Frequency::Annual,
            _ => Frequency::Other(crate::text::plain(text)),
        }
    }
    pub fn label(&self) -> &str {
        match self {
            Frequency::Monthly => "Monthly",
            Frequency::Quarterly => "Quarterly",
            Frequency::Termly => "Termly",
            Frequency::SixMonthly => "Six-monthly",
            Frequency::Annual => "Annual",
            Frequency::Other(s) => s,
        }
    }
}

/// The unit a value is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    Count,
    Currency,
    Days,
    Number,
}

/// A number with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub value: f64,
    pub unit: Unit,
}

impl Measure {
    /// Read values as councils write them: "89.02%", "20,843", "£1.2m", "4.5 days", "72.8 %".
    /// Returns `None` for words like "N/A", "-" or "not available".
    pub fn parse(text: &str) -> Option<Measure> {
        let t = crate::text::plain(text);
        let t = t.trim();
        let (body, unit) = if let Some(b) = t.strip_suffix('%') {
            (b.trim(), Unit::Percent)
        } else if let Some(b) = t.strip_prefix('£') {
            (b.trim(), Unit::Currency)
        } else if let Some(b) = t.strip_suffix(" days").or_else(|| t.strip_suffix(" day")) {
            (b.trim(), Unit::Days)
        } else {
            (t, Unit::Number)
        };
        let (body, multiplier) = match body.strip_suffix(['m', 'M']) {
            Some(b) if unit == Unit::Currency => (b, 1_000_000.0),
            _ => match body.strip_suffix(['k', 'K']) {
                Some(b) if unit == Unit::Currency => (b, 1_000.0),
                _ => (body, 1.0),
            },
        };
        if body.is_empty() || !body.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        // Thousands separators must sit between groups of three digits.
        let cleaned: String = if body.contains(',') {
            let int_part = body.split('.').next().unwrap_or("");
            let groups: Vec<&str> = int_part.trim_start_matches('-').split(',').collect();
            let valid = groups.len() > 1
                && !groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3);
            if !valid {
                return None;
            }
            body.replace(',', "")
        } else {
            body.to_string()
        };
        if !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        {
            return None;
        }
        let value: f64 = cleaned.parse().ok()?;
        if !value.is_finite() {
            return None;
        }
        let unit = if unit == Unit::Number && !cleaned.contains('.') {
            Unit::Count
        } else {
            unit
        };
        Some(Measure {
            value: value * multiplier,
            unit,
        })
    }
}

/// Whether a higher or a lower value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    HigherIsBetter,
    LowerIsBetter,
    /// Contextual: no better or worse (e.g. number of referrals).
    Neutral,
}

/// Red / Amber / Green rating of an indicator value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    pub fn parse(label: &str) -> Option<Rag> {
        match crate::text::fold(label).as_str() {
            "red" | "r" => Some(Rag::Red),
            "amber" | "a" => Some(Rag::Amber),
            "green" | "g" => Some(Rag::Green),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
        }
    }
}

/// Raw movement between two values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    Increase,
    Decrease,
    NoChange,
}

/// Movement judged against polarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    Better,
    Worse,
    Same,
    /// Contextual indicators are not judged.
    NotJudged,
}

impl Movement {
    pub fn between(previous: f64, current: f64) -> Movement {
        if current > previous {
            Movement::Increase
        } else if current < previous {
            Movement::Decrease
        } else {
            Movement::NoChange
        }
    }
    pub fn parse(text: &str) -> Option<Movement> {
        match crate::text::fold(text).as_str() {
            "increase" | "increased" | "up" | "improving" | "higher" => Some(Movement::Increase),
            "decrease" | "decreased" | "down" | "lower" => Some(Movement::Decrease),
            "no change" | "same" | "unchanged" | "stable" | "static" => Some(Movement::NoChange),
            _ => None,
        }
    }
    pub fn judge(self, polarity: Polarity) -> Judgement {
        match (self, polarity) {
            (_, Polarity::Neutral) => Judgement::NotJudged,
            (Movement::NoChange, _) => Judgement::Same,
            (Movement::Increase, Polarity::HigherIsBetter)
            | (Movement::Decrease, Polarity::LowerIsBetter) => Judgement::Better,
            _ => Judgement::Worse,
        }
    }
}

/// One rule in an ordered RAG rule set. Rules are tried in order; the first that matches wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RagRule {
    pub rag: Rag,
    pub when: RagCondition,
}

/// Conditions are written relative to the target and the indicator's polarity, so "meets
/// target" means ≥ for higher-is-better and ≤ for lower-is-better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RagCondition {
    /// On or better than target.
    MeetsTarget,
    /// Worse than target by no more than this many percent of the target.
    WithinPercentOfTarget { percent: f64 },
    /// Worse than target by no more than this absolute amount.
    WithinAbsoluteOfTarget { amount: f64 },
    /// Always matches; used as the last rule.
    Otherwise,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RagRuleSet {
    pub rules: Vec<RagRule>,
}

impl Default for RagRuleSet {
    /// Green on target, Amber within 5% of target, Red otherwise.
    fn default() -> Self {
        RagRuleSet {
            rules: vec![
                RagRule {
                    rag: Rag::Green,
                    when: RagCondition::MeetsTarget,
                },
                RagRule {
                    rag: Rag::Amber,
                    when: RagCondition::WithinPercentOfTarget { percent: 5.0 },
                },
                RagRule {
                    rag: Rag::Red,
                    when: RagCondition::Otherwise,
                },
            ],
        }
    }
}

impl RagRuleSet {
    /// Rate a value against its target. `None` for contextual indicators (no polarity or no
    /// target) or when no rule matches.
    pub fn evaluate(&self, value: f64, target: Option<f64>, polarity: Polarity) -> Option<Rag> {
        let target = target?;
        // How far the value falls short of target, in the direction that matters (≤ 0 = met).
        let shortfall = match polarity {
            Polarity::HigherIsBetter => target - value,
            Polarity::LowerIsBetter => value - target,
            Polarity::Neutral => return None,
        };
        self.rules
            .iter()
            .find(|rule| match rule.when {
                RagCondition::MeetsTarget => shortfall <= 0.0,
                RagCondition::WithinPercentOfTarget { percent } => {
                    shortfall <= (target.abs() * percent / 100.0) + f64::EPSILON
                }
                RagCondition::WithinAbsoluteOfTarget { amount } => shortfall <= amount,
                RagCondition::Otherwise => true,
            })
            .map(|rule| rule.rag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn measures_as_councils_write_them() {
        assert_eq!(
            Measure::parse("89.02%"),
            Some(Measure {
                value: 89.02,
                unit: Unit::Percent
            })
        );
        assert_eq!(
            Measure::parse("20,843"),
            Some(Measure {
                value: 20843.0,
                unit: Unit::Count
            })
        );
        assert_eq!(
            Measure::parse("£1.5m"),
            Some(Measure {
                value: 1_500_000.0,
                unit: Unit::Currency
            })
        );
        assert_eq!(Measure::parse("N/A"), None);
        assert_eq!(Measure::parse("-"), None);
        assert_eq!(Measure::parse("1,23"), None);
    }

    #[test]
    fn rules_respect_polarity_and_order() {
        let rules = RagRuleSet::default();
        assert_eq!(
            rules.evaluate(91.21, Some(95.0), Polarity::HigherIsBetter),
            Some(Rag::Amber)
        );
        assert_eq!(
            rules.evaluate(96.0, Some(95.0), Polarity::HigherIsBetter),
            Some(Rag::Green)
        );
        assert_eq!(
            rules.evaluate(80.0, Some(95.0), Polarity::HigherIsBetter),
            Some(Rag::Red)
        );
        assert_eq!(
            rules.evaluate(4.0, Some(5.0), Polarity::LowerIsBetter),
            Some(Rag::Green)
        );
        assert_eq!(
            rules.evaluate(5.2, Some(5.0), Polarity::LowerIsBetter),
            Some(Rag::Amber)
        );
        assert_eq!(rules.evaluate(5.0, None, Polarity::LowerIsBetter), None);
        assert_eq!(rules.evaluate(5.0, Some(1.0), Polarity::Neutral), None);
    }

    #[test]
    fn direction_is_judged_by_polarity() {
        assert_eq!(
            Movement::Increase.judge(Polarity::HigherIsBetter),
            Judgement::Better
        );
        assert_eq!(
            Movement::Increase.judge(Polarity::LowerIsBetter),
            Judgement::Worse
        );
        assert_eq!(Movement::parse("increase"), Some(Movement::Increase));
        assert_eq!(Movement::between(89.02, 91.21), Movement::Increase);
    }

    proptest! {
        #[test]
        fn meeting_target_is_always_green_under_default_rules(target in -1e6f64..1e6, gap in 0f64..1e6) {
            let rules = RagRuleSet::default();
            prop_assert_eq!(rules.evaluate(target + gap, Some(target), Polarity::HigherIsBetter), Some(Rag::Green));
            prop_assert_eq!(rules.evaluate(target - gap, Some(target), Polarity::LowerIsBetter), Some(Rag::Green));
        }

        #[test]
        fn measure_parse_never_panics(s in "\\PC{0,20}") {
            let _ = Measure::parse(&s);
        }

        #[test]
        fn thousands_round_trip(n in 0u64..10_000_000_000) {
            let s = n.to_string();
            let mut grouped = String::new();
            for (i, ch) in s.chars().enumerate() {
                if i > 0 && (s.len() - i) % 3 == 0 { grouped.push(','); }
                grouped.push(ch);
            }
            prop_assert_eq!(Measure::parse(&grouped).map(|m| m.value), Some(n as f64));
        }
    }
}

/// How an indicator is judged: which way is better, its target, and its ordered RAG rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorRules {
    pub polarity: Polarity,
    pub target: Option<f64>,
    pub rules: RagRuleSet,
}

impl Default for IndicatorRules {
    fn default() -> Self {
        IndicatorRules {
            polarity: Polarity::HigherIsBetter,
            target: None,
            rules: RagRuleSet::default(),
        }
    }
}

impl Polarity {
    pub fn key(self) -> &'static str {
        match self {
            Polarity::HigherIsBetter => "higher_is_better",
            Polarity::LowerIsBetter => "lower_is_better",
            Polarity::Neutral => "neutral",
        }
    }

    pub fn from_key(key: &str) -> Option<Polarity> {
        [
            Polarity::HigherIsBetter,
            Polarity::LowerIsBetter,
            Polarity::Neutral,
        ]
        .into_iter()
        .find(|p| p.key() == key)
    }

    pub fn name(self) -> &'static str {
        match self {
            Polarity::HigherIsBetter => "Higher is better",
            Polarity::LowerIsBetter => "Lower is better",
            Polarity::Neutral => "Neither (context only)",
        }
    }
}

impl Movement {
    pub fn name(self) -> &'static str {
        match self {
            Movement::Increase => "Up",
            Movement::Decrease => "Down",
            Movement::NoChange => "No change",
        }
    }
}

impl Judgement {
    pub fn name(self) -> &'static str {
        match self {
            Judgement::Better => "better",
            Judgement::Worse => "worse",
            Judgement::Same => "the same",
            Judgement::NotJudged => "not judged",
        }
    }
}

/// Direction of travel from the previous value, raw and judged ("Up (better)").
pub fn direction(previous: Option<f64>, current: f64, polarity: Polarity) -> Option<String> {
    let movement = Movement::between(previous?, current);
    Some(match movement.judge(polarity) {
        Judgement::NotJudged => movement.name().to_string(),
        judged => format!("{} ({})", movement.name(), judged.name()),
    })
}

/// An indicator value as an owner enters it for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInput {
    /// As written: "89.02%", "20,843", "£1.2m".
    pub value: String,
    pub note: String,
    /// A RAG chosen by the owner instead of the computed one.
    pub override_rag: Option<Rag>,
    /// Why the computed RAG is overridden (required with an override).
    pub override_reason: String,
}

/// The value read from an entry, or what is wrong with it (each problem names its field:
/// "value", "note", "override_reason").
pub fn check_entry(input: &EntryInput) -> Result<Measure, Vec<crate::workflow::FieldError>> {
    use crate::workflow::{FieldError, MAX_TEXT_CHARS};
    let mut problems = vec![];
    let measure = Measure::parse(&input.value);
    if measure.is_none() {
        problems.push(FieldError {
            field: "value",
            message: "Enter the value as a number, like 89.5%, 20,843, £1.2m or 4.5 days".into(),
        });
    }
    let bad_chars = |t: &str| {
        t.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    };
    for (field, text) in [
        ("note", &input.note),
        ("override_reason", &input.override_reason),
    ] {
        if text.chars().count() > MAX_TEXT_CHARS {
            problems.push(FieldError {
                field,
                message: format!("This must be {MAX_TEXT_CHARS} characters or fewer"),
            });
        }
        if bad_chars(text) {
            problems.push(FieldError {
                field,
                message: "This must not contain control characters".into(),
            });
        }
    }
    if input.override_rag.is_some() && input.override_reason.trim().is_empty() {
        problems.push(FieldError {
            field: "override_reason",
            message: "Say why the rating differs from the one worked out from the target".into(),
        });
    }
    match measure {
        Some(m) if problems.is_empty() => Ok(m),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod entry_tests {
    use super::*;

    fn input(value: &str) -> EntryInput {
        EntryInput {
            value: value.into(),
            note: String::new(),
            override_rag: None,
            override_reason: String::new(),
        }
    }

    #[test]
    fn entries_are_read_and_overrides_need_a_reason() {
        assert_eq!(check_entry(&input("89.5%")).map(|m| m.value), Ok(89.5));
        let fields = |r: Result<Measure, Vec<crate::workflow::FieldError>>| {
            r.err()
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(check_entry(&input("N/A"))), ["value"]);
        assert_eq!(fields(check_entry(&input("<script>"))), ["value"]);
        let mut overridden = input("12");
        overridden.override_rag = Some(Rag::Green);
        assert_eq!(fields(check_entry(&overridden)), ["override_reason"]);
        overridden.override_reason = "Target was set before the new duty".into();
        assert!(check_entry(&overridden).is_ok());
        let mut noisy = input("12");
        noisy.note = "a\u{0}b".into();
        assert_eq!(fields(check_entry(&noisy)), ["note"]);
    }

    #[test]
    fn direction_is_shown_raw_and_judged() {
        assert_eq!(
            direction(Some(80.0), 85.0, Polarity::HigherIsBetter).as_deref(),
            Some("Up (better)")
        );
        assert_eq!(
            direction(Some(80.0), 85.0, Polarity::LowerIsBetter).as_deref(),
            Some("Up (worse)")
        );
        assert_eq!(
            direction(Some(80.0), 80.0, Polarity::LowerIsBetter).as_deref(),
            Some("No change (the same)")
        );
        assert_eq!(
            direction(Some(80.0), 70.0, Polarity::Neutral).as_deref(),
            Some("Down")
        );
        assert_eq!(direction(None, 70.0, Polarity::Neutral), None);
    }

    #[test]
    fn rules_rate_values_against_target() {
        let rules = IndicatorRules {
            polarity: Polarity::LowerIsBetter,
            target: Some(10.0),
            rules: RagRuleSet::default(),
        };
        let rate = |v| rules.rules.evaluate(v, rules.target, rules.polarity);
        assert_eq!(rate(9.0), Some(Rag::Green));
        assert_eq!(rate(10.4), Some(Rag::Amber));
        assert_eq!(rate(11.0), Some(Rag::Red));
    }
}
