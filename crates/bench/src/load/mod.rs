//! `topgate-load`: the load generator. Closed loop (N keep-alive connections, each sending its
//! next call as soon as the last is answered: the saturation throughput) or open loop (calls
//! scheduled at a constant rate whatever the answers do, latency counted from the scheduled time,
//! so a stall is charged to every call it delays: no coordinated omission).
//!
//! It runs on one thread (pin it with `taskset`); the open loop's schedule is kept by a second
//! thread that sleeps to each due time and hands the due times over.

pub mod client;
pub mod report;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use http::Uri;
use tokio::sync::{mpsc, Mutex};

use crate::pool::{Pool, DEFAULT_POOL};
use client::{Conn, Outcome};
pub use report::{Report, Tally};

/// How long after the window an open-loop run keeps sending calls that are still queued.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

#[derive(Parser, Debug, Clone)]
#[command(
    name = "topgate-load",
    about = "Signed TOP calls at saturation or at a constant rate"
)]
pub struct LoadArgs {
    /// The endpoint, e.g. http://127.0.0.1:8080/router/rest (an IP address, not a name)
    #[arg(long)]
    pub url: Uri,
    /// Keep-alive connections
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Measured time, after the warm-up
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Load before measuring, not counted
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub warmup: Duration,
    /// Calls per second, scheduled at fixed intervals (open loop); without it: closed loop
    #[arg(long)]
    pub rate: Option<f64>,
    /// Distinct signed calls, re-signed every minute
    #[arg(long, default_value_t = DEFAULT_POOL)]
    pub pool: usize,
    /// Send one call, print the answer as JSON, exit 0 if it is a success
    #[arg(long)]
    pub probe: bool,
}

impl LoadArgs {
    fn addr(&self) -> anyhow::Result<SocketAddr> {
        let authority = self
            .url
            .authority()
            .ok_or_else(|| anyhow::anyhow!("{}: no host:port", self.url))?;
        authority
            .as_str()
            .parse()
            .map_err(|_| anyhow::anyhow!("{}: give IP:PORT, not a host name", self.url))
    }
}

/// Runs the load `args` describe and returns its report (a probe prints its own answer).
pub async fn run(args: &LoadArgs) -> anyhow::Result<Report> {
    let addr = args.addr()?;
    let pool = Pool::start(&addr.to_string(), args.url.path(), args.pool);
    if args.probe {
        return probe(addr, &pool).await;
    }
    let conns = args.connections.max(1);
    let begin = Instant::now() + Duration::from_millis(20);
    let start = begin + args.warmup;
    let end = start + args.duration;
    let cpu = tokio::spawn(cpu_over(start, end));
    let tally = match args.rate {
        None => closed(addr, &pool, conns, start, end).await,
        Some(rate) => open(addr, &pool, conns, rate, begin, start, end).await,
    };
    let mode = if args.rate.is_some() {
        "open"
    } else {
        "closed"
    };
    let mut report = tally.report(mode, conns, args.duration);
    report.target_rps = args.rate;
    report.generator_cpu_pct = cpu.await?;
    Ok(report)
}

async fn probe(addr: SocketAddr, pool: &Pool) -> anyhow::Result<Report> {
    let (outcome, body) = Conn::new(addr).call(&pool.wire(0)).await;
    let body = body.unwrap_or_default();
    let answer = serde_json::json!({
        "outcome": format!("{outcome:?}"),
        "body_bytes": body.len(),
        "body": String::from_utf8_lossy(&body),
    });
    println!("{answer}");
    match outcome {
        Outcome::Ok { .. } => Ok(Report {
            mode: "probe".into(),
            body_bytes: body.len(),
            ..Report::default()
        }),
        other => anyhow::bail!("the probe call failed: {other:?}"),
    }
}

/// The generator's CPU use between `start` and `end`, % of one core.
async fn cpu_over(start: Instant, end: Instant) -> f64 {
    tokio::time::sleep_until(start.into()).await;
    let before = crate::procfs::cpu_seconds("self").unwrap_or(0.0);
    tokio::time::sleep_until(end.into()).await;
    let after = crate::procfs::cpu_seconds("self").unwrap_or(0.0);
    100.0 * (after - before) / (end - start).as_secs_f64()
}

async fn closed(
    addr: SocketAddr,
    pool: &Arc<Pool>,
    conns: usize,
    start: Instant,
    end: Instant,
) -> Tally {
    let tasks: Vec<_> = (0..conns)
        .map(|k| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut conn = Conn::new(addr);
                let mut tally = Tally::new();
                let mut i = k;
                loop {
                    let sent = Instant::now();
                    if sent >= end {
                        return tally;
                    }
                    let (outcome, _) = conn.call(&pool.wire(i)).await;
                    i += conns;
                    let done = Instant::now();
                    if sent >= start && done <= end {
                        tally.record(outcome, done - sent);
                    }
                    if outcome == Outcome::Transport {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            })
        })
        .collect();
    merge(tasks).await
}

async fn open(
    addr: SocketAddr,
    pool: &Arc<Pool>,
    conns: usize,
    rate: f64,
    begin: Instant,
    start: Instant,
    end: Instant,
) -> Tally {
    let rate = rate.max(0.001);
    let (tx, rx) = mpsc::unbounded_channel::<Instant>();
    // The schedule: absolute due times, so a late wake-up never shifts the calls after it.
    std::thread::spawn(move || {
        for i in 0u64.. {
            let due = begin + Duration::from_secs_f64(i as f64 / rate);
            if due >= end {
                return;
            }
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            if tx.send(due).is_err() {
                return;
            }
        }
    });
    let rx = Arc::new(Mutex::new(rx));
    let tasks: Vec<_> = (0..conns)
        .map(|k| {
            let (pool, rx) = (pool.clone(), rx.clone());
            tokio::spawn(async move {
                let mut conn = Conn::new(addr);
                let mut tally = Tally::new();
                let mut i = k;
                loop {
                    let Some(due) = rx.lock().await.recv().await else {
                        return tally;
                    };
                    let sent = Instant::now();
                    if sent > end + DRAIN_GRACE {
                        if due >= start {
                            tally.record_unsent(sent - due);
                        }
                        continue;
                    }
                    let (outcome, _) = conn.call(&pool.wire(i)).await;
                    i += conns;
                    if due >= start {
                        tally.record(outcome, due.elapsed());
                        tally.record_late(sent - due);
                    }
                }
            })
        })
        .collect();
    merge(tasks).await
}

async fn merge(tasks: Vec<tokio::task::JoinHandle<Tally>>) -> Tally {
    let mut all = Tally::new();
    for task in tasks {
        if let Ok(tally) = task.await {
            all.merge(&tally);
        }
    }
    all
}
