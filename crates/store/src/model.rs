//! The registry's data model, shared by every backend, and the input checks every backend
//! applies before writing.

use std::fmt;
use std::str::FromStr;

use crate::{Result, StoreError};

/// An ISV application.
#[derive(Clone, PartialEq, Eq)]
pub struct App {
    pub app_key: String,
    pub name: String,
    /// Stored as is: the gateway needs it to verify signatures. Never log it (`Debug` hides it).
    pub secret: String,
    pub enabled: bool,
    pub partner: Option<String>,
    /// Permission packages granted to the app, sorted, without duplicates.
    pub grants: Vec<String>,
    pub created_at_ms: i64,
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("app_key", &self.app_key)
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .field("enabled", &self.enabled)
            .field("partner", &self.partner)
            .field("grants", &self.grants)
            .field("created_at_ms", &self.created_at_ms)
            .finish()
    }
}

/// A platform user (a buyer or seller whose data an app acts on through a session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub nick: String,
    pub created_at_ms: i64,
}

/// A session: a user's authorization for one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub key: String,
    pub app_key: String,
    pub user_id: i64,
    /// Permission packages the user granted, sorted, without duplicates.
    pub grants: Vec<String>,
    pub expires_at_ms: i64,
    pub revoked: bool,
    pub created_at_ms: i64,
}

impl Session {
    /// Not revoked and not yet expired at `now_ms` (a session is valid until, not at, its expiry).
    pub fn is_valid_at(&self, now_ms: i64) -> bool {
        !self.revoked && now_ms < self.expires_at_ms
    }
}

/// What a flow-control limit applies to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum LimitScope {
    App,
    AppApi,
    Api,
    User,
    Session,
    Partner,
}

impl LimitScope {
    pub const ALL: [LimitScope; 6] = [
        LimitScope::App,
        LimitScope::AppApi,
        LimitScope::Api,
        LimitScope::User,
        LimitScope::Session,
        LimitScope::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LimitScope::App => "app",
            LimitScope::AppApi => "app-api",
            LimitScope::Api => "api",
            LimitScope::User => "user",
            LimitScope::Session => "session",
            LimitScope::Partner => "partner",
        }
    }
}

impl fmt::Display for LimitScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LimitScope {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self> {
        LimitScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| {
                StoreError::invalid(format!(
                    "unknown limit scope {s:?}; use one of app, app-api, api, user, session, partner"
                ))
            })
    }
}

/// A flow-control limit. Setting one with both values `None` removes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub scope: LimitScope,
    /// The app key; `APPKEY|method` for [`LimitScope::AppApi`]; the method for
    /// [`LimitScope::Api`]; the user nick; the session key; the partner id.
    pub subject: String,
    pub per_day: Option<u64>,
    pub per_second: Option<u64>,
}

impl Limit {
    /// Checks the subject's shape and that the values fit a signed 64-bit column.
    pub fn validate(&self) -> Result<()> {
        check_text("limit subject", &self.subject)?;
        if self.scope == LimitScope::AppApi {
            match self.subject.split_once('|') {
                Some((app, method)) if !app.is_empty() && !method.is_empty() => {}
                _ => {
                    return Err(StoreError::invalid(format!(
                        "an app-api limit's subject is `APPKEY|method`, got {:?}",
                        self.subject
                    )))
                }
            }
        }
        for (what, value) in [("per_day", self.per_day), ("per_second", self.per_second)] {
            if value.is_some_and(|v| i64::try_from(v).is_err()) {
                return Err(StoreError::invalid(format!(
                    "{what} is too large (at most {}); omit it for no limit",
                    i64::MAX
                )));
            }
        }
        Ok(())
    }
}

/// Everything the gateway's in-memory snapshot is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryData {
    /// The revision this data was read at (in the same transaction).
    pub revision: i64,
    pub apps: Vec<App>,
    pub users: Vec<User>,
    /// Sessions not revoked and not expired more than [`crate::SESSION_GRACE_MS`] ago.
    pub sessions: Vec<Session>,
    pub limits: Vec<Limit>,
    /// `(app_key, reset_at_ms)`: the last [`crate::Registry::reset_counters`] of each app, by
    /// app key.
    pub counter_resets: Vec<(String, i64)>,
}

/// An app to create.
#[derive(Clone, Default)]
pub struct NewApp {
    pub name: String,
    pub grants: Vec<String>,
    /// `None` or an empty string: no partner.
    pub partner: Option<String>,
    /// A fixed key (demo), else generated.
    pub app_key: Option<String>,
    /// A fixed secret (demo), else generated.
    pub secret: Option<String>,
}

