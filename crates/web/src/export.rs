//! `waymark publish`: the whole public site written out as files, so a council can host it on
//! any static web server, at the root of a domain or under a sub-path, or open it from disk.
//!
//! The bytes are the server's: every page comes from the same renderer and the same page
//! cache the server answers from (`Site`), with one difference in the templates (the renderer
//! is made with `Renderer::for_export`: the activity list has no filter form and the
//! comparison no period choice, as a static server ignores the query string) and one
//! afterwards: root-relative links (`/activities/5.1`) become relative links to files
//! (`../activities/5.1/index.html`), which work under any sub-path and over `file://` (where
//! browsers do not run the site's script, a module; every page works without it).
//!
//! Layout: a page at `/p` is `p/index.html` (so a server that serves a directory's index still
//! answers the site's own addresses); an API resource at `/api/v1/r` is `api/v1/r.json`;
//! downloads, assets and `robots.txt` keep their names; page N of the activity list is
//! `activities/page/N/index.html`; the 404 page is `404.html`. A file name is the path
//! segment as the site encodes it (`BV%2012`), so no published text can name a file outside
//! the export; the segments `.`, `..` and `index.html` have their dots encoded too (`%2E%2E`),
//! which names the same page and can never clash with a directory's own index.
//!
//! The export is written to a temporary directory beside the target and renamed into place
//! at the end, so an interrupted export never leaves half a site where the old one was. While
//! it runs, a lock file beside the target (`.site.lock-PID`) keeps a second export of the same
//! directory from starting; the next export finds what a killed one left (an unlocked lock
//! file) and clears it, putting an earlier export back if it was caught mid-swap.
//!
//! The 404 page is the one file a static server shows at other addresses, at any depth, so
//! its relative links are right only at the top level; given the path the site is served
//! from (`--base-path /performance/`), its links start with that path instead.

use crate::filters::{self, Filters};
use crate::html::{escape_html, unescape_html};
use crate::page::{HTML, JSON, Page};
use crate::render::{self, RenderError, Renderer};
use crate::routes::{Global, Route, encode, path};
use crate::server;
use crate::site::{Council, Site};
use bytes::Bytes;
use percent_encoding::percent_decode_str;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use waymark_store::{Store, StoreError};

/// Written at the top of every export: says what made it (so `--force` replaces only an
/// earlier export) and maps each of the site's addresses to its file.
pub const MANIFEST: &str = ".waymark-publish.json";
/// The page a static server shows for a missing file (nginx and most hosts can be pointed
/// at it; several pick it up by that name).
pub const NOT_FOUND_FILE: &str = "404.html";
const OPENAPI_FILE: &str = "api/openapi.json";
const TEXT: &str = "text/plain; charset=utf-8";

#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Replace the target directory when it holds an earlier export.
    pub force: bool,
    /// Writes the report downloads (the command line's, with PDF); the built-in one otherwise.
    pub reporter: Option<std::sync::Arc<waymark_report::Reporter>>,
    /// The path the site will be served from, checked by [`base_path`]: the 404 page's links
    /// start with it. `None` leaves them relative like every other page's.
    pub base_path: Option<String>,
}

