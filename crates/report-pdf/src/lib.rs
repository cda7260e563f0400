//! Reports as PDF: a [`Document`] typeset by typst, used as a library. The output is a tagged
//! PDF validated as PDF/UA-1 where the content allows, with the document title and language
//! (en-GB) set, open fonts embedded, charts drawn as vector shapes, "Page N of M" footers and a
//! contents list. Nothing is read from disk or downloaded: the template, fonts and data are all
//! in memory.
//!
//! The template is typst source. The built-in one is `templates/report.typ`; a council may
//! supply its own `report.typ`, which reads the same two virtual files: `report.json` (the
//! document) and `brand.json` (colour, font families, status colours, logo).

mod world;

use serde_json::json;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Smart};
use typst::syntax::{DiagSpan, Source};
use typst::{World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};
use waymark_report::document::STATUS_ORDER;
use waymark_report::{Brand, Document, ReportError, status_colours, status_label};

use crate::world::{DEFAULT_FAMILY, ReportWorld, file_id};

/// The name a council's template override goes by, and the file errors are reported against.
pub const TEMPLATE_FILE: &str = "report.typ";

/// The built-in template's source.
pub const BUILT_IN_TEMPLATE: &str = include_str!("../templates/report.typ");

/// How many renders a cached typesetting result may go unused before it is dropped: enough to
/// keep the template's parse and shared layout warm, little enough to bound memory.
const CACHE_AGE: usize = 10;

/// Typesets `doc` in `brand`'s look with the built-in template, or with `template` (a council's
/// `report.typ`) when given, and returns the PDF's bytes.
pub fn render(
    doc: &Document,
    brand: &Brand,
    template: Option<&str>,
) -> Result<Vec<u8>, ReportError> {
    let source = template.unwrap_or(BUILT_IN_TEMPLATE);
    let world = build_world(doc, brand, source)?;
    let result = typeset(&world);
    typst::comemo::evict(CACHE_AGE);
    result
}

/// Forgets every cached typesetting result (the fonts stay loaded), so the next report is
/// typeset from nothing: what a report the server has not made before costs.
pub fn forget_cached_layouts() {
    typst::comemo::evict(0);
}

/// Parses the fonts and builds the standard library now, so the first report is not slower.
pub fn warm_up() {
    world::warm_up();
}

fn build_world(doc: &Document, brand: &Brand, source: &str) -> Result<ReportWorld, ReportError> {
    let main = Source::new(id(TEMPLATE_FILE)?, source.to_string());
    let report = serde_json::to_vec(doc).map_err(|e| write_error(e.to_string()))?;

    let colour = brand.colour.trim();
    if !is_hex_colour(colour) {
        return Err(ReportError::Template {
            file: "brand.toml".into(),
            line: None,
            message: format!("the colour {colour:?} is not written as #rrggbb"),
        });
    }

    // The brand's font comes first; its family is read from the file, as typst matches on
    // the name the font itself declares.
    let mut fonts = Vec::new();
    let mut extra_fonts = None;
    if let Some(font) = &brand.font {
        let parsed = world::brand_font(&font.bytes).ok_or_else(|| ReportError::Template {
            file: font.file_name.clone(),
            line: None,
            message: "not a TrueType or OpenType font".into(),
        })?;
        if let Some(first) = parsed.first() {
            fonts.push(first.info().family.clone());
        }
        extra_fonts = Some(parsed);
    }
    fonts.push(DEFAULT_FAMILY.to_string());

    let mut files = vec![(id("report.json")?, Bytes::new(report))];
    let logo = match &brand.logo {
        Some(logo) => {
            let name = if logo.media_type() == "image/svg+xml" {
                "logo.svg"
            } else {
                "logo.png"
            };
            files.push((id(name)?, Bytes::new(logo.bytes.clone())));
            json!({ "file": name, "alt": logo.alt })
        }
        None => serde_json::Value::Null,
    };
    let statuses: Vec<_> = STATUS_ORDER
        .iter()
        .map(|&status| {
            let (fill, text) = status_colours(status);
            json!({
                "key": status.key(),
                "label": status_label(status),
                "fill": fill,
                "text": text,
            })
        })
        .collect();
    let brand_json = json!({
        "colour": colour,
        "fonts": fonts,
        "logo": logo,
        "statuses": statuses,
    });
    let brand_bytes = serde_json::to_vec(&brand_json).map_err(|e| write_error(e.to_string()))?;
    files.push((id("brand.json")?, Bytes::new(brand_bytes)));

    Ok(ReportWorld::new(main, files, extra_fonts))
}

fn typeset(world: &ReportWorld) -> Result<Vec<u8>, ReportError> {
    let document = typst::compile::<PagedDocument>(world)
        .output
        .map_err(|errors| template_error(world, &errors))?;

    let tagged = PdfOptions {
        creator: Smart::Custom(Some("Waymark".into())),
        ..PdfOptions::default()
    };
    // PDF/UA-1 where the content allows it. Council text may hold characters no embedded font
    // covers, or an override template may break a rule; the report is then still a tagged
    // PDF, just without the PDF/UA claim, rather than no report at all.
    if let Ok(standards) = PdfStandards::new(&[PdfStandard::Ua_1]) {
        let ua = PdfOptions {
            standards,
            creator: Smart::Custom(Some("Waymark".into())),
            ..PdfOptions::default()
        };
        if let Ok(bytes) = typst_pdf::pdf(&document, &ua) {
            return Ok(bytes);
        }
    }
    typst_pdf::pdf(&document, &tagged).map_err(|errors| template_error(world, &errors))
}

/// The first error, with the template line it points at (or, for an error raised inside a
/// function, the line of the nearest call in the template).
fn template_error(world: &ReportWorld, errors: &[SourceDiagnostic]) -> ReportError {
    let Some(first) = errors
        .iter()
        .find(|d| d.severity == Severity::Error)
        .or_else(|| errors.first())
    else {
        return ReportError::Template {
            file: TEMPLATE_FILE.into(),
            line: None,
            message: "typesetting failed".into(),
        };
    };
    let line = std::iter::once(first.span)
        .chain(first.trace.iter().map(|point| DiagSpan::from(point.span)))
        .find_map(|span| line_in_template(world, span));
    let mut message = first.message.to_string();
    for hint in &first.hints {
        message.push_str("; hint: ");
        message.push_str(&hint.v);
    }
    let more = errors
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
        .saturating_sub(1);
    if more > 0 {
        message.push_str(&format!(" (and {more} more)"));
    }
    ReportError::Template {
        file: TEMPLATE_FILE.into(),
        line,
        message,
    }
}

fn line_in_template(world: &ReportWorld, span: DiagSpan) -> Option<usize> {
    if span.id()? != world.main() {
        return None;
    }
    let range = world.range(span)?;
    let line = world.main_source().lines().byte_to_line(range.start)?;
    Some(line + 1)
}

fn id(path: &str) -> Result<typst::syntax::FileId, ReportError> {
    file_id(path).map_err(write_error)
}

fn write_error(message: String) -> ReportError {
    ReportError::Write {
        format: "PDF",
        message,
    }
}

fn is_hex_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_must_be_six_hex_digits() {
        assert!(is_hex_colour("#1d70b8"));
        assert!(!is_hex_colour("1d70b8"));
        assert!(!is_hex_colour("#1d70b"));
        assert!(!is_hex_colour("#1d70bz"));
        assert!(!is_hex_colour("#1d70b8 "));
    }
}
