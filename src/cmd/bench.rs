//! `cargo bench` (benches/scaling.rs): read criterion's command line, run the sweep, render the
//! report. The arguments are checked once, up front, with criterion's rules: a flag criterion
//! does not know is a usage error before anything runs; criterion flags that mean something here
//! act (filters, `--quick`, `--list`, `--exact`, `--save-baseline`, `--baseline`, the times);
//! criterion's own analysis flags are accepted and have nothing to change.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::child::ChildTiming;
use crate::compare::{compare, CompareOptions};
use crate::config::Settings;
use crate::results::{RowStatus, RunResults, WorkloadStatus};
use crate::supervise::install_interrupt_handler;
use crate::sweep::{Filter, Sweep, Variant};
use crate::{baseline, paths, report, runs};

/// What criterion's command line asks for.
#[derive(Debug, Default, PartialEq)]
pub struct CriterionArgs {
    pub filter: Filter,
    pub quick: bool,
    /// `--quiet`: no progress lines.
    pub quiet: bool,
    /// `cargo bench` passes `--bench`; without it (`cargo test --benches`) criterion only smoke-tests.
    pub bench: bool,
    pub test: bool,
    pub list: bool,
    pub help: bool,
    /// `--save-baseline NAME`: save the run as an ftbench baseline.
    pub save_baseline: Option<String>,
    /// `--baseline NAME`: compare the run against an ftbench baseline.
    pub baseline: Option<String>,
    /// `--resume [RUN]`: finish an interrupted or abandoned run (`None` inside: the latest).
    pub resume: Option<Option<PathBuf>>,
    pub warm_up: Option<Duration>,
    pub measurement: Option<Duration>,
    /// `--driver rust|python`, `--code cached|source|main`, `--driver-control` (docs/transfer.md).
    pub driver: Option<String>,
    pub code: Option<String>,
    pub driver_control: bool,
}

/// Criterion flags that take a value and mean nothing to ftbench's statistics.
const IGNORED_VALUE_FLAGS: &[&str] = &[
    "--baseline-lenient",
    "--load-baseline",
    "--sample-size",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--profile-time",
    "--format",
    "--color",
    "--colour",
    "-c",
    "--plotting-backend",
    "--output-format",
];
/// Criterion (and libtest) switches that mean nothing here.
const IGNORED_SWITCHES: &[&str] =
    &["--verbose", "-v", "--noplot", "-n", "--discard-baseline", "--nocapture", "--show-output", "--include-ignored", "--ignored"];

pub const USAGE: &str = "\
usage: cargo bench [-- [FILTER...] [OPTIONS]]
   or: ftbench bench [FILTER...] [OPTIONS]       (the same timed sweep, from the built binary)

FILTER is a regex over benchmark ids such as lock_counter.gil-off/2 (--exact: whole ids).
  --quick                      quick mode (fewer, shorter passes; same as FTBENCH_QUICK=1)
  --quiet, -q                  no progress lines
  --list                       list the benchmark ids and exit
  --save-baseline NAME, -s     save the run as ftbench baseline NAME (reports/baselines/)
  --baseline NAME, -b          compare the run against ftbench baseline NAME (exit 1 on a regression)
  --resume [RUN]               finish an interrupted or abandoned run (default: the latest) with its
                               settings, calibration and order: only what it lacks is measured
  --warm-up-time SECONDS       warm-up per benchmark and pass
  --measurement-time SECONDS   timed rounds per benchmark and pass
  --driver rust|python         threads that run worker rounds: the suite's Rust threads (default) or
                               threading.Thread (FTBENCH_DRIVER)
  --driver-control             also measure every worker row on threading threads and report the
                               ratio (FTBENCH_DRIVER_CONTROL=1; cpu_only, lock_counter and interp_*
                               always are)
  --code cached|source|main    how workload code is compiled: as from a .pyc (default), from source
                               (no .pyc), as __main__ (FTBENCH_CODE; see docs/transfer.md)
Criterion's analysis flags (--sample-size, --noise-threshold, --plotting-backend, ...) are accepted
and change nothing: ftbench replicates passes instead (FTBENCH_PASSES). See README.md.

Exit status: 0 every benchmark ran (and no regression against --baseline); 1 a regression against
--baseline; 2 bad input; 3 a workload failed; 130 interrupted (docs/verdicts.md).";

