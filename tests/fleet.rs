//! `ftbench fleet`: runs of several machines, one answer, decided by each machine's own rule. Two
//! real runs of two 2-vCPU VMs (tests/fixtures/runs: the example as committed on 2026-12-05 on a
//! Xeon, and the one of 2026-11-26 on an EPYC) tie and flip where their own reports say so; the
//! first, cut to 1 and 2 threads, is the same machine; shaped after it, a 4P+6E Apple Silicon
//! laptop where every answer holds, and a 64-core EPYC where one flips and one workload file differs.

mod common;

use std::time::Instant;

use ftbench::fleet::{across, assemble, Across, Cell, GroupAcross};
use ftbench::results::{MachineFacts, RunResults};

/// A real run kept as a fixture, so that re-measuring the example does not change these tests.
fn fixture(name: &str) -> RunResults {
    RunResults::load(&common::repo().join("tests/fixtures/runs").join(name)).unwrap()
}

fn example() -> RunResults {
    fixture("xeon-2026-12-05")
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
        Across::Portable { winner, worst, ties_on } => {
            assert_eq!(winner, "threading.Lock (lock_private)");
            assert!(worst.as_ref().is_some_and(|(x, _)| *x > 1.5) && ties_on.is_empty(), "{worst:?} {ties_on:?}");
        }
        other => panic!("{other:?}"),
    }
    match &group(&groups, "shared_dict_writes").across {
        Across::Depends { winners } => {
            assert_eq!(winners.len(), 2, "{winners:?}");
            assert!(winners
                .iter()
                .any(|(w, on)| w == &["dict[key] = value under threading.Lock"] && on == &["AMD EPYC 9554 64-Core (64 cores)"]));
        }
        other => panic!("{other:?}"),
    }
    let deque = groups
        .iter()
        .find(|g| g.cells.iter().any(|c| matches!(c, Cell::NotComparable(why) if why.starts_with("deque_queue.py"))))
        .expect("deque's group");
    assert!(matches!(deque.cells[0], Cell::Decided(_)), "the first machine's own cell stands");

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
fn two_real_runs_that_tie_say_so_and_flip_only_beyond_noise() {
    let fleet = assemble(vec![fixture("xeon-2026-12-05"), fixture("epyc-2026-11-26")]);
    assert_eq!(fleet.members.len(), 2, "two machines");
    let groups = across(&fleet);
    // Each machine's own report calls Queue(maxsize=2) and Queue a tie: so does the fleet.
    let queues = group(&groups, "queue_pipeline");
    for c in &queues.cells {
        let Cell::Decided(g) = c else { panic!("{c:?}") };
        assert_eq!(g.decision.top.len(), 2, "{:?}", g.decision.top);
    }
    assert_eq!(queues.across, Across::PortableTie { tied: vec!["queue.Queue(maxsize=2)".into(), "queue.Queue".into()] });
    // Barrier and Event do different jobs: described, never ranked across machines either.
    let coordination = groups.iter().find(|g| g.scenario == "coordination" && g.family.is_none()).unwrap();
    assert_eq!(coordination.across, Across::Described);
    // Where the fleet says "depends", no machine's own report ties a pair it sets against each other.
    let mut flips = 0;
    for g in &groups {
        let Across::Depends { winners } = &g.across else { continue };
        flips += 1;
        let own_tops: Vec<Vec<String>> = g
            .cells
            .iter()
            .filter_map(|c| match c {
                Cell::Decided(d) => Some(d.decision.top.iter().map(|w| d.candidate(w).unwrap().label.clone()).collect()),
                _ => None,
            })
            .collect();
        for (i, (a, _)) in winners.iter().enumerate() {
            for (b, _) in &winners[i + 1..] {
                for (x, y) in a.iter().flat_map(|x| b.iter().map(move |y| (x, y))) {
                    assert!(!own_tops.iter().any(|t| t.contains(x) && t.contains(y)), "{}: {x} and {y} tie on a machine", g.title);
                }
            }
        }
    }
    assert_eq!(flips, 1, "only the hot counters flip: shards on the Xeon, the atomics on the EPYC, each beyond noise there");

    let dir = tempfile::tempdir().unwrap();
    let runs = ["xeon-2026-12-05", "epyc-2026-11-26"].map(|r| common::repo().join("tests/fixtures/runs").join(r)).to_vec();
    let out = dir.path().join("fleet");
    assert_eq!(ftbench::cmd::fleet::run(ftbench::cmd::fleet::Args { runs, out: out.clone(), expect: Vec::new() }).unwrap(), 0);
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        md.contains(
            "`queue_pipeline`: **no clear winner anywhere** (a portable tie): `queue.Queue(maxsize=2)` ≈ `queue.Queue` on every machine"
        ),
        "{md}"
    );
    assert!(!md.contains("**depends**: `queue.Queue"), "{md}");
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
