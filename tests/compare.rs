//! `ftbench compare` and named baselines, on synthetic runs: behaviour, never timings.

use std::path::{Path, PathBuf};

use ftbench::baseline;
use ftbench::cmd::compare::{Args as CompareArgs, JudgeArgs};
use ftbench::cmd::{self, baseline::Cmd as BaselineCmd};
use ftbench::compare::{self, Change, CompareOptions, FailOn, RowCategory, RowOutcome};
use ftbench::results::*;
use ftbench::runs;

/// A row: throughput `point` ops/s with a symmetric interval of ± `half_pct` percent.
fn row(threads: usize, point: f64, half_pct: f64) -> ThreadRow {
    ftbench::testing::measured_row(threads, point, point * half_pct / 100.0)
}

fn workload(name: &str, mode: GilMode, rows: Vec<ThreadRow>) -> WorkloadResult {
    let mut w = ftbench::testing::workload(name, mode, WorkloadStatus::Ran, rows);
    w.meta = WorkloadMeta { primitive: "lock".into(), scenario: "counter".into(), ..Default::default() };
    w
}

fn run(id: &str, workloads: Vec<WorkloadResult>) -> RunResults {
    let mut r = RunResults { workloads, ..ftbench::testing::run(id) };
    // Eight cores, as these runs always had: an 8-thread row 5× faster stays physically plausible.
    r.machine.logical_cores = 8;
    r.derive_figures();
    r
}

/// Base: `lock` GIL-off with 1, 2, 4 threads scaling 1×, 1.8×, 3.2×, CIs ±1 %.
fn base_run() -> RunResults {
    run("base-run", vec![workload("lock", GilMode::Off, vec![row(1, 1e6, 1.0), row(2, 1.8e6, 1.0), row(4, 3.2e6, 1.0)])])
}

fn with_rows(id: &str, rows: Vec<ThreadRow>) -> RunResults {
    run(id, vec![workload("lock", GilMode::Off, rows)])
}

fn find(c: &compare::Comparison, threads: usize) -> &compare::RowComparison {
    c.rows.iter().find(|r| r.workload == "lock" && r.threads == threads).expect("row listed")
}

fn args(base: &Path, new: &Path) -> CompareArgs {
    CompareArgs {
        base: base.into(),
        new: new.into(),
        filters: Vec::new(),
        threads: None,
        modes: None,
        judge: judge_args(),
        paired: false,
        allow_partial: false,
        confirm: false,
        base_workloads: None,
        new_workloads: None,
    }
}

fn judge_args() -> JudgeArgs {
    JudgeArgs { threshold: 5.0, alpha: 0.05, fail_on: FailOn::Any, fail_on_inconclusive: None, markdown: false, json: false, all: false }
}

fn save_run(dir: &Path, r: &RunResults) -> PathBuf {
    let folder = dir.join(&r.run.id);
    r.save(&folder.join("results.json")).unwrap();
    folder
}

#[test]
fn clear_regression_is_listed_first_and_exits_1() {
    // 4 threads: −30 % with intervals far apart (scaling drops from 3.2× to 2.24× too).
    let new = with_rows("new-run", vec![row(1, 1e6, 1.0), row(2, 1.8e6, 1.0), row(4, 2.24e6, 1.0)]);
    let c = compare::compare(&base_run(), &new, &CompareOptions::default());
    let r = find(&c, 4);
    assert_eq!(r.category(), RowCategory::Regressed);
    assert_eq!(r.throughput_change(), Some(Change::Regressed));
    assert_eq!(r.speedup_change(), Some(Change::Regressed));
    assert_eq!(c.rows[0].threads, 4, "regressions come first");
    assert_eq!(c.exit_code(), 1);
    assert!(c.render_text(true).contains("REGRESSED"));
    let md = c.render_markdown();
    assert!(md.starts_with("### ❌"), "{md}");
    assert!(md.contains("| **REGRESSED** | lock | gil-off | 4 |"), "{md}");

    // Through the command, from run folders.
    let dir = tempfile::tempdir().unwrap();
    let (b, n) = (save_run(dir.path(), &base_run()), save_run(dir.path(), &new));
    assert_eq!(cmd::compare::run(args(&b, &n)).unwrap(), 1);
    // Same runs the other way round: an improvement, exit 0.
    assert_eq!(cmd::compare::run(args(&n, &b)).unwrap(), 0);
    // A results.json path works as well as a folder.
    assert_eq!(cmd::compare::run(args(&b.join("results.json"), &n)).unwrap(), 1);
}

