//! What a comparison is: its options, the verdict on each figure and row, and the whole
//! [`Comparison`] with its counts, exit code and JSON form.

use anyhow::Result;
use serde::Serialize;

use super::{Drift, MetricChange, SideFailure};
use crate::exit;
use crate::results::{GilMode, RunResults};

/// Which regressions fail the comparison.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Throughput regressions only.
    Throughput,
    /// Scaling (speedup) regressions only.
    Scaling,
    /// Either.
    Any,
    /// None: the comparison only reports (exit 0 unless the input is bad).
    None,
}

impl FailOn {
    /// The `--fail-on` value (and JSON spelling).
    pub fn label(self) -> &'static str {
        match self {
            FailOn::Throughput => "throughput",
            FailOn::Scaling => "scaling",
            FailOn::Any => "any",
            FailOn::None => "none",
        }
    }
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct CompareOptions {
    /// T, in percent: a regression's or improvement's whole interval lies beyond ±T, an unchanged
    /// figure's within it.
    pub threshold_pct: f64,
    /// The false-discovery rate of the family test (Benjamini–Hochberg) over every figure.
    pub alpha: f64,
    /// The two-sided level of each figure's interval (0.95; a sequential `ab` spends it over its looks).
    pub confidence: f64,
    pub fail_on: FailOn,
    /// Exit 4 when more than this percentage of the rows both runs measured could not be judged
    /// (inconclusive or not comparable); None: never.
    pub fail_on_inconclusive_pct: Option<f64>,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions { threshold_pct: 5.0, alpha: 0.05, confidence: 0.95, fail_on: FailOn::Any, fail_on_inconclusive_pct: None }
    }
}

impl CompareOptions {
    /// The options for one of `looks` looks at growing data (sequential `ab`): the family test's
    /// rate and each interval's error split evenly over the looks (Bonferroni), so the chance of a
    /// false verdict at any look stays within the single test's.
    pub fn per_look(self, looks: usize) -> CompareOptions {
        let k = looks.max(1) as f64;
        CompareOptions { alpha: self.alpha / k, confidence: 1.0 - (1.0 - self.confidence) / k, ..self }
    }
}

/// The verdict on one figure (the words are defined in `docs/verdicts.md`).
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Found changed by the family test, and the whole interval below −T.
    Regressed,
    /// Found changed by the family test, and the whole interval above +T.
    Improved,
    /// The interval reaches past ±T: this comparison cannot tell.
    Inconclusive,
    /// The whole interval within ±T.
    Unchanged,
}

/// What the per-pass values of a figure are.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// ops/s of each pass (rows with more than one thread, or runs recorded before fastest rounds).
    Raw,
    /// Each pass's fastest round over the faster of the canaries around it (1-thread rows of two
    /// runs on one interpreter): the machine's speed of that pass divided out.
    PerCanary,
    /// ops/s of each pass's fastest round (1-thread rows): the speed of the code when the machine
    /// ran it at full speed, whatever share of the pass a slowed vCPU took.
    FastestRound,
    /// Speedup within each pass.
    Speedup,
}

/// Where a row sits in the report, in output order.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum RowCategory {
    Regressed,
    Improved,
    Inconclusive,
    Unchanged,
    NotComparable,
    Invalid,
    OnlyInBase,
    OnlyInNew,
}

impl RowCategory {
    pub fn label(self) -> &'static str {
        match self {
            RowCategory::Regressed => "REGRESSED",
            RowCategory::Improved => "improved",
            RowCategory::Inconclusive => "inconclusive",
            RowCategory::Unchanged => "unchanged",
            RowCategory::NotComparable => "not comparable",
            RowCategory::Invalid => crate::results::RowStatus::Invalid.label(),
            RowCategory::OnlyInBase => "only in base",
            RowCategory::OnlyInNew => "only in new",
        }
    }
}

