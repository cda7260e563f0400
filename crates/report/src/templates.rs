//! The HTML and Markdown templates, built in or a council's own. A council points
//! `[reports] templates` at a folder holding any of `report.html`, `report.md`, `report.typ`
//! (the PDF), further templates they include, and `brand.toml` (colour, logo, font). Files are
//! read when Waymark starts, so a change needs a restart, not a rebuild. A broken template is
//! refused then, with its file and line.

use crate::{Brand, Document, FontFile, Logo, ReportError};
use minijinja::{Environment, Value};
use std::path::Path;

const BUILTIN: [(&str, &str); 2] = [
    ("report.html", include_str!("../templates/report.html")),
    ("report.md", include_str!("../templates/report.md")),
];

/// Template and brand files larger than this are refused (a template is a few kilobytes; a
/// font or logo a few hundred).
const MAX_FILE: u64 = 8 * 1024 * 1024;

pub struct Templates {
    env: Environment<'static>,
    pub brand: Brand,
    /// The council's PDF template (typst source), if it has one.
    pub typst: Option<String>,
}

impl Templates {
    pub fn builtin() -> Templates {
        let mut env = environment();
        for (name, source) in BUILTIN {
            // The built-in templates are tested; a failure here is a build mistake.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!("built-in report template {name}: {e}");
            }
        }
        Templates {
            env,
            brand: Brand::default(),
            typst: None,
        }
    }

    /// The built-in templates with a council's folder laid over them.
    pub fn load(folder: &Path) -> Result<Templates, ReportError> {
        let folder_error = |message: String| ReportError::Template {
            file: folder.display().to_string(),
            line: None,
            message,
        };
        let entries = std::fs::read_dir(folder)
            .map_err(|e| folder_error(format!("the templates folder cannot be read: {e}")))?;
        let mut templates = Templates::builtin();
        let mut names: Vec<String> = vec![];
        for entry in entries {
            let entry = entry.map_err(|e| folder_error(e.to_string()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".html") || name.ends_with(".md") || name.ends_with(".typ") {
                names.push(name);
            }
        }
        names.sort();
        for name in names {
            let source = read_text(&folder.join(&name), &name)?;
            if name.ends_with(".typ") {
                if name == "report.typ" {
                    templates.typst = Some(source);
                }
                continue;
            }
            templates
                .env
                .add_template_owned(name.clone(), source)
                .map_err(|e| template_error(&e, &name))?;
        }
        let brand_file = folder.join("brand.toml");
        if brand_file.exists() {
            templates.brand = read_brand(folder, &brand_file)?;
        }
        // Render a small document now, so a template that fails on data fails at start-up.
        let probe = crate::document::sample();
        templates.html(&probe)?;
        templates.markdown(&probe)?;
        Ok(templates)
    }

    pub fn html(&self, doc: &Document) -> Result<String, ReportError> {
        self.render("report.html", doc)
    }

    pub fn markdown(&self, doc: &Document) -> Result<String, ReportError> {
        self.render("report.md", doc)
    }

    fn render(&self, name: &str, doc: &Document) -> Result<String, ReportError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&e, name))?;
        let charts: Vec<Value> = doc
            .sections
            .iter()
            .map(|s| {
                Value::from_safe_string(s.chart.as_ref().map(crate::svg::chart).unwrap_or_default())
            })
            .collect();
        let brand = &self.brand;
        let ctx = minijinja::context! {
            doc => Value::from_serialize(doc),
            charts,
            brand => minijinja::context! {
                colour => brand.colour.clone(),
                logo => brand.logo.as_ref().map(|l| minijinja::context! {
                    alt => l.alt.clone(),
                    src => format!("data:{};base64,{}", l.media_type(), base64(&l.bytes)),
                }),
                font => brand.font.as_ref().map(|f| minijinja::context! {
                    family => f.family.clone(),
                    src => format!("data:font/ttf;base64,{}", base64(&f.bytes)),
                }),
            },
        };
        template.render(ctx).map_err(|e| template_error(&e, name))
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::builtin()
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // HTML escaped everywhere in .html templates; Markdown escaped by its own filters.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // Escape the five characters that matter in HTML and leave "/" alone, so "2024/25" reads
    // as written in the source and in searches.
    env.set_formatter(|out, state, value| {
        if value.is_none() || value.is_undefined() {
            return Ok(());
        }
        let text = value.to_string();
        let escaped = if value.is_safe() || state.auto_escape() != minijinja::AutoEscape::Html {
            text
        } else {
            text.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        };
        out.write_str(&escaped).map_err(minijinja::Error::from)
    });
    env.add_filter("md", |text: String| crate::markdown::escape(&text));
    env.add_filter("md_cell", |text: String| crate::markdown::cell(&text));
    env
}

