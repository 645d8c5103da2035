//! The registry as the hot path sees it: an in-memory snapshot, swapped atomically.
//!
//! The store (SQLite or PostgreSQL) is read only by a background thread that polls its
//! `revision` every [`POLL_INTERVAL`] and rebuilds the snapshot when it moved, so a change made
//! by `topgate app ...` on the same data directory reaches a running server within a second,
//! without a restart, and no request ever waits for the database.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use topgate_protocol::backend::BackendUser;
use topgate_store::{Registry, RegistryData};

use crate::limits::LimitTable;
use crate::pipeline::Clock;

/// How often the store's revision is checked.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// How often a store that keeps failing is warned about again.
const REPEAT_WARNING: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct AppEntry {
    pub app_key: String,
    pub secret: String,
    pub enabled: bool,
    pub partner: Option<String>,
    pub grants: HashSet<String>,
}

#[derive(Debug)]
pub struct SessionEntry {
    pub key: String,
    pub app_key: String,
    pub user: BackendUser,
    pub grants: HashSet<String>,
    pub expires_at_ms: i64,
}

/// One consistent view of the registry.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub revision: i64,
    pub apps: HashMap<String, Arc<AppEntry>>,
    pub sessions: HashMap<String, Arc<SessionEntry>>,
    /// Flow-control limits, by scope and subject.
    pub limits: LimitTable,
    /// `(app_key, reset_at_ms)`: the last counter reset of each app (applied by the limiter).
    pub counter_resets: Vec<(String, i64)>,
}

impl Snapshot {
    pub fn build(data: RegistryData) -> Snapshot {
        let users: HashMap<i64, String> =
            data.users.iter().map(|u| (u.id, u.nick.clone())).collect();
        let apps = data
            .apps
            .into_iter()
            .map(|a| {
                let entry = AppEntry {
                    grants: a.grants.into_iter().collect(),
                    app_key: a.app_key.clone(),
                    secret: a.secret,
                    enabled: a.enabled,
                    partner: a.partner,
                };
                (a.app_key, Arc::new(entry))
            })
            .collect();
        let sessions = data
            .sessions
            .into_iter()
            .filter(|s| !s.revoked)
            .filter_map(|s| {
                let nick = users.get(&s.user_id)?.clone();
                let entry = SessionEntry {
                    key: s.key.clone(),
                    app_key: s.app_key,
                    user: BackendUser {
                        id: s.user_id,
                        nick,
                    },
                    grants: s.grants.into_iter().collect(),
                    expires_at_ms: s.expires_at_ms,
                };
                Some((s.key, Arc::new(entry)))
            })
            .collect();
        Snapshot {
            revision: data.revision,
            apps,
            sessions,
            limits: LimitTable::build(data.limits),
            counter_resets: data.counter_resets,
        }
    }
}

/// The live registry: the current snapshot and the store it is refreshed from.
pub struct LiveRegistry {
    current: ArcSwap<Snapshot>,
    store: Arc<dyn Registry>,
    /// The gateway's clock: which sessions are long expired is its call, not the store's.
    clock: Clock,
}

impl LiveRegistry {
    /// Loads the first snapshot.
    pub fn open(store: Arc<dyn Registry>, clock: Clock) -> anyhow::Result<Arc<LiveRegistry>> {
        let data = store.load(clock())?;
        Ok(Arc::new(LiveRegistry {
            current: ArcSwap::from_pointee(Snapshot::build(data)),
            store,
            clock,
        }))
    }

    /// The current snapshot, for a short look.
    pub fn snapshot(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.current.load()
    }

    /// The current snapshot, owned: for a call, which holds it across its backend's `.await`
    /// (a [`arc_swap::Guard`] is meant to be short-lived; an `Arc` costs one atomic increment).
    pub fn snapshot_owned(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    pub fn store(&self) -> &Arc<dyn Registry> {
        &self.store
    }

    /// Reloads when the store's revision moved; true when a new snapshot was installed.
    pub fn refresh(&self) -> anyhow::Result<bool> {
        let revision = self.store.revision()?;
        if revision == self.current.load().revision {
            return Ok(false);
        }
        let data = self.store.load((self.clock)())?;
        self.current.store(Arc::new(Snapshot::build(data)));
        Ok(true)
    }

    /// Polls the store from a background thread until the registry is dropped.
    pub fn spawn_refresher(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("registry-refresh".into())
            .spawn(move || {
                // While the store is unreachable: one warning at first, then one every 30 s.
                let mut failing: Option<(Instant, Instant)> = None; // (since, last warning)
                loop {
                    std::thread::sleep(POLL_INTERVAL);
                    let Some(live) = weak.upgrade() else { return };
                    match live.refresh() {
                        Ok(reloaded) => {
                            if let Some((since, _)) = failing.take() {
                                let secs = since.elapsed().as_secs();
                                tracing::info!(failing_for_s = secs, "registry store reachable again");
                            }
                            if reloaded {
                                tracing::info!(revision = live.snapshot().revision, "registry reloaded");
                            }
                        }
                        Err(e) => {
                            let now = Instant::now();
                            let (since, last) = failing.get_or_insert((now, now));
                            if *last == now || now.duration_since(*last) >= REPEAT_WARNING {
                                *last = now;
                                let secs = since.elapsed().as_secs();
                                tracing::warn!(error = %e, failing_for_s = secs, "registry refresh failed; serving the last snapshot");
                            }
                        }
                    }
                }
            })
            .expect("spawn registry refresher");
    }
}