/// A path to serve the export from, as `--base-path` takes it: `/` or `/a/b/` (the trailing
/// `/` may be left off). Only unreserved URL characters, so it goes into links as it is.
pub fn base_path(given: &str) -> Result<String, String> {
    let refuse = |why: &str| Err(format!("--base-path {given:?}: {why}"));
    if !given.starts_with('/') || given.starts_with("//") {
        return refuse(
            "give the path the site is served from, starting with / (such as /performance/)",
        );
    }
    let mut path = given.to_string();
    if !path.ends_with('/') {
        path.push('/');
    }
    // Between the first and last `/`: nothing for `/` itself.
    let inner = &path[1..];
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if path != "/"
        && inner
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return refuse("an empty, . or .. segment");
    }
    if let Some(c) = path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '_' | '~')))
    {
        return refuse(&format!(
            "{c:?} is not allowed (letters, digits, - . _ ~ and /)"
        ));
    }
    if path.len() > 200 {
        return refuse("longer than 200 characters");
    }
    Ok(path)
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ExportSummary {
    pub councils: usize,
    /// Files written, the manifest included.
    pub files: usize,
    /// HTML pages among them.
    pub pages: usize,
    pub bytes: u64,
    /// Root-relative links on pages that name no exported file, each once (a page's link
    /// to one points at the 404 page instead; a JSON document's is left as it is).
    pub unresolved_links: Vec<String>,
    /// Addresses left out because no file could stand for them (none of the site's own).
    pub skipped: Vec<String>,
    /// Reading the store and rendering every page.
    pub rendering: Duration,
    /// Making links relative and writing the files.
    pub writing: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The target cannot be written as asked: the message says why.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One file of the export before its links are made relative.
struct Item {
    /// The address it answers on the live site (with `?page=N` for the list's pages);
    /// `None` for the 404 page, which answers no address of its own.
    path: Option<String>,
    file: String,
    content_type: &'static str,
    body: Bytes,
}

/// How an address becomes a file name.
#[derive(Clone, Copy)]
enum Naming {
    /// An HTML page: a directory with `index.html`.
    Page,
    /// An API resource: `.json` added.
    Resource,
    /// Keeps its name (downloads, assets, `robots.txt`).
    AsIs,
}

/// Write every page, download, asset and API document of the published site under `out`.
pub async fn export(
    store: Store,
    out: &Path,
    options: &ExportOptions,
) -> Result<ExportSummary, ExportError> {
    let base = match &options.base_path {
        Some(given) => Some(base_path(given).map_err(ExportError::Refused)?),
        None => None,
    };
    let target = Target::check(out, options.force, base)?;
    let mut site = Site::new(store);
    site.renderer = Renderer::for_export()?;
    if let Some(reporter) = &options.reporter {
        site.renderer.reporter = reporter.clone();
    }
    let started = Instant::now();
    let collected = collect(&site).await?;
    let rendering = started.elapsed();
    let mut summary = tokio::task::spawn_blocking(move || write_all(&target, collected))
        .await
        .map_err(|e| ExportError::Io {
            path: out.to_path_buf(),
            source: std::io::Error::other(e),
        })??;
    summary.rendering = rendering;
    summary.writing = started.elapsed() - rendering;
    Ok(summary)
}

/// Everything the site serves without a query, plus the API's latest-period documents and
/// each page of the activity list.
async fn collect(site: &Site) -> Result<Collected, ExportError> {
    let snapshot = site.fresh().await?;
    if snapshot.councils.is_empty() {
        return Err(ExportError::Refused(
            "the database holds no council yet: nothing to publish".into(),
        ));
    }
    let multi = snapshot.multi();
    let r = &site.renderer;
    let mut items = vec![];
    let mut skipped = vec![];
    let mut push = |path: Option<String>, naming: Naming, content_type, body: Bytes| {
        let file = match &path {
            Some(p) => file_name(p, naming),
            None => Some(NOT_FOUND_FILE.to_string()),
        };
        match file {
            Some(file) => items.push(Item {
                path,
                file,
                content_type,
                body,
            }),
            None => skipped.extend(path),
        }
    };

    for (name, bytes) in server::asset_files() {
        let at = format!("/assets/{name}");
        push(
            Some(at),
            Naming::AsIs,
            asset_type(name),
            Bytes::from_static(bytes),
        );
    }
    let openapi = Bytes::from_static(crate::api::OPENAPI.as_bytes());
    push(
        Some("/api/openapi.json".into()),
        Naming::AsIs,
        JSON,
        openapi,
    );
    let robots = Bytes::from_static(server::ROBOTS_TXT);
    push(Some("/robots.txt".into()), Naming::AsIs, TEXT, robots);

    let mut globals = vec![(Global::ApiCouncils, "/api/v1/councils", Naming::Resource)];
    if multi {
        globals.push((Global::Compare, "/", Naming::Page));
        globals.push((Global::Compare, "/compare", Naming::Page));
        globals.push((
            Global::ApiComparison,
            "/api/v1/comparison",
            Naming::Resource,
        ));
        let body = render::global_not_found(r, server::SITE_NAME)?;
        push(None, Naming::Page, HTML, Bytes::from(body));
    }
    for (global, at, naming) in globals {
        let page = server::build_global(site, &snapshot, &global, "").await?;
        if page.status.is_success() {
            push(
                Some(at.into()),
                naming,
                page.content_type,
                page.body.clone(),
            );
        }
    }

    for org in &snapshot.councils {
        let council = site.council(&snapshot, org).await?;
        let prefix = council.prefix.clone();
        // Whatever `pages::render_all` made, whatever routes it learns later.
        for key in council.paths() {
            if key.starts_with('!') || key.contains('?') {
                continue;
            }
            let Some(page) = council.page(&key).filter(|p| p.status.is_success()) else {
                continue;
            };
            let at = format!("{prefix}{key}");
            let naming = naming_of(&at, &page);
            push(Some(at), naming, page.content_type, page.body.clone());
        }
        for route in [Route::ApiActivities, Route::ApiStats] {
            let page = crate::pages::respond(r, &council, &route, "");
            if page.status.is_success() {
                let at = path(&prefix, &route);
                push(
                    Some(at),
                    Naming::Resource,
                    page.content_type,
                    page.body.clone(),
                );
            }
        }
        // Report files: the live site makes them on request; here every period's are written.
        let routes: Vec<Route> = council
            .data
            .periods
            .iter()
            .flat_map(|period| crate::pages::report_routes(r, &council.data, *period))
            .collect();
        for (route, page) in routes.iter().zip(make_reports(r, &council, &routes)) {
            let at = path(&prefix, route);
            // Every report the site offers must be there: a copy without some is refused
            // (the reason was written to standard error as it happened).
            if !page.status.is_success() {
                return Err(ExportError::Refused(format!(
                    "{at} could not be made, so nothing was published"
                )));
            }
            push(Some(at), Naming::AsIs, page.content_type, page.body.clone());
        }
        let (unfiltered, _) = Filters::parse("", &council.data);
        let pages = filters::page(&council.data, council.data.current_rows(), &unfiltered).pages;
        for n in 2..=pages {
            let query = unfiltered.query(n);
            let page = crate::pages::respond(r, &council, &Route::Activities, &query);
            let at = format!("{}?{query}", path(&prefix, &Route::Activities));
            push(Some(at), Naming::Page, page.content_type, page.body.clone());
        }
        if !multi {
            let page = crate::pages::not_found_page(r, &council);
            push(None, Naming::Page, page.content_type, page.body.clone());
        }
    }
    Ok(Collected {
        items,
        skipped,
        councils: snapshot.councils.len(),
    })
}

/// Every report file, made on every core: typesetting the PDFs is most of the rendering.
/// In the order of `routes`; one that could not be made (a worker that panicked included) is
/// the error page.
fn make_reports(r: &Renderer, council: &Council, routes: &[Route]) -> Vec<Arc<Page>> {
    // Each typesetting holds its document and fonts' layouts in memory: a few at a time.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(routes.len().max(1));
    let next = AtomicUsize::new(0);
    let mut pages: Vec<Option<Arc<Page>>> = vec![None; routes.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut made = vec![];
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(route) = routes.get(i) else {
                            break made;
                        };
                        made.push((i, crate::pages::respond(r, council, route, "")));
                    }
                })
            })
            .collect();
        for handle in handles {
            for (i, page) in handle.join().unwrap_or_default() {
                pages[i] = Some(page);
            }
        }
    });
    pages
        .into_iter()
        .map(|page| page.unwrap_or_else(|| Arc::new(crate::pages::error_page())))
        .collect()
}

