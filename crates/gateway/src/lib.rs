//! The topgate gateway: a TOP-protocol API gateway.
//!
//! A request travels, in order, through:
//!
//! - [`server`]: HTTP; `/router/rest`, `/health`; the body bounded and buffered once.
//! - [`inbound`]: the HTTP request into a parameter set; the response form decided early.
//! - [`pipeline`]: **the request path, top to bottom in one place**: every platform check,
//!   then the catalog's parameter rules, then the backend.
//! - [`failure`]: why a call failed, and the one place a failure becomes a response body.
//! - [`backend`]: the built-in demo service and HTTP backends ([`http_backend`]).
//!
//! Flow control is [`limits`] (pipeline step 6).
//!
//! Around it: [`registry`] (the in-memory snapshot of apps, users and sessions, refreshed from
//! the store), [`catalog`] (the API catalog, reloaded atomically), [`record`] (the evidence of
//! each call), [`archive`] (every call's record kept, off the request path), [`request_id`],
//! [`stores`] (SQLite or PostgreSQL, from the configuration's `[store]`).
//!
//! For operators: [`admin`] (the admin API on a second, loopback listener: apps, users,
//! sessions, limits, the archive by request id) and [`metrics`] (Prometheus, a call observer
//! like the archive). Each call's log lines carry its request id (a `call` span).

pub mod admin;
pub mod archive;
pub mod backend;
pub mod catalog;
pub mod config;
pub mod demo;
pub mod demo_backend;
pub mod failure;
pub mod http_backend;
pub mod inbound;
pub mod launch;
pub mod limits;
pub mod metrics;
pub mod pipeline;
pub mod record;
pub mod registry;
pub mod request_id;
pub mod server;
pub mod stores;