/// Parses criterion's command line. An unknown flag or a missing value is an error naming it.
pub fn parse_criterion_args(args: &[String]) -> Result<CriterionArgs> {
    let mut out = CriterionArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().with_context(|| format!("{a} needs a value\n\n{USAGE}"));
        match a.as_str() {
            "--quick" => out.quick = true,
            "--quiet" | "-q" => out.quiet = true,
            "--bench" => out.bench = true,
            "--test" => out.test = true,
            "--list" => out.list = true,
            "--exact" => out.filter.exact = true,
            "--help" | "-h" => out.help = true,
            "--save-baseline" | "-s" => out.save_baseline = Some(value()?),
            "--baseline" | "-b" => out.baseline = Some(value()?),
            "--resume" => {
                // The next word is the run when it names one (a folder or results.json), else a filter.
                let names_run = |w: &&String| !w.starts_with('-') && runs::resolve_run(Some(Path::new(w.as_str()))).is_ok();
                let run = it.clone().next().filter(names_run).map(PathBuf::from);
                if run.is_some() {
                    it.next();
                }
                out.resume = Some(run);
            }
            "--warm-up-time" => out.warm_up = Some(seconds(a, &value()?)?),
            "--measurement-time" => out.measurement = Some(seconds(a, &value()?)?),
            "--driver" => out.driver = Some(value()?),
            "--code" => out.code = Some(value()?),
            "--driver-control" => out.driver_control = true,
            f if IGNORED_VALUE_FLAGS.contains(&f) => {
                value()?;
            }
            f if IGNORED_SWITCHES.contains(&f) => {}
            f if f.starts_with('-') => bail!("unknown flag '{f}' for `cargo bench`\n\n{USAGE}"),
            filter => out.filter.patterns.push(filter.to_string()),
        }
    }
    Ok(out)
}

fn seconds(flag: &str, v: &str) -> Result<Duration> {
    match v.parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() => Ok(Duration::from_secs_f64(s)),
        _ => bail!("{flag} takes a positive number of seconds, not '{v}'"),
    }
}

impl CriterionArgs {
    fn timing(&self) -> ChildTiming {
        if self.bench && !self.test {
            ChildTiming::Timed
        } else {
            ChildTiming::Smoke
        }
    }
}

/// `ftbench bench [FILTER…] [OPTIONS]`: the timed sweep `cargo bench` runs, with the same command
/// line (everything after `bench` is read as criterion's).
#[derive(clap::Args, Debug)]
#[command(disable_help_flag = true)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "FILTER|OPTION")]
    pub args: Vec<String>,
}

pub fn run_from_cli(a: Args) -> Result<i32> {
    let mut cli = parse_criterion_args(&a.args)?;
    cli.bench = true;
    run(cli)
}

/// The bench binary's main: returns the process exit code.
pub fn main() -> i32 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    parse_criterion_args(&args).and_then(run).unwrap_or_else(super::fail)
}

/// Runs the sweep criterion's command line asks for, renders the report, saves or compares
/// against a baseline.
pub fn run(cli: CriterionArgs) -> Result<i32> {
    if cli.help {
        println!("{USAGE}");
        return Ok(0);
    }
    let sweep = sweep(&cli)?;
    if cli.list {
        return list(&sweep);
    }
    install_interrupt_handler();
    let run_dir = sweep.run()?;
    let results = RunResults::load(&run_dir)?;
    if let Some(line) = super::failures_line(&results) {
        println!("{line}");
    }
    if sweep.timing == ChildTiming::Smoke {
        println!("{}", smoke_tally(&results));
    } else {
        let rendered = report::render(&run_dir).context("rendering the report")?;
        println!("ftbench: results  {}", run_dir.join("results.json").display());
        println!("ftbench: summary  {}", rendered.summary.display());
        println!("ftbench: charts   {}", rendered.index.display());
    }
    let code = super::run_exit_code(&results);
    Ok(crate::exit::worst(code, baselines(&cli, &run_dir, &results)?))
}

/// The environment's settings with criterion's times. Smoke runs (cargo test) prove the pipeline
/// without touching the user's reports/.
fn sweep(cli: &CriterionArgs) -> Result<Sweep> {
    let mut settings =
        Settings::from_env(cli.quick, num_cpus::get())?.with_contexts(cli.driver.as_deref(), cli.code.as_deref(), cli.driver_control)?;
    settings.warm_up = cli.warm_up.unwrap_or(settings.warm_up);
    settings.measurement = cli.measurement.unwrap_or(settings.measurement);
    let timing = cli.timing();
    let reports_dir = if timing == ChildTiming::Smoke { target_dir().join("ftbench-smoke") } else { paths::reports_dir() };
    let mut sweep = Sweep {
        exe: std::env::current_exe().context("locating the bench binary")?,
        settings,
        timing,
        variants: Variant::single(paths::workloads_dir()),
        filter: cli.filter.clone(),
        reports_dir,
        child_timeout: None,
        resume: None,
        quiet: cli.quiet,
        ops_from: None,
    };
    if let Some(run) = &cli.resume {
        // The run's own settings and filters: a resumed run is the run it was.
        let dir = runs::resolve_run(run.as_deref())?;
        let config = RunResults::load(&dir)?.run.config;
        sweep.settings = Settings::of_run(&config)?;
        sweep.filter = Filter { patterns: config.filters, exact: false };
        sweep.resume = Some(dir.parent().filter(|_| dir.is_file()).map_or(dir.clone(), Path::to_path_buf));
    }
    Ok(sweep)
}

