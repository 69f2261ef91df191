//! `ftbench ab`: a paired A/B comparison in one run. Two variants — two builds of the interpreter,
//! or two workload folders (two versions of a workload or of the package it imports) — are
//! measured side by side, benchmark by benchmark, in every pass, alternating which goes first.
//! Drift hits both sides of a pair alike, so a paired t-test over passes sees smaller changes in
//! less time than two separate runs compared with `ftbench compare`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::child::ChildTiming;
use crate::compare::{compare_paired, CompareOptions, FailOn};
use crate::config::Settings;
use crate::results::RunResults;
use crate::sweep::{install_interrupt_handler, Filter, Sweep, Variant};
use crate::{paths, report};

#[derive(clap::Args, Debug)]
pub struct AbArgs {
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
    /// Passes; each measures every benchmark once on each side [default: FTBENCH_PASSES, else 5].
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
    /// Significance level of the paired test.
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

/// Another build of the interpreter the binary embeds: its children find its standard library
/// through PYTHONHOME and its libpython through the dynamic loader's path.
#[derive(Clone, Debug, PartialEq)]
pub struct Interpreter {
    pub executable: PathBuf,
    pub home: PathBuf,
    pub libdir: PathBuf,
}

/// `major.minor` of the CPython ftbench was built against (set by build.rs).
pub const BUILT_FOR: &str = env!("FTBENCH_PYTHON_MINOR");

impl Interpreter {
    /// Asks `python` for its home, library folder and version; refuses a GIL-only build or another
    /// minor version than the one ftbench embeds (its ABI would not match).
    pub fn probe(python: &Path) -> Result<Interpreter> {
        let code = "import sys, sysconfig; print(sys.base_prefix); print(sysconfig.get_config_var('LIBDIR') or ''); \
                    print('%d.%d' % sys.version_info[:2]); print(sysconfig.get_config_var('Py_GIL_DISABLED') or 0)";
        let out =
            Command::new(python).args(["-c", code]).output().with_context(|| format!("cannot run the interpreter {}", python.display()))?;
        if !out.status.success() {
            bail!("{} failed: {}", python.display(), String::from_utf8_lossy(&out.stderr).trim());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().collect();
        let [home, libdir, version, gil_disabled] = lines[..] else {
            bail!("{} printed something unexpected: {text:?}", python.display());
        };
        if gil_disabled.trim() != "1" {
            bail!("{} is not a free-threaded build (Py_GIL_DISABLED is not 1)", python.display());
        }
        if version != BUILT_FOR {
            bail!(
                "{} is Python {version}; this ftbench embeds Python {BUILT_FOR}: build ftbench against {version} \
                 (FTBENCH_PYTHON=... cargo xtask bootstrap) or compare two {BUILT_FOR} builds",
                python.display()
            );
        }
        Ok(Interpreter { executable: python.to_path_buf(), home: home.into(), libdir: libdir.into() })
    }

    /// Points a child at this interpreter.
    pub fn configure(&self, cmd: &mut Command) {
        let var = if cfg!(target_os = "macos") { "DYLD_LIBRARY_PATH" } else { "LD_LIBRARY_PATH" };
        let mut path = self.libdir.clone().into_os_string();
        if let Some(old) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            path.push(":");
            path.push(old);
        }
        cmd.env(var, path).env("PYTHONHOME", &self.home);
    }
}

pub fn command(a: AbArgs) -> Result<i32> {
    let (base_python, new_python) = match (&a.base_python, &a.new_python) {
        (Some(b), Some(n)) => (Some(Interpreter::probe(b)?), Some(Interpreter::probe(n)?)),
        _ => (None, None),
    };
    if base_python.is_none() && a.base_workloads.is_none() && a.new_workloads.is_none() {
        bail!("ftbench ab needs two variants: --base-python/--new-python, or --base-workloads/--new-workloads");
    }
    let mut settings = Settings::from_env_and_args(a.quick, a.threads.as_deref(), &a.modes)?;
    settings.passes = a.passes.unwrap_or(settings.passes).max(2);
    let side = |name: &str, dir: &Option<PathBuf>, python| Variant {
        name: Some(name.into()),
        workloads_dir: dir.clone().unwrap_or_else(paths::workloads_dir),
        python,
    };
    let sweep = Sweep {
        exe: std::env::current_exe().context("locating the ftbench binary")?,
        settings,
        timing: ChildTiming::Timed,
        variants: vec![side("base", &a.base_workloads, base_python), side("new", &a.new_workloads, new_python)],
        filter: Filter { patterns: a.filters.clone(), exact: false },
        reports_dir: a.out.clone().unwrap_or_else(paths::reports_dir),
        child_timeout: None,
    };
    install_interrupt_handler();
    let run_dir = sweep.run()?;
    for side in ["base", "new"] {
        report::render(&run_dir.join(side)).with_context(|| format!("rendering the {side} report"))?;
    }
    let (base, new) = (RunResults::load(&run_dir.join("base"))?, RunResults::load(&run_dir.join("new"))?);
    let opts = CompareOptions { threshold_pct: a.threshold, alpha: a.alpha, fail_on: FailOn::Any };
    let mut cmp = compare_paired(&base, &new, &opts);
    cmp.base.source = Some(run_dir.join("base").display().to_string());
    cmp.new.source = Some(run_dir.join("new").display().to_string());
    let text = if a.json {
        cmp.to_json()? + "\n"
    } else if a.markdown {
        cmp.render_markdown()
    } else {
        cmp.render_text()
    };
    crate::fsutil::write_atomic(&run_dir.join("comparison.txt"), cmp.render_text().as_bytes())?;
    print!("{text}");
    Ok(cmp.exit_code().max(crate::bench::exit_code(&base)).max(crate::bench::exit_code(&new)))
}
