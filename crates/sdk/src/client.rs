//! The async client: builder, one attempt on the wire, and the retry loop.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::HeaderMap;
use topgate_protocol::sign::SignMethod;
use topgate_protocol::{Format, Version};

use crate::blocking::BlockingClient;
use crate::config::{fixed_clock, Clock, Config};
use crate::error::{Error, TransportKind};
use crate::prepare::PreparedRequest;
use crate::response::{interpret, Success};
use crate::retry::RetryPolicy;
use crate::saved::SavedResponse;
use crate::Request;

/// The client's default timeout for one attempt: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds a [`Client`] (or a [`BlockingClient`]). See [`Config`] for the defaults.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    config: Config,
    timeout: Duration,
    retry: Option<RetryPolicy>,
    save_dir: Option<PathBuf>,
}

impl ClientBuilder {
    pub fn sign_method(mut self, method: SignMethod) -> Self {
        self.config.sign_method = method;
        self
    }
    pub fn format(mut self, format: Format) -> Self {
        self.config.format = format;
        self
    }
    pub fn version(mut self, version: Version) -> Self {
        self.config.version = version;
        self
    }
    /// The default `session` of every call.
    pub fn session(mut self, session: impl Into<String>) -> Self {
        self.config.session = Some(session.into());
        self
    }
    /// Timeout of one attempt, from sending to the end of the body (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    pub fn simplify(mut self, simplify: bool) -> Self {
        self.config.simplify = simplify;
        self
    }
    /// The `partner_id` sent with every call; empty: none is sent.
    pub fn partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.config.partner_id = Some(partner_id.into());
        self
    }
    /// Retries as the policy says (off by default).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
    /// Saves every response (and every transport failure) into `dir` (off by default).
    pub fn save_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.save_dir = Some(dir.into());
        self
    }
    /// The clock `timestamp` is read from (epoch milliseconds).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.config.clock = clock;
        self
    }
    /// Sends this `timestamp` (epoch milliseconds) with every call, e.g. to reproduce one.
    pub fn fixed_timestamp(self, epoch_ms: i64) -> Self {
        self.clock(fixed_clock(epoch_ms))
    }

    /// The envelope settings as built so far.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn build(self) -> Result<Client, Error> {
        let url = reqwest::Url::parse(&self.config.url).map_err(|e| Error::Usage {
            message: format!("invalid URL {:?}: {e}", self.config.url),
        })?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(Error::Usage {
                message: format!("URL {:?} is not http(s)", self.config.url),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::Usage {
                message: format!("HTTP client: {e}"),
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                config: self.config,
                http,
                retry: self.retry,
                save_dir: self.save_dir,
            }),
        })
    }

    /// A [`BlockingClient`] with its own current-thread runtime.
    pub fn build_blocking(self) -> Result<BlockingClient, Error> {
        BlockingClient::new(self.build()?)
    }
}

/// The async TOP client. Cheap to clone (shared inside).
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    http: reqwest::Client,
    retry: Option<RetryPolicy>,
    save_dir: Option<PathBuf>,
}

impl Client {
    /// A builder for `url` (the endpoint, `http://host:port/router/rest`) and the app's
    /// credentials.
    pub fn builder(
        url: impl Into<String>,
        app_key: impl Into<String>,
        secret: impl Into<String>,
    ) -> ClientBuilder {
        ClientBuilder {
            config: Config::new(url, app_key, secret),
            timeout: DEFAULT_TIMEOUT,
            retry: None,
            save_dir: None,
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn save_dir(&self) -> Option<&Path> {
        self.inner.save_dir.as_deref()
    }

    /// Signs `request` as the next attempt would, without sending it.
    pub fn prepare(&self, request: &Request) -> Result<PreparedRequest, Error> {
        self.inner.config.prepare(request)
    }

    /// Calls the API: signs, sends, reads the answer; retries when the client has a policy
    /// that allows it (each attempt is signed afresh, with a new `timestamp`).
    pub async fn call(&self, request: Request) -> Result<Success, Error> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let prepared = self.prepare(&request)?;
            let error = match self.execute(&prepared, attempts).await {
                Ok(mut success) => {
                    success.attempts = attempts;
                    return Ok(success);
                }
                Err(e) => e,
            };
            let wait = self.inner.retry.and_then(|p| p.decide(&error, attempts));
            match wait {
                Some(wait) => {
                    tracing::debug!(api = %prepared.api, attempts, ?wait, %error, "retrying");
                    tokio::time::sleep(wait).await;
                }
                None => return Err(error),
            }
        }
    }

    /// Sends one prepared request (no retry) and reads the answer; saves it when the client
    /// saves responses. `attempt` is recorded in the saved file.
    pub async fn execute(
        &self,
        prepared: &PreparedRequest,
        attempt: u32,
    ) -> Result<Success, Error> {
        let at = chrono::Utc::now();
        let started = Instant::now();
        let answer = self.exchange(prepared).await;
        let mut saved_to = None;
        if let Some(dir) = &self.inner.save_dir {
            let mut record = SavedResponse::for_request(prepared, at, attempt);
            record.elapsed_ms = Some(started.elapsed().as_millis() as u64);
            match &answer {
                Ok((status, headers, body)) => record.set_answer(*status, headers, body),
                Err(e) => record.set_error(e.to_string()),
            }
            match record.write_to(dir) {
                Ok(path) => saved_to = Some(path),
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), error = %e, "could not save the response")
                }
            }
        }
        let (status, headers, body) = answer?;
        let mut success = interpret(prepared.format, status, headers, body)?;
        success.saved_to = saved_to;
        Ok(success)
    }

    async fn exchange(&self, prepared: &PreparedRequest) -> Result<(u16, HeaderMap, Bytes), Error> {
        let mut builder = self.inner.http.post(&prepared.url);
        for (name, value) in prepared.headers() {
            builder = builder.header(name, value);
        }
        if let Some(t) = prepared.timeout {
            builder = builder.timeout(t);
        }
        let response = builder
            .body(prepared.body.to_bytes())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?;
        Ok((status, headers, body))
    }
}

/// A reqwest failure as [`Error::Transport`]; the URL (whose query holds the session) is left
/// out of the message.
fn transport(e: reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    };
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::Transport {
        kind,
        status: None,
        body: None,
        message,
    }
}
