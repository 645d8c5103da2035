//! The store's error type. Messages are meant for an operator: each says what to do.

/// The result of every store operation.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The app, user or session does not exist.
    #[error("no {kind} `{id}`: check the spelling (`topgate {kind} list` shows them) or create it first")]
    NotFound { kind: &'static str, id: String },
    /// The thing to create exists already; the message says which and what to do.
    #[error("{0}")]
    Conflict(String),
    /// The input is malformed; the message says which field and how to fix it.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The database failed (I/O, locking, corruption, an unexpected schema).
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    pub(crate) fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        StoreError::NotFound {
            kind,
            id: id.into(),
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        StoreError::Invalid(msg.into())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let hint = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                "another process kept the database locked for more than 5 s; retry, and check \
                 for a stuck `topgate` process"
            }
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
                "check that the database file and its directory are writable by this user"
            }
            Some(ErrorCode::DiskFull) => "free some disk space and retry",
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                "the file is not a healthy topgate registry; restore it from a backup"
            }
            _ => "check the database file (path, permissions, free space) and retry",
        };
        StoreError::Backend(format!("{e}; {hint}"))
    }
}
