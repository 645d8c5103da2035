//! The admin API: a second listener (loopback by default) for operators and their tools.
//!
//! JSON in and out, a bearer token on every route but `GET /health` (and `GET /metrics` with
//! `[admin] metrics_public = true`), compared in constant time; a bad or missing token is a 401
//! with `{"error": "..."}`. Routes ([`routes`]; `docs/admin-api.md` is the reference): apps,
//! grants, users, sessions, limits, counter resets, the archive by request id and by filters,
//! and the Prometheus metrics ([`crate::metrics`]). A change is written to the store and the
//! registry snapshot is refreshed before the answer, so it is live on this node at once (other
//! nodes poll the store within a second).
//!
//! The store and the archive are synchronous: each request is answered on a blocking thread,
//! never on the gateway's request path.

mod apps;
mod http;
mod people;
mod requests;
mod routes;
mod settings;
pub mod wire;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use topgate_store::archive::ArchiveStore;

use crate::metrics::Metrics;
use crate::pipeline::Clock;
use crate::registry::LiveRegistry;
pub use settings::{resolve_token, token_path, AdminSettings, Listen, TokenSource};

/// What the admin API reads and changes.
pub struct AdminState {
    pub registry: Arc<LiveRegistry>,
    /// The archive's store (`None` when `[archive] enabled = false`).
    pub archive: Option<Arc<dyn ArchiveStore>>,
    pub metrics: Arc<Metrics>,
    /// The gateway's clock: creation times, session expiries, counter resets.
    pub clock: Clock,
}

/// The admin listener and what every request checks.
pub(crate) struct Admin {
    pub state: AdminState,
    token: String,
    metrics_public: bool,
}

/// A running admin listener.
pub struct AdminServer {
    pub addr: SocketAddr,
    /// Where the token came from (a generated one is in a file).
    pub token_source: TokenSource,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl AdminServer {
    /// Stops accepting and finishes the requests in flight.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await??;
        Ok(())
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Starts the admin listener, unless the settings (or `over`, `--admin-listen`) turn it off.
/// The token is `[admin] token`, else `$TOPGATE_ADMIN_TOKEN`, else generated into
/// `<data_dir>/admin.token`.
pub async fn start(
    settings: &AdminSettings,
    over: Option<Listen>,
    data_dir: &Path,
    state: AdminState,
) -> anyhow::Result<Option<AdminServer>> {
    let Some(listen) = settings.address(over) else {
        tracing::info!("the admin API is off ([admin] listen = \"off\" or enabled = false)");
        return Ok(None);
    };
    let env_token = std::env::var("TOPGATE_ADMIN_TOKEN").ok();
    let (token, token_source) = resolve_token(settings, env_token, data_dir)?;
    let listener = TcpListener::bind(listen).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on {listen} for the admin API: {e}; choose another address with \
             [admin] listen or --admin-listen, or turn it off with \"off\""
        )
    })?;
    let addr = listener.local_addr()?;
    match &token_source {
        TokenSource::File(path) => {
            tracing::info!(%addr, token_file = %path.display(), "admin API listening")
        }
        TokenSource::Config => tracing::info!(%addr, "admin API listening ([admin] token)"),
        TokenSource::Env => tracing::info!(%addr, "admin API listening (TOPGATE_ADMIN_TOKEN)"),
    }
    let admin = Arc::new(Admin {
        state,
        token,
        metrics_public: settings.metrics_public,
    });
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(serve(listener, admin, rx));
    Ok(Some(AdminServer {
        addr,
        token_source,
        shutdown: tx,
        task,
    }))
}

async fn serve(
    listener: TcpListener,
    admin: Arc<Admin>,
    shutdown: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    crate::server::accept_loop(
        listener,
        move |req, _| {
            let admin = admin.clone();
            async move { http::handle(admin, req).await }
        },
        async {
            let _ = shutdown.await;
        },
    )
    .await
}
