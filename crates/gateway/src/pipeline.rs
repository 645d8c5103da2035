//! What happens to a request, in order. Read [`Gateway::handle`] top to bottom.
//!
//! 1. HTTP method (9); body, multipart and encoding (43, 47, 9 for a file on GET)
//! 2. `method` present (21); `app_key` present (28), known (29), not blocked (42); `method` exists (22)
//! 3. `timestamp` (30, 31); `v` (32, 33, 34); `format` (23)
//! 4. `sign` present and valid (24, 25): nothing that costs a counter happens before this
//! 5. the app and its partner may call this API (11, 13); session present, valid, unexpired, this app's (26, 27);
//!    the user granted it (12)
//! 6. flow control: per-second limits (8), then daily quotas: app, app×API, API (7), user (4),
//!    session (5), partner (6); a refused call counts nowhere ([`crate::limits`])
//! 7. business parameters against the catalog (40, 41, 3; business rules as the product line's
//!    `isv.*` errors)
//! 8. the backend call; its failures mapped to the product line's code
//!
//! First failure wins. Every answer is HTTP 200 with the request id in the body and a header;
//! errors become bodies in one place ([`Failure::to_body`]).

// A `Failure` is the cold path and carries what the archive needs; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument;

use topgate_protocol::backend::{BackendFile, BackendRequest};
use topgate_protocol::errors::{PlatformError as P, SubCode};
use topgate_protocol::params::Params;
use topgate_protocol::render::{render_error, render_success, Format, ResponseForm, Version};
use topgate_protocol::sign::{self, EmptyValues, SignMethod};
use topgate_protocol::time;
use topgate_protocol::value::Value;

use crate::backend::{Answered, Backends};
use crate::catalog::{self, ApiSpec, LiveCatalog, ParamFailure, SessionNeed};
use crate::failure::Failure;
use crate::inbound::{self, DecodeFailure, Inbound};
use crate::limits::Limiter;
use crate::record::CallRecord;
use crate::registry::{AppEntry, LiveRegistry, SessionEntry, Snapshot};
use crate::request_id;

/// The server's clock: epoch milliseconds. Passed in so tests can set it.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    })
}

/// Gateway settings that shape answers.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Echo the request's parameters in error bodies (`args`).
    pub echo_args: bool,
    /// Log one line per call on the `topgate::access` target, at info.
    pub access_log: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            echo_args: true,
            access_log: true,
        }
    }
}

/// The gateway: everything a request needs, shared by all connections.
pub struct Gateway {
    pub registry: Arc<LiveRegistry>,
    pub catalog: Arc<LiveCatalog>,
    pub backends: Backends,
    pub clock: Clock,
    pub settings: Settings,
    /// Flow control (step 6).
    pub limiter: Limiter,
}

/// The answer to one call.
pub struct Reply {
    pub form: ResponseForm,
    pub body: Vec<u8>,
    pub request_id: String,
    /// Seconds until a ban ends (`Retry-After`).
    pub retry_after: Option<u64>,
    /// The record, its `params` empty: the archive echoes [`Reply::params`] only for the calls
    /// it keeps.
    pub record: CallRecord,
    /// The decoded parameters (none when the request could not be decoded).
    pub params: Option<Params>,
}

/// What a successful call produced.
struct Done {
    fields: Vec<(String, Value)>,
    backend: String,
    backend_latency_ms: f64,
}

impl Gateway {
    /// Handles one call to `/router/rest` in a `call` span carrying its request id, so that
    /// every log line of the call has it; then logs the call (`topgate::access`).
    pub async fn handle(&self, inbound: Inbound, peer: Option<SocketAddr>) -> Reply {
        let request_id = request_id::next();
        let span = tracing::info_span!("call", request_id = %request_id);
        async move {
            let reply = self.handle_call(inbound, peer, request_id).await;
            if self.settings.access_log {
                access_log(&reply.record);
            }
            reply
        }
        .instrument(span)
        .await
    }

