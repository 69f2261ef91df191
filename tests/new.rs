//! `ftbench new`: the skeleton it writes is a working workload — it runs, verifies, survives
//! `stress --jitter`, and its declared mutant breaks under stress, as every workload's must.

mod common;

use common::{repo, workloads};
use ftbench::cmd::new::{run as new, Args};
use ftbench::results::{GilMode, RowStatus};
use ftbench::stress::{stress, StressArgs};

fn args(name: &str, scenario: &str, dir: &std::path::Path) -> Args {
    Args { name: name.into(), scenario: scenario.into(), operation: None, workloads: Some(dir.to_path_buf()) }
}

fn stressed(dir: &std::path::Path) -> Vec<ftbench::stress::StressOutcome> {
    let a = StressArgs {
        workloads: vec!["my_thing".into()],
        rounds: 30,
        threads: vec![4],
        ops: Some(1000),
        jitter: true,
        workloads_dir: Some(dir.to_path_buf()),
        timeout: 120,
    };
    stress(std::path::Path::new(env!("CARGO_BIN_EXE_ftbench")), &a).unwrap()
}

#[test]
fn a_new_workload_runs_verifies_and_its_mutant_breaks() {
    let dir = workloads(&[]);
    assert_eq!(new(args("my_thing", "hot-counter", dir.path())).unwrap(), 0);
    let file = dir.path().join("my_thing.py");
    let code = std::fs::read_to_string(&file).unwrap();
    assert!(code.contains("SCENARIO = \"hot-counter\"") && code.contains("MUTANT = "), "{code}");
    assert!(code.contains("OPERATION = \"add 1 to one counter shared by every thread\""), "the skeleton's own operation: {code}");

    // Refused: the same name again, a bad name, an unknown scenario.
    let again = format!("{:#}", new(args("my_thing", "hot-counter", dir.path())).unwrap_err());
    assert!(again.contains("exists already"), "{again}");
    assert!(new(args("2fast", "hot-counter", dir.path())).is_err());
    assert_eq!(new(args("in_control", "control", dir.path())).unwrap(), 0);
    let control = std::fs::read_to_string(dir.path().join("in_control.py")).unwrap();
    assert!(control.contains("SCENARIO = \"control\"") && control.starts_with("\"\"\"in_control: "), "{control}");
    std::fs::remove_file(dir.path().join("in_control.py")).unwrap();
    // Another operation: the words that put it in the group of the workloads that share them.
    let queue = "put one item into one unbounded queue, then get one (any thread's)";
    assert_eq!(new(Args { operation: Some(queue.into()), ..args("my_queue", "producer-consumer", dir.path()) }).unwrap(), 0);
    let written = std::fs::read_to_string(dir.path().join("my_queue.py")).unwrap();
    assert_eq!(written.lines().filter(|l| l.starts_with("OPERATION = ")).collect::<Vec<_>>(), [format!("OPERATION = \"{queue}\"")]);
    std::fs::remove_file(dir.path().join("my_queue.py")).unwrap();
    let two_lines = format!("{:#}", new(Args { operation: Some("a\nb".into()), ..args("other", "control", dir.path()) }).unwrap_err());
    assert!(two_lines.contains("--operation: one line"), "{two_lines}");
    let unknown = format!("{:#}", new(args("other", "hot-cocoa", dir.path())).unwrap_err());
    assert!(unknown.contains("unknown scenario 'hot-cocoa'") && unknown.contains("hot-counter"), "{unknown}");

    // It runs and verifies at 1 and 2 threads in both modes.
    let (out, results) = common::run(dir.path(), &["--threads", "1,2", "--rounds", "3", "--no-report"], &[]);
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && progress.contains("ftbench: pass 1/1"), "{progress}");
    let (quiet, _) = common::run(dir.path(), &["--threads", "1", "--rounds", "1", "--no-report", "--quiet"], &[]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("ftbench: pass"), "--quiet: no progress lines");
    let crc = format!("{:08x}", crc32fast::hash(&std::fs::read(&file).unwrap()));
    assert!(results.workloads.iter().all(|w| w.file_crc32.as_deref() == Some(crc.as_str())), "each workload names the file that ran");
    for mode in GilMode::ALL {
        for t in [1, 2] {
            assert_eq!(common::row(&results, "my_thing", mode, t).status, RowStatus::Ok);
        }
    }
    // Stress with jitter: safe in both modes.
    let outcomes = stressed(dir.path());
    assert!(outcomes.iter().all(|o| !o.is_failure()), "{outcomes:?}");

    // Its declared mutant, applied as tests/mutation.rs applies every workload's, breaks it.
    let swap = code.lines().find_map(|l| l.strip_prefix("MUTANT = ")).unwrap().trim_matches('"');
    let standins = std::fs::read_to_string(repo().join("tests/fixtures/mutation/standins.py")).unwrap();
    std::fs::write(&file, format!("{code}{standins}\n{swap}\n")).unwrap();
    let off = stressed(dir.path()).into_iter().find(|o| o.mode == Some(GilMode::Off)).unwrap();
    assert!(off.broken_rounds > 0 && off.is_failure(), "{off:?}");
}
