//! The decisions on a real run, derived from its figures: the committed example as it was measured
//! on 2026-12-05 (kept in tests/fixtures/runs, so re-measuring reports/example does not remove these
//! expectations), and every real run in the repository for the figures' consistency.

mod common;

use ftbench::report::render;
use ftbench::results::{GilMode, RunResults};
use ftbench::selection::{beyond_noise, select, Group, Kind, Selection, Standing, Why};

fn fixture() -> RunResults {
    RunResults::load(&common::repo().join("tests/fixtures/runs/xeon-2026-12-05")).unwrap()
}

fn group<'s>(s: &'s Selection, key: &str) -> &'s Group {
    s.groups().map(|(_, g)| g).find(|g| g.key == key).unwrap_or_else(|| panic!("no group {key}"))
}

#[test]
fn the_example_as_measured_says_where_threads_do_not_pay_and_where_the_gil_build_wins() {
    let s = select(&fixture());
    // Read-mostly: every snapshot at 2 threads is below the best one on 1 thread.
    assert_eq!(group(&s, "read-mostly/read_mostly").decision.kind, Kind::ThreadsDoNotPay);
    // Hot counters: AtomicInt64 on 1 thread beats the shards at 2 threads, and with the GIL on at 2
    // threads it beats every GIL-off candidate.
    let hot = &group(&s, "hot-counter/").decision;
    assert_eq!(hot.kind, Kind::ThreadsDoNotPay);
    let one = hot.one_thread.as_ref().unwrap();
    assert_eq!((one.b.workload.as_str(), one.b.threads, one.a.workload.as_str()), ("atomic_ft_utils", 1, "sharded_counter"));
    assert!(!one.beyond_noise);
    let gil = hot.gil_build.as_ref().unwrap();
    assert!(hot.gil_wins() && gil.a.workload == "atomic_ft_utils" && gil.a.mode == GilMode::On && gil.a.threads == 2, "{gil:?}");
    // The whole-bank lock at 0.50×: not a plain "use".
    let bank = group(&s, "short-critical-section/bank_transfer");
    assert_eq!(bank.winner().unwrap().workload, "bank_transfer_global_lock");
    assert!(bank.winner().unwrap().speedup.is_some_and(|x| (x - 0.50).abs() < 0.01));
    assert_ne!(bank.decision.kind, Kind::Use);

    // The report says so, first thing.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::repo().join("tests/fixtures/runs/xeon-2026-12-05/results.json"), dir.path().join("results.json")).unwrap();
    let md = std::fs::read_to_string(render(dir.path()).unwrap().summary).unwrap();
    let (table, _) = md.split_once("## Primitive selection").unwrap();
    let row = |q: &str| table.lines().find(|l| l.starts_with(&format!("| {q} |"))).unwrap_or_else(|| panic!("no row {q}"));
    let hot = row("**Hot counters**");
    assert!(hot.contains("| **threads do not pay here**: `ft_utils.concurrency.AtomicInt64` on 1 thread |"), "{hot}");
    assert!(hot.contains("GIL build wins: `ft_utils.concurrency.AtomicInt64`"), "{hot}");
    assert!(row("**Read-mostly shared data**, `read_mostly`").contains("**threads do not pay here**"));
    assert!(!row("**Short critical sections**, `bank_transfer`").contains("**use**"));
    // Every cell short: at most 120 characters as read (no markup).
    let (_, rest) = table.split_once("## Recommendations").unwrap();
    for line in rest.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| ---")) {
        for cell in line.trim_matches('|').split(" | ") {
            let read = cell.replace(['`', '\\'], "").replace("**", "");
            assert!(read.trim().chars().count() <= 120, "a cell of {} characters: {read}", read.chars().count());
        }
    }
}

