//! Where the registry and the archive live: the `[store]` table of the configuration file, and
//! opening what it names (migrations are applied on open). See `docs/deploy.md`.
//!
//! ```toml
//! [store]
//! registry = "sqlite"   # registry.db in the data directory (the default), or a PostgreSQL
//!                       # connection string shared by every node:
//!                       #   "postgres://topgate:PASSWORD@db.internal:5432/topgate"
//!                       #   "host=db.internal port=5432 user=topgate dbname=topgate"
//! archive = "sqlite"    # archive.db in the data directory (the default), or a PostgreSQL
//!                       # connection string (it may be the registry's database)
//! ```

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use topgate_store::archive::ArchiveStore;
use topgate_store::{PgArchive, PgRegistry, Registry, SqliteRegistry};

use crate::archive::{Archive, ArchiveSettings};
use crate::pipeline::Clock;

/// One store's backend.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Backend {
    /// A SQLite file in the data directory.
    #[default]
    Sqlite,
    /// A PostgreSQL database, by connection string (URL or `key=value` form).
    Postgres(String),
}

impl TryFrom<String> for Backend {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let s = s.trim();
        if s == "sqlite" {
            Ok(Backend::Sqlite)
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") || s.contains('=')
        {
            Ok(Backend::Postgres(s.to_string()))
        } else {
            // The value is not repeated: it may be a connection string holding a password.
            Err("expected \"sqlite\" or a PostgreSQL connection string \
                 (\"postgres://USER:PASSWORD@HOST:PORT/DBNAME\" or \
                 \"host=HOST port=PORT user=USER dbname=DBNAME\")"
                .to_string())
        }
    }
}

/// Never shows a connection string: it may hold a password.
impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::Sqlite => f.write_str("Sqlite"),
            Backend::Postgres(_) => f.write_str("Postgres(<connection string>)"),
        }
    }
}

/// The `[store]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    pub registry: Backend,
    pub archive: Backend,
}

/// Opens (and migrates) the registry the settings name.
pub fn open_registry(store: &StoreSettings, data_dir: &Path) -> anyhow::Result<Arc<dyn Registry>> {
    Ok(match &store.registry {
        Backend::Sqlite => Arc::new(SqliteRegistry::open(&crate::config::registry_path(
            data_dir,
        ))?),
        Backend::Postgres(url) => {
            Arc::new(PgRegistry::open(url).map_err(|e| anyhow::anyhow!("[store] registry: {e}"))?)
        }
    })
}

/// Opens (and migrates) the archive the settings name and starts its writer, unless the
/// archive is disabled.
pub fn open_archive(
    store: &StoreSettings,
    settings: &ArchiveSettings,
    data_dir: &Path,
    clock: Clock,
) -> anyhow::Result<Option<Arc<Archive>>> {
    match &store.archive {
        Backend::Sqlite => crate::archive::open(settings, data_dir, clock),
        Backend::Postgres(_) if !settings.enabled => Ok(None),
        Backend::Postgres(url) => {
            settings.validate()?;
            let db: Arc<dyn ArchiveStore> = Arc::new(
                PgArchive::open(url).map_err(|e| anyhow::anyhow!("[store] archive: {e}"))?,
            );
            Archive::start(db, settings.clone(), clock).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<StoreSettings, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn settings() {
        assert_eq!(parse("").unwrap(), StoreSettings::default());
        let s = parse(
            "registry = \"postgres://u:pw@db/topgate\"\narchive = \"host=db user=u dbname=a\"",
        )
        .unwrap();
        assert_eq!(
            s.registry,
            Backend::Postgres("postgres://u:pw@db/topgate".into())
        );
        assert_eq!(
            s.archive,
            Backend::Postgres("host=db user=u dbname=a".into())
        );
        assert!(
            !format!("{s:?}").contains("pw"),
            "Debug hides connection strings"
        );
        let e = parse("registry = \"mysql://u:pw@db\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"sqlite\" or a PostgreSQL"), "{e}");
        assert!(
            parse("registy = \"sqlite\"").is_err(),
            "unknown keys are refused"
        );
    }
}
