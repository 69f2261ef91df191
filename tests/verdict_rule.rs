//! The verdict rule measured over simulated runs with a known truth (`ftbench::testing::simulate`,
//! fixed seeds): how often unchanged code gets a verdict, how often a real change is caught, and
//! what the shared-VM model can detect. Each test compares many simulated pairs and gates rates,
//! not single outcomes.

use fastrand::Rng;
use ftbench::compare::{compare, compare_paired, Change, CompareOptions, Comparison, MetricChange, RowOutcome};
use ftbench::results::{GilMode, RunResults};
use ftbench::stats;
use ftbench::testing::simulate::{first_passes, simulated_ab, simulated_run, Machine, Suite, Truth};

const PAIRS: usize = 20;

/// Every judged figure of a comparison: (workload, mode, threads, is throughput, figure).
fn figures(c: &Comparison) -> Vec<(String, GilMode, usize, bool, MetricChange)> {
    let mut out = Vec::new();
    for r in &c.rows {
        if let RowOutcome::Compared { throughput, speedup } = &r.outcome {
            out.push((r.workload.clone(), r.mode, r.threads, true, throughput.clone()));
            out.extend(speedup.clone().map(|s| (r.workload.clone(), r.mode, r.threads, false, s)));
        }
    }
    out
}

fn flagged(m: &MetricChange) -> bool {
    matches!(m.change, Change::Regressed | Change::Improved)
}

/// Two separate runs of the same suite, the second's code as `truth` says.
fn two_runs(machine: &Machine, truth: Truth, rng: &mut Rng) -> Comparison {
    let suite = Suite::default();
    let base = simulated_run("base", &suite, machine, &|_, _, _| 1.0, rng);
    let new = simulated_run("new", &suite, machine, truth, rng);
    compare(&base, &new, &CompareOptions::default())
}

/// One `ab` run: its two sides judged pass by pass.
fn side_by_side(machine: &Machine, truth: Truth, rng: &mut Rng) -> Comparison {
    let (base, new): (RunResults, RunResults) = simulated_ab(&Suite { passes: 8, ..Suite::default() }, machine, truth, rng);
    compare_paired(&base, &new, &CompareOptions::default())
}

/// A/A: at most 1 % of figures and at most 5 % of comparisons with any regressed/improved verdict;
/// and no figure called unchanged whose interval reaches past ±T.
fn assert_aa(what: &str, comparisons: &[Comparison]) {
    let all: Vec<_> = comparisons.iter().flat_map(figures).collect();
    let false_figures = all.iter().filter(|f| flagged(&f.4)).count();
    let false_comparisons = comparisons.iter().filter(|c| figures(c).iter().any(|f| flagged(&f.4))).count();
    eprintln!("{what}: {false_figures} false verdicts in {} figures, {false_comparisons} of {} comparisons", all.len(), comparisons.len());
    assert!(false_figures as f64 <= 0.01 * all.len() as f64, "{what}: {false_figures} of {} figures", all.len());
    assert!(false_comparisons as f64 <= 0.05 * comparisons.len() as f64, "{what}: {false_comparisons} comparisons");
    assert_unchanged_only_within_threshold(comparisons);
}

fn assert_unchanged_only_within_threshold(comparisons: &[Comparison]) {
    for f in comparisons.iter().flat_map(figures) {
        let (lo, hi) = f.4.change_interval_pct;
        if f.4.change == Change::Unchanged {
            assert!(lo > -5.0 && hi < 5.0, "unchanged with an interval of [{lo}, {hi}]");
        }
    }
}

/// The share of the selected figures (throughput only) called regressed.
fn caught(comparisons: &[Comparison], select: impl Fn(&str, GilMode, usize) -> bool) -> (usize, usize) {
    let selected: Vec<_> = comparisons.iter().flat_map(figures).filter(|f| f.3 && select(&f.0, f.1, f.2)).collect();
    (selected.iter().filter(|f| f.4.change == Change::Regressed).count(), selected.len())
}

