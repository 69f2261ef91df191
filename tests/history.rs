//! `ftbench history add` and `ftbench history report` on a history built from the committed
//! example (a real run of this project's VM): sixteen runs that differ by a little noise, the last
//! eight with `lock_counter`'s file changed and its 1-thread rounds 15 % slower. The report finds
//! that step between runs 8 and 9 (its throughput, and the speedups that follow from it), names
//! the commit range and the file, and nothing else moves.

mod common;

use common::{ftbench_history as ftbench, history, history_run as run};
use ftbench::results::RunStatus;

#[test]
fn a_step_is_found_between_its_two_runs_with_the_commit_range_and_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let history = history(dir.path());
    assert_eq!(std::fs::read_dir(&history).unwrap().count(), common::HISTORY_RUNS, "one file per run");
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
    let example = ftbench::results::RunResults::load(&common::repo().join("reports/example")).unwrap();
    assert!(step[0].contains(&format!("suite {}..feedfacefeed", &example.run.suite_commit[..12])), "{}", step[0]);
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
    // A run the machine disturbed throughout joins the history, with no figures and a warning.
    let mut busy = run(1, &mut fastrand::Rng::with_seed(1));
    busy.workloads.iter_mut().flat_map(|w| &mut w.rows).flat_map(|r| &mut r.passes).for_each(|p| p.disturbed = Some("steal".into()));
    busy.derive_figures();
    let busy_dir = dir.path().join("busy");
    busy.save(&busy_dir.join("results.json")).unwrap();
    let out = ftbench(&["history", "add", busy_dir.to_str().unwrap()], &history);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no valid row (disturbed, "), "{out:?}");
    let kept = ftbench::history::load(&history).unwrap();
    assert_eq!((kept.len(), kept[0].figures.len()), (1, 0));
    std::fs::remove_dir_all(&history).unwrap();
    std::fs::create_dir_all(&history).unwrap();
    let out = ftbench(&["history", "report", "--out", dir.path().join("r").to_str().unwrap()], &history);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no run"));
}

#[test]
fn a_run_is_placed_against_the_last_runs_and_its_slower_figure_is_listed_first() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut rng = fastrand::Rng::with_seed(11);
    let save = |i: usize, rng: &mut fastrand::Rng| {
        let run_dir = dir.path().join(format!("run-{i:02}"));
        run(i, rng).save(&run_dir.join("results.json")).unwrap();
        run_dir
    };
    for i in 0..8 {
        let run_dir = save(i, &mut rng);
        assert!(ftbench(&["history", "add", run_dir.to_str().unwrap()], &history).status.success());
    }
    // Run 8 is the first with lock_counter 15 % slower at 1 thread.
    let pull_request = save(8, &mut rng);
    let out = ftbench(&["history", "place", pull_request.to_str().unwrap(), "--last", "8", "--markdown"], &history);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(md.contains("range where one more run of the last runs' code would fall"), "{md}");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
    for mode in ["off", "on"] {
        let figure = format!("`lock_counter` GIL {mode}, 1 thread: throughput");
        let row = rows.iter().find(|l| l.contains(&figure)).unwrap_or_else(|| panic!("{figure} listed:\n{md}"));
        let change: f64 = row.split("| ").nth(4).unwrap().split(" %").next().unwrap().trim().parse().unwrap();
        assert!((-18.0..-12.0).contains(&change), "{row}");
    }
    assert!(rows[..2].iter().all(|l| l.contains("`lock_counter`")), "furthest outside first:\n{md}");
    let out = ftbench(&["history", "place", pull_request.to_str().unwrap(), "--last", "2"], &history);
    assert_eq!(out.status.code(), Some(2), "too few runs for a range is refused");
}
