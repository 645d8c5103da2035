//! The `[admin]` table of the configuration file, and the admin token.
//!
//! ```toml
//! [admin]
//! enabled = true               # false (or listen = "off") runs no admin listener
//! listen = "127.0.0.1:8081"    # loopback by default: put a proxy with TLS in front to expose it
//! token = "..."                # else $TOPGATE_ADMIN_TOKEN, else generated at each start and
//!                              # written to <data_dir>/admin.token (mode 0600)
//! metrics_public = false       # true: GET /metrics without the token (for a scraper without one)
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

/// Where the admin API listens, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Listen {
    Off,
    On(SocketAddr),
}

impl Default for Listen {
    fn default() -> Self {
        Listen::On(SocketAddr::from(([127, 0, 0, 1], 8081)))
    }
}

impl FromStr for Listen {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") {
            return Ok(Listen::Off);
        }
        s.parse().map(Listen::On).map_err(|_| {
            format!("{s:?} is neither an address like 127.0.0.1:8081 nor `off` (no admin API)")
        })
    }
}

impl TryFrom<String> for Listen {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

/// The `[admin]` table.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminSettings {
    pub enabled: bool,
    pub listen: Listen,
    /// The bearer token; never logged (`Debug` hides it).
    pub token: Option<String>,
    /// Serve `GET /metrics` without the token.
    pub metrics_public: bool,
}

impl Default for AdminSettings {
    fn default() -> Self {
        AdminSettings {
            enabled: true,
            listen: Listen::default(),
            token: None,
            metrics_public: false,
        }
    }
}

impl fmt::Debug for AdminSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminSettings")
            .field("enabled", &self.enabled)
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("metrics_public", &self.metrics_public)
            .finish()
    }
}

impl AdminSettings {
    /// The address to listen on, `None` when the admin API is off. `over` (`--admin-listen`)
    /// wins over the file.
    pub fn address(&self, over: Option<Listen>) -> Option<SocketAddr> {
        match over.unwrap_or(self.listen) {
            Listen::On(addr) if self.enabled || over.is_some() => Some(addr),
            _ => None,
        }
    }
}

/// The token file in a data directory (written when the token is generated).
pub fn token_path(data_dir: &Path) -> PathBuf {
    data_dir.join("admin.token")
}

/// Where the token came from, for the log line at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Config,
    Env,
    /// Generated and written to this file.
    File(PathBuf),
}

/// The token: `[admin] token`, else `env_token` ($TOPGATE_ADMIN_TOKEN), else a new random one
/// written to `<data_dir>/admin.token` (mode 0600). A token file left from an earlier start is
/// removed when the token comes from elsewhere, so that the CLI does not send a stale one.
pub fn resolve_token(
    settings: &AdminSettings,
    env_token: Option<String>,
    data_dir: &Path,
) -> anyhow::Result<(String, TokenSource)> {
    let path = token_path(data_dir);
    let given = match (&settings.token, env_token.filter(|t| !t.trim().is_empty())) {
        (Some(t), _) => Some((t.trim().to_owned(), TokenSource::Config)),
        (None, Some(t)) => Some((t.trim().to_owned(), TokenSource::Env)),
        (None, None) => None,
    };
    if let Some((token, source)) = given {
        anyhow::ensure!(
            !token.is_empty(),
            "[admin] token is empty: give a long random string, or remove the key to have one \
             generated at start"
        );
        if token.len() < 16 {
            tracing::warn!("the admin token is shorter than 16 characters; use a longer one");
        }
        if path.exists() {
            let _ = std::fs::remove_file(&path);
        }
        return Ok((token, source));
    }
    let token: String = rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    write_private(&path, &token).map_err(|e| {
        anyhow::anyhow!(
            "cannot write the admin token to {}: {e}; check that the data directory is \
             writable, or set [admin] token or TOPGATE_ADMIN_TOKEN",
            path.display()
        )
    })?;
    Ok((token, TokenSource::File(path)))
}

/// Writes `text` to a file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_tokens() {
        let s: AdminSettings = toml::from_str("listen = \"off\"").unwrap();
        assert_eq!(s.address(None), None);
        let on = Some(Listen::On("127.0.0.1:0".parse().unwrap()));
        assert!(s.address(on).is_some(), "--admin-listen wins");
        let s: AdminSettings = toml::from_str("token = \"sekret-sekret-sekret\"").unwrap();
        assert_eq!(s.address(None), Some("127.0.0.1:8081".parse().unwrap()));
        assert!(!format!("{s:?}").contains("sekret"));
        assert!(toml::from_str::<AdminSettings>("listen = \"nowhere\"").is_err());

        let dir = tempfile::tempdir().unwrap();
        let (t, source) = resolve_token(&AdminSettings::default(), None, dir.path()).unwrap();
        assert_eq!(t.len(), 32);
        assert_eq!(source, TokenSource::File(token_path(dir.path())));
        let written = std::fs::read_to_string(token_path(dir.path())).unwrap();
        assert_eq!(written.trim(), t);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(token_path(dir.path()))
                .unwrap()
                .permissions();
            assert_eq!(mode.mode() & 0o777, 0o600);
        }
        let (t, source) = resolve_token(
            &AdminSettings::default(),
            Some("from-env".into()),
            dir.path(),
        )
        .unwrap();
        assert_eq!((t.as_str(), source), ("from-env", TokenSource::Env));
        assert!(!token_path(dir.path()).exists(), "the stale file is gone");
        let (t, source) = resolve_token(&s, Some("from-env".into()), dir.path()).unwrap();
        assert_eq!(
            (t.as_str(), source),
            ("sekret-sekret-sekret", TokenSource::Config)
        );
    }
}
