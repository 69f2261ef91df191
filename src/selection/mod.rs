//! The decision logic: which primitive to use for each question, from a run's results alone.
//!
//! [`select`] is a pure function over [`RunResults`]: it groups the workloads into the questions
//! users ask, ranks each group's candidates and decides each group ([`decide`], the rule, written
//! out in docs/choosing.md) with the comparisons behind the decision as its reasons. The report,
//! `ftbench fleet` and the README's check all read it; nothing here formats for a reader.
//!
//! Rules:
//! - **Groups.** Workloads that declare the same `OPERATION` (one op's work on the same data)
//!   compete in one group, whatever scenario or family they came from; the group sits under the
//!   scenario of its first synchronized member. A workload without one (every run recorded
//!   before `OPERATION`) is grouped as before it: within its scenario, the workloads that
//!   declare `variant_of` form their own group (with the workload they are a variant of), the
//!   others are one group.
//! - Candidates are compared at one thread count per group: the core count
//!   (`machine.headline_cores()`: the P-core count on a hybrid CPU), or the largest measured
//!   thread count ≤ it (see [`grouped`], shared with the charts and the summary).
//! - They are ranked by throughput with the GIL off (with the GIL on when the run has no GIL-off
//!   results), valid rows only (`status == ok` and a throughput).
//! - Unsynchronized baselines are never ranked: they are shown as "unsafe" with their lost updates.
//! - A workload with an invalid or errored row at *any* thread count, in either mode, is not
//!   ranked: a primitive that broke its invariant once is not a safe choice.
//! - Workloads whose import re-enabled the GIL are not ranked with the GIL off (their numbers are
//!   GIL-on numbers); skipped, timed-out, crashed and errored workloads are shown with their reason.
//! - Scenario [`INTERPRETER_SCENARIO`] measures the interpreter, not a primitive: it is left out
//!   here and reported in its own section of the report.

mod candidate;
pub mod decide;
pub mod grouped;

use std::collections::{BTreeMap, BTreeSet};

use crate::results::{Estimate, GilMode, RunResults, ThreadRow, WorkloadStatus, INTERPRETER_SCENARIO, SCENARIOS};

pub use decide::{beyond_noise, Comparison, Crossover, Decision, Figure, Kind, Why};
use grouped::{by_workload, cores_kind, pick_at_most, reference_mode, reference_threads, Modes};

/// Scenarios whose workloads coordinate threads rather than do work with them: a group of them
/// with different jobs (an Event does not replace a Barrier) is described, not ranked, and none
/// of them is told that threads do not pay.
pub const COORDINATION: &str = "coordination";

/// A collapse: throughput falls by more than this fraction from one measured count to the next.
pub const COLLAPSE_DROP: f64 = 0.20;

/// The longest primitive a compact table names a candidate by; longer ones go by workload name.
const SHORT_NAME: usize = 32;

