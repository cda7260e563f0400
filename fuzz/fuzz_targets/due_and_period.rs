//! The date and period parsers on arbitrary text: never a panic, and what they find is
//! consistent (a due-date suffix lies on a character boundary inside the line).
#![no_main]

use libfuzzer_sys::fuzz_target;
use waymark_domain::due_parse::split_due_suffix;
use waymark_domain::{DueCell, DueDate, FinancialYear, Period};

fuzz_target!(|text: &str| {
    let due = DueDate::parse(text);
    let _ = due.precision();
    let _ = due.deadline();
    let _ = due.is_vague();
    let _ = DueCell::parse(text);
    if let Some((at, _)) = split_due_suffix(text) {
        assert!(at <= text.len());
        assert!(text.is_char_boundary(at));
    }
    if let Ok(period) = text.parse::<Period>() {
        let _ = (
            period.start(),
            period.end(),
            period.slug(),
            period.next(),
            period.previous(),
        );
    }
    if let Ok(year) = text.parse::<FinancialYear>() {
        let _ = (year.start(), year.end());
    }
});
