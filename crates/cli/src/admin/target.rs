//! What an administration command works on: the registry itself, or a running
//! gateway's admin API (`--server`). Both answer with the store's types, so each command has
//! one code path for its output.

use std::sync::Arc;

use reqwest::Method;
use topgate_gateway::admin::wire::{
    AppDoc, LimitDoc, NewAppDoc, NewSessionDoc, NewUserDoc, ResetDoc, SessionDoc, UserDoc,
};
use topgate_store::{App, Limit, NewApp, NewSession, Registry, Session, User};

use crate::admin_client::AdminClient;

pub enum Target {
    /// The registry the data directory (or `--config`) names.
    Local(Arc<dyn Registry>),
    Remote(AdminClient),
}

type R<T> = anyhow::Result<T>;

fn app(doc: AppDoc) -> App {
    doc.into_app()
}

impl Target {
    /// `now_ms` is the local clock's; a gateway uses its own.
    pub fn create_app(&self, new: NewApp, now_ms: i64) -> R<App> {
        match self {
            Target::Local(r) => Ok(r.create_app(new, now_ms)?),
            Target::Remote(c) => {
                let doc = NewAppDoc {
                    name: new.name,
                    packages: new.grants,
                    partner: new.partner,
                    app_key: new.app_key,
                    secret: new.secret,
                };
                c.change(Method::POST, &["admin", "apps"], Some(&doc))
                    .map(app)
            }
        }
    }

    /// Every app; over the admin API, without secrets.
    pub fn apps(&self) -> R<Vec<App>> {
        match self {
            Target::Local(r) => Ok(r.apps()?),
            Target::Remote(c) => Ok(c
                .get::<Vec<AppDoc>>(&["admin", "apps"], &[])?
                .into_iter()
                .map(app)
                .collect()),
        }
    }

    pub fn app(&self, key: &str) -> R<App> {
        match self {
            Target::Local(r) => Ok(r.app(key)?),
            Target::Remote(c) => c.get(&["admin", "apps", key], &[]).map(app),
        }
    }

    pub fn set_app_enabled(&self, key: &str, enabled: bool) -> R<App> {
        match self {
            Target::Local(r) => Ok(r.set_app_enabled(key, enabled)?),
            Target::Remote(c) => {
                let action = if enabled { "enable" } else { "disable" };
                c.change(Method::POST, &["admin", "apps", key, action], None::<&()>)
                    .map(app)
            }
        }
    }

    pub fn grant(&self, key: &str, package: &str) -> R<App> {
        match self {
            Target::Local(r) => Ok(r.grant(key, package)?),
            Target::Remote(c) => c
                .change(
                    Method::PUT,
                    &["admin", "apps", key, "grants", package],
                    None::<&()>,
                )
                .map(app),
        }
    }

    pub fn revoke(&self, key: &str, package: &str) -> R<App> {
        match self {
            Target::Local(r) => Ok(r.revoke(key, package)?),
            Target::Remote(c) => c
                .change(
                    Method::DELETE,
                    &["admin", "apps", key, "grants", package],
                    None::<&()>,
                )
                .map(app),
        }
    }

    pub fn rotate_secret(&self, key: &str) -> R<App> {
        match self {
            Target::Local(r) => Ok(r.rotate_secret(key)?),
            Target::Remote(c) => c
                .change(
                    Method::POST,
                    &["admin", "apps", key, "rotate-secret"],
                    None::<&()>,
                )
                .map(app),
        }
    }

    pub fn create_user(&self, nick: &str, now_ms: i64) -> R<User> {
        match self {
            Target::Local(r) => Ok(r.create_user(nick, now_ms)?),
            Target::Remote(c) => {
                let doc = NewUserDoc { nick: nick.into() };
                c.change::<UserDoc, _>(Method::POST, &["admin", "users"], Some(&doc))
                    .map(User::from)
            }
        }
    }

    pub fn users(&self) -> R<Vec<User>> {
        match self {
            Target::Local(r) => Ok(r.users()?),
            Target::Remote(c) => Ok(c
                .get::<Vec<UserDoc>>(&["admin", "users"], &[])?
                .into_iter()
                .map(User::from)
                .collect()),
        }
    }

    pub fn user_by_nick(&self, nick: &str) -> R<User> {
        match self {
            Target::Local(r) => Ok(r.user_by_nick(nick)?),
            Target::Remote(c) => c
                .get::<UserDoc>(&["admin", "users", nick], &[])
                .map(User::from),
        }
    }

    /// `new.now_ms` is the local clock's; a gateway uses its own.
    pub fn issue_session(&self, new: NewSession) -> R<Session> {
        match self {
            Target::Local(r) => Ok(r.issue_session(new)?),
            Target::Remote(c) => {
                let doc = NewSessionDoc {
                    app_key: new.app_key,
                    user: new.user_nick,
                    ttl_ms: Some(new.ttl_ms),
                    packages: new.grants,
                    key: new.key,
                };
                c.change::<SessionDoc, _>(Method::POST, &["admin", "sessions"], Some(&doc))
                    .map(Session::from)
            }
        }
    }

    pub fn session(&self, key: &str) -> R<Session> {
        match self {
            Target::Local(r) => Ok(r.session(key)?),
            Target::Remote(c) => c
                .get::<SessionDoc>(&["admin", "sessions", key], &[])
                .map(Session::from),
        }
    }

    pub fn sessions(&self, app_key: Option<&str>) -> R<Vec<Session>> {
        match self {
            Target::Local(r) => Ok(r.sessions(app_key)?),
            Target::Remote(c) => {
                let query: Vec<(&str, String)> =
                    app_key.map(|k| ("app", k.to_owned())).into_iter().collect();
                Ok(c.get::<Vec<SessionDoc>>(&["admin", "sessions"], &query)?
                    .into_iter()
                    .map(Session::from)
                    .collect())
            }
        }
    }

    pub fn revoke_session(&self, key: &str) -> R<Session> {
        match self {
            Target::Local(r) => Ok(r.revoke_session(key)?),
            Target::Remote(c) => c
                .change::<SessionDoc, ()>(Method::DELETE, &["admin", "sessions", key], None)
                .map(Session::from),
        }
    }

    pub fn set_limit(&self, limit: Limit) -> R<()> {
        match self {
            Target::Local(r) => Ok(r.set_limit(limit)?),
            Target::Remote(c) => {
                let doc = LimitDoc::from(&limit);
                c.change::<LimitDoc, _>(Method::PUT, &["admin", "limits"], Some(&doc))
                    .map(drop)
            }
        }
    }

    pub fn limits(&self) -> R<Vec<Limit>> {
        match self {
            Target::Local(r) => Ok(r.limits()?),
            Target::Remote(c) => c
                .get::<Vec<LimitDoc>>(&["admin", "limits"], &[])?
                .into_iter()
                .map(|l| Ok(l.into_limit()?))
                .collect(),
        }
    }

    /// `now_ms` is the local clock's; a gateway uses its own.
    pub fn reset_counters(&self, key: &str, now_ms: i64) -> R<i64> {
        match self {
            Target::Local(r) => Ok(r.reset_counters(key, now_ms)?),
            Target::Remote(c) => c
                .change::<ResetDoc, ()>(
                    Method::POST,
                    &["admin", "apps", key, "reset-counters"],
                    None,
                )
                .map(|d| d.reset_at_ms),
        }
    }
}
