//! The server's log lines and metrics: the `tracing` subscriber every command writes through,
//! and the Prometheus recorder `serve` installs.

use crate::args::LogFormat;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Request and render durations, in seconds: from a page served from memory (well under a
/// millisecond) to a report typeset on demand.
const DURATION_BUCKETS: [f64; 14] = [
    0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// What is logged when `RUST_LOG` does not say: everything at `info` for a server (its access
/// and render lines), and for other commands only warnings and the commands' own notes, so
/// their standard error stays quiet unless something needs saying.
pub fn default_filter(serving: bool) -> &'static str {
    if serving {
        "info"
    } else {
        "warn,waymark::commands=info,waymark::synth=info"
    }
}

/// Write log lines to standard error, in `format`, as `RUST_LOG` selects (default:
/// [`default_filter`]). An unreadable `RUST_LOG` is said, and the default used.
pub fn start_logging(format: LogFormat, serving: bool) {
    let default = default_filter(serving);
    let (filter, unreadable) = match EnvFilter::try_from_default_env() {
        Ok(filter) => (filter, None),
        Err(e) if std::env::var_os("RUST_LOG").is_some() => (EnvFilter::new(default), Some(e)),
        Err(_) => (EnvFilter::new(default), None),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second subscriber (only ever in tests calling this twice) is refused; the first stays.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
    };
    if let Some(e) = unreadable {
        tracing::warn!("RUST_LOG could not be read ({e}); logging as {default}");
    }
}

/// Install the Prometheus recorder for this process, with its upkeep running every few
/// seconds; `None` (said in the log) if a recorder is installed already.
pub fn install_metrics() -> Option<PrometheusHandle> {
    let built = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &DURATION_BUCKETS)
        .and_then(PrometheusBuilder::install_recorder);
    match built {
        Ok(handle) => {
            let upkeep = handle.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
                loop {
                    every.tick().await;
                    upkeep.run_upkeep();
                }
            });
            Some(handle)
        }
        Err(e) => {
            tracing::warn!("metrics are not recorded: {e}");
            None
        }
    }
}
