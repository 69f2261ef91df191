//! `ftbench baseline save NAME [RUN]` and `ftbench baseline list`.

use std::path::PathBuf;

use anyhow::Result;

use crate::baseline::{list, save, short_commit, BaselineEntry};
use crate::report::doc::{text_table, Inl, Table, Tone};
use crate::results::RunResults;
use crate::runs::baselines_dir;

#[derive(clap::Subcommand, Debug, Clone)]
pub enum Cmd {
    /// Save a run's results.json as baseline NAME (replacing an existing one of that name).
    #[command(after_help = crate::exit::HELP)]
    Save {
        /// Letters, digits and `-_.+@`; must not start with `.`.
        name: String,
        /// A run folder, a results.json or a `latest` pointer [default: reports/latest].
        run: Option<PathBuf>,
        /// Save a run that did not finish (interrupted, abandoned) as it is.
        #[arg(long)]
        allow_partial: bool,
    },
    /// List saved baselines: name, run id, date, commit, machine.
    #[command(after_help = crate::exit::HELP)]
    List,
}

pub fn run(cmd: Cmd) -> Result<i32> {
    match cmd {
        Cmd::Save { name, run, allow_partial } => save_run(&name, run, allow_partial),
        Cmd::List => {
            print!("{}", listing(&list()?));
            Ok(0)
        }
    }
}

/// Saves the run, warns when it is partial, says what it replaced.
fn save_run(name: &str, run: Option<PathBuf>, allow_partial: bool) -> Result<i32> {
    let saved = save(name, run.as_deref(), allow_partial)?;
    let r = &saved.results;
    if let Some(how) = r.unfinished() {
        eprintln!("warning: run {} is {how}: baseline `{name}` lacks what it did not measure", r.run.id);
    }
    let from = format!("run {} (commit {}): {}", r.run.id, short_commit(&r.run.suite_commit), saved.path.display());
    match &saved.replaced {
        Some(old) => println!("replaced baseline `{name}` (was run {old}) with {from}"),
        None => println!("saved baseline `{name}` from {from}"),
    }
    Ok(0)
}

/// One line per baseline: name, run id, date, commit, machine (or why it cannot be read).
fn listing(entries: &[BaselineEntry]) -> String {
    if entries.is_empty() {
        return format!("no baselines saved in {}\n", baselines_dir().display());
    }
    let mut t = Table::new(&["NAME", "RUN ID", "DATE", "COMMIT", "MACHINE"]);
    for e in entries {
        let cells = match &e.results {
            Ok(r) => vec![
                e.name.clone(),
                r.run.id.clone(),
                short_date(&r.run.started),
                short_commit(&r.run.suite_commit).to_string(),
                machine_line(r),
            ],
            Err(err) => vec![e.name.clone(), "-".into(), "-".into(), "-".into(), format!("unreadable: {err}")],
        };
        t.row(Tone::Plain, cells.into_iter().map(Inl::from).collect());
    }
    text_table(&t)
}

/// `cpu_model, N logical cores, os`.
fn machine_line(r: &RunResults) -> String {
    let m = &r.machine;
    format!("{}, {} logical cores, {}", m.cpu_model, m.logical_cores, m.os)
}

/// `2024-05-01T12:34:56Z` → `2024-05-01 12:34`.
fn short_date(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replacen('T', " ", 1)
}
