//! Helpers for the integration tests: a workload folder of chosen files, and `ftbench run` on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ftbench::results::{GilMode, RunResults, ThreadRow, WorkloadResult};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `ftbench` binary, with a clean GIL environment.
pub fn ftbench() -> Command {
    ftbench_env(Command::new(env!("CARGO_BIN_EXE_ftbench")))
}

/// `c` without the variables that would change what ftbench measures.
pub fn ftbench_env(mut c: Command) -> Command {
    c.env_remove("PYTHON_GIL").env_remove("FTBENCH_THREADS").env_remove("FTBENCH_MODES");
    c.env_remove("FTBENCH_DRIVER").env_remove("FTBENCH_CODE").env_remove("FTBENCH_DRIVER_CONTROL");
    c
}

/// A temp folder holding `_support.py` plus the named workloads, taken from python_workloads/
/// or, failing that, from tests/bad_workloads/.
pub fn workloads(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("python_workloads/_support.py"), dir.path().join("_support.py")).unwrap();
    for n in names {
        let file = format!("{n}.py");
        let good = repo().join("python_workloads").join(&file);
        let src = if good.exists() { good } else { repo().join("tests/bad_workloads").join(&file) };
        std::fs::copy(&src, dir.path().join(&file)).unwrap_or_else(|e| panic!("copying {}: {e}", src.display()));
    }
    dir
}

/// `ftbench run` over `workloads` with extra args; returns its output and the run it wrote.
pub fn run(workloads: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, RunResults) {
    let out = tempfile::tempdir().unwrap().keep();
    let mut cmd = ftbench();
    cmd.arg("run").arg("--workloads").arg(workloads).arg("--out").arg(&out).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.output().expect("ftbench runs");
    let latest = std::fs::read_to_string(out.join("latest"))
        .unwrap_or_else(|_| panic!("no run was written; stderr:\n{}", String::from_utf8_lossy(&output.stderr)));
    let results = RunResults::load(&out.join(latest.trim())).expect("results.json loads");
    (output, results)
}

pub fn workload<'r>(r: &'r RunResults, name: &str, mode: GilMode) -> &'r WorkloadResult {
    r.workload(name, mode).unwrap_or_else(|| panic!("{name} {mode} missing from the run"))
}

pub fn row<'r>(r: &'r RunResults, name: &str, mode: GilMode, threads: usize) -> &'r ThreadRow {
    r.row(name, mode, threads).unwrap_or_else(|| panic!("{name} {mode} t={threads} missing from the run"))
}

/// `sysconfig` expression evaluated by the venv's interpreter.
pub fn sysconfig(expr: &str) -> String {
    let python = ftbench::paths::venv_python();
    let out = Command::new(&python)
        .arg("-c")
        .arg(format!("import sysconfig; print({expr})"))
        .env_remove("PYTHON_GIL")
        .output()
        .expect("running the venv interpreter");
    assert!(out.status.success(), "{expr}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Compiles `tests/fixtures/doctor/<source>` into extension module `module` in `dir`.
pub fn build_extension(source: &str, module: &str, dir: &Path) {
    let include = sysconfig("sysconfig.get_paths()['include']");
    let suffix = sysconfig("sysconfig.get_config_var('EXT_SUFFIX')");
    let mut cc = Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()));
    cc.args(["-shared", "-fPIC", "-O0"]).arg(format!("-I{include}"));
    if cfg!(target_os = "macos") {
        cc.args(["-undefined", "dynamic_lookup"]);
    }
    cc.arg(repo().join("tests/fixtures/doctor").join(source)).arg("-o").arg(dir.join(format!("{module}{suffix}")));
    let out = cc.output().expect("running the C compiler");
    assert!(out.status.success(), "compiling {source}: {}", String::from_utf8_lossy(&out.stderr));
}
