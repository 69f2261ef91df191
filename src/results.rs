//! The data model: what a run measured, as written to `reports/<run-id>/results.json`.
//!
//! Measurement writes these records; report, compare and export only read them. The schema is
//! documented in `reports/SCHEMA.md` and versioned by [`SCHEMA_VERSION`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// Bump when a field changes meaning or disappears; readers refuse other versions.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunResults {
    pub schema_version: u32,
    pub run: RunInfo,
    pub machine: MachineFacts,
    /// Facts reported by the children, one entry per GIL mode that ran.
    pub interpreters: Vec<InterpreterFacts>,
    pub calibration: Option<Calibration>,
    /// One entry per workload × GIL mode, in the order they ran.
    pub workloads: Vec<WorkloadResult>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunInfo {
    pub id: String,
    pub status: RunStatus,
    /// RFC 3339, UTC.
    pub started: String,
    pub ended: Option<String>,
    /// `git rev-parse HEAD` of the suite, or "unknown".
    pub suite_commit: String,
    pub config: RunConfig,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Running,
    Complete,
    Interrupted,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunConfig {
    pub threads: Vec<usize>,
    pub modes: Vec<GilMode>,
    pub quick: bool,
    /// Criterion filters given on the command line.
    pub filters: Vec<String>,
    /// Calibration target for one round.
    pub round_target_ms: f64,
    pub warm_up_ms: u64,
    pub measurement_ms: u64,
    pub sample_size: usize,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum GilMode {
    #[default]
    Off,
    On,
}

impl GilMode {
    pub const ALL: [GilMode; 2] = [GilMode::Off, GilMode::On];

    /// `gil-off` / `gil-on`: used in benchmark ids, file names and tables.
    pub fn label(self) -> &'static str {
        match self {
            GilMode::Off => "gil-off",
            GilMode::On => "gil-on",
        }
    }

    pub fn enabled(self) -> bool {
        self == GilMode::On
    }
}

impl fmt::Display for GilMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct MachineFacts {
    pub cpu_model: String,
    pub logical_cores: usize,
    pub physical_cores: Option<usize>,
    /// Hybrid CPUs, logical CPUs of each kind: Apple Silicon's `hw.perflevel0/1.logicalcpu`
    /// (performance, efficiency), Linux's `/sys/devices/cpu_core` and `cpu_atom` (Intel P-/E-cores).
    pub performance_cores: Option<usize>,
    pub efficiency_cores: Option<usize>,
    pub os: String,
    pub kernel: String,
    pub arch: String,
    pub total_memory_bytes: u64,
}

impl MachineFacts {
    /// The thread count headlines, the `cpu_only` target and the selection are read at: on a
    /// hybrid CPU the P-core count (past it threads land on slower E-cores, which is not
    /// contention), else the logical core count.
    pub fn headline_cores(&self) -> usize {
        hybrid_boundary(self.performance_cores, self.efficiency_cores).unwrap_or(self.logical_cores)
    }

    /// The P/E boundary of a hybrid CPU: its P-core count (None when it has one kind of core).
    pub fn pe_boundary(&self) -> Option<usize> {
        hybrid_boundary(self.performance_cores, self.efficiency_cores)
    }
}

/// The P-core count when there are both P- and E-cores.
pub fn hybrid_boundary(performance: Option<usize>, efficiency: Option<usize>) -> Option<usize> {
    match (performance, efficiency) {
        (Some(p), Some(e)) if p > 0 && e > 0 => Some(p),
        _ => None,
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InterpreterFacts {
    /// The GIL mode the child was asked for.
    pub mode: GilMode,
    /// `sys.version`.
    pub version: String,
    /// `sys.version_info[:3]`.
    pub version_info: Vec<u32>,
    /// `sysconfig.get_config_var("Py_GIL_DISABLED") == 1`.
    pub free_threaded_build: bool,
    /// `sys._is_gil_enabled()` right after start-up, before any workload import.
    pub gil_enabled_at_start: bool,
    /// `sysconfig.get_config_var("CONFIG_ARGS")`.
    pub config_args: String,
    /// `sys.flags.thread_inherit_context` (3.14+).
    pub thread_inherit_context: Option<bool>,
    /// `sys.flags.context_aware_warnings` (3.14+).
    pub context_aware_warnings: Option<bool>,
    pub executable: String,
    /// Installed workload packages: distribution name → version.
    pub packages: BTreeMap<String, String>,
}

/// The suite measuring itself; figures to read against their targets, not assertions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Calibration {
    /// Embedded runner's 1-thread throughput / a pure-Python driver's, per workload (target ≥ 0.98).
    pub harness_overhead: BTreeMap<String, f64>,
    /// Throughput with the per-core sampler on / off (target ≥ 0.99).
    pub sampler_ratio: Option<f64>,
    /// `cpu_only` speedup at the core count, per GIL mode (targets ≥ 0.95 × cores off, ≤ 1.15 on).
    pub cpu_only_speedup: BTreeMap<GilMode, f64>,
    pub cores: usize,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct WorkloadMeta {
    pub primitive: String,
    pub scenario: String,
    pub invariant: String,
    pub description: String,
    pub packages: Vec<String>,
    pub unsynchronized: bool,
    pub variant_of: Option<String>,
    /// True when the workload runs its own threads through `drive(state, threads, ops)`.
    pub driver: bool,
    pub file: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadStatus {
    /// Ran; see each row's own status.
    Ran,
    /// Not run: a package is missing or unusable, or the interpreter is too old.
    Skipped,
    /// Importing it turned the GIL on in a GIL-off child: its numbers are GIL-on numbers.
    GilReenabled,
    /// The child exceeded its timeout (deadlock or hang); evidence holds the thread stacks.
    Timeout,
    /// The child died from a signal or exited abnormally; evidence holds the stderr tail.
    Crashed,
    /// The workload file is broken (syntax, protocol, setup raised) or the child failed.
    Error,
    /// The run was interrupted before this workload finished.
    Interrupted,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct WorkloadResult {
    pub workload: String,
    /// The GIL mode asked for.
    pub mode: GilMode,
    pub meta: WorkloadMeta,
    pub status: WorkloadStatus,
    /// One line: why it was skipped, or what went wrong.
    pub reason: Option<String>,
    /// Traceback, stack dump or stderr tail backing `reason`.
    pub evidence: Option<String>,
    /// `sys._is_gil_enabled()` as observed after the workload was loaded.
    pub gil_enabled_observed: Option<bool>,
    pub rows: Vec<ThreadRow>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RowStatus {
    Ok,
    /// verify() failed on a workload that claims to be safe.
    Invalid,
    /// verify() failed on an unsynchronized baseline: expected; lost updates are counted.
    LostUpdates,
    /// A worker raised, or the GIL was not in the mode claimed.
    Error,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ThreadRow {
    pub threads: usize,
    pub ops_per_thread: u64,
    /// Timed rounds run (warm-up and measurement), every one verified.
    pub rounds: u64,
    pub status: RowStatus,
    /// First failure: verify's message, or the traceback with thread index and count.
    pub message: Option<String>,
    pub broken_rounds: u64,
    pub lost_updates: u64,
    /// Criterion's estimate, converted to operations per second.
    pub throughput: Option<Estimate>,
    /// throughput(t) / throughput(1), same workload and mode.
    pub speedup: Option<f64>,
    /// speedup / threads.
    pub efficiency: Option<f64>,
    /// GIL-off / GIL-on throughput at this thread count (on GIL-off rows).
    pub ft_gain: Option<f64>,
    pub cores: Option<CoreUsage>,
    pub contention: Option<Contention>,
}

impl ThreadRow {
    /// Rows that may be charted and ranked: measured and verified.
    pub fn is_valid(&self) -> bool {
        self.status == RowStatus::Ok && self.throughput.is_some()
    }
}

/// A point estimate with its confidence interval, in operations per second.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub point: f64,
    pub lower: f64,
    pub upper: f64,
    pub confidence_level: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CoreUsage {
    /// Per logical core, percent busy (0–100), over the benchmark's measurement.
    pub per_core_mean: Vec<f64>,
    pub per_core_max: Vec<f64>,
    /// This process, percent of one core (can exceed 100).
    pub process_mean: f64,
    pub samples: usize,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Contention {
    /// 1 − CPU time / (threads × wall time) over the timed rounds; includes run-queue waits
    /// when threads outnumber cores.
    pub blocked_fraction: f64,
    /// Context switches per operation, from getrusage's `ru_nvcsw` / `ru_nivcsw`. `None` on macOS,
    /// whose kernel splits the two by other rules than Linux (a misleading split is not stored).
    pub voluntary_switches_per_op: Option<f64>,
    pub involuntary_switches_per_op: Option<f64>,
    /// Slowest / fastest per-thread duration, averaged over rounds (1.0 = perfectly fair).
    pub fairness_spread: f64,
    /// Last thread's start − first thread's start, averaged over rounds: how together the
    /// barrier released the threads (harness quality; part of every round's elapsed time).
    /// `None` in results written before ftbench recorded it.
    #[serde(default)]
    pub start_skew_seconds: Option<f64>,
    pub cpu_seconds: f64,
    pub wall_seconds: f64,
}

impl RunResults {
    /// Reads a results file (or a run folder holding one), refusing other schema versions.
    pub fn load(path: &Path) -> Result<RunResults> {
        let file = results_file(path);
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read results file {}", file.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON (corrupt or truncated?)", file.display()))?;
        match value.get("schema_version").and_then(|v| v.as_u64()) {
            Some(v) if v == SCHEMA_VERSION as u64 => {}
            Some(v) => bail!(
                "{} has schema version {v}; this ftbench reads version {SCHEMA_VERSION}",
                file.display()
            ),
            None => bail!("{} has no schema_version: not an ftbench results file", file.display()),
        }
        serde_json::from_value(value)
            .with_context(|| format!("{} does not match results schema {SCHEMA_VERSION}", file.display()))
    }

    /// Writes atomically: a temp file in the same folder, then a rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).context("serialising results")?;
        crate::fsutil::write_atomic(path, &json)
    }

    pub fn workload(&self, name: &str, mode: GilMode) -> Option<&WorkloadResult> {
        self.workloads.iter().find(|w| w.workload == name && w.mode == mode)
    }

    pub fn row(&self, name: &str, mode: GilMode, threads: usize) -> Option<&ThreadRow> {
        self.workload(name, mode)?.rows.iter().find(|r| r.threads == threads)
    }

    /// Fills speedup, efficiency and free-threading gain from the throughputs.
    pub fn derive_figures(&mut self) {
        for w in &mut self.workloads {
            let base = w.rows.iter().find(|r| r.threads == 1 && r.is_valid()).and_then(|r| r.throughput);
            for r in &mut w.rows {
                let (Some(b), Some(t)) = (base, r.throughput.filter(|_| r.status == RowStatus::Ok)) else {
                    r.speedup = None;
                    r.efficiency = None;
                    continue;
                };
                r.speedup = Some(t.point / b.point);
                r.efficiency = Some(t.point / b.point / r.threads as f64);
            }
        }
        let gil_on: BTreeMap<(String, usize), f64> = self
            .workloads
            .iter()
            .filter(|w| w.mode == GilMode::On)
            .flat_map(|w| w.rows.iter().filter(|r| r.is_valid()).map(move |r| (w, r)))
            .map(|(w, r)| ((w.workload.clone(), r.threads), r.throughput.unwrap().point))
            .collect();
        for w in self.workloads.iter_mut().filter(|w| w.mode == GilMode::Off) {
            for r in &mut w.rows {
                let on = gil_on.get(&(w.workload.clone(), r.threads));
                r.ft_gain = match (r.is_valid(), on) {
                    (true, Some(on)) => Some(r.throughput.unwrap().point / on),
                    _ => None,
                };
            }
        }
    }
}

/// `path` itself when it names a file, else `path/results.json`.
pub fn results_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_path_buf()
    }
}