#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// The mode candidates are ranked by: GIL off, or GIL on when the run has no GIL-off results.
    pub mode: GilMode,
    /// The thread count compared (core count or the largest measured count ≤ it).
    pub reference_threads: Option<usize>,
    /// `machine.headline_cores()`.
    pub cores: usize,
    /// What `cores` counts: "core", or "P-core" on a hybrid CPU.
    pub cores_kind: &'static str,
    pub scenarios: Vec<ScenarioSelection>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioSelection {
    /// `meta.scenario` as written by the workload.
    pub scenario: String,
    pub title: String,
    pub groups: Vec<Group>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// What names the group across runs and files its chart: `scenario/family` or
    /// `scenario/<the operation, shortened>`.
    pub key: String,
    /// The operation every candidate does (`OPERATION`), when the group was made by it.
    pub operation: Option<String>,
    /// `variant_of` shared by a group of a run without operations (None: the scenario's others).
    pub family: Option<String>,
    /// Thread count the group is compared at.
    pub threads: Option<usize>,
    /// Ranked candidates first (best first), then unsafe, GIL re-enabled, invalid, failed, not
    /// measured and skipped ones.
    pub candidates: Vec<Candidate>,
    pub decision: Decision,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// Valid at the compared thread count and eligible to win.
    Ranked,
    /// Unsynchronized baseline: shown for reference, never ranked.
    Unsafe,
    /// Its import re-enabled the GIL in the GIL-off child: its numbers are GIL-on numbers.
    GilReenabled,
    /// A row failed its invariant or raised.
    Invalid,
    /// Timed out, crashed, errored.
    Failed,
    /// No valid measurement at the compared thread count (partial run, or not run in this mode).
    NotMeasured,
    Skipped,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Ranked => "ok",
            Standing::Unsafe => "unsafe",
            Standing::GilReenabled => WorkloadStatus::GilReenabled.label(),
            Standing::Invalid => crate::results::RowStatus::Invalid.label(),
            Standing::Failed => "failed",
            Standing::NotMeasured => "not measured",
            Standing::Skipped => WorkloadStatus::Skipped.label(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub workload: String,
    pub primitive: String,
    /// How the selection names it: the primitive, or `primitive (workload)` when two candidates
    /// in the group share a primitive.
    pub label: String,
    /// How a compact table names it: the primitive when short and unique in the group, else the
    /// workload's name.
    pub short: String,
    pub standing: Standing,
    /// 1-based rank among the group's ranked candidates.
    pub rank: Option<usize>,
    /// At the group's thread count, in the selection mode (also for unsafe / invalid rows).
    pub throughput: Option<Estimate>,
    pub speedup: Option<f64>,
    /// Its 95 % interval, from the per-pass ratios (none at the base count or below two passes).
    pub speedup_interval: Option<[f64; 2]>,
    /// The thread count speedup and efficiency are relative to: 1, or the workload's `MIN_THREADS`.
    pub base_threads: Option<usize>,
    pub efficiency: Option<f64>,
    /// GIL-off / GIL-on throughput at the group's thread count, with its 95 % interval.
    pub ft_gain: Option<f64>,
    pub ft_gain_interval: Option<[f64; 2]>,
    /// Throughput at every thread count where the selection mode's row is valid, in count order.
    pub curve: Vec<(usize, Estimate)>,
    /// GIL-on throughput at the group's thread count, where valid (GIL-off selections).
    pub gil_on: Option<Estimate>,
    /// Lost updates at the group's thread count (or the largest recorded, if not measured there).
    pub lost_updates: u64,
    /// First collapse in the selection mode's valid rows.
    pub collapse: Option<Collapse>,
    /// Why it is not ranked (reason, verify message), or a remark.
    pub note: Option<String>,
}

impl Candidate {
    /// Its valid throughput at `threads` in the selection mode.
    pub fn at(&self, threads: usize) -> Option<Estimate> {
        self.curve.iter().find(|(t, _)| *t == threads).map(|(_, e)| *e)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Collapse {
    /// Throughput falls past this thread count...
    pub after: usize,
    /// ...to this next measured count...
    pub next: usize,
    /// ...by this fraction (0.35 = −35 %).
    pub drop: f64,
}

impl Group {
    pub fn ranked(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates.iter().filter(|c| c.standing == Standing::Ranked)
    }

    pub fn winner(&self) -> Option<&Candidate> {
        self.ranked().next()
    }

    /// The candidate of `workload`.
    pub fn candidate(&self, workload: &str) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.workload == workload)
    }
}

impl Selection {
    pub fn groups(&self) -> impl Iterator<Item = (&ScenarioSelection, &Group)> {
        self.scenarios.iter().flat_map(|s| s.groups.iter().map(move |g| (s, g)))
    }

    /// The group holding `workload`.
    pub fn group_of(&self, workload: &str) -> Option<&Group> {
        self.groups().map(|(_, g)| g).find(|g| g.candidates.iter().any(|c| c.workload == workload))
    }
}

/// First collapse among `rows`' valid rows: throughput falls by more than [`COLLAPSE_DROP`] from
/// one measured thread count to the next.
pub fn collapse(rows: &[ThreadRow]) -> Option<Collapse> {
    let mut valid: Vec<&ThreadRow> = rows.iter().filter(|r| r.is_valid()).collect();
    valid.sort_by_key(|r| r.threads);
    valid.windows(2).find_map(|w| {
        let (a, b) = (w[0].throughput?.point, w[1].throughput?.point);
        (a > 0.0 && b < a * (1.0 - COLLAPSE_DROP)).then(|| Collapse { after: w[0].threads, next: w[1].threads, drop: 1.0 - b / a })
    })
}

pub fn scenario_title(scenario: &str) -> String {
    SCENARIOS.iter().find(|(k, _)| *k == scenario).map(|(_, t)| t.to_string()).unwrap_or_else(|| {
        if scenario.is_empty() {
            "No scenario".into()
        } else {
            scenario.to_string()
        }
    })
}

/// Workloads by name, each with its modes.
type Members<'a, 'b> = Vec<(&'a str, &'b Modes<'a>)>;

/// How a workload is grouped: by its operation, or (runs without one) by scenario and family.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    Operation(String),
    Family(String, Option<String>),
}

/// Builds the selection from a run: groups, candidates, decisions.
pub fn select(results: &RunResults) -> Selection {
    let mode = reference_mode(results);
    let reference = reference_threads(results, mode);
    let workloads: Vec<(&str, Modes)> =
        by_workload(results).into_iter().filter(|(_, m)| meta_of(m).scenario.trim() != INTERPRETER_SCENARIO).collect();

    let mut groups: Vec<(Key, Members)> = Vec::new();
    for (name, modes) in &workloads {
        let key = key_of(name, modes, &workloads);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push((name, modes)),
            None => groups.push((key, vec![(name, modes)])),
        }
    }
    // Scenario → its groups; within one, the ungrouped workloads of a run without operations
    // first, then the others in first-seen (name) order.
    let mut scenarios: Vec<(String, Vec<(Key, Members)>)> = Vec::new();
    groups.sort_by_key(|(k, _)| !matches!(k, Key::Family(_, None)));
    for (key, members) in groups {
        let scenario = scenario_of(&key, &members);
        match scenarios.iter_mut().find(|(s, _)| *s == scenario) {
            Some((_, v)) => v.push((key, members)),
            None => scenarios.push((scenario, vec![(key, members)])),
        }
    }
    scenarios.sort_by_key(|(k, _)| SCENARIOS.iter().position(|(s, _)| s == k).unwrap_or(SCENARIOS.len()));

    let scenarios = scenarios
        .into_iter()
        .map(|(scenario, groups)| ScenarioSelection {
            title: scenario_title(&scenario),
            groups: groups.into_iter().map(|(key, m)| build_group(&scenario, key, &m, mode, reference)).collect(),
            scenario,
        })
        .collect();

    Selection {
        mode,
        reference_threads: reference,
        cores: results.machine.headline_cores(),
        cores_kind: cores_kind(&results.machine),
        scenarios,
    }
}

