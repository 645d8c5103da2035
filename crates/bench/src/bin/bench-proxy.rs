//! Scenario C: a minimal pass-through proxy in front of an HTTP backend. Each request's body is
//! read and dropped; the proxy POSTs the fixed backend-protocol call that topgate would send for
//! it (`topgate_bench::wire`) over a pooled keep-alive client built as topgate's is, and relays
//! the backend's status, content type and body. No parameters, no checks, no rendering.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use http::{header, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

#[derive(Parser)]
#[command(about = "bench scenario C: a minimal pass-through proxy")]
struct Args {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The backend's URL (`topgate demo-backend`)
    #[arg(long)]
    backend: Uri,
    /// Idle connections kept per backend (topgate's default is 32)
    #[arg(long, default_value_t = 32)]
    max_idle: usize,
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Proxy {
    client: HttpClient,
    backend: Uri,
    body: Bytes,
}

impl Proxy {
    async fn forward(&self, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
        let _ = req.into_body().collect().await;
        let upstream = Request::post(self.backend.clone())
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(Full::new(self.body.clone()))
            .expect("a valid request");
        let answer = async {
            let resp = self.client.request(upstream).await?;
            let (parts, body) = resp.into_parts();
            let body = body.collect().await?.to_bytes();
            anyhow::Ok((parts, body))
        };
        match answer.await {
            Ok((parts, body)) => {
                let mut resp = Response::new(Full::new(body));
                *resp.status_mut() = parts.status;
                if let Some(ct) = parts.headers.get(header::CONTENT_TYPE) {
                    resp.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
                }
                resp
            }
            Err(e) => {
                let mut resp = Response::new(Full::new(Bytes::from(format!("{e}\n"))));
                *resp.status_mut() = StatusCode::BAD_GATEWAY;
                resp
            }
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Runtime::new()?.block_on(async move {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(args.max_idle)
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_timer(TokioTimer::new())
            .build(connector);
        let proxy = Arc::new(Proxy {
            client,
            backend: args.backend,
            body: Bytes::from(topgate_bench::wire::backend_body()),
        });
        topgate_bench::serve::serve(args.listen, move |req| {
            let proxy = proxy.clone();
            async move { proxy.forward(req).await }
        })
        .await
    })
}
