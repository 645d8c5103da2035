//! The configuration file (`topgate serve --config FILE`), TOML. Every key is optional.
//!
//! ```toml
//! listen = "127.0.0.1:8080"        # the TOP endpoint
//! data_dir = "/var/lib/topgate"    # registry.db, archive, counters; default below
//! catalog = "catalog.toml"         # the API catalog, relative to this file; --demo uses the demo catalog
//! max_body_bytes = 10485760        # larger bodies are refused with code 43
//! echo_args = true                 # echo the request's parameters in error bodies (`args`)
//! access_log = true                # one line per call (target topgate::access, level info)
//!
//! [admin]                          # the admin API and /metrics; see crate::admin and docs/admin-api.md
//! listen = "127.0.0.1:8081"        # or "off"; the token is [admin] token, $TOPGATE_ADMIN_TOKEN,
//!                                  # or generated into <data_dir>/admin.token
//!
//! [archive]                        # the call archive, archive.db in the data directory
//! retention_days = 7               # see crate::archive::ArchiveSettings and docs/archive.md
//!
//! [store]                          # where the registry and the archive live; docs/deploy.md
//! registry = "sqlite"              # or a PostgreSQL connection string ("postgres://...")
//! archive = "sqlite"               # or a PostgreSQL connection string
//!
//! [counters]                       # flow-control counters; docs/deploy.md
//! backend = "memory"               # or "redis://HOST:PORT", "redis+cluster://H1:P1,H2:P2"
//! on_failure = "open"              # Redis unreachable: "open", "closed" (code 10) or "local"
//! nodes = 3                        # gateway nodes (on_failure = "local": each enforces 1/nodes)
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub catalog: Option<PathBuf>,
    pub max_body_bytes: Option<usize>,
    pub echo_args: Option<bool>,
    /// Log one line per call (`topgate::access`, info); default true.
    pub access_log: Option<bool>,
    /// The admin API (`[admin]`; see [`crate::admin::AdminSettings`]).
    #[serde(default)]
    pub admin: crate::admin::AdminSettings,
    /// The call archive (`[archive]`; see [`crate::archive::ArchiveSettings`]).
    #[serde(default)]
    pub archive: crate::archive::ArchiveSettings,
    /// Where the registry and the archive live (`[store]`; see [`crate::stores`]).
    #[serde(default)]
    pub store: crate::stores::StoreSettings,
    /// Where the flow-control counters live (`[counters]`; see
    /// [`crate::limits::CounterSettings`]).
    #[serde(default)]
    pub counters: crate::limits::CounterSettings,
}

impl Config {
    /// Reads a configuration file; relative paths in it are taken relative to the file.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("cannot read the configuration {}: {e}", path.display())
        })?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("configuration {}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        if let Some(c) = &config.catalog {
            config.catalog = Some(base.join(c));
        }
        if let Some(d) = &config.data_dir {
            config.data_dir = Some(base.join(d));
        }
        Ok(config)
    }
}

/// The data directory when none is given: `$TOPGATE_DATA_DIR`, else `$XDG_DATA_HOME/topgate`,
/// else `~/.local/share/topgate`, else `./topgate-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("TOPGATE_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("topgate");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".local/share/topgate");
    }
    PathBuf::from("topgate-data")
}

/// The registry database inside a data directory.
pub fn registry_path(data_dir: &Path) -> PathBuf {
    data_dir.join("registry.db")
}