fn meta_of<'m>(modes: &'m Modes) -> &'m crate::results::WorkloadMeta {
    &modes.values().next().expect("at least one mode").meta
}

/// A workload's group: its operation, else its scenario and family (the `variant_of` it declares,
/// or its own name when a workload of its scenario declares it as theirs).
fn key_of(name: &str, modes: &Modes, all: &[(&str, Modes)]) -> Key {
    let meta = meta_of(modes);
    if let Some(op) = meta.operation.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        return Key::Operation(op.to_string());
    }
    let scenario = meta.scenario.trim().to_string();
    let variant_of = |m: &Modes| meta_of(m).variant_of.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let family = variant_of(modes).or_else(|| {
        let is_base = all.iter().any(|(_, m)| meta_of(m).scenario.trim() == scenario && variant_of(m).as_deref() == Some(name));
        is_base.then(|| name.to_string())
    });
    Key::Family(scenario, family)
}

/// The scenario a group stands under: its own (by family), or its first synchronized member's.
fn scenario_of(key: &Key, members: &Members) -> String {
    match key {
        Key::Family(scenario, _) => scenario.clone(),
        Key::Operation(_) => {
            let first = members.iter().find(|(_, m)| !meta_of(m).unsynchronized).unwrap_or(&members[0]);
            meta_of(first.1).scenario.trim().to_string()
        }
    }
}

/// The first words of an operation, as a file name and key can hold them.
fn slug(operation: &str) -> String {
    let words: Vec<String> =
        operation.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).take(6).map(|w| w.to_ascii_lowercase()).collect();
    words.join("-")
}