#[test]
fn change_inside_the_noise_is_inconclusive() {
    // −8 % at every thread count, but the passes spread ±6 %: the interval reaches past ±5 %.
    let base = with_rows("b", vec![row(1, 1e6, 6.0), row(2, 1.8e6, 6.0), row(4, 3.2e6, 6.0)]);
    let new = with_rows("n", vec![row(1, 0.92e6, 6.0), row(2, 1.656e6, 6.0), row(4, 2.944e6, 6.0)]);
    let c = compare::compare(&base, &new, &CompareOptions::default());
    for t in [1, 2, 4] {
        let r = find(&c, t);
        assert_eq!(r.category(), RowCategory::Inconclusive, "{t} threads");
        let RowOutcome::Compared { throughput, .. } = &r.outcome else { panic!("compared") };
        assert!(throughput.change_interval_pct.0 < -5.0 && throughput.change_interval_pct.1 > -5.0, "{throughput:?}");
        assert!((throughput.change_pct + 8.0).abs() < 1e-6);
    }
    assert_eq!(c.exit_code(), 0);
}

#[test]
fn small_change_with_tight_intervals_is_below_threshold() {
    let base = with_rows("b", vec![row(1, 1e6, 0.1), row(4, 3.2e6, 0.1)]);
    let new = with_rows("n", vec![row(1, 1.02e6, 0.1), row(4, 3.264e6, 0.1)]);
    let c = compare::compare(&base, &new, &CompareOptions::default());
    let r = find(&c, 4);
    let RowOutcome::Compared { throughput, .. } = &r.outcome else { panic!("compared") };
    assert!(throughput.p_value < 0.01, "tight passes make it significant");
    assert_eq!(r.category(), RowCategory::Unchanged);
    assert_eq!(c.exit_code(), 0);
    // A lower threshold turns it into an improvement.
    let c = compare::compare(&base, &new, &CompareOptions { threshold_pct: 1.0, ..Default::default() });
    assert_eq!(find(&c, 4).category(), RowCategory::Improved);
}

#[test]
fn missing_and_invalid_rows_are_listed_not_ignored() {
    let mut broken = row(2, 1.8e6, 1.0);
    broken.status = RowStatus::Invalid;
    broken.message = Some("counter is 1999, expected 2000".into());
    let new = run(
        "n",
        vec![
            // 4 threads missing; 8 threads new; 2 threads invalid.
            workload("lock", GilMode::Off, vec![row(1, 1e6, 1.0), broken, row(8, 5e6, 1.0)]),
            workload("queue", GilMode::On, vec![row(1, 2e5, 1.0)]),
        ],
    );
    let c = compare::compare(&base_run(), &new, &CompareOptions::default());
    assert_eq!(find(&c, 4).category(), RowCategory::OnlyInBase);
    assert_eq!(find(&c, 8).category(), RowCategory::OnlyInNew);
    let inv = find(&c, 2);
    assert_eq!(inv.category(), RowCategory::Invalid);
    let RowOutcome::Invalid { base, new, .. } = &inv.outcome else { panic!("invalid") };
    assert!(base.is_none());
    assert!(new.as_deref().unwrap().contains("invalid"), "{new:?}");
    assert!(!inv.measurable_again(), "a broken invariant is no reason to measure again");
    assert!(c.rows.iter().any(|r| r.workload == "queue" && r.category() == RowCategory::OnlyInNew));
    assert_eq!(c.exit_code(), ftbench::exit::WORKLOAD_FAILED, "missing rows are not regressions, a broken invariant fails");
    assert!(c.verdict().starts_with("new side: lock broke its invariant at 2 threads (gil-off)"), "{}", c.verdict());
    // Output order: unchanged, invalid, only in base, only in new.
    let cats: Vec<RowCategory> = c.rows.iter().map(|r| r.category()).collect();
    let mut sorted = cats.clone();
    sorted.sort();
    assert_eq!(cats, sorted);
    let text = c.render_text(true);
    for label in ["only in base", "only in new", "invalid", "counter is 1999"] {
        assert!(text.contains(label), "{label} in\n{text}");
    }

    // A workload that was skipped in new: its base rows are invalid, with the reason.
    let mut skipped = workload("lock", GilMode::Off, vec![]);
    skipped.status = WorkloadStatus::Skipped;
    skipped.reason = Some("package foo is not installed".into());
    let c = compare::compare(&base_run(), &run("n", vec![skipped]), &CompareOptions::default());
    assert!(c.rows.iter().all(|r| r.category() == RowCategory::Invalid));
    assert!(c.render_text(true).contains("package foo is not installed"));
}

