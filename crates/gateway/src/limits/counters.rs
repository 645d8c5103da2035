//! The counters behind flow control: the [`CounterStore`] trait and the in-memory store.
//!
//! A call hits several counters at once (one per applicable limit and window). A store does it in
//! one step: it increments every counter, and if any goes over its limit it takes back every
//! increment of that call and names the first counter (in the order given) that was over. That
//! step is atomic with respect to concurrent calls, so with a limit of N exactly N calls pass,
//! and a refused call costs nothing. A distributed store (Redis) does the same in one round trip:
//! one Lua script with all the keys.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::fxhash::FxHashMap;
use super::window::{gmt8_day, second_of};

/// The window a counter counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Window {
    /// The epoch second (`now_ms / 1000`).
    Second(i64),
    /// The GMT+8 day: days since 1970-01-01 in GMT+8.
    Day(i64),
}

/// One counter a call hits: its key (see `docs/flow-control.md` for the scheme), window and
/// limit. The counter may reach `limit`, not exceed it.
#[derive(Debug, Clone, Copy)]
pub struct CounterCheck<'a> {
    pub key: &'a str,
    pub window: Window,
    pub limit: u64,
}

/// The call was refused: `index` is the first check (in the order given) whose counter would
/// have gone over its limit. Nothing was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    pub index: usize,
}

/// Where the counters live: in this process ([`MemoryCounters`]) or shared by every node.
pub trait CounterStore: Send + Sync {
    /// Counts one call against every check, or none of them: see the module documentation.
    fn hit(&self, checks: &[CounterCheck<'_>], now_ms: i64) -> Result<(), Rejected>;

    /// Clears the app's counters (`app:KEY` and `app-api:KEY|*`, every window) for the reset
    /// made at `reset_at_ms`. Applying the same reset twice must clear once.
    fn reset_app(&self, app_key: &str, reset_at_ms: i64);
}

#[derive(Debug)]
struct Counter {
    key: Arc<str>,
    window: i64,
    count: u64,
    /// Changed since the last [`MemoryCounters::drain`] (daily counters only).
    dirty: bool,
}

/// What changed since the last [`MemoryCounters::drain`]: to be applied in this order (the
/// resets first) to the persisted copy.
#[derive(Debug, Default)]
pub struct Changes {
    /// `(app_key, reset_at_ms)`: delete the app's persisted counters, remember the reset.
    pub resets: Vec<(String, i64)>,
    /// `(key, day, count)`: the daily counters' values now.
    pub counts: Vec<(Arc<str>, i64, u64)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.resets.is_empty() && self.counts.is_empty()
    }
}

#[derive(Default)]
struct State {
    seconds: FxHashMap<Arc<str>, Counter>,
    days: FxHashMap<Arc<str>, Counter>,
    /// The second and day the maps were last swept for old windows.
    swept_second: i64,
    swept_day: i64,
    /// Daily counters changed since the last drain, and resets not yet persisted.
    changed: Vec<Arc<str>>,
    resets: Vec<(String, i64)>,
    /// The last reset applied per app (to apply each once).
    applied: HashMap<String, i64>,
}

/// All counters in one map behind one mutex: exact, and one short critical section per call
/// (a hash lookup and an add per check; no allocation once a key exists in its window).
///
/// Old windows are dropped as time moves: per-second counters every other second, daily ones
/// when the GMT+8 day changes. Daily counters can be persisted through [`MemoryCounters::drain`]
/// and [`MemoryCounters::load`] (see `super::persist`).
#[derive(Default)]
pub struct MemoryCounters {
    state: Mutex<State>,
}

impl MemoryCounters {
    pub fn new() -> MemoryCounters {
        MemoryCounters::default()
    }

    /// Restores a persisted daily counter and the resets already applied (at start).
    pub fn load(&self, counts: Vec<(String, i64, u64)>, applied: HashMap<String, i64>) {
        let mut st = self.state.lock();
        for (key, day, count) in counts {
            let key: Arc<str> = Arc::from(key);
            let counter = Counter {
                key: key.clone(),
                window: day,
                count,
                dirty: false,
            };
            st.days.insert(key, counter);
        }
        st.applied = applied;
    }

