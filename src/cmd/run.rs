//! `ftbench verify` (alias `run`): a verifying sweep with a fixed number of rounds instead of `cargo bench`'s timed
//! window — every workload, written as a run, then its report.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::child::ChildTiming;
use crate::config::Settings;
use crate::results::RunResults;
use crate::supervise::install_interrupt_handler;
use crate::sweep::{Filter, Sweep, Variant};
use crate::{paths, report};

#[derive(clap::Args, Debug)]
#[command(after_help = crate::exit::HELP)]
pub struct Args {
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
    #[arg(long, value_name = "DIR", help = paths::help_with_default("The workload folder", paths::workloads_dir()))]
    workloads: Option<PathBuf>,
    #[arg(long, value_name = "DIR", help = paths::help_with_default("Where run folders go", paths::reports_dir()))]
    out: Option<PathBuf>,
    /// Kill a workload's child after this many seconds.
    #[arg(long)]
    timeout: Option<f64>,
    /// Do not render the report at the end.
    #[arg(long)]
    no_report: bool,
    /// No progress lines.
    #[arg(long, short)]
    quiet: bool,
    /// Threads that run worker rounds: rust (the suite's) or python (threading.Thread).
    #[arg(long, value_name = "rust|python")]
    driver: Option<String>,
    /// How workload code is compiled: cached (as from a .pyc), source or main (docs/transfer.md).
    #[arg(long, value_name = "cached|source|main")]
    code: Option<String>,
    /// Measure every worker row on threading threads too, and report the ratio.
    #[arg(long)]
    driver_control: bool,
}

/// Runs the sweep, renders the report; the exit status says whether every benchmark ran.
pub fn run(a: Args) -> Result<i32> {
    let mut settings = Settings::from_env_and_args(false, a.threads.as_deref(), &a.modes)?.with_contexts(
        a.driver.as_deref(),
        a.code.as_deref(),
        a.driver_control,
    )?;
    settings.passes = a.passes.max(1);
    let sweep = Sweep {
        exe: std::env::current_exe().context("locating the ftbench binary")?,
        settings,
        timing: ChildTiming::Rounds { rounds: a.rounds.max(1), ops: a.ops },
        variants: Variant::single(a.workloads.unwrap_or_else(paths::workloads_dir)),
        filter: Filter { patterns: a.filters, exact: false },
        reports_dir: a.out.unwrap_or_else(paths::reports_dir),
        child_timeout: a.timeout.map(Duration::from_secs_f64),
        resume: None,
        quiet: a.quiet,
        ops_from: None,
    };
    install_interrupt_handler();
    let run_dir = sweep.run()?;
    let results = RunResults::load(&run_dir)?;
    if let Some(line) = super::failures_line(&results) {
        println!("{line}");
    }
    if !a.no_report {
        let rendered = report::render(&run_dir).context("rendering the report")?;
        println!("ftbench: summary  {}", rendered.summary.display());
    }
    Ok(super::run_exit_code(&results))
}
