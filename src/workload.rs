//! Workload files: finding them, loading one through the harness, and its protocol calls.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::config::CodeContext;
use crate::embedding::{format_exception, harness, py_error};
use crate::results::WorkloadMeta;

/// A loaded workload: its module and metadata. Protocol calls go through here.
pub struct Workload {
    pub name: String,
    pub path: PathBuf,
    pub meta: WorkloadMeta,
    module: Py<PyModule>,
    /// The metadata as harness.py validated it, for harness calls that need it.
    raw_meta: Py<PyDict>,
}

/// The workload files in `dir`: every `*.py` whose name does not start with `_`, by name.
pub fn discover(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read workload folder {}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .filter(|p| !name_of(p).starts_with('_'))
        .collect();
    files.sort();
    Ok(files)
}

/// A workload's name: its file name without `.py`.
pub fn name_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Scenarios left out of a run that no filter selects: `cargo bench -- interp` or `ftbench bench interp` runs them.
/// The interpreter-scaling suite is many tiny loops for CPython developers, not a primitive choice, and would
/// take the default run past its time budget.
pub const OPT_IN_SCENARIOS: [&str; 1] = [crate::results::INTERPRETER_SCENARIO];

/// What a workload file declares before any interpreter exists, read from its text: the parent needs it to
/// plan (`SCENARIO`) and to start the child (`ENV`, the variables its interpreter must start with, such as
/// `PYTHON_CONTEXT_AWARE_WARNINGS=0`). Both must be one-line literals; loading checks that the scan agrees
/// with the module (`SCENARIO` in [`Workload::load`], `ENV` against the child's environment in harness.py), so a
/// form this scan misses is an error naming the file, never a silent miss.
#[derive(Debug, Default, PartialEq)]
pub struct Declared {
    pub scenario: Option<String>,
    pub env: Vec<(String, String)>,
}

impl Declared {
    pub fn read(path: &Path) -> Result<Declared> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read workload file {}", path.display()))?;
        let string = regex::Regex::new(r#"^\s*["']([^"']*)["']\s*(#.*)?$"#).expect("valid regex");
        let pair = regex::Regex::new(r#"["']([^"']*)["']\s*:\s*["']([^"']*)["']"#).expect("valid regex");
        let mut d = Declared::default();
        for line in text.lines() {
            if let Some(value) = line.strip_prefix("SCENARIO =") {
                d.scenario = string.captures(value).map(|c| c[1].to_string());
            } else if let Some(value) = line.strip_prefix("ENV =") {
                d.env = pair.captures_iter(value).map(|c| (c[1].to_string(), c[2].to_string())).collect();
            }
        }
        Ok(d)
    }

    pub fn opt_in(&self) -> bool {
        self.scenario.as_deref().is_some_and(|s| OPT_IN_SCENARIOS.contains(&s))
    }
}

/// `files` split into the default ones and the opt-in ones (see [`OPT_IN_SCENARIOS`]), in order.
pub fn split_opt_in(files: Vec<PathBuf>) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut default, mut opt_in) = (Vec::new(), Vec::new());
    for f in files {
        if Declared::read(&f)?.opt_in() {
            opt_in.push(f);
        } else {
            default.push(f);
        }
    }
    Ok((default, opt_in))
}

/// The line saying which opt-in workloads (`opt_in`, from [`split_opt_in`]) a command left out
/// (`left_out`, e.g. "are not in the default run") and how to select them (`select`); None when
/// there are none.
pub fn opt_in_note(opt_in: &[PathBuf], left_out: &str, select: &str) -> Option<String> {
    let first = opt_in.first()?;
    Some(format!(
        "{} opt-in workloads (scenario {}, e.g. {}) {left_out}; {select}",
        opt_in.len(),
        OPT_IN_SCENARIOS.join(", "),
        name_of(first)
    ))
}

/// The outcome of `verify`.
pub enum Verdict {
    Held,
    Broken { message: String, lost_updates: Option<u64> },
}

