//! `/admin/requests...`: the call archive, by request id and by filters. A record is the
//! archive's [`CallRecord`] as JSON (what `topgate archive show --json` prints, and what
//! `topgate diagnose --request-id` reads).
//!
//! [`CallRecord`]: topgate_store::archive::CallRecord

use std::sync::Arc;

use http::StatusCode;
use topgate_store::archive::{ArchiveQuery, ArchiveStore};

use super::http::{ok, param, Answer, ApiError};
use super::AdminState;

/// The most records one search returns.
pub const MAX_LIMIT: usize = 10_000;

fn archive(s: &AdminState) -> Result<&Arc<dyn ArchiveStore>, ApiError> {
    s.archive.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "this gateway keeps no archive ([archive] enabled = false)",
        )
    })
}

/// `GET /admin/requests/{id}`: the record, or 404.
pub(super) fn get(s: &AdminState, id: &str) -> Answer {
    match archive(s)?.get(id.trim())? {
        Some(record) => ok(&record),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no call with request id {id} in the archive: successes may be sampled out \
                 ([archive] success_sample_rate), records older than the retention are pruned \
                 ([archive] retention_days), and a call is only in the archive of the gateway \
                 that answered it"
            ),
        )),
    }
}

/// `GET /admin/requests?app=&method=&code=&errors=&since_ms=&until_ms=&limit=`: newest first.
pub(super) fn search(s: &AdminState, query: &[(String, String)]) -> Answer {
    let errors = match param::<String>(query, "errors")?.as_deref() {
        None | Some("false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "query parameter errors={other:?}: give true or false"
            )))
        }
    };
    let limit = param::<usize>(query, "limit")?.unwrap_or(0);
    if limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit={limit}: at most {MAX_LIMIT} records per search; narrow it with since_ms and \
             until_ms"
        )));
    }
    let q = ArchiveQuery {
        app_key: param(query, "app")?,
        method: param(query, "method")?,
        code: param(query, "code")?,
        errors_only: errors,
        since_ms: param(query, "since_ms")?,
        until_ms: param(query, "until_ms")?,
        limit,
    };
    ok(&archive(s)?.search(&q)?)
}