#[test]
fn fail_on_selects_which_regressions_fail() {
    // −30 % at every thread count: throughput regressed, scaling identical.
    let new = with_rows("n", vec![row(1, 0.7e6, 1.0), row(2, 1.26e6, 1.0), row(4, 2.24e6, 1.0)]);
    let c = compare::compare(&base_run(), &new, &CompareOptions::default());
    assert_eq!(c.throughput_regressions(), 3);
    assert_eq!(c.scaling_regressions(), 0);

    let dir = tempfile::tempdir().unwrap();
    let (b, n) = (save_run(dir.path(), &base_run()), save_run(dir.path(), &new));
    let mut a = args(&b, &n);
    a.judge.fail_on = FailOn::Scaling;
    assert_eq!(cmd::compare::run(a.clone()).unwrap(), 0);
    a.judge.fail_on = FailOn::None;
    assert_eq!(cmd::compare::run(a.clone()).unwrap(), 0, "a report-writing step");
    a.judge.fail_on = FailOn::Throughput;
    assert_eq!(cmd::compare::run(a.clone()).unwrap(), 1);
    a.judge.fail_on = FailOn::Any;
    a.judge.markdown = true;
    assert_eq!(cmd::compare::run(a).unwrap(), 1);

    // Scaling-only regression: 1 thread faster, 4 threads the same → speedup drops.
    let new = with_rows("n2", vec![row(1, 1.3e6, 1.0), row(2, 1.8e6, 1.0), row(4, 3.2e6, 1.0)]);
    let c = compare::compare(&base_run(), &new, &CompareOptions { fail_on: FailOn::Throughput, ..Default::default() });
    assert_eq!(find(&c, 4).throughput_change(), Some(Change::Unchanged));
    assert_eq!(find(&c, 4).speedup_change(), Some(Change::Regressed));
    assert_eq!(c.exit_code(), 0);
    assert!(c.verdict().contains("not failing"), "{}", c.verdict());
}

#[test]
fn different_machines_are_warned_about_loudly() {
    let mut new = base_run();
    new.run.id = "elsewhere".into();
    new.machine.cpu_model = "Other CPU 1".into();
    new.interpreters[0].version = "3.13.5 experimental free-threading build".into();
    let c = compare::compare(&base_run(), &new, &CompareOptions::default());
    assert_eq!(c.mismatches.len(), 2, "{:?}", c.mismatches);
    let text = c.render_text(true);
    assert!(text.starts_with("!!!"), "{text}");
    assert!(text.contains("Other CPU 1"));
    let md = c.render_markdown();
    assert!(md.contains("[!WARNING]") && md.contains("Other CPU 1"), "{md}");
    // Same machine: no warning.
    let c = compare::compare(&base_run(), &base_run(), &CompareOptions::default());
    assert!(c.mismatches.is_empty());
    assert!(!c.render_text(true).contains("WARNING"));
}

#[test]
fn bad_inputs_are_errors_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let good = save_run(dir.path(), &base_run());

    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"schema_version\": 1, \"run\": {").unwrap();
    let err = cmd::compare::run(args(&corrupt, &good)).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains(&corrupt.display().to_string()), "{msg}");

    let other_version = dir.path().join("v99.json");
    std::fs::write(&other_version, "{\"schema_version\": 99}").unwrap();
    let msg = format!("{:#}", cmd::compare::run(args(&good, &other_version)).unwrap_err());
    assert!(msg.contains("v99.json") && msg.contains("schema version 99"), "{msg}");

    let empty_folder = dir.path().join("empty");
    std::fs::create_dir(&empty_folder).unwrap();
    let msg = format!("{:#}", cmd::compare::run(args(&empty_folder, &good)).unwrap_err());
    assert!(msg.contains("empty") && msg.contains("results.json"), "{msg}");

    let mut a = args(&good, &good);
    a.judge.threshold = -1.0;
    assert!(cmd::compare::run(a).is_err());
}

