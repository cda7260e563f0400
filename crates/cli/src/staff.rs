//! `waymark user` and `waymark audit`: staff accounts from the command line (the first admin
//! is made here) and the audit trail's check and export.

use crate::Failure;
use crate::args::{AuditWhat, CsvOrJson, RoleArg, TextOrJson, UserWhat};
use crate::commands::open_existing;
use crate::config::Config;
use crate::keys;
use chrono::Utc;
use std::io::Write;
use std::path::Path;
use waymark_domain::workflow::Role;
use waymark_store::{AuditCheck, Checkpoint, CheckpointError, Location, NewUser, Store, Who};

fn role(arg: RoleArg) -> Role {
    match arg {
        RoleArg::Admin => Role::Admin,
        RoleArg::Director => Role::Director,
        RoleArg::Owner => Role::Owner,
        RoleArg::Reader => Role::Reader,
    }
}

/// The link a person follows to set their password.
pub fn setup_link(base: &str, token: &str) -> String {
    format!("{}/staff/setup/{token}", base.trim_end_matches('/'))
}

pub async fn user(
    db: &str,
    council: Option<&str>,
    config: &Config,
    what: UserWhat,
) -> Result<(), Failure> {
    let (store, org) = open_existing(db, council).await?;
    let store = keys::attach(store, config, db)?;
    let who = Who::command_line();
    match what {
        UserWhat::Add {
            email,
            role: role_arg,
            name,
            directorate,
            url,
        } => {
            let user = store
                .add_user(
                    &org,
                    &NewUser {
                        email,
                        name: name.unwrap_or_default(),
                        role: role(role_arg),
                        directorate,
                    },
                    &who,
                    Utc::now(),
                )
                .await?;
            let token = store.issue_setup_link(&user, &who, Utc::now()).await?;
            println!(
                "Added {} ({}) to {}.",
                user.email,
                user.role.name(),
                org.name
            );
            print_link(&user.email, &url, &token);
        }
        UserWhat::Link { email, url } => {
            let user = store
                .user_by_email(&email)
                .await?
                .filter(|u| u.org_id == org.id)
                .ok_or_else(|| {
                    Failure::Input(format!("{} has no account for {email}", org.name))
                })?;
            let token = store.issue_setup_link(&user, &who, Utc::now()).await?;
            print_link(&user.email, &url, &token);
        }
        UserWhat::List { format } => {
            let users = store.users(&org).await?;
            match format {
                TextOrJson::Json => {
                    let rows: Vec<_> = users
                        .iter()
                        .map(|u| {
                            serde_json::json!({
                                "email": u.email,
                                "name": u.name,
                                "role": u.role.key(),
                                "directorate": u.directorate,
                                "active": u.active,
                                "password_set": u.password_hash.is_some(),
                            })
                        })
                        .collect();
                    crate::output::print_json(&rows)?;
                }
                TextOrJson::Text => {
                    if users.is_empty() {
                        println!("{} has no staff accounts yet.", org.name);
                    }
                    for u in &users {
                        let mut line = format!("{}  {}", u.email, u.role.key());
                        if let Some(d) = &u.directorate {
                            line.push_str(&format!(" ({d})"));
                        }
                        if !u.active {
                            line.push_str("  [deactivated]");
                        } else if u.password_hash.is_none() && u.oidc_subject.is_none() {
                            line.push_str("  [set-up link not used yet]");
                        }
                        println!("{line}");
                    }
                }
            }
        }
    }
    Ok(())
}

fn print_link(email: &str, base: &str, token: &str) {
    println!(
        "Send this one-time link to {email} to set their password (it works once, for {} hours):",
        waymark_store::accounts::SETUP_LINK_HOURS
    );
    println!("{}", setup_link(base, token));
}