impl Workload {
    /// Imports and validates `path` as an installed program's module (from cached bytecode).
    /// Errors name the file and carry the Python traceback.
    pub fn load(py: Python<'_>, path: &Path) -> Result<Workload> {
        Workload::load_as(py, path, CodeContext::Cached)
    }

    /// [`Workload::load`] with its code object made the way `code` says.
    pub fn load_as(py: Python<'_>, path: &Path, code: CodeContext) -> Result<Workload> {
        let h = harness(py)?;
        let script = match code {
            CodeContext::Main => Some(compile_as_script(py, path)?),
            _ => None,
        };
        let loaded = h.call_method1("load", (path.to_string_lossy().as_ref(), code.label(), script)).map_err(|e| workload_error(py, e))?;
        let (module, meta): (Bound<'_, PyModule>, Bound<'_, PyDict>) = loaded.extract().map_err(|e| py_error(py, e))?;
        let parsed = meta_from(py, &meta, path).with_context(|| format!("reading metadata of {}", path.display()))?;
        if Declared::read(path)?.scenario.as_deref() != Some(parsed.scenario.as_str()) {
            bail!(
                "{}: write SCENARIO as a one-line string literal at the start of a line (SCENARIO = \"{}\"): ftbench \
                 reads it from the file's text to plan runs",
                path.display(),
                parsed.scenario
            );
        }
        Ok(Workload { name: name_of(path), path: path.to_path_buf(), meta: parsed, module: module.unbind(), raw_meta: meta.unbind() })
    }

    /// Why this workload cannot run in this interpreter, if it cannot. Imports its packages.
    pub fn skip_reason(&self, py: Python<'_>) -> Result<Option<String>> {
        let reason = harness(py)?
            .call_method1("skip_reason", (self.raw_meta.bind(py),))
            .and_then(|r| r.extract::<Option<String>>())
            .map_err(|e| py_error(py, e))?;
        Ok(reason)
    }

    pub fn function<'py>(&self, py: Python<'py>, name: &str) -> Result<Bound<'py, PyAny>> {
        self.module.bind(py).getattr(name).map_err(|e| py_error(py, e))
    }

    pub fn has(&self, py: Python<'_>, name: &str) -> bool {
        self.module.bind(py).hasattr(name).unwrap_or(false)
    }

    /// `setup(threads)`: fresh state for one round.
    pub fn setup(&self, py: Python<'_>, threads: usize) -> Result<Py<PyAny>> {
        let state = self
            .function(py, "setup")?
            .call1((threads,))
            .map_err(|e| anyhow!("{}: setup({threads}) raised:\n{}", self.path.display(), format_exception(py, &e)))?;
        Ok(state.unbind())
    }

    /// `verify(state, threads, ops)`: Held, or Broken with the exception's message.
    pub fn verify(&self, py: Python<'_>, state: &Py<PyAny>, threads: usize, ops: u64) -> Result<Verdict> {
        match self.function(py, "verify")?.call1((state.clone_ref(py), threads, ops)) {
            Ok(_) => Ok(Verdict::Held),
            Err(e) => {
                let value = e.value(py);
                let lost_updates = value.getattr("lost_updates").ok().and_then(|v| v.extract::<i64>().ok());
                let message = value.str().map(|s| s.to_string()).unwrap_or_default();
                let kind = value.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                Ok(Verdict::Broken { message: format!("{kind}: {message}"), lost_updates: lost_updates.map(|n| n.unsigned_abs()) })
            }
        }
    }

    /// `teardown(state)`, when the workload defines it.
    pub fn teardown(&self, py: Python<'_>, state: Py<PyAny>) -> Result<()> {
        if self.has(py, "teardown") {
            self.function(py, "teardown")?
                .call1((state,))
                .map_err(|e| anyhow!("{}: teardown raised:\n{}", self.path.display(), format_exception(py, &e)))?;
        }
        Ok(())
    }

    pub fn module<'py>(&self, py: Python<'py>) -> Bound<'py, PyModule> {
        self.module.bind(py).clone()
    }
}

