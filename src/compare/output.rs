//! A comparison's two printed forms, each built as a [`Doc`] and rendered by [`crate::report::doc`]
//! (one escaping, one table writer): the terminal report (warnings first, the verdict, one table of
//! every row) and GitHub-flavoured Markdown for PR comments (a verdict heading, the changed rows,
//! the rest folded away). Their wording differs where a terminal shouts and a PR comment headlines.

use std::fmt::Write as _;

use super::{Basis, Change, Comparison, MetricChange, RowCategory, RowComparison, RowOutcome, RunFloor, RunLabel};
use crate::baseline::short_commit;
use crate::report::doc::{self, Block, Doc, Inl, Table, Tone};
use crate::report::format::si;
use crate::text::trim_float;

const DIFFERENT_MACHINES: &str = "Base and new ran on different machines or interpreters.";
const NOT_FROM_THE_CODE: &str = "Differences below may come from that, not from the code";
const LEGEND: [&str; 3] = ["▼ regressed", "▲ improved", "≈ beyond the threshold but not beyond noise (test or noise floor)"];
const HEAD: [&str; 11] = [
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

impl Comparison {
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
            let _ = write!(s, " (not failing: --fail-on {})", self.options.fail_on.label());
        }
        s
    }

    fn criteria(&self) -> String {
        format!(
            "a change counts when {} gives p < {} AND it exceeds {}% AND the runs' own noise: {}, and the \
             spread across the rows of its thread count ({})",
            if self.paired {
                "a paired t-test over the passes"
            } else {
                "Welch's t-test on each run's fastest passes (the faster half; on fastest rounds, the fastest third)"
            },
            trim_float(self.options.alpha, 3),
            trim_float(self.options.threshold_pct, 3),
            if self.paired { "each row's spread of per-pass ratios" } else { "twice the spread of each row's judged passes" },
            self.run_floors_text()
        )
    }

    /// "throughput 4.1% at 1 thread, 6.2% at 2; speedup 16.2% at 2" (a floor of 0 is left out).
    fn run_floors_text(&self) -> String {
        let figure = |name: &str, pct: fn(&RunFloor) -> f64| {
            let at: Vec<String> = self
                .run_floors
                .iter()
                .filter(|f| pct(f) > 0.0)
                .map(|f| format!("{:.1}% at {} thread{}", pct(f), f.threads, if f.threads == 1 { "" } else { "s" }))
                .collect();
            (!at.is_empty()).then(|| format!("{name} {}", at.join(", ")))
        };
        let parts: Vec<String> =
            [figure("throughput", |f| f.throughput_pct), figure("speedup", |f| f.speedup_pct)].into_iter().flatten().collect();
        if parts.is_empty() {
            "too few rows to measure it".to_string()
        } else {
            parts.join("; ")
        }
    }

    /// The aligned terminal report: loud warnings, verdict, table, legend.
    pub fn render_text(&self) -> String {
        doc::to_text(&self.terminal_doc())
    }

    /// GitHub-flavoured markdown for PR comments: a one-line verdict heading, loud warnings,
    /// a table of the changed rows, and the rest folded in `<details>`.
    pub fn render_markdown(&self) -> String {
        doc::to_markdown(&self.markdown_doc())
    }

    fn terminal_doc(&self) -> Doc {
        let mut d = Doc::default();
        if !self.mismatches.is_empty() {
            d.push(warning(DIFFERENT_MACHINES, &format!("{NOT_FROM_THE_CODE}:"), &self.mismatches));
        }
        for x in &self.disturbed {
            d.push(warning("A run was measured on a disturbed machine; its verdicts cannot be trusted:", x, &[]));
        }
        d.h(3, "", format!("compare: {}", self.verdict()));
        let mut facts = vec![format!("base: {}", self.base.describe()), format!("new:  {}", self.new.describe()), self.criteria()];
        facts.extend(self.notes.iter().map(|n| format!("note: {n}")));
        d.push(Block::List(facts.into_iter().map(Inl::from).collect()));
        if self.rows.is_empty() {
            d.p("no rows to compare: neither run has measured rows");
            return d;
        }
        d.push(Block::Table(table(self.rows.iter())));
        d.p(LEGEND.join("  "));
        d
    }

    fn markdown_doc(&self) -> Doc {
        let mut d = Doc::default();
        let different = if self.mismatches.is_empty() { "" } else { " — different machines or interpreters" };
        d.h(3, "", format!("{} ftbench compare: {}{different}", self.icon(), self.verdict()));
        if !self.mismatches.is_empty() {
            d.push(warning(DIFFERENT_MACHINES, &format!("{NOT_FROM_THE_CODE}."), &self.mismatches));
        }
        for x in &self.disturbed {
            d.push(warning("Measured on a disturbed machine; its verdicts cannot be trusted:", x, &[]));
        }
        d.p(format!("Base: {} · New: {} · {}.", self.base.describe(), self.new.describe(), self.criteria()));
        for n in &self.notes {
            d.push(Block::Callout(Tone::Muted, format!("Note: {n}").into()));
        }
        let changed = |r: &&RowComparison| matches!(r.category(), RowCategory::Regressed | RowCategory::Improved);
        if self.rows.iter().any(|r| changed(&r)) {
            d.push(Block::Table(table(self.rows.iter().filter(changed))));
        }
        if self.rows.iter().any(|r| !changed(&r)) {
            let summary = format!(
                "{} unchanged, {} not comparable, {} invalid, {} in one run only",
                self.count(RowCategory::Unchanged),
                self.count(RowCategory::NotComparable),
                self.count(RowCategory::Invalid),
                self.count(RowCategory::OnlyInBase) + self.count(RowCategory::OnlyInNew)
            );
            d.push(Block::Fold { summary: summary.into(), blocks: vec![Block::Table(table(self.rows.iter().filter(|r| !changed(r))))] });
        }
        d.p(LEGEND.join(" · "));
        d
    }

    /// ❌ failing, ⚠️ a regression that does not fail or different machines, ✅ otherwise.
    fn icon(&self) -> &'static str {
        if self.exit_code() == 1 {
            "❌"
        } else if self.count(RowCategory::Regressed) > 0 || !self.mismatches.is_empty() {
            "⚠️"
        } else {
            "✅"
        }
    }
}

