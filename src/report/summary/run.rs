//! The summary's opening: what ran, with which settings, and the alerts above everything else
//! (partial run, one GIL mode only, GIL mode check failed, what did not run cleanly).

use std::collections::BTreeMap;

use super::environment::interpreter_problem;
use crate::report::doc::{Block, Doc, Inl, Tone};
use crate::report::format;
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
    doc.p(headline_facts(r));
    let c = &r.run.config;
    let threads: Vec<String> = c.threads.iter().map(|t| t.to_string()).collect();
    let modes: Vec<&str> = c.modes.iter().map(|m| m.label()).collect();
    doc.p(format!(
        "Threads {} · modes {} · quick {} · filters {} · {} passes · per pass: warm-up {} ms, measurement {} ms, at least {} rounds · round target {} ms · {}",
        if threads.is_empty() { "—".into() } else { threads.join(", ") },
        if modes.is_empty() { "—".into() } else { modes.join(", ") },
        if c.quick { "yes" } else { "no" },
        if c.filters.is_empty() { "none".into() } else { c.filters.join(" ") },
        c.passes,
        c.warm_up_ms,
        c.measurement_ms,
        c.min_rounds,
        c.round_target_ms,
        contexts(c)
    ));
}

/// Which threads drove the rounds and how the code was compiled (docs/transfer.md).
fn contexts(c: &crate::results::RunConfig) -> String {
    let driver = match c.driver.unwrap_or_default() {
        crate::results::Driver::Rust => "worker rounds on the suite's Rust threads",
        crate::results::Driver::Python => "worker rounds on threading threads (--driver python)",
    };
    let code = c.code.map_or("code as importlib chose (not recorded)".to_string(), |k| format!("code {}", k.label()));
    let control = if c.driver_control { " · driver control on every worker row" } else { "" };
    format!("{driver} · {code}{control}")
}

/// What the numbers depend on, before any of them: the machine, the interpreter, how noisy the run was.
fn headline_facts(r: &RunResults) -> Inl {
    let m = &r.machine;
    let mut cores = format!("{} logical", m.logical_cores);
    if let Some(p) = m.physical_cores {
        cores += &format!(" / {p} physical");
    }
    if let (Some(p), Some(e)) = (m.performance_cores, m.efficiency_cores) {
        cores += &format!(" ({p} P + {e} E)");
    }
    let cpu = if m.cpu_model.is_empty() { "unknown CPU" } else { m.cpu_model.as_str() };
    let machine = format!("{cpu}, {cores} cores, {}, {}", m.os, format::bytes(m.total_memory_bytes));
    let interpreter = r.interpreters.first().map_or("not recorded".to_string(), |i| {
        let build = if i.free_threaded_build { "free-threaded build" } else { "GIL-only build" };
        format!("Python {} ({build})", i.version_info.iter().map(u32::to_string).collect::<Vec<_>>().join("."))
    });
    Inl::new()
        .b("Machine")
        .t(format!(" {machine} · "))
        .b("Interpreter")
        .t(format!(" {interpreter} · "))
        .b("Noise")
        .t(format!(" {}", noise_words(r)))
}

/// A run whose canary drifted at most this much and with at most this share of passes disturbed
/// reads "quiet"; otherwise "noisy — read with care".
const QUIET_CANARY_CV: f64 = 0.05;
const QUIET_DISTURBED_SHARE: f64 = 0.05;

fn noise_words(r: &RunResults) -> String {
    let Some(n) = &r.noise else { return "not measured".into() };
    let cv = n.canary_cv.unwrap_or(0.0);
    let share = n.disturbed_passes as f64 / n.passes.max(1) as f64;
    let word = if cv <= QUIET_CANARY_CV && share <= QUIET_DISTURBED_SHARE { "quiet" } else { "noisy — read with care" };
    format!("{word} (canary drift {:.1} %, {} of {} passes disturbed)", cv * 100.0, n.disturbed_passes, n.passes)
}

/// A skip the interpreter's version explains (a workload for a newer Python): expected, not a problem.
fn version_gated(w: &crate::results::WorkloadResult) -> bool {
    w.status == WorkloadStatus::Skipped && w.reason.as_deref().is_some_and(|r| r.starts_with("needs Python "))
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
    let gated: std::collections::BTreeSet<&str> = r.workloads.iter().filter(|w| version_gated(w)).map(|w| w.workload.as_str()).collect();
    if !gated.is_empty() {
        let names: Vec<&str> = gated.into_iter().collect();
        doc.push(Block::Callout(Tone::Muted, format!("Skipped as expected, for a newer Python: {}.", names.join(", ")).into()));
    }
    for w in r.workloads.iter().filter(|w| !version_gated(w)) {
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
