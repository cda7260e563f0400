//! `waymark synth`: load deterministic synthetic councils (plans, quarterly returns with
//! commentary, indicator values) for scale tests, benchmarks and demonstrations.

use crate::Failure;
use chrono::{DateTime, Days, NaiveDate, Utc};
use std::time::Instant;
use waymark_domain::Document;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_store::{Incoming, Store};
use waymark_synth::{SynthDocument, SynthSpec};

/// When a synthetic document would have been published: a report three weeks after its
/// quarter ends, a plan at the start of its first year, the indicator table after the last.
fn published(spec: &SynthSpec, doc: &SynthDocument) -> DateTime<Utc> {
    let first = NaiveDate::from_ymd_opt(i32::from(spec.first_year), 4, 1).unwrap_or_default();
    let date = match &doc.document {
        Document::ActivityReport(r) => r.period.end() + Days::new(21),
        Document::KpiTable(_) => {
            let years = u64::try_from(spec.years).unwrap_or(0);
            first + Days::new(365 * years + 60)
        }
        _ => first,
    };
    date.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc()
}

pub async fn run(db: &str, spec: SynthSpec) -> Result<(), Failure> {
    spec.validate().map_err(Failure::Input)?;
    let store = Store::open(db).await?;
    let options = ReconcileOptions::default();
    let started = Instant::now();
    let (mut documents, mut added) = (0usize, 0usize);
    for (i, council) in waymark_synth::councils(&spec).enumerate() {
        let org = store
            .organisation(Some(&council.slug), Some(&council.name))
            .await?;
        // One import per document, each stamped with its publication date, so `--as-of`
        // reads the synthetic history as it would have stood.
        for doc in council.documents {
            let at = published(&spec, &doc);
            let incoming = Incoming::generated(&doc.file_name, doc.document);
            let outcomes = store.import(&org, vec![incoming], at, &options).await?;
            documents += 1;
            added += outcomes
                .iter()
                .filter(|o| matches!(o, waymark_store::ImportOutcome::Imported { .. }))
                .count();
        }
        if (i + 1) % 50 == 0 {
            tracing::info!(
                "{} of {} councils loaded ({:.1} s)",
                i + 1,
                spec.councils,
                started.elapsed().as_secs_f64()
            );
        }
    }
    store.after_bulk_load().await?;
    println!(
        "synth: {} councils × {} activities × {} years: {documents} documents ({added} new, {} already loaded), {} quarterly returns, in {:.1} s",
        spec.councils,
        spec.activities,
        spec.years,
        documents - added,
        spec.councils * spec.activities * spec.years * 4,
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}
