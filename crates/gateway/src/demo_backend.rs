//! The demo commerce service as an HTTP backend (`topgate demo-backend`), speaking the backend
//! protocol (`docs/backend-protocol.md`): the same data gives the same answers over HTTP as in
//! process. [`demo_catalog_over_http`] is the demo catalog pointed at it
//! (`topgate serve --demo --demo-backend-url URL`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::anyhow;
use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use topgate_demo::DemoService;
use topgate_protocol::backend::{encode_reply, WireRequest};

use crate::catalog::{BackendRef, Catalog};

/// The HTTP backend the demo catalog names when it is pointed at a demo backend over HTTP.
pub const DEMO_HTTP_BACKEND: &str = "demo-http";
/// The largest request body accepted (the gateway's 10 MiB, grown by base64, with room).
const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;

/// The demo catalog with every API's backend replaced by the HTTP backend
/// [`DEMO_HTTP_BACKEND`] at `url` (checked as a catalog checks a backend URL).
pub fn demo_catalog_over_http(url: &str) -> anyhow::Result<Catalog> {
    let mut catalog =
        Catalog::parse(topgate_demo::CATALOG).map_err(|e| anyhow!("demo catalog: {e}"))?;
    let declared = format!(
        "[backends.{DEMO_HTTP_BACKEND}]\nurl = {}\n",
        toml::Value::String(url.to_owned())
    );
    let declared = Catalog::parse(&declared).map_err(|e| {
        let problems: Vec<String> = e.0.into_iter().map(|p| p.message).collect();
        anyhow!("demo backend URL {url:?}: {}", problems.join("; "))
    })?;
    catalog.backends.extend(declared.backends);
    for api in catalog.apis.values_mut() {
        if api.backend == BackendRef::Demo {
            Arc::make_mut(api).backend = BackendRef::Http(DEMO_HTTP_BACKEND.to_owned());
        }
    }
    Ok(catalog)
}

/// A started demo backend.
pub struct DemoBackend {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl DemoBackend {
    /// The URL a catalog gives for it.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// A sender that stops it when fired (for signal handling).
    pub fn take_shutdown(&mut self) -> Option<oneshot::Sender<()>> {
        self.shutdown.take()
    }

    /// Stops accepting, finishes the calls in flight, and returns.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.wait().await
    }

    /// Waits until it stops.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await??;
        Ok(())
    }
}

/// Binds `listen` and serves `service` there.
pub async fn start(listen: SocketAddr, service: Arc<DemoService>) -> anyhow::Result<DemoBackend> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(serve(listener, service, async {
        let _ = rx.await;
    }));
    Ok(DemoBackend {
        addr,
        shutdown: Some(tx),
        task,
    })
}

/// Serves the backend protocol on `listener` until `shutdown` resolves, then finishes the calls
/// in flight. Every path answers it: a backend URL may carry any path.
pub async fn serve(
    listener: TcpListener,
    service: Arc<DemoService>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    crate::server::accept_loop(
        listener,
        move |req, _| {
            let service = service.clone();
            async move { handle(&service, req).await }
        },
        shutdown,
    )
    .await
}

async fn handle(service: &DemoService, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if req.method() != Method::POST {
        let mut resp = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "topgate demo backend: POST a call as docs/backend-protocol.md describes\n".into(),
        );
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return resp;
    }
    let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(e) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}\n"),
            )
        }
    };
    let request = match serde_json::from_slice::<WireRequest>(&body)
        .map_err(|e| e.to_string())
        .and_then(|w| w.into_request().map_err(|e| e.to_string()))
    {
        Ok(request) => request,
        Err(why) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("not a backend protocol request: {why}\n"),
            )
        }
    };
    // A panic in the service is a 500 (the gateway answers isp.<line>-service-unavailable).
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| service.call(&request))) {
        Ok(result) => {
            let mut resp = Response::new(Full::new(Bytes::from(encode_reply(&result))));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            resp
        }
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the demo service failed on {}\n", request.method),
        ),
    }
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}
