//! Flow-control counters as state: exact under concurrency, kept across a restart, cleared by a
//! counter reset (while running, or while stopped: once).

#[path = "support/flow.rs"]
mod flow;
mod support;

use std::time::{Duration, Instant};

use flow::*;
use support::*;
use topgate_gateway::config::registry_path;
use topgate_gateway::launch::ServeOptions;
use topgate_gateway::limits::gmt8_day;
use topgate_gateway::limits::persist::CounterDb;
use topgate_protocol::parse::{parse, Outcome};
use topgate_store::{LimitScope, Registry, SqliteRegistry};

const TIME: &str = "taobao.time.get";
const APP_SUB: &str = "accesscontrol.limited-by-app-access-count";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_a_limit_of_100_exactly_100_of_300_concurrent_calls_pass() {
    let h = start().await;
    set_limit(&h, LimitScope::App, APP_KEY, Some(100), None);
    let pairs = h.call(TIME).signed_pairs();
    let tasks: Vec<_> = (0..300)
        .map(|_| {
            let (http, url, pairs) = (h.http.clone(), h.url.clone(), pairs.clone());
            tokio::spawn(async move {
                let body = http.post(&url).form(&pairs).send().await.unwrap();
                let body = body.bytes().await.unwrap();
                match parse(&body).unwrap().outcome {
                    Outcome::Success(_) => None,
                    Outcome::Error(e) => Some((e.code, e.sub_code)),
                }
            })
        })
        .collect();
    let (mut passed, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            None => passed += 1,
            Some((7, Some(sub))) if sub == APP_SUB => refused += 1,
            Some(other) => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!((passed, refused), (100, 200));
    assert!(outcome(&h, &h.call(TIME)).await.is_err());
}

#[tokio::test]
async fn daily_counts_survive_a_restart_and_a_reset_made_while_stopped_applies_once() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || ServeOptions {
        demo: true,
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let h = start_with(opts()).await;
    set_limit(&h, LimitScope::App, APP_KEY, Some(5), Some(100));
    use_up(&h, &h.call(TIME), 3).await;
    // Written within a second without a stop (what a crash would keep).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut db = CounterDb::open(&CounterDb::path_in(dir.path())).unwrap();
    let (counts, _) = db.load(gmt8_day(t0())).unwrap();
    assert_eq!(counts, [(format!("app:{APP_KEY}"), gmt8_day(t0()), 3)]);
    drop(db);
    use_up(&h, &h.call(TIME), 1).await;
    let Harness { running, .. } = h;
    running.stop().await.unwrap();

    let h = start_with(opts()).await;
    use_up(&h, &h.call(TIME), 1).await;
    let (e, _) = outcome(&h, &h.call(TIME)).await.unwrap_err();
    assert_eq!(e.sub_code.as_deref(), Some(APP_SUB), "5 calls today");
    let Harness { running, .. } = h;
    running.stop().await.unwrap();

    // `topgate app reset-counters` while no server runs: applied at the next start, once.
    let registry = SqliteRegistry::open(&registry_path(dir.path())).unwrap();
    registry.reset_counters(APP_KEY, t0()).unwrap();
    drop(registry);
    let h = start_with(opts()).await;
    use_up(&h, &h.call(TIME), 2).await;
    let Harness { running, .. } = h;
    running.stop().await.unwrap();
    let h = start_with(opts()).await;
    use_up(&h, &h.call(TIME), 3).await;
    let (e, _) = outcome(&h, &h.call(TIME)).await.unwrap_err();
    assert_eq!(
        e.sub_code.as_deref(),
        Some(APP_SUB),
        "the reset was applied once"
    );
}

#[tokio::test]
async fn a_reset_clears_the_apps_counters_of_a_running_server_within_a_second() {
    let h = start().await;
    set_limit(&h, LimitScope::App, APP_KEY, Some(2), None);
    set_limit(
        &h,
        LimitScope::AppApi,
        &format!("{APP_KEY}|{TIME}"),
        Some(1),
        None,
    );
    set_limit(&h, LimitScope::User, "tbtest561", Some(1), None);
    let user = h.call("taobao.user.get").set("fields", "nick").session();
    use_up(&h, &h.call(TIME), 1).await;
    use_up(&h, &user, 1).await;
    let (e, _) = outcome(&h, &h.call(TIME)).await.unwrap_err();
    assert_eq!(e.sub_code.as_deref(), Some(APP_SUB));

    // Through the store, as `topgate app reset-counters` does; the server polls the store.
    let store = h.running.gateway.registry.store().clone();
    store.reset_counters(APP_KEY, t0()).unwrap();
    let asked = Instant::now();
    while outcome(&h, &h.call(TIME)).await.is_err() {
        assert!(
            asked.elapsed() < Duration::from_secs(3),
            "the reset did not reach the server"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The app and app×API counters started again; the user's did not.
    let (e, _) = outcome(&h, &h.call(TIME)).await.unwrap_err();
    assert_eq!(
        e.sub_code.as_deref(),
        Some("accesscontrol.limited-by-app-api-access-count")
    );
    let (e, _) = outcome(&h, &user).await.unwrap_err();
    assert_eq!(
        e.sub_code.as_deref(),
        Some("accesscontrol.limited-by-user-access-count")
    );
}
