//! A comparison's two printed forms, each built as a [`Doc`] and rendered by [`crate::report::doc`]
//! (one escaping, one table writer): the terminal report (warnings first, the verdict, one table of
//! every row) and GitHub-flavoured Markdown for PR comments (a verdict heading, the changed rows,
//! the rest folded away). Their wording differs where a terminal shouts and a PR comment headlines.

use std::fmt::Write as _;

use super::{Change, Comparison, MetricChange, RowCategory, RowComparison, RowOutcome, RunLabel};
use crate::baseline::short_commit;
use crate::report::doc::{self, Block, Doc, Inl, Table, Tone};
use crate::report::format::si;
use crate::text::trim_float;

const DIFFERENT_MACHINES: &str = "Base and new ran on different machines or interpreters, or measured another way (driver, code context).";
const NOT_FROM_THE_CODE: &str = "Differences below may come from that, not from the code";
const LEGEND: [&str; 4] =
    ["▼ regressed", "▲ improved", "? inconclusive (the interval reaches past ±T)", "[lo, hi] the change's 95 % interval"];
const HEAD: [&str; 11] = [
    "Verdict",
    "Workload",
    "Mode",
    "Threads",
    "Base ops/s*",
    "New ops/s*",
    "Δ throughput",
    "Base speedup*",
    "New speedup*",
    "Δ speedup",
    "Note",
];

impl Comparison {
    /// One line: the workloads that failed first, then what was found, every row counted.
    pub fn verdict(&self) -> String {
        let failed: Vec<String> = self.failures.iter().filter(|f| f.fails).map(|f| f.describe()).collect();
        let mut s = failed.join("; ");
        if !failed.is_empty() {
            s += if self.failing_workloads().next().is_some() { "; " } else { " (not failing: --fail-on none); " };
        }
        s += &self.row_verdict();
        s
    }

    /// What was found among the rows, every row counted.
    fn row_verdict(&self) -> String {
        let regressed = self.count(RowCategory::Regressed);
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
        let improved = plural(self.count(RowCategory::Improved), "improvement", "improvements");
        let _ = write!(
            s,
            ", {improved}, {} inconclusive, {} unchanged",
            self.count(RowCategory::Inconclusive),
            self.count(RowCategory::Unchanged)
        );
        for (category, words) in [(RowCategory::NotComparable, "not comparable"), (RowCategory::Invalid, "invalid")] {
            if self.count(category) > 0 {
                let _ = write!(s, ", {} {words}", self.count(category));
            }
        }
        let missing = self.count(RowCategory::OnlyInBase) + self.count(RowCategory::OnlyInNew);
        if missing > 0 {
            let _ = write!(s, ", {missing} in one run only");
        }
        if self.unconfirmed() > 0 {
            let _ = write!(s, ", {} not confirmed", plural(self.unconfirmed(), "verdict", "verdicts"));
        }
        if regressed > 0 && self.failing_regressions(self.options.fail_on) == 0 {
            let _ = write!(s, " (not failing: --fail-on {})", self.options.fail_on.label());
        }
        if self.too_many_unjudged() {
            let (unjudged, matched) = self.unjudged();
            let limit = self.options.fail_on_inconclusive_pct.unwrap_or_default();
            let _ = write!(s, " (failing: {unjudged} of {matched} rows not judged, more than {}%)", trim_float(limit, 2));
        }
        s
    }

    /// The rule, in one sentence, with this comparison's numbers.
    fn criteria(&self) -> String {
        let t = trim_float(self.options.threshold_pct, 3);
        let design = if self.paired {
            "pass pairs measured side by side (trimmed mean of their ratios)".to_string()
        } else {
            let drift: Vec<String> = self
                .drift
                .iter()
                .map(|d| format!("{} {:+.1}% typical, {:+.1}% at full speed", d.mode, d.typical_pct, d.full_speed_pct))
                .collect();
            format!(
                "two runs (20 %-trimmed means), the machine's drift between them added to intervals not per canary ({})",
                if drift.is_empty() { "unknown: no canaries".to_string() } else { drift.join("; ") }
            )
        };
        format!(
            "regressed / improved: found changed by Benjamini–Hochberg at {} over every figure, and the {} % interval \
             wholly beyond ∓{t}%; unchanged: the interval within ±{t}%; otherwise inconclusive. Throughput at 1 thread on \
             each pass's fastest round (two runs on one interpreter: per canary), with more threads on pass ops/s; {design}",
            trim_float(self.options.alpha, 4),
            trim_float(self.options.confidence * 100.0, 2)
        )
    }

