//! Reading due-date words: "October 2023", "Q4 2022 to 2023", "Annual Q3", "Ongoing", "TBC"…
//!
//! The text is cut into tokens by [`crate::period_parse::tokenize`] (so case, spacing, typographic
//! dashes and "q4"/"Q 4" do not matter) and then tried against each form in turn; the first
//! form that reads the *whole* text wins. Anything else is [`DueValue::Unknown`], with the
//! original words kept.
//!
//! Choices where the words are ambiguous:
//! - "Q4 2022" (a quarter with one year) is the quarter of the financial year *starting* in
//!   that year, i.e. 2022/23 Q4 (January–March 2023). Bexley's plan writes "Q4 2022 to 2023"
//!   and "Q4 2022" side by side, and the single year is the first of the pair.
//! - Seasons are read as their last month: Spring = May, Summer = August, Autumn (Fall) =
//!   November, Winter = February of the *following* year ("Winter 2024" is the winter of
//!   2024/25). A season with no year is a month with no year.
//! - Numeric dates are UK order: "01/03/2024" is 1 March. A two-digit year in one means 20xx.
//! - "By", "due", "end of", "the end of" before a date are dropped: "End of March 2025" is
//!   March 2025, the same deadline as "March 2025".

use crate::due::{DueCell, DueDate, DueValue, Recurrence};
use crate::period::{FinancialYear, Period, Quarter};
use crate::period_parse::{
    Tok, any_word, financial_year_prefix, num, period_tokens, quarter_prefix, skip_tok, skip_word,
    tokenize, word, year4,
};
use chrono::NaiveDate;

/// Read a due date. Never panics; `text` is kept verbatim.
pub(crate) fn parse_due(text: &str) -> DueDate {
    DueDate {
        text: text.to_string(),
        value: read(text).unwrap_or(DueValue::Unknown),
    }
}

/// Read an end-date cell: a due date, or a note typed where the date belongs.
pub(crate) fn parse_cell(text: &str) -> DueCell {
    let due = parse_due(text);
    if due.value == DueValue::Unknown {
        let trimmed = text.trim();
        // A sentence, not a date: "No longer progressing with this action, …". Short words
        // that are not dates ("Soon", "See above") stay an Unknown date.
        if trimmed.split_whitespace().count() >= 4 || trimmed.ends_with('.') {
            return DueCell::Note(trimmed.to_string());
        }
    }
    DueCell::Date(due)
}

/// The last day a due date allows, when the words fix one. `None` for vague forms and for
/// years outside what a calendar date can hold.
pub(crate) fn deadline(value: &DueValue) -> Option<NaiveDate> {
    match *value {
        DueValue::Day { date } => Some(date),
        DueValue::Month { year, month } => last_day_of_month(year, month),
        DueValue::Quarter { period } => quarter_end(period),
        DueValue::FinancialYear { year } => NaiveDate::from_ymd_opt(year.0.checked_add(1)?, 3, 31),
        DueValue::CalendarYear { year } => NaiveDate::from_ymd_opt(year, 12, 31),
        DueValue::Recurring { .. }
        | DueValue::Ongoing
        | DueValue::Tbc
        | DueValue::Duration { .. }
        | DueValue::MonthNoYear { .. }
        | DueValue::Unknown => None,
    }
}

/// The longest due date glued to the end of a line, as importers meet it when a page's columns
/// run together: "…the support they needAdults’ Services & HealthJune 2023" gives the byte index
/// where "June 2023" begins, and its parse. `None` if no suffix reads as a due date (Unknown
/// does not count).
///
/// A suffix may start only at a letter or digit, and not in the middle of a number (so "2023"
/// never eats the digits of "12023") nor in the middle of a lower-case word (so "biannual" does
/// not end in "annual"; "HealthJune" splits because "J" is a capital). The whole line may be the
/// due date ("2023 to 2024" on a line of its own gives index 0). Trailing whitespace is ignored
/// and left out of the returned text.
pub fn split_due_suffix(line: &str) -> Option<(usize, DueDate)> {
    // The longest form we read ("Due by the end of 30th September 2024") is well under this;
    // the cap keeps the search linear in the line's length.
    const MAX_SUFFIX_CHARS: usize = 48;
    let line = line.trim_end();
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let first = chars.len().saturating_sub(MAX_SUFFIX_CHARS);
    for k in first..chars.len() {
        let (start, c) = chars[k];
        if !c.is_alphanumeric() {
            continue;
        }
        if let Some(&(_, before)) = k.checked_sub(1).and_then(|j| chars.get(j)) {
            if c.is_ascii_digit() && before.is_ascii_digit() {
                continue;
            }
            if c.is_alphabetic() && before.is_alphabetic() && !c.is_uppercase() {
                continue;
            }
        }
        // `start` comes from char_indices, so it is a char boundary.
        let due = parse_due(&line[start..]);
        if due.value != DueValue::Unknown {
            return Some((start, due));
        }
    }
    None
}

