//! `ftbench compare BASE NEW`: scaling-regression tracking between two runs.
//!
//! Every workload × GIL mode × thread count present in both runs is compared on two figures,
//! each from its per-pass values (one value per independent pass, see `sweep`):
//!
//! * **throughput**: ops per canary iteration (drift-corrected) when both runs measured canaries on
//!   the same interpreter, else raw ops/s;
//! * **scaling**: speedup = throughput(t) / throughput(base threads), computed within each pass.
//!
//! A figure is *regressed* or *improved* only when ALL of
//! 1. Welch's t-test on the logs of the per-pass values gives p < `--alpha` (default 0.01);
//! 2. the change exceeds `--threshold` (default 5 %);
//! 3. the change exceeds the noise floor: half the range the same code spanned within either run
//!    (a change smaller than a run's own pass-to-pass spread is never a verdict).
//!
//! Rows with fewer than two quiet passes on a side are *not comparable* (no interval to judge by);
//! rows that are not valid (errors, invalid, disturbed, implausible) are listed as `invalid`.
//! Different machines or interpreters are warned about at the top of the output.
//!
//! Exit status of [`command`]: 0 no regression (of the kind selected by `--fail-on`),
//! 1 regression found; input errors are returned as `Err` (the CLI maps them to 2).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::baseline::{self, kebab, short_commit, text_table};
use serde::Serialize;

use crate::results::{GilMode, RunResults, ThreadRow, WorkloadResult, WorkloadStatus};
use crate::stats;

#[derive(clap::Args, Debug, Clone)]
pub struct CompareArgs {
    /// The reference run: a run folder, a results.json, a `latest` pointer, or a baseline name.
    pub base: PathBuf,
    /// The run to judge; same forms as BASE.
    pub new: PathBuf,
    /// Smallest relative change, in percent, that can count as a regression or improvement
    /// (the test must also be significant and the change beyond the runs' own noise).
    #[arg(long, default_value_t = 5.0, value_name = "PERCENT")]
    pub threshold: f64,
    /// Significance level of the per-row test.
    #[arg(long, default_value_t = 0.01, value_name = "P")]
    pub alpha: f64,
    /// Which regressions make the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Any)]
    pub fail_on: FailOn,
    /// Print GitHub-flavoured markdown (for PR comments) instead of the terminal table.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Print every row's verdict, effect, p-value and interval as JSON (see reports/SCHEMA.md).
    #[arg(long)]
    pub json: bool,
    /// BASE and NEW are the two sides of one `ftbench ab` run (its base/ and new/ folders): compare
    /// them pass by pass with a paired test.
    #[arg(long)]
    pub paired: bool,
}

/// Which regressions fail the comparison.
#[derive(clap::ValueEnum, Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Throughput regressions only.
    Throughput,
    /// Scaling (speedup) regressions only.
    Scaling,
    /// Either.
    Any,
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
    /// Speedup within each pass.
    Speedup,
}

/// One figure (throughput or speedup) in base and new. Bigger is better for both.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct MetricChange {
    /// Mean of each side's per-pass values (ops/s for throughput, whatever the test's basis).
    pub base: f64,
    pub new: f64,
    /// Each side's 95 % interval over passes, same units.
    pub base_interval: Option<(f64, f64)>,
    pub new_interval: Option<(f64, f64)>,
    pub basis: Basis,
    /// The test's effect, new / base − 1, in percent.
    pub change_pct: f64,
    /// The effect's 95 % interval, in percent.
    pub change_interval_pct: (f64, f64),
    pub p_value: f64,
    /// Half the range the same code spanned within either run, in percent.
    pub noise_floor_pct: f64,
    /// The smallest change, in percent, that would have been a verdict on this row: the largest of
    /// the threshold, the noise floor and what the test can tell from noise at `alpha`.
    pub detectable_pct: f64,
    pub beyond_threshold: bool,
    pub change: Change,
}

impl MetricChange {
    /// Tests `new` against `base` (per-pass values on `basis`; paired when measured side by side)
    /// and applies the rule: significant, beyond the threshold and beyond the noise floor.
    pub fn judge(base: &[f64], new: &[f64], basis: Basis, paired: bool, opts: &CompareOptions) -> Option<MetricChange> {
        let test = if paired { stats::paired(base, new)? } else { stats::welch(base, new)? };
        let noise_floor = if paired {
            let ratios: Vec<f64> = new.iter().zip(base).map(|(n, b)| n / b).collect();
            stats::half_range(&ratios)?
        } else {
            stats::half_range(base)?.max(stats::half_range(new)?)
        };
        let change_pct = test.effect * 100.0;
        let interval = |xs: &[f64]| stats::mean_interval(xs, 0.95).and_then(|(_, ci)| ci);
        let mut m = MetricChange {
            base: stats::mean(base)?,
            new: stats::mean(new)?,
            base_interval: interval(base),
            new_interval: interval(new),
            basis,
            change_pct,
            change_interval_pct: (test.interval.0 * 100.0, test.interval.1 * 100.0),
            p_value: test.p,
            noise_floor_pct: noise_floor * 100.0,
            detectable_pct: (test.detectable(opts.alpha) * 100.0).max(noise_floor * 100.0).max(opts.threshold_pct),
            beyond_threshold: change_pct.abs() > opts.threshold_pct,
            change: Change::Unchanged,
        };
        m.classify(opts);
        Some(m)
    }

