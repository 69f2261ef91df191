//! The primitive selection table: which primitive to use for each scenario, from the data alone.
//!
//! [`select`] is a pure function over [`RunResults`]; the summary and the index only render its
//! output, and tests check rankings on it directly.
//!
//! Rules:
//! - Candidates are compared at one thread count per group: the core count
//!   (`machine.headline_cores()`: the P-core count on a hybrid CPU), or the largest measured
//!   thread count ≤ it (see `grouped`, shared with the charts and the summary).
//! - They are ranked by throughput with the GIL off (with the GIL on when the run has no GIL-off
//!   results), valid rows only (`status == ok` and a throughput).
//! - Unsynchronized baselines are never ranked: they are shown as "unsafe" with their lost updates.
//! - A workload with an invalid or errored row at *any* thread count, in either mode, is not
//!   ranked: a primitive that broke its invariant once is not a safe choice.
//! - Workloads whose import re-enabled the GIL are not ranked with the GIL off (their numbers are
//!   GIL-on numbers); skipped, timed-out, crashed and errored workloads are shown with their reason.
//! - Within a scenario, workloads that declare `variant_of` form their own group (with the
//!   workload they are a variant of, when it is in the same scenario); the others are ranked together.
//! - Scenario [`INTERPRETER_SCENARIO`] measures the interpreter, not a primitive: it is left out here and
//!   reported in its own section (`summary.rs`).

use std::collections::{BTreeMap, BTreeSet};

use crate::results::{Estimate, GilMode, RowStatus, RunResults, ThreadRow, WorkloadResult, WorkloadStatus};
use crate::stats;

use super::doc::Inl;
use super::format;
use super::grouped::{by_workload, cores_kind, pick_at_most, reference_mode, reference_threads, Modes};

/// The interpreter-scaling suite's scenario (CPython's ftscalingbench categories): nothing to choose between.
pub const INTERPRETER_SCENARIO: &str = "interpreter";

/// Known scenarios in display order, with their titles.
pub const SCENARIOS: [(&str, &str); 10] = [
    ("short-critical-section", "Short critical sections"),
    ("re-entrant-api", "Re-entrant APIs"),
    ("producer-consumer", "Producer / consumer"),
    ("coordination", "Coordination"),
    ("hot-counter", "Hot counters"),
    ("read-mostly", "Read-mostly shared data"),
    ("load-balancing", "Load balancing"),
    ("context-flags", "3.14 context flags"),
    ("race-surface", "Race surfaces"),
    ("control", "Control"),
];

/// A collapse: throughput falls by more than this fraction from one measured count to the next.
pub const COLLAPSE_DROP: f64 = 0.20;

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
    /// `variant_of` shared by the group, or None for the scenario's ungrouped workloads.
    pub family: Option<String>,
    /// Thread count the group is compared at.
    pub threads: Option<usize>,
    /// Ranked candidates first (best first), then unsafe, GIL re-enabled, invalid, failed, not
    /// measured and skipped ones.
    pub candidates: Vec<Candidate>,
    pub verdict: Verdict,
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
            Standing::Invalid => RowStatus::Invalid.label(),
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
    /// How the verdict names it: the primitive, or `primitive (workload)` when two candidates in
    /// the group share a primitive.
    pub label: String,
    pub standing: Standing,
    /// 1-based rank among the group's ranked candidates.
    pub rank: Option<usize>,
    /// At the group's thread count, in the selection mode (also for unsafe / invalid rows).
    pub throughput: Option<Estimate>,
    pub speedup: Option<f64>,
    /// The 95 % interval of the speedup over the passes both rows measured quietly (each pass's
    /// row over its base row): None with fewer than two such passes.
    pub speedup_interval: Option<(f64, f64)>,
    pub efficiency: Option<f64>,
    /// GIL-off / GIL-on throughput at the group's thread count.
    pub ft_gain: Option<f64>,
    /// Lost updates at the group's thread count (or the largest recorded, if not measured there).
    pub lost_updates: u64,
    /// First collapse in the selection mode's valid rows.
    pub collapse: Option<Collapse>,
    /// Why it is not ranked (reason, verify message), or a remark.
    pub note: Option<String>,
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

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Verdict {
    pub threads: Option<usize>,
    /// Label of the best ranked candidate.
    pub winner: Option<String>,
    pub runner_up: Option<String>,
    /// Winner / runner-up throughput.
    pub ratio: Option<f64>,
    /// The two confidence intervals overlap: the ranking between them is not meaningful.
    pub within_noise: bool,
    /// Winner's and runner-up's speedups when their intervals do not overlap: their throughputs
    /// may tie at this count, but one scales and the other does not.
    pub scaling_differs: Option<(f64, f64)>,
    /// Ranked candidates that collapse: (label, thread count past which they collapse).
    pub collapses: Vec<(String, usize)>,
    /// The fastest unsafe baseline when it beats the winner: (label, its throughput / winner's).
    pub faster_unsafe: Option<(String, f64)>,
    /// Number of candidates not ranked because they are invalid or failed.
    pub disqualified: usize,
}

