//! Links made to work from a plain directory: every root-relative link (`/activities/5.1`)
//! becomes a link relative to the file it is in (`../activities/5.1/index.html`), which works
//! under any sub-path and over `file://`.
//!
//! The 404 page is the one file a static server shows at other addresses, at any depth, so
//! its relative links are right only at the top level; given the path the site is served
//! from (`--base-path /performance/`), its links start with that path instead.

use super::NOT_FOUND_FILE;
use super::collect::disk_segments;
use crate::html::{escape_html, unescape_html};
use crate::routes::encode;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// The API description is the live API's own and is copied as it is.
const OPENAPI_FILE: &str = "api/openapi.json";

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::HTML;

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
