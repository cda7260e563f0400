//! The site's memory: each council's data and rendered pages, kept until the council's data
//! version changes in the store.
//!
//! A write that finished before a request is always in its answer. With the store's change
//! signal ([`waymark_store::changes`]) a request learns that nothing was written since the
//! data was last read without asking the database. Without one (or when the signal cannot
//! vouch, e.g. while PostgreSQL's listener reconnects), freshness is checked per request but
//! shared: a request waits for one version check that *started after it arrived*, while many
//! concurrent requests share one check (like a group commit).

use crate::data::CouncilData;
use crate::page::Page;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use waymark_store::changes::{Changes, Token};
use waymark_store::{Organisation, Store, StoreError};

/// Most councils kept rendered at once; the least recently used is dropped past this.
const MAX_COUNCILS: usize = 64;
/// Most pages kept per council beyond those rendered up front (filtered lists, queries).
const MAX_EXTRA_PAGES: usize = 2_000;
/// Councils rendered up front, before any visitor asks.
const WARM_COUNCILS: usize = 16;
/// How long the change signal's word is taken without asking the database: a bound on how
/// stale a page can be if the signal itself fails unnoticed, at the price of one query a second.
const TRUST_SIGNAL: std::time::Duration = std::time::Duration::from_secs(1);
/// Councils rendered at once: the machines this runs on have two cores or more.
const RENDERS: usize = 2;

pub struct Site {
    pub store: Store,
    pub renderer: crate::render::Renderer,
    /// Nanoseconds since `epoch` at which the last completed version check started.
    checked_from: AtomicU64,
    epoch: Instant,
    check: tokio::sync::Mutex<()>,
    /// How the site learns of writes, once [`Site::watch`] has set it up.
    changes: std::sync::OnceLock<Changes>,
    /// The change token read just before the version check that made `snapshot`.
    seen: Mutex<Option<Token>>,
    snapshot: RwLock<Arc<Snapshot>>,
    councils: Mutex<HashMap<i64, Arc<Council>>>,
    /// Each council is rendered once at a time: a second request for it waits and then finds
    /// it ready.
    rendering: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    /// Renders of different councils run side by side, as many as `RENDERS` (so the
    /// background warm-up never makes a visitor wait for another council's render).
    renders: tokio::sync::Semaphore,
    /// Report files typeset at once, at most `RENDERS`: a burst of requests for reports not
    /// yet made queues instead of taking every thread (and each finds the file made by then).
    pub reports: tokio::sync::Semaphore,
    /// Whole-site pages (comparison, council list), emptied on any change.
    global: Mutex<HashMap<String, Arc<Page>>>,
    uses: AtomicU64,
}

/// The councils and their data versions as the last version check saw them.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub fingerprint: String,
    pub councils: Vec<Organisation>,
    pub versions: HashMap<i64, String>,
}

impl Snapshot {
    pub fn multi(&self) -> bool {
        self.councils.len() > 1
    }
}

/// One council's data and the pages rendered from it.
pub struct Council {
    pub version: String,
    pub data: CouncilData,
    pub prefix: String,
    pub multi: bool,
    pages: Mutex<HashMap<String, Arc<Page>>>,
    last_used: AtomicU64,
}

impl Council {
    pub fn page(&self, key: &str) -> Option<Arc<Page>> {
        self.pages.lock().ok()?.get(key).cloned()
    }