impl RunLabel {
    fn describe(&self) -> String {
        let mut s = format!("run {} (commit {})", self.id, short_commit(&self.commit));
        if let Some(src) = &self.source {
            let _ = write!(s, " from {src}");
        }
        s
    }
}

fn warning(title: &str, text: &str, items: &[String]) -> Block {
    Block::Warning { title: title.into(), text: text.into(), items: items.iter().map(|i| i.as_str().into()).collect() }
}

fn table<'a>(rows: impl Iterator<Item = &'a RowComparison>) -> Table {
    let mut t = Table::new(&HEAD).numeric(&[3, 4, 5, 6, 7, 8, 9]);
    for r in rows {
        let tone = match r.category() {
            RowCategory::Regressed => Tone::Bad,
            RowCategory::Improved => Tone::Good,
            _ => Tone::Plain,
        };
        t.row(tone, cells(r));
    }
    t
}

fn cells(r: &RowComparison) -> Vec<Inl> {
    let label = r.category().label();
    let verdict = if r.category() == RowCategory::Regressed { Inl::new().b(label) } else { Inl::from(label) };
    let mut c = vec![r.workload.clone(), r.mode.label().to_string(), r.threads.to_string()];
    let dash = || "-".to_string();
    match &r.outcome {
        RowOutcome::Compared { throughput, speedup } => {
            c.push(fmt_throughput(throughput.base, throughput.base_interval.filter(|_| throughput.basis != Basis::PerCanary)));
            c.push(fmt_throughput(throughput.new, throughput.new_interval.filter(|_| throughput.basis != Basis::PerCanary)));
            c.push(fmt_delta(throughput));
            match speedup {
                Some(s) => c.extend([format!("{:.2}x", s.base), format!("{:.2}x", s.new), fmt_delta(s)]),
                None => c.extend([dash(), dash(), dash()]),
            }
        }
        _ => c.extend((0..6).map(|_| dash())),
    }
    c.push(note(r));
    std::iter::once(verdict).chain(c.into_iter().map(Inl::from)).collect()
}

/// Why a row was not compared, and any context worth reading next to its verdict.
fn note(r: &RowComparison) -> String {
    let mut note = Vec::new();
    match &r.outcome {
        RowOutcome::Invalid { base, new } => {
            note.extend(base.as_ref().map(|b| format!("base: {b}")));
            note.extend(new.as_ref().map(|n| format!("new: {n}")));
        }
        RowOutcome::NotComparable { reason } => note.push(reason.clone()),
        RowOutcome::OnlyInBase => note.push("not measured in new".into()),
        RowOutcome::OnlyInNew => note.push("not measured in base".into()),
        RowOutcome::Compared { .. } => {}
    }
    note.extend(r.note.clone());
    note.join("; ")
}

/// `1.23M ±1.5%`, or `1.23M` without an interval.
fn fmt_throughput(point: f64, interval: Option<(f64, f64)>) -> String {
    match interval {
        Some((lo, hi)) => format!("{} ±{:.1}%", si(point), (hi - lo) / 2.0 / point * 100.0),
        None => si(point),
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

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
