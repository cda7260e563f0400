//! `waymark backup`, `restore` and `copy`: whole databases, for keeping a copy and for moving
//! from a SQLite file to a PostgreSQL service (or back). The work is the store's; this names
//! the databases as people typed them (passwords hidden) and says what was copied.

use crate::Failure;
use std::path::Path;
use waymark_store::{CopySummary, Location, Store, StoreError};

/// "1,204 rows (2 councils)".
fn describe(summary: &CopySummary) -> String {
    let councils = summary.councils();
    let plural = if councils == 1 { "" } else { "s" };
    format!("{} rows ({councils} council{plural})", summary.rows())
}

/// A database as shown to people: a path, or a URL without its password.
fn shown(location: &str) -> Result<String, Failure> {
    Ok(Location::parse(location)?.display())
}

/// Usage errors of a copy say which database they are about.
fn about(target: &str, e: StoreError) -> Failure {
    match e {
        StoreError::Usage(msg) => Failure::Input(format!("cannot copy into {target}: {msg}")),
        other => other.into(),
    }
}

pub async fn backup(db: &str, out: &Path) -> Result<(), Failure> {
    let store = Store::open_existing(db).await?;
    let summary = store.backup(out).await;
    store.close().await;
    let summary = summary?;
    println!(
        "backed up {} from {} to {}",
        describe(&summary),
        shown(db)?,
        out.display()
    );
    Ok(())
}

pub async fn restore(db: &str, file: &Path, replace: bool) -> Result<(), Failure> {
    // The backup is checked before the target is opened: a bad file creates no database.
    let source = Store::open_backup(file).await?;
    let target = match Store::open(db).await {
        Ok(target) => target,
        Err(e) => {
            source.close().await;
            return Err(e.into());
        }
    };
    let copied = source.copy_to(&target, replace).await;
    source.close().await;
    target.close().await;
    let summary = copied.map_err(|e| about(&shown(db).unwrap_or_default(), e))?;
    println!(
        "restored {} from {} into {}",
        describe(&summary),
        file.display(),
        shown(db)?
    );
    Ok(())
}

/// Whether two locations name the same database (a SQLite file by any path to it).
fn same_database(a: &Location, b: &Location) -> bool {
    match (a, b) {
        (Location::Sqlite(a), Location::Sqlite(b)) => {
            match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
                (Ok(a), Ok(b)) => a == b,
                _ => a == b,
            }
        }
        _ => a == b,
    }
}

pub async fn copy(from: &str, to: &str, replace: bool) -> Result<(), Failure> {
    let (from_shown, to_shown) = (shown(from)?, shown(to)?);
    if same_database(&Location::parse(from)?, &Location::parse(to)?) {
        return Err(Failure::Input(format!(
            "--from and --to both name {from_shown}; copy into another database"
        )));
    }
    let source = Store::open_existing(from).await?;
    let target = match Store::open(to).await {
        Ok(target) => target,
        Err(e) => {
            source.close().await;
            return Err(e.into());
        }
    };
    let copied = source.copy_to(&target, replace).await;
    source.close().await;
    target.close().await;
    let summary = copied.map_err(|e| about(&to_shown, e))?;
    println!(
        "copied {} from {from_shown} to {to_shown}",
        describe(&summary)
    );
    Ok(())
}
