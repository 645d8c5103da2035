//! The backend contract over HTTP (`docs/backend-protocol.md`): the JSON the gateway POSTs, and
//! the JSON a backend answers.
//!
//! Request: `{"method", "params":{name:value}, "files":[{"name","filename","content_type",
//! "data_base64"}], "app_key", "user":{"id","nick"}|null, "request_id"}`.
//! Answer: `{"result":{...}}` or `{"error":{"sub_code","sub_msg"}}`. Lists in a result may be
//! plain arrays (items named by the singular of the field) or already wrapped
//! (`"items":{"item":[...]}`); [`encode_reply`] writes them wrapped, so that a tree survives the
//! trip unchanged.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::{BackendFile, BackendRequest, BackendResult, BackendUser, BusinessError};
use crate::value::{JsonShape, Value};

/// Header carrying the request id (also in the body).
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";
/// Header carrying the API name (also in the body), for backends that route on headers.
pub const METHOD_HEADER: &str = "X-Top-Method";

/// The longest sub code a backend may answer.
const MAX_SUB_CODE: usize = 128;

/// One call as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRequest {
    pub method: String,
    /// Business parameters only, by name.
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub files: Vec<WireFile>,
    pub app_key: String,
    #[serde(default)]
    pub user: Option<BackendUser>,
    pub request_id: String,
}

/// A file parameter as JSON: the bytes in standard base64 (with padding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireFile {
    pub name: String,
    pub filename: String,
    #[serde(default)]
    pub content_type: Option<String>,
    pub data_base64: String,
}

/// Why a body is not what the protocol says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the JSON is not a backend answer: {0}")]
    Shape(String),
    #[error("file {0:?}: data_base64 is not base64: {1}")]
    Base64(String, String),
}

impl WireRequest {
    pub fn from_request(req: &BackendRequest) -> WireRequest {
        WireRequest {
            method: req.method.clone(),
            params: req.params.iter().cloned().collect(),
            files: req
                .files
                .iter()
                .map(|f| WireFile {
                    name: f.name.clone(),
                    filename: f.filename.clone(),
                    content_type: f.content_type.clone(),
                    data_base64: STANDARD.encode(&f.data),
                })
                .collect(),
            app_key: req.app_key.clone(),
            user: req.user.clone(),
            request_id: req.request_id.clone(),
        }
    }

    /// The in-process request (parameters sorted by name, files decoded).
    pub fn into_request(self) -> Result<BackendRequest, WireError> {
        let files = self
            .files
            .into_iter()
            .map(|f| {
                let data = STANDARD
                    .decode(f.data_base64.as_bytes())
                    .map_err(|e| WireError::Base64(f.name.clone(), e.to_string()))?;
                Ok(BackendFile {
                    name: f.name,
                    filename: f.filename,
                    content_type: f.content_type,
                    data: data.into(),
                })
            })
            .collect::<Result<_, WireError>>()?;
        Ok(BackendRequest {
            method: self.method,
            params: self.params.into_iter().collect(),
            files,
            app_key: self.app_key,
            user: self.user,
            request_id: self.request_id,
        })
    }
}

/// The answer body for a result: `{"result":{...}}` with wrapped lists, or `{"error":{...}}`.
pub fn encode_reply(result: &BackendResult) -> Vec<u8> {
    #[derive(Serialize)]
    struct Success<'a> {
        result: Fields<'a>,
    }
    #[derive(Serialize)]
    struct Failure<'a> {
        error: &'a BusinessError,
    }
    let encoded = match result {
        Ok(fields) => serde_json::to_vec(&Success {
            result: Fields(fields),
        }),
        Err(e) => serde_json::to_vec(&Failure { error: e }),
    };
    encoded.unwrap_or_else(|e| {
        serde_json::to_vec(&Failure {
            error: &BusinessError::new("isp.remote-service-error", e.to_string()),
        })
        .unwrap_or_default()
    })
}

struct Fields<'a>(&'a [(String, Value)]);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(
                k,
                &JsonShape {
                    value: v,
                    simplify: false,
                },
            )?;
        }
        map.end()
    }
}

