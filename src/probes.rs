//! CPU time and context switches (getrusage), the contention figures derived from them, and
//! machine facts. Per-core counters over the timed rounds live in [`crate::counters`].

use std::time::Duration;

use sysinfo::{CpuRefreshKind, RefreshKind, System};

use crate::results::{Contention, MachineFacts};

/// This process's resource usage at one moment (or a difference of two).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rusage {
    pub cpu_seconds: f64,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
}

impl Rusage {
    pub fn since(&self, earlier: &Rusage) -> Rusage {
        Rusage {
            cpu_seconds: self.cpu_seconds - earlier.cpu_seconds,
            voluntary_switches: self.voluntary_switches.saturating_sub(earlier.voluntary_switches),
            involuntary_switches: self.involuntary_switches.saturating_sub(earlier.involuntary_switches),
        }
    }

    pub fn add(&mut self, other: &Rusage) {
        self.cpu_seconds += other.cpu_seconds;
        self.voluntary_switches += other.voluntary_switches;
        self.involuntary_switches += other.involuntary_switches;
    }
}

/// getrusage(RUSAGE_SELF): user + system CPU time and context switches of every thread.
pub fn rusage_self() -> Rusage {
    rusage(libc::RUSAGE_SELF)
}

/// getrusage(`who`): the whole process, or (Linux) the calling thread.
pub fn rusage(who: libc::c_int) -> Rusage {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut ru) } != 0 {
        return Rusage::default();
    }
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6;
    Rusage {
        cpu_seconds: secs(ru.ru_utime) + secs(ru.ru_stime),
        voluntary_switches: ru.ru_nvcsw as u64,
        involuntary_switches: ru.ru_nivcsw as u64,
    }
}

/// Whether getrusage's voluntary / involuntary split means what it does on Linux (see [`Contention`]).
const SWITCH_SPLIT_KNOWN: bool = cfg!(not(target_os = "macos"));

/// Contention over the timed rounds of one benchmark.
/// `spreads` holds each round's slowest / fastest per-thread duration, `skews` each round's
/// start skew in seconds.
pub fn contention(usage: &Rusage, wall_seconds: f64, threads: usize, total_ops: u64, spreads: &[f64], skews: &[f64]) -> Contention {
    let mean = |v: &[f64], empty: f64| if v.is_empty() { empty } else { v.iter().sum::<f64>() / v.len() as f64 };
    let capacity = threads as f64 * wall_seconds;
    let per_op = |n: u64| if total_ops == 0 { 0.0 } else { n as f64 / total_ops as f64 };
    Contention {
        blocked_fraction: if capacity > 0.0 { (1.0 - usage.cpu_seconds / capacity).clamp(0.0, 1.0) } else { 0.0 },
        voluntary_switches_per_op: SWITCH_SPLIT_KNOWN.then(|| per_op(usage.voluntary_switches)),
        involuntary_switches_per_op: SWITCH_SPLIT_KNOWN.then(|| per_op(usage.involuntary_switches)),
        fairness_spread: mean(spreads, 1.0),
        start_skew_seconds: Some(mean(skews, 0.0)),
        cpu_seconds: usage.cpu_seconds,
        wall_seconds,
    }
}

/// Slowest / fastest of one round's per-thread durations (1.0 when there is one thread).
pub fn spread(per_thread: &[Duration]) -> f64 {
    let fastest = per_thread.iter().min().copied().unwrap_or_default().as_secs_f64();
    let slowest = per_thread.iter().max().copied().unwrap_or_default().as_secs_f64();
    if fastest > 0.0 {
        slowest / fastest
    } else {
        1.0
    }
}

/// CPU model, cores, OS and, on hybrid CPUs, performance and efficiency core counts.
pub fn machine_facts() -> MachineFacts {
    let sys = System::new_with_specifics(
        RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing()).with_memory(sysinfo::MemoryRefreshKind::nothing().with_ram()),
    );
    let (performance_cores, efficiency_cores) = core_kinds();
    MachineFacts {
        cpu_model: sys.cpus().first().map(|c| c.brand().trim().to_string()).unwrap_or_default(),
        logical_cores: num_cpus::get(),
        physical_cores: System::physical_core_count().or(Some(num_cpus::get_physical())),
        performance_cores,
        efficiency_cores,
        os: System::long_os_version().unwrap_or_else(|| std::env::consts::OS.to_string()),
        kernel: System::kernel_version().unwrap_or_default(),
        arch: System::cpu_arch(),
        total_memory_bytes: sys.total_memory(),
        label: std::env::var("FTBENCH_MACHINE").ok().filter(|l| !l.trim().is_empty()),
    }
}

/// The P-core count of a hybrid CPU (None on one with a single kind of core).
pub fn pe_boundary() -> Option<usize> {
    let (p, e) = core_kinds();
    crate::results::hybrid_boundary(p, e)
}

/// sysinfo cannot tell Apple's performance cores from efficiency cores; sysctl can.
#[cfg(target_os = "macos")]
fn core_kinds() -> (Option<usize>, Option<usize>) {
    (sysctl_usize("hw.perflevel0.logicalcpu"), sysctl_usize("hw.perflevel1.logicalcpu"))
}

