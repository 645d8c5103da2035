//! The calls the load generator sends: signed TOP calls of the demo app with the demo session,
//! shaped as the official SDKs send them (POST, system parameters and `sign` in the query string,
//! business parameters in a form body), signed ahead of time so that signing is never on the
//! generator's request path.
//!
//! A pool holds [`DEFAULT_POOL`] distinct calls: `taobao.item.get` on the session user's 50 items,
//! with timestamps spread over four minutes either side of the signing time. It is signed again
//! every minute, so every timestamp stays well inside the gateway's 10-minute window however long
//! a run lasts.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::Uri;
use topgate_protocol::params::Params;
use topgate_protocol::sign::{sign, SignMethod};
use topgate_protocol::time::format_gmt8;

/// The demo credentials (`topgate_demo::fixtures`; fixed, documented in the README).
pub const APP_KEY: &str = "12345678";
pub const APP_SECRET: &str = "helloworld";
pub const SESSION_KEY: &str = "demo-session-tbtest561";
pub const SESSION_NICK: &str = "tbtest561";
/// The API every call goes to, and what it asks for.
pub const METHOD: &str = "taobao.item.get";
pub const FIELDS: &str = "num_iid,title,price,nick";
/// The session user's items are 1..=50 in the demo data.
const ITEMS: usize = 50;
/// Distinct calls in a pool.
pub const DEFAULT_POOL: usize = 1000;
/// Timestamps spread over this many seconds, centred on the signing time.
const SPREAD_S: usize = 480;
/// How often the pool is signed again.
pub const RESIGN_EVERY: Duration = Duration::from_secs(60);

/// One signed call, ready to send.
#[derive(Debug, Clone)]
pub struct Call {
    /// `/router/rest?<system parameters and sign>`, on the target's path.
    pub uri: Uri,
    /// The business parameters, `application/x-www-form-urlencoded`.
    pub body: Bytes,
    /// The whole HTTP/1.1 request as sent (`Host` from [`sign_calls`]' `host`).
    pub wire: Bytes,
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `count` distinct calls signed around `now_ms`, for the endpoint `host` and `path`.
pub fn sign_calls(host: &str, path: &str, now_ms: i64, count: usize) -> Vec<Call> {
    (0..count.max(1))
        .map(|i| {
            // (i % SPREAD_S, i / 10 % ITEMS) is distinct for every i below 1000.
            let offset_s = (i % SPREAD_S) as i64 - (SPREAD_S / 2) as i64;
            let num_iid = (1 + (i / 10) % ITEMS).to_string();
            signed_call(host, path, &format_gmt8(now_ms + offset_s * 1000), &num_iid)
        })
        .collect()
}

/// One call to [`METHOD`] for item `num_iid`, signed with md5 as the SDKs do by default.
pub fn signed_call(host: &str, path: &str, timestamp: &str, num_iid: &str) -> Call {
    let system = [
        ("method", METHOD),
        ("app_key", APP_KEY),
        ("session", SESSION_KEY),
        ("timestamp", timestamp),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("partner_id", "topgate-bench"),
    ];
    let business = [("fields", FIELDS), ("num_iid", num_iid)];
    let mut params = Params::new();
    for (k, v) in system.iter().chain(&business) {
        params
            .insert((*k).to_owned(), (*v).to_owned())
            .expect("distinct parameter names");
    }
    let signature = sign(SignMethod::Md5, APP_SECRET, &params, None);
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(system);
    query.append_pair("sign", &signature);
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.extend_pairs(business);
    let target = format!("{path}?{}", query.finish());
    let body = body.finish();
    let wire = format!(
        "POST {target} HTTP/1.1\r\nhost: {host}\r\n\
         content-type: application/x-www-form-urlencoded;charset=utf-8\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    Call {
        uri: target.parse().expect("an encoded path and query is a URI"),
        body: Bytes::from(body),
        wire: Bytes::from(wire),
    }
}

/// The calls in use, signed again every [`RESIGN_EVERY`] by a thread of its own.
pub struct Pool {
    calls: ArcSwap<Vec<Call>>,
}

impl Pool {
    /// A pool of `size` calls to `host` and `path`, kept fresh from now on.
    pub fn start(host: &str, path: &str, size: usize) -> Arc<Pool> {
        let pool = Arc::new(Pool {
            calls: ArcSwap::from_pointee(sign_calls(host, path, now_ms(), size)),
        });
        let weak = Arc::downgrade(&pool);
        let (host, path) = (host.to_owned(), path.to_owned());
        std::thread::spawn(move || loop {
            std::thread::sleep(RESIGN_EVERY);
            let Some(pool) = weak.upgrade() else { return };
            pool.calls
                .store(Arc::new(sign_calls(&host, &path, now_ms(), size)));
        });
        pool
    }

    /// The `i`-th call's request bytes (any `i`: the pool wraps around).
    pub fn wire(&self, i: usize) -> Bytes {
        let calls = self.calls.load();
        calls[i % calls.len()].wire.clone()
    }

    /// The `i`-th call (any `i`: the pool wraps around).
    pub fn get(&self, i: usize) -> Call {
        let calls = self.calls.load();
        calls[i % calls.len()].clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use topgate_protocol::sign::verify;

    #[test]
    fn calls_are_distinct_and_verify() {
        let calls = sign_calls(
            "127.0.0.1:1",
            "/router/rest",
            1_764_000_000_000,
            DEFAULT_POOL,
        );
        let distinct: HashSet<String> = calls
            .iter()
            .map(|c| format!("{}{:?}", c.uri, c.body))
            .collect();
        assert_eq!(distinct.len(), DEFAULT_POOL);
        let call = &calls[123];
        let mut params =
            Params::from_urlencoded(call.uri.query().unwrap().as_bytes()).expect("query");
        params.extend_urlencoded(&call.body).expect("body");
        let given = params.sign().unwrap().to_owned();
        assert!(verify(SignMethod::Md5, APP_SECRET, &params, None, &given));
        let wire = String::from_utf8(call.wire.to_vec()).unwrap();
        assert!(wire.starts_with("POST /router/rest?method=taobao.item.get&"));
        assert!(wire.ends_with(&format!("\r\n\r\n{}", String::from_utf8_lossy(&call.body))));
    }
}
