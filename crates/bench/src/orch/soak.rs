//! `--soak DURATION`: scenario B at a constant half load for a long time, topgate's resident
//! memory sampled at a fixed interval, and whether it stays flat.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use super::measure::{measure, Load};
use super::procs::Procs;
use super::targets::{self, Bins};
use crate::load::Report;
use crate::procfs;

pub struct Plan {
    pub duration: Duration,
    pub every: Duration,
    /// The constant rate; without it, half of a saturation run's throughput.
    pub rate: Option<f64>,
}

/// Least-squares slope of `points` (x, y); 0 for fewer than two.
pub fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let num: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = points.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// Runs the soak; returns its markdown summary.
pub fn run(
    procs: &Procs,
    bins: &Bins,
    load: &Load,
    server_cpu: usize,
    plan: &Plan,
) -> anyhow::Result<String> {
    let mut b = targets::topgate(procs, bins, server_cpu, "soak", &[])?;
    b.key = 'B';
    b.what = "topgate, full pipeline, built-in backend".into();
    targets::probe(procs, bins, load.cpu, &b)?;
    let rate = match plan.rate {
        Some(rate) => rate,
        None => {
            let sat = measure(procs, bins, load, &b, None, 0)?;
            eprintln!("  saturation: {:.0} req/s", sat.sustained_rps());
            sat.sustained_rps() / 2.0
        }
    };
    eprintln!(
        "  soak: {rate:.0} req/s for {}",
        humantime::format_duration(plan.duration)
    );
    let gateway = b.gateway.expect("topgate").to_string();
    let args = [
        "--url".to_owned(),
        b.url.clone(),
        "--connections".to_owned(),
        load.connections.to_string(),
        "--duration".to_owned(),
        format!("{}ms", plan.duration.as_millis()),
        "--warmup".to_owned(),
        "0s".to_owned(),
        "--rate".to_owned(),
        format!("{rate:.1}"),
    ];
    let pid = procs.spawn("load-soak", load.cpu, &bins.load, &args, true)?;
    let started = Instant::now();
    let mut series: Vec<(f64, f64)> = Vec::new();
    let mut next = started;
    let status = loop {
        if let Some(status) = procs.exited(pid) {
            break status;
        }
        if Instant::now() >= next {
            let rss = procfs::status_kib(&gateway, "VmRSS").unwrap_or(0) as f64 / 1024.0;
            let t = started.elapsed().as_secs_f64();
            eprintln!("  {:>4.0} s  RSS {rss:>7.1} MiB", t);
            series.push((t / 60.0, rss));
            next += plan.every;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = std::fs::read_to_string(procs.dir.join("load-soak.out"))?;
    anyhow::ensure!(
        status.success(),
        "the soak's load generator failed:\n{}",
        procs.log_tail("load-soak")
    );
    let report: Report = serde_json::from_str(out.trim())?;
    let hwm = procfs::status_kib(&gateway, "VmHWM").unwrap_or(0) as f64 / 1024.0;
    Ok(summary(
        plan,
        rate,
        &series,
        hwm,
        &report,
        archive_bytes(procs),
    ))
}

fn archive_bytes(procs: &Procs) -> u64 {
    std::fs::read_dir(procs.dir.join("soak"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("archive"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn summary(
    plan: &Plan,
    rate: f64,
    series: &[(f64, f64)],
    hwm: f64,
    report: &Report,
    archive: u64,
) -> String {
    let second_half = &series[series.len() / 2..];
    let whole = slope(series);
    let late = slope(second_half);
    let half_minutes =
        second_half.last().map_or(0.0, |l| l.0) - second_half.first().map_or(0.0, |f| f.0);
    let mean = series.iter().map(|p| p.1).sum::<f64>() / series.len().max(1) as f64;
    let tolerance = (mean * 0.05).max(4.0);
    let flat = (late * half_minutes).abs() <= tolerance;
    let failed = report.error_bodies + report.bad_status + report.transport_errors + report.unsent;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Soak: B at {rate:.0} req/s (open loop) for {}, topgate's RSS sampled every {}.\n",
        humantime::format_duration(plan.duration),
        humantime::format_duration(plan.every)
    );
    let _ = writeln!(
        out,
        "- RSS {:.1} MiB at the first sample, {:.1} MiB at the last; peak (VmHWM) {hwm:.1} MiB",
        series.first().map_or(0.0, |p| p.1),
        series.last().map_or(0.0, |p| p.1)
    );
    let _ = writeln!(out, "- slope {whole:+.3} MiB/min over the run, {late:+.3} MiB/min over the second half: **{}** (flat: the second half grows by less than {tolerance:.1} MiB, max(4 MiB, 5% of the mean))", if flat { "flat ✓" } else { "growing ✗" });
    let _ = writeln!(out, "- {} calls, {failed} failed; p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms from the scheduled time; archive files at the end {:.0} MiB", report.requests, report.p50_us as f64 / 1000.0, report.p99_us as f64 / 1000.0, report.p999_us as f64 / 1000.0, archive as f64 / 1048576.0);
    out.push_str("\nRSS (MiB) by minute: ");
    let points: Vec<String> = series
        .iter()
        .map(|(t, r)| format!("{t:.1}: {r:.1}"))
        .collect();
    out.push_str(&points.join(", "));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn slope_of_a_line() {
        let points: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, 2.0 * i as f64 + 1.0)).collect();
        assert!((super::slope(&points) - 2.0).abs() < 1e-9);
        assert_eq!(super::slope(&[(1.0, 1.0)]), 0.0);
    }
}
