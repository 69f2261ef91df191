//! Change points of one series, as Apache Otava (formerly Hunter, MongoDB's E-divisive means)
//! finds them, on the logarithms of the figures:
//!
//! 1. **Where**: the split of a segment that maximises the E-divisive energy statistic
//!    (Matteson & James 2014, α = 1): the scaled distance between the two sides less the distances
//!    within each. A distance, not a mean, so one wild run moves it little.
//! 2. **Whether**: the two sides' figures tested with Yuen's trimmed-mean test (Otava tests a
//!    candidate with a two-sample t-test; trimming keeps a run in five that the machine bent from
//!    deciding). The variance is the sides' own spread from run to run, never the runs' own
//!    intervals, which leave out what differs between runs. Kept when p < [`MAX_P`]: the p-value
//!    is that of the best of many splits, which is why the threshold is far below 5 %; it was set
//!    so that flat series of this VM's noise have at most one false change point per 100 series
//!    (`tests/history_rule.rs`, docs/history.md).
//! 3. **Binary segmentation**: a kept split divides its segment and each side is searched again,
//!    while a side has at least [`MIN_SIDE`] runs. Then, as Otava does, each change point is tested
//!    again between its neighbours (the segments on either side, up to the next change points), the
//!    weakest dropped while one fails, and its size and interval are those of that last test.

use crate::stats::{self, Test};

/// The p-value a split must beat (see the module's notes).
pub const MAX_P: f64 = 1e-5;

/// The fewest runs on either side of a change point: a step in the last runs shows once this many
/// runs follow it.
pub const MIN_SIDE: usize = 4;

/// A change between `values[at - 1]` and `values[at]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChangePoint {
    /// The first index after the change.
    pub at: usize,
    /// The change from the segment before to the segment after (up to the neighbouring change
    /// points): its size (`effect`, a fraction), 95 % interval and p-value.
    pub test: Test,
}

/// The change points of `values` (positive figures in run order), in order.
pub fn detect(values: &[f64]) -> Vec<ChangePoint> {
    if values.len() < 2 * MIN_SIDE || values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return Vec::new();
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    let energy = Energy::new(&logs);
    let mut splits = Vec::new();
    divide(values, &energy, 0, values.len(), &mut splits);
    splits.sort_unstable();
    screen(values, splits)
}

/// Splits `[lo, hi)` where the energy is highest if the two sides differ, then each side.
fn divide(values: &[f64], energy: &Energy, lo: usize, hi: usize, out: &mut Vec<usize>) {
    if hi - lo < 2 * MIN_SIDE {
        return;
    }
    let Some(at) = (lo + MIN_SIDE..=hi - MIN_SIDE).max_by(|a, b| energy.q(lo, *a, hi).total_cmp(&energy.q(lo, *b, hi))) else {
        return;
    };
    if stats::yuen(&values[lo..at], &values[at..hi]).is_some_and(|t| t.p < MAX_P) {
        out.push(at);
        divide(values, energy, lo, at, out);
        divide(values, energy, at, hi, out);
    }
}

/// Each split tested between its neighbours; the weakest that fails is dropped, and the others
/// tested again, until all pass.
fn screen(values: &[f64], mut splits: Vec<usize>) -> Vec<ChangePoint> {
    loop {
        let tests: Vec<Option<Test>> = (0..splits.len())
            .map(|i| {
                let lo = if i == 0 { 0 } else { splits[i - 1] };
                let hi = splits.get(i + 1).copied().unwrap_or(values.len());
                stats::yuen(&values[lo..splits[i]], &values[splits[i]..hi])
            })
            .collect();
        let weakest = tests.iter().enumerate().max_by(|(_, a), (_, b)| p(a).total_cmp(&p(b))).map(|(i, t)| (i, p(t)));
        match weakest {
            Some((i, worst)) if worst >= MAX_P => {
                splits.remove(i);
            }
            _ => return splits.into_iter().zip(tests).map(|(at, t)| ChangePoint { at, test: t.expect("tested") }).collect(),
        }
    }
}

fn p(t: &Option<Test>) -> f64 {
    t.map_or(1.0, |t| t.p)
}