    /// The aligned terminal report: loud warnings, verdict, the table of the rows that are not
    /// unchanged (`all`: of every row), legend.
    pub fn render_text(&self, all: bool) -> String {
        doc::to_text(&self.terminal_doc(all))
    }

    /// GitHub-flavoured markdown for PR comments: a one-line verdict heading, loud warnings,
    /// a table of the changed rows, and the rest folded in `<details>`.
    pub fn render_markdown(&self) -> String {
        doc::to_markdown(&self.markdown_doc())
    }

    fn terminal_doc(&self, all: bool) -> Doc {
        let mut d = Doc::default();
        // A broken workload is the first thing said; warnings about the machine come after it.
        let failed = self.failures.iter().any(|f| f.fails);
        if failed {
            d.h(3, "", format!("compare: {}", self.verdict()));
        }
        if !self.mismatches.is_empty() {
            d.push(warning(DIFFERENT_MACHINES, &format!("{NOT_FROM_THE_CODE}:"), &self.mismatches));
        }
        for x in &self.disturbed {
            d.push(warning("A run was measured on a disturbed machine; its verdicts cannot be trusted:", x, &[]));
        }
        if !failed {
            d.h(3, "", format!("compare: {}", self.verdict()));
        }
        let mut facts = vec![format!("base: {}", self.base.describe()), format!("new:  {}", self.new.describe()), self.criteria()];
        facts.extend(self.notes.iter().map(|n| format!("note: {n}")));
        d.push(Block::List(facts.into_iter().map(Inl::from).collect()));
        if self.rows.is_empty() {
            d.p("no rows to compare: neither run has measured rows");
            return d;
        }
        let shown = |r: &&RowComparison| all || r.category() != RowCategory::Unchanged;
        if self.rows.iter().any(|r| shown(&r)) {
            d.push(Block::Table(table(self.rows.iter().filter(shown))));
        }
        if !all && self.count(RowCategory::Unchanged) > 0 {
            d.p(format!("{} unchanged rows not shown (--all lists every row)", self.count(RowCategory::Unchanged)));
        }
        d.p(LEGEND.join("  "));
        d
    }

    fn markdown_doc(&self) -> Doc {
        let mut d = Doc::default();
        let different = if self.mismatches.is_empty() { "" } else { " — different machines, interpreters or measurement contexts" };
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
                "{} inconclusive, {} unchanged, {} not comparable, {} invalid, {} in one run only",
                self.count(RowCategory::Inconclusive),
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
        if self.exit_code() != crate::exit::OK {
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
            c.extend([si(throughput.base), si(throughput.new)]);
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
    let mut note: Vec<String> = Some(r.outcome.unjudged()).filter(|n| !n.is_empty()).into_iter().collect();
    note.extend(r.note.clone());
    note.join("; ")
}

/// `-30.1% [-32.0, -28.1] ▼`.
fn fmt_delta(m: &MetricChange) -> String {
    let marker = match m.change {
        Change::Regressed => " ▼",
        Change::Improved => " ▲",
        Change::Inconclusive => " ?",
        Change::Unchanged => "",
    };
    let (lo, hi) = m.change_interval_pct;
    let again = match &m.confirmation {
        Some(c) => {
            let seen = match (c.change_pct, &c.unjudged) {
                (Some(x), _) => format!("re-measured {x:+.1}%"),
                (None, why) => format!("not judged again: {}", why.as_deref().unwrap_or("?")),
            };
            format!(" ({}: {seen})", if c.confirmed { "confirmed" } else { "not confirmed" })
        }
        None => String::new(),
    };
    format!("{:+.1}% [{lo:+.1}, {hi:+.1}]{marker}{again}", m.change_pct)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
