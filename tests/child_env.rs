//! A measuring child's environment is fixed whatever the parent's: only the variables ftbench
//! keeps (and those FTBENCH_PASS_ENV names), padded to one size, a fresh hash seed per process,
//! recorded; and a child's process group ends with it, whatever the workload started.

mod common;

use common::{run, workloads};
use ftbench::results::GilMode;

/// `sleep 987` processes still running (the workload starts one per child).
fn sleepers() -> usize {
    let cmdline = |e: std::fs::DirEntry| std::fs::read(e.path().join("cmdline")).ok();
    std::fs::read_dir("/proc").unwrap().flatten().filter_map(cmdline).filter(|c| c == b"sleep\0987\0").count()
}

#[test]
fn a_child_sees_only_what_ftbench_passes_padded_to_one_size_and_takes_its_processes_with_it() {
    let before = sleepers();
    let dir = workloads(&["checks_its_environment"]);
    let env = [("LEAKY_VAR", "1"), ("PASSED_VAR", "yes"), ("FTBENCH_PASS_ENV", "PASSED_VAR"), ("FTBENCH_OPS_FROM", "")];
    let (out, r) = run(dir.path(), &["--threads", "1", "--passes", "2", "--rounds", "2", "--ops", "10", "--no-report"], &env);
    let w = common::workload(&r, "checks_its_environment", GilMode::Off);
    assert_eq!(out.status.code(), Some(0), "{:?} {:?}\n{}", w.reason, w.evidence, String::from_utf8_lossy(&out.stderr));
    let seeds: Vec<u32> = r.passes().filter_map(|p| p.hash_seed).collect();
    assert_eq!(seeds.len(), 4, "every pass of both modes records its seed");
    assert!(seeds.windows(2).any(|w| w[0] != w[1]), "a fresh seed per process: {seeds:?}");
    assert_eq!(sleepers(), before, "the children's `sleep` processes ended with their process groups");
}

#[cfg(target_os = "linux")]
#[test]
fn the_environment_is_one_size_however_long_the_parents_settings() {
    // A long setting present in one run and absent in another: the child's check of its size holds.
    let dir = workloads(&["checks_its_environment"]);
    let long = "y".repeat(500);
    let env = [("PASSED_VAR", "yes"), ("FTBENCH_PASS_ENV", "PASSED_VAR"), ("FTBENCH_SOMETHING_LONG", long.as_str())];
    let (out, _) = run(dir.path(), &["--threads", "1", "--modes", "off", "--rounds", "1", "--ops", "10", "--no-report"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
