//! Readers that turn council documents into [`waymark_domain::Document`] values, with
//! line-numbered errors that say what to do.
//!
//! ```
//! use waymark_import::{import, Vocabulary};
//! use waymark_domain::{Document, DocumentKind};
//!
//! let text = "Place Directorate action delivery plan\n\
//!             ActivityCabinet MemberEnd date\n\
//!             Open new libraries.PlacesOngoing\n\
//!             Review parks.PlacesOngoing\n";
//! let doc = import("plan.txt", text.as_bytes(), None, &Vocabulary::default()).unwrap();
//! assert_eq!(doc.kind(), DocumentKind::ActionPlan);
//! ```
//!
//! Each document kind has its own reader; [`detect`] picks one by content. Every reader
//! accepts the layouts councils publish: columns glued together (text copied from a web
//! table), separated by tabs, or by runs of spaces, and for reports also labelled records
//! ("Reference: 5 / Activity: … / Status: Green").

mod action_plan;
mod activity_report;
pub mod bundled;
mod claims;
mod columns;
mod corporate_plan;
mod detect;
mod due_suffix;
mod error;
mod kpi_table;
mod period_label;
mod principles;
mod prose;
mod source;
mod strategy;
mod tables;
mod vocabulary;

pub use detect::detect;
pub use error::ImportError;
pub use source::MAX_BYTES;
pub use vocabulary::Vocabulary;

use source::Source;
use waymark_domain::{Document, DocumentKind};

/// Read a document. `kind: None` detects the kind from the content.
///
/// Refuses files over [`MAX_BYTES`], empty files, binary files and invalid UTF-8 (naming the
/// line of the first bad byte); strips a byte-order mark; accepts CRLF line endings. Never
/// panics, whatever the bytes.
pub fn import(
    file_name: &str,
    bytes: &[u8],
    kind: Option<DocumentKind>,
    vocab: &Vocabulary,
) -> Result<Document, ImportError> {
    let src = Source::decode(file_name, bytes)?;
    let kind = match kind {
        Some(k) => k,
        None => detect::detect_lines(&src).ok_or_else(|| {
            src.error(format!(
                "could not tell what kind of document this is (tried {}); name the kind \
                 explicitly, or check that this is the right file",
                DocumentKind::ALL
                    .iter()
                    .map(|k| k.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
    };
    import_source(&src, kind, vocab)
}

fn import_source(
    src: &Source,
    kind: DocumentKind,
    vocab: &Vocabulary,
) -> Result<Document, ImportError> {
    Ok(match kind {
        DocumentKind::CorporatePlan => Document::CorporatePlan(corporate_plan::parse(src)?),
        DocumentKind::Principles => Document::Principles(principles::parse(src)?),
        DocumentKind::ActionPlan => Document::ActionPlan(action_plan::parse(src, vocab)?),
        DocumentKind::ActivityReport => {
            Document::ActivityReport(activity_report::parse(src, vocab)?)
        }
        DocumentKind::KpiTable => Document::KpiTable(kpi_table::parse(src)?),
        DocumentKind::Strategy => Document::Strategy(strategy::parse(src)?),
    })
}
