//! The report's answer first: one row per question (a selection group) — the answer by the rule
//! of docs/choosing.md, by how much at the core count, whether the best scales (its speedup with
//! its interval), and the crossover or caveat — every cell short; the details and the comparisons
//! behind each answer stand in the selection below.

use crate::report::decision::{Names, Words, CELL};
use crate::report::doc::{Block, Doc, Inl, Table, Tone};
use crate::report::format;
use crate::selection::{Group, Kind, ScenarioSelection, Selection};

/// Scenarios that check the harness rather than answer a user's question.
const NOT_A_QUESTION: [&str; 1] = ["control"];

/// The "Recommendations" section, before everything else the report says.
pub(super) fn section(doc: &mut Doc, s: &Selection) {
    if s.scenarios.is_empty() {
        return;
    }
    doc.h(2, "recommendations", "Recommendations");
    let at = s.reference_threads.map(format::threads).unwrap_or_else(|| "the core count".into());
    doc.p(format!(
        "One row per question, at {at} with the {}: the answer by ftbench's rule (docs/choosing.md); the figures and \
         the comparisons behind it stand in the selection below.",
        format::gil_mode(s.mode)
    ));
    let mut t = Table::new(&["Question", "Answer", &format!("At {at}"), "Scales? (speedup, 95 % CI)", "Caveats"]).class("answers");
    let mut unanswered = Vec::new();
    for (sc, g) in s.groups().filter(|(sc, _)| !NOT_A_QUESTION.contains(&sc.scenario.as_str())) {
        if g.decision.kind == Kind::Nothing {
            unanswered.push(question(sc, g));
            continue;
        }
        let w = Words { group: g, names: Names::Short };
        t.row(tone(g.decision.kind), vec![question(sc, g), w.answer(), w.at_n(), w.scales().into(), w.caveats(Some(CELL))]);
    }
    doc.push(Block::Table(t));
    if !unanswered.is_empty() {
        let mut l = Inl::new().t("No valid candidate (skipped, failed or unsafe only; see below): ");
        for (i, q) in unanswered.into_iter().enumerate() {
            l = if i == 0 { l } else { l.t("; ") }.push(q);
        }
        doc.p(l);
    }
}

/// "**Hot counters**: add 1 to one shared counter", or a family of a run without operations.
pub(super) fn question(sc: &ScenarioSelection, g: &Group) -> Inl {
    let l = Inl::new().b(sc.title.as_str());
    match (&g.operation, &g.family) {
        (Some(op), _) => l.t(format!(": {op}")),
        (None, Some(f)) => l.t(", ").c(f),
        (None, None) => l,
    }
}

fn tone(kind: Kind) -> Tone {
    match kind {
        Kind::Use => Tone::Good,
        Kind::ThreadsDoNotPay => Tone::Warn,
        _ => Tone::Plain,
    }
}
