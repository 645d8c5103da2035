//! What one load run measured: per-connection tallies while it runs, one [`Report`] (a JSON line
//! on stdout) at the end.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::client::Outcome;

/// The result of one run, as `topgate-load` prints it and `topgate-bench` reads it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    /// `closed` (N connections back to back) or `open` (a constant rate).
    pub mode: String,
    pub connections: usize,
    /// The constant rate asked for (open loop).
    pub target_rps: Option<f64>,
    /// The measured window, after the warm-up.
    pub seconds: f64,
    /// Calls completed in the window, whatever their outcome.
    pub requests: u64,
    pub rps: f64,
    /// HTTP 200 with an error body (a TOP error, or a backend-protocol error).
    pub error_bodies: u64,
    pub bad_status: u64,
    pub transport_errors: u64,
    /// Open loop: scheduled calls never sent because the run ended (the target fell behind).
    pub unsent: u64,
    /// Latency in microseconds; open loop: from the time the call was scheduled.
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    pub mean_us: f64,
    /// Open loop: how late calls were sent after their scheduled time, p99 (the generator's
    /// own timing error plus any wait for a free connection).
    pub send_late_p99_us: Option<u64>,
    /// The generator's CPU use over the window, % of one core.
    pub generator_cpu_pct: f64,
    /// The size of the last successful answer.
    pub body_bytes: usize,
}

/// One connection's counts.
pub struct Tally {
    pub latency: Histogram<u64>,
    pub late: Histogram<u64>,
    pub requests: u64,
    pub error_bodies: u64,
    pub bad_status: u64,
    pub transport_errors: u64,
    pub unsent: u64,
    pub body_bytes: usize,
}

fn histogram() -> Histogram<u64> {
    // 1 µs to 100 s, 3 significant figures.
    Histogram::new_with_bounds(1, 100_000_000, 3).expect("valid bounds")
}

fn micros(d: Duration) -> u64 {
    (d.as_micros() as u64).clamp(1, 100_000_000)
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            latency: histogram(),
            late: histogram(),
            requests: 0,
            error_bodies: 0,
            bad_status: 0,
            transport_errors: 0,
            unsent: 0,
            body_bytes: 0,
        }
    }

    /// One completed call, `latency` long.
    pub fn record(&mut self, outcome: Outcome, latency: Duration) {
        self.requests += 1;
        self.latency.saturating_record(micros(latency));
        match outcome {
            Outcome::Ok { body_bytes } => self.body_bytes = body_bytes,
            Outcome::ErrorBody => self.error_bodies += 1,
            Outcome::BadStatus => self.bad_status += 1,
            Outcome::Transport => self.transport_errors += 1,
        }
    }

    /// How late a call was sent (open loop).
    pub fn record_late(&mut self, late: Duration) {
        self.late.saturating_record(micros(late));
    }

    /// A scheduled call never sent: counted, and its wait so far taken as its latency.
    pub fn record_unsent(&mut self, waited: Duration) {
        self.unsent += 1;
        self.latency.saturating_record(micros(waited));
    }

    pub fn merge(&mut self, other: &Tally) {
        self.latency.add(&other.latency).expect("same bounds");
        self.late.add(&other.late).expect("same bounds");
        self.requests += other.requests;
        self.error_bodies += other.error_bodies;
        self.bad_status += other.bad_status;
        self.transport_errors += other.transport_errors;
        self.unsent += other.unsent;
        self.body_bytes = self.body_bytes.max(other.body_bytes);
    }

    pub fn report(&self, mode: &str, connections: usize, window: Duration) -> Report {
        let h = &self.latency;
        let q = |p: f64| {
            if h.is_empty() {
                0
            } else {
                h.value_at_quantile(p)
            }
        };
        Report {
            mode: mode.to_owned(),
            connections,
            seconds: window.as_secs_f64(),
            requests: self.requests,
            rps: self.requests as f64 / window.as_secs_f64(),
            error_bodies: self.error_bodies,
            bad_status: self.bad_status,
            transport_errors: self.transport_errors,
            unsent: self.unsent,
            p50_us: q(0.50),
            p90_us: q(0.90),
            p99_us: q(0.99),
            p999_us: q(0.999),
            max_us: h.max(),
            mean_us: h.mean(),
            send_late_p99_us: (!self.late.is_empty()).then(|| self.late.value_at_quantile(0.99)),
            body_bytes: self.body_bytes,
            ..Report::default()
        }
    }
}

impl Default for Tally {
    fn default() -> Self {
        Tally::new()
    }
}