/// `--list`: the benchmark ids, in the form criterion lists them.
fn list(sweep: &Sweep) -> Result<i32> {
    for id in sweep.benchmark_ids()? {
        println!("{id}: benchmark");
    }
    if let Some(note) = sweep.opt_in_note()? {
        eprintln!("ftbench: {note}");
    }
    Ok(0)
}

/// `--save-baseline` and `--baseline`; the comparison's exit status (0 without one).
fn baselines(cli: &CriterionArgs, run_dir: &Path, results: &RunResults) -> Result<i32> {
    if let Some(name) = &cli.save_baseline {
        let saved = baseline::save(name, Some(run_dir), false)?;
        println!("ftbench: baseline {name} saved ({})", saved.path.display());
    }
    let Some(name) = &cli.baseline else { return Ok(0) };
    let base = RunResults::load(&runs::resolve_results(Path::new(name))?)?;
    let cmp = compare(&base, results, &CompareOptions::default());
    print!("{}", cmp.render_text(false));
    Ok(cmp.exit_code())
}

/// The closing line of a smoke run, in the form test runners print: benchmarks (workload × mode
/// × threads) that ran and verified, that failed, and workloads × modes that were skipped.
fn smoke_tally(results: &RunResults) -> String {
    let rows = results.workloads.iter().flat_map(|w| &w.rows);
    let failed_rows = rows.clone().filter(|r| matches!(r.status, RowStatus::Invalid | RowStatus::Error)).count();
    let passed = rows.count() - failed_rows;
    let failed_workloads = results.workloads.iter().filter(|w| !matches!(w.status, WorkloadStatus::Ran | WorkloadStatus::Skipped)).count();
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
        try_parse(s).unwrap()
    }

    fn try_parse(s: &str) -> Result<CriterionArgs> {
        parse_criterion_args(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn a_mistyped_flag_is_one_usage_error_naming_it() {
        let err = format!("{:#}", try_parse("--bench --quik").unwrap_err());
        assert!(err.contains("unknown flag '--quik'") && err.contains("usage: cargo bench"), "{err}");
        assert!(format!("{:#}", try_parse("--bench -s").unwrap_err()).contains("-s needs a value"));
        assert!(format!("{:#}", try_parse("--measurement-time x").unwrap_err()).contains("positive number of seconds"));
    }

    #[test]
    fn criterion_flags_that_mean_something_act() {
        let a = parse("--bench --save-baseline main --baseline old --measurement-time 0.5 --sample-size 50 --noplot");
        assert_eq!((a.save_baseline.as_deref(), a.baseline.as_deref()), (Some("main"), Some("old")));
        assert_eq!(a.measurement, Some(Duration::from_millis(500)));
        assert!(a.filter.patterns.is_empty(), "50 is --sample-size's value, not a filter");
        assert!(parse("--help").help);
    }

    #[test]
    fn quiet_and_resume_are_read() {
        assert!(parse("--bench --quiet").quiet && parse("-q").quiet && !parse("--bench").quiet);
        assert_eq!(parse("--resume lock").resume, Some(None), "`lock` names no run: it is a filter");
        assert_eq!(parse("--resume lock").filter.patterns, vec!["lock"]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("results.json"), "{}").unwrap();
        let run = dir.path().to_str().unwrap();
        assert_eq!(parse(&format!("--resume {run}")).resume, Some(Some(PathBuf::from(run))));
    }

    #[test]
    fn filters_and_flags_are_told_apart() {
        let a = parse("lock --bench --quick --save-baseline main --exact");
        assert_eq!(a.filter.patterns, vec!["lock"]);
        assert!(a.quick && a.bench && a.filter.exact);
        assert_eq!(parse("--bench -b main queue").filter.patterns, vec!["queue"]);
        assert_eq!(parse("--bench -b main queue").baseline.as_deref(), Some("main"));
        let c = parse("interp --driver python --code source --driver-control");
        assert_eq!((c.driver.as_deref(), c.code.as_deref(), c.driver_control), (Some("python"), Some("source"), true));
        assert_eq!(c.filter.patterns, vec!["interp"]);
    }

    #[test]
    fn cargo_test_smoke_tests_and_cargo_bench_measures() {
        assert_eq!(parse("").timing(), ChildTiming::Smoke);
        assert_eq!(parse("--bench").timing(), ChildTiming::Timed);
        assert_eq!(parse("--bench --test").timing(), ChildTiming::Smoke);
    }
}
