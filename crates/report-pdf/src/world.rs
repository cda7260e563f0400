//! What typst sees while typesetting one report: the template as the only source file, the
//! report and brand as JSON files beside it, an optional logo, and fonts compiled into the
//! binary. Nothing is read from disk and nothing is downloaded.

use std::sync::{Arc, LazyLock, Mutex};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The family the built-in template sets text in.
pub const DEFAULT_FAMILY: &str = "Noto Sans";

/// The standard library, built once: it holds no per-report state.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The compiled-in fonts and their book, parsed once per process rather than per report.
struct Fonts {
    fonts: Vec<Font>,
    book: LazyHash<FontBook>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let files = [
        notosans::REGULAR_TTF,
        notosans::BOLD_TTF,
        notosans::ITALIC_TTF,
        notosans::BOLD_ITALIC_TTF,
    ]
    .into_iter()
    // Typst's own faces cover maths and code in a council's template.
    .chain(typst_assets::fonts());
    let fonts: Vec<Font> = files
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    Fonts { fonts, book }
});

/// A brand's font file, parsed, under the hash of its bytes.
type CachedFont = (u128, Arc<Vec<Font>>);

/// Brand fonts recently used, so a council's font is parsed once, not on every report.
static BRAND_FONTS: LazyLock<Mutex<Vec<CachedFont>>> = LazyLock::new(|| Mutex::new(Vec::new()));
const BRAND_FONTS_KEPT: usize = 8;

/// Parses a brand's font file (cached by content). `None` when it holds no usable face.
pub fn brand_font(bytes: &[u8]) -> Option<Arc<Vec<Font>>> {
    let key = typst::utils::hash128(&bytes);
    // A poisoned lock only means another render panicked; the cache is still sound.
    let mut cache = BRAND_FONTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, fonts)) = cache.iter().find(|(k, _)| *k == key) {
        return Some(fonts.clone());
    }
    let fonts: Vec<Font> = Font::iter(Bytes::new(bytes.to_vec())).collect();
    if fonts.is_empty() {
        return None;
    }
    let fonts = Arc::new(fonts);
    if cache.len() >= BRAND_FONTS_KEPT {
        cache.remove(0);
    }
    cache.push((key, fonts.clone()));
    Some(fonts)
}

/// Warms the font book and standard library, so the first report is not slower than the rest.
pub fn warm_up() {
    LazyLock::force(&FONTS);
    LazyLock::force(&LIBRARY);
}

/// A file id in the project root.
pub fn file_id(path: &str) -> Result<FileId, String> {
    let vpath = VirtualPath::new(path).map_err(|e| format!("bad virtual path {path}: {e}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

pub struct ReportWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
    /// Set only when the brand brings its own font.
    book: Option<LazyHash<FontBook>>,
    extra_fonts: Option<Arc<Vec<Font>>>,
}

impl ReportWorld {
    pub fn new(
        main: Source,
        files: Vec<(FileId, Bytes)>,
        extra_fonts: Option<Arc<Vec<Font>>>,
    ) -> Self {
        let book = extra_fonts.as_ref().map(|extra| {
            let mut book = FontBook::clone(&FONTS.book);
            for font in extra.iter() {
                book.push(font.info().clone());
            }
            LazyHash::new(book)
        });
        ReportWorld {
            main,
            files,
            book,
            extra_fonts,
        }
    }

    pub fn main_source(&self) -> &Source {
        &self.main
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.book.as_ref().unwrap_or(&FONTS.book)
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        let built_in = &FONTS.fonts;
        match built_in.get(index) {
            Some(font) => Some(font.clone()),
            None => self
                .extra_fonts
                .as_ref()?
                .get(index - built_in.len())
                .cloned(),
        }
    }

    /// Reports carry their own date; a template has no clock, so output is reproducible.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}
