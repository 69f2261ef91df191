//! The report module on synthetic results: files written, charts decodable, rankings as the data
//! says, invalid and unsynchronized rows never winning, reasons shown. Behaviour only, no timings.

use std::collections::BTreeMap;
use std::path::Path;

use ftbench::report::{render, ChartKind};
use ftbench::results::*;
use ftbench::runs::latest_run_dir;
use ftbench::selection::{select, Kind, Standing, Why};
use ftbench::testing;

// ---------------------------------------------------------------------------------------------
// Builders

fn est(point: f64) -> Estimate {
    Estimate { point, interval: Some([point * 0.97, point * 1.03]), confidence_level: 0.95, samples: 5 }
}

fn row(threads: usize, throughput: f64) -> ThreadRow {
    ThreadRow {
        rounds: 20,
        throughput: Some(est(throughput)),
        cores: Some(CoreUsage {
            per_core_mean: (0..4).map(|c| if c < threads { 95.0 - c as f64 * 5.0 } else { 3.0 }).collect(),
            per_core_max: vec![100.0; 4],
            process_mean: threads as f64 * 90.0,
            samples: 40,
        }),
        contention: Some(Contention {
            blocked_fraction: 0.1 * (threads as f64 - 1.0),
            voluntary_switches_per_op: Some(0.01 * threads as f64),
            involuntary_switches_per_op: Some(0.001),
            fairness_spread: 1.1,
            start_skew_seconds: Some(2e-5),
            cpu_seconds: 1.0,
            wall_seconds: 1.0,
        }),
        ..ThreadRow::new(threads, 10_000, Vec::new())
    }
}

fn invalid(mut r: ThreadRow, msg: &str) -> ThreadRow {
    r.status = RowStatus::Invalid;
    r.message = Some(msg.to_string());
    r.broken_rounds = 3;
    r
}

fn lossy(mut r: ThreadRow, lost: u64) -> ThreadRow {
    r.status = RowStatus::LostUpdates;
    r.lost_updates = lost;
    r.broken_rounds = 20;
    r.message = Some(format!("expected 40000, got {}", 40000 - lost));
    r
}

fn meta(primitive: &str, scenario: &str) -> WorkloadMeta {
    WorkloadMeta {
        primitive: primitive.into(),
        scenario: scenario.into(),
        invariant: "the counter equals threads × ops".into(),
        min_threads: 1,
        file: "x.py".into(),
        ..Default::default()
    }
}

fn ran(name: &str, mode: GilMode, meta: WorkloadMeta, rows: Vec<ThreadRow>) -> WorkloadResult {
    WorkloadResult { meta, ..testing::workload(name, mode, WorkloadStatus::Ran, rows) }
}

fn sweep(name: &str, mode: GilMode, meta: &WorkloadMeta, tps: [f64; 3]) -> WorkloadResult {
    ran(name, mode, meta.clone(), vec![row(1, tps[0]), row(2, tps[1]), row(4, tps[2])])
}

const SKIP_REASON: &str = "package `atomics` is not installed (pip install atomics)";
const TIMEOUT_REASON: &str = "no progress for 60 s: deadlock?";

/// Two GIL modes, 1/2/4 threads on a 4-core machine.
fn synthetic() -> RunResults {
    use GilMode::{Off, On};
    let hot = meta("ft_utils.AtomicInt64", "hot-counter");
    let lock = meta("threading.Lock", "hot-counter");
    let mut unsafe_meta = meta("none (unsynchronized +=)", "hot-counter");
    unsafe_meta.unsynchronized = true;
    let broken = meta("threading.Lock (forgotten in one path)", "hot-counter");
    let reenable = meta("someext.Counter", "hot-counter");
    let mut skipped_meta = meta("atomics.atomic", "hot-counter");
    skipped_meta.packages = vec!["atomics".into()];
    let skipped = |mode| WorkloadResult {
        meta: skipped_meta.clone(),
        reason: Some(SKIP_REASON.into()),
        gil_enabled_observed: None,
        ..testing::workload("skipped_atomics", mode, WorkloadStatus::Skipped, vec![])
    };
    let cond = meta("threading.Condition", "producer-consumer");
    let queue = meta("queue.Queue", "producer-consumer");
    let mut bank_a = meta("threading.Lock (one for the bank)", "short-critical-section");
    bank_a.variant_of = Some("bank_transfer".into());
    let mut bank_b = meta("threading.Lock (per account)", "short-critical-section");
    bank_b.variant_of = Some("bank_transfer".into());
    let custom = meta("mystery.Primitive", "zz-custom");
    let control = meta("none (pure-Python CPU work)", "control");

    let mut workloads = vec![
        // Unknown scenario first in run order: it must still come after the known ones.
        sweep("mystery", Off, &custom, [1e6, 2e6, 4e6]),
        sweep("mystery", On, &custom, [1e6, 1e6, 1e6]),
        sweep("cpu_only", Off, &control, [1e6, 2e6, 3.9e6]),
        sweep("cpu_only", On, &control, [1e6, 1e6, 1e6]),
        sweep("atomic_fast", Off, &hot, [2e6, 3.8e6, 7.2e6]),
        sweep("atomic_fast", On, &hot, [2e6, 1.9e6, 1.8e6]),
        // Collapses past 2 threads: 1.5 M → 0.6 M.
        sweep("lock_counter", Off, &lock, [1e6, 1.5e6, 0.6e6]),
        sweep("lock_counter", On, &lock, [0.9e6, 0.85e6, 0.8e6]),
        // Fastest of all, but unsynchronized and losing updates with the GIL off.
        ran("unsafe_counter", Off, unsafe_meta.clone(), vec![lossy(row(1, 9e6), 0), lossy(row(2, 18e6), 5000), lossy(row(4, 35e6), 21000)]),
        sweep("unsafe_counter", On, &unsafe_meta, [8e6, 7.5e6, 7e6]),
        // Very fast and valid at 4 threads, but broke its invariant at 2 threads: never wins.
        ran(
            "broken_lock",
            Off,
            broken.clone(),
            vec![row(1, 3e6), invalid(row(2, 20e6), "AssertionError: counter is 39987, expected 40000"), row(4, 30e6)],
        ),
        sweep("broken_lock", On, &broken, [3e6, 2.9e6, 2.8e6]),
        skipped(Off),
        skipped(On),
        // Its import turned the GIL back on: valid-looking numbers, never ranked with the GIL off.
        WorkloadResult {
            status: WorkloadStatus::GilReenabled,
            reason: Some("importing someext re-enabled the GIL".into()),
            gil_enabled_observed: Some(true),
            ..sweep("reenabler", Off, &reenable, [50e6, 60e6, 70e6])
        },
        // GIL-on rows stay within physical sanity (speedup ≤ 1.2), or they would not be ranked.
        sweep("reenabler", On, &reenable, [50e6, 55e6, 58e6]),
        WorkloadResult {
            status: WorkloadStatus::Timeout,
            reason: Some(TIMEOUT_REASON.into()),
            evidence: Some("Thread 0x7f00 (most recent call first):\n  File \"condition_hang.py\", line 12 in worker".into()),
            ..ran("condition_hang", Off, cond.clone(), vec![row(1, 0.5e6)])
        },
        sweep("condition_hang", On, &cond, [0.5e6, 0.4e6, 0.3e6]),
        sweep("queue_pipeline", Off, &queue, [0.8e6, 1.2e6, 1.5e6]),
        sweep("queue_pipeline", On, &queue, [0.8e6, 0.7e6, 0.6e6]),
        sweep("bank_global", Off, &bank_a, [1e6, 0.9e6, 0.8e6]),
        sweep("bank_global", On, &bank_a, [1e6, 0.9e6, 0.8e6]),
        sweep("bank_ordered", Off, &bank_b, [0.9e6, 1.7e6, 3.2e6]),
        sweep("bank_ordered", On, &bank_b, [0.9e6, 0.8e6, 0.7e6]),
    ];
    // A row measured but without a throughput (e.g. written mid-measurement).
    workloads[4].rows.push(ThreadRow { throughput: None, ..row(3, 0.0) });

    let mut r = testing::run("2025-01-01T00-00-00Z");
    // Interpreters of 3.13, which has no context flags to show.
    for i in &mut r.interpreters {
        i.version = "3.13.5 experimental free-threading build".into();
        i.version_info = vec![3, 13, 5];
    }
    r.calibration = Some(Calibration {
        harness_overhead: vec![
            OverheadRatio { workload: "cpu_only".into(), threads: 1, ratio: 0.99 },
            OverheadRatio { workload: "cpu_only".into(), threads: 4, ratio: 0.985 },
            OverheadRatio { workload: "lock_counter".into(), threads: 1, ratio: 0.95 },
        ],
        probe_ratio: BTreeMap::from([(1, 0.995), (4, 0.97)]),
        cpu_only_speedup: BTreeMap::from([(Off, 3.9), (On, 1.02)]),
        cores: 4,
    });
    r.workloads = workloads;
    r.derive_figures();
    r
}

