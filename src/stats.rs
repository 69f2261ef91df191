//! The statistics of replicated measurements: an estimate with a Student's t interval from
//! independent passes, and the two-sample tests `compare` and `ab` judge changes with.
//!
//! Everything works on the logarithm of rates: throughput changes are multiplicative, and a
//! log scale makes "10 % slower" and "10 % faster" symmetric.

use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, StudentsT};

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

/// The median of `xs` with a distribution-free interval of at least `level` coverage: the order
/// statistics k and n + 1 − k, for the largest k whose binomial tail P(Bin(n, ½) < k) is at most
/// (1 − level) / 2. No interval when even the extremes cover less (below 6 values at 95 %).
pub fn median_interval(xs: &[f64], level: f64) -> Option<(f64, Option<(f64, f64)>)> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let m = median(&v)?;
    v.sort_by(f64::total_cmp);
    let n = v.len() as u64;
    let tail = |k: u64| if k == 0 { 0.0 } else { Binomial::new(0.5, n).expect("p in [0, 1]").cdf(k - 1) };
    let k = (1..=n / 2).take_while(|k| tail(*k) <= (1.0 - level) / 2.0).last();
    Some((m, k.map(|k| (v[k as usize - 1], v[(n - k) as usize]))))
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

/// The mean of the faster half of `xs` ([`faster_half`]) with a two-sided Student's t interval
/// at `level` for that trimmed mean: the slower values are trimmed from one end only, so its
/// standard error is Yuen's (1974), from the sample with each trimmed value replaced by the
/// slowest kept one, and its degrees of freedom are the kept count less one. With nothing trimmed
/// (two values) it is the plain mean and its Student's t interval. No interval below two values.
pub fn faster_half_interval(xs: &[f64], level: f64) -> Option<(f64, Option<(f64, f64)>)> {
    if xs.len() < 2 {
        return mean_interval(xs, level);
    }
    let kept = faster_half(xs);
    let m = mean(&kept)?;
    let slowest = kept.last().copied()?;
    let winsorized: Vec<f64> = xs.iter().map(|x| x.max(slowest)).collect();
    let (n, h) = (xs.len() as f64, kept.len() as f64);
    let var_of_mean = variance(&winsorized)? * (n - 1.0) / (h * (h - 1.0));
    let half = t_quantile(level, h - 1.0) * var_of_mean.sqrt();
    Some((m, Some((m - half, m + half))))
}

/// An estimate of a change on log values: a trimmed mean (Yuen) with its Student's t interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Test {
    /// The change, new / base − 1, from the trimmed means of the logs.
    pub effect: f64,
    /// Two-sided p-value of "no change".
    pub p: f64,
    /// The effect's two-sided 95 % interval, as new / base − 1.
    pub interval: (f64, f64),
    /// Standard error and degrees of freedom of the log change.
    pub se: f64,
    pub df: f64,
}

impl Test {
    /// The log change, its standard error and degrees of freedom, as a Test.
    fn of(diff: f64, se: f64, df: f64) -> Test {
        let (p, half) = if se > 0.0 && df > 0.0 {
            let t = StudentsT::new(0.0, 1.0, df).expect("df > 0");
            (2.0 * t.cdf(-(diff / se).abs()), t.inverse_cdf(0.975) * se)
        } else {
            (if diff == 0.0 { 1.0 } else { 0.0 }, 0.0)
        };
        Test { effect: diff.exp() - 1.0, p, interval: ((diff - half).exp() - 1.0, (diff + half).exp() - 1.0), se, df }
    }

    /// The same estimate with its interval at two-sided `level` instead of 95 % (a sequential test
    /// spends its error rate over several looks).
    pub fn at_level(self, level: f64) -> Test {
        if self.se <= 0.0 || self.df <= 0.0 {
            return self;
        }
        let (diff, half) = (self.effect.ln_1p(), t_quantile(level, self.df) * self.se);
        Test { interval: ((diff - half).exp() - 1.0, (diff + half).exp() - 1.0), ..self }
    }

    /// The same estimate with `bias` (log) of unknown sign added to its uncertainty: the interval
    /// widened by it on both sides, and the p-value of the effect shrunk toward zero by it.
    pub fn widened(self, bias: f64) -> Test {
        let diff = self.effect.ln_1p();
        let mut t = Test::of(diff.signum() * (diff.abs() - bias).max(0.0), self.se, self.df);
        let half = (self.interval.1.ln_1p() - diff).max(0.0);
        t.effect = self.effect;
        t.interval = ((diff - half - bias).exp() - 1.0, (diff + half + bias).exp() - 1.0);
        t
    }

