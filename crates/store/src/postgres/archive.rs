//! The call archive in PostgreSQL, shared by every gateway node.

use postgres::types::ToSql;
use postgres::{Client, Row};

use super::conn::{Fail, PgConn, R};
use super::schema;
use crate::archive::{ArchiveQuery, ArchiveStore, CallRecord};
use crate::{Result, StoreError};

/// Rows written per statement (one round trip each, through `unnest`).
const INSERT_CHUNK: usize = 1_000;

/// Rows deleted per statement when pruning, so that a large prune never holds locks for long.
const PRUNE_CHUNK: i64 = 5_000;

const COLUMNS: &str = "request_id, received_at_ms, client_addr, http_method, app_key, method, \
    version, format, sign_method, params, failed_check, check_detail, string_to_sign, code, \
    sub_code, response_body, latency_ms, backend, backend_latency_ms";

/// The archive in a PostgreSQL database (it may be the registry's). Two connections: the
/// gateway's batches never make a reader (the CLI, the admin API) wait.
///
/// PostgreSQL text cannot hold NUL characters: a NUL in a recorded field (a parameter value
/// sent as `%00`, a backend's binary answer) is stored as U+FFFD. Everything else round-trips
/// exactly.
pub struct PgArchive {
    writer: PgConn,
    reader: PgConn,
}

impl PgArchive {
    /// Connects to `url` (as [`crate::PgRegistry::open`]) and brings the schema up to date.
    pub fn open(url: &str) -> Result<Self> {
        let writer = PgConn::open(url, "archive")?;
        writer.run(true, |client| {
            schema::migrate(client, "archive", schema::ARCHIVE)
        })?;
        let reader = PgConn::open(url, "archive")?;
        Ok(PgArchive { writer, reader })
    }

    fn read<T: Send + 'static>(
        &self,
        f: impl FnMut(&mut Client) -> R<T> + Send + 'static,
    ) -> Result<T> {
        self.reader.run(true, f)
    }
}

/// The archive schema version this build creates and understands (the same as SQLite's).
pub const PG_ARCHIVE_SCHEMA_VERSION: i64 = schema::ARCHIVE.len() as i64;

fn text(s: &str) -> String {
    s.replace('\0', "\u{fffd}")
}

fn opt_text(s: &Option<String>) -> Option<String> {
    s.as_deref().map(text)
}

/// The records' columns, one array per column, for `INSERT ... SELECT * FROM unnest(...)`.
#[derive(Default)]
struct Columns {
    request_id: Vec<String>,
    received_at_ms: Vec<i64>,
    client_addr: Vec<Option<String>>,
    http_method: Vec<String>,
    app_key: Vec<Option<String>>,
    method: Vec<Option<String>>,
    version: Vec<Option<String>>,
    format: Vec<Option<String>>,
    sign_method: Vec<Option<String>>,
    params: Vec<String>,
    failed_check: Vec<Option<String>>,
    check_detail: Vec<Option<String>>,
    string_to_sign: Vec<Option<String>>,
    code: Vec<Option<i64>>,
    sub_code: Vec<Option<String>>,
    response_body: Vec<String>,
    latency_ms: Vec<f64>,
    backend: Vec<Option<String>>,
    backend_latency_ms: Vec<Option<f64>>,
}

impl Columns {
    fn push(&mut self, r: &CallRecord) -> Result<()> {
        let params = serde_json::to_string(&r.params)
            .map_err(|e| StoreError::invalid(format!("params of {}: {e}", r.request_id)))?;
        self.request_id.push(text(&r.request_id));
        self.received_at_ms.push(r.received_at_ms);
        self.client_addr.push(opt_text(&r.client_addr));
        self.http_method.push(text(&r.http_method));
        self.app_key.push(opt_text(&r.app_key));
        self.method.push(opt_text(&r.method));
        self.version.push(opt_text(&r.version));
        self.format.push(opt_text(&r.format));
        self.sign_method.push(opt_text(&r.sign_method));
        self.params.push(params);
        self.failed_check.push(opt_text(&r.failed_check));
        self.check_detail.push(opt_text(&r.check_detail));
        self.string_to_sign.push(opt_text(&r.string_to_sign));
        self.code.push(r.code);
        self.sub_code.push(opt_text(&r.sub_code));
        self.response_body.push(text(&r.response_body));
        self.latency_ms.push(r.latency_ms);
        self.backend.push(opt_text(&r.backend));
        self.backend_latency_ms.push(r.backend_latency_ms);
        Ok(())
    }

    fn args(&self) -> [&(dyn ToSql + Sync); 19] {
        [
            &self.request_id,
            &self.received_at_ms,
            &self.client_addr,
            &self.http_method,
            &self.app_key,
            &self.method,
            &self.version,
            &self.format,
            &self.sign_method,
            &self.params,
            &self.failed_check,
            &self.check_detail,
            &self.string_to_sign,
            &self.code,
            &self.sub_code,
            &self.response_body,
            &self.latency_ms,
            &self.backend,
            &self.backend_latency_ms,
        ]
    }
}