#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum RowOutcome {
    Compared {
        throughput: MetricChange,
        /// None at the base thread count (speedup is 1 by definition) or without base rows.
        speedup: Option<MetricChange>,
    },
    /// Both rows are valid but cannot be judged (too few passes, no canaries to tell the drift).
    NotComparable {
        reason: String,
    },
    /// Not compared: why each side is unusable (None = that side was fine).
    Invalid {
        base: Option<String>,
        new: Option<String>,
        /// Only the machine kept it from being judged (disturbed in most passes): more passes may.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        disturbed: bool,
    },
    OnlyInBase,
    OnlyInNew,
}

impl RowOutcome {
    /// Why the row was not judged ("" when it was compared).
    pub fn unjudged(&self) -> String {
        match self {
            RowOutcome::Invalid { base, new, .. } => {
                let sides = [("base", base), ("new", new)].into_iter().filter_map(|(s, why)| Some(format!("{s}: {}", why.as_ref()?)));
                sides.collect::<Vec<_>>().join("; ")
            }
            RowOutcome::NotComparable { reason } => reason.clone(),
            RowOutcome::OnlyInBase => "not measured in new".into(),
            RowOutcome::OnlyInNew => "not measured in base".into(),
            RowOutcome::Compared { .. } => String::new(),
        }
    }
}

impl RowComparison {
    /// More pass pairs could judge it: too few quiet passes or no canaries to tell the drift, or
    /// disturbed in most passes.
    pub fn measurable_again(&self) -> bool {
        matches!(self.outcome, RowOutcome::NotComparable { .. } | RowOutcome::Invalid { disturbed: true, .. })
    }
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct RowComparison {
    pub workload: String,
    pub mode: GilMode,
    pub threads: usize,
    pub outcome: RowOutcome,
    /// Context worth reading next to the verdict (e.g. why scaling was not compared).
    pub note: Option<String>,
}

impl RowComparison {
    pub fn category(&self) -> RowCategory {
        match &self.outcome {
            RowOutcome::Compared { throughput, speedup } => {
                let changes = [Some(throughput.change), speedup.as_ref().map(|s| s.change)];
                if changes.contains(&Some(Change::Regressed)) {
                    RowCategory::Regressed
                } else if changes.contains(&Some(Change::Improved)) {
                    RowCategory::Improved
                } else if changes.contains(&Some(Change::Inconclusive)) {
                    RowCategory::Inconclusive
                } else {
                    RowCategory::Unchanged
                }
            }
            RowOutcome::NotComparable { .. } => RowCategory::NotComparable,
            RowOutcome::Invalid { .. } => RowCategory::Invalid,
            RowOutcome::OnlyInBase => RowCategory::OnlyInBase,
            RowOutcome::OnlyInNew => RowCategory::OnlyInNew,
        }
    }

    pub fn throughput_change(&self) -> Option<Change> {
        match &self.outcome {
            RowOutcome::Compared { throughput, .. } => Some(throughput.change),
            _ => None,
        }
    }

    pub fn speedup_change(&self) -> Option<Change> {
        match &self.outcome {
            RowOutcome::Compared { speedup, .. } => speedup.as_ref().map(|s| s.change),
            _ => None,
        }
    }

    /// `workload/gil-off/4t`.
    pub fn name(&self) -> String {
        format!("{}/{}/{}t", self.workload, self.mode.label(), self.threads)
    }

    /// Most negative regressed change (for sorting regressions worst first).
    fn worst_regression(&self) -> f64 {
        self.metrics().filter(|m| m.change == Change::Regressed).map(|m| m.change_pct).fold(f64::INFINITY, f64::min)
    }

    fn best_improvement(&self) -> f64 {
        self.metrics().filter(|m| m.change == Change::Improved).map(|m| m.change_pct).fold(f64::NEG_INFINITY, f64::max)
    }

    fn metrics(&self) -> impl Iterator<Item = &MetricChange> + '_ {
        let (t, s) = match &self.outcome {
            RowOutcome::Compared { throughput, speedup } => (Some(throughput), speedup.as_ref()),
            _ => (None, None),
        };
        t.into_iter().chain(s)
    }
}

