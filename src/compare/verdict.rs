//! The verdict rule: each figure's change with its 95 % interval, the machine's drift between two
//! runs added to it, the family of figures tested together (Benjamini–Hochberg), and the four
//! words: regressed / improved beyond ±T, unchanged within ±T, inconclusive otherwise.

use serde::Serialize;

use super::{Basis, Change, CompareOptions, RowComparison, RowOutcome};
use crate::stats::{self, Test};

/// One figure (throughput or speedup) in base and new. Bigger is better for both.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct MetricChange {
    /// Each side's figure: the trimmed mean (on the log scale) of its judged per-pass values, in
    /// the basis' units (ops/s, or a speedup).
    pub base: f64,
    pub new: f64,
    pub basis: Basis,
    /// Pass i of base ran side by side with pass i of new (`ab`), and the test is on their ratios.
    pub paired: bool,
    /// How many per-pass values each side had (paired: pass pairs, on both).
    pub base_passes: usize,
    pub new_passes: usize,
    /// The change, new / base − 1, in percent.
    pub change_pct: f64,
    /// Its 95 % interval, in percent, with `drift_pct` added on both sides.
    pub change_interval_pct: (f64, f64),
    /// Two-sided p-value of "no change" (with the drift taken off the change first).
    pub p_value: f64,
    /// How far the machine itself moved between the two runs (from the canaries, see
    /// [`super::drift`]); 0 for speedups and side-by-side passes, where it cancels.
    pub drift_pct: f64,
    /// The smallest change, in percent, this figure would call regressed or improved four times
    /// in five (its interval wholly beyond ±threshold).
    pub detectable_pct: f64,
    /// Benjamini–Hochberg over every figure of the comparison found it changed.
    pub discovered: bool,
    pub change: Change,
    /// A regressed or improved figure measured again in fresh processes (`ab`): the re-measured
    /// change, and whether it agreed (see [`super::Comparison::confirm`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Box<Confirmation>>,
}

/// A flagged figure's second measurement.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Confirmation {
    /// The change the second measurement saw, in percent (None: it could not judge the row).
    pub change_pct: Option<f64>,
    /// Why the second measurement could not judge the row (disturbed, too few quiet passes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unjudged: Option<String>,
    /// It agreed in sign and lay beyond the threshold: the verdict stands.
    pub confirmed: bool,
}

impl MetricChange {
    /// Checks a regressed or improved verdict against `again`, the same figure measured again in
    /// fresh processes: it stands only when the second change lies beyond ±T on the same side and
    /// is itself a change in that direction at 5 % (one-sided: a second, independent test, so a
    /// run effect that fooled the first measurement must fool a fresh one the same way); otherwise
    /// it becomes inconclusive. `again` is `Err` with why the second measurement could not judge
    /// the figure. Other verdicts are left alone.
    pub fn confirm(&mut self, again: Result<&MetricChange, String>, threshold_pct: f64) {
        if !matches!(self.change, Change::Regressed | Change::Improved) {
            return;
        }
        let sign = self.change_pct.signum();
        let agrees = |a: &MetricChange| a.change_pct * sign > threshold_pct && a.p_value / 2.0 < 0.05;
        let confirmed = again.as_ref().is_ok_and(|a| agrees(a));
        let (change_pct, unjudged) = match again {
            Ok(a) => (Some(a.change_pct), None),
            Err(why) => (None, Some(why)),
        };
        self.confirmation = Some(Box::new(Confirmation { change_pct, unjudged, confirmed }));
        if !confirmed {
            self.change = Change::Inconclusive;
        }
    }
}

impl MetricChange {
    /// The change from `base` to `new` (per-pass values on `basis`; `paired`: equal lengths, pass
    /// by pass), with `drift` (log) of the machine between the runs added to its uncertainty.
    /// Judged `Inconclusive` until [`judge_family`] has seen every figure. `None` below two values.
    pub fn measure(base: &[f64], new: &[f64], basis: Basis, paired: bool, drift: f64, opts: &CompareOptions) -> Option<MetricChange> {
        let test = if paired { stats::yuen_paired(base, new)? } else { stats::yuen(base, new)? }.at_level(opts.confidence).widened(drift);
        let interval = (test.interval.0 * 100.0, test.interval.1 * 100.0);
        Some(MetricChange {
            base: stats::trimmed_geomean(base)?,
            new: stats::trimmed_geomean(new)?,
            basis,
            paired,
            base_passes: base.len(),
            new_passes: new.len(),
            change_pct: test.effect * 100.0,
            change_interval_pct: interval,
            p_value: test.p,
            drift_pct: drift.exp_m1() * 100.0,
            detectable_pct: detectable(&test, drift, opts) * 100.0,
            discovered: false,
            change: Change::Inconclusive,
            confirmation: None,
        })
    }

    /// The four words, from the interval and whether the family test found a change.
    fn classify(&mut self, threshold_pct: f64) {
        let (lo, hi) = self.change_interval_pct;
        self.change = if self.discovered && hi < -threshold_pct {
            Change::Regressed
        } else if self.discovered && lo > threshold_pct {
            Change::Improved
        } else if lo > -threshold_pct && hi < threshold_pct {
            Change::Unchanged
        } else {
            Change::Inconclusive
        };
    }
}

fn detectable(test: &Test, drift: f64, opts: &CompareOptions) -> f64 {
    test.detectable(opts.threshold_pct / 100.0, drift)
}

