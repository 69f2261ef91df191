//! The data model: what a run measured, as written to `reports/<run-id>/results.json`.
//!
//! Measurement writes these records; report, compare and export only read them. The schema is
//! documented in `reports/SCHEMA.md` and versioned by [`SCHEMA_VERSION`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

pub use crate::config::{CodeContext, Driver};

pub mod control;
mod derive;
mod failure;

pub use derive::implausible;
pub use failure::{Elsewhere, Failure, FailureKind, Place};

/// Bump when a field changes meaning or disappears; readers refuse other versions but the
/// previous one ([`PREVIOUS_SCHEMA_VERSION`]).
pub const SCHEMA_VERSION: u32 = 3;

/// Version 2 estimated a row's throughput as the mean of its quiet passes, and its speedup from
/// their faster halves: read, its derived figures are derived again the version-3 way.
pub const PREVIOUS_SCHEMA_VERSION: u32 = 2;

/// The interpreter-scaling suite's scenario (CPython's ftscalingbench categories): nothing to
/// choose between, so the selection leaves it out and the report gives it its own section.
pub const INTERPRETER_SCENARIO: &str = "interpreter";

/// The scenarios a workload may declare (besides [`INTERPRETER_SCENARIO`]), in the report's
/// order, with their titles.
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

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunResults {
    pub schema_version: u32,
    pub run: RunInfo,
    pub machine: MachineFacts,
    /// Facts reported by the children, one entry per GIL mode that ran.
    pub interpreters: Vec<InterpreterFacts>,
    pub calibration: Option<Calibration>,
    /// The machine's noise over the run (absent until a pass has measured something).
    pub noise: Option<Noise>,
    /// One entry per workload × GIL mode, in the order they first ran.
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
    /// The process measuring the run (absent in runs recorded before ftbench kept it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<crate::owner::RunOwner>,
    /// When the run was resumed after an interruption (RFC 3339), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Running,
    Complete,
    Interrupted,
    /// Never written by a run: what a reader calls a run still marked `running` whose process is
    /// gone (killed without warning).
    Abandoned,
}

impl RunStatus {
    /// The word every summary, note and warning uses for this status.
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Complete => "complete",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Abandoned => "abandoned",
        }
    }
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
    /// Independent passes: every workload × mode ran once per pass in a fresh child, in an order
    /// shuffled per pass, and intervals come from the spread between passes.
    pub passes: usize,
    /// Per benchmark and pass: verified but untimed warm-up, then timed rounds for at least
    /// `measurement_ms` and at least `min_rounds` rounds (fixed rounds: `min_rounds` exactly).
    pub warm_up_ms: u64,
    pub measurement_ms: u64,
    pub min_rounds: u64,
    /// Seed of the per-pass shuffles.
    pub seed: u64,
    /// Which threads drove the `worker` rounds; `None` in runs made before it was recorded (Rust).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<Driver>,
    /// How the workloads' code objects were made; `None` in runs made before it was recorded
    /// (importlib's choice: a `.pyc` when one was cached, else compiled from source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeContext>,
    /// Every `worker` row was measured against the pure-Python driver as well.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub driver_control: bool,
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
    /// The name the user gave this machine (`FTBENCH_MACHINE`, e.g. a CI runner label): how a fleet
    /// report knows which of the machines it expected measured nothing. Absent when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl MachineFacts {
    /// What makes two machines the same kind for a fleet report: CPU, cores of each kind, OS,
    /// architecture and memory (a stable hash, in hex). Runs on twin CI runners share it.
    pub fn fingerprint(&self) -> String {
        let facts = format!(
            "{}|{}|{:?}|{:?}|{:?}|{}|{}|{}",
            self.cpu_model,
            self.logical_cores,
            self.physical_cores,
            self.performance_cores,
            self.efficiency_cores,
            self.os,
            self.arch,
            self.total_memory_bytes >> 30
        );
        format!("{:08x}", crc32fast::hash(facts.as_bytes()))
    }

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
    /// The libpython the child loaded (the dynamic loader's answer); absent in older runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
    /// Installed workload packages: distribution name → version.
    pub packages: BTreeMap<String, String>,
}

