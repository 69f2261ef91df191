//! The history of runs: one small record per run (its identity, machine, interpreter, packages,
//! workload file hashes and every figure with its interval; the passes dropped), kept as plain
//! files so that a git branch can hold them in CI, as github-action-benchmark keeps its data.
//!
//! `ftbench history add RUN` appends a record ([`RunRecord::of`], [`append`]); the analysis
//! ([`series`], [`changes`]) only reads them ([`load`]). The record is documented in
//! `reports/SCHEMA.md` and versioned by [`HISTORY_VERSION`].

pub mod analysis;
pub mod changes;
pub mod place;
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
    /// The spread of the run's canaries (coefficient of variation): how noisy the machine was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_cv: Option<f64>,
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

/// A point estimate and its 95 % interval (absent with too few passes: below 6 for a median).
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
    /// Ops per canary iteration: the machine's speed divided out (see [`per_canary`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_canary: Option<Value>,
    /// Over the workload's base row: the median of the passes' own speedups (each pass's two rows
    /// ran in one child, so the machine's drift between passes cancels); none at the base row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup: Option<Value>,
    /// GIL off: this row's per-canary figure over the GIL-on row's (ops/s over ops/s without
    /// canaries), the interval combined from theirs.
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

    /// `a / b` with an interval whose log half-width is theirs combined (independent estimates:
    /// the delta method on the logs); none unless both have one.
    fn ratio(a: Value, b: Value) -> Value {
        let (point, half) = (a.point / b.point, a.log_half().hypot(b.log_half()));
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
                (
                    w.workload.clone(),
                    WorkloadFacts { scenario: w.meta.scenario.trim().to_string(), variant_of, file_crc32: w.file_crc32.clone() },
                )
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
            canary_cv: r.noise.as_ref().and_then(|n| n.canary_cv),
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

/// Every valid row's figures. Speedup and FT gain are the history's own robust forms (see
/// [`Figures`]); the run's report shows means.
fn figures(r: &RunResults, canary: &BTreeMap<GilMode, f64>) -> Vec<Figures> {
    let mut out = Vec::new();
    for w in &r.workloads {
        for row in w.rows.iter().filter(|row| row.is_valid()) {
            let Some(throughput) = row.throughput.as_ref().map(Value::of) else { continue };
            let speedup =
                crate::compare::speedup_base(w, row).and_then(|b| median(crate::compare::per_pass_speedups(b, row).into_values()));
            let mine = per_canary(row, canary.get(&w.mode).copied());
            let gil_on = r.row(&w.workload, GilMode::On, row.threads).filter(|on| w.mode == GilMode::Off && on.is_valid());
            let on_canary = gil_on.and_then(|on| per_canary(on, canary.get(&GilMode::On).copied()));
            let ft_gain = gil_on.and_then(|on| match (mine, on_canary) {
                (Some(off), Some(on)) => Some(Value::ratio(off, on)),
                _ => Some(Value::ratio(throughput, Value::of(on.throughput.as_ref()?))),
            });
            let (workload, mode, threads) = (w.workload.clone(), w.mode, row.threads);
            out.push(Figures { workload, mode, threads, throughput, per_canary: mine, speedup, ft_gain });
        }
    }
    out
}

/// The median of `values` with its distribution-free 95 % interval.
fn median(values: impl Iterator<Item = f64>) -> Option<Value> {
    let (point, interval) = stats::median_interval(&values.filter(|v| *v > 0.0).collect::<Vec<_>>(), 0.95)?;
    Some(Value { point, interval: interval.map(|(lo, hi)| [lo, hi]) })
}

/// A row's throughput with the machine's speed divided out, from its quiet passes: at 1 thread
/// each pass's fastest round over the faster of its canaries (as `compare` judges 1-thread
/// throughput between two runs); with more threads, where one vCPU's canary does not describe how
/// the threads interleaved, each pass's ops/s over the run's median canary. Their median, so that
/// the passes a slowed vCPU bent (a third of them on a shared VM) do not move it.
pub fn per_canary(row: &ThreadRow, run_canary: Option<f64>) -> Option<Value> {
    let value = |p: &PassSample| match row.threads {
        1 => Some(p.fastest_round? / p.canary_before?.max(p.canary_after?)),
        _ => Some(p.throughput / run_canary?),
    };
    let values: Option<Vec<f64>> = row.quiet_passes().map(value).collect();
    median(values?.into_iter())
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
        let suite = Suite { workloads: 2, threads: vec![1, 2], passes: 7 };
        simulated_run(id, &suite, &Sim::quiet(), &|_, _, _| 1.0, &mut fastrand::Rng::with_seed(1))
    }

    #[test]
    fn a_record_keeps_every_valid_rows_figures_and_no_pass() {
        let r = run("a");
        let rec = RunRecord::of(&r);
        assert_eq!(rec.figures.len(), 6, "2 workloads × 2 modes × 2 thread counts, less GIL-on 2 threads (implausible here)");
        let two = rec.figures.iter().find(|f| f.workload == "w00" && f.mode == GilMode::Off && f.threads == 2).unwrap();
        let (base, row) = (r.row("w00", GilMode::Off, 1).unwrap(), r.row("w00", GilMode::Off, 2).unwrap());
        assert_eq!(two.throughput.point, row.throughput.unwrap().point, "ops/s as the run's report shows it");
        let per_pass: Vec<f64> = row.passes.iter().zip(&base.passes).map(|(t, b)| t.throughput / b.throughput).collect();
        assert_eq!(two.speedup.unwrap().point, stats::median(&per_pass).unwrap(), "the median of the passes' speedups");
        assert!(two.ft_gain.is_none(), "no valid GIL-on row at 2 threads to divide by");
        let one = rec.figures.iter().find(|f| f.workload == "w00" && f.threads == 1 && f.mode == GilMode::Off).unwrap();
        assert!(one.speedup.is_none(), "no speedup at the base thread count");
        let on = per_canary(r.row("w00", GilMode::On, 1).unwrap(), None).unwrap();
        let gain = one.ft_gain.unwrap();
        assert!((gain.point - one.per_canary.unwrap().point / on.point).abs() < 1e-12, "{gain:?}");
        let [lo, hi] = gain.interval.unwrap();
        assert!(lo < gain.point && gain.point < hi, "{gain:?}");
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

    #[test]
    fn a_minimal_record_reads_and_every_field_is_in_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        // Only what version 1 requires: optional fields may be absent.
        let minimal = r#"{"history_version": 1,
            "run": {"id": "a", "started": "2025-01-01T00:00:00Z", "suite_commit": "x", "quick": false, "passes": 9},
            "machine": {"fingerprint": "0", "cpu_model": "c", "logical_cores": 2, "headline_cores": 2},
            "interpreter": "3.13.5", "workloads": {"w": {"scenario": "s"}},
            "figures": [{"workload": "w", "mode": "off", "threads": 1, "throughput": {"point": 1.0}}]}"#;
        std::fs::write(dir.path().join("a.json"), minimal).unwrap();
        let read = load(dir.path()).unwrap();
        assert_eq!((read[0].figures[0].throughput.interval, read[0].canary.len()), (None, 0));
        let schema = std::fs::read_to_string(crate::paths::project_root().join("reports/SCHEMA.md")).unwrap();
        let section = schema.split("## History records").nth(1).unwrap().split("## Files and folders").next().unwrap();
        let mut rec = RunRecord::of(&run("a"));
        rec.machine.label = Some("ci".into());
        rec.workloads.values_mut().for_each(|w| (w.variant_of, w.file_crc32) = (Some("v".into()), Some("c".into())));
        fn keys(v: &serde_json::Value, out: &mut Vec<String>, skip: bool) {
            match v {
                serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| {
                    if !skip {
                        out.push(k.clone());
                    }
                    // The keys of `workloads`, `packages` and `canary` are names, not fields.
                    keys(v, out, matches!(k.as_str(), "workloads" | "packages" | "canary"));
                }),
                serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out, false)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        keys(&serde_json::to_value(&rec).unwrap(), &mut all, false);
        for k in all {
            assert!(section.contains(&format!("`{k}`")), "reports/SCHEMA.md does not document `{k}`");
        }
    }
}
