//! Row by row: every workload × mode × thread count of either run, matched with its
//! counterpart, judged (or why it cannot be), and sorted for output.

use std::collections::{BTreeMap, BTreeSet};

use super::verdict::judge_family;
use super::{Basis, CompareOptions, Drift, MetricChange, RowComparison, RowOutcome};
use crate::results::{GilMode, RunResults, ThreadRow, WorkloadResult, WorkloadStatus};
use crate::stats;
use crate::text::one_line;

/// Why a row cannot be compared (its problem, in the data model's words), or None when it can.
fn invalid_reason(row: &ThreadRow) -> Option<String> {
    let p = row.problem()?;
    Some(match p.detail.map(|d| one_line(&d, 80)).filter(|d| !d.is_empty()) {
        Some(d) => format!("{} ({d})", p.label),
        None => p.label,
    })
}

fn workload_reason(w: &WorkloadResult) -> String {
    match w.reason.as_deref().map(|r| one_line(r, 80)).filter(|r| !r.is_empty()) {
        Some(r) => format!("workload {} ({r})", w.status.label()),
        None => format!("workload {}", w.status.label()),
    }
}

/// The figure a row's throughput is judged on, fixed before looking at the values. At 1 thread,
/// each pass's fastest round: a fixed run of sequential work that interference can only slow, so
/// the fastest round is the code's speed whatever share of the pass a slowed vCPU took; between
/// two runs on one interpreter, divided by that pass's canary (`per_canary`: the machine's speed
/// from pass to pass, minutes apart, is divided out). With more threads a round's time is also
/// how the threads interleaved, and a single vCPU's canary does not describe it: pass ops/s.
fn throughput_basis(b: &ThreadRow, n: &ThreadRow, per_canary: bool) -> Basis {
    let recorded = |r: &ThreadRow| r.passes.iter().all(|p| p.fastest_round.is_some());
    let canaries = |r: &ThreadRow| r.passes.iter().filter(|p| p.quiet()).all(|p| p.canary_before.is_some() && p.canary_after.is_some());
    match (b.threads == 1 && recorded(b) && recorded(n), per_canary && canaries(b) && canaries(n)) {
        (true, true) => Basis::PerCanary,
        (true, false) => Basis::FastestRound,
        (false, _) => Basis::Raw,
    }
}

/// A row's per-pass values on `basis`: pass → ops/s of the pass, of its fastest round, or that
/// over the faster of its two canaries (a canary that ran while its vCPU was slowed for a moment
/// would make the pass look fast); only quiet passes (a pass the machine disturbed even when
/// measured again says how busy it was).
fn pass_values(row: &ThreadRow, basis: Basis) -> BTreeMap<usize, f64> {
    row.passes
        .iter()
        .filter(|p| p.quiet())
        .filter_map(|p| match basis {
            Basis::PerCanary => Some((p.pass, p.fastest_round? / p.canary_before?.max(p.canary_after?))),
            Basis::FastestRound => Some((p.pass, p.fastest_round?)),
            Basis::Raw | Basis::Speedup => Some((p.pass, p.throughput)),
        })
        .filter(|(_, v)| v.is_finite() && *v > 0.0)
        .collect()
}

/// The row `row`'s speedup is against: the workload's base row (its smallest thread count). None
/// at the base thread count, or when the base row is not valid: a speedup against the next row up
/// would be another figure, not comparable with the other run's.
pub fn speedup_base<'a>(w: &'a WorkloadResult, row: &ThreadRow) -> Option<&'a ThreadRow> {
    w.rows.iter().min_by_key(|r| r.threads).filter(|b| b.is_valid() && b.threads < row.threads)
}

/// Per-pass speedups of `row` against `base`: each pass's two rows ran in the same child, minutes
/// apart from the next pass, so the machine's drift cancels in their ratio.
pub fn per_pass_speedups(base: &ThreadRow, row: &ThreadRow) -> BTreeMap<usize, f64> {
    let by_pass = pass_values(base, Basis::Raw);
    pass_values(row, Basis::Raw).into_iter().filter_map(|(p, v)| Some((p, v / by_pass.get(&p)?))).collect()
}

/// Rows whose ops per thread differ by more than this factor did different work per round (a
/// round's length can change what contended and allocating workloads measure).
const SAME_WORK: f64 = 1.25;

/// Why two rows cannot be judged when they did different work per round (their runs calibrated
/// differently): a round's length changes what contended and allocating workloads measure, and
/// on a noisy machine two runs calibrate apart, so per-op figures of different rounds are not
/// judged as if equal.
fn different_work(b: &ThreadRow, n: &ThreadRow) -> Option<String> {
    let (x, y) = (b.ops_per_thread.max(1) as f64, n.ops_per_thread.max(1) as f64);
    (x.max(y) / x.min(y) > SAME_WORK).then(|| {
        format!(
            "inconclusive: different work per round ({} ops per thread in base, {} in new); measure the new run \
             with FTBENCH_OPS_FROM=<base run> to do the same work",
            b.ops_per_thread, n.ops_per_thread
        )
    })
}

/// The machine's drift between the runs for a figure (log): none side by side.
fn drift_of(drifts: &[Drift], mode: GilMode, basis: Basis, paired: bool) -> Option<f64> {
    if paired {
        return Some(0.0);
    }
    drifts.iter().find(|d| d.mode == mode).map(|d| d.of(basis))
}

