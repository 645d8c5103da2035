//! Counters in Redis or a Redis Cluster, shared by every node ([`RedisCounters`]).
//!
//! A call's counters are counted by one Lua script (`hit.lua`): every `INCR`, every check, the
//! `EXPIRE` of a new key, and on a refusal the `DECR` of what it incremented, atomically, in
//! one round trip. Keys (see `docs/deploy.md`):
//!
//! | counter | Redis key |
//! |---|---|
//! | `app:K` | `tg:{K}:app:d:DAY` / `tg:{K}:app:s:SECOND` |
//! | `app-api:K\|method` | `tg:{K}:app-api:method:d:DAY` |
//! | `api:m`, `user:n`, `session:s`, `partner:p` | `tg:{api:m}:d:DAY` ... |
//!
//! After a counter reset of app K made at T, its keys carry the reset: `tg:{K}:r:T:app:d:DAY`.
//! A reset thus starts new counters on every node without deleting anything (the old keys
//! expire), and applying it twice changes nothing.
//!
//! The hash tag (`{...}`) puts an app's own counters on one Redis Cluster shard. Shared counters
//! (API, user, session, partner) have a tag each. On one Redis every call is one script; on a
//! cluster, one script per distinct tag, sent together, and when one refuses, the increments
//! of the others are taken back (`undo.lua`).

use std::collections::HashMap;
use std::time::Duration;

use futures_util::future::{join_all, BoxFuture};
use futures_util::FutureExt;
use parking_lot::RwLock;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::Script;

use super::counters::{CounterCheck, Rejected};
use super::redis_keys::{counter_key, group_by_tag, ttl_seconds};
use super::settings::{CounterBackend, CounterSettings};
use super::shared::{RemoteCounters, Unreachable};

#[derive(Clone)]
enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

/// Counters in Redis: see the module documentation.
pub struct RedisCounters {
    conn: Conn,
    hit: Script,
    undo: Script,
    timeout: Duration,
    /// The last counter reset of each app (its keys carry it).
    resets: RwLock<HashMap<String, i64>>,
    describe: String,
}

impl RedisCounters {
    /// Opens the connection the settings name, without waiting for Redis: a node starts while
    /// Redis is down (and follows `on_failure`). Fails only on a malformed URL.
    pub async fn connect(settings: &CounterSettings) -> anyhow::Result<RedisCounters> {
        let timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let connect_timeout = timeout.max(Duration::from_secs(1));
        // Errors are not shown as is: a URL may hold a password.
        let bad = |e: redis::RedisError| {
            anyhow::anyhow!(
                "[counters] backend: not a usable Redis URL ({:?})",
                e.kind()
            )
        };
        let conn = match &settings.backend {
            CounterBackend::Memory => anyhow::bail!("[counters] backend = \"memory\" is not Redis"),
            CounterBackend::Redis(url) => {
                let client = redis::Client::open(url.as_str()).map_err(bad)?;
                let config = ConnectionManagerConfig::new()
                    .set_response_timeout(Some(timeout))
                    .set_connection_timeout(Some(connect_timeout))
                    .set_number_of_retries(2)
                    .set_min_delay(Duration::from_millis(20))
                    .set_max_delay(Duration::from_millis(500));
                Conn::Single(ConnectionManager::new_lazy_with_config(client, config).map_err(bad)?)
            }
            CounterBackend::Cluster(nodes) => {
                let client = ClusterClient::builder(nodes.iter().map(String::as_str))
                    .retries(1)
                    .build()
                    .map_err(bad)?;
                let config = ClusterConfig::new()
                    .set_connection_timeout(connect_timeout)
                    .set_response_timeout(timeout);
                Conn::Cluster(client.get_pending_async_connection_with_config(config))
            }
        };
        let counters = RedisCounters {
            conn,
            hit: Script::new(include_str!("hit.lua")),
            undo: Script::new(include_str!("undo.lua")),
            timeout,
            resets: RwLock::new(HashMap::new()),
            describe: settings.backend.describe(),
        };
        counters.warm_up().await;
        Ok(counters)
    }

