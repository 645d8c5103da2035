//! HTTP backends (`docs/backend-protocol.md`): one pooled keep-alive client per backend, each
//! call bounded by its API's timeout, and every way a call can go wrong mapped onto the API's
//! product line:
//!
//! | what happened | sub code |
//! |---|---|
//! | refused, reset, closed mid-answer | `isp.remote-connection-error` |
//! | no complete answer within the timeout | `isp.remote-service-timeout` (msg `Remote service timeout`) |
//! | not HTTP, status other than 200, not `application/json`, not JSON, not the documented shape, over 8 MiB | `isp.<line>-service-unavailable` |
//! | `{"error":{"sub_code","sub_msg"}}` | the backend's own |
//!
//! The client sees the catalog's words for the sub code; the technical detail goes to
//! [`Failure::why`] (the log and the archive).

// A `Failure` is the cold path and carries what the archive needs; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use parking_lot::RwLock;
use topgate_protocol::backend::{
    decode_reply, BackendRequest, BackendResult, WireRequest, METHOD_HEADER, REQUEST_ID_HEADER,
};
use topgate_protocol::errors::{ProductLine, SubCode};

use crate::catalog::HttpBackendSpec;
use crate::failure::Failure;

/// The largest answer body read from a backend.
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;
/// How long an idle keep-alive connection stays in the pool.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
const USER_AGENT: &str = concat!("topgate/", env!("CARGO_PKG_VERSION"));

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// One backend's connection pool, for the URL and size it was made for.
struct Pool {
    url: String,
    max_idle: usize,
    uri: Uri,
    client: HttpClient,
}

/// The connection pools, by backend name: made on first use, kept across catalog reloads
/// (remade when a reload changes the backend's URL or pool size).
#[derive(Default)]
pub struct HttpBackends {
    pools: RwLock<HashMap<String, Arc<Pool>>>,
}

/// What went wrong, before it becomes a [`Failure`].
enum Fault {
    Connection(String),
    Timeout(Duration),
    Unavailable(String),
}

impl HttpBackends {
    /// One call: the backend's answer (a result or a business error), or the failure of the
    /// exchange, always within `timeout`.
    pub async fn call(
        &self,
        spec: &HttpBackendSpec,
        line: ProductLine,
        timeout: Duration,
        request: &BackendRequest,
    ) -> Result<BackendResult, Failure> {
        let pool = self.pool(spec)?;
        let internal = |e: &dyn std::fmt::Display| {
            Failure::internal(format!(
                "HTTP backend {}: cannot build the request: {e}",
                spec.name
            ))
        };
        let body =
            serde_json::to_vec(&WireRequest::from_request(request)).map_err(|e| internal(&e))?;
        let req = Request::post(pool.uri.clone())
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, USER_AGENT)
            .header(REQUEST_ID_HEADER, &request.request_id)
            .header(METHOD_HEADER, &request.method)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| internal(&e))?;
        let outcome = match tokio::time::timeout(timeout, exchange(&pool.client, req)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Fault::Timeout(timeout)),
        };
        outcome.map_err(|fault| fault.into_failure(line, spec))
    }

    fn pool(&self, spec: &HttpBackendSpec) -> Result<Arc<Pool>, Failure> {
        let fits = |p: &Pool| p.url == spec.url && p.max_idle == spec.max_idle;
        if let Some(pool) = self.pools.read().get(&spec.name).filter(|p| fits(p)) {
            return Ok(pool.clone());
        }
        let mut pools = self.pools.write();
        if let Some(pool) = pools.get(&spec.name).filter(|p| fits(p)) {
            return Ok(pool.clone());
        }
        let uri: Uri = spec.url.parse().map_err(|e| {
            Failure::internal(format!(
                "HTTP backend {}: URL {:?}: {e}",
                spec.name, spec.url
            ))
        })?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(spec.max_idle)
            .pool_idle_timeout(IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .build(connector);
        let pool = Arc::new(Pool {
            url: spec.url.clone(),
            max_idle: spec.max_idle,
            uri,
            client,
        });
        pools.insert(spec.name.clone(), pool.clone());
        Ok(pool)
    }
}

/// Sends the request and reads the whole answer.
async fn exchange(client: &HttpClient, req: Request<Full<Bytes>>) -> Result<BackendResult, Fault> {
    let response = client.request(req).await.map_err(|e| client_fault(&e))?;
    let (parts, body) = response.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let wrong = if parts.status != StatusCode::OK {
        Some(format!("HTTP status {}", parts.status))
    } else if !content_type.as_deref().is_some_and(is_json) {
        Some(format!(
            "content type {}, not application/json",
            content_type
                .as_deref()
                .map_or("(none)".into(), |c| format!("{c:?}"))
        ))
    } else {
        None
    };
    if let Some(wrong) = wrong {
        return Err(Fault::Unavailable(format!(
            "{wrong}; the body begins {:?}",
            snippet(body).await
        )));
    }
    let body = match Limited::new(body, MAX_ANSWER_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(Fault::Unavailable(format!(
                "the answer is over {MAX_ANSWER_BYTES} bytes"
            )))
        }
        Err(e) => {
            return Err(Fault::Connection(format!(
                "the connection broke in the middle of the answer: {}",
                chain(&*e)
            )))
        }
    };
    decode_reply(&body).map_err(|e| Fault::Unavailable(e.to_string()))
}

/// A failure before the answer's head was complete.
fn client_fault(e: &hyper_util::client::legacy::Error) -> Fault {
    if e.is_connect() {
        return Fault::Connection(format!("cannot connect: {}", chain(e)));
    }
    let mut source = e.source();
    while let Some(s) = source {
        if s.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_parse)
        {
            return Fault::Unavailable(format!("the answer is not HTTP: {}", chain(e)));
        }
        source = s.source();
    }
    Fault::Connection(format!("the connection failed: {}", chain(e)))
}

/// `application/json`, with or without parameters, any case.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// The first bytes of a body that is not going to be used, for the archive; never waits long.
async fn snippet(mut body: Incoming) -> String {
    let mut seen = Vec::new();
    let read = async {
        while seen.len() < 200 {
            match body.frame().await {
                Some(Ok(frame)) => seen.extend_from_slice(frame.data_ref().map_or(&[][..], |d| d)),
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(100), read).await;
    seen.truncate(200);
    String::from_utf8_lossy(&seen).into_owned()
}

/// An error and its sources, `outer: inner: innermost`.
fn chain(e: &dyn StdError) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.ends_with(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

impl Fault {
    fn into_failure(self, line: ProductLine, spec: &HttpBackendSpec) -> Failure {
        let (sub, timeout, why) = match self {
            Fault::Connection(why) => (SubCode::RemoteConnectionError, false, why),
            Fault::Timeout(after) => (
                SubCode::RemoteServiceTimeout,
                true,
                format!("no complete answer within {} ms", after.as_millis()),
            ),
            Fault::Unavailable(why) => (SubCode::ServiceUnavailable(line), false, why),
        };
        Failure::Business {
            line,
            sub_code: sub.as_string(),
            sub_msg: sub.spec().meaning.zh.to_owned(),
            timeout,
            check: "backend",
            why: format!("HTTP backend {} ({}): {why}", spec.name, spec.url),
        }
    }
}
