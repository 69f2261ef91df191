//! `ftbench ab`: measures two variants (interpreters or workload folders) side by side in one run
//! and compares them pass by pass (see [`crate::ab`]).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::run_exit_code;
use crate::ab::Interpreter;
use crate::child::ChildTiming;
use crate::compare::{compare, CompareOptions, FailOn};
use crate::config::Settings;
use crate::fsutil::write_atomic;
use crate::results::RunResults;
use crate::supervise::install_interrupt_handler;
use crate::sweep::{Filter, Sweep, Variant};
use crate::{paths, report};

/// At most this many passes by default: a pass measures every benchmark twice, and 8 passes keep
/// `ab` shorter than the two default runs it replaces while leaving each side a faster half of 4.
const AB_PASSES: usize = 8;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Regexes over benchmark ids such as `lock_counter.gil-off/2`.
    pub filters: Vec<String>,
    /// The base interpreter: another build of the CPython minor version ftbench was built for.
    #[arg(long, requires = "new_python")]
    pub base_python: Option<PathBuf>,
    /// The new interpreter (same minor version).
    #[arg(long, requires = "base_python")]
    pub new_python: Option<PathBuf>,
    /// The base workload folder [default: python_workloads/].
    #[arg(long)]
    pub base_workloads: Option<PathBuf>,
    /// The new workload folder [default: python_workloads/].
    #[arg(long)]
    pub new_workloads: Option<PathBuf>,
    /// Passes; each measures every benchmark once on each side [default: a run's passes, at most 8].
    #[arg(long)]
    pub passes: Option<usize>,
    /// Thread counts, e.g. 1,2 [default: 1, 2, 4 … cores, 2 × cores].
    #[arg(long)]
    pub threads: Option<String>,
    /// GIL modes: off, on or off,on.
    #[arg(long, default_value = "off,on")]
    pub modes: String,
    /// Quick mode: shorter passes.
    #[arg(long)]
    pub quick: bool,
    /// Smallest change, in percent, that can count.
    #[arg(long, default_value_t = 5.0, value_name = "PERCENT")]
    pub threshold: f64,
    /// Significance level of the test.
    #[arg(long, default_value_t = 0.01, value_name = "P")]
    pub alpha: f64,
    /// Where run folders go [default: reports/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print GitHub-flavoured markdown instead of the terminal table.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Print the comparison as JSON (reports/SCHEMA.md).
    #[arg(long)]
    pub json: bool,
}

/// Measures both sides in one run, renders each side's report and compares them on each side's
/// faster half of its passes (the sides shared the machine's fast and slow stretches, so their
/// spread across rows is small; a paired test, `compare --paired`, loses every pass pair in which
/// one side hit a slow stretch); the exit status is the worst of the comparison's and each side's run.
pub fn run(a: Args) -> Result<i32> {
    let sweep = sweep(&a)?;
    install_interrupt_handler();
    let run_dir = sweep.run()?;
    for side in ["base", "new"] {
        report::render(&run_dir.join(side)).with_context(|| format!("rendering the {side} report"))?;
    }
    let (base, new) = (RunResults::load(&run_dir.join("base"))?, RunResults::load(&run_dir.join("new"))?);
    let opts = CompareOptions { threshold_pct: a.threshold, alpha: a.alpha, fail_on: FailOn::Any };
    let mut cmp = compare(&base, &new, &opts);
    cmp.base.source = Some(run_dir.join("base").display().to_string());
    cmp.new.source = Some(run_dir.join("new").display().to_string());
    let text = super::compare::printed(&cmp, a.json, a.markdown)?;
    write_atomic(&run_dir.join("comparison.txt"), cmp.render_text().as_bytes())?;
    print!("{text}");
    Ok(cmp.exit_code().max(run_exit_code(&base)).max(run_exit_code(&new)))
}

/// One sweep over both variants: the base and new sides, each its workload folder and interpreter
/// (probed first: another minor version or a GIL-only build is refused before anything runs).
fn sweep(a: &Args) -> Result<Sweep> {
    let (base_python, new_python) = match (&a.base_python, &a.new_python) {
        (Some(b), Some(n)) => (Some(Interpreter::probe(b)?), Some(Interpreter::probe(n)?)),
        _ => (None, None),
    };
    if base_python.is_none() && a.base_workloads.is_none() && a.new_workloads.is_none() {
        bail!("ftbench ab needs two variants: --base-python/--new-python, or --base-workloads/--new-workloads");
    }
    let mut settings = Settings::from_env_and_args(a.quick, a.threads.as_deref(), &a.modes)?;
    settings.passes = a.passes.unwrap_or(settings.passes.min(AB_PASSES)).max(2);
    let side = |name: &str, dir: &Option<PathBuf>, python| Variant {
        name: Some(name.into()),
        workloads_dir: dir.clone().unwrap_or_else(paths::workloads_dir),
        python,
    };
    Ok(Sweep {
        exe: std::env::current_exe().context("locating the ftbench binary")?,
        settings,
        timing: ChildTiming::Timed,
        variants: vec![side("base", &a.base_workloads, base_python), side("new", &a.new_workloads, new_python)],
        filter: Filter { patterns: a.filters.clone(), exact: false },
        reports_dir: a.out.clone().unwrap_or_else(paths::reports_dir),
        child_timeout: None,
    })
}