    /// Takes what changed since the last call (for the persisted copy).
    pub fn drain(&self) -> Changes {
        let mut st = self.state.lock();
        let st = &mut *st;
        let mut counts = Vec::with_capacity(st.changed.len());
        for key in st.changed.drain(..) {
            if let Some(c) = st.days.get_mut(&key).filter(|c| c.dirty) {
                c.dirty = false;
                counts.push((key, c.window, c.count));
            }
        }
        Changes {
            resets: std::mem::take(&mut st.resets),
            counts,
        }
    }

    /// Puts back changes that could not be persisted, to be retried with the next drain.
    pub fn requeue(&self, changes: Changes) {
        let mut st = self.state.lock();
        let st = &mut *st;
        let mut resets = changes.resets;
        resets.append(&mut st.resets);
        st.resets = resets;
        for (key, _, _) in changes.counts {
            if let Some(c) = st.days.get_mut(&key) {
                if !c.dirty {
                    c.dirty = true;
                    st.changed.push(key);
                }
            }
        }
    }

    /// The count of a key in a window (tests, diagnostics).
    pub fn count(&self, key: &str, window: Window) -> u64 {
        let st = self.state.lock();
        let (map, w) = match window {
            Window::Second(s) => (&st.seconds, s),
            Window::Day(d) => (&st.days, d),
        };
        map.get(key)
            .filter(|c| c.window == w)
            .map_or(0, |c| c.count)
    }
}

impl State {
    fn sweep(&mut self, now_ms: i64) {
        let second = second_of(now_ms);
        if second > self.swept_second + 1 {
            self.seconds.retain(|_, c| c.window >= second);
            self.swept_second = second;
        }
        let day = gmt8_day(now_ms);
        if day > self.swept_day {
            self.days.retain(|_, c| c.window >= day);
            self.swept_day = day;
        }
    }

    /// Adds one; false if that took the counter over `limit`.
    fn bump(&mut self, check: &CounterCheck<'_>) -> bool {
        let (map, window, daily) = match check.window {
            Window::Second(s) => (&mut self.seconds, s, false),
            Window::Day(d) => (&mut self.days, d, true),
        };
        let counter = match map.get_mut(check.key) {
            Some(c) => c,
            None => {
                let key: Arc<str> = Arc::from(check.key);
                let fresh = Counter {
                    key: key.clone(),
                    window,
                    count: 0,
                    dirty: false,
                };
                map.entry(key).or_insert(fresh)
            }
        };
        // A counter of an older window starts again; one of a newer window (another thread
        // read the clock a moment later) takes this call too.
        if counter.window < window {
            counter.window = window;
            counter.count = 0;
        }
        counter.count += 1;
        if daily && !counter.dirty {
            counter.dirty = true;
            self.changed.push(counter.key.clone());
        }
        counter.count <= check.limit
    }

    fn unbump(&mut self, check: &CounterCheck<'_>) {
        let map = match check.window {
            Window::Second(_) => &mut self.seconds,
            Window::Day(_) => &mut self.days,
        };
        if let Some(c) = map.get_mut(check.key) {
            c.count = c.count.saturating_sub(1);
        }
    }
}

impl CounterStore for MemoryCounters {
    fn hit(&self, checks: &[CounterCheck<'_>], now_ms: i64) -> Result<(), Rejected> {
        let mut st = self.state.lock();
        st.sweep(now_ms);
        for (index, check) in checks.iter().enumerate() {
            if !st.bump(check) {
                for done in &checks[..=index] {
                    st.unbump(done);
                }
                return Err(Rejected { index });
            }
        }
        Ok(())
    }

    fn reset_app(&self, app_key: &str, reset_at_ms: i64) {
        let mut st = self.state.lock();
        if st.applied.get(app_key).is_some_and(|&at| at >= reset_at_ms) {
            return;
        }
        let app = format!("app:{app_key}");
        let app_api = format!("app-api:{app_key}|");
        let keep = |key: &Arc<str>, _: &mut Counter| **key != *app && !key.starts_with(&app_api);
        st.seconds.retain(keep);
        st.days.retain(keep);
        st.applied.insert(app_key.to_owned(), reset_at_ms);
        st.resets.push((app_key.to_owned(), reset_at_ms));
    }
}
