//! Schema migrations: an ordered list of SQL scripts; `PRAGMA user_version` records how many
//! have run. Never edit a released script: append a new one.
//!
//! The SQL sticks to plain types (TEXT, BIGINT, BOOLEAN) and standard constraints so that the
//! PostgreSQL schema can mirror it table for table. The one SQLite-specific choice:
//! `users.id INTEGER PRIMARY KEY` (SQLite's auto-assigned rowid); PostgreSQL uses
//! `BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY`.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    // 1: the registry.
    "
    CREATE TABLE meta (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        revision BIGINT NOT NULL
    );
    INSERT INTO meta (id, revision) VALUES (1, 0);

    CREATE TABLE apps (
        app_key       TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        secret        TEXT NOT NULL,
        enabled       BOOLEAN NOT NULL,
        partner       TEXT,
        created_at_ms BIGINT NOT NULL
    );

    CREATE TABLE app_grants (
        app_key TEXT NOT NULL REFERENCES apps (app_key) ON DELETE CASCADE,
        package TEXT NOT NULL,
        PRIMARY KEY (app_key, package)
    );

    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        nick          TEXT NOT NULL UNIQUE,
        created_at_ms BIGINT NOT NULL
    );

    CREATE TABLE sessions (
        session_key   TEXT PRIMARY KEY,
        app_key       TEXT NOT NULL REFERENCES apps (app_key) ON DELETE CASCADE,
        user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at_ms BIGINT NOT NULL,
        revoked       BOOLEAN NOT NULL DEFAULT FALSE,
        created_at_ms BIGINT NOT NULL
    );
    CREATE INDEX sessions_app_key ON sessions (app_key);
    CREATE INDEX sessions_expires_at ON sessions (expires_at_ms);

    CREATE TABLE session_grants (
        session_key TEXT NOT NULL REFERENCES sessions (session_key) ON DELETE CASCADE,
        package     TEXT NOT NULL,
        PRIMARY KEY (session_key, package)
    );

    CREATE TABLE limits (
        scope      TEXT NOT NULL,
        subject    TEXT NOT NULL,
        per_day    BIGINT CHECK (per_day >= 0),
        per_second BIGINT CHECK (per_second >= 0),
        PRIMARY KEY (scope, subject),
        CHECK (per_day IS NOT NULL OR per_second IS NOT NULL)
    );
    ",
    // 2: counter resets (`topgate app reset-counters`), applied by running gateways.
    "
    CREATE TABLE counter_resets (
        app_key     TEXT PRIMARY KEY REFERENCES apps (app_key) ON DELETE CASCADE,
        reset_at_ms BIGINT NOT NULL
    );
    ",
];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`]; each script runs in its own transaction
/// together with the `user_version` update, so a crash leaves a consistent version.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Backend(format!(
                "the registry database has schema version {version}, newer than this topgate \
                 understands ({SCHEMA_VERSION}); upgrade topgate"
            )));
        }
        if version < 0 {
            return Err(StoreError::Backend(format!(
                "the registry database has an invalid schema version {version}; is it really a \
                 topgate registry?"
            )));
        }
        let Some(script) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        tx.execute_batch(script)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}
