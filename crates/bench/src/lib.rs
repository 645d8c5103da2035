//! Benchmark-only tools behind `bench/run` (docs/performance.md): never shipped.
//!
//! - `topgate-load` ([`load`]): the load generator, sending signed TOP calls ([`pool`]).
//! - `bench-bare`, `bench-proxy`: the reference servers A and C ([`serve`], [`wire`]).
//! - `topgate-bench` ([`orch`]): starts every target pinned to its core, measures each in turn,
//!   and prints the comparison table.

pub mod load;
pub mod orch;
pub mod pool;
pub mod procfs;
pub mod serve;
pub mod wire;
