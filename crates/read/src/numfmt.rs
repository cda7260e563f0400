//! A spreadsheet number as its reader sees it: Excel number format codes ("0.0%", "#,##0",
//! `0.0" days"`, "£#,##0.0", "dd/mm/yyyy", "mmm-yy") applied to the stored value.
//!
//! Covers what council workbooks use: digits and decimals, thousands separators, percent,
//! literal text and currency signs, sections for negatives, and dates. Anything else
//! (fractions, scientific notation, conditions) falls back to the plain number, which is
//! still the right value.

/// The built-in formats Excel numbers rather than names (as shown on a UK machine).
pub(crate) fn builtin(id: u32) -> Option<&'static str> {
    Some(match id {
        0 => "General",
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        14 => "dd/mm/yyyy",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "dd/mm/yyyy hh:mm",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mmss.0",
        49 => "@",
        _ => return None,
    })
}

/// Whether a format code shows a date or time.
pub(crate) fn is_date(code: &str) -> bool {
    let mut quoted = false;
    let mut bracket = false;
    let mut prev = ' ';
    for c in code.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S'
                if !quoted && !bracket && prev != '\\' =>
            {
                return true;
            }
            _ => {}
        }
        prev = c;
    }
    false
}

/// Format `value` with `code`. `date1904`: the workbook counts days from 1904.
pub(crate) fn format(value: f64, code: &str, date1904: bool) -> String {
    if !value.is_finite() {
        return general(value);
    }
    let sections = split_sections(code);
    let (section, negative_section) = match sections.as_slice() {
        [] => return general(value),
        [one] => (one.as_str(), false),
        [_, neg, ..] if value < 0.0 => (neg.as_str(), true),
        [_, _, zero, ..] if value == 0.0 => (zero.as_str(), false),
        [pos, ..] => (pos.as_str(), false),
    };
    let section = strip_brackets(section);
    if section.trim().is_empty() || section.eq_ignore_ascii_case("general") {
        return general(value);
    }
    if section == "@" {
        return general(value);
    }
    if is_date(&section) {
        return date(value, &section, date1904).unwrap_or_else(|| general(value));
    }
    let magnitude = if negative_section { value.abs() } else { value };
    number(magnitude, &section).unwrap_or_else(|| general(value))
}

