//! `topgate-bench` (run it through `bench/run`): starts the targets, measures them side by side,
//! prints the table of docs/performance.md and, with `--write-docs`, writes it there.
//!
//! Group 1, the built-in backend: B (topgate, full pipeline), A (a bare hyper server answering
//! a body of B's size), F (topgate with the `--f-config` configuration, e.g. Redis counters).
//! Group 2, one HTTP backend (`topgate demo-backend`): D (topgate in front of it), C (a minimal
//! pass-through proxy), E (nginx `proxy_pass`). Half load is half the group's topgate throughput.

pub mod archive;
pub mod measure;
pub mod procs;
pub mod profile;
pub mod soak;
pub mod table;
pub mod targets;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::procfs;
use measure::{Load, Measured};
use procs::{which, Procs};
use targets::{Bins, Target};

#[derive(Parser, Debug)]
#[command(
    name = "topgate-bench",
    about = "topgate against a bare server, a pass-through proxy and nginx, on one machine"
)]
pub struct BenchArgs {
    /// Runs of each measurement (the table gives the median and the spread)
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Measured time of each run
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Load before each run's measured time
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub warmup: Duration,
    /// Keep-alive connections of the load generator
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// The targets to measure, e.g. A,B (A needs B; C and E need D: they are added)
    #[arg(long, value_delimiter = ',', default_value = "A,B,C,D,E,F")]
    pub only: Vec<char>,
    /// The core of the servers
    #[arg(long, default_value_t = 0)]
    pub server_cpu: usize,
    /// The core of the load generator
    #[arg(long, default_value_t = 1)]
    pub load_cpu: usize,
    /// F: a topgate configuration file to measure against B (e.g. Redis counters)
    #[arg(long, value_name = "FILE")]
    pub f_config: Option<PathBuf>,
    /// Write the table into this file between <!-- bench:begin --> and <!-- bench:end -->
    /// (the soak: <!-- soak:begin --> and <!-- soak:end -->)
    #[arg(long, value_name = "FILE")]
    pub write_docs: Option<PathBuf>,
    /// Instead of the comparison: B at half load for this long, memory sampled
    #[arg(long, value_parser = humantime::parse_duration)]
    pub soak: Option<Duration>,
    /// The soak's sampling interval
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub sample_every: Duration,
    /// The soak's rate (default: half of a saturation run)
    #[arg(long)]
    pub soak_rate: Option<f64>,
    /// Instead of the comparison: B at saturation under `perf record` for this many seconds
    #[arg(long, value_name = "SECONDS")]
    pub perf: Option<u64>,
    /// With --perf: a constant rate (open loop) instead of saturation
    #[arg(long)]
    pub perf_rate: Option<f64>,
    /// With --perf: profile D (topgate in front of the HTTP backend) instead of B
    #[arg(long)]
    pub perf_proxy: bool,
    /// Where topgate, topgate-load, bench-bare and bench-proxy are (default: beside this program)
    #[arg(long, value_name = "DIR")]
    pub bin_dir: Option<PathBuf>,
    /// The revision measured, for the table
    #[arg(long, default_value = "(unknown revision)")]
    pub revision: String,
    /// Keep the temporary directory (logs, data directories, nginx.conf)
    #[arg(long)]
    pub keep: bool,
}

impl Bins {
    fn find(args: &BenchArgs, nginx_needed: bool) -> anyhow::Result<Bins> {
        let dir = match &args.bin_dir {
            Some(d) => d.clone(),
            None => std::env::current_exe()?
                .parent()
                .map(PathBuf::from)
                .unwrap_or_default(),
        };
        let bin = |name: &str| {
            let path = dir.join(name);
            anyhow::ensure!(
                path.is_file(),
                "{} is missing: build it with `cargo build --release -p topgate -p topgate-bench`",
                path.display()
            );
            Ok(path)
        };
        let nginx = which("nginx")
            .or_else(|| Some(PathBuf::from("/usr/sbin/nginx")).filter(|p| p.is_file()));
        anyhow::ensure!(
            !nginx_needed || nginx.is_some(),
            "nginx is missing (target E): `apt-get install -y nginx`, or leave E out with --only"
        );
        Ok(Bins {
            topgate: bin("topgate")?,
            load: bin("topgate-load")?,
            bare: bin("bench-bare")?,
            proxy: bin("bench-proxy")?,
            nginx,
        })
    }
}

fn named(mut t: Target, key: char, what: impl Into<String>) -> Target {
    t.key = key;
    t.what = what.into();
    t
}

