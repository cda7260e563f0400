//! Councils loaded as `waymark import` loads them: each file read by the importer, then all
//! stored in one import.

use chrono::Utc;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_import::Vocabulary;
use waymark_store::{Incoming, Organisation, Store};

/// Import documents given as (file name, bytes) as council `slug`, in one import.
pub async fn import_files(
    store: &Store,
    slug: &str,
    name: &str,
    files: &[(&str, &[u8])],
) -> Organisation {
    let vocabulary = Vocabulary::default();
    let incoming: Vec<Incoming> = files
        .iter()
        .map(|(file, bytes)| {
            let document = waymark_import::import(file, bytes, None, &vocabulary)
                .unwrap_or_else(|e| panic!("{file} does not import: {e}"));
            Incoming::new(file, bytes, document)
        })
        .collect();
    let org = store
        .organisation(Some(slug), Some(name))
        .await
        .expect("council");
    store
        .import(&org, incoming, Utc::now(), &ReconcileOptions::default())
        .await
        .unwrap_or_else(|e| panic!("importing {slug}'s documents: {e}"));
    org
}

/// The London Borough of Bexley's published pages (bundled with the importer), as council
/// `bexley`.
pub async fn load_bexley(store: &Store) -> Organisation {
    import_files(
        store,
        "bexley",
        "London Borough of Bexley",
        &waymark_import::bundled::BEXLEY,
    )
    .await
}
