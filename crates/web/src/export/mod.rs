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
//! Three steps, a module each: `collect` gathers every file and names it, `links` makes the
//! links in each file relative, and `replace` writes the export beside the target and puts it
//! in place, so an interrupted export never leaves half a site where the old one was.

mod collect;
mod links;
mod replace;

pub use links::{Links, base_path};

use crate::render::{RenderError, Renderer};
use crate::site::Site;
use collect::{Collected, Item};
use replace::Target;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use waymark_store::{Store, StoreError};

/// Written at the top of every export: says what made it (so `--force` replaces only an
/// earlier export) and maps each of the site's addresses to its file.
pub const MANIFEST: &str = ".waymark-publish.json";
/// The page a static server shows for a missing file (nginx and most hosts can be pointed
/// at it; several pick it up by that name).
pub const NOT_FOUND_FILE: &str = "404.html";

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
    let collected = collect::collect(&site).await?;
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

fn write_all(target: &Target, collected: Collected) -> Result<ExportSummary, ExportError> {
    let councils = collected.councils;
    let (items, skipped) = collected.one_file_each();
    let manifest_pages: BTreeMap<String, String> = items
        .iter()
        .filter_map(|i| Some((i.path.clone()?, i.file.clone())))
        .collect();
    let links = Links::new(manifest_pages.clone()).with_base_path(target.base_path.clone());
    let mut summary = target.replace_with(|temp| {
        write_files(temp, &items, &links, &manifest_pages, councils, target)
    })?;
    summary.skipped = skipped;
    Ok(summary)
}

/// Every file with its links made relative, then the manifest, into `temp`.
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
