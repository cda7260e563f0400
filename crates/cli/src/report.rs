//! `waymark report`: one report in one format, written to a file.

use crate::Failure;
use crate::args::{ReportArgs, ReportFormat, ReportKind};
use crate::commands::open_existing;
use crate::config::Config;
use chrono::Utc;
use std::path::Path;
use std::sync::Arc;
use waymark_report::{Format, Kind, Published, ReportError, Reporter, Request, Templates};

/// The council's templates (or the built-in ones) with every format's writer, PDF included.
pub fn reporter(config: &Config) -> Result<Arc<Reporter>, Failure> {
    let Some(folder) = &config.reports.templates else {
        return Ok(Arc::new(Reporter::new(
            Templates::builtin(),
            Some(waymark_report_pdf::render),
        )));
    };
    // Loading tries the HTML and Markdown templates; the council's report.typ and brand
    // (logo, font) are tried here by typesetting a small document, so a broken one stops
    // start-up instead of every PDF failing later.
    let reporter = Reporter::new(
        Templates::load(folder).map_err(failure)?,
        Some(waymark_report_pdf::render),
    );
    reporter
        .render(&waymark_report::document::sample(), Format::Pdf)
        .map_err(failure)?;
    Ok(Arc::new(reporter))
}

pub fn failure(e: ReportError) -> Failure {
    match e {
        ReportError::Template { .. } | ReportError::Unavailable(_) => Failure::Input(e.to_string()),
        ReportError::Store(e) => e.into(),
        ReportError::Write { .. } => Failure::Internal(e.into()),
    }
}

pub async fn run(
    db: &str,
    council: Option<&str>,
    config: &Config,
    args: &ReportArgs,
) -> Result<(), Failure> {
    let reporter = reporter(config)?;
    let (store, org) = open_existing(db, council).await?;
    let today = Utc::now().date_naive();
    let mut published = Published::load(&store, &org).await.map_err(failure)?;
    let period = match &args.period {
        // A draft may be of a quarter nothing has been published for yet.
        Some(text) if args.draft => crate::commands::parse_period(text)?,
        Some(text) => published
            .sources(today)
            .resolve_period(text)
            .map_err(failure)?,
        None => published
            .sources(today)
            .periods()
            .last()
            .copied()
            .ok_or_else(|| {
                Failure::Input(
                    "nothing has been reported yet, so there is no report to make".into(),
                )
            })?,
    };
    if args.draft {
        published = published
            .with_unpublished(&store, period, |_| true)
            .await
            .map_err(failure)?;
    }
    store.close().await;
    let kind = match args.kind {
        ReportKind::Annual => Kind::Annual,
        ReportKind::Exceptions => Kind::Exceptions,
        ReportKind::Portfolio => Kind::Portfolio,
    };
    let format = match args.format {
        ReportFormat::Html => Format::Html,
        ReportFormat::Pdf => Format::Pdf,
        ReportFormat::Xlsx => Format::Xlsx,
        ReportFormat::Docx => Format::Docx,
        ReportFormat::Md => Format::Md,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Json => Format::Json,
    };
    let doc = waymark_report::build(
        &published.sources(today),
        &Request {
            kind,
            period,
            portfolio: args.portfolio.clone(),
        },
    )
    .map_err(failure)?;
    let bytes = reporter.render(&doc, format).map_err(failure)?;
    write_replacing(&args.out, &bytes)?;
    println!(
        "wrote {}: {}{} ({} bytes)",
        args.out.display(),
        doc.title,
        if doc.draft { ", DRAFT" } else { "" },
        bytes.len()
    );
    Ok(())
}

/// Write beside the target and rename over it, so a reader never sees half a report.
fn write_replacing(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let shown = out.display();
    let name = out
        .file_name()
        .ok_or_else(|| Failure::Input(format!("--out {shown} is not a file name")))?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let temp = dir.join(format!(".{}.partial", name.to_string_lossy()));
    std::fs::write(&temp, bytes).map_err(|e| {
        // A disk that filled part-way leaves no half file behind.
        let _ = std::fs::remove_file(&temp);
        Failure::Input(format!("cannot write {shown}: {e}"))
    })?;
    std::fs::rename(&temp, out).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Failure::Input(format!("cannot write {shown}: {e}"))
    })
}
