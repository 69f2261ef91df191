//! Runs with a known truth, for measuring the verdict rule: how often it calls unchanged code
//! changed, and how often it sees a real change. A [`Machine`] says how a machine moves a
//! measurement: pass-to-pass noise, a vCPU that runs at half speed for stretches (each pass's
//! fastest round escapes it, its canaries see it), slow drift from pass to pass and from run to
//! run, contended rows that land in two clusters, and what is fixed for a whole run but differs
//! between runs, which no canary sees (per workload, and a rare shifted child).

use fastrand::Rng;

use super::{run, workload};
use crate::results::{GilMode, PassSample, RunResults, ThreadRow, WorkloadStatus};

/// How a machine moves measurements. Factors are relative speeds (1 = the code's own).
#[derive(Clone, Copy, Debug)]
pub struct Machine {
    /// Lognormal σ of one pass's throughput, every row.
    pub pass_sigma: f64,
    /// Extra lognormal σ of rows with more threads than one (scheduling).
    pub contended_sigma: f64,
    /// Chance that a contended row's pass lands in the slow cluster, and that cluster's speed.
    pub slow_cluster: (f64, f64),
    /// Chance that a pass's vCPU was at half speed for part of it (a random share); its fastest
    /// round escapes unless the whole pass was slowed (half of those).
    pub slowed_passes: f64,
    /// Lognormal σ of the machine's speed from pass to pass (minutes apart): every row and canary
    /// of a pass shares it.
    pub pass_drift: f64,
    /// The machine's speed in a run is uniform in 1 ± this: everything in the run shares it.
    pub run_drift: f64,
    /// What is fixed for a whole run and differs between runs, which no canary sees (a child's
    /// environment, memory layout, ops per round): each workload × mode of a run (of an `ab`
    /// side) runs at a lognormal factor whose σ is the workload's own, spread over this range.
    pub run_effect: (f64, f64),
    /// Chance that one child (a workload × mode in one pass, every thread count) runs shifted by ±
    /// this factor.
    pub child_shift: (f64, f64),
}

impl Machine {
    /// A dedicated box: 2.5 % pass-to-pass noise, nothing else.
    pub fn quiet() -> Machine {
        Machine {
            pass_sigma: 0.025,
            contended_sigma: 0.0,
            slow_cluster: (0.0, 1.0),
            slowed_passes: 0.0,
            pass_drift: 0.01,
            run_drift: 0.01,
            run_effect: (0.0, 0.0),
            child_shift: (0.0, 0.0),
        }
    }

    /// A quiet box whose speed differs from run to run by up to ±8 % (a laptop on battery or not,
    /// CI runners of one type on different hosts): within a run, as quiet as [`Machine::quiet`].
    pub fn drifting() -> Machine {
        Machine { run_drift: 0.08, ..Machine::quiet() }
    }

    /// This project's 2-vCPU VM: a vCPU at half speed in a third of the passes, 8 % drift from pass
    /// to pass and ±10 % from run to run, contended rows 10 % noisier with a slow cluster at 0.7×.
    pub fn shared_vm() -> Machine {
        Machine {
            pass_sigma: 0.03,
            contended_sigma: 0.10,
            slow_cluster: (0.3, 0.7),
            slowed_passes: 0.33,
            pass_drift: 0.08,
            run_drift: 0.10,
            ..Machine::quiet()
        }
    }

    /// This machine with what bit real A/A pairs: per workload × run a factor of σ 0.5–2 % that
    /// the canaries cannot see, and one child in fifty shifted by ±10 %.
    pub fn with_run_effects(self) -> Machine {
        Machine { run_effect: (0.005, 0.02), child_shift: (0.02, 0.10), ..self }
    }

    /// The shared VM on a noisy day: canary drift of 25 % within and between runs, run effects.
    pub fn noisy_day() -> Machine {
        Machine { pass_drift: 0.12, run_drift: 0.25, ..Machine::shared_vm().with_run_effects() }
    }

    /// Workload `i`'s σ of its run effect: spread evenly over the range, the same in every run.
    fn run_sigma(&self, i: usize) -> f64 {
        let (lo, hi) = self.run_effect;
        lo + (hi - lo) * (i as f64 * 0.618_034).fract()
    }

    /// One run's (or `ab` side's) fixed factors: per workload × mode, every pass times its child's shift.
    fn run_factors(&self, suite: &Suite, rng: &mut Rng) -> Vec<[Vec<f64>; 2]> {
        (0..suite.workloads)
            .map(|i| {
                [0, 1].map(|_| {
                    let fixed = lognormal(rng, self.run_sigma(i));
                    (0..suite.passes).map(|_| fixed * self.child(rng)).collect()
                })
            })
            .collect()
    }

    fn child(&self, rng: &mut Rng) -> f64 {
        let (chance, shift) = self.child_shift;
        match rng.f64() < chance {
            true if rng.bool() => 1.0 + shift,
            true => 1.0 - shift,
            false => 1.0,
        }
    }
}

/// What runs look like: `workloads` workloads in both GIL modes at `threads`, `passes` passes.
#[derive(Clone, Debug)]
pub struct Suite {
    pub workloads: usize,
    pub threads: Vec<usize>,
    pub passes: usize,
}