    /// The rule: significant, beyond the threshold and beyond the noise floor.
    fn classify(&mut self, opts: &CompareOptions) {
        let verdict = self.p_value < opts.alpha && self.beyond_threshold && self.change_pct.abs() > self.noise_floor_pct;
        self.change = match (verdict, self.change_pct < 0.0) {
            (false, _) => Change::Unchanged,
            (true, true) => Change::Regressed,
            (true, false) => Change::Improved,
        };
    }

    /// Raises the noise floor to at least `floor_pct` (the runs' own spread across rows) and judges again.
    fn raise_floor(&mut self, floor_pct: f64, opts: &CompareOptions) {
        self.noise_floor_pct = self.noise_floor_pct.max(floor_pct);
        self.detectable_pct = self.detectable_pct.max(floor_pct);
        self.classify(opts);
    }
}

/// How many robust standard deviations of the changes across all rows a change must exceed.
const RUN_FLOOR_SIGMAS: f64 = 3.0;
/// Below this many compared rows the spread across rows says nothing and no run floor is applied.
const RUN_FLOOR_MIN_ROWS: usize = 8;

/// The runs' own A/A spread for one figure: `RUN_FLOOR_SIGMAS` × the robust standard deviation
/// (1.4826 × median absolute deviation) of the log changes across every compared row, in percent.
/// Most rows of two runs did not change, so this is how far unchanged code moved between the two
/// runs — drift between runs that each run's own passes cannot show.
pub fn run_floor_pct(changes_pct: &[f64]) -> f64 {
    if changes_pct.len() < RUN_FLOOR_MIN_ROWS {
        return 0.0;
    }
    let logs: Vec<f64> = changes_pct.iter().map(|c| (1.0 + c / 100.0).ln()).collect();
    let median = stats::median(&logs).unwrap_or(0.0);
    let deviations: Vec<f64> = logs.iter().map(|l| (l - median).abs()).collect();
    let sigma = 1.4826 * stats::median(&deviations).unwrap_or(0.0);
    ((RUN_FLOOR_SIGMAS * sigma).exp() - 1.0) * 100.0
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
            RowCategory::Invalid => "invalid",
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
    /// Both rows are valid but a side has fewer than two quiet passes: nothing to judge by.
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

/// Identity of one side of the comparison, for headings.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct RunLabel {
    pub id: String,
    pub commit: String,
    pub started: String,
    /// What the user typed (path or baseline name); set by [`command`], None from [`compare`].
    pub source: Option<String>,
}

impl RunLabel {
    fn of(r: &RunResults) -> RunLabel {
        RunLabel { id: r.run.id.clone(), commit: r.run.suite_commit.clone(), started: r.run.started.clone(), source: None }
    }

