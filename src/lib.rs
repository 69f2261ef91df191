//! ftbench: how Python's synchronization primitives scale on free-threaded CPython.
//!
//! Measurement (embedding, workload, runner, probes, child, sweep, supervise) writes plain records
//! ([`results`]); the analysis commands (report, compare, export) only read them.

pub mod ab;
pub mod baseline;
pub mod bench;
pub mod child;
pub mod cli;
pub mod compare;
pub mod config;
pub mod counters;
pub mod doctor;
pub mod embedding;
pub mod export;
pub mod fsutil;
pub mod measure;
pub mod paths;
pub mod probes;
pub mod report;
pub mod results;
pub mod runner;
pub mod stats;
pub mod stress;
pub mod supervise;
pub mod sweep;
#[doc(hidden)]
pub mod testing;
pub mod text;
pub mod workload;