fn write(dir: &Path, r: &RunResults) {
    r.save(&dir.join("results.json")).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Files

fn check_chart_files(paths: &[std::path::PathBuf]) {
    for p in paths {
        assert!(p.is_file(), "{} missing", p.display());
        match p.extension().and_then(|e| e.to_str()) {
            Some("svg") => {
                let text = std::fs::read_to_string(p).unwrap();
                assert!(text.trim_start().starts_with("<svg") || text.trim_start().starts_with("<?xml"), "{}", p.display());
                assert!(text.contains("<svg") && text.trim_end().ends_with("</svg>"), "{}", p.display());
            }
            Some("png") => {
                let img = image::open(p).unwrap_or_else(|e| panic!("{} does not decode: {e}", p.display()));
                assert!(img.width() > 0 && img.height() > 0, "{}", p.display());
            }
            other => panic!("unexpected chart file {} ({other:?})", p.display()),
        }
    }
}

#[test]
fn render_writes_summary_index_and_every_chart() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &synthetic());
    let out = render(tmp.path()).unwrap();

    assert!(out.summary.is_file() && out.index.is_file());
    assert_eq!(out.summary, tmp.path().join("summary.md"));
    assert_eq!(out.index, tmp.path().join("index.html"));

    // Every chart as SVG and PNG with the same base name.
    let charts = tmp.path().join("charts");
    let mut expected: Vec<String> = ["ft-gain", "core-heatmap", "contention"].iter().map(|s| s.to_string()).collect();
    // One chart per selection group, under its verdict.
    for g in ["short-critical-section-bank_transfer", "producer-consumer", "hot-counter", "control", "zz-custom"] {
        expected.push(format!("group-{g}"));
    }
    for w in [
        "mystery",
        "cpu_only",
        "atomic_fast",
        "lock_counter",
        "unsafe_counter",
        "broken_lock",
        "reenabler",
        "condition_hang",
        "queue_pipeline",
        "bank_global",
        "bank_ordered",
    ] {
        expected.push(format!("throughput-{w}"));
    }
    for base in &expected {
        for ext in ["svg", "png"] {
            let p = charts.join(format!("{base}.{ext}"));
            assert!(out.charts.contains(&p), "{} not reported as written", p.display());
        }
    }
    // The skipped workload (no rows) gets no chart of its own.
    assert!(!charts.join("throughput-skipped_atomics.svg").exists());
    assert_eq!(out.charts.len(), expected.len() * 2);
    check_chart_files(&out.charts);

    // The index shows every SVG chart by relative path.
    let html = std::fs::read_to_string(&out.index).unwrap();
    for base in &expected {
        assert!(html.contains(&format!("<img src=\"charts/{base}.svg\"")), "index lacks {base}");
    }
    assert!(html.contains("<style>") && !html.contains("<script"));
}

