//! The `[counters]` table of the configuration file: where the flow-control counters live and
//! what happens when that place is unreachable. See `docs/deploy.md` ("Counters").
//!
//! ```toml
//! [counters]
//! backend = "memory"        # the default: this node's memory, daily counts in counters.db;
//!                           # or "redis://[USER:PASSWORD@]HOST:PORT[/DB]" (one Redis),
//!                           # or "redis+cluster://[USER:PASSWORD@]HOST:PORT,HOST:PORT,..."
//! on_failure = "open"       # Redis unreachable: "open" (serve uncounted), "closed" (code 10),
//!                           # or "local" (each node enforces its share: limit / nodes)
//! nodes = 3                 # the number of gateway nodes (needed by on_failure = "local")
//! timeout_ms = 50           # the most a call waits for Redis
//! retry_ms = 1000           # after a failure, Redis is tried again (by one call) this much later
//! ```

use std::fmt;

use serde::Deserialize;

/// Where the counters live.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum CounterBackend {
    /// This node's memory (the daily counts persisted in `counters.db`).
    #[default]
    Memory,
    /// One Redis server (or a primary behind a failover address): its URL.
    Redis(String),
    /// A Redis Cluster: one `redis://` URL per seed node (credentials repeated in each).
    Cluster(Vec<String>),
}

impl TryFrom<String> for CounterBackend {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let s = s.trim();
        if s == "memory" {
            return Ok(CounterBackend::Memory);
        }
        if s.starts_with("redis://") {
            return Ok(CounterBackend::Redis(s.to_string()));
        }
        if let Some(rest) = s.strip_prefix("redis+cluster://") {
            let rest = rest.trim_end_matches('/');
            let (creds, hosts) = match rest.rsplit_once('@') {
                Some((creds, hosts)) => (format!("{creds}@"), hosts),
                None => (String::new(), rest),
            };
            let nodes: Vec<String> = hosts
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(|h| format!("redis://{creds}{h}"))
                .collect();
            if !nodes.is_empty() {
                return Ok(CounterBackend::Cluster(nodes));
            }
        }
        // The value is not repeated: it may hold a password.
        Err("expected \"memory\", \"redis://HOST:PORT\" or \
             \"redis+cluster://HOST:PORT,HOST:PORT,...\" (TLS, rediss://, is not supported)"
            .to_string())
    }
}

impl CounterBackend {
    /// Where, without credentials: `redis 10.0.0.5:6379`, `redis cluster 10.0.0.5:7000,...`.
    pub fn describe(&self) -> String {
        fn host(url: &str) -> &str {
            let rest = url.strip_prefix("redis://").unwrap_or(url);
            let rest = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            rest.split('/').next().unwrap_or(rest)
        }
        match self {
            CounterBackend::Memory => "memory".to_string(),
            CounterBackend::Redis(url) => format!("redis {}", host(url)),
            CounterBackend::Cluster(nodes) => {
                let hosts: Vec<&str> = nodes.iter().map(|n| host(n)).collect();
                format!("redis cluster {}", hosts.join(","))
            }
        }
    }
}

/// Never shows a URL: it may hold a password.
impl fmt::Debug for CounterBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// What a call does when the shared counters cannot be reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnFailure {
    /// Serve the call, uncounted (logged, and counted in the counter-failure metric).
    #[default]
    Open,
    /// Refuse the call: code 10 with sub code `isp.counter-store-unavailable`.
    Closed,
    /// Count in this node's memory against `ceil(limit / nodes)`.
    Local,
}

/// The `[counters]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CounterSettings {
    pub backend: CounterBackend,
    pub on_failure: OnFailure,
    /// The number of gateway nodes sharing the counters; `on_failure = "local"` needs it.
    pub nodes: Option<u32>,
    /// The most a call waits for Redis, in milliseconds.
    pub timeout_ms: u64,
    /// After a failure, the calls of the next `retry_ms` do not try Redis (they follow
    /// `on_failure` at once); then one call tries it again.
    pub retry_ms: u64,
}

impl Default for CounterSettings {
    fn default() -> Self {
        CounterSettings {
            backend: CounterBackend::Memory,
            on_failure: OnFailure::Open,
            nodes: None,
            timeout_ms: 50,
            retry_ms: 1000,
        }
    }
}

impl CounterSettings {
    /// The settings for Redis at `url` (tests).
    pub fn redis(url: &str, on_failure: OnFailure, nodes: u32) -> CounterSettings {
        CounterSettings {
            backend: CounterBackend::Redis(url.to_string()),
            on_failure,
            nodes: Some(nodes),
            ..CounterSettings::default()
        }
    }

    /// Refuses settings that cannot work, with the reason.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.timeout_ms > 0,
            "[counters] timeout_ms must be at least 1"
        );
        anyhow::ensure!(self.nodes != Some(0), "[counters] nodes must be at least 1");
        anyhow::ensure!(
            self.on_failure != OnFailure::Local
                || self.nodes.is_some()
                || self.backend == CounterBackend::Memory,
            "[counters] on_failure = \"local\" needs nodes = N, the number of gateway nodes \
             (each enforces 1/N of every limit while Redis is unreachable)"
        );
        Ok(())
    }

    /// The share of a limit one node enforces on its own (`on_failure = "local"`).
    pub fn nodes(&self) -> u64 {
        u64::from(self.nodes.unwrap_or(1).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CounterSettings, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn settings() {
        assert_eq!(parse("").unwrap(), CounterSettings::default());
        let s =
            parse("backend = \"redis://:pw@10.0.0.5:6379/2\"\non_failure = \"closed\"").unwrap();
        assert_eq!(
            s.backend,
            CounterBackend::Redis("redis://:pw@10.0.0.5:6379/2".into())
        );
        assert_eq!(s.on_failure, OnFailure::Closed);
        assert_eq!(s.backend.describe(), "redis 10.0.0.5:6379");
        assert!(!format!("{s:?}").contains("pw"), "Debug hides passwords");

        let s = parse("backend = \"redis+cluster://u:pw@h1:7000, h2:7001/\"").unwrap();
        assert_eq!(
            s.backend,
            CounterBackend::Cluster(vec![
                "redis://u:pw@h1:7000".into(),
                "redis://u:pw@h2:7001".into()
            ])
        );
        assert_eq!(s.backend.describe(), "redis cluster h1:7000,h2:7001");

        let e = parse("backend = \"rediss://:pw@h:1\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected \"memory\""), "{e}");
        assert!(parse("backend = \"redis+cluster://\"").is_err());
        assert!(parse("on_failure = \"maybe\"").is_err());
        assert!(parse("nodez = 2").is_err(), "unknown keys are refused");
    }

    #[test]
    fn local_needs_the_number_of_nodes() {
        let mut s = CounterSettings::redis("redis://h:1", OnFailure::Local, 2);
        s.validate().unwrap();
        assert_eq!(s.nodes(), 2);
        s.nodes = None;
        let e = s.validate().unwrap_err().to_string();
        assert!(e.contains("needs nodes = N"), "{e}");
        s.nodes = Some(0);
        assert!(s.validate().is_err());
    }
}
