//! The suite's own figures react to what they watch: a costlier probe drives the probe ratio below
//! its target, a slower Rust runner makes the driver control see the two drivers differ, and the
//! control covers the rows it claims to. Behaviour, not timings: the injected costs are far larger
//! than any noise.

mod common;

use common::{row, run, workloads};
use ftbench::report::summary::PROBE_TARGET;
use ftbench::results::control::Agreement;
use ftbench::results::{Driver, GilMode, RowStatus, RunResults};

/// cpu_only and lock_counter at 1 and 2 threads, GIL off, `passes` passes of three rounds.
fn measure(passes: &str, env: &[(&str, &str)]) -> RunResults {
    let dir = workloads(&["cpu_only", "lock_counter"]);
    let mut all = vec![("FTBENCH_ROUND_MS", "10")];
    all.extend_from_slice(env);
    let args = ["--threads", "1,2", "--modes", "off", "--rounds", "3", "--passes", passes, "--no-report"];
    let (out, r) = run(dir.path(), &args, &all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    r
}

#[test]
fn every_calibration_figure_is_produced() {
    let r = measure("3", &[]);
    let cores = std::thread::available_parallelism().unwrap().get();
    let wanted: Vec<usize> = [1, cores].into_iter().filter(|t| *t <= 2).collect();
    let c = r.calibration.as_ref().expect("the run measured its calibration figures");
    assert_eq!(c.probe_ratio.keys().copied().collect::<Vec<_>>(), wanted);
    assert!(c.harness_overhead.is_empty(), "the driver control replaced it");
    for w in ["cpu_only", "lock_counter"] {
        for threads in [1, 2] {
            let x = row(&r, w, GilMode::Off, threads);
            assert!(x.passes.iter().all(|p| p.control.is_some()), "{w} at {threads}: the control ran in every pass");
            let d = x.driver_ratio().unwrap_or_else(|| panic!("{w} at {threads}: a driver ratio"));
            assert!(d.value.is_finite() && d.interval.0 <= d.value && d.value <= d.interval.1, "{d:?}");
        }
    }
}

#[test]
fn a_costly_probe_drives_the_probe_ratio_below_target() {
    // Two 3 ms probes inside every 10 ms round.
    let r = measure("3", &[("FTBENCH_TEST_PROBE_COST_US", "3000")]);
    let c = r.calibration.expect("calibration");
    assert!(!c.probe_ratio.is_empty());
    for (threads, ratio) in &c.probe_ratio {
        assert!(*ratio < PROBE_TARGET, "{threads} threads: probe ratio {ratio} should fall below {PROBE_TARGET}");
    }
}

#[test]
fn a_slower_rust_runner_makes_the_drivers_differ() {
    // 5 ms more per 10 ms round on the Rust threads only: every ratio is about 2/3. One thread per
    // row is judged (two threads share two cores with the other tests of this binary: a pass there
    // can be off by 30x); five passes, so the trimmed mean drops the extremes.
    let r = measure("5", &[("FTBENCH_TEST_HARNESS_DELAY_US", "5000")]);
    for w in ["cpu_only", "lock_counter"] {
        let d = row(&r, w, GilMode::Off, 1).driver_ratio().expect("a driver ratio");
        assert_eq!(d.agreement(), Agreement::Disagree, "{w}: {d:?}");
        assert!(d.value < 0.9, "{w}: the Rust side is the slower one: {d:?}");
    }
}

#[test]
fn driver_control_covers_every_worker_row_in_both_modes_and_never_a_drive_row() {
    let dir = workloads(&["deque_queue", "executor_map"]);
    let args = ["--threads", "1,2", "--rounds", "2", "--passes", "2", "--no-report"];
    let (out, without) = run(dir.path(), &args, &[("FTBENCH_ROUND_MS", "3")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(without.workloads.iter().flat_map(|w| &w.rows).all(|x| x.passes.iter().all(|p| p.control.is_none())));
    let (out, with) = run(dir.path(), &[&args[..], &["--driver-control"]].concat(), &[("FTBENCH_ROUND_MS", "3")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(with.run.config.driver_control);
    for mode in GilMode::ALL {
        for threads in [1, 2] {
            assert!(row(&with, "deque_queue", mode, threads).driver_ratio().is_some(), "deque_queue {mode} {threads}");
            assert!(row(&with, "executor_map", mode, threads).passes.iter().all(|p| p.control.is_none()), "a drive workload");
        }
    }
}

#[test]
fn the_python_driver_measures_and_verifies_a_whole_run() {
    let dir = workloads(&["lock_counter", "raises_in_worker"]);
    let (_, r) = run(dir.path(), &["--threads", "1,2", "--modes", "off", "--rounds", "3", "--driver", "python", "--no-report"], &[]);
    assert_eq!(r.run.config.driver, Some(Driver::Python));
    for threads in [1, 2] {
        let x = row(&r, "lock_counter", GilMode::Off, threads);
        assert!(x.status == RowStatus::Ok && x.throughput.is_some() && x.passes.iter().all(|p| p.control.is_none()), "{x:?}");
    }
    let broken = row(&r, "raises_in_worker", GilMode::Off, 2);
    let message = broken.message.as_deref().unwrap_or_default();
    assert!(message.contains("worker") && message.contains("Traceback"), "the worker's traceback, from a threading thread: {message}");
}

#[test]
fn a_control_that_fails_is_kept_with_the_row_and_loses_nothing_measured() {
    let dir = workloads(&["fails_on_threading"]);
    let (out, r) = run(dir.path(), &["--threads", "1,2", "--modes", "off", "--rounds", "2", "--passes", "2", "--driver-control"], &[]);
    assert!(out.status.success(), "the rows themselves ran: {}", String::from_utf8_lossy(&out.stderr));
    for threads in [1, 2] {
        let x = row(&r, "fails_on_threading", GilMode::Off, threads);
        assert!(x.status == RowStatus::Ok && x.throughput.is_some(), "{x:?}");
        assert!(x.driver_ratio().is_none());
        let why = x.control_failure().expect("the failure is recorded");
        assert!(why.contains("refuses threading threads") && why.contains("Traceback"), "{why}");
    }
    let tmp = tempfile::tempdir().unwrap();
    r.save(&tmp.path().join("results.json")).unwrap();
    let md = std::fs::read_to_string(ftbench::report::render(tmp.path()).unwrap().summary).unwrap();
    // Full data's row, not another table's (a disturbed row is also listed where the report says why).
    let full_data = md.split("Every row of every workload and mode").nth(1).expect("the Full data table");
    let line = full_data.lines().find(|l| l.starts_with("| `fails_on_threading` | gil-off | 2 |")).expect("its Full data row");
    assert!(line.contains("control failed"), "the report says so: {line}");
    assert!(md.contains("- `fails_on_threading` GIL off, 2 threads: worker 0 of 2 threads raised"), "and why, under calibration: {md}");
}
