//! The contract between the gateway and a business backend (`docs/backend-protocol.md`).
//!
//! In process, a backend receives a [`BackendRequest`] and answers a payload tree or a
//! [`BusinessError`]. Over HTTP the same request travels as JSON and the answer comes back as
//! `{"result":{...}}` or `{"error":{"sub_code":"isv.x","sub_msg":"..."}}` ([`WireRequest`],
//! [`encode_reply`], [`decode_reply`]).

mod wire;

use serde::{Deserialize, Serialize};

use crate::value::Value;

pub use wire::{
    decode_reply, encode_reply, WireError, WireFile, WireRequest, METHOD_HEADER, REQUEST_ID_HEADER,
};

/// The user a session belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendUser {
    pub id: i64,
    pub nick: String,
}

/// A file parameter as a backend sees it. Over HTTP `data` is base64 (standard alphabet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendFile {
    pub name: String,
    pub filename: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip)]
    pub data: bytes::Bytes,
}

/// One business call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRequest {
    /// The API name, e.g. `taobao.item.get`.
    pub method: String,
    /// Business parameters only (system parameters stay at the gateway), sorted by name.
    pub params: Vec<(String, String)>,
    #[serde(default)]
    pub files: Vec<BackendFile>,
    pub app_key: String,
    /// Present when the call carried a valid session.
    #[serde(default)]
    pub user: Option<BackendUser>,
    pub request_id: String,
}

impl BackendRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| self.params[i].1.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn file(&self, name: &str) -> Option<&BackendFile> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// A business error: the backend's own verdict on the call, with a sub code
/// (`isv.missing-parameter`, `isv.trade-not-exist`, or the backend's own `isv.<kebab-name>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{sub_code}: {sub_msg}")]
pub struct BusinessError {
    pub sub_code: String,
    pub sub_msg: String,
}

impl BusinessError {
    pub fn new(sub_code: impl Into<String>, sub_msg: impl Into<String>) -> Self {
        BusinessError {
            sub_code: sub_code.into(),
            sub_msg: sub_msg.into(),
        }
    }
}

/// What a backend answers: the payload's top-level fields, or a business error.
pub type BackendResult = Result<Vec<(String, Value)>, BusinessError>;