#[test]
fn summary_shows_reasons_evidence_checks_and_calibration() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &synthetic());
    let out = render(tmp.path()).unwrap();
    let md = std::fs::read_to_string(&out.summary).unwrap();
    let html = std::fs::read_to_string(&out.index).unwrap();

    // Skipped workloads with their reason (markdown-escaped backticks aside).
    assert!(md.contains("skipped\\_atomics") || md.contains("`skipped_atomics`"), "{md}");
    assert!(md.contains("is not installed (pip install atomics)"), "{md}");
    assert!(html.contains("is not installed (pip install atomics)"));

    // Timed-out workload: reason, and its evidence in a fenced block / a collapsed <details>.
    assert!(md.contains(TIMEOUT_REASON));
    assert!(md.contains("```text\nThread 0x7f00"), "{md}");
    assert!(html.contains("<details><summary>") && html.contains("Thread 0x7f00"));

    // GIL re-enabled on import, context flags on 3.13, calibration met / not met.
    assert!(md.contains("import re-enabled the GIL"));
    assert!(md.contains("n/a on 3.13"));
    assert!(md.contains("**not met**"), "lock_counter overhead 0.95 < 0.98 should be flagged");
    assert!(md.contains("| met |"));

    // Full data table, selection sections in the known order, unknown scenario last.
    assert!(md.contains("## Full data"));
    let pos = |s: &str| md.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(pos("### Short critical sections") < pos("### Producer / consumer"));
    assert!(pos("### Producer / consumer") < pos("### Hot counters"));
    assert!(pos("### Hot counters") < pos("### Control"));
    assert!(pos("### Control") < pos("### zz-custom"));
    assert!(md.contains("Variants of `bank_transfer`"));
}

// ---------------------------------------------------------------------------------------------
// Selection

#[test]
fn selection_ranks_as_the_data_says() {
    let r = synthetic();
    let s = select(&r);
    assert_eq!(s.mode, GilMode::Off);
    assert_eq!(s.reference_threads, Some(4));

    let hot = s.scenarios.iter().find(|sc| sc.scenario == "hot-counter").unwrap();
    assert_eq!(hot.title, "Hot counters");
    assert_eq!(hot.groups.len(), 1);
    let g = &hot.groups[0];
    assert_eq!(g.threads, Some(4));
    let ranked: Vec<&str> = g.ranked().map(|c| c.workload.as_str()).collect();
    assert_eq!(ranked, ["atomic_fast", "lock_counter"]);
    assert_eq!(g.winner().unwrap().rank, Some(1));

    let d = &g.decision;
    assert_eq!((d.kind, d.top.as_slice()), (Kind::Use, ["atomic_fast".to_string()].as_slice()));
    let r = d.runner_up.as_ref().unwrap();
    assert_eq!((r.a.workload.as_str(), r.b.workload.as_str(), r.beyond_noise), ("atomic_fast", "lock_counter", true));
    assert!((r.ratio() - 12.0).abs() < 1e-9, "{}", r.ratio());
    assert!(d.one_thread.as_ref().is_some_and(|c| c.beyond_noise), "threads pay: 7.2 M at 4 threads against 2 M at 1");
    assert_eq!(d.collapses, vec![("lock_counter".to_string(), 2)]);
    let avoid: Vec<(&str, &Why)> = d.avoid.iter().map(|(w, why)| (w.as_str(), why)).collect();
    assert_eq!(
        avoid,
        [
            ("lock_counter", &Why::Slower),
            ("unsafe_counter", &Why::Unsafe(21000)),
            ("reenabler", &Why::ReenablesGil),
            ("broken_lock", &Why::BrokeInvariant)
        ]
    );

    let by = |w: &str| g.candidates.iter().find(|c| c.workload == w).unwrap();
    assert_eq!(by("unsafe_counter").standing, Standing::Unsafe);
    assert_eq!(by("unsafe_counter").lost_updates, 21000);
    assert_eq!(by("broken_lock").standing, Standing::Invalid);
    assert!(by("broken_lock").note.as_deref().unwrap().contains("2 threads"));
    assert_eq!(by("reenabler").standing, Standing::GilReenabled);
    assert_eq!(by("skipped_atomics").standing, Standing::Skipped);
    assert_eq!(by("skipped_atomics").note.as_deref(), Some(SKIP_REASON));
    assert!(by("atomic_fast").ft_gain.is_some_and(|g| (g - 4.0).abs() < 1e-9));

    // Producer / consumer: the timed-out workload is shown as failed, the queue wins alone.
    let pc = s.scenarios.iter().find(|sc| sc.scenario == "producer-consumer").unwrap();
    let g = &pc.groups[0];
    assert_eq!(g.winner().unwrap().workload, "queue_pipeline");
    let hang = g.candidates.iter().find(|c| c.workload == "condition_hang").unwrap();
    assert_eq!(hang.standing, Standing::Failed);
    assert!(hang.note.as_deref().unwrap().contains(TIMEOUT_REASON));

    // Variants form their own group.
    let sc = s.scenarios.iter().find(|sc| sc.scenario == "short-critical-section").unwrap();
    let fam = sc.groups.iter().find(|g| g.family.as_deref() == Some("bank_transfer")).unwrap();
    assert_eq!(fam.winner().unwrap().workload, "bank_ordered");
    assert_eq!(fam.decision.collapses, vec![]);

    // Known scenarios first in their order, unknown ones after.
    let order: Vec<&str> = s.scenarios.iter().map(|sc| sc.scenario.as_str()).collect();
    assert_eq!(order, ["short-critical-section", "producer-consumer", "hot-counter", "control", "zz-custom"]);
}

#[test]
fn invalid_and_unsynchronized_rows_never_win() {
    let mut r = synthetic();
    // Make the unsafe baseline's rows look fine: unsynchronized still never wins.
    for w in r.workloads.iter_mut().filter(|w| w.workload == "unsafe_counter") {
        for row in &mut w.rows {
            row.status = RowStatus::Ok;
            row.lost_updates = 0;
        }
    }
    r.derive_figures();
    let s = select(&r);
    for (_, g) in s.groups() {
        if let Some(w) = g.winner() {
            let res = r.workload(&w.workload, s.mode).unwrap();
            assert!(!res.meta.unsynchronized, "{} is unsynchronized", w.workload);
            assert!(
                r.workloads.iter().filter(|x| x.workload == w.workload).all(|x| x.rows.iter().all(|row| row.status == RowStatus::Ok)),
                "{} has an invalid row",
                w.workload
            );
            assert!(res.rows.iter().find(|row| Some(row.threads) == g.threads).unwrap().is_valid());
        }
        for c in &g.candidates {
            if c.workload == "unsafe_counter" || c.workload == "broken_lock" {
                assert_eq!(c.rank, None, "{} ranked", c.workload);
            }
        }
    }
    let md_unsafe = s.group_of("unsafe_counter").unwrap();
    assert_eq!(md_unsafe.winner().unwrap().workload, "atomic_fast");
    // The faster unsafe baseline is mentioned, never as the winner.
    assert!(md_unsafe.decision.faster_unsafe.as_ref().is_some_and(|(who, _)| who == "unsafe_counter"));
}

