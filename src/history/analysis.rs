//! The history read as a whole: per machine its runs in order, every series with its change
//! points placed between two runs (and what changed between them), and the scenario groups the
//! report draws. Pure: it only reads records.

use std::collections::BTreeSet;

use super::changes::{detect, ChangePoint};
use super::series::{build, changed, Series};
use super::RunRecord;
use crate::stats;

#[derive(Clone, Debug)]
pub struct Analysis {
    /// Every record, oldest first.
    pub records: Vec<RunRecord>,
    /// Per machine key (in order of first appearance): its records' indices, oldest first.
    pub machines: Vec<(String, Vec<usize>)>,
    pub found: Vec<Found>,
}

/// A series and its change points.
#[derive(Clone, Debug)]
pub struct Found {
    pub series: Series,
    pub changes: Vec<Change>,
}

/// A change point placed in the history.
#[derive(Clone, Debug)]
pub struct Change {
    pub point: ChangePoint,
    /// The records of the last run before it and the first after it.
    pub before: usize,
    pub after: usize,
    /// The figure as shown (ops/s, ×) before and after: the trimmed geometric means of the
    /// segments on either side, up to the neighbouring change points.
    pub from: f64,
    pub to: f64,
    /// What differs between those two runs (commit range, workload file, interpreter, packages).
    pub changed: Vec<String>,
}

/// A scenario group as the run report's selection forms them: a scenario's workloads, those of a
/// family (`variant_of`) on their own with the workload they are variants of.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub scenario: String,
    pub title: String,
    pub family: Option<String>,
    pub workloads: Vec<String>,
}

impl Analysis {
    /// Every series' change points; `by_label`: series are per machine label where runs have one.
    pub fn of(records: Vec<RunRecord>, by_label: bool) -> Analysis {
        let mut machines: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let key = r.machine_key(by_label);
            match machines.iter_mut().find(|(k, _)| *k == key) {
                Some((_, runs)) => runs.push(i),
                None => machines.push((key, vec![i])),
            }
        }
        let found = build(&records, by_label)
            .into_iter()
            .map(|series| {
                let changes = place(&records, &series, &detect(&series.judged()));
                Found { series, changes }
            })
            .collect();
        Analysis { records, machines, found }
    }

    /// Every change point, newest first (by the run after it, then the figure).
    pub fn newest_first(&self) -> Vec<(&Series, &Change)> {
        let mut all: Vec<(&Series, &Change)> = self.found.iter().flat_map(|f| f.changes.iter().map(move |c| (&f.series, c))).collect();
        all.sort_by(|a, b| b.1.after.cmp(&a.1.after).then_with(|| a.0.key.cmp(&b.0.key)));
        all
    }

    /// A run's position (1 = oldest) among its machine's runs: the x of the report's charts.
    pub fn position(&self, record: usize) -> usize {
        self.machines.iter().find_map(|(_, runs)| runs.iter().position(|r| *r == record)).map_or(0, |p| p + 1)
    }

    /// The scenario groups of every workload any run has, each as its newest run describes it
    /// (interpreter loops left out, as in the selection), in the selection's scenario order.
    pub fn groups(&self) -> Vec<Group> {
        use crate::results::{INTERPRETER_SCENARIO, SCENARIOS};
        use crate::selection::scenario_title;
        let mut workloads = std::collections::BTreeMap::new();
        for r in &self.records {
            workloads.extend(r.workloads.iter().map(|(n, w)| (n.clone(), w.clone())));
        }
        let bases: BTreeSet<&str> = workloads.values().filter_map(|w| w.variant_of.as_deref()).collect();
        let mut groups: Vec<Group> = Vec::new();
        for (name, w) in workloads.iter().filter(|(_, w)| w.scenario != INTERPRETER_SCENARIO) {
            let family = w.variant_of.clone().or_else(|| bases.contains(name.as_str()).then(|| name.clone()));
            match groups.iter_mut().find(|g| g.scenario == w.scenario && g.family == family) {
                Some(g) => g.workloads.push(name.clone()),
                None => groups.push(Group {
                    scenario: w.scenario.clone(),
                    title: scenario_title(&w.scenario),
                    family,
                    workloads: vec![name.clone()],
                }),
            }
        }
        groups.sort_by_key(|g| (SCENARIOS.iter().position(|(s, _)| *s == g.scenario).unwrap_or(SCENARIOS.len()), g.family.is_some()));
        groups
    }
}

