//! The decision rule (docs/choosing.md): one decision per group, from its candidates' figures and
//! their 95 % intervals, with the comparisons it rests on kept as its reasons.
//!
//! At the group's thread count N (the core count), in the selection's mode:
//! - **threads do not pay here** when the best at N is not faster, beyond noise, than the best at
//!   1 thread (not judged where the candidates coordinate threads rather than do work, without
//!   intervals, or without a 1-thread figure);
//! - else **use X** when X beats every other candidate beyond noise, **it depends** when the best
//!   ties (the condition: a crossover, when the 1-thread winner is another candidate), and
//!   **only X** when there is one candidate;
//! - **the GIL build wins here** (a note to any of them) when the best GIL-on figure at N beats the
//!   best GIL-off one beyond noise;
//! - **avoid Y** only when Y is slower than the best at N beyond noise, or unsafe (loses updates,
//!   re-enables the GIL, broke its invariant).
//!
//! "Beyond noise": the two 95 % intervals do not overlap; for one candidate against itself (its
//! speedup, its FT gain) the ratio's own interval, from its per-pass ratios, lies wholly beyond 1.

use crate::results::{Estimate, GilMode};

use super::{Candidate, Standing};

/// What the group's answer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The best beats every other candidate beyond noise at N.
    Use,
    /// The best ties with another at N: which to take depends (on the thread count, when the
    /// decision has a crossover).
    Depends,
    /// The best at N is not faster, beyond noise, than the best at 1 thread.
    ThreadsDoNotPay,
    /// One candidate only: nothing to choose between.
    Only,
    /// The candidates do different jobs: each is described, none ranked.
    Described,
    /// No candidate ranked (skipped, failed, invalid or unsafe ones only).
    Nothing,
}

impl Kind {
    /// The words the report, the fleet and the README use for it.
    pub fn words(self) -> &'static str {
        match self {
            Kind::Use => "use",
            Kind::Depends => "it depends",
            Kind::ThreadsDoNotPay => "threads do not pay here",
            Kind::Only => "only",
            Kind::Described => "different jobs, not ranked",
            Kind::Nothing => "nothing to recommend",
        }
    }
}

/// One figure a decision compared: a candidate's throughput at a thread count in a mode.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub workload: String,
    pub threads: usize,
    pub mode: GilMode,
    pub estimate: Estimate,
}

/// A reason: figure `a` against figure `b`, and whether `a` is faster beyond noise.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub a: Figure,
    pub b: Figure,
    pub beyond_noise: bool,
    /// When `a` and `b` are one candidate: the interval of a / b from its per-pass ratios, which
    /// decided instead of the two intervals.
    pub paired: Option<[f64; 2]>,
}

impl Comparison {
    /// a / b.
    pub fn ratio(&self) -> f64 {
        self.a.estimate.point / self.b.estimate.point
    }
}

/// The 1-thread winner is another candidate than the winner at N: who wins from which count.
#[derive(Clone, Debug, PartialEq)]
pub struct Crossover {
    /// The fastest at 1 thread.
    pub one: String,
    /// The fastest at N, and the first measured count from which it is ahead of `one`.
    pub winner: String,
    pub from: usize,
}

/// Why a candidate is to be avoided.
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    /// Slower than the best at N beyond noise.
    Slower,
    /// An unsynchronized baseline: lost this many updates (0: none seen, still unsafe).
    Unsafe(u64),
    ReenablesGil,
    BrokeInvariant,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub kind: Kind,
    /// The thread count compared (N).
    pub threads: Option<usize>,
    /// The best at N and every candidate it does not beat beyond noise, best first (workloads).
    pub top: Vec<String>,
    /// The best at N against the second best: beyond noise, or a tie.
    pub runner_up: Option<Comparison>,
    /// The best at N against the best at 1 thread: `beyond_noise` is "threads pay".
    pub one_thread: Option<Comparison>,
    /// The best GIL-on figure at N against the best GIL-off one (GIL-off selections):
    /// `beyond_noise` is "the GIL build wins here".
    pub gil_build: Option<Comparison>,
    pub crossover: Option<Crossover>,
    /// What not to use, and why, in the group's order.
    pub avoid: Vec<(String, Why)>,
    /// Ranked candidates that collapse: (workload, thread count past which).
    pub collapses: Vec<(String, usize)>,
    /// The fastest unsafe baseline when it beats the best: (workload, its throughput / the best's).
    pub faster_unsafe: Option<(String, f64)>,
    /// Candidates not ranked because they are invalid or failed.
    pub disqualified: usize,
}