    /// The smallest true |change| (a fraction) whose 95 % interval would lie wholly beyond
    /// ±`threshold` (a fraction) four times in five, with `bias` (log) added as in [`Test::widened`].
    pub fn detectable(&self, threshold: f64, bias: f64) -> f64 {
        let reach = if self.se > 0.0 && self.df > 0.0 { (t_quantile(0.95, self.df) + t_quantile(0.6, self.df)) * self.se } else { 0.0 };
        (threshold.ln_1p() + bias + reach).exp() - 1.0
    }
}

/// The share of values trimmed from each end: 20 %, the usual choice for Yuen's test (robust to a
/// pass in five the machine disturbed, and close to the t-test's power when none is).
const TRIM: f64 = 0.2;

/// One sample's trimmed mean, its squared standard error and its kept count (Yuen 1974).
struct Trimmed {
    mean: f64,
    var_of_mean: f64,
    kept: usize,
}

impl Trimmed {
    /// `None` below two values or with a value that is not finite.
    fn of(xs: &[f64]) -> Option<Trimmed> {
        if xs.len() < 2 || !xs.iter().all(|x| x.is_finite()) {
            return None;
        }
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let g = (TRIM * n as f64).floor() as usize;
        let kept = n - 2 * g;
        let mean = v[g..n - g].iter().sum::<f64>() / kept as f64;
        // Winsorized: each trimmed value replaced by the nearest kept one.
        let winsorized: Vec<f64> = v.iter().map(|x| x.clamp(v[g], v[n - g - 1])).collect();
        let var_of_mean = variance(&winsorized)? * (n - 1) as f64 / (kept * (kept - 1)) as f64;
        Some(Trimmed { mean, var_of_mean, kept })
    }
}

/// The change from `base` to `new` (rates from independent passes): Yuen's trimmed-mean test on
/// their logs, Welch–Satterthwaite degrees of freedom. `None` when a side has fewer than two
/// values or a value is not positive.
pub fn yuen(base: &[f64], new: &[f64]) -> Option<Test> {
    let (b, n) = (Trimmed::of(&logs(base)?)?, Trimmed::of(&logs(new)?)?);
    let se2 = b.var_of_mean + n.var_of_mean;
    let df = if se2 > 0.0 {
        se2 * se2 / (b.var_of_mean.powi(2) / (b.kept - 1) as f64 + n.var_of_mean.powi(2) / (n.kept - 1) as f64)
    } else {
        (b.kept + n.kept - 2) as f64
    };
    Some(Test::of(n.mean - b.mean, se2.sqrt(), df))
}

/// The change from `base[i]` to `new[i]` (rates measured side by side): Yuen's one-sample
/// trimmed-mean test on the logs of the ratios. `None` below two pairs.
pub fn yuen_paired(base: &[f64], new: &[f64]) -> Option<Test> {
    if base.len() != new.len() {
        return None;
    }
    let d: Vec<f64> = logs(new)?.iter().zip(logs(base)?).map(|(n, b)| n - b).collect();
    let t = Trimmed::of(&d)?;
    Some(Test::of(t.mean, t.var_of_mean.sqrt(), (t.kept - 1) as f64))
}

/// The trimmed mean of `xs` (rates) on the log scale, as a rate: a side's figure in a comparison.
pub fn trimmed_geomean(xs: &[f64]) -> Option<f64> {
    Some(Trimmed::of(&logs(xs)?)?.mean.exp())
}

