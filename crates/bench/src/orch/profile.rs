//! `--perf SECONDS`: scenario B at saturation (or at `--perf-rate`) under `perf record`, and the top of its profile,
//! self cost by symbol and cost including callees, written beside the run's logs.

use std::process::Command;
use std::time::Duration;

use super::measure::{measure, Load};
use super::procs::{which, Procs};
use super::targets::{self, Bins};

/// What to profile.
pub struct Plan {
    pub seconds: u64,
    /// A constant rate (open loop) instead of saturation.
    pub rate: Option<f64>,
    /// D (topgate in front of the HTTP backend) instead of B.
    pub proxy_mode: bool,
}

/// Profiles B (or D) as `plan` says; returns the reports' heads.
pub fn run(
    procs: &Procs,
    bins: &Bins,
    load: &Load,
    server_cpu: usize,
    plan: &Plan,
) -> anyhow::Result<String> {
    let Plan {
        seconds,
        rate,
        proxy_mode,
    } = *plan;
    let perf = which("perf").ok_or_else(|| {
        anyhow::anyhow!("perf is missing: apt-get install -y linux-perf (Debian)")
    })?;
    // B, or D (topgate in front of the demo backend over HTTP; only topgate is profiled).
    let mut extra = Vec::new();
    let mut backend = None;
    if proxy_mode {
        let (pid, url) = targets::demo_backend(procs, bins, server_cpu)?;
        extra = vec!["--demo-backend-url".to_owned(), url];
        backend = Some(pid);
    }
    let mut b = targets::topgate(procs, bins, server_cpu, "perf-b", &extra)?;
    b.key = if proxy_mode { 'D' } else { 'B' };
    b.pids.extend(backend);
    targets::probe(procs, bins, load.cpu, &b)?;
    let data = procs.dir.join("perf.data");
    let pid = b.gateway.expect("topgate").to_string();
    let args: Vec<String> = [
        "record",
        "-F",
        "499",
        "--call-graph",
        "dwarf,16384",
        "-o",
        &data.display().to_string(),
        "-p",
        &pid,
        "--",
        "sleep",
        &seconds.to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    // perf runs on the generator's core, so that it takes nothing from the server's.
    let recorder = procs.spawn("perf-record", load.cpu, &perf, &args, false)?;
    let profiled = Load {
        duration: Duration::from_secs(seconds),
        warmup: Duration::from_millis(200),
        ..load.clone()
    };
    let sample = measure(procs, bins, &profiled, &b, rate, 0)?;
    let status = procs.wait(recorder);
    anyhow::ensure!(
        status.success(),
        "perf record failed (perf_event_paranoid? try `sysctl kernel.perf_event_paranoid=1`):\n{}",
        procs.log_tail("perf-record")
    );
    let mut out = format!(
        "{} under perf: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, server CPU {:.0}%, {:.0} µs of CPU per call\n",
        b.key,
        sample.report.rps,
        sample.report.p50_us as f64 / 1000.0,
        sample.report.p99_us as f64 / 1000.0,
        sample.server_cpu_pct,
        sample.cpu_us_per_call()
    );
    for (title, extra, rows) in [
        ("by thread", &["--sort", "comm", "--no-children"][..], 6),
        ("by binary", &["--sort", "dso", "--no-children"][..], 6),
        (
            "self cost by symbol",
            &["--sort", "symbol", "--no-children"][..],
            30,
        ),
        (
            "cost including callees",
            &["--sort", "symbol", "--children"][..],
            60,
        ),
    ] {
        let report = Command::new(&perf)
            .args([
                "report",
                "--stdio",
                "-g",
                "none",
                "--percent-limit",
                "0.5",
                "-i",
            ])
            .arg(&data)
            .args(extra)
            .output()?;
        let text = String::from_utf8_lossy(&report.stdout);
        let lines: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            // Inlined frames and runtime plumbing repeat their caller's figure.
            .filter(|l| !l.contains("(inlined)") && !l.contains("0xffffffff"))
            .map(|l| l.trim_end_matches([' ', '-']).to_owned())
            .take(rows)
            .collect();
        out.push_str(&format!("\n{title}:\n{}\n", lines.join("\n")));
    }
    Ok(out)
}
