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
mod layout;
mod period_label;
mod principles;
mod prose;
mod source;
mod strategy;
mod tables;
pub mod template;
mod vocabulary;

pub use detect::detect;
pub use error::ImportError;
pub use layout::mapping::Mapping;
pub use layout::{ColumnReading, Reading, TableReading, column_roles};
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

/// Read a file of any format (text, CSV, spreadsheet, saved web page) into the documents it
/// holds, with an explanation of how each table's columns were read.
///
/// Text in one of the layouts the dedicated readers know (Bexley's pages and the like) goes
/// to them; everything else goes through the layout pipeline, which infers each column's role
/// from its header and content. `kind: None` detects; a document nobody can understand is
/// refused with what was found, never filed as something it is not.
pub fn read(
    file_name: &str,
    bytes: &[u8],
    kind: Option<DocumentKind>,
    vocab: &Vocabulary,
    mapping: &Mapping,
) -> Result<Reading, ImportError> {
    inspect(file_name, bytes, kind, vocab, mapping).result
}

/// What [`inspect`] found: the documents (or why there are none) and how each table's
/// columns were read, which a person can check and correct with a [`Mapping`] even when the
/// file was refused.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub result: Result<Reading, ImportError>,
    /// Empty for text read by a dedicated reader (its layout is fixed, not inferred).
    pub tables: Vec<TableReading>,
}

impl Inspection {
    /// The key under which a mapping for files of this shape is remembered.
    pub fn shape(&self) -> Option<String> {
        layout::shape_of(&self.tables)
    }
}

/// [`read`], keeping how each table's columns were read.
pub fn inspect(
    file_name: &str,
    bytes: &[u8],
    kind: Option<DocumentKind>,
    vocab: &Vocabulary,
    mapping: &Mapping,
) -> Inspection {
    let mut tables = vec![];
    let result = read_into(file_name, bytes, kind, vocab, mapping, &mut tables);
    Inspection { result, tables }
}

fn read_into(
    file_name: &str,
    bytes: &[u8],
    kind: Option<DocumentKind>,
    vocab: &Vocabulary,
    mapping: &Mapping,
    tables: &mut Vec<TableReading>,
) -> Result<Reading, ImportError> {
    let book = waymark_read::read(file_name, bytes).map_err(|e| {
        let mut err = ImportError::new(
            e.file.clone(),
            match &e.place {
                Some(p) if e.line.is_none() => format!("{p}: {}", e.message),
                _ => e.message.clone(),
            },
        );
        if let Some(l) = e.line {
            err = err.at_line(l);
        }
        err
    })?;
    let mut book = book;
    if matches!(
        book.format,
        waymark_read::Format::Text | waymark_read::Format::Pdf
    ) {
        // A PDF's text is read as the text it holds, by the same readers.
        let src = if book.format == waymark_read::Format::Pdf {
            let text: Vec<&str> = book
                .parts
                .iter()
                .flat_map(|p| &p.blocks)
                .filter_map(|b| match b {
                    waymark_read::Block::Line(l) => Some(l.text.as_str()),
                    waymark_read::Block::Table(_) => None,
                })
                .collect();
            Source::decode(file_name, text.join("\n").as_bytes())?
        } else {
            Source::decode(file_name, bytes)?
        };
        let legacy = match kind {
            Some(k) => Some(k),
            None => detect::detect_lines(&src),
        };
        // The dedicated readers, for what they recognise; prose is a strategy only when
        // nothing else in it can be read.
        // When that reader cannot read it after all, the layout pipeline tries; if that
        // fails too, the dedicated reader's error (the more precise one) is reported.
        let mut legacy_error = None;
        if let Some(k) = legacy
            && k != DocumentKind::Strategy
        {
            match import_source(&src, k, vocab) {
                Ok(document) => {
                    return Ok(Reading {
                        documents: vec![document],
                        explanation: vec![format!("read by the {} reader", k.key())],
                    });
                }
                // A fault on a line of a layout the reader recognised (a label the council
                // never mapped, a row cut off) is the answer; only a detection the reader
                // could not bear out (no table of its shape at all) lets the layout
                // pipeline try.
                Err(e) if e.line.is_some() || kind.is_some() => return Err(e),
                Err(e) => legacy_error = Some(e),
            }
        }
        for part in &mut book.parts {
            let lines: Vec<waymark_read::Line> = part
                .blocks
                .iter()
                .filter_map(|b| match b {
                    waymark_read::Block::Line(l) => Some(l.clone()),
                    waymark_read::Block::Table(_) => None,
                })
                .collect();
            part.blocks = layout::text::blocks(&lines);
        }
        // A kind named on the command line holds for the layout pipeline too.
        let named = match kind {
            Some(k) if mapping.kind_is_unset() => mapping.clone().with_document_kind(k),
            _ => mapping.clone(),
        };
        match layout::read_book(&book, vocab, &named, tables) {
            Ok(reading) => return Ok(reading),
            Err(e) => {
                if let Some(first) = legacy_error {
                    return Err(first);
                }
                if legacy == Some(DocumentKind::Strategy) && !has_structure(&src) {
                    let document = import_source(&src, DocumentKind::Strategy, vocab)?;
                    return Ok(Reading {
                        documents: vec![document],
                        explanation: vec!["read as a strategy: paragraphs of prose".into()],
                    });
                }
                return Err(e);
            }
        }
    }
    if let Some(k) = kind
        && !matches!(
            k,
            DocumentKind::ActionPlan | DocumentKind::ActivityReport | DocumentKind::KpiTable
        )
    {
        return Err(ImportError::new(
            file_name,
            format!(
                "a {} file cannot be a {}; import it as text",
                book.format.label(),
                k.key()
            ),
        ));
    }
    let mapping = match kind {
        Some(k) if mapping.kind_is_unset() => mapping.clone().with_document_kind(k),
        _ => mapping.clone(),
    };
    layout::read_book(&book, vocab, &mapping, tables)
}

/// Lists, records or tables in a text: not a strategy, whatever its prose.
fn has_structure(src: &Source) -> bool {
    let bullets = src
        .lines()
        .filter(|l| {
            l.text.starts_with(['•', '◦', '▪', '–', '*', '-', '·', 'o'])
                && l.text.chars().nth(1) == Some(' ')
        })
        .count();
    let tabbed = src.lines().filter(|l| l.text.contains('\t')).count();
    let labelled = src
        .lines()
        .filter(|l| {
            l.text
                .split_once(':')
                .is_some_and(|(a, b)| a.split_whitespace().count() <= 3 && !b.trim().is_empty())
        })
        .count();
    bullets >= 3 || tabbed >= 3 || labelled >= 6
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
