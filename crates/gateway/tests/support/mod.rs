//! A gateway started in process on 127.0.0.1:0 with the demo, a fixed clock, and a client that
//! signs like the official SDKs.
#![allow(dead_code)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use topgate_gateway::admin::Listen;
use topgate_gateway::launch::{self, Running, ServeOptions};
use topgate_protocol::params::Params;
use topgate_protocol::parse::{parse, Outcome, Response};
use topgate_protocol::render::ErrorBody;
use topgate_protocol::sign::{sign, SignMethod};
use topgate_protocol::time::{format_gmt8, parse_timestamp};

pub const APP_KEY: &str = "12345678";
pub const SECRET: &str = "helloworld";
pub const SESSION: &str = "demo-session-tbtest561";

/// 2026-11-25 12:00:00 GMT+8.
pub fn t0() -> i64 {
    parse_timestamp("2026-11-25 12:00:00").unwrap()
}

pub struct Harness {
    pub running: Running,
    pub url: String,
    pub now: Arc<AtomicI64>,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub async fn start() -> Harness {
    start_with(ServeOptions {
        demo: true,
        ..Default::default()
    })
    .await
}

pub async fn start_with(mut opts: ServeOptions) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    if opts.data_dir.is_none() {
        opts.data_dir = Some(dir.path().to_path_buf());
    }
    opts.listen = Some("127.0.0.1:0".parse().unwrap());
    if opts.admin_listen.is_none() {
        opts.admin_listen = Some(Listen::On("127.0.0.1:0".parse().unwrap()));
    }
    let now = Arc::new(AtomicI64::new(t0()));
    let clock_now = now.clone();
    let running = launch::start(
        opts,
        Some(Arc::new(move || clock_now.load(Ordering::SeqCst))),
    )
    .await
    .unwrap();
    let url = format!("{}/router/rest", running.base_url());
    Harness {
        running,
        url,
        now,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

/// A call being built: system parameters default to a valid v2 JSON md5 call by the demo app.
#[derive(Clone)]
pub struct Call {
    pub params: Vec<(String, String)>,
    pub secret: String,
    pub sign_method: SignMethod,
    pub sign: bool,
}

impl Harness {
    pub fn call(&self, method: &str) -> Call {
        Call {
            params: vec![
                ("method".into(), method.into()),
                ("app_key".into(), APP_KEY.into()),
                (
                    "timestamp".into(),
                    format_gmt8(self.now.load(Ordering::SeqCst)),
                ),
                ("format".into(), "json".into()),
                ("v".into(), "2.0".into()),
                ("sign_method".into(), "md5".into()),
            ],
            secret: SECRET.into(),
            sign_method: SignMethod::Md5,
            sign: true,
        }
    }

    /// POSTs the call: system parameters in the query, business ones in a form body.
    pub async fn send(
        &self,
        call: &Call,
    ) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let pairs = call.signed_pairs();
        let (system, business): (Vec<_>, Vec<_>) = pairs
            .iter()
            .partition(|(k, _)| topgate_protocol::params::is_system(k));
        let resp = self
            .http
            .post(&self.url)
            .query(&system)
            .form(&business)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.bytes().await.unwrap().to_vec())
    }

    /// Sends and parses; asserts HTTP 200 and a request id header matching the body.
    pub async fn parsed(&self, call: &Call) -> Response {
        let (status, headers, body) = self.send(call).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let parsed =
            parse(&body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)));
        let header_id = headers
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(parsed.request_id(), Some(header_id.as_str()));
        parsed
    }

    /// Sends a call that must fail; returns the error body.
    pub async fn error(&self, call: &Call) -> ErrorBody {
        match self.parsed(call).await.outcome {
            Outcome::Error(e) => e,
            Outcome::Success(s) => panic!("expected an error, got {s:?}"),
        }
    }
}

impl Call {
    pub fn set(mut self, name: &str, value: &str) -> Call {
        self.params.retain(|(k, _)| k != name);
        self.params.push((name.into(), value.into()));
        self
    }

    pub fn remove(mut self, name: &str) -> Call {
        self.params.retain(|(k, _)| k != name);
        self
    }

    pub fn session(self) -> Call {
        self.set("session", SESSION)
    }

    pub fn secret(mut self, secret: &str) -> Call {
        self.secret = secret.into();
        self
    }

    pub fn unsigned(mut self) -> Call {
        self.sign = false;
        self
    }

    pub fn signed_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.params.clone();
        if self.sign {
            let mut p = Params::new();
            for (k, v) in &pairs {
                p.insert(k.clone(), v.clone()).unwrap();
            }
            let method = SignMethod::parse(p.sign_method()).unwrap_or(self.sign_method);
            pairs.push(("sign".into(), sign(method, &self.secret, &p, None)));
        }
        pairs
    }
}