fn build_group(scenario: &str, key: Key, members: &[(&str, &Modes)], mode: GilMode, reference: Option<usize>) -> Group {
    // Compare at the reference count if any member measured it, else the largest count below it.
    let counts: BTreeSet<usize> = members.iter().filter_map(|(_, m)| m.get(&mode)).flat_map(|w| w.rows.iter().map(|r| r.threads)).collect();
    let threads = match reference {
        Some(t) if counts.contains(&t) => Some(t),
        Some(t) => pick_at_most(&counts, t),
        None => None,
    };

    let mut candidates: Vec<Candidate> = members.iter().map(|(name, modes)| candidate::candidate(name, modes, mode, threads)).collect();
    name_candidates(&mut candidates);

    let point = |c: &Candidate| c.throughput.map(|t| t.point).unwrap_or(f64::NEG_INFINITY);
    candidates
        .sort_by(|a, b| a.standing.cmp(&b.standing).then_with(|| point(b).total_cmp(&point(a))).then_with(|| a.workload.cmp(&b.workload)));
    let mut rank = 0;
    for c in &mut candidates {
        if c.standing == Standing::Ranked {
            rank += 1;
            c.rank = Some(rank);
        }
    }

    let (operation, family) = match key {
        Key::Operation(op) => (Some(op), None),
        Key::Family(_, family) => (None, family),
    };
    let coordination = scenario == COORDINATION;
    let different_jobs = operation.is_none() && family.is_none() && candidates.len() > 1;
    // Candidates that do different jobs (an Event, a Barrier) are described; ranked coordination
    // primitives of one job (Semaphore, BoundedSemaphore) are judged as any other group.
    let described = coordination && different_jobs;
    let cx = decide::Context { threads, mode, described, judge_threads: !described };
    let decision = decide::decide(&candidates, &cx);
    let tail = operation.as_deref().map(slug).or(family.clone()).unwrap_or_default();
    Group { key: format!("{scenario}/{tail}"), operation, family, threads, candidates, decision }
}

/// Labels: the primitive, unless two members share it; short names: the primitive when short and
/// unique, else the workload's name.
fn name_candidates(candidates: &mut [Candidate]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for c in candidates.iter() {
        *seen.entry(c.primitive.clone()).or_default() += 1;
    }
    for c in candidates.iter_mut() {
        let unique = !c.primitive.is_empty() && seen[&c.primitive] == 1;
        c.label = match (c.primitive.is_empty(), unique) {
            (true, _) => c.workload.clone(),
            (false, true) => c.primitive.clone(),
            (false, false) => format!("{} ({})", c.primitive, c.workload),
        };
        c.short = if unique && c.primitive.chars().count() <= SHORT_NAME { c.primitive.clone() } else { c.workload.clone() };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::RowStatus;

    fn row(threads: usize, point: f64) -> ThreadRow {
        ThreadRow { throughput: Estimate::of(&[point * 0.98, point, point * 1.02]), ..ThreadRow::new(threads, 1000, Vec::new()) }
    }

    #[test]
    fn collapse_is_a_drop_of_more_than_20_percent() {
        assert_eq!(collapse(&[row(1, 100.0), row(2, 90.0), row(4, 85.0)]), None);
        let c = collapse(&[row(1, 100.0), row(2, 150.0), row(4, 100.0), row(8, 10.0)]).unwrap();
        assert_eq!((c.after, c.next), (2, 4));
        assert!((c.drop - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn collapse_skips_invalid_rows() {
        let mut bad = row(2, 10.0);
        bad.status = RowStatus::Invalid;
        assert_eq!(collapse(&[row(1, 100.0), bad, row(4, 95.0)]), None);
    }

    #[test]
    fn titles_follow_the_known_order() {
        assert_eq!(scenario_title("hot-counter"), "Hot counters");
        assert_eq!(scenario_title("my-own"), "my-own");
    }

    #[test]
    fn an_operation_is_shortened_to_its_first_words_for_keys() {
        assert_eq!(slug("pass items through one unbounded queue: put one, then get one"), "pass-items-through-one-unbounded-queue");
        assert_eq!(slug("add 1 to a counter"), "add-1-to-a-counter");
    }
}
