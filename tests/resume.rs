//! A run killed without warning reads as abandoned (never as running, never as finished), is
//! refused by `compare` and `baseline save` unless asked, and `--resume` finishes it into the run
//! it would have been; Ctrl-C keeps its behaviour (exit 130, interrupted) and resumes the same way.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::workloads;
use ftbench::results::{GilMode, RunResults, RunStatus};

const FILTER: &str = r"^(cpu_only|lock_counter)\.";

fn bench(reports: &Path, workloads: &Path, args: &[&str]) -> Command {
    let mut c = common::ftbench();
    c.arg("bench")
        .args(args)
        .env("FTBENCH_REPORTS", reports)
        .env("FTBENCH_WORKLOADS", workloads)
        .env("FTBENCH_THREADS", "1,2")
        .env("FTBENCH_PASSES", "4")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// The run folder `latest` names, once its results.json holds a measured pass.
fn first_pass_written(reports: &Path, child: &mut Child) -> PathBuf {
    let started = Instant::now();
    loop {
        if let Ok(dir) = ftbench::runs::latest_run_dir(reports) {
            if RunResults::load(&dir).is_ok_and(|r| r.passes().next().is_some()) {
                return dir;
            }
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be stopped");
        assert!(started.elapsed() < Duration::from_secs(120), "no pass written in 2 minutes");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every (workload, mode, threads, pass) a run measured.
fn shape(r: &RunResults) -> BTreeSet<(String, GilMode, usize, usize)> {
    r.workloads
        .iter()
        .flat_map(|w| w.rows.iter().flat_map(move |row| row.passes.iter().map(move |p| (w.workload.clone(), w.mode, row.threads, p.pass))))
        .collect()
}

fn resume(reports: &Path, dir: &Workloads, run: &Path) -> RunResults {
    let status = bench(reports, dir.path(), &["--resume", run.to_str().unwrap()]).status().unwrap();
    assert!(status.success(), "resume: {status}");
    RunResults::load(run).unwrap()
}

type Workloads = tempfile::TempDir;

#[test]
fn a_killed_run_is_abandoned_refused_and_resumed_into_the_whole_run() {
    let (dir, reports) = (workloads(&["cpu_only", "lock_counter"]), tempfile::tempdir().unwrap());
    let mut child = bench(reports.path(), dir.path(), &[FILTER, "--quick"]).spawn().unwrap();
    let run = first_pass_written(reports.path(), &mut child);
    child.kill().unwrap(); // SIGKILL: the run cannot mark itself
    child.wait().unwrap();

    let killed = RunResults::load(&run).unwrap();
    assert_eq!(killed.run.status, RunStatus::Abandoned);
    let how = killed.unfinished().unwrap();
    assert!(how.starts_with("abandoned in pass ") && how.contains(" of 4 (last written "), "{how}");
    ftbench::report::render(&run).unwrap();
    let summary = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(summary.contains("abandoned in pass") && !summary.contains("still running"), "{summary}");

    // Refused unless asked.
    let refused = common::ftbench().args(["compare"]).arg(&run).arg(&run).output().unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(said.contains("is abandoned in pass") && said.contains("--allow-partial") && said.contains("--resume"), "{said}");
    let allowed = common::ftbench().args(["compare", "--allow-partial"]).arg(&run).arg(&run).output().unwrap();
    assert_eq!(allowed.status.code(), Some(0), "{}", String::from_utf8_lossy(&allowed.stderr));
    assert!(ftbench::baseline::save("partial", Some(&run), false).is_err());
    let export = common::ftbench().args(["export", "--format", "bencher"]).arg(&run).output().unwrap();
    assert_eq!(export.status.code(), Some(2), "a dashboard is not fed half a run");

    // Resumed: the same run, finished, every workload × mode × thread count with every pass.
    let finished = resume(reports.path(), &dir, &run);
    assert_eq!(finished.run.status, RunStatus::Complete);
    assert_eq!(finished.run.resumed.len(), 1);
    assert_eq!((finished.run.id.clone(), finished.run.config.seed), (killed.run.id.clone(), killed.run.config.seed));
    assert!(shape(&killed).is_subset(&shape(&finished)), "what was measured stays");
    let whole = bench(reports.path(), dir.path(), &[FILTER, "--quick"]).status().unwrap();
    assert!(whole.success());
    let uninterrupted = RunResults::load(&ftbench::runs::latest_run_dir(reports.path()).unwrap()).unwrap();
    assert_ne!(uninterrupted.run.id, finished.run.id);
    assert_eq!(shape(&finished), shape(&uninterrupted));
    assert_eq!(shape(&finished).len(), 2 * 2 * 2 * 4);

    // A complete run has nothing to resume.
    let again = bench(reports.path(), dir.path(), &["--resume", run.to_str().unwrap()]).stderr(Stdio::piped()).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is complete: there is nothing to resume"));
}

#[test]
fn an_interrupted_run_exits_130_and_resumes_the_same_way() {
    let (dir, reports) = (workloads(&["cpu_only", "lock_counter"]), tempfile::tempdir().unwrap());
    let mut child = bench(reports.path(), dir.path(), &[FILTER, "--quick"]).spawn().unwrap();
    let run = first_pass_written(reports.path(), &mut child);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let stopped = RunResults::load(&run).unwrap();
    assert_eq!(stopped.run.status, RunStatus::Interrupted);
    // Not resumed on another suite commit: its passes and new ones would be different benchmarks.
    let mut moved = stopped.clone();
    moved.run.suite_commit = "0000000000000000000000000000000000000000".into();
    moved.save(&run.join("results.json")).unwrap();
    let refused = bench(reports.path(), dir.path(), &["--resume", run.to_str().unwrap()]).stderr(Stdio::piped()).output().unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(refused.status.code() == Some(2) && said.contains("cannot be resumed: the suite was at commit 0000"), "{said}");
    stopped.save(&run.join("results.json")).unwrap();
    let finished = resume(reports.path(), &dir, &run);
    assert_eq!(finished.run.status, RunStatus::Complete);
    assert_eq!(shape(&finished).len(), 2 * 2 * 2 * 4, "{:?}", shape(&finished));
}
