//! Flow control (pipeline step 6): per-second and daily limits per app, app×API, API, user,
//! session and partner. `docs/flow-control.md` is the operator's view.
//!
//! The limits come from the registry snapshot ([`LimitTable`]) and, for an API, from the
//! catalog (`limits = { .. }`); a registry `api` limit on the same method replaces the
//! catalog's. A call hits every counter that has a limit, in this order: every per-second
//! counter (app, app×API, API, user, session, partner: code 8), then the daily ones: app,
//! app×API, API (code 7 with its three sub codes), user (4), session (5), partner (6). The first
//! counter over its limit answers; the call is not counted anywhere.
//!
//! Counter keys are `<scope>:<subject>`: `app:KEY`, `app-api:KEY|method`, `api:method`,
//! `user:nick`, `session:key`, `partner:id`; the window (epoch second, GMT+8 day) goes beside
//! the key. Keys are built in a per-thread buffer, so a call allocates nothing once its counters
//! exist.
//!
//! Counters live in memory ([`MemoryCounters`]); the daily ones are persisted to `counters.db`
//! once a second ([`persist`]): a crash loses at most the last second of counts. Or they live
//! in Redis, shared by every node ([`RedisCounters`], `[counters]` in the configuration, see
//! [`CounterSettings`]), with a policy for when Redis is unreachable ([`SharedCounters`]).

// A `Failure` is the cold path and carries what the archive needs (as in the pipeline).
#![allow(clippy::result_large_err)]

mod counters;
mod fxhash;
pub mod persist;
mod plan;
mod redis;
mod redis_keys;
mod settings;
mod shared;
mod table;
mod window;

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::catalog::ApiSpec;
use crate::failure::Failure;
use crate::registry::{AppEntry, SessionEntry, Snapshot};

pub use counters::{Changes, CounterCheck, CounterStore, MemoryCounters, Rejected, Window};
pub use redis::RedisCounters;
pub use settings::{CounterBackend, CounterSettings, OnFailure};
pub use shared::{Refused, RemoteCounters, SharedCounters, Unreachable};
pub use table::{LimitTable, Rates};
pub use window::{ban_seconds, gmt8_day, second_of};

use persist::CounterDb;
use plan::Plan;

thread_local! {
    /// The counter keys of the call being checked, end to end (reused: no allocation per call).
    static KEYS: RefCell<String> = RefCell::new(String::with_capacity(256));
}

/// The flow-control step of the pipeline.
pub struct Limiter {
    counters: Counters,
    persisted: Option<Arc<Persisted>>,
    /// The registry revision whose counter resets have been applied.
    seen_revision: AtomicI64,
}

/// Where the counters are: this process (no await, no allocation), or shared by every node.
enum Counters {
    Local(Arc<dyn CounterStore>),
    Shared(Arc<SharedCounters>),
}

/// The in-memory counters and their copy on disk.
struct Persisted {
    counters: Arc<MemoryCounters>,
    db: Mutex<CounterDb>,
}

impl Persisted {
    fn flush(&self) -> anyhow::Result<()> {
        // Held across drain and write, so writes land in the order of the drains.
        let mut db = self.db.lock();
        let changes = self.counters.drain();
        if changes.is_empty() {
            return Ok(());
        }
        db.write(&changes)
            .inspect_err(|_| self.counters.requeue(changes))
    }
}

impl Drop for Persisted {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::warn!(error = %e, "the last second of flow-control counts was not saved");
        }
    }
}

impl Limiter {
    /// Counters in memory only, not persisted (tests, benchmarks).
    pub fn in_memory() -> Limiter {
        Limiter::with_store(Arc::new(MemoryCounters::new()))
    }

    /// Counters in a store of their own (e.g. shared by every node), not persisted here.
    pub fn with_store(store: Arc<dyn CounterStore>) -> Limiter {
        Limiter {
            counters: Counters::Local(store),
            persisted: None,
            seen_revision: AtomicI64::new(i64::MIN),
        }
    }

    /// Counters in memory, the daily ones persisted in `counters.db` in `data_dir`: reads back
    /// today's (GMT+8) counts, applies the counter resets of `snapshot` not applied yet, and
    /// starts the thread that writes changes once a second.
    pub fn open(data_dir: &Path, snapshot: &Snapshot, now_ms: i64) -> anyhow::Result<Limiter> {
        let mut db = CounterDb::open(&CounterDb::path_in(data_dir))?;
        let (counts, applied) = db.load(gmt8_day(now_ms))?;
        let counters = Arc::new(MemoryCounters::new());
        counters.load(counts, applied);
        let persisted = Arc::new(Persisted {
            counters: counters.clone(),
            db: Mutex::new(db),
        });
        let limiter = Limiter {
            counters: Counters::Local(counters),
            persisted: Some(persisted.clone()),
            seen_revision: AtomicI64::new(i64::MIN),
        };
        limiter.apply_resets(snapshot);
        persisted.flush()?;
        spawn_flusher(Arc::downgrade(&persisted));
        Ok(limiter)
    }

