//! The failure policies, against a store that fails on demand.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt};

use super::*;
use crate::limits::counters::Window;

/// Memory counters behind a switch: down, every round trip fails.
#[derive(Default)]
struct Flaky {
    counters: MemoryCounters,
    down: AtomicBool,
    tries: AtomicUsize,
}

impl RemoteCounters for Flaky {
    fn hit<'a>(
        &'a self,
        checks: &'a [CounterCheck<'a>],
        now_ms: i64,
    ) -> BoxFuture<'a, Result<Result<(), Rejected>, Unreachable>> {
        self.tries.fetch_add(1, Ordering::SeqCst);
        let result = if self.down.load(Ordering::SeqCst) {
            Err(Unreachable("connection refused".into()))
        } else {
            Ok(self.counters.hit(checks, now_ms))
        };
        async move { result }.boxed()
    }

    fn reset_app(&self, app_key: &str, reset_at_ms: i64) {
        self.counters.reset_app(app_key, reset_at_ms);
    }

    fn describe(&self) -> String {
        "flaky".into()
    }
}

const T: i64 = 1_764_043_200_000;

fn daily(limit: u64) -> [CounterCheck<'static>; 1] {
    [CounterCheck {
        key: "app:a",
        window: Window::Day(20_417),
        limit,
    }]
}

fn shared(on_failure: OnFailure, retry_ms: u64) -> (Arc<Flaky>, SharedCounters) {
    let flaky = Arc::new(Flaky::default());
    let settings = CounterSettings {
        on_failure,
        nodes: Some(3),
        retry_ms,
        ..CounterSettings::redis("redis://unused", on_failure, 3)
    };
    (flaky.clone(), SharedCounters::new(flaky, &settings))
}

async fn passed(s: &SharedCounters, limit: u64, calls: usize) -> usize {
    let mut ok = 0;
    for _ in 0..calls {
        match s.hit(&daily(limit), T).await {
            Ok(()) => ok += 1,
            Err(Refused::Limit(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    ok
}

#[tokio::test]
async fn up_the_store_decides() {
    let (flaky, s) = shared(OnFailure::Closed, 1000);
    assert_eq!(passed(&s, 5, 8).await, 5);
    assert_eq!(flaky.counters.count("app:a", Window::Day(20_417)), 5);
    assert_eq!((s.failures(), s.is_up()), (0, true));
}

#[tokio::test]
async fn open_serves_uncounted() {
    let (flaky, s) = shared(OnFailure::Open, 1000);
    flaky.down.store(true, Ordering::SeqCst);
    assert_eq!(passed(&s, 5, 8).await, 8);
    assert_eq!((s.failures(), s.is_up()), (8, false));
}

#[tokio::test]
async fn closed_refuses_with_the_reason() {
    let (flaky, s) = shared(OnFailure::Closed, 1000);
    flaky.down.store(true, Ordering::SeqCst);
    match s.hit(&daily(5), T).await {
        Err(Refused::Unavailable(why)) => assert!(why.contains("flaky"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn local_enforces_this_nodes_share() {
    let (flaky, s) = shared(OnFailure::Local, 1000);
    flaky.down.store(true, Ordering::SeqCst);
    // 10 over 3 nodes: 4 each (rounded up).
    assert_eq!(s.local_share(10), 4);
    assert_eq!(passed(&s, 10, 9).await, 4);
    assert_eq!(s.failures(), 9);
}

#[tokio::test]
async fn down_one_call_a_window_tries_again_and_up_is_up_for_all() {
    let (flaky, s) = shared(OnFailure::Open, 100);
    flaky.down.store(true, Ordering::SeqCst);
    passed(&s, 5, 10).await;
    assert_eq!(
        flaky.tries.load(Ordering::SeqCst),
        1,
        "tried once, then skipped"
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    passed(&s, 5, 10).await;
    assert_eq!(flaky.tries.load(Ordering::SeqCst), 2, "one try per window");

    flaky.down.store(false, Ordering::SeqCst);
    passed(&s, 5, 3).await;
    assert!(!s.is_up(), "not tried before the window ends");
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(passed(&s, 5, 3).await, 3);
    assert!(s.is_up());
    assert_eq!(flaky.counters.count("app:a", Window::Day(20_417)), 3);
    assert_eq!(s.failures(), 23);
}
