//! The one place a child process is started and watched: `run`, `stress` and `doctor` all start
//! children that may crash, hang or be interrupted, and all need the same account of how they
//! ended. A child gets a timeout, its stderr in a file (the evidence) and a JSON record it writes
//! itself; the parent gets back how it ended, the record if there is one, and the stderr.
//!
//! ftbench's own children (a measuring child, a stress child) share one protocol: the parent
//! writes a JSON spec and names it in an environment variable ([`own_child`]); the binary, started
//! again, finds it ([`child_main`]) and writes its record where the spec says ([`write_record`]).

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::fsutil;
use crate::results::GilMode;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Lines of stderr kept as a failed child's evidence: enough for every thread's stack.
const EVIDENCE_LINES: usize = 60;

/// Stops runs cleanly on Ctrl-C / SIGTERM: supervised children are stopped, results so far are kept.
pub fn install_interrupt_handler() {
    extern "C" fn on_signal(_: libc::c_int) {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}

/// Whether Ctrl-C / SIGTERM arrived since [`install_interrupt_handler`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// What a GIL-off child does about an import that re-enables the GIL.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reenable {
    /// Let it happen, visibly (`PYTHON_GIL` unset, the free-threaded default): a run records it as
    /// the workload's status and doctor reports it; `PYTHON_GIL=0` would hide it.
    Visible,
    /// Prevent it (`PYTHON_GIL=0` forces the GIL off): stress must test the mode it claims.
    Prevented,
}

/// Sets `PYTHON_GIL` for a child in `mode`: `1` for GIL on; for GIL off as `reenable` says. The
/// parent's own `PYTHON_GIL` never leaks through.
pub fn gil_env(cmd: &mut Command, mode: GilMode, reenable: Reenable) {
    match (mode, reenable) {
        (GilMode::On, _) => cmd.env("PYTHON_GIL", "1"),
        (GilMode::Off, Reenable::Visible) => cmd.env_remove("PYTHON_GIL"),
        (GilMode::Off, Reenable::Prevented) => cmd.env("PYTHON_GIL", "0"),
    };
}

/// A child to start and watch.
pub struct Spec {
    /// What to start; stdin and stderr are set here, stdout is left as the command has it.
    pub command: Command,
    /// The file that receives the child's stderr.
    pub stderr: PathBuf,
    /// Where the child writes its JSON record.
    pub record: PathBuf,
    /// Stop the child when it runs longer than this.
    pub timeout: Duration,
    /// Before stopping a child at its timeout, ask for every thread's stack (SIGUSR1, which
    /// faulthandler answers in ftbench's children; it would simply kill another program).
    pub dump_stacks: bool,
}

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ended {
    Exited(ExitStatus),
    /// Stopped at its timeout; `stacks`: after a stack dump.
    TimedOut {
        after: Duration,
        stacks: bool,
    },
    /// Stopped because the parent was interrupted.
    Interrupted,
}

/// What a supervised child left: how it ended, its record (if it wrote one that reads as `R`),
/// and its stderr.
pub struct Outcome<R> {
    pub ended: Ended,
    pub record: Option<R>,
    pub stderr: String,
}

/// Why a child did not finish cleanly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    Interrupted,
    /// Stopped at its timeout, or a round overran the child's own deadlock limit.
    TimedOut,
    /// Died from a signal or exited with a failure code.
    Crashed,
    /// Exited 0 without writing its record.
    NoRecord,
}

/// Starts `spec.command` and waits for it within the timeout (or until an interrupt); then reads
/// the record and the stderr. Err only when the child cannot be started or watched.
pub fn run<R: DeserializeOwned>(spec: Spec) -> Result<Outcome<R>> {
    let Spec { mut command, stderr, record, timeout, dump_stacks } = spec;
    let stderr_file = std::fs::File::create(&stderr).with_context(|| format!("creating {}", stderr.display()))?;
    if command.get_envs().any(|(k, _)| k == PAD) {
        pad_env(&mut command);
    }
    // Its own process group, ended whole: whatever the child started dies with it.
    let mut child = command.stdin(Stdio::null()).stderr(stderr_file).process_group(0).spawn()?;
    let ended = wait(&mut child, timeout, dump_stacks);
    // SAFETY: killpg() on the group our child led (its pid); it may be empty by now.
    unsafe { libc::killpg(child.id() as libc::pid_t, libc::SIGKILL) };
    let ended = ended?;
    Ok(Outcome {
        ended,
        record: std::fs::read(&record).ok().and_then(|b| serde_json::from_slice(&b).ok()),
        stderr: String::from_utf8_lossy(&std::fs::read(&stderr).unwrap_or_default()).into_owned(),
    })
}

