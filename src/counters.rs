//! What the machine did during the timed rounds and nothing else: per-core busy time, time stolen
//! by the hypervisor and other processes' load, and each worker thread's own CPU time.
//!
//! Machine counters are read by the coordinating thread just before the workers are released and
//! just after the last one finishes, so setup, verify and the analysis between rounds never count.
//! On Linux they come from `/proc/stat`, on macOS from the Mach host's per-core load ticks (clock
//! ticks either way, summed over many rounds); macOS counts no stolen time, so steal is unknown
//! there. Worker threads read their own CPU clock around the workload call, inside the timed
//! window: that is the probes' only cost to a timing, and the probe-ratio calibration measures it.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::probes::Rusage;
use crate::results::CoreUsage;

/// Machine-wide CPU counters at one moment, in the OS's ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuTimes {
    /// Per logical core: (busy, total) ticks since boot.
    pub per_core: Vec<(u64, u64)>,
    /// All cores: busy (user, nice, system, and on Linux irq and softirq) and total ticks.
    pub busy: u64,
    pub total: u64,
    /// Ticks stolen by the hypervisor; `None` where the OS does not count them (macOS).
    pub steal: Option<u64>,
    pub ticks_per_second: f64,
    /// The counters' width: Mach's are 32-bit and wrap, so differences are taken modulo 2^bits.
    pub bits: u32,
}

impl CpuTimes {
    /// Seconds from an earlier reading `then` of a counter to this one, `now`.
    fn seconds(&self, now: u64, then: u64) -> f64 {
        let mask = u64::MAX >> (64 - self.bits.clamp(1, 64));
        (now.wrapping_sub(then) & mask) as f64 / self.ticks_per_second
    }
}

/// Parses `/proc/stat` (`cpu` and `cpuN` lines; fields in USER_HZ ticks).
pub fn parse_proc_stat(text: &str, ticks_per_second: f64) -> Option<CpuTimes> {
    let mut times = CpuTimes { per_core: Vec::new(), busy: 0, total: 0, steal: Some(0), ticks_per_second, bits: 64 };
    for line in text.lines().filter(|l| l.starts_with("cpu")) {
        let mut fields = line.split_whitespace();
        let name = fields.next()?;
        let v: Vec<u64> = fields.map(|f| f.parse::<u64>().unwrap_or(0)).collect();
        let at = |i: usize| v.get(i).copied().unwrap_or(0);
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        let busy = at(0) + at(1) + at(2) + at(5) + at(6);
        let total = busy + at(3) + at(4) + at(7);
        if name == "cpu" {
            (times.busy, times.steal, times.total) = (busy, Some(at(7)), total);
        } else {
            times.per_core.push((busy, total));
        }
    }
    (times.total > 0).then_some(times)
}

/// One core's `processor_cpu_load_info` from the Mach host: ticks spent in each CPU state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MachLoad {
    pub user: u32,
    pub system: u32,
    pub idle: u32,
    pub nice: u32,
}

/// The Mach host's per-core loads as counters: busy is user + system + nice, total adds idle; the
/// machine's figures are the sums over cores. The sums wrap as the 32-bit counters themselves do,
/// so a difference modulo 2^32 stays exact across a wrap. macOS counts no stolen time.
pub fn from_mach(cores: &[MachLoad], ticks_per_second: f64) -> Option<CpuTimes> {
    let per_core: Vec<(u32, u32)> = cores
        .iter()
        .map(|c| {
            let busy = c.user.wrapping_add(c.system).wrapping_add(c.nice);
            (busy, busy.wrapping_add(c.idle))
        })
        .collect();
    let sum = |pick: fn(&(u32, u32)) -> u32| per_core.iter().map(pick).fold(0u32, u32::wrapping_add) as u64;
    (!per_core.is_empty()).then(|| CpuTimes {
        busy: sum(|c| c.0),
        total: sum(|c| c.1),
        per_core: per_core.iter().map(|&(b, t)| (b as u64, t as u64)).collect(),
        steal: None,
        ticks_per_second,
        bits: 32,
    })
}

/// Clock ticks per second (USER_HZ on Linux; the Mach host's load ticks on macOS).
fn ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    // SAFETY: sysconf has no preconditions.
    *TICKS.get_or_init(|| match unsafe { libc::sysconf(libc::_SC_CLK_TCK) } {
        t if t > 0 => t as f64,
        _ => 100.0,
    })
}

