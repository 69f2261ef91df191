//! Run configuration from `FTBENCH_*` environment variables and criterion's own flags.
//! Every bad value is an error that names the variable and what it accepts.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::results::GilMode;

/// How long and how often each benchmark is measured.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Settings {
    pub threads: Vec<usize>,
    pub modes: Vec<GilMode>,
    pub quick: bool,
    /// Ops per thread are calibrated so one round lasts at least this long.
    pub round_target: Duration,
    /// Independent passes over every benchmark, each in fresh child processes; the interval of a
    /// figure comes from the spread between them.
    pub passes: usize,
    /// Per benchmark and pass: verified warm-up, then timed rounds for `measurement` and at least
    /// `min_rounds` rounds.
    pub warm_up: Duration,
    pub measurement: Duration,
    pub min_rounds: u64,
    /// A round that takes longer than this is a deadlock (stacks dumped, child stopped);
    /// `None`: 100 × the calibrated round time, at least [`ROUND_TIMEOUT_FLOOR`].
    pub round_timeout: Option<Duration>,
    /// Kill a whole child after this long (`FTBENCH_TIMEOUT`, seconds); `None`: from the settings.
    pub child_timeout: Option<Duration>,
    /// Which threads run the rounds of `worker` workloads (`FTBENCH_DRIVER`, `--driver`).
    #[serde(default)]
    pub driver: Driver,
    /// How each workload's code object is made (`FTBENCH_CODE`, `--code`).
    #[serde(default)]
    pub code: CodeContext,
    /// Measure every `worker` row against the pure-Python driver too (`FTBENCH_DRIVER_CONTROL=1`,
    /// `--driver-control`); without it only `cpu_only`, `lock_counter` and the interpreter suite are.
    #[serde(default)]
    pub driver_control: bool,
}

/// Which threads drive the rounds of a `worker` workload.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Driver {
    /// Long-lived Rust threads attached to the interpreter (the suite's own pool).
    #[default]
    Rust,
    /// Long-lived `threading.Thread`s released by a `threading.Barrier`, timed with
    /// `time.perf_counter_ns`: what a Python program would write.
    Python,
}

/// How a workload's code object is made. On 3.13t this decides whether its constants and code
/// objects are immortal, which moves some interpreter loops by 4x (docs/transfer.md).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CodeContext {
    /// As importlib loads a module from its cached `.pyc`: what an installed program runs.
    #[default]
    Cached,
    /// As importlib compiles a `.py` without a usable `.pyc` (the builtin `compile()`): a first
    /// import, `PYTHONDONTWRITEBYTECODE=1`, a read-only folder.
    Source,
    /// As `python script.py` compiles its `__main__` (CPython's Tools/ftscalingbench runs so).
    Main,
}

impl Driver {
    pub fn label(self) -> &'static str {
        match self {
            Driver::Rust => "rust",
            Driver::Python => "python",
        }
    }

    fn parse(s: &str) -> Result<Driver> {
        match s.trim() {
            "rust" => Ok(Driver::Rust),
            "python" => Ok(Driver::Python),
            other => bail!("'{other}' is not a driver (expected rust or python)"),
        }
    }
}

impl CodeContext {
    pub const ALL: [CodeContext; 3] = [CodeContext::Cached, CodeContext::Source, CodeContext::Main];

    pub fn label(self) -> &'static str {
        match self {
            CodeContext::Cached => "cached",
            CodeContext::Source => "source",
            CodeContext::Main => "main",
        }
    }

    fn parse(s: &str) -> Result<CodeContext> {
        CodeContext::ALL
            .into_iter()
            .find(|c| c.label() == s.trim())
            .with_context(|| format!("'{}' is not a code context (expected cached, source or main)", s.trim()))
    }
}

pub const ROUND_TIMEOUT_FLOOR: Duration = Duration::from_secs(10);

impl Settings {
    /// Defaults sized for a 2-core machine: both GIL modes of every default workload in under
    /// 10 minutes (10 passes took 557-612 s on a stretch where a quarter of the passes were
    /// disturbed and measured again; 9 took 514 s there), quick mode in 3 shorter passes. Length per pass is
    /// traded for passes: a shared VM runs whole seconds at half speed, so what separates two runs
    /// is how many passes landed on fast stretches, and `compare` judges the faster half.
    pub fn defaults(quick: bool, cores: usize) -> Settings {
        let ms = Duration::from_millis;
        Settings {
            threads: default_threads(cores, crate::probes::pe_boundary()),
            modes: GilMode::ALL.to_vec(),
            quick,
            round_target: if quick { ms(3) } else { ms(10) },
            passes: if quick { 3 } else { 9 },
            warm_up: if quick { ms(10) } else { ms(30) },
            measurement: if quick { ms(30) } else { ms(60) },
            min_rounds: 3,
            round_timeout: None,
            child_timeout: None,
            driver: Driver::Rust,
            code: CodeContext::Cached,
            driver_control: false,
        }
    }

