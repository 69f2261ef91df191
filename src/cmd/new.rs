//! `ftbench new NAME --scenario S`: writes a working workload skeleton — metadata, `setup`,
//! `worker`, `verify` and its mutant — that passes `ftbench stress` and a run as it is, to be
//! edited into the thing to measure.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::exit;
use crate::paths;
use crate::results::{INTERPRETER_SCENARIO, SCENARIOS};

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = exit::HELP)]
pub struct Args {
    /// The workload's name: its file is NAME.py (letters, digits and `_`, not starting with `_` or a digit).
    pub name: String,
    /// What it is an instance of, e.g. hot-counter (see python_workloads/README.md).
    #[arg(long)]
    pub scenario: String,
    /// What one op does, in one line (OPERATION): the same words as another workload's put the two
    /// in one selection group. Default: the skeleton's own ("add 1 to one counter shared by every thread").
    #[arg(long)]
    pub operation: Option<String>,
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
    if a.operation.as_deref().is_some_and(|o| o.trim().is_empty() || o.contains(['\n', '"', '\\'])) {
        bail!("--operation: one line, without quotes or backslashes, saying what one op does");
    }
    let dir = a.workloads.unwrap_or_else(paths::workloads_dir);
    let file = dir.join(format!("{}.py", a.name));
    if file.exists() {
        bail!("{} exists already: pick another name or edit it", file.display());
    }
    std::fs::write(&file, skeleton(&a.name, &a.scenario, a.operation.as_deref())).with_context(|| format!("writing {}", file.display()))?;
    println!("ftbench: wrote {}", file.display());
    println!("ftbench: try it:  ftbench stress {} --jitter   then   cargo bench -- '^{}\\.' --quick", a.name, a.name);
    Ok(exit::OK)
}

/// The suite's own `lock_counter`, the smallest workload with shared state, a verify that counts
/// what a missing lock loses and the mutant that proves it does, renamed, re-scenarioed and, when
/// asked, given another operation.
fn skeleton(name: &str, scenario: &str, operation: Option<&str>) -> String {
    const TEMPLATE: &str = include_str!("../../python_workloads/lock_counter.py");
    let body = TEMPLATE.split_once("\n\n").map_or(TEMPLATE, |(_docstring, rest)| rest);
    let doc = format!(
        "\"\"\"{name}: a shared counter behind one threading.Lock, from `ftbench new` (the suite's lock_counter):\n\
         replace the counter with what you measure, keeping one op per loop iteration.\"\"\"\n\n"
    );
    let body = body.replace("SCENARIO = \"hot-counter\"", &format!("SCENARIO = \"{scenario}\""));
    let body = match operation {
        Some(op) => {
            body.lines()
                .map(|l| if l.starts_with("OPERATION = ") { format!("OPERATION = \"{}\"", op.trim()) } else { l.to_string() })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        }
        None => body,
    };
    doc + &body
}