    fn describe(&self) -> String {
        let mut s = format!("run {} (commit {})", self.id, short_commit(&self.commit));
        if let Some(src) = &self.source {
            let _ = write!(s, " from {src}");
        }
        s
    }
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Comparison {
    pub base: RunLabel,
    pub new: RunLabel,
    pub options: CompareOptions,
    /// True for `ftbench ab`: pass i of each side ran side by side, and the test is paired.
    pub paired: bool,
    /// The runs' own spread across rows (see [`run_floor_pct`]) for throughput and for speedup,
    /// in percent: no change below it is a verdict.
    pub run_floor_pct: (f64, f64),
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

    /// One line: what was found.
    pub fn verdict(&self) -> String {
        let regressed = self.count(RowCategory::Regressed);
        let improved = self.count(RowCategory::Improved);
        let mut s = if regressed == 0 {
            "no regressions".to_string()
        } else {
            format!(
                "{} ({} throughput, {} scaling)",
                plural(regressed, "regression", "regressions"),
                self.throughput_regressions(),
                self.scaling_regressions()
            )
        };
        let _ = write!(s, ", {}, {} unchanged", plural(improved, "improvement", "improvements"), self.count(RowCategory::Unchanged));
        let not_comparable = self.count(RowCategory::NotComparable);
        if not_comparable > 0 {
            let _ = write!(s, ", {not_comparable} not comparable");
        }
        let invalid = self.count(RowCategory::Invalid);
        if invalid > 0 {
            let _ = write!(s, ", {invalid} invalid");
        }
        let missing = self.count(RowCategory::OnlyInBase) + self.count(RowCategory::OnlyInNew);
        if missing > 0 {
            let _ = write!(s, ", {missing} in one run only");
        }
        if regressed > 0 && self.exit_code() == 0 {
            let _ = write!(s, " (not failing: --fail-on {})", fail_on_label(self.options.fail_on));
        }
        s
    }

    fn criteria(&self) -> String {
        format!(
            "a change counts when {} over passes gives p < {} AND it exceeds {}% AND the runs' own noise: \
             each row's pass-to-pass spread, and the spread across rows ({:.1}% throughput, {:.1}% speedup)",
            if self.paired { "a paired t-test" } else { "Welch's t-test" },
            trim_float(self.options.alpha),
            trim_float(self.options.threshold_pct),
            self.run_floor_pct.0,
            self.run_floor_pct.1
        )
    }

    /// The aligned terminal report: loud warnings, verdict, table, legend.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        if !self.mismatches.is_empty() {
            let bar = "!".repeat(78);
            let _ = writeln!(out, "{bar}");
            let _ = writeln!(out, "!! WARNING: BASE AND NEW RAN ON DIFFERENT MACHINES OR INTERPRETERS.");
            let _ = writeln!(out, "!! Differences below may come from that, not from the code:");
            for m in &self.mismatches {
                let _ = writeln!(out, "!!   {m}");
            }
            let _ = writeln!(out, "{bar}");
            out.push('\n');
        }
        for d in &self.disturbed {
            let _ = writeln!(out, "!! WARNING: A RUN WAS MEASURED ON A DISTURBED MACHINE; ITS VERDICTS CANNOT BE TRUSTED: {d}");
        }
        let _ = writeln!(out, "compare: {}", self.verdict());
        let _ = writeln!(out, "  base: {}", self.base.describe());
        let _ = writeln!(out, "  new:  {}", self.new.describe());
        let _ = writeln!(out, "  {}", self.criteria());
        for n in &self.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        out.push('\n');
        if self.rows.is_empty() {
            out.push_str("no rows to compare: neither run has measured rows\n");
            return out;
        }
        let headers = [
            "VERDICT",
            "WORKLOAD",
            "MODE",
            "THREADS",
            "BASE OPS/S",
            "NEW OPS/S",
            "Δ THROUGHPUT",
            "BASE SPEEDUP",
            "NEW SPEEDUP",
            "Δ SPEEDUP",
            "NOTE",
        ];
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| cells(r, false)).collect();
        out.push_str(&text_table(&headers, &rows));
        out.push_str("\n▼ regressed  ▲ improved  ≈ beyond the threshold but not beyond noise (test or noise floor)\n");
        out
    }

    /// GitHub-flavoured markdown for PR comments: a one-line verdict heading, loud warnings,
    /// a table of the changed rows, and the rest folded in `<details>`.
    pub fn render_markdown(&self) -> String {
        let mut out = String::new();
        let icon = if self.exit_code() == 1 {
            "❌"
        } else if self.count(RowCategory::Regressed) > 0 || !self.mismatches.is_empty() {
            "⚠️"
        } else {
            "✅"
        };
        let _ = write!(out, "### {icon} ftbench compare: {}", self.verdict());
        if !self.mismatches.is_empty() {
            out.push_str(" — different machines or interpreters");
        }
        out.push_str("\n\n");
        if !self.mismatches.is_empty() {
            out.push_str("> [!WARNING]\n");
            out.push_str(
                "> **Base and new ran on different machines or interpreters.** Differences below may come from that, not from the code.\n",
            );
            for m in &self.mismatches {
                let _ = writeln!(out, "> - {}", md_escape(m));
            }
            out.push('\n');
        }
        for d in &self.disturbed {
            let _ =
                writeln!(out, "> [!WARNING]\n> **Measured on a disturbed machine; its verdicts cannot be trusted:** {}\n", md_escape(d));
        }
        let _ =
            writeln!(out, "Base: {} · New: {} · {}.", md_escape(&self.base.describe()), md_escape(&self.new.describe()), self.criteria());
        for n in &self.notes {
            let _ = writeln!(out, "\n> Note: {}", md_escape(n));
        }
        out.push('\n');
        let (changed, rest): (Vec<&RowComparison>, Vec<&RowComparison>) =
            self.rows.iter().partition(|r| matches!(r.category(), RowCategory::Regressed | RowCategory::Improved));
        if !changed.is_empty() {
            md_table(&mut out, &changed);
        }
        if !rest.is_empty() {
            let _ = writeln!(
                out,
                "\n<details><summary>{} unchanged, {} not comparable, {} invalid, {} in one run only</summary>\n",
                self.count(RowCategory::Unchanged),
                self.count(RowCategory::NotComparable),
                self.count(RowCategory::Invalid),
                self.count(RowCategory::OnlyInBase) + self.count(RowCategory::OnlyInNew)
            );
            md_table(&mut out, &rest);
            out.push_str("\n</details>\n");
        }
        out.push_str("\n▼ regressed · ▲ improved · ≈ beyond the threshold but not beyond noise (test or noise floor)\n");
        out
    }
}