/// Polls `child` until it exits; past `timeout` or on an interrupt it is stopped.
fn wait(child: &mut Child, timeout: Duration, dump_stacks: bool) -> Result<Ended> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().context("waiting for a child")? {
            return Ok(Ended::Exited(status));
        }
        if interrupted() {
            stop(child, Some(libc::SIGTERM));
            return Ok(Ended::Interrupted);
        }
        if start.elapsed() > timeout {
            stop(child, dump_stacks.then_some(libc::SIGUSR1));
            return Ok(Ended::TimedOut { after: timeout, stacks: dump_stacks });
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends `signal` and gives the child a second to act on it; then (or at once, without a signal)
/// kills it.
fn stop(child: &mut Child, signal: Option<libc::c_int>) {
    if let Some(signal) = signal {
        // SAFETY: kill() on our own child's pid (only it dumps stacks; the group is killed after).
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl<R> Outcome<R> {
    /// Why the child did not finish cleanly (exit 0 with a record), in a sentence; `at` (" at 4
    /// threads") says where it was. None when it did.
    pub fn fault(&self, at: &str) -> Option<(Fault, String)> {
        Some(match self.ended {
            // The child explained itself (a broken workload included) in its record.
            Ended::Exited(s) if s.success() && self.record.is_some() => return None,
            Ended::Interrupted => (Fault::Interrupted, format!("the run was interrupted{at}")),
            Ended::TimedOut { after, stacks } => {
                let stacks = if stacks { " (stacks in the evidence)" } else { "" };
                (Fault::TimedOut, format!("still running after {:.0} s{at}: killed{stacks}", after.as_secs_f64()))
            }
            // faulthandler's "Timeout (0:00:05)!": the child's own deadlock watchdog fired.
            Ended::Exited(_) if self.stderr.contains("Timeout (") => (
                Fault::TimedOut,
                format!("a round{at} did not finish within the deadlock limit (deadlock?); every thread's stack is in the evidence"),
            ),
            Ended::Exited(s) if signal_of(s).is_some() => (Fault::Crashed, format!("the child died from {}{at}", exit_words(s))),
            Ended::Exited(s) if s.success() => (Fault::NoRecord, "the child exited without writing a result".to_string()),
            Ended::Exited(s) => (Fault::Crashed, format!("the child exited with {}{at}", exit_words(s))),
        })
    }

    /// The end of the child's stderr: stack dumps, tracebacks, fatal errors.
    pub fn evidence(&self) -> String {
        let all: Vec<&str> = self.stderr.lines().collect();
        all[all.len().saturating_sub(EVIDENCE_LINES)..].join("\n")
    }
}

/// An exit status in words: "signal 11 (SIGSEGV)" or "exit status: 2".
pub fn exit_words(status: ExitStatus) -> String {
    match signal_of(status) {
        Some(sig) => format!("signal {sig} ({})", signal_name(sig)),
        None => status.to_string(),
    }
}

fn signal_of(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGILL => "SIGILL",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        _ => "signal",
    }
}

/// The parent's variables an own child keeps (pyperf keeps a like list): what the OS, the dynamic
/// loader and Python's start-up need; every other variable of the parent stays out, so a variable
/// set in one run and not in another cannot move a figure. `FTBENCH_*` (ftbench's own settings,
/// the venv, test knobs) and the names in `FTBENCH_PASS_ENV` (comma-separated) pass too.
const KEPT_ENV: [&str; 14] = [
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TERM",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LD_LIBRARY_PATH",
    "DYLD_LIBRARY_PATH",
    "DYLD_FALLBACK_LIBRARY_PATH",
];

/// Every own child's environment is padded to this many bytes (`FTBENCH_ENV_PAD`): the process's
/// environment block sits below its stack, so its size moves the stack's alignment, and a setting
/// present in one run (or a longer path on one `ab` side) would otherwise move every figure.
pub const ENV_BYTES: usize = 8192;

/// The parent's side of the protocol: a command that starts `exe` as a child, with `spec` written
/// to `spec_file` and named in the variable `env`, in the minimal environment ([`KEPT_ENV`]).
pub fn own_child<S: Serialize>(exe: &Path, env: &str, spec: &S, spec_file: &Path) -> Result<Command> {
    fsutil::write_atomic(spec_file, &serde_json::to_vec_pretty(spec)?)?;
    let mut command = Command::new(exe);
    // The pad variable marks the command for [`run`], which sizes it once every variable is set.
    command.env_clear().envs(kept_env(std::env::vars_os())).env(env, spec_file).env(PAD, "");
    Ok(command)
}

/// Which of `vars` a child keeps.
fn kept_env(vars: impl Iterator<Item = (OsString, OsString)>) -> Vec<(OsString, OsString)> {
    let vars: Vec<(OsString, OsString)> = vars.collect();
    let passed: Vec<String> = vars
        .iter()
        .find(|(k, _)| k == "FTBENCH_PASS_ENV")
        .map(|(_, v)| v.to_string_lossy().split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect())
        .unwrap_or_default();
    let keep = |k: &str| KEPT_ENV.contains(&k) || k.starts_with("FTBENCH_") || passed.iter().any(|p| p == k);
    vars.into_iter().filter(|(k, _)| keep(&k.to_string_lossy())).collect()
}

const PAD: &str = "FTBENCH_ENV_PAD";

/// Pads the environment of an own child's `command` (explicit: cleared, then set) to
/// [`ENV_BYTES`] with [`PAD`], so that its size is the same whatever it holds.
fn pad_env(command: &mut Command) {
    let size: usize = command.get_envs().filter(|(k, _)| *k != PAD).filter_map(|(k, v)| Some(k.len() + v?.len() + 2)).sum();
    let pad = PAD.len() + 2;
    command.env(PAD, "x".repeat(ENV_BYTES.saturating_sub(size + pad)));
}

/// The child's side: when the variable `env` names a spec file, runs `main` on the spec and
/// returns the exit code (3, said on stderr as `who`, when it failed before writing a record).
pub fn child_main<S: DeserializeOwned>(env: &str, who: &str, main: impl FnOnce(S) -> Result<()>) -> Option<i32> {
    let path = PathBuf::from(std::env::var_os(env)?);
    Some(match read_spec(&path).and_then(main) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{who}: {e:#}");
            3
        }
    })
}

fn read_spec<S: DeserializeOwned>(path: &Path) -> Result<S> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading child spec {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing child spec {}", path.display()))
}

/// Writes a child's record where its parent looks, atomically: a crash never leaves half of one.
pub fn write_record<T: Serialize>(path: &Path, record: &T) -> Result<()> {
    let json = serde_json::to_vec_pretty(record).context("serialising the child record")?;
    fsutil::write_atomic(path, &json)
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    fn outcome(ended: Ended, record: Option<()>, stderr: &str) -> Outcome<()> {
        Outcome { ended, record, stderr: stderr.to_string() }
    }

    #[test]
    fn endings_are_sorted_and_worded() {
        let exited = |raw| Ended::Exited(ExitStatus::from_raw(raw));
        assert_eq!(outcome(exited(0), Some(()), "Timeout (0:00:05)!").fault(""), None);
        let cases = [
            (outcome(exited(11), None, ""), Fault::Crashed, "the child died from signal 11 (SIGSEGV) at 2 threads"),
            (outcome(exited(2 << 8), Some(()), ""), Fault::Crashed, "the child exited with exit status: 2 at 2 threads"),
            (outcome(exited(0), None, ""), Fault::NoRecord, "the child exited without writing a result"),
            (
                outcome(exited(1 << 8), None, "Timeout (0:00:05)!"),
                Fault::TimedOut,
                "a round at 2 threads did not finish within the deadlock limit",
            ),
            (
                outcome(Ended::TimedOut { after: Duration::from_secs(90), stacks: true }, None, ""),
                Fault::TimedOut,
                "still running after 90 s at 2 threads: killed (stacks",
            ),
            (outcome(Ended::Interrupted, None, ""), Fault::Interrupted, "the run was interrupted at 2 threads"),
        ];
        for (o, fault, words) in cases {
            let (f, reason) = o.fault(" at 2 threads").unwrap();
            assert_eq!(f, fault, "{reason}");
            assert!(reason.starts_with(words), "{reason}");
        }
    }

    #[test]
    fn evidence_is_the_end_of_stderr() {
        let stderr: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let evidence = outcome(Ended::Interrupted, None, &stderr).evidence();
        assert!(evidence.starts_with("line 41\n") && evidence.ends_with("line 100"), "{evidence}");
    }

    #[test]
    fn a_child_keeps_only_the_listed_variables_and_those_passed_by_name() {
        let os = |k: &str, v: &str| (OsString::from(k), OsString::from(v));
        let parent = [os("PATH", "/bin"), os("SECRET", "1"), os("FTBENCH_VENV", "/v"), os("MINE", "2"), os("FTBENCH_PASS_ENV", "MINE, X")];
        let kept: Vec<String> = kept_env(parent.into_iter()).into_iter().map(|(k, _)| k.to_string_lossy().into_owned()).collect();
        assert_eq!(kept, ["PATH", "FTBENCH_VENV", "MINE", "FTBENCH_PASS_ENV"]);
    }

    #[test]
    fn every_own_childs_environment_is_padded_to_one_size() {
        let size = |extra: &str| {
            let mut cmd = Command::new("true");
            cmd.env_clear().env("A", extra).env(PAD, "");
            pad_env(&mut cmd);
            cmd.get_envs().filter_map(|(k, v)| Some(k.len() + v?.len() + 2)).sum::<usize>()
        };
        assert_eq!(size(""), ENV_BYTES);
        assert_eq!(size(&"z".repeat(700)), ENV_BYTES);
    }

    #[test]
    fn gil_env_sets_or_clears_python_gil() {
        let python_gil = |mode, reenable| {
            let mut cmd = Command::new("true");
            cmd.env("PYTHON_GIL", "stale");
            gil_env(&mut cmd, mode, reenable);
            cmd.get_envs().find(|(k, _)| *k == "PYTHON_GIL").and_then(|(_, v)| v.map(OsStr::to_owned))
        };
        assert_eq!(python_gil(GilMode::On, Reenable::Visible), Some("1".into()));
        assert_eq!(python_gil(GilMode::On, Reenable::Prevented), Some("1".into()));
        assert_eq!(python_gil(GilMode::Off, Reenable::Visible), None);
        assert_eq!(python_gil(GilMode::Off, Reenable::Prevented), Some("0".into()));
    }
}