    /// The settings a run was measured with (to resume it): its config, the environment's timeouts.
    pub fn of_run(c: &crate::results::RunConfig) -> Result<Settings> {
        let ms = |v: f64| Duration::from_secs_f64(v / 1e3);
        Ok(Settings {
            threads: c.threads.clone(),
            modes: c.modes.clone(),
            quick: c.quick,
            round_target: ms(c.round_target_ms),
            passes: c.passes,
            warm_up: ms(c.warm_up_ms as f64),
            measurement: ms(c.measurement_ms as f64),
            min_rounds: c.min_rounds,
            driver: c.driver.unwrap_or_default(),
            code: c.code.unwrap_or_default(),
            driver_control: c.driver_control,
            ..Settings::from_env(c.quick, num_cpus::get())?
        })
    }

    /// Defaults overridden by `FTBENCH_THREADS`, `FTBENCH_MODES`, `FTBENCH_PASSES`, `FTBENCH_ROUND_MS`,
    /// `FTBENCH_ROUND_TIMEOUT` and `FTBENCH_TIMEOUT` (seconds), `FTBENCH_DRIVER`, `FTBENCH_CODE` and
    /// `FTBENCH_DRIVER_CONTROL`; `FTBENCH_QUICK=1` or `quick` selects quick mode.
    pub fn from_env(quick: bool, cores: usize) -> Result<Settings> {
        let quick = quick || env_flag("FTBENCH_QUICK")?;
        let mut s = Settings::defaults(quick, cores);
        if let Some(v) = env("FTBENCH_THREADS") {
            s.threads = parse_threads(&v).context("FTBENCH_THREADS")?;
        }
        if let Some(v) = env("FTBENCH_MODES") {
            s.modes = parse_modes(&v).context("FTBENCH_MODES")?;
        }
        if let Some(v) = env("FTBENCH_PASSES") {
            s.passes = parse_count(&v).context("FTBENCH_PASSES")?;
        }
        if let Some(v) = env("FTBENCH_ROUND_MS") {
            s.round_target = Duration::from_secs_f64(parse_positive(&v).context("FTBENCH_ROUND_MS")? / 1e3);
        }
        if let Some(v) = env("FTBENCH_ROUND_TIMEOUT") {
            s.round_timeout = Some(Duration::from_secs_f64(parse_positive(&v).context("FTBENCH_ROUND_TIMEOUT")?));
        }
        if let Some(v) = env("FTBENCH_TIMEOUT") {
            s.child_timeout = Some(Duration::from_secs_f64(parse_positive(&v).context("FTBENCH_TIMEOUT")?));
        }
        if let Some(v) = env("FTBENCH_DRIVER") {
            s.driver = Driver::parse(&v).context("FTBENCH_DRIVER")?;
        }
        if let Some(v) = env("FTBENCH_CODE") {
            s.code = CodeContext::parse(&v).context("FTBENCH_CODE")?;
        }
        s.driver_control = env_flag("FTBENCH_DRIVER_CONTROL")?;
        Ok(s)
    }

    /// Settings from the environment, then the `--threads` / `--modes` of a command line on top.
    pub fn from_env_and_args(quick: bool, threads: Option<&str>, modes: &str) -> Result<Settings> {
        let mut s = Settings::from_env(quick, num_cpus::get())?;
        if let Some(t) = threads {
            s.threads = parse_threads(t).context("--threads")?;
        }
        s.modes = parse_modes(modes).context("--modes")?;
        Ok(s)
    }

    /// `--driver`, `--code` and `--driver-control` of a command line on top of these settings.
    pub fn with_contexts(mut self, driver: Option<&str>, code: Option<&str>, control: bool) -> Result<Settings> {
        if let Some(d) = driver {
            self.driver = Driver::parse(d).context("--driver")?;
        }
        if let Some(c) = code {
            self.code = CodeContext::parse(c).context("--code")?;
        }
        self.driver_control |= control;
        Ok(self)
    }

    /// The per-round deadlock limit once a round is known to take `round`.
    pub fn round_limit(&self, round: Duration) -> Duration {
        self.round_timeout.unwrap_or_else(|| (round * 100).max(ROUND_TIMEOUT_FLOOR))
    }
}

/// 1, 2, 4, … up to the core count, the core count itself, and twice it (oversubscription is
/// where lock convoys show); on a hybrid CPU also its P-core count, where the headline is read.
pub fn default_threads(cores: usize, performance: Option<usize>) -> Vec<usize> {
    let cores = cores.max(1);
    let mut t: Vec<usize> = std::iter::successors(Some(1usize), |n| Some(n * 2)).take_while(|&n| n <= cores).collect();
    t.extend(performance.filter(|&p| p < cores));
    t.push(cores);
    t.push(cores * 2);
    t.sort_unstable();
    t.dedup();
    t
}

