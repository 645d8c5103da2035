//! The in-memory counter store and the counters file.

use std::sync::Arc;

use futures_util::FutureExt;
use topgate_protocol::errors::PlatformError;
use topgate_store::LimitScope;

use super::plan::refusal;
use super::*;

const T: i64 = 1_764_043_200_000; // 2025-11-25 12:00:00 GMT+8

fn day(key: &str, limit: u64) -> CounterCheck<'_> {
    CounterCheck {
        key,
        window: Window::Day(gmt8_day(T)),
        limit,
    }
}

fn sec(key: &str, at: i64, limit: u64) -> CounterCheck<'_> {
    CounterCheck {
        key,
        window: Window::Second(second_of(at)),
        limit,
    }
}

#[test]
fn counts_up_to_the_limit_then_refuses_without_counting() {
    let c = MemoryCounters::new();
    for _ in 0..3 {
        c.hit(&[day("app:a", 3)], T).unwrap();
    }
    assert_eq!(c.hit(&[day("app:a", 3)], T), Err(Rejected { index: 0 }));
    assert_eq!(c.count("app:a", Window::Day(gmt8_day(T))), 3);
    let zero = MemoryCounters::new();
    assert_eq!(zero.hit(&[day("app:z", 0)], T), Err(Rejected { index: 0 }));
}

#[test]
fn a_refusal_takes_back_every_increment_and_names_the_first_over() {
    let c = MemoryCounters::new();
    let checks = [day("app:a", 10), day("api:m", 1), day("user:u", 1)];
    c.hit(&checks, T).unwrap();
    // Both api:m and user:u are full: the first in the order given is named.
    assert_eq!(c.hit(&checks, T), Err(Rejected { index: 1 }));
    assert_eq!(c.count("app:a", Window::Day(gmt8_day(T))), 1, "undone");
    assert_eq!(c.count("api:m", Window::Day(gmt8_day(T))), 1);
    assert_eq!(c.count("user:u", Window::Day(gmt8_day(T))), 1);
    // Another user is fine; the app and API counters are shared.
    let other = [day("app:a", 10), day("user:v", 1)];
    c.hit(&other, T).unwrap();
    assert_eq!(c.count("app:a", Window::Day(gmt8_day(T))), 2);
}

#[test]
fn windows_start_again() {
    let c = MemoryCounters::new();
    c.hit(&[sec("app:a", T, 1)], T).unwrap();
    assert!(c.hit(&[sec("app:a", T + 999, 1)], T + 999).is_err());
    c.hit(&[sec("app:a", T + 1000, 1)], T + 1000).unwrap();
    // Long after: swept, and counting again.
    c.hit(&[sec("app:a", T + 60_000, 1)], T + 60_000).unwrap();

    let next_day = T + 12 * 3600 * 1000; // midnight GMT+8
    c.hit(&[day("app:a", 1)], T).unwrap();
    assert!(c.hit(&[day("app:a", 1)], next_day - 1).is_err());
    let tomorrow = CounterCheck {
        window: Window::Day(gmt8_day(next_day)),
        ..day("app:a", 1)
    };
    c.hit(&[tomorrow], next_day).unwrap();
}

#[test]
fn exact_under_concurrency() {
    let c = Arc::new(MemoryCounters::new());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let c = c.clone();
            std::thread::spawn(move || {
                (0..1000)
                    .filter(|_| c.hit(&[day("app:a", 5000), day("api:m", 3000)], T).is_ok())
                    .count()
            })
        })
        .collect();
    let ok: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(ok, 3000);
    assert_eq!(c.count("app:a", Window::Day(gmt8_day(T))), 3000);
}

#[test]
fn reset_clears_the_apps_counters_once() {
    let c = MemoryCounters::new();
    let keys = ["app:a", "app-api:a|m", "app:ab", "app-api:ab|m", "user:a"];
    for key in keys {
        c.hit(&[day(key, 1)], T).unwrap();
    }
    c.drain();
    c.reset_app("a", 100);
    let counts: Vec<u64> = keys
        .iter()
        .map(|k| c.count(k, Window::Day(gmt8_day(T))))
        .collect();
    assert_eq!(counts, [0, 0, 1, 1, 1]);
    c.hit(&[day("app:a", 1)], T).unwrap();
    c.reset_app("a", 100);
    c.reset_app("a", 99);
    assert!(c.hit(&[day("app:a", 1)], T).is_err(), "applied once");
    let changes = c.drain();
    assert_eq!(changes.resets, [("a".to_owned(), 100)]);
    assert_eq!(changes.counts.len(), 1);
    assert!(c.drain().is_empty());
}