const MD_HEADERS: [&str; 11] = [
    "Verdict",
    "Workload",
    "Mode",
    "Threads",
    "Base ops/s",
    "New ops/s",
    "Δ throughput",
    "Base speedup",
    "New speedup",
    "Δ speedup",
    "Note",
];

fn md_table(out: &mut String, rows: &[&RowComparison]) {
    let _ = writeln!(out, "| {} |", MD_HEADERS.join(" | "));
    let align: Vec<&str> = MD_HEADERS.iter().enumerate().map(|(i, _)| if (3..10).contains(&i) { "---:" } else { "---" }).collect();
    let _ = writeln!(out, "|{}|", align.join("|"));
    for r in rows {
        let c: Vec<String> = cells(r, true).iter().map(|c| md_escape(c)).collect();
        let _ = writeln!(out, "| {} |", c.join(" | "));
    }
}

fn cells(r: &RowComparison, markdown: bool) -> Vec<String> {
    let mut verdict = r.category().label().to_string();
    if markdown && r.category() == RowCategory::Regressed {
        verdict = format!("**{verdict}**");
    }
    let mut c = vec![verdict, r.workload.clone(), r.mode.label().to_string(), r.threads.to_string()];
    let dash = || "-".to_string();
    match &r.outcome {
        RowOutcome::Compared { throughput, speedup } => {
            c.push(fmt_throughput(throughput.base, throughput.base_interval.filter(|_| throughput.basis == Basis::Raw)));
            c.push(fmt_throughput(throughput.new, throughput.new_interval.filter(|_| throughput.basis == Basis::Raw)));
            c.push(fmt_delta(throughput));
            match speedup {
                Some(s) => {
                    c.push(format!("{:.2}x", s.base));
                    c.push(format!("{:.2}x", s.new));
                    c.push(fmt_delta(s));
                }
                None => c.extend([dash(), dash(), dash()]),
            }
        }
        _ => c.extend((0..6).map(|_| dash())),
    }
    let mut note = Vec::new();
    match &r.outcome {
        RowOutcome::Invalid { base, new } => {
            if let Some(b) = base {
                note.push(format!("base: {b}"));
            }
            if let Some(n) = new {
                note.push(format!("new: {n}"));
            }
        }
        RowOutcome::NotComparable { reason } => note.push(reason.clone()),
        RowOutcome::OnlyInBase => note.push("not measured in new".into()),
        RowOutcome::OnlyInNew => note.push("not measured in base".into()),
        RowOutcome::Compared { .. } => {}
    }
    if let Some(n) = &r.note {
        note.push(n.clone());
    }
    c.push(note.join("; "));
    c
}

/// `1.23M ±1.5%`, or `1.23M` without an interval.
fn fmt_throughput(point: f64, interval: Option<(f64, f64)>) -> String {
    match interval {
        Some((lo, hi)) => format!("{} ±{:.1}%", crate::report::format::si(point), (hi - lo) / 2.0 / point * 100.0),
        None => crate::report::format::si(point),
    }
}

/// `-30.1% ▼`.
fn fmt_delta(m: &MetricChange) -> String {
    let marker = match m.change {
        Change::Regressed => " ▼",
        Change::Improved => " ▲",
        Change::Unchanged if m.beyond_threshold => " ≈",
        Change::Unchanged => "",
    };
    format!("{:+.1}%{marker}", m.change_pct)
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fail_on_label(f: FailOn) -> &'static str {
    match f {
        FailOn::Throughput => "throughput",
        FailOn::Scaling => "scaling",
        FailOn::Any => "any",
    }
}

/// Escapes table-breaking and formatting characters for a markdown table cell or list item.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\''),
            _ => out.push(ch),
        }
    }
    out
}

/// The first line of a message, cut to `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let line = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Why a row cannot be compared, or None when it can.
fn invalid_reason(row: &ThreadRow) -> Option<String> {
    if row.is_valid() {
        return None;
    }
    let mut s = kebab(&row.status);
    if row.status == crate::results::RowStatus::Ok {
        s = match (&row.throughput, &row.implausible, &row.disturbed) {
            (None, ..) => "no throughput measured",
            (_, Some(_), _) => "implausible",
            _ => "disturbed",
        }
        .to_string();
    }
    let why = row.implausible.as_deref().or(row.disturbed.as_deref()).or(row.message.as_deref());
    if let Some(m) = why.map(|m| one_line(m, 80)).filter(|m| !m.is_empty()) {
        let _ = write!(s, " ({m})");
    }
    Some(s)
}

