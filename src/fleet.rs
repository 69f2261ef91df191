//! Many machines, one answer: runs from several machines put side by side, selection group by
//! selection group, each machine decided by the same rule as its own report ([`crate::selection`]).
//! An answer is *portable* when the candidates every machine ranked have one winner everywhere (a
//! tie on some machine is named, never called a flip), a *portable tie* when no machine has a
//! clear winner among them, and *depends* only when the machines' top sets (the best and what it
//! does not beat beyond noise) share no candidate: then each machine's winner beats the others'
//! beyond noise there. Groups described, not ranked, stay so. Pure: [`assemble`] and [`across`]
//! only read runs.
//!
//! A machine is its [`crate::results::MachineFacts::fingerprint`]; of several runs of one machine
//! the latest is taken and the others named. Each run is decided with its passes, which are then
//! dropped (the decisions keep every figure and interval they rest on), so memory grows with
//! runs, not with passes × runs.

use std::collections::BTreeMap;

use crate::results::RunResults;
use crate::selection::{decide, select, Group, Kind, ScenarioSelection, Selection, Standing};

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
    for run in runs {
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
            let mut results = results;
            results.workloads.iter_mut().flat_map(|w| &mut w.rows).for_each(|r| r.passes = Vec::new());
            Member { label, results, selection }
        })
        .collect();
    Fleet { members, superseded, missing: Vec::new() }
}

/// One machine's answer for one group.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// The machine's group: its candidates and decision, as its own report states them.
    Decided(Box<Group>),
    /// No valid candidate (skipped, invalid, failed): why.
    Nothing(String),
    /// The group's workload files differ from the first machine's: not the same benchmark.
    NotComparable(String),
    /// The machine did not run the group.
    Absent,
}

/// The answer across the fleet for one group, among the candidates every deciding machine ranked.
#[derive(Clone, Debug, PartialEq)]
pub enum Across {
    /// One clear winner wherever a machine has one, and no machine against it: its smallest
    /// margin over the next candidate where it wins, and the machines where it only ties.
    Portable { winner: String, worst: Option<(f64, String)>, ties_on: Vec<String> },
    /// One candidate ranked on every machine: nothing to choose between.
    Only { who: String },
    /// No machine has a clear winner: these tie on every machine.
    PortableTie { tied: Vec<String> },
    /// The machines' top sets share no candidate: each top set (best first) with its machines.
    Depends { winners: Vec<(Vec<String>, Vec<String>)> },
    /// The candidates do different jobs: described on each machine, ranked on none.
    Described,
    /// No candidate ranked on every machine that ranked one.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct GroupAcross {
    /// `Group::key`, the same on every machine.
    pub key: String,
    pub scenario: String,
    /// The scenario's title.
    pub title: String,
    pub operation: Option<String>,
    pub family: Option<String>,
    /// One per member, in the fleet's order.
    pub cells: Vec<Cell>,
    pub across: Across,
    /// The machines whose own decision is "threads do not pay here".
    pub threads_do_not_pay: Vec<String>,
}

/// Every selection group any machine ran, with each machine's answer and the fleet's.
pub fn across(fleet: &Fleet) -> Vec<GroupAcross> {
    // Every group once, with its scenario, as the first machine that ran it names them.
    let mut seen: Vec<(&ScenarioSelection, &Group)> = Vec::new();
    for m in &fleet.members {
        for (sc, g) in m.selection.groups() {
            if !seen.iter().any(|(_, s)| s.key == g.key) {
                seen.push((sc, g));
            }
        }
    }
    seen.into_iter()
        .map(|(sc, g)| {
            let cells: Vec<Cell> = fleet.members.iter().map(|m| cell(fleet, m, &g.key)).collect();
            let decided: Vec<(&Group, &str)> = cells
                .iter()
                .zip(&fleet.members)
                .filter_map(|(c, m)| match c {
                    Cell::Decided(g) => Some((g.as_ref(), m.label.as_str())),
                    _ => None,
                })
                .collect();
            let threads_do_not_pay =
                decided.iter().filter(|(g, _)| g.decision.kind == Kind::ThreadsDoNotPay).map(|(_, m)| m.to_string()).collect();
            GroupAcross {
                key: g.key.clone(),
                scenario: sc.scenario.clone(),
                title: sc.title.clone(),
                operation: g.operation.clone(),
                family: g.family.clone(),
                across: verdict(&decided),
                cells,
                threads_do_not_pay,
            }
        })
        .collect()
}

