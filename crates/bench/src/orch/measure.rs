//! One measurement: the load generator on its core against one target, the target's CPU over the
//! measured window, topgate's memory after it. And a group's plan: every target at saturation,
//! run after run in turn (so a noisy moment hits them all), then every target at half the first
//! one's throughput.

use std::time::{Duration, Instant};

use super::archive::{self, ArchiveRun, Counters};
use super::procs::Procs;
use super::targets::{AdminApi, Bins, Target};
use crate::load::Report;
use crate::procfs;

/// How the load is applied.
#[derive(Debug, Clone)]
pub struct Load {
    pub duration: Duration,
    pub warmup: Duration,
    pub connections: usize,
    /// The generator's core.
    pub cpu: usize,
}

/// One run against one target.
#[derive(Debug, Clone)]
pub struct Sample {
    pub report: Report,
    /// The target's processes' CPU use over the window, % of one core.
    pub server_cpu_pct: f64,
    /// topgate's peak and current resident memory after the run, KiB.
    pub hwm_kib: Option<u64>,
    pub rss_kib: Option<u64>,
    /// The target's CPU time over the window, seconds.
    pub server_cpu_s: f64,
    /// How long the target kept working once the load stopped (topgate: the archive writing
    /// its queue), and the CPU it used meanwhile.
    pub catch_up_s: f64,
    pub catch_up_cpu_s: f64,
    /// Successful calls topgate had not archived so far (its queue was full), as logged.
    pub archive_dropped: u64,
    /// topgate: what its archive kept of this run, from its metrics (or why that is unknown);
    /// `None` for the other targets.
    pub archive: Option<Result<ArchiveRun, String>>,
}

/// Everything measured on one target.
#[derive(Debug, Clone)]
pub struct Measured {
    pub target: Target,
    pub closed: Vec<Sample>,
    pub open: Vec<Sample>,
    /// The constant rate of the open-loop runs.
    pub rate: f64,
}

impl Sample {
    /// The target's CPU time per call, µs, the work left for after the load included: what a
    /// call costs whoever else shares the core.
    pub fn cpu_us_per_call(&self) -> f64 {
        if self.report.requests == 0 {
            return 0.0;
        }
        (self.server_cpu_s + self.catch_up_cpu_s) * 1e6 / self.report.requests as f64
    }

    /// Calls per second, the time to finish the work left after the load included (the
    /// throughput the target can sustain, not just accept).
    pub fn sustained_rps(&self) -> f64 {
        self.report.requests as f64 / (self.report.seconds + self.catch_up_s).max(1e-9)
    }
}

/// Waits until the target's processes are idle (at most one 10-ms tick of CPU in 250 ms; at
/// most 120 s).
/// Returns how long that took and the CPU they used from `cpu_at_end` on.
fn catch_up(pids: &[u32], cpu_at_end: f64) -> (f64, f64) {
    let started = Instant::now();
    loop {
        let (c0, t0) = (cpu_of(pids), Instant::now());
        std::thread::sleep(Duration::from_millis(250));
        if cpu_of(pids) - c0 < 0.015 || started.elapsed() > Duration::from_secs(120) {
            return ((t0 - started).as_secs_f64(), c0 - cpu_at_end);
        }
    }
}

