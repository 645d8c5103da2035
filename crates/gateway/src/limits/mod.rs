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
//! once a second ([`persist`]): a crash loses at most the last second of counts.

// A `Failure` is the cold path and carries what the archive needs (as in the pipeline).
#![allow(clippy::result_large_err)]

mod counters;
mod fxhash;
pub mod persist;
mod table;
mod window;

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use topgate_protocol::errors::{ban_message, PlatformError, SubCode};
use topgate_protocol::params::mask_secret;
use topgate_protocol::time::format_gmt8;
use topgate_store::LimitScope;

use crate::catalog::ApiSpec;
use crate::failure::Failure;
use crate::registry::{AppEntry, SessionEntry, Snapshot};

pub use counters::{Changes, CounterCheck, CounterStore, MemoryCounters, Rejected, Window};
pub use table::{LimitTable, Rates};
pub use window::{ban_seconds, gmt8_day, second_of};

use persist::CounterDb;

/// The scopes in the order their counters are checked (per-second ones, then daily ones).
const ORDER: [LimitScope; 6] = [
    LimitScope::App,
    LimitScope::AppApi,
    LimitScope::Api,
    LimitScope::User,
    LimitScope::Session,
    LimitScope::Partner,
];

const NO_CHECK: CounterCheck<'static> = CounterCheck {
    key: "",
    window: Window::Second(0),
    limit: 0,
};

thread_local! {
    /// The counter keys of the call being checked, end to end (reused: no allocation per call).
    static KEYS: RefCell<String> = RefCell::new(String::with_capacity(256));
}

/// The flow-control step of the pipeline.
pub struct Limiter {
    store: Arc<dyn CounterStore>,
    persisted: Option<Arc<Persisted>>,
    /// The registry revision whose counter resets have been applied.
    seen_revision: AtomicI64,
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
            store,
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
            store: counters,
            persisted: Some(persisted.clone()),
            seen_revision: AtomicI64::new(i64::MIN),
        };
        limiter.apply_resets(snapshot);
        persisted.flush()?;
        spawn_flusher(Arc::downgrade(&persisted));
        Ok(limiter)
    }

    /// Writes the changed daily counters now (at a stop; the thread does it every second).
    pub fn flush(&self) -> anyhow::Result<()> {
        self.persisted.as_ref().map_or(Ok(()), |p| p.flush())
    }

    fn apply_resets(&self, snapshot: &Snapshot) {
        for (app_key, reset_at_ms) in &snapshot.counter_resets {
            self.store.reset_app(app_key, *reset_at_ms);
        }
        self.seen_revision
            .fetch_max(snapshot.revision, Ordering::Relaxed);
    }

    /// Counts the call against every limit that applies, or refuses it (codes 4-8) without
    /// counting it anywhere.
    pub fn check(
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
        let table = &snapshot.limits;
        let method = api.name.as_str();
        let rates: [Option<Rates>; 6] = [
            table.get(LimitScope::App, &app.app_key),
            table.app_api(&app.app_key, method),
            table
                .get(LimitScope::Api, method)
                .or(api.limits.map(Rates::from)),
            session.and_then(|s| table.get(LimitScope::User, &s.user.nick)),
            session.and_then(|s| table.get(LimitScope::Session, &s.key)),
            app.partner
                .as_deref()
                .and_then(|p| table.get(LimitScope::Partner, p)),
        ];
        if rates.iter().all(Option::is_none) {
            return Ok(());
        }
        let subjects: [&str; 6] = [
            &app.app_key,
            &app.app_key,
            method,
            session.map_or("", |s| &s.user.nick),
            session.map_or("", |s| &s.key),
            app.partner.as_deref().unwrap_or(""),
        ];
        KEYS.with(|cell| {
            let mut buf = cell.borrow_mut();
            buf.clear();
            let mut spans = [(0, 0); 6];
            for (i, scope) in ORDER.iter().enumerate() {
                if rates[i].is_some() {
                    let start = buf.len();
                    buf.push_str(scope.as_str());
                    buf.push(':');
                    buf.push_str(subjects[i]);
                    if *scope == LimitScope::AppApi {
                        buf.push('|');
                        buf.push_str(method);
                    }
                    spans[i] = (start, buf.len());
                }
            }
            let keys = buf.as_str();
            let mut checks = [NO_CHECK; 12];
            let mut scopes = [LimitScope::App; 12];
            let mut n = 0;
            let windows = [
                Window::Second(second_of(now_ms)),
                Window::Day(gmt8_day(now_ms)),
            ];
            for window in windows {
                for (i, r) in rates.iter().enumerate() {
                    let limit = match (window, r) {
                        (Window::Second(_), Some(r)) => r.per_second,
                        (Window::Day(_), Some(r)) => r.per_day,
                        (_, None) => None,
                    };
                    if let Some(limit) = limit {
                        let (start, end) = spans[i];
                        checks[n] = CounterCheck {
                            key: &keys[start..end],
                            window,
                            limit,
                        };
                        scopes[n] = ORDER[i];
                        n += 1;
                    }
                }
            }
            self.store
                .hit(&checks[..n], now_ms)
                .map_err(|Rejected { index }| refusal(scopes[index], &checks[index], now_ms))
        })
    }
}

/// The answer to a call over a limit: the code and sub code of the limit, and the ban.
fn refusal(scope: LimitScope, check: &CounterCheck<'_>, now_ms: i64) -> Failure {
    let secs = ban_seconds(check.window, now_ms);
    let (sub, per) = match (check.window, scope) {
        (Window::Second(_), _) => (SubCode::LimitedByAppFrequency, "second"),
        (Window::Day(_), LimitScope::App) => (SubCode::LimitedByAppAccessCount, "day"),
        (Window::Day(_), LimitScope::AppApi) => (SubCode::LimitedByAppApiAccessCount, "day"),
        (Window::Day(_), LimitScope::Api) => (SubCode::LimitedByApiAccessCount, "day"),
        (Window::Day(_), LimitScope::User) => (SubCode::LimitedByUserAccessCount, "day"),
        (Window::Day(_), LimitScope::Session) => (SubCode::LimitedBySessionAccessCount, "day"),
        (Window::Day(_), LimitScope::Partner) => (SubCode::LimitedByPartnerAccessCount, "day"),
    };
    let ends = format_gmt8(window::window_end_ms(check.window));
    // The archive and the log never see a session key in full.
    let counter = match check.key.strip_prefix("session:") {
        Some(key) => format!("session:{}", mask_secret(key)),
        None => check.key.to_owned(),
    };
    Failure::Platform {
        error: sub
            .flow_control_code()
            .unwrap_or(PlatformError::AppCallLimited),
        detail: None,
        sub: Some((sub.as_string(), ban_message(secs))),
        check: "flow-control",
        why: format!(
            "counter {counter} reached its limit of {} calls per {per}; the window ends at \
             {ends} (GMT+8)",
            check.limit
        ),
        retry_after: Some(secs),
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
