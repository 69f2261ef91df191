//! The figures derived from the passes (the run's noise, each row's estimates, speedups, physical
//! sanity, free-threading gain): recomputed from the samples after every child, never measured.

use std::collections::BTreeMap;

use super::*;

impl RunResults {
    /// Fills every derived figure from the passes: the run's noise, each row's estimates, status
    /// (disturbed or not), speedup, efficiency, physical sanity and free-threading gain.
    /// Idempotent: it runs again after every child, as passes arrive.
    pub fn derive_figures(&mut self) {
        self.noise = derive_noise(&self.workloads);
        let medians = self.noise.as_ref().map(|n| n.canary_median.clone()).unwrap_or_default();
        // Unknown core counts (0) bound GIL-off speedups by the thread count alone.
        let cores = if self.machine.logical_cores == 0 { usize::MAX } else { self.machine.logical_cores };
        for w in &mut self.workloads {
            let median = medians.get(&w.mode).copied();
            for r in &mut w.rows {
                derive_estimates(r, median);
            }
            derive_speedups(w, cores);
        }
        let gil_on: BTreeMap<(String, usize), f64> = self
            .workloads
            .iter()
            .filter(|w| w.mode == GilMode::On)
            .flat_map(|w| w.rows.iter().filter(|r| r.is_valid()).map(move |r| (w, r)))
            .map(|(w, r)| ((w.workload.clone(), r.threads), r.throughput.unwrap().point))
            .collect();
        for w in self.workloads.iter_mut().filter(|w| w.mode == GilMode::Off) {
            for r in &mut w.rows {
                let on = gil_on.get(&(w.workload.clone(), r.threads));
                r.ft_gain = match (r.is_valid(), on) {
                    (true, Some(on)) => Some(r.throughput.unwrap().point / on),
                    _ => None,
                };
            }
        }
    }
}

/// A row stays disturbed when fewer than half of its passes (rounded up) were quiet. A row without
/// passes (written by hand, or by a tool that only has estimates) keeps the estimates it has.
fn derive_estimates(r: &mut ThreadRow, canary_median: Option<f64>) {
    if r.passes.is_empty() {
        return;
    }
    let quiet: Vec<PassSample> = r.quiet_passes().cloned().collect();
    let disturbed = r.passes.len() - quiet.len();
    r.disturbed = (quiet.is_empty() || disturbed * 2 > r.passes.len())
        .then(|| format!("the machine was disturbed in {disturbed} of {} passes", r.passes.len()));
    let measured = matches!(r.status, RowStatus::Ok | RowStatus::LostUpdates);
    // A disturbed row still shows what it measured (never ranked or judged).
    let quiet = if r.disturbed.is_some() { r.passes.clone() } else { quiet };
    let raw: Vec<f64> = quiet.iter().map(|p| p.throughput).collect();
    r.throughput = if measured { Estimate::of(&raw) } else { None };
    // Each pass over its own canaries: they ran on the row's first worker thread, whose vCPU's speed
    // is the one that matters (another vCPU's may differ by 2x at the same moment).
    let normalised: Option<Vec<f64>> = quiet.iter().map(|p| Some(p.throughput / p.canary()? * canary_median?)).collect();
    r.normalised = if measured { normalised.and_then(|v| Estimate::of(&v)) } else { None };
}

/// Speedup against the smallest measured thread count: the ratio of the two rows' unslowed
/// throughputs. Not pass by pass: a pass's rows run a second apart, and a 1-thread row on a slow
/// second against a 4-thread row on a fast one made GIL-on speedups of 1.2-1.8 on a busy host.
fn derive_speedups(w: &mut WorkloadResult, cores: usize) {
    let ok = |r: &ThreadRow| r.status == RowStatus::Ok;
    let base = w.rows.iter().filter(|r| ok(r)).filter_map(|r| Some((r.threads, unslowed_throughput(r)?))).min_by_key(|(t, _)| *t);
    for r in &mut w.rows {
        r.implausible = None;
        let Some(((base_threads, b), t)) = base.zip(ok(r).then(|| unslowed_throughput(r)).flatten()) else {
            (r.speedup, r.efficiency) = (None, None);
            continue;
        };
        let speedup = t / b;
        r.speedup = Some(speedup);
        r.efficiency = Some(speedup * base_threads as f64 / r.threads as f64);
        r.implausible = implausible(w.mode, speedup, r.threads, base_threads, cores);
    }
}

/// How fast a row ran when the machine left it alone: the mean of the faster half of its quiet
/// passes (of every pass when none was quiet), as `compare` judges throughput. A row without
/// passes (see derive_estimates) has its point estimate.
fn unslowed_throughput(r: &ThreadRow) -> Option<f64> {
    let quiet: Vec<f64> = r.quiet_passes().map(|p| p.throughput).collect();
    let passes = if quiet.is_empty() { r.passes.iter().map(|p| p.throughput).collect() } else { quiet };
    crate::stats::mean(&crate::stats::faster_half(&passes)).or(r.throughput.map(|t| t.point))
}