fn workload_reason(w: &WorkloadResult) -> String {
    let mut s = format!("workload {}", kebab(&w.status));
    if let Some(r) = w.reason.as_deref().map(|r| one_line(r, 80)).filter(|r| !r.is_empty()) {
        let _ = write!(s, " ({r})");
    }
    s
}

/// A row's quiet passes: pass → throughput, raw or per canary iteration of its child in that pass.
pub fn pass_values(w: &WorkloadResult, row: &ThreadRow, basis: Basis) -> BTreeMap<usize, f64> {
    let canaries = w.pass_canaries();
    row.quiet_passes()
        .filter_map(|p| match basis {
            Basis::PerCanary => Some((p.pass, p.throughput / canaries.get(&p.pass)?)),
            _ => Some((p.pass, p.throughput)),
        })
        .filter(|(_, v)| v.is_finite() && *v > 0.0)
        .collect()
}

/// Per-pass speedups of `row` against the workload's base row (its smallest valid thread count),
/// or None at the base thread count or without a base.
pub fn speedup_values(w: &WorkloadResult, row: &ThreadRow) -> Option<BTreeMap<usize, f64>> {
    let base = w.rows.iter().filter(|r| r.is_valid()).min_by_key(|r| r.threads)?;
    if base.threads >= row.threads {
        return None;
    }
    let by_pass = pass_values(w, base, Basis::Raw);
    Some(pass_values(w, row, Basis::Raw).into_iter().filter_map(|(p, v)| Some((p, v / by_pass.get(&p)?))).collect())
}

/// The throughput basis two runs can share: per canary iteration when every quiet pass of both has
/// canaries and the interpreters are the same (a canary on another interpreter would divide out
/// exactly the difference being measured).
fn shared_basis(base: &RunResults, new: &RunResults) -> Basis {
    let canaries = |r: &RunResults| r.workloads.iter().flat_map(|w| &w.rows).flat_map(|r| r.quiet_passes()).all(|p| p.canary().is_some());
    let same_interpreter = base
        .interpreters
        .iter()
        .all(|b| new.interpreters.iter().filter(|n| n.mode == b.mode).all(|n| n.version == b.version && n.executable == b.executable));
    if canaries(base) && canaries(new) && same_interpreter {
        Basis::PerCanary
    } else {
        Basis::Raw
    }
}

/// Compares one row measured in both runs; `paired`: pass i of base ran right next to pass i of new.
fn compare_row(
    (bw, b): (&WorkloadResult, &ThreadRow),
    (nw, n): (&WorkloadResult, &ThreadRow),
    basis: Basis,
    paired: bool,
    opts: &CompareOptions,
) -> RowOutcome {
    let (bi, ni) = (invalid_reason(b), invalid_reason(n));
    if bi.is_some() || ni.is_some() {
        return RowOutcome::Invalid { base: bi, new: ni };
    }
    let (bv, nv) = aligned(pass_values(bw, b, basis), pass_values(nw, n, basis), paired);
    let Some(mut throughput) = MetricChange::judge(&bv, &nv, basis, paired, opts) else {
        return RowOutcome::NotComparable { reason: too_few_passes(bv.len(), nv.len()) };
    };
    // Show ops/s whatever the test's basis.
    (throughput.base, throughput.new) = (b.throughput.unwrap().point, n.throughput.unwrap().point);
    let speedup = match (speedup_values(bw, b), speedup_values(nw, n)) {
        (Some(bs), Some(ns)) => {
            let (bs, ns) = aligned(bs, ns, paired);
            MetricChange::judge(&bs, &ns, Basis::Speedup, paired, opts)
        }
        _ => None,
    };
    RowOutcome::Compared { throughput, speedup }
}

/// The values to test: all of each side, or (paired) only the passes both sides measured, in order.
fn aligned(base: BTreeMap<usize, f64>, new: BTreeMap<usize, f64>, paired: bool) -> (Vec<f64>, Vec<f64>) {
    if paired {
        base.iter().filter_map(|(p, b)| Some((*b, *new.get(p)?))).unzip()
    } else {
        (base.into_values().collect(), new.into_values().collect())
    }
}

fn too_few_passes(base: usize, new: usize) -> String {
    format!("{base} quiet pass(es) in base, {new} in new: a verdict needs at least 2 on each side (more passes)")
}

/// Compares two runs. Pure: no I/O.
pub fn compare(base: &RunResults, new: &RunResults, opts: &CompareOptions) -> Comparison {
    compare_runs(base, new, opts, false)
}