/// Regressed (worst first), improved (best first), then the other categories; stable otherwise.
pub fn sort_rows(rows: &mut [RowComparison]) {
    rows.sort_by(|a, b| {
        let (ca, cb) = (a.category(), b.category());
        ca.cmp(&cb).then_with(|| match ca {
            RowCategory::Regressed => a.worst_regression().total_cmp(&b.worst_regression()),
            RowCategory::Improved => b.best_improvement().total_cmp(&a.best_improvement()),
            _ => std::cmp::Ordering::Equal,
        })
    });
}

/// Identity of one side of the comparison, for headings.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct RunLabel {
    pub id: String,
    pub commit: String,
    pub started: String,
    /// What the user typed (path or baseline name); set by the command, None from [`super::compare`].
    pub source: Option<String>,
}

impl RunLabel {
    pub(super) fn of(r: &RunResults) -> RunLabel {
        RunLabel { id: r.run.id.clone(), commit: r.run.suite_commit.clone(), started: r.run.started.clone(), source: None }
    }
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Comparison {
    pub base: RunLabel,
    pub new: RunLabel,
    pub options: CompareOptions,
    /// True for `ftbench ab`: pass i of each side ran side by side, and the test is paired.
    pub paired: bool,
    /// How far the machine moved between the runs, per GIL mode (empty when paired).
    pub drift: Vec<Drift>,
    /// Machine or interpreter differences: the loud warnings.
    pub mismatches: Vec<String>,
    /// Runs measured on a disturbed machine (canary drift or disturbed passes past the limits):
    /// loud too, since their verdicts, either way, cannot be trusted.
    pub disturbed: Vec<String>,
    /// Quieter context: configuration differences, incomplete runs, confidence levels.
    pub notes: Vec<String>,
    /// Workloads that failed on either side; those that fail the comparison first.
    pub failures: Vec<SideFailure>,
    /// Sorted: regressed (worst first), improved (best first), inconclusive, unchanged, not
    /// comparable, invalid, only in base, only in new; ties in workload, mode, threads order.
    pub rows: Vec<RowComparison>,
}

impl Comparison {
    pub fn count(&self, category: RowCategory) -> usize {
        self.rows.iter().filter(|r| r.category() == category).count()
    }

    pub fn throughput_regressions(&self) -> usize {
        self.rows.iter().filter(|r| r.throughput_change() == Some(Change::Regressed)).count()
    }

    pub fn scaling_regressions(&self) -> usize {
        self.rows.iter().filter(|r| r.speedup_change() == Some(Change::Regressed)).count()
    }

    /// Regressions of the kind `fail_on` selects.
    pub fn failing_regressions(&self, fail_on: FailOn) -> usize {
        self.rows
            .iter()
            .filter(|r| {
                let t = r.throughput_change() == Some(Change::Regressed);
                let s = r.speedup_change() == Some(Change::Regressed);
                match fail_on {
                    FailOn::Throughput => t,
                    FailOn::Scaling => s,
                    FailOn::Any => t || s,
                    FailOn::None => false,
                }
            })
            .count()
    }

    /// The whole comparison with its verdict and counts, for `--json` (documented in SCHEMA.md).
    pub fn to_json(&self) -> Result<String> {
        let mut v = serde_json::to_value(self)?;
        v["verdict"] = self.verdict().into();
        v["exit_code"] = self.exit_code().into();
        for (r, row) in v["rows"].as_array_mut().into_iter().flatten().zip(&self.rows) {
            r["category"] = serde_json::to_value(row.category())?;
        }
        Ok(serde_json::to_string_pretty(&v)?)
    }

