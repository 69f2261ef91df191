//! The "Interpreter scaling" section: CPython's ftscalingbench categories, in its own terms.

use std::collections::BTreeSet;

use super::cells::{opt, row_status_word};
use crate::report::doc::{Block, Doc, Inl, Table, Tone};
use crate::report::format;
use crate::report::grouped::{by_workload, pick_at_most};
use crate::report::selection::INTERPRETER_SCENARIO;
use crate::results::{GilMode, RunResults, WorkloadStatus};

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
    let suite: Vec<_> =
        by_workload(r).into_iter().filter(|(_, m)| m.values().any(|w| w.meta.scenario.trim() == INTERPRETER_SCENARIO)).collect();
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
                 is the GIL-off column). Each loop's result was checked after every round.",
            format::threads(threads)
        )));
    let off = format!("GIL off @{threads}");
    let on = format!("GIL on @{threads}");
    let tp = format!("GIL off @{threads} (ops/s)");
    let mut t = Table::new(&["Category", "Workload", &off, &on, &tp]).numeric(&[2, 3, 4]);
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
        let tput = modes.get(&GilMode::Off).and_then(|w| w.rows.iter().find(|x| x.threads == threads && x.is_valid()));
        t.row(
            Tone::Plain,
            vec![
                name.strip_prefix("interp_").unwrap_or(name).into(),
                Inl::new().c(*name),
                cell(GilMode::Off),
                cell(GilMode::On),
                opt(tput.and_then(|x| x.throughput), |e| format::si(e.point)).into(),
            ],
        );
    }
    doc.push(Block::Table(t));
}
