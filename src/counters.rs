//! What the machine did during the timed rounds and nothing else: per-core busy time, time stolen
//! by the hypervisor and other processes' load, and each worker thread's own CPU time.
//!
//! Machine counters are read by the coordinating thread just before the workers are released and
//! just after the last one finishes, so setup, verify and the analysis between rounds never count.
//! On Linux they come from `/proc/stat` (jiffies, summed over many rounds); elsewhere sysinfo gives
//! per-core use and steal is unknown. Worker threads read their own CPU clock around the workload
//! call, inside the timed window: that is the probes' only cost to a timing, and the probe-ratio
//! calibration measures it.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::probes::Rusage;
use crate::results::CoreUsage;

/// Machine-wide CPU counters at one moment, in seconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CpuTimes {
    /// Per logical core: (busy, total) seconds since boot.
    pub per_core: Vec<(f64, f64)>,
    /// All cores: busy (user, nice, system, irq, softirq), stolen, and total seconds.
    pub busy: f64,
    pub steal: f64,
    pub total: f64,
}

/// Parses `/proc/stat` (`cpu` and `cpuN` lines; fields in USER_HZ ticks).
pub fn parse_proc_stat(text: &str, ticks_per_second: f64) -> Option<CpuTimes> {
    let mut times = CpuTimes::default();
    for line in text.lines().filter(|l| l.starts_with("cpu")) {
        let mut fields = line.split_whitespace();
        let name = fields.next()?;
        let v: Vec<f64> = fields.map(|f| f.parse::<f64>().unwrap_or(0.0) / ticks_per_second).collect();
        let at = |i: usize| v.get(i).copied().unwrap_or(0.0);
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        let busy = at(0) + at(1) + at(2) + at(5) + at(6);
        let total = busy + at(3) + at(4) + at(7);
        if name == "cpu" {
            (times.busy, times.steal, times.total) = (busy, at(7), total);
        } else {
            times.per_core.push((busy, total));
        }
    }
    (times.total > 0.0).then_some(times)
}

/// Reads the machine counters where the OS exposes them (Linux).
pub fn cpu_times() -> Option<CpuTimes> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    static TICKS: OnceLock<f64> = OnceLock::new();
    // SAFETY: sysconf has no preconditions.
    let ticks = *TICKS.get_or_init(|| match unsafe { libc::sysconf(libc::_SC_CLK_TCK) } {
        t if t > 0 => t as f64,
        _ => 100.0,
    });
    parse_proc_stat(&std::fs::read_to_string("/proc/stat").ok()?, ticks)
}

/// Sums of machine counters over the timed rounds of one benchmark pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MachineTally {
    per_core_busy: Vec<f64>,
    per_core_total: Vec<f64>,
    per_core_max: Vec<f64>,
    busy: f64,
    steal: f64,
    total: f64,
    own_cpu: f64,
    wall: f64,
    rounds: usize,
}

impl MachineTally {
    /// Adds one round: counters before and after it, this process's CPU time and the wall time.
    pub fn add(&mut self, before: Option<&CpuTimes>, after: Option<&CpuTimes>, own: &Rusage, wall: Duration) {
        self.own_cpu += own.cpu_seconds;
        self.wall += wall.as_secs_f64();
        self.rounds += 1;
        let (Some(b), Some(a)) = (before, after) else { return };
        let n = a.per_core.len().min(b.per_core.len());
        self.per_core_busy.resize(n, 0.0);
        self.per_core_total.resize(n, 0.0);
        self.per_core_max.resize(n, 0.0);
        for (i, ((ab, at), (bb, bt))) in a.per_core.iter().zip(&b.per_core).enumerate() {
            let (busy, total) = (ab - bb, at - bt);
            self.per_core_busy[i] += busy;
            self.per_core_total[i] += total;
            if total > 0.0 {
                self.per_core_max[i] = self.per_core_max[i].max(100.0 * busy / total);
            }
        }
        self.busy += a.busy - b.busy;
        self.steal += a.steal - b.steal;
        self.total += a.total - b.total;
    }

    /// Fraction of the machine's CPU time the hypervisor stole during the rounds.
    pub fn steal(&self) -> Option<f64> {
        (self.total > 0.0).then(|| (self.steal / self.total).clamp(0.0, 1.0))
    }

    /// Fraction of the machine's capacity busy with other processes during the rounds.
    pub fn other_load(&self) -> Option<f64> {
        (self.total > 0.0).then(|| ((self.busy - self.own_cpu) / self.total).clamp(0.0, 1.0))
    }

