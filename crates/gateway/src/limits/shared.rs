//! Counters shared by every node (Redis), and what a call does when they cannot be reached:
//! the `[counters] on_failure` policy.
//!
//! A failed or slow (over `timeout_ms`) round trip marks the store down for `retry_ms`: the
//! calls of that time do not try it and follow the policy at once, so an outage does not cost
//! every call the timeout. Then exactly one call (per node) tries again; its success marks the
//! store up for everyone. Nothing stays down for good: a node recovers at most `retry_ms` after
//! the store is back (plus the reconnection, which the client does by itself).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use super::counters::{CounterCheck, CounterStore, MemoryCounters, Rejected};
use super::settings::{CounterSettings, OnFailure};

/// The store could not answer; the text says why (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable(pub String);

/// A counter store other nodes share: the same contract as [`CounterStore`], but it is a
/// network round trip (so asynchronous) and it may fail.
pub trait RemoteCounters: Send + Sync {
    /// Counts one call against every check, or none of them (see [`CounterStore::hit`]).
    fn hit<'a>(
        &'a self,
        checks: &'a [CounterCheck<'a>],
        now_ms: i64,
    ) -> BoxFuture<'a, Result<Result<(), Rejected>, Unreachable>>;

    /// Clears the app's counters for the reset made at `reset_at_ms` (at most once per reset).
    fn reset_app(&self, app_key: &str, reset_at_ms: i64);

    /// Where the store is, for the log: `redis 10.0.0.5:6379`.
    fn describe(&self) -> String;
}

/// Why a call is not served by flow control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Over a limit: the first check over it.
    Limit(Rejected),
    /// The shared store is unreachable and `on_failure = "closed"`.
    Unavailable(String),
}

/// A [`RemoteCounters`] with the failure policy around it.
pub struct SharedCounters {
    remote: Arc<dyn RemoteCounters>,
    on_failure: OnFailure,
    nodes: u64,
    /// This node's counters while the store is down (`on_failure = "local"`).
    local: MemoryCounters,
    health: Health,
}

impl SharedCounters {
    pub fn new(remote: Arc<dyn RemoteCounters>, settings: &CounterSettings) -> SharedCounters {
        SharedCounters {
            remote,
            on_failure: settings.on_failure,
            nodes: settings.nodes(),
            local: MemoryCounters::new(),
            health: Health::new(Duration::from_millis(settings.retry_ms.max(1))),
        }
    }

    /// Counts the call in the shared store or, when it cannot be reached, as the policy says.
    pub async fn hit(&self, checks: &[CounterCheck<'_>], now_ms: i64) -> Result<(), Refused> {
        if self.health.should_try() {
            match self.remote.hit(checks, now_ms).await {
                Ok(counted) => {
                    self.health.up(&*self.remote);
                    return counted.map_err(Refused::Limit);
                }
                Err(Unreachable(why)) => self.health.down(&*self.remote, &why, self.on_failure),
            }
        }
        self.health.failures.fetch_add(1, Ordering::Relaxed);
        match self.on_failure {
            OnFailure::Open => Ok(()),
            OnFailure::Closed => Err(Refused::Unavailable(format!(
                "the counter store ({}) is unreachable and [counters] on_failure = \"closed\"",
                self.remote.describe()
            ))),
            OnFailure::Local => {
                let share: Vec<CounterCheck<'_>> = checks
                    .iter()
                    .map(|c| CounterCheck {
                        limit: c.limit.div_ceil(self.nodes),
                        ..*c
                    })
                    .collect();
                self.local.hit(&share, now_ms).map_err(Refused::Limit)
            }
        }
    }

    pub fn reset_app(&self, app_key: &str, reset_at_ms: i64) {
        self.remote.reset_app(app_key, reset_at_ms);
        self.local.reset_app(app_key, reset_at_ms);
    }

    /// Calls that could not be counted in the shared store (served, refused or counted locally
    /// as `on_failure` says): the metric `topgate_counter_failures_total`.
    pub fn failures(&self) -> u64 {
        self.health.failures.load(Ordering::Relaxed)
    }

    /// Whether the last round trip to the store succeeded.
    pub fn is_up(&self) -> bool {
        self.health.down_until.load(Ordering::Relaxed) == 0
    }

    /// The limit of `limit` this node enforces on its own while the store is down.
    pub fn local_share(&self, limit: u64) -> u64 {
        limit.div_ceil(self.nodes)
    }
}

/// Up or down, and since when. Times are milliseconds since `start` (monotonic: the gateway's
/// clock may be set by tests).
struct Health {
    start: Instant,
    retry: Duration,
    /// 0 while up; while down, when the next call may try the store.
    down_until: AtomicU64,
    failures: AtomicU64,
    /// When the last warning was logged (at most one a second).
    warned_at: AtomicU64,
}

impl Health {
    fn new(retry: Duration) -> Health {
        Health {
            start: Instant::now(),
            retry,
            down_until: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            warned_at: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        // +1: 0 means "up".
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn retry_ms(&self) -> u64 {
        u64::try_from(self.retry.as_millis()).unwrap_or(u64::MAX / 2)
    }

    /// Up: every call tries. Down: none until `down_until`, then the one call that moves it on.
    fn should_try(&self) -> bool {
        let until = self.down_until.load(Ordering::Relaxed);
        if until == 0 {
            return true;
        }
        let now = self.now();
        now >= until
            && self
                .down_until
                .compare_exchange(
                    until,
                    now + self.retry_ms(),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_ok()
    }

    fn up(&self, remote: &dyn RemoteCounters) {
        if self.down_until.load(Ordering::Relaxed) != 0
            && self.down_until.swap(0, Ordering::AcqRel) != 0
        {
            tracing::info!(store = %remote.describe(), "counter store reachable again");
        }
    }

    fn down(&self, remote: &dyn RemoteCounters, why: &str, policy: OnFailure) {
        let now = self.now();
        let was_up = self
            .down_until
            .swap(now + self.retry_ms(), Ordering::AcqRel)
            == 0;
        let last = self.warned_at.load(Ordering::Relaxed);
        let due = last == 0 || now >= last + 1000;
        if (was_up || due)
            && self
                .warned_at
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                store = %remote.describe(),
                error = %why,
                on_failure = ?policy,
                failures = self.failures.load(Ordering::Relaxed),
                "counter store unreachable; flow control follows [counters] on_failure until it \
                 answers again"
            );
        }
    }
}

#[cfg(test)]
#[path = "shared_tests.rs"]
mod tests;
