//! The bundled demo: the London Borough of Bexley's published pages, imported and summarised.

use crate::Failure;
use crate::args::{PeriodArgs, TextOrJson};
use crate::commands::View;
use crate::output;
use chrono::Utc;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_import::Vocabulary;
use waymark_store::{ImportOutcome, Incoming, Organisation, Store};

pub use waymark_import::bundled::BEXLEY;

/// Import the bundled Bexley documents as council `slug` (files already loaded are skipped).
pub async fn load(
    store: &Store,
    slug: &str,
) -> Result<(Organisation, Vec<ImportOutcome>), Failure> {
    let vocabulary = Vocabulary::default();
    let mut incoming = vec![];
    for (name, bytes) in BEXLEY {
        let document = waymark_import::import(name, bytes, None, &vocabulary)?;
        incoming.push(Incoming::new(name, bytes, document));
    }
    let org = store
        .organisation(Some(slug), Some("London Borough of Bexley"))
        .await?;
    let outcomes = store
        .import(&org, incoming, Utc::now(), &ReconcileOptions::default())
        .await?;
    // The bundled action plan is grouped by directorate, not outcome: the plan's own words
    // suggest each activity's outcome (published as "suggested" until a person confirms it).
    store.suggest_outcomes(&org, true, Utc::now()).await?;
    Ok((org, outcomes))
}

pub async fn run(
    db: &str,
    council: Option<&str>,
    config: &crate::config::Config,
    format: TextOrJson,
) -> Result<(), Failure> {
    let store = Store::open(db).await?;
    // The demo database gets its audit key beside it, as `waymark demo` serving does.
    let made = crate::keys::make_demo_key(config, db)?;
    // Shown without any password the URL holds.
    let db = &waymark_store::Location::parse(db)?.display();
    let (org, outcomes) = load(&store, council.unwrap_or("bexley")).await?;
    let view = View::load(
        &store,
        &org,
        &PeriodArgs {
            period: None,
            as_of: None,
        },
    )
    .await?;
    let stats = view.stats();
    let findings = view.findings();
    match format {
        TextOrJson::Json => output::print_json(&serde_json::json!({
            "database": db,
            "council": org.slug,
            "stats": output::stats_json(&stats),
            "findings": findings,
        }))?,
        TextOrJson::Text => {
            println!("Waymark demo: {} in {db}", org.name);
            for outcome in outcomes {
                match outcome {
                    ImportOutcome::Imported {
                        file,
                        kind,
                        summary,
                    } => println!("  imported {file} ({}): {summary}", kind.key()),
                    ImportOutcome::AlreadyImported { file, .. } => {
                        println!("  {file}: already loaded")
                    }
                }
            }
            println!();
            print!("{}", output::stats_text(&stats));
            println!();
            print!("{}", output::findings_text(&findings));
            if let Some(made) = &made {
                println!("Made an audit key at {}", made.display());
            }
            println!();
            println!("Next: waymark --db {db} check | reconcile | export activities --format csv");
        }
    }
    store.close().await;
    Ok(())
}
