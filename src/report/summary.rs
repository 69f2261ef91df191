//! The report's content, as a [`Doc`] rendered to both summary.md and index.html.

use std::collections::{BTreeMap, BTreeSet};

use crate::results::{Calibration, GilMode, InterpreterFacts, RowStatus, RunResults, RunStatus, ThreadRow, WorkloadResult, WorkloadStatus};

use super::charts::{ChartFile, ChartKind};
use super::doc::{Block, Doc, Figure, Inl, Table, Tone};
use super::format;
use super::selection::{by_workload, cores_kind, pick_at_most, Candidate, Selection, Standing, INTERPRETER_SCENARIO};

/// Calibration targets (see [`Calibration`]).
pub const OVERHEAD_TARGET: f64 = 0.98;
pub const PROBE_TARGET: f64 = 0.99;
pub const CPU_ONLY_OFF_FACTOR: f64 = 0.95;
pub const CPU_ONLY_ON_MAX: f64 = 1.15;

pub fn build(results: &RunResults, selection: &Selection, charts: &[ChartFile]) -> Doc {
    let mut doc = Doc { title: format!("ftbench report: {}", results.run.id), blocks: vec![] };
    run_info(&mut doc, results);
    alerts(&mut doc, results);
    selection_section(&mut doc, selection);
    interpreter_scaling(&mut doc, results);
    charts_section(&mut doc, results, charts);
    problems(&mut doc, results);
    calibration(&mut doc, results);
    environment(&mut doc, results);
    full_data(&mut doc, results);
    doc
}

fn mode_title(m: GilMode) -> &'static str {
    match m {
        GilMode::Off => "GIL off",
        GilMode::On => "GIL on",
    }
}

fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map(f).unwrap_or_else(|| "—".into())
}

