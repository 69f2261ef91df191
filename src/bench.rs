//! `cargo bench` (benches/scaling.rs): read criterion's command line, run the sweep, render the
//! report. Criterion's own flags reach every child unchanged.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::child::ChildTiming;
use crate::config::Settings;
use crate::results::{RowStatus, RunResults, RunStatus, WorkloadStatus};
use crate::sweep::{install_interrupt_handler, Filter, Sweep};
use crate::{paths, report};

/// What criterion's command line asks for.
#[derive(Debug, Default, PartialEq)]
pub struct CriterionArgs {
    pub filter: Filter,
    pub quick: bool,
    /// `cargo bench` passes `--bench`; without it (`cargo test --benches`) criterion only smoke-tests.
    pub bench: bool,
    pub test: bool,
    pub list: bool,
}

/// Criterion flags that take a value, so their values are not mistaken for filters.
const VALUE_FLAGS: &[&str] = &[
    "--save-baseline", "-s", "--baseline", "-b", "--baseline-lenient", "--load-baseline", "--sample-size",
    "--warm-up-time", "--measurement-time", "--nresamples", "--noise-threshold", "--confidence-level",
    "--significance-level", "--profile-time", "--format", "--color", "--colour", "-c", "--plotting-backend",
    "--output-format",
];

pub fn parse_criterion_args(args: &[String]) -> CriterionArgs {
    let mut out = CriterionArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => out.quick = true,
            "--bench" => out.bench = true,
            "--test" => out.test = true,
            "--list" => out.list = true,
            "--exact" => out.filter.exact = true,
            f if VALUE_FLAGS.contains(&f) => {
                it.next();
            }
            f if f.starts_with('-') => {}
            filter => out.filter.patterns.push(filter.to_string()),
        }
    }
    out
}

impl CriterionArgs {
    fn timing(&self) -> ChildTiming {
        if self.bench && !self.test {
            ChildTiming::Criterion
        } else {
            ChildTiming::Smoke
        }
    }
}

/// The bench binary's main: returns the process exit code.
pub fn main() -> i32 {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ftbench: error: {e:#}");
            2
        }
    }
}

fn run() -> Result<i32> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = parse_criterion_args(&args);
    let settings = Settings::from_env(cli.quick, num_cpus::get())?;
    let timing = cli.timing();
    let smoke = timing == ChildTiming::Smoke;
    // Smoke runs (cargo test) prove the pipeline without touching the user's reports/.
    let reports_dir = if smoke { target_dir().join("ftbench-smoke") } else { paths::reports_dir() };
    let sweep = Sweep {
        exe: std::env::current_exe().context("locating the bench binary")?,
        child_args: args.clone(),
        settings,
        timing,
        workloads_dir: paths::workloads_dir(),
        filter: cli.filter,
        reports_dir,
        child_timeout: None,
    };
    if cli.list {
        for id in sweep.benchmark_ids()? {
            println!("{id}: benchmark");
        }
        if let Some(note) = sweep.opt_in_note()? {
            eprintln!("ftbench: {note}");
        }
        return Ok(0);
    }
    install_interrupt_handler();
    let run_dir = sweep.run()?;
    let results = RunResults::load(&run_dir)?;
    if smoke {
        println!("{}", smoke_tally(&results));
    } else {
        let rendered = report::render(&run_dir).context("rendering the report")?;
        println!("ftbench: results  {}", run_dir.join("results.json").display());
        println!("ftbench: summary  {}", rendered.summary.display());
        println!("ftbench: charts   {}", rendered.index.display());
    }
    Ok(exit_code(&results))
}

/// 0 when every benchmark ran; 1 when any workload failed (timeout, crash, error, invalid).
pub fn exit_code(results: &RunResults) -> i32 {
    let failed = results.workloads.iter().any(|w| {
        matches!(w.status, WorkloadStatus::Timeout | WorkloadStatus::Crashed | WorkloadStatus::Error)
            || w.rows.iter().any(|r| matches!(r.status, RowStatus::Invalid | RowStatus::Error))
    });
    match results.run.status {
        RunStatus::Interrupted => 130,
        _ if failed => 1,
        _ => 0,
    }
}

/// The closing line of a smoke run, in the form test runners print: benchmarks (workload × mode
/// × threads) that ran and verified, that failed, and workloads × modes that were skipped.
fn smoke_tally(results: &RunResults) -> String {
    let rows = results.workloads.iter().flat_map(|w| &w.rows);
    let failed_rows = rows.clone().filter(|r| matches!(r.status, RowStatus::Invalid | RowStatus::Error)).count();
    let passed = rows.count() - failed_rows;
    let failed_workloads = results
        .workloads
        .iter()
        .filter(|w| !matches!(w.status, WorkloadStatus::Ran | WorkloadStatus::Skipped))
        .count();
    let skipped = results.workloads.iter().filter(|w| w.status == WorkloadStatus::Skipped).count();
    format!("smoke: {passed} passed, {} failed, {skipped} skipped", failed_rows + failed_workloads)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| paths::project_root().join("target"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> CriterionArgs {
        parse_criterion_args(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn filters_and_flags_are_told_apart() {
        let a = parse("lock --bench --quick --save-baseline main --exact");
        assert_eq!(a.filter.patterns, vec!["lock"]);
        assert!(a.quick && a.bench && a.filter.exact);
        assert_eq!(parse("--bench -b main queue").filter.patterns, vec!["queue"]);
    }

    #[test]
    fn cargo_test_smoke_tests_and_cargo_bench_measures() {
        assert_eq!(parse("").timing(), ChildTiming::Smoke);
        assert_eq!(parse("--bench").timing(), ChildTiming::Criterion);
        assert_eq!(parse("--bench --test").timing(), ChildTiming::Smoke);
    }
}
