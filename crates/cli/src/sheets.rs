//! `waymark template` and the template-shaped exports: the council's data from the store
//! (`Store::template_data`), written by `waymark_import::template` in the shape the importer
//! reads back.

use crate::Failure;
use crate::args::{SheetFormat, SheetKind, TemplateArgs};
use crate::commands::{open_existing, parse_as_of, parse_period, read_limited};
use std::io::Write as _;
use std::path::Path;
use waymark_domain::template::TemplateData;
use waymark_domain::text::fold;
use waymark_import::template::{self, Format, TemplateKind};

/// Which period and date an export reads.
pub struct Within<'a> {
    pub period: Option<&'a str>,
    pub as_of: Option<&'a str>,
}

fn kind(kind: SheetKind) -> TemplateKind {
    match kind {
        SheetKind::Plan => TemplateKind::Plan,
        SheetKind::Indicators => TemplateKind::Indicators,
        SheetKind::Returns => TemplateKind::Returns,
    }
}

fn format(format: SheetFormat) -> Format {
    match format {
        SheetFormat::Xlsx => Format::Xlsx,
        SheetFormat::Csv => Format::Csv,
    }
}

/// `waymark export plan|indicators|returns --format csv|xlsx`.
pub async fn export(
    db: &str,
    council: Option<&str>,
    what: SheetKind,
    sheet: SheetFormat,
    within: Within<'_>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let period = within.period.map(parse_period).transpose()?;
    let as_of = within.as_of.map(parse_as_of).transpose()?;
    let (store, org) = open_existing(db, council).await?;
    let data = store.template_data(&org, period, as_of).await?;
    store.close().await;
    let bytes = template::template(kind(what), format(sheet), &data)?;
    write_out(out, &bytes)
}

/// `waymark template KIND`: blank, or with --db the council's current data.
pub async fn template(
    db: &str,
    db_named: bool,
    council: Option<&str>,
    args: &TemplateArgs,
) -> Result<(), Failure> {
    let mut data = if db_named {
        let period = args.period.as_deref().map(parse_period).transpose()?;
        let (store, org) = open_existing(db, council).await?;
        let data = store.template_data(&org, period, None).await?;
        store.close().await;
        data
    } else {
        TemplateData {
            status_labels: waymark_domain::Status::ALL
                .iter()
                .map(|s| waymark_store::template::plain_label(*s).to_string())
                .filter(|l| !l.is_empty())
                .collect(),
            ..TemplateData::default()
        }
    };
    if args.blank {
        data = TemplateData {
            status_labels: data.status_labels,
            ..TemplateData::default()
        };
    }
    if let Some(path) = &args.vocabulary {
        let text = String::from_utf8(read_limited(path)?).map_err(|_| {
            Failure::Input(format!(
                "{}: the vocabulary file is not UTF-8 text",
                path.display()
            ))
        })?;
        let vocabulary = waymark_import::Vocabulary::from_toml(&path.display().to_string(), &text)?;
        for (label, _) in &vocabulary.labels {
            if !data.status_labels.iter().any(|l| fold(l) == fold(label)) {
                data.status_labels.push(label.clone());
            }
        }
    }
    let bytes = template::template(kind(args.kind), format(args.format), &data)?;
    write_out(args.out.as_deref(), &bytes)
}

/// Write to the file (replacing it) or to standard output.
pub fn write_out(out: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    match out {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| Failure::Input(format!("{}: cannot write the file: {e}", path.display()))),
        None => {
            std::io::stdout().lock().write_all(bytes)?;
            Ok(())
        }
    }
}
