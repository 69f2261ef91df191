//! `ftbench stress` catches the unsynchronized baselines with the GIL off, finds nothing with it
//! on, and fails (exit 3, a workload failed) when a workload that claims to be safe breaks.

mod common;

use common::{ftbench, workloads};
use ftbench::results::GilMode;
use ftbench::stress::{stress, StressArgs};

fn args(names: &[&str], dir: &std::path::Path, jitter: bool) -> StressArgs {
    StressArgs {
        workloads: names.iter().map(|s| s.to_string()).collect(),
        rounds: 40,
        threads: vec![2],
        ops: Some(100_000),
        jitter,
        workloads_dir: Some(dir.to_path_buf()),
        timeout: 300,
    }
}

#[test]
fn stress_catches_unsynchronized_baselines_only_with_the_gil_off() {
    let names = ["unsafe_counter", "bank_transfer_unsync"];
    let dir = workloads(&names);
    let outcomes = stress(std::path::Path::new(env!("CARGO_BIN_EXE_ftbench")), &args(&names, dir.path(), false)).unwrap();
    assert_eq!(outcomes.len(), 4);
    for o in &outcomes {
        assert!(o.problem.is_none() && o.exceptions.is_empty(), "{o:?}");
        assert_eq!(o.rounds, 40);
        match o.mode.unwrap() {
            GilMode::Off => assert!(o.broken_rounds > 0, "{} must break with the GIL off: {o:?}", o.workload),
            GilMode::On => assert_eq!(o.broken_rounds, 0, "{} must hold with the GIL on: {o:?}", o.workload),
        }
        assert!(!o.is_failure(), "an unsynchronized baseline breaking is expected, not a failure");
    }
}

#[test]
fn jitter_leaves_safe_workloads_intact_and_single_line_updates_atomic_under_the_gil() {
    let names = ["lock_counter", "unsafe_counter"];
    let dir = workloads(&names);
    let mut a = args(&names, dir.path(), true);
    a.rounds = 15;
    a.ops = Some(300);
    let outcomes = stress(std::path::Path::new(env!("CARGO_BIN_EXE_ftbench")), &a).unwrap();
    for o in &outcomes {
        if o.workload == "lock_counter" || o.mode == Some(GilMode::On) {
            assert_eq!(o.broken_rounds, 0, "{o:?}");
        }
        assert!(!o.is_failure(), "{o:?}");
    }
}

#[test]
fn stress_exits_3_when_a_safe_workload_breaks_or_raises() {
    let dir = workloads(&["verify_fails", "raises_in_worker"]);
    let out = ftbench().args(["stress", "--rounds", "5", "--threads", "2", "--ops", "10", "--workloads"]).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(ftbench::exit::WORKLOAD_FAILED), "{stdout}");
    assert!(stdout.contains("BROKEN: round 0: AssertionError: the answer is 41"), "{stdout}");
    assert!(stdout.contains("EXCEPTION") && stdout.contains("ValueError: worker 1 refuses"), "{stdout}");
}

#[test]
fn stress_without_names_leaves_the_opt_in_suite_out_as_a_run_does_and_says_so() {
    let dir = workloads(&["lock_counter", "interp_cmodule_function"]);
    let out = ftbench().args(["stress", "--rounds", "3", "--threads", "2", "--ops", "10", "--workloads"]).arg(dir.path()).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}");
    assert!(stderr.contains("1 opt-in workloads") && stderr.contains("are not stressed unless named"), "a note, on stderr: {stderr}");
    assert!(stdout.contains("lock_counter") && !stdout.lines().skip(1).any(|l| l.contains("interp_cmodule_function")), "{stdout}");
    // Named, it is stressed.
    let named =
        stress(std::path::Path::new(env!("CARGO_BIN_EXE_ftbench")), &args(&["interp_cmodule_function"], dir.path(), false)).unwrap();
    assert_eq!(named.len(), 2, "{named:?}");
}
