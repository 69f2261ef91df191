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

// ---- A history of runs (tests/history.rs, tests/browser.rs) ----

/// Runs in the history [`history`] builds.
pub const HISTORY_RUNS: usize = 16;
const STEP_AT: usize = 8;

/// Run `i` of the history: the example with every row's passes scaled by a little noise, and
/// from [`STEP_AT`] on a new commit whose `lock_counter` runs 15 % slower at 1 thread.
pub fn history_run(i: usize, rng: &mut fastrand::Rng) -> RunResults {
    let mut r = RunResults::load(&repo().join("reports/example")).unwrap();
    (r.run.id, r.run.started) = (format!("run-{i:02}"), format!("2026-01-{:02}T00:00:00Z", i + 1));
    if i >= STEP_AT {
        r.run.suite_commit = "feedfacefeedfacefeedfacefeedfacefeedface".into();
    }
    for w in &mut r.workloads {
        let slowed = i >= STEP_AT && w.workload == "lock_counter";
        if slowed {
            w.file_crc32 = Some("0badcafe".into());
        }
        for row in &mut w.rows {
            let k = ftbench::testing::simulate::lognormal(rng, 0.01) * if slowed && row.threads == 1 { 0.85 } else { 1.0 };
            for p in &mut row.passes {
                p.throughput *= k;
                p.fastest_round = p.fastest_round.map(|f| f * k);
            }
        }
    }
    r.derive_figures();
    r
}

/// `ftbench ARGS` with the history folder `history`.
pub fn ftbench_history(args: &[&str], history: &Path) -> Output {
    ftbench().args(args).env("FTBENCH_HISTORY", history).output().unwrap()
}

/// A history folder of [`HISTORY_RUNS`] runs added one by one with `ftbench history add`.
pub fn history(dir: &Path) -> PathBuf {
    let history = dir.join("history");
    let mut rng = fastrand::Rng::with_seed(11);
    for i in 0..HISTORY_RUNS {
        let run_dir = dir.join(format!("run-{i:02}"));
        history_run(i, &mut rng).save(&run_dir.join("results.json")).unwrap();
        let out = ftbench_history(&["history", "add", run_dir.to_str().unwrap()], &history);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    history
}

/// The tests of one binary that measure take the machine one at a time: side by side (the test
/// harness runs a binary's tests on parallel threads) they would disturb each other's rows.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static MACHINE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    MACHINE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Copies the tree `from` into `to` (made if missing).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().map(Result::unwrap) {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A library maintainer's repository in `dir` (examples/library): lockcounter 1.0.0 committed on
/// main, the pull request's change (pull_request.diff: 1.1.0, more work under its lock) in the
/// working tree, and the example's workloads in `bench/`.
pub fn maintainer_repo(dir: &Path) {
    copy_dir(&repo().join("examples/library/lockcounter"), dir);
    copy_dir(&repo().join("examples/library/workloads"), &dir.join("bench"));
    let diff = repo().join("examples/library/pull_request.diff");
    let git = "git -c user.name=m -c user.email=m@example.org -c init.defaultBranch=main";
    let script = format!("{git} init -q && {git} add -A && {git} commit -qm A && git apply -p2 '{}'", diff.display());
    let out = Command::new("sh").args(["-ec", &script]).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Appended to a workload: every round takes twice as long (its worker spins as long again after
/// its ops).
pub const TWICE_AS_SLOW: &str = "
import time as _time
_inner = worker


def worker(state, thread_index, ops):
    start = _time.perf_counter_ns()
    _inner(state, thread_index, ops)
    end = 2 * _time.perf_counter_ns() - start
    while _time.perf_counter_ns() < end:
        pass
";

/// Makes every round of the workload in `file` twice as slow ([`TWICE_AS_SLOW`]).
pub fn twice_as_slow(file: &Path) {
    std::fs::write(file, std::fs::read_to_string(file).unwrap() + TWICE_AS_SLOW).unwrap();
}
