//! Reading an HTTP answer: status, then the body's real format, then the TOP response.

use std::borrow::Cow;
use std::path::PathBuf;

use bytes::Bytes;
use http::HeaderMap;
use topgate_protocol::parse::{self, BodyFormat, Outcome, Response};
use topgate_protocol::{Format, Value};

use crate::error::{ApiError, Error, TransportKind};

/// The response header a request id is also read from when the body carries none.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// A successful call.
#[derive(Debug, Clone)]
pub struct Success {
    /// The parsed body (its outcome is always [`Outcome::Success`]).
    pub response: Response,
    pub status: u16,
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
    /// How many attempts the call took (1 without retries).
    pub attempts: u32,
    /// Where the response was saved, when the client saves responses.
    pub saved_to: Option<PathBuf>,
}

impl Success {
    /// The `request_id` of the body, else of the `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.response
            .request_id()
            .or_else(|| header_str(&self.headers, REQUEST_ID_HEADER))
    }

    /// `item_get_response` (v2), `rsp` (v1), `None` when simplified.
    pub fn response_key(&self) -> Option<&str> {
        match &self.response.outcome {
            Outcome::Success(s) => s.response_key.as_deref(),
            Outcome::Error(_) => None,
        }
    }

    /// The payload's top-level fields, without `request_id`.
    pub fn fields(&self) -> &[(String, Value)] {
        match &self.response.outcome {
            Outcome::Success(s) => &s.fields,
            Outcome::Error(_) => &[],
        }
    }

    /// A value by dotted path from the payload's top level: `item.title`. A list is indexed
    /// by number (`items.0.title`); its item name may be written or left out
    /// (`items.item.0.title` is the same value), so one path reads v2 and simplified bodies.
    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut segments = path.split('.').filter(|s| !s.is_empty());
        let first = segments.next()?;
        let mut current = self
            .fields()
            .iter()
            .find(|(k, _)| k == first)
            .map(|(_, v)| v)?;
        for seg in segments {
            current = step(current, seg)?;
        }
        Some(current)
    }

    /// The text of a scalar by path (numbers and booleans as written).
    pub fn text(&self, path: &str) -> Option<String> {
        self.get(path).and_then(Value::as_text)
    }

    /// The body as text (lossy for bytes that are not UTF-8).
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// One step of a path: a field of an object; in a list, an index, or the item name (no-op).
fn step<'a>(value: &'a Value, seg: &str) -> Option<&'a Value> {
    match value {
        Value::Object(_) => value.get(seg),
        Value::List { item, items } => {
            if seg == item {
                Some(value)
            } else {
                seg.parse::<usize>().ok().and_then(|i| items.get(i))
            }
        }
        _ => None,
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The `Retry-After` header in seconds (the delay form; an HTTP date is ignored).
pub fn retry_after(headers: &HeaderMap) -> Option<u64> {
    header_str(headers, "retry-after").and_then(|v| v.trim().parse().ok())
}

/// Reads an answer as the SDK does: a status other than 200 is a transport failure; a body in
/// another format than `requested` (or an HTML page) is a format mismatch, parsed in the format
/// it really is; a TOP error body is [`Error::Api`]; anything else that is not a TOP response is
/// [`Error::Parse`].
pub fn interpret(
    requested: Format,
    status: u16,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Success, Error> {
    if status != 200 {
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("unexpected status");
        return Err(Error::Transport {
            kind: TransportKind::Status,
            status: Some(status),
            body: Some(body),
            message: reason.to_string(),
        });
    }
    let actual = parse::sniff(&body);
    let matches = matches!(
        (requested, actual),
        (Format::Json, BodyFormat::Json) | (Format::Xml, BodyFormat::Xml)
    );
    if !matches
        && matches!(
            actual,
            BodyFormat::Json | BodyFormat::Xml | BodyFormat::Html
        )
    {
        let parsed = parse::parse(&body).ok().map(Box::new);
        return Err(Error::FormatMismatch {
            requested,
            actual,
            parsed,
            body,
        });
    }
    let response = match parse::parse(&body) {
        Ok(r) => r,
        Err(error) => return Err(Error::Parse { error, body }),
    };
    match response.outcome {
        Outcome::Error(mut e) => {
            if e.request_id.is_none() {
                e.request_id = header_str(&headers, REQUEST_ID_HEADER).map(str::to_string);
            }
            let wait = retry_after(&headers);
            Err(Error::Api(Box::new(ApiError::from_body(e, wait, body))))
        }
        Outcome::Success(_) => Ok(Success {
            response,
            status,
            headers,
            body,
            attempts: 1,
            saved_to: None,
        }),
    }
}
