//! PostgreSQL schema migrations, mirroring SQLite's (`sqlite/schema.rs` for the registry,
//! `archive/schema.rs` for the archive) table for table and script for script: the same
//! tables, columns and constraints, with PostgreSQL's spelling where the two differ
//! (`users.id` is an identity column). Never edit a released script: append a new one, here and
//! on the SQLite side.
//!
//! Text keys are `COLLATE "C"`: they compare and sort byte by byte, as in SQLite and in Rust,
//! whatever the database's default collation.
//!
//! The `schema_version` table holds one row per store (`registry`, `archive`), so both may
//! share a database. Migrations run in one transaction under an advisory lock: nodes starting
//! at once wait for each other, and the one that comes second finds the work done.

use postgres::Client;

use super::conn::{Fail, R};
use crate::StoreError;

/// The registry's scripts; the same numbering as SQLite's.
pub(super) const REGISTRY: &[&str] = &[
    // 1: the registry.
    r#"
    CREATE TABLE meta (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        revision BIGINT NOT NULL
    );
    INSERT INTO meta (id, revision) VALUES (1, 0);

    CREATE TABLE apps (
        app_key       TEXT COLLATE "C" PRIMARY KEY,
        name          TEXT NOT NULL,
        secret        TEXT NOT NULL,
        enabled       BOOLEAN NOT NULL,
        partner       TEXT,
        created_at_ms BIGINT NOT NULL
    );

    CREATE TABLE app_grants (
        app_key TEXT COLLATE "C" NOT NULL REFERENCES apps (app_key) ON DELETE CASCADE,
        package TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (app_key, package)
    );

    CREATE TABLE users (
        id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        nick          TEXT COLLATE "C" NOT NULL UNIQUE,
        created_at_ms BIGINT NOT NULL
    );

    CREATE TABLE sessions (
        session_key   TEXT COLLATE "C" PRIMARY KEY,
        app_key       TEXT COLLATE "C" NOT NULL REFERENCES apps (app_key) ON DELETE CASCADE,
        user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at_ms BIGINT NOT NULL,
        revoked       BOOLEAN NOT NULL DEFAULT FALSE,
        created_at_ms BIGINT NOT NULL
    );
    CREATE INDEX sessions_app_key ON sessions (app_key);
    CREATE INDEX sessions_expires_at ON sessions (expires_at_ms);

    CREATE TABLE session_grants (
        session_key TEXT COLLATE "C" NOT NULL REFERENCES sessions (session_key) ON DELETE CASCADE,
        package     TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (session_key, package)
    );

    CREATE TABLE limits (
        scope      TEXT COLLATE "C" NOT NULL,
        subject    TEXT COLLATE "C" NOT NULL,
        per_day    BIGINT CHECK (per_day >= 0),
        per_second BIGINT CHECK (per_second >= 0),
        PRIMARY KEY (scope, subject),
        CHECK (per_day IS NOT NULL OR per_second IS NOT NULL)
    );
    "#,
    // 2: counter resets (`topgate app reset-counters`), applied by running gateways.
    r#"
    CREATE TABLE counter_resets (
        app_key     TEXT COLLATE "C" PRIMARY KEY REFERENCES apps (app_key) ON DELETE CASCADE,
        reset_at_ms BIGINT NOT NULL
    );
    "#,
];

/// The archive's scripts; the same numbering as SQLite's.
pub(super) const ARCHIVE: &[&str] = &[
    // 1: the calls. `params` is JSON text, as in SQLite (not JSONB: it must round-trip exactly).
    r#"
    CREATE TABLE calls (
        request_id         TEXT COLLATE "C" PRIMARY KEY,
        received_at_ms     BIGINT NOT NULL,
        client_addr        TEXT,
        http_method        TEXT NOT NULL,
        app_key            TEXT,
        method             TEXT,
        version            TEXT,
        format             TEXT,
        sign_method        TEXT,
        params             TEXT NOT NULL,
        failed_check       TEXT,
        check_detail       TEXT,
        string_to_sign     TEXT,
        code               BIGINT,
        sub_code           TEXT,
        response_body      TEXT NOT NULL,
        latency_ms         DOUBLE PRECISION NOT NULL,
        backend            TEXT,
        backend_latency_ms DOUBLE PRECISION
    );
    CREATE INDEX calls_received_at ON calls (received_at_ms);
    CREATE INDEX calls_app_key_received_at ON calls (app_key, received_at_ms);
    CREATE INDEX calls_method ON calls (method);
    CREATE INDEX calls_code ON calls (code);
    "#,
    // 2: cheaper writes, as in SQLite: no method index, the code index for errors only.
    r#"
    DROP INDEX calls_method;
    DROP INDEX calls_code;
    CREATE INDEX calls_errors ON calls (code, received_at_ms) WHERE code IS NOT NULL;
    "#,
];

/// The advisory lock every topgate migration takes (an arbitrary constant: "topgate" in ASCII).
const LOCK_KEY: i64 = 0x0074_6f70_6761_7465;

/// Brings `component` (`"registry"` or `"archive"`) up to `scripts.len()`, in one transaction.
pub(super) fn migrate(client: &mut Client, component: &str, scripts: &[&str]) -> R<()> {
    let mut tx = client.transaction().map_err(Fail::NotStarted)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])?;
    let encoding: String = tx
        .query_one("SELECT current_setting('server_encoding')", &[])?
        .try_get(0)?;
    if encoding != "UTF8" {
        return Err(StoreError::Backend(format!(
            "the PostgreSQL database for the {component} uses the {encoding} encoding; topgate \
             needs UTF8: create it with CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0"
        ))
        .into());
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
             component TEXT PRIMARY KEY,
             version   BIGINT NOT NULL
         )",
    )?;
    let latest = scripts.len() as i64;
    let version: i64 = match tx.query_opt(
        "SELECT version FROM schema_version WHERE component = $1",
        &[&component],
    )? {
        Some(row) => row.try_get(0)?,
        None => 0,
    };
    if version > latest {
        return Err(StoreError::Backend(format!(
            "the PostgreSQL {component} has schema version {version}, newer than this topgate \
             understands ({latest}); upgrade topgate"
        ))
        .into());
    }
    if version < 0 {
        return Err(StoreError::Backend(format!(
            "the PostgreSQL {component} has an invalid schema version {version}; is it really a \
             topgate database?"
        ))
        .into());
    }
    for script in &scripts[version as usize..] {
        tx.batch_execute(script)?;
    }
    tx.execute(
        "INSERT INTO schema_version (component, version) VALUES ($1, $2)
         ON CONFLICT (component) DO UPDATE SET version = excluded.version",
        &[&component, &latest],
    )?;
    tx.commit()?;
    Ok(())
}
