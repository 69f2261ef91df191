//! The project venv `<repo>/.python` and the workload packages installed into it.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::ctx::Ctx;
use crate::find::{probe, Interpreter};
use crate::util::{capture, last_lines, same_file, say};

/// The packages the workloads import, installed one by one (one failing does not stop the others).
pub const PACKAGES: &[&str] = &["ft_utils", "pyatomix", "atomicx", "atomics"];

/// Why a package is not installed on this interpreter at all (None: it should be).
pub fn skip_reason(package: &str, base: &Interpreter) -> Option<String> {
    (package == "atomics" && !base.at_least(3, 14))
        .then(|| format!("skipped: needs Python >= 3.14 (its cffi dependency refuses {}.{}t)", base.major, base.minor))
}

/// What the venv is, compared with the interpreter it should be made from.
pub enum State {
    Missing,
    /// Works, is free-threaded and was made from `base`; the probe lists the installed packages.
    Good(Interpreter),
    /// Made from another interpreter (the base it has).
    OtherBase(String),
    Broken(String),
}

pub fn state(ctx: &Ctx, base: &Interpreter) -> State {
    let python = ctx.venv_python();
    if !ctx.venv.exists() {
        return State::Missing;
    }
    if !ctx.venv.join("pyvenv.cfg").is_file() {
        return State::Broken("no pyvenv.cfg".into());
    }
    match probe(&python, PACKAGES) {
        Err(e) => State::Broken(format!("{e:#}")),
        Ok(v) if !v.free_threaded => State::Broken(format!("{} is not free-threaded", v.describe())),
        Ok(v) if !same_file(&v.base, &base.base) => State::OtherBase(v.base.display().to_string()),
        Ok(v) => State::Good(v),
    }
}

/// (Re)creates the venv from `base`: the old one is deleted first (only if it is a venv).
pub fn create(ctx: &Ctx, base: &Interpreter) -> Result<Interpreter> {
    if ctx.venv.exists() {
        let is_venv =
            ctx.venv.join("pyvenv.cfg").is_file() || std::fs::read_dir(&ctx.venv).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !is_venv {
            bail!("{} exists and is not a venv (no pyvenv.cfg): move it away and run again", ctx.venv.display());
        }
        std::fs::remove_dir_all(&ctx.venv).with_context(|| format!("removing the old venv {}", ctx.venv.display()))?;
    }
    let maker = if base.base_unresolved.is_file() { base.base_unresolved.as_path() } else { base.base.as_path() };
    say(format!("creating the venv {} from {}", ctx.show(&ctx.venv), maker.display()));
    let (ok, out) = capture(Command::new(maker).arg("-m").arg("venv").arg(&ctx.venv))?;
    if !ok {
        bail!("`{} -m venv {}` failed:\n{}", maker.display(), ctx.venv.display(), last_lines(&out, 15));
    }
    let v = probe(&ctx.venv_python(), PACKAGES).context("the new venv does not run")?;
    if !v.free_threaded {
        bail!("the new venv's python is not free-threaded: {}", v.describe());
    }
    Ok(v)
}

/// `pip install <package>`; Ok(()) or the reason it failed (the last lines of pip's output).
/// pip's download cache goes to `<cache>/pip`: the bootstrap writes nowhere but the repo and its cache.
pub fn pip_install(python: &Path, package: &str, cache: &Path) -> Result<(), String> {
    let mut cmd = Command::new(python);
    cmd.args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off", package])
        .env("PIP_NO_INPUT", "1")
        .env("PIP_CACHE_DIR", cache.join("pip"));
    match capture(&mut cmd) {
        Ok((true, _)) => Ok(()),
        Ok((false, out)) => Err(last_lines(&out, 6)),
        Err(e) => Err(format!("{e:#}")),
    }
}
