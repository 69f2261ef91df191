//! The one embedded interpreter: start it in the GIL mode we claim, prove that mode, and give
//! the rest of the crate the Python-side harness (`harness.py`).

use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::paths;
use crate::results::{GilMode, InterpreterFacts};

static HARNESS: OnceLock<Py<PyModule>> = OnceLock::new();

/// The GIL mode this process's environment asks for: `PYTHON_GIL=1` turns the GIL on in a
/// free-threaded build; unset (or 0) leaves it off.
pub fn requested_mode() -> GilMode {
    match std::env::var("PYTHON_GIL").as_deref() {
        Ok("1") => GilMode::On,
        _ => GilMode::Off,
    }
}

/// Initialises the interpreter once (later calls only re-check) as the venv's interpreter and
/// verifies that this is a free-threaded build whose GIL is in `mode`.
pub fn initialize(mode: GilMode) -> Result<InterpreterFacts> {
    static STARTED: OnceLock<Result<(), String>> = OnceLock::new();
    STARTED.get_or_init(|| start_as(&paths::venv_python()).map_err(|e| format!("{e:#}"))).clone().map_err(|e| anyhow!(e))?;
    Python::attach(|py| {
        let facts = interpreter_facts(py, mode)?;
        if !facts.free_threaded_build {
            bail!(
                "{} is not a free-threaded build (Py_GIL_DISABLED is not 1); run `cargo xtask bootstrap` \
                 to make a 3.14t/3.13t venv, or point FTBENCH_PYTHON at one",
                facts.executable
            );
        }
        if facts.gil_enabled_at_start != mode.enabled() {
            bail!(
                "the GIL is {} but this process claims {mode} (PYTHON_GIL={:?})",
                if facts.gil_enabled_at_start { "on" } else { "off" },
                std::env::var("PYTHON_GIL").ok()
            );
        }
        Ok(facts)
    })
}

/// Starts the interpreter as the venv's own `bin/python` (`PyConfig.executable`): Python then finds
/// the venv's pyvenv.cfg, its base installation and its site-packages itself, as `python -m venv`
/// interpreters do, whatever a distributor patched into sysconfig (Homebrew, Debian) and wherever
/// a relocatable build was made (uv). Signal handlers stay ours, as with `Py_InitializeEx(0)`.
fn start_as(venv_python: &Path) -> Result<()> {
    use pyo3::ffi;
    if !venv_python.is_file() {
        bail!("no venv interpreter at {}: run `cargo xtask bootstrap` (or point FTBENCH_VENV at a venv)", venv_python.display());
    }
    let executable = CString::new(venv_python.as_os_str().as_bytes()).context("the venv path has a NUL byte")?;
    // SAFETY: the documented PyConfig sequence (init, set, initialize, clear) on a config we own;
    // runs once per process, before any other use of the interpreter.
    unsafe {
        let mut config = std::mem::MaybeUninit::<ffi::PyConfig>::uninit();
        ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        let config = config.assume_init_mut();
        config.install_signal_handlers = 0;
        let mut status = ffi::PyConfig_SetBytesString(config, &mut config.executable, executable.as_ptr());
        if ffi::PyStatus_Exception(status) == 0 {
            status = ffi::Py_InitializeFromConfig(config);
        }
        ffi::PyConfig_Clear(config);
        if ffi::PyStatus_Exception(status) != 0 {
            let text =
                |p: *const std::ffi::c_char| if p.is_null() { String::new() } else { CStr::from_ptr(p).to_string_lossy().into_owned() };
            bail!("starting Python as {} failed: {} {}", venv_python.display(), text(status.func), text(status.err_msg));
        }
        // As Python::initialize does: the main thread lets go, so any thread can attach.
        ffi::PyEval_SaveThread();
    }
    Ok(())
}

/// The Python-side harness module, loaded on first use.
pub fn harness(py: Python<'_>) -> Result<Bound<'_, PyModule>> {
    if let Some(m) = HARNESS.get() {
        return Ok(m.bind(py).clone());
    }
    let code = CString::new(include_str!("harness.py")).expect("harness.py has no NUL");
    // Not py_error: formatting a traceback needs the harness itself.
    let module = PyModule::from_code(py, &code, c"ftbench/harness.py", c"_ftbench_harness")
        .map_err(|e| anyhow!("loading the embedded harness.py: {e}"))?;
    let _ = HARNESS.set(module.clone().unbind());
    Ok(module)
}

/// `sys._is_gil_enabled()`: the truth at run time.
pub fn gil_enabled(py: Python<'_>) -> Result<bool> {
    let sys = py.import("sys").map_err(|e| py_error(py, e))?;
    sys.call_method0("_is_gil_enabled").and_then(|v| v.extract()).map_err(|e| py_error(py, e))
}

fn interpreter_facts(py: Python<'_>, mode: GilMode) -> Result<InterpreterFacts> {
    let h = harness(py)?;
    let f = h.call_method0("facts").map_err(|e| py_error(py, e))?;
    let f = f.cast::<PyDict>().map_err(|e| anyhow!("facts() is not a dict: {e}"))?;
    let get = |key: &str| -> Result<Bound<'_, PyAny>> { f.get_item(key).ok().flatten().ok_or_else(|| anyhow!("facts() lacks {key}")) };
    let ex = |e: PyErr| py_error(py, e);
    Ok(InterpreterFacts {
        mode,
        version: get("version")?.extract().map_err(ex)?,
        version_info: get("version_info")?.extract().map_err(ex)?,
        free_threaded_build: get("free_threaded_build")?.extract().map_err(ex)?,
        gil_enabled_at_start: get("gil_enabled")?.extract().map_err(ex)?,
        config_args: get("config_args")?.extract().map_err(ex)?,
        thread_inherit_context: get("thread_inherit_context")?.extract().map_err(ex)?,
        context_aware_warnings: get("context_aware_warnings")?.extract().map_err(ex)?,
        executable: get("executable")?.extract().map_err(ex)?,
        library: loaded_libpython().map(|l| l.display().to_string()),
        packages: Default::default(),
    })
}

/// The libpython this process loaded, as the dynamic loader says (dladdr of a C API function,
/// real path): what `ab` checks a side's children run.
pub fn loaded_libpython() -> Option<std::path::PathBuf> {
    // SAFETY: dlsym and dladdr only read the loader's tables; dladdr fills `info`, whose
    // dli_fname, when set, is a NUL-terminated path owned by the loader.
    unsafe {
        let symbol = libc::dlsym(libc::RTLD_DEFAULT, c"Py_IsInitialized".as_ptr());
        let mut info: libc::Dl_info = std::mem::zeroed();
        if symbol.is_null() || libc::dladdr(symbol, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        Path::new(std::ffi::OsStr::from_bytes(CStr::from_ptr(info.dli_fname).to_bytes())).canonicalize().ok()
    }
}

/// A Python exception as an error whose message is the full traceback.
pub fn py_error(py: Python<'_>, err: PyErr) -> anyhow::Error {
    anyhow!(format_exception(py, &err))
}

/// The traceback text of `err`, as Python prints it.
pub fn format_exception(py: Python<'_>, err: &PyErr) -> String {
    let formatted =
        harness(py).ok().and_then(|h| h.call_method1("format_exception", (err.value(py),)).ok()).and_then(|s| s.extract::<String>().ok());
    formatted.unwrap_or_else(|| err.to_string())
}
