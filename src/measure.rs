//! One pass of one benchmark (a workload at one thread count): verified warm-up, timed rounds
//! between two canaries, the machine's counters over exactly those rounds, and one re-measurement
//! when the machine was disturbed. Every round is verified, warm-up included.
//!
//! A pass yields one [`PassSample`]; intervals come from the spread between passes, which the
//! parent runs in fresh child processes (see `sweep`), never from rounds of one process.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use pyo3::prelude::*;

use crate::counters::MachineTally;
use crate::embedding::{harness, py_error};
use crate::probes::{contention, spread, Rusage};
use crate::results::{GilMode, PassSample, RowStatus, ThreadRow};
use crate::runner::{Pool, Round};
use crate::workload::{Verdict, Workload};

/// How the rounds of one pass are timed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Timing {
    /// Verified warm-up for `warm_up`, then timed rounds until both `measurement` and `min_rounds`.
    Timed { warm_up: Duration, measurement: Duration, min_rounds: u64 },
    /// Exactly this many timed rounds, no warm-up.
    Rounds(u64),
}

/// Iterations of the canary loop: about 10 ms on a 2026 laptop core.
const CANARY_STEPS: u64 = 60_000;

/// A pass counts as disturbed past any of these: hypervisor steal, other processes' load (both as
/// fractions of the machine's capacity during the rounds), and the canary's change across the pass.
const MAX_STEAL: f64 = 0.05;
const MAX_OTHER_LOAD: f64 = 0.15;
const MAX_CANARY_CHANGE: f64 = 0.10;

/// What every round of a pass showed about correctness.
#[derive(Default)]
struct Checks {
    broken_rounds: u64,
    lost_updates: u64,
    message: Option<String>,
    status: Option<RowStatus>,
}

impl Checks {
    /// Records one round's verdict. Returns false when measuring must stop (invalid or errored).
    fn record(&mut self, round: &Round, w: &Workload, mode: GilMode, threads: usize) -> bool {
        if let Some(error) = round.error(mode, threads) {
            return self.fail(RowStatus::Error, error);
        }
        if let Verdict::Broken { message, lost_updates } = &round.verdict {
            self.broken_rounds += 1;
            self.lost_updates += lost_updates.unwrap_or(0);
            self.message.get_or_insert_with(|| message.clone());
            if !w.meta.unsynchronized {
                return self.fail(RowStatus::Invalid, message.clone());
            }
        }
        true
    }

    fn fail(&mut self, status: RowStatus, message: String) -> bool {
        self.status = Some(status);
        self.message = Some(message);
        false
    }

    fn status(&self) -> RowStatus {
        self.status.unwrap_or(if self.broken_rounds > 0 { RowStatus::LostUpdates } else { RowStatus::Ok })
    }
}

/// The timed rounds of one attempt.
#[derive(Default)]
struct Timed {
    times: Vec<f64>,
    usage: Rusage,
    spreads: Vec<f64>,
    skews: Vec<f64>,
    machine: MachineTally,
}

impl Timed {
    fn add(&mut self, round: &Round) {
        self.times.push(round.elapsed.as_secs_f64());
        self.usage.add(&round.usage);
        self.spreads.push(spread(&round.per_thread));
        self.skews.push(round.start_skew.as_secs_f64());
        let (before, after) = round.machine.as_ref().map(|(b, a)| (b, a)).unzip();
        self.machine.add(before, after, &round.process, round.elapsed);
    }

    fn wall(&self) -> f64 {
        self.times.iter().sum()
    }

    /// The fastest round's time, in seconds.
    fn fastest(&self) -> Option<f64> {
        self.times.iter().copied().filter(|t| *t > 0.0).reduce(f64::min)
    }
}

/// One benchmark pass: its rounds, checks and probes.
pub struct Pass<'a> {
    pub pool: &'a Pool,
    pub workload: &'a Workload,
    pub mode: GilMode,
    pub ops: u64,
    /// Per-round deadlock limit.
    pub limit: Duration,
    pub pass: usize,
}