struct Collected {
    items: Vec<Item>,
    /// Addresses no file can stand for (they answer no page of the site either).
    skipped: Vec<String>,
    councils: usize,
}

/// Pages become directories; anything the site sends as a download (with its own file name,
/// such as a report as HTML) keeps its name, as do other files outside the API.
fn naming_of(path: &str, page: &Page) -> Naming {
    if page.content_type.starts_with("text/html") && page.download.is_none() {
        Naming::Page
    } else if is_api(path) {
        Naming::Resource
    } else {
        Naming::AsIs
    }
}

/// `/api/…` or `/{council}/api/…`.
fn is_api(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    first == "api" || segments.next() == Some("api")
}

fn asset_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, e)| e) {
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The file segments of an address's path: each decoded and encoded again the site's way, so
/// a segment can only hold letters, digits, `-._~` and `%`; `None` for an empty segment
/// inside the path.
fn disk_segments(path: &str) -> Option<Vec<String>> {
    let trimmed = path.trim_start_matches('/');
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Some(vec![]);
    }
    trimmed
        .split('/')
        .map(|raw| {
            if raw.is_empty() {
                return None;
            }
            let segment = encode(&percent_decode_str(raw).decode_utf8_lossy());
            // Names a file system gives a meaning to, or the directory's own index: their
            // dots are encoded (the site decodes `%2E` back to a dot: the same address).
            Some(match segment.as_str() {
                "." | ".." | "index.html" => segment.replace('.', "%2E"),
                _ => segment,
            })
        })
        .collect()
}

/// The file an address is written to, relative to the export's root, `/`-separated.
fn file_name(address: &str, naming: Naming) -> Option<String> {
    let (path, query) = match address.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (address, None),
    };
    let mut segments = disk_segments(path)?;
    match naming {
        Naming::Page => {
            // The list's later pages (`?page=N`) live under `page/N/`: no activity page can
            // be there, as an activity's directory holds only its `index.html`.
            if let Some(query) = query {
                let n = query.strip_prefix("page=")?;
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                segments.push("page".into());
                segments.push(n.into());
            }
            segments.push("index.html".into());
        }
        Naming::Resource => {
            if query.is_some() {
                return None;
            }
            let last = segments.last_mut()?;
            last.push_str(".json");
        }
        Naming::AsIs => {
            if query.is_some() || segments.is_empty() {
                return None;
            }
        }
    }
    Some(segments.join("/"))
}

