//! topgate-store: the registry of apps, users, sessions, permission grants and flow-control
//! limits.
//!
//! Every backend implements the synchronous [`Registry`] trait; [`SqliteRegistry`] is the
//! embedded default. The gateway builds its in-memory snapshot from [`Registry::load`] and polls
//! [`Registry::revision`] to know when to rebuild it; the CLI administers the same store.
//!
//! Backends must pass [`conformance::conformance_suite`].

mod credentials;
mod error;
mod model;
mod registry;
mod sqlite;

#[doc(hidden)]
pub mod conformance;

pub use credentials::{generate_app_key, generate_secret, generate_session_key};
pub use error::{Result, StoreError};
pub use model::{App, Limit, LimitScope, NewApp, NewSession, RegistryData, Session, User};
pub use registry::{unix_now_ms, Registry, SESSION_GRACE_MS};
pub use sqlite::{SqliteRegistry, SCHEMA_VERSION};
