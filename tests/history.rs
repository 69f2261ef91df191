//! `ftbench history add` and `ftbench history report` on a history built from the committed
//! example (a real run of this project's VM): sixteen runs that differ by a little noise, the last
//! eight with `lock_counter`'s file changed and its 1-thread rounds 15 % slower. The report finds
//! that step between runs 8 and 9 (its throughput, and the speedups that follow from it), names
//! the commit range and the file, and nothing else moves.

mod common;

use std::path::Path;

use ftbench::results::{RunResults, RunStatus};
use ftbench::testing::simulate::lognormal;

const RUNS: usize = 16;
const STEP_AT: usize = 8;

/// Run `i` of the history: the example with every row's passes scaled by a little noise, and
/// from [`STEP_AT`] on a new commit whose `lock_counter` runs 15 % slower at 1 thread.
fn run(i: usize, rng: &mut fastrand::Rng) -> RunResults {
    let mut r = RunResults::load(&common::repo().join("reports/example")).unwrap();
    (r.run.id, r.run.started) = (format!("run-{i:02}"), format!("2026-01-{:02}T00:00:00Z", i + 1));
    if i >= STEP_AT {
        r.run.suite_commit = "feedfacefeedfacefeedfacefeedfacefeedface".into();
    }
    for w in &mut r.workloads {
        let slowed = i >= STEP_AT && w.workload == "lock_counter";
        if slowed {
            w.file_crc32 = Some("0badcafe".into());
        }
        for row in &mut w.rows {
            let k = lognormal(rng, 0.01) * if slowed && row.threads == 1 { 0.85 } else { 1.0 };
            for p in &mut row.passes {
                p.throughput *= k;
                p.fastest_round = p.fastest_round.map(|f| f * k);
            }
        }
    }
    r.derive_figures();
    r
}

fn ftbench(args: &[&str], history: &Path) -> std::process::Output {
    common::ftbench().args(args).env("FTBENCH_HISTORY", history).output().unwrap()
}

/// A history folder of [`RUNS`] runs added one by one with `ftbench history add`.
pub fn history(dir: &Path) -> std::path::PathBuf {
    let history = dir.join("history");
    let mut rng = fastrand::Rng::with_seed(11);
    for i in 0..RUNS {
        let run_dir = dir.join(format!("run-{i:02}"));
        run(i, &mut rng).save(&run_dir.join("results.json")).unwrap();
        let out = ftbench(&["history", "add", run_dir.to_str().unwrap()], &history);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    history
}

#[test]
fn a_step_is_found_between_its_two_runs_with_the_commit_range_and_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let history = history(dir.path());
    assert_eq!(std::fs::read_dir(&history).unwrap().count(), RUNS, "one file per run");
    let report = dir.path().join("report");
    let out = ftbench(&["history", "report", "--out", report.to_str().unwrap()], &history);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(report.join("summary.md")).unwrap();
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
    let step: Vec<&&str> = rows.iter().filter(|l| l.contains("`lock_counter` GIL off, 1 thread: throughput")).collect();
    assert_eq!(step.len(), 1, "{md}");
    for mode in ["off", "on"] {
        for threads in [2, 4] {
            let speedup = format!("`lock_counter` GIL {mode}, {threads} threads: speedup");
            assert!(rows.iter().any(|l| l.contains(&speedup) && l.contains("#8 → #9")), "{speedup} follows:\n{md}");
        }
    }
    assert!(step[0].contains("#8 → #9") && step[0].contains("lock_counter.py changed"), "{}", step[0]);
    assert!(step[0].contains("suite 9f0f7f42c6cc..feedfacefeed"), "{}", step[0]);
    let size: f64 = step[0].split("| ").nth(3).unwrap().split(" %").next().unwrap().trim().parse().unwrap();
    assert!((-18.0..-12.0).contains(&size), "{}", step[0]);
    let elsewhere: Vec<&&str> = rows.iter().filter(|l| !l.contains("`lock_counter`")).collect();
    assert!(elsewhere.is_empty(), "only lock_counter's figures moved: {elsewhere:?}");
    assert!(md.contains("## Over time") && md.contains("charts/history-hot-counter.svg"), "{md}");
    for ext in ["svg", "png"] {
        assert!(report.join(format!("charts/history-hot-counter.{ext}")).exists());
    }
    assert!(std::fs::read_to_string(report.join("index.html")).unwrap().contains("Change points"));
}

#[test]
fn bad_input_is_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut r = run(0, &mut fastrand::Rng::with_seed(1));
    r.run.status = RunStatus::Interrupted;
    let run_dir = dir.path().join("cut");
    r.save(&run_dir.join("results.json")).unwrap();
    let out = ftbench(&["history", "add", run_dir.to_str().unwrap()], &history);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!history.exists(), "nothing added");
    std::fs::create_dir_all(&history).unwrap();
    let out = ftbench(&["history", "report", "--out", dir.path().join("r").to_str().unwrap()], &history);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no run"));
}
