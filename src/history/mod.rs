//! The history of runs: one small record per run (its identity, machine, interpreter, packages,
//! workload file hashes and every figure with its interval; the passes dropped), kept as plain
//! files so that a git branch can hold them in CI, as github-action-benchmark keeps its data.
//!
//! `ftbench history add RUN` appends a record ([`RunRecord::of`], [`append`]); the analysis
//! ([`series`], [`changes`]) only reads them ([`load`]). The record is documented in
//! `reports/SCHEMA.md` and versioned by [`HISTORY_VERSION`].

pub mod changes;
pub mod series;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::results::{Estimate, GilMode, PassSample, RunResults, ThreadRow};
use crate::stats;

/// Bump when a field changes meaning or disappears; [`load`] keeps a reader for every older one.
pub const HISTORY_VERSION: u32 = 1;

/// One run as the history keeps it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunRecord {
    pub history_version: u32,
    pub run: RunId,
    pub machine: Machine,
    /// `sys.version_info[:3]` of the interpreter, joined with dots ("3.13.5").
    pub interpreter: String,
    /// Installed workload packages: distribution name → version.
    #[serde(default)]
    pub packages: BTreeMap<String, String>,
    /// Per workload: its scenario, family and the CRC-32 of the file that ran.
    pub workloads: BTreeMap<String, WorkloadFacts>,
    /// The run's median canary rate per GIL mode (iterations/s): the machine's speed in the run.
    #[serde(default)]
    pub canary: BTreeMap<GilMode, f64>,
    /// One per valid row (measured, verified, quiet, plausible).
    pub figures: Vec<Figures>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunId {
    pub id: String,
    /// RFC 3339, UTC: the history's order.
    pub started: String,
    pub suite_commit: String,
    pub quick: bool,
    pub passes: usize,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Machine {
    /// [`crate::results::MachineFacts::fingerprint`].
    pub fingerprint: String,
    /// `FTBENCH_MACHINE` of the run (e.g. a CI runner label), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub cpu_model: String,
    pub logical_cores: usize,
    /// The thread count the run's headlines are read at.
    pub headline_cores: usize,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct WorkloadFacts {
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_crc32: Option<String>,
}

/// A point estimate and its 95 % interval (absent with fewer than two passes).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Value {
    pub point: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
}

/// The figures of one row of a run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Figures {
    pub workload: String,
    pub mode: GilMode,
    pub threads: usize,
    /// ops/s, as the run's report shows it.
    pub throughput: Value,
    /// The same per canary iteration: with the machine's speed divided out (see [`per_canary`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_canary: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ft_gain: Option<Value>,
}

impl Value {
    fn of(e: &Estimate) -> Value {
        Value { point: e.point, interval: e.interval }
    }

    /// Half the interval's width on the log scale (0 without an interval).
    fn log_half(&self) -> f64 {
        self.interval.filter(|[lo, hi]| *lo > 0.0 && *hi > 0.0).map_or(0.0, |[lo, hi]| (hi / lo).ln() / 2.0)
    }

    /// `point` (a ratio of `a` and `b`) with an interval whose log half-width is theirs combined
    /// (independent estimates: the delta method on the logs).
    fn ratio(point: f64, a: Value, b: Value) -> Value {
        let half = a.log_half().hypot(b.log_half());
        let interval = (a.interval.is_some() && b.interval.is_some()).then(|| [point / half.exp(), point * half.exp()]);
        Value { point, interval }
    }
}

impl RunRecord {
    /// The record of a finished run: its valid rows' figures, nothing of its passes.
    pub fn of(r: &RunResults) -> RunRecord {
        let interpreter = r.interpreters.first();
        let workloads = r
            .workloads
            .iter()
            .map(|w| {
                let variant_of = w.meta.variant_of.clone().filter(|v| !v.trim().is_empty());
                (w.workload.clone(), WorkloadFacts { scenario: w.meta.scenario.trim().to_string(), variant_of, file_crc32: w.file_crc32.clone() })
            })
            .collect();
        let canary = r.noise.as_ref().map(|n| n.canary_median.clone()).unwrap_or_default();
        RunRecord {
            history_version: HISTORY_VERSION,
            run: RunId {
                id: r.run.id.clone(),
                started: r.run.started.clone(),
                suite_commit: r.run.suite_commit.clone(),
                quick: r.run.config.quick,
                passes: r.run.config.passes,
            },
            machine: Machine {
                fingerprint: r.machine.fingerprint(),
                label: r.machine.label.clone(),
                cpu_model: r.machine.cpu_model.clone(),
                logical_cores: r.machine.logical_cores,
                headline_cores: r.machine.headline_cores(),
            },
            interpreter: interpreter.map(|i| i.version_info.iter().map(u32::to_string).collect::<Vec<_>>().join(".")).unwrap_or_default(),
            packages: interpreter.map(|i| i.packages.clone()).unwrap_or_default(),
            workloads,
            figures: figures(r, &canary),
            canary,
        }
    }

