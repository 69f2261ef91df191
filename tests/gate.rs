//! The gate: a workload the new side breaks where the base worked — it re-enables the GIL, times
//! out, crashes, fails to load, raises or breaks its invariant — fails `compare`, `ab` and a run
//! (exit 3), named in the first line; what the base already broke, what one side did not measure
//! and rows only disturbed stay as they were. Synthetic runs for each status, real ones for the
//! GIL re-enabled on import.

mod common;

use std::path::Path;

use common::{ftbench, workloads};
use ftbench::compare::{self, CompareOptions, Comparison, FailOn};
use ftbench::exit;
use ftbench::results::*;
use ftbench::testing::measured_row;

fn good(name: &str) -> WorkloadResult {
    let rows = vec![measured_row(1, 1e6, 1e4), measured_row(2, 1.8e6, 2e4)];
    ftbench::testing::workload(name, GilMode::Off, WorkloadStatus::Ran, rows)
}

fn run(id: &str, workloads: Vec<WorkloadResult>) -> RunResults {
    let mut r = RunResults { workloads, ..ftbench::testing::run(id) };
    r.derive_figures();
    r
}

/// `lock_counter` broken by `breaks`, next to a `cpu_only` that works.
fn broken(breaks: impl Fn(&mut WorkloadResult)) -> RunResults {
    let mut w = good("lock_counter");
    breaks(&mut w);
    run("new", vec![w, good("cpu_only")])
}

fn base() -> RunResults {
    run("base", vec![good("lock_counter"), good("cpu_only")])
}

fn judged(base: &RunResults, new: &RunResults) -> Comparison {
    compare::compare(base, new, &CompareOptions::default())
}

/// The comparison exits 3 and its verdict starts with `first`.
fn fails_naming(new: RunResults, first: &str) {
    let c = judged(&base(), &new);
    assert_eq!(c.exit_code(), exit::WORKLOAD_FAILED, "{}", c.verdict());
    assert!(c.verdict().starts_with(first), "{}", c.verdict());
    assert!(c.render_text(false).starts_with(&format!("compare: {first}")), "{}", c.render_text(false));
    assert!(c.render_markdown().starts_with(&format!("### ❌ ftbench compare: {first}")), "{}", c.render_markdown());
}

fn fail_workload(w: &mut WorkloadResult, status: WorkloadStatus, failed_at: Option<usize>) {
    (w.status, w.failed_at, w.reason) = (status, failed_at, Some("what the child said".into()));
    if failed_at.is_none() {
        w.rows.clear();
    }
}

#[test]
fn a_new_side_that_re_enables_the_gil_fails() {
    fails_naming(broken(|w| fail_workload(w, WorkloadStatus::GilReenabled, None)), "new side: lock_counter re-enabled the GIL on import");
}

#[test]
fn a_new_crash_fails() {
    fails_naming(broken(|w| fail_workload(w, WorkloadStatus::Crashed, Some(2))), "new side: lock_counter crashed at 2 threads (gil-off)");
}

#[test]
fn a_new_deadlock_fails() {
    fails_naming(
        broken(|w| fail_workload(w, WorkloadStatus::Timeout, Some(2))),
        "new side: lock_counter timed out (deadlock?) at 2 threads (gil-off)",
    );
}

#[test]
fn a_workload_that_no_longer_loads_fails() {
    fails_naming(broken(|w| fail_workload(w, WorkloadStatus::Error, None)), "new side: lock_counter failed to load or run (gil-off)");
}

#[test]
fn a_new_raise_fails() {
    fails_naming(
        broken(|w| (w.rows[1].status, w.rows[1].throughput) = (RowStatus::Error, None)),
        "new side: lock_counter raised in a worker at 2 threads (gil-off)",
    );
}

#[test]
fn a_new_broken_invariant_fails() {
    fails_naming(
        broken(|w| (w.rows[0].status, w.rows[0].throughput) = (RowStatus::Invalid, None)),
        "new side: lock_counter broke its invariant at 1 thread (gil-off)",
    );
}

#[test]
fn what_the_new_side_did_not_break_does_not_fail() {
    let reenabled = |w: &mut WorkloadResult| fail_workload(w, WorkloadStatus::GilReenabled, None);
    // The same workloads twice: nothing to say.
    assert_eq!(judged(&base(), &base()).exit_code(), exit::OK);
    // The base already re-enabled the GIL: named, not failing.
    let c = judged(&broken(reenabled), &broken(reenabled));
    assert_eq!(c.exit_code(), exit::OK, "{}", c.verdict());
    assert!(c.notes.iter().any(|n| n.contains("new side: lock_counter re-enabled the GIL") && n.contains("failed there in the base too")));
    // A crash at a thread count the base did not measure.
    let only_one = run("base", vec![WorkloadResult { rows: vec![measured_row(1, 1e6, 1e4)], ..good("lock_counter") }, good("cpu_only")]);
    let c = judged(&only_one, &broken(|w| fail_workload(w, WorkloadStatus::Crashed, Some(2))));
    assert_eq!(c.exit_code(), exit::OK, "{}", c.verdict());
    assert!(c.notes.iter().any(|n| n.contains("did not measure it there")), "{:?}", c.notes);
    // A workload the base did not select (a filter) fails only the run it is in.
    let c = judged(&run("base", vec![good("cpu_only")]), &broken(reenabled));
    assert_eq!(c.exit_code(), exit::OK, "{}", c.verdict());
    // Rows only disturbed or implausible are shown, not failed on.
    let c = judged(&base(), &broken(|w| w.rows[1].disturbed = Some("steal 30 %".into())));
    assert_eq!(c.exit_code(), exit::OK, "{}", c.verdict());
    // A report-only comparison names the failure and exits 0.
    let opts = CompareOptions { fail_on: FailOn::None, ..Default::default() };
    let c = compare::compare(&base(), &broken(reenabled), &opts);
    assert_eq!(c.exit_code(), exit::OK);
    assert!(
        c.verdict().starts_with("new side: lock_counter re-enabled the GIL on import (not failing: --fail-on none)"),
        "{}",
        c.verdict()
    );
}

