//! Which PyO3 line the suite builds with. No PyO3 release covers 3.13t, 3.14t and 3.15t at once,
//! and two PyO3 versions can never share a build graph (both link `python`), so Cargo.toml accepts
//! a range and Cargo.lock is moved (`cargo update --precise`) to the line that fits the interpreter.
//! `cargo xtask test` also proves the other line compiles: every target is checked against the
//! newest line for 3.14t and 3.15t through `PYO3_CONFIG_FILE`, in a copy of the workspace so the
//! repo's Cargo.lock is left as it is; and both lines compile for Apple Silicon ([`DARWIN`]).

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use crate::ctx::Ctx;
use crate::util::{capture, describe, last_lines, say};

/// A PyO3 release and the free-threaded CPython minor versions it supports (first, last).
#[derive(Debug)]
pub struct Line {
    pub version: &'static str,
    pub supports: (u64, u64),
}

/// Oldest first. 0.29 and later dropped 3.13t; 0.28 stops at 3.14.
pub const LINES: &[Line] = &[Line { version: "0.28.3", supports: (13, 14) }, Line { version: "0.30.1", supports: (14, 15) }];

/// The crates the lock must move together (the build script's own pyo3-build-config included).
const CRATES: &[&str] = &["pyo3", "pyo3-build-config"];

impl Line {
    fn fits(&self, major: u64, minor: u64) -> bool {
        major == 3 && (self.supports.0..=self.supports.1).contains(&minor)
    }
}

/// The line for Python `major.minor`: the locked one when it fits (no churn), else the newest that does.
pub fn choose(locked: Option<&str>, major: u64, minor: u64) -> Result<&'static Line> {
    let fitting: Vec<&Line> = LINES.iter().filter(|l| l.fits(major, minor)).collect();
    if let Some(l) = fitting.iter().find(|l| Some(l.version) == locked) {
        return Ok(l);
    }
    fitting.last().copied().ok_or_else(|| {
        let supported: Vec<String> = LINES.iter().map(|l| format!("PyO3 {}: 3.{}t-3.{}t", l.version, l.supports.0, l.supports.1)).collect();
        anyhow!("no PyO3 line supports free-threaded Python {major}.{minor} ({})", supported.join(", "))
    })
}

/// Every version of `name` in a Cargo.lock (a crate without `links` can be there twice).
pub fn locked_versions(lock: &str, name: &str) -> Vec<String> {
    let entry = format!("name = \"{name}\"");
    let lines: Vec<&str> = lock.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|w| w[0] == entry)
        .filter_map(|w| Some(w[1].strip_prefix("version = \"")?.strip_suffix('"')?.to_owned()))
        .collect()
}

fn read_lock(dir: &Path) -> Result<String> {
    let p = dir.join("Cargo.lock");
    std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))
}

/// The `cargo update --precise` commands that move `dir`'s lock to `line` (none when it is there).
fn moves(lock: &str, line: &Line) -> Vec<Vec<String>> {
    CRATES
        .iter()
        .flat_map(|name| locked_versions(lock, name).into_iter().map(move |now| (name, now)))
        .filter(|(_, now)| now != line.version)
        .map(|(name, now)| ["update", "--quiet", "-p", &format!("{name}@{now}"), "--precise", line.version].map(String::from).to_vec())
        .collect()
}

/// Moves the lock in `dir` to `line` with cargo (`dir` is the repo or a copy of it).
fn move_lock(ctx: &Ctx, dir: &Path, line: &Line) -> Result<()> {
    // One entry at a time, re-reading the lock: moving pyo3 can add or move a pyo3-build-config.
    for _ in 0..2 * CRATES.len() {
        let Some(args) = moves(&read_lock(dir)?, line).into_iter().next() else { return Ok(()) };
        let mut cmd = crate::cargo::command(ctx);
        cmd.current_dir(dir).args(&args);
        let (ok, out) = capture(&mut cmd)?;
        if !ok {
            bail!("`{}` in {} failed:\n{}", describe(&cmd), dir.display(), last_lines(&out, 8));
        }
    }
    bail!("Cargo.lock in {} still has another PyO3 than {} after cargo update", dir.display(), line.version)
}

