//! The child process: one workload in one GIL mode, isolated so that its GIL-re-enabling import,
//! crash or deadlock cannot touch the others. It asserts its GIL mode, measures every thread count
//! and writes a [`ChildRecord`] after each one, so a later crash loses nothing already measured.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use pyo3::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::embedding::{self, harness, py_error};
use crate::measure::{Pass, Timing};
use crate::results::{GilMode, InterpreterFacts, OverheadRatio, ThreadRow, WorkloadMeta, WorkloadResult, WorkloadStatus};
use crate::runner::{calibrate, Pool};
use crate::workload::{name_of, Workload};

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
    /// Measure the harness overhead against a pure-Python driver (GIL off, 1 thread and cores).
    pub calibrate_overhead: bool,
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
    pub overhead: Vec<OverheadRatio>,
    pub probe_ratio: BTreeMap<usize, f64>,
}

/// Ops per thread in smoke runs: enough to exercise every role, small enough to be instant.
const SMOKE_OPS: u64 = 64;
const MAX_OPS: u64 = 1 << 32;

/// If this process was started as a child, runs it and returns the exit code.
pub fn run_if_child() -> Option<i32> {
    crate::supervise::child_main(CHILD_ENV, "ftbench child", |spec: ChildSpec| run(&spec))
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
        overhead: Vec::new(),
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
        let w = Workload::load(py, &spec.workload)?;
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
        if spec.mode == GilMode::Off && (spec.calibrate_overhead || spec.calibrate_probes) {
            calibrate_harness(py, spec, &w, record)?;
        }
        Ok(())
    })
}

fn measure_threads(py: Python<'_>, spec: &ChildSpec, w: &Workload, threads: usize) -> Result<ThreadRow> {
    let pool = Pool::new(threads, w.meta.driver)?;
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

/// The suite measuring itself, at 1 thread and at the core count, with the ops of the rows just
/// measured: the embedded runner against a pure-Python `threading` driver of the same worker
/// (verify checked), and throughput with the probes on against off. Blocks alternate in ABBA
/// order so drift hits both sides alike.
fn calibrate_harness(py: Python<'_>, spec: &ChildSpec, w: &Workload, record: &mut ChildRecord) -> Result<()> {
    if w.meta.driver {
        return Ok(());
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let limit = spec.settings.round_limit(Duration::ZERO);
    let blocks = if spec.settings.quick { 2 } else { 4 };
    let rows: Vec<(usize, u64)> = record.result.rows.iter().map(|r| (r.threads, r.ops_per_thread)).collect();
    for (threads, ops) in rows.into_iter().filter(|(t, _)| *t == 1 || *t == cores) {
        let pool = Pool::new(threads, false)?;
        let embedded = |probes: bool| -> Result<f64> {
            (0..ROUNDS_PER_BLOCK).try_fold(0.0, |sum, _| {
                let round = pool.watched_round_with(py, w, ops, limit, None, probes)?;
                Ok(sum + round.elapsed.as_secs_f64())
            })
        };
        if spec.calibrate_overhead {
            let h = harness(py)?;
            let reference = || -> Result<f64> {
                h.call_method1("python_driver", (w.module(py), threads, ops, ROUNDS_PER_BLOCK))
                    .and_then(|t| t.extract::<f64>())
                    .map_err(|e| py_error(py, e))
            };
            let (ours, theirs) = abba(blocks, || embedded(true), reference)?;
            record.overhead.push(OverheadRatio { workload: w.name.clone(), threads, ratio: theirs / ours });
        }
        if spec.calibrate_probes {
            let (on, off) = abba(blocks, || embedded(true), || embedded(false))?;
            record.probe_ratio.insert(threads, off / on);
        }
    }
    Ok(())
}

const ROUNDS_PER_BLOCK: u64 = 5;

/// Total seconds of `a` and of `b` over `blocks` pairs of blocks run A B B A A B B A …
fn abba(blocks: usize, mut a: impl FnMut() -> Result<f64>, mut b: impl FnMut() -> Result<f64>) -> Result<(f64, f64)> {
    let (mut ta, mut tb) = (0.0, 0.0);
    for i in 0..blocks {
        if i % 2 == 0 {
            ta += a()?;
            tb += b()?;
        } else {
            tb += b()?;
            ta += a()?;
        }
    }
    Ok((ta, tb))
}