#[test]
fn overlapping_confidence_intervals_are_called_within_noise() {
    let mut r = synthetic();
    for w in r.workloads.iter_mut().filter(|w| w.workload == "lock_counter" && w.mode == GilMode::Off) {
        // 7 M at 4 threads from 1.8 M at 1: a plausible 3.9× on 4 cores, no collapse on the way.
        w.rows[0].throughput = Some(est(1.8e6));
        w.rows[2].throughput = Some(est(7.0e6));
    }
    r.derive_figures();
    let s = select(&r);
    let g = s.group_of("lock_counter").unwrap();
    assert_eq!(g.winner().unwrap().workload, "atomic_fast");
    assert_eq!(g.decision.kind, Kind::Depends);
    assert_eq!(g.decision.top, ["atomic_fast", "lock_counter"]);
    assert!(g.decision.runner_up.as_ref().is_some_and(|c| !c.beyond_noise));
    assert!(g.decision.collapses.is_empty() && g.decision.crossover.is_none());
}

/// Two measured candidates on 2 cores, `a` and `b`, at 1 and 2 threads (intervals ±2 % at 1 thread,
/// ±6 % at 2).
fn two_candidates(a: (f64, f64), b: (f64, f64)) -> RunResults {
    let measured = |name: &str, (one, two): (f64, f64)| {
        let rows = vec![testing::measured_row(1, one, one * 0.02), testing::measured_row(2, two, two * 0.06)];
        ran(name, GilMode::Off, meta(name, "hot-counter"), rows)
    };
    let mut r = RunResults { workloads: vec![measured("a", a), measured("b", b)], ..testing::run("t") };
    r.machine.logical_cores = 2;
    r.derive_figures();
    r
}

fn recommendations(r: &RunResults) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), r);
    render(dir.path()).unwrap();
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    let (head, _) = summary.split_once("## Primitive selection").unwrap();
    head.split_once("## Recommendations").expect("the answer comes first").1.to_string()
}

#[test]
fn threads_that_do_not_pay_are_said_to_whatever_the_ranking_at_the_core_count() {
    // At 2 threads `b` (1.65 M) ties with `a` (1.6 M), but `b` did 2.5 M on 1 thread: the best at
    // the core count is slower than the best at 1 thread, whichever wins there.
    let r = two_candidates((1.0e6, 1.6e6), (2.5e6, 1.65e6));
    let g = select(&r).group_of("a").unwrap().clone();
    assert_eq!(g.decision.kind, Kind::ThreadsDoNotPay);
    let one = g.decision.one_thread.as_ref().unwrap();
    assert_eq!((one.a.workload.as_str(), one.b.workload.as_str(), one.b.threads), ("b", "b", 1));
    let table = recommendations(&r);
    assert!(table.contains("| **threads do not pay here**: `b` on 1 thread | fastest: `b` ≈ `a`"), "{table}");
    assert!(!table.contains("**use**"), "{table}");
}

#[test]
fn a_tie_whose_candidates_cross_over_names_the_crossing() {
    // `b` leads at 1 thread (1.3 M against 1 M), `a` at 2 (1.7 M against 1.6 M, within noise), and
    // 2 threads beat 1 beyond noise: it depends, on the thread count.
    let r = two_candidates((1.0e6, 1.7e6), (1.3e6, 1.6e6));
    let d = select(&r).group_of("a").unwrap().decision.clone();
    assert_eq!((d.kind, d.top.as_slice()), (Kind::Depends, ["a".to_string(), "b".to_string()].as_slice()));
    let x = d.crossover.as_ref().unwrap();
    assert_eq!((x.one.as_str(), x.winner.as_str(), x.from), ("b", "a", 2));
    let table = recommendations(&r);
    assert!(table.contains("| **it depends**: `a` ≈ `b` | `a` ≈ `b` ("), "{table}");
    assert!(table.contains("`b` leads at 1 thread, `a` from 2 threads"), "{table}");
    // Without intervals (one pass) nothing is beyond noise, and "threads do not pay" is not claimed.
    let mut single = r.clone();
    for row in single.workloads.iter_mut().flat_map(|w| &mut w.rows) {
        row.passes.truncate(1);
    }
    single.derive_figures();
    let d = select(&single).group_of("a").unwrap().decision.clone();
    assert_eq!((d.kind, d.one_thread), (Kind::Depends, None));
}