/// Judges every figure of the comparison together: Benjamini–Hochberg at `opts.alpha` over their
/// p-values says which changed (the expected share of false ones among those found is at most
/// alpha, however many rows there are), then each figure's interval gives its word.
pub(super) fn judge_family(rows: &mut [RowComparison], opts: &CompareOptions) {
    let mut figures: Vec<&mut MetricChange> = rows
        .iter_mut()
        .filter_map(|r| match &mut r.outcome {
            RowOutcome::Compared { throughput, speedup } => Some(std::iter::once(throughput).chain(speedup.as_mut())),
            _ => None,
        })
        .flatten()
        .collect();
    let p: Vec<f64> = figures.iter().map(|m| m.p_value).collect();
    for (m, discovered) in figures.iter_mut().zip(benjamini_hochberg(&p, opts.alpha)) {
        m.discovered = discovered;
        m.classify(opts.threshold_pct);
    }
}

/// Which of `p` Benjamini–Hochberg rejects at false-discovery rate `q`: all those up to the
/// largest rank k whose p-value is at most k·q/m.
fn benjamini_hochberg(p: &[f64], q: f64) -> Vec<bool> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|a, b| p[*a].total_cmp(&p[*b]));
    let m = p.len() as f64;
    let cut = order.iter().enumerate().filter(|(k, i)| p[**i] <= (*k + 1) as f64 * q / m).map(|(k, _)| k + 1).max().unwrap_or(0);
    let mut rejected = vec![false; p.len()];
    for i in &order[..cut] {
        rejected[*i] = true;
    }
    rejected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(base: &[f64], new: &[f64], drift: f64) -> MetricChange {
        let mut m = MetricChange::measure(base, new, Basis::Raw, false, drift, &CompareOptions::default()).unwrap();
        m.discovered = m.p_value < 0.05;
        m.classify(5.0);
        m
    }

    const TIGHT: [f64; 9] = [100.0, 101.0, 99.0, 100.5, 99.5, 100.2, 99.8, 100.1, 99.9];

    #[test]
    fn four_words_from_the_interval_and_the_threshold() {
        assert_eq!(measure(&TIGHT, &TIGHT.map(|x| x * 0.86), 0.0).change, Change::Regressed);
        assert_eq!(measure(&TIGHT, &TIGHT.map(|x| x * 1.2), 0.0).change, Change::Improved);
        assert_eq!(measure(&TIGHT, &TIGHT.map(|x| x * 1.01), 0.0).change, Change::Unchanged);
        // −5 % exactly: the interval straddles the threshold, so neither word is shown.
        assert_eq!(measure(&TIGHT, &TIGHT.map(|x| x * 0.95), 0.0).change, Change::Inconclusive);
        // −8 % on passes that spread ±20 %: the interval reaches past both −5 % and +5 %.
        let noisy = [80.0, 120.0, 100.0, 90.0, 110.0];
        let m = measure(&noisy, &noisy.map(|x| x * 0.92), 0.0);
        assert_eq!(m.change, Change::Inconclusive);
        assert!(m.detectable_pct > 8.0, "{m:?}");
    }

    #[test]
    fn unchanged_is_only_said_when_the_interval_shows_it() {
        // No change at all, but the passes spread so far that ±5 % cannot be excluded.
        let noisy = [80.0, 120.0, 100.0, 90.0, 110.0];
        let m = measure(&noisy, &noisy, 0.0);
        assert_eq!(m.change, Change::Inconclusive);
        assert!(m.change_interval_pct.0 < -5.0 && m.change_interval_pct.1 > 5.0, "{m:?}");
    }

    #[test]
    fn the_machines_drift_between_runs_widens_the_interval() {
        // A clear −8 % within a run, but the machine moved 4 % between the runs: still beyond −5 %?
        // No: the interval now reaches to about −4 %.
        let m = measure(&TIGHT, &TIGHT.map(|x| x * 0.92), 0.04);
        assert_eq!(m.change, Change::Inconclusive, "{m:?}");
        assert!((m.drift_pct - 4.08).abs() < 0.01 && m.change_interval_pct.1 > -5.0, "{m:?}");
        // A −14 % change is still beyond it.
        assert_eq!(measure(&TIGHT, &TIGHT.map(|x| x * 0.86), 0.04).change, Change::Regressed);
    }

    #[test]
    fn a_pass_the_machine_disturbed_does_not_decide() {
        // One pass in nine at half speed on each side: trimmed away.
        let mut base = TIGHT;
        base[3] = 50.0;
        let mut new = TIGHT.map(|x| x * 0.86);
        new[7] = 40.0;
        let m = measure(&base, &new, 0.0);
        assert_eq!(m.change, Change::Regressed, "{m:?}");
        assert!((m.change_pct + 14.0).abs() < 0.5, "{m:?}");
    }

    #[test]
    fn benjamini_hochberg_rejects_up_to_the_largest_rank_under_its_line() {
        // m = 5, q = 0.05: lines 0.01, 0.02, 0.03, 0.04, 0.05. Rank 3 (0.025) is under its line, so
        // ranks 1-3 are rejected although rank 2 (0.021) is above its own.
        let p = [0.5, 0.021, 0.004, 0.025, 0.2];
        assert_eq!(benjamini_hochberg(&p, 0.05), [false, true, true, true, false]);
        assert_eq!(benjamini_hochberg(&[0.02, 0.03], 0.01), [false, false]);
        assert!(benjamini_hochberg(&[], 0.05).is_empty());
    }
}
