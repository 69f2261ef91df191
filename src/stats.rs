//! The statistics of replicated measurements: an estimate with a Student's t interval from
//! independent passes, and the two-sample tests `compare` and `ab` judge changes with.
//!
//! Everything works on the logarithm of rates: throughput changes are multiplicative, and a
//! log scale makes "10 % slower" and "10 % faster" symmetric.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Arithmetic mean; `None` for no values.
pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Sample variance (n − 1 in the denominator); `None` below two values.
pub fn variance(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    (xs.len() >= 2).then(|| xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64)
}

/// Coefficient of variation (sample standard deviation / mean).
pub fn cv(xs: &[f64]) -> Option<f64> {
    Some(variance(xs)?.sqrt() / mean(xs)?)
}

pub fn median(xs: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// The faster half of a side's passes (at least two, so that there is a spread to test): how fast
/// the code ran when the machine left it alone (a busy machine only ever slows a pass).
pub fn faster_half(xs: &[f64]) -> Vec<f64> {
    fastest_share(xs, 2)
}

/// The fastest `1 / parts` of `xs`, rounded up, and at least two.
pub fn fastest_share(xs: &[f64], parts: usize) -> Vec<f64> {
    let mut sorted = xs.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    sorted.truncate(xs.len().div_ceil(parts).max(2));
    sorted
}

/// The `q` quantile of `xs` (0 ≤ q ≤ 1), the nearest rank below it.
pub fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let last = v.len().checked_sub(1)?;
    Some(v[((last as f64) * q.clamp(0.0, 1.0)).floor() as usize])
}

/// The two-sided `level` quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(level: f64, df: f64) -> f64 {
    let t = StudentsT::new(0.0, 1.0, df).expect("df > 0");
    t.inverse_cdf(0.5 + level / 2.0)
}

/// Mean of `xs` with a two-sided Student's t interval at `level`; no interval below two values.
pub fn mean_interval(xs: &[f64], level: f64) -> Option<(f64, Option<(f64, f64)>)> {
    let m = mean(xs)?;
    let half = variance(xs).map(|v| t_quantile(level, (xs.len() - 1) as f64) * (v / xs.len() as f64).sqrt());
    Some((m, half.map(|h| (m - h, m + h))))
}

/// A two-sample test of `new` against `base` on log values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Test {
    /// new / base − 1, from the geometric means.
    pub effect: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// The effect's two-sided 95 % interval, as new / base − 1.
    pub interval: (f64, f64),
    /// Standard error and degrees of freedom of the difference of log means.
    pub se: f64,
    pub df: f64,
}

impl Test {
    /// The smallest |effect| (as a fraction) this test would call significant at `alpha`.
    pub fn detectable(&self, alpha: f64) -> f64 {
        if self.se > 0.0 && self.df > 0.0 {
            (t_quantile(1.0 - alpha, self.df) * self.se).exp() - 1.0
        } else {
            0.0
        }
    }
}

/// Welch's t-test on the logs of two independent samples (unequal variances). `None` when a side
/// has fewer than two values or a value is not positive.
pub fn welch(base: &[f64], new: &[f64]) -> Option<Test> {
    contrast(&[(new, 1.0), (base, -1.0)])
}

/// Welch's test of a ratio of ratios, `(new / base) / (new_ref / base_ref)`, on the logs of four
/// independent samples: how a speedup changed, from the throughputs of a row and of its base row.
pub fn welch_ratio(base: &[f64], new: &[f64], base_ref: &[f64], new_ref: &[f64]) -> Option<Test> {
    contrast(&[(new, 1.0), (base, -1.0), (base_ref, 1.0), (new_ref, -1.0)])
}

/// Welch's t-test of Σ sign × mean(log sample) = 0 over independent samples of unequal variances.
fn contrast(samples: &[(&[f64], f64)]) -> Option<Test> {
    let mut diff = 0.0;
    let mut terms = Vec::with_capacity(samples.len());
    for (xs, sign) in samples {
        let l = logs(xs)?;
        diff += sign * mean(&l)?;
        terms.push((variance(&l)? / l.len() as f64, l.len()));
    }
    let se2: f64 = terms.iter().map(|(v, _)| v).sum();
    // Welch–Satterthwaite degrees of freedom.
    let df = if se2 > 0.0 {
        se2 * se2 / terms.iter().map(|(v, n)| v * v / (n - 1) as f64).sum::<f64>()
    } else {
        terms.iter().map(|(_, n)| n - 1).sum::<usize>() as f64
    };
    Some(t_test(diff, se2.sqrt(), df))
}