#[test]
fn workloads_of_one_operation_compete_whatever_their_family_and_scenario() {
    let op = "put one item into one unbounded queue, then get one (any thread's)";
    let with = |primitive: &str, scenario: &str, operation: Option<&str>, family: Option<&str>| WorkloadMeta {
        operation: operation.map(Into::into),
        variant_of: family.map(Into::into),
        ..meta(primitive, scenario)
    };
    let mut racy = with("none (a racy deque)", "race-surface", Some(op), None);
    racy.unsynchronized = true;
    let members = [
        ("queue_pipeline", with("queue.Queue", "producer-consumer", Some(op), None), [1e6, 0.8e6, 0.7e6]),
        ("simplequeue_pipeline", with("queue.SimpleQueue", "producer-consumer", Some(op), Some("simplequeue_pipeline")), [9e6, 8e6, 7e6]),
        (
            "deque_queue",
            with("collections.deque + threading.Semaphore", "producer-consumer", Some(op), Some("simplequeue_pipeline")),
            [1e6, 0.9e6, 0.8e6],
        ),
        ("racy_queue", racy, [20e6, 20e6, 20e6]),
        (
            "message_passing",
            with("queue.SimpleQueue (one inbox per owner)", "producer-consumer", Some("send an update"), None),
            [3e6, 3e6, 3e6],
        ),
        ("old_style", with("threading.Condition", "producer-consumer", None, None), [1e6, 1e6, 1e6]),
    ];
    let mut r = RunResults { workloads: Vec::new(), ..testing::run("t") };
    for (name, m, tps) in &members {
        for mode in GilMode::ALL {
            r.workloads.push(sweep(name, mode, m, *tps));
        }
    }
    r.derive_figures();
    let s = select(&r);
    let g = s.group_of("queue_pipeline").unwrap();
    let mut names: Vec<&str> = g.candidates.iter().map(|c| c.workload.as_str()).collect();
    names.sort();
    assert_eq!(names, ["deque_queue", "queue_pipeline", "racy_queue", "simplequeue_pipeline"], "one group across families");
    assert_eq!((g.operation.as_deref(), g.key.as_str()), (Some(op), "producer-consumer/put-one-item-into-one-unbounded"));
    assert_eq!(g.winner().unwrap().workload, "simplequeue_pipeline");
    assert!(g.decision.avoid.contains(&("racy_queue".to_string(), Why::Unsafe(0))), "{:?}", g.decision.avoid);
    let pc = s.scenarios.iter().find(|sc| sc.scenario == "producer-consumer").unwrap();
    assert!(pc.groups.iter().any(|x| x.key == g.key), "under its first synchronized member's scenario");
    assert!(!s.scenarios.iter().any(|sc| sc.scenario == "race-surface"), "the racy queue went with its operation");
    // Another operation is never compared with them; a workload without one keeps its family.
    assert!(s.group_of("message_passing").unwrap().candidates.len() == 1);
    assert_eq!(s.group_of("old_style").unwrap().operation, None);
    let table = recommendations(&r);
    assert!(
        table.contains(&format!("| **Producer / consumer**: {op} | **threads do not pay here**: `queue.SimpleQueue` on 1 thread")),
        "{table}"
    );
}

#[test]
fn figures_relative_to_min_threads_say_so() {
    // A hand-off that needs two threads: its speedup and efficiency are against 2 threads.
    let hand_off = WorkloadMeta { min_threads: 2, ..meta("threading.Event", "coordination") };
    let rows = || vec![row(2, 1e6), row(4, 1.5e6)];
    let mut r =
        RunResults { workloads: GilMode::ALL.map(|m| ran("event_signal", m, hand_off.clone(), rows())).to_vec(), ..testing::run("t") };
    r.derive_figures();
    let c = select(&r).group_of("event_signal").unwrap().winner().unwrap().clone();
    assert_eq!((c.base_threads, c.speedup, c.efficiency), (Some(2), Some(1.5), Some(0.75)));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &r);
    let md = std::fs::read_to_string(render(dir.path()).unwrap().summary).unwrap();
    assert!(md.contains("| 1.50× vs 2 threads | 75 % |"), "the selection table: {md}");
    assert!(md.contains("| `event_signal` | gil-off | 4 | 1.50 M |") && md.contains("| 1.50× vs 2 threads | 75 % |"), "{md}");
    assert!(md.contains("**only** `threading.Event` is measured here | `threading.Event` 1.50 M ops/s | 1.50× vs 2 threads"), "{md}");
    // The full data stands folded, out of the report's flow.
    let (_, data) = md.split_once("## Full data").unwrap();
    assert!(data.contains("<details><summary>Every row of every workload and mode (4 rows)</summary>"), "{data}");
}

#[test]
fn variant_families_are_grouped_within_their_scenario() {
    let mut r = synthetic();
    let mut fam = meta("ft_utils.ConcurrentDict", "hot-counter");
    fam.variant_of = Some("concurrent_dict".into());
    let mut fam_lock = meta("dict + threading.Lock", "hot-counter");
    fam_lock.variant_of = Some("concurrent_dict".into());
    // A base workload without variant_of joins the family named after it.
    let base = meta("dict (no lock)", "read-mostly");
    let mut variant = meta("types.MappingProxyType swap", "read-mostly");
    variant.variant_of = Some("read_plain".into());
    for mode in GilMode::ALL {
        r.workloads.push(sweep("concurrent_dict", mode, &fam, [1e6, 1.9e6, 3.5e6]));
        r.workloads.push(sweep("dict_lock", mode, &fam_lock, [1e6, 0.8e6, 0.5e6]));
        r.workloads.push(sweep("read_plain", mode, &base, [1e6, 2e6, 4e6]));
        r.workloads.push(sweep("read_snapshot", mode, &variant, [1e6, 2e6, 3e6]));
    }
    r.derive_figures();
    let s = select(&r);
    let hot = s.scenarios.iter().find(|sc| sc.scenario == "hot-counter").unwrap();
    assert_eq!(hot.groups.len(), 2);
    assert_eq!(hot.groups[0].family, None, "ungrouped workloads come first");
    assert_eq!(hot.groups[0].winner().unwrap().workload, "atomic_fast");
    let dicts = &hot.groups[1];
    assert_eq!(dicts.family.as_deref(), Some("concurrent_dict"));
    let names: Vec<&str> = dicts.candidates.iter().map(|c| c.workload.as_str()).collect();
    assert_eq!(names, ["concurrent_dict", "dict_lock"]);
    let rm = s.scenarios.iter().find(|sc| sc.scenario == "read-mostly").unwrap();
    assert_eq!(rm.groups.len(), 1);
    assert_eq!(rm.groups[0].family.as_deref(), Some("read_plain"));
    assert_eq!(rm.groups[0].winner().unwrap().workload, "read_plain");
}