pub async fn audit(
    db: &str,
    council: Option<&str>,
    config: &Config,
    what: AuditWhat,
) -> Result<(), Failure> {
    match what {
        AuditWhat::Verify {
            checkpoint,
            public_key,
            expect_head,
        } => {
            // The checkpoint is read and its signature checked before the database is opened.
            let checkpoint = match &checkpoint {
                Some(path) => Some(read_checkpoint(path, public_key.as_deref(), config, db)?),
                None => None,
            };
            let store = keys::attach(Store::open_existing(db).await?, config, db)?;
            let check = store
                .verify_audit_against(checkpoint.as_ref().map(|c| &c.position))
                .await;
            store.close().await;
            let check = check?;
            let mut problems = check.problems.clone();
            if let Some(expected) = expect_head
                && !check.head.eq_ignore_ascii_case(expected.trim())
            {
                problems.push(format!(
                    "the newest event's hash is {}, not {} as expected: events were removed from the end, the trail was replaced, or events were added since (a checkpoint allows for those)",
                    check.head, expected.trim()
                ));
            }
            if problems.is_empty() {
                println!(
                    "The audit trail is intact: {} events, each following the one before.",
                    check.events
                );
                print_seals(&check);
                match check.rows_checked {
                    0 => {}
                    1 => println!("Rows: the data row an event recorded is as recorded."),
                    n => println!("Rows: the {n} data rows events recorded are as recorded."),
                }
                if let (Some(c), Some(since)) = (&checkpoint, check.since_checkpoint) {
                    println!(
                        "Checkpoint: event {} still has the hash recorded {} and nothing after it was removed ({since} event{} since).",
                        c.position.seq,
                        c.position.taken_at,
                        if since == 1 { "" } else { "s" }
                    );
                }
                println!("Newest hash: {}", check.head);
                Ok(())
            } else {
                for p in &problems {
                    println!("BROKEN: {p}");
                }
                print_seals(&check);
                Err(Failure::Broken(format!(
                    "the audit trail has been tampered with ({} problem{} in {} events)",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" },
                    check.events
                )))
            }
        }
        AuditWhat::Checkpoint { out, key_file } => {
            if out.exists() {
                return Err(Failure::Input(format!(
                    "{} already exists; a checkpoint never overwrites a file, choose a new name",
                    out.display()
                )));
            }
            let store = keys::attach(Store::open_existing(db).await?, config, db)?;
            let check = store.verify_audit().await;
            store.close().await;
            let check = check?;
            if !check.problems.is_empty() {
                for p in &check.problems {
                    println!("BROKEN: {p}");
                }
                return Err(Failure::Broken(format!(
                    "the audit trail is broken ({} problems); no checkpoint was written, as it would vouch for a tampered trail",
                    check.problems.len()
                )));
            }
            if !check.seals_checked {
                tracing::warn!(
                    "there is no audit key, so the events' seals were not checked before this checkpoint (set [audit] key_file or {})",
                    keys::KEY_FILE_ENV
                );
            }
            let (key, key_path, made) = keys::signing_key(config, db, key_file.as_deref())?;
            if made {
                println!(
                    "Made a new checkpoint signing key at {} (public key in {}).",
                    key_path.display(),
                    keys::public_key_path(&key_path).display()
                );
            }
            let database = Location::parse(db).ok().map(|l| l.display());
            let checkpoint = Checkpoint::sign(check.position(database, Utc::now()), &key)?;
            write_new(&out, checkpoint.to_json()?.as_bytes())?;
            println!(
                "Wrote {}: event {} of {}, hash {}.",
                out.display(),
                check.head_seq,
                check.events,
                check.head
            );
            println!(
                "Signed with public key {}. Keep the checkpoint off this server; check it later with `waymark audit verify --checkpoint {}`.",
                checkpoint.public_key,
                out.display()
            );
            Ok(())
        }
        AuditWhat::Export { format, all, out } => {
            let (store, events) = if all {
                let store = Store::open_existing(db).await?;
                let events = store.audit_export(None).await?;
                (store, events)
            } else {
                let (store, org) = open_existing(db, council).await?;
                let events = store.audit_export(Some(&org)).await?;
                (store, events)
            };
            store.close().await;
            let bytes = match format {
                CsvOrJson::Csv => waymark_staff::export::audit_csv(&events)
                    .map_err(|e| Failure::Internal(e.into()))?,
                CsvOrJson::Json => waymark_staff::export::audit_json(&events)
                    .map_err(|e| Failure::Internal(e.into()))?,
            };
            match out {
                Some(path) => std::fs::write(&path, &bytes)
                    .map_err(|e| Failure::Input(format!("cannot write {}: {e}", path.display())))?,
                None => std::io::stdout().lock().write_all(&bytes)?,
            }
            Ok(())
        }
    }
}

/// "Seals: …": what the seals showed, or why they were not checked.
fn print_seals(check: &AuditCheck) {
    let before = match check.unsealed_before_sealing {
        0 => String::new(),
        n => format!(
            "; {n} event{} before sealing began",
            if n == 1 { "" } else { "s" }
        ),
    };
    if check.seals_checked {
        println!(
            "Seals: {} event{} sealed, each checked with the audit key{before}.",
            check.sealed,
            if check.sealed == 1 { "" } else { "s" }
        );
    } else {
        println!(
            "Seals: not checked, as there is no audit key ({} events carry one{before}); set [audit] key_file or {}.",
            check.sealed,
            keys::KEY_FILE_ENV
        );
    }
}

/// Read a checkpoint, check its signature, and that it was signed by the pinned key: the one
/// given, else the deployment's own signing key when this machine has it.
fn read_checkpoint(
    path: &Path,
    public_key: Option<&Path>,
    config: &Config,
    db: &str,
) -> Result<Checkpoint, Failure> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::Input(format!("cannot read the checkpoint {shown}: {e}")))?;
    if !meta.is_file() || meta.len() > 64 * 1024 {
        return Err(Failure::Input(format!("{shown} is not a checkpoint file")));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("cannot read the checkpoint {shown}: {e}")))?;
    let checkpoint = Checkpoint::parse(&shown, &text).map_err(refused)?;
    let pinned = match public_key {
        Some(file) => Some(keys::read_public_key(file)?),
        None => keys::signing_key_path(config, db, None)
            .filter(|p| p.exists())
            .map(|p| keys::public_key_path(&p))
            .filter(|p| p.exists())
            .map(|p| keys::read_public_key(&p))
            .transpose()?,
    };
    match pinned {
        Some(key) => checkpoint.signed_by(&shown, &key).map_err(refused)?,
        None => tracing::warn!(
            "{shown} was checked against the public key it carries ({}); pin the deployment's key with --public-key FILE",
            checkpoint.public_key
        ),
    }
    Ok(checkpoint)
}

/// A file that is not a checkpoint at all is a usage error; one whose signature fails was
/// changed or forged, which is what verifying exists to catch.
fn refused(e: CheckpointError) -> Failure {
    match e {
        CheckpointError::Unreadable(message) => Failure::Input(message),
        CheckpointError::Forged(message) => Failure::Broken(message),
    }
}

/// Write a new file, never replacing one.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let shown = path.display();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Failure::Input(format!("cannot write {shown}: {e}")))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Failure::Input(format!("cannot write {shown}: {e}")))
}
