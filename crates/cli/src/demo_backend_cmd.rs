//! `topgate demo-backend`: the demo commerce service as an HTTP backend, for
//! `topgate serve --demo --demo-backend-url URL` or any catalog's `[backends.<name>]`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use topgate_demo::DemoService;
use topgate_gateway::{config, demo_backend};

#[derive(Args)]
pub struct DemoBackendArgs {
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9100")]
    listen: SocketAddr,
    /// Data directory (demo.db) [default: $TOPGATE_DATA_DIR or ~/.local/share/topgate]
    #[arg(long, value_name = "DIR", env = "TOPGATE_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

pub fn run(args: DemoBackendArgs) -> anyhow::Result<u8> {
    let _log = crate::serve::init_logging(crate::serve::LogFormat::Plain);
    let data_dir = args.data_dir.unwrap_or_else(config::default_data_dir);
    std::fs::create_dir_all(&data_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        )
    })?;
    let service = Arc::new(DemoService::open(&data_dir.join("demo.db"))?);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let mut backend = demo_backend::start(args.listen, service).await?;
        tracing::info!(addr = %backend.addr, data_dir = %data_dir.display(), "the demo backend is serving");
        println!("topgate demo backend: {}", backend.url());
        println!(
            "point the demo gateway at it: topgate serve --demo --demo-backend-url {}",
            backend.url()
        );
        let stop = backend.take_shutdown();
        tokio::spawn(async move {
            crate::serve::shutdown_signal().await;
            tracing::info!("stopping: finishing the calls in flight");
            if let Some(tx) = stop {
                let _ = tx.send(());
            }
        });
        backend.wait().await?;
        tracing::info!("stopped");
        Ok(0)
    })
}