#[test]
fn the_interpreter_suite_gets_its_own_section_in_ftscalingbench_terms_and_no_selection_rows() {
    use GilMode::{Off, On};
    let mut r = synthetic();
    let suite = meta("list.pop(0) / list.append", "interpreter");
    r.workloads.push(sweep("interp_object_cfunction", Off, &suite, [1e6, 1.9e6, 3.8e6]));
    r.workloads.push(sweep("interp_object_cfunction", On, &suite, [1e6, 1e6, 0.9e6]));
    r.workloads.push(sweep("interp_thread_local_read", Off, &suite, [1e6, 0.8e6, 0.5e6]));
    let mut broken = sweep("interp_deepcopy", Off, &suite, [1e6, 2e6, 4e6]);
    broken.rows[2] = invalid(row(4, 4e6), "thread 1: copies made is 3, expected 4");
    r.workloads.push(broken);
    // The driver control: object_cfunction scales alike on both drivers but not as __main__ (the
    // code); thread_local_read's Rust threads scale where threading threads do not (the driver).
    control(&mut r, "interp_object_cfunction", |t| (t, t, 1.0));
    control(&mut r, "interp_thread_local_read", |t| (t, 1.0, 1.0));
    r.derive_figures();

    let s = select(&r);
    assert!(s.scenarios.iter().all(|sc| sc.scenario != "interpreter"), "not a primitive choice");
    assert!(s.group_of("interp_object_cfunction").is_none());

    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &r);
    let out = render(tmp.path()).unwrap();
    let md = std::fs::read_to_string(&out.summary).unwrap();
    assert!(md.contains("## Interpreter scaling"), "{md}");
    let line = |category: &str| -> String {
        md.lines().find(|l| l.starts_with(&format!("| {category} |"))).unwrap_or_else(|| panic!("no {category} line")).to_string()
    };
    // At the core count (4): 3.8x the one-thread throughput; the GIL-on run lost 10 %.
    let cfunction = line("object_cfunction");
    assert!(cfunction.contains("3.8x faster") && cfunction.contains("1.1x slower"), "{cfunction}");
    assert!(line("thread_local_read").contains("2.0x slower"));
    assert!(cfunction.contains("1.0x faster") && cfunction.contains("where the code was compiled"), "{cfunction}");
    assert!(line("thread_local_read").contains("the driver: Rust threads against threading threads"));
    assert!(line("deepcopy").contains("**invalid**"), "a broken round is shown, never a figure");
    let html = std::fs::read_to_string(&out.index).unwrap();
    assert!(html.contains("Interpreter scaling") && html.contains("3.8x faster"));

    // A run without the (opt-in) suite has no such section.
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), &synthetic());
    let md = std::fs::read_to_string(render(plain.path()).unwrap().summary).unwrap();
    assert!(!md.contains("Interpreter scaling"));
}

/// Gives every GIL-off row of `name` four passes of driver control whose (rust, python, main)
/// throughputs are `f(threads)` times 1 M, each pass off by up to 1 %.
fn control(r: &mut RunResults, name: &str, f: impl Fn(f64) -> (f64, f64, f64)) {
    let w = r.workloads.iter_mut().find(|w| w.workload == name && w.mode == GilMode::Off).expect("the workload");
    for x in &mut w.rows {
        let (rust, python, main) = f(x.threads as f64);
        x.passes = (0..4)
            .map(|pass| {
                let n = 1.0 + 0.01 * [0.0, 0.5, -0.5, 1.0][pass];
                let control = DriverControl { rust: rust * 1e6 * n, python: python * 1e6 * n, main: Some(main * 1e6 * n) };
                PassSample { pass, throughput: x.throughput.map_or(1.0, |e| e.point), control: Some(control), ..Default::default() }
            })
            .collect();
    }
}

#[test]
fn the_driver_control_is_shown_per_row_and_summarised() {
    let mut r = synthetic();
    control(&mut r, "cpu_only", |_| (1.0, 1.0, 1.0));
    control(&mut r, "lock_counter", |t| (1.0, if t > 1.0 { 1.25 } else { 1.0 }, 1.0));
    r.calibration.as_mut().unwrap().harness_overhead.clear();
    r.derive_figures();
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &r);
    let md = std::fs::read_to_string(render(tmp.path()).unwrap().summary).unwrap();
    let line = |start: &str| md.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("no line {start}")).to_string();
    let cpu = line("| `cpu_only` | gil-off | 2 |");
    assert!(cpu.contains("1.00× \\[1.00×, 1.00×\\]"), "{cpu}");
    assert!(line("| `lock_counter` | gil-off | 4 |").contains("0.80× \\[0.80×, 0.80×\\] (differ)"));
    assert!(line("| Driver ratio, median of 6 rows").contains("| met |"), "{md}");
    assert!(line("| Rows whose drivers differ").contains("2 of 6") && line("| Rows whose drivers differ").contains("**not met**"));
    assert!(md.contains("- `lock_counter` GIL off, 2 threads: 0.80×"), "the rows, by name: {md}");
}

#[test]
fn command_renders_a_given_run_folder() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &synthetic());
    let code = ftbench::cmd::report::run(ftbench::cmd::report::Args { run_dir: Some(tmp.path().to_path_buf()) }).unwrap();
    assert_eq!(code, 0);
    assert!(tmp.path().join("summary.md").is_file() && tmp.path().join("index.html").is_file());
    // A results.json path works too, and a folder without one is an error naming the file.
    assert!(render(&tmp.path().join("results.json")).is_ok());
    let empty = tempfile::tempdir().unwrap();
    let err = format!("{:#}", render(empty.path()).unwrap_err());
    assert!(err.contains("results.json"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Partial runs

#[test]
fn partial_run_with_one_gil_mode_renders() {
    let mut r = synthetic();
    r.run.status = RunStatus::Interrupted;
    r.run.ended = None;
    r.run.config.modes = vec![GilMode::On];
    r.workloads.retain(|w| w.mode == GilMode::On);
    r.interpreters.retain(|i| i.mode == GilMode::On);
    r.calibration = None;
    // The last workload was cut short: one row, then the run stopped.
    let last = r.workloads.last_mut().unwrap();
    last.status = WorkloadStatus::Interrupted;
    last.rows.truncate(1);
    r.derive_figures();

    let s = select(&r);
    assert_eq!(s.mode, GilMode::On);
    let hot = s.scenarios.iter().find(|sc| sc.scenario == "hot-counter").unwrap();
    // Ranked by GIL-on throughput at 4 threads: the re-enabler ran normally in its GIL-on child.
    assert_eq!(hot.groups[0].winner().unwrap().workload, "reenabler");
    assert!(hot.groups[0].candidates.iter().all(|c| c.ft_gain.is_none()));

    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &r);
    let out = render(tmp.path()).unwrap();
    check_chart_files(&out.charts);
    let md = std::fs::read_to_string(&out.summary).unwrap();
    assert!(md.contains("interrupted"));
    assert!(md.contains("Only one GIL mode ran"));
    assert!(md.contains("Calibration was not run"));
    assert!(out.charts.iter().any(|p| p.ends_with("ft-gain.png")));
}

#[test]
fn degenerate_numbers_render() {
    // Zero throughput at 1 thread makes every speedup infinite; an interval wider than the point.
    let mut r = synthetic();
    for w in r.workloads.iter_mut().filter(|w| w.workload == "mystery") {
        w.rows[0].throughput = Some(Estimate { point: 0.0, interval: Some([0.0, 0.0]), confidence_level: 0.95, samples: 5 });
        w.rows[1].throughput = Some(Estimate { point: 5.0, interval: Some([-3.0, 1e300]), confidence_level: 0.95, samples: 5 });
    }
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &r);
    let out = render(tmp.path()).unwrap();
    check_chart_files(&out.charts);
}

