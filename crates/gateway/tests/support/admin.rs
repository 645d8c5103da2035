//! A client of a test gateway's admin API (`#[path]`-included next to `mod support`).
#![allow(dead_code)]

use reqwest::Method;
use serde_json::Value;

use super::support::Harness;

pub struct Admin {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Admin {
    /// The admin API of `h`, with the token the gateway generated into its data directory.
    pub fn of(h: &Harness) -> Admin {
        let server = h.running.admin.as_ref().expect("the admin API is on");
        let token = std::fs::read_to_string(h.running.data_dir.join("admin.token")).unwrap();
        Admin {
            base: server.base_url(),
            token: token.trim().to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Sends with the token; the status and the body as JSON (`Null` when it is not JSON).
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }

    /// A request that must answer `status`; its body.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let (got, json) = self.send(method.clone(), path, body).await;
        assert_eq!(got, status, "{method} {path}: {json}");
        json
    }

    /// `GET /metrics` as text.
    pub async fn metrics(&self) -> String {
        let resp = self
            .http
            .get(format!("{}/metrics", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.text().await.unwrap()
    }
}
