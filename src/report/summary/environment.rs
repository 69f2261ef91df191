//! The "Machine and interpreters" section: the machine, each GIL mode's interpreter, the GIL mode
//! each workload observed, and the packages installed and used.

use std::collections::BTreeMap;

use super::cells::{first_line, opt};
use crate::report::doc::{Block, Doc, Inl, Table, Tone};
use crate::report::format;
use crate::results::{GilMode, InterpreterFacts, RunResults, WorkloadStatus};
use crate::selection::grouped::by_workload;

/// The "Machine and interpreters" section.
pub(super) fn section(doc: &mut Doc, r: &RunResults) {
    doc.h(2, "environment", "Machine and interpreters");
    let m = &r.machine;
    let mut t = Table::new(&["Fact", "Value"]);
    let mut kv = |k: &str, v: String| t.row(Tone::Plain, vec![k.into(), v.into()]);
    kv("CPU", if m.cpu_model.is_empty() { "unknown".into() } else { m.cpu_model.clone() });
    kv("Logical cores", m.logical_cores.to_string());
    kv("Physical cores", opt(m.physical_cores, |v| v.to_string()));
    if m.performance_cores.is_some() || m.efficiency_cores.is_some() {
        kv(
            "Performance / efficiency cores",
            format!("{} / {}", opt(m.performance_cores, |v| v.to_string()), opt(m.efficiency_cores, |v| v.to_string())),
        );
    }
    kv("OS", format!("{} (kernel {})", m.os, m.kernel));
    kv("Architecture", m.arch.clone());
    kv("Memory", format::bytes(m.total_memory_bytes));
    doc.push(Block::Table(t));

    doc.h(3, "interpreters", "Interpreters (one child per GIL mode)");
    if r.interpreters.is_empty() {
        doc.p("No interpreter facts were recorded (no child reported back).");
    } else {
        let mut t = Table::new(&[
            "Mode",
            "Version",
            "Free-threaded build",
            "GIL at start-up",
            "Check",
            "thread_inherit_context",
            "context_aware_warnings",
            "Executable",
        ]);
        for i in &r.interpreters {
            let problem = interpreter_problem(i);
            let flag = |f: Option<bool>| match f {
                Some(true) => "on".to_string(),
                Some(false) => "off".to_string(),
                None if i.version_info.len() >= 2 && (i.version_info[0], i.version_info[1]) < (3, 14) => {
                    format!("n/a on {}.{}", i.version_info[0], i.version_info[1])
                }
                None => "not reported".to_string(),
            };
            t.row(
                if problem.is_some() { Tone::Bad } else { Tone::Plain },
                vec![
                    i.mode.label().into(),
                    Inl::new().c(first_line(&i.version)),
                    (if i.free_threaded_build { "yes" } else { "no" }).into(),
                    format!(
                        "{} (expected {})",
                        if i.gil_enabled_at_start { "on" } else { "off" },
                        if i.mode.enabled() { "on" } else { "off" }
                    )
                    .into(),
                    match &problem {
                        Some(p) => Inl::new().b("MISMATCH").t(format!(": {p}")),
                        None => "ok".into(),
                    },
                    flag(i.thread_inherit_context).into(),
                    flag(i.context_aware_warnings).into(),
                    match &i.library {
                        Some(library) => Inl::new().c(&i.executable).t(", libpython ").c(library),
                        None => Inl::new().c(&i.executable),
                    },
                ],
            );
        }
        doc.push(Block::Table(t));
        for i in r.interpreters.iter().filter(|i| !i.config_args.trim().is_empty()) {
            doc.push(Block::Details {
                summary: Inl::new().t(format!("Build configuration ({})", i.mode.label())),
                body: i.config_args.clone(),
            });
        }
    }

    doc.h(3, "gil-checks", "GIL mode per workload");
    doc.p(Inl::new().c("sys._is_gil_enabled()").t(" observed after each workload was loaded, against the mode asked for."));
    let workloads = by_workload(r);
    let mut t = Table::new(&["Workload", "GIL off: observed", "GIL on: observed", "Check"]);
    for (name, modes) in &workloads {
        let mut problems = Vec::new();
        let mut cell = |m: GilMode| -> Inl {
            let Some(w) = modes.get(&m) else {
                return "not run".into();
            };
            match w.gil_enabled_observed {
                None => format!("not observed ({})", w.status.label()).into(),
                Some(obs) => {
                    let s = if obs { "GIL on" } else { "GIL off" };
                    if obs != m.enabled() {
                        if m == GilMode::Off && w.status == WorkloadStatus::GilReenabled {
                            problems.push("import re-enabled the GIL".to_string());
                        } else {
                            problems.push(format!("{} child observed {s} (status {})", m.label(), w.status.label()));
                        }
                        Inl::new().b(s)
                    } else {
                        s.into()
                    }
                }
            }
        };
        let off = cell(GilMode::Off);
        let on = cell(GilMode::On);
        let (check, tone) = if problems.is_empty() {
            (Inl::from("ok"), Tone::Plain)
        } else if problems.iter().all(|p| p == "import re-enabled the GIL") {
            (Inl::from(problems.join("; ")), Tone::Warn)
        } else {
            (Inl::new().b("MISMATCH").t(format!(": {}", problems.join("; "))), Tone::Bad)
        };
        t.row(tone, vec![Inl::new().c(*name), off, on, check]);
    }
    doc.push(Block::Table(t));

    doc.h(3, "packages", "Packages");
    let mut pk: BTreeMap<&str, BTreeMap<GilMode, &str>> = BTreeMap::new();
    for i in &r.interpreters {
        for (p, v) in &i.packages {
            pk.entry(p).or_default().insert(i.mode, v);
        }
    }
    // Which workloads import what (import names, as declared by the workloads).
    let mut users: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (name, modes) in &workloads {
        for p in &modes.values().next().unwrap().meta.packages {
            users.entry(p.clone()).or_default().push(name);
        }
    }
    if pk.is_empty() && users.is_empty() {
        doc.p("No workload packages recorded.");
    } else {
        let mut t = Table::new(&["Package", "GIL off", "GIL on", "Used by"]);
        let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
        for (p, v) in &pk {
            let used: Vec<&str> = users.iter().filter(|(u, _)| norm(u) == norm(p)).flat_map(|(_, w)| w.iter().copied()).collect();
            t.row(
                Tone::Plain,
                vec![
                    Inl::new().c(*p),
                    v.get(&GilMode::Off).copied().unwrap_or("—").into(),
                    v.get(&GilMode::On).copied().unwrap_or("—").into(),
                    used.join(", ").into(),
                ],
            );
        }
        for (u, ws) in &users {
            if !pk.keys().any(|p| norm(p) == norm(u)) {
                t.row(Tone::Muted, vec![Inl::new().c(u), "not installed".into(), "not installed".into(), ws.join(", ").into()]);
            }
        }
        doc.push(Block::Table(t));
    }
}

/// What is wrong with an interpreter's facts (not free-threaded, GIL in the wrong state), if anything.
pub(super) fn interpreter_problem(i: &InterpreterFacts) -> Option<String> {
    let mut p = Vec::new();
    if !i.free_threaded_build {
        p.push("not a free-threaded build".to_string());
    }
    if i.gil_enabled_at_start != i.mode.enabled() {
        p.push(format!(
            "GIL {} at start-up, expected {}",
            if i.gil_enabled_at_start { "on" } else { "off" },
            if i.mode.enabled() { "on" } else { "off" }
        ));
    }
    (!p.is_empty()).then(|| p.join(", "))
}
