//! What the chart builders share: the run grouped by workload (see [`crate::selection::grouped`]),
//! the reference thread count, and the rules for what is drawn and what is listed under the
//! chart as "Not drawn" (invalid rows, skipped or failed workloads) or flagged with `*`.

use crate::report::format;
use crate::results::{GilMode, RowStatus, RunResults, ThreadRow, WorkloadResult, WorkloadStatus};
use crate::selection::grouped::{by_workload, cores_kind, reference_mode, reference_threads, Modes};

/// The run as every chart builder reads it.
pub(super) struct Ctx<'a> {
    pub(super) results: &'a RunResults,
    pub(super) workloads: Vec<(&'a str, Modes<'a>)>,
    pub(super) reference: Option<usize>,
    /// `machine.headline_cores()`, and what it counts ("core" or "P-core").
    pub(super) cores: usize,
    pub(super) cores_kind: &'static str,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(results: &'a RunResults) -> Self {
        let mode = reference_mode(results);
        Ctx {
            results,
            workloads: by_workload(results),
            reference: reference_threads(results, mode),
            cores: results.machine.headline_cores(),
            cores_kind: cores_kind(&results.machine),
        }
    }

    /// Thread counts measured anywhere in the run.
    pub(super) fn all_threads(&self) -> Vec<f64> {
        let mut t: Vec<usize> = self.results.workloads.iter().flat_map(|w| w.rows.iter().map(|r| r.threads)).collect();
        t.sort_unstable();
        t.dedup();
        t.into_iter().filter(|t| *t > 0).map(|t| t as f64).collect()
    }

    /// True when some row of `name` (any mode, any count) failed its invariant or raised: its
    /// valid rows are still drawn, but it is never ranked.
    fn flagged(&self, name: &str) -> bool {
        self.workloads.iter().filter(|(n, _)| *n == name).flat_map(|(_, m)| m.values()).any(|w| {
            w.rows.iter().any(|r| match r.status {
                RowStatus::Invalid | RowStatus::Error => true,
                RowStatus::LostUpdates => !w.meta.unsynchronized,
                RowStatus::Ok => false,
            })
        })
    }

    fn unsynchronized(&self, name: &str) -> bool {
        self.workloads.iter().any(|(n, m)| *n == name && m.values().any(|w| w.meta.unsynchronized))
    }

    /// The workload's name as drawn: `*` when flagged, `(unsafe)` when unsynchronized.
    pub(super) fn display_name(&self, name: &str) -> String {
        let mut s = name.to_string();
        if self.unsynchronized(name) {
            s.push_str(" (unsafe)");
        }
        if self.flagged(name) {
            s.push_str(" *");
        }
        s
    }

    /// The note explaining `*`, when one of `names` carries it.
    pub(super) fn flag_note<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Option<String> {
        let flagged: Vec<&str> = names.into_iter().filter(|n| self.flagged(n)).collect();
        (!flagged.is_empty()).then(|| {
            format!(
                "* {}: invalid or errored rows at another thread count or GIL mode (valid rows drawn; never ranked).",
                flagged.join(", ")
            )
        })
    }

    pub(super) fn at_cores(&self) -> String {
        match self.reference {
            Some(t) if t == self.cores => format!("{} (the {} count)", format::threads(t), self.cores_kind),
            Some(t) if self.cores > 0 => format!("{} (largest measured ≤ {} {}s)", format::threads(t), self.cores, self.cores_kind),
            Some(t) => format::threads(t),
            None => format!("the {} count", self.cores_kind),
        }
    }
}

/// "2 threads: invalid" for each row that cannot be drawn.
pub(super) fn row_problem_summaries(rows: &[&ThreadRow]) -> Vec<String> {
    rows.iter().filter_map(|r| r.problem().map(|p| format!("{}: {}", format::threads(r.threads), p.label))).collect()
}

pub(super) fn row_problem(r: &ThreadRow) -> Option<String> {
    r.problem().map(|p| p.to_string())
}

/// Why a workload's rows in `mode` are not drawn at all, if so.
pub(super) fn workload_excluded(w: &WorkloadResult) -> Option<String> {
    match w.status {
        WorkloadStatus::Ran | WorkloadStatus::Interrupted => None,
        WorkloadStatus::GilReenabled if w.mode == GilMode::On => None,
        WorkloadStatus::GilReenabled => Some("GIL re-enabled on import".into()),
        s => Some(match w.reason.as_deref().filter(|r| !r.trim().is_empty()) {
            Some(r) => format!("{}: {}", s.label(), r.lines().next().unwrap_or("").trim()),
            None => s.label().into(),
        }),
    }
}

type Runs = Vec<Vec<(f64, f64)>>;
type Bands = Vec<Vec<(f64, f64, f64)>>;

/// Splits `rows` (sorted by thread count) into runs of consecutive drawable points.
pub(super) fn runs<F: Fn(&ThreadRow) -> Option<(f64, f64, f64)>>(rows: &[&ThreadRow], f: F) -> (Runs, Bands) {
    let mut runs = Vec::new();
    let mut bands = Vec::new();
    let (mut run, mut band) = (Vec::new(), Vec::new());
    for r in rows {
        match (r.is_valid(), f(r)) {
            (true, Some((y, lo, hi))) if y.is_finite() => {
                // A missing or broken interval collapses onto the point.
                let (lo, hi) = if lo.is_finite() && hi.is_finite() { (lo.min(y), hi.max(y)) } else { (y, y) };
                run.push((r.threads as f64, y));
                band.push((r.threads as f64, lo, hi));
            }
            _ => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                    bands.push(std::mem::take(&mut band));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
        bands.push(band);
    }
    (runs, bands)
}

pub(super) fn sorted_rows(w: &WorkloadResult) -> Vec<&ThreadRow> {
    let mut rows: Vec<&ThreadRow> = w.rows.iter().filter(|r| r.threads > 0).collect();
    rows.sort_by_key(|r| r.threads);
    rows
}

/// "Not drawn: a (x), b (y)" notes, grouped so one line covers many workloads.
pub(super) fn not_drawn_note(prefix: &str, items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| format!("{prefix}{}", items.join(", ")))
}

/// GIL-off results of each workload, with notes for the ones (or rows) not drawn.
pub(super) fn gil_off_workloads<'a>(ctx: &'a Ctx) -> (Vec<(&'a str, &'a WorkloadResult)>, Vec<String>) {
    let mut drawn = Vec::new();
    let mut excluded = Vec::new();
    for (name, modes) in &ctx.workloads {
        let Some(w) = modes.get(&GilMode::Off) else {
            continue;
        };
        match workload_excluded(w) {
            Some(why) => excluded.push(format!("{name} ({why})")),
            None => drawn.push((*name, *w)),
        }
    }
    (drawn, excluded)
}
