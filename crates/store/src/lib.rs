//! topgate-store: the registry of apps, users, sessions, permission grants and flow-control
//! limits.
//!
//! Every backend implements the synchronous [`Registry`] trait; [`SqliteRegistry`] is the
//! embedded default, [`PgRegistry`] the one many gateway nodes share ([`postgres`]). The
//! gateway builds its in-memory snapshot from [`Registry::load`] and polls
//! [`Registry::revision`] to know when to rebuild it; the CLI administers the same store.
//!
//! Backends must pass [`conformance::conformance_suite`].
//!
//! The call archive (every answered call, by request id) is [`archive`], with its own trait,
//! SQLite file and conformance suite.

pub mod archive;
mod credentials;
mod error;
mod files;
mod model;
pub mod postgres;
mod registry;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
pub mod conformance;

pub use crate::postgres::{PgArchive, PgRegistry};
pub use credentials::{generate_app_key, generate_secret, generate_session_key};
pub use error::{Result, StoreError};
pub use model::{App, Limit, LimitScope, NewApp, NewSession, RegistryData, Session, User};
pub use registry::{unix_now_ms, Registry, SESSION_GRACE_MS};
pub use sqlite::{SqliteRegistry, SCHEMA_VERSION};