/// Runs what `args` asks for.
pub fn main(args: BenchArgs) -> anyhow::Result<()> {
    let want = |k: char| args.only.iter().any(|c| c.eq_ignore_ascii_case(&k));
    let group1 = want('A') || want('B') || want('F');
    let group2 = want('C') || want('D') || want('E');
    let single = args.soak.is_some() || args.perf.is_some();
    let bins = Bins::find(&args, group2 && want('E') && !single)?;
    let tmp = tempfile::Builder::new()
        .prefix("topgate-bench-")
        .tempdir()?;
    let procs = Procs::new(tmp.path().to_owned(), args.keep)?;
    let (server, load_cpu) = (args.server_cpu, args.load_cpu);
    let load = Load {
        duration: args.duration,
        warmup: args.warmup,
        connections: args.connections,
        cpu: load_cpu,
    };
    let machine = procfs::machine();
    let load_average = procfs::load_average();
    eprintln!("{machine}; load average {load_average:.1}; servers on CPU {server}, load generator on CPU {load_cpu}; logs in {}", tmp.path().display());
    if load_average > 0.5 {
        eprintln!("warning: the machine is busy (load average {load_average:.1}): the figures will be noisy");
    }

    if let Some(duration) = args.soak {
        let plan = soak::Plan {
            duration,
            every: args.sample_every,
            rate: args.soak_rate,
        };
        let text = soak::run(&procs, &bins, &load, server, &plan)?;
        println!("\n{text}");
        return write_docs(&args, "soak", &text);
    }

    if let Some(seconds) = args.perf {
        let text = profile::run(
            &procs,
            &bins,
            &load,
            server,
            &profile::Plan {
                seconds,
                rate: args.perf_rate,
                proxy_mode: args.perf_proxy,
            },
        )?;
        println!("\n{text}");
        eprintln!("perf.data and the logs: {}", tmp.keep().display());
        return Ok(());
    }

    let mut all: Vec<Measured> = Vec::new();
    let mut not_run = Vec::new();
    if group1 {
        eprintln!("group 1: the built-in backend");
        let b = named(
            targets::topgate(&procs, &bins, server, "b", &[])?,
            'B',
            "topgate, full pipeline, built-in backend",
        );
        let size = targets::probe(&procs, &bins, load_cpu, &b)?;
        let a = targets::reference(
            &procs,
            &bins.bare,
            "a",
            server,
            &["--body-bytes".into(), size.to_string()],
        )?;
        let a = named(a, 'A', format!("bare hyper, fixed {size}-byte body"));
        targets::probe(&procs, &bins, load_cpu, &a)?;
        let mut group = vec![b, a];
        match (&args.f_config, want('F')) {
            (Some(config), true) => {
                let extra = ["--config".to_owned(), config.display().to_string()];
                let f = named(
                    targets::topgate(&procs, &bins, server, "f", &extra)?,
                    'F',
                    format!("topgate with {}", config.display()),
                );
                targets::probe(&procs, &bins, load_cpu, &f)?;
                group.push(f);
            }
            (None, true) => not_run
                .push("F (topgate with Redis counters): not run, give --f-config FILE".to_owned()),
            _ => {}
        }
        all.extend(measure::group(&procs, &bins, &load, &group, args.runs)?);
        procs.stop(
            &group
                .iter()
                .flat_map(|t| t.pids.clone())
                .collect::<Vec<_>>(),
        );
    }
    if group2 {
        eprintln!("group 2: an HTTP backend (topgate demo-backend)");
        let (backend, url) = targets::demo_backend(&procs, &bins, server)?;
        let extra = ["--demo-backend-url".to_owned(), url.clone()];
        let mut d = named(
            targets::topgate(&procs, &bins, server, "d", &extra)?,
            'D',
            "topgate in front of the HTTP backend",
        );
        d.pids.push(backend);
        targets::probe(&procs, &bins, load_cpu, &d)?;
        let mut group = vec![d];
        let mut c = named(
            targets::reference(
                &procs,
                &bins.proxy,
                "c",
                server,
                &["--backend".into(), url.clone()],
            )?,
            'C',
            "pass-through hyper proxy, same backend",
        );
        c.pids.push(backend);
        targets::probe(&procs, &bins, load_cpu, &c)?;
        group.push(c);
        if let (Some(nginx), true) = (&bins.nginx, want('E')) {
            let mut e = named(
                targets::nginx(&procs, nginx, server, &url)?,
                'E',
                "nginx proxy_pass, same backend",
            );
            e.pids.push(backend);
            targets::probe(&procs, &bins, load_cpu, &e)?;
            group.push(e);
        }
        all.extend(measure::group(&procs, &bins, &load, &group, args.runs)?);
    }
    all.sort_by_key(|m| m.target.key);
    let setup = table::Setup {
        machine,
        load_average,
        revision: args.revision.clone(),
        runs: args.runs,
        warmup_s: args.warmup.as_secs_f64(),
        duration_s: args.duration.as_secs_f64(),
        connections: args.connections,
        server_cpu: server,
        load_cpu,
        date: today(),
        not_run,
    };
    let text = table::render(&setup, &all);
    println!("\n{text}");
    if args.keep {
        eprintln!("kept {}", tmp.keep().display());
    }
    write_docs(&args, "bench", &text)
}

fn write_docs(args: &BenchArgs, marker: &str, text: &str) -> anyhow::Result<()> {
    let Some(path) = &args.write_docs else {
        return Ok(());
    };
    let doc =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    std::fs::write(path, table::splice(&doc, marker, text)?)?;
    eprintln!("wrote the table into {}", path.display());
    Ok(())
}

/// Today's date, `YYYY-MM-DD` (UTC).
fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}
