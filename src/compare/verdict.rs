//! The verdict rules: when a change in one figure counts (significant, beyond the threshold,
//! beyond the noise floor), and the run floor, the runs' own spread across rows.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Basis, Change, CompareOptions, RowComparison, RowOutcome, Sampling};
use crate::stats;

/// One figure (throughput or speedup) in base and new. Bigger is better for both.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct MetricChange {
    /// Mean of each side's judged per-pass values (ops/s for throughput, whatever the test's basis).
    pub base: f64,
    pub new: f64,
    /// Each side's 95 % interval over the judged passes, same units.
    pub base_interval: Option<(f64, f64)>,
    pub new_interval: Option<(f64, f64)>,
    pub basis: Basis,
    pub sampling: Sampling,
    /// The test's effect, new / base − 1, in percent.
    pub change_pct: f64,
    /// The effect's 95 % interval, in percent.
    pub change_interval_pct: (f64, f64),
    pub p_value: f64,
    /// How far the same code landed within either run, in percent: twice the range of either
    /// side's fastest passes (half or third), or (paired) half the range of the per-pass ratios.
    pub noise_floor_pct: f64,
    /// The smallest change, in percent, that would have been a verdict on this row: the largest of
    /// the threshold, the noise floor and what the test can tell from noise at `alpha`.
    pub detectable_pct: f64,
    pub beyond_threshold: bool,
    pub change: Change,
}

impl MetricChange {
    /// Tests `new` against `base` (per-pass values on `basis`, sampled as `sampling` says) and
    /// applies the rule: significant, beyond the threshold and beyond the noise floor.
    pub fn judge(base: &[f64], new: &[f64], basis: Basis, sampling: Sampling, opts: &CompareOptions) -> Option<MetricChange> {
        let (base, new) = (sampling.select(base), sampling.select(new));
        let (base, new) = (base.as_slice(), new.as_slice());
        let test = if sampling == Sampling::Paired { stats::paired(base, new)? } else { stats::welch(base, new)? };
        let noise_floor = match sampling {
            Sampling::Paired => {
                let ratios: Vec<f64> = new.iter().zip(base).map(|(n, b)| n / b).collect();
                stats::half_range(&ratios)?
            }
            Sampling::FasterHalf | Sampling::FastestThird => fastest_floor(base, new)?,
        };
        let interval = |xs: &[f64]| stats::mean_interval(xs, 0.95).and_then(|(_, ci)| ci);
        let sides = Sides { base: stats::mean(base)?, new: stats::mean(new)?, base_interval: interval(base), new_interval: interval(new) };
        Some(MetricChange::of(sides, basis, sampling, test, noise_floor, opts))
    }

    /// How a speedup changed, from each side's faster half at the row (`base`, `new`) and at its
    /// base row (`base_ref`, `new_ref`): the ratio of the two rows' throughput changes, as the
    /// report's speedup is the ratio of the rows' faster halves. Its noise floor is the two rows'
    /// floors added: either row's spread moves the speedup.
    pub fn judge_speedup(base: &[f64], new: &[f64], base_ref: &[f64], new_ref: &[f64], opts: &CompareOptions) -> Option<MetricChange> {
        let [b, n, br, nr] = [base, new, base_ref, new_ref].map(stats::faster_half);
        let test = stats::welch_ratio(&b, &n, &br, &nr)?;
        let noise_floor = fastest_floor(&b, &n)? + fastest_floor(&br, &nr)?;
        let ratio = |x: &[f64], r: &[f64]| Some(stats::mean(x)? / stats::mean(r)?);
        let sides = Sides { base: ratio(&b, &br)?, new: ratio(&n, &nr)?, base_interval: None, new_interval: None };
        Some(MetricChange::of(sides, Basis::Speedup, Sampling::FasterHalf, test, noise_floor, opts))
    }

    /// The figure, judged, from each side's value and the test.
    fn of(sides: Sides, basis: Basis, sampling: Sampling, test: stats::Test, noise_floor: f64, opts: &CompareOptions) -> MetricChange {
        let change_pct = test.effect * 100.0;
        let mut m = MetricChange {
            base: sides.base,
            new: sides.new,
            base_interval: sides.base_interval,
            new_interval: sides.new_interval,
            basis,
            sampling,
            change_pct,
            change_interval_pct: (test.interval.0 * 100.0, test.interval.1 * 100.0),
            p_value: test.p,
            noise_floor_pct: noise_floor * 100.0,
            detectable_pct: (test.detectable(opts.alpha) * 100.0).max(noise_floor * 100.0).max(opts.threshold_pct),
            beyond_threshold: change_pct.abs() > opts.threshold_pct,
            change: Change::Unchanged,
        };
        m.classify(opts);
        m
    }