/// Hybrid Intel parts: the kernel lists each kind's CPUs (`cpu_core`: P-cores, `cpu_atom`: E-cores).
#[cfg(not(target_os = "macos"))]
fn core_kinds() -> (Option<usize>, Option<usize>) {
    sysfs_core_kinds(std::path::Path::new("/sys/devices"))
}

#[cfg(not(target_os = "macos"))]
fn sysfs_core_kinds(devices: &std::path::Path) -> (Option<usize>, Option<usize>) {
    let count = |kind: &str| std::fs::read_to_string(devices.join(kind).join("cpus")).ok().and_then(|s| cpu_list_len(&s));
    (count("cpu_core"), count("cpu_atom"))
}

/// The number of CPUs in a kernel CPU list such as `0-15,20,22-23` (None when malformed or empty).
#[cfg(not(target_os = "macos"))]
fn cpu_list_len(list: &str) -> Option<usize> {
    let mut n = 0;
    for part in list.trim().split(',').filter(|p| !p.is_empty()) {
        n += match part.split_once('-') {
            Some((a, b)) => b.parse::<usize>().ok()?.checked_sub(a.parse::<usize>().ok()?)? + 1,
            None => part.parse::<usize>().map(|_| 1).ok()?,
        };
    }
    (n > 0).then_some(n)
}

/// Worker threads ask macOS for the user-interactive QoS class, so the scheduler puts them on
/// P-cores first (default-QoS threads may start on E-cores). A no-op elsewhere.
pub fn prefer_performance_cores() {
    #[cfg(target_os = "macos")]
    // SAFETY: sets the calling thread's own QoS class; no pointers involved.
    unsafe {
        libc::pthread_set_qos_class_self_np(libc::qos_class_t::QOS_CLASS_USER_INTERACTIVE, 0);
    }
}

#[cfg(target_os = "macos")]
fn sysctl_usize(name: &str) -> Option<usize> {
    let cname = std::ffi::CString::new(name).ok()?;
    let mut value: libc::c_int = 0;
    let mut size = std::mem::size_of::<libc::c_int>();
    // SAFETY: value and size describe a c_int buffer that sysctlbyname fills.
    let rc = unsafe { libc::sysctlbyname(cname.as_ptr(), &mut value as *mut _ as *mut libc::c_void, &mut size, std::ptr::null_mut(), 0) };
    (rc == 0 && value > 0).then_some(value as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contention_math_on_known_inputs() {
        // 2 threads for 1 s of wall time used 1.5 s of CPU: a quarter of the capacity was blocked.
        let usage = Rusage { cpu_seconds: 1.5, voluntary_switches: 400, involuntary_switches: 100 };
        let c = contention(&usage, 1.0, 2, 1000, &[1.0, 2.0, 3.0], &[1e-5, 3e-5]);
        assert!((c.blocked_fraction - 0.25).abs() < 1e-12);
        assert!((c.voluntary_switches_per_op.unwrap() - 0.4).abs() < 1e-12);
        assert!((c.involuntary_switches_per_op.unwrap() - 0.1).abs() < 1e-12);
        assert!((c.fairness_spread - 2.0).abs() < 1e-12);
        assert!((c.start_skew_seconds.unwrap() - 2e-5).abs() < 1e-12);
    }

    #[test]
    fn contention_clamps_and_handles_empty_inputs() {
        let busy = Rusage { cpu_seconds: 3.0, ..Default::default() };
        assert_eq!(contention(&busy, 1.0, 2, 0, &[], &[]).blocked_fraction, 0.0);
        assert_eq!(contention(&busy, 1.0, 2, 0, &[], &[]).voluntary_switches_per_op, Some(0.0));
        assert_eq!(contention(&busy, 1.0, 2, 0, &[], &[]).fairness_spread, 1.0);
        assert_eq!(contention(&Rusage::default(), 0.0, 2, 10, &[], &[]).blocked_fraction, 0.0);
    }

    #[test]
    fn spread_is_slowest_over_fastest() {
        let d = |ms| Duration::from_millis(ms);
        assert_eq!(spread(&[d(10), d(20), d(15)]), 2.0);
        assert_eq!(spread(&[d(10)]), 1.0);
        assert_eq!(spread(&[]), 1.0);
    }

    #[cfg(not(target_os = "macos"))]
    #[test]
    fn hybrid_intel_core_kinds_come_from_sysfs() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(sysfs_core_kinds(dir.path()), (None, None), "no cpu_core/cpu_atom: not hybrid");
        for (kind, list) in [("cpu_core", "0-15\n"), ("cpu_atom", "16-23\n")] {
            std::fs::create_dir_all(dir.path().join(kind)).unwrap();
            std::fs::write(dir.path().join(kind).join("cpus"), list).unwrap();
        }
        assert_eq!(sysfs_core_kinds(dir.path()), (Some(16), Some(8)));
        assert_eq!(cpu_list_len("0-3,8,10-11"), Some(7));
        assert_eq!(cpu_list_len(""), None);
        assert_eq!(cpu_list_len("3-1"), None);
    }

    #[test]
    fn rusage_differences_never_go_negative_on_counts() {
        let a = Rusage { cpu_seconds: 2.0, voluntary_switches: 5, involuntary_switches: 1 };
        let b = Rusage { cpu_seconds: 1.0, voluntary_switches: 7, involuntary_switches: 0 };
        let d = a.since(&b);
        assert_eq!((d.voluntary_switches, d.involuntary_switches), (0, 1));
    }
}
