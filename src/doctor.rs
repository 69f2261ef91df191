//! `ftbench doctor`: the free-threading deployment checklist as a command.
//!
//! Every check runs in a fresh child interpreter with `PYTHON_GIL` removed from its
//! environment: `PYTHON_GIL=0` forces the GIL off and would hide exactly what we look for,
//! an extension module that re-enables the GIL when it is imported because it does not
//! declare free-threading support (no `{Py_mod_gil, Py_MOD_GIL_NOT_USED}` slot).
//!
//! Checks:
//! 1. the build supports free threading (`sysconfig.get_config_var("Py_GIL_DISABLED") == 1`);
//! 2. the GIL is disabled at run time in a fresh interpreter (`sys._is_gil_enabled()`);
//! 3. `sys.flags.thread_inherit_context` and 4. `sys.flags.context_aware_warnings`
//!    (Python 3.14+; "n/a" before);
//! 5. one check per module (`--import`, `--all-installed`): imported in its own
//!    interpreter process, under a timeout, reporting whether the import re-enabled the
//!    GIL (with the warning CPython printed) or failed.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::results::GilMode;
use crate::supervise::{self, Ended, Outcome, Reenable};

/// Default per-process timeout of a check.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Names `--all-installed` never imports: installers, and scripts some wheels ship into
/// site-packages by mistake (importing `setup` would run a `setup.py`).
const SKIPPED_MODULES: &[&str] = &["pip", "setuptools", "pkg_resources", "setup", "conftest"];

/// Text CPython's warning contains when an import re-enables the GIL.
const GIL_WARNING_MARKER: &str = "global interpreter lock (GIL) has been enabled";

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "pass")]
    Pass,
    #[serde(rename = "fail")]
    Fail,
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "n/a",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// e.g. "free-threaded build", "GIL disabled at runtime", "import numpy".
    pub name: String,
    pub status: Status,
    /// One line saying what was found.
    pub detail: String,
    /// The module, for import checks.
    pub module: Option<String>,
    /// The GIL warning CPython emitted (import checks), if any.
    pub warning: Option<String>,
}

impl Check {
    fn basic(name: &str, status: Status, detail: impl Into<String>) -> Check {
        Check { name: name.to_string(), status, detail: detail.into(), module: None, warning: None }
    }
}

/// Everything `ftbench doctor` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoctorReport {
    /// The interpreter as given (`--python` or the venv default).
    pub python: PathBuf,
    /// `sys.executable` of that interpreter.
    pub executable: String,
    /// `sys.version` on one line.
    pub version: String,
    /// `[major, minor, micro]`.
    pub version_info: Vec<u32>,
    /// True when no check failed.
    pub ok: bool,
    pub checks: Vec<Check>,
    /// Installed names `--all-installed` deliberately did not import.
    pub skipped_modules: Vec<String>,
}

impl DoctorReport {
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status == Status::Fail)
    }

    /// The check named `name`, if present.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The import check of `module`, if present.
    pub fn module_check(&self, module: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.module.as_deref() == Some(module))
    }

    /// 1 when any check failed, 0 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.failed().next().is_some() {
            1
        } else {
            0
        }
    }

    /// The aligned human-readable table.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("ftbench doctor: {}\n", self.python.display()));
        if self.executable != self.python.to_string_lossy() {
            out.push_str(&format!("  executable: {}\n", self.executable));
        }
        out.push_str(&format!("  version:    {}\n\n", self.version));

        let mut rows = Vec::new();
        for c in &self.checks {
            rows.push(vec![c.name.clone(), c.status.as_str().to_string(), c.detail.clone()]);
            // CPython's warning goes under the detail it explains.
            rows.extend(c.warning.iter().map(|w| vec![String::new(), String::new(), format!("warning: {w}")]));
        }
        out.push_str(&crate::text::table(&["check", "status", "detail"], &rows));
        let count = |s: Status| self.checks.iter().filter(|c| c.status == s).count();
        out.push('\n');
        if !self.skipped_modules.is_empty() {
            out.push_str(&format!("not imported (installers, stray scripts): {}\n", self.skipped_modules.join(", ")));
        }
        out.push_str(&format!(
            "{}: {} passed, {} failed, {} n/a\n",
            if self.ok { "ok" } else { "FAILED" },
            count(Status::Pass),
            count(Status::Fail),
            count(Status::NotApplicable)
        ));
        out
    }
}

