//! The embedded SQLite archive: `archive.db` in the data directory.

use std::path::Path;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OpenFlags, Row, TransactionBehavior};

use super::{schema, ArchiveQuery, ArchiveStore, CallRecord};
use crate::{Result, StoreError};

/// Rows deleted per transaction when pruning, so a large prune never holds the write lock for
/// long.
const PRUNE_CHUNK: usize = 5_000;

const COLUMNS: &str = "request_id, received_at_ms, client_addr, http_method, app_key, method, \
    version, format, sign_method, params, failed_check, check_detail, string_to_sign, code, \
    sub_code, response_body, latency_ms, backend, backend_latency_ms";

/// The archive in one SQLite file (WAL mode, 5 s busy timeout), with a second connection for
/// reads so that readers (the CLI, the admin API) never wait for the gateway's batches.
///
/// Records hold request parameters (sessions masked) and response bodies; on Unix the file is
/// created with mode 0600.
pub struct SqliteArchive {
    writer: Mutex<Connection>,
    reader: Option<Mutex<Connection>>,
}

impl SqliteArchive {
    /// Opens (creating it, and its parent directories, if needed) and migrates the archive.
    pub fn open(path: &Path) -> Result<Self> {
        crate::files::create_private_file("archive", path)?;
        let cannot_open = |e: rusqlite::Error| {
            StoreError::Backend(format!(
                "cannot open the archive database {}: {e}; check the path and its permissions",
                path.display()
            ))
        };
        let mut writer = Connection::open(path).map_err(cannot_open)?;
        writer
            .busy_timeout(Duration::from_secs(5))
            .map_err(db_error)?;
        let mode: String = writer
            .pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))
            .map_err(db_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend(format!(
                "could not switch the archive database to WAL mode (it is in {mode:?} mode); \
                 put it on a local file system"
            )));
        }
        writer
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(db_error)?;
        writer
            .pragma_update(None, "wal_autocheckpoint", 10000)
            .map_err(db_error)?;
        schema::migrate(&mut writer)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let reader = Connection::open_with_flags(path, flags).map_err(cannot_open)?;
        reader
            .busy_timeout(Duration::from_secs(5))
            .map_err(db_error)?;
        Ok(SqliteArchive {
            writer: Mutex::new(writer),
            reader: Some(Mutex::new(reader)),
        })
    }

    /// A private, empty, migrated in-memory archive (tests).
    pub fn open_in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory().map_err(db_error)?;
        schema::migrate(&mut conn)?;
        Ok(SqliteArchive {
            writer: Mutex::new(conn),
            reader: None,
        })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let conn = match &self.reader {
            Some(reader) => reader.lock(),
            None => self.writer.lock(),
        };
        f(&conn).map_err(db_error)
    }
}

impl ArchiveStore for SqliteArchive {
    fn write_batch(&self, records: &[CallRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut conn = self.writer.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_error)?;
        {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT OR REPLACE INTO calls ({COLUMNS}) VALUES \
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
                ))
                .map_err(db_error)?;
            for r in records {
                let params_json = serde_json::to_string(&r.params)
                    .map_err(|e| StoreError::invalid(format!("params of {}: {e}", r.request_id)))?;
                insert
                    .execute(params![
                        r.request_id,
                        r.received_at_ms,
                        r.client_addr,
                        r.http_method,
                        r.app_key,
                        r.method,
                        r.version,
                        r.format,
                        r.sign_method,
                        params_json,
                        r.failed_check,
                        r.check_detail,
                        r.string_to_sign,
                        r.code,
                        r.sub_code,
                        r.response_body,
                        r.latency_ms,
                        r.backend,
                        r.backend_latency_ms,
                    ])
                    .map_err(db_error)?;
            }
        }
        tx.commit().map_err(db_error)
    }

    fn get(&self, request_id: &str) -> Result<Option<CallRecord>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM calls WHERE request_id = ?1"
            ))?;
            let mut rows = stmt.query([request_id])?;
            rows.next()?.map(record).transpose()
        })
    }

    fn search(&self, q: &ArchiveQuery) -> Result<Vec<CallRecord>> {
        let mut clauses: Vec<&str> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let mut filter = |clause: &'static str, value: Value| {
            clauses.push(clause);
            args.push(value);
        };
        if let Some(k) = &q.app_key {
            filter("app_key = ?", Value::Text(k.clone()));
        }
        if let Some(m) = &q.method {
            filter("method = ?", Value::Text(m.clone()));
        }
        if let Some(c) = q.code {
            filter("code = ?", Value::Integer(c));
        }
        if let Some(t) = q.since_ms {
            filter("received_at_ms >= ?", Value::Integer(t));
        }
        if let Some(t) = q.until_ms {
            filter("received_at_ms < ?", Value::Integer(t));
        }
        if q.errors_only {
            clauses.push("code IS NOT NULL");
        }
        let limit = i64::try_from(q.effective_limit()).unwrap_or(i64::MAX);
        args.push(Value::Integer(limit));
        let mut sql = format!("SELECT {COLUMNS} FROM calls");
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY received_at_ms DESC, request_id DESC LIMIT ?");
        self.read(|conn| {
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), record)?;
            rows.collect()
        })
    }

    fn prune(&self, older_than_ms: i64) -> Result<usize> {
        let mut total = 0;
        loop {
            let deleted = self
                .writer
                .lock()
                .execute(
                    "DELETE FROM calls WHERE rowid IN \
                     (SELECT rowid FROM calls WHERE received_at_ms < ?1 LIMIT ?2)",
                    params![older_than_ms, PRUNE_CHUNK as i64],
                )
                .map_err(db_error)?;
            total += deleted;
            if deleted < PRUNE_CHUNK {
                return Ok(total);
            }
        }
    }

    fn count(&self) -> Result<u64> {
        self.read(|conn| conn.query_row("SELECT COUNT(*) FROM calls", [], |row| row.get(0)))
    }
}

fn record(row: &Row<'_>) -> rusqlite::Result<CallRecord> {
    let params_json: String = row.get(9)?;
    let params = serde_json::from_str(&params_json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(CallRecord {
        request_id: row.get(0)?,
        received_at_ms: row.get(1)?,
        client_addr: row.get(2)?,
        http_method: row.get(3)?,
        app_key: row.get(4)?,
        method: row.get(5)?,
        version: row.get(6)?,
        format: row.get(7)?,
        sign_method: row.get(8)?,
        params,
        failed_check: row.get(10)?,
        check_detail: row.get(11)?,
        string_to_sign: row.get(12)?,
        code: row.get(13)?,
        sub_code: row.get(14)?,
        response_body: row.get(15)?,
        latency_ms: row.get(16)?,
        backend: row.get(17)?,
        backend_latency_ms: row.get(18)?,
    })
}

/// A SQLite error as the operator should read it: what failed and what to do.
pub(super) fn db_error(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let hint = match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "another process kept the archive locked for more than 5 s; retry, and check for a \
             stuck `topgate` process"
        }
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
            "check that archive.db and its directory are writable by this user"
        }
        Some(ErrorCode::DiskFull) => "free some disk space (or shorten the archive's retention)",
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            "the file is not a healthy topgate archive; move it aside and the gateway starts a \
             new one"
        }
        _ => "check the archive database file (path, permissions, free space) and retry",
    };
    StoreError::Backend(format!("archive: {e}; {hint}"))
}