    /// What a series is measured on: the machine's fingerprint, or its label when asked for the
    /// coarser key (runs without a label keep their fingerprint).
    pub fn machine_key(&self, by_label: bool) -> String {
        match (&self.machine.label, by_label) {
            (Some(l), true) => l.clone(),
            _ => self.machine.fingerprint.clone(),
        }
    }

    /// The file [`append`] writes: run id and machine, so two machines' runs of one second differ.
    fn file_name(&self) -> String {
        format!("{}_{}.json", crate::report::charts::file_stem(&self.run.id), self.machine.fingerprint)
    }
}

/// Every valid row's figures; speedups and gains carry an interval combined from their rows'.
fn figures(r: &RunResults, canary: &BTreeMap<GilMode, f64>) -> Vec<Figures> {
    let mut out = Vec::new();
    for w in &r.workloads {
        let base = w.rows.iter().filter(|b| b.is_valid()).min_by_key(|b| b.threads);
        for row in w.rows.iter().filter(|row| row.is_valid()) {
            let Some(throughput) = row.throughput.as_ref().map(Value::of) else { continue };
            let base_value = base.filter(|b| b.threads < row.threads).and_then(|b| b.throughput.as_ref()).map(Value::of);
            let speedup = row.speedup.zip(base_value).map(|(s, b)| Value::ratio(s, throughput, b));
            let gil_on = r.row(&w.workload, GilMode::On, row.threads).filter(|on| on.is_valid()).and_then(|on| on.throughput);
            let ft_gain = row.ft_gain.zip(gil_on).map(|(g, on)| Value::ratio(g, throughput, Value::of(&on)));
            let per_canary = per_canary(row, canary.get(&w.mode).copied());
            out.push(Figures { workload: w.workload.clone(), mode: w.mode, threads: row.threads, throughput, per_canary, speedup, ft_gain });
        }
    }
    out
}

/// A row's throughput with the machine's speed divided out, from its quiet passes: at 1 thread
/// each pass's fastest round over the faster of its canaries (as `compare` judges 1-thread
/// throughput between two runs); with more threads, where one vCPU's canary does not describe how
/// the threads interleaved, each pass's ops/s over the run's median canary. A trimmed geometric
/// mean with its interval, so that a pass in five that a slowed vCPU bent does not move it.
pub fn per_canary(row: &ThreadRow, median: Option<f64>) -> Option<Value> {
    let value = |p: &PassSample| match row.threads {
        1 => Some(p.fastest_round? / p.canary_before?.max(p.canary_after?)),
        _ => Some(p.throughput / median?),
    };
    let values: Option<Vec<f64>> = row.quiet_passes().map(value).collect();
    let (point, (lo, hi)) = stats::trimmed_geomean_interval(&values?, 0.95)?;
    Some(Value { point, interval: Some([lo, hi]) })
}

/// Writes `record` into the history folder `dir` (atomically); the path written and whether it
/// replaced a record of the same run.
pub fn append(dir: &Path, record: &RunRecord) -> Result<(PathBuf, bool)> {
    let path = dir.join(record.file_name());
    let replaced = path.exists();
    let mut json = serde_json::to_vec_pretty(record).context("serialising the history record")?;
    json.push(b'\n');
    crate::fsutil::write_atomic(&path, &json)?;
    Ok((path, replaced))
}

/// Every record of the history folder `dir`, oldest first (by start time, then id). A file that
/// is not a record of a version this ftbench reads is an error naming it.
pub fn load(dir: &Path) -> Result<Vec<RunRecord>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read the history folder {}", dir.display()))?;
    let mut records = Vec::new();
    for e in entries {
        let path = e.with_context(|| format!("cannot list {}", dir.display()))?.path();
        if path.extension().is_some_and(|x| x == "json") && !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            records.push(read(&path)?);
        }
    }
    records.sort_by(|a, b| (&a.run.started, &a.run.id).cmp(&(&b.run.started, &b.run.id)));
    Ok(records)
}

