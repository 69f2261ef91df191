//! The "Interpreter scaling" section: CPython's ftscalingbench categories, in its own terms.

use std::collections::BTreeSet;

use super::cells::{first_line, opt, row_status_word};
use crate::report::doc::{Block, Doc, Inl, Table, Tone};
use crate::report::format;
use crate::results::control::{self, Agreement, Context};
use crate::results::INTERPRETER_SCENARIO;
use crate::results::{CodeContext, GilMode, RunResults, WorkloadResult, WorkloadStatus};
use crate::selection::grouped::{by_workload, pick_at_most};

/// A speedup over one thread as CPython's Tools/ftscalingbench prints it: "1.9x faster", "2.3x slower".
pub fn ftscalingbench_terms(speedup: f64) -> String {
    if !(speedup.is_finite() && speedup > 0.0) {
        "—".into()
    } else if speedup >= 1.0 {
        format!("{speedup:.1}x faster")
    } else {
        format!("{:.1}x slower", 1.0 / speedup)
    }
}

/// One line per ftscalingbench category (scenario `interpreter`), at the core count (or the largest measured
/// count below it), in ftscalingbench's terms; only when the run has such workloads (they are opt-in).
pub(super) fn section(doc: &mut Doc, r: &RunResults) {
    let suite: Vec<_> = by_workload(r).into_iter().filter(|(_, m)| m.values().any(|w| w.meta.interpreter_suite())).collect();
    if suite.is_empty() {
        return;
    }
    let counts: BTreeSet<usize> = suite.iter().flat_map(|(_, m)| m.values().flat_map(|w| w.rows.iter().map(|x| x.threads))).collect();
    let Some(threads) = pick_at_most(&counts, r.machine.logical_cores) else {
        return;
    };
    doc.h(2, "interpreter-scaling", "Interpreter scaling");
    doc.p(Inl::new()
        .t(format!("CPython's Tools/ftscalingbench categories as verified workloads (scenario {INTERPRETER_SCENARIO}, opt-in: "))
        .c("cargo bench -- interp")
        .t(format!(
            "): throughput at {} against one thread in the same GIL mode, in ftscalingbench's terms (its own output \
                 is the GIL-off column). Each loop's result was checked after every round. Next to it, GIL off, the same \
                 loop as ftscalingbench runs it (compiled as __main__, on long-lived threading threads), measured in the \
                 same child in interleaved blocks, and the note says whether the two differ beyond noise and which \
                 factor does it (docs/transfer.md: on 3.13t where code is compiled decides which constants are immortal).",
            format::threads(threads)
        )));
    let off = format!("GIL off @{threads}");
    let on = format!("GIL on @{threads}");
    let theirs = format!("As ftscalingbench runs it @{threads}");
    let mut t = Table::new(&["Category", "Workload", &off, &on, &theirs, "Note"]).numeric(&[2, 3, 4]);
    for (name, modes) in &suite {
        let cell = |mode: GilMode| -> Inl {
            let Some(w) = modes.get(&mode) else { return "—".into() };
            match w.rows.iter().find(|x| x.threads == threads) {
                Some(x) if x.is_valid() => opt(x.speedup, ftscalingbench_terms).into(),
                Some(x) => Inl::new().b(row_status_word(x)),
                None if w.status == WorkloadStatus::Ran => "—".into(),
                None => Inl::new().b(format!("{:?}", w.status).to_lowercase()),
            }
        };
        let (theirs, note, tone) = contexts(modes.get(&GilMode::Off).copied(), threads, code_words(r.run.config.code));
        t.row(
            tone,
            vec![
                name.strip_prefix("interp_").unwrap_or(name).into(),
                Inl::new().c(*name),
                cell(GilMode::Off),
                cell(GilMode::On),
                theirs,
                note,
            ],
        );
    }
    doc.push(Block::Table(t));
}

/// The run's code context as the note names it.
fn code_words(code: Option<CodeContext>) -> &'static str {
    match code {
        Some(CodeContext::Cached) => "a .pyc (--code cached)",
        Some(CodeContext::Source) => "compile() of the source (--code source)",
        Some(CodeContext::Main) => "the same (--code main)",
        None => "importlib's choice",
    }
}

/// ftscalingbench's context at `threads` (GIL off), and how it relates to ftbench's: the same
/// rows' control figures, so both speedups come from the same children.
fn contexts(w: Option<&WorkloadResult>, threads: usize, code: &str) -> (Inl, Inl, Tone) {
    let rows = w.and_then(|w| Some((w.rows.iter().min_by_key(|x| x.threads)?, w.rows.iter().find(|x| x.threads == threads)?)));
    let Some((base, row)) = rows.filter(|(b, r)| b.threads < r.threads) else {
        return ("—".into(), "not measured".into(), Tone::Plain);
    };
    let Some(theirs) = control::speedup(base, row, Context::Main) else {
        let why = row.control_failure().or(base.control_failure()).map(first_line).unwrap_or("no driver control in this run");
        return ("—".into(), why.to_string().into(), Tone::Muted);
    };
    let (note, tone) = match control::speedup_gap(base, row, Context::Rust, Context::Main) {
        Some(g) if g.agreement() == Agreement::Agree => ("the same within ±5 %".to_string(), Tone::Plain),
        Some(g) if g.agreement() == Agreement::Disagree => {
            let why = control::explain(
                control::speedup_gap(base, row, Context::Rust, Context::Python),
                control::speedup_gap(base, row, Context::Python, Context::Main),
                code,
            );
            let (value, (lo, hi)) = (format::ratio(g.value), (format::ratio(g.interval.0), format::ratio(g.interval.1)));
            (format!("ftbench's speedup is {value} this one's [{lo}, {hi}]: {why}"), Tone::Warn)
        }
        _ => ("could not tell apart in these passes".to_string(), Tone::Plain),
    };
    (ftscalingbench_terms(theirs.value).into(), note.into(), tone)
}
