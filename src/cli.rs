//! The `ftbench` command line. Each subcommand lives in its own module; this file only parses
//! arguments, dispatches, and implements `ftbench run` (a verifying sweep without criterion).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::child::ChildTiming;
use crate::config::Settings;
use crate::sweep::{install_interrupt_handler, Filter, Sweep};
use crate::{baseline, compare, doctor, export, paths, report, stress};

#[derive(Parser, Debug)]
#[command(name = "ftbench", version, about = "How Python's synchronization primitives scale on free-threaded CPython")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run and verify every workload for a fixed number of rounds (no criterion), write a run.
    Run(RunArgs),
    /// Re-render charts, summary.md and index.html of a run from its results.json.
    Report(report::ReportArgs),
    /// Compare two runs for throughput and scaling regressions (exit 1 on regression).
    Compare(compare::CompareArgs),
    /// Measure two variants side by side (interpreters or workload folders) and compare them paired.
    Ab(crate::ab::AbArgs),
    /// Save or list named baselines.
    #[command(subcommand)]
    Baseline(baseline::BaselineCmd),
    /// Write a run for github-action-benchmark or Bencher.
    Export(export::ExportArgs),
    /// Check an interpreter and modules against the free-threading checklist.
    Doctor(doctor::DoctorArgs),
    /// Hammer workloads with short rounds (and jitter) under PYTHON_GIL=0 and =1.
    Stress(stress::StressArgs),
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Regexes over benchmark ids such as `lock_counter.gil-off/2`.
    filters: Vec<String>,
    /// Thread counts, e.g. 1,2,4 [default: 1, 2, 4 … cores, 2 × cores].
    #[arg(long)]
    threads: Option<String>,
    /// GIL modes: off, on or off,on.
    #[arg(long, default_value = "off,on")]
    modes: String,
    /// Verified rounds per benchmark and pass.
    #[arg(long, default_value_t = 20)]
    rounds: u64,
    /// Independent passes (fresh child processes); intervals and `compare` need at least 2.
    #[arg(long, default_value_t = 1)]
    passes: usize,
    /// Ops per thread per round [default: calibrated to FTBENCH_ROUND_MS, 10 ms].
    #[arg(long)]
    ops: Option<u64>,
    /// The workload folder [default: python_workloads/].
    #[arg(long)]
    workloads: Option<PathBuf>,
    /// Where run folders go [default: reports/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Kill a workload's child after this many seconds.
    #[arg(long)]
    timeout: Option<f64>,
    /// Do not render the report at the end.
    #[arg(long)]
    no_report: bool,
}

/// The `ftbench` binary's main: returns the process exit code (2 for usage and input errors).
pub fn main() -> i32 {
    if let Some(code) = crate::child::run_if_child().or_else(stress::run_if_child) {
        return code;
    }
    let cli = Cli::parse();
    let outcome = match cli.command {
        Cmd::Run(a) => run(a),
        Cmd::Report(a) => report::command(a),
        Cmd::Compare(a) => compare::command(a),
        Cmd::Ab(a) => crate::ab::command(a),
        Cmd::Baseline(a) => baseline::command(a),
        Cmd::Export(a) => export::command(a),
        Cmd::Doctor(a) => doctor::command(a),
        Cmd::Stress(a) => stress::command(a),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("ftbench: error: {e:#}");
        2
    })
}

fn run(a: RunArgs) -> Result<i32> {
    let mut settings = Settings::from_env_and_args(false, a.threads.as_deref(), &a.modes)?;
    settings.passes = a.passes.max(1);
    let sweep = Sweep {
        exe: std::env::current_exe().context("locating the ftbench binary")?,
        settings,
        timing: ChildTiming::Rounds { rounds: a.rounds.max(1), ops: a.ops },
        variants: crate::sweep::Variant::single(a.workloads.unwrap_or_else(paths::workloads_dir)),
        filter: Filter { patterns: a.filters, exact: false },
        reports_dir: a.out.unwrap_or_else(paths::reports_dir),
        child_timeout: a.timeout.map(std::time::Duration::from_secs_f64),
    };
    install_interrupt_handler();
    let run_dir = sweep.run()?;
    if !a.no_report {
        let rendered = report::render(&run_dir).context("rendering the report")?;
        println!("ftbench: summary  {}", rendered.summary.display());
    }
    let results = crate::results::RunResults::load(&run_dir)?;
    Ok(crate::bench::exit_code(&results))
}
