//! How far the machine itself moved between two runs, from the canaries: a fixed pure-Python
//! loop that ran around every pass and that no workload change touches. Two runs minutes apart on
//! a shared VM differ in speed by more than either run's passes show; a figure's change within
//! that is not the code's.

use serde::Serialize;

use super::Basis;
use crate::results::{GilMode, RunResults};
use crate::stats;

/// The canaries' change between the runs in one GIL mode, new / base − 1 in percent: their median
/// (the machine's typical speed, which raw pass throughput follows) and their 90th percentile (its
/// full speed, which each pass's fastest round follows).
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct Drift {
    pub mode: GilMode,
    pub typical_pct: f64,
    pub full_speed_pct: f64,
}

impl Drift {
    /// The drift a figure on `basis` carries, as an absolute log change: none per canary, where
    /// each pass's own canary divided it out.
    pub fn of(&self, basis: Basis) -> f64 {
        let pct = match basis {
            Basis::PerCanary => 0.0,
            Basis::FastestRound => self.full_speed_pct,
            Basis::Raw | Basis::Speedup => self.typical_pct,
        };
        (pct / 100.0).ln_1p().abs()
    }
}

/// Per GIL mode that both runs measured canaries in.
pub(super) fn drift(base: &RunResults, new: &RunResults) -> Vec<Drift> {
    GilMode::ALL
        .into_iter()
        .filter_map(|mode| {
            let (b, n) = (canaries(base, mode), canaries(new, mode));
            let change = |q: f64| Some((stats::quantile(&n, q)? / stats::quantile(&b, q)? - 1.0) * 100.0);
            Some(Drift { mode, typical_pct: change(0.5)?, full_speed_pct: change(0.9)? })
        })
        .collect()
}

fn canaries(run: &RunResults, mode: GilMode) -> Vec<f64> {
    run.workloads
        .iter()
        .filter(|w| w.mode == mode)
        .flat_map(|w| &w.rows)
        .flat_map(|r| &r.passes)
        .flat_map(|p| [p.canary_before, p.canary_after])
        .flatten()
        .filter(|c| c.is_finite() && *c > 0.0)
        .collect()
}
