//! The HTTP side of the admin API: the token, the body, JSON answers and errors.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde::de::DeserializeOwned;
use serde::Serialize;
use subtle::ConstantTimeEq;
use topgate_store::StoreError;

use super::wire::ErrorDoc;
use super::{routes, Admin};

/// The largest request body accepted (the documents are small).
const MAX_BODY: usize = 1024 * 1024;

pub(super) type Answer = Result<Response<Full<Bytes>>, ApiError>;

/// A refusal: an HTTP status and a message for the operator.
#[derive(Debug)]
pub(super) struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let status = match &e {
            StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
            StoreError::Conflict(_) => StatusCode::CONFLICT,
            StoreError::Invalid(_) => StatusCode::BAD_REQUEST,
            StoreError::Backend(_) => {
                tracing::warn!(error = %e, "admin API: the store failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        ApiError::new(status, e.to_string())
    }
}

/// One admin request: the token, then the route on a blocking thread.
pub(super) async fn handle(admin: Arc<Admin>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let segments: Vec<String> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let shown = shown_path(&segments);
    let public = match segments.first().map(String::as_str) {
        Some("health") => true,
        Some("metrics") => admin.metrics_public,
        _ => false,
    };
    let answer = if !public && !authorized(&parts.headers, &admin.token) {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "a valid admin token is required: `Authorization: Bearer TOKEN` ([admin] token, \
             TOPGATE_ADMIN_TOKEN, or the admin.token file in the gateway's data directory)",
        ))
    } else {
        match read_body(body).await {
            Ok(body) => {
                let method = parts.method.clone();
                let admin = admin.clone();
                tokio::task::spawn_blocking(move || {
                    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
                    routes::route(&admin.state, &method, &segments, &query, &body)
                })
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "admin API: a handler panicked");
                    Err(ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal error",
                    ))
                })
            }
            Err(e) => Err(e),
        }
    };
    let response = answer.unwrap_or_else(|e| {
        let mut r = json(e.status, &ErrorDoc { error: e.message });
        if e.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    });
    tracing::debug!(
        target: "topgate::admin",
        method = %parts.method,
        path = %shown,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "admin request"
    );
    response
}

/// `Authorization: Bearer TOKEN`, compared in constant time.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
    else {
        return false;
    };
    given.trim().as_bytes().ct_eq(token.as_bytes()).into()
}

/// The path as logged: a session key in it is masked (secrets are never logged).
fn shown_path(segments: &[String]) -> String {
    let mut shown = String::new();
    for (i, s) in segments.iter().enumerate() {
        shown.push('/');
        if i == 2 && segments[1] == "sessions" {
            shown.push_str(&topgate_protocol::params::mask_secret(s));
        } else {
            shown.push_str(s);
        }
    }
    shown
}

async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is larger than 1 MiB",
            ))
        }
        Err(e) => Err(ApiError::bad_request(format!("unreadable body: {e}"))),
    }
}

/// A JSON answer.
pub(super) fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec_pretty(value).unwrap_or_else(|_| b"{}".to_vec());
    respond(status, "application/json", Bytes::from(body))
}

pub(super) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// `200 OK` with `value`.
pub(super) fn ok<T: Serialize + ?Sized>(value: &T) -> Answer {
    Ok(json(StatusCode::OK, value))
}

/// The request body as `T`; a 400 saying what is wrong otherwise.
pub(super) fn parse<T: DeserializeOwned>(method: &Method, body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the {method} body is not the JSON document this route takes: {e} \
             (see docs/admin-api.md)"
        ))
    })
}

/// The query parameter `name`, parsed.
pub(super) fn param<T: std::str::FromStr>(
    query: &[(String, String)],
    name: &str,
) -> Result<Option<T>, ApiError> {
    match query.iter().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) if v.is_empty() => Ok(None),
        Some((_, v)) => v.parse().map(Some).map_err(|_| {
            ApiError::bad_request(format!("query parameter {name}={v:?} is not valid"))
        }),
    }
}
