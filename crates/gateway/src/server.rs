//! The HTTP server: `/router/rest` (GET and POST), `/health`, and a 404 for anything else.
//!
//! The body is bounded and buffered once. A body over the bound is refused with code 43 in the
//! format the query string asked for, without reading it. Every TOP answer is HTTP 200 with the
//! request id in the body and in the `X-Request-Id` header.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use topgate_protocol::errors::PlatformError;
use topgate_protocol::render::render_error;

use crate::failure::Failure;
use crate::inbound::{early_form, Inbound};
use crate::pipeline::{Gateway, Reply};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            max_body_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Something that wants to see every answered call (the archive, metrics).
pub trait CallObserver: Send + Sync {
    fn observe(&self, reply: &Reply);
}

/// The shared state of the HTTP layer.
pub struct Service {
    pub gateway: Arc<Gateway>,
    pub settings: ServerSettings,
    pub observers: Vec<Arc<dyn CallObserver>>,
}

/// Serves connections from `listener` until `shutdown` resolves, then stops accepting and
/// waits for the calls in flight.
pub async fn serve(
    listener: TcpListener,
    service: Arc<Service>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    accept_loop(
        listener,
        move |req, peer| {
            let service = service.clone();
            async move { service.route(req, Some(peer)).await }
        },
        shutdown,
    )
    .await
}

/// The accept loop every listener of topgate shares (the gateway, the admin API, the demo
/// backend): each connection is served by `handler` (HTTP/1.1, or HTTP/2 with prior knowledge)
/// until `shutdown` resolves; then no new connection is accepted and the requests in flight
/// are finished. A failed accept (e.g. out of file descriptors) is logged and retried.
pub async fn accept_loop<H, F>(
    listener: TcpListener,
    handler: H,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    H: Fn(Request<Incoming>, SocketAddr) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let handler = handler.clone();
                let svc = service_fn(move |req| {
                    let answer = handler(req, peer);
                    async move { Ok::<_, Infallible>(answer.await) }
                });
                let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), svc);
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection closed with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

impl Service {
    pub async fn route(
        &self,
        req: Request<Incoming>,
        peer: Option<SocketAddr>,
    ) -> Response<Full<Bytes>> {
        match req.uri().path() {
            "/router/rest" => self.router_rest(req, peer).await,
            "/health" => plain(
                StatusCode::OK,
                "application/json",
                r#"{"status":"ok"}"#.into(),
            ),
            _ => plain(
                StatusCode::NOT_FOUND,
                "text/plain;charset=UTF-8",
                "Not Found: the TOP endpoint is /router/rest\n".into(),
            ),
        }
    }

    async fn router_rest(
        &self,
        req: Request<Incoming>,
        peer: Option<SocketAddr>,
    ) -> Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let mut inbound = Inbound {
            method: parts.method,
            query: parts.uri.query().map(str::to_owned),
            content_type: parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: Bytes::new(),
        };
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let too_large = if declared.is_some_and(|n| n > self.settings.max_body_bytes as u64) {
            true
        } else {
            match Limited::new(body, self.settings.max_body_bytes)
                .collect()
                .await
            {
                Ok(collected) => {
                    inbound.body = collected.to_bytes();
                    false
                }
                Err(e)
                    if e.downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some() =>
                {
                    true
                }
                Err(e) => {
                    tracing::debug!(error = %e, "request body could not be read");
                    return plain(
                        StatusCode::BAD_REQUEST,
                        "text/plain",
                        "unreadable request body\n".into(),
                    );
                }
            }
        };
        let reply = if too_large {
            self.body_too_large(&inbound)
        } else {
            self.gateway.handle(inbound, peer).await
        };
        for o in &self.observers {
            o.observe(&reply);
        }
        top_response(reply)
    }

    fn body_too_large(&self, inbound: &Inbound) -> Reply {
        let form = early_form(inbound);
        let record_id = crate::request_id::next();
        let failure = Failure::platform(
            PlatformError::ParameterError,
            "decode",
            format!(
                "the request body is larger than {} bytes",
                self.settings.max_body_bytes
            ),
        );
        let error = failure.to_body(form, Vec::new(), &record_id);
        let record = crate::record::CallRecord {
            request_id: record_id.clone(),
            received_at_ms: (self.gateway.clock)(),
            http_method: inbound.method.to_string(),
            code: Some(error.code),
            failed_check: Some("decode".into()),
            check_detail: Some(failure.why().to_owned()),
            ..Default::default()
        };
        Reply {
            form,
            body: render_error(form, &error),
            request_id: record_id,
            retry_after: None,
            record,
            params: None,
        }
    }
}

fn top_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(reply.body)));
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.form.content_type()),
    );
    if let Ok(id) = HeaderValue::from_str(&reply.request_id) {
        headers.insert(REQUEST_ID_HEADER, id);
    }
    if let Some(secs) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

fn plain(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}
