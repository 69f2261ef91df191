//! `ftbench compare` and named baselines, on synthetic runs: behaviour, never timings.

use std::path::{Path, PathBuf};

use ftbench::baseline;
use ftbench::cmd::{self, baseline::Cmd as BaselineCmd, compare::Args as CompareArgs};
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
        threshold: 5.0,
        alpha: 0.01,
        fail_on: FailOn::Any,
        markdown: false,
        json: false,
        paired: false,
    }
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
    assert!(c.render_text().contains("REGRESSED"));
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
fn change_inside_the_noise_is_unchanged() {
    // −8 % at every thread count, but the passes spread ±6 %: not significant.
    let base = with_rows("b", vec![row(1, 1e6, 6.0), row(2, 1.8e6, 6.0), row(4, 3.2e6, 6.0)]);
    let new = with_rows("n", vec![row(1, 0.92e6, 6.0), row(2, 1.656e6, 6.0), row(4, 2.944e6, 6.0)]);
    let c = compare::compare(&base, &new, &CompareOptions::default());
    for t in [1, 2, 4] {
        let r = find(&c, t);
        assert_eq!(r.category(), RowCategory::Unchanged, "{t} threads");
        let RowOutcome::Compared { throughput, .. } = &r.outcome else { panic!("compared") };
        assert!(throughput.beyond_threshold && throughput.p_value > 0.01, "p = {}", throughput.p_value);
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
    let c = compare::compare(&base, &new, &CompareOptions { threshold_pct: 1.0, alpha: 0.01, fail_on: FailOn::Any });
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
    let RowOutcome::Invalid { base, new } = &inv.outcome else { panic!("invalid") };
    assert!(base.is_none());
    assert!(new.as_deref().unwrap().contains("invalid"), "{new:?}");
    assert!(c.rows.iter().any(|r| r.workload == "queue" && r.category() == RowCategory::OnlyInNew));
    assert_eq!(c.exit_code(), 0, "missing rows are not regressions");
    // Output order: unchanged, invalid, only in base, only in new.
    let cats: Vec<RowCategory> = c.rows.iter().map(|r| r.category()).collect();
    let mut sorted = cats.clone();
    sorted.sort();
    assert_eq!(cats, sorted);
    let text = c.render_text();
    for label in ["only in base", "only in new", "invalid", "counter is 1999"] {
        assert!(text.contains(label), "{label} in\n{text}");
    }

    // A workload that was skipped in new: its base rows are invalid, with the reason.
    let mut skipped = workload("lock", GilMode::Off, vec![]);
    skipped.status = WorkloadStatus::Skipped;
    skipped.reason = Some("package foo is not installed".into());
    let c = compare::compare(&base_run(), &run("n", vec![skipped]), &CompareOptions::default());
    assert!(c.rows.iter().all(|r| r.category() == RowCategory::Invalid));
    assert!(c.render_text().contains("package foo is not installed"));
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
    a.fail_on = FailOn::Scaling;
    assert_eq!(cmd::compare::run(a.clone()).unwrap(), 0);
    a.fail_on = FailOn::Throughput;
    assert_eq!(cmd::compare::run(a.clone()).unwrap(), 1);
    a.fail_on = FailOn::Any;
    a.markdown = true;
    assert_eq!(cmd::compare::run(a).unwrap(), 1);

    // Scaling-only regression: 1 thread faster, 4 threads the same → speedup drops.
    let new = with_rows("n2", vec![row(1, 1.3e6, 1.0), row(2, 1.8e6, 1.0), row(4, 3.2e6, 1.0)]);
    let c = compare::compare(&base_run(), &new, &CompareOptions { threshold_pct: 5.0, alpha: 0.01, fail_on: FailOn::Throughput });
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
    let text = c.render_text();
    assert!(text.starts_with("!!!"), "{text}");
    assert!(text.contains("Other CPU 1"));
    let md = c.render_markdown();
    assert!(md.contains("[!WARNING]") && md.contains("Other CPU 1"), "{md}");
    // Same machine: no warning.
    let c = compare::compare(&base_run(), &base_run(), &CompareOptions::default());
    assert!(c.mismatches.is_empty());
    assert!(!c.render_text().contains("WARNING"));
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
    a.threshold = -1.0;
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
    assert_eq!(cmd::baseline::run(BaselineCmd::Save { name: "main".into(), run: None }).unwrap(), 0);
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
    baseline::save("candidate", Some(&new_folder)).unwrap();

    // Invalid names are refused.
    for bad in ["", "a/b", "..", ".hidden", "a\\b", "sp ace"] {
        assert!(baseline::save(bad, Some(&new_folder)).is_err(), "{bad:?} accepted");
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
    baseline::save("main", Some(&new_folder)).unwrap();
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
    assert_eq!(v["options"]["alpha"], 0.01);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let four = rows.iter().find(|r| r["threads"] == 4).unwrap();
    assert_eq!(four["category"], "regressed");
    assert_eq!(four["outcome"]["outcome"], "compared");
    let t = &four["outcome"]["throughput"];
    assert_eq!(t["change"], "regressed");
    assert_eq!(t["basis"], "raw", "only a 1-thread row is divided by its canaries");
    assert_eq!(t["sampling"], "faster-half");
    assert!((t["change_pct"].as_f64().unwrap() + 30.0).abs() < 0.5, "{t}");
    assert!(t["p_value"].as_f64().unwrap() < 0.01 && t["noise_floor_pct"].as_f64().unwrap() < 5.0, "{t}");
    assert!(t["change_interval_pct"].as_array().unwrap().len() == 2);
}

#[test]
fn a_run_measured_on_a_disturbed_machine_is_called_out() {
    let mut new = with_rows("n", vec![row(1, 1e6, 1.0)]);
    new.noise = Some(Noise { canary_cv: Some(0.2), disturbed_passes: 207, passes: 1210, ..Default::default() });
    let c = compare::compare(&with_rows("b", vec![row(1, 1e6, 1.0)]), &new, &CompareOptions::default());
    assert_eq!(c.disturbed.len(), 1, "{:?}", c.disturbed);
    assert!(c.disturbed[0].starts_with("new run n: canary drift 20.0 %, 207 of 1210 passes disturbed"), "{:?}", c.disturbed);
    assert!(c.render_text().contains("WARNING: A RUN WAS MEASURED ON A DISTURBED MACHINE"));
    assert!(c.render_markdown().contains("Measured on a disturbed machine"));
    let quiet = compare::compare(&base_run(), &base_run(), &CompareOptions::default());
    assert!(quiet.disturbed.is_empty(), "a run without noise figures, or a quiet one, is not called out");
}

/// Ten one-thread workloads; `scale(i)` multiplies workload i's throughput, `canary(i)` its canaries.
fn ten(id: &str, scale: impl Fn(usize) -> f64, canary: impl Fn(usize) -> f64) -> RunResults {
    let workloads = (0..10)
        .map(|i| {
            let mut r = row(1, 1e6 * scale(i), 1.0);
            for p in &mut r.passes {
                (p.canary_before, p.canary_after) = (Some(1e6 * canary(i)), Some(1e6 * canary(i)));
            }
            workload(&format!("w{i}"), GilMode::Off, vec![r])
        })
        .collect();
    run(id, workloads)
}

#[test]
fn drift_that_the_canary_saw_is_divided_out() {
    // The whole machine ran 20 % slower in the new run, and every canary saw it.
    let c = compare::compare(&ten("b", |_| 1.0, |_| 1.0), &ten("n", |_| 0.8, |_| 0.8), &CompareOptions::default());
    assert_eq!(c.count(RowCategory::Regressed), 0, "{}", c.render_text());
    assert!(c.notes.iter().any(|n| n.starts_with("throughput at 1 thread(s) compared per canary iteration")), "{:?}", c.notes);
}

#[test]
fn a_canary_noisier_than_the_rows_is_left_out() {
    // Nothing changed, but the new run's canaries scatter by ±15 % from workload to workload.
    let scatter = |i: usize| 0.85 + 0.3 * (i as f64 / 9.0);
    let c = compare::compare(&ten("b", |_| 1.0, |_| 1.0), &ten("n", |_| 1.0, scatter), &CompareOptions::default());
    assert_eq!(c.count(RowCategory::Regressed) + c.count(RowCategory::Improved), 0, "{}", c.render_text());
    assert!(c.notes.iter().any(|n| n.starts_with("throughput at 1 thread(s) compared raw")), "{:?}", c.notes);
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
    assert_eq!(c.scaling_regressions(), 0, "{}", c.render_text());
}

#[test]
fn rows_that_did_different_work_per_round_are_not_compared() {
    let mut new = base_run();
    new.run.id = "new-run".into();
    new.workloads[0].rows[1].ops_per_thread *= 2;
    let c = compare::compare(&base_run(), &new, &CompareOptions::default());
    match &find(&c, 2).outcome {
        RowOutcome::NotComparable { reason } => assert!(reason.starts_with("different work per round:"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(find(&c, 4).outcome, RowOutcome::Compared { speedup: Some(_), .. }), "4 threads and its base did the same work");
    // A tenth more work is the same benchmark; twice the work at the base row makes every speedup another figure.
    new.workloads[0].rows[1].ops_per_thread = base_run().workloads[0].rows[1].ops_per_thread * 11 / 10;
    new.workloads[0].rows[0].ops_per_thread *= 2;
    let c = compare::compare(&base_run(), &new, &CompareOptions::default());
    assert!(matches!(find(&c, 2).outcome, RowOutcome::Compared { speedup: None, .. }), "{:?}", find(&c, 2).outcome);
}

#[test]
fn each_thread_count_has_its_own_run_floor() {
    // Ten workloads; between the runs the contended 4-thread rows moved by up to ±25 %, the
    // 1-thread rows by ±2 %, and w0 at 1 thread became 14 % slower.
    let runs = |id: &str, one: &dyn Fn(usize) -> f64, four: &dyn Fn(usize) -> f64| {
        let w = |i: usize| workload(&format!("w{i}"), GilMode::Off, vec![row(1, 1e6 * one(i), 1.0), row(4, 3e6 * four(i), 1.0)]);
        run(id, (0..10).map(w).collect())
    };
    let base = runs("b", &|_| 1.0, &|_| 1.0);
    let one = |i: usize| if i == 0 { 0.86 } else { 0.98 + 0.04 * i as f64 / 9.0 };
    let new = runs("n", &one, &|i| 0.75 + 0.5 * i as f64 / 9.0);
    let c = compare::compare(&base, &new, &CompareOptions::default());
    let judged: Vec<(&str, usize, Change)> = c
        .rows
        .iter()
        .filter_map(|r| match &r.outcome {
            RowOutcome::Compared { throughput, .. } if throughput.change != Change::Unchanged => {
                Some((r.workload.as_str(), r.threads, throughput.change))
            }
            _ => None,
        })
        .collect();
    assert_eq!(judged, [("w0", 1, Change::Regressed)], "{}", c.render_text());
    let floor = |t: usize| c.run_floors.iter().find(|f| f.threads == t).unwrap().throughput_pct;
    assert!(floor(1) < 14.0 && floor(4) > 14.0, "{:?}", c.run_floors);
}

#[test]
fn each_pass_is_divided_by_its_own_rows_canaries() {
    // In new, the 1-thread row's vCPU ran at half speed through every pass, and its canaries, which
    // run on that row's thread, saw it; the 2-thread row's canaries did not. Nothing changed.
    let canaries = |r: &mut ThreadRow, c: f64| r.passes.iter_mut().for_each(|p| (p.canary_before, p.canary_after) = (Some(c), Some(c)));
    let mut slow = row(1, 0.5e6, 1.0);
    canaries(&mut slow, 0.5e6);
    let base = with_rows("b", vec![row(1, 1e6, 1.0), row(2, 1.8e6, 1.0)]);
    let new = with_rows("n", vec![slow, row(2, 1.8e6, 1.0)]);
    let c = compare::compare(&base, &new, &CompareOptions::default());
    assert!(c.notes.iter().any(|n| n.starts_with("throughput at 1 thread(s) compared per canary iteration")), "{:?}", c.notes);
    match &find(&c, 1).outcome {
        RowOutcome::Compared { throughput, .. } => assert_eq!(throughput.change, Change::Unchanged, "{throughput:?}"),
        other => panic!("{other:?}"),
    }
}

/// Ten one-thread workloads whose vCPU ran each pass partly at half speed, in a share that differs
/// from pass to pass (`seed` picks it), with canaries that saw the speed that held most of the
/// pass; every pass's fastest round ran at full speed: `1e6 × scale(i)` ops/s, give or take 1 %.
fn half_speed_stretches(id: &str, seed: u64, scale: impl Fn(usize) -> f64) -> RunResults {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let workloads = (0..10)
        .map(|i| {
            let mut r = row(1, 1e6, 1.0);
            r.passes = (0..9)
                .map(|pass| {
                    let fast = 1e6 * scale(i) * (0.99 + 0.02 * next());
                    let slowed = next();
                    let canary = if slowed < 0.5 { 1e6 } else { 0.5e6 };
                    PassSample {
                        pass,
                        throughput: fast / (1.0 + slowed),
                        fastest_round: Some(fast),
                        rounds: 5,
                        canary_before: Some(canary),
                        canary_after: Some(canary),
                        ..Default::default()
                    }
                })
                .collect();
            workload(&format!("w{i}"), GilMode::Off, vec![r])
        })
        .collect();
    run(id, workloads)
}

fn verdicts(c: &compare::Comparison) -> Vec<&str> {
    c.rows.iter().filter(|r| matches!(r.category(), RowCategory::Regressed | RowCategory::Improved)).map(|r| r.workload.as_str()).collect()
}

#[test]
fn a_slowdown_hidden_in_half_speed_stretches_is_caught_on_fastest_rounds() {
    let base = half_speed_stretches("b", 1, |_| 1.0);
    let aa = compare::compare(&base, &half_speed_stretches("a", 2, |_| 1.0), &CompareOptions::default());
    assert!(verdicts(&aa).is_empty(), "{}", aa.render_text());
    let slowed = half_speed_stretches("n", 3, |i| if i == 0 { 0.86 } else { 1.0 });
    let c = compare::compare(&base, &slowed, &CompareOptions::default());
    assert_eq!(verdicts(&c), ["w0"], "{}", c.render_text());
    assert!(c.notes.iter().any(|n| n.starts_with("throughput at 1 thread(s) compared on each pass's fastest round")), "{:?}", c.notes);
    // In new, w1's vCPU stayed at half speed through all its passes, and its canaries saw it:
    // its fastest rounds are not the code's speed. Not a regression, and not judged.
    let mut stuck = half_speed_stretches("s", 4, |_| 1.0);
    for p in &mut stuck.workloads[1].rows[0].passes {
        p.fastest_round = p.fastest_round.map(|f| f / 2.0);
        p.throughput = p.fastest_round.unwrap();
        (p.canary_before, p.canary_after) = (Some(0.5e6), Some(0.5e6));
    }
    let c = compare::compare(&base, &stuck, &CompareOptions::default());
    assert!(verdicts(&c).is_empty(), "{}", c.render_text());
    match &c.rows.iter().find(|r| r.workload == "w1").unwrap().outcome {
        RowOutcome::NotComparable { reason } => {
            assert_eq!(reason, "never at the machine's full speed: in new its fastest rounds ran at 50 % of the run's full speed")
        }
        other => panic!("{other:?}"),
    }
    // Records made before fastest rounds were kept: judged as before, and the note says why.
    let mut old = slowed;
    old.workloads.iter_mut().flat_map(|w| &mut w.rows).flat_map(|r| &mut r.passes).for_each(|p| p.fastest_round = None);
    let c = compare::compare(&base, &old, &CompareOptions::default());
    assert!(c.notes.iter().any(|n| n.starts_with("not on fastest rounds")), "{:?}", c.notes);
}

#[test]
fn a_row_with_more_threads_than_the_canary_measured_is_judged_raw() {
    // Ten 2-thread workloads, unchanged; in new, w0's canaries ran while its first worker's vCPU
    // was slowed, but its other worker ran on the other vCPU at full speed. Per canary, w0 would
    // have doubled.
    let two = |id: &str, slowed_canary: bool| {
        let w = |i: usize| {
            let mut r = row(2, 1.8e6, 1.0);
            if slowed_canary && i == 0 {
                r.passes.iter_mut().for_each(|p| (p.canary_before, p.canary_after) = (Some(0.5e6), Some(0.5e6)));
            }
            workload(&format!("w{i}"), GilMode::Off, vec![r])
        };
        run(id, (0..10).map(w).collect())
    };
    let c = compare::compare(&two("b", false), &two("n", true), &CompareOptions::default());
    assert!(verdicts(&c).is_empty(), "{}", c.render_text());
    assert!(c.notes.iter().any(|n| n.starts_with("throughput at 2 thread(s) compared raw (ops/s) (run floor")), "{:?}", c.notes);
}
