//! `ftbench doctor`: the free-threading deployment checklist as a command (see [`crate::doctor`]).
//! Exit status 1 when a check failed; an interpreter that cannot be run at all is an error.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::doctor::{run_checks_with, CheckOptions};

/// The free-threading deployment checklist: build, runtime GIL state, 3.14 context flags,
/// and whether each module imports without re-enabling the GIL.
#[derive(clap::Args, Debug, Clone, Default)]
#[command(
    after_help = "Exit status: 0 every check passed; 1 a check failed (a GIL-only build, the GIL on at run time, a module that re-enables it); 2 bad input."
)]
pub struct Args {
    /// Import this module in its own fresh interpreter and check it keeps the GIL
    /// disabled (repeatable; dotted names allowed).
    #[arg(long = "import", value_name = "MODULE")]
    pub import: Vec<String>,

    /// Check every top-level module installed in the interpreter's site-packages
    /// (private `_` names, pip and setuptools are skipped).
    #[arg(long)]
    pub all_installed: bool,

    /// The interpreter to check (default: the project venv's python).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,

    /// Print a JSON document instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Extra directory put in front of the children's PYTHONPATH (repeatable), e.g. a
    /// build folder holding an extension module to check.
    #[arg(long = "sys-path", value_name = "DIR")]
    pub sys_path: Vec<PathBuf>,

    /// Seconds each child interpreter may run before it is killed and reported.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
}

/// Runs the checks and prints the table (or JSON).
pub fn run(args: Args) -> Result<i32> {
    let python = args.python.clone().unwrap_or_else(crate::paths::venv_python);
    let options = CheckOptions { extra_sys_path: args.sys_path.clone(), timeout: Duration::from_secs(args.timeout.max(1)), jobs: 0 };
    let report = run_checks_with(&python, &args.import, args.all_installed, &options)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).context("serialising the doctor report")?);
    } else {
        print!("{}", report.to_table());
    }
    Ok(report.exit_code())
}
