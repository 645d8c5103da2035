//! `topgate serve`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use topgate_gateway::admin::Listen;
use topgate_gateway::launch::{self, ServeOptions};

use crate::log_writer;

#[derive(Args)]
pub struct ServeArgs {
    /// Seed the demo app, users and session, and serve the built-in commerce backend
    #[arg(long)]
    demo: bool,
    /// Configuration file (TOML)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (registry, archive, counters) [default: $TOPGATE_DATA_DIR or ~/.local/share/topgate]
    #[arg(long, value_name = "DIR", env = "TOPGATE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// With --demo: call the demo backend over HTTP at this URL (`topgate demo-backend`) instead of in process
    #[arg(long, value_name = "URL", requires = "demo")]
    demo_backend_url: Option<String>,
    /// Address of the admin API and /metrics, or `off` [default: [admin] listen, 127.0.0.1:8081]
    #[arg(long, value_name = "ADDR|off")]
    admin_listen: Option<Listen>,
    /// Log lines as plain text or one JSON object each (every line of a call has its request id)
    #[arg(long, value_enum, default_value = "plain")]
    log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Plain,
    Json,
}

pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    // Held to the end: dropping it writes the log lines still buffered.
    let _log = init_logging(args.log_format);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let demo = args.demo;
        let mut running = launch::start(
            ServeOptions {
                demo: args.demo,
                config: args.config,
                data_dir: args.data_dir,
                listen: args.listen,
                demo_backend_url: args.demo_backend_url,
                admin_listen: args.admin_listen,
            },
            None,
        )
        .await?;
        tracing::info!(addr = %running.addr, data_dir = %running.data_dir.display(), "topgate is serving");
        if demo {
            println!("{}", topgate_gateway::demo::banner(&running.base_url(), (running.gateway.clock)()));
            if let Some(admin) = &running.admin {
                println!("The admin API and /metrics: topgate app list --server {}", admin.base_url());
            }
        }
        let stop = running.take_shutdown();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("stopping: finishing the calls in flight");
            if let Some(tx) = stop {
                let _ = tx.send(());
            }
        });
        running.wait().await?;
        tracing::info!("stopped");
        Ok(0)
    })
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Logs to stderr through [`log_writer`]: a call appends its line to a buffer that a thread of
/// its own writes every 50 ms, and never waits for stderr. Keep the returned guard until the
/// end: dropping it writes what is still waiting.
pub(crate) fn init_logging(format: LogFormat) -> log_writer::Guard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOPGATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = log_writer::batched(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(writer);
    let _ = match format {
        LogFormat::Plain => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    guard
}
