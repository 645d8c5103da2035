//! The archive database's schema migrations, separate from the registry's: an ordered list of
//! SQL scripts; `PRAGMA user_version` records how many have run. Never edit a released script:
//! append a new one.
//!
//! Plain types (TEXT, BIGINT, DOUBLE PRECISION) so that a PostgreSQL archive can mirror the
//! table. `params` is JSON text: a list of `[name, value]` pairs, in the order received.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    // 1: the calls.
    "
    CREATE TABLE calls (
        request_id         TEXT PRIMARY KEY,
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
    ",
    // 2: cheaper writes. Every index is a b-tree insert per record on the archive thread;
    // searches by code are searches for errors, so that index holds errors only (a success
    // costs it nothing), and searches by method scan by time (newest first, stopping at the
    // limit) instead of keeping an index that every success pays for.
    "
    DROP INDEX calls_method;
    DROP INDEX calls_code;
    CREATE INDEX calls_errors ON calls (code, received_at_ms) WHERE code IS NOT NULL;
    ",
];

/// The archive schema version this build creates and understands.
pub const ARCHIVE_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`ARCHIVE_SCHEMA_VERSION`]; each script runs in its own
/// transaction together with the `user_version` update.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(super::sqlite::db_error)?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(super::sqlite::db_error)?;
        if version > ARCHIVE_SCHEMA_VERSION {
            return Err(StoreError::Backend(format!(
                "the archive database has schema version {version}, newer than this topgate \
                 understands ({ARCHIVE_SCHEMA_VERSION}); upgrade topgate"
            )));
        }
        if version < 0 {
            return Err(StoreError::Backend(format!(
                "the archive database has an invalid schema version {version}; is it really a \
                 topgate archive?"
            )));
        }
        let Some(script) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        tx.execute_batch(script).map_err(super::sqlite::db_error)?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(super::sqlite::db_error)?;
        tx.commit().map_err(super::sqlite::db_error)?;
    }
}
