//! The Redis counter store on a Redis Cluster (three primaries started by the test): a call's
//! counters with different hash tags live on different shards, one script per tag; a refusal
//! on one shard takes back the increments made on the others. Without `redis-server` installed
//! the test prints `SKIPPED` and passes.

use std::sync::Arc;

use redis::Commands;
use topgate_gateway::limits::{
    gmt8_day, CounterBackend, CounterCheck, CounterSettings, OnFailure, RedisCounters, Rejected,
    RemoteCounters, Window,
};
use topgate_store::testing::RedisCluster;

const T: i64 = 1_795_579_200_000; // 2026-11-25 12:00:00 GMT+8

fn day(key: &str, limit: u64) -> CounterCheck<'_> {
    CounterCheck {
        key,
        window: Window::Day(gmt8_day(T)),
        limit,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counts_exactly_across_shards() {
    let Some(cluster) = RedisCluster::start() else {
        return;
    };
    let settings = CounterSettings {
        backend: CounterBackend::Cluster(cluster.node_urls()),
        on_failure: OnFailure::Closed,
        // Three shards answer in parallel on a 2-core machine running the test too.
        timeout_ms: 2000,
        ..CounterSettings::default()
    };
    assert_eq!(
        format!("{:?}", settings.backend),
        format!(
            "redis cluster {}",
            cluster.url().trim_start_matches("redis+cluster://")
        )
    );
    let c = Arc::new(RedisCounters::connect(&settings).await.unwrap());
    let calls: Vec<_> = (0..300)
        .map(|i| {
            let c = c.clone();
            tokio::spawn(async move {
                let user = format!("user:u{}", i % 3);
                let checks = [
                    day("app:12345678", 1000),
                    day("app-api:12345678|taobao.time.get", 1000),
                    day("api:taobao.time.get", 100),
                    day(&user, 1000),
                ];
                c.hit(&checks, T).await.unwrap()
            })
        })
        .collect();
    let mut passed = 0;
    for call in calls {
        match call.await.unwrap() {
            Ok(()) => passed += 1,
            Err(r) => assert_eq!(r, Rejected { index: 2 }),
        }
    }
    assert_eq!(passed, 100);

    let client = redis::cluster::ClusterClient::new(cluster.node_urls()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let d = gmt8_day(T);
    let mut get = |key: String| -> i64 { conn.get::<_, Option<i64>>(&key).unwrap().unwrap_or(0) };
    assert_eq!(
        get(format!("tg:{{12345678}}:app:d:{d}")),
        100,
        "undone on the app's shard"
    );
    assert_eq!(
        get(format!("tg:{{12345678}}:app-api:taobao.time.get:d:{d}")),
        100
    );
    assert_eq!(get(format!("tg:{{api:taobao.time.get}}:d:{d}")), 100);
    let users: i64 = (0..3).map(|u| get(format!("tg:{{user:u{u}}}:d:{d}"))).sum();
    assert_eq!(users, 100, "undone on the users' shards");

    // The tags do spread over the shards (else this test would prove little).
    let mut node = redis::Client::open(cluster.node_urls()[0].as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let slots: std::collections::HashSet<u16> = ["12345678", "api:taobao.time.get", "user:u0"]
        .iter()
        .map(|tag| {
            let slot: u16 = redis::cmd("CLUSTER")
                .arg("KEYSLOT")
                .arg(tag)
                .query(&mut node)
                .unwrap();
            slot / 5462
        })
        .collect();
    assert!(slots.len() >= 2, "{slots:?}");
}