    async fn handle_call(
        &self,
        inbound: Inbound,
        peer: Option<SocketAddr>,
        request_id: String,
    ) -> Reply {
        let started = Instant::now();
        let mut record = CallRecord {
            request_id,
            received_at_ms: (self.clock)(),
            client_addr: peer.map(|p| p.ip().to_string()),
            http_method: inbound.method.to_string(),
            ..CallRecord::default()
        };
        // The format is known before anything can fail, even when the body is broken.
        let early = inbound::early_form(&inbound);

        // 1. HTTP method; body, multipart, encoding.
        let decoded = if inbound.method != http::Method::GET && inbound.method != http::Method::POST
        {
            Err(Failure::platform(
                P::HttpActionNotAllowed,
                "http-method",
                format!(
                    "HTTP method {} (only upper-case GET and POST)",
                    inbound.method
                ),
            ))
        } else {
            inbound::decode(&inbound).await.map_err(decode_failure)
        };
        let params = match decoded {
            Ok(params) => params,
            Err(failure) => return self.fail(early, None, failure, record, started),
        };
        let form = inbound::form_of(&params);
        note_params(&mut record, &params);

        // 2-8, first failure wins.
        let mut reply = match self.run(&params, &mut record).await {
            Ok(done) => {
                record.backend = Some(done.backend);
                record.backend_latency_ms = Some(done.backend_latency_ms);
                let method = params.method().unwrap_or_default();
                let body = render_success(form, method, &done.fields, &record.request_id);
                self.reply(form, body, None, record, started)
            }
            Err(failure) => self.fail(form, Some(&params), failure, record, started),
        };
        reply.params = Some(params);
        reply
    }

    async fn run(&self, p: &Params, record: &mut CallRecord) -> Result<Done, Failure> {
        let now = (self.clock)();

        // 2. Who is calling, and what.
        let method = p
            .method()
            .ok_or_else(|| Failure::platform(P::MissingMethod, "method", "no method parameter"))?;
        let app_key = p.app_key().ok_or_else(|| {
            Failure::platform(P::MissingAppKey, "app-key", "no app_key parameter")
        })?;
        let registry = self.registry.snapshot_owned();
        let app = registry.apps.get(app_key).ok_or_else(|| {
            Failure::platform(
                P::InvalidAppKey,
                "app-key",
                format!("no app with key {app_key}"),
            )
        })?;
        if !app.enabled {
            return Err(Failure::platform(
                P::ForbiddenRequest,
                "app-key",
                format!("app {app_key} is disabled"),
            ));
        }
        let catalog = self.catalog.current();
        let api = catalog.api(method).ok_or_else(|| {
            Failure::platform(
                P::InvalidMethod,
                "method",
                format!("no API named {method} in the catalog"),
            )
        })?;

        // 3. The envelope.
        check_timestamp(p, now)?;
        check_version(p)?;
        if Format::parse(p.format()).is_none() {
            return Err(Failure::platform(
                P::InvalidFormat,
                "format",
                format!("format={:?} (json or xml)", p.format().unwrap_or_default()),
            ));
        }

        // 4. The signature. Nothing that costs a counter happens before this.
        check_signature(p, app, record)?;

        // 5. Permissions and the session.
        check_app_permission(app, api)?;
        check_partner_permission(app, api)?;
        let session = check_session(p, &registry, app, api, now)?;
        check_user_permission(session.as_deref(), api)?;

        // 6. Flow control.
        self.limiter
            .check(&registry, app, api, session.as_deref(), now)
            .await?;

        // 7. Business parameters against the catalog.
        check_params(api, p)?;

        // 8. The backend.
        let request = backend_request(method, app_key, p, session.as_deref(), &record.request_id);
        match self.backends.call(&catalog, api, request).await {
            Ok(Answered {
                fields,
                backend,
                latency_ms,
            }) => Ok(Done {
                fields,
                backend,
                backend_latency_ms: latency_ms,
            }),
            Err((failure, latency)) => {
                record.backend = latency.map(|_| api.backend.name().to_owned());
                record.backend_latency_ms = latency;
                Err(failure)
            }
        }
    }

    fn fail(
        &self,
        form: ResponseForm,
        params: Option<&Params>,
        failure: Failure,
        mut record: CallRecord,
        started: Instant,
    ) -> Reply {
        let args = match params {
            Some(p) if self.settings.echo_args => p.echo(),
            _ => Vec::new(),
        };
        let error = failure.to_body(form, args, &record.request_id);
        if failure.check() == "gateway" {
            tracing::error!(request_id = %record.request_id, why = failure.why(), "gateway fault");
        } else {
            tracing::debug!(request_id = %record.request_id, code = error.code, check = failure.check(), why = failure.why(), "call refused");
        }
        record.code = Some(error.code);
        record.sub_code = failure.sub_code().map(str::to_owned);
        record.failed_check = Some(failure.check().to_owned());
        record.check_detail = Some(failure.why().to_owned());
        let body = render_error(form, &error);
        self.reply(form, body, failure.retry_after(), record, started)
    }

