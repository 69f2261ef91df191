//! The summary's opening: what ran, with which settings, and the alerts above everything else
//! (partial run, one GIL mode only, GIL mode check failed, what did not run cleanly).

use std::collections::BTreeMap;

use super::environment::interpreter_problem;
use crate::report::doc::{Block, Doc, Inl, Tone};
use crate::results::{GilMode, RowStatus, RunResults, RunStatus, WorkloadStatus};

/// The run's id, status, dates, commit and settings.
pub(super) fn info(doc: &mut Doc, r: &RunResults) {
    let status = r.run.status.label();
    let mut l = Inl::new().t("Run ").c(&r.run.id).t(" · status ").b(status).t(format!(" · started {}", r.run.started));
    if !r.run.resumed.is_empty() {
        l = l.t(format!(" · resumed {}", r.run.resumed.join(", ")));
    }
    if let Some(e) = &r.run.ended {
        l = l.t(format!(" · ended {e}"));
    }
    l = l.t(" · suite commit ").c(&r.run.suite_commit);
    doc.p(l);
    let c = &r.run.config;
    let threads: Vec<String> = c.threads.iter().map(|t| t.to_string()).collect();
    let modes: Vec<&str> = c.modes.iter().map(|m| m.label()).collect();
    doc.p(format!(
        "Threads {} · modes {} · quick {} · filters {} · {} passes · per pass: warm-up {} ms, measurement {} ms, at least {} rounds · round target {} ms",
        if threads.is_empty() { "—".into() } else { threads.join(", ") },
        if modes.is_empty() { "—".into() } else { modes.join(", ") },
        if c.quick { "yes" } else { "no" },
        if c.filters.is_empty() { "none".into() } else { c.filters.join(" ") },
        c.passes,
        c.warm_up_ms,
        c.measurement_ms,
        c.min_rounds,
        c.round_target_ms
    ));
}

/// Callouts for what the reader must know first: a partial run, one GIL mode only, a failed GIL
/// mode check, workloads or rows that did not run cleanly.
pub(super) fn alerts(doc: &mut Doc, r: &RunResults) {
    if let Some(how) = r.unfinished() {
        let resume = if r.run.status == RunStatus::Running { "" } else { " `cargo bench -- --resume` finishes it." };
        doc.push(Block::Callout(Tone::Warn, Inl::new().t("This run is ").b(how).t(format!(": the results are partial.{resume}"))));
    }
    let modes: Vec<GilMode> = r.workloads.iter().map(|w| w.mode).collect();
    if !modes.is_empty() && (!modes.contains(&GilMode::Off) || !modes.contains(&GilMode::On)) {
        let only = if modes.contains(&GilMode::Off) { "GIL off" } else { "GIL on" };
        doc.push(Block::Callout(Tone::Warn, format!("Only one GIL mode ran ({only}): free-threading gains cannot be computed.").into()));
    }
    let interp_bad: Vec<String> =
        r.interpreters.iter().filter_map(|i| interpreter_problem(i).map(|p| format!("{}: {p}", i.mode))).collect();
    if !interp_bad.is_empty() {
        doc.push(Block::Callout(Tone::Bad, Inl::new().b("GIL mode check failed").t(format!(": {}.", interp_bad.join("; ")))));
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for w in &r.workloads {
        if w.status != WorkloadStatus::Ran {
            *counts.entry(w.status.label()).or_default() += 1;
        }
        for row in &w.rows {
            match row.status {
                RowStatus::Invalid => *counts.entry("invalid row").or_default() += 1,
                RowStatus::Error => *counts.entry("errored row").or_default() += 1,
                _ => {}
            }
        }
    }
    if !counts.is_empty() {
        let parts: Vec<String> =
            counts.iter().map(|(k, n)| if *n > 1 && k.ends_with(" row") { format!("{n} {k}s") } else { format!("{n} {k}") }).collect();
        doc.push(Block::Callout(
            Tone::Warn,
            Inl::new()
                .t(format!("Not everything ran cleanly ({}, counted per workload × mode); see ", parts.join(", ")))
                .link("Problems", "#problems")
                .t("."),
        ));
    }
}
