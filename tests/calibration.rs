//! The suite's own figures react to what they watch: a costlier probe drives the probe ratio below
//! its target, a slower runner drives the harness-overhead ratio below its target, and every figure
//! is produced at 1 thread and at the core count. Behaviour, not timings: the injected costs are
//! far larger than any noise.

mod common;

use common::{run, workloads};
use ftbench::report::summary::{OVERHEAD_TARGET, PROBE_TARGET};
use ftbench::results::{Calibration, RunResults};

fn calibrate(env: &[(&str, &str)]) -> Calibration {
    let dir = workloads(&["cpu_only", "lock_counter"]);
    let mut all = vec![("FTBENCH_ROUND_MS", "10")];
    all.extend_from_slice(env);
    let (out, r): (_, RunResults) = run(dir.path(), &["--threads", "1,2", "--modes", "off", "--rounds", "3", "--no-report"], &all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    r.calibration.expect("the run measured its calibration figures")
}

#[test]
fn every_calibration_figure_is_produced_at_one_thread_and_the_core_count() {
    let c = calibrate(&[]);
    let cores = std::thread::available_parallelism().unwrap().get();
    let wanted: Vec<usize> = [1, cores].into_iter().filter(|t| *t <= 2).collect();
    for w in ["cpu_only", "lock_counter"] {
        let threads: Vec<usize> = c.harness_overhead.iter().filter(|o| o.workload == w).map(|o| o.threads).collect();
        assert_eq!(threads, wanted, "{w}: harness overhead at 1 thread and the core count");
    }
    assert_eq!(c.probe_ratio.keys().copied().collect::<Vec<_>>(), wanted);
    assert!(c.harness_overhead.iter().all(|o| o.ratio.is_finite() && o.ratio > 0.0));
}

#[test]
fn a_costly_probe_drives_the_probe_ratio_below_target() {
    // Two 3 ms probes inside every 10 ms round.
    let c = calibrate(&[("FTBENCH_TEST_PROBE_COST_US", "3000")]);
    assert!(!c.probe_ratio.is_empty());
    for (threads, ratio) in &c.probe_ratio {
        assert!(*ratio < PROBE_TARGET, "{threads} threads: probe ratio {ratio} should fall below {PROBE_TARGET}");
    }
}

#[test]
fn a_slower_runner_drives_the_harness_ratio_below_target() {
    let c = calibrate(&[("FTBENCH_TEST_HARNESS_DELAY_US", "5000")]);
    assert!(!c.harness_overhead.is_empty());
    for o in &c.harness_overhead {
        assert!(o.ratio < OVERHEAD_TARGET, "{} at {} threads: {} should fall below {OVERHEAD_TARGET}", o.workload, o.threads, o.ratio);
    }
}