/// A paired t-test on the logs of `new[i] / base[i]` (values measured side by side). `None` below
/// two pairs.
pub fn paired(base: &[f64], new: &[f64]) -> Option<Test> {
    if base.len() != new.len() {
        return None;
    }
    let d: Vec<f64> = logs(new)?.iter().zip(logs(base)?).map(|(n, b)| n - b).collect();
    let se = (variance(&d)? / d.len() as f64).sqrt();
    Some(t_test(mean(&d)?, se, (d.len() - 1) as f64))
}

fn t_test(diff: f64, se: f64, df: f64) -> Test {
    let (p, half) = if se > 0.0 && df > 0.0 {
        let t = StudentsT::new(0.0, 1.0, df).expect("df > 0");
        (2.0 * t.cdf(-(diff / se).abs()), t.inverse_cdf(0.975) * se)
    } else {
        (if diff == 0.0 { 1.0 } else { 0.0 }, 0.0)
    };
    Test { effect: diff.exp() - 1.0, p, interval: ((diff - half).exp() - 1.0, (diff + half).exp() - 1.0), se, df }
}

fn logs(xs: &[f64]) -> Option<Vec<f64>> {
    (xs.len() >= 2 && xs.iter().all(|x| *x > 0.0 && x.is_finite())).then(|| xs.iter().map(|x| x.ln()).collect())
}

