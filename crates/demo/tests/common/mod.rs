//! Helpers shared by the demo backend's tests.
#![allow(dead_code)]

use topgate_demo::DemoService;
use topgate_protocol::backend::{BackendFile, BackendRequest, BackendUser, BusinessError};
use topgate_protocol::Value;

pub fn svc() -> DemoService {
    DemoService::open_in_memory().expect("in-memory demo service")
}

/// A request as the gateway builds it: params sorted, the session's user when `nick` is given.
pub fn req(method: &str, params: &[(&str, &str)], nick: Option<&str>) -> BackendRequest {
    let mut params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    params.sort();
    BackendRequest {
        method: method.into(),
        params,
        files: vec![],
        app_key: topgate_demo::fixtures::APP_KEY.into(),
        user: nick.map(|n| BackendUser {
            id: 1,
            nick: n.into(),
        }),
        request_id: "test-request".into(),
    }
}

/// `req` as tbtest561, the demo session's user.
pub fn as_561(method: &str, params: &[(&str, &str)]) -> BackendRequest {
    req(method, params, Some("tbtest561"))
}

pub fn with_file(mut r: BackendRequest, name: &str, data: &[u8]) -> BackendRequest {
    r.files.push(BackendFile {
        name: name.into(),
        filename: "a.png".into(),
        content_type: Some("image/png".into()),
        data: bytes::Bytes::copy_from_slice(data),
    });
    r
}

pub fn ok(svc: &DemoService, r: &BackendRequest) -> Value {
    match svc.call(r) {
        Ok(fields) => Value::Object(fields),
        Err(e) => panic!("{} failed: {e}", r.method),
    }
}

pub fn err(svc: &DemoService, r: &BackendRequest) -> BusinessError {
    match svc.call(r) {
        Ok(v) => panic!("{} succeeded: {v:?}", r.method),
        Err(e) => e,
    }
}

pub fn assert_err(svc: &DemoService, r: &BackendRequest, sub_code: &str, sub_msg: &str) {
    let e = err(svc, r);
    assert_eq!(
        (e.sub_code.as_str(), e.sub_msg.as_str()),
        (sub_code, sub_msg),
        "{} {:?}",
        r.method,
        r.params
    );
}

pub fn get<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, name| {
        v.get(name)
            .unwrap_or_else(|| panic!("no field {name} in {v:?}"))
    })
}

pub fn text(v: &Value, path: &str) -> String {
    get(v, path).as_text().expect("a scalar")
}

/// The items of a wrapped list, checking the item name.
pub fn items<'a>(v: &'a Value, item_name: &str) -> &'a [Value] {
    match v {
        Value::List { item, items } => {
            assert_eq!(item, item_name);
            items
        }
        other => panic!("not a list: {other:?}"),
    }
}

pub fn keys(v: &Value) -> Vec<&str> {
    match v {
        Value::Object(fields) => fields.iter().map(|(k, _)| k.as_str()).collect(),
        other => panic!("not an object: {other:?}"),
    }
}

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
pub const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
pub const GIF: &[u8] = b"GIF89a\x01\0\x01\0";
