//! Small helpers shared by the other modules: messages, PATH look-ups, running commands with
//! their output sent to a log file, and tails of long outputs.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// Every line xtask prints starts with this, on stderr (stdout stays for cargo's own output).
pub fn say(msg: impl AsRef<str>) {
    eprintln!("ftbench: {}", msg.as_ref());
}

/// Progress of a long job: one line per phase, with the seconds elapsed since the job started.
pub struct Progress {
    start: Instant,
}

impl Progress {
    pub fn new() -> Self {
        Progress { start: Instant::now() }
    }

    pub fn secs(&self) -> u64 {
        self.start.elapsed().as_secs()
    }

    pub fn phase(&self, msg: impl AsRef<str>) {
        say(format!("[{:>4}s] {}", self.secs(), msg.as_ref()));
    }
}

/// `name` found on PATH (or `name` itself when it contains a slash and is executable).
pub fn which(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let p = PathBuf::from(name);
        return is_executable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

pub fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// The same file: equal after resolving symlinks, or hard links of one inode (CPython installs
/// `python3.13` and `python3.13t` as hard links of one binary).
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    if a == b {
        return true;
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// The last `n` non-empty lines of `text`.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Indents every line of `text` by `prefix` (for nesting command output inside messages).
pub fn indent(text: &str, prefix: &str) -> String {
    text.lines().map(|l| format!("{prefix}{l}")).collect::<Vec<_>>().join("\n")
}

/// Runs `cmd` to completion, capturing stdout and stderr together; the bool is success.
pub fn capture(cmd: &mut Command) -> Result<(bool, String)> {
    let out = cmd.stdin(Stdio::null()).output().with_context(|| format!("could not start {}", describe(cmd)))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), text))
}

/// A command as a person would type it (program and arguments, no environment).
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.is_empty() || a.contains(char::is_whitespace) {
            s.push_str(&format!(" '{a}'"));
        } else {
            s.push(' ');
            s.push_str(&a);
        }
    }
    s
}

/// The whole log of a build from source: every command and all its output.
pub struct Log {
    pub path: PathBuf,
    file: File,
}

/// How many lines of the log a failure shows.
const TAIL_LINES: usize = 30;

impl Log {
    pub fn create(path: PathBuf) -> Result<Self> {
        File::create(&path).with_context(|| format!("creating the build log {}", path.display()))?;
        let file = OpenOptions::new().append(true).open(&path)?;
        Ok(Log { path, file })
    }

    pub fn note(&mut self, msg: &str) {
        let _ = writeln!(self.file, "{msg}");
    }

    /// The last lines of the log, as shown when a step fails.
    pub fn tail(&self) -> String {
        let text = std::fs::read(&self.path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
    }

    /// Runs `cmd` with its output appended to the log, printing a line every 30 s while it runs.
    /// A failure's error carries the log's last 30 lines and the log's path.
    pub fn run(&mut self, cmd: &mut Command, what: &str, progress: &Progress) -> Result<()> {
        self.note(&format!("\n===== [{}s] {what}\n$ {}", progress.secs(), describe(cmd)));
        let out = self.file.try_clone()?;
        let err = self.file.try_clone()?;
        let mut child =
            cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn().with_context(|| format!("could not start {}", describe(cmd)))?;
        let started = Instant::now();
        let mut next_beat = Duration::from_secs(30);
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            std::thread::sleep(Duration::from_millis(200));
            if started.elapsed() >= next_beat {
                progress.phase(format!("  ... {what} still running ({}s so far)", started.elapsed().as_secs()));
                next_beat += Duration::from_secs(30);
            }
        };
        if !status.success() {
            bail!(
                "{what} failed ({status}): {}\n--- last {TAIL_LINES} lines of the build log ---\n{}\n--- whole log: {}",
                describe(cmd),
                self.tail(),
                self.path.display()
            );
        }
        Ok(())
    }
}

/// The digit groups of a version string, for ordering ("3.13.5" -> [3, 13, 5]).
pub fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_lines_skips_blank_lines() {
        assert_eq!(last_lines("a\n\nb\nc\n\n", 2), "b\nc");
        assert_eq!(last_lines("a", 5), "a");
    }

    #[test]
    fn versions_order_numerically() {
        assert!(version_key("3.13.10") > version_key("3.13.9"));
        assert!(version_key("3.14.0") > version_key("3.13.5"));
    }
}