#[test]
fn empty_run_renders() {
    let mut r = synthetic();
    r.run.status = RunStatus::Running;
    r.workloads.clear();
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &r);
    let out = render(tmp.path()).unwrap();
    check_chart_files(&out.charts);
    assert_eq!(out.charts.len(), 6, "the three overview charts, each as SVG and PNG");
    assert!(std::fs::read_to_string(&out.summary).unwrap().contains("still running"));
}

#[test]
fn chart_kinds_are_reported() {
    let r = synthetic();
    let tmp = tempfile::tempdir().unwrap();
    let files = ftbench::report::charts::render_charts(&r, &select(&r), tmp.path()).unwrap();
    for k in [ChartKind::FtGain, ChartKind::CoreHeatmap, ChartKind::Contention] {
        assert_eq!(files.iter().filter(|f| f.kind == k).count(), 1, "{k:?}");
    }
    let per: Vec<&str> = files.iter().filter(|f| f.kind == ChartKind::Throughput).filter_map(|f| f.workload.as_deref()).collect();
    assert!(per.contains(&"unsafe_counter") && !per.contains(&"skipped_atomics"));
    let groups: Vec<&str> = files.iter().filter(|f| f.kind == ChartKind::Group).filter_map(|f| f.group.as_deref()).collect();
    assert!(groups.contains(&"hot-counter/") && groups.contains(&"short-critical-section/bank_transfer"), "{groups:?}");
    // Invalid data is named in the chart, never drawn silently.
    let hot = std::fs::read_to_string(tmp.path().join("group-hot-counter.svg")).unwrap();
    assert!(hot.contains("Not drawn") && hot.contains("broken_lock"), "the group chart lists what it leaves out");
}

// ---------------------------------------------------------------------------------------------
// reports/latest

#[test]
fn latest_is_a_file_naming_the_run_or_a_symlink() {
    let reports = tempfile::tempdir().unwrap();
    let run = reports.path().join("2025-01-01T00-00-00Z");
    std::fs::create_dir_all(&run).unwrap();

    std::fs::write(reports.path().join("latest"), "2025-01-01T00-00-00Z\n").unwrap();
    assert_eq!(latest_run_dir(reports.path()).unwrap(), run);

    std::fs::remove_file(reports.path().join("latest")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&run, reports.path().join("latest")).unwrap();
        assert_eq!(latest_run_dir(reports.path()).unwrap(), std::fs::canonicalize(&run).unwrap());
        std::fs::remove_file(reports.path().join("latest")).unwrap();
    }

    let err = latest_run_dir(reports.path()).unwrap_err().to_string();
    assert!(err.contains("latest"), "{err}");
}

/// Not a check: writes the synthetic report for a look at the charts, e.g.
/// `FTBENCH_SAMPLE_DIR=/tmp/sample cargo test --test report -- --ignored dump_sample_report`.
#[test]
#[ignore]
fn dump_sample_report() {
    let dir = std::path::PathBuf::from(std::env::var("FTBENCH_SAMPLE_DIR").unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, &synthetic());
    render(&dir).unwrap();
}

/// Not a check: 27 workloads on 64 cores, to eyeball crowded legends and heat maps.
#[test]
#[ignore]
fn dump_big_sample_report() {
    use GilMode::{Off, On};
    let dir = std::path::PathBuf::from(std::env::var("FTBENCH_SAMPLE_DIR").unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    let mut r = synthetic();
    r.machine.logical_cores = 64;
    r.run.config.threads = vec![1, 2, 4, 8, 16, 32, 64];
    r.workloads.clear();
    let scen = [
        "short-critical-section",
        "re-entrant-api",
        "producer-consumer",
        "coordination",
        "hot-counter",
        "read-mostly",
        "load-balancing",
        "race-surface",
        "control",
    ];
    for i in 0..27 {
        let m = meta(&format!("threading.Lock variant number {i}"), scen[i % scen.len()]);
        for mode in [Off, On] {
            let rows = [1usize, 2, 4, 8, 16, 32, 64]
                .iter()
                .map(|&t| {
                    let k = (i as f64 + 1.0) * 1e5;
                    let tp = if mode == Off { k * (t as f64).powf(0.3 + (i % 7) as f64 * 0.1) } else { k / (1.0 + 0.05 * t as f64) };
                    let mut rr = row(t, tp);
                    rr.cores = Some(CoreUsage {
                        per_core_mean: (0..64).map(|c| if c < t { 99.0 - (c % 13) as f64 * 3.0 } else { (c % 5) as f64 }).collect(),
                        per_core_max: vec![100.0; 64],
                        process_mean: 100.0,
                        samples: 10,
                    });
                    rr
                })
                .collect();
            r.workloads.push(ran(&format!("workload_with_a_longish_name_{i}"), mode, m.clone(), rows));
        }
    }
    r.derive_figures();
    write(&dir, &r);
    render(&dir).unwrap();
}

#[test]
fn implausible_and_disturbed_rows_are_shown_with_why_and_never_ranked() {
    let mut r = synthetic();
    // queue_pipeline with the GIL on "scales" 1.9x at 2 threads: the work must have changed.
    for w in r.workloads.iter_mut().filter(|w| w.workload == "queue_pipeline" && w.mode == GilMode::On) {
        w.rows[1].throughput = Some(est(1.52e6));
    }
    r.derive_figures();
    let row = r.row("queue_pipeline", GilMode::On, 2).unwrap();
    assert!(row.implausible.as_deref().is_some_and(|m| m.contains("GIL on")), "{:?}", row.implausible);
    assert!(!row.is_valid(), "never charted or ranked");
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &r);
    let out = render(tmp.path()).unwrap();
    let md = std::fs::read_to_string(&out.summary).unwrap();
    assert!(md.contains("Rows not ranked: physically implausible or measured on a disturbed machine"), "{md}");
    assert!(md.contains("speedup 1.90x at 2 threads is above 1.20x"), "{md}");
}