/// Compares the two sides of one `ftbench ab` run, pass by pass (paired t-test on raw ops/s: the
/// two sides ran side by side, so the machine's drift cancels without a canary).
pub fn compare_paired(base: &RunResults, new: &RunResults, opts: &CompareOptions) -> Comparison {
    compare_runs(base, new, opts, true)
}

fn compare_runs(base: &RunResults, new: &RunResults, opts: &CompareOptions, paired: bool) -> Comparison {
    let mut notes = Vec::new();
    let mismatches = environment_mismatches(base, new, &mut notes);
    let (mut rows, run_floor_pct) = match (paired, shared_basis(base, new)) {
        (false, Basis::PerCanary) => {
            // The canary divides out drift but adds its own noise: keep the basis on which unchanged
            // code moved less between these two runs (the smaller spread across rows).
            let (raw, per_canary) = (judge_rows(base, new, opts, Basis::Raw, false), judge_rows(base, new, opts, Basis::PerCanary, false));
            let use_canary = per_canary.1 .0 <= raw.1 .0;
            let (name, other) = if use_canary { ("per canary iteration", "raw") } else { ("raw (ops/s)", "per canary") };
            notes.push(format!("throughput compared {name}: across rows, unchanged code moved no more on it than {other}"));
            if use_canary {
                per_canary
            } else {
                raw
            }
        }
        (false, _) => {
            notes.push("throughput compared raw (ops/s): canaries missing, or the interpreters differ".to_string());
            judge_rows(base, new, opts, Basis::Raw, false)
        }
        (true, _) => judge_rows(base, new, opts, Basis::Raw, true),
    };
    sort_rows(&mut rows);
    let disturbed = disturbed_runs(base, new);
    Comparison {
        base: RunLabel::of(base),
        new: RunLabel::of(new),
        options: *opts,
        paired,
        run_floor_pct,
        mismatches,
        disturbed,
        notes,
        rows,
    }
}

/// Every row of the two runs judged on `basis`, with the run floors applied; and the floors.
fn judge_rows(base: &RunResults, new: &RunResults, opts: &CompareOptions, basis: Basis, paired: bool) -> (Vec<RowComparison>, (f64, f64)) {
    let keys: BTreeSet<(String, GilMode, usize)> = [base, new]
        .iter()
        .flat_map(|r| r.workloads.iter())
        .flat_map(|w| w.rows.iter().map(move |row| (w.workload.clone(), w.mode, row.threads)))
        .collect();
    let mut rows = Vec::with_capacity(keys.len());
    for (workload, mode, threads) in keys {
        let bw = base.workload(&workload, mode);
        let nw = new.workload(&workload, mode);
        let br = bw.and_then(|w| w.rows.iter().find(|r| r.threads == threads));
        let nr = nw.and_then(|w| w.rows.iter().find(|r| r.threads == threads));
        let mut note = None;
        let outcome = match (br, nr) {
            (Some(b), Some(n)) => {
                let (bw, nw) = (bw.unwrap(), nw.unwrap());
                if bw.status != nw.status {
                    note = Some(format!("workload {} in base, {} in new", kebab(&bw.status), kebab(&nw.status)));
                }
                compare_row((bw, b), (nw, n), basis, paired, opts)
            }
            (Some(b), None) => match nw.filter(|w| w.status != WorkloadStatus::Ran) {
                Some(w) => RowOutcome::Invalid { base: invalid_reason(b), new: Some(workload_reason(w)) },
                None => RowOutcome::OnlyInBase,
            },
            (None, Some(n)) => match bw.filter(|w| w.status != WorkloadStatus::Ran) {
                Some(w) => RowOutcome::Invalid { base: Some(workload_reason(w)), new: invalid_reason(n) },
                None => RowOutcome::OnlyInNew,
            },
            (None, None) => unreachable!("every key comes from a row of one of the runs"),
        };
        rows.push(RowComparison { workload, mode, threads, outcome, note });
    }
    let floors = apply_run_floors(&mut rows, opts);
    (rows, floors)
}

