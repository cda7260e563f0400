//! Reading financial years and periods in the forms councils write them.
//!
//! Text is first cut into tokens — numbers, words, `/`, `-`, `.` — ignoring whitespace,
//! case, commas and colons, so "2024/25Q4", "2024/25 - q4" and "2024/25 Q4" read alike and
//! "q4" is the word `q` followed by the number 4. The small grammars below work on token
//! slices: each `*_prefix` function reads one thing at the start of a slice and returns what
//! is left, so callers can chain them and demand that nothing is left over.
//! `due_parse` reuses the tokenizer and these grammars.

use crate::period::{FinancialYear, Period, Quarter};

/// One token of date-like text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A run of ASCII digits: its value (`None` if it does not fit a `u32`) and its length,
    /// which matters: "24" and "0024" are different spellings.
    Num {
        value: Option<u32>,
        digits: usize,
    },
    /// A run of letters, lower-cased.
    Word(String),
    Slash,
    /// '-' or any typographic dash (en, em, minus…).
    Dash,
    Dot,
    /// Any other character (apostrophes, '&', brackets…): no grammar accepts it.
    Other,
}

/// Cut text into tokens. Never fails; characters no grammar understands become [`Tok::Other`].
pub(crate) fn tokenize(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut value = Some(c as u32 - '0' as u32);
            let mut digits = 1;
            while let Some(&d) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                chars.next();
                digits += 1;
                value = value
                    .and_then(|v| v.checked_mul(10))
                    .and_then(|v| v.checked_add(d as u32 - '0' as u32));
            }
            out.push(Tok::Num { value, digits });
        } else if c.is_alphabetic() {
            let mut word: String = c.to_lowercase().collect();
            while let Some(&d) = chars.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                chars.next();
                word.extend(d.to_lowercase());
            }
            out.push(Tok::Word(word));
        } else {
            match c {
                '/' | '\u{2044}' | '\u{2215}' => out.push(Tok::Slash),
                '-'
                | '\u{2010}'..='\u{2015}'
                | '\u{2212}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}' => out.push(Tok::Dash),
                '.' => out.push(Tok::Dot),
                // Separators that carry no meaning in a date ("March 31, 2024", "Year end: 24/25"),
                // and invisible characters web pages are full of.
                ',' | ':' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
                c if c.is_whitespace() => {}
                _ => out.push(Tok::Other),
            }
        }
    }
    out
}

/// A number at the start: (value, digit count, rest).
pub(crate) fn num(t: &[Tok]) -> Option<(u32, usize, &[Tok])> {
    match t.split_first()? {
        (Tok::Num { value, digits }, rest) => Some(((*value)?, *digits, rest)),
        _ => None,
    }
}

/// The word `w` at the start: the rest.
pub(crate) fn word<'a>(t: &'a [Tok], w: &str) -> Option<&'a [Tok]> {
    match t.split_first()? {
        (Tok::Word(x), rest) if x == w => Some(rest),
        _ => None,
    }
}

/// Any word at the start: (word, rest).
pub(crate) fn any_word(t: &[Tok]) -> Option<(&str, &[Tok])> {
    match t.split_first()? {
        (Tok::Word(x), rest) => Some((x.as_str(), rest)),
        _ => None,
    }
}

/// Skip the word `w` if it is at the start.
pub(crate) fn skip_word<'a>(t: &'a [Tok], w: &str) -> &'a [Tok] {
    word(t, w).unwrap_or(t)
}

/// Skip one token equal to `tok` if it is at the start.
pub(crate) fn skip_tok<'a>(t: &'a [Tok], tok: &Tok) -> &'a [Tok] {
    match t.split_first() {
        Some((x, rest)) if x == tok => rest,
        _ => t,
    }
}

/// A four-digit year (1000–9999) at the start.
pub(crate) fn year4(t: &[Tok]) -> Option<(i32, &[Tok])> {
    let (value, digits, rest) = num(t)?;
    (digits == 4 && value >= 1000).then_some((i32::try_from(value).ok()?, rest))
}

/// A financial year at the start: "2024/25", "24/25", "2024-25", "2024 to 2025", "2024/2025",
/// "2024 - 25", "FY 2024/25", "FY24/25", "financial year 2024/25".
///
/// The second year must follow the first. A two-digit first year means 20xx; it is accepted
/// only with '/' or '-' ("24 to 25" reads too much like a range of numbers).
pub(crate) fn financial_year_prefix(t: &[Tok]) -> Option<(FinancialYear, &[Tok])> {
    let t = match word(t, "financial") {
        Some(rest) => word(rest, "year")?,
        None => skip_word(t, "fy"),
    };
    let (first, first_digits, t) = num(t)?;
    let (spelled_to, t) = match t.split_first()? {
        (Tok::Slash | Tok::Dash, rest) => (false, rest),
        (Tok::Word(w), rest) if w == "to" => (true, rest),
        _ => return None,
    };
    let (second, second_digits, rest) = num(t)?;
    let start = match first_digits {
        4 if first >= 1000 => i32::try_from(first).ok()?,
        2 if !spelled_to => 2000 + i32::try_from(first).ok()?,
        _ => return None,
    };
    let next = start + 1;
    let follows = match second_digits {
        2 => u32::try_from(next % 100).ok()? == second,
        4 => u32::try_from(next).ok()? == second,
        _ => false,
    };
    follows.then_some((FinancialYear(start), rest))
}

