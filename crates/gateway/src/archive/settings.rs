//! The `[archive]` table of the configuration file.
//!
//! ```toml
//! [archive]
//! enabled = true              # record every call in archive.db in the data directory
//! retention_days = 7          # records older than this are pruned (hourly and at start); 0 keeps them forever
//! success_sample_rate = 1.0   # the share of successful calls kept (0.0-1.0); errors are always kept
//! max_body_bytes = 65536      # response bodies are kept up to this size, then marked as truncated
//! queue_capacity = 100000     # successes waiting to be written; beyond it they are dropped and counted
//! low_priority = true         # the writer thread runs only when no request needs the core (SCHED_IDLE)
//! ```

use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArchiveSettings {
    /// Record calls at all.
    pub enabled: bool,
    /// Days a record is kept; 0 keeps records forever.
    pub retention_days: u32,
    /// The share of successful calls recorded, 0.0 to 1.0. Errors are always recorded.
    pub success_sample_rate: f64,
    /// The most bytes of a response body recorded; a longer body is cut and marked.
    pub max_body_bytes: usize,
    /// The most successful calls waiting to be written; more are dropped (and counted) until
    /// the writer catches up. Errors wait in a queue without a bound.
    pub queue_capacity: usize,
    /// Run the writer thread at idle priority (`SCHED_IDLE` on Linux), so that writing never
    /// delays an answer; at saturation it falls behind and `queue_capacity` applies. `false`
    /// keeps every success at saturation at the cost of the request path's latency.
    pub low_priority: bool,
}

impl Default for ArchiveSettings {
    fn default() -> Self {
        ArchiveSettings {
            enabled: true,
            retention_days: 7,
            success_sample_rate: 1.0,
            max_body_bytes: 64 * 1024,
            queue_capacity: 100_000,
            low_priority: true,
        }
    }
}

impl ArchiveSettings {
    /// Refuses settings that cannot work, saying which key and what it accepts.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(0.0..=1.0).contains(&self.success_sample_rate) {
            anyhow::bail!(
                "[archive] success_sample_rate = {}: give a share between 0.0 (no successes) and \
                 1.0 (every success)",
                self.success_sample_rate
            );
        }
        if self.max_body_bytes == 0 {
            anyhow::bail!("[archive] max_body_bytes = 0: give a size in bytes (default 65536)");
        }
        if self.queue_capacity == 0 {
            anyhow::bail!(
                "[archive] queue_capacity = 0: give a number of records (default 100000)"
            );
        }
        Ok(())
    }

    /// How long a record is kept, or `None` for ever.
    pub fn retention(&self) -> Option<Duration> {
        (self.retention_days > 0)
            .then(|| Duration::from_secs(u64::from(self.retention_days) * 86_400))
    }
}

/// How the writer batches, retries and prunes. Fixed in production; tests shorten them.
#[derive(Debug, Clone)]
pub(crate) struct Tuning {
    /// The most records written in one transaction.
    pub batch_size: usize,
    /// The longest a record waits for its batch to fill.
    pub batch_wait: Duration,
    /// How often old records are pruned (also once at start).
    pub prune_every: Duration,
    /// The first pause after a failed write; doubled after each failure up to `retry_max`.
    pub retry_first: Duration,
    pub retry_max: Duration,
    /// After the archive is closed, failed writes are retried this many times, then given up
    /// (and logged).
    pub retries_after_close: u32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            batch_size: 500,
            batch_wait: Duration::from_millis(100),
            prune_every: Duration::from_secs(3600),
            retry_first: Duration::from_millis(100),
            retry_max: Duration::from_secs(5),
            retries_after_close: 10,
        }
    }
}