    /// Per-core use over the timed rounds; `None` where the OS gave no counters.
    pub fn cores(&self) -> Option<CoreUsage> {
        let pct = |busy: &f64, total: &f64| if *total > 0.0 { (100.0 * busy / total).clamp(0.0, 100.0) } else { 0.0 };
        (!self.per_core_total.is_empty() && self.wall > 0.0).then(|| CoreUsage {
            per_core_mean: self.per_core_busy.iter().zip(&self.per_core_total).map(|(b, t)| pct(b, t)).collect(),
            per_core_max: self.per_core_max.clone(),
            process_mean: 100.0 * self.own_cpu / self.wall,
            samples: self.rounds,
        })
    }
}

/// The calling thread's own CPU time and context switches. Linux: getrusage(RUSAGE_THREAD);
/// elsewhere the thread CPU clock, with no switch counts.
pub fn thread_usage() -> Rusage {
    test_probe_cost();
    thread_usage_now()
}

#[cfg(target_os = "linux")]
fn thread_usage_now() -> Rusage {
    crate::probes::rusage(libc::RUSAGE_THREAD)
}

#[cfg(not(target_os = "linux"))]
fn thread_usage_now() -> Rusage {
    // SAFETY: clock_gettime only writes the timespec we hand it.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Rusage { cpu_seconds: ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9, ..Default::default() }
}

/// Test-only knob (`FTBENCH_TEST_PROBE_COST_US`): makes every per-thread probe spin this long, so a
/// test can show the probe-ratio calibration falling below its target when probing gets costly.
fn test_probe_cost() {
    static COST: OnceLock<Duration> = OnceLock::new();
    spin(*COST.get_or_init(|| test_knob("FTBENCH_TEST_PROBE_COST_US")));
}

/// A test-only delay in microseconds from the environment; zero when unset or invalid.
pub fn test_knob(name: &str) -> Duration {
    Duration::from_micros(std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Busy-waits (never sleeps: a knob must cost CPU the way real work does).
pub fn spin(d: Duration) {
    if d.is_zero() {
        return;
    }
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "cpu  100 0 50 800 10 5 5 30 0 0\ncpu0 60 0 20 400 5 5 5 20 0 0\ncpu1 40 0 30 400 5 0 0 10 0 0\nintr 1 2 3\n";

    #[test]
    fn proc_stat_is_split_into_busy_steal_and_total() {
        let t = parse_proc_stat(STAT, 100.0).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(t.busy, 1.6) && close(t.steal, 0.3) && close(t.total, 10.0), "{t:?}");
        let want = [(0.9, 5.15), (0.7, 4.85)];
        assert!(t.per_core.iter().zip(want).all(|(a, b)| close(a.0, b.0) && close(a.1, b.1)), "{t:?}");
        assert!(parse_proc_stat("intr 1\n", 100.0).is_none());
    }

    #[test]
    fn tally_counts_only_the_rounds_between_snapshots() {
        let before = parse_proc_stat(STAT, 100.0).unwrap();
        // One second of round on two cores: core 0 fully busy, core 1 half, 0.2 s stolen.
        let after = CpuTimes { per_core: vec![(1.9, 6.15), (1.2, 5.85)], busy: 3.1, steal: 0.5, total: 12.0 };
        let mut tally = MachineTally::default();
        let own = Rusage { cpu_seconds: 1.0, ..Default::default() };
        tally.add(Some(&before), Some(&after), &own, Duration::from_secs(1));
        let cores = tally.cores().unwrap();
        assert!((cores.per_core_mean[0] - 100.0).abs() < 1e-9 && (cores.per_core_mean[1] - 50.0).abs() < 1e-9);
        assert!((tally.steal().unwrap() - 0.1).abs() < 1e-9, "0.2 of 2 s stolen");
        assert!((tally.other_load().unwrap() - 0.25).abs() < 1e-9, "1.5 s busy, 1 s ours, of 2 s");
        assert!((cores.process_mean - 100.0).abs() < 1e-9);
        let empty = MachineTally::default();
        assert_eq!((empty.steal(), empty.cores()), (None, None), "no counters: no figures");
    }

    #[test]
    fn thread_clock_advances_with_work() {
        let a = thread_usage_now();
        spin(Duration::from_millis(30));
        let b = thread_usage_now();
        assert!(b.cpu_seconds > a.cpu_seconds, "a spinning thread's CPU clock moves");
    }
}
