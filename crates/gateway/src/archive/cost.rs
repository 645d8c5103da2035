//! How much recording a call costs on the request path: a measurement, not a check.

use std::sync::Arc;
use std::time::{Duration, Instant};

use topgate_store::archive::{ArchiveStore, CallRecord, SqliteArchive};

use super::{Archive, ArchiveSettings};

/// A rough cost of recording one call on the request path (run with
/// `cargo test --release -p topgate-gateway --lib observe_cost -- --ignored --nocapture`).
#[test]
#[ignore = "a measurement, not a check"]
fn observe_cost() {
    let template = CallRecord {
        client_addr: Some("127.0.0.1".into()),
        app_key: Some("12345678".into()),
        method: Some("taobao.item.get".into()),
        version: Some("2.0".into()),
        format: Some("json".into()),
        sign_method: Some("md5".into()),
        params: (0..9)
            .map(|i| (format!("param{i}"), format!("value {i}")))
            .collect(),
        latency_ms: 0.2,
        backend: Some("demo".into()),
        backend_latency_ms: Some(0.1),
        request_id: String::new(),
        received_at_ms: 1_800_000_000_000,
        http_method: "POST".into(),
        ..CallRecord::default()
    };
    let body = br#"{"item_get_response":{"item":{"num_iid":1,"title":"2025 new white dress","nick":"tbtest561","price":"199.00"},"request_id":"hslta00000000"}}"#;
    let n = 50_000;
    let records: Vec<CallRecord> = (0..n)
        .map(|i| CallRecord {
            request_id: format!("id-{i:08}"),
            ..template.clone()
        })
        .collect();
    for (label, rate) in [("sampled out", 0.0), ("recorded", 1.0)] {
        let store = Arc::new(SqliteArchive::open_in_memory().unwrap());
        let settings = ArchiveSettings {
            success_sample_rate: rate,
            ..ArchiveSettings::default()
        };
        let archive =
            Archive::start(store.clone(), settings, Arc::new(|| 1_800_000_000_000)).unwrap();
        // Bursts of 100 calls, 5 ms apart (20 000 calls/s): the writer keeps up. Timed in
        // this thread's CPU time, so that a busy machine does not count its preemptions.
        let mut wall = Duration::ZERO;
        let cpu_before = thread_cpu_ns();
        let started = Instant::now();
        for burst in records.chunks(100) {
            let t = Instant::now();
            for r in burst {
                archive.record(r, body);
            }
            wall += t.elapsed();
            std::thread::sleep(Duration::from_millis(5));
        }
        let cpu = thread_cpu_ns() - cpu_before;
        archive.flush();
        eprintln!(
            "{label}: record() {:.0} ns/call of CPU (the sleeps included), {:.0} ns/call of wall \
             time; {} written in {:.2?}",
            cpu as f64 / n as f64,
            wall.as_nanos() as f64 / n as f64,
            store.count().unwrap(),
            started.elapsed()
        );
    }
}

/// This thread's CPU time in ns (Linux `schedstat`), 0 elsewhere.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
