//! ftbench: how Python's synchronization primitives scale on free-threaded CPython.
//!
//! Measurement (embedding, workload, runner, probes, child, sweep) writes plain records
//! ([`results`]); the analysis commands (report, compare, export) only read them.

pub mod doctor;
pub mod embedding;
pub mod fsutil;
pub mod paths;
pub mod report;
pub mod results;
pub mod workload;
pub mod probes;
pub mod counters;
pub mod stats;
pub mod runner;
pub mod compare;
pub mod ab;
pub mod baseline;
pub mod export;
pub mod config;
pub mod measure;
pub mod child;
pub mod sweep;
pub mod bench;
pub mod stress;
pub mod cli;