/// The suite measuring itself; figures to read against their targets, not assertions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Calibration {
    /// Runs made before the driver control: the embedded runner's throughput / a pure-Python
    /// `threading` driver's, for cpu_only and lock_counter at 1 thread and the core count. Newer
    /// runs keep the control in each row's passes ([`PassSample::control`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub harness_overhead: Vec<OverheadRatio>,
    /// Throughput with the probes (per-thread CPU clocks, per-core counters) on / off, per thread
    /// count (target ≥ 0.99).
    pub probe_ratio: BTreeMap<usize, f64>,
    /// `cpu_only` speedup at the core count, per GIL mode (targets ≥ 0.95 × cores off, ≤ 1.15 on).
    pub cpu_only_speedup: BTreeMap<GilMode, f64>,
    pub cores: usize,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OverheadRatio {
    pub workload: String,
    pub threads: usize,
    pub ratio: f64,
}

/// How noisy the machine was during a run, from the canary and the OS counters of every pass.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Noise {
    /// Median canary rate per GIL mode (iterations/s): the reference `normalised` figures use.
    pub canary_median: BTreeMap<GilMode, f64>,
    /// Coefficient of variation of every canary measurement of the run: the machine's drift.
    pub canary_cv: Option<f64>,
    /// Mean fraction of the machine's CPU time stolen by the hypervisor during timed rounds.
    pub steal_mean: Option<f64>,
    /// Benchmark passes measured while the machine was disturbed (after one re-measurement), of all.
    pub disturbed_passes: usize,
    pub passes: usize,
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
    /// The fewest threads that can perform one op (`MIN_THREADS`); speedup is relative to it.
    #[serde(default = "one")]
    pub min_threads: usize,
    pub file: String,
    /// What one op does, in one line (`OPERATION`): workloads that declare the same operation
    /// compete in one selection group. `None` in runs recorded before it was kept, and for
    /// workloads that do not declare one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

fn one() -> usize {
    1
}

impl WorkloadMeta {
    /// One of CPython's ftscalingbench loops (scenario `interpreter`), not a primitive.
    pub fn interpreter_suite(&self) -> bool {
        self.scenario.trim() == INTERPRETER_SCENARIO
    }
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

impl WorkloadStatus {
    /// The words every table, note and terminal line uses for this status.
    pub fn label(self) -> &'static str {
        match self {
            WorkloadStatus::Ran => "ran",
            WorkloadStatus::Skipped => "skipped",
            WorkloadStatus::GilReenabled => "GIL re-enabled",
            WorkloadStatus::Timeout => "timed out",
            WorkloadStatus::Crashed => "crashed",
            WorkloadStatus::Error => "error",
            WorkloadStatus::Interrupted => "interrupted",
        }
    }
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
    /// CRC-32 of the workload file that ran, in hex (absent in runs recorded before it was kept):
    /// runs of different files are different benchmarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_crc32: Option<String>,
    /// The thread count a timed-out, crashed or failed child was at (absent when it failed before
    /// measuring, or in runs recorded before it was kept): a comparison counts the failure only
    /// where the other run measured that thread count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<usize>,
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

impl RowStatus {
    /// The words every table, note and terminal line uses for this status.
    pub fn label(self) -> &'static str {
        match self {
            RowStatus::Ok => "ok",
            RowStatus::Invalid => "invalid",
            RowStatus::LostUpdates => "lost updates",
            RowStatus::Error => "error",
        }
    }
}

