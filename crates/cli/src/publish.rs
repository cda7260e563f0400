//! `waymark publish --out DIR`: the public site as files, for a council to host anywhere.

use crate::Failure;
use crate::args::PublishArgs;
use std::time::Instant;
use waymark_store::Store;
use waymark_web::export::{ExportError, ExportOptions, base_path, export};

/// Links that named no page are listed up to this many; the rest are counted.
const SHOWN_LINKS: usize = 10;

pub async fn run(
    db: &str,
    args: &PublishArgs,
    config: &crate::config::Config,
) -> Result<(), Failure> {
    let out = args.out.as_path();
    // Checked before anything is read, so a mistake costs nothing.
    let base = args
        .base_path
        .as_deref()
        .map(base_path)
        .transpose()
        .map_err(Failure::Input)?;
    let reporter = crate::report::reporter(config)?;
    let started = Instant::now();
    // Publishing only reads: it never creates a database.
    let store = Store::open_existing(db).await?;
    let summary = export(
        store,
        out,
        &ExportOptions {
            force: args.force,
            reporter: Some(reporter),
            base_path: base.clone(),
        },
    )
    .await
    .map_err(|e| match e {
        ExportError::Refused(msg) => Failure::Input(msg),
        ExportError::Store(e) => Failure::from(e),
        other => Failure::Internal(other.into()),
    })?;
    let elapsed = started.elapsed();
    if !summary.unresolved_links.is_empty() {
        let mut shown: Vec<String> = summary
            .unresolved_links
            .iter()
            .take(SHOWN_LINKS)
            .map(|link| format!("  {link}"))
            .collect();
        if summary.unresolved_links.len() > SHOWN_LINKS {
            shown.push(format!(
                "  and {} more",
                summary.unresolved_links.len() - SHOWN_LINKS
            ));
        }
        tracing::warn!(
            "{} links name no page of the site; they point at the 404 page:\n{}",
            summary.unresolved_links.len(),
            shown.join("\n")
        );
    }
    if !summary.skipped.is_empty() {
        tracing::warn!(
            "{} addresses could not be written as files and were left out: {}",
            summary.skipped.len(),
            summary.skipped.join(", ")
        );
    }
    let councils = match summary.councils {
        1 => "1 council".to_string(),
        n => format!("{n} councils"),
    };
    println!(
        "Published {councils} to {}: {} files ({} pages), {:.1} MB in {:.2} s \
         (reading and rendering {:.2} s, writing {:.2} s)",
        out.display(),
        summary.files,
        summary.pages,
        summary.bytes as f64 / 1_000_000.0,
        elapsed.as_secs_f64(),
        summary.rendering.as_secs_f64(),
        summary.writing.as_secs_f64()
    );
    match &base {
        Some(base) => println!(
            "Every link is relative: copy the directory to any web server, at the root or under \
             a path; point its 404 page at 404.html, whose links start with {base}."
        ),
        None => println!(
            "Every link is relative: copy the directory to any web server, at the root or under \
             a path; point its 404 page at 404.html (give --base-path for its links to work at \
             addresses below the top level)."
        ),
    }
    Ok(())
}