/// Sums of |x_i − x_j| over blocks of the series, from a 2-D prefix sum: each split's energy
/// costs O(1), a segment's search O(n).
struct Energy {
    n: usize,
    /// `sums[(i, j)]`: Σ |x_a − x_b| over a < i, b < j.
    sums: Vec<f64>,
}

impl Energy {
    fn new(x: &[f64]) -> Energy {
        let n = x.len();
        let mut sums = vec![0.0; (n + 1) * (n + 1)];
        for i in 0..n {
            for j in 0..n {
                sums[(i + 1) * (n + 1) + j + 1] =
                    (x[i] - x[j]).abs() + sums[i * (n + 1) + j + 1] + sums[(i + 1) * (n + 1) + j] - sums[i * (n + 1) + j];
            }
        }
        Energy { n, sums }
    }

    /// Σ |x_a − x_b| over a in [a0, a1), b in [b0, b1).
    fn block(&self, (a0, a1): (usize, usize), (b0, b1): (usize, usize)) -> f64 {
        let s = |i: usize, j: usize| self.sums[i * (self.n + 1) + j];
        s(a1, b1) - s(a0, b1) - s(a1, b0) + s(a0, b0)
    }

    /// The scaled energy statistic of splitting `[lo, hi)` at `at`: (m k / (m + k)) × (2 × mean
    /// distance between the sides − mean distance within each).
    fn q(&self, lo: usize, at: usize, hi: usize) -> f64 {
        let (m, k) = ((at - lo) as f64, (hi - at) as f64);
        let within = |a: (usize, usize), c: f64| if c > 1.0 { self.block(a, a) / (c * (c - 1.0)) } else { 0.0 };
        let between = 2.0 * self.block((lo, at), (at, hi)) / (m * k);
        m * k / (m + k) * (between - within((lo, at), m) - within((at, hi), k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_energy_statistic_matches_a_direct_sum() {
        let x = [0.0, 1.0, 3.0, 7.0, 8.0];
        let e = Energy::new(&x);
        // Split after 2 of [0, 5): between |0−3|+|0−7|+|0−8|+|1−3|+|1−7|+|1−8| = 33, within the left
        // 2 × 1 over 2 × 1 pairs, the right 2 × (4 + 5 + 1) over 3 × 2.
        let want = 2.0 * 3.0 / 5.0 * (2.0 * 33.0 / 6.0 - 2.0 / 2.0 - 20.0 / 6.0);
        assert!((e.q(0, 2, 5) - want).abs() < 1e-12, "{} vs {want}", e.q(0, 2, 5));
    }

    #[test]
    fn a_clear_step_is_found_where_it_was_put_with_its_size() {
        let noise = [1.0, 1.01, 0.99, 1.005, 0.995, 1.0, 1.01, 0.99, 1.0, 1.003];
        let values: Vec<f64> = (0..20).map(|i| noise[i % 10] * if i >= 12 { 0.9 } else { 1.0 }).collect();
        let found = detect(&values);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].at, 12);
        let t = found[0].test;
        assert!((t.effect + 0.1).abs() < 0.01 && t.interval.0 < t.effect && t.effect < t.interval.1, "{t:?}");
    }

    #[test]
    fn two_steps_are_both_found_and_a_flat_or_short_series_has_none() {
        let wobble = |i: usize| 1.0 + 0.01 * ((i * 7 % 5) as f64 - 2.0);
        let values: Vec<f64> = (0..30)
            .map(|i| {
                wobble(i)
                    * if i >= 20 {
                        1.3
                    } else if i >= 10 {
                        0.8
                    } else {
                        1.0
                    }
            })
            .collect();
        assert_eq!(detect(&values).iter().map(|c| c.at).collect::<Vec<_>>(), [10, 20]);
        let flat: Vec<f64> = (0..30).map(wobble).collect();
        assert!(detect(&flat).is_empty());
        assert!(detect(&values[..7]).is_empty(), "fewer than two sides of four runs");
        assert!(detect(&[1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]).is_empty(), "a figure that is not positive");
    }
}
