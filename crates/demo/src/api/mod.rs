//! The APIs, one module per product line. Each handler validates its parameters, reads the
//! in-memory data and answers the payload's top-level fields or a business error.

pub mod items;
pub mod trades;
pub mod upload;
pub mod users;

use topgate_protocol::backend::BackendResult;
use topgate_protocol::time::format_gmt8;
use topgate_protocol::Value;

/// The system clock, in epoch milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `taobao.time.get`: the server's time, GMT+8.
pub fn time_get() -> BackendResult {
    Ok(vec![("time".into(), Value::str(format_gmt8(now_ms())))])
}

/// At most 64 characters of a caller's value, for a `sub_msg` that names it.
pub fn shorten(value: &str) -> String {
    match value.char_indices().nth(64) {
        Some((at, _)) => format!("{}...", &value[..at]),
        None => value.to_owned(),
    }
}