/// Excel's "General": up to 11 significant characters, no trailing zeros.
pub(crate) fn general(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    let s = format!("{:.10}", value);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    // Keep at most 10 significant digits, as Excel shows.
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    if digits > 10 {
        let int_digits = format!("{}", value.abs().trunc() as i64).len();
        let decimals = 10usize.saturating_sub(int_digits);
        let s = format!("{:.*}", decimals, value);
        return s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    s.to_string()
}

fn split_sections(code: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == ';' && !quoted {
            out.push(String::new());
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

/// Remove colour and condition brackets; keep a currency bracket's symbol (`[$£-809]` → £).
fn strip_brackets(section: &str) -> String {
    let mut out = String::new();
    let mut chars = section.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '"' {
            quoted = !quoted;
            out.push(c);
        } else if c == '[' && !quoted {
            let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
            if let Some(rest) = inner.strip_prefix('$') {
                let symbol = rest.split('-').next().unwrap_or("");
                out.push('"');
                out.push_str(symbol);
                out.push('"');
            } else if inner.starts_with(['h', 'H', 'm', 'M', 's', 'S']) {
                out.push_str(&inner);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Literal text, placeholders and the parts of a numeric format.
fn number(value: f64, code: &str) -> Option<String> {
    let mut prefix = String::new();
    let mut suffix = String::new();
    let mut pattern = String::new();
    let mut in_pattern = false;
    let mut after_pattern = false;
    let mut percent = 0;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        let literal: Option<String> = match c {
            '"' => Some(chars.by_ref().take_while(|&c| c != '"').collect()),
            '\\' => chars.next().map(String::from),
            '_' => {
                chars.next();
                Some(String::new())
            }
            '*' => {
                chars.next();
                Some(String::new())
            }
            '0' | '#' | '?' | '.' | ',' if !after_pattern || in_pattern => {
                in_pattern = true;
                pattern.push(c);
                None
            }
            '%' => {
                percent += 1;
                Some("%".into())
            }
            'E' | 'e' | '/' => return None,
            other => Some(other.to_string()),
        };
        if let Some(text) = literal {
            if in_pattern {
                in_pattern = false;
                after_pattern = true;
            }
            if after_pattern {
                suffix.push_str(&text);
            } else {
                prefix.push_str(&text);
            }
        }
    }
    if pattern.is_empty() {
        return Some(format!("{prefix}{suffix}"));
    }
    let mut value = value * 100f64.powi(percent);
    // Trailing commas scale by thousands.
    let mut pattern = pattern.as_str();
    while let Some(p) = pattern.strip_suffix(',') {
        value /= 1000.0;
        pattern = p;
    }
    let (int_part, frac_part) = pattern.split_once('.').unwrap_or((pattern, ""));
    let decimals = frac_part
        .chars()
        .filter(|c| matches!(c, '0' | '#' | '?'))
        .count();
    let min_decimals = frac_part.chars().filter(|&c| c == '0').count();
    let grouping = int_part.contains(',');
    let min_int = int_part.chars().filter(|&c| c == '0').count();
    let negative = value < 0.0;
    let rounded = format!("{:.*}", decimals, value.abs());
    let (int_digits, mut frac_digits) = match rounded.split_once('.') {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (rounded.clone(), String::new()),
    };
    while frac_digits.len() > min_decimals && frac_digits.ends_with('0') {
        frac_digits.pop();
    }
    let mut int_digits = if int_digits == "0" && min_int == 0 {
        String::new()
    } else {
        int_digits
    };
    while int_digits.len() < min_int {
        int_digits.insert(0, '0');
    }
    if grouping {
        int_digits = group_thousands(&int_digits);
    }
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&prefix);
    out.push_str(&int_digits);
    if !frac_digits.is_empty() || (decimals > 0 && min_decimals > 0) {
        out.push('.');
        out.push_str(&frac_digits);
    }
    out.push_str(&suffix);
    Some(out)
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A serial date as (year, month, day, weekday 0 = Monday, seconds into the day).
pub(crate) fn civil(serial: f64, date1904: bool) -> Option<(i64, u32, u32, usize, u32)> {
    if !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let mut days = serial.trunc() as i64;
    let seconds = ((serial.fract() * 86_400.0).round() as u32).min(86_399);
    // Days from 1970-01-01. Excel's 1900 system counts a 29 February 1900 that never was.
    let unix_days = if date1904 {
        days + 24_107
    } else {
        if days < 60 {
            days += 1;
        }
        days - 25_569
    };
    // Howard Hinnant's civil_from_days.
    let z = unix_days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let weekday = (unix_days + 3).rem_euclid(7) as usize;
    Some((y, m, d, weekday, seconds))
}

fn date(value: f64, code: &str, date1904: bool) -> Option<String> {
    let (y, m, d, weekday, secs) = civil(value, date1904)?;
    let (hour, minute, second) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let chars: Vec<char> = code.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
    let at = |i: usize, word: &str| {
        word.chars()
            .enumerate()
            .all(|(k, w)| lower.get(i + k) == Some(&w))
    };
    let twelve_hour = (0..lower.len()).any(|i| at(i, "am/pm") || at(i, "a/p"));
    let mut out = String::new();
    let mut i = 0;
    let mut last_was_hour = false;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..]
            .iter()
            .take_while(|&&x| x.eq_ignore_ascii_case(&c))
            .count();
        match c.to_ascii_lowercase() {
            '"' => {
                let text: String = chars[i + 1..].iter().take_while(|&&x| x != '"').collect();
                out.push_str(&text);
                i += text.chars().count() + 2;
                continue;
            }
            '\\' => {
                if let Some(next) = chars.get(i + 1) {
                    out.push(*next);
                }
                i += 2;
                continue;
            }
            'y' => {
                if run <= 2 {
                    out.push_str(&format!("{:02}", y.rem_euclid(100)));
                } else {
                    out.push_str(&format!("{y:04}"));
                }
            }
            'd' => match run {
                1 => out.push_str(&d.to_string()),
                2 => out.push_str(&format!("{d:02}")),
                3 => out.push_str(&DAYS[weekday][..3]),
                _ => out.push_str(DAYS[weekday]),
            },
            'm' => {
                // Minutes after an hour or before seconds; otherwise the month.
                let next_is_seconds = chars[i + run..]
                    .iter()
                    .find(|x| x.is_ascii_alphabetic())
                    .is_some_and(|x| x.eq_ignore_ascii_case(&'s'));
                if (last_was_hour || next_is_seconds) && run <= 2 {
                    out.push_str(&format!("{minute:02}"));
                } else {
                    let name = MONTHS[(m - 1) as usize];
                    match run {
                        1 => out.push_str(&m.to_string()),
                        2 => out.push_str(&format!("{m:02}")),
                        3 => out.push_str(&name[..3]),
                        4 => out.push_str(name),
                        _ => out.push_str(&name[..1]),
                    }
                }
            }
            'h' => {
                let h = if twelve_hour {
                    match hour % 12 {
                        0 => 12,
                        h => h,
                    }
                } else {
                    hour
                };
                if run >= 2 {
                    out.push_str(&format!("{h:02}"));
                } else {
                    out.push_str(&h.to_string());
                }
            }
            's' => out.push_str(&format!("{second:02}")),
            'a' if at(i, "am/pm") => {
                out.push_str(if hour < 12 { "AM" } else { "PM" });
                i += 5;
                continue;
            }
            'a' if at(i, "a/p") => {
                out.push_str(if hour < 12 { "A" } else { "P" });
                i += 3;
                continue;
            }
            _ => {
                out.extend(&chars[i..i + run]);
            }
        }
        if c.is_ascii_alphabetic() {
            last_was_hour = c.eq_ignore_ascii_case(&'h');
        }
        i += run;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn council_number_formats() {
        assert_eq!(format(0.84, "0.0%", false), "84.0%");
        assert_eq!(format(0.376, "0%", false), "38%");
        assert_eq!(format(20843.0, "#,##0", false), "20,843");
        assert_eq!(format(31.5, "0.0\" days\"", false), "31.5 days");
        assert_eq!(format(31.0, "\"£\"0.0\"m\"", false), "£31.0m");
        assert_eq!(format(1204.0, "[$£-809]#,##0", false), "£1,204");
        assert_eq!(format(-3.0, "0;(0)", false), "(3)");
        assert_eq!(format(-3.5, "0.0", false), "-3.5");
        assert_eq!(format(84.0, "General", false), "84");
        assert_eq!(format(0.1 + 0.2, "General", false), "0.3");
        assert_eq!(format(2.5, "0.00", false), "2.50");
        assert_eq!(format(1234567.0, "#,##0,,\"m\"", false), "1m");
    }

    #[test]
    fn dates_as_shown() {
        // 31 December 2025 is serial 46022.
        assert_eq!(format(46022.0, "dd/mm/yyyy", false), "31/12/2025");
        assert_eq!(format(45901.0, "mmm-yy", false), "Sep-25");
        assert_eq!(format(46112.0, "d mmmm yyyy", false), "31 March 2026");
        assert_eq!(format(46112.0, "dd-mmm-yyyy", false), "31-Mar-2026");
        assert_eq!(
            format(46112.5, "dd/mm/yyyy hh:mm", false),
            "31/03/2026 12:00"
        );
        assert!(is_date("dd/mm/yyyy"));
        assert!(!is_date("0.0\" days\""));
        assert!(!is_date("[Red]0"));
    }

    proptest! {
        #[test]
        fn any_code_and_value_never_panics(code in ".{0,30}", value in any::<f64>()) {
            let _ = format(value, &code, false);
            let _ = format(value, &code, true);
        }
    }
}