/// Raises every figure's noise floor to the runs' own spread across rows; returns the two floors.
fn apply_run_floors(rows: &mut [RowComparison], opts: &CompareOptions) -> (f64, f64) {
    let figures = |rows: &[RowComparison], speedup: bool| -> Vec<f64> {
        rows.iter()
            .filter_map(|r| match &r.outcome {
                RowOutcome::Compared { throughput, speedup: s } => {
                    if speedup {
                        s.map(|s| s.change_pct)
                    } else {
                        Some(throughput.change_pct)
                    }
                }
                _ => None,
            })
            .collect()
    };
    let floors = (run_floor_pct(&figures(rows, false)), run_floor_pct(&figures(rows, true)));
    for r in rows.iter_mut() {
        if let RowOutcome::Compared { throughput, speedup } = &mut r.outcome {
            throughput.raise_floor(floors.0, opts);
            if let Some(s) = speedup {
                s.raise_floor(floors.1, opts);
            }
        }
    }
    floors
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

/// A run whose canaries drifted more than this (coefficient of variation), or with more than this
/// share of its passes disturbed, was measured on a machine too noisy to judge by.
const MAX_RUN_CANARY_CV: f64 = 0.10;
const MAX_RUN_DISTURBED_SHARE: f64 = 0.10;

/// Why each run, if any, was measured on a disturbed machine.
fn disturbed_runs(base: &RunResults, new: &RunResults) -> Vec<String> {
    let mut out = Vec::new();
    for (side, r) in [("base", base), ("new", new)] {
        let Some(n) = &r.noise else { continue };
        let cv = n.canary_cv.unwrap_or(0.0);
        let share = n.disturbed_passes as f64 / n.passes.max(1) as f64;
        if cv > MAX_RUN_CANARY_CV || share > MAX_RUN_DISTURBED_SHARE {
            out.push(format!(
                "{side} run {}: canary drift {:.1} %, {} of {} passes disturbed (limits {:.0} % and {:.0} %); measure it again",
                r.run.id,
                cv * 100.0,
                n.disturbed_passes,
                n.passes,
                MAX_RUN_CANARY_CV * 100.0,
                MAX_RUN_DISTURBED_SHARE * 100.0
            ));
        }
    }
    out
}

/// Loud differences (machine, interpreter) are returned; quieter ones go to `notes`.
fn environment_mismatches(base: &RunResults, new: &RunResults, notes: &mut Vec<String>) -> Vec<String> {
    let mut loud = Vec::new();
    let (bm, nm) = (&base.machine, &new.machine);
    let differs = |what: &str, b: String, n: String, list: &mut Vec<String>| {
        if b != n {
            list.push(format!("{what}: {b:?} (base) vs {n:?} (new)"));
        }
    };
    differs("cpu_model", bm.cpu_model.clone(), nm.cpu_model.clone(), &mut loud);
    differs("logical_cores", bm.logical_cores.to_string(), nm.logical_cores.to_string(), &mut loud);
    differs("os", bm.os.clone(), nm.os.clone(), &mut loud);
    differs("arch", bm.arch.clone(), nm.arch.clone(), &mut loud);
    differs("kernel", bm.kernel.clone(), nm.kernel.clone(), notes);

    for mode in GilMode::ALL {
        let bi = base.interpreters.iter().find(|i| i.mode == mode);
        let ni = new.interpreters.iter().find(|i| i.mode == mode);
        match (bi, ni) {
            (Some(b), Some(n)) => {
                differs(&format!("{mode} interpreter version"), b.version.clone(), n.version.clone(), &mut loud);
                differs(
                    &format!("{mode} interpreter free_threaded_build"),
                    b.free_threaded_build.to_string(),
                    n.free_threaded_build.to_string(),
                    &mut loud,
                );
            }
            (Some(_), None) => notes.push(format!("no {mode} interpreter facts in new")),
            (None, Some(_)) => notes.push(format!("no {mode} interpreter facts in base")),
            (None, None) => {}
        }
    }

    let (bc, nc) = (&base.run.config, &new.run.config);
    differs("quick", bc.quick.to_string(), nc.quick.to_string(), notes);
    differs("passes", bc.passes.to_string(), nc.passes.to_string(), notes);
    differs("warm_up_ms", bc.warm_up_ms.to_string(), nc.warm_up_ms.to_string(), notes);
    differs("measurement_ms", bc.measurement_ms.to_string(), nc.measurement_ms.to_string(), notes);
    for (side, r) in [("base", base), ("new", new)] {
        if r.run.status != crate::results::RunStatus::Complete {
            notes.push(format!("{side} run {} is {}, not complete", r.run.id, kebab(&r.run.status)));
        }
    }
    loud
}

/// `ftbench compare`: loads both runs, prints the report, returns 0 or 1.
/// Bad paths, unknown baselines, corrupt files and a bad threshold are `Err`.
pub fn command(args: CompareArgs) -> Result<i32> {
    if !args.threshold.is_finite() || args.threshold < 0.0 {
        bail!("--threshold must be a non-negative number of percent, got {}", args.threshold);
    }
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        bail!("--alpha must be a probability between 0 and 1, got {}", args.alpha);
    }
    let base_path = baseline::resolve_results(&args.base)?;
    let new_path = baseline::resolve_results(&args.new)?;
    let base = RunResults::load(&base_path)?;
    let new = RunResults::load(&new_path)?;
    let opts = CompareOptions { threshold_pct: args.threshold, alpha: args.alpha, fail_on: args.fail_on };
    let mut cmp = if args.paired { compare_paired(&base, &new, &opts) } else { compare(&base, &new, &opts) };
    cmp.base.source = Some(args.base.display().to_string());
    cmp.new.source = Some(args.new.display().to_string());
    if args.json {
        println!("{}", cmp.to_json()?);
    } else if args.markdown {
        print!("{}", cmp.render_markdown());
        if !cmp.mismatches.is_empty() {
            eprintln!("WARNING: base and new ran on different machines or interpreters: {}", cmp.mismatches.join("; "));
        }
    } else {
        print!("{}", cmp.render_text());
    }
    Ok(cmp.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(base: &[f64], new: &[f64]) -> MetricChange {
        MetricChange::judge(base, new, Basis::Raw, false, &CompareOptions::default()).unwrap()
    }

    #[test]
    fn a_verdict_needs_significance_threshold_and_noise_floor() {
        let base = [100.0, 101.0, 99.0, 100.5, 99.5];
        // −14 %, tight passes: a regression.
        let m = judge(&base, &base.map(|x| x * 0.86));
        assert_eq!(m.change, Change::Regressed);
        assert!((m.change_pct + 14.0).abs() < 1e-9 && m.p_value < 1e-6);
        // +20 %: an improvement.
        assert_eq!(judge(&base, &base.map(|x| x * 1.2)).change, Change::Improved);
        // −3 %, significant but below the 5 % threshold.
        let m = judge(&base, &base.map(|x| x * 0.97));
        assert_eq!(m.change, Change::Unchanged);
        assert!(!m.beyond_threshold && m.p_value < 0.01);
        // −8 % on passes that spread ±20 %: within the noise.
        let noisy = [80.0, 120.0, 100.0, 90.0, 110.0];
        let m = judge(&noisy, &noisy.map(|x| x * 0.92));
        assert_eq!(m.change, Change::Unchanged);
        assert!(m.beyond_threshold && m.noise_floor_pct > 8.0);
    }

    #[test]
    fn the_noise_floor_holds_even_when_the_test_is_significant() {
        // Each side is tight, but one run's passes span ±10 %: a −9 % shift is not a verdict.
        let base = [100.0, 100.0, 100.0, 90.0, 110.0];
        let new = [91.0, 91.2, 90.8, 91.1, 90.9];
        let m = judge(&base, &new);
        assert!((m.noise_floor_pct - 10.0).abs() < 1e-9);
        assert_eq!(m.change, Change::Unchanged);
    }

    #[test]
    fn the_run_floor_is_three_robust_sigmas_of_the_changes_across_rows() {
        // Log deviations from the median 0: their median is |ln(0.99)| = 0.01005 → σ = 0.0149, 3σ → +4.57 %.
        let changes = [0.0, 1.0, -1.0, 2.0, -2.0, 0.0, 1.0, -1.0, 30.0];
        assert!((run_floor_pct(&changes) - 4.57).abs() < 0.01, "{}", run_floor_pct(&changes));
        assert_eq!(run_floor_pct(&changes[..7]), 0.0, "too few rows to say anything");
    }

    #[test]
    fn a_change_inside_the_runs_spread_across_rows_is_no_verdict() {
        let base = [100.0, 101.0, 99.0, 100.5, 99.5];
        let mut m = judge(&base, &base.map(|x| x * 0.92));
        assert_eq!(m.change, Change::Regressed, "−8 % with tight passes");
        m.raise_floor(10.0, &CompareOptions::default());
        assert_eq!(m.change, Change::Unchanged, "but unchanged code moved up to 10 % between these runs");
        assert_eq!((m.noise_floor_pct, m.detectable_pct), (10.0, 10.0));
    }

    #[test]
    fn fewer_than_two_passes_cannot_be_judged() {
        assert!(MetricChange::judge(&[100.0], &[50.0, 51.0], Basis::Raw, false, &CompareOptions::default()).is_none());
    }

    #[test]
    fn paired_judging_sees_through_shared_drift() {
        let base = [100.0, 80.0, 120.0, 90.0, 110.0];
        let new = base.map(|x| x * 0.88);
        let opts = CompareOptions::default();
        let paired = MetricChange::judge(&base, &new, Basis::Raw, true, &opts).unwrap();
        assert_eq!(paired.change, Change::Regressed);
        let unpaired = MetricChange::judge(&base, &new, Basis::Raw, false, &opts).unwrap();
        assert_eq!(unpaired.change, Change::Unchanged, "the same data, unpaired, is within the drift");
    }

    #[test]
    fn compare_md_escape_keeps_tables_intact() {
        assert_eq!(md_escape("a|b\nc`d<e>"), "a\\|b c'd&lt;e&gt;");
    }
}
