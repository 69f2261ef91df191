//! `ftbench ab`: measures two variants (interpreters or workload folders) side by side in one run
//! and compares them pass by pass (see [`crate::ab`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use super::compare::JudgeArgs;
use crate::ab::Interpreter;
use crate::child::ChildTiming;
use crate::compare::{compare_paired, Comparison, RowCategory};
use crate::config::Settings;
use crate::exit;
use crate::fsutil::write_atomic;
use crate::results::{RunResults, RunStatus};
use crate::supervise::{install_interrupt_handler, interrupted};
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
    let started = Instant::now();
    let run_dir = sweep.run()?;
    let (mut base, mut new) = (RunResults::load(&run_dir.join("base"))?, RunResults::load(&run_dir.join("new"))?);
    let opts = if a.until_decided { opts.per_look(MAX_LOOKS) } else { opts };
    let mut cmp = compare_paired(&base, &new, &opts);
    let mut looks = 1;
    while a.until_decided && looks < MAX_LOOKS && !undecided(&cmp).is_empty() && !interrupted() {
        let per_look = started.elapsed() / looks as u32;
        if started.elapsed() + per_look > a.budget {
            eprintln!("ftbench: --budget {} spent: {} rows still undecided", humantime::format_duration(a.budget), undecided(&cmp).len());
            break;
        }
        let (b, n) = measure_again(&a, &undecided(&cmp), &run_dir, &format!("look{}", looks + 1))?;
        let offset = looks * sweep.settings.passes;
        base.add_passes(&b, offset);
        new.add_passes(&n, offset);
        cmp = compare_paired(&base, &new, &opts);
        looks += 1;
    }
    if looks > 1 {
        base.save(&run_dir.join("base/results.json"))?;
        new.save(&run_dir.join("new/results.json"))?;
        cmp.notes.push(format!(
            "--until-decided: {looks} looks of {} pass pairs in {:.0} min, each judged at a {MAX_LOOKS}th of the error rates",
            sweep.settings.passes,
            started.elapsed().as_secs_f64() / 60.0
        ));
    }
    for side in ["base", "new"] {
        report::render(&run_dir.join(side)).with_context(|| format!("rendering the {side} report"))?;
    }
    if !a.no_confirm && !cmp.flagged_ids().is_empty() {
        cmp.confirm(&confirmation(&a, &cmp, &run_dir, looks)?);
    }
    cmp.base.source = Some(run_dir.join("base").display().to_string());
    cmp.new.source = Some(run_dir.join("new").display().to_string());
    cmp.notes.extend(package_note(&sweep)?);
    write_atomic(&run_dir.join("comparison.txt"), cmp.render_text(true).as_bytes())?;
    print!("{}", a.judge.printed(&cmp)?);
    let interrupted = [&base, &new].iter().any(|r| r.run.status == RunStatus::Interrupted);
    Ok(if interrupted { exit::INTERRUPTED } else { cmp.exit_code() })
}

/// How many looks `--until-decided` may take: the error rates are split over this many.
const MAX_LOOKS: usize = 6;

/// Benchmark ids of the rows more pass pairs could decide: an inconclusive figure, or too few
/// quiet passes to judge (and their base rows).
fn undecided(cmp: &Comparison) -> Vec<String> {
    cmp.ids_where(|r| matches!(r.category(), RowCategory::Inconclusive | RowCategory::NotComparable))
}

/// The rows `ids` measured again in `run_dir/<folder>/`: both sides side by side in fresh
/// processes, shuffled afresh, at the first measurement's ops per round (`looks` × its passes).
fn measure_again(a: &Args, ids: &[String], run_dir: &Path, folder: &str) -> Result<(RunResults, RunResults)> {
    let first = sweep(a)?;
    let again = Sweep {
        filter: Filter { patterns: ids.to_vec(), exact: true },
        reports_dir: run_dir.join(folder),
        ops_from: Some(run_dir.join("base")),
        ..first
    };
    let dir = again.run()?;
    Ok((RunResults::load(&dir.join("base"))?, RunResults::load(&dir.join("new"))?))
}

/// The rows `cmp` flagged, measured again before their verdict can fail anyone, with as many pass
/// pairs as decided them (`looks` × the passes), in `run_dir/confirmation/`; judged alone at the
/// single test's rates. Says how long it took.
fn confirmation(a: &Args, cmp: &Comparison, run_dir: &Path, looks: usize) -> Result<Comparison> {
    let ids = cmp.flagged_ids();
    let started = Instant::now();
    eprintln!("ftbench: confirming {} flagged rows: measuring them again ({})", ids.len(), ids.join(", "));
    let mut again = Args { passes: Some(sweep(a)?.settings.passes * looks), ..a.clone() };
    again.quiet |= a.quiet;
    let (base, new) = measure_again(&again, &ids, run_dir, "confirmation")?;
    eprintln!("ftbench: the confirmation took {:.0} s", started.elapsed().as_secs_f64());
    Ok(compare_paired(&base, &new, &a.judge.options()?))
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
