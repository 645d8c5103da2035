//! The archive's queue and writer against stores that block, fail, or hold old records.

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use topgate_store::archive::{ArchiveQuery, ArchiveStore, CallRecord, SqliteArchive};

use super::{bounded_body, Archive, ArchiveSettings, ArchiveStats, Tuning};

const DAY_MS: i64 = 86_400_000;
const NOW: i64 = 1_800_000_000_000;

/// An in-memory archive whose writes can be held at a gate or made to fail.
struct TestStore {
    inner: SqliteArchive,
    fail_next: AtomicU32,
    gate: Mutex<(bool, u32)>, // (closed, writes waiting at it)
    gate_cv: Condvar,
    /// The scheduling policy of the thread that wrote last.
    writer_policy: Mutex<Option<thread_priority::ThreadSchedulePolicy>>,
}

impl TestStore {
    fn new() -> Arc<TestStore> {
        Arc::new(TestStore {
            inner: SqliteArchive::open_in_memory().unwrap(),
            fail_next: AtomicU32::new(0),
            gate: Mutex::new((false, 0)),
            gate_cv: Condvar::new(),
            writer_policy: Mutex::new(None),
        })
    }

    fn close_gate(&self) {
        self.gate.lock().0 = true;
    }

    fn open_gate(&self) {
        self.gate.lock().0 = false;
        self.gate_cv.notify_all();
    }

    /// Waits until a write is held at the closed gate.
    fn wait_for_held_write(&self) {
        let mut g = self.gate.lock();
        while g.1 == 0 {
            self.gate_cv.wait(&mut g);
        }
    }
}

impl ArchiveStore for TestStore {
    fn write_batch(&self, records: &[CallRecord]) -> topgate_store::Result<()> {
        *self.writer_policy.lock() = thread_priority::thread_schedule_policy().ok();
        let mut g = self.gate.lock();
        if g.0 {
            g.1 += 1;
            self.gate_cv.notify_all();
            while g.0 {
                self.gate_cv.wait(&mut g);
            }
            g.1 -= 1;
        }
        drop(g);
        let failing = self
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return Err(topgate_store::StoreError::Backend("disk on fire".into()));
        }
        self.inner.write_batch(records)
    }
    fn get(&self, id: &str) -> topgate_store::Result<Option<CallRecord>> {
        self.inner.get(id)
    }
    fn search(&self, q: &ArchiveQuery) -> topgate_store::Result<Vec<CallRecord>> {
        self.inner.search(q)
    }
    fn prune(&self, older_than_ms: i64) -> topgate_store::Result<usize> {
        self.inner.prune(older_than_ms)
    }
    fn count(&self) -> topgate_store::Result<u64> {
        self.inner.count()
    }
}

fn quick() -> Tuning {
    Tuning {
        batch_wait: Duration::from_millis(2),
        retry_first: Duration::from_millis(1),
        retry_max: Duration::from_millis(4),
        retries_after_close: 2,
        ..Tuning::default()
    }
}

fn start(store: &Arc<TestStore>, settings: ArchiveSettings, tuning: Tuning) -> Arc<Archive> {
    let clock: crate::pipeline::Clock = Arc::new(|| NOW);
    Archive::start_tuned(store.clone(), settings, clock, tuning).unwrap()
}

fn call(id: usize, code: Option<i64>) -> CallRecord {
    CallRecord {
        request_id: format!("id-{id:05}"),
        received_at_ms: NOW,
        http_method: "POST".into(),
        code,
        ..CallRecord::default()
    }
}

#[test]
fn bodies_are_bounded_on_a_character_boundary() {
    assert_eq!(bounded_body(b"short", 10), "short");
    assert_eq!(bounded_body(b"exactly10!", 10), "exactly10!");
    assert_eq!(bounded_body(b"\xff ok", 10), "\u{fffd} ok");
    let cut = bounded_body(b"0123456789abc", 10);
    assert!(cut.starts_with("0123456789\n…[truncated"), "{cut}");
    assert!(cut.contains("10 of 13 bytes kept"), "{cut}");
    // "中" is 3 bytes: a cut at 4 or 5 bytes keeps only the first character.
    let text = "中文中文".as_bytes();
    for max in [3, 4, 5] {
        let cut = bounded_body(text, max);
        assert!(cut.starts_with("中\n…"), "{max}: {cut}");
    }
    assert!(bounded_body(text, 6).starts_with("中文\n…"));
}