impl Group {
    pub fn ranked(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates.iter().filter(|c| c.standing == Standing::Ranked)
    }

    pub fn winner(&self) -> Option<&Candidate> {
        self.ranked().next()
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

impl Verdict {
    /// One line, e.g. "`ft_utils.AtomicInt64` 3.1× `threading.Lock` at 8 threads; `threading.Lock`
    /// collapses past 4 threads".
    pub fn line(&self) -> Inl {
        let mut l = Inl::new();
        let at = self.threads.map(|t| format!(" at {}", format::threads(t))).unwrap_or_default();
        match (&self.winner, &self.runner_up, self.ratio) {
            // A tie in throughput is not a tie when one scales and the other does not: no "≈" then.
            (Some(w), Some(r), Some(ratio)) if self.within_noise => match self.scaling_differs {
                None => l = l.c(w).t(" ≈ ").c(r).t(format!("{at} ({}, within noise)", format::ratio(ratio))),
                Some((ws, rs)) => {
                    l = l
                        .c(w)
                        .t(" and ")
                        .c(r)
                        .t(format!(" tie in throughput{at} ({}, within noise), but scale apart: ", format::ratio(ratio)));
                    l = l.c(w).t(format!(" {}, ", format::ratio(ws))).c(r).t(format!(" {}", format::ratio(rs)));
                }
            },
            (Some(w), Some(r), Some(ratio)) => {
                l = l.c(w).t(format!(" {} ", format::ratio(ratio))).c(r).t(at);
            }
            (Some(w), _, _) => {
                l = l.c(w).t(format!(" is the only valid candidate{at}"));
            }
            _ => {
                l = l.t(format!("No valid candidate{at}"));
            }
        }
        for (who, past) in &self.collapses {
            l = l.t("; ").c(who).t(format!(" collapses past {}", format::threads(*past)));
        }
        if let Some((who, x)) = &self.faster_unsafe {
            l = l.t("; unsynchronized ").c(who).t(format!(" is {} faster but loses updates", format::ratio(*x)));
        }
        if self.disqualified > 0 && self.winner.is_some() {
            let n = self.disqualified;
            l = l.t(format!("; {n} invalid or failed candidate{} not ranked", if n == 1 { "" } else { "s" }));
        }
        l
    }

    pub fn text(&self) -> String {
        self.line().plain()
    }
}

/// The 95 % interval of `row`'s speedup from the passes it and its base row both measured quietly.
fn speedup_interval(w: &WorkloadResult, row: &ThreadRow) -> Option<(f64, f64)> {
    let base = crate::compare::speedup_base(w, row)?;
    let ratios: Vec<f64> = crate::compare::per_pass_speedups(base, row).into_values().collect();
    stats::mean_interval(&ratios, 0.95)?.1
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

/// Builds the selection table from a run.
pub fn select(results: &RunResults) -> Selection {
    let mode = reference_mode(results);
    let reference = reference_threads(results, mode);
    let workloads = by_workload(results);

    // Scenario → workloads, in first-seen order.
    let mut scenarios: Vec<(String, Members)> = Vec::new();
    for (name, modes) in &workloads {
        let meta = &modes.values().next().expect("at least one mode").meta;
        let key = meta.scenario.trim().to_string();
        if key == INTERPRETER_SCENARIO {
            continue;
        }
        match scenarios.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push((name, modes)),
            None => scenarios.push((key, vec![(name, modes)])),
        }
    }
    scenarios.sort_by_key(|(k, _)| SCENARIOS.iter().position(|(s, _)| s == k).unwrap_or(SCENARIOS.len()));

    let scenarios = scenarios
        .into_iter()
        .map(|(key, members)| {
            // Families: variant_of values; the base workload joins its family when present here.
            let family_of = |name: &str, modes: &Modes| -> Option<String> {
                let meta = &modes.values().next().unwrap().meta;
                match meta.variant_of.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                    Some(v) => Some(v.to_string()),
                    None => {
                        let is_base =
                            members.iter().any(|(_, m)| m.values().next().unwrap().meta.variant_of.as_deref().map(str::trim) == Some(name));
                        is_base.then(|| name.to_string())
                    }
                }
            };
            let mut groups: Vec<(Option<String>, Members)> = Vec::new();
            for (name, modes) in &members {
                let fam = family_of(name, modes);
                match groups.iter_mut().find(|(f, _)| *f == fam) {
                    Some((_, v)) => v.push((name, modes)),
                    None => groups.push((fam, vec![(name, modes)])),
                }
            }
            // Ungrouped workloads first, then families in first-seen order.
            groups.sort_by_key(|(f, _)| f.is_some());
            ScenarioSelection {
                title: scenario_title(&key),
                scenario: key,
                groups: groups.into_iter().map(|(fam, m)| build_group(fam, &m, mode, reference)).collect(),
            }
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

fn build_group(family: Option<String>, members: &[(&str, &Modes)], mode: GilMode, reference: Option<usize>) -> Group {
    // Compare at the reference count if any member measured it, else the largest count below it.
    let counts: BTreeSet<usize> = members.iter().filter_map(|(_, m)| m.get(&mode)).flat_map(|w| w.rows.iter().map(|r| r.threads)).collect();
    let threads = match reference {
        Some(t) if counts.contains(&t) => Some(t),
        Some(t) => pick_at_most(&counts, t),
        None => None,
    };

    let mut candidates: Vec<Candidate> = members.iter().map(|(name, modes)| candidate(name, modes, mode, threads)).collect();

    // Labels: the primitive, unless two members share it.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for c in &candidates {
        *seen.entry(c.primitive.clone()).or_default() += 1;
    }
    for c in &mut candidates {
        c.label = if c.primitive.is_empty() {
            c.workload.clone()
        } else if seen[&c.primitive] > 1 {
            format!("{} ({})", c.primitive, c.workload)
        } else {
            c.primitive.clone()
        };
    }

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

    let ranked: Vec<&Candidate> = candidates.iter().filter(|c| c.standing == Standing::Ranked).collect();
    let mut verdict = Verdict { threads, ..Verdict::default() };
    if let Some(w) = ranked.first() {
        verdict.winner = Some(w.label.clone());
        if let Some(r) = ranked.get(1) {
            let (wt, rt) = (w.throughput.unwrap(), r.throughput.unwrap());
            verdict.runner_up = Some(r.label.clone());
            verdict.ratio = (rt.point > 0.0).then(|| wt.point / rt.point);
            // Without intervals two candidates cannot be told apart.
            verdict.within_noise = match (wt.interval, rt.interval) {
                (Some([lower, _]), Some([_, upper])) => lower <= upper,
                _ => true,
            };
            verdict.scaling_differs = match (w.speedup_interval, r.speedup_interval, w.speedup, r.speedup) {
                (Some((wl, wh)), Some((rl, rh)), Some(ws), Some(rs)) if wh < rl || rh < wl => Some((ws, rs)),
                _ => None,
            };
        }
        let best_unsafe = candidates
            .iter()
            .filter(|c| c.standing == Standing::Unsafe)
            .filter_map(|c| Some((c, c.throughput?.point)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let wp = w.throughput.unwrap().point;
        if let Some((u, up)) = best_unsafe {
            if wp > 0.0 && up > wp {
                verdict.faster_unsafe = Some((u.label.clone(), up / wp));
            }
        }
    }
    verdict.collapses = ranked.iter().filter_map(|c| c.collapse.map(|k| (c.label.clone(), k.after))).collect();
    verdict.disqualified = candidates.iter().filter(|c| matches!(c.standing, Standing::Invalid | Standing::Failed)).count();

    Group { family, threads, candidates, verdict }
}

fn candidate(name: &str, modes: &Modes, mode: GilMode, threads: Option<usize>) -> Candidate {
    let any = modes.values().next().expect("at least one mode");
    let here = modes.get(&mode).copied();
    let meta = &here.unwrap_or(any).meta;
    let row = here.and_then(|w| threads.and_then(|t| w.rows.iter().find(|r| r.threads == t)));
    let mut c = Candidate {
        workload: name.to_string(),
        primitive: meta.primitive.clone(),
        label: String::new(),
        standing: Standing::NotMeasured,
        rank: None,
        throughput: row.and_then(|r| r.throughput),
        speedup: row.and_then(|r| r.speedup),
        speedup_interval: here.zip(row).and_then(|(w, r)| speedup_interval(w, r)),
        efficiency: row.and_then(|r| r.efficiency),
        ft_gain: None,
        lost_updates: row
            .map(|r| r.lost_updates)
            .or_else(|| modes.values().flat_map(|w| w.rows.iter().map(|r| r.lost_updates)).max())
            .unwrap_or(0),
        collapse: here.and_then(|w| collapse(&w.rows)),
        note: None,
    };
    // GIL-off / GIL-on at the compared count: the derived figure, or computed from both rows.
    if let Some(t) = threads {
        let valid = |m: GilMode| modes.get(&m).and_then(|w| w.rows.iter().find(|r| r.threads == t && r.is_valid()));
        c.ft_gain = valid(GilMode::Off).and_then(|r| r.ft_gain).or_else(|| {
            let (off, on) = (valid(GilMode::Off)?.throughput?.point, valid(GilMode::On)?.throughput?.point);
            (on > 0.0).then(|| off / on)
        });
        if modes.get(&GilMode::Off).is_some_and(|w| w.status == WorkloadStatus::GilReenabled) {
            c.ft_gain = None;
        }
    }

    // The workload's own status first.
    let Some(w) = here else {
        c.note = Some(format!("not run with {}", mode.label()));
        if let Some(other) = modes.values().find(|w| w.status == WorkloadStatus::Skipped) {
            c.standing = Standing::Skipped;
            c.note = other.reason.clone().or(c.note);
        }
        return c;
    };
    let reason = || w.reason.clone().filter(|r| !r.trim().is_empty());
    match w.status {
        WorkloadStatus::Skipped => {
            c.standing = Standing::Skipped;
            c.note = Some(reason().unwrap_or_else(|| format!("{} (no reason given)", w.status.label())));
            return c;
        }
        WorkloadStatus::Timeout | WorkloadStatus::Crashed | WorkloadStatus::Error => {
            c.standing = Standing::Failed;
            let what = w.status.label();
            c.note = Some(match reason() {
                Some(r) => format!("{what}: {r}"),
                None => what.to_string(),
            });
            return c;
        }
        WorkloadStatus::GilReenabled => {
            c.standing = Standing::GilReenabled;
            c.note = Some(reason().unwrap_or_else(|| "its import re-enabled the GIL: its GIL-off numbers are GIL-on numbers".into()));
            return c;
        }
        WorkloadStatus::Ran | WorkloadStatus::Interrupted => {}
    }

    // Unsynchronized baselines: shown, never ranked.
    if meta.unsynchronized {
        c.standing = Standing::Unsafe;
        let at = match (row, threads) {
            (Some(_), Some(t)) => format!(" at {}", format::threads(t)),
            _ => String::new(),
        };
        c.note = Some(if c.lost_updates > 0 {
            format!("unsynchronized, lost {} updates{at}", c.lost_updates)
        } else {
            "unsynchronized baseline (no lost updates observed, still unsafe)".into()
        });
        return c;
    }

    // A row that broke its invariant or raised, at any count, in any mode, disqualifies.
    let bad = modes
        .values()
        .flat_map(|w| w.rows.iter().map(move |r| (w.mode, r)))
        .filter(|(_, r)| matches!(r.status, RowStatus::Invalid | RowStatus::Error | RowStatus::LostUpdates))
        .min_by_key(|(m, r)| (*m != mode, r.threads));
    if let Some((m, r)) = bad {
        c.standing = Standing::Invalid;
        let what = r.status.label();
        let msg = r.message.as_deref().map(crate::text::first_line).filter(|s| !s.is_empty());
        c.note =
            Some(format!("{what} at {} ({}){}", format::threads(r.threads), m.label(), msg.map(|m| format!(": {m}")).unwrap_or_default()));
        return c;
    }

    match row {
        Some(r) if r.is_valid() => {
            c.standing = Standing::Ranked;
            if w.status == WorkloadStatus::Interrupted {
                c.note = Some("interrupted before its sweep finished".into());
            }
        }
        Some(_) => {
            c.note = Some(format!("no throughput at {}", format::threads(threads.unwrap_or(0))));
        }
        None => {
            c.note = Some(match (threads, w.status) {
                (_, WorkloadStatus::Interrupted) => "interrupted before this thread count".into(),
                (Some(t), _) => format!("not measured at {}", format::threads(t)),
                (None, _) => "no measurements".into(),
            });
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
