//! A run with broken workloads in it finishes, keeps every good result, and names each broken
//! workload with the right status and its evidence.

mod common;

use common::{row, run, workload, workloads};
use ftbench::results::{GilMode::Off, RowStatus, RunStatus, WorkloadStatus};

#[test]
fn broken_workloads_are_named_and_good_ones_still_measured() {
    let dir = workloads(&[
        "cpu_only",
        "deadlock",
        "segfault",
        "raises_in_worker",
        "verify_fails",
        "syntax_error",
        "missing_worker",
        "setup_raises",
        "wrong_signature",
        "bad_metadata",
        "lock_counter",
    ]);
    let (output, r) =
        run(dir.path(), &["--threads", "1,2", "--modes", "off", "--rounds", "3", "--ops", "200"], &[("FTBENCH_ROUND_TIMEOUT", "2")]);
    assert_eq!(output.status.code(), Some(ftbench::exit::WORKLOAD_FAILED), "a run with failures exits 3");
    assert_eq!(r.run.status, RunStatus::Complete);

    for good in ["cpu_only", "lock_counter"] {
        for t in [1, 2] {
            let row = row(&r, good, Off, t);
            assert_eq!(row.status, RowStatus::Ok, "{good} t={t}: {:?}", row.message);
            assert!(row.throughput.is_some());
        }
    }

    let dl = workload(&r, "deadlock", Off);
    assert_eq!(dl.status, WorkloadStatus::Timeout, "{:?}", dl.reason);
    assert!(dl.reason.as_ref().unwrap().contains("2 threads"), "{:?}", dl.reason);
    let stacks = dl.evidence.as_deref().unwrap();
    assert!(stacks.contains("deadlock.py"), "the stack dump shows the workload's frames:\n{stacks}");
    assert_eq!(dl.rows.len(), 1, "the 1-thread row measured before the deadlock is kept");
    assert_eq!(dl.failed_at, Some(2), "the thread count it hung at, for compare to scope the failure");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.starts_with("ftbench: FAILED: ") && said.contains("deadlock timed out (deadlock?) at 2 threads"), "{said}");

    let sf = workload(&r, "segfault", Off);
    assert_eq!(sf.status, WorkloadStatus::Crashed);
    // A NULL read is SIGSEGV on Linux; macOS may raise SIGBUS for it instead.
    let reason = sf.reason.as_deref().unwrap();
    assert!(reason.contains("SIGSEGV") || reason.contains("SIGBUS"), "{reason}");
    let evidence = sf.evidence.as_deref().unwrap();
    assert!(evidence.contains("Segmentation fault") || evidence.contains("Bus error"), "{evidence}");

    let raised = row(&r, "raises_in_worker", Off, 2);
    assert_eq!(raised.status, RowStatus::Error);
    let msg = raised.message.as_deref().unwrap();
    assert!(msg.contains("worker 1 of 2 threads") && msg.contains("ValueError: worker 1 refuses"), "{msg}");
    assert!(raised.throughput.is_none(), "nothing from a failed round is averaged in");

    for t in [1, 2] {
        let invalid = row(&r, "verify_fails", Off, t);
        assert_eq!(invalid.status, RowStatus::Invalid);
        assert!(invalid.message.as_deref().unwrap().contains("the answer is 41"));
        assert!(invalid.throughput.is_none());
    }

    for (name, needle) in [
        ("syntax_error", "SyntaxError"),
        ("missing_worker", "worker(state, thread_index, ops)"),
        ("setup_raises", "setup cannot build its state"),
        ("wrong_signature", "wrong signature"),
        ("bad_metadata", "PRIMITIVE must be str"),
    ] {
        let w = workload(&r, name, Off);
        assert_eq!(w.status, WorkloadStatus::Error, "{name}");
        let reason = w.reason.as_deref().unwrap();
        assert!(reason.contains(&format!("{name}.py")), "{name}: the one-line reason names the file: {reason}");
        let evidence = w.evidence.as_deref().unwrap();
        assert!(evidence.contains(needle), "{name}: evidence has {needle:?}:\n{evidence}");
    }
    let syntax = workload(&r, "syntax_error", Off).evidence.as_deref().unwrap();
    assert!(syntax.contains("line 5"), "a syntax error shows its line:\n{syntax}");
}

#[test]
fn a_worker_that_raises_during_calibration_is_reported_on_its_row() {
    let dir = workloads(&["raises_in_worker"]);
    let (_, r) = run(dir.path(), &["--threads", "1,2", "--modes", "off", "--rounds", "2"], &[("FTBENCH_ROUND_MS", "1")]);
    let w = workload(&r, "raises_in_worker", Off);
    assert_eq!(w.status, WorkloadStatus::Ran, "{:?}", w.reason);
    assert_eq!(row(&r, "raises_in_worker", Off, 1).status, RowStatus::Ok);
    let raised = row(&r, "raises_in_worker", Off, 2);
    assert_eq!(raised.status, RowStatus::Error);
    assert!(raised.message.as_deref().unwrap().contains("ValueError: worker 1 refuses"));
}

