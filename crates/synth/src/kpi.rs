//! The KPI table: indicators under priority themes, one outturn per financial year following
//! a trend with noise, and a RAG rating of the latest outturn against a target.

use crate::rng::{Rng, Stream};
use crate::words::{Better, Category, Form, KPIS, KpiDef};
use waymark_domain::indicator::{Frequency, Measure, Movement, Polarity, RagRuleSet};
use waymark_domain::{CorporatePlan, FinancialYear, KpiRow, KpiTable, Outturn};

pub(crate) fn kpi_table(
    seed: u64,
    index: usize,
    plan: &CorporatePlan,
    categories: &[Category],
    first_year: u16,
    years: usize,
) -> KpiTable {
    let mut rng = Rng::for_council(seed, index, Stream::Indicators);
    let chosen = rng.sample_between(KPIS.len(), 10, 20);

    // Each indicator sits under a theme of its kind (any theme when the plan has none).
    let mut placed: Vec<(usize, &KpiDef)> = chosen
        .into_iter()
        .map(|k| {
            let def = &KPIS[k];
            let fitting: Vec<usize> = (0..categories.len())
                .filter(|&t| categories[t] == def.category)
                .collect();
            let theme = if fitting.is_empty() {
                rng.below(categories.len())
            } else {
                fitting[rng.below(fitting.len())]
            };
            (theme, def)
        })
        .collect();
    placed.sort_by_key(|(theme, _)| *theme);

    let rules = RagRuleSet::default();
    let mut rows = Vec::with_capacity(placed.len());
    let mut line = 4;
    let mut previous_theme = usize::MAX;
    for (n, (theme, def)) in placed.into_iter().enumerate() {
        if theme != previous_theme {
            previous_theme = theme;
            line += 4; // blank line, theme heading, blank line, column header
        }
        let section = plan
            .themes
            .get(theme)
            .map(|t| format!("Priority theme {}: {}", t.number, t.title));
        rows.push(row(
            &mut rng,
            &rules,
            def,
            n + 1,
            section,
            line,
            first_year,
            years,
        ));
        line += 1;
    }

    let last = FinancialYear(i32::from(first_year) + years as i32 - 1);
    KpiTable {
        title: format!(
            "Corporate performance indicators {} to {last}",
            FinancialYear(i32::from(first_year))
        ),
        rows,
    }
}

/// Years over which an indicator's trend flattens: the most it can move is
/// `DAMPING` × its yearly slope (under a quarter of its starting value).
const DAMPING: f64 = 8.0;