/// Coordination primitives that do one job (Semaphore, BoundedSemaphore: borrow a resource) are
/// ranked and judged as any group, "threads do not pay" included; those of different jobs (an Event
/// ring against a Barrier, in a run recorded before OPERATION) are described, and that is not judged.
#[test]
fn threads_do_not_pay_is_judged_for_coordination_primitives_of_one_job_only() {
    let example = RunResults::load(&common::repo().join("reports/example")).unwrap();
    let s = select(&example);
    let semaphores = s.groups().map(|(_, g)| g).find(|g| g.candidates.iter().any(|c| c.workload == "semaphore_pool")).unwrap();
    let own = semaphores.winner().unwrap().speedup_interval.unwrap();
    // The example's best semaphore at 2 threads is below its own 1-thread figure beyond noise.
    assert!(own[1] < 1.0, "the example as committed: {own:?}");
    assert_eq!(semaphores.decision.kind, Kind::ThreadsDoNotPay);
    let described = select(&fixture()).groups().map(|(_, g)| g).filter(|g| g.decision.kind == Kind::Described).count();
    assert!(described > 0, "the 2026-12-05 run's coordination group is described");
    assert!(select(&fixture()).groups().all(|(_, g)| g.decision.kind != Kind::Described || g.decision.one_thread.is_none()));
}

/// Every real run in the repository: the examples and the fixtures.
fn real_runs() -> Vec<RunResults> {
    let repo = common::repo();
    let dirs = [
        "reports/example",
        "reports/interp-example",
        "reports/interp-source",
        "tests/fixtures/runs/xeon-2026-12-05",
        "tests/fixtures/runs/epyc-2026-11-26",
    ];
    dirs.iter().map(|d| RunResults::load(&repo.join(d)).unwrap()).collect()
}

#[test]
fn every_ratio_shown_is_the_ratio_of_the_throughputs_shown() {
    let close = |a: f64, b: f64| (a / b - 1.0).abs() <= 0.005;
    for r in real_runs() {
        for w in &r.workloads {
            let base = w.rows.iter().filter(|x| x.speedup.is_some()).min_by_key(|x| x.threads);
            for row in &w.rows {
                let name = format!("{} {} {}: {}", r.run.id, w.workload, w.mode, row.threads);
                if let (Some(s), Some(b)) = (row.speedup, base) {
                    assert!(close(s, row.throughput.unwrap().point / b.throughput.unwrap().point), "speedup of {name}");
                    assert!(close(row.efficiency.unwrap(), s * b.threads as f64 / row.threads as f64), "efficiency of {name}");
                    assert!(row.speedup_interval.is_none_or(|[lo, hi]| lo <= s && s <= hi), "{name}");
                }
                if let Some(g) = row.ft_gain {
                    let on = r.row(&w.workload, GilMode::On, row.threads).unwrap().throughput.unwrap().point;
                    assert!(close(g, row.throughput.unwrap().point / on), "FT gain of {name}");
                }
            }
        }
    }
}

#[test]
fn nothing_is_avoided_that_ties_with_the_best_unless_it_is_unsafe() {
    for r in real_runs() {
        for (_, g) in select(&r).groups() {
            let Some(best) = g.winner().and_then(|w| w.throughput) else { continue };
            for (who, why) in &g.decision.avoid {
                let c = g.candidate(who).unwrap();
                match why {
                    Why::Slower => assert!(beyond_noise(&best, &c.throughput.unwrap()), "{who} ties with the best of {}", g.key),
                    Why::Unsafe(_) => assert_eq!(c.standing, Standing::Unsafe),
                    Why::ReenablesGil => assert_eq!(c.standing, Standing::GilReenabled),
                    Why::BrokeInvariant => assert_eq!(c.standing, Standing::Invalid),
                }
            }
        }
    }
}

#[test]
fn the_decision_logic_and_the_data_model_sit_below_the_report() {
    for dir in ["src/results", "src/selection"] {
        for entry in std::fs::read_dir(common::repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("crate::report") && !text.contains("crate::compare"),
                "{} reaches up into the report or compare",
                path.display()
            );
        }
    }
}
