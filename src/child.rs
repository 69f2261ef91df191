//! The child process: one workload in one GIL mode, isolated so that its GIL-re-enabling import,
//! crash or deadlock cannot touch the others. It asserts its GIL mode, measures every thread count
//! and writes a [`ChildRecord`] after each one, so a later crash loses nothing already measured.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use pyo3::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{CodeContext, Driver, Settings};
use crate::embedding::{self, harness, py_error};
use crate::measure::{Pass, Timing};
use crate::results::{DriverControl, GilMode, InterpreterFacts, RowStatus, ThreadRow, WorkloadMeta, WorkloadResult, WorkloadStatus};
use crate::runner::{calibrate, Pool, Round};
use crate::workload::{name_of, Verdict, Workload};

/// Names the file holding a [`ChildSpec`]; its presence makes a binary act as a child.
pub const CHILD_ENV: &str = "FTBENCH_CHILD";

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ChildSpec {
    pub workload: PathBuf,
    pub mode: GilMode,
    pub settings: Settings,
    pub timing: ChildTiming,
    /// Which pass of the run this child measures (0-based).
    pub pass: usize,
    /// How far the run has got, for the progress lines: "3/9, ~4 min left".
    #[serde(default)]
    pub progress: String,
    /// Ops per thread by thread count, fixed by the first pass so every pass does the same work;
    /// a thread count missing here is calibrated.
    pub ops: BTreeMap<usize, u64>,
    /// Where to write the record.
    pub record: PathBuf,
    /// Measure throughput with the probes on vs off (GIL off, 1 thread and cores).
    pub calibrate_probes: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub enum ChildTiming {
    /// `cargo bench`: warm-up, then timed rounds for the configured time (see `Settings`).
    Timed,
    /// `cargo test --benches`: one small round per benchmark, to prove the pipeline.
    Smoke,
    /// A fixed number of rounds; `ops` per thread, or calibrated when `None`.
    Rounds { rounds: u64, ops: Option<u64> },
}

/// What a child hands back to the parent.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ChildRecord {
    pub interpreter: Option<InterpreterFacts>,
    pub result: WorkloadResult,
    pub probe_ratio: BTreeMap<usize, f64>,
}

/// Ops per thread in smoke runs: enough to exercise every role, small enough to be instant.
const SMOKE_OPS: u64 = 64;
const MAX_OPS: u64 = 1 << 32;

/// If this process was started as a child (or as `ab`'s library check, which must start as the
/// measuring children do), runs it and returns the exit code.
pub fn run_if_child() -> Option<i32> {
    crate::supervise::child_main(CHILD_ENV, "ftbench child", |spec: ChildSpec| run(&spec)).or_else(crate::ab::run_if_child)
}

/// An empty result for `path` in `mode` with the given status; the parent uses it too.
pub fn blank_result(path: &Path, mode: GilMode, status: WorkloadStatus, reason: Option<String>) -> WorkloadResult {
    WorkloadResult {
        workload: name_of(path),
        mode,
        meta: WorkloadMeta { file: path.display().to_string(), ..Default::default() },
        status,
        reason,
        evidence: None,
        gil_enabled_observed: None,
        rows: Vec::new(),
        file_crc32: None,
        failed_at: None,
    }
}

/// Splits an error into a one-line reason and the full text as evidence.
pub fn reason_and_evidence(e: &anyhow::Error) -> (String, String) {
    let full = format!("{e:#}");
    let first = full.lines().next().unwrap_or_default().to_string();
    (first, full)
}

pub fn run(spec: &ChildSpec) -> Result<()> {
    let mut record = ChildRecord {
        interpreter: None,
        result: blank_result(&spec.workload, spec.mode, WorkloadStatus::Error, None),
        probe_ratio: BTreeMap::new(),
    };
    if let Err(e) = measure_all(spec, &mut record) {
        let (reason, evidence) = reason_and_evidence(&e);
        record.result.status = WorkloadStatus::Error;
        record.result.reason = Some(reason);
        record.result.evidence = Some(evidence);
    }
    save(spec, &record)
}

fn save(spec: &ChildSpec, record: &ChildRecord) -> Result<()> {
    crate::supervise::write_record(&spec.record, record)
}

