//! `waymark demo` and `waymark serve`: the public website.

use crate::Failure;
use crate::config::Config;
use std::sync::Arc;
use waymark_staff::{Staff, StaffConfig};
use waymark_store::{AuditKey, Store};
use waymark_web::Site;

/// The main job: make sure the database holds a council (Bexley's bundled documents when it is
/// empty), then serve the site.
pub async fn demo(
    db: &str,
    addr: &str,
    url: Option<String>,
    config: Config,
) -> Result<(), Failure> {
    // Refused before anything is created, unless the key is about to be made beside the file.
    let key = if crate::keys::demo_key_pending(&config, db) {
        None
    } else {
        Some(serving_key(db, addr, &config)?)
    };
    let store = Store::open(db).await?;
    if let Some(made) = crate::keys::make_demo_key(&config, db)? {
        println!(
            "Made an audit key at {}: it seals the audit trail; keep it with backups of the database, never inside them",
            made.display()
        );
    }
    let key = match key {
        Some(key) => key,
        None => serving_key(db, addr, &config)?,
    };
    if store.organisations().await?.is_empty() {
        let (org, _) = crate::demo::load(&store, "bexley").await?;
        println!(
            "Loaded the bundled documents of {} into {}",
            org.name,
            shown(db)
        );
    }
    run(store, key, db, addr, url, config).await
}

/// Serve an existing database; it is never created here.
pub async fn serve(
    db: &str,
    addr: &str,
    url: Option<String>,
    config: Config,
) -> Result<(), Failure> {
    let key = serving_key(db, addr, &config)?;
    let store = Store::open_existing(db).await?;
    run(store, key, db, addr, url, config).await
}

/// The deployment's audit key for serving; serving beyond this machine without one is
/// refused: there, the staff site writes the audit trail for people other than the operator,
/// and an unsealed trail can be rewritten by anyone who can write to the database.
fn serving_key(db: &str, addr: &str, config: &Config) -> Result<Option<AuditKey>, Failure> {
    match crate::keys::audit_key(config, db)? {
        Some((key, _)) => Ok(Some(key)),
        None if crate::keys::is_loopback(addr) => {
            eprintln!(
                "waymark: no audit key, so the audit trail is not sealed: set [audit] key_file in the configuration file or {} (required to serve beyond this machine)",
                crate::keys::KEY_FILE_ENV
            );
            Ok(None)
        }
        None => Err(Failure::Input(format!(
            "refusing to serve on {addr} without an audit key: the audit trail would not be sealed. Make one (e.g. `openssl rand -hex 32 > audit.key; chmod 600 audit.key`) and set [audit] key_file in the configuration file or {}{}",
            crate::keys::KEY_FILE_ENV,
            match crate::keys::beside_database(db) {
                Some(path) => format!(", or put it at {}", path.display()),
                None => String::new(),
            }
        ))),
    }
}

/// The site's address: `--url`, else the configuration file's, else where it is served.
fn base_url(url: Option<String>, config: &Config, local: &str) -> String {
    url.or_else(|| config.site.url.clone())
        .unwrap_or_else(|| format!("http://{local}"))
        .trim_end_matches('/')
        .to_string()
}

/// `waymark remind`: send the reminders due now (or list them with `--dry-run`).
pub async fn remind(db: &str, config: &Config, dry_run: bool) -> Result<(), Failure> {
    let store = crate::keys::attach(Store::open_existing(db).await?, config, db)?;
    let base = base_url(None, config, "127.0.0.1:8080");
    let now = chrono::Utc::now();
    if dry_run {
        for org in store.organisations().await? {
            let mut periods = vec![];
            for cycle in store.cycles(&org).await? {
                let items = store.cycle_items(&org, cycle.id).await?;
                periods.push((cycle, items));
            }
            let people = store.users(&org).await?;
            for r in
                waymark_mail::plan(now.date_naive(), &base, &periods, &people, config.reminders)
            {
                println!("{}: {}", r.to.email, r.subject);
            }
        }
        return Ok(());
    }
    let smtp = config.smtp.as_ref().ok_or_else(|| {
        Failure::Input("no [smtp] section in the configuration file (--config FILE)".into())
    })?;
    let mailer =
        waymark_mail::reminders::Mailer::new(smtp).map_err(|e| Failure::Input(e.to_string()))?;
    let sent = waymark_mail::send_reminders(&store, &mailer, &base, config.reminders, now)
        .await
        .map_err(|e| match e {
            waymark_mail::MailError::Store(e) => Failure::from(e),
            other => Failure::Input(other.to_string()),
        })?;
    if sent.is_empty() {
        println!("No reminders are due (or they were sent earlier today).");
    }
    for r in &sent {
        println!("Sent to {}: {}", r.to.email, r.subject);
    }
    Ok(())
}

