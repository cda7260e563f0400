//! A council's look for its reports: colour, logo and font. The defaults are Waymark's; a
//! council overrides them from its templates folder (`brand.toml`), without rebuilding.

/// How reports look. Every format uses what it can: HTML and PDF all of it, XLSX and DOCX the
/// colour and font name.
#[derive(Debug, Clone, PartialEq)]
pub struct Brand {
    /// The accent colour as `#rrggbb` (headings rules, table headers, the title band).
    pub colour: String,
    pub logo: Option<Logo>,
    pub font: Option<FontFile>,
}

impl Default for Brand {
    fn default() -> Self {
        Brand {
            colour: "#1d70b8".into(),
            logo: None,
            font: None,
        }
    }
}

/// A logo image (PNG or SVG) with its text alternative.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// "London Borough of Bexley"
    pub alt: String,
}

impl Logo {
    /// "image/svg+xml" or "image/png".
    pub fn media_type(&self) -> &'static str {
        if self.file_name.to_ascii_lowercase().ends_with(".svg") {
            "image/svg+xml"
        } else {
            "image/png"
        }
    }
}

/// A font file (TrueType or OpenType) and the family name it declares.
#[derive(Debug, Clone, PartialEq)]
pub struct FontFile {
    pub family: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}