/// Reads a backend's answer body. `Err` when it is not JSON or not one of the two documented
/// shapes; a `null` member counts as absent.
pub fn decode_reply(body: &[u8]) -> Result<BackendResult, WireError> {
    use serde_json::Value as J;
    let json: J = serde_json::from_slice(body).map_err(|e| WireError::NotJson(e.to_string()))?;
    let J::Object(mut top) = json else {
        return Err(shape("the answer is not a JSON object"));
    };
    let present = |v: Option<J>| v.filter(|v| !v.is_null());
    match (present(top.remove("result")), present(top.remove("error"))) {
        (Some(J::Object(fields)), None) => Ok(Ok(fields
            .iter()
            .map(|(k, v)| (k.clone(), Value::from_json(k, v)))
            .collect())),
        (Some(_), None) => Err(shape("`result` is not an object")),
        (None, Some(J::Object(error))) => {
            let sub_code = match error.get("sub_code") {
                Some(J::String(c)) if is_sub_code(c) => c.clone(),
                Some(J::String(c)) => {
                    return Err(shape(&format!(
                        "`error.sub_code` {c:?} is not a sub code (1-{MAX_SUB_CODE} printable ASCII characters, no spaces)"
                    )))
                }
                _ => return Err(shape("`error.sub_code` is missing or not a string")),
            };
            let Some(J::String(sub_msg)) = error.get("sub_msg") else {
                return Err(shape("`error.sub_msg` is missing or not a string"));
            };
            Ok(Err(BusinessError::new(sub_code, sub_msg.clone())))
        }
        (None, Some(_)) => Err(shape("`error` is not an object")),
        (Some(_), Some(_)) => Err(shape("it has both `result` and `error`")),
        (None, None) => Err(shape("it has neither `result` nor `error`")),
    }
}

fn shape(why: &str) -> WireError {
    WireError::Shape(why.to_owned())
}

fn is_sub_code(c: &str) -> bool {
    !c.is_empty() && c.len() <= MAX_SUB_CODE && c.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> BackendRequest {
        BackendRequest {
            method: "taobao.item.img.upload".into(),
            params: vec![
                ("num_iid".into(), "1".into()),
                ("position".into(), "".into()),
            ],
            files: vec![BackendFile {
                name: "image".into(),
                filename: "a.png".into(),
                content_type: Some("image/png".into()),
                data: bytes::Bytes::from_static(b"\x89PNG\0\xff"),
            }],
            app_key: "12345678".into(),
            user: Some(BackendUser {
                id: 7,
                nick: "tbtest561".into(),
            }),
            request_id: "r1".into(),
        }
    }

    #[test]
    fn a_request_survives_the_trip() {
        let json = serde_json::to_string(&WireRequest::from_request(&request())).unwrap();
        assert!(
            json.contains(r#""params":{"num_iid":"1","position":""}"#),
            "{json}"
        );
        assert!(json.contains(r#""data_base64":"iVBORwD/""#), "{json}");
        let back: WireRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back.into_request().unwrap(), request());
        let mut bad = WireRequest::from_request(&request());
        bad.files[0].data_base64 = "!!".into();
        assert!(matches!(bad.into_request(), Err(WireError::Base64(..))));
    }

    #[test]
    fn a_result_survives_the_trip() {
        let fields = vec![
            (
                "items".to_owned(),
                Value::list("item", vec![Value::object([("num_iid", Value::int(1))])]),
            ),
            ("empty".to_owned(), Value::list("trade", vec![])),
            ("total_results".to_owned(), Value::int(1)),
            (
                "user".to_owned(),
                Value::object([("nick", Value::str("a"))]),
            ),
        ];
        let body = encode_reply(&Ok(fields.clone()));
        assert_eq!(decode_reply(&body).unwrap(), Ok(fields));
        let error = BusinessError::new("isv.trade-not-exist", "交易不存在");
        let body = encode_reply(&Err(error.clone()));
        assert_eq!(decode_reply(&body).unwrap(), Err(error));
    }

    #[test]
    fn plain_arrays_are_named_by_the_singular() {
        let body = br#"{"result":{"trades":[{"tid":1}],"error":null}}"#;
        let Ok(Ok(fields)) = decode_reply(body) else {
            panic!()
        };
        assert_eq!(
            fields[0],
            (
                "trades".to_owned(),
                Value::list("trade", vec![Value::object([("tid", Value::int(1))])])
            )
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for body in [&b"<html>"[..], br#"{"result":{"a":"#, b""] {
            assert!(matches!(decode_reply(body), Err(WireError::NotJson(_))));
        }
        for body in [
            &br#"[1]"#[..],
            br#"{"ok":true}"#,
            br#"{"result":[1]}"#,
            br#"{"result":{},"error":{"sub_code":"isv.x","sub_msg":""}}"#,
            br#"{"error":"boom"}"#,
            br#"{"error":{"sub_msg":"x"}}"#,
            br#"{"error":{"sub_code":"has space","sub_msg":"x"}}"#,
            br#"{"error":{"sub_code":"isv.x"}}"#,
        ] {
            assert!(
                matches!(decode_reply(body), Err(WireError::Shape(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
