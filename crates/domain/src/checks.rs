//! Data-quality checks.