    /// The rule: significant, beyond the threshold and beyond the noise floor.
    fn classify(&mut self, opts: &CompareOptions) {
        let verdict = self.p_value < opts.alpha && self.beyond_threshold && self.change_pct.abs() > self.noise_floor_pct;
        self.change = match (verdict, self.change_pct < 0.0) {
            (false, _) => Change::Unchanged,
            (true, true) => Change::Regressed,
            (true, false) => Change::Improved,
        };
    }

    /// Raises the noise floor to at least `floor_pct` (the runs' own spread across rows) and judges again.
    fn raise_floor(&mut self, floor_pct: f64, opts: &CompareOptions) {
        self.noise_floor_pct = self.noise_floor_pct.max(floor_pct);
        self.detectable_pct = self.detectable_pct.max(floor_pct);
        self.classify(opts);
    }
}

/// Each side's figure and 95 % interval.
struct Sides {
    base: f64,
    new: f64,
    base_interval: Option<(f64, f64)>,
    new_interval: Option<(f64, f64)>,
}

/// How many times the range of a side's fastest passes a change must exceed: those few passes
/// understate how far the next run's fast passes may land.
const FASTEST_SPREADS: f64 = 2.0;

/// How far the same code landed within either run, from each side's fastest passes (`base`, `new`
/// as sampled): twice the range of the wider side, relative to its mean.
fn fastest_floor(base: &[f64], new: &[f64]) -> Option<f64> {
    Some(FASTEST_SPREADS * 2.0 * stats::half_range(base)?.max(stats::half_range(new)?))
}

/// The mean of the values `sampling` judges: a side's figure.
pub(super) fn sampled_mean(values: &[f64], sampling: Sampling) -> Option<f64> {
    stats::mean(&sampling.select(values))
}

/// How many robust standard deviations of the changes across all rows a change must exceed.
const RUN_FLOOR_SIGMAS: f64 = 3.0;
/// Below this many compared rows the spread across rows says nothing and no run floor is applied.
const RUN_FLOOR_MIN_ROWS: usize = 8;

/// The runs' own A/A spread for one figure: `RUN_FLOOR_SIGMAS` × the robust standard deviation
/// (1.4826 × median absolute deviation) of the log changes across every compared row, in percent.
/// Most rows of two runs did not change, so this is how far unchanged code moved between the two
/// runs — drift between runs that each run's own passes cannot show.
pub fn run_floor_pct(changes_pct: &[f64]) -> f64 {
    if changes_pct.len() < RUN_FLOOR_MIN_ROWS {
        return 0.0;
    }
    let logs: Vec<f64> = changes_pct.iter().map(|c| (1.0 + c / 100.0).ln()).collect();
    let median = stats::median(&logs).unwrap_or(0.0);
    let deviations: Vec<f64> = logs.iter().map(|l| (l - median).abs()).collect();
    let sigma = 1.4826 * stats::median(&deviations).unwrap_or(0.0);
    ((RUN_FLOOR_SIGMAS * sigma).exp() - 1.0) * 100.0
}

/// The runs' own spread across the compared rows of one thread count (see [`run_floor_pct`]).
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct RunFloor {
    pub threads: usize,
    pub throughput_pct: f64,
    /// 0 where fewer than `RUN_FLOOR_MIN_ROWS` rows have a speedup (at the base thread count, none).
    pub speedup_pct: f64,
}