#[test]
fn everything_recorded_is_written_by_flush() {
    let store = TestStore::new();
    let archive = start(&store, ArchiveSettings::default(), Tuning::default());
    for i in 0..1_234 {
        let code = (i % 3 == 0).then_some(25);
        archive.record(&call(i, code), format!("body {i}").as_bytes());
    }
    archive.flush();
    assert_eq!(store.count().unwrap(), 1_234);
    let stats = archive.stats();
    assert_eq!(
        stats,
        ArchiveStats {
            queued: 0,
            written: 1_234,
            dropped_successes: 0,
            write_failures: 0
        }
    );
    assert_eq!(
        store.get("id-00007").unwrap().unwrap().response_body,
        "body 7"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn the_writer_runs_at_idle_priority_unless_told_otherwise() {
    use thread_priority::{NormalThreadSchedulePolicy as N, ThreadSchedulePolicy as S};
    for (low_priority, wanted) in [(true, N::Idle), (false, N::Other)] {
        let store = TestStore::new();
        let settings = ArchiveSettings {
            low_priority,
            ..ArchiveSettings::default()
        };
        let archive = start(&store, settings, quick());
        archive.record(&call(1, None), b"{}");
        archive.flush();
        assert_eq!(*store.writer_policy.lock(), Some(S::Normal(wanted)));
    }
}

#[test]
fn sampling_to_zero_keeps_errors_only() {
    let store = TestStore::new();
    let settings = ArchiveSettings {
        success_sample_rate: 0.0,
        ..ArchiveSettings::default()
    };
    let archive = start(&store, settings, quick());
    for i in 0..100 {
        archive.record(&call(i, (i % 10 == 0).then_some(7)), b"x");
    }
    archive.flush();
    assert_eq!(store.count().unwrap(), 10);
    assert_eq!(
        archive.stats().dropped_successes,
        0,
        "sampled out is not dropped"
    );
}

#[test]
fn a_full_queue_drops_successes_but_never_errors() {
    let store = TestStore::new();
    store.close_gate();
    let settings = ArchiveSettings {
        queue_capacity: 10,
        ..ArchiveSettings::default()
    };
    let archive = start(&store, settings, quick());
    archive.record(&call(0, None), b"first");
    store.wait_for_held_write();
    for i in 1..=30 {
        archive.record(&call(i, None), b"ok");
    }
    for i in 31..=35 {
        archive.record(&call(i, Some(25)), b"error");
    }
    let stats = archive.stats();
    assert_eq!(stats.dropped_successes, 20);
    assert_eq!(
        stats.queued, 16,
        "the held batch, 10 successes and 5 errors"
    );
    store.open_gate();
    archive.flush();
    assert_eq!(store.count().unwrap(), 16);
    for i in 31..=35 {
        assert!(store.get(&format!("id-{i:05}")).unwrap().is_some());
    }
}

#[test]
fn failed_writes_are_retried_and_counted() {
    let store = TestStore::new();
    store.fail_next.store(3, Ordering::SeqCst);
    let archive = start(&store, ArchiveSettings::default(), quick());
    for i in 0..5 {
        archive.record(&call(i, Some(10)), b"e");
    }
    archive.flush();
    assert_eq!(store.count().unwrap(), 5);
    let stats = archive.stats();
    assert_eq!((stats.written, stats.write_failures), (5, 3));
}

#[test]
fn a_flush_with_a_limit_returns_when_the_database_keeps_failing() {
    let store = TestStore::new();
    store.fail_next.store(u32::MAX, Ordering::SeqCst);
    let archive = start(&store, ArchiveSettings::default(), quick());
    archive.record(&call(1, Some(25)), b"e");
    assert!(!archive.flush_timeout(Duration::from_millis(50)));
    let stats = archive.stats();
    assert_eq!(stats.queued, 1, "kept, not dropped");
    assert!(stats.write_failures > 0);
}

#[test]
fn old_records_are_pruned_at_start_and_periodically() {
    let store = TestStore::new();
    store
        .write_batch(&[
            CallRecord {
                received_at_ms: NOW - 8 * DAY_MS,
                ..call(1, Some(25))
            },
            CallRecord {
                received_at_ms: NOW - DAY_MS,
                ..call(2, Some(25))
            },
        ])
        .unwrap();
    let now = Arc::new(AtomicI64::new(NOW));
    let clock_now = now.clone();
    let tuning = Tuning {
        prune_every: Duration::from_millis(5),
        ..quick()
    };
    let clock: crate::pipeline::Clock = Arc::new(move || clock_now.load(Ordering::SeqCst));
    let _archive =
        Archive::start_tuned(store.clone(), ArchiveSettings::default(), clock, tuning).unwrap();
    wait_for(|| store.count().unwrap() == 1);
    assert!(store.get("id-00002").unwrap().is_some());
    now.store(NOW + 7 * DAY_MS, Ordering::SeqCst);
    wait_for(|| store.count().unwrap() == 0);
}

/// Polls `done` until it holds (a generous bound turns a hang into a failure; no timing is
/// asserted).
fn wait_for(done: impl Fn() -> bool) {
    let give_up = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < give_up, "gave up waiting");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn packing_round_trips_every_field() {
    use super::packed::{borrowed, Packed};
    let full = CallRecord {
        request_id: "abc".into(),
        received_at_ms: -5,
        client_addr: Some("::1".into()),
        http_method: "POST".into(),
        app_key: Some("k".into()),
        method: Some("m".into()),
        version: Some(String::new()),
        format: Some("xml".into()),
        sign_method: Some("hmac".into()),
        params: vec![("a".into(), "中文".into()), ("a".into(), String::new())],
        failed_check: Some("signature".into()),
        check_detail: Some("why".into()),
        string_to_sign: Some("s".into()),
        code: Some(0),
        sub_code: Some("isv.x".into()),
        response_body: String::new(),
        latency_ms: 1.5,
        backend: Some("demo".into()),
        backend_latency_ms: Some(0.0),
    };
    let bare = call(7, None);
    for (r, body) in [(&full, "<xml>中</xml>".as_bytes()), (&bare, b"".as_slice())] {
        let packed = Packed::pack(r, &borrowed(&r.params), body, 64);
        assert_eq!(packed.error, r.is_error());
        let expected = CallRecord {
            response_body: bounded_body(body, 64),
            ..r.clone()
        };
        assert_eq!(packed.unpack(), Some(expected));
    }
    let long = Packed::pack(&bare, &[], &[b'x'; 100], 10).unpack().unwrap();
    assert_eq!(long.response_body, bounded_body(&[b'x'; 100], 10));
}