impl Default for Suite {
    /// About a default run on a 2-core machine: 40 workloads at 1, 2 and 4 threads, 9 passes.
    fn default() -> Suite {
        Suite { workloads: 40, threads: vec![1, 2, 4], passes: 9 }
    }
}

/// The truth: the code's speed factor of workload i in a mode at a thread count (1: unchanged).
pub type Truth<'a> = &'a dyn Fn(usize, GilMode, usize) -> f64;

/// One run of `suite` on `machine`, its code as `truth` says.
pub fn simulated_run(id: &str, suite: &Suite, machine: &Machine, truth: Truth, rng: &mut Rng) -> RunResults {
    let pass_speeds = machine_speeds(suite, machine, rng);
    side(id, suite, machine, &pass_speeds, truth, rng)
}

/// The two sides of one `ab` run: each pass of both sides shares the machine's speed of that
/// pass; everything else (noise, slowed vCPUs, clusters, run effects) is each side's own.
pub fn simulated_ab(suite: &Suite, machine: &Machine, truth: Truth, rng: &mut Rng) -> (RunResults, RunResults) {
    let pass_speeds = machine_speeds(suite, machine, rng);
    (side("base", suite, machine, &pass_speeds, &|_, _, _| 1.0, rng), side("new", suite, machine, &pass_speeds, truth, rng))
}

/// The machine's speed in each pass of one run: the run's, drifting from pass to pass.
fn machine_speeds(suite: &Suite, machine: &Machine, rng: &mut Rng) -> Vec<f64> {
    let run_speed = 1.0 + machine.run_drift * (2.0 * rng.f64() - 1.0);
    (0..suite.passes).map(|_| run_speed * lognormal(rng, machine.pass_drift)).collect()
}

/// One run (or `ab` side) whose passes ran at `pass_speeds`, with its own fixed factors.
fn side(id: &str, suite: &Suite, machine: &Machine, pass_speeds: &[f64], truth: Truth, rng: &mut Rng) -> RunResults {
    let factors = machine.run_factors(suite, rng);
    assemble(id, suite, |i, mode, threads| {
        let fixed = &factors[i][usize::from(mode.enabled())];
        let code = |p: usize| truth(i, mode, threads) * fixed[p];
        pass_speeds.iter().enumerate().map(|(p, speed)| pass(p, *speed, code(p), threads, machine, rng)).collect()
    })
}

/// `run` as it stood after its first `n` passes: what a sequential `ab` looks at before adding more.
pub fn first_passes(run: &RunResults, n: usize) -> RunResults {
    let mut r = run.clone();
    r.workloads.iter_mut().flat_map(|w| &mut w.rows).for_each(|row| row.passes.retain(|p| p.pass < n));
    r.derive_figures();
    r
}

/// A run of `suite`'s rows, each row's passes from `passes(workload, mode, threads)`.
fn assemble(id: &str, suite: &Suite, mut passes: impl FnMut(usize, GilMode, usize) -> Vec<PassSample>) -> RunResults {
    let mut workloads = Vec::new();
    for i in 0..suite.workloads {
        for mode in GilMode::ALL {
            let rows = suite.threads.iter().map(|t| ThreadRow::new(*t, 1 << 14, passes(i, mode, *t))).collect();
            workloads.push(workload(&format!("w{i:02}"), mode, WorkloadStatus::Ran, rows));
        }
    }
    let mut r = RunResults { workloads, ..run(id) };
    r.derive_figures();
    r
}

/// One pass of a row whose machine runs at `speed` (its drift) and whose code at `code`.
fn pass(pass: usize, speed: f64, code: f64, threads: usize, m: &Machine, rng: &mut Rng) -> PassSample {
    // A contended row scales to 1.5× per doubling, with its own noise and slow cluster.
    let scale = 1.5f64.powf((threads as f64).log2());
    let mut full = 1e6 * scale * speed * code * lognormal(rng, m.pass_sigma);
    if threads > 1 {
        full *= lognormal(rng, m.contended_sigma);
        if rng.f64() < m.slow_cluster.0 {
            full *= m.slow_cluster.1;
        }
    }
    // The share of the pass the vCPU ran at half speed, and whether its fastest round escaped.
    let (slowed, whole) = if rng.f64() < m.slowed_passes { (rng.f64(), rng.bool()) } else { (0.0, false) };
    let throughput = full / (1.0 + slowed);
    let canary = |rng: &mut Rng| Some(1e7 * speed * if slowed > 0.5 { 0.5 } else { 1.0 } * lognormal(rng, 0.01));
    PassSample {
        pass,
        throughput,
        fastest_round: Some(if whole { throughput } else { full * (1.0 + 0.01 * rng.f64()) }),
        rounds: 5,
        canary_before: canary(rng),
        canary_after: canary(rng),
        ..Default::default()
    }
}

/// exp(σ × a standard normal draw) (Box–Muller).
pub fn lognormal(rng: &mut Rng, sigma: f64) -> f64 {
    let (u, v) = (1.0 - rng.f64(), rng.f64());
    (sigma * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()).exp()
}