impl Decision {
    /// The best at N.
    pub fn winner(&self) -> Option<&str> {
        self.top.first().map(String::as_str)
    }

    /// The thread count every ranked candidate collapses past, when they all collapse there
    /// (said once for the group).
    pub fn shared_collapse(&self, ranked: usize) -> Option<usize> {
        let first = self.collapses.first()?.1;
        (ranked > 1 && self.collapses.len() == ranked && self.collapses.iter().all(|(_, t)| *t == first)).then_some(first)
    }

    /// The GIL build wins here.
    pub fn gil_wins(&self) -> bool {
        self.gil_build.as_ref().is_some_and(|c| c.beyond_noise)
    }
}

/// `a` is faster than `b` beyond noise: their intervals do not overlap (never without both).
pub fn beyond_noise(a: &Estimate, b: &Estimate) -> bool {
    matches!((a.interval, b.interval), (Some([lower, _]), Some([_, upper])) if lower > upper)
}

/// Among the ranked candidates `keep` accepts, the best at N and those it does not beat beyond
/// noise, best first: the group's top set, as the fleet compares it across machines.
pub fn top(candidates: &[Candidate], keep: impl Fn(&Candidate) -> bool) -> Vec<&Candidate> {
    let ranked: Vec<&Candidate> = candidates.iter().filter(|c| c.standing == Standing::Ranked && keep(c)).collect();
    let Some(best) = ranked.first().and_then(|c| c.throughput) else { return Vec::new() };
    ranked.into_iter().filter(|c| c.throughput.is_some_and(|t| !beyond_noise(&best, &t))).collect()
}

/// What the rule needs to know about the group besides its candidates.
pub(super) struct Context {
    pub threads: Option<usize>,
    pub mode: GilMode,
    /// Its candidates do different jobs: described, not ranked.
    pub described: bool,
    /// Whether "threads do not pay" is judged (not where candidates coordinate threads).
    pub judge_threads: bool,
}

