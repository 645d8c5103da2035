//! The admin API's JSON documents, shared with its client (`topgate ... --server URL`), which
//! turns them back into the store's types so that a command prints the same either way.
//! Times are epoch milliseconds. `docs/admin-api.md` shows each one.

use serde::{Deserialize, Serialize};
use topgate_store::{App, Limit, LimitScope, Session, User};

/// An app. `secret` only where the route says so (one app, never a list).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppDoc {
    pub app_key: String,
    pub name: String,
    pub enabled: bool,
    pub partner: Option<String>,
    pub packages: Vec<String>,
    pub created_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl AppDoc {
    pub fn new(a: &App, with_secret: bool) -> AppDoc {
        AppDoc {
            app_key: a.app_key.clone(),
            name: a.name.clone(),
            enabled: a.enabled,
            partner: a.partner.clone(),
            packages: a.grants.clone(),
            created_at_ms: a.created_at_ms,
            secret: with_secret.then(|| a.secret.clone()),
        }
    }

    /// The app; an empty secret when the document has none.
    pub fn into_app(self) -> App {
        App {
            app_key: self.app_key,
            name: self.name,
            secret: self.secret.unwrap_or_default(),
            enabled: self.enabled,
            partner: self.partner,
            grants: self.packages,
            created_at_ms: self.created_at_ms,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserDoc {
    pub id: i64,
    pub nick: String,
    pub created_at_ms: i64,
}

impl From<&User> for UserDoc {
    fn from(u: &User) -> UserDoc {
        UserDoc {
            id: u.id,
            nick: u.nick.clone(),
            created_at_ms: u.created_at_ms,
        }
    }
}

impl From<UserDoc> for User {
    fn from(u: UserDoc) -> User {
        User {
            id: u.id,
            nick: u.nick,
            created_at_ms: u.created_at_ms,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionDoc {
    pub key: String,
    pub app_key: String,
    pub user_id: i64,
    pub packages: Vec<String>,
    pub expires_at_ms: i64,
    pub revoked: bool,
    pub created_at_ms: i64,
}

impl From<&Session> for SessionDoc {
    fn from(s: &Session) -> SessionDoc {
        SessionDoc {
            key: s.key.clone(),
            app_key: s.app_key.clone(),
            user_id: s.user_id,
            packages: s.grants.clone(),
            expires_at_ms: s.expires_at_ms,
            revoked: s.revoked,
            created_at_ms: s.created_at_ms,
        }
    }
}

impl From<SessionDoc> for Session {
    fn from(s: SessionDoc) -> Session {
        Session {
            key: s.key,
            app_key: s.app_key,
            user_id: s.user_id,
            grants: s.packages,
            expires_at_ms: s.expires_at_ms,
            revoked: s.revoked,
            created_at_ms: s.created_at_ms,
        }
    }
}

/// A flow-control limit; `PUT /admin/limits` with both values `null` removes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitDoc {
    /// `app`, `app-api`, `api`, `user`, `session` or `partner`.
    pub scope: String,
    pub subject: String,
    #[serde(default)]
    pub per_day: Option<u64>,
    #[serde(default)]
    pub per_second: Option<u64>,
}

impl From<&Limit> for LimitDoc {
    fn from(l: &Limit) -> LimitDoc {
        LimitDoc {
            scope: l.scope.as_str().to_owned(),
            subject: l.subject.clone(),
            per_day: l.per_day,
            per_second: l.per_second,
        }
    }
}

impl LimitDoc {
    pub fn into_limit(self) -> topgate_store::Result<Limit> {
        Ok(Limit {
            scope: self.scope.parse::<LimitScope>()?,
            subject: self.subject,
            per_day: self.per_day,
            per_second: self.per_second,
        })
    }
}

/// `POST /admin/apps`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAppDoc {
    pub name: String,
    #[serde(default)]
    pub packages: Vec<String>,
    #[serde(default)]
    pub partner: Option<String>,
    /// A fixed key, else generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_key: Option<String>,
    /// A fixed secret, else generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `POST /admin/users`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserDoc {
    pub nick: String,
}

/// `POST /admin/sessions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSessionDoc {
    pub app_key: String,
    /// The user's nick.
    pub user: String,
    /// Lifetime; default 30 days.
    #[serde(default)]
    pub ttl_ms: Option<i64>,
    /// The packages the user grants; empty: all of the app's.
    #[serde(default)]
    pub packages: Vec<String>,
    /// A fixed key, else generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The answer to `POST /admin/apps/{key}/reset-counters`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResetDoc {
    pub app_key: String,
    pub reset_at_ms: i64,
}

/// Every error: `{"error": "what went wrong and what to do"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDoc {
    pub error: String,
}
