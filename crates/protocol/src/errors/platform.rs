//! Platform errors: `code` < 100, answered by the access layer before any business service runs
//! (ERRORS.md section 1, seed section 四).
//!
//! Decisions taken where the sources leave room:
//!
//! - **fault**: [`Fault::Caller`] for everything about the request envelope and the parameters
//!   (9, 11, 13, 15, 21-34, 40, 41, 43, 47), [`Fault::User`] for 12 (the user has not authorised
//!   the app), [`Fault::Platform`] for quota and policy (4-8, 42) and for the platform's own
//!   faults (10, 44).
//! - Code 3 (upload failed) is [`Fault::Caller`], not [`Fault::Network`]: topgate answers 3 when a
//!   file part is over the parameter's size bound or is not a readable image, which the caller
//!   fixes by sending a smaller or well-formed file. A poor network is the seed's second-line
//!   explanation and is named in the remedy, but a client cannot tell it apart from the answer.
//! - **retryable** (the same request may succeed later, unchanged): 4-8 once the ban is over,
//!   10 and 44 (platform faults), 15 (the backend failed; the seed says to retry after a while).
//! - **class**: 4-8 flow control; 15, 40, 41 ISV business (the caller's parameters); the rest
//!   platform (PROTOCOL.md section 5).

mod access;
mod envelope;

use std::borrow::Cow;

use super::{ErrorClass, Fault, Text};

/// A platform error code (< 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlatformError {
    UploadFail,
    UserCallLimited,
    SessionCallLimited,
    PartnerCallLimited,
    AppCallLimited,
    AppCallExceedsLimitedFrequency,
    HttpActionNotAllowed,
    ServiceCurrentlyUnavailable,
    InsufficientIsvPermissions,
    InsufficientUserPermissions,
    InsufficientPartnerPermissions,
    RemoteServiceError,
    MissingMethod,
    InvalidMethod,
    InvalidFormat,
    MissingSignature,
    InvalidSignature,
    MissingSession,
    InvalidSession,
    MissingAppKey,
    InvalidAppKey,
    MissingTimestamp,
    InvalidTimestamp,
    MissingVersion,
    InvalidVersion,
    UnsupportedVersion,
    MissingRequiredArguments,
    InvalidArguments,
    ForbiddenRequest,
    ParameterError,
    IspError,
    InvalidEncoding,
}

/// Everything the catalog knows about one platform error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformSpec {
    pub code: u32,
    /// The `msg` as the server sends it, without any `:detail`.
    pub wire_msg: &'static str,
    pub meaning: Text,
    pub remedy: Text,
    pub fault: Fault,
    /// Whether the same request may succeed later, unchanged.
    pub retryable: bool,
    pub class: ErrorClass,
    /// Whether the wire `msg` carries `:<name>` (the offending parameter): codes 40 and 41.
    pub takes_detail: bool,
}