/// Raises every figure's noise floor to the runs' own spread across the rows of its thread count;
/// returns those floors. Per thread count: on a shared VM the 1-thread rows, each on one vCPU with
/// its canary, moved a third as much between two runs as contended ones, and one floor for all
/// left the quiet rows a floor set by the noisy ones.
pub(super) fn apply_run_floors(rows: &mut [RowComparison], opts: &CompareOptions) -> Vec<RunFloor> {
    let threads: BTreeSet<usize> = rows.iter().map(|r| r.threads).collect();
    let changes = |rows: &[RowComparison], t: usize, figure: fn(&RowOutcome) -> Option<f64>| -> Vec<f64> {
        rows.iter().filter(|r| r.threads == t).filter_map(|r| figure(&r.outcome)).collect()
    };
    let throughput = |o: &RowOutcome| match o {
        RowOutcome::Compared { throughput, .. } => Some(throughput.change_pct),
        _ => None,
    };
    let speedup = |o: &RowOutcome| match o {
        RowOutcome::Compared { speedup: Some(s), .. } => Some(s.change_pct),
        _ => None,
    };
    let floors: Vec<RunFloor> = threads
        .into_iter()
        .map(|t| RunFloor {
            threads: t,
            throughput_pct: run_floor_pct(&changes(rows, t, throughput)),
            speedup_pct: run_floor_pct(&changes(rows, t, speedup)),
        })
        .collect();
    for r in rows.iter_mut() {
        let Some(floor) = floors.iter().find(|f| f.threads == r.threads) else { continue };
        if let RowOutcome::Compared { throughput, speedup } = &mut r.outcome {
            throughput.raise_floor(floor.throughput_pct, opts);
            if let Some(s) = speedup {
                s.raise_floor(floor.speedup_pct, opts);
            }
        }
    }
    floors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(base: &[f64], new: &[f64]) -> MetricChange {
        MetricChange::judge(base, new, Basis::Raw, Sampling::FasterHalf, &CompareOptions::default()).unwrap()
    }

    #[test]
    fn a_verdict_needs_significance_threshold_and_noise_floor() {
        let base = [100.0, 101.0, 99.0, 100.5, 99.5];
        // −14 %, tight passes: a regression.
        let m = judge(&base, &base.map(|x| x * 0.86));
        assert_eq!(m.change, Change::Regressed);
        assert!((m.change_pct + 14.0).abs() < 1e-9 && m.p_value < 1e-4, "{m:?}");
        // +20 %: an improvement.
        assert_eq!(judge(&base, &base.map(|x| x * 1.2)).change, Change::Improved);
        // −3 %, significant but below the 5 % threshold.
        let m = judge(&base, &base.map(|x| x * 0.97));
        assert_eq!(m.change, Change::Unchanged);
        assert!(!m.beyond_threshold && m.p_value < 0.01);
        // −8 % on passes that spread ±20 %: within the noise.
        let noisy = [80.0, 120.0, 100.0, 90.0, 110.0];
        let m = judge(&noisy, &noisy.map(|x| x * 0.92));
        assert_eq!(m.change, Change::Unchanged);
        assert!(m.beyond_threshold && m.noise_floor_pct > 8.0);
    }

    #[test]
    fn the_noise_floor_holds_even_when_the_test_is_significant() {
        // Each side's fast passes are tight enough for the test, but base's span 4 % (floor 7.84 %):
        // a −6.9 % shift is not a verdict.
        let base = [100.0, 104.0, 102.0, 101.0, 103.0, 60.0, 50.0, 70.0, 65.0, 55.0];
        let new = [95.0, 95.2, 94.8, 95.1, 94.9, 70.0, 60.0, 65.0, 80.0, 75.0];
        let m = judge(&base, &new);
        assert!((m.noise_floor_pct - 7.84).abs() < 0.01, "{m:?}");
        assert!(m.p_value < 0.01 && m.beyond_threshold, "{m:?}");
        assert_eq!(m.change, Change::Unchanged);
    }

    #[test]
    fn the_run_floor_is_three_robust_sigmas_of_the_changes_across_rows() {
        // Log deviations from the median 0: their median is |ln(0.99)| = 0.01005 → σ = 0.0149, 3σ → +4.57 %.
        let changes = [0.0, 1.0, -1.0, 2.0, -2.0, 0.0, 1.0, -1.0, 30.0];
        assert!((run_floor_pct(&changes) - 4.57).abs() < 0.01, "{}", run_floor_pct(&changes));
        assert_eq!(run_floor_pct(&changes[..7]), 0.0, "too few rows to say anything");
    }

    #[test]
    fn a_change_inside_the_runs_spread_across_rows_is_no_verdict() {
        let base = [100.0, 101.0, 99.0, 100.5, 99.5];
        let mut m = judge(&base, &base.map(|x| x * 0.92));
        assert_eq!(m.change, Change::Regressed, "−8 % with tight passes");
        m.raise_floor(10.0, &CompareOptions::default());
        assert_eq!(m.change, Change::Unchanged, "but unchanged code moved up to 10 % between these runs");
        assert_eq!((m.noise_floor_pct, m.detectable_pct), (10.0, 10.0));
    }

    #[test]
    fn the_faster_half_sees_through_passes_the_machine_slowed() {
        // The code is 14 % slower in new; both runs lost passes to a busy machine, in different numbers.
        let base = [100.0, 101.0, 99.5, 100.5, 100.2, 99.8, 70.0, 62.0, 55.0, 80.0];
        let new = [86.0, 86.5, 85.6, 86.2, 85.8, 86.1, 60.0, 50.0, 58.0, 66.0];
        let m = judge(&base, &new);
        assert_eq!(m.change, Change::Regressed);
        assert!((m.change_pct + 14.1).abs() < 0.1 && (m.base - 100.3).abs() < 1e-9, "{m:?}");
    }

    #[test]
    fn unchanged_code_with_more_slow_passes_in_one_run_is_unchanged() {
        let base = [100.0, 101.0, 99.0, 100.5, 99.5, 100.2, 99.8, 100.1, 70.0, 60.0];
        let new = [100.4, 99.6, 100.9, 99.2, 100.0, 65.0, 55.0, 70.0, 62.0, 58.0];
        let m = judge(&base, &new);
        assert_eq!(m.change, Change::Unchanged);
        assert!(m.change_pct.abs() < 0.5, "{m:?}");
    }

    #[test]
    fn twice_the_spread_of_the_faster_passes_is_the_noise_floor() {
        // Faster half 100, 98, 96: range 4 / 98 = 4.08 %, floor 8.16 %.
        let base = [100.0, 96.0, 92.0, 98.0, 94.0, 60.0];
        let m = judge(&base, &base.map(|x| x * 0.92));
        assert!((m.noise_floor_pct - 8.16).abs() < 0.01, "{m:?}");
        assert!(m.p_value < 0.01 && m.beyond_threshold);
        assert_eq!(m.change, Change::Unchanged, "−8 % is within how far the fast passes themselves landed");
        assert_eq!(judge(&base, &base.map(|x| x * 0.88)).change, Change::Regressed);
    }

    #[test]
    fn a_speedup_moves_only_when_the_row_moves_against_its_base_row() {
        let opts = CompareOptions::default();
        let one = [100.0, 101.0, 99.0, 100.5, 99.5, 60.0];
        let four = one.map(|x| x * 3.0);
        // Both rows 14 % slower (a slower loop): same speedup, 3x on each side.
        let m = MetricChange::judge_speedup(&four, &four.map(|x| x * 0.86), &one, &one.map(|x| x * 0.86), &opts).unwrap();
        assert_eq!(m.change, Change::Unchanged);
        assert!((m.base - 3.0).abs() < 1e-12 && (m.new - 3.0).abs() < 1e-12, "{m:?}");
        // Only the 4-thread row 20 % slower: a scaling regression, past both rows' floors added.
        let m = MetricChange::judge_speedup(&four, &four.map(|x| x * 0.8), &one, &one, &opts).unwrap();
        assert_eq!(m.change, Change::Regressed, "{m:?}");
        assert!((m.noise_floor_pct - 2.0 * 4.0 * 0.5 / 100.5 * 100.0).abs() < 0.01, "{m:?}");
    }

    #[test]
    fn fewer_than_two_passes_cannot_be_judged() {
        assert!(MetricChange::judge(&[100.0], &[50.0, 51.0], Basis::Raw, Sampling::FasterHalf, &CompareOptions::default()).is_none());
    }

    #[test]
    fn paired_judging_sees_through_shared_drift() {
        let base = [100.0, 80.0, 120.0, 90.0, 110.0];
        let new = base.map(|x| x * 0.88);
        let opts = CompareOptions::default();
        let paired = MetricChange::judge(&base, &new, Basis::Raw, Sampling::Paired, &opts).unwrap();
        assert_eq!(paired.change, Change::Regressed);
        let unpaired = MetricChange::judge(&base, &new, Basis::Raw, Sampling::FasterHalf, &opts).unwrap();
        assert_eq!(unpaired.change, Change::Unchanged, "the same data, unpaired, is within the drift");
    }
}
