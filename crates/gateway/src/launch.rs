//! Assembling a gateway from its options and starting it: used by `topgate serve` and by tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use topgate_demo::DemoService;
use topgate_store::archive::ArchiveStore;
use topgate_store::Registry;

use crate::admin::{self, AdminServer, AdminState};
use crate::archive::Archive;
use crate::backend::Backends;
use crate::catalog::{self, Catalog, LiveCatalog};
use crate::config::{self, Config};
use crate::limits::Limiter;
use crate::metrics::Metrics;
use crate::pipeline::{system_clock, Clock, Gateway, Settings};
use crate::registry::LiveRegistry;
use crate::server::{self, ServerSettings, Service};

/// What `topgate serve` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    pub demo: bool,
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    /// With `demo` and no catalog in the configuration: serve the demo catalog with every API
    /// pointed at a demo backend over HTTP at this URL (`topgate demo-backend`), not in process.
    pub demo_backend_url: Option<String>,
    /// The admin listener (`--admin-listen`), over the configuration's `[admin] listen`.
    pub admin_listen: Option<crate::admin::Listen>,
}

/// A started gateway.
pub struct Running {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub gateway: Arc<Gateway>,
    /// The call archive (`None` when `[archive] enabled = false`).
    pub archive: Option<Arc<Archive>>,
    /// Where the archive is kept, for reading records back (the admin API).
    pub archive_store: Option<Arc<dyn ArchiveStore>>,
    /// The admin API (`None` when `[admin]` turns it off); stopped with the gateway.
    pub admin: Option<AdminServer>,
    pub metrics: Arc<Metrics>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    _catalog_watch: Option<catalog::WatchHandle>,
}

impl Running {
    /// Stops accepting, finishes the calls in flight, and returns.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await??;
        if let Some(admin) = self.admin.take() {
            admin.stop().await?;
        }
        self.gateway.limiter.flush()?;
        self.flush_archive().await
    }

    /// Waits until the server stops by itself (it does not, unless it fails).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.task).await??;
        if let Some(admin) = self.admin.take() {
            admin.stop().await?;
        }
        self.gateway.limiter.flush()?;
        self.flush_archive().await
    }

    /// Writes the archive records still queued; called once the calls in flight are answered.
    async fn flush_archive(&self) -> anyhow::Result<()> {
        let Some(archive) = self.archive.clone() else {
            return Ok(());
        };
        let limit = std::time::Duration::from_secs(60);
        let check = archive.clone();
        if tokio::task::spawn_blocking(move || archive.flush_timeout(limit)).await? {
            return Ok(());
        }
        anyhow::bail!(
            "the archive database kept failing: {} call records were not written (see the \
             warnings above)",
            check.stats().queued
        )
    }

    /// A sender that stops the server when fired (for signal handling).
    pub fn take_shutdown(&mut self) -> Option<oneshot::Sender<()>> {
        self.shutdown.take()
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Opens the stores, loads the catalog, binds the listener and starts serving.
pub async fn start(opts: ServeOptions, clock: Option<Clock>) -> anyhow::Result<Running> {
    let clock = clock.unwrap_or_else(system_clock);
    let config = match &opts.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let data_dir = opts
        .data_dir
        .clone()
        .or(config.data_dir.clone())
        .unwrap_or_else(config::default_data_dir);
    std::fs::create_dir_all(&data_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        )
    })?;

    let store: Arc<dyn Registry> = crate::stores::open_registry(&config.store, &data_dir)?;
    let mut backends = Backends::default();
    if opts.demo {
        crate::demo::seed(store.as_ref(), clock())?;
        if opts.demo_backend_url.is_none() {
            backends.demo = Some(Arc::new(DemoService::open(&data_dir.join("demo.db"))?));
        }
    }
    let registry = LiveRegistry::open(store, clock.clone())?;
    registry.spawn_refresher();
    let limiter =
        Limiter::open_configured(&config.counters, &data_dir, &registry.snapshot(), clock())
            .await?;
    let archive =
        crate::stores::open_archive(&config.store, &config.archive, &data_dir, clock.clone())?;

    let (catalog, watch) = match &config.catalog {
        Some(path) => {
            anyhow::ensure!(
                opts.demo_backend_url.is_none(),
                "a demo backend URL applies to the demo catalog, not to {}",
                path.display()
            );
            let catalog = Catalog::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
            let live = Arc::new(LiveCatalog::new(catalog));
            let watch = catalog::watch(path.clone(), live.clone(), |result| match result {
                Ok(n) => tracing::info!(apis = n, "catalog reloaded"),
                Err(problems) => {
                    tracing::warn!(%problems, "catalog edit refused; serving the previous catalog")
                }
            });
            (live, Some(watch))
        }
        None if opts.demo => {
            let catalog = match &opts.demo_backend_url {
                Some(url) => crate::demo_backend::demo_catalog_over_http(url)?,
                None => Catalog::parse(topgate_demo::CATALOG)
                    .map_err(|e| anyhow::anyhow!("demo catalog: {e}"))?,
            };
            (Arc::new(LiveCatalog::new(catalog)), None)
        }
        None => anyhow::bail!(
            "no API catalog: give one in the configuration (catalog = \"FILE\") or use --demo"
        ),
    };

    let gateway = Arc::new(Gateway {
        registry,
        catalog,
        backends,
        clock,
        settings: Settings {
            echo_args: config.echo_args.unwrap_or(true),
            access_log: config.access_log.unwrap_or(true),
        },
        limiter,
    });
    let limiter_gateway = gateway.clone();
    let metrics = Arc::new(Metrics::new(
        gateway.catalog.clone(),
        gateway.registry.clone(),
        archive.clone(),
        Arc::new(move || limiter_gateway.limiter.counter_failures()),
    ));
    let service = Arc::new(Service {
        gateway: gateway.clone(),
        settings: ServerSettings {
            max_body_bytes: config
                .max_body_bytes
                .unwrap_or(ServerSettings::default().max_body_bytes),
        },
        observers: archive
            .iter()
            .map(|a| a.clone() as Arc<dyn server::CallObserver>)
            .chain([metrics.clone() as Arc<dyn server::CallObserver>])
            .collect(),
    });
    let listen = opts
        .listen
        .or(config.listen)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let admin_state = AdminState {
        registry: gateway.registry.clone(),
        archive: archive.as_ref().map(|a| a.store().clone()),
        metrics: metrics.clone(),
        clock: gateway.clock.clone(),
    };
    let admin = admin::start(&config.admin, opts.admin_listen, &data_dir, admin_state).await?;
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(server::serve(listener, service, async {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        data_dir,
        gateway,
        archive_store: archive.as_ref().map(|a| a.store().clone()),
        archive,
        admin,
        metrics,
        shutdown: Some(tx),
        task,
        _catalog_watch: watch,
    })
}
