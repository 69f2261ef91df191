//! ftbench: how Python's synchronization primitives scale on free-threaded CPython.
//!
//! Measurement (embedding, workload, runner, probes, child, sweep, supervise) writes plain records
//! ([`results`]); the analysis commands (report, compare, export) only read them. [`cmd`] is the
//! command line: it parses arguments, calls the modules below and prints what they return.

pub mod ab;
pub mod baseline;
pub mod child;
pub mod cmd;
pub mod compare;
pub mod config;
pub mod counters;
pub mod doctor;
pub mod embedding;
pub mod exit;
pub mod export;
pub mod fleet;
pub mod fsutil;
pub mod history;
pub mod looks;
pub mod measure;
pub mod owner;
pub mod paths;
pub mod probes;
pub mod report;
pub mod results;
pub mod runner;
pub mod runs;
pub mod selection;
pub mod stats;
pub mod stress;
pub mod supervise;
pub mod sweep;
#[doc(hidden)]
pub mod testing;
pub mod text;
pub mod venv;
pub mod workload;
