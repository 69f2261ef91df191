//! `ftbench fleet`: runs of several machines, one answer. Two real runs of this project's VM (the
//! committed example, and the same run cut to 1 and 2 threads) are one machine; shaped after them,
//! a 4P+6E Apple Silicon laptop where every answer holds, and a 64-core EPYC where one flips and
//! one workload file differs.

mod common;

use std::time::Instant;

use ftbench::fleet::{across, assemble, Across, Cell, GroupAcross};
use ftbench::results::{MachineFacts, RunResults};

fn example() -> RunResults {
    RunResults::load(&common::repo().join("reports/example")).unwrap()
}

/// The example as measured on another machine, its id and start later, every workload's file the same.
fn elsewhere(id: &str, machine: MachineFacts, scale: impl Fn(&str, usize) -> f64) -> RunResults {
    let mut r = example();
    (r.run.id, r.run.started, r.machine) = (id.into(), format!("2026-12-0{}T00:00:00Z", id.len() % 9 + 1), machine);
    for w in &mut r.workloads {
        for row in &mut w.rows {
            let k = scale(&w.workload, row.threads);
            for p in &mut row.passes {
                p.throughput *= k;
                p.fastest_round = p.fastest_round.map(|f| f * k);
            }
        }
    }
    r.derive_figures();
    r
}

fn apple() -> MachineFacts {
    MachineFacts {
        cpu_model: "Apple M4 Pro".into(),
        logical_cores: 10,
        physical_cores: Some(10),
        performance_cores: Some(4),
        efficiency_cores: Some(6),
        os: "macOS 15.5".into(),
        arch: "aarch64".into(),
        total_memory_bytes: 24 << 30,
        ..Default::default()
    }
}

fn epyc() -> MachineFacts {
    MachineFacts {
        cpu_model: "AMD EPYC 9554 64-Core".into(),
        logical_cores: 64,
        physical_cores: Some(64),
        os: "Linux (Ubuntu 24.04)".into(),
        arch: "x86_64".into(),
        total_memory_bytes: 256 << 30,
        ..Default::default()
    }
}

fn group<'g>(groups: &'g [GroupAcross], family: &str) -> &'g GroupAcross {
    groups.iter().find(|g| g.family.as_deref() == Some(family)).unwrap_or_else(|| panic!("no group {family}"))
}

fn with_files(mut r: RunResults, differs: Option<&str>) -> RunResults {
    for w in &mut r.workloads {
        w.file_crc32 = Some(if Some(w.workload.as_str()) == differs { "deadbeef".into() } else { format!("{:08x}", w.workload.len()) });
    }
    r
}

#[test]
fn portable_and_depending_answers_and_different_files() {
    let vm = with_files(example(), None);
    let mut cut = vm.clone();
    cut.retain_rows(|_, _, t| t.is_none_or(|t| t <= 2));
    // Measured later than the example: it is the one the fleet keeps for this machine.
    (cut.run.id, cut.run.started) = ("cut".into(), "2999-01-01T00:00:00Z".into());
    // The laptop: everything 3× faster, the same winners.
    let laptop = with_files(elsewhere("laptop", apple(), |_, _| 3.0), None);
    // The server: the dict's own lock loses to a Lock there (the answer flips), and its
    // deque_queue.py is another version.
    let flip = |w: &str, _| if w == "shared_dict_writes" { 0.2 } else { 1.0 };
    let server = with_files(elsewhere("server", epyc(), flip), Some("deque_queue"));
    let fleet = assemble(vec![vm, cut, laptop, server]);

    assert_eq!(fleet.members.len(), 3, "the two runs of the VM are one machine");
    let example_id = example().run.id;
    assert_eq!(fleet.superseded, [format!("run {example_id} ({})", example().machine.cpu_model)]);
    let groups = across(&fleet);
    match &group(&groups, "lock_shared_vs_private").across {
        Across::Portable { winner, worst } => {
            assert_eq!(winner, "threading.Lock (lock_private)");
            assert!(worst.as_ref().is_some_and(|(x, _, tie)| *x > 1.5 && !tie), "{worst:?}");
        }
        other => panic!("{other:?}"),
    }
    match &group(&groups, "shared_dict_writes").across {
        Across::Depends { winners } => {
            assert_eq!(winners.len(), 2, "{winners:?}");
            assert!(winners
                .iter()
                .any(|(w, on)| w == "dict[key] = value under threading.Lock" && on == &["AMD EPYC 9554 64-Core (64 cores)"]));
        }
        other => panic!("{other:?}"),
    }
    let deque = groups
        .iter()
        .find(|g| g.cells.iter().any(|c| matches!(c, Cell::NotComparable(why) if why.starts_with("deque_queue.py"))))
        .expect("deque's group");
    assert!(matches!(deque.cells[0], Cell::Winner { .. }), "the first machine's own cell stands");

    // The command writes the report.
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<std::path::PathBuf> = fleet
        .members
        .iter()
        .map(|m| {
            let f = dir.path().join(format!("{}.json", m.results.run.id));
            let mut full = example();
            (full.run, full.machine, full.workloads) = (m.results.run.clone(), m.results.machine.clone(), m.results.workloads.clone());
            full.save(&f).unwrap();
            f
        })
        .collect();
    let out = dir.path().join("fleet");
    let code = ftbench::cmd::fleet::run(ftbench::cmd::fleet::Args { runs: files, out: out.clone(), expect: Vec::new() }).unwrap();
    assert_eq!(code, 0);
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("**portable**") && md.contains("**depends**") && md.contains("**not comparable**"), "{md}");
    assert!(md.contains("Apple M4 Pro") && md.contains("10 / 10 / 4+6"), "{md}");
    assert!(md.contains("](charts/fleet-hot-counter.svg)") && out.join("charts/fleet-hot-counter.png").is_file(), "one chart per group");
}

#[test]
fn fifty_runs_merge_and_render() {
    let runs: Vec<RunResults> = (0..50)
        .map(|i| {
            let machine = MachineFacts { cpu_model: format!("CPU {}", i % 25), ..apple() };
            let mut r = elsewhere(&format!("run-{i:02}"), machine, |_, t| 1.0 + (i * t) as f64 / 100.0);
            r.run.started = format!("2026-12-01T00:{:02}:00Z", i);
            r
        })
        .collect();
    let start = Instant::now();
    let fleet = assemble(runs);
    let groups = across(&fleet);
    let dir = tempfile::tempdir().unwrap();
    let charts = ftbench::report::charts::render_fleet_charts(&fleet, &groups, dir.path()).unwrap();
    let doc = ftbench::report::fleet::build(&fleet, &groups, &charts);
    let (md, html) = (ftbench::report::doc::to_markdown(&doc), ftbench::report::doc::to_html(&doc));
    eprintln!("50 runs (25 machines): merged and rendered, {} charts, in {:.2} s", charts.len(), start.elapsed().as_secs_f64());
    assert_eq!((fleet.members.len(), fleet.superseded.len()), (25, 25));
    assert!(md.contains("CPU 24 (10 cores)") && html.contains("CPU 24 (10 cores)"));
}