fn cell(fleet: &Fleet, m: &Member, key: &str) -> Cell {
    let Some((_, g)) = m.selection.groups().find(|(_, g)| g.key == key) else {
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
    if g.decision.kind == Kind::Nothing {
        let why = g.candidates.iter().find(|c| c.standing != Standing::Ranked).and_then(|c| c.note.clone());
        return Cell::Nothing(why.unwrap_or_else(|| "no valid candidate".into()));
    }
    Cell::Decided(Box::new(g.clone()))
}

/// The fleet's answer from each deciding machine's group (and its label).
fn verdict(decided: &[(&Group, &str)]) -> Across {
    if decided.iter().any(|(g, _)| g.decision.kind == Kind::Described) {
        return Across::Described;
    }
    // The candidates every machine ranked: a machine cannot speak for one it did not measure.
    let ranked = |g: &Group, w: &str| g.candidate(w).is_some_and(|c| c.standing == Standing::Ranked);
    let Some((first, _)) = decided.first() else { return Across::Unknown };
    let common: Vec<&str> = first.ranked().map(|c| c.workload.as_str()).filter(|w| decided.iter().all(|(g, _)| ranked(g, w))).collect();
    let label = |w: &str| first.candidate(w).map_or(w.to_string(), |c| c.label.clone());
    match common.as_slice() {
        [] => return Across::Unknown,
        [who] => return Across::Only { who: label(who) },
        _ => {}
    }
    let tops: Vec<Vec<&str>> = decided
        .iter()
        .map(|(g, _)| decide::top(&g.candidates, |c| common.contains(&c.workload.as_str())).iter().map(|c| c.workload.as_str()).collect())
        .collect();
    let everywhere: Vec<&str> = common.iter().copied().filter(|w| tops.iter().all(|t| t.contains(w))).collect();
    let clear: Vec<&str> = tops.iter().filter(|t| t.len() == 1).map(|t| t[0]).collect();
    match (everywhere.is_empty(), clear.first()) {
        (true, _) => {
            let mut winners: Vec<(Vec<String>, Vec<String>)> = Vec::new();
            for (top, (_, machine)) in tops.iter().zip(decided) {
                let names: Vec<String> = top.iter().map(|w| label(w)).collect();
                match winners.iter_mut().find(|(n, _)| *n == names) {
                    Some((_, on)) => on.push(machine.to_string()),
                    None => winners.push((names, vec![machine.to_string()])),
                }
            }
            Across::Depends { winners }
        }
        (false, None) => Across::PortableTie { tied: everywhere.iter().map(|w| label(w)).collect() },
        (false, Some(winner)) => {
            let ties_on = tops.iter().zip(decided).filter(|(t, _)| t.len() > 1).map(|(_, (_, m))| m.to_string()).collect();
            let worst = decided
                .iter()
                .zip(&tops)
                .filter(|(_, top)| top.len() == 1)
                .filter_map(|((g, m), _)| Some((margin(g, winner, &common)?, m.to_string())))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            Across::Portable { winner: label(winner), worst, ties_on }
        }
    }
}

/// `winner`'s throughput over the best other candidate of `among` on one machine.
fn margin(g: &Group, winner: &str, among: &[&str]) -> Option<f64> {
    let point = |w: &str| g.candidate(w)?.throughput.map(|e| e.point);
    let next = among.iter().filter(|w| **w != winner).filter_map(|w| point(w)).max_by(f64::total_cmp)?;
    Some(point(winner)? / next)
}
