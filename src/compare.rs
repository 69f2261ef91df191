//! `ftbench compare BASE NEW`: scaling-regression tracking between two runs.
//!
//! Every workload × GIL mode × thread count present in both runs is compared on two figures:
//!
//! * **throughput** (ops/s, Criterion's point estimate and confidence interval);
//! * **scaling**: speedup = throughput(t) / throughput(1), same workload and mode (t > 1 only).
//!
//! A figure is *regressed* or *improved* only when BOTH
//! 1. its relative change exceeds the threshold (`|new − base| / base > threshold`, default 5 %), and
//! 2. the base and new intervals do not overlap — a change inside the noise is not a regression.
//!
//! Throughput intervals are the stored confidence intervals. Speedup has no stored interval,
//! so one is derived from the throughput intervals at t and at 1 thread:
//! `[lower_t / upper_1, upper_t / lower_1]` — the widest ratio the two intervals allow
//! (conservative: it is wider than a proper ratio interval, so fewer scaling changes are flagged).
//!
//! Rows that are not valid (status other than `ok`, or no throughput) on either side are listed
//! as `invalid`; rows present in only one run are listed as `only in base` / `only in new`.
//! Different machines or interpreters are warned about at the top of the output.
//!
//! Exit status of [`command`]: 0 no regression (of the kind selected by `--fail-on`),
//! 1 regression found; input errors are returned as `Err` (the CLI maps them to 2).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::baseline::{self, kebab, short_commit, text_table};
use crate::results::{Estimate, GilMode, RunResults, ThreadRow, WorkloadResult, WorkloadStatus};

#[derive(clap::Args, Debug, Clone)]
pub struct CompareArgs {
    /// The reference run: a run folder, a results.json, a `latest` pointer, or a baseline name.
    pub base: PathBuf,
    /// The run to judge; same forms as BASE.
    pub new: PathBuf,
    /// Smallest relative change, in percent, that can count as a regression or improvement
    /// (the confidence intervals must also be apart).
    #[arg(long, default_value_t = 5.0, value_name = "PERCENT")]
    pub threshold: f64,
    /// Which regressions make the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Any)]
    pub fail_on: FailOn,
    /// Print GitHub-flavoured markdown (for PR comments) instead of the terminal table.
    #[arg(long)]
    pub markdown: bool,
}

/// Which regressions fail the comparison.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Throughput regressions only.
    Throughput,
    /// Scaling (speedup) regressions only.
    Scaling,
    /// Either.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareOptions {
    /// Percent; a change must exceed it (strictly) to count.
    pub threshold_pct: f64,
    pub fail_on: FailOn,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions { threshold_pct: 5.0, fail_on: FailOn::Any }
    }
}

/// The verdict on one figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    Regressed,
    Improved,
    Unchanged,
}

/// One figure (throughput or speedup) in base and new. Bigger is better for both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricChange {
    pub base: f64,
    pub new: f64,
    /// (lower, upper)
    pub base_interval: (f64, f64),
    pub new_interval: (f64, f64),
    /// (new − base) / base × 100.
    pub change_pct: f64,
    pub beyond_threshold: bool,
    pub intervals_overlap: bool,
    pub change: Change,
}

impl MetricChange {
    /// Applies the rule: changed only beyond the threshold AND with intervals apart.
    pub fn classify(
        base: f64,
        base_interval: (f64, f64),
        new: f64,
        new_interval: (f64, f64),
        threshold_pct: f64,
    ) -> MetricChange {
        let change_pct = (new - base) / base * 100.0;
        let beyond_threshold = change_pct.abs() > threshold_pct;
        let intervals_overlap = new_interval.0 <= base_interval.1 && base_interval.0 <= new_interval.1;
        let change = if !beyond_threshold || intervals_overlap || !change_pct.is_finite() {
            Change::Unchanged
        } else if change_pct < 0.0 {
            Change::Regressed
        } else {
            Change::Improved
        };
        MetricChange { base, new, base_interval, new_interval, change_pct, beyond_threshold, intervals_overlap, change }
    }
}

/// Where a row sits in the report, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowCategory {
    Regressed,
    Improved,
    Unchanged,
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
            RowCategory::Invalid => "invalid",
            RowCategory::OnlyInBase => "only in base",
            RowCategory::OnlyInNew => "only in new",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    Compared {
        throughput: MetricChange,
        /// None at 1 thread (speedup is 1 by definition) or when a side has no valid 1-thread row.
        speedup: Option<MetricChange>,
    },
    /// Not compared: why each side is unusable (None = that side was fine).
    Invalid {
        base: Option<String>,
        new: Option<String>,
    },
    OnlyInBase,
    OnlyInNew,
}

#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct RunLabel {
    pub id: String,
    pub commit: String,
    pub started: String,
    /// What the user typed (path or baseline name); set by [`command`], None from [`compare`].
    pub source: Option<String>,
}

