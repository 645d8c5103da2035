//! `topgate-load`: signed TOP calls at saturation (closed loop) or at a constant rate (open
//! loop); prints one JSON report. See `topgate_bench::load` and docs/performance.md.

use std::process::ExitCode;

use clap::Parser;
use topgate_bench::load::{run, LoadArgs};

fn main() -> ExitCode {
    let args = LoadArgs::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(report) if !args.probe => {
            println!(
                "{}",
                serde_json::to_string(&report).expect("a report is JSON")
            );
            ExitCode::SUCCESS
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
