//! Any body a client may receive, back into types.
//!
//! [`parse`] first says what the body really is ([`BodyFormat`]: JSON, XML, HTML, empty,
//! other), then which form of the protocol it follows ([`Form`]) and whether it is a success or
//! an error. Unknown codes and sub codes are kept as they are. Anything that is not a TOP
//! response gives a [`ParseError`] with the format and a byte position, never a panic.

mod json;
mod xml;

use crate::render::ErrorBody;
use crate::value::Value;

/// What a body really is, whatever was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyFormat {
    Json,
    Xml,
    Html,
    Empty,
    Other,
}

impl BodyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFormat::Json => "json",
            BodyFormat::Xml => "xml",
            BodyFormat::Html => "html",
            BodyFormat::Empty => "empty",
            BodyFormat::Other => "other",
        }
    }
}

/// Which form of the protocol a body follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// `{"item_get_response":{..}}` / `{"error_response":{..}}`
    V2,
    /// `{"rsp":{..}}` / `{"error_rsp":{..}}`
    V1,
    /// `simplify=true`: no wrapper key.
    Simplified,
    /// An error body without its wrapper key (`{"code":27,"msg":..}`), as people paste them.
    Unwrapped,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Form::V2 => "v2",
            Form::V1 => "v1",
            Form::Simplified => "simplified",
            Form::Unwrapped => "unwrapped",
        }
    }
}

/// A success body.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SuccessBody {
    /// `item_get_response`; `rsp` for v1; none when simplified.
    pub response_key: Option<String>,
    /// The payload's fields, without `request_id`.
    pub fields: Vec<(String, Value)>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Success(SuccessBody),
    Error(ErrorBody),
}

/// A parsed TOP response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub format: BodyFormat,
    pub form: Form,
    pub outcome: Outcome,
}

impl Response {
    pub fn request_id(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Success(s) => s.request_id.as_deref(),
            Outcome::Error(e) => e.request_id.as_deref(),
        }
    }

    pub fn error(&self) -> Option<&ErrorBody> {
        match &self.outcome {
            Outcome::Error(e) => Some(e),
            Outcome::Success(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Nothing but white space.
    Empty,
    /// An HTML page (a proxy's or web server's error page) or text that is neither JSON nor XML.
    NotTop,
    /// Malformed or cut short.
    Syntax,
    /// Not UTF-8.
    Encoding,
    /// Well-formed, but not shaped like a TOP response (an array, several wrapper keys, no code).
    Shape,
}

/// Why a body is not a TOP response, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} body: {message} (at byte {offset})", format.as_str())]
pub struct ParseError {
    pub format: BodyFormat,
    pub kind: ParseErrorKind,
    /// Byte offset in the body where the problem was found.
    pub offset: usize,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(
        format: BodyFormat,
        kind: ParseErrorKind,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        ParseError {
            format,
            kind,
            offset,
            message: message.into(),
        }
    }
}

/// Says what a body is without parsing it fully: leading white space and a UTF-8 BOM are skipped.
pub fn sniff(body: &[u8]) -> BodyFormat {
    let trimmed = trim_start(body);
    match trimmed.first() {
        None => BodyFormat::Empty,
        Some(b'{') | Some(b'[') => BodyFormat::Json,
        Some(b'<') => {
            let head = &trimmed[..trimmed.len().min(1024)];
            let head = head.to_ascii_lowercase();
            if contains(&head, b"<!doctype html") || contains(&head, b"<html") {
                BodyFormat::Html
            } else {
                BodyFormat::Xml
            }
        }
        Some(_) => BodyFormat::Other,
    }
}

/// Parses a body into a TOP response.
pub fn parse(body: &[u8]) -> Result<Response, ParseError> {
    let start = body.len() - trim_start(body).len();
    let format = sniff(body);
    let text = || {
        std::str::from_utf8(body).map_err(|e| {
            ParseError::new(
                format,
                ParseErrorKind::Encoding,
                e.valid_up_to(),
                "not valid UTF-8",
            )
        })
    };
    match format {
        BodyFormat::Empty => Err(ParseError::new(
            format,
            ParseErrorKind::Empty,
            0,
            "empty body",
        )),
        BodyFormat::Html => Err(ParseError::new(
            format,
            ParseErrorKind::NotTop,
            start,
            "an HTML page, not a TOP response",
        )),
        BodyFormat::Other => Err(ParseError::new(
            format,
            ParseErrorKind::NotTop,
            start,
            "neither JSON nor XML",
        )),
        BodyFormat::Json => json::parse(text()?),
        BodyFormat::Xml => xml::parse(text()?),
    }
}

fn trim_start(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let n = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    &body[n..]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Reads an error code written as a number or as a string of digits.
pub(crate) fn code_from_text(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}