impl RunLabel {
    fn of(r: &RunResults) -> RunLabel {
        RunLabel {
            id: r.run.id.clone(),
            commit: r.run.suite_commit.clone(),
            started: r.run.started.clone(),
            source: None,
        }
    }

    fn describe(&self) -> String {
        let mut s = format!("run {} (commit {})", self.id, short_commit(&self.commit));
        if let Some(src) = &self.source {
            let _ = write!(s, " from {src}");
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub base: RunLabel,
    pub new: RunLabel,
    pub options: CompareOptions,
    /// Machine or interpreter differences: the loud warnings.
    pub mismatches: Vec<String>,
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
        let _ = write!(
            s,
            ", {}, {} unchanged",
            plural(improved, "improvement", "improvements"),
            self.count(RowCategory::Unchanged)
        );
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
            "a change counts when it exceeds {}% AND the confidence intervals do not overlap",
            trim_float(self.options.threshold_pct)
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
        out.push_str("\n▼ regressed  ▲ improved  ≈ beyond the threshold but within noise (intervals overlap)\n");
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
        let _ = writeln!(
            out,
            "Base: {} · New: {} · {}.",
            md_escape(&self.base.describe()),
            md_escape(&self.new.describe()),
            self.criteria()
        );
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
                "\n<details><summary>{} unchanged, {} invalid, {} in one run only</summary>\n",
                self.count(RowCategory::Unchanged),
                self.count(RowCategory::Invalid),
                self.count(RowCategory::OnlyInBase) + self.count(RowCategory::OnlyInNew)
            );
            md_table(&mut out, &rest);
            out.push_str("\n</details>\n");
        }
        out.push_str("\n▼ regressed · ▲ improved · ≈ beyond the threshold but within noise (intervals overlap)\n");
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
    let align: Vec<&str> =
        MD_HEADERS.iter().enumerate().map(|(i, _)| if (3..10).contains(&i) { "---:" } else { "---" }).collect();
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
            c.push(fmt_throughput(throughput.base, throughput.base_interval));
            c.push(fmt_throughput(throughput.new, throughput.new_interval));
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

/// `1.23M ±1.5%`.
fn fmt_throughput(point: f64, interval: (f64, f64)) -> String {
    let half_pct = (interval.1 - interval.0) / 2.0 / point * 100.0;
    format!("{} ±{:.1}%", crate::report::format::si(point), half_pct)
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

/// A usable throughput estimate: finite, positive point, ordered bounds.
fn usable(e: &Estimate) -> bool {
    e.point.is_finite() && e.lower.is_finite() && e.upper.is_finite() && e.point > 0.0 && e.lower <= e.upper
}

fn row_estimate(row: &ThreadRow) -> Option<Estimate> {
    row.throughput.filter(|e| row.is_valid() && usable(e))
}

/// Why a row cannot be compared, or None when it can.
fn invalid_reason(row: &ThreadRow) -> Option<String> {
    if row.is_valid() {
        return match row.throughput {
            Some(e) if usable(&e) => None,
            _ => Some("unusable throughput estimate".to_string()),
        };
    }
    let mut s = kebab(&row.status);
    if row.throughput.is_none() && row.status == crate::results::RowStatus::Ok {
        s = "no throughput measured".to_string();
    }
    if let Some(m) = row.message.as_deref().map(|m| one_line(m, 80)).filter(|m| !m.is_empty()) {
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

/// Speedup with its ratio interval, from this row and the valid 1-thread row of the same workload.
fn speedup_with_interval(w: &WorkloadResult, row: &ThreadRow) -> Option<(f64, (f64, f64))> {
    let one = w.rows.iter().find(|r| r.threads == 1).and_then(row_estimate)?;
    let t = row_estimate(row)?;
    let point = row.speedup.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(t.point / one.point);
    let lower = t.lower / one.upper;
    let upper = if one.lower > 0.0 { t.upper / one.lower } else { f64::INFINITY };
    Some((point, (lower, upper)))
}

/// Compares two runs. Pure: no I/O.
pub fn compare(base: &RunResults, new: &RunResults, opts: &CompareOptions) -> Comparison {
    let mut notes = Vec::new();
    let mismatches = environment_mismatches(base, new, &mut notes);

    let keys: BTreeSet<(String, GilMode, usize)> = [base, new]
        .iter()
        .flat_map(|r| r.workloads.iter())
        .flat_map(|w| w.rows.iter().map(move |row| (w.workload.clone(), w.mode, row.threads)))
        .collect();

    let mut levels_differ = false;
    let mut rows = Vec::with_capacity(keys.len());
    for (workload, mode, threads) in keys {
        let bw = base.workload(&workload, mode);
        let nw = new.workload(&workload, mode);
        let br = bw.and_then(|w| w.rows.iter().find(|r| r.threads == threads));
        let nr = nw.and_then(|w| w.rows.iter().find(|r| r.threads == threads));
        let mut note = None;
        let outcome = match (br, nr) {
            (Some(b), Some(n)) => {
                let (bi, ni) = (invalid_reason(b), invalid_reason(n));
                if bi.is_some() || ni.is_some() {
                    RowOutcome::Invalid { base: bi, new: ni }
                } else {
                    let (be, ne) = (b.throughput.unwrap(), n.throughput.unwrap());
                    if (be.confidence_level - ne.confidence_level).abs() > 1e-9 {
                        levels_differ = true;
                    }
                    let throughput = MetricChange::classify(
                        be.point,
                        (be.lower, be.upper),
                        ne.point,
                        (ne.lower, ne.upper),
                        opts.threshold_pct,
                    );
                    let (bw, nw) = (bw.unwrap(), nw.unwrap());
                    let speedup = if threads == 1 {
                        None
                    } else {
                        match (speedup_with_interval(bw, b), speedup_with_interval(nw, n)) {
                            (Some((bs, bint)), Some((ns, nint))) => {
                                Some(MetricChange::classify(bs, bint, ns, nint, opts.threshold_pct))
                            }
                            (bs, ns) => {
                                let side = match (bs.is_none(), ns.is_none()) {
                                    (true, true) => "either run",
                                    (true, false) => "base",
                                    _ => "new",
                                };
                                note = Some(format!("scaling not compared: no valid 1-thread row in {side}"));
                                None
                            }
                        }
                    };
                    if bw.status != nw.status {
                        let s = format!("workload {} in base, {} in new", kebab(&bw.status), kebab(&nw.status));
                        note = Some(match note {
                            Some(n) => format!("{n}; {s}"),
                            None => s,
                        });
                    }
                    RowOutcome::Compared { throughput, speedup }
                }
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
    if levels_differ {
        notes.push("confidence levels differ between the runs for some rows".to_string());
    }

    // Stable sort: keys are already in workload, mode, threads order.
    rows.sort_by(|a, b| {
        let (ca, cb) = (a.category(), b.category());
        ca.cmp(&cb).then_with(|| match ca {
            RowCategory::Regressed => a.worst_regression().total_cmp(&b.worst_regression()),
            RowCategory::Improved => b.best_improvement().total_cmp(&a.best_improvement()),
            _ => std::cmp::Ordering::Equal,
        })
    });

    Comparison { base: RunLabel::of(base), new: RunLabel::of(new), options: *opts, mismatches, notes, rows }
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
    differs("warm_up_ms", bc.warm_up_ms.to_string(), nc.warm_up_ms.to_string(), notes);
    differs("measurement_ms", bc.measurement_ms.to_string(), nc.measurement_ms.to_string(), notes);
    differs("sample_size", bc.sample_size.to_string(), nc.sample_size.to_string(), notes);
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
    let base_path = baseline::resolve_results(&args.base)?;
    let new_path = baseline::resolve_results(&args.new)?;
    let base = RunResults::load(&base_path)?;
    let new = RunResults::load(&new_path)?;
    let opts = CompareOptions { threshold_pct: args.threshold, fail_on: args.fail_on };
    let mut cmp = compare(&base, &new, &opts);
    cmp.base.source = Some(args.base.display().to_string());
    cmp.new.source = Some(args.new.display().to_string());
    if args.markdown {
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

    #[test]
    fn compare_classify_needs_threshold_and_separated_intervals() {
        // −30 %, intervals apart.
        let m = MetricChange::classify(100.0, (98.0, 102.0), 70.0, (69.0, 71.0), 5.0);
        assert_eq!(m.change, Change::Regressed);
        assert!((m.change_pct + 30.0).abs() < 1e-9);
        // −8 %, intervals overlap: noise.
        let m = MetricChange::classify(100.0, (90.0, 110.0), 92.0, (85.0, 99.0), 5.0);
        assert_eq!(m.change, Change::Unchanged);
        assert!(m.beyond_threshold && m.intervals_overlap);
        // +2 %, tight intervals: below threshold.
        let m = MetricChange::classify(100.0, (99.9, 100.1), 102.0, (101.9, 102.1), 5.0);
        assert_eq!(m.change, Change::Unchanged);
        assert!(!m.intervals_overlap && !m.beyond_threshold);
        // +20 %, apart.
        let m = MetricChange::classify(100.0, (99.0, 101.0), 120.0, (119.0, 121.0), 5.0);
        assert_eq!(m.change, Change::Improved);
    }

    #[test]
    fn compare_md_escape_keeps_tables_intact() {
        assert_eq!(md_escape("a|b\nc`d<e>"), "a\\|b c'd&lt;e&gt;");
    }
}
