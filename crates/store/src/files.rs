//! Database files: created before SQLite opens them, readable by their owner only (the
//! registry holds app secrets, the archive holds what callers sent).

use std::path::Path;

use crate::{Result, StoreError};

/// Creates `path` (and its directory) with mode 0600 when it does not exist yet; `what` names
/// the database in the error ("registry", "archive").
#[cfg(unix)]
pub(crate) fn create_private_file(what: &str, path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    create_parent(path)?;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Backend(format!(
            "cannot create the {what} database {}: {e}; check that its directory is writable",
            path.display()
        ))),
    }
}

#[cfg(not(unix))]
pub(crate) fn create_private_file(_what: &str, path: &Path) -> Result<()> {
    create_parent(path)
}

fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!(
                "cannot create the directory {}: {e}; create it or choose another path",
                dir.display()
            ))
        }),
        _ => Ok(()),
    }
}