/// Why a row may not be charted, ranked or judged, in the words every writer uses.
#[derive(Clone, Debug, PartialEq)]
pub struct RowProblem {
    /// "no throughput", "implausible", "disturbed", "invalid", "lost updates (N)" or "error".
    pub label: String,
    /// What was seen: the sanity or disturbance finding, or the first line of the row's message.
    pub detail: Option<String>,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(d) => write!(f, "{}: {d}", self.label),
            None => f.write_str(&self.label),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ThreadRow {
    pub threads: usize,
    pub ops_per_thread: u64,
    /// Timed rounds run over all passes, every one verified (warm-up rounds are verified too).
    pub rounds: u64,
    pub status: RowStatus,
    /// First failure: verify's message, or the traceback with thread index and count.
    pub message: Option<String>,
    pub broken_rounds: u64,
    pub lost_updates: u64,
    /// One entry per pass that measured this row, in pass order.
    pub passes: Vec<PassSample>,
    /// The row's one figure: how fast it ran when the machine left it alone, the mean of the
    /// faster half of its quiet passes (ops/s), with its 95 % interval ([`Estimate::unslowed`]).
    /// Every ratio below is a ratio of these.
    pub throughput: Option<Estimate>,
    /// The same, each pass scaled by the run's median canary / its child's canary: drift-corrected.
    pub normalised: Option<Estimate>,
    /// throughput / throughput of the base row, where base is the workload's smallest measured
    /// thread count (1, or its `MIN_THREADS`).
    pub speedup: Option<f64>,
    /// The speedup's 95 % interval, from the spread of its per-pass ratios (each quiet pass's row
    /// over its base row in the same child), centred on `speedup` (absent before version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup_interval: Option<[f64; 2]>,
    /// speedup / (threads / base threads).
    pub efficiency: Option<f64>,
    /// GIL-off / GIL-on throughput at this thread count (on GIL-off rows).
    pub ft_gain: Option<f64>,
    /// The FT gain's 95 % interval, from the per-pass ratios (the GIL-off row over the GIL-on row
    /// of the same pass), centred on `ft_gain` (absent before version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ft_gain_interval: Option<[f64; 2]>,
    pub cores: Option<CoreUsage>,
    pub contention: Option<Contention>,
    /// A figure that breaks physical sanity (GIL-on speedup above 1.2, GIL-off speedup above the
    /// cores the threads could use): the row measures something other than it claims.
    pub implausible: Option<String>,
    /// Set when the machine was disturbed (steal, other processes, drift) in more than half of the
    /// passes even after re-measuring: the figures are shown, never ranked or judged.
    pub disturbed: Option<String>,
}

/// One pass of one benchmark: timed rounds between two canaries, in a fresh child process.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct PassSample {
    pub pass: usize,
    /// ops/s over this pass's timed rounds (total ops / total round time).
    pub throughput: f64,
    /// ops/s of this pass's fastest timed round. A shared VM runs a vCPU at full or about half
    /// speed for 0.2-2 s at a time, so a pass's mean mixes the two in any proportion; its fastest
    /// round is the one the machine let run at full speed. `None` in records made before it.
    pub fastest_round: Option<f64>,
    pub rounds: u64,
    /// Canary rate (iterations/s of a fixed pure-Python loop, 1 thread) before and after the rounds.
    pub canary_before: Option<f64>,
    pub canary_after: Option<f64>,
    /// Fraction of the machine's CPU time stolen by the hypervisor during the timed rounds (Linux).
    pub steal: Option<f64>,
    /// Fraction of the machine's capacity used by other processes during the timed rounds (Linux).
    pub other_load: Option<f64>,
    /// Why the machine counted as disturbed during this pass's rounds; `None`: quiet.
    pub disturbed: Option<String>,
    /// True when the first attempt was disturbed and these are the figures of the second.
    pub remeasured: bool,
    /// The driver control of this pass, when it ran for the row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<DriverControl>,
    /// Why the driver control of this pass has no figures: a round of it raised or broke the
    /// invariant the row's own rounds kept (the traceback or verify's message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_failed: Option<String>,
    /// The child's `PYTHONHASHSEED`, fresh per process (absent in runs recorded before it was set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_seed: Option<u32>,
}

/// The same rounds (code, ops, verification) driven two or three ways in one child, in interleaved
/// blocks (A B B A) so drift hits each alike: does the figure transfer to a Python program?
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct DriverControl {
    /// ops/s on the suite's Rust threads, the way the row was measured.
    pub rust: f64,
    /// ops/s on long-lived `threading` threads (Barrier start, `perf_counter_ns`), same code.
    pub python: f64,
    /// Interpreter suite: ops/s on those threads with the workload compiled as `__main__`, as
    /// CPython's Tools/ftscalingbench runs its loops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<f64>,
}

