//! Row by row: every workload × mode × thread count of either run, matched with its
//! counterpart, judged (or why it cannot be), and sorted for output.

use std::collections::{BTreeMap, BTreeSet};

use super::verdict::{apply_run_floors, sampled_mean};
use super::{Basis, CompareOptions, MetricChange, RowComparison, RowOutcome, RunFloor, Sampling};
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

/// A row's passes (only the quiet ones, or every one): pass → throughput, raw, of the pass's
/// fastest round, or per iteration of the canaries that ran around that pass on the row's first
/// worker thread. Per canary takes only quiet passes: canaries that disagree leave no one speed of
/// the machine to divide by.
pub fn pass_values(row: &ThreadRow, basis: Basis, quiet_only: bool) -> BTreeMap<usize, f64> {
    let quiet_only = quiet_only || basis == Basis::PerCanary;
    row.passes
        .iter()
        .filter(|p| p.quiet() || !quiet_only)
        .filter_map(|p| match basis {
            Basis::PerCanary => Some((p.pass, p.throughput / p.canary()?)),
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

/// Per-pass speedups of `row` against `base`, over the quiet passes both measured.
fn per_pass_speedups(base: &ThreadRow, row: &ThreadRow) -> BTreeMap<usize, f64> {
    let by_pass = pass_values(base, Basis::Raw, true);
    pass_values(row, Basis::Raw, true).into_iter().filter_map(|(p, v)| Some((p, v / by_pass.get(&p)?))).collect()
}

/// The throughput bases two runs can share, and why any other is out. Raw always; per canary
/// iteration when every quiet pass of both has canaries and the interpreters are the same (a canary
/// on another interpreter would divide out exactly the difference being measured); fastest round
/// when every pass of both recorded it.
pub(super) fn shared_bases(base: &RunResults, new: &RunResults) -> (Vec<Basis>, Vec<String>) {
    let runs = [base, new];
    let canaries = runs.iter().all(|r| r.passes().filter(|p| p.quiet()).all(|p| p.canary().is_some()));
    let fastest = runs.iter().all(|r| r.passes().all(|p| p.fastest_round.is_some()));
    let same_interpreter = base
        .interpreters
        .iter()
        .all(|b| new.interpreters.iter().filter(|n| n.mode == b.mode).all(|n| n.version == b.version && n.executable == b.executable));
    let mut bases = Vec::new();
    let mut missing = Vec::new();
    match (canaries, same_interpreter) {
        (true, true) => bases.push(Basis::PerCanary),
        (false, _) => missing.push("not per canary: a run has quiet passes without canaries".to_string()),
        (true, false) => {
            missing.push("not per canary: the interpreters differ, and a canary would divide out their difference".to_string())
        }
    }
    if fastest {
        bases.push(Basis::FastestRound);
    } else {
        missing.push("not on fastest rounds: a run recorded before ftbench kept them".to_string());
    }
    bases.push(Basis::Raw);
    (bases, missing)
}

/// Rows whose ops per thread differ by more than this factor did different work per round (a
/// round's length changes what contended and allocating workloads measure): not the same benchmark.
const SAME_WORK: f64 = 1.25;

/// Why two rows are not the same benchmark (their runs calibrated different work per round), if so.
fn different_work(b: &ThreadRow, n: &ThreadRow) -> Option<String> {
    let (x, y) = (b.ops_per_thread.max(1) as f64, n.ops_per_thread.max(1) as f64);
    (x.max(y) / x.min(y) > SAME_WORK).then(|| {
        format!(
            "different work per round: {} ops per thread in base, {} in new (measure the new run with \
             FTBENCH_OPS_FROM=<base run> to reuse the base's calibration)",
            b.ops_per_thread, n.ops_per_thread
        )
    })
}

/// A row's fastest rounds ran at the machine's full speed when the canary speed they imply reached
/// this share of the run's. On the fastest-round basis, a row whose vCPU stayed slowed through all
/// its fast-looking passes would show its slowed speed as the code's.
const FULL_SPEED_SHARE: f64 = 0.8;

/// The machine's full speed in a run: the 90th percentile of every canary it ran (the very fastest
/// few are luck, not the machine).
fn full_speed(run: &RunResults) -> Option<f64> {
    let canaries: Vec<f64> = run.passes().flat_map(|p| [p.canary_before, p.canary_after]).flatten().collect();
    stats::quantile(&canaries, 0.9)
}

/// The canary speed at which a row's fastest rounds ran: their mean over the row's median ops per
/// canary iteration. Ops per canary iteration move about a tenth between a full-speed and a slowed
/// vCPU where the rounds move 2×, so this tells a row's full-speed rounds (near the run's full
/// speed) from a row that only ever ran slowed (near half of it on this VM), which the rounds
/// alone cannot.
fn fastest_rounds_speed(row: &ThreadRow) -> Option<f64> {
    let fastest = Sampling::FastestThird.select(&pass_values(row, Basis::FastestRound, false).into_values().collect::<Vec<_>>());
    let per_canary = stats::median(&pass_values(row, Basis::PerCanary, true).into_values().collect::<Vec<_>>())?;
    Some(stats::mean(&fastest)? / per_canary)
}

/// Why a row's fastest rounds are not the code's speed at the machine's full speed in either run.
fn never_at_full_speed(rows: [&ThreadRow; 2], full_speed: [Option<f64>; 2]) -> Option<String> {
    let slowed: Vec<String> = ["base", "new"]
        .into_iter()
        .zip(rows.into_iter().zip(full_speed))
        .filter_map(|(side, (r, full))| match fastest_rounds_speed(r).zip(full).map(|(s, f)| s / f) {
            Some(share) if share >= FULL_SPEED_SHARE => None,
            Some(share) => Some(format!("in {side} its fastest rounds ran at {:.0} % of the run's full speed", share * 100.0)),
            None => Some(format!("{side} has no quiet pass with canaries to tell")),
        })
        .collect();
    (!slowed.is_empty()).then(|| format!("never at the machine's full speed: {}", slowed.join(", ")))
}

/// Compares one row measured in both runs; `paired`: pass i of base ran right next to pass i of new.
fn compare_row(
    (bw, b): (&WorkloadResult, &ThreadRow),
    (nw, n): (&WorkloadResult, &ThreadRow),
    basis: Basis,
    paired: bool,
    full_speed: [Option<f64>; 2],
    opts: &CompareOptions,
) -> RowOutcome {
    let (bi, ni) = (invalid_reason(b), invalid_reason(n));
    if bi.is_some() || ni.is_some() {
        return RowOutcome::Invalid { base: bi, new: ni };
    }
    if let Some(reason) = different_work(b, n) {
        return RowOutcome::NotComparable { reason };
    }
    if basis == Basis::FastestRound {
        if let Some(reason) = never_at_full_speed([b, n], full_speed) {
            return RowOutcome::NotComparable { reason };
        }
    }
    // Throughput of two runs: every pass, of which the test keeps the fastest (a disturbed pass is
    // a slow one). Side by side: the quiet pairs.
    let sampling = match (paired, basis) {
        (true, _) => Sampling::Paired,
        (false, Basis::FastestRound) => Sampling::FastestThird,
        (false, _) => Sampling::FasterHalf,
    };
    let (bv, nv) = aligned(pass_values(b, basis, paired), pass_values(n, basis, paired), paired);
    let Some(mut throughput) = MetricChange::judge(&bv, &nv, basis, sampling, opts) else {
        return RowOutcome::NotComparable { reason: too_few_passes(bv.len(), nv.len()) };
    };
    // Show ops/s whatever the test's basis: per canary, the same sampling of the same passes, raw.
    let quiet_only = paired || basis == Basis::PerCanary;
    let raw = |r| sampled_mean(&pass_values(r, Basis::Raw, quiet_only).into_values().collect::<Vec<_>>(), sampling);
    if let (Basis::PerCanary, Some(b), Some(n)) = (basis, raw(b), raw(n)) {
        (throughput.base, throughput.new) = (b, n);
    }
    // Two runs: the ratio of the row's and its base row's throughput changes (each side's speedup
    // is the report's). Side by side: the quiet pass pairs' per-pass speedups.
    let speedup = match (speedup_base(bw, b), speedup_base(nw, n)) {
        (Some(bb), Some(nb)) if bb.threads == nb.threads && different_work(bb, nb).is_none() => {
            if paired {
                let (bs, ns) = aligned(per_pass_speedups(bb, b), per_pass_speedups(nb, n), true);
                MetricChange::judge(&bs, &ns, Basis::Speedup, sampling, opts)
            } else {
                let quiet = |r: &ThreadRow| pass_values(r, Basis::Raw, true).into_values().collect::<Vec<_>>();
                MetricChange::judge_speedup(&quiet(b), &quiet(n), &quiet(bb), &quiet(nb), opts)
            }
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

/// Every row of the two runs judged on `basis`, with the run floors applied; and the floors.
pub(super) fn judge_rows(
    base: &RunResults,
    new: &RunResults,
    opts: &CompareOptions,
    basis: Basis,
    paired: bool,
) -> (Vec<RowComparison>, Vec<RunFloor>) {
    let keys: BTreeSet<(String, GilMode, usize)> = [base, new]
        .iter()
        .flat_map(|r| r.workloads.iter())
        .flat_map(|w| w.rows.iter().map(move |row| (w.workload.clone(), w.mode, row.threads)))
        .collect();
    let full = [full_speed(base), full_speed(new)];
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
                if bw.status != nw.status {
                    note = Some(format!("workload {} in base, {} in new", bw.status.label(), nw.status.label()));
                }
                compare_row((bw, b), (nw, n), basis, paired, full, opts)
            }
            (Some(b), None) => match nw.filter(|w| w.status != WorkloadStatus::Ran) {
                Some(w) => RowOutcome::Invalid { base: invalid_reason(b), new: Some(workload_reason(w)) },
                None => RowOutcome::OnlyInBase,
            },
            (None, Some(n)) => match bw.filter(|w| w.status != WorkloadStatus::Ran) {
                Some(w) => RowOutcome::Invalid { base: Some(workload_reason(w)), new: invalid_reason(n) },
                None => RowOutcome::OnlyInNew,
            },
            (None, None) => unreachable!("every key comes from a row of one of the runs"),
        };
        rows.push(RowComparison { workload, mode, threads, outcome, note });
    }
    let floors = apply_run_floors(&mut rows, opts);
    (rows, floors)
}