/// The most successes topgate's log says its archive dropped (it logs every 10 000th).
fn archive_dropped(procs: &Procs, log: &str) -> u64 {
    let text = std::fs::read_to_string(procs.dir.join(format!("{log}.log"))).unwrap_or_default();
    text.lines()
        .filter(|l| l.contains("archive queue is full"))
        .filter_map(|l| {
            l.split("dropped=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .max()
        .unwrap_or(0)
}

/// What the archive kept of a run: the metrics read once the target is idle again (its queue
/// written) against `before`, read before the load started.
fn archive_run(admin: &AdminApi, before: Result<Counters, String>) -> Result<ArchiveRun, String> {
    let before = before.map_err(|e| format!("before the run: {e}"))?;
    let after = archive::read(admin)?;
    Ok(ArchiveRun::between(&before, &after))
}

fn cpu_of(pids: &[u32]) -> f64 {
    pids.iter()
        .filter_map(|p| procfs::cpu_seconds(&p.to_string()))
        .sum()
}

/// Runs the generator once against `target` (closed loop, or open at `rate`).
pub fn measure(
    procs: &Procs,
    bins: &Bins,
    load: &Load,
    target: &Target,
    rate: Option<f64>,
    run: usize,
) -> anyhow::Result<Sample> {
    let mode = if rate.is_some() { "open" } else { "closed" };
    let name = format!("load-{}-{mode}-{run}", target.key);
    let mut args = vec![
        "--url".to_owned(),
        target.url.clone(),
        "--connections".to_owned(),
        load.connections.to_string(),
        "--duration".to_owned(),
        format!("{}ms", load.duration.as_millis()),
        "--warmup".to_owned(),
        format!("{}ms", load.warmup.as_millis()),
    ];
    if let Some(rate) = rate {
        args.extend(["--rate".to_owned(), format!("{rate:.1}")]);
    }
    let before = target.admin.as_ref().map(archive::read);
    let pid = procs.spawn(&name, load.cpu, &bins.load, &args, true)?;
    std::thread::sleep(load.warmup + Duration::from_millis(20));
    let (cpu0, t0) = (cpu_of(&target.pids), Instant::now());
    std::thread::sleep(load.duration);
    let (cpu1, t1) = (cpu_of(&target.pids), Instant::now());
    let status = procs.wait(pid);
    let (catch_up_s, catch_up_cpu_s) = catch_up(&target.pids, cpu1);
    let archive = target
        .admin
        .as_ref()
        .zip(before)
        .map(|(admin, before)| archive_run(admin, before));
    let out = std::fs::read_to_string(procs.dir.join(format!("{name}.out")))?;
    anyhow::ensure!(
        status.success(),
        "the load generator failed against {} ({status}):\n{}",
        target.key,
        procs.log_tail(&name)
    );
    let report: Report = serde_json::from_str(out.trim())
        .map_err(|e| anyhow::anyhow!("the load generator's report {out:?}: {e}"))?;
    let gateway = target.gateway.map(|p| p.to_string());
    Ok(Sample {
        report,
        server_cpu_pct: 100.0 * (cpu1 - cpu0) / (t1 - t0).as_secs_f64(),
        server_cpu_s: cpu1 - cpu0,
        catch_up_s,
        catch_up_cpu_s,
        archive_dropped: target
            .log
            .as_deref()
            .map_or(0, |l| archive_dropped(procs, l)),
        archive,
        hwm_kib: gateway
            .as_deref()
            .and_then(|p| procfs::status_kib(p, "VmHWM")),
        rss_kib: gateway
            .as_deref()
            .and_then(|p| procfs::status_kib(p, "VmRSS")),
    })
}

fn progress(target: &Target, mode: &str, run: usize, runs: usize, s: &Sample) {
    let r = &s.report;
    let errors = r.error_bodies + r.bad_status + r.transport_errors + r.unsent;
    let mut tail = if s.catch_up_s > 0.1 {
        format!("  +{:.1} s to catch up", s.catch_up_s)
    } else {
        String::new()
    };
    tail.push_str(&archive_progress(s.archive.as_ref()));
    eprintln!(
        "  {} {mode:<6} run {run}/{runs}: {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  \
         server CPU {:>3.0}% ({:.0} µs/call)  generator CPU {:>3.0}%{tail}{}",
        target.key,
        s.sustained_rps(),
        r.p50_us as f64 / 1000.0,
        r.p99_us as f64 / 1000.0,
        s.server_cpu_pct,
        s.cpu_us_per_call(),
        r.generator_cpu_pct,
        if errors > 0 {
            format!("  ({errors} failed calls!)")
        } else {
            String::new()
        }
    );
}

/// The archive's part of a progress line: the share kept, the successes dropped, what was
/// still queued; nothing for a target without an archive.
fn archive_progress(archive: Option<&Result<ArchiveRun, String>>) -> String {
    let a = match archive {
        None => return String::new(),
        Some(Err(why)) => return format!("  archive figures unavailable: {why}"),
        Some(Ok(a)) => a,
    };
    let mut line = if a.dropped == 0 {
        format!("  archive kept every call ({} written", a.written)
    } else {
        format!(
            "  archive kept {} ({} successes dropped, queue full; {} written",
            archive::percent(a.kept_share()),
            a.dropped,
            a.written
        )
    };
    if a.queued > 0 {
        line.push_str(&format!(", {} still queued", a.queued));
    }
    line + ")"
}

/// The median of `values` (0 for none).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Measures a group: `runs` rounds at saturation over every target in turn, then `runs` rounds
/// at half the first target's median saturation throughput.
pub fn group(
    procs: &Procs,
    bins: &Bins,
    load: &Load,
    targets: &[Target],
    runs: usize,
) -> anyhow::Result<Vec<Measured>> {
    let mut measured: Vec<Measured> = targets
        .iter()
        .map(|t| Measured {
            target: t.clone(),
            closed: Vec::new(),
            open: Vec::new(),
            rate: 0.0,
        })
        .collect();
    for run in 1..=runs {
        for m in measured.iter_mut() {
            let sample = measure(procs, bins, load, &m.target, None, run)?;
            progress(&m.target, "closed", run, runs, &sample);
            m.closed.push(sample);
        }
    }
    let first: Vec<f64> = measured[0]
        .closed
        .iter()
        .map(Sample::sustained_rps)
        .collect();
    let rate = (median(&first) / 2.0).max(1.0);
    eprintln!(
        "  half load: {rate:.0} req/s (half of {}'s median)",
        measured[0].target.key
    );
    for run in 1..=runs {
        for m in measured.iter_mut() {
            let sample = measure(procs, bins, load, &m.target, Some(rate), run)?;
            progress(&m.target, "open", run, runs, &sample);
            m.open.push(sample);
            m.rate = rate;
        }
    }
    Ok(measured)
}