#[test]
fn the_file_keeps_todays_counts_and_the_resets() {
    let dir = tempfile::tempdir().unwrap();
    let path = persist::CounterDb::path_in(dir.path());
    {
        let c = MemoryCounters::new();
        c.hit(&[day("app:a", 9), day("app-api:a|m", 9)], T).unwrap();
        c.hit(&[day("app:a", 9), sec("app:a", T, 9)], T).unwrap();
        let mut db = persist::CounterDb::open(&path).unwrap();
        db.write(&c.drain()).unwrap();
        c.reset_app("a", 7);
        c.hit(&[day("app:a", 9)], T).unwrap();
        db.write(&c.drain()).unwrap();
    }
    let mut db = persist::CounterDb::open(&path).unwrap();
    let (mut counts, applied) = db.load(gmt8_day(T)).unwrap();
    counts.sort();
    assert_eq!(counts, [("app:a".to_owned(), gmt8_day(T), 1)]);
    assert_eq!(applied.get("a"), Some(&7));
    let (counts, _) = db.load(gmt8_day(T) + 1).unwrap();
    assert!(counts.is_empty(), "another day");
}

#[test]
fn a_refusal_names_its_limit_and_masks_a_session_key() {
    let check = CounterCheck {
        key: "session:6100e2f1a9b8c7d6e5f4",
        window: Window::Day(gmt8_day(T)),
        limit: 5,
    };
    let f = refusal(LimitScope::Session, &check, T);
    assert!(!f.why().contains("6100e2f1a9b8c7d6e5f4"), "{}", f.why());
    assert!(f.why().contains("limit of 5 calls per day"), "{}", f.why());
    assert_eq!(f.retry_after(), Some(12 * 3600));
    assert_eq!(
        f.sub_code(),
        Some("accesscontrol.limited-by-session-access-count")
    );
    assert!(matches!(
        f,
        Failure::Platform {
            error: PlatformError::SessionCallLimited,
            ..
        }
    ));
}

/// A rough cost of one call's counting (three counters): `cargo test -p topgate-gateway
/// --release -- --ignored --nocapture hit_cost`.
#[test]
#[ignore]
fn hit_cost() {
    let c = MemoryCounters::new();
    let checks = [
        sec("app:12345678", T, u64::MAX),
        day("app:12345678", u64::MAX),
        day("api:taobao.item.get", u64::MAX),
    ];
    let n = 1_000_000;
    let start = std::time::Instant::now();
    for _ in 0..n {
        c.hit(&checks, T).unwrap();
    }
    let elapsed = start.elapsed();
    println!(
        "MemoryCounters::hit, 3 counters: {:.0} ns/call",
        elapsed.as_nanos() as f64 / n as f64
    );
}

/// A rough cost of the whole step for a call under four limits (app day + second, app×API,
/// API): keys, lookups, counting. `cargo test -p topgate-gateway --release -- --ignored
/// --nocapture check_cost`.
#[test]
#[ignore]
fn check_cost() {
    use crate::catalog::Catalog;
    use crate::registry::Snapshot;
    use topgate_store::{App, Limit, LimitScope, RegistryData};

    let app = App {
        app_key: "12345678".into(),
        name: "bench".into(),
        secret: "s".into(),
        enabled: true,
        partner: None,
        grants: vec![],
        created_at_ms: 0,
    };
    let limit = |scope, subject: &str, per_day, per_second| Limit {
        scope,
        subject: subject.into(),
        per_day,
        per_second,
    };
    let snapshot = Snapshot::build(RegistryData {
        revision: 1,
        apps: vec![app],
        limits: vec![
            limit(
                LimitScope::App,
                "12345678",
                Some(u64::MAX >> 2),
                Some(u64::MAX >> 2),
            ),
            limit(
                LimitScope::AppApi,
                "12345678|taobao.item.get",
                Some(u64::MAX >> 2),
                None,
            ),
            limit(
                LimitScope::Api,
                "taobao.item.get",
                Some(u64::MAX >> 2),
                None,
            ),
        ],
        ..RegistryData::default()
    });
    let catalog = Catalog::parse(topgate_demo::CATALOG).unwrap();
    let api = catalog.api("taobao.item.get").unwrap();
    let app = snapshot.apps.get("12345678").unwrap();
    let limiter = Limiter::in_memory();
    let n = 1_000_000;
    let start = std::time::Instant::now();
    for _ in 0..n {
        // In memory the check is ready at once: no await point, nothing to poll again.
        let checked = limiter.check(&snapshot, app, api, None, T).now_or_never();
        checked.expect("ready").unwrap();
    }
    let elapsed = start.elapsed();
    println!(
        "Limiter::check, 4 counters: {:.0} ns/call",
        elapsed.as_nanos() as f64 / n as f64
    );
}
