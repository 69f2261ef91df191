//! `ftbench ab`: measures two variants (interpreters or workload folders) side by side in one run
//! and compares them pass by pass (see [`crate::ab`]).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use super::compare::JudgeArgs;
use crate::ab::Interpreter;
use crate::child::ChildTiming;
use crate::config::Settings;
use crate::exit;
use crate::fsutil::write_atomic;
use crate::looks::{self, Paired, MAX_LOOKS};
use crate::results::RunStatus;
use crate::supervise::install_interrupt_handler;
use crate::sweep::{Filter, Sweep, Variant};
use crate::{paths, report};

/// At most this many passes by default: a pass measures every benchmark twice, and 8 passes keep
/// `ab` shorter than the two default runs it replaces while leaving each side a faster half of 4.
const AB_PASSES: usize = 8;

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = exit::HELP)]
pub struct Args {
    /// Regexes over benchmark ids such as `lock_counter.gil-off/2`.
    pub filters: Vec<String>,
    /// The base interpreter: another build of the CPython minor version ftbench was built for.
    #[arg(long, requires = "new_python")]
    pub base_python: Option<PathBuf>,
    /// The new interpreter (same minor version).
    #[arg(long, requires = "base_python")]
    pub new_python: Option<PathBuf>,
    /// Only prove that each side's children load that side's own libpython, and say which; measure nothing.
    #[arg(long, requires = "base_python")]
    pub check_python: bool,
    /// The base side's venv (`ftbench venv`): the packages its children import, on the same interpreter.
    #[arg(long, value_name = "DIR")]
    pub base_venv: Option<PathBuf>,
    /// The new side's venv; the report names the packages that differ between the sides' venvs.
    #[arg(long, value_name = "DIR")]
    pub new_venv: Option<PathBuf>,
    /// One workload folder for both sides (yours, when the sides differ in their venvs).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["base_workloads", "new_workloads"])]
    pub workloads: Option<PathBuf>,
    #[arg(long, value_name = "DIR", help = paths::help_with_default("The base workload folder", paths::workloads_dir()))]
    pub base_workloads: Option<PathBuf>,
    #[arg(long, value_name = "DIR", help = paths::help_with_default("The new workload folder", paths::workloads_dir()))]
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
    /// No progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, value_name = "DIR", help = paths::help_with_default("Where run folders go", paths::reports_dir()))]
    pub out: Option<PathBuf>,
    /// On a noisy machine: add pass pairs, up to 6 times the passes, to the rows whose figures are
    /// still inconclusive, until every figure is decided or --budget is spent; each look is judged
    /// at a sixth of the error rates, so stopping early keeps them.
    #[arg(long)]
    pub until_decided: bool,
    /// How long --until-decided may measure in all, e.g. 30min or 1h.
    #[arg(long, value_name = "DURATION", default_value = "30min", value_parser = humantime::parse_duration)]
    pub budget: std::time::Duration,
    /// Do not measure flagged rows again before they fail (by default a regressed or improved
    /// verdict stands only when a second measurement in fresh processes agrees).
    #[arg(long)]
    pub no_confirm: bool,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// Measures both sides in one run, renders each side's report and judges them pass by pass (the
/// sides shared each pass's stretch of the machine, so their ratios carry no drift between runs);
/// the exit status is the comparison's, which fails on either side's failed workload as a run
/// does (see [`crate::exit`]), or 130 when interrupted.
pub fn run(a: Args) -> Result<i32> {
    let opts = a.judge.options()?;
    let sweep = sweep(&a)?;
    if a.check_python {
        for v in &sweep.variants {
            let (side, python) = (v.name.as_deref().unwrap_or_default(), v.python.as_ref().expect("--check-python requires both"));
            println!("{side}: {} runs its own libpython {}", python.executable.display(), python.library.display());
        }
        return Ok(exit::OK);
    }
    install_interrupt_handler();
    let (begun, deadline) = (Instant::now(), Instant::now() + a.budget);
    let run_dir = sweep.run()?;
    let again = Sweep { ops_from: Some(run_dir.join("base")), ..sweep.clone() };
    let mut first = Paired::load(&run_dir, sweep.settings.passes, begun)?;
    let (per_look, looks) = if a.until_decided { (opts.per_look(MAX_LOOKS), MAX_LOOKS) } else { (opts, 1) };
    let mut cmp = first.decide(&again, &run_dir, "look", &per_look, looks::undecided, looks, Some(deadline))?;
    if first.looks > 1 {
        first.base.save(&run_dir.join("base/results.json"))?;
        first.new.save(&run_dir.join("new/results.json"))?;
        cmp.notes.push(format!(
            "--until-decided: {} looks of {} pass pairs in {:.0} min, each judged at a {MAX_LOOKS}th of the error rates",
            first.looks,
            first.passes,
            first.begun.elapsed().as_secs_f64() / 60.0
        ));
    }
    for side in ["base", "new"] {
        report::render(&run_dir.join(side)).with_context(|| format!("rendering the {side} report"))?;
    }
    if !a.no_confirm {
        looks::confirm(&mut cmp, &opts, &again, &run_dir, first.passes * first.looks, Some(deadline))?;
    }
    cmp.base.source = Some(run_dir.join("base").display().to_string());
    cmp.new.source = Some(run_dir.join("new").display().to_string());
    cmp.notes.extend(package_note(&sweep)?);
    write_atomic(&run_dir.join("comparison.txt"), cmp.render_text(true).as_bytes())?;
    print!("{}", a.judge.printed(&cmp)?);
    let interrupted = [&first.base, &first.new].iter().any(|r| r.run.status == RunStatus::Interrupted);
    Ok(if interrupted { exit::INTERRUPTED } else { cmp.exit_code() })
}

/// One sweep over both variants: the base and new sides, each its workload folder and interpreter
/// (probed first: another minor version, a GIL-only build, one without a shared libpython, or a
/// side whose children would load another libpython is refused before anything runs).
fn sweep(a: &Args) -> Result<Sweep> {
    let exe = std::env::current_exe().context("locating the ftbench binary")?;
    let (base_python, new_python) = match (&a.base_python, &a.new_python) {
        (Some(b), Some(n)) => {
            let (b, n) = (side_python("base", b, &exe)?, side_python("new", n, &exe)?);
            crate::ab::check_pair(&b, &n)?;
            (Some(b), Some(n))
        }
        _ => (None, None),
    };
    let base_venv = a.base_venv.as_deref().map(|d| side_venv("base", d, base_python.as_ref())).transpose()?;
    let new_venv = a.new_venv.as_deref().map(|d| side_venv("new", d, new_python.as_ref())).transpose()?;
    let given = [a.base_workloads.is_some(), a.new_workloads.is_some(), base_venv.is_some(), new_venv.is_some()];
    if base_python.is_none() && !given.contains(&true) {
        bail!(
            "ftbench ab needs two variants: --base-python/--new-python, --base-venv/--new-venv, or \
             --base-workloads/--new-workloads"
        );
    }
    let mut settings = Settings::from_env_and_args(a.quick, a.threads.as_deref(), &a.modes)?;
    settings.passes = a.passes.unwrap_or(settings.passes.min(AB_PASSES)).max(2);
    let side = |name: &str, dir: &Option<PathBuf>, python, venv| Variant {
        name: Some(name.into()),
        workloads_dir: dir.clone().or_else(|| a.workloads.clone()).unwrap_or_else(paths::workloads_dir),
        python,
        venv,
    };
    Ok(Sweep {
        exe,
        settings,
        timing: ChildTiming::Timed,
        variants: vec![side("base", &a.base_workloads, base_python, base_venv), side("new", &a.new_workloads, new_python, new_venv)],
        filter: Filter { patterns: a.filters.clone(), exact: false },
        reports_dir: a.out.clone().unwrap_or_else(paths::reports_dir),
        child_timeout: None,
        resume: None,
        quiet: a.quiet,
        ops_from: None,
    })
}

/// The interpreter of one side, probed and proven to be what that side's children run.
fn side_python(side: &str, python: &std::path::Path, exe: &std::path::Path) -> Result<Interpreter> {
    let interpreter = Interpreter::probe(python).with_context(|| format!("--{side}-python"))?;
    interpreter.verify(exe).with_context(|| format!("--{side}-python {}", python.display()))?;
    Ok(interpreter)
}

/// The venv of one side, as an absolute path, refused unless it is a venv of the interpreter that
/// side's children embed (its libpython: the side's `--*-python`, else the suite venv's).
fn side_venv(side: &str, dir: &std::path::Path, python: Option<&Interpreter>) -> Result<PathBuf> {
    let flag = format!("--{side}-venv {}", dir.display());
    let dir = std::path::absolute(dir).with_context(|| flag.clone())?;
    let own = Interpreter::probe(&crate::venv::python(&dir)).with_context(|| flag.clone())?;
    let expected = match python {
        Some(p) => p.clone(),
        None => Interpreter::probe(&paths::venv_python()).context("the suite venv's interpreter")?,
    };
    if own.library != expected.library {
        bail!(
            "{flag}: a venv of {} (which runs {}), but this side's children embed {}: make it with `ftbench venv`",
            own.executable.display(),
            own.library.display(),
            expected.library.display()
        );
    }
    Ok(dir)
}

/// What differs between the two sides' packages (None when neither side has a venv of its own).
fn package_note(sweep: &Sweep) -> Result<Option<String>> {
    if sweep.variants.iter().all(|v| v.venv.is_none()) {
        return Ok(None);
    }
    let venv = |v: &Variant| v.venv.clone().unwrap_or_else(paths::venv_dir);
    crate::venv::difference_note(&venv(&sweep.variants[0]), &venv(&sweep.variants[1])).map(Some)
}
