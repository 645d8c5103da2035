//! Every admin route, in one table. `docs/admin-api.md` documents each.

use bytes::Bytes;
use http::{Method, StatusCode};

use super::http::{ok, respond, Answer, ApiError};
use super::{apps, people, requests, AdminState};
use crate::metrics;

/// Answers one request (the token was checked). Runs on a blocking thread.
pub(super) fn route(
    s: &AdminState,
    method: &Method,
    path: &[&str],
    query: &[(String, String)],
    body: &[u8],
) -> Answer {
    match (method.as_str(), path) {
        ("GET", ["health"]) => ok(&serde_json::json!({"status": "ok"})),
        ("GET", ["metrics"]) => Ok(respond(
            StatusCode::OK,
            metrics::CONTENT_TYPE,
            Bytes::from(s.metrics.render()),
        )),

        ("GET", ["admin", "apps"]) => apps::list(s),
        ("POST", ["admin", "apps"]) => apps::create(s, method, body),
        ("GET", ["admin", "apps", key]) => apps::show(s, key),
        ("POST", ["admin", "apps", key, action]) => apps::act(s, key, action),
        ("PUT", ["admin", "apps", key, "grants", package]) => apps::grant(s, key, package, true),
        ("DELETE", ["admin", "apps", key, "grants", package]) => {
            apps::grant(s, key, package, false)
        }

        ("GET", ["admin", "users"]) => people::users(s),
        ("POST", ["admin", "users"]) => people::create_user(s, method, body),
        ("GET", ["admin", "users", nick]) => people::user(s, nick),

        ("GET", ["admin", "sessions"]) => people::sessions(s, query),
        ("POST", ["admin", "sessions"]) => people::issue(s, method, body),
        ("GET", ["admin", "sessions", key]) => people::session(s, key),
        ("DELETE", ["admin", "sessions", key]) => people::revoke(s, key),

        ("GET", ["admin", "limits"]) => apps::limits(s, query),
        ("PUT", ["admin", "limits"]) => apps::set_limit(s, method, body),

        ("GET", ["admin", "requests"]) => requests::search(s, query),
        ("GET", ["admin", "requests", id]) => requests::get(s, id),

        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no route {method} /{}; the routes are listed in docs/admin-api.md",
                path.join("/")
            ),
        )),
    }
}

/// Runs a change on the store, then refreshes the registry snapshot so that the change is live
/// on this node before the answer.
pub(super) fn write<T>(
    s: &AdminState,
    change: impl FnOnce(&dyn topgate_store::Registry) -> topgate_store::Result<T>,
) -> Result<T, ApiError> {
    let out = change(s.registry.store().as_ref())?;
    if let Err(e) = s.registry.refresh() {
        tracing::warn!(error = %e, "admin API: the change is stored but the registry refresh failed; it retries within a second");
    }
    Ok(out)
}