/// Knobs of [`run_checks_with`].
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Directories put in front of the children's `PYTHONPATH`.
    pub extra_sys_path: Vec<PathBuf>,
    /// How long one child interpreter may run.
    pub timeout: Duration,
    /// How many module checks run at once (0 = available parallelism).
    pub jobs: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { extra_sys_path: Vec::new(), timeout: DEFAULT_TIMEOUT, jobs: 0 }
    }
}

/// Runs the checklist against `python` with default options.
pub fn run_checks(python: &Path, modules: &[String], all_installed: bool) -> Result<DoctorReport> {
    run_checks_with(python, modules, all_installed, &CheckOptions::default())
}

/// Runs the checklist against `python`: the basic checks, then one import check per module
/// in `modules` and (with `all_installed`) per top-level module of its site-packages.
pub fn run_checks_with(python: &Path, modules: &[String], all_installed: bool, options: &CheckOptions) -> Result<DoctorReport> {
    let probe = Probe::new(python, options)?;
    let info = probe.interpreter_info()?;

    let mut checks = basic_checks(&info);
    let free_threaded_runtime = info.gil_enabled == Some(false);

    let mut names: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for m in modules {
        let m = m.trim();
        if !m.is_empty() && seen.insert(m.to_string()) {
            names.push(m.to_string());
        }
    }
    let mut skipped_modules = Vec::new();
    if all_installed {
        let listing = probe.installed_modules()?;
        for m in listing.modules {
            if seen.insert(m.clone()) {
                names.push(m);
            }
        }
        skipped_modules = listing.skipped;
    }

    checks.extend(probe.module_checks(&names, free_threaded_runtime));

    let ok = !checks.iter().any(|c| c.status == Status::Fail);
    Ok(DoctorReport {
        python: python.to_path_buf(),
        executable: info.executable.clone(),
        version: info.version.clone(),
        version_info: info.version_info.clone(),
        ok,
        checks,
        skipped_modules,
    })
}

// ---------------------------------------------------------------------------------------
// Python snippets run in the child interpreters (kept compatible with old Pythons so a
// non-free-threaded or old interpreter still gets a report rather than an error).

/// Prints facts about the interpreter as JSON to the file named by argv[1].
const INFO_SNIPPET: &str = r#"
import sys
_gil = getattr(sys, "_is_gil_enabled", None)
gil_enabled = _gil() if _gil is not None else None
import json, sysconfig
def flag(name):
    v = getattr(sys.flags, name, None)
    return None if v is None else bool(v)
info = {
    "executable": sys.executable,
    "version": " ".join(sys.version.split()),
    "version_info": list(sys.version_info[:3]),
    "implementation": sys.implementation.name,
    "py_gil_disabled": sysconfig.get_config_var("Py_GIL_DISABLED"),
    "has_is_gil_enabled": _gil is not None,
    "gil_enabled": gil_enabled,
    "thread_inherit_context": flag("thread_inherit_context"),
    "context_aware_warnings": flag("context_aware_warnings"),
}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(info, f)
"#;

/// Lists the top-level importable modules of the interpreter's site-packages as JSON to
/// the file named by argv[1]; argv[2:] are names to skip.
const LIST_SNIPPET: &str = r#"
import sys, os, json, site, pkgutil
skip = set(sys.argv[2:])
dirs = []
try:
    dirs.extend(site.getsitepackages())
except Exception:
    pass
try:
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
except Exception:
    pass
norm = lambda p: os.path.normcase(os.path.realpath(p))
on_path = set(norm(p) for p in sys.path if p)
seen_dirs = []
for d in dirs:
    if os.path.isdir(d) and norm(d) in on_path and norm(d) not in [norm(x) for x in seen_dirs]:
        seen_dirs.append(d)
names = set()
for m in pkgutil.iter_modules(seen_dirs):
    names.add(m.name)
try:
    import importlib.metadata as md
    for dist in md.distributions(path=seen_dirs):
        top = dist.read_text("top_level.txt") or ""
        for line in top.splitlines():
            line = line.strip().replace("/", ".")
            if line and "." not in line:
                names.add(line)