fn flagged_outside(comparisons: &[Comparison], changed: impl Fn(&str, GilMode, usize) -> bool) -> Vec<String> {
    comparisons
        .iter()
        .flat_map(figures)
        .filter(|f| !changed(&f.0, f.1, f.2) && f.3 && flagged(&f.4))
        .map(|f| format!("{}/{}/{}t {:+.1} %", f.0, f.1, f.2, f.4.change_pct))
        .collect()
}

#[test]
fn a_a_comparisons_rarely_get_a_verdict_on_either_machine() {
    for (name, machine) in [("quiet", Machine::quiet()), ("drifting", Machine::drifting()), ("shared VM", Machine::shared_vm())] {
        let mut rng = Rng::with_seed(22);
        let runs: Vec<Comparison> = (0..PAIRS).map(|_| two_runs(&machine, &|_, _, _| 1.0, &mut rng)).collect();
        assert_aa(&format!("{name}, two runs"), &runs);
        let abs: Vec<Comparison> = (0..PAIRS).map(|_| side_by_side(&machine, &|_, _, _| 1.0, &mut rng)).collect();
        assert_aa(&format!("{name}, ab"), &abs);
    }
}

/// Two runs of 9 passes catch it four times in five; `ab`'s 8 pass pairs, whose sides each carry
/// their own noise, leave the family test fewer degrees of freedom (a 20 %-trimmed mean of 8 keeps
/// 6), so it is gated lower: its figure is printed (`--passes` raises it).
#[test]
fn one_workload_ten_percent_slower_is_caught_on_a_quiet_machine() {
    let slowed = |w: &str, _: GilMode, t: usize| w == "w00" && t == 1;
    let truth = |i: usize, _: GilMode, t: usize| if i == 0 && t == 1 { 0.9 } else { 1.0 };
    let mut rng = Rng::with_seed(23);
    let designs = [("two runs", two_runs as fn(&Machine, Truth, &mut Rng) -> Comparison, 0.8), ("ab", side_by_side, 0.6)];
    for (name, design, power) in designs {
        let comparisons: Vec<Comparison> = (0..PAIRS).map(|_| design(&Machine::quiet(), &truth, &mut rng)).collect();
        let (hit, of) = caught(&comparisons, slowed);
        eprintln!("quiet, {name}: a 10 % slowdown of one workload caught in {hit} of {of} figures");
        assert!(hit as f64 >= power * of as f64, "{name}: {hit} of {of}");
        let others = flagged_outside(&comparisons, slowed);
        assert!(others.len() <= 1, "{name}: {others:?}");
        assert_unchanged_only_within_threshold(&comparisons);
    }
}

#[test]
fn a_gil_off_only_slowdown_of_every_row_is_caught_and_gil_on_rows_stay_clean() {
    let off = |_: &str, mode: GilMode, _: usize| mode == GilMode::Off;
    let truth = |_: usize, mode: GilMode, _: usize| if mode == GilMode::Off { 0.9 } else { 1.0 };
    let mut rng = Rng::with_seed(24);
    for (name, design) in [("two runs", two_runs as fn(&Machine, Truth, &mut Rng) -> Comparison), ("ab", side_by_side)] {
        let comparisons: Vec<Comparison> = (0..PAIRS).map(|_| design(&Machine::quiet(), &truth, &mut rng)).collect();
        let (hit, of) = caught(&comparisons, off);
        eprintln!("quiet, {name}: a 10 % GIL-off-only slowdown caught in {hit} of {of} GIL-off figures");
        assert!(hit as f64 >= 0.8 * of as f64, "{name}: {hit} of {of}");
        let gil_on = flagged_outside(&comparisons, off);
        assert!(gil_on.len() as f64 <= 0.01 * of as f64, "{name}: {gil_on:?}");
        assert_unchanged_only_within_threshold(&comparisons);
    }
    // On the shared-VM model, side by side: what is caught is printed (the real VM's figures come
    // from `cargo xtask aa`); GIL-on rows must stay clean.
    let comparisons: Vec<Comparison> = (0..PAIRS).map(|_| side_by_side(&Machine::shared_vm(), &truth, &mut rng)).collect();
    let (hit, of) = caught(&comparisons, |_, mode, t| mode == GilMode::Off && t == 1);
    eprintln!("shared VM, ab: caught in {hit} of {of} GIL-off 1-thread figures");
    let gil_on = flagged_outside(&comparisons, off);
    assert!(gil_on.len() as f64 <= 0.01 * of as f64, "{gil_on:?}");
}