/// A quarter at the start: "Q4", "q 4", "Quarter 4", "Qtr 4".
pub(crate) fn quarter_prefix(t: &[Tok]) -> Option<(Quarter, &[Tok])> {
    let (w, t) = any_word(t)?;
    if !matches!(w, "q" | "quarter" | "qtr") {
        return None;
    }
    let (n, digits, rest) = num(t)?;
    if digits != 1 {
        return None;
    }
    Some((Quarter::from_number(n)?, rest))
}

/// "Year end", "year-end", "yearend" or "end of year" at the start: the rest. Year end is Q4.
pub(crate) fn year_end_prefix(t: &[Tok]) -> Option<&[Tok]> {
    if let Some(rest) = word(t, "yearend") {
        return Some(rest);
    }
    if let Some(rest) = word(t, "year") {
        return word(skip_tok(rest, &Tok::Dash), "end");
    }
    let rest = word(word(t, "end")?, "of")?;
    word(rest, "year")
}

/// A whole token slice as a reporting period; `None` if anything is left over.
pub(crate) fn period_tokens(t: &[Tok]) -> Option<Period> {
    // Year first: "2024/25-Q4", "2024/25 Q4", "2024-25-q4" (the slug), "2024/25 year end".
    if let Some((year, rest)) = financial_year_prefix(t) {
        let rest = skip_tok(rest, &Tok::Dash);
        if let Some((quarter, [])) = quarter_prefix(rest) {
            return Some(year.quarter(quarter));
        }
        if let Some([]) = year_end_prefix(rest) {
            return Some(year.quarter(Quarter::Q4));
        }
        return None;
    }
    // Quarter first: "Q4 2024/25", "Quarter 4 2024 to 2025", "Q4 of 2024/25", "Year End 24/25".
    let (quarter, rest) =
        quarter_prefix(t).or_else(|| year_end_prefix(t).map(|rest| (Quarter::Q4, rest)))?;
    let rest = skip_word(skip_tok(rest, &Tok::Dash), "of");
    match financial_year_prefix(rest)? {
        (year, []) => Some(year.quarter(quarter)),
        _ => None,
    }
}

/// Read a financial year: "2024/25", "24/25", "2024-25", "2024 to 2025", "2024/2025",
/// "2024-2025", "FY 2024/25", "2024 – 25". Case and spacing do not matter.
pub(crate) fn parse_financial_year(s: &str) -> Option<FinancialYear> {
    match financial_year_prefix(&tokenize(s))? {
        (year, []) => Some(year),
        _ => None,
    }
}

