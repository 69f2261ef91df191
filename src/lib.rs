//! ftbench: how Python's synchronization primitives scale on free-threaded CPython.
//!
//! Measurement (embedding, workload, runner, probes, child, sweep) writes plain records
//! ([`results`]); the analysis commands (report, compare, export) only read them.

pub mod embedding;
pub mod fsutil;
pub mod paths;
pub mod results;
