//! The history as series: one per workload × GIL mode × thread count × figure × machine, its
//! points in run order, and what changed between two runs (suite commit, interpreter, packages,
//! the workload's file, the machine under a coarse key).

use std::collections::{BTreeMap, BTreeSet};

use super::{RunRecord, Value};
use crate::results::GilMode;

/// Which figure a series follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    Throughput,
    Speedup,
    FtGain,
}

impl Metric {
    pub fn label(self) -> &'static str {
        match self {
            Metric::Throughput => "throughput",
            Metric::Speedup => "speedup",
            Metric::FtGain => "FT gain",
        }
    }
}

/// What must not change under a series. The workload is its file's name: a change of the file's
/// content is a change the series should show (and name), not a new series.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    pub machine: String,
    pub workload: String,
    pub mode: GilMode,
    pub threads: usize,
    pub metric: Metric,
}

/// One run's point of a series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// The run's index in the history (oldest 0).
    pub run: usize,
    /// The figure as shown: ops/s, a speedup or a gain, with the run's own interval.
    pub shown: Value,
    /// What change points are found on: throughput per canary iteration when every run of the
    /// series has canaries (the machine's speed from run to run divided out), else `shown`.
    pub judged: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub key: SeriesKey,
    pub points: Vec<Point>,
    /// `judged` is per canary.
    pub per_canary: bool,
}

impl Series {
    pub fn judged(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.judged.point).collect()
    }
}

/// Every series of the history, in key order; `by_label`: the machine key is the runs' label
/// (`FTBENCH_MACHINE`) where they have one, else the machine fingerprint.
pub fn build(records: &[RunRecord], by_label: bool) -> Vec<Series> {
    let mut points: BTreeMap<SeriesKey, Vec<(Point, Option<Value>)>> = BTreeMap::new();
    for (run, rec) in records.iter().enumerate() {
        let machine = rec.machine_key(by_label);
        for f in &rec.figures {
            let key =
                |metric| SeriesKey { machine: machine.clone(), workload: f.workload.clone(), mode: f.mode, threads: f.threads, metric };
            let figures = [
                (Metric::Throughput, Some(f.throughput), f.per_canary),
                (Metric::Speedup, f.speedup, None),
                (Metric::FtGain, f.ft_gain, None),
            ];
            for (metric, shown, per_canary) in figures {
                if let Some(shown) = shown.filter(|v| v.point.is_finite() && v.point > 0.0) {
                    points.entry(key(metric)).or_default().push((Point { run, shown, judged: shown }, per_canary));
                }
            }
        }
    }
    points
        .into_iter()
        .map(|(key, pts)| {
            let per_canary = key.metric == Metric::Throughput && pts.iter().all(|(_, c)| c.is_some_and(|c| c.point > 0.0));
            let points = pts.into_iter().map(|(p, c)| if per_canary { Point { judged: c.unwrap(), ..p } } else { p }).collect();
            Series { key, points, per_canary }
        })
        .collect()
}

/// What differs between runs `a` and `b` (in that order) for `workload`, in words.
pub fn changed(a: &RunRecord, b: &RunRecord, workload: &str) -> Vec<String> {
    let mut out = Vec::new();
    let short = crate::baseline::short_commit;
    if a.run.suite_commit != b.run.suite_commit {
        out.push(format!("suite {}..{}", short(&a.run.suite_commit), short(&b.run.suite_commit)));
    }
    let crc = |r: &RunRecord| r.workloads.get(workload).and_then(|w| w.file_crc32.clone());
    if crc(a) != crc(b) {
        out.push(format!("{workload}.py changed"));
    }
    if a.interpreter != b.interpreter {
        out.push(format!("Python {} → {}", a.interpreter, b.interpreter));
    }
    let names: BTreeSet<&String> = a.packages.keys().chain(b.packages.keys()).collect();
    for name in names {
        let (x, y) = (a.packages.get(name), b.packages.get(name));
        if x != y {
            let v = |v: Option<&String>| v.map_or("none".to_string(), String::clone);
            out.push(format!("{name} {} → {}", v(x), v(y)));
        }
    }
    if a.machine.fingerprint != b.machine.fingerprint {
        out.push(format!("machine {} → {}", a.machine.cpu_model, b.machine.cpu_model));
    }
    if a.run.quick != b.run.quick {
        out.push(if b.run.quick { "quick run" } else { "full run" }.to_string());
    }
    out.extend(noise_changed(a, b));
    out
}