/// `"1,2,8"` → `[1, 2, 8]`: positive, no duplicates, sorted.
pub fn parse_threads(s: &str) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        let n: usize = part.parse().with_context(|| format!("'{part}' is not a thread count (expected positive integers like 1,2,8)"))?;
        if n == 0 {
            bail!("thread count 0 is not allowed (expected positive integers like 1,2,8)");
        }
        if n > 1024 {
            bail!("thread count {n} is more than 1024");
        }
        if out.contains(&n) {
            bail!("thread count {n} is listed twice");
        }
        out.push(n);
    }
    out.sort_unstable();
    Ok(out)
}

/// `"off,on"`, `"off"`, `"on"`.
pub fn parse_modes(s: &str) -> Result<Vec<GilMode>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        let mode = match part {
            "off" | "gil-off" => GilMode::Off,
            "on" | "gil-on" => GilMode::On,
            other => bail!("'{other}' is not a GIL mode (expected off, on or off,on)"),
        };
        if !out.contains(&mode) {
            out.push(mode);
        }
    }
    Ok(out)
}

/// A whole number from 1 to 1000.
pub fn parse_count(s: &str) -> Result<usize> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => bail!("'{s}' is not a whole number from 1 to 1000"),
    }
}

fn parse_positive(s: &str) -> Result<f64> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => bail!("'{s}' is not a positive number"),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_flag(name: &str) -> Result<bool> {
    match env(name).as_deref().map(str::trim) {
        None | Some("0") | Some("false") | Some("no") => Ok(false),
        Some("1") | Some("true") | Some("yes") => Ok(true),
        Some(other) => bail!("{name}='{other}' is not a flag (expected 1 or 0)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_threads_cover_powers_cores_and_oversubscription() {
        assert_eq!(default_threads(2, None), vec![1, 2, 4]);
        assert_eq!(default_threads(6, None), vec![1, 2, 4, 6, 12]);
        assert_eq!(default_threads(8, None), vec![1, 2, 4, 8, 16]);
        assert_eq!(default_threads(1, None), vec![1, 2]);
    }

    #[test]
    fn default_threads_include_the_p_core_count_of_a_hybrid_cpu() {
        assert_eq!(default_threads(10, Some(4)), vec![1, 2, 4, 8, 10, 20], "4P+6E: 4 is already a power of two");
        assert_eq!(default_threads(14, Some(6)), vec![1, 2, 4, 6, 8, 14, 28], "6P+8E");
        assert_eq!(default_threads(24, Some(16)), vec![1, 2, 4, 8, 16, 24, 48], "Intel 8P (16 threads)+8E");
    }

    #[test]
    fn thread_lists_parse_and_sort() {
        assert_eq!(parse_threads("8, 1,2").unwrap(), vec![1, 2, 8]);
    }

    #[test]
    fn bad_thread_lists_are_rejected_with_the_culprit() {
        for (input, needle) in [("1,x", "'x'"), ("0", "0"), ("1,1", "twice"), ("", "''"), ("-2", "'-2'"), ("2000", "1024")] {
            let err = format!("{:#}", parse_threads(input).unwrap_err());
            assert!(err.contains(needle), "{input:?} gave {err}");
        }
    }

    #[test]
    fn modes_parse_and_reject_unknown() {
        assert_eq!(parse_modes("on,off").unwrap(), vec![GilMode::On, GilMode::Off]);
        assert!(format!("{}", parse_modes("maybe").unwrap_err()).contains("maybe"));
    }

    #[test]
    fn driver_and_code_context_parse_and_name_the_culprit() {
        let s = Settings::defaults(false, 2).with_contexts(Some("python"), Some("main"), true).unwrap();
        assert_eq!((s.driver, s.code, s.driver_control), (Driver::Python, CodeContext::Main, true));
        let err = format!("{:#}", Settings::defaults(false, 2).with_contexts(Some("java"), None, false).unwrap_err());
        assert!(err.contains("--driver") && err.contains("'java'") && err.contains("rust or python"), "{err}");
        let err = format!("{:#}", Settings::defaults(false, 2).with_contexts(None, Some("pyc"), false).unwrap_err());
        assert!(err.contains("--code") && err.contains("cached, source or main"), "{err}");
    }

    #[test]
    fn round_limit_has_a_floor() {
        let s = Settings::defaults(false, 2);
        assert_eq!(s.round_limit(Duration::from_millis(1)), ROUND_TIMEOUT_FLOOR);
        assert_eq!(s.round_limit(Duration::from_secs(1)), Duration::from_secs(100));
    }
}
