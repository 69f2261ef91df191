//! Catalogue II: the interpreter-scaling suite verifies in both GIL modes and runs only when a filter selects
//! it; a workload's ENV reaches its child's interpreter (and a form the parent cannot read is an error); the
//! 3.14 context-flag workloads load, carry their metadata and are skipped on older interpreters with the reason;
//! every workload says what one op does (OPERATION), and the alternatives users weigh share it.

mod common;

use common::{ftbench, repo, row, run, workload, workloads};
use ftbench::child::ChildTiming;
use ftbench::config::Settings;
use ftbench::results::{GilMode, RowStatus, WorkloadStatus};
use ftbench::sweep::{Filter, Sweep};
use ftbench::workload::{discover, name_of, Declared};

fn interp_names() -> Vec<String> {
    let files = discover(&repo().join("python_workloads")).unwrap();
    files.iter().filter(|f| Declared::read(f).unwrap().opt_in()).map(|f| name_of(f)).collect()
}

#[test]
fn the_interpreter_suite_verifies_in_both_gil_modes() {
    let names = interp_names();
    assert!(names.len() >= 21, "every ftscalingbench category: {names:?}");
    assert!(names.iter().all(|n| n.starts_with("interp_")), "`interp` selects them all: {names:?}");
    let (output, r) = run(
        &repo().join("python_workloads"),
        &["--threads", "1,2,4", "--rounds", "3", "--no-report", "interp_"],
        &[("FTBENCH_ROUND_MS", "20")],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(r.workloads.len(), names.len() * 2, "the filter selected the suite and nothing else");
    for name in &names {
        for mode in GilMode::ALL {
            let w = workload(&r, name, mode);
            assert_eq!(w.status, WorkloadStatus::Ran, "{name} {mode}: {:?}", w.reason);
            assert_eq!(w.meta.scenario, "interpreter");
            for t in [1, 2, 4] {
                let x = row(&r, name, mode, t);
                assert_eq!(x.status, RowStatus::Ok, "{name} {mode} t={t}: {:?}", x.message);
            }
        }
    }
}

fn sweep(dir: &std::path::Path, patterns: &[&str]) -> Sweep {
    Sweep {
        exe: repo().join("unused"),
        settings: Settings { threads: vec![1, 2], ..Settings::defaults(false, 2) },
        timing: ChildTiming::Rounds { rounds: 1, ops: Some(10) },
        variants: ftbench::sweep::Variant::single(dir.to_path_buf()),
        filter: Filter { patterns: patterns.iter().map(|p| p.to_string()).collect(), exact: false },
        reports_dir: dir.join("reports"),
        child_timeout: None,
        resume: None,
        quiet: true,
        ops_from: None,
    }
}

#[test]
fn the_interpreter_suite_runs_only_when_a_filter_selects_it() {
    let dir = workloads(&["cpu_only", "interp_generator"]);
    let all = sweep(dir.path(), &[]);
    let ids = all.benchmark_ids().unwrap();
    assert!(ids.iter().all(|id| id.starts_with("cpu_only.")), "the default plan leaves it out: {ids:?}");
    let note = all.opt_in_note().unwrap().expect("--list and `run` say what they left out");
    assert!(note.contains("interp_generator") && note.contains("cargo bench -- interp"), "{note}");

    let picked = sweep(dir.path(), &["interp"]);
    assert_eq!(picked.benchmark_ids().unwrap().len(), 4, "two modes × two thread counts");
    assert_eq!(picked.opt_in_note().unwrap(), None);
    // Any filter decides alone: one that matches everything selects the suite too.
    assert!(sweep(dir.path(), &["."]).benchmark_ids().unwrap().iter().any(|id| id.starts_with("interp_generator.")));

    let (output, r) = run(dir.path(), &["--threads", "1", "--rounds", "1", "--ops", "10", "--no-report"], &[]);
    assert!(output.status.success());
    assert!(r.workload("interp_generator", GilMode::Off).is_none() && r.workload("cpu_only", GilMode::Off).is_some());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not in the default run"), "a note, not output: on stderr");
}

const ENV_WORKLOAD: &str = r#"
import os
PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "the child started with the ENV this file declares"
ENV = {"FTBENCH_TEST_FLAG": "on", 'FTBENCH_TEST_OTHER': ""}  # both reach the child

def setup(threads):
    return None

def worker(state, thread_index, ops):
    pass

def verify(state, threads, ops):
    assert os.environ.get("FTBENCH_TEST_FLAG") == "on" and os.environ.get("FTBENCH_TEST_OTHER") == "", dict(os.environ)
"#;

#[test]
fn a_workload_env_reaches_its_child_in_runs_and_stress() {
    let dir = workloads(&[]);
    std::fs::write(dir.path().join("needs_env.py"), ENV_WORKLOAD).unwrap();
    let (_, r) = run(dir.path(), &["--threads", "1,2", "--rounds", "2", "--ops", "10", "--no-report"], &[]);
    for mode in GilMode::ALL {
        assert_eq!(workload(&r, "needs_env", mode).status, WorkloadStatus::Ran, "{:?}", workload(&r, "needs_env", mode).evidence);
        assert_eq!(row(&r, "needs_env", mode, 2).status, RowStatus::Ok, "{:?}", row(&r, "needs_env", mode, 2).message);
    }
    let out = ftbench().args(["stress", "needs_env", "--rounds", "3", "--ops", "10", "--workloads"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn metadata_the_parent_cannot_read_is_an_error_naming_the_file() {
    let dir = workloads(&["cpu_only"]);
    let spread = ENV_WORKLOAD.replace(r#"{"FTBENCH_TEST_FLAG": "on", "#, "{\n    \"FTBENCH_TEST_FLAG\": \"on\",\n    ");
    std::fs::write(dir.path().join("spread_env.py"), spread).unwrap();
    std::fs::write(dir.path().join("sets_gil.py"), ENV_WORKLOAD.replace("FTBENCH_TEST_FLAG", "PYTHON_GIL")).unwrap();
    // An interpreter-suite file the parent would not see as opt-in: refused rather than silently run by default.
    std::fs::write(dir.path().join("hidden_scenario.py"), ENV_WORKLOAD.replace("SCENARIO = \"control\"", "SCENARIO=\"interpreter\""))
        .unwrap();
    std::fs::write(dir.path().join("two_line_operation.py"), format!("{ENV_WORKLOAD}OPERATION = \"one\\ntwo\"\n")).unwrap();
    let (output, r) = run(dir.path(), &["--threads", "1", "--rounds", "1", "--ops", "10", "--no-report"], &[]);
    assert!(!output.status.success(), "a broken workload file fails the run");
    let two_lines = workload(&r, "two_line_operation", GilMode::Off).reason.as_deref().unwrap();
    assert!(two_lines.contains("two_line_operation.py") && two_lines.contains("OPERATION must be one line"), "{two_lines}");
    let spread = workload(&r, "spread_env", GilMode::Off);
    assert_eq!(spread.status, WorkloadStatus::Error);
    let reason = spread.reason.as_deref().unwrap();
    assert!(reason.contains("spread_env.py") && reason.contains("FTBENCH_TEST_FLAG") && reason.contains("one line"), "{reason}");
    let gil = workload(&r, "sets_gil", GilMode::On).reason.as_deref().unwrap();
    assert!(gil.contains("sets_gil.py") && gil.contains("may not set PYTHON_GIL"), "{gil}");
    let hidden = workload(&r, "hidden_scenario", GilMode::Off).reason.as_deref().unwrap();
    assert!(hidden.contains("hidden_scenario.py") && hidden.contains("one-line string literal"), "{hidden}");
    assert_eq!(row(&r, "cpu_only", GilMode::Off, 1).status, RowStatus::Ok, "the rest of the suite runs");
}

#[test]
fn the_context_flag_workloads_carry_their_flags_and_need_3_14() {
    let names = ["context_thread_inherit", "context_thread_inherit_off", "warnings_context_aware", "warnings_context_unaware"];
    let flags = [
        ("PYTHON_THREAD_INHERIT_CONTEXT", "1"),
        ("PYTHON_THREAD_INHERIT_CONTEXT", "0"),
        ("PYTHON_CONTEXT_AWARE_WARNINGS", "1"),
        ("PYTHON_CONTEXT_AWARE_WARNINGS", "0"),
    ];
    for (name, (var, value)) in names.iter().zip(flags) {
        let declared = Declared::read(&repo().join(format!("python_workloads/{name}.py"))).unwrap();
        assert_eq!(declared.env, vec![(var.to_string(), value.to_string())], "{name}");
        assert!(!declared.opt_in(), "{name} is in the default run");
    }
    let dir = workloads(&names);
    let (output, r) = run(dir.path(), &["--threads", "1,2", "--rounds", "2", "--ops", "20", "--no-report"], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    let too_old = r.interpreters.iter().all(|i| i.version_info.as_slice() < [3, 14].as_slice());
    for name in names {
        for mode in GilMode::ALL {
            let w = workload(&r, name, mode);
            assert_eq!(w.meta.scenario, "context-flags", "{name}: metadata is read before the skip");
            assert_eq!(w.meta.unsynchronized, name == "warnings_context_unaware");
            if too_old {
                assert_eq!(w.status, WorkloadStatus::Skipped);
                assert!(w.reason.as_deref().unwrap().contains("needs Python 3.14t or newer"), "{:?}", w.reason);
            } else {
                assert_eq!(w.status, WorkloadStatus::Ran, "{name} {mode}: {:?}", w.evidence);
                assert_eq!(row(&r, name, mode, 1).status, RowStatus::Ok, "{name} {mode}");
            }
        }
    }
}

/// The `OPERATION` line of a workload file, as written.
fn operation(name: &str) -> Option<String> {
    let text = std::fs::read_to_string(repo().join(format!("python_workloads/{name}.py"))).unwrap();
    let found: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("OPERATION = \"")?.strip_suffix('"')).collect();
    assert!(found.len() <= 1, "{name}: {found:?}");
    found.first().map(|o| o.to_string())
}

#[test]
fn every_workload_says_what_one_op_does_and_alternatives_share_it() {
    let files = discover(&repo().join("python_workloads")).unwrap();
    for f in files.iter().filter(|f| !Declared::read(f).unwrap().opt_in()) {
        let name = name_of(f);
        let op = operation(&name).unwrap_or_else(|| panic!("{name} declares no OPERATION"));
        assert!(!op.trim().is_empty() && op.chars().count() <= 80, "{name}: one short line, not {op:?}");
    }
    let same = |names: &[&str]| {
        let ops: Vec<Option<String>> = names.iter().map(|n| operation(n)).collect();
        assert!(ops.windows(2).all(|w| w[0] == w[1]), "{names:?}: {ops:?}");
        ops[0].clone().unwrap()
    };
    // Every queue that moves the same items from producers to consumers; every counter, the
    // unsynchronized one as its unsafe candidate; the bounded buffers.
    let queues = same(&["queue_pipeline", "simplequeue_pipeline", "deque_queue", "ft_utils_concurrent_deque", "ft_utils_concurrent_queue"]);
    same(&["lock_counter", "unsafe_counter", "sharded_counter", "atomic_ft_utils", "atomic_pyatomix", "atomic_atomicx", "atomic_atomics"]);
    let bounded = same(&["queue_bounded", "condition_predicate"]);
    // Different operations are never compared: message passing is not a queue's put and get, and
    // counting shared keys is not storing into one's own.
    assert!(![queues, bounded].contains(&operation("message_passing_owner").unwrap()));
    assert_ne!(operation("concurrent_dict"), operation("shared_dict_writes"));
}

#[test]
fn the_recorded_operation_makes_one_queue_group_across_families() {
    let names =
        ["queue_pipeline", "simplequeue_pipeline", "deque_queue", "ft_utils_concurrent_deque", "queue_bounded", "condition_predicate"];
    let dir = workloads(&names);
    let (output, r) = run(dir.path(), &["--threads", "1,2", "--rounds", "2", "--ops", "50", "--no-report"], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    assert!(r.workloads.iter().all(|w| w.meta.operation.is_some()), "the child records OPERATION");
    let s = ftbench::selection::select(&r);
    let unbounded = s.group_of("queue_pipeline").unwrap();
    let mut members: Vec<&str> = unbounded.candidates.iter().map(|c| c.workload.as_str()).collect();
    members.sort();
    assert_eq!(members, ["deque_queue", "ft_utils_concurrent_deque", "queue_pipeline", "simplequeue_pipeline"]);
    assert_eq!(unbounded.operation, operation("queue_pipeline"));
    let bounded = s.group_of("queue_bounded").unwrap();
    assert_eq!(bounded.candidates.len(), 2, "Queue(maxsize=2) against the Condition buffer");
}