/// An address as the link map keys it: path segments normalised as file names are, query kept.
fn link_key(address: &str) -> String {
    let (path, query) = match address.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (address, None),
    };
    let mut key = String::from("/");
    if let Some(segments) = disk_segments(path) {
        key.push_str(&segments.join("/"));
        if path.len() > 1 && path.ends_with('/') {
            key.push('/');
        }
    } else {
        key = path.to_string();
    }
    if let Some(q) = query {
        key.push('?');
        key.push_str(q);
    }
    key
}

/// Where each of the site's addresses was written: rewrites links from one file to another.
#[derive(Debug, Clone, Default)]
pub struct Links {
    files: HashMap<String, String>,
    /// The 404 page's links start with this (it sits at the root, so its relative links
    /// are the files' own paths).
    not_found_base: Option<String>,
}

impl Links {
    /// From pairs of address and file, as the manifest lists them.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Links {
        Links {
            files: pairs
                .into_iter()
                .map(|(address, file)| (link_key(&address), file))
                .collect(),
            not_found_base: None,
        }
    }

    /// Links on the 404 page start with `base` (from [`base_path`]).
    pub fn with_base_path(mut self, base: Option<String>) -> Links {
        self.not_found_base = base;
        self
    }

    /// The link written in the file `from` to the file `to`.
    fn link(&self, from: &str, to: &str) -> String {
        match &self.not_found_base {
            Some(base) if from == NOT_FOUND_FILE => format!("{base}{}", relative_path(from, to)),
            _ => relative_path(from, to),
        }
    }

    /// The file for an address: the address with its query if that was exported (the
    /// list's pages), else without (a static server ignores the query).
    pub fn file_for(&self, address: &str) -> Option<&str> {
        let key = link_key(address);
        if let Some(file) = self.files.get(&key) {
            return Some(file);
        }
        let bare = key.split_once('?').map(|(p, _)| p)?;
        self.files.get(bare).map(String::as_str)
    }

    /// A link written in the file `from` to `url`, made relative when it is root-relative:
    /// `None` to leave it as it is; `Err` when it names no exported file.
    fn relative(&self, from: &str, url: &str) -> Option<Result<String, ()>> {
        if !url.starts_with('/') || url.starts_with("//") {
            return None;
        }
        let (address, fragment) = match url.split_once('#') {
            Some((a, f)) => (a, Some(f)),
            None => (url, None),
        };
        let Some(to) = self.file_for(address) else {
            return Some(Err(()));
        };
        let mut link = self.link(from, to);
        if let Some(fragment) = fragment {
            link.push('#');
            link.push_str(fragment);
        }
        Some(Ok(link))
    }

    /// The bytes of `file` with its links made relative, and the root-relative links that
    /// named no exported file. HTML: `href`, `src` and `action` attributes (unresolved ones
    /// point at the 404 page); CSS: `url()`s that name an exported file; JSON: `url` fields
    /// (the API description is the live API's own and is copied as it is).
    pub fn rewrite<'a>(
        &self,
        file: &str,
        content_type: &str,
        body: &'a [u8],
    ) -> (Cow<'a, [u8]>, Vec<String>) {
        let mut unresolved = vec![];
        let Ok(text) = std::str::from_utf8(body) else {
            return (Cow::Borrowed(body), unresolved);
        };
        let rewritten = if content_type.starts_with("text/html") {
            rewrite_attributes(text, |url| match self.relative(file, url)? {
                Ok(link) => Some(link),
                Err(()) => {
                    unresolved.push(url.to_string());
                    Some(self.link(file, NOT_FOUND_FILE))
                }
            })
        } else if content_type.starts_with("text/css") {
            rewrite_css(text, |url| self.relative(file, url)?.ok())
        } else if content_type.contains("json") && file != OPENAPI_FILE {
            self.rewrite_json(file, text, &mut unresolved)
        } else {
            None
        };
        let bytes = match rewritten {
            Some(text) => Cow::Owned(text.into_bytes()),
            None => Cow::Borrowed(body),
        };
        (bytes, unresolved)
    }

    fn rewrite_json(&self, file: &str, text: &str, unresolved: &mut Vec<String>) -> Option<String> {
        let mut value: Value = serde_json::from_str(text).ok()?;
        let mut changed = false;
        let mut visit = |url: &mut String| match self.relative(file, url) {
            Some(Ok(link)) => {
                *url = link;
                changed = true;
            }
            Some(Err(())) => unresolved.push(url.clone()),
            None => {}
        };
        walk_urls(&mut value, &mut visit);
        if !changed {
            return None;
        }
        serde_json::to_string_pretty(&value).ok()
    }
}

fn walk_urls(value: &mut Value, visit: &mut impl FnMut(&mut String)) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(s) if key == "url" => visit(s),
                    _ => walk_urls(v, visit),
                }
            }
        }
        Value::Array(list) => {
            for v in list {
                walk_urls(v, visit);
            }
        }
        _ => {}
    }
}

