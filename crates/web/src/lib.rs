//! Waymark's public website, open data and JSON API.
//!
//! The site is a function of the published data: a council's pages are rendered when its data
//! changes, kept as compressed bytes with ETags, and served from memory. Before answering, the
//! server checks the store's data versions (one shared check for concurrent requests), so an
//! import that finished before a request is always reflected in the answer.

pub mod api;
pub mod chart;
pub mod data;
pub mod export;
pub mod filters;
pub mod html;
pub mod listen;
pub mod observe;
pub mod opendata;
pub mod page;
pub mod pages;
pub mod render;
pub mod routes;
pub mod server;
pub mod site;

pub use listen::ServerSettings;
pub use server::app;
pub use site::Site;

use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Serve the site on `listener` with the default limits until `shutdown` resolves, then
/// finish the requests in flight.
pub async fn serve(
    listener: TcpListener,
    site: Arc<Site>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listen::run(listener, app(site), ServerSettings::default(), shutdown).await
}

/// Serve any router (the public site merged with the staff site) on `listener` until
/// `shutdown` resolves, then finish the requests in flight; handlers can read the client's
/// address (`ConnectInfo<SocketAddr>`). `settings` holds the connection limits and whether
/// responses carry HSTS (see [`listen`]).
pub async fn serve_router(
    listener: TcpListener,
    router: axum::Router,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listen::run(listener, router, settings, shutdown).await
}

/// Resolves on Ctrl-C or SIGTERM: the signals a terminal or a service manager sends.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