    fn reply(
        &self,
        form: ResponseForm,
        body: Vec<u8>,
        retry_after: Option<u64>,
        mut record: CallRecord,
        started: Instant,
    ) -> Reply {
        record.latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        Reply {
            form,
            request_id: record.request_id.clone(),
            body,
            retry_after,
            record,
            params: None,
        }
    }
}

/// One line per call (string fields are quoted and escaped by the log format); the session is
/// never shown.
fn access_log(r: &CallRecord) {
    tracing::info!(
        target: "topgate::access",
        method = r.method.as_deref().unwrap_or("-"),
        app_key = r.app_key.as_deref().unwrap_or("-"),
        code = r.code.unwrap_or(0),
        sub_code = r.sub_code.as_deref().unwrap_or("-"),
        latency_ms = r.latency_ms,
        "call"
    );
}

fn decode_failure(f: DecodeFailure) -> Failure {
    match f {
        DecodeFailure::FileNotOnPost => Failure::platform(
            P::HttpActionNotAllowed,
            "http-method",
            "a file part on a method other than POST",
        ),
        DecodeFailure::Malformed(why) => Failure::platform(P::ParameterError, "decode", why),
        DecodeFailure::Encoding(why) => Failure::platform(P::InvalidEncoding, "decode", why),
    }
}

fn note_params(record: &mut CallRecord, p: &Params) {
    record.app_key = p.app_key().map(str::to_owned);
    record.method = p.method().map(str::to_owned);
    record.version = p.version().map(str::to_owned);
    record.format = p.format().map(str::to_owned);
    record.sign_method = p.sign_method().map(str::to_owned);
}

fn check_timestamp(p: &Params, now: i64) -> Result<(), Failure> {
    let raw = p.timestamp().ok_or_else(|| {
        Failure::platform(P::MissingTimestamp, "timestamp", "no timestamp parameter")
    })?;
    let ts = time::parse_timestamp(raw).map_err(|e| {
        Failure::platform(
            P::InvalidTimestamp,
            "timestamp",
            format!("timestamp {raw:?} is {e}"),
        )
    })?;
    let skew = time::skew(ts, now);
    if !skew.within_limit() {
        return Err(Failure::platform(
            P::InvalidTimestamp,
            "timestamp",
            format!(
                "timestamp {raw} is {} (the server allows 10 minutes either way; server time {})",
                skew.describe(),
                time::format_gmt8(now)
            ),
        ));
    }
    Ok(())
}

/// Reads `v`: a number, and 1.0 or 2.0 (`2` and `2.00` are 2.0).
pub fn parse_version(raw: &str) -> Result<Version, P> {
    let raw = raw.trim();
    let numeric = !raw.is_empty()
        && raw.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && raw.bytes().filter(|&b| b == b'.').count() <= 1
        && raw.bytes().any(|b| b.is_ascii_digit());
    if !numeric {
        return Err(P::InvalidVersion);
    }
    match raw.parse::<f64>() {
        Ok(2.0) => Ok(Version::V2),
        Ok(1.0) => Ok(Version::V1),
        _ => Err(P::UnsupportedVersion),
    }
}

fn check_version(p: &Params) -> Result<Version, Failure> {
    let raw = p
        .version()
        .ok_or_else(|| Failure::platform(P::MissingVersion, "version", "no v parameter"))?;
    parse_version(raw).map_err(|e| {
        Failure::platform(
            e,
            "version",
            format!("v={raw:?} (2.0, or 1.0 for the legacy format)"),
        )
    })
}

fn check_signature(p: &Params, app: &AppEntry, record: &mut CallRecord) -> Result<(), Failure> {
    let given = p
        .sign()
        .ok_or_else(|| Failure::platform(P::MissingSignature, "signature", "no sign parameter"))?;
    let Some(method) = SignMethod::parse(p.sign_method()) else {
        return Err(Failure::platform(
            P::InvalidSignature,
            "signature",
            format!(
                "sign_method {:?} is not md5, hmac or hmac-sha256",
                p.sign_method().unwrap_or_default()
            ),
        ));
    };
    if sign::verify(method, &app.secret, p, None, given) {
        return Ok(());
    }
    let signed = sign::string_to_sign(p, EmptyValues::Keep, None);
    record.string_to_sign = Some(String::from_utf8_lossy(&signed).into_owned());
    Err(Failure::platform(
        P::InvalidSignature,
        "signature",
        format!(
            "the server signed the string below with {} and the app's secret; the sign sent ({given}) differs",
            method.as_str()
        ),
    ))
}