// ---------------------------------------------------------------------------------------------
// Hybrid CPUs

/// A 4P+6E Apple Silicon Mac: the default sweep, whose headline, selection and `cpu_only` target
/// sit at the 4 P-cores, with the P/E boundary on the speedup chart and in the full data table.
#[test]
fn a_4p_6e_mac_is_read_at_its_p_cores_with_the_boundary_marked() {
    use GilMode::{Off, On};
    let threads = ftbench::config::default_threads(10, Some(4));
    assert_eq!(threads, [1, 2, 4, 8, 10, 20]);
    let mut r = synthetic();
    r.machine = MachineFacts {
        cpu_model: "Apple M4".into(),
        logical_cores: 10,
        physical_cores: Some(10),
        performance_cores: Some(4),
        efficiency_cores: Some(6),
        os: "macOS 15.5".into(),
        arch: "arm64".into(),
        ..Default::default()
    };
    r.run.config.threads = threads.clone();
    // Linear on the P-cores, E-cores add a third of a P-core each, oversubscription adds nothing.
    let scale = |t: usize| t.min(4) as f64 + t.saturating_sub(4).min(6) as f64 / 3.0;
    let cpu = meta("pure-Python arithmetic", "control");
    let lock = meta("threading.Lock", "short-critical-section");
    r.workloads = vec![
        ran("cpu_only", Off, cpu.clone(), threads.iter().map(|&t| row(t, 1e6 * scale(t))).collect()),
        ran("cpu_only", On, cpu, threads.iter().map(|&t| row(t, 1e6)).collect()),
        ran("lock_counter", Off, lock, threads.iter().map(|&t| row(t, 2e6 / scale(t).sqrt())).collect()),
    ];
    r.calibration = Some(Calibration {
        cores: r.machine.headline_cores(),
        cpu_only_speedup: BTreeMap::from([(Off, 3.9), (On, 1.0)]),
        ..Default::default()
    });
    r.derive_figures();

    let s = select(&r);
    assert_eq!((s.reference_threads, s.cores, s.cores_kind), (Some(4), 4, "P-core"));

    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &r);
    let out = render(tmp.path()).unwrap();
    let md = std::fs::read_to_string(&out.summary).unwrap();
    assert!(md.contains("4 threads (the P-core count)"), "{md}");
    assert!(md.contains("≥ 0.95 × 4 P-cores = 3.80"), "the cpu_only target is at the P-cores: {md}");
    assert!(md.contains("4 P-cores and 6 E-cores"), "{md}");
    for t in [8, 10, 20] {
        assert!(md.contains(&format!("| {t} (P+E) |")), "{t} threads not marked P+E: {md}");
    }
    assert!(md.contains("| 4 |") && !md.contains("| 4 (P+E) |"), "{md}");
    let svg = std::fs::read_to_string(tmp.path().join("charts/group-control.svg")).unwrap();
    assert!(svg.contains("4 P-cores | E-cores"), "no P/E boundary on the group chart's speedup panel");

    // A machine with one kind of core has neither.
    let uniform = tempfile::tempdir().unwrap();
    write(uniform.path(), &synthetic());
    render(uniform.path()).unwrap();
    let svg = std::fs::read_to_string(uniform.path().join("charts/group-control.svg")).unwrap();
    assert!(!svg.contains("P-cores"));
    assert!(!std::fs::read_to_string(uniform.path().join("summary.md")).unwrap().contains("(P+E)"));
}

/// A macOS run on 3.14t: the context flags are the ones the interpreter that ran reported, and
/// rows without a voluntary/involuntary switch split (null on macOS) still render.
#[test]
fn context_flags_of_3_14_and_rows_without_a_switch_split_render() {
    let mut r = synthetic();
    for i in &mut r.interpreters {
        i.version = "3.14.0 free-threading build".into();
        i.version_info = vec![3, 14, 0];
        i.thread_inherit_context = Some(i.mode == GilMode::Off);
        i.context_aware_warnings = None;
    }
    for row in r.workloads.iter_mut().flat_map(|w| w.rows.iter_mut()) {
        if let Some(c) = row.contention.as_mut() {
            c.voluntary_switches_per_op = None;
            c.involuntary_switches_per_op = None;
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &r);
    let out = render(tmp.path()).unwrap();
    check_chart_files(&out.charts);
    let md = std::fs::read_to_string(&out.summary).unwrap();
    let line = |mode: &str| md.lines().find(|l| l.starts_with(&format!("| {mode} | `3.14.0"))).unwrap_or_else(|| panic!("{mode}: {md}"));
    assert!(line("gil-off").contains("| on | not reported |"), "{}", line("gil-off"));
    assert!(line("gil-on").contains("| off | not reported |"), "{}", line("gil-on"));
    assert!(!md.contains("n/a on 3.14"));
}

#[test]
fn steal_is_reported_as_unknown_where_the_os_counts_none() {
    let summary = |steal: Option<f64>| {
        let mut r = testing::run("2025-01-01T00-00-00Z");
        let mut row = testing::measured_row(1, 1e6, 1e4);
        row.passes.iter_mut().for_each(|p| p.steal = steal);
        r.workloads = vec![testing::workload("cpu_only", GilMode::Off, WorkloadStatus::Ran, vec![row])];
        r.derive_figures();
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), &r);
        std::fs::read_to_string(render(tmp.path()).unwrap().summary).unwrap()
    };
    let line = |md: &str| md.lines().find(|l| l.contains("stolen by the hypervisor")).unwrap_or_default().to_string();
    // macOS: the Mach host's counters have no steal, so every pass has none.
    assert!(line(&summary(None)).contains("unknown: the OS counts none"), "{}", line(&summary(None)));
    assert!(line(&summary(Some(0.02))).contains("| 2.0 % |"), "{}", line(&summary(Some(0.02))));
}