#[test]
fn an_interrupted_run_keeps_a_readable_partial_results_file() {
    let dir = workloads(&["cpu_only", "lock_counter", "lock_private", "lock_shared"]);
    let out = tempfile::tempdir().unwrap();
    let mut child = common::ftbench()
        .args(["run", "--threads", "1,2", "--rounds", "100000", "--ops", "2000", "--no-report"])
        .arg("--workloads")
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run folder exists and its first child is measuring.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let logs = loop {
        let latest = std::fs::read_to_string(out.path().join("latest")).unwrap_or_default();
        let logs = out.path().join(latest.trim()).join("logs");
        if !latest.trim().is_empty() && std::fs::read_dir(&logs).map(|d| d.count() >= 2).unwrap_or(false) {
            break logs;
        }
        assert!(std::time::Instant::now() < deadline, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let r = ftbench::results::RunResults::load(logs.parent().unwrap()).unwrap();
    assert_eq!(r.run.status, RunStatus::Interrupted);
    assert!(r.workloads.iter().any(|w| w.status == WorkloadStatus::Interrupted));
    assert_eq!(r.workloads.len(), 2 * 4, "every planned workload × mode is accounted for");
    let report = common::ftbench().arg("report").arg(logs.parent().unwrap()).output().unwrap();
    assert!(report.status.success(), "the report renders from a partial run: {}", String::from_utf8_lossy(&report.stderr));
}

#[test]
fn configuration_errors_are_clear_and_happen_before_any_benchmark() {
    let dir = workloads(&["cpu_only"]);
    let bad_threads =
        common::ftbench().args(["run", "--no-report"]).arg("--workloads").arg(dir.path()).env("FTBENCH_THREADS", "1,two").output().unwrap();
    assert_eq!(bad_threads.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad_threads.stderr);
    assert!(err.contains("FTBENCH_THREADS") && err.contains("'two'"), "{err}");

    let bad_timeout =
        common::ftbench().args(["run", "--no-report"]).arg("--workloads").arg(dir.path()).env("FTBENCH_TIMEOUT", "soon").output().unwrap();
    assert_eq!(bad_timeout.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad_timeout.stderr);
    assert!(err.contains("FTBENCH_TIMEOUT") && err.contains("'soon'"), "{err}");

    let unknown = common::ftbench().args(["run", "no_such_workload"]).arg("--workloads").arg(dir.path()).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("no_such_workload") && err.contains("cpu_only"), "{err}");

    let ro = tempfile::tempdir().unwrap();
    let blocked = ro.path().join("file-not-folder");
    std::fs::write(&blocked, "").unwrap();
    let unwritable =
        common::ftbench().args(["run", "--no-report"]).arg("--workloads").arg(dir.path()).arg("--out").arg(&blocked).output().unwrap();
    assert_eq!(unwritable.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unwritable.stderr);
    assert!(err.contains("not writable") && err.contains("file-not-folder"), "{err}");
}

#[test]
fn a_stalled_calibration_round_does_not_set_the_work() {
    let dir = workloads(&["stalls_once"]);
    let (_, r) = run(dir.path(), &["--threads", "1", "--modes", "off", "--rounds", "2"], &[]);
    let row = row(&r, "stalls_once", Off, 1);
    assert_eq!(row.status, RowStatus::Ok, "{:?}", row.message);
    // The stalled round had 1 op and lasted 30 ms; 10 ms of this loop is hundreds of thousands.
    assert!(row.ops_per_thread >= 1024 && row.ops_per_thread.is_power_of_two(), "{}", row.ops_per_thread);
}

#[test]
fn a_run_can_reuse_another_runs_calibration() {
    let dir = workloads(&["lock_counter"]);
    let args = ["--threads", "1,2", "--modes", "off", "--rounds", "2"];
    let (_, first) = run(dir.path(), &args, &[]);
    let saved = tempfile::tempdir().unwrap();
    let reference = saved.path().join("results.json");
    first.save(&reference).unwrap();
    // Ten times the work per op: calibrated afresh, the rounds would hold other ops counts.
    let file = dir.path().join("lock_counter.py");
    let code = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, code.replace("        with lock:", "        for _ in range(30):\n            pass\n        with lock:")).unwrap();
    let (_, second) = run(dir.path(), &args, &[("FTBENCH_OPS_FROM", reference.to_str().unwrap())]);
    for t in [1, 2] {
        assert_eq!(row(&second, "lock_counter", Off, t).ops_per_thread, row(&first, "lock_counter", Off, t).ops_per_thread);
    }
    let out = tempfile::tempdir().unwrap();
    let output = common::ftbench()
        .arg("run")
        .arg("--workloads")
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .args(args)
        .env("FTBENCH_OPS_FROM", "/no/such/run")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.code() == Some(2) && err.contains("FTBENCH_OPS_FROM=/no/such/run"), "{err}");
}
