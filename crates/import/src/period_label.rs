//! Reading the reporting period a report names: "Year End 24/25", "Quarter 2 2024/25",
//! "Q3 2023-24", "Our activity in 2024/25" (an annual report: the year-end period).

use std::str::FromStr;
use waymark_domain::{FinancialYear, Period, Quarter};

/// A financial year written as "2024/25", "24/25", "2024-25", "2024/2025" or "2024 to 2025".
pub(crate) fn financial_year(text: &str) -> Option<FinancialYear> {
    let t = text.trim();
    if let Ok(y) = FinancialYear::from_str(t) {
        return Some(y);
    }
    let t = t.replace(['–', '—'], "-");
    let lower = t.to_lowercase();
    let (a, b) = if let Some((a, b)) = lower.split_once(" to ") {
        (a.trim().to_string(), b.trim().to_string())
    } else if let Some((a, b)) = lower.split_once(['/', '-']) {
        (a.trim().to_string(), b.trim().to_string())
    } else {
        return None;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !digits(&a) || !digits(&b) {
        return None;
    }
    let start: i32 = match a.len() {
        4 => a.parse().ok()?,
        2 => 2000 + a.parse::<i32>().ok()?,
        _ => return None,
    };
    let end: i32 = match b.len() {
        4 => b.parse().ok()?,
        2 => {
            let yy: i32 = b.parse().ok()?;
            let century = (start + 1) / 100 * 100;
            century + yy
        }
        _ => return None,
    };
    (end == start + 1 && (1990..2100).contains(&start)).then_some(FinancialYear(start))
}

/// Find a financial year written anywhere in the text, with where it was.
pub(crate) fn find_financial_year(text: &str) -> Option<FinancialYear> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .collect();
    for (i, w) in words.iter().enumerate() {
        if let (Some(to), Some(next)) = (words.get(i + 1), words.get(i + 2))
            && to.eq_ignore_ascii_case("to")
            && let Some(y) = financial_year(&format!("{w} to {next}"))
        {
            return Some(y);
        }
        if w.contains(['/', '-', '–'])
            && let Some(y) = financial_year(w)
        {
            return Some(y);
        }
    }
    None
}

/// Which quarter the words name, if any: "Quarter 2", "Q2", "second quarter", "Year End".
fn find_quarter(text: &str) -> Option<Quarter> {
    let lower = text.to_lowercase().replace(['-', '–'], " ");
    if lower.contains("year end") || lower.contains("yearend") || lower.contains("end of year") {
        return Some(Quarter::Q4);
    }
    let words: Vec<&str> = lower
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(n) = w.strip_prefix('q')
            && let Ok(n) = n.parse::<u32>()
            && let Some(q) = Quarter::from_number(n)
        {
            return Some(q);
        }
        if *w == "quarter" {
            let n = words.get(i + 1).and_then(|n| n.parse::<u32>().ok());
            if let Some(q) = n.and_then(Quarter::from_number) {
                return Some(q);
            }
            let ord = i.checked_sub(1).and_then(|j| words.get(j)).copied();
            let q = match ord {
                Some("first" | "1st") => Some(Quarter::Q1),
                Some("second" | "2nd") => Some(Quarter::Q2),
                Some("third" | "3rd") => Some(Quarter::Q3),
                Some("fourth" | "4th" | "final" | "last") => Some(Quarter::Q4),
                _ => None,
            };
            if q.is_some() {
                return q;
            }
        }
    }
    None
}

/// Read a period label. With `year_alone_is_year_end`, a bare financial year ("Our activity in
/// 2024/25", an annual report) means its year-end (Q4) period.
pub(crate) fn period(text: &str, year_alone_is_year_end: bool) -> Option<Period> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(p) = Period::from_str(t) {
        return Some(p);
    }
    let year = find_financial_year(t)?;
    match find_quarter(t) {
        Some(q) => Some(year.quarter(q)),
        None if year_alone_is_year_end => Some(year.quarter(Quarter::Q4)),
        None => None,
    }
}

/// The months by name, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month named in full or by its start ("Jul", "Sept", "October"), January as 0; never
/// another word ("Market").
pub(crate) fn month_index(word: &str) -> Option<usize> {
    let w = word.trim_end_matches('.').to_lowercase();
    MONTHS
        .iter()
        .position(|m| w.len() >= 3 && m.starts_with(&w))
}

/// A month and year ("January 2026", "end of Oct 2025", "jan 2026"): the quarter holding it,
/// with the words as written.
pub(crate) fn month_period(text: &str) -> Option<(Period, String)> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '_' | ',' | '-' | '–' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).enumerate().find_map(|(i, pair)| {
        // "16 June 2025" is a day (a meeting's date), not the period a report covers.
        let day_before = i
            .checked_sub(1)
            .and_then(|k| words.get(k))
            .is_some_and(|w| {
                let d = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                !d.is_empty() && d.len() <= 2 && d.chars().all(|c| c.is_ascii_digit())
            });
        if day_before {
            return None;
        }
        let m = pair.first()?.to_lowercase();
        let month = month_index(&m)?;
        let year: i32 = pair.get(1)?.parse().ok()?;
        if !(1990..2100).contains(&year) {
            return None;
        }
        // Financial quarters: April–June is Q1 of the year that starts in April.
        let (fy, q) = match month {
            3..=5 => (year, Quarter::Q1),
            6..=8 => (year, Quarter::Q2),
            9..=11 => (year, Quarter::Q3),
            _ => (year - 1, Quarter::Q4),
        };
        Some((
            Period::new(fy, q),
            format!("{} {}", pair.first()?, pair.get(1)?),
        ))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn months_name_their_quarter() {
        assert_eq!(
            month_period("Strategic Measures Report - end of October 2025").map(|p| p.0),
            Some(Period::new(2025, Quarter::Q3))
        );
        assert_eq!(
            month_period("surrey_strategy_priorities_jan_2026").map(|p| p.0),
            Some(Period::new(2025, Quarter::Q4))
        );
        assert_eq!(month_period("May we say 2026"), None);
        assert_eq!(month_period("Report to Cabinet 16 June 2025"), None);
        assert_eq!(month_period("Marching 2026"), None);
    }

    #[test]
    fn years_as_councils_write_them() {
        for t in [
            "2024/25",
            "24/25",
            "2024-25",
            "2024/2025",
            "2024 to 2025",
            "2024–25",
        ] {
            assert_eq!(financial_year(t), Some(FinancialYear(2024)), "{t}");
        }
        assert_eq!(financial_year("2024/26"), None);
        assert_eq!(financial_year("1999/00"), Some(FinancialYear(1999)));
        assert_eq!(financial_year("99999999999/1"), None);
    }

    #[test]
    fn periods_from_labels() {
        assert_eq!(
            period("Year End 24/25", false),
            Some(Period::new(2024, Quarter::Q4))
        );
        assert_eq!(
            period("Quarter 2 2024/25", false),
            Some(Period::new(2024, Quarter::Q2))
        );
        assert_eq!(
            period("Q3 2023-24 update", false),
            Some(Period::new(2023, Quarter::Q3))
        );
        assert_eq!(
            period("Our activity in 2024/25", true),
            Some(Period::new(2024, Quarter::Q4))
        );
        assert_eq!(period("Our activity in 2024/25", false), None);
        assert_eq!(
            period("Second quarter report 2022 to 2023", false),
            Some(Period::new(2022, Quarter::Q2))
        );
        assert_eq!(period("nothing here", true), None);
    }
}