/// Compares one row measured in both runs; `paired`: pass i of base ran right next to pass i of new.
fn compare_row(
    (bw, b): (&WorkloadResult, &ThreadRow),
    (nw, n): (&WorkloadResult, &ThreadRow),
    design: Design,
    opts: &CompareOptions,
) -> RowOutcome {
    let Design { paired, per_canary, drift: drifts } = design;
    let (bi, ni) = (invalid_reason(b), invalid_reason(n));
    if bi.is_some() || ni.is_some() {
        let disturbed = [b, n].iter().all(|r| r.problem().is_none() || r.only_disturbed());
        return RowOutcome::Invalid { base: bi, new: ni, disturbed };
    }
    if let Some(reason) = different_work(b, n) {
        return RowOutcome::NotComparable { reason };
    }
    let basis = throughput_basis(b, n, per_canary);
    let Some(drift) = drift_of(drifts, bw.mode, basis, paired) else {
        return RowOutcome::NotComparable { reason: "a run has no canaries: how far the machine moved between the runs is unknown".into() };
    };
    let (bv, nv) = aligned(pass_values(b, basis), pass_values(n, basis), paired);
    let Some(mut throughput) = MetricChange::measure(&bv, &nv, basis, paired, drift, opts) else {
        return RowOutcome::NotComparable { reason: too_few_passes(bv.len(), nv.len()) };
    };
    if basis == Basis::PerCanary {
        // Shown as ops/s: the same passes' fastest rounds.
        let shown = |r| stats::trimmed_geomean(&pass_values(r, Basis::FastestRound).into_values().collect::<Vec<_>>());
        if let (Some(b), Some(n)) = (shown(b), shown(n)) {
            (throughput.base, throughput.new) = (b, n);
        }
    }
    // A speedup is over its base row: one that did other work in the two runs is another ratio.
    let speedup = match (speedup_base(bw, b), speedup_base(nw, n)) {
        (Some(bb), Some(nb)) if bb.threads == nb.threads && different_work(bb, nb).is_none() => {
            let (bs, ns) = aligned(per_pass_speedups(bb, b), per_pass_speedups(nb, n), paired);
            MetricChange::measure(&bs, &ns, Basis::Speedup, paired, 0.0, opts)
        }
        _ => None,
    };
    RowOutcome::Compared { throughput, speedup }
}

/// The values to test: all of each side, or (paired) only the passes both sides measured, in order.
fn aligned(base: BTreeMap<usize, f64>, new: BTreeMap<usize, f64>, paired: bool) -> (Vec<f64>, Vec<f64>) {
    if paired {
        base.iter().filter_map(|(p, b)| Some((*b, *new.get(p)?))).unzip()
    } else {
        (base.into_values().collect(), new.into_values().collect())
    }
}

fn too_few_passes(base: usize, new: usize) -> String {
    format!("{base} usable pass(es) in base, {new} in new: a verdict needs at least 2 on each side (more passes)")
}

/// How the two runs' passes relate.
#[derive(Clone, Copy)]
pub(super) struct Design<'a> {
    /// Pass i of base ran side by side with pass i of new (`ab`): their ratios carry no drift.
    pub paired: bool,
    /// Two runs on one interpreter: a 1-thread row's passes can be divided by their canaries.
    pub per_canary: bool,
    /// How far the machine moved between two runs, per GIL mode.
    pub drift: &'a [Drift],
}

/// Every row of the two runs, each figure measured and then judged with all the others.
pub(super) fn judge_rows(base: &RunResults, new: &RunResults, opts: &CompareOptions, design: Design) -> Vec<RowComparison> {
    let keys: BTreeSet<(String, GilMode, usize)> = [base, new]
        .iter()
        .flat_map(|r| r.workloads.iter())
        .flat_map(|w| w.rows.iter().map(move |row| (w.workload.clone(), w.mode, row.threads)))
        .collect();
    let mut rows = Vec::with_capacity(keys.len());
    for (workload, mode, threads) in keys {
        let bw = base.workload(&workload, mode);
        let nw = new.workload(&workload, mode);
        let br = bw.and_then(|w| w.rows.iter().find(|r| r.threads == threads));
        let nr = nw.and_then(|w| w.rows.iter().find(|r| r.threads == threads));
        let mut note = None;
        let outcome = match (br, nr) {
            (Some(b), Some(n)) => {
                let (bw, nw) = (bw.unwrap(), nw.unwrap());
                let status =
                    (bw.status != nw.status).then(|| format!("workload {} in base, {} in new", bw.status.label(), nw.status.label()));
                note = status;
                compare_row((bw, b), (nw, n), design, opts)
            }
            (Some(b), None) => match nw.filter(|w| w.status != WorkloadStatus::Ran) {
                Some(w) => RowOutcome::Invalid { base: invalid_reason(b), new: Some(workload_reason(w)), disturbed: false },
                None => RowOutcome::OnlyInBase,
            },
            (None, Some(n)) => match bw.filter(|w| w.status != WorkloadStatus::Ran) {
                Some(w) => RowOutcome::Invalid { base: Some(workload_reason(w)), new: invalid_reason(n), disturbed: false },
                None => RowOutcome::OnlyInNew,
            },
            (None, None) => unreachable!("every key comes from a row of one of the runs"),
        };
        rows.push(RowComparison { workload, mode, threads, outcome, note });
    }
    judge_family(&mut rows, opts);
    rows
}
