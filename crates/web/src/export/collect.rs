//! Collecting the export: every file the site serves without a query, each named for where
//! it is written.
//!
//! Layout: a page at `/p` is `p/index.html` (so a server that serves a directory's index still
//! answers the site's own addresses); an API resource at `/api/v1/r` is `api/v1/r.json`;
//! downloads, assets and `robots.txt` keep their names; page N of the activity list is
//! `activities/page/N/index.html`; the 404 page is `404.html`. A file name is the path
//! segment as the site encodes it (`BV%2012`), so no published text can name a file outside
//! the export; the segments `.`, `..` and `index.html` have their dots encoded too (`%2E%2E`),
//! which names the same page and can never clash with a directory's own index.

use super::{ExportError, NOT_FOUND_FILE};
use crate::filters::{self, Filters};
use crate::page::{HTML, JSON, Page};
use crate::render::{self, Renderer};
use crate::routes::{Global, Route, encode, path};
use crate::server;
use crate::site::{Council, Site};
use bytes::Bytes;
use percent_encoding::percent_decode_str;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const TEXT: &str = "text/plain; charset=utf-8";

/// One file of the export before its links are made relative.
pub(super) struct Item {
    /// The address it answers on the live site (with `?page=N` for the list's pages);
    /// `None` for the 404 page, which answers no address of its own.
    pub(super) path: Option<String>,
    pub(super) file: String,
    pub(super) content_type: &'static str,
    pub(super) body: Bytes,
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

/// Everything the site serves without a query, plus the API's latest-period documents and
/// each page of the activity list.
pub(super) async fn collect(site: &Site) -> Result<Collected, ExportError> {
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
            server::asset_type(name),
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

pub(super) struct Collected {
    items: Vec<Item>,
    /// Addresses no file can stand for (they answer no page of the site either).
    skipped: Vec<String>,
    pub(super) councils: usize,
}

impl Collected {
    /// The files to write, and the addresses left out: one file per address (the first to
    /// claim it), and no file where another needs a directory. The file names make both
    /// impossible for the site's own routes; this keeps any address that slips through from
    /// overwriting another's file.
    pub(super) fn one_file_each(self) -> (Vec<Item>, Vec<String>) {
        let Collected {
            items, mut skipped, ..
        } = self;
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
        (unique, skipped)
    }
}

/// Pages become directories; anything the site sends as a download (with its own file name,
/// such as a report as HTML) keeps its name, as do other files outside the API.
fn naming_of(path: &str, page: &Page) -> Naming {
    if page.content_type.starts_with("text/html") && page.download.is_none() {
        Naming::Page
    } else if server::is_api(path) {
        Naming::Resource
    } else {
        Naming::AsIs
    }
}

/// The file segments of an address's path: each decoded and encoded again the site's way, so
/// a segment can only hold letters, digits, `-._~` and `%`; `None` for an empty segment
/// inside the path.
pub(super) fn disk_segments(path: &str) -> Option<Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
