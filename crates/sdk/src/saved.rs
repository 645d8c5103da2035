//! The saved-response file: one JSON document per attempt, written when the client has a
//! `save_dir`, read back by `topgate diagnose FILE`. The format is documented in the crate's
//! README ("Saved responses"); this type is the one definition both sides use.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use topgate_protocol::params::mask_secret;
use topgate_protocol::time::gmt8;

use crate::prepare::PreparedRequest;
use crate::response::REQUEST_ID_HEADER;

/// One saved attempt: what was sent (without the secret) and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedResponse {
    /// When the answer (or the failure) arrived: RFC 3339 in GMT+8 with milliseconds,
    /// `2026-01-01T12:00:00.123+08:00`.
    pub saved_at: String,
    /// The endpoint, without the query string (the parameters are in `params`).
    pub url: String,
    /// The HTTP method: `POST`.
    pub method: String,
    /// The API name: `taobao.item.get`.
    pub api: String,
    /// The `format` asked for: `json` or `xml`.
    pub requested_format: String,
    /// The `v` sent: `2.0` or `1.0`.
    pub version: String,
    /// Every text parameter sent, system and business, sorted by name, `sign` included,
    /// `session` masked (`6100***a9`). Never the secret.
    pub params: BTreeMap<String, String>,
    /// The files sent (contents not saved).
    #[serde(default)]
    pub files: Vec<SavedFile>,
    /// The HTTP status; absent when no answer arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response headers, names in lower case, repeated headers joined with `, `.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The raw body, when it is UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The raw body in standard base64, when it is not UTF-8 (then `body` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// The transport failure, when no complete answer arrived (connection, timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Which attempt of the call this was, from 1 (retries save every attempt).
    #[serde(default = "first_attempt")]
    pub attempt: u32,
    /// From sending to the end of the answer (or the failure), in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

fn first_attempt() -> u32 {
    1
}

/// A file that was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFile {
    pub name: String,
    pub filename: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

impl SavedResponse {
    /// The request side of a record, stamped `at`; the answer is added with
    /// [`SavedResponse::set_answer`] or [`SavedResponse::set_error`].
    pub fn for_request(prepared: &PreparedRequest, at: DateTime<Utc>, attempt: u32) -> Self {
        let params = prepared
            .params
            .text()
            .iter()
            .map(|(n, v)| {
                let shown = if n == "session" {
                    mask_secret(v)
                } else {
                    v.clone()
                };
                (n.clone(), shown)
            })
            .collect();
        let files = prepared
            .params
            .files()
            .iter()
            .map(|f| SavedFile {
                name: f.name.clone(),
                filename: f.filename.clone(),
                size: f.data.len() as u64,
                content_type: f.content_type.clone(),
            })
            .collect();
        let url = prepared
            .url
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        SavedResponse {
            saved_at: saved_at_text(at),
            url,
            method: "POST".to_string(),
            api: prepared.api.clone(),
            requested_format: prepared.format.as_str().to_string(),
            version: prepared.version.as_str().to_string(),
            params,
            files,
            status: None,
            headers: BTreeMap::new(),
            body: None,
            body_base64: None,
            error: None,
            attempt,
            elapsed_ms: None,
        }
    }

    /// Records an HTTP answer.
    pub fn set_answer(&mut self, status: u16, headers: &HeaderMap, body: &[u8]) {
        self.status = Some(status);
        self.headers = BTreeMap::new();
        for (name, value) in headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            self.headers
                .entry(name.as_str().to_string())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        match std::str::from_utf8(body) {
            Ok(text) => self.body = Some(text.to_string()),
            Err(_) => {
                self.body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(body))
            }
        }
    }

    /// Records a failure without a complete answer.
    pub fn set_error(&mut self, message: impl Into<String>) {
        self.error = Some(message.into());
    }

    /// The raw body, decoded from `body_base64` when needed. `None` when no answer arrived
    /// (or the base64 is broken).
    pub fn body_bytes(&self) -> Option<Vec<u8>> {
        match (&self.body, &self.body_base64) {
            (Some(text), _) => Some(text.as_bytes().to_vec()),
            (None, Some(b64)) => base64::engine::general_purpose::STANDARD.decode(b64).ok(),
            (None, None) => None,
        }
    }

    /// The request id: from the body, else from the `x-request-id` header.
    pub fn request_id(&self) -> Option<String> {
        let from_body = self
            .body_bytes()
            .and_then(|b| topgate_protocol::parse::parse(&b).ok())
            .and_then(|r| r.request_id().map(str::to_string));
        from_body.or_else(|| self.headers.get(REQUEST_ID_HEADER).cloned())
    }

    /// Reads a saved file's contents.
    pub fn from_slice(json: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(json)
    }

    /// The document, pretty-printed.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a SavedResponse always serialises")
    }

    /// The file name: `<saved_at compact>-<api>-<request_id or "no-request-id">.json`, e.g.
    /// `20260101T120000.123-taobao.item.get-1a2b3c4d5e6f7.json`.
    pub fn file_name(&self) -> String {
        let stamp: String = DateTime::parse_from_rfc3339(&self.saved_at)
            .map(|t| t.format("%Y%m%dT%H%M%S%.3f").to_string())
            .unwrap_or_else(|_| safe(&self.saved_at));
        let rid = self.request_id().unwrap_or_else(|| "no-request-id".into());
        format!("{stamp}-{}-{}.json", safe(&self.api), safe(&rid))
    }

    /// Writes the document into `dir` (created if missing) under [`SavedResponse::file_name`];
    /// never overwrites: a name already taken gets `-2`, `-3`, ... before `.json`.
    pub fn write_to(&self, dir: &Path) -> io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let name = self.file_name();
        let stem = name.trim_end_matches(".json");
        let json = self.to_json_pretty();
        for n in 1..1000 {
            let path = if n == 1 {
                dir.join(&name)
            } else {
                dir.join(format!("{stem}-{n}.json"))
            };
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    f.write_all(json.as_bytes())?;
                    f.write_all(b"\n")?;
                    return Ok(path);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(io::ErrorKind::AlreadyExists, name))
    }
}

/// `2026-01-01T12:00:00.123+08:00`.
pub fn saved_at_text(at: DateTime<Utc>) -> String {
    at.with_timezone(&gmt8())
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// Keeps a file-name component to `[A-Za-z0-9._-]`.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
