//! `topgate-bench`: the side-by-side benchmark of docs/performance.md. Run it through
//! `bench/run`, which installs what it needs and builds everything first.

use std::process::ExitCode;

use clap::Parser;
use topgate_bench::orch::{main as bench, BenchArgs};

fn main() -> ExitCode {
    match bench(BenchArgs::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
