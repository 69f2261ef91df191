//! The "Full data" section: every row of every workload and mode, with its status in words,
//! folded away (collapsed in HTML and on GitHub) so that it does not stand in the report's flow.

use super::cells::{ci, first_line, opt, row_status_word};
use crate::report::decision::vs_base;
use crate::report::doc::{Block, Doc, Inl, Table, Tone};
use crate::report::format;
use crate::results::control::{Agreement, Ratio};
use crate::results::{RowStatus, RunResults, ThreadRow, WorkloadStatus};
use crate::selection::grouped::by_workload;

/// The "Full data" section: every row of every workload and mode.
pub(super) fn section(doc: &mut Doc, r: &RunResults) {
    doc.h(2, "data", "Full data");
    doc.p("Throughput is the row's one figure, the mean of the faster half of its quiet passes with its 95 % interval; \
         drift-corrected scales each pass by the run's median canary over its own. Passes: quiet / measured. Speedup \
         is relative to the smallest thread count measured (said as \"vs 2 threads\" when it is not 1), and efficiency \
         to the ideal from there. Rust / threading: the row's throughput on the suite's \
         Rust threads over a pure-Python threading driver of the same rounds (the driver control, when it ran), \
         with its 95 % interval over passes, marked \"differ\" when wholly beyond ±5 %. Start skew: how far apart the barrier released the \
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
        "Rust / threading",
        "Blocked",
        "Start skew",
        "Status",
    ])
    .numeric(&[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (name, modes) in by_workload(r) {
        for (mode, w) in &modes {
            if w.rows.is_empty() {
                let reason = w.reason.as_deref().map(first_line).filter(|s| !s.is_empty());
                let status = match reason {
                    Some(rs) => format!("{}: {rs}", w.status.label()),
                    None => w.status.label().to_string(),
                };
                let tone = if w.status == WorkloadStatus::Skipped { Tone::Muted } else { Tone::Bad };
                let mut cells: Vec<Inl> = vec![Inl::new().c(name), mode.label().into()];
                cells.extend(std::iter::repeat_n(Inl::from("—"), 11));
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
                    status = format!("{status} (workload {})", w.status.label());
                }
                let drivers = row.driver_ratio();
                let disagree = drivers.is_some_and(|d| d.agreement() == Agreement::Disagree);
                let tone = match row.status {
                    RowStatus::Ok if row.implausible.is_some() || row.disturbed.is_some() || disagree => Tone::Warn,
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
                        opt(row.speedup, |s| format!("{}{}", format::ratio(s), vs_base(Some(base)))).into(),
                        opt(row.efficiency, format::pct).into(),
                        opt(row.ft_gain, format::ratio).into(),
                        match (drivers, row.control_failure()) {
                            (Some(d), _) => ratio_cell(&d),
                            (None, Some(_)) => "control failed".into(),
                            (None, None) => "—".into(),
                        }
                        .into(),
                        opt(row.contention.as_ref(), |c| format::pct(c.blocked_fraction)).into(),
                        opt(row.contention.as_ref().and_then(|c| c.start_skew_seconds), format::seconds).into(),
                        status.into(),
                    ],
                );
            }
        }
    }
    let summary = format!("Every row of every workload and mode ({} rows)", t.rows.len());
    doc.push(Block::Fold { summary: summary.into(), blocks: vec![Block::Table(t)] });
}

/// A ratio with its interval, marked when the two sides disagree beyond noise.
pub(super) fn ratio_cell(r: &Ratio) -> String {
    let mark = if r.agreement() == Agreement::Disagree { " (differ)" } else { "" };
    format!("{}{mark}", format::ratio_ci(r.value, Some([r.interval.0, r.interval.1])))
}

/// A thread count, marked "P+E" past a hybrid CPU's P-core count.
fn threads_cell(threads: usize, boundary: Option<usize>) -> String {
    match boundary {
        Some(p) if threads > p => format!("{threads} (P+E)"),
        _ => threads.to_string(),
    }
}
