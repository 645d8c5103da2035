//! The API catalog (`docs/catalog.md`): a TOML file declaring each API, its product line,
//! backend, session need, permission package, parameters, business rules, timeout and limits.
//!
//! - [`Catalog::parse`] / [`Catalog::load`]: the file to a [`Catalog`], or *every* problem with
//!   its line and column ([`CatalogErrors`]).
//! - [`validate`]: pipeline step 7, a request's business parameters against an [`ApiSpec`].
//! - [`LiveCatalog`] and [`watch`]: reloading without a restart, atomically.
//! - [`check_file`]: what `topgate catalog check FILE` prints and exits with.

mod load;
mod model;
mod params;
mod reader;
mod validate;
mod watch;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;

pub use model::{
    ApiLimits, ApiSpec, BackendRef, Bound, HttpBackendSpec, ParamSpec, ParamType, Rule,
    SessionNeed, DEFAULT_MAX_IDLE, DEFAULT_TIMEOUT,
};
pub use validate::{list_items, validate, ParamFailure};
pub use watch::{watch, WatchHandle, POLL_INTERVAL};

/// A loaded catalog: every API by name, and the HTTP backends they may use.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub apis: HashMap<String, Arc<ApiSpec>>,
    pub backends: BTreeMap<String, HttpBackendSpec>,
}

impl Catalog {
    /// Parses catalog text; problems are labelled with the file name `catalog`.
    pub fn parse(text: &str) -> Result<Catalog, CatalogErrors> {
        load::parse(text, "catalog")
    }

    /// Parses catalog text; problems are labelled with `file`.
    pub fn parse_named(text: &str, file: &str) -> Result<Catalog, CatalogErrors> {
        load::parse(text, file)
    }

    /// Reads and parses a catalog file. An unreadable file is one problem at line 0.
    pub fn load(path: &Path) -> Result<Catalog, CatalogErrors> {
        let file = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => load::parse(&text, &file),
            Err(e) => Err(CatalogErrors(vec![CatalogProblem {
                file,
                line: 0,
                column: 0,
                message: format!("cannot read the catalog: {e}"),
            }])),
        }
    }

    pub fn api(&self, name: &str) -> Option<&Arc<ApiSpec>> {
        self.apis.get(name)
    }

    /// The number of APIs.
    pub fn len(&self) -> usize {
        self.apis.len()
    }

    pub fn is_empty(&self) -> bool {
        self.apis.is_empty()
    }

    /// API names in sorted order.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.apis.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// The timeout a call to `api` gets: its own, else its HTTP backend's, else
    /// [`DEFAULT_TIMEOUT`].
    pub fn timeout_for(&self, api: &ApiSpec) -> Duration {
        api.timeout
            .or_else(|| match &api.backend {
                BackendRef::Http(name) => self.backends.get(name).map(|b| b.timeout),
                BackendRef::Demo => None,
            })
            .unwrap_or(DEFAULT_TIMEOUT)
    }
}

/// One problem in a catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProblem {
    /// The file name (`catalog` for [`Catalog::parse`]).
    pub file: String,
    /// 1-based; 0 for a problem with the file as a whole (it cannot be read).
    pub line: usize,
    /// 1-based, in characters; 0 with line 0.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for CatalogProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// Every problem found in a catalog, in file order. Displays one per line,
/// `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogErrors(pub Vec<CatalogProblem>);

impl CatalogErrors {
    /// Whether the file could not be read at all (rather than read and found wrong).
    pub fn is_unreadable(&self) -> bool {
        self.0.iter().any(|p| p.line == 0)
    }
}

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogErrors {}

/// What `topgate catalog check FILE` prints and exits with: 0 clean, 1 problems found (one per
/// line, `FILE:LINE:COL: message`), 2 the file cannot be read.
pub fn check_file(path: &Path) -> (i32, String) {
    match Catalog::load(path) {
        Ok(c) => (
            0,
            format!(
                "{}: ok ({} APIs, {} HTTP backends)",
                path.display(),
                c.len(),
                c.backends.len()
            ),
        ),
        Err(e) if e.is_unreadable() => (2, e.to_string()),
        Err(e) => (1, e.to_string()),
    }
}

/// The live catalog: replaced atomically; a reader sees the old catalog or the new one, never
/// half of each.
pub struct LiveCatalog {
    inner: ArcSwap<Catalog>,
}

impl LiveCatalog {
    pub fn new(catalog: Catalog) -> Self {
        LiveCatalog {
            inner: ArcSwap::from_pointee(catalog),
        }
    }

    /// The current catalog. Hold it for a whole request to see one version throughout.
    pub fn current(&self) -> Arc<Catalog> {
        self.inner.load_full()
    }

    /// The current catalog's entry for `name` (cheap: no reference count on the catalog).
    pub fn api(&self, name: &str) -> Option<Arc<ApiSpec>> {
        self.inner.load().api(name).cloned()
    }

    pub fn replace(&self, catalog: Catalog) {
        self.inner.store(Arc::new(catalog));
    }
}

impl fmt::Debug for LiveCatalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveCatalog")
            .field("apis", &self.inner.load().len())
            .finish()
    }
}
