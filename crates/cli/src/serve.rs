//! `waymark demo` and `waymark serve`: the public website.

use crate::Failure;
use std::sync::Arc;
use waymark_staff::{Staff, StaffConfig};
use waymark_store::Store;
use waymark_web::Site;

/// The main job: make sure the database holds a council (Bexley's bundled documents when it is
/// empty), then serve the site.
pub async fn demo(db: &str, addr: &str, url: Option<&str>) -> Result<(), Failure> {
    let store = Store::open(db).await?;
    if store.organisations().await?.is_empty() {
        let (org, _) = crate::demo::load(&store, "bexley").await?;
        println!(
            "Loaded the bundled documents of {} into {}",
            org.name,
            shown(db)
        );
    }
    run(store, db, addr, url).await
}

/// Serve an existing database; it is never created here.
pub async fn serve(db: &str, addr: &str, url: Option<&str>) -> Result<(), Failure> {
    let store = Store::open_existing(db).await?;
    run(store, db, addr, url).await
}

fn shown(db: &str) -> String {
    waymark_store::Location::parse(db)
        .map(|l| l.display())
        .unwrap_or_else(|_| db.to_string())
}

async fn run(store: Store, db: &str, addr: &str, url: Option<&str>) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Input(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr()?;
    let mut site = Site::new(store.clone());
    site.log_renders = true;
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
    let base = url
        .map(str::to_string)
        .unwrap_or_else(|| format!("http://{local}"));
    let staff = Arc::new(Staff::new(store.clone(), StaffConfig::new(&base)));
    let app = waymark_staff::router(staff).fallback_service(waymark_web::app(site));
    println!("Waymark is serving http://{local}/ from {}", shown(db));
    println!(
        "Staff site: {}/staff (make the first admin with `waymark user add --role admin EMAIL`)",
        base.trim_end_matches('/')
    );
    println!("Press Ctrl-C to stop.");
    waymark_web::serve_router(listener, app, waymark_web::shutdown_signal()).await?;
    store.close().await;
    println!("Waymark stopped.");
    Ok(())
}
