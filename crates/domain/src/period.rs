//! Financial years (1 April – 31 March) and their quarters, the council's reporting periods.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A financial year, named by the calendar year it starts in: `FinancialYear(2024)` is 2024/25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FinancialYear(pub i32);

/// A quarter of a financial year: Q1 = Apr–Jun, Q2 = Jul–Sep, Q3 = Oct–Dec, Q4 = Jan–Mar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Quarter {
    Q1,
    Q2,
    Q3,
    Q4,
}

/// A reporting period: one quarter of one financial year. "Year end" is Q4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub year: FinancialYear,
    pub quarter: Quarter,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "'{0}' is not a financial year (expected e.g. 2024/25, 24/25, 2024-25 or 2024 to 2025)"
    )]
    BadYear(String),
    #[error(
        "'{0}' is not a reporting period (expected e.g. 2024/25-Q4, 2024/25 Q4, 2024-25-q4 or Year End 24/25)"
    )]
    BadPeriod(String),
}

impl FinancialYear {
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).unwrap_or(NaiveDate::MIN)
    }
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).unwrap_or(NaiveDate::MAX)
    }
    /// The financial year a date falls in.
    pub fn containing(date: NaiveDate) -> Self {
        use chrono::Datelike;
        if date.month() >= 4 {
            FinancialYear(date.year())
        } else {
            FinancialYear(date.year() - 1)
        }
    }
    pub fn quarter(self, quarter: Quarter) -> Period {
        Period {
            year: self,
            quarter,
        }
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

impl Quarter {
    pub const ALL: [Quarter; 4] = [Quarter::Q1, Quarter::Q2, Quarter::Q3, Quarter::Q4];

    pub fn number(self) -> u8 {
        match self {
            Quarter::Q1 => 1,
            Quarter::Q2 => 2,
            Quarter::Q3 => 3,
            Quarter::Q4 => 4,
        }
    }
    pub fn from_number(n: u32) -> Option<Self> {
        match n {
            1 => Some(Quarter::Q1),
            2 => Some(Quarter::Q2),
            3 => Some(Quarter::Q3),
            4 => Some(Quarter::Q4),
            _ => None,
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q{}", self.number())
    }
}

impl Period {
    pub fn new(year: i32, quarter: Quarter) -> Self {
        Period {
            year: FinancialYear(year),
            quarter,
        }
    }
    /// First day of the quarter.
    pub fn start(self) -> NaiveDate {
        let (y, m) = self.calendar_start();
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN)
    }
    /// Last day of the quarter.
    pub fn end(self) -> NaiveDate {
        self.next().start().pred_opt().unwrap_or(NaiveDate::MAX)
    }
    fn calendar_start(self) -> (i32, u32) {
        let y = self.year.0;
        match self.quarter {
            Quarter::Q1 => (y, 4),
            Quarter::Q2 => (y, 7),
            Quarter::Q3 => (y, 10),
            Quarter::Q4 => (y + 1, 1),
        }
    }
    pub fn next(self) -> Period {
        match self.quarter {
            Quarter::Q1 => self.year.quarter(Quarter::Q2),
            Quarter::Q2 => self.year.quarter(Quarter::Q3),
            Quarter::Q3 => self.year.quarter(Quarter::Q4),
            Quarter::Q4 => FinancialYear(self.year.0 + 1).quarter(Quarter::Q1),
        }
    }
    pub fn previous(self) -> Period {
        match self.quarter {
            Quarter::Q1 => FinancialYear(self.year.0 - 1).quarter(Quarter::Q4),
            Quarter::Q2 => self.year.quarter(Quarter::Q1),
            Quarter::Q3 => self.year.quarter(Quarter::Q2),
            Quarter::Q4 => self.year.quarter(Quarter::Q3),
        }
    }
    /// The period a date falls in.
    pub fn containing(date: NaiveDate) -> Self {
        use chrono::Datelike;
        let fy = FinancialYear::containing(date);
        let q = match date.month() {
            4..=6 => Quarter::Q1,
            7..=9 => Quarter::Q2,
            10..=12 => Quarter::Q3,
            _ => Quarter::Q4,
        };
        fy.quarter(q)
    }
    /// Stable machine form used in URLs and files: `2024-25-q4`.
    pub fn slug(self) -> String {
        format!(
            "{}-{:02}-q{}",
            self.year.0,
            (self.year.0 + 1).rem_euclid(100),
            self.quarter.number()
        )
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.year, self.quarter)
    }
}

impl FromStr for FinancialYear {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::period_parse::parse_financial_year(s)
            .ok_or_else(|| PeriodError::BadYear(s.to_string()))
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::period_parse::parse_period(s).ok_or_else(|| PeriodError::BadPeriod(s.to_string()))
    }
}
