//! `waymark demo` and `waymark serve`: the public website.

use crate::Failure;
use crate::config::Config;
use std::sync::Arc;
use waymark_staff::{Staff, StaffConfig};
use waymark_store::{AuditKey, Store};
use waymark_web::Site;
use waymark_web::observe::{self, Ops, ops_router};

/// Render every council ahead of visitors, trying again while the database is unavailable:
/// the server is not ready (`/readyz`) until this is done.
async fn warm_until_done(site: Arc<Site>) {
    let mut wait = std::time::Duration::from_millis(500);
    loop {
        match site.warm().await {
            Ok(()) => return,
            Err(e) => tracing::warn!(
                "could not render ahead of visitors ({e}); trying again in {} s",
                wait.as_secs_f64()
            ),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(std::time::Duration::from_secs(30));
    }
}

/// The main job: make sure the database holds a council (Bexley's bundled documents when it is
/// empty), then serve the site.
/// Where a server listens and is reached.
pub struct Addresses {
    /// The address to serve the sites on.
    pub addr: String,
    /// The address people reach the site at, if not `addr` over http.
    pub url: Option<String>,
    /// A second address for the operations endpoints, metrics included.
    pub admin: Option<String>,
}

pub async fn demo(db: &str, at: Addresses, config: Config) -> Result<(), Failure> {
    let addr = at.addr.as_str();
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
    run(store, key, db, at, config).await
}

/// Serve an existing database; it is never created here.
pub async fn serve(db: &str, at: Addresses, config: Config) -> Result<(), Failure> {
    let key = serving_key(db, &at.addr, &config)?;
    let store = Store::open_existing(db).await?;
    run(store, key, db, at, config).await
}

/// The deployment's audit key for serving; serving beyond this machine without one is
/// refused: there, the staff site writes the audit trail for people other than the operator,
/// and an unsealed trail can be rewritten by anyone who can write to the database.
fn serving_key(db: &str, addr: &str, config: &Config) -> Result<Option<AuditKey>, Failure> {
    match crate::keys::audit_key(config, db)? {
        Some((key, _)) => Ok(Some(key)),
        None if crate::keys::is_loopback(addr) => {
            tracing::warn!(
                "no audit key, so the audit trail is not sealed: set [audit] key_file in the configuration file or {} (required to serve beyond this machine)",
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
    at: Addresses,
    config: Config,
) -> Result<(), Failure> {
    let store = match key {
        Some(key) => store.with_audit_key(key),
        None => store,
    };
    let addr = at.addr.as_str();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Input(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr()?;
    let admin_listener = match &at.admin {
        Some(admin) => Some(
            tokio::net::TcpListener::bind(admin)
                .await
                .map_err(|e| Failure::Input(format!("cannot listen on {admin}: {e}")))?,
        ),
        None => None,
    };
    let metrics = crate::telemetry::install_metrics();
    let mut site = Site::new(store.clone());
    site.renderer.reporter = crate::report::reporter(&config)?;
    let site = Arc::new(site);
    site.watch().await;
    site.fresh().await?;
    tokio::spawn(warm_until_done(site.clone()));
    if !waymark_web::server::assets_built() {
        tracing::warn!(
            "the front-end assets were not built into this binary (run scripts/assets); pages are served unstyled"
        );
    }
    let base = base_url(at.url, &config, &local.to_string());
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
        tracing::warn!(
            "the staff site's address {base} is plain http on another machine: sign-in cookies are not marked Secure. Serve it over https (--url https://…) behind a TLS proxy."
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
    let ops = Arc::new(Ops {
        site: site.clone(),
        metrics: metrics.map(|handle| {
            Box::new(move || handle.render()) as Box<dyn Fn() -> String + Send + Sync>
        }),
    });
    // Metrics are on the main address unless the operator gave them an address of their own.
    let app = ops_router(ops.clone(), admin_listener.is_none())
        .merge(
            waymark_staff::router(staff)
                .layer(axum::middleware::from_fn(observe::name_matched_route)),
        )
        .fallback_service(waymark_web::app(site));
    let settings = config.server.settings(&base);
    if let Some(admin_listener) = admin_listener {
        let admin_local = admin_listener.local_addr()?;
        let admin = waymark_web::serve_router(
            admin_listener,
            ops_router(ops, true),
            settings.clone(),
            waymark_web::shutdown_signal(),
        );
        tokio::spawn(async move {
            if let Err(e) = admin.await {
                tracing::error!("the operations address stopped: {e}");
            }
        });
        println!("Operations (health, readiness, metrics): http://{admin_local}/");
    }
    println!("Waymark is serving http://{local}/ from {}", shown(db));
    println!(
        "Staff site: {}/staff (make the first admin with `waymark user add --role admin EMAIL`)",
        base.trim_end_matches('/')
    );
    println!("Press Ctrl-C to stop.");
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
            Ok(sent) if !sent.is_empty() => tracing::info!("sent {} reminders", sent.len()),
            Ok(_) => {}
            Err(e) => tracing::error!("reminders could not be sent: {e}"),
        }
    }
}
