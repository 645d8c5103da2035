//! Reloading the catalog without a restart: a thread polls the file and swaps in each good edit.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use super::{Catalog, CatalogErrors, LiveCatalog};

/// How often the watched file's modification time and length are looked at.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Stops the watcher when dropped (or by [`WatchHandle::stop`]).
#[must_use = "dropping the handle stops the watcher"]
pub struct WatchHandle {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl WatchHandle {
    /// Stops the watcher and waits for its thread to end (at most one poll's work).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// What identifies one version of the file: modification time and length (`None`: unreadable).
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Watches `path` (polling every 500 ms from a plain thread, so no async runtime is needed).
/// When the file changes it is parsed: a good edit replaces the live catalog and
/// `on_reload(Ok(number of APIs))` is called; a broken one (or an unreadable file) is refused,
/// the old catalog stays, every problem is logged with `tracing::warn!` and
/// `on_reload(Err(problems))` is called. The file's state when `watch` is called counts as
/// already loaded.
pub fn watch(
    path: PathBuf,
    live: Arc<LiveCatalog>,
    on_reload: impl Fn(Result<usize, &CatalogErrors>) + Send + 'static,
) -> WatchHandle {
    let (tx, rx) = mpsc::channel::<()>();
    let mut last = stamp(&path);
    let thread = std::thread::Builder::new()
        .name("catalog-watch".into())
        .spawn(move || loop {
            match rx.recv_timeout(POLL_INTERVAL) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return,
            }
            let now = stamp(&path);
            if now == last {
                continue;
            }
            last = now;
            match Catalog::load(&path) {
                Ok(catalog) => {
                    let n = catalog.len();
                    live.replace(catalog);
                    tracing::info!(path = %path.display(), apis = n, "catalog reloaded");
                    on_reload(Ok(n));
                }
                Err(errors) => {
                    for p in &errors.0 {
                        tracing::warn!(problem = %p, "catalog edit refused; keeping the current catalog");
                    }
                    on_reload(Err(&errors));
                }
            }
        })
        .expect("spawn the catalog watcher thread");
    WatchHandle {
        stop: Some(tx),
        thread: Some(thread),
    }
}