/// Read a reporting period: "2024/25 Q4" (the display form), "2024-25-q4" (the slug),
/// "2024/25-Q4", "2024/25Q4", "Q4 2024/25", "Q4 2024 to 2025", "Quarter 4 2024/25",
/// "2024/25 quarter 4", "Year End 24/25", "year-end 2024-25".
pub(crate) fn parse_period(s: &str) -> Option<Period> {
    period_tokens(&tokenize(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn financial_year_spellings() {
        let fy = Some(FinancialYear(2024));
        let table = [
            ("2024/25", fy),
            ("24/25", fy),
            ("2024-25", fy),
            ("2024 to 2025", fy),
            ("2024/2025", fy),
            ("2024-2025", fy),
            ("FY 2024/25", fy),
            ("fy24/25", fy),
            ("Financial year 2024/25", fy),
            ("2024 - 25", fy),
            ("2024 – 25", fy),
            ("2024—2025", fy),
            ("2024\u{2212}25", fy),
            ("  2024 /\u{00A0}25  ", fy),
            ("2024 TO 2025", fy),
            ("2024 to 25", fy),
            ("1999/00", Some(FinancialYear(1999))),
            ("1999/2000", Some(FinancialYear(1999))),
            ("99/00", Some(FinancialYear(2099))),
            ("2024/26", None),
            ("2024/24", None),
            ("2024 to 2026", None),
            ("24 to 25", None),
            ("2024", None),
            ("2024/", None),
            ("2024/25/26", None),
            ("2024/025", None),
            ("0024/25", None),
            ("2024 25", None),
            ("", None),
            ("FY", None),
            ("financial 2024/25", None),
            ("2024/25 Q4", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_financial_year(text), want, "{text:?}");
        }
    }

    #[test]
    fn period_spellings() {
        let p = Some(Period::new(2024, Quarter::Q4));
        let table = [
            ("2024/25-Q4", p),
            ("2024/25 Q4", p),
            ("2024-25-q4", p),
            ("2024/25Q4", p),
            ("2024/25 - Q4", p),
            ("Q4 2024/25", p),
            ("q4 24/25", p),
            ("Q4 2024 to 2025", p),
            ("Q4 of 2024/25", p),
            ("Quarter 4 2024/25", p),
            ("quarter 4 2024-2025", p),
            ("2024/25 quarter 4", p),
            ("Year End 24/25", p),
            ("Year end 2024/25", p),
            ("year-end 2024-25", p),
            ("YEAR–END 2024–25", p),
            ("Yearend 2024/25", p),
            ("End of year 2024/25", p),
            ("2024/25 year end", p),
            ("  Q4   2024 / 25 ", p),
            ("FY 2024/25 Q4", p),
            ("2023/24 Q1", Some(Period::new(2023, Quarter::Q1))),
            ("Q2 2023 to 2024", Some(Period::new(2023, Quarter::Q2))),
            ("Q3 22/23", Some(Period::new(2022, Quarter::Q3))),
            ("2024/25", None),
            ("Q5 2024/25", None),
            ("Q0 2024/25", None),
            ("Q04 2024/25", None),
            ("Q4 2024", None),
            ("Q4", None),
            ("Year end", None),
            ("2024/25 Q4 Q3", None),
            ("Q4 2024/26", None),
            ("", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_period(text), want, "{text:?}");
        }
    }

    #[test]
    fn from_str_uses_the_parsers() {
        assert_eq!("2024/25".parse::<FinancialYear>(), Ok(FinancialYear(2024)));
        assert_eq!(
            "Year End 24/25".parse::<Period>(),
            Ok(Period::new(2024, Quarter::Q4))
        );
        assert!("nonsense".parse::<Period>().is_err());
    }

    #[test]
    fn tokenizer_survives_huge_numbers_and_odd_characters() {
        assert_eq!(parse_financial_year("99999999999999999999/25"), None);
        assert_eq!(parse_period("Q99999999999999999999 2024/25"), None);
        assert_eq!(parse_period("Q4 2024’25"), None);
        assert_eq!(
            tokenize("Q4, 2024"),
            vec![
                Tok::Word("q".into()),
                Tok::Num {
                    value: Some(4),
                    digits: 1
                },
                Tok::Num {
                    value: Some(2024),
                    digits: 4
                },
            ]
        );
    }

    fn quarter() -> impl Strategy<Value = Quarter> {
        prop::sample::select(Quarter::ALL.to_vec())
    }

    /// Every way we accept of writing financial year `y`.
    fn spellings(y: i32) -> Vec<String> {
        let yy = (y + 1).rem_euclid(100);
        let mut out = vec![
            format!("{y}/{yy:02}"),
            format!("{y}-{yy:02}"),
            format!("{y}–{yy:02}"),
            format!("{y} - {yy:02}"),
            format!("{y} to {}", y + 1),
            format!("{y}/{}", y + 1),
            format!("{y}-{}", y + 1),
            format!("FY {y}/{yy:02}"),
            format!("fy{y}-{}", y + 1),
            FinancialYear(y).to_string(),
        ];
        if (2000..2100).contains(&y) {
            out.push(format!("{:02}/{yy:02}", y % 100));
            out.push(format!("{:02}-{yy:02}", y % 100));
        }
        out
    }

    proptest! {
        #[test]
        fn periods_round_trip(y in 1900i32..2200, q in quarter()) {
            let p = Period::new(y, q);
            prop_assert_eq!(parse_period(&p.to_string()), Some(p));
            prop_assert_eq!(parse_period(&p.slug()), Some(p));
            prop_assert_eq!(parse_period(&p.slug().to_uppercase()), Some(p));
            for fy in spellings(y) {
                prop_assert_eq!(parse_period(&format!("{q} {fy}")), Some(p), "{} {}", q, fy);
                prop_assert_eq!(parse_period(&format!("{fy} {q}")), Some(p), "{} {}", fy, q);
                prop_assert_eq!(
                    parse_period(&format!("Quarter {} {fy}", q.number())),
                    Some(p)
                );
            }
            if q == Quarter::Q4 {
                prop_assert_eq!(parse_period(&format!("Year end {}", FinancialYear(y))), Some(p));
            }
        }

        #[test]
        fn financial_year_spellings_agree(y in 1900i32..2200) {
            for text in spellings(y) {
                prop_assert_eq!(parse_financial_year(&text), Some(FinancialYear(y)), "{}", text);
            }
            // The second year must be the next one.
            prop_assert_eq!(parse_financial_year(&format!("{y}/{}", y + 2)), None);
            prop_assert_eq!(parse_financial_year(&format!("{y} to {y}")), None);
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = parse_financial_year(&s);
            let _ = parse_period(&s);
        }

        #[test]
        fn never_panics_on_date_like_text(s in "[0-9qQ/ \\-–.a-z]{0,24}") {
            if let Some(p) = parse_period(&s) {
                // Whatever it reads must be a period it can read back.
                prop_assert_eq!(parse_period(&p.slug()), Some(p));
            }
            let _ = parse_financial_year(&s);
        }
    }
}