impl Pass<'_> {
    /// Measures the pass; the row says what happened, including failures.
    pub fn run(&self, py: Python<'_>, timing: Timing) -> Result<ThreadRow> {
        let mut checks = Checks::default();
        if let Timing::Timed { warm_up, .. } = timing {
            if !self.rounds_for(py, &mut checks, warm_up, 1, None)? {
                return Ok(self.row(checks, None));
            }
        }
        let (mut sample, mut timed) = self.attempt(py, &mut checks, timing)?;
        if sample.as_ref().is_some_and(|s| !s.quiet()) {
            let (again, timed_again) = self.attempt(py, &mut checks, timing)?;
            if let Some(mut again) = again {
                again.remeasured = true;
                (sample, timed) = (Some(again), timed_again);
            }
        }
        let mut row = self.row(checks, sample);
        row.cores = timed.machine.cores();
        let total_ops = timed.times.len() as u64 * self.units_per_round();
        let threads = self.pool.threads();
        row.contention = Some(contention(&timed.usage, timed.wall(), threads, total_ops, &timed.spreads, &timed.skews));
        Ok(row)
    }

    /// Timed rounds between two canaries. `None` when a round failed (the checks say why).
    fn attempt(&self, py: Python<'_>, checks: &mut Checks, timing: Timing) -> Result<(Option<PassSample>, Timed)> {
        let (measurement, min_rounds) = match timing {
            Timing::Timed { measurement, min_rounds, .. } => (measurement, min_rounds),
            Timing::Rounds(n) => (Duration::ZERO, n),
        };
        let canary_before = canary(py, self.pool)?;
        let mut timed = Timed::default();
        if !self.rounds_for(py, checks, measurement, min_rounds, Some(&mut timed))? || timed.times.is_empty() {
            return Ok((None, timed));
        }
        let canary_after = canary(py, self.pool)?;
        let mut sample = PassSample {
            pass: self.pass,
            throughput: timed.times.len() as f64 * self.units_per_round() as f64 / timed.wall(),
            fastest_round: timed.fastest().map(|t| self.units_per_round() as f64 / t),
            rounds: timed.times.len() as u64,
            canary_before: Some(canary_before),
            canary_after: Some(canary_after),
            steal: timed.machine.steal(),
            other_load: timed.machine.other_load(),
            disturbed: None,
            remeasured: false,
            control: None,
            control_failed: None,
            hash_seed: None,
        };
        sample.disturbed = disturbance(&sample);
        Ok((Some(sample), timed))
    }

    /// Runs verified rounds until `duration` has passed and at least `min_rounds` ran; times them
    /// into `timed` when given. Returns false when a round failed.
    fn rounds_for(
        &self,
        py: Python<'_>,
        checks: &mut Checks,
        duration: Duration,
        min_rounds: u64,
        mut timed: Option<&mut Timed>,
    ) -> Result<bool> {
        let start = Instant::now();
        let mut n = 0;
        while n < min_rounds || start.elapsed() < duration {
            let round = self.pool.watched_round(py, self.workload, self.ops, self.limit)?;
            n += 1;
            if !checks.record(&round, self.workload, self.mode, self.pool.threads()) {
                return Ok(false);
            }
            if let Some(t) = timed.as_deref_mut() {
                t.add(&round);
            }
        }
        Ok(true)
    }

    fn units_per_round(&self) -> u64 {
        self.pool.threads() as u64 * self.ops
    }

    fn row(&self, checks: Checks, sample: Option<PassSample>) -> ThreadRow {
        let status = checks.status();
        let kept = matches!(status, RowStatus::Ok | RowStatus::LostUpdates);
        ThreadRow {
            status,
            message: checks.message,
            broken_rounds: checks.broken_rounds,
            lost_updates: checks.lost_updates,
            ..ThreadRow::new(self.pool.threads(), self.ops, sample.into_iter().filter(|_| kept).collect())
        }
    }
}

/// Why the machine counts as disturbed during a pass, if it does.
pub fn disturbance(s: &PassSample) -> Option<String> {
    let mut why = Vec::new();
    if let Some(steal) = s.steal.filter(|v| *v > MAX_STEAL) {
        why.push(format!("{:.0} % of CPU time stolen by the hypervisor", steal * 100.0));
    }
    if let Some(load) = s.other_load.filter(|v| *v > MAX_OTHER_LOAD) {
        why.push(format!("other processes used {:.0} % of the machine", load * 100.0));
    }
    if let (Some(a), Some(b)) = (s.canary_before, s.canary_after) {
        let change = b / a - 1.0;
        if change.abs() > MAX_CANARY_CHANGE {
            why.push(format!("the canary moved {:+.0} % across the pass", change * 100.0));
        }
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// The canary: a fixed pure-Python loop, as iterations per second. It runs between the rounds on
/// worker thread 0, the thread that runs a 1-thread row: a shared VM slows one vCPU at a time (for
/// 0.2-2 s), and a canary on the calling thread measured the other vCPU as often as not.
pub fn canary(py: Python<'_>, pool: &Pool) -> Result<f64> {
    let function = harness(py)?.getattr("canary").map_err(|e| py_error(py, e))?;
    let elapsed = pool.time_on_first_worker(py, &function, CANARY_STEPS).context("the canary")?;
    Ok(CANARY_STEPS as f64 / elapsed.as_secs_f64().max(1e-9))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(steal: f64, other: f64, before: f64, after: f64) -> PassSample {
        PassSample {
            steal: Some(steal),
            other_load: Some(other),
            canary_before: Some(before),
            canary_after: Some(after),
            ..Default::default()
        }
    }

    #[test]
    fn the_fastest_round_is_the_shortest_timed_one() {
        let timed = Timed { times: vec![0.02, 0.01, 0.04], ..Default::default() };
        assert_eq!(timed.fastest(), Some(0.01));
        assert_eq!(Timed::default().fastest(), None, "no rounds, no fastest round");
    }

    #[test]
    fn a_quiet_pass_is_not_disturbed() {
        assert_eq!(disturbance(&sample(0.01, 0.02, 100.0, 103.0)), None);
        assert_eq!(disturbance(&PassSample::default()), None, "no counters: nothing to hold against it");
    }

    #[test]
    fn each_kind_of_disturbance_is_named() {
        assert!(disturbance(&sample(0.2, 0.0, 100.0, 100.0)).unwrap().contains("20 % of CPU time stolen"));
        assert!(disturbance(&sample(0.0, 0.5, 100.0, 100.0)).unwrap().contains("other processes used 50 %"));
        assert!(disturbance(&sample(0.0, 0.0, 100.0, 80.0)).unwrap().contains("canary moved -20 %"));
    }
}
