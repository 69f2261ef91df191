//! The command layer: one file per `ftbench` subcommand, and [`bench`](mod@bench) for `cargo
//! bench`. Each holds its arguments and `run(args) -> Result<i32>` (the exit code), and is the only
//! place that reads a command line or prints a command's results; the modules below return data.

pub mod ab;
pub mod baseline;
pub mod bench;
pub mod compare;
pub mod doctor;
pub mod export;
pub mod fleet;
pub mod history;
pub mod new;
pub mod report;
pub mod run;
pub mod stress;
pub mod venv;

use clap::{Parser, Subcommand};

use crate::exit;
use crate::results::{RunResults, RunStatus};

#[derive(Parser, Debug)]
#[command(
    name = "ftbench",
    version,
    about = "How Python's synchronization primitives scale on free-threaded CPython",
    after_help = "The timed benchmark is `cargo bench` (or `ftbench bench`, the same sweep); its report lands in \
                  reports/<run-id>/. Verdicts and exit codes: docs/verdicts.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The timed sweep `cargo bench` runs: filters and options as criterion's (`ftbench bench --help`).
    Bench(bench::Args),
    /// Run and verify every workload for a fixed number of rounds (no timed window): a check, not
    /// a measurement (its rows have no interval to compare).
    #[command(name = "verify", alias = "run")]
    Run(run::Args),
    /// Re-render charts, summary.md and index.html of a run from its results.json.
    Report(report::Args),
    /// Compare two runs for throughput and scaling regressions (exit 1 on a regression, see --help).
    Compare(compare::Args),
    /// Measure two variants side by side (interpreters, venvs or workload folders) and compare them.
    Ab(ab::Args),
    /// Save or list named baselines.
    #[command(subcommand)]
    Baseline(baseline::Cmd),
    /// Write a run for github-action-benchmark or Bencher.
    Export(export::Args),
    /// Check an interpreter and modules against the free-threading checklist.
    Doctor(doctor::Args),
    /// Hammer workloads with short rounds (and jitter) under PYTHON_GIL=0 and =1.
    Stress(stress::Args),
    /// Write a new workload file from a working skeleton.
    New(new::Args),
    /// One report over runs from several machines: the answers that hold everywhere and where they flip.
    Fleet(fleet::Args),
    /// Make a venv of the suite's interpreter with your packages on top of the suite's (for `ab --base-venv`).
    Venv(venv::Args),
    /// A history of runs (one small file each): change points per series, attributed to a commit range, charted.
    #[command(subcommand)]
    History(history::Cmd),
}

/// The `ftbench` binary's main: returns the process exit code (2 for usage and input errors).
pub fn main() -> i32 {
    if let Some(code) = crate::child::run_if_child().or_else(crate::stress::run_if_child) {
        return code;
    }
    let outcome = match Cli::parse().command {
        Command::Bench(a) => bench::run_from_cli(a),
        Command::Run(a) => run::run(a),
        Command::Report(a) => report::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Ab(a) => ab::run(a),
        Command::Baseline(a) => baseline::run(a),
        Command::Export(a) => export::run(a),
        Command::Doctor(a) => doctor::run(a),
        Command::Stress(a) => stress::run(a),
        Command::New(a) => new::run(a),
        Command::Fleet(a) => fleet::run(a),
        Command::Venv(a) => venv::run(a),
        Command::History(a) => history::run(a),
    };
    outcome.unwrap_or_else(fail)
}

/// A command's error: its message on stderr, exit status 2.
fn fail(e: anyhow::Error) -> i32 {
    eprintln!("ftbench: error: {e:#}");
    exit::BAD_INPUT
}

/// A finished run's exit status (see [`crate::exit`]): 130 when the run was interrupted; 3 when
/// any workload failed (re-enabled the GIL, timed out, crashed, errored, raised, broke its
/// invariant); 0 otherwise.
fn run_exit_code(results: &RunResults) -> i32 {
    match results.run.status {
        RunStatus::Interrupted => exit::INTERRUPTED,
        _ if !results.failures().is_empty() => exit::WORKLOAD_FAILED,
        _ => exit::OK,
    }
}

/// The line a run prints first when workloads failed: every failure named.
fn failures_line(results: &RunResults) -> Option<String> {
    let failures = results.failures();
    (!failures.is_empty()).then(|| {
        let named: Vec<String> = failures.iter().map(crate::results::Failure::describe).collect();
        format!("ftbench: FAILED: {}", named.join("; "))
    })
}