/// `path` compiled as `python script.py` compiles its `__main__`: through the C API, which on 3.13t
/// interns and immortalizes constants as the builtin compile() does not.
fn compile_as_script<'py>(py: Python<'py>, path: &Path) -> Result<Bound<'py, PyAny>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read workload file {}", path.display()))?;
    let source = CString::new(text).with_context(|| format!("{}: the file contains a NUL byte", path.display()))?;
    let filename = CString::new(path.to_string_lossy().as_bytes()).context("a path with a NUL byte")?;
    // SAFETY: both strings are NUL-terminated and outlive the call; the thread is attached.
    let code = unsafe { pyo3::ffi::Py_CompileString(source.as_ptr(), filename.as_ptr(), pyo3::ffi::Py_file_input) };
    // SAFETY: a new reference or NULL with an exception set, as Py_CompileString documents.
    unsafe { Bound::from_owned_ptr_or_err(py, code) }
        .map_err(|e| anyhow!("{}: cannot be imported:\n{}", path.display(), format_exception(py, &e)))
}

/// Loading errors are already phrased by harness.py (file and fault); others get the traceback.
fn workload_error(py: Python<'_>, err: PyErr) -> anyhow::Error {
    let is_protocol = err.value(py).get_type().name().is_ok_and(|n| n == "WorkloadError");
    if is_protocol {
        anyhow!(err.value(py).to_string())
    } else {
        py_error(py, err)
    }
}

fn meta_from(py: Python<'_>, d: &Bound<'_, PyDict>, path: &Path) -> Result<WorkloadMeta> {
    let get = |k: &str| d.get_item(k).ok().flatten().ok_or_else(|| anyhow!("metadata {k} missing"));
    let ex = |e: PyErr| py_error(py, e);
    Ok(WorkloadMeta {
        primitive: get("PRIMITIVE")?.extract().map_err(ex)?,
        scenario: get("SCENARIO")?.extract().map_err(ex)?,
        invariant: get("INVARIANT")?.extract().map_err(ex)?,
        description: get("DESCRIPTION")?.extract().map_err(ex)?,
        packages: get("PACKAGES")?.extract().map_err(ex)?,
        unsynchronized: get("UNSYNCHRONIZED")?.extract().map_err(ex)?,
        variant_of: get("VARIANT_OF")?.extract().map_err(ex)?,
        driver: get("DRIVER")?.extract().map_err(ex)?,
        min_threads: get("MIN_THREADS")?.extract().map_err(ex)?,
        file: path.display().to_string(),
        operation: get("OPERATION")?.extract::<Option<String>>().map_err(ex)?.map(|o| o.trim().to_string()).filter(|o| !o.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(text: &str) -> Declared {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.py");
        std::fs::write(&path, text).unwrap();
        Declared::read(&path).unwrap()
    }

    #[test]
    fn scenario_and_env_are_read_from_one_line_literals() {
        let d =
            declared("import os\nSCENARIO = 'interpreter'  # ftscalingbench\nENV = {\"PYTHON_CONTEXT_AWARE_WARNINGS\": \"0\", 'A': ''}\n");
        assert_eq!(d.scenario.as_deref(), Some("interpreter"));
        assert!(d.opt_in());
        assert_eq!(d.env, vec![("PYTHON_CONTEXT_AWARE_WARNINGS".into(), "0".into()), ("A".into(), String::new())]);
    }

    #[test]
    fn other_files_declare_nothing_and_are_not_opt_in() {
        let d = declared("SCENARIO = \"hot-counter\"\n    ENV = {\"NOT\": \"module level\"}\nSCENARIO_X = 'interpreter'\n");
        assert_eq!(d, Declared { scenario: Some("hot-counter".into()), env: Vec::new() });
        assert!(!d.opt_in());
        assert_eq!(declared(""), Declared::default());
        let missing = Declared::read(Path::new("/nonexistent/w.py")).unwrap_err();
        assert!(format!("{missing:#}").contains("/nonexistent/w.py"));
    }
}