/// Everything that sets FTBENCH_REPORTS lives in this one test: env vars are process-wide.
#[test]
fn baselines_round_trip_through_reports_dir() {
    let reports = tempfile::tempdir().unwrap();
    std::env::set_var("FTBENCH_REPORTS", reports.path());

    // No run yet: `latest` is missing.
    let msg = format!("{:#}", runs::resolve_run(None).unwrap_err());
    assert!(msg.contains("latest"), "{msg}");
    assert_eq!(cmd::baseline::run(BaselineCmd::List).unwrap(), 0);

    let base = base_run();
    let base_folder = save_run(reports.path(), &base);
    // `latest` as a regular file holding the run id.
    std::fs::write(reports.path().join("latest"), format!("{}\n", base.run.id)).unwrap();
    assert_eq!(runs::resolve_run(None).unwrap(), base_folder);
    assert_eq!(cmd::baseline::run(BaselineCmd::Save { name: "main".into(), run: None, allow_partial: false }).unwrap(), 0);
    let saved = reports.path().join("baselines").join("main.json");
    assert_eq!(RunResults::load(&saved).unwrap(), base);

    // `latest` as a symlink to the newest run folder.
    let new = with_rows("new-run", vec![row(1, 1e6, 1.0), row(2, 1.8e6, 1.0), row(4, 2.24e6, 1.0)]);
    let new_folder = save_run(reports.path(), &new);
    #[cfg(unix)]
    {
        std::fs::remove_file(reports.path().join("latest")).unwrap();
        std::os::unix::fs::symlink(&new.run.id, reports.path().join("latest")).unwrap();
        let resolved = runs::resolve_run(None).unwrap();
        assert_eq!(RunResults::load(&resolved).unwrap().run.id, "new-run");
    }
    baseline::save("candidate", Some(&new_folder), false).unwrap();

    // Invalid names are refused.
    for bad in ["", "a/b", "..", ".hidden", "a\\b", "sp ace"] {
        assert!(baseline::save(bad, Some(&new_folder), false).is_err(), "{bad:?} accepted");
    }

    // list shows both, with run ids.
    let entries = baseline::list().unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["candidate", "main"]);
    assert_eq!(entries[1].results.as_ref().unwrap().run.id, "base-run");
    assert_eq!(cmd::baseline::run(BaselineCmd::List).unwrap(), 0);

    // compare by baseline name.
    let by_name = |b: &str, n: &str| args(Path::new(b), Path::new(n));
    assert_eq!(cmd::compare::run(by_name("main", "candidate")).unwrap(), 1);
    assert_eq!(cmd::compare::run(by_name("main", "main")).unwrap(), 0);
    // An existing path wins over a baseline name.
    assert_eq!(cmd::compare::run(by_name("main", new_folder.to_str().unwrap())).unwrap(), 1);
    // Unknown names list what exists.
    let msg = format!("{:#}", cmd::compare::run(by_name("nope", "main")).unwrap_err());
    assert!(msg.contains("nope") && msg.contains("candidate") && msg.contains("main"), "{msg}");

    // Saving over a name replaces it.
    baseline::save("main", Some(&new_folder), false).unwrap();
    assert_eq!(RunResults::load(&saved).unwrap().run.id, "new-run");

    // A corrupt baseline is listed as unreadable, not fatal.
    std::fs::write(reports.path().join("baselines").join("broken.json"), "not json").unwrap();
    let entries = baseline::list().unwrap();
    assert!(entries.iter().find(|e| e.name == "broken").unwrap().results.is_err());
    assert_eq!(cmd::baseline::run(BaselineCmd::List).unwrap(), 0);

    // A pointer naming a run folder that is gone.
    std::fs::remove_file(reports.path().join("latest")).unwrap();
    std::fs::write(reports.path().join("latest"), "vanished-run").unwrap();
    let msg = format!("{:#}", runs::resolve_run(None).unwrap_err());
    assert!(msg.contains("vanished-run"), "{msg}");

    std::env::remove_var("FTBENCH_REPORTS");
}

