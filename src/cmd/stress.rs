//! `ftbench stress`: thousands of short rounds of each workload under PYTHON_GIL=0 and =1 (see
//! [`crate::stress`]); prints the table and every exception of a failure. Exit status 1 when a
//! workload that claims to be safe breaks.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::stress::{stress, table, StressArgs, StressOutcome};

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Workloads to stress (file names without .py); all when none are named.
    pub workloads: Vec<String>,
    /// Rounds per workload and GIL mode.
    #[arg(long, default_value_t = 1000)]
    pub rounds: u64,
    /// Threads per round.
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    /// Ops per thread per round (default: calibrated to about half a millisecond).
    #[arg(long)]
    pub ops: Option<u64>,
    /// Insert random yields and tiny sleeps between the workload's lines.
    #[arg(long)]
    pub jitter: bool,
    /// The workload folder.
    #[arg(long)]
    pub workloads_dir: Option<PathBuf>,
    /// Kill a stress child that runs longer than this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
}

pub fn run(a: Args) -> Result<i32> {
    let exe = std::env::current_exe().context("locating the ftbench binary")?;
    let args = StressArgs {
        workloads: a.workloads,
        rounds: a.rounds,
        threads: a.threads,
        ops: a.ops,
        jitter: a.jitter,
        workloads_dir: a.workloads_dir,
        timeout: a.timeout,
    };
    let outcomes = stress(&exe, &args)?;
    print!("{}", table(&outcomes));
    for o in outcomes.iter().filter(|o| o.is_failure()) {
        for e in &o.exceptions {
            eprintln!("{} ({}): {e}", o.workload, o.mode.map(|m| m.label()).unwrap_or("-"));
        }
    }
    Ok(i32::from(outcomes.iter().any(StressOutcome::is_failure)))
}
