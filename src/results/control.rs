//! What the driver control says (see [`DriverControl`]): per row, the Rust driver against a
//! pure-Python `threading` driver of the same rounds, and, for the interpreter suite, the speedup
//! in each context. Pure functions of the passes, recomputed on every read.

use super::{DriverControl, PassSample, ThreadRow};
use crate::stats::{yuen_paired, Test};

/// Two ways of measuring agree when the whole 95 % interval of their ratio is within ±5 %, and
/// disagree when it is wholly beyond: between the two, the passes could not tell.
pub const TOLERANCE: f64 = 0.05;

/// A ratio of two figures measured side by side in each pass: Yuen's trimmed mean of the per-pass
/// log ratios, its 95 % interval, and how many passes it rests on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ratio {
    pub value: f64,
    pub interval: (f64, f64),
    pub passes: usize,
}

/// Whether a [`Ratio`] shows the two figures the same, different, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreement {
    Agree,
    Disagree,
    Unresolved,
}

impl Ratio {
    /// `top[i] / bottom[i]` over passes; `None` below two passes.
    pub fn of(top: &[f64], bottom: &[f64]) -> Option<Ratio> {
        let Test { effect, interval, .. } = yuen_paired(bottom, top)?;
        Some(Ratio { value: 1.0 + effect, interval: (1.0 + interval.0, 1.0 + interval.1), passes: top.len() })
    }

    pub fn agreement(&self) -> Agreement {
        let (lo, hi) = self.interval;
        let (low, high) = (1.0 / (1.0 + TOLERANCE), 1.0 + TOLERANCE);
        if lo >= low && hi <= high {
            Agreement::Agree
        } else if hi < low || lo > high {
            Agreement::Disagree
        } else {
            Agreement::Unresolved
        }
    }
}

/// The passes of `row` that ran the control, by pass number: disturbed ones too, since the sides
/// alternate within each pass (A B B A) and a disturbance hits them alike.
fn controlled(row: &ThreadRow) -> impl Iterator<Item = (usize, &DriverControl)> {
    row.passes.iter().filter_map(|p: &PassSample| Some((p.pass, p.control.as_ref()?)))
}

impl ThreadRow {
    /// Throughput on the Rust driver / on the pure-Python driver, pass by pass.
    pub fn driver_ratio(&self) -> Option<Ratio> {
        let (rust, python): (Vec<f64>, Vec<f64>) = controlled(self).map(|(_, c)| (c.rust, c.python)).unzip();
        Ratio::of(&rust, &python)
    }

    /// Why the control has no figures in some pass, if it failed.
    pub fn control_failure(&self) -> Option<&str> {
        self.passes.iter().find_map(|p| p.control_failed.as_deref())
    }
}

/// One way of running the interpreter suite's loops, as the control measured it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// The suite's Rust threads, code from a `.pyc` (or as `--code` says).
    Rust,
    /// `threading` threads, the same code.
    Python,
    /// `threading` threads, the loop compiled as `__main__`: how ftscalingbench runs it.
    Main,
}

impl Context {
    fn figure(self, c: &DriverControl) -> Option<f64> {
        match self {
            Context::Rust => Some(c.rust),
            Context::Python => Some(c.python),
            Context::Main => c.main,
        }
    }
}

/// The speedup of `row` over `base` in `context`, each pass's ratio from the same child.
pub fn speedup(base: &ThreadRow, row: &ThreadRow, context: Context) -> Option<Ratio> {
    let speedups: Vec<f64> = per_pass_speedups(base, row, context).into_iter().map(|(_, s)| s).collect();
    Ratio::of(&speedups, &vec![1.0; speedups.len()])
}

/// How much the speedup in context `a` exceeds that in `b` (a ratio of speedups), pass by pass.
pub fn speedup_gap(base: &ThreadRow, row: &ThreadRow, a: Context, b: Context) -> Option<Ratio> {
    let sb = per_pass_speedups(base, row, b);
    let (top, bottom): (Vec<f64>, Vec<f64>) =
        per_pass_speedups(base, row, a).into_iter().filter_map(|(p, x)| sb.iter().find(|(q, _)| *q == p).map(|(_, y)| (x, *y))).unzip();
    Ratio::of(&top, &bottom)
}

/// (pass, row's figure / base's figure) for every pass in which both rows ran the control.
fn per_pass_speedups(base: &ThreadRow, row: &ThreadRow, context: Context) -> Vec<(usize, f64)> {
    let at = |r: &ThreadRow| -> Vec<(usize, f64)> { controlled(r).filter_map(|(p, c)| Some((p, context.figure(c)?))).collect() };
    let base = at(base);
    at(row).into_iter().filter_map(|(p, v)| base.iter().find(|(q, _)| *q == p).map(|(_, b)| (p, v / b))).collect()
}

