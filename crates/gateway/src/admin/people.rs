//! `/admin/users...` and `/admin/sessions...`.

use http::{Method, StatusCode};
use topgate_store::NewSession;

use super::http::{json, ok, param, parse, Answer};
use super::routes::write;
use super::wire::{NewSessionDoc, NewUserDoc, SessionDoc, UserDoc};
use super::AdminState;

/// A session's lifetime when `POST /admin/sessions` gives none: 30 days.
const DEFAULT_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// `GET /admin/users`: every user, by id.
pub(super) fn users(s: &AdminState) -> Answer {
    let users = s.registry.store().users()?;
    ok(&users.iter().map(UserDoc::from).collect::<Vec<_>>())
}

/// `POST /admin/users`: 201 with the new user.
pub(super) fn create_user(s: &AdminState, method: &Method, body: &[u8]) -> Answer {
    let doc: NewUserDoc = parse(method, body)?;
    let now = (s.clock)();
    let user = write(s, |r| r.create_user(&doc.nick, now))?;
    Ok(json(StatusCode::CREATED, &UserDoc::from(&user)))
}

/// `GET /admin/users/{nick}`.
pub(super) fn user(s: &AdminState, nick: &str) -> Answer {
    ok(&UserDoc::from(&s.registry.store().user_by_nick(nick)?))
}

/// `GET /admin/sessions[?app=KEY]`: every session (revoked and expired ones too), oldest first.
pub(super) fn sessions(s: &AdminState, query: &[(String, String)]) -> Answer {
    let app: Option<String> = param(query, "app")?;
    let sessions = s.registry.store().sessions(app.as_deref())?;
    ok(&sessions.iter().map(SessionDoc::from).collect::<Vec<_>>())
}

/// `POST /admin/sessions`: issues a session; 201 with it (its key is the credential).
pub(super) fn issue(s: &AdminState, method: &Method, body: &[u8]) -> Answer {
    let doc: NewSessionDoc = parse(method, body)?;
    let new = NewSession {
        app_key: doc.app_key,
        user_nick: doc.user,
        ttl_ms: doc.ttl_ms.unwrap_or(DEFAULT_TTL_MS),
        grants: doc.packages,
        key: doc.key,
        now_ms: (s.clock)(),
    };
    let session = write(s, |r| r.issue_session(new))?;
    Ok(json(StatusCode::CREATED, &SessionDoc::from(&session)))
}

/// `GET /admin/sessions/{key}`.
pub(super) fn session(s: &AdminState, key: &str) -> Answer {
    ok(&SessionDoc::from(&s.registry.store().session(key)?))
}

/// `DELETE /admin/sessions/{key}`: revokes; idempotent. Answers the revoked session.
pub(super) fn revoke(s: &AdminState, key: &str) -> Answer {
    let session = write(s, |r| r.revoke_session(key))?;
    ok(&SessionDoc::from(&session))
}