    /// The keys of every page kept (for `waymark publish`, which writes them all out).
    pub fn paths(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .pages
            .lock()
            .map(|pages| pages.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    /// Keep a page rendered on demand (a filtered list), up to a bound. Report files are
    /// kept whatever the bound: there are only so many (periods × reports × formats, each
    /// checked against the data before it is made), and each cost a typesetting to make, so
    /// pages asked for by anyone (filtered lists) never push them out.
    pub fn keep(&self, key: String, page: Arc<Page>, report: bool) {
        // A failure is not kept: the next request tries again.
        if page.status.is_server_error() {
            return;
        }
        if let Ok(mut pages) = self.pages.lock()
            && (report || pages.len() < MAX_EXTRA_PAGES)
        {
            pages.insert(key, page);
        }
    }
}

impl Site {
    pub fn new(store: Store) -> Site {
        Site {
            store,
            renderer: crate::render::Renderer::default(),
            checked_from: AtomicU64::new(0),
            epoch: Instant::now(),
            check: tokio::sync::Mutex::new(()),
            changes: std::sync::OnceLock::new(),
            seen: Mutex::new(None),
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            councils: Mutex::new(HashMap::new()),
            rendering: Mutex::new(HashMap::new()),
            renders: tokio::sync::Semaphore::new(RENDERS),
            reports: tokio::sync::Semaphore::new(RENDERS),
            global: Mutex::new(HashMap::new()),
            uses: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        // Never 0, so a site that has not checked yet always checks.
        self.epoch.elapsed().as_nanos() as u64 + 1
    }

    /// Learn of writes from the store's change signal instead of asking the database on every
    /// request (the server does this once at start; without it every request asks).
    pub async fn watch(&self) {
        let changes = self.store.watch_changes().await;
        tracing::info!(how = changes.describe(), "learning of changes to the data");
        let _ = self.changes.set(changes);
    }

    /// The snapshot as of a version check that started after this call began, or as of one no
    /// write has been committed since.
    pub async fn fresh(&self) -> Result<Arc<Snapshot>, StoreError> {
        let token = self.changes.get().and_then(Changes::token);
        // A signal is trusted for a while only: one that fails silently (a connection dropped
        // without a word) makes the site ask again within `TRUST_SIGNAL`.
        let recent = self
            .now()
            .saturating_sub(self.checked_from.load(Ordering::Acquire))
            < TRUST_SIGNAL.as_nanos() as u64;
        if token.is_some() && recent && self.seen.lock().is_ok_and(|seen| *seen == token) {
            return Ok(self.snapshot());
        }
        let arrived = self.now();
        if self.checked_from.load(Ordering::Acquire) > arrived {
            return Ok(self.snapshot());
        }
        let _turn = self.check.lock().await;
        if self.checked_from.load(Ordering::Acquire) > arrived {
            return Ok(self.snapshot());
        }
        let started = self.now();
        // Read before the check: a write committed during it changes the token again.
        let before = self.changes.get().and_then(Changes::token);
        let fingerprint = self.store.data_fingerprint().await?;
        if fingerprint != self.snapshot().fingerprint {
            let (councils, versions) =
                tokio::try_join!(self.store.organisations(), self.store.data_versions())?;
            let next = Arc::new(Snapshot {
                fingerprint,
                councils,
                versions,
            });
            if let Ok(mut snapshot) = self.snapshot.write() {
                *snapshot = next;
            }
            if let Ok(mut global) = self.global.lock() {
                global.clear();
            }
        }
        if let Ok(mut seen) = self.seen.lock() {
            *seen = before;
        }
        self.checked_from.store(started, Ordering::Release);
        Ok(self.snapshot())
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// A council's data and pages at the version `snapshot` saw, rendering them if needed.
    pub async fn council(
        &self,
        snapshot: &Snapshot,
        org: &Organisation,
    ) -> Result<Arc<Council>, StoreError> {
        let version = snapshot.versions.get(&org.id).cloned().unwrap_or_default();
        let multi = snapshot.multi();
        let current = |councils: &HashMap<i64, Arc<Council>>| {
            councils
                .get(&org.id)
                .filter(|c| c.version == version && c.multi == multi)
                .cloned()
        };
        if let Some(c) = self.councils.lock().ok().and_then(|c| current(&c)) {
            c.last_used
                .store(self.uses.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
            return Ok(c);
        }
        let lock = self
            .rendering
            .lock()
            .map(|mut locks| locks.entry(org.id).or_default().clone())
            .unwrap_or_default();
        let _this_council = lock.lock().await;
        if let Some(c) = self.councils.lock().ok().and_then(|c| current(&c)) {
            return Ok(c);
        }
        let _permit = self.renders.acquire().await.ok();
        let started = Instant::now();
        let data = CouncilData::load(&self.store, org).await?;
        let loaded = started.elapsed();
        let prefix = if multi {
            format!("/{}", org.slug)
        } else {
            String::new()
        };
        let pages = crate::pages::render_all(&self.renderer, &data, &prefix, multi);
        let rendered = started.elapsed() - loaded;
        metrics::counter!("waymark_renders_total").increment(1);
        metrics::histogram!("waymark_render_duration_seconds", "stage" => "read")
            .record(loaded.as_secs_f64());
        metrics::histogram!("waymark_render_duration_seconds", "stage" => "render")
            .record(rendered.as_secs_f64());
        tracing::info!(
            target: "waymark::render",
            council = %org.slug,
            read_ms = loaded.as_millis() as u64,
            pages = pages.len(),
            render_ms = rendered.as_millis() as u64,
            "council rendered"
        );
        let council = Arc::new(Council {
            version,
            data,
            prefix,
            multi,
            pages: Mutex::new(pages),
            last_used: AtomicU64::new(self.uses.fetch_add(1, Ordering::Relaxed)),
        });
        if let Ok(mut councils) = self.councils.lock() {
            councils.insert(org.id, council.clone());
            if councils.len() > MAX_COUNCILS
                && let Some(oldest) = councils
                    .iter()
                    .min_by_key(|(_, c)| c.last_used.load(Ordering::Relaxed))
                    .map(|(id, _)| *id)
            {
                councils.remove(&oldest);
            }
        }
        Ok(council)
    }

    /// Read and render every council up to the number kept, so first visitors are served
    /// from memory too.
    pub async fn warm(&self) -> Result<(), StoreError> {
        let snapshot = self.fresh().await?;
        for org in snapshot.councils.iter().take(WARM_COUNCILS) {
            self.council(&snapshot, org).await?;
        }
        Ok(())
    }

    /// Whether every council kept up front (as [`Site::warm`] renders them) has been
    /// rendered at least once: a server is ready for visitors then. A later change makes a
    /// council render again on its next visit, which does not make the server unready.
    pub fn rendered_once(&self, snapshot: &Snapshot) -> bool {
        let Ok(councils) = self.councils.lock() else {
            return false;
        };
        snapshot
            .councils
            .iter()
            .take(WARM_COUNCILS)
            .all(|org| councils.contains_key(&org.id))
    }

    pub fn global_page(&self, key: &str) -> Option<Arc<Page>> {
        self.global.lock().ok()?.get(key).cloned()
    }

    pub fn keep_global(&self, key: String, page: Arc<Page>) {
        if let Ok(mut global) = self.global.lock()
            && global.len() < MAX_EXTRA_PAGES
        {
            global.insert(key, page);
        }
    }
}
