//! Rounds: a pool of long-lived Rust threads, each attached to the one interpreter, released
//! together through a barrier (waited on *detached* from Python) to run a workload's round; or,
//! with the Python driver, the harness's pool of `threading` threads doing the same.
//!
//! One round: `setup` (untimed) → all threads released → `worker(state, i, ops)` on each (or one
//! `drive(state, threads, ops)`) → the round ends when the last returns → `verify` and a check that
//! the GIL is in the mode claimed (untimed). Elapsed = last finish − first start, monotonic clock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use pyo3::prelude::*;

use crate::config::Driver;
use crate::counters::{cpu_times, spin, test_knob, thread_usage, CpuTimes};
use crate::embedding::{format_exception, gil_enabled, harness, py_error};
use crate::probes::{rusage_self, Rusage};
use crate::results::GilMode;
use crate::workload::{Verdict, Workload};

/// What one round did.
pub struct Round {
    pub elapsed: Duration,
    /// Each Rust thread's own start-to-finish time.
    pub per_thread: Vec<Duration>,
    /// Last thread's start − first thread's start.
    pub start_skew: Duration,
    pub verdict: Verdict,
    /// The first worker exception: thread index and traceback.
    pub worker_error: Option<(usize, String)>,
    pub gil_enabled: bool,
    /// CPU time and context switches of the worker threads inside the timed region (driver-mode
    /// workloads run on threads of their own: there, the whole process's).
    pub usage: Rusage,
    /// This whole process across the timed region.
    pub process: Rusage,
    /// Machine counters just before the release and just after the last finish (with probes on).
    pub machine: Option<(CpuTimes, CpuTimes)>,
}

impl Round {
    /// Why the round cannot count at all: a worker raised, or the GIL was not in `mode` after it.
    pub fn error(&self, mode: GilMode, threads: usize) -> Option<String> {
        if let Some((i, tb)) = &self.worker_error {
            return Some(format!("worker {i} of {threads} threads raised:\n{tb}"));
        }
        (self.gil_enabled != mode.enabled())
            .then(|| format!("the GIL was {} after a round of a {mode} run", if self.gil_enabled { "on" } else { "off" }))
    }
}

/// The job all threads of one round share.
struct Job {
    function: Py<PyAny>,
    state: Py<PyAny>,
    ops: u64,
    /// Driver mode passes the logical thread count instead of the thread index.
    driver_threads: Option<usize>,
    /// Per-thread trace functions (`ftbench stress --jitter`).
    tracers: Option<Vec<Py<PyAny>>>,
    /// Read each worker's CPU clock around its call (the probe-ratio calibration turns it off).
    probes: bool,
    /// Only worker 0 calls `function`; the others report an empty outcome.
    first_only: bool,
}

struct Outcome {
    start: Instant,
    end: Instant,
    error: Option<String>,
    usage: Option<Rusage>,
}

/// A released round as the dispatcher saw it: each thread's outcome, this process's usage just
/// before and after, and the machine's counters (when the job probes).
struct Dispatched {
    outcomes: Vec<Outcome>,
    before: Rusage,
    after: Rusage,
    machine: Option<(CpuTimes, CpuTimes)>,
}

struct Shared {
    start: Barrier,
    end: Barrier,
    job: Mutex<Option<Arc<Job>>>,
    outcomes: Mutex<Vec<Option<Outcome>>>,
    stop: AtomicBool,
}

/// `threads` Rust threads (one for driver-mode workloads), kept for every round of a benchmark.
pub struct Pool {
    shared: Arc<Shared>,
    handles: Vec<JoinHandle<()>>,
    /// The logical thread count the workload sees.
    threads: usize,
    driver: bool,
    /// The harness's `ThreadPool` when `threading` threads run the rounds instead (no Rust threads).
    python: Option<Py<PyAny>>,
}

impl Pool {
    /// The pool `driver` asks for: Python threads only for `worker` workloads (a `drive` workload
    /// runs on Python threads of its own already).
    pub fn for_workload(py: Python<'_>, w: &Workload, threads: usize, driver: Driver) -> Result<Pool> {
        match driver {
            Driver::Python if !w.meta.driver => Pool::python(py, threads),
            _ => Pool::new(threads, w.meta.driver),
        }
    }

    /// `threads` long-lived `threading` threads (harness.py's ThreadPool).
    pub fn python(py: Python<'_>, threads: usize) -> Result<Pool> {
        let pool = harness(py)?.getattr("ThreadPool").and_then(|c| c.call1((threads,))).map_err(|e| py_error(py, e))?;
        let mut p = Pool::new(0, false)?;
        (p.threads, p.python) = (threads, Some(pool.unbind()));
        Ok(p)
    }