/// With the GIL on, threads cannot run Python in parallel: a speedup above 1.2 means the work
/// changed with the thread count. With it off, no speedup can exceed the cores the threads could
/// use (10 % allowed for noise).
pub fn implausible(mode: GilMode, speedup: f64, threads: usize, base: usize, cores: usize) -> Option<String> {
    let limit = match mode {
        GilMode::On => 1.2,
        GilMode::Off => threads.min(cores) as f64 / base.min(cores) as f64 * 1.1,
    };
    (speedup > limit).then(|| {
        let why = match mode {
            GilMode::On => "with the GIL on threads cannot run Python in parallel".to_string(),
            GilMode::Off => format!("{threads} threads on {cores} cores cannot do more"),
        };
        format!("speedup {speedup:.2}x at {threads} threads is above {limit:.2}x: {why}")
    })
}

fn derive_noise(workloads: &[WorkloadResult]) -> Option<Noise> {
    let samples: Vec<(GilMode, &PassSample)> =
        workloads.iter().flat_map(|w| w.rows.iter().flat_map(move |r| r.passes.iter().map(move |p| (w.mode, p)))).collect();
    if samples.is_empty() {
        return None;
    }
    let mut canary_median = BTreeMap::new();
    for mode in GilMode::ALL {
        let canaries: Vec<f64> = samples.iter().filter(|(m, _)| *m == mode).filter_map(|(_, p)| p.canary()).collect();
        if let Some(m) = crate::stats::median(&canaries) {
            canary_median.insert(mode, m);
        }
    }
    // Every single canary, relative to its mode's median, so both modes pool into one figure.
    let relative: Vec<f64> = samples
        .iter()
        .flat_map(|(m, p)| [p.canary_before, p.canary_after].into_iter().flatten().map(move |c| (m, c)))
        .filter_map(|(m, c)| Some(c / canary_median.get(m)?))
        .collect();
    let steals: Vec<f64> = samples.iter().filter_map(|(_, p)| p.steal).collect();
    Some(Noise {
        canary_median,
        canary_cv: crate::stats::cv(&relative),
        steal_mean: crate::stats::mean(&steals),
        disturbed_passes: samples.iter().filter(|(_, p)| !p.quiet()).count(),
        passes: samples.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(pass: usize, throughput: f64, canary: f64, disturbed: bool) -> PassSample {
        PassSample {
            pass,
            throughput,
            rounds: 3,
            canary_before: Some(canary),
            canary_after: Some(canary),
            disturbed: disturbed.then(|| "the canary moved".to_string()),
            ..Default::default()
        }
    }

    fn row(threads: usize, passes: Vec<PassSample>) -> ThreadRow {
        ThreadRow::new(threads, 10, passes)
    }

    /// A run of one workload `w` on two cores.
    fn run(mode: GilMode, min_threads: usize, rows: Vec<ThreadRow>) -> RunResults {
        let mut r = crate::testing::run("t");
        r.machine.logical_cores = 2;
        let meta = WorkloadMeta { min_threads, ..Default::default() };
        r.workloads.push(WorkloadResult { meta, ..crate::testing::workload("w", mode, WorkloadStatus::Ran, rows) });
        r.derive_figures();
        r
    }

    #[test]
    fn estimates_come_from_quiet_passes_with_a_student_t_interval() {
        let r = run(GilMode::Off, 1, vec![row(1, vec![pass(0, 90.0, 1.0, false), pass(1, 110.0, 1.0, false), pass(2, 1.0, 1.0, true)])]);
        let t = r.workloads[0].rows[0].throughput.unwrap();
        assert_eq!((t.point, t.samples), (100.0, 2), "the disturbed pass is left out");
        let [lo, hi] = t.interval.unwrap();
        // sd 14.14, se 10, t(0.975, 1) = 12.706: ±127.06, the lower end clamped at 0.
        assert!((hi - 227.06).abs() < 0.01 && lo == 0.0, "{lo} {hi}");
        let one = run(GilMode::Off, 1, vec![row(1, vec![pass(0, 90.0, 1.0, false)])]);
        assert_eq!(one.workloads[0].rows[0].throughput.unwrap().interval, None, "one pass: no interval");
    }

    #[test]
    fn normalised_throughput_divides_out_the_canary() {
        // The machine ran at half speed in pass 1: raw throughput halves, normalised does not.
        let r = run(GilMode::Off, 1, vec![row(1, vec![pass(0, 100.0, 2.0, false), pass(1, 50.0, 1.0, false)])]);
        let row = &r.workloads[0].rows[0];
        let n = row.normalised.unwrap();
        assert_eq!(n.point, 75.0, "both passes at the median canary 1.5: 75 ops/s");
        assert_eq!(n.interval.unwrap()[0], n.interval.unwrap()[1], "no spread left");
        assert!(row.throughput.unwrap().interval.unwrap()[1] > 100.0);
        // Canaries 2, 2, 1, 1 around their median 1.5: coefficient of variation 0.385.
        assert!((r.noise.unwrap().canary_cv.unwrap() - 0.3849).abs() < 1e-3);
    }

    #[test]
    fn a_row_disturbed_in_most_passes_is_flagged_and_not_valid() {
        let passes = vec![pass(0, 90.0, 1.0, true), pass(1, 110.0, 1.0, true), pass(2, 100.0, 1.0, false)];
        let r = run(GilMode::Off, 1, vec![row(1, passes)]);
        let row = &r.workloads[0].rows[0];
        assert_eq!(row.status, RowStatus::Ok, "verified all the same");
        assert_eq!(row.disturbed.as_deref(), Some("the machine was disturbed in 2 of 3 passes"));
        assert!(!row.is_valid() && row.throughput.is_some(), "shown, never ranked");
        assert_eq!(r.noise.as_ref().unwrap().disturbed_passes, 2);
    }

    #[test]
    fn speedup_is_against_the_smallest_thread_count() {
        let base = row(2, vec![pass(0, 100.0, 1.0, false), pass(1, 50.0, 1.0, false)]);
        let four = row(4, vec![pass(0, 150.0, 1.0, false), pass(1, 75.0, 1.0, false)]);
        let r = run(GilMode::Off, 2, vec![base, four]);
        let four = &r.workloads[0].rows[1];
        assert_eq!(four.speedup, Some(1.5), "relative to 2 threads");
        assert_eq!(four.efficiency, Some(0.75), "1.5 of an ideal 2");
    }

    #[test]
    fn a_base_pass_the_machine_slowed_makes_no_speedup() {
        // GIL on, the same speed at 1 and 2 threads, but one 1-thread pass ran on a slow second
        // its canaries missed: pass by pass, that pass alone gave 2x and the mean 1.25x.
        let one = row(1, [100.0, 100.0, 100.0, 50.0].iter().enumerate().map(|(i, t)| pass(i, *t, 1.0, false)).collect());
        let two = row(2, (0..4).map(|i| pass(i, 100.0, 1.0, false)).collect());
        let r = run(GilMode::On, 1, vec![one, two]);
        let two = &r.workloads[0].rows[1];
        assert_eq!(two.speedup, Some(1.0));
        assert_eq!(two.implausible, None, "physically plausible");
    }

    #[test]
    fn physically_impossible_speedups_are_flagged() {
        // GIL on: 1.5x at 2 threads cannot be.
        let r = run(GilMode::On, 1, vec![row(1, vec![pass(0, 100.0, 1.0, false)]), row(2, vec![pass(0, 150.0, 1.0, false)])]);
        let two = &r.workloads[0].rows[1];
        assert!(two.implausible.as_deref().unwrap().contains("GIL on"), "{:?}", two.implausible);
        assert!(!two.is_valid());
        // GIL off on 2 cores: 2.5x at 4 threads cannot be; 1.9x can.
        assert!(implausible(GilMode::Off, 2.5, 4, 1, 2).is_some());
        assert!(implausible(GilMode::Off, 1.9, 4, 1, 2).is_none());
        assert!(implausible(GilMode::On, 1.15, 4, 1, 2).is_none());
    }
    #[test]
    fn a_row_has_a_problem_exactly_when_it_is_not_valid_in_the_words_every_writer_uses() {
        let measured = || ThreadRow { throughput: Estimate::of(&[1.0, 1.1]), ..row(2, vec![]) };
        let cases = [
            (ThreadRow { throughput: None, ..row(2, vec![]) }, Some("no throughput")),
            (ThreadRow { implausible: Some("too fast".into()), disturbed: Some("x".into()), ..measured() }, Some("implausible: too fast")),
            (ThreadRow { disturbed: Some("steal".into()), ..measured() }, Some("disturbed: steal")),
            (ThreadRow { status: RowStatus::Invalid, message: Some("\n boom \nmore".into()), ..measured() }, Some("invalid: boom")),
            (ThreadRow { status: RowStatus::LostUpdates, lost_updates: 7, ..measured() }, Some("lost updates (7)")),
            (ThreadRow { status: RowStatus::Error, ..measured() }, Some("error")),
            (measured(), None),
        ];
        for (r, want) in cases {
            assert_eq!(r.problem().map(|p| p.to_string()).as_deref(), want);
            assert_eq!(r.is_valid(), want.is_none());
        }
        assert_eq!((WorkloadStatus::Timeout.label(), RowStatus::LostUpdates.label()), ("timed out", "lost updates"));
    }
}