impl fmt::Debug for NewApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApp")
            .field("name", &self.name)
            .field("grants", &self.grants)
            .field("partner", &self.partner)
            .field("app_key", &self.app_key)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl NewApp {
    pub fn validate(&self) -> Result<()> {
        check_text("app name", &self.name)?;
        self.grants
            .iter()
            .try_for_each(|p| check_text("permission package", p))?;
        normalize_partner(self.partner.as_deref())?;
        if let Some(key) = &self.app_key {
            check_token("app key", key)?;
        }
        if let Some(secret) = &self.secret {
            if secret.is_empty()
                || secret.len() > 128
                || !secret.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(StoreError::invalid(
                    "a fixed app secret must be 1 to 128 printable ASCII characters without spaces; \
                     omit it to generate one",
                ));
            }
        }
        Ok(())
    }
}

/// A session to issue.
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    pub app_key: String,
    pub user_nick: String,
    /// Lifetime in milliseconds; must be positive.
    pub ttl_ms: i64,
    /// Empty: the app's grants at issue time.
    pub grants: Vec<String>,
    /// A fixed key (demo), else generated.
    pub key: Option<String>,
    pub now_ms: i64,
}

impl NewSession {
    /// Checks the fields and returns the expiry time.
    pub fn validate(&self) -> Result<i64> {
        check_text("app key", &self.app_key)?;
        check_text("user nick", &self.user_nick)?;
        self.grants
            .iter()
            .try_for_each(|p| check_text("permission package", p))?;
        if let Some(key) = &self.key {
            check_token("session key", key)?;
        }
        if self.ttl_ms <= 0 {
            return Err(StoreError::invalid(format!(
                "session ttl must be positive, got {} ms",
                self.ttl_ms
            )));
        }
        self.now_ms
            .checked_add(self.ttl_ms)
            .ok_or_else(|| StoreError::invalid("session ttl is too large; use a shorter one"))
    }
}

/// Sorted, without duplicates.
pub(crate) fn normalize_grants(grants: &[String]) -> Vec<String> {
    let mut out = grants.to_vec();
    out.sort();
    out.dedup();
    out
}

/// `None` and `""` both mean "no partner".
pub(crate) fn normalize_partner(partner: Option<&str>) -> Result<Option<String>> {
    match partner {
        None | Some("") => Ok(None),
        Some(p) => check_text("partner id", p).map(|()| Some(p.to_string())),
    }
}

/// Non-empty, at most 256 bytes, no surrounding whitespace, no control characters.
pub(crate) fn check_text(what: &str, value: &str) -> Result<()> {
    let problem = if value.is_empty() {
        "must not be empty"
    } else if value.len() > 256 {
        "is longer than 256 bytes"
    } else if value.trim() != value {
        "has leading or trailing whitespace; remove it"
    } else if value.chars().any(char::is_control) {
        "contains control characters"
    } else {
        return Ok(());
    };
    Err(StoreError::invalid(format!("{what} {value:?} {problem}")))
}

/// A key: 1 to 128 printable ASCII characters, no spaces, no `|` (it separates `APPKEY|method`).
fn check_token(what: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && value.bytes().all(|b| b.is_ascii_graphic() && b != b'|');
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(format!(
            "{what} {value:?} must be 1 to 128 printable ASCII characters without spaces or `|`; \
             omit it to generate one"
        )))
    }
}

/// The app a creation request makes under `app_key`: the one place its defaults are decided
/// (enabled, a generated secret when none is given, grants sorted and deduplicated), whatever
/// the backend.
pub(crate) fn new_app(
    app_key: String,
    name: String,
    secret: Option<String>,
    partner: Option<&str>,
    grants: &[String],
    now_ms: i64,
) -> Result<App> {
    Ok(App {
        app_key,
        name,
        secret: secret.unwrap_or_else(crate::generate_secret),
        enabled: true,
        partner: normalize_partner(partner)?,
        grants: normalize_grants(grants),
        created_at_ms: now_ms,
    })
}

/// The session an issue request makes: with no grants asked for, the app's grants at issue
/// time. The one place this is decided, whatever the backend.
pub(crate) fn new_session(
    key: String,
    app: App,
    user_id: i64,
    grants: &[String],
    expires_at_ms: i64,
    now_ms: i64,
) -> Session {
    Session {
        key,
        user_id,
        grants: if grants.is_empty() {
            app.grants
        } else {
            normalize_grants(grants)
        },
        app_key: app.app_key,
        expires_at_ms,
        revoked: false,
        created_at_ms: now_ms,
    }
}
