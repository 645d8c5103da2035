//! `/admin/apps...` and `/admin/limits`.

use http::{Method, StatusCode};
use topgate_store::{LimitScope, NewApp};

use super::http::{json, ok, param, parse, Answer, ApiError};
use super::routes::write;
use super::wire::{AppDoc, LimitDoc, NewAppDoc, ResetDoc};
use super::AdminState;

/// `GET /admin/apps`: every app, oldest first, without secrets.
pub(super) fn list(s: &AdminState) -> Answer {
    let apps = s.registry.store().apps()?;
    ok(&apps
        .iter()
        .map(|a| AppDoc::new(a, false))
        .collect::<Vec<_>>())
}

/// `POST /admin/apps`: 201 with the new app and its secret.
pub(super) fn create(s: &AdminState, method: &Method, body: &[u8]) -> Answer {
    let doc: NewAppDoc = parse(method, body)?;
    let new = NewApp {
        name: doc.name,
        grants: doc.packages,
        partner: doc.partner,
        app_key: doc.app_key,
        secret: doc.secret,
    };
    let now = (s.clock)();
    let app = write(s, |r| r.create_app(new, now))?;
    Ok(json(StatusCode::CREATED, &AppDoc::new(&app, true)))
}

/// `GET /admin/apps/{key}`: the app with its secret.
pub(super) fn show(s: &AdminState, key: &str) -> Answer {
    ok(&AppDoc::new(&s.registry.store().app(key)?, true))
}

/// `POST /admin/apps/{key}/enable|disable|rotate-secret|reset-counters`.
pub(super) fn act(s: &AdminState, key: &str, action: &str) -> Answer {
    let app = match action {
        "enable" => write(s, |r| r.set_app_enabled(key, true))?,
        "disable" => write(s, |r| r.set_app_enabled(key, false))?,
        "rotate-secret" => write(s, |r| r.rotate_secret(key))?,
        "reset-counters" => {
            let now = (s.clock)();
            let reset_at_ms = write(s, |r| r.reset_counters(key, now))?;
            return ok(&ResetDoc {
                app_key: key.to_owned(),
                reset_at_ms,
            });
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "no action {action:?} on an app: enable, disable, rotate-secret or \
                     reset-counters"
                ),
            ))
        }
    };
    ok(&AppDoc::new(&app, true))
}

/// `PUT|DELETE /admin/apps/{key}/grants/{package}`: grants or revokes; idempotent. Answers
/// the app (with its secret, like every change to one app).
pub(super) fn grant(s: &AdminState, key: &str, package: &str, granted: bool) -> Answer {
    let app = if granted {
        write(s, |r| r.grant(key, package))?
    } else {
        write(s, |r| r.revoke(key, package))?
    };
    ok(&AppDoc::new(&app, true))
}

/// `GET /admin/limits[?scope=S][&subject=X]`: the registry's limits, by scope then subject.
pub(super) fn limits(s: &AdminState, query: &[(String, String)]) -> Answer {
    let scope: Option<String> = param(query, "scope")?;
    let scope = scope
        .map(|v| v.parse::<LimitScope>())
        .transpose()
        .map_err(ApiError::from)?;
    let subject: Option<String> = param(query, "subject")?;
    let limits = s.registry.store().limits()?;
    ok(&limits
        .iter()
        .filter(|l| scope.is_none_or(|sc| l.scope == sc))
        .filter(|l| subject.as_ref().is_none_or(|x| &l.subject == x))
        .map(LimitDoc::from)
        .collect::<Vec<_>>())
}

/// `PUT /admin/limits`: sets or replaces the limit of (scope, subject); both values `null`
/// remove it. Answers the limit as stored.
pub(super) fn set_limit(s: &AdminState, method: &Method, body: &[u8]) -> Answer {
    let doc: LimitDoc = parse(method, body)?;
    let limit = doc.clone().into_limit()?;
    write(s, |r| r.set_limit(limit))?;
    ok(&doc)
}
