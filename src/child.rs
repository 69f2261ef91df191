//! The child process: one workload in one GIL mode, isolated so that its GIL-re-enabling import,
//! crash or deadlock cannot touch the others. It asserts its GIL mode, measures every thread count
//! and writes a [`ChildRecord`] after each one, so a later crash loses nothing already measured.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use criterion::Criterion;
use pyo3::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::embedding::{self, harness, py_error};
use crate::measure::{benchmark, Timing};
use crate::probes::CoreSampler;
use crate::results::{GilMode, InterpreterFacts, WorkloadMeta, WorkloadResult, WorkloadStatus};
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
    /// Where to write the record.
    pub record: PathBuf,
    /// Measure the harness overhead against a pure-Python driver (GIL off, 1 thread).
    pub calibrate_overhead: bool,
    /// Measure throughput with the per-core sampler on vs off.
    pub calibrate_sampler: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub enum ChildTiming {
    /// `cargo bench`: criterion times the rounds (its CLI flags are honoured).
    Criterion,
    /// `cargo test --benches`: criterion's test mode, one small round per benchmark.
    Smoke,
    /// A fixed number of rounds; `ops` per thread, or calibrated when `None`.
    Rounds { rounds: u64, ops: Option<u64> },
}

/// What a child hands back to the parent.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ChildRecord {
    pub interpreter: Option<InterpreterFacts>,
    pub result: WorkloadResult,
    pub overhead_ratio: Option<f64>,
    pub sampler_ratio: Option<f64>,
}

/// Ops per thread in smoke runs: enough to exercise every role, small enough to be instant.
const SMOKE_OPS: u64 = 64;
const MAX_OPS: u64 = 1 << 32;

/// If this process was started as a child, runs it and returns the exit code.
pub fn run_if_child() -> Option<i32> {
    let spec_file = std::env::var_os(CHILD_ENV)?;
    Some(match run_spec_file(Path::new(&spec_file)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ftbench child: {e:#}");
            3
        }
    })
}

fn run_spec_file(path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading child spec {}", path.display()))?;
    let spec: ChildSpec = serde_json::from_str(&text).with_context(|| format!("parsing child spec {}", path.display()))?;
    run(&spec)
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
        overhead_ratio: None,
        sampler_ratio: None,
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
    let json = serde_json::to_vec_pretty(record).context("serialising the child record")?;
    crate::fsutil::write_atomic(&spec.record, &json)
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
        let mut criterion = new_criterion(&spec.settings);
        let home = criterion_home();
        for &threads in &spec.settings.threads {
            let row = measure_threads(py, spec, &w, threads, &mut criterion, &home)?;
            print_progress(&w.name, spec.mode, &row, record.result.rows.first());
            record.result.rows.push(row);
            save(spec, record)?;
        }
        if spec.mode == GilMode::Off && (spec.calibrate_overhead || spec.calibrate_sampler) {
            let ops = record.result.rows.iter().find(|r| r.threads == 1).map(|r| r.ops_per_thread);
            if let Some(ops) = ops {
                calibrate_harness(py, spec, &w, ops, record)?;
            }
        }
        Ok(())
    })
}

fn measure_threads(
    py: Python<'_>,
    spec: &ChildSpec,
    w: &Workload,
    threads: usize,
    criterion: &mut Criterion,
    home: &Path,
) -> Result<crate::results::ThreadRow> {
    let pool = Pool::new(threads, w.meta.driver)?;
    let settings = &spec.settings;
    let floor = settings.round_limit(Duration::ZERO);
    let ops = match spec.timing {
        ChildTiming::Smoke => SMOKE_OPS,
        ChildTiming::Rounds { ops: Some(ops), .. } => ops,
        _ => calibrate(py, &pool, w, settings.round_target, MAX_OPS, floor)
            .with_context(|| format!("{}: calibrating ops at {threads} threads", w.path.display()))?,
    };
    // The deadlock limit follows from how long a calibrated round (with setup and verify) takes.
    let probe = Instant::now();
    pool.watched_round(py, w, ops, floor)?;
    let limit = settings.round_limit(probe.elapsed());
    let mut timing = match spec.timing {
        ChildTiming::Criterion | ChildTiming::Smoke => Timing::Criterion { c: criterion, home: home.to_path_buf() },
        ChildTiming::Rounds { rounds, .. } => Timing::Rounds(rounds),
    };
    benchmark(py, &mut timing, &pool, w, spec.mode, ops, limit)
}

fn new_criterion(s: &Settings) -> Criterion {
    Criterion::default()
        .sample_size(s.sample_size)
        .warm_up_time(s.warm_up)
        .measurement_time(s.measurement)
        .nresamples(s.nresamples)
        .without_plots()
        .configure_from_args()
}

/// Where criterion writes its estimates: the parent sets CRITERION_HOME for every child.
fn criterion_home() -> PathBuf {
    std::env::var_os("CRITERION_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/criterion"))
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

fn print_progress(name: &str, mode: GilMode, row: &crate::results::ThreadRow, first: Option<&crate::results::ThreadRow>) {
    let thr = row.throughput.map(|e| crate::report::format::ops(e.point)).unwrap_or_else(|| "-".into());
    let speedup = match (row.throughput, first.and_then(|f| f.throughput)) {
        (Some(t), Some(b)) => format!("{:.2}x", t.point / b.point),
        (Some(_), None) if row.threads == 1 => "1.00x".into(),
        _ => "-".into(),
    };
    let mut status = format!("{:?}", row.status).to_lowercase();
    if row.lost_updates > 0 {
        status = format!("{status}, {} lost updates", row.lost_updates);
    }
    println!("ftbench: {name:<28} {mode:<7} t={:<3} {thr:>14}  speedup {speedup:>6}  [{status}]", row.threads);
}

/// The suite measuring itself at 1 thread: the embedded runner against a pure-Python driver of
/// the same worker, and the sampler's cost. Blocks alternate so drift hits both sides alike.
fn calibrate_harness(py: Python<'_>, spec: &ChildSpec, w: &Workload, ops: u64, record: &mut ChildRecord) -> Result<()> {
    if w.meta.driver {
        return Ok(());
    }
    let pool = Pool::new(1, false)?;
    let limit = spec.settings.round_limit(Duration::ZERO);
    let rounds_per_block = 5;
    let blocks = if spec.settings.quick { 2 } else { 6 };
    let embedded = |sampled: bool| -> Result<f64> {
        let sampler = sampled.then(CoreSampler::start);
        let mut total = 0.0;
        for _ in 0..rounds_per_block {
            total += pool.watched_round(py, w, ops, limit)?.elapsed.as_secs_f64();
        }
        sampler.map(CoreSampler::stop);
        Ok(total)
    };
    if spec.calibrate_overhead {
        let h = harness(py)?;
        let (mut ours, mut reference) = (0.0, 0.0);
        for _ in 0..blocks {
            ours += embedded(false)?;
            reference += h
                .call_method1("python_driver", (w.module(py), 1, ops, rounds_per_block))
                .and_then(|t| t.extract::<f64>())
                .map_err(|e| py_error(py, e))?;
        }
        record.overhead_ratio = Some(reference / ours);
    }
    if spec.calibrate_sampler {
        let (mut on, mut off) = (0.0, 0.0);
        for _ in 0..blocks {
            off += embedded(false)?;
            on += embedded(true)?;
        }
        record.sampler_ratio = Some(off / on);
    }
    Ok(())
}