#[test]
fn a_single_pass_is_not_comparable_and_says_why() {
    // `ftbench run --rounds 1` (one pass) on both sides: no interval, no verdict, exit 0.
    let one_pass = |r: ThreadRow| ThreadRow { passes: r.passes[..1].to_vec(), ..r };
    let base = with_rows("b", vec![one_pass(row(1, 1e6, 1.0))]);
    let new = with_rows("n", vec![one_pass(row(1, 0.5e6, 1.0))]);
    let c = compare::compare(&base, &new, &CompareOptions::default());
    let r = find(&c, 1);
    assert_eq!(r.category(), RowCategory::NotComparable);
    let RowOutcome::NotComparable { reason } = &r.outcome else { panic!("not comparable") };
    assert!(reason.contains("at least 2"), "{reason}");
    assert_eq!(c.exit_code(), 0);
    assert!(c.verdict().contains("1 not comparable"), "{}", c.verdict());
}

#[test]
fn json_output_gives_every_row_its_verdict_effect_and_p_value() {
    let new = with_rows("new-run", vec![row(1, 1e6, 1.0), row(2, 1.8e6, 1.0), row(4, 2.24e6, 1.0)]);
    let c = compare::compare(&base_run(), &new, &CompareOptions::default());
    let v: serde_json::Value = serde_json::from_str(&c.to_json().unwrap()).unwrap();
    assert_eq!(v["exit_code"], 1);
    assert_eq!(v["options"]["alpha"], 0.05);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let four = rows.iter().find(|r| r["threads"] == 4).unwrap();
    assert_eq!(four["category"], "regressed");
    assert_eq!(four["outcome"]["outcome"], "compared");
    let t = &four["outcome"]["throughput"];
    assert_eq!(t["change"], "regressed");
    assert_eq!(t["basis"], "raw", "with more than one thread, pass throughput");
    assert_eq!(t["paired"], false);
    assert!((t["change_pct"].as_f64().unwrap() + 30.0).abs() < 0.5, "{t}");
    assert!(t["p_value"].as_f64().unwrap() < 0.01 && t["drift_pct"].as_f64().unwrap() == 0.0, "{t}");
    assert!(t["change_interval_pct"].as_array().unwrap().len() == 2);
}

#[test]
fn a_run_measured_on_a_disturbed_machine_is_called_out() {
    let mut new = with_rows("n", vec![row(1, 1e6, 1.0)]);
    new.noise = Some(Noise { canary_cv: Some(0.2), disturbed_passes: 207, passes: 1210, ..Default::default() });
    let c = compare::compare(&with_rows("b", vec![row(1, 1e6, 1.0)]), &new, &CompareOptions::default());
    assert_eq!(c.disturbed.len(), 1, "{:?}", c.disturbed);
    assert!(c.disturbed[0].starts_with("new run n: canary drift 20.0 %, 207 of 1210 passes disturbed"), "{:?}", c.disturbed);
    assert!(c.render_text(true).contains("WARNING: A RUN WAS MEASURED ON A DISTURBED MACHINE"));
    assert!(c.render_markdown().contains("Measured on a disturbed machine"));
    let quiet = compare::compare(&base_run(), &base_run(), &CompareOptions::default());
    assert!(quiet.disturbed.is_empty(), "a run without noise figures, or a quiet one, is not called out");
}

/// Ten workloads at `threads`; `scale(i)` multiplies workload i's throughput (passes and fastest
/// rounds), `canary` every canary.
fn ten_at(id: &str, threads: usize, scale: impl Fn(usize) -> f64, canary: f64) -> RunResults {
    let workloads = (0..10)
        .map(|i| {
            let mut r = row(threads, 1e6 * scale(i), 1.0);
            for p in &mut r.passes {
                (p.canary_before, p.canary_after) = (Some(1e6 * canary), Some(1e6 * canary));
                p.fastest_round = Some(p.throughput * 1.01);
            }
            workload(&format!("w{i}"), GilMode::Off, vec![r])
        })
        .collect();
    run(id, workloads)
}