/// A template error with the file and line it happened at (an error inside an included
/// template names that template).
fn template_error(e: &minijinja::Error, fallback: &str) -> ReportError {
    let mut message = e.kind().to_string();
    if let Some(detail) = e.detail() {
        message = format!("{message}: {detail}");
    }
    ReportError::Template {
        file: e.name().unwrap_or(fallback).to_string(),
        line: e.line(),
        message,
    }
}

fn read_bytes(path: &Path, name: &str) -> Result<Vec<u8>, ReportError> {
    let fail = |message: String| ReportError::Template {
        file: name.to_string(),
        line: None,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(e.to_string()))?
        .len();
    if size > MAX_FILE {
        return Err(fail(format!(
            "the file is {size} bytes; the most a template, logo or font may be is {MAX_FILE}"
        )));
    }
    std::fs::read(path).map_err(|e| fail(e.to_string()))
}

fn read_text(path: &Path, name: &str) -> Result<String, ReportError> {
    String::from_utf8(read_bytes(path, name)?).map_err(|e| ReportError::Template {
        file: name.to_string(),
        line: None,
        message: format!("the file is not UTF-8 text ({e})"),
    })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandFile {
    colour: Option<String>,
    logo: Option<String>,
    logo_alt: Option<String>,
    font: Option<String>,
    font_family: Option<String>,
}

/// `brand.toml`: `colour = "#005ea5"`, `logo = "logo.png"`, `logo_alt = "…"`,
/// `font = "Council.ttf"`, `font_family = "Council Sans"`; files beside it.
fn read_brand(folder: &Path, path: &Path) -> Result<Brand, ReportError> {
    let text = read_text(path, "brand.toml")?;
    let file: BrandFile = toml::from_str(&text).map_err(|e| ReportError::Template {
        file: "brand.toml".into(),
        line: e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_string(),
    })?;
    let field = |name: &str, message: String| ReportError::Template {
        file: "brand.toml".into(),
        line: line_of(&text, name),
        message: format!("{name}: {message}"),
    };
    let mut brand = Brand::default();
    if let Some(colour) = file.colour {
        let ok = colour.len() == 7
            && colour.starts_with('#')
            && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            return Err(field(
                "colour",
                format!("'{colour}' is not a colour written as #rrggbb"),
            ));
        }
        brand.colour = colour.to_ascii_lowercase();
    }
    let beside = |name: &str, value: &str| -> Result<(String, Vec<u8>), ReportError> {
        let plain = Path::new(value)
            .file_name()
            .filter(|f| f.to_string_lossy() == value)
            .ok_or_else(|| {
                field(
                    name,
                    format!("'{value}' must be a file name in the templates folder"),
                )
            })?;
        Ok((value.to_string(), read_bytes(&folder.join(plain), value)?))
    };
    if let Some(logo) = file.logo {
        let lower = logo.to_ascii_lowercase();
        if !(lower.ends_with(".png") || lower.ends_with(".svg")) {
            return Err(field("logo", "the logo must be a .png or .svg file".into()));
        }
        let (file_name, bytes) = beside("logo", &logo)?;
        let alt = file
            .logo_alt
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| {
                field(
                    "logo_alt",
                    "a logo needs its text alternative (logo_alt), e.g. the council's name".into(),
                )
            })?;
        brand.logo = Some(Logo {
            file_name,
            bytes,
            alt,
        });
    }
    if let Some(font) = file.font {
        let lower = font.to_ascii_lowercase();
        if !(lower.ends_with(".ttf") || lower.ends_with(".otf")) {
            return Err(field("font", "the font must be a .ttf or .otf file".into()));
        }
        let (file_name, bytes) = beside("font", &font)?;
        let family = file
            .font_family
            .filter(|f| !f.trim().is_empty())
            .ok_or_else(|| {
                field(
                    "font_family",
                    "a font needs its family name (font_family)".into(),
                )
            })?;
        brand.font = Some(FontFile {
            family,
            file_name,
            bytes,
        });
    }
    Ok(brand)
}

fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map(|i| i + 1)
}

/// Standard base64 (for data: URLs of logos and fonts).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_examples() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