#[allow(clippy::too_many_arguments)]
fn row(
    rng: &mut Rng,
    rules: &RagRuleSet,
    def: &KpiDef,
    number: usize,
    section: Option<String>,
    line: usize,
    first_year: u16,
    years: usize,
) -> KpiRow {
    let base = rng.range(def.lo, def.hi);
    // Most indicators improve slowly; some get worse; contextual ones just wander.
    let improving = rng.chance(0.65);
    let slope = rng.range(0.005, 0.03) * base;
    let drift = match def.better {
        Better::Higher if improving => slope,
        Better::Higher => -slope,
        Better::Lower if improving => -slope,
        Better::Lower => slope,
        Better::Neither => slope * if rng.chance(0.5) { 0.5 } else { -0.5 },
    };
    let noise = rng.range(0.005, 0.03) * base;
    let two_decimals = rng.chance(0.3);
    // A new indicator has no outturn for its first year or two.
    let missing = if years >= 3 && rng.chance(0.12) {
        rng.between(1, 2)
    } else {
        0
    };
    let outturns: Vec<Outturn> = (0..years)
        .map(|y| {
            // Damped: change slows over the years, so long runs stay believable.
            let trend = base + drift * DAMPING * (1.0 - (-(y as f64) / DAMPING).exp());
            let value = clamp(def.form, trend + noise * rng.gauss(), def.lo);
            let text = if y < missing {
                "N/A".to_string()
            } else {
                write_value(def.form, value, two_decimals)
            };
            Outturn {
                year: FinancialYear(i32::from(first_year) + y as i32),
                value: Measure::parse(&text),
                text,
                period: None,
                label: None,
                target: None,
                rag_label: None,
            }
        })
        .collect();

    let values: Vec<f64> = outturns
        .iter()
        .filter_map(|o| o.value.map(|m| m.value))
        .collect();
    let direction = match values.as_slice() {
        [.., previous, latest] => Some(
            match Movement::between(*previous, *latest) {
                Movement::Increase => "increase",
                Movement::Decrease => "decrease",
                Movement::NoChange => "no change",
            }
            .to_string(),
        ),
        _ => None,
    };

    let polarity = match def.better {
        Better::Higher => Polarity::HigherIsBetter,
        Better::Lower => Polarity::LowerIsBetter,
        Better::Neither => Polarity::Neutral,
    };
    // Targets are set against the latest outturn so that ratings are mixed: mostly met,
    // some narrowly missed (Amber: within 5%), some well missed; improving indicators fare better.
    let band = if improving {
        rng.weighted(&[60, 28, 12])
    } else {
        rng.weighted(&[35, 35, 30])
    };
    let ambition = match band {
        0 => rng.range(-0.08, -0.005),
        1 => rng.range(0.005, 0.045),
        _ => rng.range(0.06, 0.15),
    };
    let rag = values.last().and_then(|&latest| {
        let target = match def.better {
            Better::Lower => latest * (1.0 - ambition),
            _ => latest * (1.0 + ambition),
        };
        let target = if def.form == Form::Percent {
            target.min(100.0)
        } else {
            target
        };
        rules.evaluate(latest, Some(target), polarity)
    });

    KpiRow {
        line,
        section,
        reference: format!("KPI {number:02}"),
        name: def.name.to_string(),
        frequency: Frequency::parse(def.frequency),
        direction,
        outturns,
        rag,
        rag_label: rag.map(|r| r.label().to_string()),
        polarity: None,
        extras: vec![],
        place: None,
    }
}

/// Keep values possible: percentages inside 0–100, everything else above a floor.
fn clamp(form: Form, value: f64, lo: f64) -> f64 {
    match form {
        Form::Percent => value.clamp(0.1, 99.9),
        _ => value.max(lo * 0.2),
    }
}

/// Written as councils write it, so [`Measure::parse`] reads it back.
fn write_value(form: Form, value: f64, two_decimals: bool) -> String {
    match form {
        Form::Percent if two_decimals => format!("{value:.2}%"),
        Form::Percent => format!("{value:.1}%"),
        Form::Count => thousands(value.round() as u64),
        Form::Money if value >= 1.0e6 => format!("£{:.1}m", value / 1.0e6),
        Form::Money => format!("£{}k", (value / 1.0e3).round() as u64),
        Form::Days => format!("{value:.1} days"),
        Form::Rate => format!("{value:.1}"),
    }
}

/// "20843" → "20,843"
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_domain::indicator::Unit;

    #[test]
    fn values_are_written_so_they_read_back() {
        assert_eq!(thousands(20843), "20,843");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        let cases = [
            (Form::Percent, 89.024, false, 89.0, Unit::Percent),
            (Form::Percent, 89.024, true, 89.02, Unit::Percent),
            (Form::Count, 20843.4, false, 20843.0, Unit::Count),
            (Form::Money, 3_440_000.0, false, 3_400_000.0, Unit::Currency),
            (Form::Money, 845_200.0, false, 845_000.0, Unit::Currency),
            (Form::Days, 8.44, false, 8.4, Unit::Days),
            (Form::Rate, 512.44, false, 512.4, Unit::Number),
        ];
        for (form, value, two, read, unit) in cases {
            let text = write_value(form, value, two);
            let m = Measure::parse(&text).unwrap_or_else(|| panic!("{text}"));
            assert!((m.value - read).abs() < 1e-6, "{text}: {}", m.value);
            assert_eq!(m.unit, unit, "{text}");
        }
    }
}