fn read(path: &Path) -> Result<RunRecord> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))?;
    match value.get("history_version").and_then(|v| v.as_u64()) {
        Some(v) if (1..=HISTORY_VERSION as u64).contains(&v) => {}
        Some(v) => bail!("{} is a history record of version {v}; this ftbench reads versions 1 to {HISTORY_VERSION}", path.display()),
        None => bail!("{} has no history_version: not an ftbench history record", path.display()),
    }
    serde_json::from_value(value).with_context(|| format!("{} does not match history record version {HISTORY_VERSION}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::simulate::{simulated_run, Machine as Sim, Suite};

    fn run(id: &str) -> RunResults {
        let suite = Suite { workloads: 2, threads: vec![1, 2], passes: 5 };
        simulated_run(id, &suite, &Sim::quiet(), &|_, _, _| 1.0, &mut fastrand::Rng::with_seed(1))
    }

    #[test]
    fn a_record_keeps_every_valid_rows_figures_and_no_pass() {
        let r = run("a");
        let rec = RunRecord::of(&r);
        assert_eq!(rec.figures.len(), 6, "2 workloads × 2 modes × 2 thread counts, less GIL-on 2 threads (implausible here)");
        let two = rec.figures.iter().find(|f| f.workload == "w00" && f.mode == GilMode::Off && f.threads == 2).unwrap();
        let row = r.row("w00", GilMode::Off, 2).unwrap();
        assert_eq!(two.throughput.point, row.throughput.unwrap().point);
        let s = two.speedup.unwrap();
        assert_eq!(s.point, row.speedup.unwrap());
        let [lo, hi] = s.interval.unwrap();
        assert!(lo < s.point && s.point < hi, "{s:?}");
        assert!(two.ft_gain.is_none(), "no valid GIL-on row at 2 threads to divide by");
        assert!(two.per_canary.is_some());
        let one = rec.figures.iter().find(|f| f.threads == 1 && f.mode == GilMode::Off).unwrap();
        assert!(one.speedup.is_none(), "no speedup at the base thread count");
        let gain = one.ft_gain.unwrap();
        let on = r.row(&one.workload, GilMode::On, 1).unwrap().throughput.unwrap().point;
        assert!((gain.point - one.throughput.point / on).abs() < 1e-9, "{gain:?}");
        assert!(!serde_json::to_string(&rec).unwrap().contains("passes\":["), "passes dropped");
    }

    #[test]
    fn the_per_canary_figure_divides_out_the_machines_speed() {
        let r = run("a");
        let row = r.row("w00", GilMode::Off, 1).unwrap();
        let mut slow = row.clone();
        for p in &mut slow.passes {
            p.fastest_round = p.fastest_round.map(|f| f / 2.0);
            (p.canary_before, p.canary_after) = (p.canary_before.map(|c| c / 2.0), p.canary_after.map(|c| c / 2.0));
        }
        let (a, b) = (per_canary(row, None).unwrap(), per_canary(&slow, None).unwrap());
        assert!((a.point / b.point - 1.0).abs() < 1e-12, "a machine at half speed: the same figure");
        assert!(per_canary(r.row("w00", GilMode::Off, 2).unwrap(), None).is_none(), "no run canary: none at 2 threads");
    }

    #[test]
    fn records_are_appended_as_files_and_read_back_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut later = run("b");
        later.run.started = "2025-02-01T00:00:00Z".into();
        let (p, replaced) = append(dir.path(), &RunRecord::of(&later)).unwrap();
        assert!(!replaced && p.exists());
        append(dir.path(), &RunRecord::of(&run("a"))).unwrap();
        let (_, replaced) = append(dir.path(), &RunRecord::of(&run("a"))).unwrap();
        assert!(replaced, "the same run again replaces its record");
        let ids: Vec<String> = load(dir.path()).unwrap().into_iter().map(|r| r.run.id).collect();
        assert_eq!(ids, ["a", "b"]);
        std::fs::write(dir.path().join("x.json"), r#"{"history_version": 9}"#).unwrap();
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("x.json") && e.contains("version 9"), "{e}");
    }
}