/// The link from file `from` to file `to`, both relative to the export's root: `../` up to
/// their common directory, then down, each segment encoded (a file named `BV%2012` is
/// linked as `BV%252012`, which any server decodes back to the name on disk).
fn relative_path(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let to_dirs = &to_parts[..to_parts.len().saturating_sub(1)];
    let common = from_dirs
        .iter()
        .zip(to_dirs)
        .take_while(|(a, b)| a == b)
        .count();
    let mut link = "../".repeat(from_dirs.len() - common);
    let down: Vec<String> = to_parts[common..].iter().map(|s| encode(s)).collect();
    link.push_str(&down.join("/"));
    link
}

/// `href="…"`, `src="…"` and `action="…"` in our own HTML, whose attribute values are always
/// double-quoted and whose text never holds a bare `"` (the renderer escapes it), so each
/// `="` opens an attribute value. `link` gets the value unescaped and returns a replacement.
fn rewrite_attributes(html: &str, mut link: impl FnMut(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = html[at..].find("=\"") {
        let equals = at + found;
        let start = equals + 2;
        let Some(length) = html[start..].find('"') else {
            break;
        };
        let end = start + length;
        at = end + 1;
        // Just after the last character that cannot be in a name (which may be several bytes).
        let name_start = html[..equals]
            .char_indices()
            .rfind(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let after_space = html[..name_start].ends_with(|c: char| c.is_ascii_whitespace());
        if !after_space || !matches!(&html[name_start..equals], "href" | "src" | "action") {
            continue;
        }
        if let Some(new) = link(&unescape_html(&html[start..end])) {
            out.push_str(&html[copied..start]);
            out.push_str(&escape_html(&new));
            copied = end;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&html[copied..]);
    Some(out)
}

/// `url(…)` in a stylesheet, quoted or not.
fn rewrite_css(css: &str, mut link: impl FnMut(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(css.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = css[at..].find("url(") {
        let mut start = at + found + 4;
        let quote = css[start..]
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'');
        if quote.is_some() {
            start += 1;
        }
        let close = quote.unwrap_or(')');
        let Some(length) = css[start..].find(close) else {
            break;
        };
        let end = start + length;
        at = end + 1;
        if let Some(new) = link(&css[start..end]) {
            out.push_str(&css[copied..start]);
            out.push_str(&new);
            copied = end;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&css[copied..]);
    Some(out)
}

/// The directory asked for and what stands there now.
struct Target {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    /// An earlier export is there and will be replaced.
    replace: bool,
    base_path: Option<String>,
    /// Held until the export is done (or given up).
    _lock: Lock,
}

/// `.site.lock-RUN` beside the target, locked while this run exports there. A lock file that
/// can be locked belongs to a run that is gone. RUN is the process id and a random number, as
/// process ids repeat (in containers every run may be process 1).
struct Lock {
    run: String,
    path: PathBuf,
    file: std::fs::File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so no other export takes a dying lock for a stale one
        // while this one's temporary directories may still be there.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

impl Target {
    fn check(out: &Path, force: bool, base_path: Option<String>) -> Result<Target, ExportError> {
        let name = out
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
            .ok_or_else(|| {
                ExportError::Refused(format!(
                    "{}: give the export a directory name of its own (such as site/)",
                    out.display()
                ))
            })?
            .to_string();
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        if !parent.is_dir() {
            return Err(ExportError::Refused(format!(
                "{}: no such directory to write the export in",
                parent.display()
            )));
        }
        let lock = take_lock(&parent, &name, out)?;
        let replace = match std::fs::symlink_metadata(out) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(io(out)(e)),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(ExportError::Refused(format!(
                    "{} is a symbolic link: give the directory it points to",
                    out.display()
                )));
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(ExportError::Refused(format!(
                    "{} exists and is not a directory",
                    out.display()
                )));
            }
            Ok(_) => {
                let empty = std::fs::read_dir(out).map_err(io(out))?.next().is_none();
                if empty {
                    false
                } else if !force {
                    return Err(ExportError::Refused(format!(
                        "{} is not empty: choose a new directory, or give --force to replace an earlier export",
                        out.display()
                    )));
                } else if out.join(MANIFEST).is_file() {
                    true
                } else {
                    return Err(ExportError::Refused(format!(
                        "{} holds files that are not a Waymark export (it has no {MANIFEST}): not replacing it, even with --force",
                        out.display()
                    )));
                }
            }
        };
        Ok(Target {
            out: out.to_path_buf(),
            parent,
            name,
            replace,
            base_path,
            _lock: lock,
        })
    }

    fn beside(&self, what: &str) -> PathBuf {
        self.parent
            .join(format!(".{}.{what}-{}", self.name, self._lock.run))
    }
}

fn write_all(target: &Target, collected: Collected) -> Result<ExportSummary, ExportError> {
    let Collected {
        items,
        mut skipped,
        councils,
    } = collected;
    // One file per address (the first to claim it), and no file where another needs a
    // directory. The file names make both impossible for the site's own routes; this keeps
    // any address that slips through from overwriting another's file.
    let mut seen = HashSet::new();
    let mut dirs = HashSet::new();
    let mut unique = vec![];
    for item in items {
        if !seen.insert(item.file.clone()) {
            skipped.extend(item.path);
            continue;
        }
        let mut dir = item.file.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            dirs.insert(parent.to_string());
            dir = parent;
        }
        unique.push(item);
    }
    let (unique, clashing): (Vec<Item>, Vec<Item>) =
        unique.into_iter().partition(|i| !dirs.contains(&i.file));
    skipped.extend(clashing.into_iter().filter_map(|i| i.path));
    let manifest_pages: BTreeMap<String, String> = unique
        .iter()
        .filter_map(|i| Some((i.path.clone()?, i.file.clone())))
        .collect();
    let links = Links::new(manifest_pages.clone()).with_base_path(target.base_path.clone());

    let temp = target.beside("publishing");
    if temp.exists() {
        std::fs::remove_dir_all(&temp).map_err(io(&temp))?;
    }
    let written = write_files(&temp, &unique, &links, &manifest_pages, councils, target);
    let summary = match written {
        Ok(mut summary) => {
            summary.skipped = skipped;
            summary
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(e);
        }
    };
    if let Err(e) = swap_into_place(target, &temp) {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(e);
    }
    Ok(summary)
}

fn write_files(
    temp: &Path,
    items: &[Item],
    links: &Links,
    pages: &BTreeMap<String, String>,
    councils: usize,
    target: &Target,
) -> Result<ExportSummary, ExportError> {
    std::fs::create_dir(temp).map_err(io(temp))?;
    let mut summary = ExportSummary {
        councils,
        ..ExportSummary::default()
    };
    let mut unresolved = BTreeSet::new();
    let mut made = BTreeSet::new();
    for item in items {
        let (body, missing) = links.rewrite(&item.file, item.content_type, &item.body);
        unresolved.extend(missing);
        let mut path = temp.to_path_buf();
        let parts: Vec<&str> = item.file.split('/').collect();
        for dir in &parts[..parts.len() - 1] {
            path.push(dir);
            if made.insert(path.clone()) {
                match std::fs::create_dir(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                        return Err(io(&path)(e));
                    }
                    _ => {}
                }
            }
        }
        path.push(parts[parts.len() - 1]);
        std::fs::write(&path, &body).map_err(io(&path))?;
        summary.files += 1;
        summary.bytes += body.len() as u64;
        if item.content_type.starts_with("text/html") {
            summary.pages += 1;
        }
    }
    let manifest = serde_json::json!({
        "generator": "waymark publish",
        "version": env!("CARGO_PKG_VERSION"),
        "not_found": NOT_FOUND_FILE,
        "base_path": target.base_path,
        "files": pages,
    });
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    let path = temp.join(MANIFEST);
    std::fs::write(&path, &bytes).map_err(io(&path))?;
    summary.files += 1;
    summary.bytes += bytes.len() as u64;
    summary.unresolved_links = unresolved.into_iter().collect();
    Ok(summary)
}

/// A name for this run no other run has had: the process id and a random number.
fn run_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    // Each RandomState is seeded afresh from the operating system's randomness.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{}.{:016x}", std::process::id(), hasher.finish())
}

/// Take this run's lock beside the target, after refusing to start while another export of it
/// runs and clearing what one that was killed left behind.
fn take_lock(parent: &Path, name: &str, out: &Path) -> Result<Lock, ExportError> {
    let (run, staging, file) = loop {
        let run = run_token();
        // Locked under a name no other export treats as a lock, then renamed: an export never
        // sees this one's lock file before it is locked. `create_new` never follows a link.
        let staging = parent.join(format!(".{name}.locking-{run}"));
        match std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&staging)
        {
            Ok(file) => break (run, staging, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&staging)(e)),
        }
    };
    file.try_lock().map_err(|e| io(&staging)(e.into()))?;
    let path = parent.join(format!(".{name}.lock-{run}"));
    std::fs::rename(&staging, &path).map_err(io(&path))?;
    let lock = Lock { run, path, file };

    // Another run's lock that is still held stops this one; anything else a run leaves beside
    // the target belongs to one that is gone. Only what an export makes is touched: lock files
    // that are plain files, and directories (never links).
    let busy = |detail: String| {
        ExportError::Refused(format!(
            "another waymark publish is writing {} now ({detail}): wait for it to finish",
            out.display()
        ))
    };
    let prefix = format!(".{name}.");
    let mut locks = vec![];
    let mut replaced = vec![];
    let mut publishing = vec![];
    for entry in std::fs::read_dir(parent).map_err(io(parent))? {
        let entry = entry.map_err(io(parent))?;
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((what, other_run)) = rest.split_once('-') else {
            continue;
        };
        if other_run == lock.run {
            continue;
        }
        let other = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&other) else {
            continue; // gone since
        };
        match what {
            "lock" | "locking" if meta.is_file() => {
                let held = match std::fs::File::open(&other) {
                    Ok(held) => held,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    // Cannot tell whether its run is alive: better to stop than to collide.
                    Err(e) => return Err(busy(format!("{}: {e}", other.display()))),
                };
                match held.try_lock() {
                    Ok(()) => locks.push(other),
                    Err(std::fs::TryLockError::WouldBlock) => {
                        return Err(busy(format!("{} is held", other.display())));
                    }
                    Err(std::fs::TryLockError::Error(e)) => {
                        return Err(busy(format!("{}: {e}", other.display())));
                    }
                }
            }
            // Ranked by when the export in it was made (its manifest is written last).
            "replaced" if meta.is_dir() => replaced.push((
                std::fs::metadata(other.join(MANIFEST))
                    .and_then(|m| m.modified())
                    .ok(),
                other,
            )),
            "publishing" if meta.is_dir() => publishing.push(other),
            _ => {}
        }
    }
    // An earlier export moved aside goes back when a swap was cut short before the new one
    // took its place (the newest, if several were left); a copy is deleted only once the
    // target holds an export.
    replaced.sort();
    if let Some((_, newest)) = replaced.last() {
        let empty = out.is_dir() && std::fs::read_dir(out).map_err(io(out))?.next().is_none();
        if !out.exists() || empty {
            if empty {
                std::fs::remove_dir(out).map_err(io(out))?;
            }
            std::fs::rename(newest, out).map_err(io(out))?;
            replaced.pop();
        }
    }
    let exported = out.join(MANIFEST).is_file();
    let gone = |path: &Path, removed: std::io::Result<()>| match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    };
    for (_, old) in replaced.iter().filter(|_| exported) {
        gone(old, std::fs::remove_dir_all(old))?;
    }
    for half in &publishing {
        gone(half, std::fs::remove_dir_all(half))?;
    }
    for other in &locks {
        gone(other, std::fs::remove_file(other))?;
    }
    Ok(lock)
}