fn ten(id: &str, scale: impl Fn(usize) -> f64, canary: f64) -> RunResults {
    ten_at(id, 1, scale, canary)
}

fn verdicts(c: &compare::Comparison) -> Vec<&str> {
    c.rows.iter().filter(|r| matches!(r.category(), RowCategory::Regressed | RowCategory::Improved)).map(|r| r.workload.as_str()).collect()
}

#[test]
fn the_machines_drift_is_divided_out_per_canary_at_one_thread() {
    // The whole machine ran 8 % slower in the new run, and every canary saw it.
    let c = compare::compare(&ten("b", |_| 1.0, 1.0), &ten("n", |_| 0.92, 0.92), &CompareOptions::default());
    assert_eq!(c.count(RowCategory::Unchanged), 10, "{}", c.render_text(true));
    let basis = |c: &compare::Comparison| match &c.rows[0].outcome {
        RowOutcome::Compared { throughput, .. } => throughput.basis,
        other => panic!("{other:?}"),
    };
    assert_eq!(basis(&c), compare::Basis::PerCanary);
    // On two interpreters a canary would divide out the change itself: fastest rounds, drift added.
    let mut other = ten("n", |_| 0.92, 0.92);
    other.interpreters[0].executable = "/other/bin/python".into();
    let c = compare::compare(&ten("b", |_| 1.0, 1.0), &other, &CompareOptions::default());
    assert_eq!((basis(&c), c.count(RowCategory::Inconclusive)), (compare::Basis::FastestRound, 10), "{}", c.render_text(true));
    assert!(c.notes.iter().any(|n| n.starts_with("the interpreters differ")), "{:?}", c.notes);
}

#[test]
fn a_change_within_the_machines_drift_between_runs_is_inconclusive() {
    // Contended rows: no canary describes them, so the 8 % the machine moved widens their
    // intervals: a −8 % change of every row is not the code's, and not unchanged either.
    let c = compare::compare(&ten_at("b", 2, |_| 1.0, 1.0), &ten_at("n", 2, |_| 0.92, 0.92), &CompareOptions::default());
    assert!(verdicts(&c).is_empty(), "{}", c.render_text(true));
    assert_eq!(c.count(RowCategory::Inconclusive), 10, "{}", c.render_text(true));
    assert!((c.drift[0].typical_pct + 8.0).abs() < 1e-9, "{:?}", c.drift);
    assert!(c.render_text(false).contains("gil-off -8.0% typical"), "{}", c.render_text(false));
    // A −20 % change of one workload reaches past it.
    let slower = |i: usize| if i == 0 { 0.8 * 0.92 } else { 0.92 };
    let c = compare::compare(&ten_at("b", 2, |_| 1.0, 1.0), &ten_at("n", 2, slower, 0.92), &CompareOptions::default());
    assert_eq!(verdicts(&c), ["w0"], "{}", c.render_text(true));
    // Without the drift, the same rows are unchanged.
    let c = compare::compare(&ten_at("b", 2, |_| 1.0, 1.0), &ten_at("n", 2, |_| 1.0, 1.0), &CompareOptions::default());
    assert_eq!(c.count(RowCategory::Unchanged), 10, "{}", c.render_text(true));
}

#[test]
fn a_run_without_canaries_leaves_its_throughput_unjudged_and_can_fail_ci() {
    let mut new = ten("n", |_| 1.0, 1.0);
    new.workloads
        .iter_mut()
        .flat_map(|w| &mut w.rows)
        .flat_map(|r| &mut r.passes)
        .for_each(|p| (p.canary_before, p.canary_after) = (None, None));
    let c = compare::compare(&ten("b", |_| 1.0, 1.0), &new, &CompareOptions::default());
    assert_eq!(c.count(RowCategory::NotComparable), 10);
    assert!(c.verdict().contains("10 not comparable"), "{}", c.verdict());
    assert_eq!(c.exit_code(), 0, "not asked to fail");
    let strict = CompareOptions { fail_on_inconclusive_pct: Some(50.0), ..Default::default() };
    let c = compare::compare(&ten("b", |_| 1.0, 1.0), &new, &strict);
    assert_eq!(c.exit_code(), ftbench::exit::INCONCLUSIVE);
    assert!(c.verdict().contains("failing: 10 of 10 rows not judged"), "{}", c.verdict());
}