/// Each change point between its two runs, with the shown figure on either side.
fn place(records: &[RunRecord], series: &Series, found: &[ChangePoint]) -> Vec<Change> {
    let shown: Vec<f64> = series.points.iter().map(|p| p.shown.point).collect();
    found
        .iter()
        .enumerate()
        .map(|(i, cp)| {
            let lo = if i == 0 { 0 } else { found[i - 1].at };
            let hi = found.get(i + 1).map_or(shown.len(), |c| c.at);
            let (before, after) = (series.points[cp.at - 1].run, series.points[cp.at].run);
            Change {
                point: *cp,
                before,
                after,
                from: stats::trimmed_geomean(&shown[lo..cp.at]).unwrap_or(shown[cp.at - 1]),
                to: stats::trimmed_geomean(&shown[cp.at..hi]).unwrap_or(shown[cp.at]),
                changed: changed(&records[before], &records[after], &series.key.workload),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::series::Metric;
    use crate::results::GilMode;
    use crate::testing::simulate::{simulated_run, Machine, Suite};

    /// 16 runs of two workloads; w01's code 20 % slower at 1 thread from run 10, whose commit
    /// and w01 file are new.
    fn history() -> Analysis {
        let suite = Suite { workloads: 2, threads: vec![1, 2], passes: 9 };
        let mut rng = fastrand::Rng::with_seed(9);
        let records = (0..16)
            .map(|r| {
                let truth = |i: usize, _: GilMode, t: usize| if r >= 10 && i == 1 && t == 1 { 0.8 } else { 1.0 };
                let mut run = simulated_run(&format!("r{r:02}"), &suite, &Machine::quiet(), &truth, &mut rng);
                run.run.started = format!("2025-01-01T00:{r:02}:00Z");
                if r >= 10 {
                    run.run.suite_commit = "feedfacefeedfacefeedface".into();
                    run.workloads.iter_mut().filter(|w| w.workload == "w01").for_each(|w| w.file_crc32 = Some("0badcafe".into()));
                }
                RunRecord::of(&run)
            })
            .collect();
        Analysis::of(records, false)
    }

    #[test]
    fn a_step_is_placed_between_its_two_runs_with_what_changed() {
        let a = history();
        let changes = a.newest_first();
        let (series, c) = changes.iter().find(|(s, _)| s.key.metric == Metric::Throughput && s.key.threads == 1).unwrap();
        assert_eq!(series.key.workload, "w01");
        assert_eq!((c.before, c.after, a.position(c.after)), (9, 10, 11));
        assert!((c.point.test.effect + 0.2).abs() < 0.03 && (c.to / c.from - 0.8).abs() < 0.05, "{c:?}");
        assert_eq!(c.changed, ["suite 0123456789ab..feedfacefeed", "w01.py changed"]);
        assert!(changes.iter().all(|(s, _)| s.key.workload == "w01"), "nothing else moved: {changes:?}");
    }

    #[test]
    fn groups_follow_the_scenarios_and_families() {
        let mut a = history();
        let facts = |scenario: &str, variant_of: Option<&str>| super::super::WorkloadFacts {
            scenario: scenario.into(),
            variant_of: variant_of.map(String::from),
            file_crc32: None,
        };
        let w = &mut a.records.last_mut().unwrap().workloads;
        w.insert("w00".into(), facts("hot-counter", None));
        w.insert("w01".into(), facts("short-critical-section", None));
        w.insert("w02".into(), facts("short-critical-section", Some("w01")));
        w.insert("w03".into(), facts("short-critical-section", None));
        w.insert("w04".into(), facts("interpreter", None));
        let names: Vec<(String, Option<String>, Vec<String>)> =
            a.groups().into_iter().map(|g| (g.scenario, g.family, g.workloads)).collect();
        let own = |s: &str, f: Option<&str>, w: &[&str]| (s.to_string(), f.map(String::from), w.iter().map(|x| x.to_string()).collect());
        assert_eq!(
            names,
            [
                own("short-critical-section", None, &["w03"]),
                own("short-critical-section", Some("w01"), &["w01", "w02"]),
                own("hot-counter", None, &["w00"])
            ]
        );
    }
}
