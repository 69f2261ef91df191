//! Timing one workload at one thread count: every round checked, figures collected, and the
//! timing itself done by criterion (`cargo bench`) or by a fixed number of rounds (tests, verify).

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Result;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use pyo3::prelude::*;

use crate::probes::{contention, spread, CoreSampler, Rusage};
use crate::results::{Estimate, GilMode, RowStatus, ThreadRow};
use crate::runner::{Pool, Round};
use crate::workload::{Verdict, Workload};

/// How rounds are timed.
pub enum Timing<'c> {
    /// Criterion decides how many rounds and computes the estimate.
    Criterion { c: &'c mut Criterion, home: PathBuf },
    /// Exactly `rounds` rounds; the estimate is their mean with a normal-approximation interval.
    Rounds(u64),
}

/// Everything learnt from the rounds of one benchmark.
#[derive(Default)]
struct Tally {
    rounds: u64,
    broken_rounds: u64,
    lost_updates: u64,
    message: Option<String>,
    status: Option<RowStatus>,
    usage: Rusage,
    wall: f64,
    spreads: Vec<f64>,
    skews: Vec<f64>,
    times: Vec<f64>,
}

/// Thrown through criterion to stop a benchmark whose round failed.
struct Abort;

impl Tally {
    /// Records one round. Returns false when measuring must stop (the row is invalid or errored).
    fn record(&mut self, round: &Round, w: &Workload, mode: GilMode, threads: usize) -> bool {
        self.rounds += 1;
        self.usage.add(&round.usage);
        self.wall += round.elapsed.as_secs_f64();
        self.spreads.push(spread(&round.per_thread));
        self.skews.push(round.start_skew.as_secs_f64());
        self.times.push(round.elapsed.as_secs_f64());
        if let Some((i, tb)) = &round.worker_error {
            return self.fail(RowStatus::Error, format!("worker {i} of {threads} threads raised:\n{tb}"));
        }
        if round.gil_enabled != mode.enabled() {
            let now = if round.gil_enabled { "on" } else { "off" };
            return self.fail(RowStatus::Error, format!("the GIL was {now} after a round of a {mode} run"));
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

    fn row(self, threads: usize, ops: u64, throughput: Option<Estimate>, cores: Option<crate::results::CoreUsage>) -> ThreadRow {
        let status = self.status.unwrap_or(if self.broken_rounds > 0 { RowStatus::LostUpdates } else { RowStatus::Ok });
        let total_ops = self.rounds * threads as u64 * ops;
        ThreadRow {
            threads,
            ops_per_thread: ops,
            rounds: self.rounds,
            status,
            message: self.message,
            broken_rounds: self.broken_rounds,
            lost_updates: self.lost_updates,
            throughput: if status == RowStatus::Ok || status == RowStatus::LostUpdates { throughput } else { None },
            speedup: None,
            efficiency: None,
            ft_gain: None,
            cores,
            contention: Some(contention(&self.usage, self.wall, threads, total_ops, &self.spreads, &self.skews)),
        }
    }
}

/// Measures `w` on `pool` with `ops` per thread. The row says what happened, including failures.
pub fn benchmark(
    py: Python<'_>,
    timing: &mut Timing<'_>,
    pool: &Pool,
    w: &Workload,
    mode: GilMode,
    ops: u64,
    limit: Duration,
) -> Result<ThreadRow> {
    let threads = pool.threads();
    let mut tally = Tally::default();
    let sampler = CoreSampler::start();
    let mut failure: Option<anyhow::Error> = None;
    let mut run = |tally: &mut Tally| -> Option<Duration> {
        match pool.watched_round(py, w, ops, limit) {
            Ok(round) => tally.record(&round, w, mode, threads).then_some(round.elapsed),
            Err(e) => {
                failure = Some(e);
                None
            }
        }
    };
    let estimate = match timing {
        Timing::Rounds(n) => {
            for _ in 0..*n {
                if run(&mut tally).is_none() {
                    break;
                }
            }
            mean_estimate(&tally.times, (threads as u64 * ops) as f64)
        }
        Timing::Criterion { c, home } => {
            let group_name = group_name(&w.name, mode);
            let started = SystemTime::now();
            let mut group = c.benchmark_group(&group_name);
            group.sampling_mode(SamplingMode::Flat).throughput(Throughput::Elements(threads as u64 * ops));
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                group.bench_function(BenchmarkId::from_parameter(threads), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            // Never return a made-up time: a failed round stops the benchmark.
                            total += run(&mut tally).unwrap_or_else(|| resume_unwind(Box::new(Abort)));
                        }
                        total
                    })
                });
            }));
            group.finish();
            if let Err(payload) = outcome {
                if !payload.is::<Abort>() {
                    resume_unwind(payload);
                }
            }
            read_estimate(home, &group_name, threads, (threads as u64 * ops) as f64, started)
        }
    };
    let cores = sampler.stop();
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(tally.row(threads, ops, estimate, cores))
}

