//! `ftbench new NAME --scenario S`: writes a working workload skeleton — metadata, `setup`,
//! `worker`, `verify` and its mutant — that passes `ftbench stress` and a run as it is, to be
//! edited into the thing to measure.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::exit;
use crate::paths;
use crate::report::selection::{INTERPRETER_SCENARIO, SCENARIOS};

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = exit::HELP)]
pub struct Args {
    /// The workload's name: its file is NAME.py (letters, digits and `_`, not starting with `_` or a digit).
    pub name: String,
    /// What it is an instance of, e.g. hot-counter (see python_workloads/README.md).
    #[arg(long)]
    pub scenario: String,
    #[arg(long, value_name = "DIR", help = paths::help_with_default("The folder to write it in", paths::workloads_dir()))]
    pub workloads: Option<PathBuf>,
}

/// Writes the skeleton; refuses a bad name, an unknown scenario or an existing file.
pub fn run(a: Args) -> Result<i32> {
    let valid =
        a.name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && a.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        bail!("workload name '{}': use letters, digits and _, starting with a letter (it becomes NAME.py)", a.name);
    }
    let known: Vec<&str> = SCENARIOS.iter().map(|(s, _)| *s).chain([INTERPRETER_SCENARIO]).collect();
    if !known.contains(&a.scenario.as_str()) {
        bail!("unknown scenario '{}': one of {}", a.scenario, known.join(", "));
    }
    let dir = a.workloads.unwrap_or_else(paths::workloads_dir);
    let file = dir.join(format!("{}.py", a.name));
    if file.exists() {
        bail!("{} exists already: pick another name or edit it", file.display());
    }
    std::fs::write(&file, skeleton(&a.name, &a.scenario)).with_context(|| format!("writing {}", file.display()))?;
    println!("ftbench: wrote {}", file.display());
    println!("ftbench: try it:  ftbench stress {} --jitter   then   cargo bench -- '^{}\\.' --quick", a.name, a.name);
    Ok(exit::OK)
}

/// A counter behind one `threading.Lock`: the smallest workload with shared state, a verify that
/// counts what a missing lock loses, and the mutant that proves it does.
fn skeleton(name: &str, scenario: &str) -> String {
    format!(
        r#""""{name}: a shared counter behind one threading.Lock (a skeleton from `ftbench new`: replace
the counter with what you measure, keeping one op per loop iteration)."""

import threading

from _support import State, check_count

PRIMITIVE = "threading.Lock"
SCENARIO = "{scenario}"
INVARIANT = "the counter equals threads * ops"
DESCRIPTION = "`with lock: state.count += 1` on one shared Lock"
PACKAGES = []
MUTANT = "threading = without(threading, Lock=NoLock)"


def setup(threads):
    return State(threads=threads, lock=threading.Lock(), count=0)


def worker(state, thread_index, ops):
    lock = state.lock
    for _ in range(ops):
        with lock:
            state.count += 1


def verify(state, threads, ops):
    check_count("counter", threads * ops, state.count)
"#
    )
}