/// Puts the repo's lock on the PyO3 line that fits Python `major.minor` and says which it is.
pub fn select(ctx: &Ctx, major: u64, minor: u64) -> Result<&'static str> {
    let locked = locked_versions(&read_lock(&ctx.root)?, "pyo3").into_iter().next();
    let line = choose(locked.as_deref(), major, minor)?;
    if locked.as_deref() != Some(line.version) {
        say(format!(
            "PyO3 {} supports {major}.{minor}t ({} is locked): moving Cargo.lock to it",
            line.version,
            locked.as_deref().unwrap_or("none")
        ));
        move_lock(ctx, &ctx.root, line)?;
    }
    Ok(line.version)
}

/// A pyo3-build-config file for a free-threaded CPython 3.`minor` that is not installed: enough
/// for `cargo check` (nothing is linked).
fn config_file(minor: u64) -> String {
    format!(
        "implementation=CPython\nversion=3.{minor}\nshared=true\nabi3=false\nbuild_flags=Py_GIL_DISABLED\n\
         suppress_build_script_link_lines=false\npointer_width={}\n",
        usize::BITS
    )
}

/// The workspace copy: symlinks to the sources, its own Cargo.toml (without xtask) and Cargo.lock.
fn workspace_copy(ctx: &Ctx, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for name in ["src", "benches", "tests", "assets", "python_workloads", "build.rs"] {
        let link = dir.join(name);
        if link.symlink_metadata().is_err() {
            std::os::unix::fs::symlink(ctx.root.join(name), &link).with_context(|| format!("linking {}", link.display()))?;
        }
    }
    let manifest = std::fs::read_to_string(ctx.root.join("Cargo.toml"))?;
    let members = "members = [\".\", \"xtask\"]";
    if !manifest.contains(members) {
        bail!("Cargo.toml has no `{members}` line to drop xtask from in the PyO3 check's copy");
    }
    std::fs::write(dir.join("Cargo.toml"), manifest.replace(members, "members = [\".\"]"))?;
    std::fs::copy(ctx.root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}

/// The Mac that `cargo xtask test` compiles for wherever it runs, so Mac-only code (the Mach
/// counters, `dladdr` of a framework build) cannot rot unseen on Linux.
pub const DARWIN: &str = "aarch64-apple-darwin";

/// The builds `cargo xtask test` compiles besides its own (`cargo check --all-targets`, nothing
/// linked or run): every target against the newest PyO3 line for each free-threaded version it
/// supports (a copy of the workspace), on this machine and, for the newest version, on [`DARWIN`];
/// and the repo's own PyO3 line for 3.14t on [`DARWIN`]. Returns the failures (empty: all compiled).
pub fn check_other_builds(ctx: &Ctx) -> Result<Vec<String>> {
    let line = LINES.last().expect("a line");
    let base = ctx.root.join("target").join("pyo3-check");
    let ws = base.join("ws");
    workspace_copy(ctx, &ws)?;
    move_lock(ctx, &ws, line)?;
    let darwin = darwin_target()?;
    let locked = locked_versions(&read_lock(&ctx.root)?, "pyo3").into_iter().next().unwrap_or_default();
    let mut checks: Vec<(&Path, String, u64, Option<&str>)> =
        (line.supports.0..=line.supports.1).map(|minor| (ws.as_path(), line.version.to_string(), minor, None)).collect();
    if darwin {
        checks.push((&ws, line.version.to_string(), line.supports.1, Some(DARWIN)));
        checks.push((&ctx.root, locked, 14, Some(DARWIN)));
    }
    let mut failed = Vec::new();
    for (dir, version, minor, target) in checks {
        let what = format!("PyO3 {version} for 3.{minor}t{}", target.map(|t| format!(" on {t}")).unwrap_or_default());
        let config = base.join(format!("python3.{minor}t.cfg"));
        std::fs::write(&config, config_file(minor))?;
        let mut cmd = crate::cargo::command(ctx);
        cmd.current_dir(dir)
            .args(["check", "--locked", "--all-targets", "--quiet"])
            .args(target.map(|t| ["--target", t]).into_iter().flatten());
        cmd.env("PYO3_CONFIG_FILE", &config).env("CARGO_TARGET_DIR", base.join("target"));
        say(format!("{what}: {} (PYO3_CONFIG_FILE={})", describe(&cmd), config.display()));
        match capture(&mut cmd)? {
            (true, _) => say(format!("{what}: every target compiles")),
            (false, out) => failed.push(format!("{what}:\n{}", last_lines(&out, 30))),
        }
    }
    Ok(failed)
}

/// Whether [`DARWIN`]'s standard library is there to check against. On another host it is a
/// rustup target: added in CI (`CI=true`, a throwaway machine); elsewhere the toolchain is the
/// developer's, so the Mac checks are skipped with the command that adds it.
fn darwin_target() -> Result<bool> {
    if cfg!(all(target_os = "macos", target_arch = "aarch64")) || darwin_installed() {
        return Ok(true);
    }
    let add = ["rustup", "target", "add", DARWIN];
    if !crate::apt::in_ci() {
        say(format!("the Mac checks are skipped: the {DARWIN} target is not installed (run `{}` once)", add.join(" ")));
        return Ok(false);
    }
    say(format!("CI: running `{}` for the Mac checks", add.join(" ")));
    let (ok, out) = capture(std::process::Command::new(add[0]).args(&add[1..]))?;
    if !ok || !darwin_installed() {
        bail!("`{}` failed, so the Mac checks cannot run:\n{}", add.join(" "), last_lines(&out, 8));
    }
    Ok(true)
}

/// The target's standard library is in the toolchain cargo uses (`rustc --print target-libdir`).
fn darwin_installed() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = std::process::Command::new(rustc).args(["--print", "target-libdir", "--target", DARWIN]).output() else {
        return false;
    };
    let dir = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    out.status.success()
        && std::fs::read_dir(dir).is_ok_and(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("libcore-")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_python_gets_a_line_that_supports_it() {
        assert_eq!(choose(None, 3, 13).unwrap().version, "0.28.3");
        assert_eq!(choose(Some("0.30.1"), 3, 13).unwrap().version, "0.28.3", "0.30 dropped 3.13t");
        assert_eq!(choose(Some("0.28.3"), 3, 15).unwrap().version, "0.30.1");
        // 3.14t fits both: whatever is locked stays.
        assert_eq!(choose(Some("0.28.3"), 3, 14).unwrap().version, "0.28.3");
        assert_eq!(choose(Some("0.30.1"), 3, 14).unwrap().version, "0.30.1");
        let e = choose(None, 3, 16).unwrap_err().to_string();
        assert!(e.contains("3.16") && e.contains("PyO3 0.30.1: 3.14t-3.15t"), "{e}");
    }

    const LOCK: &str =
        "[[package]]\nname = \"pyo3\"\nversion = \"0.28.3\"\n\n[[package]]\nname = \"pyo3-build-config\"\nversion = \"0.28.3\"\n";

    #[test]
    fn moves_both_crates_by_their_locked_versions() {
        assert_eq!(locked_versions(LOCK, "pyo3-build-config"), ["0.28.3"]);
        assert!(locked_versions(LOCK, "pyo3-ffi").is_empty());
        let m = moves(LOCK, &LINES[1]);
        assert_eq!(m[0], ["update", "--quiet", "-p", "pyo3@0.28.3", "--precise", "0.30.1"]);
        assert_eq!(m[1], ["update", "--quiet", "-p", "pyo3-build-config@0.28.3", "--precise", "0.30.1"]);
        assert!(moves(LOCK, &LINES[0]).is_empty());
    }

    #[test]
    fn a_second_build_config_left_behind_is_moved_too() {
        // After `cargo update -p pyo3 --precise 0.28.3` from 0.30.1, the build script's own
        // pyo3-build-config can stay at 0.30.1 beside pyo3's 0.28.3.
        let lock = "name = \"pyo3\"\nversion = \"0.28.3\"\n\nname = \"pyo3-build-config\"\nversion = \"0.28.3\"\n\n\
                    name = \"pyo3-build-config\"\nversion = \"0.30.1\"\n";
        assert_eq!(moves(lock, &LINES[0]), [["update", "--quiet", "-p", "pyo3-build-config@0.30.1", "--precise", "0.28.3"]]);
    }

    #[test]
    fn config_file_says_free_threaded() {
        let c = config_file(15);
        assert!(c.contains("version=3.15\n") && c.contains("build_flags=Py_GIL_DISABLED\n"), "{c}");
    }
}