fn read(text: &str) -> Option<DueValue> {
    let trimmed = text
        .trim()
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    let toks = tokenize(trimmed);
    if toks.is_empty() {
        return None;
    }
    if let Some(value) = undated(&toks).or_else(|| dated(&toks)) {
        return Some(value);
    }
    // "By March 2025", "End of March 2025", "Due by the end of Q4 2024/25": the words before
    // a date do not change the deadline. They only introduce dates, never "Ongoing" or "TBC".
    let rest = deadline_words(&toks);
    if rest.len() < toks.len() {
        return dated(rest);
    }
    None
}

/// Skip "due", "by", "the end of", "end of" at the start.
fn deadline_words(t: &[Tok]) -> &[Tok] {
    let t = skip_word(skip_word(t, "due"), "by");
    match word(skip_word(t, "the"), "end") {
        Some(rest) => skip_word(rest, "of"),
        None => t,
    }
}

/// Forms with no date: TBC, Ongoing, recurring deadlines, durations.
fn undated(t: &[Tok]) -> Option<DueValue> {
    if let Some(value) = keyword(t) {
        return Some(value);
    }
    // "Annual Q3", "Q4 Annual", "Annual - Q3".
    if let Some((quarter, rest)) = quarter_prefix(t)
        && let Some((w, [])) = any_word(skip_tok(rest, &Tok::Dash))
        && is_annual(w)
    {
        return Some(annual(Some(quarter)));
    }
    if let Some((w, rest)) = any_word(t)
        && is_annual(w)
        && let Some((quarter, [])) = quarter_prefix(skip_tok(rest, &Tok::Dash))
    {
        return Some(annual(Some(quarter)));
    }
    duration(t)
}

fn is_annual(w: &str) -> bool {
    matches!(w, "annual" | "annually" | "yearly")
}

fn annual(quarter: Option<Quarter>) -> DueValue {
    DueValue::Recurring {
        every: Recurrence::Annual,
        quarter,
    }
}

/// One-word (or few-word) forms, compared with their words run together so that "On-going",
/// "On going", "T.B.C." and "To be confirmed" need no special cases.
fn keyword(t: &[Tok]) -> Option<DueValue> {
    let mut compact = String::new();
    for tok in t {
        match tok {
            Tok::Word(w) => compact.push_str(w),
            Tok::Dash | Tok::Dot => {}
            _ => return None,
        }
    }
    Some(match compact.as_str() {
        "tbc" | "tba" | "tbd" | "tobeconfirmed" | "tobeagreed" | "tobeadvised"
        | "tobedetermined" | "tobedecided" => DueValue::Tbc,
        "ongoing" | "continuous" | "continual" => DueValue::Ongoing,
        "annual" | "annually" | "yearly" => annual(None),
        "quarterly" => DueValue::Recurring {
            every: Recurrence::Quarterly,
            quarter: None,
        },
        "monthly" => DueValue::Recurring {
            every: Recurrence::Monthly,
            quarter: None,
        },
        _ => return None,
    })
}

/// "15 years", "18 months", "2 yrs", "6-month".
fn duration(t: &[Tok]) -> Option<DueValue> {
    let (n, _, rest) = num(t)?;
    let (unit, []) = any_word(skip_tok(rest, &Tok::Dash))? else {
        return None;
    };
    let per = match unit {
        "year" | "years" | "yr" | "yrs" => 12,
        "month" | "months" | "mth" | "mths" | "mo" | "mos" => 1,
        _ => return None,
    };
    Some(DueValue::Duration {
        months: n.checked_mul(per)?,
    })
}

