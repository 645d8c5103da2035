//! Test helpers (the `testing` feature): real PostgreSQL and Redis servers, started by the test
//! on free ports in temporary directories and stopped when dropped. Nothing assumes a running
//! service.
//!
//! When a server's binaries are not installed, `start` prints
//! `SKIPPED: ... not installed (scripts/test installs it)` and returns `None`, so the test can
//! return early; with `TOPGATE_REQUIRE_SERVERS=1` (which `scripts/test` sets, after installing
//! them) it panics instead, so that CI never skips silently.

mod pg;
mod redis;
mod redis_cluster;

pub use pg::PgServer;
pub use redis::RedisServer;
pub use redis_cluster::RedisCluster;

use std::net::TcpListener;
use std::path::PathBuf;

/// A port that was free a moment ago on 127.0.0.1 (bound, read and released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Says the server is missing: `None` to skip, or a panic when servers are required.
fn missing<T>(what: &str) -> Option<T> {
    if std::env::var_os("TOPGATE_REQUIRE_SERVERS").is_some_and(|v| v == "1") {
        panic!(
            "{what} is not installed but TOPGATE_REQUIRE_SERVERS=1; install it \
             (scripts/test does) or unset the variable"
        );
    }
    eprintln!("SKIPPED: {what} not installed (scripts/test installs it)");
    None
}

/// `name` in a directory of `$PATH` (as found: some programs, like `redis-server`, are links
/// whose name decides what they do).
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
