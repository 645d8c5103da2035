//! The call archive: every answered call as a [`CallRecord`], found again by its request id
//! (DESIGN.md "The archive": the response is the evidence).
//!
//! Every backend implements the synchronous [`ArchiveStore`] trait; [`SqliteArchive`] is the
//! embedded default (`archive.db` in the data directory, separate from the registry). The
//! gateway writes in batches from a thread of its own; the CLI and the admin API read.
//!
//! Backends must pass [`archive_conformance::archive_conformance_suite`].

mod record;
mod schema;
mod sqlite;

#[doc(hidden)]
pub mod archive_conformance;

pub use record::CallRecord;
pub use schema::ARCHIVE_SCHEMA_VERSION;
pub use sqlite::SqliteArchive;

/// The number of records [`ArchiveStore::search`] returns when [`ArchiveQuery::limit`] is 0.
pub const DEFAULT_LIMIT: usize = 50;

/// What to look for in the archive. Every filter is optional; they combine with AND. Results
/// are newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveQuery {
    pub app_key: Option<String>,
    pub method: Option<String>,
    /// The response's `code` (a platform code like 25, or a product line's like 530).
    pub code: Option<i64>,
    /// Only error responses (any code).
    pub errors_only: bool,
    /// Received at or after this instant (epoch ms).
    pub since_ms: Option<i64>,
    /// Received strictly before this instant (epoch ms).
    pub until_ms: Option<i64>,
    /// At most this many records; 0 reads as [`DEFAULT_LIMIT`].
    pub limit: usize,
}

impl Default for ArchiveQuery {
    fn default() -> Self {
        ArchiveQuery {
            app_key: None,
            method: None,
            code: None,
            errors_only: false,
            since_ms: None,
            until_ms: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl ArchiveQuery {
    /// The limit to apply: [`ArchiveQuery::limit`], or [`DEFAULT_LIMIT`] when it is 0.
    pub fn effective_limit(&self) -> usize {
        if self.limit == 0 {
            DEFAULT_LIMIT
        } else {
            self.limit
        }
    }

    /// Whether `r` passes every filter (the reference semantics; backends filter in the
    /// database).
    pub fn matches(&self, r: &CallRecord) -> bool {
        self.app_key
            .as_ref()
            .is_none_or(|k| r.app_key.as_ref() == Some(k))
            && self
                .method
                .as_ref()
                .is_none_or(|m| r.method.as_ref() == Some(m))
            && self.code.is_none_or(|c| r.code == Some(c))
            && (!self.errors_only || r.is_error())
            && self.since_ms.is_none_or(|t| r.received_at_ms >= t)
            && self.until_ms.is_none_or(|t| r.received_at_ms < t)
    }
}

/// Where archived calls are kept. Implementations are shared between threads; each call is
/// synchronous (the gateway calls them from its archive thread, never on the request path).
pub trait ArchiveStore: Send + Sync {
    /// Stores `records` in one transaction: all or none. Writing a request id that is already
    /// stored replaces it, so a retried batch is harmless.
    fn write_batch(&self, records: &[CallRecord]) -> crate::Result<()>;

    /// The record of one call, or `None` when the id is unknown (never stored, sampled out, or
    /// pruned).
    fn get(&self, request_id: &str) -> crate::Result<Option<CallRecord>>;

    /// The records matching `q`, newest first (ties broken by request id, descending), at most
    /// [`ArchiveQuery::effective_limit`].
    fn search(&self, q: &ArchiveQuery) -> crate::Result<Vec<CallRecord>>;

    /// Deletes the records received before `older_than_ms`; returns how many.
    fn prune(&self, older_than_ms: i64) -> crate::Result<usize>;

    /// How many records are stored.
    fn count(&self) -> crate::Result<u64>;
}
