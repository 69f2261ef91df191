//! Running cargo from xtask: `$CARGO` (set by cargo for the processes it runs) or `cargo`, in the
//! repo root, with PYO3_PYTHON pointing at our `tools/python` shim so PyO3 builds against the venv.

use std::ffi::OsString;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::ctx::Ctx;
use crate::util::{describe, say};

pub fn command(ctx: &Ctx) -> Command {
    let program = std::env::var_os("CARGO").filter(|v| !v.is_empty()).unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(program);
    cmd.current_dir(&ctx.root).env("PYO3_PYTHON", &ctx.shim);
    cmd
}

/// `cargo <args>`; returns the exit code to leave with (128 + signal when cargo was killed).
pub fn run(ctx: &Ctx, args: &[OsString]) -> Result<i32> {
    if let Some(v) = std::env::var_os("PYO3_PYTHON").filter(|v| !v.is_empty()) {
        let same = std::path::Path::new(&v).canonicalize().ok() == ctx.shim.canonicalize().ok();
        if !same {
            say(format!(
                "note: PYO3_PYTHON={} replaced by {} for this cargo run (the venv made from the interpreter above)",
                v.to_string_lossy(),
                ctx.shim.display()
            ));
        }
    }
    let mut cmd = command(ctx);
    cmd.args(args);
    say(format!("running {}", describe(&cmd)));
    let status = cmd.status().with_context(|| format!("could not start {}", describe(&cmd)))?;
    Ok(match status.code() {
        Some(code) => code,
        None => {
            use std::os::unix::process::ExitStatusExt;
            128 + status.signal().unwrap_or(0)
        }
    })
}

/// Drops PyO3's cached build config (and what depends on it); quiet, failures ignored.
pub fn clean_pyo3(ctx: &Ctx) {
    let mut cmd = command(ctx);
    cmd.args(["clean", "--quiet", "-p", "pyo3-build-config", "-p", "pyo3-ffi", "-p", "pyo3", "-p", "ftbench"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _ = cmd.status();
}