impl PlatformError {
    /// Every platform error, in code order.
    pub const ALL: &'static [PlatformError] = &[
        PlatformError::UploadFail,
        PlatformError::UserCallLimited,
        PlatformError::SessionCallLimited,
        PlatformError::PartnerCallLimited,
        PlatformError::AppCallLimited,
        PlatformError::AppCallExceedsLimitedFrequency,
        PlatformError::HttpActionNotAllowed,
        PlatformError::ServiceCurrentlyUnavailable,
        PlatformError::InsufficientIsvPermissions,
        PlatformError::InsufficientUserPermissions,
        PlatformError::InsufficientPartnerPermissions,
        PlatformError::RemoteServiceError,
        PlatformError::MissingMethod,
        PlatformError::InvalidMethod,
        PlatformError::InvalidFormat,
        PlatformError::MissingSignature,
        PlatformError::InvalidSignature,
        PlatformError::MissingSession,
        PlatformError::InvalidSession,
        PlatformError::MissingAppKey,
        PlatformError::InvalidAppKey,
        PlatformError::MissingTimestamp,
        PlatformError::InvalidTimestamp,
        PlatformError::MissingVersion,
        PlatformError::InvalidVersion,
        PlatformError::UnsupportedVersion,
        PlatformError::MissingRequiredArguments,
        PlatformError::InvalidArguments,
        PlatformError::ForbiddenRequest,
        PlatformError::ParameterError,
        PlatformError::IspError,
        PlatformError::InvalidEncoding,
    ];

    /// The numeric `code` on the wire.
    pub fn code(self) -> u32 {
        self.spec().code
    }

    /// The catalog entry. An exhaustive match: a new variant does not compile without one.
    pub fn spec(self) -> &'static PlatformSpec {
        use PlatformError::*;
        match self {
            UploadFail => &access::UPLOAD_FAIL,
            UserCallLimited => &access::USER_CALL_LIMITED,
            SessionCallLimited => &access::SESSION_CALL_LIMITED,
            PartnerCallLimited => &access::PARTNER_CALL_LIMITED,
            AppCallLimited => &access::APP_CALL_LIMITED,
            AppCallExceedsLimitedFrequency => &access::APP_CALL_EXCEEDS_LIMITED_FREQUENCY,
            HttpActionNotAllowed => &access::HTTP_ACTION_NOT_ALLOWED,
            ServiceCurrentlyUnavailable => &access::SERVICE_CURRENTLY_UNAVAILABLE,
            InsufficientIsvPermissions => &access::INSUFFICIENT_ISV_PERMISSIONS,
            InsufficientUserPermissions => &access::INSUFFICIENT_USER_PERMISSIONS,
            InsufficientPartnerPermissions => &access::INSUFFICIENT_PARTNER_PERMISSIONS,
            RemoteServiceError => &access::REMOTE_SERVICE_ERROR,
            MissingMethod => &envelope::MISSING_METHOD,
            InvalidMethod => &envelope::INVALID_METHOD,
            InvalidFormat => &envelope::INVALID_FORMAT,
            MissingSignature => &envelope::MISSING_SIGNATURE,
            InvalidSignature => &envelope::INVALID_SIGNATURE,
            MissingSession => &envelope::MISSING_SESSION,
            InvalidSession => &envelope::INVALID_SESSION,
            MissingAppKey => &envelope::MISSING_APP_KEY,
            InvalidAppKey => &envelope::INVALID_APP_KEY,
            MissingTimestamp => &envelope::MISSING_TIMESTAMP,
            InvalidTimestamp => &envelope::INVALID_TIMESTAMP,
            MissingVersion => &envelope::MISSING_VERSION,
            InvalidVersion => &envelope::INVALID_VERSION,
            UnsupportedVersion => &envelope::UNSUPPORTED_VERSION,
            MissingRequiredArguments => &envelope::MISSING_REQUIRED_ARGUMENTS,
            InvalidArguments => &envelope::INVALID_ARGUMENTS,
            ForbiddenRequest => &envelope::FORBIDDEN_REQUEST,
            ParameterError => &envelope::PARAMETER_ERROR,
            IspError => &envelope::ISP_ERROR,
            InvalidEncoding => &envelope::INVALID_ENCODING,
        }
    }

    /// The platform error with this wire code, if the catalog has one.
    pub fn from_code(code: i64) -> Option<PlatformError> {
        PlatformError::ALL
            .iter()
            .copied()
            .find(|e| i64::from(e.code()) == code)
    }

    /// The wire `msg`: the wire message, plus ":detail" when given (e.g.
    /// "Missing required arguments:iid"; "Invalid arguments:num_iid"). An empty detail adds
    /// nothing.
    pub fn wire_msg(self, detail: Option<&str>) -> Cow<'static, str> {
        let msg = self.spec().wire_msg;
        match detail {
            Some(d) if !d.is_empty() => Cow::Owned(format!("{msg}:{d}")),
            _ => Cow::Borrowed(msg),
        }
    }
}