    pub fn new(threads: usize, driver: bool) -> Result<Pool> {
        let rust_threads = if driver { 1 } else { threads };
        let shared = Arc::new(Shared {
            start: Barrier::new(rust_threads + 1),
            end: Barrier::new(rust_threads + 1),
            job: Mutex::new(None),
            outcomes: Mutex::new((0..rust_threads).map(|_| None).collect()),
            stop: AtomicBool::new(false),
        });
        let handles = (0..rust_threads)
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("ftbench-worker-{i}"))
                    .spawn(move || worker_thread(&shared, i))
                    .context("spawning a worker thread")
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Pool { shared, handles, threads, driver, python: None })
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The threads that call into Python: `threads`, or 1 Rust thread in driver mode.
    pub fn calling_threads(&self) -> usize {
        if self.python.is_some() {
            self.threads
        } else {
            self.handles.len()
        }
    }

    /// Runs one round of `ops` operations per thread. Call with the caller attached; the caller
    /// detaches while the workers run.
    pub fn round(&self, py: Python<'_>, w: &Workload, ops: u64, tracers: Option<Vec<Py<PyAny>>>, probes: bool) -> Result<Round> {
        let state = w.setup(py, self.threads)?;
        let function = w.function(py, if self.driver { "drive" } else { "worker" })?.unbind();
        let job = Job {
            function,
            state: state.clone_ref(py),
            ops,
            driver_threads: self.driver.then_some(self.threads),
            tracers,
            probes,
            first_only: false,
        };
        let Dispatched { outcomes, before, after, machine } = self.dispatch(py, job)?;
        let first = outcomes.iter().map(|o| o.start).min().expect("at least one thread");
        let last_start = outcomes.iter().map(|o| o.start).max().expect("at least one thread");
        let last = outcomes.iter().map(|o| o.end).max().expect("at least one thread");
        let worker_error = outcomes.iter().enumerate().find_map(|(i, o)| o.error.clone().map(|e| (i, e)));
        let verdict = w.verify(py, &state, self.threads, ops)?;
        let gil = gil_enabled(py)?;
        w.teardown(py, state)?;
        let process = after.since(&before);
        let usage = if self.driver { Some(process) } else { worker_usage(&outcomes) };
        Ok(Round {
            elapsed: last - first,
            per_thread: outcomes.iter().map(|o| o.end - o.start).collect(),
            start_skew: last_start - first,
            verdict,
            worker_error,
            gil_enabled: gil,
            usage: usage.unwrap_or(process),
            process,
            machine,
        })
    }
}

impl Pool {
    /// Hands `job` to the workers, releases them and waits for the last to finish. Returns each
    /// thread's outcome, this process's usage around them and, when the job probes, the machine's
    /// counters.
    fn dispatch(&self, py: Python<'_>, job: Job) -> Result<Dispatched> {
        let Some(pool) = &self.python else {
            return Ok(self.dispatch_rust(py, job));
        };
        let counters = job.probes.then(cpu_times).flatten();
        let before = rusage_self();
        let outcomes = python_round(py, pool.bind(py), &job)?;
        let after = rusage_self();
        Ok(Dispatched { outcomes, before, after, machine: counters.zip(job.probes.then(cpu_times).flatten()) })
    }

    /// [`Pool::dispatch`] on the Rust threads: released and awaited detached from Python.
    fn dispatch_rust(&self, py: Python<'_>, job: Job) -> Dispatched {
        let probes = job.probes;
        *self.shared.job.lock().unwrap() = Some(Arc::new(job));
        let (before, after, machine) = py.detach(|| {
            let counters = probes.then(cpu_times).flatten();
            let before = rusage_self();
            self.shared.start.wait();
            self.shared.end.wait();
            let after = rusage_self();
            (before, after, counters.zip(probes.then(cpu_times).flatten()))
        });
        self.shared.job.lock().unwrap().take();
        let outcomes = self.shared.outcomes.lock().unwrap().iter_mut().map(|o| o.take().expect("every worker reports")).collect();
        Dispatched { outcomes, before, after, machine }
    }

    /// Calls `function(None, 0, steps)` on worker thread 0 alone, the thread that runs a 1-thread
    /// row, and times the call. Returns the first error as a traceback.
    pub fn time_on_first_worker(&self, py: Python<'_>, function: &Bound<'_, PyAny>, steps: u64) -> Result<Duration> {
        let job = Job {
            function: function.clone().unbind(),
            state: py.None(),
            ops: steps,
            driver_threads: None,
            tracers: None,
            probes: false,
            first_only: true,
        };
        let outcomes = self.dispatch(py, job)?.outcomes;
        let first = &outcomes[0];
        match &first.error {
            Some(e) => Err(anyhow::anyhow!("{e}")),
            None => Ok(first.end - first.start),
        }
    }
}

