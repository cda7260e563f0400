//! `waymark user` and `waymark audit`: staff accounts from the command line (the first admin
//! is made here) and the audit trail's check and export.

use crate::Failure;
use crate::args::{AuditWhat, CsvOrJson, RoleArg, TextOrJson, UserWhat};
use crate::commands::open_existing;
use chrono::Utc;
use std::io::Write;
use waymark_domain::workflow::Role;
use waymark_store::{NewUser, Store, Who};

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

pub async fn user(db: &str, council: Option<&str>, what: UserWhat) -> Result<(), Failure> {
    let (store, org) = open_existing(db, council).await?;
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

pub async fn audit(db: &str, council: Option<&str>, what: AuditWhat) -> Result<(), Failure> {
    match what {
        AuditWhat::Verify { expect_head } => {
            let store = Store::open_existing(db).await?;
            let check = store.verify_audit().await?;
            let mut problems = check.problems.clone();
            if let Some(expected) = expect_head
                && !check.head.eq_ignore_ascii_case(expected.trim())
            {
                problems.push(format!(
                    "the newest event's hash is {}, not {} as expected: events were removed from the end, or the trail was replaced",
                    check.head, expected.trim()
                ));
            }
            if problems.is_empty() {
                println!(
                    "The audit trail is intact: {} events, each following the one before.",
                    check.events
                );
                println!("Newest hash: {}", check.head);
                Ok(())
            } else {
                for p in &problems {
                    println!("BROKEN: {p}");
                }
                Err(Failure::Broken(format!(
                    "the audit trail has been tampered with ({} problem{} in {} events)",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" },
                    check.events
                )))
            }
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