    /// Connects and loads the scripts now (at most 2 s), so the first calls do not pay for it.
    async fn warm_up(&self) {
        let attempt = async {
            let mut conn = self.conn.clone();
            for script in [&self.hit, &self.undo] {
                match &mut conn {
                    Conn::Single(c) => script.load_async(c).await?,
                    Conn::Cluster(c) => script.load_async(c).await?,
                };
            }
            Ok::<(), redis::RedisError>(())
        };
        match tokio::time::timeout(Duration::from_secs(2), attempt).await {
            Ok(Ok(())) => tracing::info!(store = %self.describe, "counters in Redis"),
            Ok(Err(e)) => tracing::warn!(store = %self.describe, error = %e,
                "counter store unreachable at start; flow control follows [counters] on_failure \
                 until it answers"),
            Err(_) => tracing::warn!(store = %self.describe,
                "counter store did not answer within 2 s at start; flow control follows \
                 [counters] on_failure until it answers"),
        }
    }

    /// Runs `hit.lua` on some of the call's counters: `Ok(0)`, or the 1-based position (among
    /// `idx`) of the first over its limit.
    async fn run_hit(
        &self,
        keys: &[String],
        args: &[u64],
        idx: &[usize],
    ) -> redis::RedisResult<usize> {
        let mut inv = self.hit.prepare_invoke();
        for &i in idx {
            inv.key(&keys[i]).arg(args[2 * i]).arg(args[2 * i + 1]);
        }
        match self.conn.clone() {
            Conn::Single(mut c) => inv.invoke_async(&mut c).await,
            Conn::Cluster(mut c) => inv.invoke_async(&mut c).await,
        }
    }

    async fn run_undo(&self, keys: &[String], idx: &[usize]) -> redis::RedisResult<()> {
        let mut inv = self.undo.prepare_invoke();
        for &i in idx {
            inv.key(&keys[i]);
        }
        match self.conn.clone() {
            Conn::Single(mut c) => inv.invoke_async(&mut c).await,
            Conn::Cluster(mut c) => inv.invoke_async(&mut c).await,
        }
    }

    async fn count(
        &self,
        checks: &[CounterCheck<'_>],
        now_ms: i64,
    ) -> redis::RedisResult<Result<(), Rejected>> {
        let keys: Vec<String> = {
            let resets = self.resets.read();
            checks.iter().map(|c| counter_key(c, &resets)).collect()
        };
        let args: Vec<u64> = checks
            .iter()
            .flat_map(|c| [c.limit, ttl_seconds(c.window, now_ms)])
            .collect();
        let groups = match self.conn {
            Conn::Single(_) => vec![(0..keys.len()).collect()],
            Conn::Cluster(_) => group_by_tag(&keys),
        };
        let results = join_all(groups.iter().map(|idx| self.run_hit(&keys, &args, idx))).await;
        let mut first_over = None;
        let mut failed = None;
        for (idx, result) in groups.iter().zip(&results) {
            match result {
                Ok(0) => {}
                Ok(at) => {
                    let i = idx[(*at).clamp(1, idx.len()) - 1];
                    first_over = Some(first_over.map_or(i, |f: usize| f.min(i)));
                }
                Err(e) => failed = Some(e.clone()),
            }
        }
        if first_over.is_none() && failed.is_none() {
            return Ok(Ok(()));
        }
        // Take back the increments of the groups that counted the call.
        let counted = groups
            .iter()
            .zip(&results)
            .filter(|(_, r)| matches!(r, Ok(0)));
        for (idx, _) in counted {
            if let Err(e) = self.run_undo(&keys, idx).await {
                tracing::warn!(error = %e, "a refused call stays counted in Redis (undo failed)");
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(Err(Rejected {
                index: first_over.unwrap_or(0),
            })),
        }
    }
}

impl RemoteCounters for RedisCounters {
    fn hit<'a>(
        &'a self,
        checks: &'a [CounterCheck<'a>],
        now_ms: i64,
    ) -> BoxFuture<'a, Result<Result<(), Rejected>, Unreachable>> {
        async move {
            match tokio::time::timeout(self.timeout, self.count(checks, now_ms)).await {
                Ok(Ok(counted)) => Ok(counted),
                Ok(Err(e)) => Err(Unreachable(e.to_string())),
                Err(_) => Err(Unreachable(format!(
                    "no answer within {} ms",
                    self.timeout.as_millis()
                ))),
            }
        }
        .boxed()
    }

    fn reset_app(&self, app_key: &str, reset_at_ms: i64) {
        let mut resets = self.resets.write();
        let at = resets.entry(app_key.to_string()).or_insert(reset_at_ms);
        *at = (*at).max(reset_at_ms);
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}