/// Criterion group of one workload in one GIL mode: `lock_counter.gil-off`.
pub fn group_name(workload: &str, mode: GilMode) -> String {
    format!("{workload}.{mode}")
}

/// Criterion's estimate of the time per round (mean and its confidence interval), as ops/s.
/// Only a file written since `since` counts: criterion's test mode and `--discard-baseline`
/// write none, and an older one belongs to an earlier run.
fn read_estimate(home: &Path, group: &str, threads: usize, ops_per_round: f64, since: SystemTime) -> Option<Estimate> {
    let file = home.join(group).join(threads.to_string()).join("new").join("estimates.json");
    let modified = std::fs::metadata(&file).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
    let mean = &v["mean"];
    let ci = &mean["confidence_interval"];
    let ns = |x: &serde_json::Value| x.as_f64().filter(|v| *v > 0.0);
    Some(Estimate {
        point: ops_per_round / (ns(&mean["point_estimate"])? * 1e-9),
        lower: ops_per_round / (ns(&ci["upper_bound"])? * 1e-9),
        upper: ops_per_round / (ns(&ci["lower_bound"])? * 1e-9),
        confidence_level: ci["confidence_level"].as_f64().unwrap_or(0.95),
    })
}

/// Mean round time with a 95 % normal-approximation interval, as ops/s.
fn mean_estimate(times: &[f64], ops_per_round: f64) -> Option<Estimate> {
    let n = times.len() as f64;
    if times.is_empty() {
        return None;
    }
    let mean = times.iter().sum::<f64>() / n;
    let var = if n > 1.0 { times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    let half = 1.96 * (var / n).sqrt();
    Some(Estimate {
        point: ops_per_round / mean,
        lower: ops_per_round / (mean + half),
        upper: ops_per_round / (mean - half).max(mean * 1e-3),
        confidence_level: 0.95,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_older_than_the_benchmark_are_ignored() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("g.gil-off/2/new");
        std::fs::create_dir_all(&dir).unwrap();
        let json = r#"{"mean":{"point_estimate":1e6,"confidence_interval":{"confidence_level":0.95,"lower_bound":9e5,"upper_bound":1.1e6}}}"#;
        std::fs::write(dir.join("estimates.json"), json).unwrap();
        let before = SystemTime::now() - Duration::from_secs(60);
        let e = read_estimate(home.path(), "g.gil-off", 2, 1000.0, before).unwrap();
        assert!((e.point - 1e6).abs() < 1e-6, "1000 ops per 1 ms round");
        assert!(e.lower < e.point && e.point < e.upper);
        let after = SystemTime::now() + Duration::from_secs(60);
        assert!(read_estimate(home.path(), "g.gil-off", 2, 1000.0, after).is_none(), "a stale file from an earlier run");
    }

    #[test]
    fn mean_estimate_brackets_the_point() {
        let e = mean_estimate(&[0.010, 0.011, 0.009, 0.010], 1000.0).unwrap();
        assert!((e.point - 100_000.0).abs() < 1e-6);
        assert!(e.lower < e.point && e.point < e.upper);
        assert!(mean_estimate(&[], 1.0).is_none());
    }
}
