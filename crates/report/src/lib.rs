//! Reports people read: the annual performance report, the quarterly exception report and a
//! portfolio report. Each kind is built from the store's data into one [`Document`], and every
//! format renders that document.

pub mod brand;
pub mod build;
pub mod document;
pub mod docx;
pub mod format;
pub mod markdown;
pub mod sources;
pub mod svg;
pub mod tabular;
pub mod templates;
pub mod xlsx;

pub use brand::{Brand, FontFile, Logo};
pub use build::{Request, build, period_name, portfolio_names};
pub use document::{
    Bar, Cell, Chart, Claim, Column, ColumnKind, Document, Headline, Kind, Section, Segment, Table,
    slug, status_colours, status_label,
};
pub use format::{Format, PdfWriter, Reporter, html_csp};
pub use sources::{Published, Sources};
pub use templates::Templates;

/// Why a report could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A council's template or brand file is broken: names the file and line.
    #[error("{file}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Template {
        file: String,
        line: Option<usize>,
        message: String,
    },
    /// The report asked for cannot be made from this data (no such period, portfolio…).
    #[error("{0}")]
    Unavailable(String),
    /// A format's writer failed.
    #[error("the {format} could not be written: {message}")]
    Write {
        format: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] waymark_store::StoreError),
}