except Exception:
    pass
modules, skipped = [], []
for n in sorted(names):
    if not n.isidentifier() or n.startswith("_"):
        continue
    if n in skip:
        skipped.append(n)
    else:
        modules.append(n)
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump({"dirs": seen_dirs, "modules": modules, "skipped": skipped}, f)
"#;

/// Imports argv[2] and writes what happened as JSON to the file named by argv[1].
const IMPORT_SNIPPET: &str = r#"
import sys, os, warnings
_gil = getattr(sys, "_is_gil_enabled", None)
out, name = sys.argv[1], sys.argv[2]
res = {"gil_before": _gil() if _gil is not None else None, "ok": False, "error": None}
import importlib
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        importlib.import_module(name)
        res["ok"] = True
    except BaseException as e:
        msg = " ".join(str(e).split())
        res["error"] = type(e).__name__ + (": " + msg if msg else "")
res["gil_after"] = _gil() if _gil is not None else None
res["warnings"] = [{"category": getattr(w.category, "__name__", str(w.category)), "message": str(w.message)} for w in caught]
import json
with open(out, "w", encoding="utf-8") as f:
    json.dump(res, f)
try:
    sys.stdout.flush()
    sys.stderr.flush()
finally:
    # Threads a module started must not keep this check waiting.
    os._exit(0)
"#;

