//! The "Problems" section: rows not ranked, skipped workloads, GIL re-enabled on import, failed
//! children, invalid rows and the (expected) lost updates of unsynchronized baselines, each with its
//! evidence.

use super::cells::{first_line, row_status_word};
use crate::report::doc::{Block, Doc, Inl, Table, Tone};
use crate::report::format;
use crate::results::{RowStatus, RunResults, ThreadRow, WorkloadResult, WorkloadStatus};
use crate::selection::grouped::by_workload;

/// The "Problems" section.
/// Every verified round counts toward broken rounds (warm-up included); only timed ones are "rounds".
const BROKEN: &str = "Broken rounds (warm-up and timed)";
const TIMED: &str = "Timed rounds";

pub(super) fn section(doc: &mut Doc, r: &RunResults) {
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
            let mut l = Inl::new().c(&w.workload).t(format!(" ({}): ", w.mode.label())).b(w.status.label());
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
        let mut t = Table::new(&["Workload", "Mode", "Threads", "Status", BROKEN, TIMED, "Message"]).numeric(&[2, 4, 5]);
        for (w, row) in &bad_rows {
            t.row(
                Tone::Bad,
                vec![
                    Inl::new().c(&w.workload),
                    w.mode.label().into(),
                    row.threads.to_string().into(),
                    row_status_word(row).into(),
                    row.broken_rounds.to_string().into(),
                    row.rounds.to_string().into(),
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
        let mut t = Table::new(&["Workload", "Mode", "Threads", "Lost updates", BROKEN, TIMED]).numeric(&[2, 3, 4, 5]);
        for (w, row) in &lossy {
            t.row(
                Tone::Warn,
                vec![
                    Inl::new().c(&w.workload),
                    w.mode.label().into(),
                    row.threads.to_string().into(),
                    row.lost_updates.to_string().into(),
                    row.broken_rounds.to_string().into(),
                    row.rounds.to_string().into(),
                ],
            );
        }
        doc.push(Block::Table(t));
    }
}

/// `summary` as a paragraph, or as the summary line of a folded block holding `evidence`.
fn evidence_block(doc: &mut Doc, summary: Inl, evidence: Option<&str>) {
    match evidence.filter(|e| !e.trim().is_empty()) {
        Some(e) => doc.push(Block::Details { summary, body: e.to_string() }),
        None => doc.p(summary),
    }
}

fn is_multiline(s: &str) -> bool {
    s.trim().lines().count() > 1
}
