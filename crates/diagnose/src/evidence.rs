//! What the diagnosis is given: a body and whatever the client knew about the call.
//!
//! The SDK saves every response as a JSON file (`saved_at`, `url`, `method`, `api`,
//! `requested_format`, `version`, `params`, `files`, `status`, `headers`, `body` or
//! `body_base64`, `error`). [`Evidence::from_saved_file`] reads that file leniently (every field
//! optional, several spellings of lists accepted) and takes any other bytes as a bare body.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value as Json;
use topgate_protocol::render::Format;

/// The response and what the client knew when it saved it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    pub body: Vec<u8>,
    /// The format the client asked for and parses.
    pub requested_format: Option<Format>,
    pub http_status: Option<u16>,
    /// The API called (`taobao.item.get`).
    pub method: Option<String>,
    /// The parameters the client sent (text).
    pub params: Vec<(String, String)>,
    /// The files the client sent: parameter name and size in bytes.
    pub files: Vec<(String, u64)>,
    pub headers: Vec<(String, String)>,
    /// The client got no response at all (DNS, refused, timeout, reset).
    pub transport_error: Option<String>,
    /// When the client saved the response, as written in the file.
    pub saved_at: Option<String>,
    pub url: Option<String>,
}

/// A saved-response file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("the saved file's body_base64 is not base64: {0}")]
    BadBase64(String),
}

/// The SDK's saved-response file. Every field is optional and read as loose JSON, so a file from
/// another version of the SDK (or written by hand) still reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SavedFile {
    saved_at: Json,
    url: Json,
    method: Json,
    api: Json,
    requested_format: Json,
    version: Json,
    params: Json,
    files: Json,
    status: Json,
    headers: Json,
    body: Json,
    body_base64: Json,
    error: Json,
}

const MARKERS: &[&str] = &["body", "body_base64", "error"];
const CONTEXT: &[&str] = &[
    "saved_at",
    "url",
    "status",
    "api",
    "requested_format",
    "params",
    "headers",
];

impl Evidence {
    /// A bare body, nothing else known.
    pub fn from_body(body: impl Into<Vec<u8>>) -> Evidence {
        Evidence {
            body: body.into(),
            ..Evidence::default()
        }
    }

    /// Reads the SDK's saved-response JSON; bytes that are not that JSON are a bare body.
    pub fn from_saved_file(bytes: &[u8]) -> Result<Evidence, EvidenceError> {
        let Ok(Json::Object(map)) = serde_json::from_slice::<Json>(bytes) else {
            return Ok(Evidence::from_body(bytes));
        };
        let is_saved = MARKERS.iter().any(|k| map.contains_key(*k))
            && CONTEXT.iter().any(|k| map.contains_key(*k));
        if !is_saved {
            return Ok(Evidence::from_body(bytes));
        }
        let saved: SavedFile = serde_json::from_value(Json::Object(map)).unwrap_or_default();
        saved.into_evidence()
    }

    /// A response header, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `saved_at` as epoch milliseconds: RFC 3339, `yyyy-MM-dd HH:mm:ss` (GMT+8), or a number
    /// of milliseconds (or seconds, when small).
    pub fn saved_at_ms(&self) -> Option<i64> {
        let s = self.saved_at.as_deref()?.trim();
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return Some(t.timestamp_millis());
        }
        if let Ok(n) = s.parse::<i64>() {
            return Some(if n < 100_000_000_000 { n * 1000 } else { n });
        }
        topgate_protocol::time::parse_timestamp(s).ok()
    }
}

impl SavedFile {
    fn into_evidence(self) -> Result<Evidence, EvidenceError> {
        let body = match (&self.body, &self.body_base64) {
            (_, Json::String(b64)) => decode_base64(b64)?,
            (Json::String(s), _) => s.clone().into_bytes(),
            (Json::Null, _) => Vec::new(),
            (other, _) => other.to_string().into_bytes(),
        };
        let method = text(&self.method);
        let http_method = method
            .as_deref()
            .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()));
        let api = text(&self.api).or(if http_method { None } else { method });
        let _ = &self.version;
        Ok(Evidence {
            body,
            requested_format: text(&self.requested_format)
                .filter(|f| !f.is_empty())
                .and_then(|f| Format::parse(Some(&f))),
            http_status: text(&self.status).and_then(|s| s.trim().parse().ok()),
            method: api.filter(|m| !m.is_empty()),
            params: pairs(&self.params),
            files: files(&self.files),
            headers: pairs(&self.headers),
            transport_error: match &self.error {
                Json::Null => None,
                Json::Object(o) => o
                    .get("message")
                    .and_then(text)
                    .or(Some(self.error.to_string())),
                other => text(other).filter(|s| !s.is_empty()),
            },
            saved_at: text(&self.saved_at),
            url: text(&self.url),
        })
    }
}