fn first_line(s: &str) -> &str {
    s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

fn is_multiline(s: &str) -> bool {
    s.trim().lines().count() > 1
}

// ---------------------------------------------------------------------------------------------

fn run_info(doc: &mut Doc, r: &RunResults) {
    let status = match r.run.status {
        RunStatus::Running => "running",
        RunStatus::Complete => "complete",
        RunStatus::Interrupted => "interrupted",
    };
    let mut l = Inl::new().t("Run ").c(&r.run.id).t(" · status ").b(status).t(format!(" · started {}", r.run.started));
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

fn alerts(doc: &mut Doc, r: &RunResults) {
    match r.run.status {
        RunStatus::Complete => {}
        RunStatus::Running => doc.push(Block::Callout(
            Tone::Warn,
            Inl::new().t("This run is ").b("still running").t(": the report shows the results written so far."),
        )),
        RunStatus::Interrupted => {
            doc.push(Block::Callout(Tone::Warn, Inl::new().t("This run was ").b("interrupted").t(": results are partial.")))
        }
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
            *counts.entry(format::workload_status(w.status)).or_default() += 1;
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

fn interpreter_problem(i: &InterpreterFacts) -> Option<String> {
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

// ---------------------------------------------------------------------------------------------

fn candidate_tone(c: &Candidate) -> Tone {
    match c.standing {
        Standing::Ranked if c.rank == Some(1) => Tone::Good,
        Standing::Ranked => Tone::Plain,
        Standing::Unsafe | Standing::GilReenabled => Tone::Warn,
        Standing::Invalid | Standing::Failed => Tone::Bad,
        Standing::NotMeasured | Standing::Skipped => Tone::Muted,
    }
}

fn ci(e: &crate::results::Estimate) -> String {
    match e.relative_half_width() {
        Some(half) if e.point > 0.0 => format!("±{}", format::pct(half.max(0.0))),
        _ => "—".into(),
    }
}

fn selection_section(doc: &mut Doc, s: &Selection) {
    doc.h(2, "selection", "Primitive selection");
    let at = match s.reference_threads {
        Some(t) if t == s.cores => format!("{} (the {} count)", format::threads(t), s.cores_kind),
        Some(t) if s.cores > 0 => format!("{} (the largest measured count ≤ {} {}s)", format::threads(t), s.cores, s.cores_kind),
        Some(t) => format::threads(t),
        None => format!("the {} count (nothing measured yet)", s.cores_kind),
    };
    let by = match s.mode {
        GilMode::Off => "GIL-off throughput",
        GilMode::On => "GIL-on throughput (this run has no GIL-off results)",
    };
    doc.p(format!(
        "Candidates are ranked by {by} at {at}, valid rows only. Unsynchronized baselines are shown for reference \
         and never ranked; workloads with an invalid or errored row (any thread count, either mode) are not ranked. \
         \"Collapses past N threads\": throughput falls by more than 20 % from N to the next measured count."
    ));
    if s.scenarios.is_empty() {
        doc.p("No primitive workloads in this run.");
    }
    for sc in &s.scenarios {
        let id = format!("scenario-{}", if sc.scenario.is_empty() { "none" } else { &sc.scenario });
        doc.h(3, &id, sc.title.as_str());
        for g in &sc.groups {
            if let Some(f) = &g.family {
                doc.h(4, "", Inl::new().t("Variants of ").c(f));
            }
            doc.push(Block::Callout(Tone::Plain, Inl::new().b("Verdict:").t(" ").push(g.verdict.line())));
            let thr = g.threads.map(|t| format!(" @{t}")).unwrap_or_default();
            let tp = format!("{}{thr} (ops/s)", mode_title(s.mode));
            let mut t = Table::new(&["#", "Workload", "Primitive", &tp, "CI", "Speedup", "Efficiency", "FT gain", "Status"])
                .numeric(&[0, 3, 4, 5, 6, 7]);
            for c in &g.candidates {
                let status = match (&c.standing, &c.note) {
                    (Standing::Ranked, None) => Inl::new().t("ok"),
                    (Standing::Ranked, Some(n)) => Inl::new().t(format!("ok ({n})")),
                    (Standing::Unsafe, n) => Inl::new().b("unsafe").t(n.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()),
                    (st, Some(n)) => Inl::new().b(st.label()).t(format!(": {n}")),
                    (st, None) => Inl::new().b(st.label()),
                };
                let status = match c.collapse {
                    Some(k) if c.standing == Standing::Ranked => {
                        status.t(format!("; collapses past {} (−{} at {})", format::threads(k.after), format::pct(k.drop), k.next))
                    }
                    _ => status,
                };
                t.row(
                    candidate_tone(c),
                    vec![
                        c.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()).into(),
                        Inl::new().c(&c.workload),
                        Inl::new().c(&c.primitive),
                        opt(c.throughput, |e| format::si(e.point)).into(),
                        opt(c.throughput.as_ref(), ci).into(),
                        opt(c.speedup, format::ratio).into(),
                        opt(c.efficiency, format::pct).into(),
                        opt(c.ft_gain, format::ratio).into(),
                        status,
                    ],
                );
            }
            doc.push(Block::Table(t));
        }
    }
}

// ---------------------------------------------------------------------------------------------

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
fn interpreter_scaling(doc: &mut Doc, r: &RunResults) {
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

// ---------------------------------------------------------------------------------------------

fn figure(c: &ChartFile) -> Figure {
    let caption = match &c.workload {
        Some(w) => Inl::new().c(w).t(": throughput vs threads"),
        None => Inl::new().t(c.title.clone()),
    };
    Figure { svg: format!("charts/{}.svg", c.base), png: format!("charts/{}.png", c.base), caption }
}

fn charts_section(doc: &mut Doc, r: &RunResults, charts: &[ChartFile]) {
    doc.h(2, "charts", "Charts");
    if charts.is_empty() {
        doc.p("No charts.");
        return;
    }
    doc.p("Invalid rows, skipped and failed workloads are never drawn as data: each chart lists them under \
         \"Not drawn\". Shaded bands are confidence intervals.");
    let overview: Vec<Figure> = charts.iter().filter(|c| c.kind != ChartKind::Throughput).map(figure).collect();
    doc.push(Block::Figures(overview));
    doc.h(3, "charts-per-workload", "Throughput per workload");
    // In workload order of the run.
    let order: Vec<&str> = by_workload(r).into_iter().map(|(n, _)| n).collect();
    let mut per: Vec<&ChartFile> = charts.iter().filter(|c| c.kind == ChartKind::Throughput).collect();
    per.sort_by_key(|c| c.workload.as_deref().and_then(|w| order.iter().position(|o| *o == w)).unwrap_or(usize::MAX));
    doc.push(Block::Figures(per.into_iter().map(figure).collect()));
}

// ---------------------------------------------------------------------------------------------

fn problems(doc: &mut Doc, r: &RunResults) {
    let workloads = by_workload(r);
    let skipped: Vec<(&str, Vec<&WorkloadResult>)> = workloads
        .iter()
        .map(|(n, m)| (*n, m.values().copied().filter(|w| w.status == WorkloadStatus::Skipped).collect::<Vec<_>>()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let reenabled: Vec<&WorkloadResult> = r.workloads.iter().filter(|w| w.status == WorkloadStatus::GilReenabled).collect();
    let failed: Vec<&WorkloadResult> = r
        .workloads
        .iter()
        .filter(|w| {
            matches!(w.status, WorkloadStatus::Timeout | WorkloadStatus::Crashed | WorkloadStatus::Error | WorkloadStatus::Interrupted)
        })
        .collect();
    let bad_rows: Vec<(&WorkloadResult, &ThreadRow)> = r
        .workloads
        .iter()
        .flat_map(|w| w.rows.iter().map(move |row| (w, row)))
        .filter(|(w, row)| match row.status {
            RowStatus::Ok => false,
            RowStatus::LostUpdates => !w.meta.unsynchronized,
            _ => true,
        })
        .collect();
    let lossy: Vec<(&WorkloadResult, &ThreadRow)> = r
        .workloads
        .iter()
        .filter(|w| w.meta.unsynchronized)
        .flat_map(|w| w.rows.iter().map(move |row| (w, row)))
        .filter(|(_, row)| row.status == RowStatus::LostUpdates || row.lost_updates > 0)
        .collect();

    let unranked: Vec<(&WorkloadResult, &ThreadRow, &str)> = r
        .workloads
        .iter()
        .flat_map(|w| w.rows.iter().map(move |row| (w, row)))
        .filter(|(_, row)| row.status == RowStatus::Ok)
        .filter_map(|(w, row)| Some((w, row, row.implausible.as_deref().or(row.disturbed.as_deref())?)))
        .collect();

    doc.h(2, "problems", "Problems");
    if skipped.is_empty() && reenabled.is_empty() && failed.is_empty() && bad_rows.is_empty() && unranked.is_empty() {
        doc.p("None: every workload ran and every row verified.");
    }
    if !unranked.is_empty() {
        doc.h(3, "unranked-rows", "Rows not ranked: physically implausible or measured on a disturbed machine");
        let mut t = Table::new(&["Workload", "Mode", "Threads", "Why"]).numeric(&[2]);
        for (w, row, why) in &unranked {
            let cells = vec![Inl::new().c(&w.workload), w.mode.label().into(), row.threads.to_string().into(), (*why).into()];
            t.row(Tone::Warn, cells);
        }
        doc.push(Block::Table(t));
    }

    if !skipped.is_empty() {
        doc.h(3, "skipped", "Skipped workloads");
        let mut t = Table::new(&["Workload", "Mode", "Reason"]);
        for (name, ws) in &skipped {
            // One line per distinct reason.
            let mut by_reason: Vec<(String, Vec<&str>)> = Vec::new();
            for w in ws {
                let reason = w.reason.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "no reason given".into());
                match by_reason.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, m)) => m.push(w.mode.label()),
                    None => by_reason.push((reason, vec![w.mode.label()])),
                }
            }
            for (reason, modes) in by_reason {
                t.row(Tone::Muted, vec![Inl::new().c(*name), modes.join(", ").into(), reason.into()]);
            }
        }
        doc.push(Block::Table(t));
    }

    if !reenabled.is_empty() {
        doc.h(3, "gil-reenabled", "Workloads whose import re-enabled the GIL");
        doc.p("Their GIL-off numbers were measured with the GIL on; they are not ranked and not drawn as GIL-off data.");
        for w in &reenabled {
            let mut l = Inl::new().c(&w.workload).t(format!(" ({})", w.mode.label()));
            if let Some(reason) = &w.reason {
                l = l.t(format!(": {}", first_line(reason)));
            }
            evidence_block(doc, l, w.evidence.as_deref());
        }
    }

    if !failed.is_empty() {
        doc.h(3, "failed", "Timed out, crashed, errored or interrupted");
        for w in &failed {
            let mut l = Inl::new().c(&w.workload).t(format!(" ({}): ", w.mode.label())).b(format::workload_status(w.status));
            if let Some(reason) = w.reason.as_deref().filter(|s| !s.trim().is_empty()) {
                l = l.t(format!(": {}", first_line(reason)));
            }
            let evidence = match (w.evidence.as_deref(), w.reason.as_deref()) {
                (Some(e), _) if !e.trim().is_empty() => Some(e),
                (_, Some(r)) if is_multiline(r) => Some(r),
                _ => None,
            };
            evidence_block(doc, l, evidence);
        }
    }

    if !bad_rows.is_empty() {
        doc.h(3, "invalid-rows", "Invalid rows");
        doc.p("Rows whose invariant check failed or whose workers raised: never charted, never ranked.");
        let mut t = Table::new(&["Workload", "Mode", "Threads", "Status", "Broken rounds", "Message"]).numeric(&[2, 4]);
        for (w, row) in &bad_rows {
            t.row(
                Tone::Bad,
                vec![
                    Inl::new().c(&w.workload),
                    w.mode.label().into(),
                    row.threads.to_string().into(),
                    row_status_word(row).into(),
                    format!("{} / {}", row.broken_rounds, row.rounds).into(),
                    row.message.as_deref().map(first_line).unwrap_or("").to_string().into(),
                ],
            );
        }
        doc.push(Block::Table(t));
        for (w, row) in bad_rows.iter().filter(|(_, row)| row.message.as_deref().is_some_and(is_multiline)) {
            evidence_block(
                doc,
                Inl::new().t("Message of ").c(&w.workload).t(format!(" ({}, {})", w.mode.label(), format::threads(row.threads))),
                row.message.as_deref(),
            );
        }
    }

    if !lossy.is_empty() {
        doc.h(3, "lost-updates", "Lost updates in unsynchronized baselines (expected)");
        let mut t = Table::new(&["Workload", "Mode", "Threads", "Lost updates", "Broken rounds"]).numeric(&[2, 3, 4]);
        for (w, row) in &lossy {
            t.row(
                Tone::Warn,
                vec![
                    Inl::new().c(&w.workload),
                    w.mode.label().into(),
                    row.threads.to_string().into(),
                    row.lost_updates.to_string().into(),
                    format!("{} / {}", row.broken_rounds, row.rounds).into(),
                ],
            );
        }
        doc.push(Block::Table(t));
    }
}

fn evidence_block(doc: &mut Doc, summary: Inl, evidence: Option<&str>) {
    match evidence.filter(|e| !e.trim().is_empty()) {
        Some(e) => doc.push(Block::Details { summary, body: e.to_string() }),
        None => doc.p(summary),
    }
}

fn row_status_word(row: &ThreadRow) -> String {
    match row.status {
        RowStatus::Ok if row.throughput.is_none() => "ok (no throughput)".into(),
        RowStatus::Ok if row.disturbed.is_some() => "disturbed".into(),
        RowStatus::Ok if row.implausible.is_some() => "implausible".into(),
        RowStatus::Ok => "ok".into(),
        RowStatus::Invalid => "invalid".into(),
        RowStatus::LostUpdates => format!("lost updates ({})", row.lost_updates),
        RowStatus::Error => "error".into(),
    }
}

// ---------------------------------------------------------------------------------------------

/// The machine's own noise over the run: what every interval and comparison has to beat.
fn noise(doc: &mut Doc, r: &RunResults) {
    let Some(n) = &r.noise else { return };
    let c = &r.run.config;
    let mut t = Table::new(&["Noise figure", "Value"]).numeric(&[1]);
    let mut kv = |k: &str, v: String| t.row(Tone::Plain, vec![k.into(), v.into()]);
    kv("Passes (each benchmark in a fresh child per pass, order shuffled per pass)", c.passes.to_string());
    kv("Canary drift (coefficient of variation of every canary)", opt(n.canary_cv, format::pct));
    for (mode, median) in &n.canary_median {
        kv(&format!("Canary median, {}", mode_title(*mode)), format!("{} it/s", format::si(*median)));
    }
    kv("CPU time stolen by the hypervisor (mean over timed rounds)", opt(n.steal_mean, format::pct));
    kv("Benchmark passes measured on a disturbed machine (after one re-measurement)", format!("{} of {}", n.disturbed_passes, n.passes));
    doc.p("Intervals are Student's t intervals over the passes; \"normalised\" throughput scales each pass by \
         the run's median canary over the canary measured around it, which removes the machine's drift.");
    doc.push(Block::Table(t));
}

fn met(ok: bool) -> (Inl, Tone) {
    if ok {
        ("met".into(), Tone::Good)
    } else {
        (Inl::new().b("not met"), Tone::Bad)
    }
}

fn calibration(doc: &mut Doc, r: &RunResults) {
    doc.h(2, "calibration", "Harness calibration");
    noise(doc, r);
    let Some(c) = &r.calibration else {
        doc.p("Calibration was not run for this run.");
        return;
    };
    doc.p("The suite measuring itself: figures to read against their targets.");
    let mut t = Table::new(&["Figure", "Value", "Target", "Status"]).numeric(&[1]);
    let Calibration { harness_overhead, probe_ratio, cpu_only_speedup, cores } = c;
    let mut figure = |label: Inl, value: Option<f64>, target: f64| match value {
        Some(v) => {
            let (m, tone) = met(v >= target);
            t.row(tone, vec![label, format!("{v:.3}").into(), format!("≥ {target}").into(), m]);
        }
        None => t.row(Tone::Muted, vec![label, "—".into(), format!("≥ {target}").into(), "not measured".into()]),
    };
    for o in harness_overhead {
        let label = Inl::new()
            .t("Harness overhead ratio, ")
            .c(&o.workload)
            .t(format!(" (embedded / pure-Python threading driver, {})", format::threads(o.threads)));
        figure(label, Some(o.ratio), OVERHEAD_TARGET);
    }
    if harness_overhead.is_empty() {
        figure("Harness overhead ratio".into(), None, OVERHEAD_TARGET);
    }
    for (threads, v) in probe_ratio {
        let label = format!("Probe ratio (throughput with / without the probes, {})", format::threads(*threads));
        figure(label.into(), Some(*v), PROBE_TARGET);
    }
    if probe_ratio.is_empty() {
        figure("Probe ratio".into(), None, PROBE_TARGET);
    }
    for mode in GilMode::ALL {
        let target_text = match mode {
            GilMode::Off => {
                format!("≥ {CPU_ONLY_OFF_FACTOR} × {cores} {}s = {:.2}", cores_kind(&r.machine), CPU_ONLY_OFF_FACTOR * *cores as f64)
            }
            GilMode::On => format!("≤ {CPU_ONLY_ON_MAX}"),
        };
        let label = format!("cpu_only speedup at {cores} threads, {}", mode_title(mode));
        match cpu_only_speedup.get(&mode) {
            Some(v) => {
                let ok = match mode {
                    GilMode::Off => *v >= CPU_ONLY_OFF_FACTOR * *cores as f64,
                    GilMode::On => *v <= CPU_ONLY_ON_MAX,
                };
                let (m, tone) = met(ok);
                t.row(tone, vec![label.into(), format!("{v:.2}").into(), target_text.into(), m]);
            }
            None => t.row(Tone::Muted, vec![label.into(), "—".into(), target_text.into(), "not measured".into()]),
        }
    }
    doc.push(Block::Table(t));
}

// ---------------------------------------------------------------------------------------------

fn environment(doc: &mut Doc, r: &RunResults) {
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
                    Inl::new().c(&i.executable),
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
                None => format!("not observed ({})", format::workload_status(w.status)).into(),
                Some(obs) => {
                    let s = if obs { "GIL on" } else { "GIL off" };
                    if obs != m.enabled() {
                        if m == GilMode::Off && w.status == WorkloadStatus::GilReenabled {
                            problems.push("import re-enabled the GIL".to_string());
                        } else {
                            problems.push(format!("{} child observed {s} (status {})", m.label(), format::workload_status(w.status)));
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

// ---------------------------------------------------------------------------------------------

/// A thread count, marked "P+E" past a hybrid CPU's P-core count.
fn threads_cell(threads: usize, boundary: Option<usize>) -> String {
    match boundary {
        Some(p) if threads > p => format!("{threads} (P+E)"),
        _ => threads.to_string(),
    }
}

fn full_data(doc: &mut Doc, r: &RunResults) {
    doc.h(2, "data", "Full data");
    doc.p("Throughput is the mean over quiet passes with its 95 % interval; drift-corrected scales each pass by \
         the run's median canary over its own. Passes: quiet / measured. Speedup is relative to the smallest \
         thread count measured (marked when it is not 1). Start skew: how far apart the barrier released the \
         threads of a round, on average; it is part of each round's elapsed time.");
    let boundary = r.machine.pe_boundary();
    if let Some(p) = boundary {
        doc.p(format!(
            "This CPU has {p} P-cores and {} E-cores (logical CPUs): rows marked “P+E” ran more threads than P-cores, \
             so some threads were on slower E-cores — a drop there is not necessarily contention.",
            r.machine.efficiency_cores.unwrap_or_default()
        ));
    }
    let mut t = Table::new(&[
        "Workload",
        "Mode",
        "Threads",
        "Throughput (ops/s)",
        "CI",
        "Drift-corrected",
        "Passes",
        "Speedup",
        "Efficiency",
        "FT gain",
        "Blocked",
        "Start skew",
        "Status",
    ])
    .numeric(&[2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (name, modes) in by_workload(r) {
        for (mode, w) in &modes {
            if w.rows.is_empty() {
                let reason = w.reason.as_deref().map(first_line).filter(|s| !s.is_empty());
                let status = match reason {
                    Some(rs) => format!("{}: {rs}", format::workload_status(w.status)),
                    None => format::workload_status(w.status).to_string(),
                };
                let tone = if w.status == WorkloadStatus::Skipped { Tone::Muted } else { Tone::Bad };
                let mut cells: Vec<Inl> = vec![Inl::new().c(name), mode.label().into()];
                cells.extend(std::iter::repeat_n(Inl::from("—"), 10));
                cells.push(status.into());
                t.row(tone, cells);
                continue;
            }
            let mut rows: Vec<&ThreadRow> = w.rows.iter().collect();
            rows.sort_by_key(|r| r.threads);
            let base = rows.iter().find(|r| r.speedup.is_some()).map(|r| r.threads).unwrap_or(1);
            for row in rows {
                let mut status = row_status_word(row);
                let why = row.implausible.as_deref().or(row.disturbed.as_deref()).or(row.message.as_deref());
                if let Some(m) = why.map(first_line).filter(|s| !s.is_empty()) {
                    status = format!("{status}: {m}");
                }
                if w.status != WorkloadStatus::Ran {
                    status = format!("{status} (workload {})", format::workload_status(w.status));
                }
                let tone = match row.status {
                    RowStatus::Ok if row.implausible.is_some() || row.disturbed.is_some() => Tone::Warn,
                    RowStatus::Ok if row.throughput.is_some() => Tone::Plain,
                    RowStatus::Ok => Tone::Muted,
                    RowStatus::LostUpdates if w.meta.unsynchronized => Tone::Warn,
                    _ => Tone::Bad,
                };
                t.row(
                    tone,
                    vec![
                        Inl::new().c(name),
                        mode.label().into(),
                        threads_cell(row.threads, boundary).into(),
                        opt(row.throughput, |e| format::si(e.point)).into(),
                        opt(row.throughput.as_ref(), ci).into(),
                        opt(row.normalised, |e| format::si(e.point)).into(),
                        format!("{} / {}", row.quiet_passes().count(), row.passes.len()).into(),
                        opt(row.speedup, |s| match base {
                            1 => format::ratio(s),
                            b => format!("{} vs {b}", format::ratio(s)),
                        })
                        .into(),
                        opt(row.efficiency, format::pct).into(),
                        opt(row.ft_gain, format::ratio).into(),
                        opt(row.contention.as_ref(), |c| format::pct(c.blocked_fraction)).into(),
                        opt(row.contention.as_ref().and_then(|c| c.start_skew_seconds), format::seconds).into(),
                        status.into(),
                    ],
                );
            }
        }
    }
    doc.push(Block::Table(t));
}