#[derive(Debug, Deserialize)]
struct InterpreterInfo {
    executable: String,
    version: String,
    version_info: Vec<u32>,
    #[allow(dead_code)]
    implementation: String,
    py_gil_disabled: Option<serde_json::Value>,
    has_is_gil_enabled: bool,
    gil_enabled: Option<bool>,
    thread_inherit_context: Option<bool>,
    context_aware_warnings: Option<bool>,
    /// Filled in from the child's stderr (a GIL warning during start-up).
    #[serde(skip)]
    startup_warning: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Listing {
    modules: Vec<String>,
    skipped: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ImportResult {
    gil_before: Option<bool>,
    gil_after: Option<bool>,
    ok: bool,
    error: Option<String>,
    warnings: Vec<CaughtWarning>,
}

#[derive(Debug, Deserialize)]
struct CaughtWarning {
    #[allow(dead_code)]
    category: String,
    message: String,
}

fn basic_checks(info: &InterpreterInfo) -> Vec<Check> {
    let mut checks = Vec::new();

    let disabled = match &info.py_gil_disabled {
        Some(serde_json::Value::Number(n)) => n.as_i64() == Some(1),
        Some(serde_json::Value::Bool(b)) => *b,
        _ => false,
    };
    let shown = match &info.py_gil_disabled {
        None | Some(serde_json::Value::Null) => "None".to_string(),
        Some(v) => v.to_string(),
    };
    checks.push(if disabled {
        Check::basic("free-threaded build", Status::Pass, format!("Py_GIL_DISABLED={shown}"))
    } else {
        Check::basic(
            "free-threaded build",
            Status::Fail,
            format!("Py_GIL_DISABLED={shown}: this is not a free-threaded (3.13t/3.14t) build"),
        )
    });

    let mut gil = match (info.has_is_gil_enabled, info.gil_enabled) {
        (true, Some(false)) => Check::basic("GIL disabled at runtime", Status::Pass, "sys._is_gil_enabled() is False (PYTHON_GIL unset)"),
        (true, _) => Check::basic(
            "GIL disabled at runtime",
            Status::Fail,
            if info.startup_warning.is_some() {
                "sys._is_gil_enabled() is True: a module imported at start-up re-enabled it"
            } else {
                "sys._is_gil_enabled() is True (PYTHON_GIL unset)"
            },
        ),
        (false, _) => {
            Check::basic("GIL disabled at runtime", Status::Fail, "no sys._is_gil_enabled (Python < 3.13): the GIL is always enabled")
        }
    };
    gil.warning = info.startup_warning.clone();
    checks.push(gil);

    for (name, value, env) in [
        ("thread_inherit_context", info.thread_inherit_context, "PYTHON_THREAD_INHERIT_CONTEXT"),
        ("context_aware_warnings", info.context_aware_warnings, "PYTHON_CONTEXT_AWARE_WARNINGS"),
    ] {
        checks.push(match value {
            None => Check::basic(name, Status::NotApplicable, "n/a (3.14+)"),
            Some(true) => Check::basic(name, Status::Pass, format!("sys.flags.{name} is True")),
            Some(false) => Check::basic(
                name,
                Status::Fail,
                format!("sys.flags.{name} is False (expected True on free-threaded builds; {env}=1 or -X {name}=1)"),
            ),
        });
    }
    checks
}

fn import_check(module: &str, outcome: Result<Outcome<ImportResult>>, timeout: Duration, free_threaded: bool) -> Check {
    let name = format!("import {module}");
    let mut check = Check { name, status: Status::Fail, detail: String::new(), module: Some(module.to_string()), warning: None };
    let run = match outcome {
        Ok(run) => run,
        Err(e) => {
            check.detail = format!("could not run the interpreter: {e:#}");
            return check;
        }
    };
    let stderr_warning = gil_warning_in(&run.stderr);
    let Ended::Exited(status) = run.ended else {
        check.detail = format!("import did not finish within {}s (killed)", timeout.as_secs_f64());
        check.warning = stderr_warning;
        return check;
    };
    let Some(result) = run.record else {
        check.detail = format!("interpreter died while importing {}", died(status, &run.stderr));
        check.warning = stderr_warning;
        return check;
    };
    let caught: Vec<&str> = result.warnings.iter().map(|w| w.message.as_str()).filter(|m| m.contains(GIL_WARNING_MARKER)).collect();
    let warning = if caught.is_empty() { stderr_warning } else { Some(one_line(&caught.join(" | "))) };
    let reenabled = result.gil_before == Some(false) && (result.gil_after == Some(true) || warning.is_some());

    match (result.ok, reenabled) {
        (_, true) => {
            check.detail = match &result.error {
                None => "importing it re-enabled the GIL (no Py_mod_gil = Py_MOD_GIL_NOT_USED declared)".to_string(),
                Some(e) => format!("importing it re-enabled the GIL, then the import failed: {e}"),
            };
            check.warning = warning;
        }
        (false, false) => {
            check.detail = format!("import failed: {}", result.error.as_deref().unwrap_or("unknown error"));
            check.warning = warning;
        }
        (true, false) if !free_threaded || result.gil_before != Some(false) => {
            check.status = Status::NotApplicable;
            check.detail = "imported, but the GIL was already enabled before the import".to_string();
            check.warning = warning;
        }
        (true, false) => {
            check.status = Status::Pass;
            check.detail = "imported; the GIL stays disabled".to_string();
        }
    }
    check
}

/// How a child that left no answer ended: "(exit status: 1): its last stderr line".
fn died(status: ExitStatus, stderr: &str) -> String {
    let line = last_line(stderr).map(|l| format!(": {l}")).unwrap_or_default();
    format!("({}){line}", supervise::exit_words(status))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn last_line(s: &str) -> Option<String> {
    s.lines().rev().map(str::trim).find(|l| !l.is_empty()).map(one_line)
}

/// The GIL warning(s) in a child's stderr, without the `file:line: RuntimeWarning:` prefix.
fn gil_warning_in(stderr: &str) -> Option<String> {
    let found: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains(GIL_WARNING_MARKER))
        .map(|l| match l.find("RuntimeWarning: ") {
            Some(i) => one_line(&l[i + "RuntimeWarning: ".len()..]),
            None => one_line(l),
        })
        .collect();
    if found.is_empty() {
        None
    } else {
        Some(found.join(" | "))
    }
}

// ---------------------------------------------------------------------------------------
// Child processes.

struct Probe<'a> {
    python: &'a Path,
    options: &'a CheckOptions,
    pythonpath: Option<OsString>,
}

impl<'a> Probe<'a> {
    fn new(python: &'a Path, options: &'a CheckOptions) -> Result<Self> {
        let pythonpath = if options.extra_sys_path.is_empty() {
            None
        } else {
            let mut parts: Vec<PathBuf> = options.extra_sys_path.clone();
            if let Some(existing) = std::env::var_os("PYTHONPATH").filter(|v| !v.is_empty()) {
                parts.extend(std::env::split_paths(&existing));
            }
            Some(std::env::join_paths(parts).context("joining PYTHONPATH entries")?)
        };
        Ok(Probe { python, options, pythonpath })
    }

