//! The formats a report comes in, and the one place that turns a document into the bytes of
//! each.

use crate::templates::Templates;
use crate::{Brand, Document, ReportError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Html,
    Pdf,
    Xlsx,
    Docx,
    Md,
    Csv,
    Json,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Html,
        Format::Pdf,
        Format::Xlsx,
        Format::Docx,
        Format::Md,
        Format::Csv,
        Format::Json,
    ];

    /// The word on the command line and the file extension.
    pub fn key(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Docx => "docx",
            Format::Md => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn from_key(key: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.key() == key)
    }

    /// What a download link calls it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "Web page (HTML, print-friendly)",
            Format::Pdf => "PDF",
            Format::Xlsx => "Spreadsheet (XLSX)",
            Format::Docx => "Word document (DOCX)",
            Format::Md => "Markdown",
            Format::Csv => "CSV",
            Format::Json => "JSON",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Md => "text/markdown; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// The content security policy for a report's HTML served on the web: nothing may load but
/// the images and fonts inside it, and only its own `<style>` elements apply (named by their
/// hashes, so a council's template may have several and nothing injected can add one).
pub fn html_csp(html: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hashes = vec![];
    // Tags in any case and with attributes (`<STYLE media="print">`), found in a lower-case
    // copy: ASCII lower-casing keeps every byte where it was.
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = lower[at..].find("<style") {
        let open = at + found;
        let after_name = open + "<style".len();
        at = after_name;
        if !lower[after_name..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            continue; // <styles>, not a style element
        }
        let Some(close_of_tag) = lower[after_name..].find('>') else {
            break;
        };
        let content = after_name + close_of_tag + 1;
        let Some(length) = lower[content..].find("</style") else {
            break;
        };
        let digest = Sha256::digest(&html.as_bytes()[content..content + length]);
        hashes.push(format!("'sha256-{}'", crate::templates::base64(&digest)));
        at = content + length;
    }
    let styles = if hashes.is_empty() {
        "'none'".to_string()
    } else {
        hashes.join(" ")
    };
    format!(
        "default-src 'none'; style-src {styles}; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// Writes a PDF: the typst crate provides one; the crates that serve pages take it as a
/// function so they need not build typst themselves.
pub type PdfWriter = fn(&Document, &Brand, Option<&str>) -> Result<Vec<u8>, ReportError>;

/// The council's templates and brand with the writers for every format.
pub struct Reporter {
    pub templates: Templates,
    pdf: Option<PdfWriter>,
}

impl Reporter {
    pub fn new(templates: Templates, pdf: Option<PdfWriter>) -> Reporter {
        Reporter { templates, pdf }
    }

    /// The formats this reporter can write (PDF only with a PDF writer).
    pub fn formats(&self) -> Vec<Format> {
        Format::ALL
            .into_iter()
            .filter(|f| *f != Format::Pdf || self.pdf.is_some())
            .collect()
    }

    pub fn render(&self, doc: &Document, format: Format) -> Result<Vec<u8>, ReportError> {
        let brand = &self.templates.brand;
        match format {
            Format::Html => self.templates.html(doc).map(String::into_bytes),
            Format::Md => self.templates.markdown(doc).map(String::into_bytes),
            Format::Csv => crate::tabular::csv(doc),
            Format::Json => crate::tabular::json(doc),
            Format::Xlsx => crate::xlsx::xlsx(doc, brand),
            Format::Docx => crate::docx::docx(doc, brand),
            Format::Pdf => match self.pdf {
                Some(write) => write(doc, brand, self.templates.typst.as_deref()),
                None => Err(ReportError::Unavailable(
                    "this build of Waymark cannot write PDF".into(),
                )),
            },
        }
    }
}

impl Default for Reporter {
    fn default() -> Self {
        Reporter::new(Templates::builtin(), None)
    }
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter")
            .field("formats", &self.formats())
            .field("brand", &self.templates.brand)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn hash(css: &str) -> String {
        format!(
            "'sha256-{}'",
            crate::templates::base64(&Sha256::digest(css.as_bytes()))
        )
    }

    #[test]
    fn every_style_element_is_named_by_its_hash() {
        let html = "<html><head><style>a{}</style><STYLE media=\"print\">b{}</STYLE>\
                    <styles>c{}</styles></head><body>é<style\n>d{}</style></body></html>";
        let csp = html_csp(html);
        let styles = csp
            .split("; ")
            .find(|d| d.starts_with("style-src "))
            .unwrap_or_default();
        assert_eq!(
            styles,
            format!("style-src {} {} {}", hash("a{}"), hash("b{}"), hash("d{}"))
        );
        assert!(html_csp("<p>no styles</p>").contains("style-src 'none'"));
        assert!(html_csp("<style>never closed").contains("style-src 'none'"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_a_policy(html in "(<style>|</style>|<STYLE |>|é|a|\u{1F600})*") {
            let csp = html_csp(&html);
            proptest::prop_assert!(csp.starts_with("default-src 'none'; style-src "));
        }
    }
}