/// What the shared-VM model can detect, per thread count (the median smallest change a figure
/// would call regressed four times in five): printed for the docs, and ordered as contention makes
/// it (more threads, less to see), which the model's noise implies.
#[test]
fn what_the_shared_vm_can_detect() {
    let mut rng = Rng::with_seed(25);
    let runs: Vec<Comparison> = (0..PAIRS / 4).map(|_| two_runs(&Machine::shared_vm(), &|_, _, _| 1.0, &mut rng)).collect();
    let abs: Vec<Comparison> = (0..PAIRS / 4).map(|_| side_by_side(&Machine::shared_vm(), &|_, _, _| 1.0, &mut rng)).collect();
    for (name, comparisons) in [("two runs", &runs), ("ab", &abs)] {
        let at = |t: usize| {
            let d: Vec<f64> = comparisons.iter().flat_map(figures).filter(|f| f.3 && f.2 == t).map(|f| f.4.detectable_pct).collect();
            stats::median(&d).unwrap()
        };
        let (one, two, four) = (at(1), at(2), at(4));
        eprintln!("shared VM, {name}: detectable throughput change {one:.1} % at 1 thread, {two:.1} % at 2, {four:.1} % at 4");
        assert!(one > 5.0 && one < two && two <= four * 1.2, "{name}: {one} {two} {four}");
    }
}

/// `ab` with its confirmation: every regressed or improved figure measured again (a second `ab`
/// of the same code, in fresh processes: its own run effects), standing only if it agrees.
fn confirmed_ab(machine: &Machine, truth: Truth, rng: &mut Rng) -> Comparison {
    let mut first = side_by_side(machine, truth, rng);
    if !first.flagged_ids().is_empty() {
        first.confirm(&side_by_side(machine, truth, rng));
    }
    first
}

/// What bit real A/A pairs (run effects the canaries cannot see) on the shared VM and on a noisy
/// day (25 % drift): today's rules, printed, and `ab` with its confirmation, gated — at most 1 %
/// of A/A comparisons with any verdict, and a true 10 % one-workload slowdown at 1 thread still
/// confirmed whenever the first measurement caught it.
#[test]
fn run_effects_are_caught_by_the_confirmation_not_called_changes() {
    let aa = |design: fn(&Machine, Truth, &mut Rng) -> Comparison, machine: &Machine, n: usize, rng: &mut Rng| {
        let cs: Vec<Comparison> = (0..n).map(|_| design(machine, &|_, _, _| 1.0, rng)).collect();
        let figures_flagged = cs.iter().flat_map(figures).filter(|f| flagged(&f.4)).count();
        (cs.iter().filter(|c| figures(c).iter().any(|f| flagged(&f.4))).count(), figures_flagged)
    };
    let mut rng = Rng::with_seed(31);
    let designs =
        [("two runs", two_runs as fn(&Machine, Truth, &mut Rng) -> Comparison), ("ab", side_by_side), ("ab confirmed", confirmed_ab)];
    for (name, machine) in [("shared VM + run effects", Machine::shared_vm().with_run_effects()), ("noisy day", Machine::noisy_day())] {
        for (design, f) in designs {
            let n = if design == "ab confirmed" { 100 } else { PAIRS };
            let (comparisons, figs) = aa(f, &machine, n, &mut rng);
            eprintln!("{name}, {design}: A/A with a verdict in {comparisons} of {n} comparisons ({figs} figures)");
            if design == "ab confirmed" {
                assert!(comparisons as f64 <= 0.01 * n as f64, "{name}, {design}: {comparisons} of {n}");
            }
        }
    }
    // A real slowdown survives its confirmation: gated where `ab` catches it often enough to count
    // (a quiet box with run effects), printed for the shared VM.
    let slowed = |w: &str, _: GilMode, t: usize| w == "w00" && t == 1;
    let truth = |i: usize, _: GilMode, t: usize| if i == 0 && t == 1 { 0.9 } else { 1.0 };
    for (name, machine, gated) in [
        ("quiet + run effects", Machine::quiet().with_run_effects(), true),
        ("shared VM + run effects", Machine::shared_vm().with_run_effects(), false),
    ] {
        let (mut first, mut kept) = (0, 0);
        for _ in 0..PAIRS {
            let mut c = side_by_side(&machine, &truth, &mut rng);
            let before = caught(std::slice::from_ref(&c), slowed).0;
            c.confirm(&side_by_side(&machine, &truth, &mut rng));
            (first, kept) = (first + before, kept + caught(std::slice::from_ref(&c), slowed).0);
        }
        eprintln!("{name}, ab: a 10 % slowdown caught in {first} of {} figures, {kept} confirmed", 2 * PAIRS);
        assert!(!gated || (first >= PAIRS && kept as f64 >= 0.9 * first as f64), "{name}: {kept} of {first} confirmed");
    }
}