/// The machine's noise, when it moved by half or more between the runs and one of them was noisy:
/// nothing of the code changed, and the figure may have moved with the machine.
fn noise_changed(a: &RunRecord, b: &RunRecord) -> Option<String> {
    let (x, y) = (a.canary_cv?, b.canary_cv?);
    let (lo, hi) = (x.min(y), x.max(y));
    (hi >= NOISY_CV && hi >= 1.5 * lo).then(|| format!("machine noise: canary spread {:.0} % → {:.0} %", 100.0 * x, 100.0 * y))
}

/// A canary spread from which a run counts as noisy (this VM's quiet runs: 7-13 %).
const NOISY_CV: f64 = 0.15;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::simulate::{simulated_run, Machine, Suite};

    fn records(n: usize) -> Vec<RunRecord> {
        let suite = Suite { workloads: 1, threads: vec![1, 2], passes: 5 };
        let mut rng = fastrand::Rng::with_seed(3);
        (0..n).map(|i| RunRecord::of(&simulated_run(&format!("r{i}"), &suite, &Machine::quiet(), &|_, _, _| 1.0, &mut rng))).collect()
    }

    #[test]
    fn every_figure_of_every_row_is_a_series_in_run_order() {
        let recs = records(3);
        let all = build(&recs, false);
        // Throughput at 1 and 2 threads GIL off, at 1 on (the simulator's GIL-on rows at 2 threads
        // are implausible), speedup at 2 off, FT gain at 1.
        assert_eq!(all.len(), 3 + 1 + 1);
        let t1 = all.iter().find(|s| s.key.metric == Metric::Throughput && s.key.threads == 1).unwrap();
        assert_eq!(t1.points.iter().map(|p| p.run).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(t1.per_canary && t1.points[0].judged != t1.points[0].shown);
        let t2 = all.iter().find(|s| s.key.metric == Metric::Throughput && s.key.threads == 2).unwrap();
        assert!(t2.per_canary, "the run's median canary divides the 2-thread rows");
        let s = all.iter().find(|s| s.key.metric == Metric::Speedup).unwrap();
        assert!(!s.per_canary && s.points[1].judged == s.points[1].shown);
    }

    #[test]
    fn a_labelled_machine_key_joins_two_fingerprints_and_names_the_change() {
        let mut recs = records(2);
        for r in &mut recs {
            r.machine.label = Some("ubuntu-latest".into());
        }
        recs[1].machine.fingerprint = "ffffffff".into();
        recs[1].machine.cpu_model = "Other CPU".into();
        assert_eq!(build(&recs, false).len(), 10, "two machines by fingerprint");
        assert_eq!(build(&recs, true).len(), 5, "one by label");
        recs[1].run.suite_commit = "fedcba9876543210".into();
        recs[1].interpreter = "3.15.0".into();
        recs[1].packages.insert("ft_utils".into(), "0.4.0".into());
        recs[1].workloads.get_mut("w00").unwrap().file_crc32 = Some("1234abcd".into());
        let want = [
            "suite 0123456789ab..fedcba987654",
            "w00.py changed",
            "Python 3.14.0 → 3.15.0",
            "ft_utils 0.3.0 → 0.4.0",
            "machine Test CPU → Other CPU",
        ];
        assert_eq!(changed(&recs[0], &recs[1], "w00"), want);
        assert!(changed(&recs[0], &recs[0], "w00").is_empty());
    }

    #[test]
    fn a_machine_that_got_noisy_is_named_and_ordinary_spread_is_not() {
        let mut recs = records(2);
        let with = |recs: &mut Vec<RunRecord>, a: Option<f64>, b: Option<f64>| {
            (recs[0].canary_cv, recs[1].canary_cv) = (a, b);
            changed(&recs[0], &recs[1], "w00")
        };
        assert_eq!(with(&mut recs, Some(0.134), Some(0.218)), ["machine noise: canary spread 13 % → 22 %"]);
        assert_eq!(with(&mut recs, Some(0.28), Some(0.10)), ["machine noise: canary spread 28 % → 10 %"]);
        assert!(with(&mut recs, Some(0.07), Some(0.13)).is_empty(), "both quiet");
        assert!(with(&mut recs, Some(0.20), Some(0.26)).is_empty(), "both noisy alike");
        assert!(with(&mut recs, None, Some(0.26)).is_empty(), "a record from before the field");
    }
}