    /// Runs `python -c snippet RECORD_FILE args…` in an empty working folder, with the GIL
    /// off as the build's default (a re-enabling import shows), under the timeout; a snippet
    /// answers in RECORD_FILE. Err only when the process cannot start.
    fn run<R: DeserializeOwned>(&self, snippet: &str, args: &[&str]) -> Result<Outcome<R>> {
        let dir = tempfile::Builder::new().prefix("ftbench-doctor-").tempdir().context("creating a temporary folder")?;
        let record = dir.path().join("result.json");
        let mut command = Command::new(self.python);
        command.arg("-c").arg(snippet).arg(&record).args(args).current_dir(dir.path()).stdout(Stdio::null());
        supervise::gil_env(&mut command, GilMode::Off, Reenable::Visible);
        if let Some(pp) = &self.pythonpath {
            command.env("PYTHONPATH", pp);
        }
        // A foreign interpreter has no SIGUSR1 handler: at its timeout it is simply killed. It
        // stays in our process group, so a Ctrl-C of `ftbench doctor` reaches every check in flight.
        let spec =
            supervise::Spec { command, stderr: dir.path().join("stderr.log"), record, timeout: self.options.timeout, dump_stacks: false };
        supervise::run(spec).with_context(|| format!("cannot run Python interpreter {}", self.python.display()))
    }

    fn interpreter_info(&self) -> Result<InterpreterInfo> {
        let path = self.python.display();
        let run = self.run::<InterpreterInfo>(INFO_SNIPPET, &[])?;
        let Ended::Exited(status) = run.ended else {
            bail!("Python interpreter {path} did not answer within {:?}", self.options.timeout);
        };
        let Some(mut info) = run.record else {
            bail!("Python interpreter {path} could not run the doctor probe {}", died(status, &run.stderr));
        };
        info.startup_warning = gil_warning_in(&run.stderr);
        Ok(info)
    }

    fn installed_modules(&self) -> Result<Listing> {
        let path = self.python.display();
        let run = self.run::<Listing>(LIST_SNIPPET, SKIPPED_MODULES)?;
        let Ended::Exited(status) = run.ended else {
            bail!("listing the modules installed for {path} did not finish within {:?}", self.options.timeout);
        };
        run.record.ok_or_else(|| anyhow!("listing the modules installed for {path} failed {}", died(status, &run.stderr)))
    }

    /// One import check per module, each in its own process, a few at a time; results in
    /// the order of `modules`.
    fn module_checks(&self, modules: &[String], free_threaded: bool) -> Vec<Check> {
        if modules.is_empty() {
            return Vec::new();
        }
        let jobs = if self.options.jobs > 0 {
            self.options.jobs
        } else {
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8)
        }
        .min(modules.len());
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Check>>> = Mutex::new(vec![None; modules.len()]);
        std::thread::scope(|s| {
            for _ in 0..jobs {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(module) = modules.get(i) else { break };
                    let outcome = self.run(IMPORT_SNIPPET, &[module.as_str()]);
                    let check = import_check(module, outcome, self.options.timeout, free_threaded);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(check);
                });
            }
        });
        results
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .zip(modules)
            .map(|(c, m)| {
                c.unwrap_or_else(|| Check {
                    name: format!("import {m}"),
                    status: Status::Fail,
                    detail: "check did not run".to_string(),
                    module: Some(m.clone()),
                    warning: None,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_prefix_is_stripped() {
        let stderr = "<frozen importlib._bootstrap>:488: RuntimeWarning: The global interpreter lock (GIL) has been enabled to load module 'x', which has not declared\n";
        let w = gil_warning_in(stderr).unwrap();
        assert!(w.starts_with("The global interpreter lock (GIL) has been enabled to load module 'x'"), "{w}");
        assert_eq!(gil_warning_in("nothing here\n"), None);
    }

    #[test]
    fn status_serialises_as_words() {
        assert_eq!(serde_json::to_string(&Status::NotApplicable).unwrap(), "\"n/a\"");
        assert_eq!(serde_json::to_string(&Status::Fail).unwrap(), "\"fail\"");
    }
}
