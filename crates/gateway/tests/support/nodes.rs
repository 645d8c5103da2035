//! Two gateway nodes sharing a PostgreSQL registry and Redis counters (`#[path]`-included next
//! to `mod support`).
#![allow(dead_code)]

use std::sync::atomic::Ordering;
use std::sync::Arc;

use topgate_gateway::launch::ServeOptions;
use topgate_protocol::parse::{parse, Outcome};
use topgate_store::testing::{PgServer, RedisServer};
use topgate_store::{Limit, LimitScope};

use super::support::*;

pub const TIME: &str = "taobao.time.get";

/// Two nodes and the configuration file they share.
pub struct Nodes {
    pub nodes: [Arc<Harness>; 2],
    _conf: tempfile::TempDir,
}

/// Starts two nodes (with the demo) on a fresh database of `pg`, counting in `redis`; `counters`
/// is the rest of the `[counters]` table (`on_failure = "closed"` ...).
pub async fn two_nodes(pg: &PgServer, redis: &RedisServer, counters: &str) -> Nodes {
    let conf = tempfile::tempdir().unwrap();
    let db = pg.fresh_database();
    let path = conf.path().join("topgate.toml");
    let text = format!(
        "access_log = false\n[store]\nregistry = \"{db}\"\narchive = \"{db}\"\n\
         [counters]\nbackend = \"{}\"\n{counters}\n",
        redis.url()
    );
    std::fs::write(&path, text).unwrap();
    let opts = || ServeOptions {
        demo: true,
        config: Some(path.clone()),
        ..Default::default()
    };
    let a = start_with(opts()).await;
    let b = start_with(opts()).await;
    Nodes {
        nodes: [Arc::new(a), Arc::new(b)],
        _conf: conf,
    }
}

impl Nodes {
    /// Sets the demo app's daily limit (through node A's store) and has both nodes serve it.
    pub fn set_app_daily_limit(&self, per_day: u64) {
        let store = self.nodes[0].running.gateway.registry.store().clone();
        store
            .set_limit(Limit {
                scope: LimitScope::App,
                subject: APP_KEY.into(),
                per_day: Some(per_day),
                per_second: None,
            })
            .unwrap();
        for node in &self.nodes {
            node.running.gateway.registry.refresh().unwrap();
        }
    }

    pub async fn stop(self) {
        for node in self.nodes {
            let node = Arc::try_unwrap(node).ok().expect("no call in flight");
            node.running.stop().await.unwrap();
        }
    }
}

/// What a call got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ok,
    /// A TOP error: code and sub code.
    Error(i64, Option<String>),
    /// Anything else: a transport error, another HTTP status, an unparsable body.
    Broken(String),
}

/// The signed parameters of a `taobao.time.get` call by the demo app on `h`.
pub fn time_call(h: &Harness) -> Vec<(String, String)> {
    h.call(TIME).signed_pairs()
}

/// Sends a call (every parameter in a form body) and classifies the answer.
pub async fn answer(h: &Harness, pairs: &[(String, String)]) -> Answer {
    let resp = match h.http.post(&h.url).form(pairs).send().await {
        Ok(resp) => resp,
        Err(e) => return Answer::Broken(format!("transport: {e}")),
    };
    let status = resp.status();
    let body = match resp.bytes().await {
        Ok(body) => body,
        Err(e) => return Answer::Broken(format!("body: {e}")),
    };
    if status != 200 {
        return Answer::Broken(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
    }
    match parse(&body) {
        Ok(r) => match r.outcome {
            Outcome::Success(_) => Answer::Ok,
            Outcome::Error(e) => Answer::Error(e.code, e.sub_code),
        },
        Err(e) => Answer::Broken(format!("{e}: {}", String::from_utf8_lossy(&body))),
    }
}

/// A connection to the test's Redis.
pub fn redis_client(redis: &RedisServer) -> redis::Connection {
    redis::Client::open(redis.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

/// The Redis key of the demo app's daily counter on the harness's day.
pub fn app_day_key(h: &Harness) -> String {
    let day = topgate_gateway::limits::gmt8_day(h.now.load(Ordering::SeqCst));
    format!("tg:{{{APP_KEY}}}:app:d:{day}")
}

/// The demo app's daily count in Redis.
pub fn app_day_count(conn: &mut redis::Connection, key: &str) -> i64 {
    redis::cmd("GET")
        .arg(key)
        .query::<Option<i64>>(conn)
        .unwrap_or_default()
        .unwrap_or(0)
}