/// Forms that name a date, from the most precise down.
fn dated(t: &[Tok]) -> Option<DueValue> {
    if let Some(date) = day(t) {
        return Some(DueValue::Day { date });
    }
    if let Some((month, rest)) = month_name(t) {
        return match rest {
            [] => Some(DueValue::MonthNoYear { month }),
            _ => match year4(rest)? {
                (year, []) => Some(DueValue::Month { year, month }),
                _ => None,
            },
        };
    }
    if let Some((month, next_year, rest)) = season(t) {
        return match rest {
            [] => Some(DueValue::MonthNoYear { month }),
            _ => match year4(rest)? {
                (year, []) => Some(DueValue::Month {
                    year: year + i32::from(next_year),
                    month,
                }),
                _ => None,
            },
        };
    }
    if let Some(period) = quarter(t) {
        return Some(DueValue::Quarter { period });
    }
    if let Some((year, [])) = financial_year_prefix(t) {
        return Some(DueValue::FinancialYear { year });
    }
    if let Some((year, [])) = year4(t) {
        return Some(DueValue::CalendarYear { year });
    }
    None
}

/// A quarter: any period form ("Q4 2024/25", "Year end 24/25"), or a quarter with a single
/// year, "Q4 2022" / "2022 Q4", read as a quarter of the financial year starting that year.
fn quarter(t: &[Tok]) -> Option<Period> {
    if let Some(period) = period_tokens(t) {
        return Some(period);
    }
    if let Some((quarter, rest)) = quarter_prefix(t) {
        let rest = skip_word(skip_tok(rest, &Tok::Dash), "of");
        return match year4(rest)? {
            (year, []) => Some(FinancialYear(year).quarter(quarter)),
            _ => None,
        };
    }
    let (year, rest) = year4(t)?;
    match quarter_prefix(skip_tok(rest, &Tok::Dash))? {
        (quarter, []) => Some(FinancialYear(year).quarter(quarter)),
        _ => None,
    }
}