fn measure_all(spec: &ChildSpec, record: &mut ChildRecord) -> Result<()> {
    let facts = embedding::initialize(spec.mode)?;
    record.interpreter = Some(facts);
    Python::attach(|py| {
        harness(py)?.call_method0("enable_crash_traces").map_err(|e| py_error(py, e))?;
        let w = Workload::load_as(py, &spec.workload, spec.settings.code)?;
        record.result.meta = w.meta.clone();
        let skip = w.skip_reason(py)?;
        if let Some(interp) = record.interpreter.as_mut() {
            interp.packages = package_versions(py, &w.meta.packages);
        }
        let gil_now = embedding::gil_enabled(py)?;
        record.result.gil_enabled_observed = Some(gil_now);
        if let Some(reason) = skip {
            record.result.status = WorkloadStatus::Skipped;
            record.result.reason = Some(reason);
            return Ok(());
        }
        if gil_now && !spec.mode.enabled() {
            record.result.status = WorkloadStatus::GilReenabled;
            record.result.reason = Some(gil_culprit(&w));
            return Ok(());
        }
        record.result.status = WorkloadStatus::Ran;
        let min_threads = w.meta.min_threads.max(1);
        for &threads in spec.settings.threads.iter().filter(|t| **t >= min_threads) {
            let row = measure_threads(py, spec, &w, threads)?;
            print_progress(&w.name, spec.mode, &spec.progress, &row);
            record.result.rows.push(row);
            save(spec, record)?;
        }
        if controlled(spec, &w) {
            driver_control(py, spec, &w, record);
        }
        if spec.mode == GilMode::Off && spec.calibrate_probes {
            calibrate_probes(py, spec, &w, record)?;
        }
        Ok(())
    })
}

fn measure_threads(py: Python<'_>, spec: &ChildSpec, w: &Workload, threads: usize) -> Result<ThreadRow> {
    let pool = Pool::for_workload(py, w, threads, spec.settings.driver)?;
    let settings = &spec.settings;
    let floor = settings.round_limit(Duration::ZERO);
    let ops = match (spec.timing, spec.ops.get(&threads)) {
        (ChildTiming::Smoke, _) => SMOKE_OPS,
        (ChildTiming::Rounds { ops: Some(ops), .. }, _) => ops,
        (_, Some(&ops)) => ops,
        _ => calibrate(py, &pool, w, settings.round_target, MAX_OPS, floor)
            .with_context(|| format!("{}: calibrating ops at {threads} threads", w.path.display()))?,
    };
    // The deadlock limit follows from how long a calibrated round (with setup and verify) takes.
    let probe = Instant::now();
    pool.watched_round(py, w, ops, floor)?;
    let limit = settings.round_limit(probe.elapsed());
    let timing = match spec.timing {
        ChildTiming::Timed => {
            Timing::Timed { warm_up: settings.warm_up, measurement: settings.measurement, min_rounds: settings.min_rounds }
        }
        ChildTiming::Smoke => Timing::Rounds(1),
        ChildTiming::Rounds { rounds, .. } => Timing::Rounds(rounds),
    };
    Pass { pool: &pool, workload: w, mode: spec.mode, ops, limit, pass: spec.pass }.run(py, timing)
}

fn package_versions(py: Python<'_>, packages: &[String]) -> std::collections::BTreeMap<String, String> {
    harness(py)
        .ok()
        .and_then(|h| h.call_method1("package_versions", (packages.to_vec(),)).ok())
        .and_then(|v| v.extract().ok())
        .unwrap_or_default()
}

fn gil_culprit(w: &Workload) -> String {
    if w.meta.packages.is_empty() {
        format!("importing {} re-enabled the GIL (an extension it imports does not declare free-threading support)", w.path.display())
    } else {
        format!(
            "importing {} (packages: {}) re-enabled the GIL: an extension does not declare free-threading support; \
             see `ftbench doctor --import MODULE`",
            w.name,
            w.meta.packages.join(", ")
        )
    }
}

fn print_progress(name: &str, mode: GilMode, progress: &str, row: &ThreadRow) {
    let thr = row.passes.first().map(|p| crate::report::format::ops(p.throughput)).unwrap_or_else(|| "-".into());
    let mut status = row.status.label().to_string();
    if row.lost_updates > 0 {
        status = format!("{status} ({})", row.lost_updates);
    }
    if let Some(why) = row.passes.first().and_then(|p| p.disturbed.as_ref()) {
        status = format!("{status}, disturbed: {why}");
    }
    println!("ftbench: pass {progress:<5} {name:<28} {mode:<7} t={:<3} {thr:>14}  [{status}]", row.threads);
}

/// The workloads whose rows every run measures against the pure-Python driver (GIL off): the
/// reference CPU unit, the classic lock, and CPython's interpreter loops.
const ALWAYS_CONTROLLED: [&str; 2] = ["cpu_only", "lock_counter"];

/// Whether this child measures its rows against the pure-Python driver: a `worker` workload
/// measured on Rust threads, with `--driver-control` every one, else those above.
fn controlled(spec: &ChildSpec, w: &Workload) -> bool {
    let always = ALWAYS_CONTROLLED.contains(&w.name.as_str()) || w.meta.interpreter_suite();
    spec.timing != ChildTiming::Smoke
        && !w.meta.driver
        && spec.settings.driver == Driver::Rust
        && (spec.settings.driver_control || (always && spec.mode == GilMode::Off))
}

