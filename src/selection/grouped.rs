//! A run's records grouped the way every part of the report reads them: by workload, each with its
//! results per GIL mode, compared at one reference thread count in one reference mode.
//!
//! The selection, the charts and the summary all start from these, so they agree on which
//! workloads there are (in first-seen order), which mode is compared and at which thread count.
//! `compare` and `export` match rows one by one and need none of it.

use std::collections::{BTreeMap, BTreeSet};

use crate::results::{GilMode, MachineFacts, RunResults, WorkloadResult};

/// A workload's results per GIL mode.
pub type Modes<'a> = BTreeMap<GilMode, &'a WorkloadResult>;

/// One entry per workload name, in name order: its results per mode.
pub fn by_workload(results: &RunResults) -> Vec<(&str, Modes<'_>)> {
    let mut out: Vec<(&str, Modes<'_>)> = Vec::new();
    for w in &results.workloads {
        match out.iter_mut().find(|(n, _)| *n == w.workload) {
            Some((_, m)) => {
                m.entry(w.mode).or_insert(w);
            }
            None => out.push((&w.workload, BTreeMap::from([(w.mode, w)]))),
        }
    }
    // By name: the run's order is shuffled, and two runs of one suite must read alike.
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}

/// The mode the report compares in (candidates are ranked by it): GIL off unless the run has no
/// GIL-off results.
pub fn reference_mode(results: &RunResults) -> GilMode {
    let has_off = results.workloads.iter().any(|w| w.mode == GilMode::Off)
        || (results.workloads.is_empty() && results.run.config.modes.contains(&GilMode::Off));
    if has_off || results.run.config.modes.is_empty() && results.workloads.is_empty() {
        GilMode::Off
    } else {
        GilMode::On
    }
}

/// The thread count the report compares at: `machine.headline_cores()` if measured, else the largest
/// measured thread count ≤ it (the smallest measured one if all exceed it; the largest when the
/// core count is unknown). Counts from `mode` rows, or from any row if that mode has none.
pub fn reference_threads(results: &RunResults, mode: GilMode) -> Option<usize> {
    let counts = |m: Option<GilMode>| -> BTreeSet<usize> {
        results.workloads.iter().filter(|w| m.is_none_or(|m| w.mode == m)).flat_map(|w| w.rows.iter().map(|r| r.threads)).collect()
    };
    let mut set = counts(Some(mode));
    if set.is_empty() {
        set = counts(None);
    }
    pick_at_most(&set, results.machine.headline_cores())
}

/// The largest count in `set` that is ≤ `cores` (the smallest if all exceed it; the largest when
/// `cores` is 0, i.e. unknown).
pub fn pick_at_most(set: &BTreeSet<usize>, cores: usize) -> Option<usize> {
    if cores == 0 {
        return set.last().copied();
    }
    set.range(..=cores).next_back().or_else(|| set.first()).copied()
}

/// What the headline count counts: "P-core" on a hybrid CPU, else "core".
pub fn cores_kind(m: &MachineFacts) -> &'static str {
    if m.pe_boundary().is_some() {
        "P-core"
    } else {
        "core"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_is_the_largest_count_at_most_cores() {
        let set: BTreeSet<usize> = [1, 2, 4, 8, 16].into();
        assert_eq!(pick_at_most(&set, 8), Some(8));
        assert_eq!(pick_at_most(&set, 12), Some(8));
        assert_eq!(pick_at_most(&set, 0), Some(16));
        let set: BTreeSet<usize> = [4, 8].into();
        assert_eq!(pick_at_most(&set, 2), Some(4));
    }
}