impl PassSample {
    /// The mean of the two canaries: the machine's speed around this pass.
    pub fn canary(&self) -> Option<f64> {
        match (self.canary_before, self.canary_after) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            (a, b) => a.or(b),
        }
    }

    pub fn quiet(&self) -> bool {
        self.disturbed.is_none()
    }
}

/// Worst first: a row is as bad as its worst pass.
fn severity(s: RowStatus) -> u8 {
    match s {
        RowStatus::Error => 4,
        RowStatus::Invalid => 3,
        RowStatus::LostUpdates => 2,
        RowStatus::Ok => 0,
    }
}

impl ThreadRow {
    /// A verified row of `passes`, before anything is derived from them.
    pub fn new(threads: usize, ops_per_thread: u64, passes: Vec<PassSample>) -> ThreadRow {
        ThreadRow {
            threads,
            ops_per_thread,
            rounds: passes.iter().map(|p| p.rounds).sum(),
            status: RowStatus::Ok,
            message: None,
            broken_rounds: 0,
            lost_updates: 0,
            passes,
            throughput: None,
            normalised: None,
            speedup: None,
            speedup_interval: None,
            efficiency: None,
            ft_gain: None,
            ft_gain_interval: None,
            cores: None,
            contention: None,
            implausible: None,
            disturbed: None,
        }
    }

    /// Adds a later pass of the same benchmark: its samples, rounds, damage and probes.
    pub fn absorb(&mut self, other: ThreadRow) {
        if severity(other.status) > severity(self.status) {
            self.status = other.status;
            self.message = other.message.clone();
        }
        self.message = self.message.take().or(other.message);
        self.rounds += other.rounds;
        self.broken_rounds += other.broken_rounds;
        self.lost_updates += other.lost_updates;
        self.passes.extend(other.passes);
        self.cores = merge_option(self.cores.take(), other.cores, CoreUsage::merge);
        self.contention = merge_option(self.contention.take(), other.contention, Contention::merge);
    }

    /// Rows that may be charted and ranked: measured, verified, quiet and physically plausible.
    pub fn is_valid(&self) -> bool {
        self.problem().is_none()
    }

    /// What makes the row unusable, if anything (unmeasured first, then the physical sanity check).
    pub fn problem(&self) -> Option<RowProblem> {
        let first_line = |m: &Option<String>| m.as_deref().map(crate::text::first_line).filter(|l| !l.is_empty()).map(str::to_string);
        let (label, detail) = match self.status {
            RowStatus::Ok if self.throughput.is_none() => ("no throughput".to_string(), None),
            RowStatus::Ok if self.implausible.is_some() => ("implausible".to_string(), self.implausible.clone()),
            RowStatus::Ok if self.disturbed.is_some() => ("disturbed".to_string(), self.disturbed.clone()),
            RowStatus::Ok => return None,
            RowStatus::LostUpdates => (format!("{} ({})", self.status.label(), self.lost_updates), None),
            s => (s.label().to_string(), first_line(&self.message)),
        };
        Some(RowProblem { label, detail })
    }

    /// Measured cleanly, and unusable only because the machine disturbed most of its passes.
    pub fn only_disturbed(&self) -> bool {
        self.status == RowStatus::Ok && self.throughput.is_some() && self.implausible.is_none() && self.disturbed.is_some()
    }

    /// The passes measured on a quiet machine.
    pub fn quiet_passes(&self) -> impl Iterator<Item = &PassSample> {
        self.passes.iter().filter(|p| p.quiet())
    }
}

/// A point estimate and, from two replicates on, its confidence interval, in operations per second.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub point: f64,
    /// `[lower, upper]`; `None` with fewer than two replicates (nothing to judge a change by).
    pub interval: Option<[f64; 2]>,
    pub confidence_level: f64,
    /// How many replicates (passes) it comes from.
    pub samples: usize,
}

impl Estimate {
    /// Mean of `values` with a 95 % Student's t interval.
    pub fn of(values: &[f64]) -> Option<Estimate> {
        Estimate::from(crate::stats::mean_interval(values, 0.95)?, values.len())
    }

    /// How fast a row ran when the machine left it alone: the mean of the faster half of
    /// `values` (passes), with the 95 % interval of that trimmed mean ([`crate::stats::faster_half_interval`]).
    pub fn unslowed(values: &[f64]) -> Option<Estimate> {
        Estimate::from(crate::stats::faster_half_interval(values, 0.95)?, values.len())
    }

