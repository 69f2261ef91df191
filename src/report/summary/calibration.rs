//! The "Harness calibration" section: the machine's noise over the run, and the suite's own
//! figures (the driver control, probe ratio, cpu_only speedup) against their targets.

use super::cells::{first_line, opt};
use super::full_data::ratio_cell;
use crate::report::doc::{Block, Doc, Inl, Table, Tone};
use crate::report::format;
use crate::results::control::{Agreement, Ratio, TOLERANCE};
use crate::results::{Calibration, GilMode, RunResults};
use crate::selection::grouped::cores_kind;

/// Calibration targets (see [`Calibration`]).
/// Runs made before the driver control: their harness-overhead ratios were read against this.
const OVERHEAD_TARGET: f64 = 0.98;
pub const PROBE_TARGET: f64 = 0.99;
pub const CPU_ONLY_OFF_FACTOR: f64 = 0.95;
pub const CPU_ONLY_ON_MAX: f64 = 1.15;

/// The machine's own noise over the run: what every interval and comparison has to beat.
fn noise(doc: &mut Doc, r: &RunResults) {
    let Some(n) = &r.noise else { return };
    let c = &r.run.config;
    let mut t = Table::new(&["Noise figure", "Value"]).numeric(&[1]);
    let mut kv = |k: &str, v: String| t.row(Tone::Plain, vec![k.into(), v.into()]);
    kv("Passes (each benchmark in a fresh child per pass, order shuffled per pass)", c.passes.to_string());
    kv("Canary drift (coefficient of variation of every canary)", opt(n.canary_cv, format::pct));
    for (mode, median) in &n.canary_median {
        kv(&format!("Canary median, {}", format::gil_mode(*mode)), format!("{} it/s", format::si(*median)));
    }
    let steal = n.steal_mean.map(format::pct).unwrap_or_else(|| "unknown: the OS counts none (macOS does not)".into());
    kv("CPU time stolen by the hypervisor (mean over timed rounds)", steal);
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

/// The "Harness calibration" section: the run's noise, then the suite measuring itself.
pub(super) fn section(doc: &mut Doc, r: &RunResults) {
    doc.h(2, "calibration", "Harness calibration");
    noise(doc, r);
    let controlled = controlled_rows(r);
    let mut t = Table::new(&["Figure", "Value", "Target", "Status"]).numeric(&[1]);
    let Some(c) = &r.calibration else {
        if controlled.is_empty() {
            doc.p("Calibration was not run for this run.");
        } else {
            driver_figures(&mut t, &controlled);
            doc.push(Block::Table(t));
            disagreements(doc, &controlled);
        }
        failures(doc, r);
        return;
    };
    doc.p("The suite measuring itself: figures to read against their targets.");
    let Calibration { harness_overhead, probe_ratio, cpu_only_speedup, cores } = c;
    if harness_overhead.is_empty() {
        driver_figures(&mut t, &controlled);
    }
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
        let label = format!("cpu_only speedup at {cores} threads, {}", format::gil_mode(mode));
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
    disagreements(doc, &controlled);
    failures(doc, r);
}

/// Every row with a driver control: (workload, mode, threads, ratio).
fn controlled_rows(r: &RunResults) -> Vec<(&str, GilMode, usize, Ratio)> {
    r.workloads
        .iter()
        .flat_map(|w| w.rows.iter().filter_map(move |x| Some((w.workload.as_str(), w.mode, x.threads, x.driver_ratio()?))))
        .collect()
}

/// The driver control summarised: the median ratio, the row furthest from 1, and how many rows
/// disagree beyond noise (the figure "harness overhead" was, over every controlled row).
fn driver_figures(t: &mut Table, rows: &[(&str, GilMode, usize, Ratio)]) {
    let target = format!("within ±{}", format::pct(TOLERANCE));
    let label = |s: &str| Inl::new().t(s).t(" (throughput on Rust threads / on threading threads, same rounds)");
    if rows.is_empty() {
        t.row(Tone::Muted, vec![label("Driver ratio"), "—".into(), target.into(), "not measured".into()]);
        return;
    }
    let values: Vec<f64> = rows.iter().map(|(.., d)| d.value).collect();
    let median = crate::stats::median(&values).unwrap_or(f64::NAN);
    let (m, tone) = met((median.ln()).abs() <= TOLERANCE.ln_1p());
    t.row(
        tone,
        vec![label(&format!("Driver ratio, median of {} rows", rows.len())), format::ratio(median).into(), target.clone().into(), m],
    );
    let (w, mode, threads, worst) = rows.iter().max_by(|a, b| a.3.value.ln().abs().total_cmp(&b.3.value.ln().abs())).expect("not empty");
    let worst_label = row_name(Inl::new().t("Driver ratio, furthest from 1: "), w, *mode, *threads);
    let (m, tone) = met(worst.agreement() != Agreement::Disagree);
    t.row(tone, vec![worst_label, ratio_cell(worst).into(), target.clone().into(), m]);
    let beyond = rows.iter().filter(|(.., d)| d.agreement() == Agreement::Disagree).count();
    let (m, tone) = met(beyond == 0);
    let label = "Rows whose drivers differ beyond noise (whole interval outside the target)";
    t.row(tone, vec![label.into(), format!("{beyond} of {}", rows.len()).into(), "none".into(), m]);
}

/// The rows whose two drivers differ beyond noise, by name: each one's figures do not transfer
/// to a Python program as measured.
fn disagreements(doc: &mut Doc, rows: &[(&str, GilMode, usize, Ratio)]) {
    let beyond: Vec<_> = rows.iter().filter(|(.., d)| d.agreement() == Agreement::Disagree).collect();
    if beyond.is_empty() {
        return;
    }
    doc.p("Rows whose throughput on the suite's Rust threads differs from a pure-Python threading driver of the same \
           rounds beyond ±5 % (a ratio above 1: the Rust threads ran faster):");
    let items =
        beyond.iter().map(|(w, mode, threads, d)| row_name(Inl::new(), w, *mode, *threads).t(format!(": {}", ratio_cell(d)))).collect();
    doc.push(Block::List(items));
}

/// The rows whose driver control failed, with the first line of why (the row's own figures stand).
fn failures(doc: &mut Doc, r: &RunResults) {
    let failed: Vec<Inl> = r
        .workloads
        .iter()
        .flat_map(|w| w.rows.iter().filter_map(move |x| Some((w, x, x.control_failure()?))))
        .map(|(w, x, why)| row_name(Inl::new(), &w.workload, w.mode, x.threads).t(format!(": {}", first_line(why))))
        .collect();
    if failed.is_empty() {
        return;
    }
    doc.p("Rows whose driver control failed (a round on threading threads raised or broke the invariant; the row's own \
           rounds held):");
    doc.push(Block::List(failed));
}

/// `l` followed by a row's name: `` `workload` GIL off, 2 threads ``.
fn row_name(l: Inl, workload: &str, mode: GilMode, threads: usize) -> Inl {
    l.c(workload).t(format!(" {}, {}", format::gil_mode(mode), format::threads(threads)))
}