#[test]
fn side_by_side_passes_are_judged_pass_by_pass() {
    // Both sides of an `ab` pass share its stretch of the machine, which moves ±20 % from pass to
    // pass; new is 10 % slower in every pass.
    let mut base = ten("b", |_| 1.0, 1.0);
    let speeds = [1.0, 0.8, 1.2, 0.9, 1.1];
    for p in base.workloads.iter_mut().flat_map(|w| &mut w.rows).flat_map(|r| &mut r.passes) {
        p.throughput = 1e6 * speeds[p.pass];
        p.fastest_round = Some(p.throughput);
    }
    let mut new = base.clone();
    new.run.id = "n".into();
    new.workloads[0].rows[0].passes.iter_mut().for_each(|p| {
        p.throughput *= 0.9;
        p.fastest_round = Some(p.throughput);
    });
    let paired = compare::compare_paired(&base, &new, &CompareOptions::default());
    assert_eq!(verdicts(&paired), ["w0"], "{}", paired.render_text(true));
    assert_eq!(paired.count(RowCategory::Unchanged), 9);
    let unpaired = compare::compare(&base, &new, &CompareOptions::default());
    assert!(verdicts(&unpaired).is_empty(), "two runs: the same passes cannot tell −10 %");
}

#[test]
fn speedups_are_compared_only_against_the_same_base_row() {
    // In base, the 1-thread row was disturbed: its speedups would be against 2 threads (1.78×
    // at 4 threads), in new against 1 thread (3.2×). That is two figures, not a regression.
    let mut one = row(1, 1e6, 1.0);
    for p in &mut one.passes[..3] {
        p.disturbed = Some("the canary moved -50 % across the pass".into());
    }
    let base = with_rows("b", vec![one, row(2, 1.8e6, 1.0), row(4, 3.2e6, 1.0)]);
    assert!(!base.workloads[0].rows[0].is_valid(), "the 1-thread row stayed disturbed");
    let c = compare::compare(&base, &base_run(), &CompareOptions::default());
    for threads in [2, 4] {
        match &find(&c, threads).outcome {
            RowOutcome::Compared { speedup, throughput } => {
                assert!(speedup.is_none(), "{threads} threads: {speedup:?}");
                assert_eq!(throughput.change, Change::Unchanged);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(c.scaling_regressions(), 0, "{}", c.render_text(true));
    // The disturbed row itself is invalid, and more passes could judge it.
    let one = find(&c, 1);
    assert_eq!(one.category(), RowCategory::Invalid);
    assert!(one.measurable_again(), "{:?}", one.outcome);
}

#[test]
fn rows_that_did_different_work_per_round_are_not_judged_as_if_equal() {
    // The new run's lock loop is 14 % slower, so its calibration settled on half the ops per round
    // (a power of two): a round of other length is another measurement, so no verdict, and why.
    let mut new = with_rows("new-run", vec![row(1, 0.86e6, 1.0), row(2, 1.8e6 * 0.86, 1.0), row(4, 3.2e6 * 0.86, 1.0)]);
    new.workloads[0].rows.iter_mut().for_each(|r| r.ops_per_thread /= 2);
    let c = compare::compare(&base_run(), &new, &CompareOptions::default());
    let one = find(&c, 1);
    assert_eq!(one.category(), RowCategory::NotComparable, "{}", c.render_text(true));
    let RowOutcome::NotComparable { reason } = &one.outcome else { unreachable!() };
    assert!(reason.starts_with("inconclusive: different work per round (1000 ops per thread in base, 500 in new)"), "{reason}");
    assert_eq!(c.exit_code(), 0);
    // The same work, the same slowdown: judged.
    let mut same = new.clone();
    same.workloads[0].rows.iter_mut().for_each(|r| r.ops_per_thread *= 2);
    assert_eq!(find(&compare::compare(&base_run(), &same, &CompareOptions::default()), 1).throughput_change(), Some(Change::Regressed));
    // Only the 1-thread row did other work (as in a real A/A pair: 8192 ops against 4096): the
    // 4-thread row's throughput is judged, its speedup over that row is not.
    let mut other_base = with_rows("new-run", vec![row(1, 0.9e6, 1.0), row(2, 1.8e6, 1.0), row(4, 3.2e6, 1.0)]);
    other_base.workloads[0].rows[0].ops_per_thread /= 2;
    let c = compare::compare(&base_run(), &other_base, &CompareOptions::default());
    let RowOutcome::Compared { speedup, throughput } = &find(&c, 4).outcome else { panic!("{}", c.render_text(true)) };
    assert!(speedup.is_none(), "a speedup over a base row of other work: {speedup:?}");
    assert_eq!(throughput.change, Change::Unchanged);
    assert_eq!(c.scaling_regressions() + c.count(RowCategory::Improved), 0, "{}", c.render_text(true));
}

#[test]
fn filters_threads_and_modes_select_the_rows_judged() {
    // −30 % at 4 threads only: gating on 1-thread throughput does not see it, a 4-thread filter does.
    let new = with_rows("new-run", vec![row(1, 1e6, 1.0), row(2, 1.8e6, 1.0), row(4, 2.24e6, 1.0)]);
    let dir = tempfile::tempdir().unwrap();
    let (b, n) = (save_run(dir.path(), &base_run()), save_run(dir.path(), &new));
    let mut a = args(&b, &n);
    a.threads = Some("1".into());
    assert_eq!(cmd::compare::run(a.clone()).unwrap(), 0);
    a.threads = None;
    a.filters = vec![r"^lock\.gil-off/4$".into()];
    assert_eq!(cmd::compare::run(a.clone()).unwrap(), 1);
    a.filters = vec![];
    a.modes = Some("on".into());
    assert_eq!(cmd::compare::run(a.clone()).unwrap(), 0, "no GIL-on rows");
    a.modes = Some("sideways".into());
    assert!(format!("{:#}", cmd::compare::run(a.clone()).unwrap_err()).contains("--modes"));
    a.modes = None;
    a.filters = vec!["(".into()];
    assert!(format!("{:#}", cmd::compare::run(a).unwrap_err()).contains("not a valid regular expression"));

    let mut run = new.clone();
    run.retain_rows(|id, _, t| id.starts_with("lock.") && t != Some(2));
    assert_eq!(run.workloads[0].rows.iter().map(|r| r.threads).collect::<Vec<_>>(), [1, 4]);
}

#[test]
fn a_verdict_stands_only_when_a_second_measurement_agrees() {
    let slower = || with_rows("n", vec![row(1, 0.7e6, 1.0), row(2, 1.26e6, 1.0), row(4, 2.24e6, 1.0)]);
    let first = || compare::compare_paired(&base_run(), &slower(), &CompareOptions::default());
    let mut ids = first().flagged_ids();
    ids.sort();
    assert_eq!(ids, ["lock.gil-off/1", "lock.gil-off/2", "lock.gil-off/4"]);
    // Measured again, the same: confirmed, and said so.
    let mut c = first();
    c.confirm(&first());
    assert_eq!(c.exit_code(), 1);
    assert!(c.render_text(false).contains("(confirmed: re-measured -30.0%)"), "{}", c.render_text(false));
    // Measured again, nothing: not confirmed, inconclusive, exit 0.
    let mut c = first();
    c.confirm(&compare::compare_paired(&base_run(), &base_run(), &CompareOptions::default()));
    assert_eq!(c.exit_code(), 0, "{}", c.verdict());
    assert_eq!(c.count(RowCategory::Regressed), 0);
    assert!(c.verdict().contains("3 verdicts not confirmed"), "{}", c.verdict());
    assert!(c.render_text(false).contains("(not confirmed: re-measured +0.0%)"), "{}", c.render_text(false));
    // A row the second measurement could not measure is not confirmed either.
    let mut c = first();
    c.confirm(&compare::compare_paired(&base_run(), &with_rows("n", vec![]), &CompareOptions::default()));
    assert_eq!(c.exit_code(), 0);
    assert!(c.render_text(false).contains("(not confirmed: not judged again: not measured in new)"), "{}", c.render_text(false));
}
