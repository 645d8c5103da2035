//! The admin API's client: `--server URL` on the administration commands sends each change to
//! a running gateway (`docs/admin-api.md`) instead of opening the data directory.
//!
//! The token is `--token`, else `$TOPGATE_ADMIN_TOKEN`, else the `admin.token` file the gateway
//! wrote in its data directory (`--data-dir`, `$TOPGATE_DATA_DIR`, or the default).

use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use clap::Args;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use topgate_gateway::admin::token_path;
use topgate_gateway::admin::wire::ErrorDoc;

/// `--server URL` and `--token TOKEN`.
#[derive(Args, Clone, Debug, Default)]
pub struct RemoteArgs {
    /// Send the command to a running gateway's admin API, e.g. http://127.0.0.1:8081
    #[arg(long, value_name = "URL", env = "TOPGATE_ADMIN_URL")]
    pub server: Option<String>,
    /// The admin API token [default: <data dir>/admin.token, written by the gateway]
    #[arg(
        long,
        value_name = "TOKEN",
        env = "TOPGATE_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

impl RemoteArgs {
    /// A client for `--server`, or `None` to work on the data directory.
    pub fn client(&self, data_dir: &Path) -> anyhow::Result<Option<AdminClient>> {
        let Some(server) = &self.server else {
            return Ok(None);
        };
        let token = match &self.token {
            Some(t) => t.trim().to_owned(),
            None => read_token(&token_path(data_dir))?,
        };
        AdminClient::new(server, token).map(Some)
    }
}

fn read_token(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow!(
            "no admin token: give --token or TOPGATE_ADMIN_TOKEN, or --data-dir of the gateway \
             (it writes a generated token to {}: {e})",
            path.display()
        )
    })?;
    Ok(text.trim().to_owned())
}

/// A blocking client of the admin API.
pub struct AdminClient {
    base: Url,
    token: String,
    http: Client,
}

impl AdminClient {
    pub fn new(server: &str, token: String) -> anyhow::Result<AdminClient> {
        let base = Url::parse(server).with_context(|| {
            format!("--server {server:?} is not a URL like http://127.0.0.1:8081")
        })?;
        if base.cannot_be_a_base() {
            bail!("--server {server:?} is not a URL like http://127.0.0.1:8081");
        }
        let http = Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .context("cannot build the HTTP client")?;
        Ok(AdminClient { base, token, http })
    }

    /// Where the admin API is, for messages.
    pub fn server(&self) -> &str {
        self.base.as_str()
    }

    fn url(&self, path: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    fn request(&self, method: Method, path: &[&str], query: &[(&str, String)]) -> RequestBuilder {
        self.http
            .request(method, self.url(path, query))
            .bearer_auth(&self.token)
    }

    /// Sends; the answer's JSON as `T`, `None` on a 404 when `missing_ok`.
    fn send<T: DeserializeOwned>(
        &self,
        req: RequestBuilder,
        missing_ok: bool,
    ) -> anyhow::Result<Option<T>> {
        let resp = req
            .send()
            .map_err(|e| anyhow!("cannot reach the admin API at {}: {e}", self.base))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .with_context(|| format!("the admin API at {} cut its answer off", self.base))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map(Some).with_context(|| {
                format!(
                    "the admin API at {} answered something that is not the expected JSON",
                    self.base
                )
            });
        }
        if status == StatusCode::NOT_FOUND && missing_ok {
            return Ok(None);
        }
        let message = serde_json::from_slice::<ErrorDoc>(&body)
            .map(|e| e.error)
            .unwrap_or_else(|_| String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned());
        if status == StatusCode::UNAUTHORIZED {
            bail!(
                "the admin API at {} refused the token (HTTP 401): give the gateway's token with \
                 --token or TOPGATE_ADMIN_TOKEN, or its --data-dir to read admin.token",
                self.base
            );
        }
        Err(anyhow!("{message}"))
    }

    pub fn get<T: DeserializeOwned>(
        &self,
        path: &[&str],
        query: &[(&str, String)],
    ) -> anyhow::Result<T> {
        self.send(self.request(Method::GET, path, query), false)?
            .ok_or_else(|| anyhow!("the admin API at {} answered nothing", self.base))
    }

    /// `GET`; `None` on a 404.
    pub fn find<T: DeserializeOwned>(&self, path: &[&str]) -> anyhow::Result<Option<T>> {
        self.send(self.request(Method::GET, path, &[]), true)
    }

    /// A change: `method` with `body` as JSON (none when `None`).
    pub fn change<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &[&str],
        body: Option<&B>,
    ) -> anyhow::Result<T> {
        let mut req = self.request(method, path, &[]);
        if let Some(body) = body {
            req = req.json(body);
        }
        self.send(req, false)?
            .ok_or_else(|| anyhow!("the admin API at {} answered nothing", self.base))
    }
}