/// `ab --until-decided` in the simulator: up to `LOOKS` looks at 8, 16, … pass pairs of one `ab`
/// (its run effects fixed throughout, as more passes of the same sides keep them), each judged at
/// its share of the error rates (`CompareOptions::per_look`), stopping when every 1-thread figure is
/// decided; then the confirmation of what it flagged (a fresh `ab` of as many pass pairs).
fn sequential_ab(machine: &Machine, truth: Truth, rng: &mut Rng) -> Comparison {
    const LOOKS: usize = 6;
    let (base, new) = simulated_ab(&Suite { passes: 8 * LOOKS, ..Suite::default() }, machine, truth, rng);
    let opts = CompareOptions::default().per_look(LOOKS);
    let mut look = 1;
    let mut c = loop {
        let c = compare_paired(&first_passes(&base, 8 * look), &first_passes(&new, 8 * look), &opts);
        let undecided = figures(&c).iter().any(|f| f.2 == 1 && f.4.change == Change::Inconclusive);
        if !undecided || look == LOOKS {
            break c;
        }
        look += 1;
    };
    if !c.flagged_ids().is_empty() {
        let (b, n) = simulated_ab(&Suite { passes: 8 * look, ..Suite::default() }, machine, truth, rng);
        c.confirm(&compare_paired(&b, &n, &CompareOptions::default()));
    }
    c
}

/// On the noisy day (25 % drift, run effects), a 10 % slowdown of one workload at 1 thread: caught
/// four times in five by the sequential `ab`, with no verdict in A/A comparisons; `ab` as it was
/// (8 pass pairs, no confirmation) printed beside it.
#[test]
fn sequential_ab_decides_on_a_noisy_day() {
    let slowed = |w: &str, _: GilMode, t: usize| w == "w00" && t == 1;
    let truth = |i: usize, _: GilMode, t: usize| if i == 0 && t == 1 { 0.9 } else { 1.0 };
    let mut rng = Rng::with_seed(41);
    let machine = Machine::noisy_day();
    let once: Vec<Comparison> = (0..PAIRS).map(|_| side_by_side(&machine, &truth, &mut rng)).collect();
    let until: Vec<Comparison> = (0..PAIRS).map(|_| sequential_ab(&machine, &truth, &mut rng)).collect();
    let ((o, of), (u, _)) = (caught(&once, slowed), caught(&until, slowed));
    eprintln!("noisy day: a 10 % slowdown at 1 thread caught in {o} of {of} figures by ab, {u} by ab --until-decided (confirmed)");
    assert!(u as f64 >= 0.8 * of as f64, "{u} of {of}");
    let aa: Vec<Comparison> = (0..PAIRS).map(|_| sequential_ab(&machine, &|_, _, _| 1.0, &mut rng)).collect();
    let false_comparisons = aa.iter().filter(|c| figures(c).iter().any(|f| flagged(&f.4))).count();
    eprintln!("noisy day, ab --until-decided: A/A with a verdict in {false_comparisons} of {PAIRS} comparisons");
    assert_eq!(false_comparisons, 0);
}