/// Half the range of `xs` relative to their mean: how far apart the same code landed in one run.
pub fn half_range(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| (l.min(*x), h.max(*x)));
    (xs.len() >= 2 && m > 0.0).then(|| (hi - lo) / 2.0 / m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn a_ratio_of_ratios_is_welch_over_four_samples() {
        // The row and its base row both 14 % slower: the speedup did not change.
        let (b, r) = ([100.0, 102.0, 98.0], [50.0, 51.0, 49.0]);
        let t = welch_ratio(&b, &b.map(|x| x * 0.86), &r, &r.map(|x| x * 0.86)).unwrap();
        assert!(t.effect.abs() < 1e-12 && t.p > 0.99, "{t:?}");
        // Only the row slowed: the speedup fell by its 14 %, with the base row's spread in the
        // standard error (four equal variances: twice Welch's for two samples), df 4 × 2 = 8.
        let t = welch_ratio(&b, &b.map(|x| x * 0.86), &r, &r).unwrap();
        let two = welch(&b, &b.map(|x| x * 0.86)).unwrap();
        assert!((t.effect + 0.14).abs() < 1e-12, "{t:?}");
        assert!((t.se - two.se * 2f64.sqrt()).abs() < 1e-12 && (t.df - 8.0).abs() < 1e-9, "{t:?} {two:?}");
        assert!(welch_ratio(&b, &b, &r, &[1.0]).is_none(), "one value in a sample cannot be tested");
    }

    #[test]
    fn the_faster_half_keeps_at_least_two_passes() {
        let kept = |n: usize| faster_half(&(0..n).map(|i| i as f64).collect::<Vec<_>>());
        assert_eq!(kept(10), [9.0, 8.0, 7.0, 6.0, 5.0]);
        assert_eq!(kept(5), [4.0, 3.0, 2.0]);
        assert_eq!(kept(3), [2.0, 1.0]);
        assert_eq!(kept(2), [1.0, 0.0]);
    }

    #[test]
    fn student_t_quantiles_match_the_tables() {
        // Two-sided 95 %: df 1 → 12.706, 2 → 4.303, 4 → 2.776, 9 → 2.262, large → 1.96.
        for (df, t) in [(1.0, 12.706), (2.0, 4.303), (4.0, 2.776), (9.0, 2.262), (1e6, 1.960)] {
            assert!(close(t_quantile(0.95, df), t, 1e-3), "df {df}: {}", t_quantile(0.95, df));
        }
    }

    #[test]
    fn intervals_use_student_t_and_need_two_values() {
        // mean 10, sd 1 (values 9, 10, 11), n 3: half width 4.303 / sqrt(3) = 2.484.
        let (m, ci) = mean_interval(&[9.0, 10.0, 11.0], 0.95).unwrap();
        let (lo, hi) = ci.unwrap();
        assert!(close(m, 10.0, 1e-12) && close(hi - m, 2.484, 1e-3) && close(m - lo, 2.484, 1e-3));
        assert_eq!(mean_interval(&[5.0], 0.95), Some((5.0, None)), "one value: no interval");
        assert_eq!(mean_interval(&[], 0.95), None);
    }

    #[test]
    fn welch_matches_a_worked_example() {
        // Logs of these samples are exactly [0, 0.1, 0.2] and [0.3, 0.4, 0.5, 0.6]: difference 0.35,
        // variances 0.01 and 0.016667, se² = 0.003333 + 0.0041667 = 0.0075, t = 4.0415,
        // df = 0.0075² / (0.003333²/2 + 0.0041667²/3) = 4.959, two-sided p ≈ 0.0101.
        let b: Vec<f64> = [0.0f64, 0.1, 0.2].iter().map(|x| x.exp()).collect();
        let n: Vec<f64> = [0.3f64, 0.4, 0.5, 0.6].iter().map(|x| x.exp()).collect();
        let t = welch(&b, &n).unwrap();
        assert!(close(t.effect, 0.35f64.exp() - 1.0, 1e-12));
        assert!(close(t.p, 0.0101, 2e-4), "p = {}", t.p);
        assert!(t.interval.0 > 0.0 && t.interval.1 > t.effect);
        assert!((t.detectable(0.05) - (2.5706f64 * 0.0075f64.sqrt()).exp() + 1.0).abs() < 0.01, "t(0.975, ~5) × se");
        assert!(welch(&b, &[1.0]).is_none(), "one value on a side cannot be tested");
        assert!(welch(&b, &[1.0, 0.0]).is_none(), "rates must be positive");
    }

    #[test]
    fn identical_samples_show_no_effect() {
        let x = [100.0, 102.0, 98.0, 101.0];
        let t = welch(&x, &x).unwrap();
        assert!(close(t.effect, 0.0, 1e-12) && close(t.p, 1.0, 1e-9));
        let p = paired(&x, &x).unwrap();
        assert!(close(p.effect, 0.0, 1e-12) && p.p == 1.0);
    }

    #[test]
    fn paired_test_removes_what_both_sides_share() {
        // Drift moves both sides together; new is always 10 % slower than its partner.
        let base = [100.0, 80.0, 120.0, 90.0, 110.0];
        let new: Vec<f64> = base.iter().map(|b| b * 0.9).collect();
        let p = paired(&base, &new).unwrap();
        assert!(close(p.effect, -0.1, 1e-12) && p.p < 1e-6);
        let w = welch(&base, &new).unwrap();
        assert!(w.p > 0.05, "unpaired, the drift hides the same change (p = {})", w.p);
    }

    #[test]
    fn fastest_shares_and_quantiles() {
        let xs = [5.0, 1.0, 4.0, 2.0, 3.0, 9.0, 8.0];
        assert_eq!(faster_half(&xs), [9.0, 8.0, 5.0, 4.0]);
        assert_eq!(fastest_share(&xs, 3), [9.0, 8.0, 5.0]);
        assert_eq!(fastest_share(&[2.0, 1.0, 3.0], 3), [3.0, 2.0], "at least two, to have a spread");
        assert_eq!(quantile(&xs, 0.9), Some(8.0));
        assert_eq!(quantile(&xs, 0.0), Some(1.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn half_range_and_median() {
        assert!(close(half_range(&[9.0, 10.0, 11.0]).unwrap(), 0.1, 1e-12));
        assert_eq!(half_range(&[1.0]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert!(close(cv(&[9.0, 10.0, 11.0]).unwrap(), 0.1, 1e-12));
    }
}
