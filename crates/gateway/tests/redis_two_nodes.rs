//! Two gateway nodes sharing PostgreSQL (the registry) and Redis (the counters): an app with a
//! daily limit of 1000 receives 3000 concurrent calls spread over both nodes, and exactly 1000
//! succeed. The test starts its own PostgreSQL and Redis; without them installed it prints
//! `SKIPPED` and passes.

#[path = "support/nodes.rs"]
mod nodes;
mod support;

use std::sync::Arc;

use nodes::*;
use tokio::sync::Semaphore;
use topgate_store::testing::{PgServer, RedisServer};

const APP_SUB: &str = "accesscontrol.limited-by-app-access-count";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_3000_calls_over_two_nodes_exactly_the_daily_1000_succeed() {
    let Some(pg) = PgServer::start() else { return };
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let nodes = two_nodes(&pg, &redis, "on_failure = \"closed\"\ntimeout_ms = 2000").await;
    nodes.set_app_daily_limit(1000);

    // All 3000 are started at once; at most 400 are on the wire together (each its own
    // connection, client and servers in this one process).
    let wire = Arc::new(Semaphore::new(400));
    let tasks: Vec<_> = (0..3000)
        .map(|i| {
            let node = nodes.nodes[i % 2].clone();
            let wire = wire.clone();
            tokio::spawn(async move {
                let pairs = time_call(&node);
                let _slot = wire.acquire().await.unwrap();
                (i % 2, answer(&node, &pairs).await)
            })
        })
        .collect();
    let mut passed = [0; 2];
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            (node, Answer::Ok) => passed[node] += 1,
            (_, Answer::Error(7, Some(sub))) if sub == APP_SUB => refused += 1,
            (node, other) => panic!("node {node}: unexpected answer {other:?}"),
        }
    }
    eprintln!("successes per node: {passed:?}");
    assert_eq!(passed[0] + passed[1], 1000);
    assert_eq!(refused, 2000);
    assert!(
        passed[0] > 0 && passed[1] > 0,
        "both nodes served: {passed:?}"
    );
    let mut conn = redis_client(&redis);
    assert_eq!(
        app_day_count(&mut conn, &app_day_key(&nodes.nodes[0])),
        1000
    );
    for node in &nodes.nodes {
        assert_eq!(node.running.gateway.limiter.counter_failures(), 0);
    }
    nodes.stop().await;
}