fn shown(db: &str) -> String {
    waymark_store::Location::parse(db)
        .map(|l| l.display())
        .unwrap_or_else(|_| db.to_string())
}

async fn run(
    store: Store,
    key: Option<AuditKey>,
    db: &str,
    addr: &str,
    url: Option<String>,
    config: Config,
) -> Result<(), Failure> {
    let store = match key {
        Some(key) => store.with_audit_key(key),
        None => store,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Input(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr()?;
    let mut site = Site::new(store.clone());
    site.log_renders = true;
    site.renderer.reporter = crate::report::reporter(&config)?;
    let site = Arc::new(site);
    // Fail early if the data cannot be read; then render councils in the background, so a
    // restart listens at once (a visitor who comes first gets their council rendered on demand).
    site.fresh().await?;
    let warming = site.clone();
    tokio::spawn(async move {
        if let Err(e) = warming.warm().await {
            eprintln!("waymark: could not render ahead of visitors: {e}");
        }
    });
    if !waymark_web::server::assets_built() {
        eprintln!(
            "waymark: the front-end assets were not built into this binary (run scripts/assets); pages are served unstyled"
        );
    }
    // The address people use, for links the staff site hands out (set-up links, e-mails).
    let base = base_url(url, &config, &local.to_string());
    if let Some(smtp) = &config.smtp {
        let mailer = waymark_mail::reminders::Mailer::new(smtp)
            .map_err(|e| Failure::Input(e.to_string()))?;
        tokio::spawn(remind_hourly(
            store.clone(),
            mailer,
            base.clone(),
            config.reminders,
        ));
    }
    let plain = base.strip_prefix("http://").unwrap_or("");
    let host = plain.split(['/', ':']).next().unwrap_or("");
    if !plain.is_empty() && !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        eprintln!(
            "waymark: the staff site's address {base} is plain http on another machine: sign-in cookies are not marked Secure. Serve it over https (--url https://…) behind a TLS proxy."
        );
    }
    let staff_config = StaffConfig::new(&base)
        .with_sign_in(&config.sign_in)
        .map_err(|why| Failure::Input(format!("[sign_in]: {why}")))?;
    let mut staff = Staff::new(store.clone(), staff_config);
    if config.sign_in.password_checks_at_once > 0 {
        staff.passwords =
            waymark_staff::password::Checker::new(config.sign_in.password_checks_at_once);
    }
    staff.reporter = site.renderer.reporter.clone();
    if let Some(oidc) = &config.oidc {
        staff.sso = Some(
            waymark_staff::oidc::Sso::new(oidc.clone())
                .map_err(|e| Failure::Input(format!("[oidc]: {e}")))?,
        );
    }
    let staff = Arc::new(staff);
    let app = waymark_staff::router(staff).fallback_service(waymark_web::app(site));
    println!("Waymark is serving http://{local}/ from {}", shown(db));
    println!(
        "Staff site: {}/staff (make the first admin with `waymark user add --role admin EMAIL`)",
        base.trim_end_matches('/')
    );
    println!("Press Ctrl-C to stop.");
    let settings = config.server.settings(&base);
    waymark_web::serve_router(listener, app, settings, waymark_web::shutdown_signal()).await?;
    store.close().await;
    println!("Waymark stopped.");
    Ok(())
}

/// While serving: send the reminders due, every hour (each at most once a day).
async fn remind_hourly(
    store: Store,
    mailer: waymark_mail::reminders::Mailer,
    base: String,
    rules: waymark_mail::ReminderRules,
) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match waymark_mail::send_reminders(&store, &mailer, &base, rules, chrono::Utc::now()).await
        {
            Ok(sent) if !sent.is_empty() => eprintln!("waymark: sent {} reminders", sent.len()),
            Ok(_) => {}
            Err(e) => eprintln!("waymark: reminders could not be sent: {e}"),
        }
    }
}
