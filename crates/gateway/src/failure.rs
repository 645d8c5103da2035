//! Why a call failed, and the one place where a failure becomes a response body.
//!
//! Every check of the pipeline answers a [`Failure`]. The TOP error it is sent as comes from the
//! error catalog (`topgate_protocol::errors`), never from text spelled here; the server-side
//! explanation ([`Failure::why`]) goes to the log and the archive, never to the client.

use topgate_protocol::errors::{
    legacy_for, legacy_msg, PlatformError, ProductLine, SubCode, REMOTE_SERVICE_ERROR,
    REMOTE_SERVICE_TIMEOUT,
};
use topgate_protocol::render::{ErrorBody, ResponseForm, Version};

/// The check that failed, named for the archive and metrics.
pub type Check = &'static str;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A platform error (code < 100).
    Platform {
        error: PlatformError,
        /// Appended to the wire message where the catalog says so (`Missing required arguments:iid`).
        detail: Option<String>,
        /// `sub_code`/`sub_msg` where the protocol sends them (flow control, sessions).
        sub: Option<(String, String)>,
        check: Check,
        /// What the server saw: for the log, the archive and `diagnose --request-id`.
        why: String,
        /// For flow control: seconds until the ban ends (the `Retry-After` header).
        retry_after: Option<u64>,
    },
    /// A business error of the API's product line.
    Business {
        line: ProductLine,
        sub_code: String,
        sub_msg: String,
        /// `Remote service timeout` instead of `Remote service error`.
        timeout: bool,
        check: Check,
        why: String,
    },
}

impl Failure {
    pub fn platform(error: PlatformError, check: Check, why: impl Into<String>) -> Failure {
        Failure::Platform {
            error,
            detail: None,
            sub: None,
            check,
            why: why.into(),
            retry_after: None,
        }
    }

    /// Platform error whose wire message carries a detail (`Invalid arguments:num_iid`).
    pub fn with_detail(mut self, value: impl Into<String>) -> Failure {
        if let Failure::Platform { detail, .. } = &mut self {
            *detail = Some(value.into());
        }
        self
    }

    /// Platform error with one of the catalog's sub codes, and the sub_msg the catalog gives it.
    pub fn with_catalog_sub(mut self, code: SubCode) -> Failure {
        if let Failure::Platform { sub, .. } = &mut self {
            let msg = code.wire_sub_msg().unwrap_or_default();
            *sub = Some((code.as_string(), msg.to_owned()));
        }
        self
    }

    pub fn business(
        line: ProductLine,
        sub_code: impl Into<String>,
        sub_msg: impl Into<String>,
        check: Check,
        why: impl Into<String>,
    ) -> Failure {
        Failure::Business {
            line,
            sub_code: sub_code.into(),
            sub_msg: sub_msg.into(),
            timeout: false,
            check,
            why: why.into(),
        }
    }

    /// A fault of the gateway itself: code 10, logged, never a stack trace.
    pub fn internal(why: impl Into<String>) -> Failure {
        Failure::platform(PlatformError::ServiceCurrentlyUnavailable, "gateway", why)
    }

    pub fn check(&self) -> Check {
        match self {
            Failure::Platform { check, .. } | Failure::Business { check, .. } => check,
        }
    }

    pub fn why(&self) -> &str {
        match self {
            Failure::Platform { why, .. } | Failure::Business { why, .. } => why,
        }
    }

    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Failure::Platform { retry_after, .. } => *retry_after,
            Failure::Business { .. } => None,
        }
    }

    /// The `code` the client receives in this form.
    pub fn sub_code(&self) -> Option<&str> {
        match self {
            Failure::Platform { sub, .. } => sub.as_ref().map(|(c, _)| c.as_str()),
            Failure::Business { sub_code, .. } => Some(sub_code),
        }
    }

    /// The error body in the requested form. v1 has no sub codes: business errors take the
    /// product line's legacy code and message, with the sub message after a colon.
    pub fn to_body(
        &self,
        form: ResponseForm,
        args: Vec<(String, String)>,
        request_id: &str,
    ) -> ErrorBody {
        let request_id = Some(request_id.to_owned());
        let v1 = form.version == Version::V1;
        match self {
            Failure::Platform {
                error, detail, sub, ..
            } => {
                let (sub_code, sub_msg) = match sub {
                    Some((c, m)) if !v1 => (Some(c.clone()), Some(m.clone())),
                    _ => (None, None),
                };
                ErrorBody {
                    code: i64::from(error.code()),
                    msg: error.wire_msg(detail.as_deref()).into_owned(),
                    sub_code,
                    sub_msg,
                    args,
                    request_id,
                }
            }
            Failure::Business {
                line,
                sub_code,
                sub_msg,
                timeout,
                ..
            } => {
                if v1 {
                    let legacy = legacy_for(*line, sub_code);
                    ErrorBody {
                        code: i64::from(legacy.code),
                        msg: legacy_msg(legacy, sub_msg),
                        args,
                        request_id,
                        ..ErrorBody::default()
                    }
                } else {
                    ErrorBody {
                        code: i64::from(line.code()),
                        msg: if *timeout {
                            REMOTE_SERVICE_TIMEOUT
                        } else {
                            REMOTE_SERVICE_ERROR
                        }
                        .to_owned(),
                        sub_code: Some(sub_code.clone()),
                        sub_msg: Some(sub_msg.clone()),
                        args,
                        request_id,
                    }
                }
            }
        }
    }
}
