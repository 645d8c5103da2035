//! The stores on PostgreSQL, for more than one gateway node: [`PgRegistry`] and [`PgArchive`].
//!
//! Each handle owns one connection on a thread of its own (see `conn`), opened on first use and
//! opened again after a failure; while the database is down every call fails with
//! [`StoreError::Backend`] and the gateway keeps serving from its
//! last snapshot. Migrations run when a handle is opened (`schema`).
//!
//! Change propagation: every mutation bumps `meta.revision` in its own transaction, and each
//! node polls [`Registry::revision`] (one primary-key read) every 200 ms, reloading its
//! snapshot when the number moved. That meets "every node within a second" without
//! `LISTEN/NOTIFY`, which would need a second, long-lived connection per node and a poll after
//! every reconnect anyway (notifications sent while a node was disconnected are lost); the
//! poll costs the database about five trivial queries a second per node.

mod apps;
mod archive;
mod conn;
mod limits;
mod schema;
mod sessions;
mod users;

use postgres::{IsolationLevel, Transaction};

pub use archive::{PgArchive, PG_ARCHIVE_SCHEMA_VERSION};
use conn::{Fail, PgConn, R};

use crate::{
    App, Limit, NewApp, NewSession, Registry, RegistryData, Result, Session, StoreError, User,
    SESSION_GRACE_MS,
};

/// The registry schema version this build creates and understands (the same as SQLite's).
pub const PG_SCHEMA_VERSION: i64 = schema::REGISTRY.len() as i64;

/// The registry in a PostgreSQL database, shared by every gateway node.
///
/// App secrets are stored as is (the gateway needs them to verify signatures): restrict who may
/// read the database.
pub struct PgRegistry {
    conn: PgConn,
}

impl PgRegistry {
    /// Connects to `url` (`postgres://user:password@host:port/dbname` or
    /// `host=... port=... user=... dbname=...`; no TLS) and brings the schema up to date.
    pub fn open(url: &str) -> Result<Self> {
        let conn = PgConn::open(url, "registry")?;
        conn.run(true, |client| {
            schema::migrate(client, "registry", schema::REGISTRY)
        })?;
        Ok(PgRegistry { conn })
    }