/// Each row this pass measured, its rounds driven again by `threading` threads, interleaved with
/// the Rust pool's; an interpreter loop also compiled as `__main__`, as ftscalingbench runs it.
/// A control that fails is recorded with the row and loses nothing measured.
fn driver_control(py: Python<'_>, spec: &ChildSpec, w: &Workload, record: &mut ChildRecord) {
    let as_script = match w.meta.interpreter_suite() {
        true => Workload::load_as(py, &spec.workload, CodeContext::Main).map(Some).map_err(|e| format!("compiling it as __main__: {e:#}")),
        false => Ok(None),
    };
    let limit = spec.settings.round_limit(Duration::ZERO);
    for row in record.result.rows.iter_mut().filter(|r| matches!(r.status, RowStatus::Ok | RowStatus::LostUpdates)) {
        let (threads, ops) = (row.threads, row.ops_per_thread);
        let Some(sample) = row.passes.last_mut() else { continue };
        let outcome = match &as_script {
            Ok(m) => control(py, w, m.as_ref(), spec.mode, (threads, ops), limit).map_err(|e| format!("{e:#}")),
            Err(e) => Err(e.clone()),
        };
        match outcome {
            Ok(c) => sample.control = Some(c),
            Err(e) => sample.control_failed = Some(e),
        }
    }
}

/// Rounds per block of the driver control, and blocks per side (A B B A).
const CONTROL_ROUNDS: u64 = 3;
const CONTROL_BLOCKS: usize = 2;

fn control(
    py: Python<'_>,
    w: &Workload,
    as_script: Option<&Workload>,
    mode: GilMode,
    (threads, ops): (usize, u64),
    limit: Duration,
) -> Result<DriverControl> {
    let (rust, python) = (Pool::new(threads, false)?, Pool::python(py, threads)?);
    let mut sides = vec![(&rust, w), (&python, w)];
    sides.extend(as_script.map(|m| (&python, m)));
    let block = |(pool, w): &(&Pool, &Workload)| -> Result<f64> {
        (0..CONTROL_ROUNDS).try_fold(0.0, |sum, _| {
            let round = pool.watched_round_with(py, w, ops, limit, None, false)?;
            check(&round, w, mode, threads)?;
            Ok(sum + round.elapsed.as_secs_f64())
        })
    };
    let seconds = interleaved(CONTROL_BLOCKS, &sides, block)?;
    let rate = |s: f64| (CONTROL_ROUNDS * CONTROL_BLOCKS as u64 * threads as u64 * ops) as f64 / s;
    Ok(DriverControl { rust: rate(seconds[0]), python: rate(seconds[1]), main: seconds.get(2).copied().map(rate) })
}

/// A control round must hold what the row's own rounds held.
fn check(round: &Round, w: &Workload, mode: GilMode, threads: usize) -> Result<()> {
    if let Some(error) = round.error(mode, threads) {
        bail!("{error}");
    }
    match &round.verdict {
        Verdict::Broken { message, .. } if !w.meta.unsynchronized => bail!("{message}"),
        _ => Ok(()),
    }
}

/// Throughput with the probes on against off, at 1 thread and the core count, with the ops of the
/// rows just measured, in interleaved blocks.
fn calibrate_probes(py: Python<'_>, spec: &ChildSpec, w: &Workload, record: &mut ChildRecord) -> Result<()> {
    if w.meta.driver {
        return Ok(());
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let limit = spec.settings.round_limit(Duration::ZERO);
    let blocks = if spec.settings.quick { 2 } else { 4 };
    let rows: Vec<(usize, u64)> = record.result.rows.iter().map(|r| (r.threads, r.ops_per_thread)).collect();
    for (threads, ops) in rows.into_iter().filter(|(t, _)| *t == 1 || *t == cores) {
        let pool = Pool::new(threads, false)?;
        let block = |probes: &bool| -> Result<f64> {
            (0..ROUNDS_PER_BLOCK).try_fold(0.0, |sum, _| {
                let round = pool.watched_round_with(py, w, ops, limit, None, *probes)?;
                Ok(sum + round.elapsed.as_secs_f64())
            })
        };
        let seconds = interleaved(blocks, &[true, false], block)?;
        record.probe_ratio.insert(threads, seconds[1] / seconds[0]);
    }
    Ok(())
}

const ROUNDS_PER_BLOCK: u64 = 5;

/// Total seconds of each side over `blocks` blocks, the order reversed every other block
/// (A B, B A, A B …) so drift hits every side alike.
fn interleaved<S>(blocks: usize, sides: &[S], mut block: impl FnMut(&S) -> Result<f64>) -> Result<Vec<f64>> {
    let mut totals = vec![0.0; sides.len()];
    for b in 0..blocks {
        let mut order: Vec<usize> = (0..sides.len()).collect();
        if b % 2 == 1 {
            order.reverse();
        }
        for i in order {
            totals[i] += block(&sides[i])?;
        }
    }
    Ok(totals)
}
