//! What shapes the envelope of every call: endpoint, credentials, system parameters, clock.

use std::fmt;
use std::sync::Arc;

use topgate_protocol::sign::SignMethod;
use topgate_protocol::{Format, Version};

/// The clock the `timestamp` system parameter is read from: epoch milliseconds.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp_millis())
}

/// A clock that always says `epoch_ms` (tests, `topgate call --timestamp`).
pub fn fixed_clock(epoch_ms: i64) -> Clock {
    Arc::new(move || epoch_ms)
}

/// The `partner_id` the SDK sends unless told otherwise: `topgate-sdk-rust-<version>`.
pub const DEFAULT_PARTNER_ID: &str = concat!("topgate-sdk-rust-", env!("CARGO_PKG_VERSION"));

/// The `User-Agent` header the SDK sends.
pub const USER_AGENT: &str = concat!("topgate-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// Endpoint, credentials and the system parameters every call carries.
///
/// Defaults, and why:
/// - `sign_method`: `md5`, what the official Python and PHP SDKs send and the one method every
///   TOP server accepts (also the protocol's default when `sign_method` is absent). Choose
///   `hmac-sha256` (the modern Java SDK's default) when the server supports it: it does not
///   put the secret in a plain digest.
/// - `format`: `json` (the protocol's own default is XML; the SDK asks explicitly either way).
/// - `version`: `2.0`. `session`: none. `simplify`: off. `partner_id`: [`DEFAULT_PARTNER_ID`].
#[derive(Clone)]
pub struct Config {
    /// The endpoint, e.g. `http://127.0.0.1:8080/router/rest`.
    pub url: String,
    pub app_key: String,
    /// Never printed by `Debug`, never saved.
    pub secret: String,
    pub sign_method: SignMethod,
    pub format: Format,
    pub version: Version,
    /// The default `session` of every call ([`Request::session`](crate::Request::session)
    /// overrides it per call).
    pub session: Option<String>,
    /// Sends `simplify=true` (the server honours it for v2 JSON only).
    pub simplify: bool,
    /// `None` or empty: no `partner_id` is sent.
    pub partner_id: Option<String>,
    pub clock: Clock,
}

impl Config {
    pub fn new(
        url: impl Into<String>,
        app_key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Config {
            url: url.into(),
            app_key: app_key.into(),
            secret: secret.into(),
            sign_method: SignMethod::Md5,
            format: Format::Json,
            version: Version::V2,
            session: None,
            simplify: false,
            partner_id: Some(DEFAULT_PARTNER_ID.to_string()),
            clock: system_clock(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let session = self
            .session
            .as_deref()
            .map(topgate_protocol::params::mask_secret);
        f.debug_struct("Config")
            .field("url", &self.url)
            .field("app_key", &self.app_key)
            .field("secret", &"***")
            .field("sign_method", &self.sign_method)
            .field("format", &self.format)
            .field("version", &self.version)
            .field("session", &session)
            .field("simplify", &self.simplify)
            .field("partner_id", &self.partner_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let mut c = Config::new("http://x/router/rest", "12345678", "helloworld");
        c.session = Some("6100e23b5fa1c9d8a9".into());
        let shown = format!("{c:?}");
        assert!(!shown.contains("helloworld"), "{shown}");
        assert!(!shown.contains("6100e23b5fa1c9d8a9"), "{shown}");
        assert!(shown.contains("6100***a9"), "{shown}");
    }

    #[test]
    fn partner_id_names_the_sdk() {
        assert!(DEFAULT_PARTNER_ID.starts_with("topgate-sdk-rust-0."));
    }
}
