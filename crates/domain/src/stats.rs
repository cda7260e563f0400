//! Statistics per period.