/// Reads the machine counters: `/proc/stat` on Linux, the Mach host on macOS, none elsewhere.
#[cfg(target_os = "linux")]
pub fn cpu_times() -> Option<CpuTimes> {
    parse_proc_stat(&std::fs::read_to_string("/proc/stat").ok()?, ticks_per_second())
}

#[cfg(target_os = "macos")]
pub fn cpu_times() -> Option<CpuTimes> {
    from_mach(&mach::loads()?, ticks_per_second())
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub fn cpu_times() -> Option<CpuTimes> {
    None
}

// libc deprecates mach_host_self and mach_task_self in favour of the mach2 crate; they are the same
// symbols, and libc already declares host_processor_info and the load info: two calls do not
// justify a second copy of these bindings.
#[cfg(target_os = "macos")]
#[allow(deprecated)]
mod mach {
    use super::MachLoad;
    use std::sync::OnceLock;

    /// `host_processor_info(PROCESSOR_CPU_LOAD_INFO)`: every core's ticks per CPU state.
    pub fn loads() -> Option<Vec<MachLoad>> {
        // One host port for the process: each mach_host_self() call adds a send right to it.
        static HOST: OnceLock<libc::host_t> = OnceLock::new();
        // SAFETY: mach_host_self has no preconditions.
        let host = *HOST.get_or_init(|| unsafe { libc::mach_host_self() });
        let (mut cores, mut info, mut words): (libc::natural_t, libc::processor_info_array_t, libc::mach_msg_type_number_t) =
            (0, std::ptr::null_mut(), 0);
        // SAFETY: the call fills the three out-parameters we own; on success `info` points at
        // `words` integers the kernel allocated in this task, read here and then deallocated.
        unsafe {
            let rc = libc::host_processor_info(host, libc::PROCESSOR_CPU_LOAD_INFO, &mut cores, &mut info, &mut words);
            if rc != libc::KERN_SUCCESS || info.is_null() {
                return None;
            }
            let ticks = std::slice::from_raw_parts(info, words as usize);
            let state = |c: &[libc::integer_t], s: libc::c_int| c[s as usize] as u32;
            let loads = ticks
                .chunks_exact(libc::CPU_STATE_MAX as usize)
                .take(cores as usize)
                .map(|c| MachLoad {
                    user: state(c, libc::CPU_STATE_USER),
                    system: state(c, libc::CPU_STATE_SYSTEM),
                    idle: state(c, libc::CPU_STATE_IDLE),
                    nice: state(c, libc::CPU_STATE_NICE),
                })
                .collect();
            let bytes = words as usize * std::mem::size_of::<libc::integer_t>();
            libc::vm_deallocate(libc::mach_task_self(), info as libc::vm_address_t, bytes as libc::vm_size_t);
            Some(loads)
        }
    }
}

/// Sums of machine counters over the timed rounds of one benchmark pass, in seconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MachineTally {
    per_core_busy: Vec<f64>,
    per_core_total: Vec<f64>,
    per_core_max: Vec<f64>,
    busy: f64,
    /// `None` once a round's counters had no steal (macOS): unknown, not zero.
    steal: Option<f64>,
    total: f64,
    own_cpu: f64,
    wall: f64,
    rounds: usize,
    /// Rounds with counters before and after them.
    counted: usize,
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
            let (busy, total) = (a.seconds(*ab, *bb), a.seconds(*at, *bt));
            self.per_core_busy[i] += busy;
            self.per_core_total[i] += total;
            if total > 0.0 {
                self.per_core_max[i] = self.per_core_max[i].max(100.0 * busy / total);
            }
        }
        self.busy += a.seconds(a.busy, b.busy);
        self.total += a.seconds(a.total, b.total);
        let stolen = a.steal.zip(b.steal).map(|(now, then)| a.seconds(now, then));
        self.steal = if self.counted == 0 { stolen } else { self.steal.zip(stolen).map(|(sum, s)| sum + s) };
        self.counted += 1;
    }

    /// Fraction of the machine's CPU time the hypervisor stole during the rounds; `None` where
    /// the OS gave no counters or counts no steal (macOS).
    pub fn steal(&self) -> Option<f64> {
        self.steal.filter(|_| self.total > 0.0).map(|s| (s / self.total).clamp(0.0, 1.0))
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
        assert_eq!((t.busy, t.steal, t.total), (160, Some(30), 1000), "{t:?}");
        assert_eq!(t.per_core, [(90, 515), (70, 485)]);
        assert!(parse_proc_stat("intr 1\n", 100.0).is_none());
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn tally_counts_only_the_rounds_between_snapshots() {
        let before = parse_proc_stat(STAT, 100.0).unwrap();
        // One second of round on two cores: core 0 fully busy, core 1 half, 0.2 s stolen.
        let after = CpuTimes { per_core: vec![(190, 615), (120, 585)], busy: 310, steal: Some(50), total: 1200, ..before.clone() };
        let mut tally = MachineTally::default();
        let own = Rusage { cpu_seconds: 1.0, ..Default::default() };
        tally.add(Some(&before), Some(&after), &own, Duration::from_secs(1));
        let cores = tally.cores().unwrap();
        assert!(close(cores.per_core_mean[0], 100.0) && close(cores.per_core_mean[1], 50.0), "{cores:?}");
        assert!(close(tally.steal().unwrap(), 0.1), "0.2 of 2 s stolen");
        assert!(close(tally.other_load().unwrap(), 0.25), "1.5 s busy, 1 s ours, of 2 s");
        assert!(close(cores.process_mean, 100.0));
        let empty = MachineTally::default();
        assert_eq!((empty.steal(), empty.cores()), (None, None), "no counters: no figures");
    }

    /// Two `host_processor_info` readings 0.5 s apart on a 4-core Mac (100 ticks a second; core 3's
    /// idle counter wraps past 2^32 in between): user, system, idle, nice per core.
    fn mach_readings() -> (Vec<MachLoad>, Vec<MachLoad>) {
        let load = |user, system, idle, nice| MachLoad { user, system, idle, nice };
        let before = vec![
            load(876_732, 359_645, 2_348_612, 0),
            load(841_369, 328_608, 2_414_875, 0),
            load(1_000, 2_000, 90_000, 5),
            load(7, 3, u32::MAX - 19, 0),
        ];
        let after = vec![
            load(876_777, 359_650, 2_348_612, 0),
            load(841_389, 328_613, 2_414_900, 0),
            load(1_000, 2_000, 90_050, 5),
            load(17, 3, 20, 0),
        ];
        (before, after)
    }

    #[test]
    fn mach_tick_deltas_give_each_cores_busy_share() {
        let (before, after) = mach_readings();
        let (b, a) = (from_mach(&before, 100.0).unwrap(), from_mach(&after, 100.0).unwrap());
        assert_eq!(b.steal, None, "macOS counts no steal");
        let mut tally = MachineTally::default();
        let own = Rusage { cpu_seconds: 0.5, ..Default::default() };
        tally.add(Some(&b), Some(&a), &own, Duration::from_millis(500));
        let cores = tally.cores().unwrap();
        // Core 0: 50 busy ticks of 50; core 1: 25 of 50; core 2: idle; core 3: 10 busy of 50,
        // its idle counter having wrapped (4,294,967,276 -> 20 is 40 ticks).
        for (got, want) in cores.per_core_mean.iter().zip([100.0, 50.0, 0.0, 20.0]) {
            assert!(close(*got, want), "{:?}", cores.per_core_mean);
        }
        assert_eq!(tally.steal(), None, "steal is unknown, not zero");
        // 0.85 s busy of 2 s capacity, 0.5 s of it ours: other processes used 17.5 %.
        assert!(close(tally.other_load().unwrap(), 0.175), "{:?}", tally.other_load());
    }

    #[test]
    fn a_wrapped_mach_counter_never_reads_as_a_negative_or_huge_interval() {
        let (before, after) = mach_readings();
        let (b, a) = (from_mach(&before[3..], 100.0).unwrap(), from_mach(&after[3..], 100.0).unwrap());
        assert!(a.total < b.total, "the summed counter wrapped");
        assert!(close(a.seconds(a.total, b.total), 0.5) && close(a.seconds(a.busy, b.busy), 0.1));
        assert!(from_mach(&[], 100.0).is_none());
    }

    #[test]
    fn thread_clock_advances_with_work() {
        let a = thread_usage_now();
        spin(Duration::from_millis(30));
        let b = thread_usage_now();
        assert!(b.cpu_seconds > a.cpu_seconds, "a spinning thread's CPU clock moves");
    }
}
