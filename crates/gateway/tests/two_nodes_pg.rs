//! Two gateway nodes sharing a PostgreSQL registry (and archive): a change made through one
//! node's store is served by the other within a second. The test starts its own PostgreSQL
//! (`PgServer`); without PostgreSQL installed it prints `SKIPPED` and passes.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::*;
use topgate_gateway::launch::ServeOptions;
use topgate_protocol::parse::Outcome;
use topgate_store::testing::PgServer;
use topgate_store::{NewApp, NewSession};

/// A configuration file naming `url` for the registry and the archive.
pub fn pg_config(dir: &tempfile::TempDir, url: &str) -> PathBuf {
    let path = dir.path().join("topgate.toml");
    std::fs::write(
        &path,
        format!("[store]\nregistry = \"{url}\"\narchive = \"{url}\"\n"),
    )
    .unwrap();
    path
}

/// Calls `check` every 20 ms until it holds; returns how long that took (failing after 5 s).
async fn time_until<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{what}: still not seen after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = start.elapsed();
    eprintln!("{what}: {took:?}");
    took
}

fn onsale(h: &Harness, app_key: &str, secret: &str, session: &str) -> Call {
    h.call("taobao.items.onsale.get")
        .set("fields", "num_iid,title")
        .set("app_key", app_key)
        .secret(secret)
        .set("session", session)
}

async fn outcome_code(h: &Harness, call: &Call) -> Option<i64> {
    match h.parsed(call).await.outcome {
        Outcome::Success(_) => None,
        Outcome::Error(e) => Some(e.code),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_through_one_node_reach_the_other_within_a_second() {
    let Some(pg) = PgServer::start() else { return };
    let conf_dir = tempfile::tempdir().unwrap();
    let config = pg_config(&conf_dir, &pg.url());
    let opts = || ServeOptions {
        demo: true,
        config: Some(config.clone()),
        ..Default::default()
    };
    // Both nodes start, migrate and seed the demo at the same moment.
    let (a, b) = tokio::join!(
        tokio::spawn(start_with(opts())),
        tokio::spawn(start_with(opts()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let store = a.running.gateway.registry.store().clone();
    assert_eq!(store.apps().unwrap().len(), 1, "one demo app, seeded once");
    for node in [&a, &b] {
        let demo = onsale(node, APP_KEY, SECRET, SESSION);
        assert_eq!(outcome_code(node, &demo).await, None);
    }

    // A session issued through A is served by B...
    let key = "6100two-nodes";
    store
        .issue_session(NewSession {
            app_key: APP_KEY.into(),
            user_nick: "tbtest561".into(),
            ttl_ms: 10 * 365 * 24 * 3600 * 1000,
            key: Some(key.into()),
            now_ms: t0(),
            ..NewSession::default()
        })
        .unwrap();
    let (node_b, call) = (&b, &onsale(&b, APP_KEY, SECRET, key));
    let took = time_until("a new session on node B", || async move {
        outcome_code(node_b, call).await.is_none()
    })
    .await;
    assert!(took < Duration::from_secs(1), "took {took:?}");

    // ...and once revoked through A, refused by B (27) within a second.
    store.revoke_session(key).unwrap();
    let took = time_until("a revoked session refused by node B", || async move {
        outcome_code(node_b, call).await == Some(27)
    })
    .await;
    assert!(took < Duration::from_secs(1), "took {took:?}");

    // An app created through A is served by B within a second.
    let app = store
        .create_app(
            NewApp {
                name: "created on A".into(),
                grants: vec!["item-read".into()],
                ..NewApp::default()
            },
            t0(),
        )
        .unwrap();
    let call = &b
        .call("taobao.item.get")
        .set("fields", "num_iid,title")
        .set("num_iid", "1")
        .set("app_key", &app.app_key)
        .secret(&app.secret);
    let took = time_until("a new app on node B", || async move {
        outcome_code(node_b, call).await.is_none()
    })
    .await;
    assert!(took < Duration::from_secs(1), "took {took:?}");

    // Both nodes archive into the one database: B finds a record A wrote.
    let via_a = a.parsed(&onsale(&a, APP_KEY, SECRET, SESSION)).await;
    let id = via_a.request_id().unwrap().to_string();
    a.running.archive.as_ref().unwrap().flush();
    let found = b.running.archive_store.as_ref().unwrap().get(&id).unwrap();
    assert_eq!(found.map(|r| r.request_id), Some(id));

    a.running.stop().await.unwrap();
    b.running.stop().await.unwrap();
}