const INSERT: &str = "INSERT INTO calls (request_id, received_at_ms, client_addr, http_method, \
    app_key, method, version, format, sign_method, params, failed_check, check_detail, \
    string_to_sign, code, sub_code, response_body, latency_ms, backend, backend_latency_ms) \
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
    $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], \
    $13::text[], $14::bigint[], $15::text[], $16::text[], $17::float8[], $18::text[], \
    $19::float8[]) \
    ON CONFLICT (request_id) DO UPDATE SET received_at_ms = excluded.received_at_ms, \
    client_addr = excluded.client_addr, http_method = excluded.http_method, \
    app_key = excluded.app_key, method = excluded.method, version = excluded.version, \
    format = excluded.format, sign_method = excluded.sign_method, params = excluded.params, \
    failed_check = excluded.failed_check, check_detail = excluded.check_detail, \
    string_to_sign = excluded.string_to_sign, code = excluded.code, \
    sub_code = excluded.sub_code, response_body = excluded.response_body, \
    latency_ms = excluded.latency_ms, backend = excluded.backend, \
    backend_latency_ms = excluded.backend_latency_ms";

impl ArchiveStore for PgArchive {
    fn write_batch(&self, records: &[CallRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        // One statement may not touch a row twice: the last record of an id wins, as it
        // would writing them one by one.
        let mut last = std::collections::HashMap::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            last.insert(r.request_id.as_str(), i);
        }
        let mut chunks = Vec::new();
        for chunk in records.chunks(INSERT_CHUNK) {
            let mut columns = Columns::default();
            for r in chunk {
                let i = last[r.request_id.as_str()];
                if std::ptr::eq(r, &records[i]) {
                    columns.push(r)?;
                }
            }
            chunks.push(columns);
        }
        // Rewriting a batch replaces the same rows: safe to retry on a new connection.
        self.writer.run(true, move |client| {
            let mut tx = client.transaction().map_err(Fail::NotStarted)?;
            for columns in &chunks {
                tx.execute(INSERT, &columns.args())?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn get(&self, request_id: &str) -> Result<Option<CallRecord>> {
        let id = request_id.to_string();
        self.read(move |client| {
            client
                .query_opt(
                    &format!("SELECT {COLUMNS} FROM calls WHERE request_id = $1"),
                    &[&id],
                )?
                .map(|row| record(&row))
                .transpose()
        })
    }

    fn search(&self, q: &ArchiveQuery) -> Result<Vec<CallRecord>> {
        let q = q.clone();
        self.read(move |client| {
            let mut clauses: Vec<String> = Vec::new();
            let mut args: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
            let mut filter = |column: &str, op: &str, value: Box<dyn ToSql + Sync + Send>| {
                args.push(value);
                clauses.push(format!("{column} {op} ${}", args.len()));
            };
            if let Some(k) = &q.app_key {
                filter("app_key", "=", Box::new(k.clone()));
            }
            if let Some(m) = &q.method {
                filter("method", "=", Box::new(m.clone()));
            }
            if let Some(c) = q.code {
                filter("code", "=", Box::new(c));
            }
            if let Some(t) = q.since_ms {
                filter("received_at_ms", ">=", Box::new(t));
            }
            if let Some(t) = q.until_ms {
                filter("received_at_ms", "<", Box::new(t));
            }
            if q.errors_only {
                clauses.push("code IS NOT NULL".into());
            }
            let limit = i64::try_from(q.effective_limit()).unwrap_or(i64::MAX);
            args.push(Box::new(limit));
            let mut sql = format!("SELECT {COLUMNS} FROM calls");
            if !clauses.is_empty() {
                sql.push_str(" WHERE ");
                sql.push_str(&clauses.join(" AND "));
            }
            sql.push_str(&format!(
                " ORDER BY received_at_ms DESC, request_id DESC LIMIT ${}",
                args.len()
            ));
            let refs: Vec<&(dyn ToSql + Sync)> =
                args.iter().map(|a| &**a as &(dyn ToSql + Sync)).collect();
            client.query(&sql, &refs)?.iter().map(record).collect()
        })
    }

    fn prune(&self, older_than_ms: i64) -> Result<usize> {
        let mut total = 0;
        loop {
            let deleted = self.writer.run(true, move |client| {
                Ok(client.execute(
                    "DELETE FROM calls WHERE request_id IN \
                     (SELECT request_id FROM calls WHERE received_at_ms < $1 LIMIT $2)",
                    &[&older_than_ms, &PRUNE_CHUNK],
                )?)
            })?;
            total += deleted as usize;
            if deleted < PRUNE_CHUNK as u64 {
                return Ok(total);
            }
        }
    }

    fn count(&self) -> Result<u64> {
        self.read(|client| {
            let n: i64 = client
                .query_one("SELECT COUNT(*) FROM calls", &[])?
                .try_get(0)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

fn record(row: &Row) -> R<CallRecord> {
    let params_json: String = row.try_get(9)?;
    let params = serde_json::from_str(&params_json).map_err(|e| {
        Fail::Store(StoreError::Backend(format!(
            "archive: the params of a stored record are not valid JSON ({e}); was the row \
             edited by hand?"
        )))
    })?;
    Ok(CallRecord {
        request_id: row.try_get(0)?,
        received_at_ms: row.try_get(1)?,
        client_addr: row.try_get(2)?,
        http_method: row.try_get(3)?,
        app_key: row.try_get(4)?,
        method: row.try_get(5)?,
        version: row.try_get(6)?,
        format: row.try_get(7)?,
        sign_method: row.try_get(8)?,
        params,
        failed_check: row.try_get(10)?,
        check_detail: row.try_get(11)?,
        string_to_sign: row.try_get(12)?,
        code: row.try_get(13)?,
        sub_code: row.try_get(14)?,
        response_body: row.try_get(15)?,
        latency_ms: row.try_get(16)?,
        backend: row.try_get(17)?,
        backend_latency_ms: row.try_get(18)?,
    })
}