    /// Counters shared by every node (Redis), with the policy for when they are unreachable;
    /// applies the counter resets of `snapshot`.
    pub fn shared(counters: SharedCounters, snapshot: &Snapshot) -> Limiter {
        let limiter = Limiter {
            counters: Counters::Shared(Arc::new(counters)),
            persisted: None,
            seen_revision: AtomicI64::new(i64::MIN),
        };
        limiter.apply_resets(snapshot);
        limiter
    }

    /// The counters `[counters]` names: in memory (persisted in `data_dir`, see
    /// [`Limiter::open`]) or in Redis (not waiting for it: see [`RedisCounters::connect`]).
    pub async fn open_configured(
        settings: &CounterSettings,
        data_dir: &Path,
        snapshot: &Snapshot,
        now_ms: i64,
    ) -> anyhow::Result<Limiter> {
        settings.validate()?;
        if settings.backend == CounterBackend::Memory {
            return Limiter::open(data_dir, snapshot, now_ms);
        }
        let redis = Arc::new(RedisCounters::connect(settings).await?);
        Ok(Limiter::shared(
            SharedCounters::new(redis, settings),
            snapshot,
        ))
    }

    /// Calls that could not be counted in the shared counters since the start (served,
    /// refused or counted locally as `on_failure` says): `topgate_counter_failures_total`.
    /// Always 0 with counters in memory.
    pub fn counter_failures(&self) -> u64 {
        match &self.counters {
            Counters::Local(_) => 0,
            Counters::Shared(s) => s.failures(),
        }
    }

    /// Whether the shared counters answered the last call that tried them (true in memory).
    pub fn counter_store_up(&self) -> bool {
        match &self.counters {
            Counters::Local(_) => true,
            Counters::Shared(s) => s.is_up(),
        }
    }

    /// Writes the changed daily counters now (at a stop; the thread does it every second).
    pub fn flush(&self) -> anyhow::Result<()> {
        self.persisted.as_ref().map_or(Ok(()), |p| p.flush())
    }

    fn apply_resets(&self, snapshot: &Snapshot) {
        for (app_key, reset_at_ms) in &snapshot.counter_resets {
            match &self.counters {
                Counters::Local(store) => store.reset_app(app_key, *reset_at_ms),
                Counters::Shared(shared) => shared.reset_app(app_key, *reset_at_ms),
            }
        }
        self.seen_revision
            .fetch_max(snapshot.revision, Ordering::Relaxed);
    }

    /// Counts the call against every limit that applies, or refuses it (codes 4-8) without
    /// counting it anywhere. With shared counters that cannot be reached, `on_failure` decides
    /// (code 10 when it is `closed`). In memory the future is ready at once.
    pub async fn check(
        &self,
        snapshot: &Snapshot,
        app: &AppEntry,
        api: &ApiSpec,
        session: Option<&SessionEntry>,
        now_ms: i64,
    ) -> Result<(), Failure> {
        if snapshot.revision > self.seen_revision.load(Ordering::Relaxed) {
            self.apply_resets(snapshot);
        }
        let Some(plan) = Plan::new(snapshot, app, api, session) else {
            return Ok(());
        };
        match &self.counters {
            Counters::Local(store) => KEYS.with(|cell| {
                let mut buf = cell.borrow_mut();
                let checks = plan.checks(&mut buf, now_ms);
                store
                    .hit(checks.as_slice(), now_ms)
                    .map_err(|r| checks.refusal(r, now_ms))
            }),
            Counters::Shared(shared) => Box::pin(check_shared(shared, plan, now_ms)).await,
        }
    }
}

/// [`Limiter::check`] with shared counters: the keys in a buffer of the call's own (it is held
/// across the round trip).
async fn check_shared(shared: &SharedCounters, plan: Plan<'_>, now_ms: i64) -> Result<(), Failure> {
    let mut buf = String::new();
    let checks = plan.checks(&mut buf, now_ms);
    match shared.hit(checks.as_slice(), now_ms).await {
        Ok(()) => Ok(()),
        Err(Refused::Limit(r)) => Err(checks.refusal(r, now_ms)),
        Err(Refused::Unavailable(why)) => Err(plan::unavailable(why)),
    }
}

fn spawn_flusher(persisted: Weak<Persisted>) {
    std::thread::Builder::new()
        .name("counters-flush".into())
        .spawn(move || loop {
            std::thread::sleep(persist::FLUSH_INTERVAL);
            let Some(p) = persisted.upgrade() else { return };
            if let Err(e) = p.flush() {
                tracing::warn!(error = %e, "flow-control counters not saved; retrying in a second");
            }
        })
        .expect("spawn the counters writer");
}

#[cfg(test)]
mod tests;
