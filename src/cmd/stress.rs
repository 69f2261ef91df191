//! `ftbench stress`: thousands of short rounds of each workload under PYTHON_GIL=0 and =1 (see
//! [`crate::stress`]); prints the table (or `--json`) and every exception of a failure. Exit
//! status 3 when a workload that claims to be safe breaks.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::config::parse_threads;
use crate::exit;
use crate::paths;
use crate::stress::{stress, table, StressArgs, StressOutcome};

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = exit::HELP)]
pub struct Args {
    /// Workloads to stress (file names without .py); all when none are named.
    #[arg(value_name = "WORKLOAD")]
    pub names: Vec<String>,
    /// Rounds per workload, GIL mode and thread count.
    #[arg(long, default_value_t = 1000)]
    pub rounds: u64,
    /// Thread counts, e.g. 2,4: each in its own child.
    #[arg(long, default_value = "4", value_name = "LIST")]
    pub threads: String,
    /// Ops per thread per round (default: calibrated to about half a millisecond).
    #[arg(long)]
    pub ops: Option<u64>,
    /// Insert random yields and tiny sleeps between the workload's lines.
    #[arg(long)]
    pub jitter: bool,
    #[arg(long, value_name = "DIR", alias = "workloads-dir", help = paths::help_with_default("The workload folder", paths::workloads_dir()))]
    pub workloads: Option<PathBuf>,
    /// Kill a stress child that runs longer than this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
    /// Print the outcomes as JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> Result<i32> {
    let exe = std::env::current_exe().context("locating the ftbench binary")?;
    let args = StressArgs {
        workloads: a.names,
        rounds: a.rounds,
        threads: parse_threads(&a.threads).context("--threads")?,
        ops: a.ops,
        jitter: a.jitter,
        workloads_dir: a.workloads,
        timeout: a.timeout,
    };
    let outcomes = stress(&exe, &args)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&outcomes)?);
    } else {
        print!("{}", table(&outcomes));
    }
    for o in outcomes.iter().filter(|o| o.is_failure()) {
        for e in &o.exceptions {
            eprintln!("{} ({}): {e}", o.workload, o.mode.map(|m| m.label()).unwrap_or("-"));
        }
    }
    Ok(if outcomes.iter().any(StressOutcome::is_failure) { exit::WORKLOAD_FAILED } else { exit::OK })
}