/// A whole text naming one day.
fn day(t: &[Tok]) -> Option<NaiveDate> {
    // "31 March 2024", "31st March 2024", "31st of March 2024".
    if let Some((d, rest)) = day_number(t)
        && let Some((m, rest)) = month_name(skip_word(rest, "of"))
        && let Some((y, [])) = year4(rest)
    {
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    // "March 31 2024", "March 31st, 2024".
    if let Some((m, rest)) = month_name(t)
        && let Some((d, rest)) = day_number(rest)
        && let Some((y, [])) = year4(rest)
    {
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    // "31/03/2024", "31.03.2024", "31-03-24" (day first, as in the UK) and "2024-03-31".
    let [a, s1, b, s2, c] = t else {
        return None;
    };
    if s1 != s2 || !matches!(s1, Tok::Slash | Tok::Dash | Tok::Dot) {
        return None;
    }
    let (a, a_digits, _) = num(std::slice::from_ref(a))?;
    let (b, b_digits, _) = num(std::slice::from_ref(b))?;
    let (c, c_digits, _) = num(std::slice::from_ref(c))?;
    if b_digits > 2 {
        return None;
    }
    if a_digits == 4 && a >= 1000 && c_digits <= 2 {
        return NaiveDate::from_ymd_opt(i32::try_from(a).ok()?, b, c);
    }
    let year = match c_digits {
        4 if c >= 1000 => i32::try_from(c).ok()?,
        2 => 2000 + i32::try_from(c).ok()?,
        _ => return None,
    };
    if a_digits > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, b, a)
}

/// A day of the month, "31" or "31st", at the start.
fn day_number(t: &[Tok]) -> Option<(u32, &[Tok])> {
    let (d, digits, rest) = num(t)?;
    if digits > 2 || !(1..=31).contains(&d) {
        return None;
    }
    let rest = match any_word(rest) {
        Some(("st" | "nd" | "rd" | "th", after)) => after,
        _ => rest,
    };
    Some((d, rest))
}

/// A month name or abbreviation ("Sept", "Sep.", "September") at the start.
fn month_name(t: &[Tok]) -> Option<(u32, &[Tok])> {
    let (w, rest) = any_word(t)?;
    let (month, abbreviated) = match w {
        "january" => (1, false),
        "jan" => (1, true),
        "february" => (2, false),
        "feb" => (2, true),
        "march" => (3, false),
        "mar" => (3, true),
        "april" => (4, false),
        "apr" => (4, true),
        "may" => (5, false),
        "june" => (6, false),
        "jun" => (6, true),
        "july" => (7, false),
        "jul" => (7, true),
        "august" => (8, false),
        "aug" => (8, true),
        "september" => (9, false),
        "sep" | "sept" => (9, true),
        "october" => (10, false),
        "oct" => (10, true),
        "november" => (11, false),
        "nov" => (11, true),
        "december" => (12, false),
        "dec" => (12, true),
        _ => return None,
    };
    let rest = if abbreviated {
        skip_tok(rest, &Tok::Dot)
    } else {
        rest
    };
    Some((month, rest))
}

/// A season at the start: (its last month, whether that month falls in the next year, rest).
fn season(t: &[Tok]) -> Option<(u32, bool, &[Tok])> {
    let (w, rest) = any_word(t)?;
    let (month, next_year) = match w {
        "spring" => (5, false),
        "summer" => (8, false),
        "autumn" | "fall" => (11, false),
        "winter" => (2, true),
        _ => return None,
    };
    Some((month, next_year, rest))
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    if !(1..=12).contains(&month) {
        return None;
    }
    if month == 12 {
        return NaiveDate::from_ymd_opt(year, 12, 31);
    }
    NaiveDate::from_ymd_opt(year, month + 1, 1)?.pred_opt()
}

/// The last day of a quarter, without [`Period::end`]'s clamping for impossible years.
fn quarter_end(period: Period) -> Option<NaiveDate> {
    let y = period.year.0;
    match period.quarter {
        Quarter::Q1 => NaiveDate::from_ymd_opt(y, 6, 30),
        Quarter::Q2 => NaiveDate::from_ymd_opt(y, 9, 30),
        Quarter::Q3 => NaiveDate::from_ymd_opt(y, 12, 31),
        Quarter::Q4 => NaiveDate::from_ymd_opt(y.checked_add(1)?, 3, 31),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }
    fn month(year: i32, month: u32) -> DueValue {
        DueValue::Month { year, month }
    }
    fn day(y: i32, m: u32, d: u32) -> DueValue {
        DueValue::Day {
            date: date(y, m, d),
        }
    }
    fn quarter(y: i32, q: Quarter) -> DueValue {
        DueValue::Quarter {
            period: Period::new(y, q),
        }
    }
    fn fy(y: i32) -> DueValue {
        DueValue::FinancialYear {
            year: FinancialYear(y),
        }
    }
    fn recurring(every: Recurrence, quarter: Option<Quarter>) -> DueValue {
        DueValue::Recurring { every, quarter }
    }

    #[test]
    fn forms_councils_write() {
        use DueValue::{CalendarYear, Duration, MonthNoYear, Ongoing, Tbc, Unknown};
        use Quarter::*;
        let table = [
            // Month
            ("October 2023", month(2023, 10)),
            ("March 2024", month(2024, 3)),
            ("June 2022", month(2022, 6)),
            ("Sept 2024", month(2024, 9)),
            ("Sep 2024", month(2024, 9)),
            ("sep. 2024", month(2024, 9)),
            ("DECEMBER 2022", month(2022, 12)),
            ("  february   2023 ", month(2023, 2)),
            ("March 2024.", month(2024, 3)),
            ("End of March 2025", month(2025, 3)),
            ("By March 2025", month(2025, 3)),
            ("by the end of March 2025", month(2025, 3)),
            ("Due by end of March 2025", month(2025, 3)),
            // Seasons: their last month; winter runs into the next year.
            ("Spring 2025", month(2025, 5)),
            ("Summer 2025", month(2025, 8)),
            ("Autumn 2025", month(2025, 11)),
            ("Fall 2025", month(2025, 11)),
            ("Winter 2025", month(2026, 2)),
            // Day
            ("31 March 2024", day(2024, 3, 31)),
            ("31/03/2024", day(2024, 3, 31)),
            ("31/3/24", day(2024, 3, 31)),
            ("31.03.2024", day(2024, 3, 31)),
            ("31-03-2024", day(2024, 3, 31)),
            ("2024-03-31", day(2024, 3, 31)),
            ("31st March 2024", day(2024, 3, 31)),
            ("1st of April 2024", day(2024, 4, 1)),
            ("2nd Sept 2024", day(2024, 9, 2)),
            ("March 31, 2024", day(2024, 3, 31)),
            ("By 30 September 2024", day(2024, 9, 30)),
            ("01/02/2024", day(2024, 2, 1)),
            // Quarter of a financial year
            ("Q4 2022 to 2023", quarter(2022, Q4)),
            ("Q2 2023 to 2024", quarter(2023, Q2)),
            ("Q4 2024/25", quarter(2024, Q4)),
            ("q4 2024–25", quarter(2024, Q4)),
            ("Q4 2024 \u{2013} 2025", quarter(2024, Q4)),
            ("2024/25 Q4", quarter(2024, Q4)),
            ("Quarter 3 2024/25", quarter(2024, Q3)),
            ("Year end 2024/25", quarter(2024, Q4)),
            ("End of Q4 2024/25", quarter(2024, Q4)),
            // One year: the quarter of the financial year starting that year.
            ("Q4 2022", quarter(2022, Q4)),
            ("Q1 2023", quarter(2023, Q1)),
            ("2023 Q2", quarter(2023, Q2)),
            // Financial year
            ("2022 to 2023", fy(2022)),
            ("2024/25", fy(2024)),
            ("2023-24", fy(2023)),
            ("2023 - 2024", fy(2023)),
            ("FY 2024/25", fy(2024)),
            ("By 2024/25", fy(2024)),
            // Calendar year
            ("2023", CalendarYear { year: 2023 }),
            ("2025", CalendarYear { year: 2025 }),
            ("2026", CalendarYear { year: 2026 }),
            ("2026.", CalendarYear { year: 2026 }),
            ("End of 2025", CalendarYear { year: 2025 }),
            // Recurring
            ("Annual Q3", recurring(Recurrence::Annual, Some(Q3))),
            ("Q4 Annual", recurring(Recurrence::Annual, Some(Q4))),
            ("Annual - Q1", recurring(Recurrence::Annual, Some(Q1))),
            ("Annually", recurring(Recurrence::Annual, None)),
            ("Annual", recurring(Recurrence::Annual, None)),
            ("Yearly", recurring(Recurrence::Annual, None)),
            ("Quarterly", recurring(Recurrence::Quarterly, None)),
            ("Monthly", recurring(Recurrence::Monthly, None)),
            // Ongoing
            ("Ongoing", Ongoing),
            ("On-going", Ongoing),
            ("On\u{2011}going", Ongoing),
            ("on going", Ongoing),
            ("ONGOING.", Ongoing),
            ("Continuous", Ongoing),
            // To be confirmed
            ("TBC", Tbc),
            ("tbc.", Tbc),
            ("T.B.C.", Tbc),
            ("TBA", Tbc),
            ("To be confirmed", Tbc),
            ("To be agreed", Tbc),
            // Duration
            ("15 years", Duration { months: 180 }),
            ("18 months", Duration { months: 18 }),
            ("2 yrs", Duration { months: 24 }),
            ("1 year", Duration { months: 12 }),
            ("6-month", Duration { months: 6 }),
            // Month with no year
            ("October", MonthNoYear { month: 10 }),
            ("sept", MonthNoYear { month: 9 }),
            ("Spring", MonthNoYear { month: 5 }),
            // Unknown
            ("", Unknown),
            ("   ", Unknown),
            ("Soon", Unknown),
            ("ASAP", Unknown),
            ("31 February 2024", Unknown),
            ("32 March 2024", Unknown),
            ("13/13/2024", Unknown),
            ("Q5 2024/25", Unknown),
            ("2022 to 2024", Unknown),
            ("2024/26", Unknown),
            ("October 23", Unknown),
            ("By ongoing", Unknown),
            ("By", Unknown),
            ("End", Unknown),
            ("12023", Unknown),
            ("Annual review", Unknown),
            ("99999999999 years", Unknown),
            ("4294967295 years", Unknown),
            (
                "No longer progressing with this action, our funding application was unsuccessful.",
                Unknown,
            ),
        ];
        for (text, want) in table {
            let due = parse_due(text);
            assert_eq!(due.value, want, "{text:?}");
            assert_eq!(due.text, text);
        }
    }

    #[test]
    fn deadlines() {
        use DueValue::{CalendarYear, Duration, MonthNoYear, Ongoing, Tbc, Unknown};
        let table = [
            (day(2024, 3, 31), Some(date(2024, 3, 31))),
            (month(2023, 10), Some(date(2023, 10, 31))),
            (month(2024, 2), Some(date(2024, 2, 29))),
            (month(2023, 2), Some(date(2023, 2, 28))),
            (month(2023, 12), Some(date(2023, 12, 31))),
            (quarter(2022, Quarter::Q4), Some(date(2023, 3, 31))),
            (quarter(2023, Quarter::Q1), Some(date(2023, 6, 30))),
            (quarter(2023, Quarter::Q2), Some(date(2023, 9, 30))),
            (quarter(2023, Quarter::Q3), Some(date(2023, 12, 31))),
            (fy(2022), Some(date(2023, 3, 31))),
            (CalendarYear { year: 2023 }, Some(date(2023, 12, 31))),
            (recurring(Recurrence::Annual, Some(Quarter::Q3)), None),
            (recurring(Recurrence::Quarterly, None), None),
            (Ongoing, None),
            (Tbc, None),
            (Duration { months: 180 }, None),
            (MonthNoYear { month: 10 }, None),
            (Unknown, None),
            // Out of range: None, never a panic or a clamped date.
            (month(2023, 0), None),
            (month(2023, 13), None),
            (month(2023, u32::MAX), None),
            (month(i32::MAX, 12), None),
            (month(i32::MIN, 1), None),
            (CalendarYear { year: i32::MAX }, None),
            (fy(i32::MAX), None),
            (fy(i32::MIN), None),
            (quarter(i32::MAX, Quarter::Q4), None),
            (quarter(i32::MAX, Quarter::Q1), None),
        ];
        for (value, want) in table {
            assert_eq!(deadline(&value), want, "{value:?}");
        }
        let parsed = DueDate::parse("Q4 2022 to 2023");
        assert_eq!(parsed.deadline(), Some(date(2023, 3, 31)));
        assert!(DueDate::parse("Ongoing").is_vague());
    }

    #[test]
    fn cells() {
        let note =
            "No longer progressing with this action, our funding application was unsuccessful.";
        assert_eq!(
            parse_cell(&format!("  {note} ")),
            DueCell::Note(note.to_string())
        );
        assert_eq!(
            parse_cell("Awaiting the funding decision"),
            DueCell::Note("Awaiting the funding decision".to_string())
        );
        assert_eq!(parse_cell("Paused."), DueCell::Note("Paused.".to_string()));
        assert_eq!(parse_cell("Soon"), DueCell::Date(parse_due("Soon")));
        assert_eq!(parse_cell(""), DueCell::Date(parse_due("")));
        // A date with a full stop is still a date, and the text is kept as written.
        assert_eq!(
            parse_cell(" March 2024. "),
            DueCell::Date(DueDate {
                text: " March 2024. ".to_string(),
                value: month(2024, 3)
            })
        );
        assert_eq!(
            DueCell::parse("Q4 2022 to 2023"),
            DueCell::Date(parse_due("Q4 2022 to 2023"))
        );
    }

    #[test]
    fn glued_suffixes() {
        let table = [
            (
                "Implement care finder 'app' to make it easier for residents to get the support they needAdults’ Services & HealthJune 2023",
                "June 2023",
            ),
            (
                "Review our Prevention Strategy to stop issues and challenges escalatingAdults’ Services & HealthQ4 2024 to 2025",
                "Q4 2024 to 2025",
            ),
            (
                "Refresh our Obesity Strategy and action plan to improve the health of Bexley residentsAdults’ Services & Health2025",
                "2025",
            ),
            (
                "Review of sales, fees and chargesDeputy Leader of the Council / ResourcesAnnual Q3",
                "Annual Q3",
            ),
            (
                "Develop and implement a refreshed Equalities & Inclusion Policy, to promote fairness across the borough.Deputy Leader of the Council / ResourcesQ4 Annual",
                "Q4 Annual",
            ),
            (
                "Land and property acquisitions for future developmentGrowthOngoing",
                "Ongoing",
            ),
            (
                "Delivery of technical skills curriculum for the construction industry in partnership with London South East CollegesGrowth15 years",
                "15 years",
            ),
            (
                "Review and redesign customer journeys for key servicesDeputy Leader of the Council / ResourcesOctober",
                "October",
            ),
            (
                "Enhance our Project & Programme monitoring approach, to be efficient and effective.Deputy Leader of the Council / ResourcesQuarterly",
                "Quarterly",
            ),
            (
                "Improve and promote personalisation in residential and nursing careAdults’ Services & Health TBC",
                "TBC",
            ),
            (
                "Oppose ULEZ expansion on behalf of our residents.Places2022 to 2023",
                "2022 to 2023",
            ),
            (
                "Complete roll out of open fibre across Bexley and provide lead support to 8 other boroughs on similar projects.Places2023",
                "2023",
            ),
            (
                "Improve options for residents when making paymentsDeputy Leader of the Council / ResourcesQ4 2022",
                "Q4 2022",
            ),
            (
                "Build upon our new children's centre model, so that families get the best support.Children's ServicesQ4 2022 to 2023",
                "Q4 2022 to 2023",
            ),
            (
                "Secure future of Barnehurst Golf ClubPlacesJune 2022  ",
                "June 2022",
            ),
            ("2023 to 2024", "2023 to 2024"),
            (
                "Review the Council's use of office space31 March 2024",
                "31 March 2024",
            ),
        ];
        for (line, due) in table {
            let Some((at, parsed)) = split_due_suffix(line) else {
                panic!("no due date found in {line:?}");
            };
            assert_eq!(&line[at..at + due.len()], due, "{line:?}");
            assert_eq!(parsed, parse_due(due), "{line:?}");
        }
        for line in [
            "Develop plans for use of affordable housing budgetGrowth",
            "Deputy Leader of the Council / Resources",
            "Options for developing the youth services hubChildren's ServicesNo longer progressing with this action, our funding application was unsuccessful.",
            "We run a biannual",
            "Payments of £12023",
            "ActivityCabinet MemberEnd date",
            "",
            "   ",
            "’’’",
        ] {
            assert_eq!(split_due_suffix(line), None, "{line:?}");
        }
        // Never start inside a number.
        assert_eq!(
            split_due_suffix("Total 12023").map(|(at, _)| at),
            None,
            "must not split 12023"
        );
    }

    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];

    const PORTFOLIOS: [&str; 8] = [
        "Adults’ Services & Health",
        "Children's Services",
        "Education",
        "Education Growth",
        "Deputy Leader of the Council / Resources",
        "Growth",
        "Places",
        "Communities & Housing",
    ];

    fn a_date() -> impl Strategy<Value = NaiveDate> {
        (1900i32..2200, 1u32..=366)
            .prop_filter_map("day of year", |(y, o)| NaiveDate::from_yo_opt(y, o))
    }

    fn a_quarter() -> impl Strategy<Value = Quarter> {
        prop::sample::select(Quarter::ALL.to_vec())
    }

    fn month_name(d: NaiveDate) -> &'static str {
        MONTHS
            .get(d.month0() as usize)
            .copied()
            .unwrap_or("January")
    }

    /// A due date written the way a council would, with the value it must read as.
    fn a_due() -> impl Strategy<Value = (String, DueValue)> {
        prop_oneof![
            a_date().prop_map(|d| (
                format!("{} {}", month_name(d), d.year()),
                month(d.year(), d.month())
            )),
            a_date().prop_map(|d| (
                format!("{} {} {}", d.day(), month_name(d), d.year()),
                DueValue::Day { date: d }
            )),
            (1900i32..2200, a_quarter())
                .prop_map(|(y, q)| (format!("{q} {y} to {}", y + 1), quarter(y, q))),
            (1900i32..2200, a_quarter())
                .prop_map(|(y, q)| (format!("{q} {}", FinancialYear(y)), quarter(y, q))),
            (1900i32..2200).prop_map(|y| (format!("{y} to {}", y + 1), fy(y))),
            (1900i32..2200).prop_map(|y| (FinancialYear(y).to_string(), fy(y))),
            (1900i32..2200).prop_map(|y| (y.to_string(), DueValue::CalendarYear { year: y })),
            a_quarter().prop_map(|q| (
                format!("Annual {q}"),
                recurring(Recurrence::Annual, Some(q))
            )),
            a_quarter().prop_map(|q| (
                format!("{q} Annual"),
                recurring(Recurrence::Annual, Some(q))
            )),
            (1u32..100).prop_map(|n| (format!("{n} years"), DueValue::Duration { months: n * 12 })),
            (1u32..12).prop_map(|m| (
                MONTHS.get(m as usize).copied().unwrap_or("May").to_string(),
                DueValue::MonthNoYear { month: m + 1 }
            )),
            Just(("Ongoing".to_string(), DueValue::Ongoing)),
            Just(("TBC".to_string(), DueValue::Tbc)),
            Just((
                "Quarterly".to_string(),
                recurring(Recurrence::Quarterly, None)
            )),
        ]
    }

    proptest! {
        #[test]
        fn never_panics_and_keeps_text(s in ".{0,60}") {
            let due = parse_due(&s);
            prop_assert_eq!(&due.text, &s);
            let _ = deadline(&due.value);
            let _ = parse_cell(&s);
            if let Some((at, suffix)) = split_due_suffix(&s) {
                prop_assert!(s.is_char_boundary(at));
                prop_assert_ne!(&suffix.value, &DueValue::Unknown);
                prop_assert_eq!(suffix, parse_due(s[at..].trim_end()));
            }
        }

        #[test]
        fn never_panics_on_date_like_text(s in "[0-9A-Za-z /\\-–.,’]{0,30}") {
            let due = parse_due(&s);
            prop_assert_eq!(&due.text, &s);
            let _ = deadline(&due.value);
            let _ = split_due_suffix(&s);
        }

        #[test]
        fn deadline_never_panics(
            y in any::<i32>(),
            m in any::<u32>(),
            n in any::<u32>(),
            q in a_quarter(),
        ) {
            for value in [
                month(y, m),
                quarter(y, q),
                fy(y),
                DueValue::CalendarYear { year: y },
                DueValue::Duration { months: n },
                DueValue::MonthNoYear { month: m },
            ] {
                let _ = deadline(&value);
            }
        }

        #[test]
        fn dates_read_back(d in a_date(), q in a_quarter()) {
            let y = d.year();
            let m = month_name(d);
            let first_of_month = d.with_day(1).unwrap_or(d);
            let period = Period::new(y, q);
            let cases = [
                (format!("{m} {y}"), month(y, d.month()), first_of_month),
                (format!("{} {y}", &m[..3]), month(y, d.month()), first_of_month),
                (format!("{} {m} {y}", d.day()), DueValue::Day { date: d }, d),
                (format!("{}th {m} {y}", d.day()), DueValue::Day { date: d }, d),
                (d.format("%d/%m/%Y").to_string(), DueValue::Day { date: d }, d),
                (d.format("%Y-%m-%d").to_string(), DueValue::Day { date: d }, d),
                (format!("{q} {y} to {}", y + 1), quarter(y, q), period.start()),
                (format!("{y} to {}", y + 1), fy(y), FinancialYear(y).start()),
                (
                    format!("{y}/{:02}", (y + 1) % 100),
                    fy(y),
                    FinancialYear(y).start(),
                ),
            ];
            for (text, want, first_day) in cases {
                let due = parse_due(&text);
                prop_assert_eq!(&due.value, &want, "{}", text);
                let Some(last) = deadline(&due.value) else {
                    return Err(TestCaseError::fail(format!("no deadline for {text}")));
                };
                prop_assert!(last >= first_day, "{} ends {} before {}", text, last, first_day);
            }
            // The quarter's deadline is the period's own end.
            prop_assert_eq!(deadline(&quarter(y, q)), Some(period.end()));
            prop_assert_eq!(deadline(&fy(y)), Some(FinancialYear(y).end()));
        }

        #[test]
        fn glued_due_is_recovered(
            title in "[A-Za-z][A-Za-z0-9 ,.'’()&-]{0,60}[a-z]",
            portfolio in prop::sample::select(PORTFOLIOS.to_vec()),
            (due, value) in a_due(),
        ) {
            let line = format!("{title}{portfolio}{due}");
            let found = split_due_suffix(&line);
            prop_assert_eq!(
                found,
                Some((
                    title.len() + portfolio.len(),
                    DueDate { text: due.clone(), value }
                )),
                "{}", line
            );
        }
    }
}