/// Side by side (`ab`) as between two runs: the new side failing where the base worked fails it;
/// the base's own failure (main's, measured a minute ago) is named and does not.
#[test]
fn side_by_side_only_the_new_sides_failure_where_the_base_worked_fails() {
    let crashed = || broken(|w| fail_workload(w, WorkloadStatus::Crashed, Some(2)));
    let c = compare::compare_paired(&base(), &crashed(), &CompareOptions::default());
    assert_eq!(c.exit_code(), exit::WORKLOAD_FAILED);
    assert!(c.verdict().starts_with("new side: lock_counter crashed at 2 threads"), "{}", c.verdict());
    for (b, n) in [(crashed(), base()), (crashed(), crashed())] {
        let c = compare::compare_paired(&b, &n, &CompareOptions::default());
        assert_eq!(c.exit_code(), exit::OK, "{}", c.verdict());
        let named = |n: &String| {
            n.starts_with("base side: lock_counter crashed at 2 threads")
                && n.ends_with("(not failing this comparison: it failed in the base)")
        };
        assert!(c.notes.iter().any(named), "{:?}", c.notes);
    }
}

#[test]
fn a_regression_outranks_a_failure_as_the_exit_table_says() {
    let mut slower = broken(|w| fail_workload(w, WorkloadStatus::GilReenabled, None));
    let cpu = slower.workloads.iter_mut().find(|w| w.workload == "cpu_only").unwrap();
    cpu.rows = vec![measured_row(1, 0.7e6, 1e4), measured_row(2, 1.26e6, 1e4)];
    slower.derive_figures();
    assert_eq!(judged(&base(), &slower).exit_code(), exit::REGRESSION);
}

/// `dir`'s lock_counter imports an extension without `Py_mod_gil`.
fn re_enable_the_gil(dir: &Path) {
    common::build_extension("gil_needed.c", "ftdoctor_gil_needed", dir);
    let file = dir.join("lock_counter.py");
    let code = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("import ftdoctor_gil_needed  # no Py_mod_gil: the GIL comes back\n{code}")).unwrap();
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The pull request whose import re-enables the GIL, as a maintainer runs it: `ab` exits 3 and says
/// so first; `compare` of its two sides, and the new side's run, do the same; the same workloads
/// twice (A/A) exit 0.
#[test]
fn ab_compare_and_a_run_fail_when_the_new_side_re_enables_the_gil() {
    let (base, new) = (workloads(&["lock_counter", "cpu_only"]), workloads(&["lock_counter", "cpu_only"]));
    re_enable_the_gil(new.path());
    let out = tempfile::tempdir().unwrap();
    let ab = |new: &Path| {
        ftbench()
            .args(["ab", "--quick", "--passes", "2", "--threads", "1", "--modes", "off", "--out"])
            .arg(out.path())
            .arg("--base-workloads")
            .arg(base.path())
            .arg("--new-workloads")
            .arg(new)
            .output()
            .unwrap()
    };
    let broken = ab(new.path());
    let said = stdout(&broken);
    assert_eq!(broken.status.code(), Some(exit::WORKLOAD_FAILED), "{said}{}", String::from_utf8_lossy(&broken.stderr));
    assert!(said.starts_with("compare: new side: lock_counter re-enabled the GIL on import"), "{said}");

    let run_dir = std::fs::read_to_string(out.path().join("latest")).unwrap();
    let side = |s: &str| out.path().join(run_dir.trim()).join(s);
    let compared = ftbench().arg("compare").arg(side("base")).arg(side("new")).arg("--markdown").output().unwrap();
    assert_eq!(compared.status.code(), Some(exit::WORKLOAD_FAILED), "{}", stdout(&compared));
    assert!(stdout(&compared).starts_with("### ❌ ftbench compare: new side: lock_counter re-enabled the GIL on import"));

    let (o, _) = common::run(new.path(), &["--threads", "1", "--modes", "off", "--rounds", "2", "--ops", "100", "--no-report"], &[]);
    assert_eq!(o.status.code(), Some(exit::WORKLOAD_FAILED), "a run whose workload re-enables the GIL fails");
    assert!(stdout(&o).starts_with("ftbench: FAILED: lock_counter re-enabled the GIL on import"), "{}", stdout(&o));

    let same = ab(base.path());
    assert_eq!(same.status.code(), Some(exit::OK), "A/A: {}", stdout(&same));
}
