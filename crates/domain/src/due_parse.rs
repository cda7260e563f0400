//! Reading due-date words. (Being written.)
use crate::due::{DueCell, DueDate, DueValue};
use chrono::NaiveDate;

pub(crate) fn parse_due(text: &str) -> DueDate {
    DueDate {
        text: text.to_string(),
        value: DueValue::Unknown,
    }
}
pub(crate) fn parse_cell(text: &str) -> DueCell {
    DueCell::Date(parse_due(text))
}
pub(crate) fn deadline(_value: &DueValue) -> Option<NaiveDate> {
    None
}
