//! What a comparison is: its options, the verdict on each figure and row, and the whole
//! [`Comparison`] with its counts, exit code and JSON form.

use anyhow::Result;
use serde::Serialize;

use super::{MetricChange, RunFloor};
use crate::results::{GilMode, RunResults};
use crate::stats;

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
}

impl FailOn {
    /// The `--fail-on` value (and JSON spelling).
    pub fn label(self) -> &'static str {
        match self {
            FailOn::Throughput => "throughput",
            FailOn::Scaling => "scaling",
            FailOn::Any => "any",
        }
    }
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct CompareOptions {
    /// Percent; a change must exceed it (strictly) to count.
    pub threshold_pct: f64,
    /// The test's significance level.
    pub alpha: f64,
    pub fail_on: FailOn,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions { threshold_pct: 5.0, alpha: 0.01, fail_on: FailOn::Any }
    }
}

/// The verdict on one figure.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Regressed,
    Improved,
    Unchanged,
}

/// What the per-pass values of a figure are.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Throughput per canary iteration: the machine's drift divided out.
    PerCanary,
    /// Raw ops/s (no canaries, or the interpreters differ: a canary would hide their difference).
    Raw,
    /// ops/s of each pass's fastest round (1-thread rows only, see [`Basis::fits`]): the speed of
    /// the code when the machine ran it at full speed, whatever share of the pass a slowed vCPU took.
    FastestRound,
    /// Speedup within each pass.
    Speedup,
}

impl Basis {
    /// Whether rows of `threads` threads can be judged on it; raw fits every row. Both others only
    /// fit one thread. The canary runs on the row's first worker thread, so it measures the one vCPU
    /// a 1-thread row runs on; a row with more threads also ran on vCPUs it did not measure (a
    /// shared VM slows each vCPU on its own), and its ops per canary iteration split into two
    /// clusters as the canary's vCPU happened to be slowed or not. And a round's fastest instance is
    /// the code's speed only for one thread, a fixed run of sequential work that interference can
    /// only slow; with more, a round's time is also how the threads happened to interleave, and its
    /// fastest instance is the luckiest schedule, not the code's speed.
    pub fn fits(self, threads: usize) -> bool {
        matches!(self, Basis::Raw | Basis::Speedup) || threads == 1
    }

    /// How notes name it.
    pub fn label(self) -> &'static str {
        match self {
            Basis::PerCanary => "per canary iteration",
            Basis::Raw => "raw (ops/s)",
            Basis::FastestRound => "on each pass's fastest round (ops/s)",
            Basis::Speedup => "as speedup",
        }
    }
}

/// Which of a row's per-pass values a figure is judged on, and how.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Sampling {
    /// The faster half of each run's passes, Welch's t-test (two runs: throughput over every pass,
    /// speedup over the quiet ones). Interference only ever slows a pass down — and a pass with
    /// more threads, which needs more of the machine, more — so the slow passes say how busy the
    /// machine was, not how fast the code is: the faster half is the code's figure.
    FasterHalf,
    /// The fastest third of each run's passes (at least two), Welch's t-test: for throughput on
    /// each pass's fastest round. A shared VM runs a vCPU at about half speed for stretches longer
    /// than a pass, in whatever share of a run's passes; the fastest third is the share that, on
    /// this VM, nearly always ran at full speed, where the faster half reached into slowed passes.
    FastestThird,
    /// The quiet passes both sides measured side by side, a paired t-test (`ab`).
    Paired,
}

impl Sampling {
    /// The values of one side this sampling judges.
    pub fn select(self, values: &[f64]) -> Vec<f64> {
        match self {
            Sampling::FasterHalf => stats::faster_half(values),
            Sampling::FastestThird => stats::fastest_share(values, 3),
            Sampling::Paired => values.to_vec(),
        }
    }
}

/// Where a row sits in the report, in output order.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum RowCategory {
    Regressed,
    Improved,
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
    /// Both rows are valid but a side has fewer than two usable passes: nothing to judge by.
    NotComparable {
        reason: String,
    },
    /// Not compared: why each side is unusable (None = that side was fine).
    Invalid {
        base: Option<String>,
        new: Option<String>,
    },
    OnlyInBase,
    OnlyInNew,
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
                let changes = [Some(throughput.change), speedup.map(|s| s.change)];
                if changes.contains(&Some(Change::Regressed)) {
                    RowCategory::Regressed
                } else if changes.contains(&Some(Change::Improved)) {
                    RowCategory::Improved
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
            RowOutcome::Compared { speedup, .. } => speedup.map(|s| s.change),
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

    fn metrics(&self) -> impl Iterator<Item = MetricChange> + '_ {
        let (t, s) = match &self.outcome {
            RowOutcome::Compared { throughput, speedup } => (Some(*throughput), *speedup),
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
    /// The runs' own spread across the rows of each thread count (see [`super::run_floor_pct`]), for
    /// throughput and for speedup, in percent: no change below its row's is a verdict.
    pub run_floors: Vec<RunFloor>,
    /// Machine or interpreter differences: the loud warnings.
    pub mismatches: Vec<String>,
    /// Runs measured on a disturbed machine (canary drift or disturbed passes past the limits):
    /// loud too, since their verdicts, either way, cannot be trusted.
    pub disturbed: Vec<String>,
    /// Quieter context: configuration differences, incomplete runs, confidence levels.
    pub notes: Vec<String>,
    /// Sorted: regressed (worst first), improved (best first), unchanged, invalid, only in base,
    /// only in new; ties in workload, mode, threads order.
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

    /// 1 when a regression selected by `options.fail_on` was found, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.failing_regressions(self.options.fail_on) > 0)
    }
}