/// Rename the finished export into place. An earlier export is moved aside first and removed
/// only once the new one stands where it was.
fn swap_into_place(target: &Target, temp: &Path) -> Result<(), ExportError> {
    let out = &target.out;
    if !target.replace {
        if out.is_dir() {
            // Found empty: rename cannot replace a directory everywhere.
            std::fs::remove_dir(out).map_err(io(out))?;
        }
        return std::fs::rename(temp, out).map_err(io(out));
    }
    let old = target.beside("replaced");
    std::fs::rename(out, &old).map_err(io(out))?;
    if let Err(e) = std::fs::rename(temp, out) {
        let _ = std::fs::rename(&old, out);
        return Err(io(out)(e));
    }
    // The new export is in place: the old one left behind (say, a file in it held open) is
    // cleared by the next export instead of failing this one.
    if let Err(e) = std::fs::remove_dir_all(&old) {
        tracing::warn!(
            "the earlier export, moved to {}, could not be removed ({e}); the next publish clears it",
            old.display()
        );
    }
    Ok(())
}

/// Every file an export holds, for checks: address → file, as in the manifest.
pub fn manifest_files(manifest: &[u8]) -> Option<Vec<(String, String)>> {
    let value: Value = serde_json::from_slice(manifest).ok()?;
    value["files"].as_object().map(|files| {
        files
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_are_plain_absolute_paths() {
        assert_eq!(base_path("/").as_deref(), Ok("/"));
        assert_eq!(base_path("/performance").as_deref(), Ok("/performance/"));
        assert_eq!(base_path("/a/b.c/").as_deref(), Ok("/a/b.c/"));
        for bad in [
            "", "a/", "//host/", "/a//b", "/../", "/a/./", "/a b", "/a?b", "/%2e%2e/",
        ] {
            let refused = base_path(bad).expect_err(bad);
            assert!(refused.starts_with("--base-path"), "{refused}");
        }
    }

    proptest::proptest! {
        /// Whatever is given, an accepted base path is `/`-delimited, plain and inside the
        /// site's own host: safe to put before a link as it is.
        #[test]
        fn accepted_base_paths_are_safe(given in "[/a-z.%?# \"<-]{0,12}") {
            if let Ok(path) = base_path(&given) {
                proptest::prop_assert!(path.starts_with('/') && path.ends_with('/'));
                proptest::prop_assert!(path == "/" || !path.contains("//"));
                proptest::prop_assert!(!path.split('/').any(|s| s == "." || s == ".."));
                proptest::prop_assert!(path.chars().all(|c| c.is_ascii_alphanumeric() || "/-._~".contains(c)));
            }
        }
    }

    #[test]
    fn the_404_page_links_from_the_base_path() {
        let links = Links::new([(
            "/activities".to_string(),
            "activities/index.html".to_string(),
        )])
        .with_base_path(Some("/site/".into()));
        let html = br#"<a href="/activities">a</a><a href="/gone">g</a>"#;
        let (page, _) = links.rewrite(NOT_FOUND_FILE, HTML, html);
        assert_eq!(
            std::str::from_utf8(&page).unwrap_or_default(),
            r#"<a href="/site/activities/index.html">a</a><a href="/site/404.html">g</a>"#
        );
        // Other pages keep relative links.
        let (page, _) = links.rewrite("themes/index.html", HTML, html);
        assert_eq!(
            std::str::from_utf8(&page).unwrap_or_default(),
            r#"<a href="../activities/index.html">a</a><a href="../404.html">g</a>"#
        );
    }

    #[test]
    fn addresses_become_files() {
        let cases = [
            ("/", Naming::Page, "index.html"),
            ("/activities", Naming::Page, "activities/index.html"),
            (
                "/activities?page=3",
                Naming::Page,
                "activities/page/3/index.html",
            ),
            ("/activities/5.1", Naming::Page, "activities/5.1/index.html"),
            (
                "/indicators/BV%2012",
                Naming::Page,
                "indicators/BV%2012/index.html",
            ),
            ("/bexley/", Naming::Page, "bexley/index.html"),
            ("/api/v1/stats", Naming::Resource, "api/v1/stats.json"),
            (
                "/api/v1/activities/x.json",
                Naming::Resource,
                "api/v1/activities/x.json.json",
            ),
            ("/data/activities.csv", Naming::AsIs, "data/activities.csv"),
        ];
        for (address, naming, file) in cases {
            assert_eq!(
                file_name(address, naming).as_deref(),
                Some(file),
                "{address}"
            );
        }
    }

    #[test]
    fn no_reference_names_a_file_outside_its_directory() {
        for reference in [
            "..",
            ".",
            "../../etc",
            "a/b",
            "index.html",
            "..\\x",
            "%2e%2e",
        ] {
            let address = path("", &Route::Activity(reference.into()));
            let file = file_name(&address, Naming::Page).unwrap_or_default();
            let parts: Vec<&str> = file.split('/').collect();
            assert_eq!(parts.len(), 3, "{reference}: {file}");
            assert_eq!(parts[0], "activities");
            assert_eq!(parts[2], "index.html");
            assert!(
                !matches!(parts[1], "." | ".." | "index.html" | ""),
                "{file}"
            );
            assert!(
                parts[1]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
                "{file}"
            );
        }
    }

    #[test]
    fn links_are_relative_to_the_file() {
        assert_eq!(
            relative_path("index.html", "activities/index.html"),
            "activities/index.html"
        );
        assert_eq!(
            relative_path("activities/5.1/index.html", "data/activities.csv"),
            "../../data/activities.csv"
        );
        assert_eq!(
            relative_path("activities/index.html", "activities/index.html"),
            "index.html"
        );
        assert_eq!(
            relative_path("index.html", "indicators/BV%2012/index.html"),
            "indicators/BV%252012/index.html"
        );
    }

    proptest::proptest! {
        /// A council's report template may put any text before `="`: rewriting never panics
        /// and changes nothing but the attributes it names.
        #[test]
        fn rewriting_any_text_is_safe(html in "(é=\"|€ href=\"/x\"|\u{1F600}=\"/|=\"| |a|\")*") {
            let links = Links::new([("/x".to_string(), "x/index.html".to_string())]);
            let (out, _) = links.rewrite("a/index.html", HTML, html.as_bytes());
            proptest::prop_assert!(std::str::from_utf8(&out).is_ok());
        }
    }

    #[test]
    fn attributes_are_rewritten_and_text_is_not() {
        let links = Links::new([
            ("/".to_string(), "index.html".to_string()),
            (
                "/activities".to_string(),
                "activities/index.html".to_string(),
            ),
            (
                "/activities?page=2".to_string(),
                "activities/page/2/index.html".to_string(),
            ),
        ]);
        let html = r##"<a href="/activities?page=2" data-href="/x">/activities</a><a class="a" href="/#top">x</a><a href="https://example.org/">e</a><a href="/nope">n</a>"##;
        let (out, unresolved) = links.rewrite(
            "activities/index.html",
            "text/html; charset=utf-8",
            html.as_bytes(),
        );
        assert_eq!(
            std::str::from_utf8(&out).unwrap_or_default(),
            r##"<a href="page/2/index.html" data-href="/x">/activities</a><a class="a" href="../index.html#top">x</a><a href="https://example.org/">e</a><a href="../404.html">n</a>"##
        );
        assert_eq!(unresolved, vec!["/nope".to_string()]);
    }
}
