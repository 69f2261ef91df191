//! Many machines, one answer: runs from several machines put side by side, scenario group by
//! scenario group — is the winner the same everywhere (*portable*, with its worst margin) or does a
//! machine flip it (*depends*)? Pure: [`assemble`] and [`across`] only read runs.
//!
//! A machine is its [`crate::results::MachineFacts::fingerprint`]; of several runs of one machine
//! the latest is taken and the others named. Runs keep their summaries only (every pass is dropped
//! on reading), so memory grows with runs, not with passes × runs.

use std::collections::BTreeMap;

use crate::report::selection::{select, Selection, Standing};
use crate::results::RunResults;

/// One machine of the fleet: its latest run, summaries only.
#[derive(Clone, Debug)]
pub struct Member {
    /// "Apple M4 (10 cores)", unique within the fleet.
    pub label: String,
    pub results: RunResults,
    pub selection: Selection,
}

#[derive(Clone, Debug)]
pub struct Fleet {
    pub members: Vec<Member>,
    /// Older runs of a machine that has a newer one: "run X (machine Y)".
    pub superseded: Vec<String>,
    /// Machines the fleet expected (`--expect`) that no run names: their runner failed or never ran.
    pub missing: Vec<String>,
}

impl Fleet {
    /// Notes which of the `expected` machine names (`FTBENCH_MACHINE` of their runs) no member has.
    pub fn expect(&mut self, expected: &[String]) {
        let named = |e: &String| self.members.iter().any(|m| m.results.machine.label.as_ref() == Some(e));
        self.missing = expected.iter().filter(|e| !named(e)).cloned().collect();
    }
}

/// The fleet of `runs`: one member per machine (its latest run), in the order machines first appear.
pub fn assemble(runs: Vec<RunResults>) -> Fleet {
    let mut latest: Vec<RunResults> = Vec::new();
    let mut superseded = Vec::new();
    for mut run in runs {
        run.workloads.iter_mut().flat_map(|w| &mut w.rows).for_each(|r| r.passes = Vec::new());
        match latest.iter_mut().find(|r| r.machine.fingerprint() == run.machine.fingerprint()) {
            Some(kept) => {
                let older = if run.run.started > kept.run.started { std::mem::replace(kept, run) } else { run };
                superseded.push(format!("run {} ({})", older.run.id, older.machine.cpu_model));
            }
            None => latest.push(run),
        }
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let members = latest
        .into_iter()
        .map(|results| {
            let m = &results.machine;
            let base = match &m.label {
                Some(name) => format!("{name}: {} ({} cores)", m.cpu_model, m.logical_cores),
                None => format!("{} ({} cores)", m.cpu_model, m.logical_cores),
            };
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            let label = if *n == 1 { base } else { format!("{base} #{n}") };
            let selection = select(&results);
            Member { label, results, selection }
        })
        .collect();
    Fleet { members, superseded, missing: Vec::new() }
}

/// One machine's answer for one group.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// The best candidate at the machine's core count, and by how much it beat the runner-up.
    Winner { label: String, margin: Option<f64>, threads: Option<usize>, within_noise: bool },
    /// No valid candidate (skipped, invalid, failed): why.
    Nothing(String),
    /// The group's workload files differ from the first machine's: not the same benchmark.
    NotComparable(String),
    /// The machine did not run the group.
    Absent,
}

/// The answer across the fleet for one group.
#[derive(Clone, Debug, PartialEq)]
pub enum Across {
    /// The same winner on every machine that has one; its smallest margin, the machine, and
    /// whether that margin was within noise there.
    Portable { winner: String, worst: Option<(f64, String, bool)> },
    /// Machines disagree: each winner with the machines it won on.
    Depends { winners: Vec<(String, Vec<String>)> },
    /// Fewer than one machine with a winner.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct GroupAcross {
    pub scenario: String,
    pub title: String,
    pub family: Option<String>,
    /// One per member, in the fleet's order.
    pub cells: Vec<Cell>,
    pub across: Across,
}

/// Every scenario group any machine ran, with each machine's answer and the fleet's.
pub fn across(fleet: &Fleet) -> Vec<GroupAcross> {
    let mut keys: Vec<(String, String, Option<String>)> = Vec::new();
    for m in &fleet.members {
        for (sc, g) in m.selection.groups() {
            let key = (sc.scenario.clone(), sc.title.clone(), g.family.clone());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys.into_iter()
        .map(|(scenario, title, family)| {
            let cells: Vec<Cell> = fleet.members.iter().map(|m| cell(fleet, m, &scenario, family.as_deref())).collect();
            let across = verdict(&cells, &fleet.members);
            GroupAcross { scenario, title, family, cells, across }
        })
        .collect()
}

fn cell(fleet: &Fleet, m: &Member, scenario: &str, family: Option<&str>) -> Cell {
    let Some((_, g)) = m.selection.groups().find(|(sc, g)| sc.scenario == scenario && g.family.as_deref() == family) else {
        return Cell::Absent;
    };
    // The same files as the first machine that ran them, or not the same benchmark.
    for c in &g.candidates {
        let crc = |r: &RunResults| r.workloads.iter().find(|w| w.workload == c.workload).and_then(|w| w.file_crc32.clone());
        let first = fleet.members.iter().find_map(|o| crc(&o.results));
        if let (Some(mine), Some(first)) = (crc(&m.results), first) {
            if mine != first {
                return Cell::NotComparable(format!("{}.py differs from the first machine's", c.workload));
            }
        }
    }
    match g.winner() {
        Some(w) => {
            Cell::Winner { label: w.label.clone(), margin: g.verdict.ratio, threads: g.threads, within_noise: g.verdict.within_noise }
        }
        None => {
            let why = g.candidates.iter().find(|c| c.standing != Standing::Ranked).and_then(|c| c.note.clone());
            Cell::Nothing(why.unwrap_or_else(|| "no valid candidate".into()))
        }
    }
}

fn verdict(cells: &[Cell], members: &[Member]) -> Across {
    let mut winners: Vec<(String, Vec<String>)> = Vec::new();
    let mut worst: Option<(f64, String, bool)> = None;
    for (c, m) in cells.iter().zip(members) {
        if let Cell::Winner { label, margin, within_noise, .. } = c {
            match winners.iter_mut().find(|(w, _)| w == label) {
                Some((_, on)) => on.push(m.label.clone()),
                None => winners.push((label.clone(), vec![m.label.clone()])),
            }
            if let Some(x) = margin.filter(|x| worst.as_ref().is_none_or(|(w, _, _)| x < w)) {
                worst = Some((x, m.label.clone(), *within_noise));
            }
        }
    }
    match winners.len() {
        0 => Across::Unknown,
        1 => Across::Portable { winner: winners.remove(0).0, worst },
        _ => Across::Depends { winners },
    }
}
