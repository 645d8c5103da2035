//! The embedded SQLite registry.

mod apps;
mod limits;
mod schema;
mod sessions;
mod users;

use std::path::Path;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use schema::SCHEMA_VERSION;

use crate::{
    App, Limit, NewApp, NewSession, Registry, RegistryData, Result, Session, StoreError, User,
    SESSION_GRACE_MS,
};

/// The registry in one SQLite file (WAL mode, foreign keys on, 5 s busy timeout, so the CLI and
/// a running server can share it).
///
/// App secrets are stored as is, not hashed: the gateway needs them to verify HMAC/MD5
/// signatures. On Unix the file is therefore created with mode 0600 (SQLite gives its `-wal`
/// and `-shm` files the same mode); keep the data directory private too.
pub struct SqliteRegistry {
    conn: Mutex<Connection>,
}

impl SqliteRegistry {
    /// Opens (creating it, and its parent directories, if needed) and migrates the database.
    pub fn open(path: &Path) -> Result<Self> {
        crate::files::create_private_file("registry", path)?;
        let conn = Connection::open(path).map_err(|e| {
            StoreError::Backend(format!(
                "cannot open the registry database {}: {e}; check the path and its permissions",
                path.display()
            ))
        })?;
        Self::init(conn, true)
    }

    /// A private, empty, migrated in-memory database (tests, throwaway demos).
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?, false)
    }

    fn init(mut conn: Connection, file: bool) -> Result<Self> {
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        if file {
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Backend(format!(
                    "could not switch the registry database to WAL mode (it is in {mode:?} mode); \
                     put it on a local file system"
                )));
            }
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        schema::migrate(&mut conn)?;
        Ok(SqliteRegistry {
            conn: Mutex::new(conn),
        })
    }

    /// Runs `f` in a read transaction, so multi-statement reads see one consistent state.
    fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a write transaction (taking the write lock up front, so concurrent writers
    /// wait for the busy timeout instead of failing) and bumps the revision in it.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.execute("UPDATE meta SET revision = revision + 1 WHERE id = 1", [])?;
        tx.commit()?;
        Ok(out)
    }
}

fn revision(conn: &Connection) -> Result<i64> {
    let mut stmt = conn.prepare_cached("SELECT revision FROM meta WHERE id = 1")?;
    Ok(stmt.query_row([], |row| row.get(0))?)
}

impl Registry for SqliteRegistry {
    fn revision(&self) -> Result<i64> {
        revision(&self.conn.lock())
    }

    fn load(&self, now_ms: i64) -> Result<RegistryData> {
        let min_expiry = now_ms.saturating_sub(SESSION_GRACE_MS);
        self.read(|tx| {
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
        self.write(|tx| apps::insert(tx, new, now_ms))
    }

    fn app(&self, app_key: &str) -> Result<App> {
        self.read(|tx| apps::get(tx, app_key))
    }

    fn apps(&self) -> Result<Vec<App>> {
        self.read(|tx| apps::list(tx))
    }

    fn set_app_enabled(&self, app_key: &str, enabled: bool) -> Result<App> {
        self.write(|tx| apps::set_enabled(tx, app_key, enabled))
    }

    fn grant(&self, app_key: &str, package: &str) -> Result<App> {
        self.write(|tx| apps::grant(tx, app_key, package))
    }

    fn revoke(&self, app_key: &str, package: &str) -> Result<App> {
        self.write(|tx| apps::revoke(tx, app_key, package))
    }

    fn rotate_secret(&self, app_key: &str) -> Result<App> {
        self.write(|tx| apps::rotate_secret(tx, app_key))
    }

    fn set_partner(&self, app_key: &str, partner: Option<&str>) -> Result<App> {
        self.write(|tx| apps::set_partner(tx, app_key, partner))
    }

    fn create_user(&self, nick: &str, now_ms: i64) -> Result<User> {
        self.write(|tx| users::insert(tx, nick, now_ms))
    }

    fn user_by_nick(&self, nick: &str) -> Result<User> {
        self.read(|tx| users::by_nick(tx, nick))
    }

    fn users(&self) -> Result<Vec<User>> {
        self.read(|tx| users::list(tx))
    }

    fn issue_session(&self, new: NewSession) -> Result<Session> {
        let expires_at_ms = new.validate()?;
        self.write(|tx| sessions::issue(tx, new, expires_at_ms))
    }

    fn session(&self, key: &str) -> Result<Session> {
        self.read(|tx| sessions::get(tx, key))
    }

    fn sessions(&self, app_key: Option<&str>) -> Result<Vec<Session>> {
        self.read(|tx| sessions::of_app(tx, app_key))
    }

    fn revoke_session(&self, key: &str) -> Result<Session> {
        self.write(|tx| sessions::revoke(tx, key))
    }

    fn set_limit(&self, limit: Limit) -> Result<()> {
        limit.validate()?;
        self.write(|tx| limits::set(tx, &limit))
    }

    fn limits(&self) -> Result<Vec<Limit>> {
        self.read(|tx| limits::list(tx))
    }

    fn reset_counters(&self, app_key: &str, now_ms: i64) -> Result<i64> {
        self.write(|tx| limits::reset_counters(tx, app_key, now_ms))
    }
}