/// One round on the harness's ThreadPool; its perf_counter_ns stamps become Instants (only their
/// differences are used). Each thread's usage is unknown: the round counts the whole process's.
fn python_round(py: Python<'_>, pool: &Bound<'_, PyAny>, job: &Job) -> Result<Vec<Outcome>> {
    let tracers = job.tracers.as_ref().map(|t| t.iter().map(|f| f.clone_ref(py)).collect::<Vec<_>>());
    let args = (job.function.bind(py), job.state.bind(py), job.ops, job.driver_threads, job.first_only, tracers);
    let stamps: Vec<(u64, u64, Option<String>)> =
        pool.call_method1("round", args).and_then(|r| r.extract()).map_err(|e| py_error(py, e))?;
    let origin = stamps.iter().map(|s| s.0).min().unwrap_or(0);
    let base = Instant::now();
    let at = |ns: u64| base + Duration::from_nanos(ns.saturating_sub(origin));
    Ok(stamps.into_iter().map(|(start, end, error)| Outcome { start: at(start), end: at(end), error, usage: None }).collect())
}

/// The worker threads' own usage summed, when every one was probed.
fn worker_usage(outcomes: &[Outcome]) -> Option<Rusage> {
    outcomes.iter().try_fold(Rusage::default(), |mut sum, o| {
        sum.add(&o.usage?);
        Some(sum)
    })
}

impl Pool {
    /// [`Pool::round`] with the deadlock watchdog armed: past `limit`, faulthandler dumps every
    /// thread's stack to stderr and exits the process (the parent reports a timeout).
    pub fn watched_round(&self, py: Python<'_>, w: &Workload, ops: u64, limit: Duration) -> Result<Round> {
        self.watched_round_with(py, w, ops, limit, None, true)
    }

    /// [`Pool::watched_round`] with per-thread trace functions (stress jitter).
    pub fn watched_round_with(
        &self,
        py: Python<'_>,
        w: &Workload,
        ops: u64,
        limit: Duration,
        tracers: Option<Vec<Py<PyAny>>>,
        probes: bool,
    ) -> Result<Round> {
        let h = harness(py)?;
        h.call_method1("arm_watchdog", (limit.as_secs_f64(),)).map_err(|e| py_error(py, e))?;
        let round = self.round(py, w, ops, tracers, probes);
        h.call_method0("disarm_watchdog").map_err(|e| py_error(py, e))?;
        round
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if let Some(pool) = self.python.take() {
            Python::attach(|py| {
                let _ = pool.bind(py).call_method0("close");
            });
        }
        self.shared.stop.store(true, Ordering::SeqCst);
        let shared = Arc::clone(&self.shared);
        let handles = std::mem::take(&mut self.handles);
        // Release and join detached: exiting workers must attach to drop their thread state.
        let mut finish = Some(move || {
            shared.start.wait();
            for h in handles {
                let _ = h.join();
            }
        });
        Python::try_attach(|py| py.detach(finish.take().expect("runs once")));
        if let Some(f) = finish {
            f();
        }
    }
}

fn worker_thread(shared: &Shared, index: usize) {
    crate::probes::prefer_performance_cores();
    Python::attach(|py| loop {
        py.detach(|| shared.start.wait());
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let job = shared.job.lock().unwrap().clone().expect("a job is set before release");
        let outcome = if job.first_only && index > 0 {
            let now = Instant::now();
            Outcome { start: now, end: now, error: None, usage: None }
        } else {
            run_job(py, &job, index)
        };
        shared.outcomes.lock().unwrap()[index] = Some(outcome);
        py.detach(|| shared.end.wait());
    })
}

fn run_job(py: Python<'_>, job: &Job, index: usize) -> Outcome {
    let function = job.function.bind(py);
    let state = job.state.clone_ref(py);
    let tracer = job.tracers.as_ref().map(|t| t[index].clone_ref(py));
    if let Some(t) = &tracer {
        set_trace(py, t.bind(py).clone());
    }
    let start = Instant::now();
    test_harness_delay();
    let before = job.probes.then(thread_usage);
    let result = match job.driver_threads {
        Some(threads) => function.call1((state, threads, job.ops)),
        None => function.call1((state, index, job.ops)),
    };
    let usage = before.map(|b| thread_usage().since(&b));
    let end = Instant::now();
    if tracer.is_some() {
        set_trace(py, py.None().into_bound(py));
    }
    Outcome { start, end, error: result.err().map(|e| format_exception(py, &e)), usage }
}