    fn from((point, ci): (f64, Option<(f64, f64)>), samples: usize) -> Option<Estimate> {
        Some(Estimate { point, interval: ci.map(|(lo, hi)| [lo.max(0.0), hi]), confidence_level: 0.95, samples })
    }

    /// Half the interval's width relative to the point (0.05 = ±5 %).
    pub fn relative_half_width(&self) -> Option<f64> {
        self.interval.map(|[lo, hi]| (hi - lo) / 2.0 / self.point)
    }
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

fn merge_option<T>(a: Option<T>, b: Option<T>, f: fn(T, T) -> T) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        (a, b) => a.or(b),
    }
}

impl CoreUsage {
    /// Two passes' figures, weighted by their rounds.
    fn merge(a: CoreUsage, b: CoreUsage) -> CoreUsage {
        let (wa, wb) = (a.samples as f64, b.samples as f64);
        let total = (wa + wb).max(1.0);
        let avg = |x: f64, y: f64| (x * wa + y * wb) / total;
        CoreUsage {
            per_core_mean: a.per_core_mean.iter().zip(&b.per_core_mean).map(|(x, y)| avg(*x, *y)).collect(),
            per_core_max: a.per_core_max.iter().zip(&b.per_core_max).map(|(x, y)| x.max(*y)).collect(),
            process_mean: avg(a.process_mean, b.process_mean),
            samples: a.samples + b.samples,
        }
    }
}

impl Contention {
    /// Two passes' figures, weighted by their wall time (CPU and wall times add up).
    fn merge(a: Contention, b: Contention) -> Contention {
        let (wa, wb) = (a.wall_seconds, b.wall_seconds);
        let total = wa + wb;
        let avg = |x: f64, y: f64| if total > 0.0 { (x * wa + y * wb) / total } else { (x + y) / 2.0 };
        Contention {
            blocked_fraction: avg(a.blocked_fraction, b.blocked_fraction),
            voluntary_switches_per_op: a.voluntary_switches_per_op.zip(b.voluntary_switches_per_op).map(|(x, y)| avg(x, y)),
            involuntary_switches_per_op: a.involuntary_switches_per_op.zip(b.involuntary_switches_per_op).map(|(x, y)| avg(x, y)),
            fairness_spread: avg(a.fairness_spread, b.fairness_spread),
            start_skew_seconds: merge_option(a.start_skew_seconds, b.start_skew_seconds, avg_pair),
            cpu_seconds: a.cpu_seconds + b.cpu_seconds,
            wall_seconds: total,
        }
    }
}

fn avg_pair(a: f64, b: f64) -> f64 {
    (a + b) / 2.0
}

/// Criterion-style benchmark group of one workload in one GIL mode: `lock_counter.gil-off`.
pub fn group_name(workload: &str, mode: GilMode) -> String {
    format!("{workload}.{mode}")
}

impl RunResults {
    /// Keeps only the rows `keep(benchmark id, mode, threads)` accepts (ids as `workload.gil-off/2`),
    /// and the workloads that still have one; a workload that measured no row (skipped, failed)
    /// stays when `keep(workload.mode, mode, None)` accepts it.
    pub fn retain_rows(&mut self, keep: impl Fn(&str, GilMode, Option<usize>) -> bool) {
        self.workloads.retain_mut(|w| {
            let group = group_name(&w.workload, w.mode);
            if w.rows.is_empty() {
                return keep(&group, w.mode, None);
            }
            w.rows.retain(|r| keep(&format!("{group}/{}", r.threads), w.mode, Some(r.threads)));
            !w.rows.is_empty()
        });
    }

