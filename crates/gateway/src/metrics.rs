//! Prometheus metrics, served as text at `GET /metrics` on the admin listener ([`crate::admin`]).
//!
//! | family | type | labels |
//! |---|---|---|
//! | `topgate_calls_total` | counter | `method` (a catalog API, else `unknown`), `code` (`0` for success), `class` |
//! | `topgate_call_duration_seconds` | histogram | (gateway latency, from the request to the answer) |
//! | `topgate_backend_duration_seconds` | histogram | `backend` |
//! | `topgate_limiter_rejections_total` | counter | `code` (4-8) |
//! | `topgate_archive_queue_depth` | gauge | (records waiting to be written) |
//! | `topgate_archive_written_total` | counter | |
//! | `topgate_archive_write_failures_total` | counter | (failed batch writes; each is retried) |
//! | `topgate_archive_dropped_total` | counter | (successes dropped because the queue was full) |
//! | `topgate_counter_failures_total` | counter | (calls whose Redis counters could not be reached) |
//! | `topgate_registry_revision` | gauge | (the revision of the registry snapshot in use) |
//!
//! `class` is the error's class (PROTOCOL.md section 5: `platform`, `isv-business`, `provider`,
//! `flow-control`) or `success`. [`Metrics`] is a [`CallObserver`]: counting a call takes a
//! read lock and a hash lookup, and allocates only the first time a label set is seen. Label
//! values come from the catalog (methods, backends) or small fixed sets, so their number is
//! bounded whatever clients send. The archive and registry figures are read at scrape time.

use std::collections::HashSet;
use std::sync::Arc;

use parking_lot::RwLock;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use topgate_protocol::errors::classify;

use crate::archive::Archive;
use crate::catalog::LiveCatalog;
use crate::pipeline::Reply;
use crate::registry::LiveRegistry;
use crate::server::CallObserver;

/// The `Content-Type` of [`Metrics::render`]'s text (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Latency buckets, in seconds: 0.5 ms to 30 s.
const BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: Arc<str>,
    code: i64,
    class: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BackendLabels {
    backend: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: i64,
}

/// The gateway's metrics.
pub struct Metrics {
    registry: Registry,
    catalog: Arc<LiveCatalog>,
    calls: Family<CallLabels, Counter>,
    latency: Histogram,
    backends: Family<BackendLabels, Histogram, fn() -> Histogram>,
    rejections: Family<CodeLabels, Counter>,
    /// Label values seen so far (catalog methods and backends), shared by every label set.
    names: RwLock<HashSet<Arc<str>>>,
    unknown: Arc<str>,
}

impl Metrics {
    /// Metrics for a gateway serving `catalog`; the archive and registry figures are read from
    /// `archive` (when it is on) and `registry` at each scrape.
    pub fn new(
        catalog: Arc<LiveCatalog>,
        registry: Arc<LiveRegistry>,
        archive: Option<Arc<Archive>>,
        counter_failures: Arc<dyn Fn() -> u64 + Send + Sync>,
    ) -> Metrics {
        let mut m = Metrics {
            registry: Registry::default(),
            catalog,
            calls: Family::default(),
            latency: histogram(),
            backends: Family::new_with_constructor(histogram as fn() -> Histogram),
            rejections: Family::default(),
            names: RwLock::new(HashSet::new()),
            unknown: Arc::from("unknown"),
        };
        let r = &mut m.registry;
        r.register(
            "topgate_calls",
            "Calls answered, by API, response code (0: success) and error class",
            m.calls.clone(),
        );
        r.register(
            "topgate_call_duration_seconds",
            "Time from the request to the answer, in the gateway",
            m.latency.clone(),
        );
        r.register(
            "topgate_backend_duration_seconds",
            "Time a backend took to answer, by backend",
            m.backends.clone(),
        );
        r.register(
            "topgate_limiter_rejections",
            "Calls refused by flow control, by code (4-8)",
            m.rejections.clone(),
        );
        r.register_collector(Box::new(AtScrape {
            registry,
            archive,
            counter_failures,
        }));
        m
    }

    /// The metrics in the Prometheus text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }

    /// The shared label value for `name`; the first time, `name` is copied once.
    fn intern(&self, name: &str) -> Arc<str> {
        if let Some(v) = self.names.read().get(name) {
            return v.clone();
        }
        let mut names = self.names.write();
        if let Some(v) = names.get(name) {
            return v.clone();
        }
        let v: Arc<str> = Arc::from(name);
        names.insert(v.clone());
        v
    }

    /// A catalog API's name, else `unknown` (clients cannot make up label values).
    fn method_label(&self, method: Option<&str>) -> Arc<str> {
        match method {
            Some(m) if self.catalog.current().api(m).is_some() => self.intern(m),
            _ => self.unknown.clone(),
        }
    }
}

impl CallObserver for Metrics {
    fn observe(&self, reply: &Reply) {
        let r = &reply.record;
        let (code, class) = match r.code {
            None => (0, "success"),
            Some(code) => (code, classify(code, r.sub_code.as_deref(), None).as_str()),
        };
        let labels = CallLabels {
            method: self.method_label(r.method.as_deref()),
            code,
            class,
        };
        self.calls.get_or_create(&labels).inc();
        self.latency.observe(r.latency_ms / 1000.0);
        if let (Some(backend), Some(ms)) = (&r.backend, r.backend_latency_ms) {
            let labels = BackendLabels {
                backend: self.intern(backend),
            };
            self.backends.get_or_create(&labels).observe(ms / 1000.0);
        }
        if r.failed_check.as_deref() == Some("flow-control") {
            self.rejections.get_or_create(&CodeLabels { code }).inc();
        }
    }
}

/// The figures read when scraped: the archive's queue and writes, the registry's revision.
struct AtScrape {
    registry: Arc<LiveRegistry>,
    archive: Option<Arc<Archive>>,
    /// Calls whose shared counter store (Redis) could not be reached.
    counter_failures: Arc<dyn Fn() -> u64 + Send + Sync>,
}

impl std::fmt::Debug for AtScrape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AtScrape")
    }
}

impl Collector for AtScrape {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let revision = ConstGauge::new(self.registry.snapshot().revision);
        let help = "The revision of the registry snapshot the gateway serves.";
        revision.encode(encoder.encode_descriptor(
            "topgate_registry_revision",
            help,
            None,
            revision.metric_type(),
        )?)?;
        let failures = ConstCounter::new((self.counter_failures)());
        failures.encode(encoder.encode_descriptor(
            "topgate_counter_failures",
            "Calls whose shared counter store (Redis) could not be reached; the [counters] on_failure policy decided them.",
            None,
            failures.metric_type(),
        )?)?;
        let Some(archive) = &self.archive else {
            return Ok(());
        };
        let stats = archive.stats();
        let depth = ConstGauge::new(i64::try_from(stats.queued).unwrap_or(i64::MAX));
        let help = "Archive records waiting to be written.";
        depth.encode(encoder.encode_descriptor(
            "topgate_archive_queue_depth",
            help,
            None,
            depth.metric_type(),
        )?)?;
        for (name, help, value) in [
            (
                "topgate_archive_written",
                "Archive records written.",
                stats.written,
            ),
            (
                "topgate_archive_write_failures",
                "Failed archive batch writes (each is retried).",
                stats.write_failures,
            ),
            (
                "topgate_archive_dropped",
                "Successful calls not archived because the queue was full.",
                stats.dropped_successes,
            ),
        ] {
            let counter = ConstCounter::new(value);
            counter.encode(encoder.encode_descriptor(
                name,
                help,
                None,
                counter.metric_type(),
            )?)?;
        }
        Ok(())
    }
}