    /// Rows both runs measured that could not be judged (inconclusive or not comparable), and all
    /// rows both runs measured validly.
    pub fn unjudged(&self) -> (usize, usize) {
        let unjudged = self.count(RowCategory::Inconclusive) + self.count(RowCategory::NotComparable);
        let matched =
            unjudged + self.count(RowCategory::Regressed) + self.count(RowCategory::Improved) + self.count(RowCategory::Unchanged);
        (unjudged, matched)
    }

    /// Whether more rows could not be judged than `--fail-on-inconclusive` allows.
    pub fn too_many_unjudged(&self) -> bool {
        let (unjudged, matched) = self.unjudged();
        self.options.fail_on_inconclusive_pct.is_some_and(|limit| unjudged as f64 > limit / 100.0 * matched as f64)
    }

    /// Benchmark ids (`lock_counter.gil-off/2`) of the rows with a regressed or improved figure,
    /// and of their workloads' base rows (a speedup is against them): what a confirmation measures.
    pub fn flagged_ids(&self) -> Vec<String> {
        self.ids_where(|r| matches!(r.category(), RowCategory::Regressed | RowCategory::Improved))
    }

    /// Benchmark ids of the rows `pick` selects, and of their workloads' base rows.
    pub fn ids_where(&self, pick: impl Fn(&RowComparison) -> bool) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for r in self.rows.iter().filter(|r| pick(r)) {
            let base = self.rows.iter().filter(|o| o.workload == r.workload && o.mode == r.mode).map(|o| o.threads).min();
            for t in [Some(r.threads), base].into_iter().flatten() {
                let id = format!("{}/{t}", crate::results::group_name(&r.workload, r.mode));
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    }

    /// Checks every regressed or improved figure against `again`, the flagged rows measured again
    /// in fresh processes (side by side, freshly shuffled): a verdict stands only when the second
    /// measurement agrees in sign and lies beyond ±T; otherwise it is inconclusive, "not confirmed".
    pub fn confirm(&mut self, again: &Comparison) {
        let t = self.options.threshold_pct;
        for r in &mut self.rows {
            let other = again.rows.iter().find(|o| (&o.workload, o.mode, o.threads) == (&r.workload, r.mode, r.threads));
            let (throughput, speedup) = match other.map(|o| &o.outcome) {
                Some(RowOutcome::Compared { throughput, speedup }) => {
                    (Ok(throughput), speedup.as_ref().ok_or("no speedup re-measured".to_string()))
                }
                Some(o) => (Err(o.unjudged()), Err(o.unjudged())),
                None => (Err("not re-measured".to_string()), Err("not re-measured".to_string())),
            };
            if let RowOutcome::Compared { throughput: mine, speedup: my_speedup } = &mut r.outcome {
                mine.confirm(throughput, t);
                if let Some(s) = my_speedup {
                    s.confirm(speedup, t);
                }
            }
        }
        sort_rows(&mut self.rows);
    }

    /// Figures whose verdict a confirmation did not bear out.
    pub fn unconfirmed(&self) -> usize {
        self.rows.iter().flat_map(|r| r.metrics()).filter(|m| m.confirmation.as_ref().is_some_and(|c| !c.confirmed)).count()
    }

    /// Failures that fail the comparison (none with `--fail-on none`, which only reports).
    pub fn failing_workloads(&self) -> impl Iterator<Item = &SideFailure> {
        self.failures.iter().filter(|f| f.fails && self.options.fail_on != FailOn::None)
    }

    /// The comparison's exit code (see [`crate::exit`]): the most severe of a selected
    /// regression, a failing workload and too many rows that could not be judged; else 0.
    pub fn exit_code(&self) -> i32 {
        let found = [
            (self.failing_regressions(self.options.fail_on) > 0, exit::REGRESSION),
            (self.failing_workloads().next().is_some(), exit::WORKLOAD_FAILED),
            (self.too_many_unjudged(), exit::INCONCLUSIVE),
        ];
        found.into_iter().filter(|(found, _)| *found).fold(exit::OK, |code, (_, c)| exit::worst(code, c))
    }
}
