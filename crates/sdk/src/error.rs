//! What can go wrong with a call, told apart the way PROTOCOL.md section 5 reads an error.

use std::fmt;

use bytes::Bytes;
use topgate_protocol::errors::{
    classify, legacy, parse_ban_seconds, read_sub_code, ErrorClass, Lang, PlatformError, SubFamily,
};
use topgate_protocol::parse::{BodyFormat, ParseError, Response};
use topgate_protocol::{ErrorBody, Format};

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No TOP answer: the connection failed or timed out, or the HTTP status was not 200 (a
    /// TOP server answers every platform and business error with 200).
    #[error("{}", transport_message(*.kind, *.status, .message))]
    Transport {
        kind: TransportKind,
        /// The HTTP status, when one arrived.
        status: Option<u16>,
        /// The body that came with a non-200 status.
        body: Option<Bytes>,
        message: String,
    },
    /// Asked for one format, got another (XML for JSON, JSON for XML, or an HTML page). The
    /// body is parsed in the format it really is (`parsed`), for the seed's decision tree
    /// (ERRORS.md section 4).
    #[error("format mismatch: asked for {} and got {}", requested.as_str(), actual.as_str())]
    FormatMismatch {
        requested: Format,
        actual: BodyFormat,
        parsed: Option<Box<Response>>,
        body: Bytes,
    },
    /// The server answered a TOP error.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// HTTP 200 in the requested format, but not a TOP response.
    #[error("not a TOP response: {error}")]
    Parse { error: ParseError, body: Bytes },
    /// The call could not be built: a bad URL, conflicting parameters, a bad setting.
    #[error("invalid request: {message}")]
    Usage { message: String },
}

fn transport_message(kind: TransportKind, status: Option<u16>, message: &str) -> String {
    match status {
        Some(s) => format!("HTTP status {s}: {message}"),
        None => format!("{}: {message}", kind.as_str()),
    }
}

/// The kind of a transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// The connection could not be made (refused, DNS, unreachable).
    Connect,
    /// No complete answer within the timeout.
    Timeout,
    /// An HTTP status other than 200.
    Status,
    /// Anything else (the connection dropped mid-answer, a malformed HTTP response).
    Other,
}

impl TransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Connect => "connection failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Status => "HTTP status",
            TransportKind::Other => "transport error",
        }
    }
}

impl Error {
    /// The class of PROTOCOL.md section 5 (`None` for [`Error::Parse`] and [`Error::Usage`]).
    pub fn class(&self) -> Option<ErrorClass> {
        match self {
            Error::Transport { .. } => Some(ErrorClass::Connection),
            Error::FormatMismatch { .. } => Some(ErrorClass::FormatMismatch),
            Error::Api(e) => Some(e.class),
            Error::Parse { .. } | Error::Usage { .. } => None,
        }
    }

    /// The TOP error, when the server answered one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The response body, when one arrived.
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Transport { body, .. } => body.as_ref(),
            Error::FormatMismatch { body, .. } | Error::Parse { body, .. } => Some(body),
            Error::Api(e) => Some(&e.body),
            Error::Usage { .. } => None,
        }
    }
}

/// A TOP error answer, with the catalog's reading of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: i64,
    pub msg: String,
    pub sub_code: Option<String>,
    pub sub_msg: Option<String>,
    pub request_id: Option<String>,
    /// PROTOCOL.md section 5, from [`classify`].
    pub class: ErrorClass,
    /// Whether the same request may succeed later, unchanged (the catalog's word for the sub
    /// code, else for the platform code; an unknown `isp.*` sub code is retryable).
    pub retryable: bool,
    /// How long the server asked to wait: the ban sentence of a flow-control `sub_msg`
    /// ("This ban will last for N more seconds"), else a `Retry-After` header in seconds.
    pub wait_seconds: Option<u64>,
    /// The `args` echo, when the server sent one.
    pub args: Vec<(String, String)>,
    /// The raw body.
    pub body: Bytes,
}

impl ApiError {
    /// Reads an error body with the catalog. `retry_after` is the `Retry-After` header.
    pub fn from_body(error: ErrorBody, retry_after: Option<u64>, body: Bytes) -> ApiError {
        let sub_code = error.sub_code.as_deref();
        let sub_msg = error.sub_msg.as_deref();
        let class = classify(error.code, sub_code, sub_msg);
        let retryable = retryable(error.code, sub_code, class);
        let wait_seconds = sub_msg
            .and_then(parse_ban_seconds)
            .or_else(|| parse_ban_seconds(&error.msg))
            .or(retry_after);
        ApiError {
            code: error.code,
            msg: error.msg,
            sub_code: error.sub_code,
            sub_msg: error.sub_msg,
            request_id: error.request_id,
            class,
            retryable,
            wait_seconds,
            args: error.args,
            body,
        }
    }

    /// The catalog's remedy: for the sub code when the catalog knows it, else for the code
    /// (platform, then legacy v1). `None` when the catalog knows neither.
    pub fn remedy(&self, lang: Lang) -> Option<&'static str> {
        let sub = self.sub_code.as_deref().map(read_sub_code);
        if let Some(known) = sub.as_ref().and_then(|s| s.known) {
            return Some(known.spec().remedy.get(lang));
        }
        if let Some(p) = PlatformError::from_code(self.code) {
            return Some(p.spec().remedy.get(lang));
        }
        legacy(self.code).map(|l| l.remedy.get(lang))
    }
}

fn retryable(code: i64, sub_code: Option<&str>, class: ErrorClass) -> bool {
    let sub = sub_code.map(read_sub_code);
    if let Some(known) = sub.as_ref().and_then(|s| s.known) {
        return known.spec().retryable;
    }
    match sub.as_ref().map(|s| s.family) {
        Some(SubFamily::Isp) | Some(SubFamily::AccessControl) => return true,
        _ => {}
    }
    if class == ErrorClass::FlowControl {
        return true;
    }
    PlatformError::from_code(code).is_some_and(|p| p.spec().retryable)
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TOP error {} ({})", self.code, self.msg)?;
        if let Some(sc) = &self.sub_code {
            write!(f, ", sub_code {sc}")?;
        }
        if let Some(sm) = &self.sub_msg {
            write!(f, ": {sm}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request_id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64, sub_code: Option<&str>, sub_msg: Option<&str>) -> ApiError {
        let body = ErrorBody {
            code,
            msg: "m".into(),
            sub_code: sub_code.map(Into::into),
            sub_msg: sub_msg.map(Into::into),
            ..ErrorBody::default()
        };
        ApiError::from_body(body, None, Bytes::new())
    }

    #[test]
    fn reads_the_catalog() {
        let e = api(25, None, None);
        assert_eq!((e.class, e.retryable), (ErrorClass::Platform, false));
        assert!(e.remedy(Lang::En).unwrap().contains("signature"));
        let e = api(10, None, None);
        assert_eq!((e.class, e.retryable), (ErrorClass::Platform, true));
        let e = api(530, Some("isv.missing-parameter"), Some("x"));
        assert_eq!((e.class, e.retryable), (ErrorClass::IsvBusiness, false));
        let e = api(530, Some("isp.something-new"), None);
        assert_eq!((e.class, e.retryable), (ErrorClass::Provider, true));
        let e = api(
            7,
            Some("accesscontrol.limited-by-app-access-count"),
            Some("This ban will last for 2 more seconds"),
        );
        assert_eq!(e.class, ErrorClass::FlowControl);
        assert!(e.retryable);
        assert_eq!(e.wait_seconds, Some(2));
    }

    #[test]
    fn error_is_small() {
        assert!(std::mem::size_of::<Error>() <= 128);
    }
}
