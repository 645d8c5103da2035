//! The registry trait every backend implements (SQLite and PostgreSQL).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::{App, Limit, NewApp, NewSession, RegistryData, Result, Session, User};

/// [`Registry::load`] leaves out sessions that expired more than this long ago (1 day), so the
/// gateway can still tell "expired" from "unknown" for recently expired ones.
pub const SESSION_GRACE_MS: i64 = 24 * 60 * 60 * 1000;

/// Milliseconds since the Unix epoch, from the system clock.
pub fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The registry: apps, users, sessions, permission grants and flow-control limits.
///
/// Synchronous: the gateway calls it from a background reload thread, the CLI directly.
/// Every successful mutating call commits atomically and increases [`Registry::revision`] in the
/// same transaction (even when it changes nothing, e.g. granting a package twice); a failed call
/// changes nothing. Reads never change the revision.
pub trait Registry: Send + Sync {
    /// A number that increases with every committed change; cheap: the gateway polls it every
    /// ~200 ms and reloads when it moved.
    fn revision(&self) -> Result<i64>;

    /// Everything the gateway's snapshot is built from, read consistently at one revision.
    /// Sessions revoked or expired more than [`SESSION_GRACE_MS`] before `now_ms` (the
    /// gateway's clock, not the store's) are left out.
    fn load(&self, now_ms: i64) -> Result<RegistryData>;

    /// Creates an app, enabled. `Conflict` if the key exists.
    fn create_app(&self, new: NewApp, now_ms: i64) -> Result<App>;

    /// `NotFound` if there is no such app.
    fn app(&self, app_key: &str) -> Result<App>;

    /// All apps, oldest first.
    fn apps(&self) -> Result<Vec<App>>;

    fn set_app_enabled(&self, app_key: &str, enabled: bool) -> Result<App>;

    /// Grants a permission package to an app; idempotent.
    fn grant(&self, app_key: &str, package: &str) -> Result<App>;

    /// Revokes a permission package from an app; idempotent.
    fn revoke(&self, app_key: &str, package: &str) -> Result<App>;

    /// Replaces the app's secret with a newly generated one.
    fn rotate_secret(&self, app_key: &str) -> Result<App>;

    /// Sets or (with `None` or `""`) clears the app's partner.
    fn set_partner(&self, app_key: &str, partner: Option<&str>) -> Result<App>;

    /// `Conflict` if the nick exists.
    fn create_user(&self, nick: &str, now_ms: i64) -> Result<User>;

    /// `NotFound` if there is no such user.
    fn user_by_nick(&self, nick: &str) -> Result<User>;

    /// All users, by id.
    fn users(&self) -> Result<Vec<User>>;

    /// Issues a session. `NotFound` for an unknown app or user; `Conflict` for a fixed key that
    /// exists.
    fn issue_session(&self, new: NewSession) -> Result<Session>;

    /// Any session, including revoked and expired ones. `NotFound` if there is no such session.
    fn session(&self, key: &str) -> Result<Session>;

    /// All sessions (including revoked and expired ones) of one app, or of every app, oldest
    /// first. `NotFound` for an unknown app.
    fn sessions(&self, app_key: Option<&str>) -> Result<Vec<Session>>;

    /// Revokes a session; idempotent. `NotFound` if there is no such session.
    fn revoke_session(&self, key: &str) -> Result<Session>;

    /// Sets or replaces the limit for (scope, subject); both values `None` removes it.
    fn set_limit(&self, limit: Limit) -> Result<()>;

    /// All limits, by scope then subject.
    fn limits(&self) -> Result<Vec<Limit>>;

    /// Asks every gateway to clear the app's flow-control counters (the app's and its
    /// app×API ones): records `reset_at_ms` = `now_ms`, or the previous one + 1 if that is not
    /// later, so each reset of an app is strictly later than the last. The gateways apply it when
    /// they load the new revision (within a second). `NotFound` for an unknown app.
    fn reset_counters(&self, app_key: &str, now_ms: i64) -> Result<i64>;
}