/// The group's decision. `candidates` are in the group's order: ranked ones first, best first.
pub(super) fn decide(candidates: &[Candidate], cx: &Context) -> Decision {
    let ranked: Vec<&Candidate> = candidates.iter().filter(|c| c.standing == Standing::Ranked).collect();
    let top_set = top(candidates, |_| true);
    let figure =
        |c: &Candidate, threads: usize, mode: GilMode, estimate: Estimate| Figure { workload: c.workload.clone(), threads, mode, estimate };
    let at_n = |c: &Candidate| Some(figure(c, cx.threads?, cx.mode, c.throughput?));
    let winner = ranked.first().copied();
    let runner_up = winner.zip(ranked.get(1)).and_then(|(w, r)| {
        let (a, b) = (at_n(w)?, at_n(r)?);
        Some(Comparison { beyond_noise: beyond_noise(&a.estimate, &b.estimate), a, b, paired: None })
    });
    let best_one = ranked.iter().filter_map(|c| Some((*c, c.at(1)?))).max_by(|a, b| a.1.point.total_cmp(&b.1.point));
    let one_thread = winner.zip(best_one).filter(|_| cx.judge_threads && cx.threads.is_some_and(|n| n > 1)).and_then(|(w, (o, one))| {
        let (a, b) = (at_n(w)?, figure(o, 1, cx.mode, one));
        let paired = w.speedup_interval.filter(|_| w.workload == o.workload && w.base_threads == Some(1));
        let beyond = paired.map_or(beyond_noise(&a.estimate, &b.estimate), |[lower, _]| lower > 1.0);
        // Without intervals nothing is known either way: not judged.
        (a.estimate.interval.is_some() && b.estimate.interval.is_some()).then_some(Comparison { a, b, beyond_noise: beyond, paired })
    });
    let kind = match winner {
        None => Kind::Nothing,
        Some(_) if cx.described => Kind::Described,
        Some(_) if one_thread.as_ref().is_some_and(|c| !c.beyond_noise) => Kind::ThreadsDoNotPay,
        Some(_) if ranked.len() == 1 => Kind::Only,
        Some(_) if top_set.len() > 1 => Kind::Depends,
        Some(_) => Kind::Use,
    };
    let crossover = winner.zip(best_one).filter(|(w, (o, _))| w.workload != o.workload && !cx.described).map(|(w, (o, _))| {
        let ahead = w.curve.iter().find(|(t, e)| o.at(*t).is_some_and(|x| e.point > x.point)).map(|(t, _)| *t);
        Crossover { one: o.workload.clone(), winner: w.workload.clone(), from: ahead.or(cx.threads).unwrap_or(1) }
    });
    let avoid = candidates
        .iter()
        .filter_map(|c| {
            let why = match c.standing {
                Standing::Ranked if !cx.described && !top_set.iter().any(|t| t.workload == c.workload) => Why::Slower,
                Standing::Unsafe => Why::Unsafe(c.lost_updates),
                Standing::GilReenabled => Why::ReenablesGil,
                Standing::Invalid => Why::BrokeInvariant,
                _ => return None,
            };
            Some((c.workload.clone(), why))
        })
        .collect();
    let best_unsafe = candidates
        .iter()
        .filter(|c| c.standing == Standing::Unsafe)
        .filter_map(|c| Some((c, c.throughput?.point)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let faster_unsafe = winner
        .and_then(|w| w.throughput)
        .zip(best_unsafe)
        .and_then(|(w, (u, up))| (w.point > 0.0 && up > w.point).then(|| (u.workload.clone(), up / w.point)));
    Decision {
        kind,
        threads: cx.threads,
        top: top_set.iter().map(|c| c.workload.clone()).collect(),
        runner_up,
        one_thread,
        gil_build: winner.filter(|_| cx.mode == GilMode::Off).and_then(|w| gil_build(candidates, w, cx)),
        crossover,
        avoid,
        collapses: ranked.iter().filter_map(|c| c.collapse.map(|k| (c.workload.clone(), k.after))).collect(),
        faster_unsafe,
        disqualified: candidates.iter().filter(|c| matches!(c.standing, Standing::Invalid | Standing::Failed)).count(),
    }
}

/// The best GIL-on figure at N (of a candidate safe in the GIL build) against the best GIL-off one.
fn gil_build(candidates: &[Candidate], winner: &Candidate, cx: &Context) -> Option<Comparison> {
    let n = cx.threads?;
    let (on, on_estimate) = candidates
        .iter()
        .filter(|c| matches!(c.standing, Standing::Ranked | Standing::GilReenabled))
        .filter_map(|c| Some((c, c.gil_on?)))
        .max_by(|a, b| a.1.point.total_cmp(&b.1.point))?;
    let off = Figure { workload: winner.workload.clone(), threads: n, mode: GilMode::Off, estimate: winner.throughput? };
    let a = Figure { workload: on.workload.clone(), threads: n, mode: GilMode::On, estimate: on_estimate };
    // One candidate against itself: its FT gain's interval (GIL off over on) wholly below 1.
    let paired = winner.ft_gain_interval.filter(|_| on.workload == winner.workload).map(|[lo, hi]| [1.0 / hi, 1.0 / lo]);
    let beyond = paired.map_or(beyond_noise(&a.estimate, &off.estimate), |[lower, _]| lower > 1.0);
    Some(Comparison { a, b: off, beyond_noise: beyond, paired })
}