fn logs(xs: &[f64]) -> Option<Vec<f64>> {
    (xs.len() >= 2 && xs.iter().all(|x| *x > 0.0 && x.is_finite())).then(|| xs.iter().map(|x| x.ln()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn yuen_matches_a_worked_example() {
        // Logs 0, 0.1, 0.2 (n 3, nothing trimmed: Welch's test) against 0.3 … 0.6: difference 0.35,
        // se² = 0.01/3 + 0.016667/4 = 0.0075, df = 4.959, two-sided p ≈ 0.0101.
        let b: Vec<f64> = [0.0f64, 0.1, 0.2].iter().map(|x| x.exp()).collect();
        let n: Vec<f64> = [0.3f64, 0.4, 0.5, 0.6].iter().map(|x| x.exp()).collect();
        let t = yuen(&b, &n).unwrap();
        assert!(close(t.effect, 0.35f64.exp() - 1.0, 1e-12) && close(t.se, 0.0075f64.sqrt(), 1e-12), "{t:?}");
        assert!(close(t.df, 4.959, 1e-3) && close(t.p, 0.0101, 2e-4), "{t:?}");
        assert!(yuen(&b, &[1.0]).is_none(), "one value on a side cannot be tested");
        assert!(yuen(&b, &[1.0, 0.0]).is_none(), "rates must be positive");
    }

    #[test]
    fn yuen_trims_a_fifth_from_each_end_and_winsorizes_the_variance() {
        // Logs 1..10 with the last replaced by 100: g = 2, the trimmed mean is that of 3..8 (5.5),
        // and the winsorized sample 3,3,3..8,8,8 has variance 4.7222 → se² = 4.7222 × 9 / (6 × 5).
        let xs: Vec<f64> = (1..=10).map(|i| if i == 10 { 100.0 } else { i as f64 }).collect();
        let t = Trimmed::of(&xs).unwrap();
        assert!(close(t.mean, 5.5, 1e-12) && t.kept == 6, "the outlier does not move it");
        assert!(close(t.var_of_mean, 4.722_222 * 9.0 / 30.0, 1e-6), "{}", t.var_of_mean);
    }

    #[test]
    fn a_widened_test_carries_the_bias_into_interval_p_and_detectable_change() {
        let b = [100.0, 101.0, 99.0, 100.5, 99.5];
        let t = yuen(&b, &b.map(|x| x * 0.9)).unwrap();
        let w = t.widened(0.05);
        assert_eq!(w.effect, t.effect);
        assert!(close(w.interval.0.ln_1p(), t.interval.0.ln_1p() - 0.05, 1e-12), "{w:?}");
        assert!(close(w.interval.1.ln_1p(), t.interval.1.ln_1p() + 0.05, 1e-12), "{w:?}");
        assert!(w.p > t.p, "the bias explains part of the change");
        assert!(t.widened(0.2).p == 1.0, "a bias larger than the change explains all of it");
        assert!(t.detectable(0.05, 0.05) > t.detectable(0.05, 0.0) && t.detectable(0.05, 0.0) > 0.05);
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
    fn identical_samples_show_no_effect() {
        let x = [100.0, 102.0, 98.0, 101.0];
        let t = yuen(&x, &x).unwrap();
        assert!(close(t.effect, 0.0, 1e-12) && close(t.p, 1.0, 1e-9));
        let p = yuen_paired(&x, &x).unwrap();
        assert!(close(p.effect, 0.0, 1e-12) && p.p == 1.0);
    }

    #[test]
    fn paired_test_removes_what_both_sides_share() {
        // Drift moves both sides together; new is always 10 % slower than its partner.
        let base = [100.0, 80.0, 120.0, 90.0, 110.0];
        let new: Vec<f64> = base.iter().map(|b| b * 0.9).collect();
        let p = yuen_paired(&base, &new).unwrap();
        assert!(close(p.effect, -0.1, 1e-12) && p.p < 1e-6);
        let w = yuen(&base, &new).unwrap();
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
    fn the_faster_half_interval_is_a_trimmed_means() {
        // Nothing trimmed: the plain mean and its Student's t interval.
        assert_eq!(faster_half_interval(&[90.0, 110.0], 0.95), mean_interval(&[90.0, 110.0], 0.95));
        // 9 values, the 5 fastest kept: mean 7; winsorized 5 5 5 5 5 6 7 8 9 (variance 85/36),
        // squared standard error 85/36 × 8 / (5 × 4) = 0.944, t(0.975, 4) = 2.776: ±2.698.
        let (m, ci) = faster_half_interval(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], 0.95).unwrap();
        let (lo, hi) = ci.unwrap();
        assert!(close(m, 7.0, 1e-12) && close(lo, 7.0 - 2.698, 1e-3) && close(hi, 7.0 + 2.698, 1e-3), "{m} {lo} {hi}");
        assert_eq!(faster_half_interval(&[3.0], 0.95), Some((3.0, None)));
    }

    #[test]
    fn a_median_interval_is_between_order_statistics_by_the_binomial() {
        let xs: Vec<f64> = (1..=9).map(f64::from).collect();
        // n 9: P(Bin(9, ½) ≤ 1) = 10/512 ≤ 2.5 % < P(≤ 2) = 46/512, so the 2nd and 8th values.
        assert_eq!(median_interval(&xs, 0.95), Some((5.0, Some((2.0, 8.0)))));
        assert_eq!(median_interval(&xs[..6], 0.95), Some((3.5, Some((1.0, 6.0)))), "1/64 ≤ 2.5 %");
        assert_eq!(median_interval(&xs[..5], 0.95), Some((3.0, None)), "1/32 > 2.5 %: no interval");
        assert_eq!(median_interval(&[], 0.95), None);
    }

    #[test]
    fn median_and_cv() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert!(close(cv(&[9.0, 10.0, 11.0]).unwrap(), 0.1, 1e-12));
    }
}