/// What explains a gap between ftbench's speedup and ftscalingbench's context, from the two
/// single-factor gaps: the driver (Rust against `threading`, same code) and the code (`code`, the
/// run's code context, against `__main__`, same `threading` threads).
pub fn explain(driver: Option<Ratio>, code_gap: Option<Ratio>, code: &str) -> String {
    let beyond = |r: Option<Ratio>| r.is_some_and(|r| r.agreement() == Agreement::Disagree);
    let compiled = format!("where the code was compiled: as __main__ (ftscalingbench) against {code}");
    match (beyond(driver), beyond(code_gap)) {
        (true, true) => format!("both the driver (Rust against threading threads) and {compiled}"),
        (true, false) => "the driver: Rust threads against threading threads, the same code".to_string(),
        (false, true) => compiled,
        (false, false) => "neither factor alone beyond noise".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::simulate::lognormal;

    /// Rows of `passes` passes whose Rust/threading ratio is `truth`, each pass's ratio off by a
    /// lognormal σ (5 %: this VM's 2-thread rows; 1-thread rows were within 2 %).
    fn verdicts(truth: f64, passes: usize, seed: u64) -> Vec<Agreement> {
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..2000)
            .map(|_| {
                let python: Vec<f64> = (0..passes).map(|_| 1e6 * lognormal(&mut rng, 0.02)).collect();
                let rust: Vec<f64> = python.iter().map(|p| p * truth * lognormal(&mut rng, 0.05)).collect();
                Ratio::of(&rust, &python).expect("enough passes").agreement()
            })
            .collect()
    }

    fn share(v: &[Agreement], a: Agreement) -> f64 {
        v.iter().filter(|x| **x == a).count() as f64 / v.len() as f64
    }

    #[test]
    fn equal_drivers_are_almost_never_called_different() {
        let v = verdicts(1.0, 9, 1);
        let (differ, same) = (share(&v, Agreement::Disagree), share(&v, Agreement::Agree));
        eprintln!("equal drivers, 9 passes at 5 % noise: called different {differ}, the same {same}");
        assert!(differ <= 0.01, "false differences: {differ}");
        // Showing "the same" within ±5 % needs a narrow interval: 9 passes this noisy give one 2 times in 5.
        assert!(same >= 0.35, "said the same: {same}");
    }

    #[test]
    fn a_fifteen_percent_gap_is_seen_four_times_in_five() {
        for truth in [1.15, 1.0 / 1.15] {
            let v = verdicts(truth, 9, 2);
            eprintln!("drivers {truth:.3}× apart, 9 passes at 5 % noise: called different {}", share(&v, Agreement::Disagree));
            assert!(share(&v, Agreement::Disagree) >= 0.8, "{truth}: seen {}", share(&v, Agreement::Disagree));
            assert_eq!(share(&v, Agreement::Agree), 0.0, "{truth}: never called the same");
        }
    }

    fn row(threads: usize, controls: &[(usize, DriverControl)]) -> ThreadRow {
        let passes = controls.iter().map(|(pass, c)| PassSample { pass: *pass, control: Some(c.clone()), ..Default::default() }).collect();
        ThreadRow { passes, ..crate::testing::measured_row(threads, 1.0, 0.0) }
    }

    fn control(rust: f64, python: f64, main: f64) -> DriverControl {
        DriverControl { rust, python, main: Some(main) }
    }

    #[test]
    fn speedups_pair_passes_by_number_and_name_the_factor() {
        // ftbench's loop doubles at 2 threads on both drivers; compiled as __main__ it halves.
        let noise = [1.0, 1.02, 0.98, 1.01];
        let base = row(1, &noise.iter().enumerate().map(|(p, n)| (p, control(10.0 * n, 10.0 * n, 10.0 * n))).collect::<Vec<_>>());
        // Pass 3 of the 2-thread row is missing: pass numbers, not positions, pair the rows.
        let two = row(2, &noise[..3].iter().enumerate().map(|(p, n)| (p, control(20.0 * n, 19.8 * n, 5.0 * n))).collect::<Vec<_>>());
        let rust = speedup(&base, &two, Context::Rust).unwrap();
        assert_eq!(rust.passes, 3);
        assert!((rust.value - 2.0).abs() < 1e-9, "{rust:?}");
        assert!((speedup(&base, &two, Context::Main).unwrap().value - 0.5).abs() < 1e-9);
        let driver = speedup_gap(&base, &two, Context::Rust, Context::Python);
        let code = speedup_gap(&base, &two, Context::Python, Context::Main);
        assert_eq!(driver.unwrap().agreement(), Agreement::Agree);
        assert_eq!(code.unwrap().agreement(), Agreement::Disagree);
        assert_eq!(explain(driver, code, "a .pyc"), "where the code was compiled: as __main__ (ftscalingbench) against a .pyc");
        assert!(explain(code, driver, "a .pyc").starts_with("the driver"));
    }
}