    /// Runs `f` in a read-only repeatable-read transaction: one consistent state.
    fn read<T: Send + 'static>(
        &self,
        mut f: impl FnMut(&mut Transaction<'_>) -> R<T> + Send + 'static,
    ) -> Result<T> {
        self.conn.run(true, move |client| {
            let mut tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(Fail::NotStarted)?;
            let out = f(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Runs `f` in a transaction that first bumps the revision. The bump locks the one `meta`
    /// row, so writers (on every node) take turns, like SQLite's immediate transactions: a
    /// check-then-insert cannot race another node's.
    fn write<T: Send + 'static>(
        &self,
        mut f: impl FnMut(&mut Transaction<'_>) -> R<T> + Send + 'static,
    ) -> Result<T> {
        self.conn.run(false, move |client| {
            let mut tx = client.transaction().map_err(Fail::NotStarted)?;
            tx.execute("UPDATE meta SET revision = revision + 1 WHERE id = 1", &[])?;
            let out = f(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
    }
}

fn revision(tx: &mut Transaction<'_>) -> R<i64> {
    Ok(tx
        .query_one("SELECT revision FROM meta WHERE id = 1", &[])?
        .try_get(0)?)
}

impl Registry for PgRegistry {
    fn revision(&self) -> Result<i64> {
        // One round trip (the simple protocol: no separate prepare).
        self.conn.run(true, |client| {
            for message in client.simple_query("SELECT revision FROM meta WHERE id = 1")? {
                if let postgres::SimpleQueryMessage::Row(row) = message {
                    let text = row.try_get(0)?.unwrap_or_default();
                    return text.parse::<i64>().map_err(|_| {
                        Fail::Store(StoreError::Backend(format!(
                            "meta.revision holds {text:?}, not a number"
                        )))
                    });
                }
            }
            Err(
                StoreError::Backend("the meta table is empty; is this a topgate registry?".into())
                    .into(),
            )
        })
    }

    fn load(&self, now_ms: i64) -> Result<RegistryData> {
        let min_expiry = now_ms.saturating_sub(SESSION_GRACE_MS);
        self.read(move |tx| {
            Ok(RegistryData {
                revision: revision(tx)?,
                apps: apps::list(tx)?,
                users: users::list(tx)?,
                sessions: sessions::live(tx, min_expiry)?,
                limits: limits::list(tx)?,
                counter_resets: limits::counter_resets(tx)?,
            })
        })
    }

    fn create_app(&self, new: NewApp, now_ms: i64) -> Result<App> {
        new.validate()?;
        self.write(move |tx| apps::insert(tx, new.clone(), now_ms))
    }

    fn app(&self, app_key: &str) -> Result<App> {
        let key = app_key.to_string();
        self.read(move |tx| apps::get(tx, &key))
    }

    fn apps(&self) -> Result<Vec<App>> {
        self.read(apps::list)
    }

    fn set_app_enabled(&self, app_key: &str, enabled: bool) -> Result<App> {
        let key = app_key.to_string();
        self.write(move |tx| apps::set_enabled(tx, &key, enabled))
    }

    fn grant(&self, app_key: &str, package: &str) -> Result<App> {
        let (key, package) = (app_key.to_string(), package.to_string());
        self.write(move |tx| apps::grant(tx, &key, &package))
    }

    fn revoke(&self, app_key: &str, package: &str) -> Result<App> {
        let (key, package) = (app_key.to_string(), package.to_string());
        self.write(move |tx| apps::revoke(tx, &key, &package))
    }

    fn rotate_secret(&self, app_key: &str) -> Result<App> {
        let key = app_key.to_string();
        self.write(move |tx| apps::rotate_secret(tx, &key))
    }

    fn set_partner(&self, app_key: &str, partner: Option<&str>) -> Result<App> {
        let (key, partner) = (app_key.to_string(), partner.map(str::to_string));
        self.write(move |tx| apps::set_partner(tx, &key, partner.as_deref()))
    }

    fn create_user(&self, nick: &str, now_ms: i64) -> Result<User> {
        let nick = nick.to_string();
        self.write(move |tx| users::insert(tx, &nick, now_ms))
    }

    fn user_by_nick(&self, nick: &str) -> Result<User> {
        let nick = nick.to_string();
        self.read(move |tx| users::by_nick(tx, &nick))
    }

    fn users(&self) -> Result<Vec<User>> {
        self.read(users::list)
    }

    fn issue_session(&self, new: NewSession) -> Result<Session> {
        let expires_at_ms = new.validate()?;
        self.write(move |tx| sessions::issue(tx, new.clone(), expires_at_ms))
    }

    fn session(&self, key: &str) -> Result<Session> {
        let key = key.to_string();
        self.read(move |tx| sessions::get(tx, &key))
    }

    fn sessions(&self, app_key: Option<&str>) -> Result<Vec<Session>> {
        let key = app_key.map(str::to_string);
        self.read(move |tx| sessions::of_app(tx, key.as_deref()))
    }

    fn revoke_session(&self, key: &str) -> Result<Session> {
        let key = key.to_string();
        self.write(move |tx| sessions::revoke(tx, &key))
    }

    fn set_limit(&self, limit: Limit) -> Result<()> {
        limit.validate()?;
        self.write(move |tx| limits::set(tx, &limit))
    }

    fn limits(&self) -> Result<Vec<Limit>> {
        self.read(limits::list)
    }

    fn reset_counters(&self, app_key: &str, now_ms: i64) -> Result<i64> {
        let key = app_key.to_string();
        self.write(move |tx| limits::reset_counters(tx, &key, now_ms))
    }
}