/// Test-only knob (`FTBENCH_TEST_HARNESS_DELAY_US`): a slower runner, inside the timed window, so a
/// test can show the harness-overhead calibration falling below its target.
fn test_harness_delay() {
    static DELAY: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    spin(*DELAY.get_or_init(|| test_knob("FTBENCH_TEST_HARNESS_DELAY_US")));
}

fn set_trace(py: Python<'_>, f: Bound<'_, PyAny>) {
    if let Ok(sys) = py.import("sys") {
        let _ = sys.call_method1("settrace", (f,));
    }
}

/// Per-thread jitter tracers for `ftbench stress --jitter`, seeded per thread.
pub fn jitter_tracers(py: Python<'_>, w: &Workload, threads: usize, probability: f64, seed: u64) -> Result<Vec<Py<PyAny>>> {
    let h = harness(py)?;
    (0..threads)
        .map(|i| {
            h.call_method1("jitter_tracer", (w.path.to_string_lossy().as_ref(), probability, seed + i as u64))
                .map(|t| t.unbind())
                .map_err(|e| py_error(py, e))
        })
        .collect()
}

/// Ops per thread for rounds of at least `target` on an undisturbed machine. Grows `ops` from 1
/// until a round reaches the target, then times a few more rounds there: one round can be slowed
/// by a stall (a round of 2 ops once took 10 ms and set a row's work for a whole run), the fastest
/// cannot. The result is rounded up to a power of two, so that two runs settle on the same work.
pub fn calibrate(py: Python<'_>, pool: &Pool, w: &Workload, target: Duration, max_ops: u64, limit: Duration) -> Result<u64> {
    let mut ops = 1u64;
    loop {
        let round = pool.watched_round(py, w, ops, limit)?;
        // A failing worker is recorded by the measurement that follows, with its traceback.
        if round.worker_error.is_some() {
            return Ok(ops);
        }
        let mut fastest = round.elapsed;
        if fastest >= target || ops >= max_ops {
            for _ in 1..SETTLE_ROUNDS {
                let round = pool.watched_round(py, w, ops, limit)?;
                if round.worker_error.is_some() {
                    return Ok(ops);
                }
                fastest = fastest.min(round.elapsed);
            }
            if let Some(settled) = settle(ops, fastest, target, max_ops) {
                return Ok(settled);
            }
        }
        // Jump close to the target once the round is long enough to extrapolate from.
        let factor =
            if fastest > Duration::from_micros(200) { (target.as_secs_f64() / fastest.as_secs_f64()).clamp(1.0, 16.0) * 1.1 } else { 2.0 };
        ops = ((ops as f64 * factor).ceil() as u64).max(ops + 1).min(max_ops);
    }
}

/// Rounds timed at the size that first reached the target; the fastest of them counts.
const SETTLE_ROUNDS: usize = 3;

/// The calibrated ops once the fastest round at `ops` is known: None while even that round is
/// under half the target (the round that reached it was slowed: keep growing), else the ops for
/// `target` at that speed, rounded up to a power of two.
fn settle(ops: u64, fastest: Duration, target: Duration, max_ops: u64) -> Option<u64> {
    if fastest < target / 2 && ops < max_ops {
        return None;
    }
    let exact = ops as f64 * target.as_secs_f64() / fastest.as_secs_f64().max(1e-9);
    Some((exact.ceil().max(1.0) as u64).next_power_of_two().min(max_ops))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_round_slowed_by_a_stall_does_not_set_the_work() {
        // 2 ops once took 10 ms; the fastest of the settling rounds took 6 µs: keep growing.
        assert_eq!(settle(2, Duration::from_micros(6), 10 * MS, 1 << 30), None);
    }

    #[test]
    fn the_work_settles_on_a_power_of_two_that_two_runs_share() {
        // The fastest rounds of two runs 3 % apart: the same ops, at least the target's worth.
        assert_eq!(settle(2000, Duration::from_micros(9400), 10 * MS, 1 << 30), Some(4096));
        assert_eq!(settle(2000, Duration::from_micros(9700), 10 * MS, 1 << 30), Some(4096));
        assert_eq!(settle(4096, Duration::from_micros(19_000), 10 * MS, 1 << 30), Some(4096));
        // Never above the cap, even when the round is still short.
        assert_eq!(settle(1000, MS, 10 * MS, 1000), Some(1000));
    }
}
