//! Reading financial years and periods in the forms councils write them. (Being written.)
use crate::period::{FinancialYear, Period};

pub(crate) fn parse_financial_year(_s: &str) -> Option<FinancialYear> {
    None
}
pub(crate) fn parse_period(_s: &str) -> Option<Period> {
    None
}