fn check_app_permission(app: &AppEntry, api: &ApiSpec) -> Result<(), Failure> {
    match &api.package {
        Some(package) if !app.grants.contains(package) => Err(Failure::platform(
            P::InsufficientIsvPermissions,
            "app-permission",
            format!(
                "the app has no permission package {package} (needed by {})",
                api.name
            ),
        )),
        _ => Ok(()),
    }
}

fn check_partner_permission(app: &AppEntry, api: &ApiSpec) -> Result<(), Failure> {
    if api.partners.is_empty()
        || app
            .partner
            .as_ref()
            .is_some_and(|p| api.partners.contains(p))
    {
        return Ok(());
    }
    Err(Failure::platform(
        P::InsufficientPartnerPermissions,
        "partner-permission",
        format!(
            "{} is open to the partners {:?}; the app belongs to {}",
            api.name,
            api.partners,
            app.partner
                .as_deref()
                .map_or("no partner".to_owned(), |p| format!("partner {p}"))
        ),
    ))
}

fn check_session(
    p: &Params,
    registry: &Snapshot,
    app: &AppEntry,
    api: &ApiSpec,
    now: i64,
) -> Result<Option<Arc<SessionEntry>>, Failure> {
    let key = match (api.session, p.session()) {
        (SessionNeed::None, _) | (SessionNeed::Optional, None) => return Ok(None),
        (SessionNeed::Required, None) => {
            return Err(Failure::platform(
                P::MissingSession,
                "session",
                format!("{} needs a session", api.name),
            ))
        }
        (_, Some(key)) => key,
    };
    let invalid = |why: String| {
        Failure::platform(P::InvalidSession, "session", why)
            .with_catalog_sub(SubCode::InvalidSessionKey)
    };
    let masked = topgate_protocol::params::mask_secret(key);
    let session = registry
        .sessions
        .get(key)
        .ok_or_else(|| invalid(format!("no session {masked} (never issued, or revoked)")))?;
    if session.app_key != app.app_key {
        return Err(invalid(format!(
            "session {masked} was issued to app {}, not {}",
            session.app_key, app.app_key
        )));
    }
    if session.expires_at_ms <= now {
        return Err(Failure::platform(
            P::InvalidSession,
            "session",
            format!(
                "the session expired at {}",
                time::format_gmt8(session.expires_at_ms)
            ),
        )
        .with_catalog_sub(SubCode::SessionExpired));
    }
    Ok(Some(session.clone()))
}

fn check_user_permission(session: Option<&SessionEntry>, api: &ApiSpec) -> Result<(), Failure> {
    match (session, &api.package) {
        (Some(s), Some(package)) if !s.grants.contains(package) => Err(Failure::platform(
            P::InsufficientUserPermissions,
            "user-permission",
            format!(
                "user {} has not granted permission package {package} to the app",
                s.user.nick
            ),
        )),
        _ => Ok(()),
    }
}

fn check_params(api: &ApiSpec, p: &Params) -> Result<(), Failure> {
    catalog::validate(api, p).map_err(|f| match f {
        ParamFailure::Missing { name } => Failure::platform(
            P::MissingRequiredArguments,
            "parameters",
            format!("{name} is required"),
        )
        .with_detail(name),
        ParamFailure::Invalid { name, reason } => Failure::platform(
            P::InvalidArguments,
            "parameters",
            format!("{name} {reason}"),
        )
        .with_detail(name),
        ParamFailure::FileTooLarge { name, size, max } => Failure::platform(
            P::UploadFail,
            "parameters",
            format!("file {name} is {size} bytes; the API accepts at most {max}"),
        ),
        ParamFailure::Business { sub_code, sub_msg } => {
            let why = format!(
                "the catalog's rules for {} refused the parameters ({sub_code}: {sub_msg}); the backend was not called",
                api.name
            );
            Failure::business(api.line, sub_code, sub_msg, "parameters", why)
        }
    })
}

fn backend_request(
    method: &str,
    app_key: &str,
    p: &Params,
    session: Option<&SessionEntry>,
    request_id: &str,
) -> BackendRequest {
    BackendRequest {
        method: method.to_owned(),
        params: p
            .business()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect(),
        files: p
            .files()
            .iter()
            .map(|f| BackendFile {
                name: f.name.clone(),
                filename: f.filename.clone(),
                content_type: f.content_type.clone(),
                data: f.data.clone(),
            })
            .collect(),
        app_key: app_key.to_owned(),
        user: session.map(|s| s.user.clone()),
        request_id: request_id.to_owned(),
    }
}