    /// Adds `more`'s passes of the rows both runs have, numbered after this run's `offset` passes
    /// (a sequential `ab` adds pass pairs to its sides), and `more`'s failures; then re-derives.
    pub fn add_passes(&mut self, more: &RunResults, offset: usize) {
        for m in &more.workloads {
            let Some(w) = self.workloads.iter_mut().find(|w| w.workload == m.workload && w.mode == m.mode) else { continue };
            if m.status != WorkloadStatus::Ran {
                (w.status, w.reason, w.evidence, w.failed_at) = (m.status, m.reason.clone(), m.evidence.clone(), m.failed_at);
            }
            for row in &m.rows {
                if let Some(mine) = w.rows.iter_mut().find(|r| r.threads == row.threads) {
                    let mut row = row.clone();
                    row.passes.iter_mut().for_each(|p| p.pass += offset);
                    mine.absorb(row);
                }
            }
        }
        self.run.config.passes += more.run.config.passes;
        self.derive_figures();
    }

    /// A run that has measured nothing yet: what the sweep writes first and tests build on.
    pub fn new(run: RunInfo, machine: MachineFacts) -> RunResults {
        RunResults {
            schema_version: SCHEMA_VERSION,
            run,
            machine,
            interpreters: Vec::new(),
            calibration: None,
            noise: None,
            workloads: Vec::new(),
        }
    }

    /// Every pass of every row.
    pub fn passes(&self) -> impl Iterator<Item = &PassSample> {
        self.workloads.iter().flat_map(|w| &w.rows).flat_map(|r| &r.passes)
    }

    /// Reads a results file (or a run folder holding one), refusing other schema versions.
    pub fn load(path: &Path) -> Result<RunResults> {
        let file = results_file(path);
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read results file {}", file.display()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON (corrupt or truncated?)", file.display()))?;
        let version = match value.get("schema_version").and_then(|v| v.as_u64()) {
            Some(v) if v == SCHEMA_VERSION as u64 || v == PREVIOUS_SCHEMA_VERSION as u64 => v as u32,
            Some(v) => bail!(
                "{} has schema version {v}; this ftbench reads versions {PREVIOUS_SCHEMA_VERSION} and {SCHEMA_VERSION}",
                file.display()
            ),
            None => bail!("{} has no schema_version: not an ftbench results file", file.display()),
        };
        let mut r: RunResults =
            serde_json::from_value(value).with_context(|| format!("{} does not match results schema {version}", file.display()))?;
        if version == PREVIOUS_SCHEMA_VERSION {
            r.derive_figures();
            r.schema_version = SCHEMA_VERSION;
        }
        r.mark_abandoned(&file);
        Ok(r)
    }

    /// A run still marked `running` whose process is gone is abandoned: it stopped when its
    /// results.json was last written.
    fn mark_abandoned(&mut self, file: &Path) {
        let gone = self.run.owner.as_ref().and_then(|o| o.alive()) == Some(false);
        if self.run.status == RunStatus::Running && gone {
            self.run.status = RunStatus::Abandoned;
            let written = std::fs::metadata(file).and_then(|m| m.modified()).ok();
            self.run.ended = written.map(|t| humantime::format_rfc3339_seconds(t).to_string());
        }
    }

    /// A run that did not finish, in words: "abandoned in pass 3 of 9 (last written 2026-…)",
    /// "interrupted in pass …", "still running, in pass …"; None for a complete run.
    pub fn unfinished(&self) -> Option<String> {
        let reached = self.passes().map(|p| p.pass + 1).max().unwrap_or(0);
        let how = match self.run.status {
            RunStatus::Complete => return None,
            RunStatus::Running => "still running, in".to_string(),
            status => format!("{} in", status.label()),
        };
        let when = self.run.ended.as_deref().map(|e| format!(" (last written {e})")).unwrap_or_default();
        Some(format!("{how} pass {reached} of {}{when}", self.run.config.passes))
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
}

/// `path` itself when it names a file, else `path/results.json`.
pub fn results_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_fingerprint_names_the_kind_of_machine() {
        let m = crate::testing::run("a").machine;
        assert_eq!(
            m.fingerprint(),
            MachineFacts { kernel: "6.9".into(), ..m.clone() }.fingerprint(),
            "a kernel update is the same machine"
        );
        assert_ne!(m.fingerprint(), MachineFacts { logical_cores: 64, ..m.clone() }.fingerprint());
        assert_ne!(m.fingerprint(), MachineFacts { cpu_model: "Apple M4".into(), ..m.clone() }.fingerprint());
        assert_eq!(m.fingerprint().len(), 8);
    }
}
