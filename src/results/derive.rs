//! The figures derived from the passes (the run's noise, each row's estimates, speedups, physical
//! sanity, free-threading gain): recomputed from the samples after every child, never measured.

use std::collections::BTreeMap;

use super::*;

impl RunResults {
    /// Fills every derived figure from the passes: the run's noise, each row's estimates, status
    /// (disturbed or not), speedup, efficiency, physical sanity and free-threading gain, and the
    /// intervals of the ratios. Idempotent: it runs again after every child, as passes arrive.
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
        let gil_on: BTreeMap<(String, usize), ThreadRow> = self
            .workloads
            .iter()
            .filter(|w| w.mode == GilMode::On)
            .flat_map(|w| w.rows.iter().filter(|r| r.is_valid()).map(move |r| ((w.workload.clone(), r.threads), r.clone())))
            .collect();
        for w in self.workloads.iter_mut().filter(|w| w.mode == GilMode::Off) {
            for r in &mut w.rows {
                let on = gil_on.get(&(w.workload.clone(), r.threads)).filter(|_| r.is_valid());
                r.ft_gain = on.and_then(|on| Some(r.throughput?.point / on.throughput?.point));
                r.ft_gain_interval = on.zip(r.ft_gain).and_then(|(on, gain)| ratio_interval(gain, r, on));
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
    r.throughput = if measured { Estimate::unslowed(&raw) } else { None };
    // Each pass over its own canaries: they ran on the row's first worker thread, whose vCPU's speed
    // is the one that matters (another vCPU's may differ by 2x at the same moment).
    let normalised: Option<Vec<f64>> = quiet.iter().map(|p| Some(p.throughput / p.canary()? * canary_median?)).collect();
    r.normalised = if measured { normalised.and_then(|v| Estimate::unslowed(&v)) } else { None };
}

/// Speedup against the smallest measured thread count: the ratio of the two rows' throughputs
/// (each the faster half of its passes), so it is the ratio of the figures shown. Not a mean of
/// pass-by-pass ratios: a pass's rows run a second apart, and a 1-thread row on a slow second
/// against a 4-thread row on a fast one made GIL-on speedups of 1.2-1.8 on a busy host. The
/// per-pass ratios give its interval only.
fn derive_speedups(w: &mut WorkloadResult, cores: usize) {
    let ok = |r: &ThreadRow| r.status == RowStatus::Ok && r.throughput.is_some();
    let base = w.rows.iter().filter(|r| ok(r)).min_by_key(|r| r.threads).cloned();
    for r in &mut w.rows {
        r.implausible = None;
        let Some(b) = base.as_ref().filter(|_| ok(r)) else {
            (r.speedup, r.speedup_interval, r.efficiency) = (None, None, None);
            continue;
        };
        let speedup = r.throughput.unwrap().point / b.throughput.unwrap().point;
        r.speedup = Some(speedup);
        r.speedup_interval = if r.threads == b.threads { None } else { ratio_interval(speedup, r, b) };
        r.efficiency = Some(speedup * b.threads as f64 / r.threads as f64);
        r.implausible = implausible(w.mode, speedup, r.threads, (b.threads, busy_share(b)), cores);
    }
}

/// The share of its threads' time a row kept a CPU busy (1 − blocked), when it was measured.
fn busy_share(r: &ThreadRow) -> Option<f64> {
    r.contention.as_ref().map(|c| (1.0 - c.blocked_fraction).clamp(0.0, 1.0))
}

/// The 95 % interval of `point`, the ratio of row `num`'s figure to row `den`'s, from the same
/// ratio pass by pass (the quiet passes both measured; the two rows of a pass ran in the same
/// child, or, across GIL modes, in the same shuffled pass): Student's t on the logs of those
/// ratios, centred on `point` (the paired delta method). None below two such passes.
fn ratio_interval(point: f64, num: &ThreadRow, den: &ThreadRow) -> Option<[f64; 2]> {
    let by_pass: BTreeMap<usize, f64> = den.quiet_passes().map(|p| (p.pass, p.throughput)).collect();
    let logs: Vec<f64> =
        num.quiet_passes().filter_map(|p| Some((p.throughput / by_pass.get(&p.pass)?).ln())).filter(|x| x.is_finite()).collect();
    let spread = crate::stats::variance(&logs)?.sqrt() / (logs.len() as f64).sqrt();
    let half = crate::stats::t_quantile(0.95, (logs.len() - 1) as f64) * spread;
    Some([point * (-half).exp(), point * half.exp()])
}

/// A speedup cannot exceed the CPU the row's threads could use over the CPU its base row used
/// (`base` = its thread count and the busy share of its threads, when measured): with the GIL on
/// at most one core runs Python, with it off at most the cores the threads could use. A base row
/// whose threads mostly waited (an Event hand-off, a Barrier) left idle CPU that more threads can
/// use; a CPU-bound or unmeasured one is taken to have used all it could. 20 % (GIL on) and 10 %
/// (off) are allowed for noise.
pub fn implausible(mode: GilMode, speedup: f64, threads: usize, base: (usize, Option<f64>), cores: usize) -> Option<String> {
    let capacity = |t: usize| match mode {
        GilMode::On => 1.0,
        GilMode::Off => t.min(cores) as f64,
    };
    let (base_threads, busy) = base;
    let used = busy.map_or(capacity(base_threads), |b| (base_threads as f64 * b).clamp(0.05, capacity(base_threads)));
    let slack = if mode == GilMode::On { 1.2 } else { 1.1 };
    let limit = slack * capacity(threads) / used;
    (speedup > limit).then(|| {
        let why = match mode {
            GilMode::On => "with the GIL on threads cannot run Python in parallel".to_string(),
            GilMode::Off => format!("{threads} threads on {cores} cores cannot do more"),
        };
        let base_use =
            busy.map(|_| format!(" (its base, {}, kept {used:.2} cores busy)", crate::text::threads(base_threads))).unwrap_or_default();
        format!("speedup {speedup:.2}x at {threads} threads is above {limit:.2}x: {why}{base_use}")
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
        assert!(implausible(GilMode::Off, 2.5, 4, (1, None), 2).is_some());
        assert!(implausible(GilMode::Off, 1.9, 4, (1, None), 2).is_none());
        assert!(implausible(GilMode::On, 1.15, 4, (1, None), 2).is_none());
    }

    #[test]
    fn a_base_row_that_mostly_waited_leaves_cpu_for_more_threads() {
        // Token rings on 2 cores: 1.77x from 2 threads to 4 when the 2-thread row was 46 % blocked
        // (1.08 cores busy) is idle CPU put to use; the same from a CPU-bound base row is not.
        let why = implausible(GilMode::Off, 1.77, 4, (2, Some(0.54)), 2);
        assert_eq!(why, None);
        let bound = implausible(GilMode::Off, 1.77, 4, (2, Some(0.98)), 2).expect("a CPU-bound base keeps today's limit");
        assert!(bound.contains("above 1.12x") && bound.contains("(its base, 2 threads, kept 1.96 cores busy)"), "{bound}");
        assert_eq!(implausible(GilMode::Off, 1.77, 4, (2, None), 2).as_deref().map(|w| w.contains("above 1.10x")), Some(true));
        // With the GIL on, a waiting base leaves the GIL idle too; a busy one does not.
        assert_eq!(implausible(GilMode::On, 1.6, 4, (2, Some(0.3)), 2), None);
        assert!(implausible(GilMode::On, 1.6, 4, (2, Some(0.5)), 2).is_some());
    }

    #[test]
    fn the_busy_share_comes_from_the_base_rows_contention() {
        // Through the derivation: the same 2 → 4 thread figures, once from a base row whose
        // threads were blocked half the time, once from a CPU-bound one.
        let with_blocked = |blocked: f64| {
            let mut base = row(2, vec![pass(0, 100.0, 1.0, false), pass(1, 100.0, 1.0, false)]);
            base.contention = Some(Contention { blocked_fraction: blocked, wall_seconds: 1.0, ..Default::default() });
            let four = row(4, vec![pass(0, 177.0, 1.0, false), pass(1, 177.0, 1.0, false)]);
            run(GilMode::Off, 2, vec![base, four]).workloads[0].rows[1].implausible.clone()
        };
        assert_eq!(with_blocked(0.46), None);
        assert!(with_blocked(0.0).is_some());
    }

    #[test]
    fn every_ratio_is_the_ratio_of_the_figures_shown_with_an_interval_from_its_passes() {
        let passes = |xs: &[f64]| xs.iter().enumerate().map(|(i, t)| pass(i, *t, 1.0, false)).collect::<Vec<_>>();
        let mut r = crate::testing::run("t");
        r.machine.logical_cores = 2;
        let rows = |one: &[f64], two: &[f64]| vec![row(1, passes(one)), row(2, passes(two))];
        r.workloads.push(crate::testing::workload(
            "w",
            GilMode::Off,
            WorkloadStatus::Ran,
            rows(&[100.0, 90.0, 50.0], &[150.0, 140.0, 70.0]),
        ));
        r.workloads.push(crate::testing::workload("w", GilMode::On, WorkloadStatus::Ran, rows(&[100.0, 95.0, 60.0], &[98.0, 96.0, 55.0])));
        r.derive_figures();
        let (off, on) = (&r.workloads[0].rows, &r.workloads[1].rows);
        let point = |row: &ThreadRow| row.throughput.unwrap().point;
        assert_eq!(point(&off[0]), 95.0, "the faster half of 100, 90, 50");
        assert_eq!(off[1].speedup, Some(145.0 / 95.0));
        assert_eq!(off[1].ft_gain, Some(145.0 / 97.0));
        // The passes' speedups 1.5, 1.556, 1.4: the interval holds the point and their spread.
        let [lo, hi] = off[1].speedup_interval.unwrap();
        assert!(lo < 1.4 && hi > 1.56 && lo < off[1].speedup.unwrap() && hi > off[1].speedup.unwrap(), "{lo} {hi}");
        assert!(on[0].speedup_interval.is_none() && off[0].ft_gain_interval.is_some());
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