fn decode_base64(s: &str) -> Result<Vec<u8>, EvidenceError> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let mut last = None;
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        match engine.decode(&clean) {
            Ok(b) => return Ok(b),
            Err(e) => last = Some(e.to_string()),
        }
    }
    Err(EvidenceError::BadBase64(last.unwrap_or_default()))
}

/// A scalar as text: strings as they are, numbers and booleans as written.
fn text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `{"k":"v"}`, `[["k","v"]]` or `[{"name"|"key":"k","value":"v"}]`. A list value (a header
/// sent twice) is joined with ", ".
pub(crate) fn pairs(v: &Json) -> Vec<(String, String)> {
    let value_text = |v: &Json| match v {
        Json::Array(items) => items.iter().filter_map(text).collect::<Vec<_>>().join(", "),
        other => text(other).unwrap_or_default(),
    };
    match v {
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), value_text(v)))
            .collect(),
        Json::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Json::Array(kv) if !kv.is_empty() => {
                    Some((text(&kv[0])?, kv.get(1).map(value_text).unwrap_or_default()))
                }
                Json::Object(o) => {
                    let k = o.get("name").or_else(|| o.get("key")).and_then(text)?;
                    Some((k, o.get("value").map(value_text).unwrap_or_default()))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `[{"name":"image","size":1024,..}]`, `{"image":1024}` or `{"image":{"size":1024}}`.
fn files(v: &Json) -> Vec<(String, u64)> {
    let size_of = |v: &Json| -> u64 {
        let n = match v {
            Json::Object(o) => ["size", "len", "length", "bytes"]
                .iter()
                .find_map(|k| o.get(*k)),
            other => Some(other),
        };
        n.and_then(text).and_then(|s| s.parse().ok()).unwrap_or(0)
    };
    match v {
        Json::Object(map) => map.iter().map(|(k, v)| (k.clone(), size_of(v))).collect(),
        Json::Array(items) => items
            .iter()
            .filter_map(|item| {
                let o = item.as_object()?;
                let name = o.get("name").or_else(|| o.get("param")).and_then(text)?;
                Some((name, size_of(item)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_bodies_stay_bare() {
        let body = br#"{"error_response":{"code":25,"msg":"Invalid signature"}}"#;
        assert_eq!(Evidence::from_saved_file(body).unwrap().body, body.to_vec());
        assert_eq!(Evidence::from_saved_file(b"junk").unwrap().body, b"junk");
    }

    #[test]
    fn reads_a_saved_file() {
        let file = br#"{"saved_at":"2026-01-02T03:04:05+08:00","url":"http://h/router/rest",
            "method":"POST","api":"taobao.item.get","requested_format":"json","status":200,
            "params":{"num_iid":"1","v":"2.0"},"files":[{"name":"image","size":2048}],
            "headers":[["Content-Type","text/xml"]],"body_base64":"PGE+"}"#;
        let e = Evidence::from_saved_file(file).unwrap();
        assert_eq!(e.body, b"<a>");
        assert_eq!(e.method.as_deref(), Some("taobao.item.get"));
        assert_eq!(e.requested_format, Some(Format::Json));
        assert_eq!(e.http_status, Some(200));
        assert_eq!(e.params.len(), 2);
        assert_eq!(e.files, vec![("image".to_string(), 2048)]);
        assert_eq!(e.header("content-type"), Some("text/xml"));
        assert_eq!(e.saved_at_ms(), Some(1_767_294_245_000));
    }

    #[test]
    fn transport_errors_and_bad_base64() {
        let e = Evidence::from_saved_file(br#"{"url":"http://h","error":"connection refused"}"#)
            .unwrap();
        assert_eq!(e.transport_error.as_deref(), Some("connection refused"));
        assert!(Evidence::from_saved_file(br#"{"status":200,"body_base64":"!!"}"#).is_err());
    }
}
