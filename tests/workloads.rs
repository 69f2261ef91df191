//! Every workload in python_workloads/ runs at 1, 2 and 4 threads and its invariant holds —
//! except the unsynchronized baselines, which are caught breaking with the GIL off and hold with
//! it on. Each child really runs in the GIL mode it claims, and only a too-old interpreter may skip one.

mod common;

use common::{repo, row, run, workload, workloads};
use ftbench::results::{GilMode, RowStatus, WorkloadStatus};
use ftbench::workload::{discover, name_of, Declared};

#[test]
fn every_workload_verifies_in_both_gil_modes() {
    let (output, r) =
        run(&repo().join("python_workloads"), &["--threads", "1,2,4", "--rounds", "3", "--no-report"], &[("FTBENCH_ROUND_MS", "20")]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The opt-in interpreter-scaling suite is not in an unfiltered run: tests/catalogue.rs runs it.
    let files = discover(&repo().join("python_workloads")).unwrap();
    let names: Vec<String> = files.iter().filter(|p| !Declared::read(p).unwrap().opt_in()).map(|p| name_of(p)).collect();
    assert!(names.len() >= 20, "the catalogue is complete: {names:?}");
    for name in &names {
        for mode in GilMode::ALL {
            let w = workload(&r, name, mode);
            if w.status == WorkloadStatus::Skipped {
                let reason = w.reason.as_deref().unwrap_or("");
                let interpreter = &r.interpreters.iter().find(|i| i.mode == mode).expect("the child's facts").version_info;
                assert!(explained_skip(reason, interpreter), "{name} {mode} is missing from the run: {reason:?}");
                continue;
            }
            assert_eq!(w.status, WorkloadStatus::Ran, "{name} {mode}: {:?}\n{:?}", w.reason, w.evidence);
            assert_eq!(w.gil_enabled_observed, Some(mode.enabled()), "{name} {mode}");
            // Thread counts below MIN_THREADS are not run: an op there is not the same work.
            let min = w.meta.min_threads.max(1);
            assert!(w.rows.iter().all(|r| r.threads >= min), "{name} {mode}: a row below MIN_THREADS {min}");
            for t in [1, 2, 4].into_iter().filter(|t| *t >= min) {
                let row = row(&r, name, mode, t);
                if !(broken_allowed(w.meta.unsynchronized, mode) && t > 1) {
                    assert_eq!(row.status, RowStatus::Ok, "{name} {mode} t={t}: {:?}\n{stdout}", row.message);
                }
            }
            if broken_allowed(w.meta.unsynchronized, mode) {
                for t in [2, 4] {
                    let status = row(&r, name, mode, t).status;
                    assert!(matches!(status, RowStatus::Ok | RowStatus::LostUpdates), "{name} t={t}: {status:?}");
                }
            }
        }
    }
    assert!(names.iter().any(|n| workload(&r, n, GilMode::Off).meta.unsynchronized), "there are unsynchronized baselines");
    for i in &r.interpreters {
        assert_eq!(i.gil_enabled_at_start, i.mode.enabled(), "the {} child reports the GIL truthfully", i.mode);
        assert!(i.free_threaded_build);
    }
    assert_eq!(r.interpreters.len(), 2);
}

/// A skip the machine explains: the workload needs a newer Python than the one that ran it
/// ("needs Python 3.14t or newer (this is 3.13.5)"). Any other skip, such as a package that failed
/// to install or import, is a figure gone missing.
fn explained_skip(reason: &str, interpreter: &[u32]) -> bool {
    let Some(rest) = reason.strip_prefix("needs Python ") else { return false };
    let wanted: Option<Vec<u32>> = rest.split(['t', ' ']).next().unwrap_or("").split('.').map(|n| n.parse().ok()).collect();
    wanted.is_some_and(|w| !w.is_empty() && interpreter.iter().take(w.len()).copied().collect::<Vec<u32>>() < w)
}

#[test]
fn only_a_too_old_interpreter_explains_a_skip() {
    assert!(explained_skip("needs Python 3.14t or newer (this is 3.13.5)", &[3, 13, 5]));
    assert!(!explained_skip("needs Python 3.14t or newer (this is 3.14.0)", &[3, 14, 0]), "the interpreter is new enough");
    assert!(!explained_skip("package ft_utils is not installed (run `cargo xtask bootstrap`)", &[3, 13, 5]));
    assert!(!explained_skip("package pyatomix cannot be imported: ImportError: boom", &[3, 13, 5]));
    assert!(!explained_skip("", &[3, 13, 5]));
}

/// Unsynchronized baselines may lose updates with the GIL off (whether a given round races is up
/// to the scheduler); `unsynchronized_baselines_are_caught_with_the_gil_off` insists that they do.
fn broken_allowed(unsynchronized: bool, mode: GilMode) -> bool {
    unsynchronized && mode == GilMode::Off
}

#[test]
fn unsynchronized_baselines_are_caught_with_the_gil_off() {
    let names = ["unsafe_counter", "bank_transfer_unsync"];
    let dir = workloads(&names);
    let (_, r) = run(dir.path(), &["--threads", "1,2", "--rounds", "20", "--no-report"], &[("FTBENCH_ROUND_MS", "20")]);
    for name in names {
        let off = row(&r, name, GilMode::Off, 2);
        assert_eq!(off.status, RowStatus::LostUpdates, "{name}: lost updates must be caught with the GIL off");
        assert!(off.lost_updates > 0 && off.broken_rounds > 0, "{name}: the damage is counted");
        assert!(off.throughput.is_some(), "{name}: its throughput is kept next to the lost updates");
        for t in [1, 2] {
            assert_eq!(row(&r, name, GilMode::On, t).status, RowStatus::Ok, "{name} holds with the GIL on");
        }
        assert_eq!(row(&r, name, GilMode::Off, 1).status, RowStatus::Ok, "{name} holds on one thread");
    }
}

#[test]
fn a_user_added_workload_is_benchmarked_without_code_changes() {
    let dir = workloads(&["cpu_only"]);
    std::fs::write(
        dir.path().join("my_dict_counter.py"),
        r#"
import threading
PRIMITIVE = "threading.Lock around a dict"
SCENARIO = "hot-counter"
INVARIANT = "the dict's total equals threads * ops"

def setup(threads):
    return {"lock": threading.Lock(), "d": {}}

def worker(state, thread_index, ops):
    lock, d = state["lock"], state["d"]
    for i in range(ops):
        with lock:
            d[i % 8] = d.get(i % 8, 0) + 1

def verify(state, threads, ops):
    assert sum(state["d"].values()) == threads * ops
"#,
    )
    .unwrap();
    let (_, r) = run(dir.path(), &["--threads", "1,2", "--rounds", "2", "--ops", "500", "--no-report", "my_dict"], &[]);
    for mode in GilMode::ALL {
        let w = workload(&r, "my_dict_counter", mode);
        assert_eq!(w.meta.primitive, "threading.Lock around a dict");
        for t in [1, 2] {
            assert_eq!(row(&r, "my_dict_counter", mode, t).status, RowStatus::Ok);
        }
    }
    assert!(r.workload("cpu_only", GilMode::Off).is_none(), "the filter selected only the new workload");
}

#[test]
fn a_workload_whose_package_is_missing_is_skipped_with_the_reason() {
    let dir = workloads(&["cpu_only", "needs_missing_package"]);
    let (output, r) = run(dir.path(), &["--threads", "1", "--rounds", "1", "--ops", "10", "--no-report"], &[]);
    assert!(output.status.success(), "a skip is not a failure");
    for mode in GilMode::ALL {
        let w = workload(&r, "needs_missing_package", mode);
        assert_eq!(w.status, WorkloadStatus::Skipped);
        assert!(w.reason.as_deref().unwrap().contains("ftbench_no_such_package is not installed"), "{:?}", w.reason);
        assert_eq!(row(&r, "cpu_only", mode, 1).status, RowStatus::Ok);
    }
}

#[test]
fn an_import_that_re_enables_the_gil_is_reported_for_that_workload_only() {
    let dir = workloads(&["cpu_only"]);
    common::build_extension("gil_needed.c", "ftdoctor_gil_needed", dir.path());
    std::fs::write(
        dir.path().join("needs_the_gil.py"),
        r#"
import ftdoctor_gil_needed  # an extension without the Py_mod_gil slot
PRIMITIVE = "an extension that never declared free-threading support"
SCENARIO = "control"
INVARIANT = "none"

def setup(threads):
    return None

def worker(state, thread_index, ops):
    pass

def verify(state, threads, ops):
    pass
"#,
    )
    .unwrap();
    let (_, r) = run(dir.path(), &["--threads", "1,2", "--rounds", "2", "--ops", "100", "--no-report"], &[]);
    let off = workload(&r, "needs_the_gil", GilMode::Off);
    assert_eq!(off.status, WorkloadStatus::GilReenabled, "{:?}", off.reason);
    assert!(off.reason.as_deref().unwrap().contains("re-enabled the GIL"));
    assert!(off.rows.is_empty(), "no GIL-on numbers are labelled free-threaded");
    assert_eq!(workload(&r, "needs_the_gil", GilMode::On).status, WorkloadStatus::Ran);
    for mode in GilMode::ALL {
        let cpu = workload(&r, "cpu_only", mode);
        assert_eq!(cpu.gil_enabled_observed, Some(mode.enabled()), "other workloads keep their mode");
        assert_eq!(row(&r, "cpu_only", mode, 2).status, RowStatus::Ok);
    }
}
