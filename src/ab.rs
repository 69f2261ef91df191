//! An A/B comparison in one run (`ftbench ab`). Two variants — two builds of the interpreter, or
//! two workload folders (two versions of a workload or of the package it imports) — are measured
//! side by side, benchmark by benchmark, in every pass, alternating which goes first, with the same
//! work per round. Both sides share the machine's fast and slow stretches, so unchanged code moves
//! less between them than between two separate runs. This module holds the other interpreter a
//! side may run on.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::supervise;

/// Another build of the interpreter the binary embeds: its children find its standard library
/// through PYTHONHOME and its libpython through the dynamic loader's path.
#[derive(Clone, Debug, PartialEq)]
pub struct Interpreter {
    pub executable: PathBuf,
    pub home: PathBuf,
    pub libdir: PathBuf,
}

/// How long an interpreter may take to say what it is.
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// `major.minor` of the CPython ftbench was built against (set by build.rs).
pub const BUILT_FOR: &str = env!("FTBENCH_PYTHON_MINOR");

impl Interpreter {
    /// Asks `python` for its home, library folder and version (supervised: it is killed after
    /// [`PROBE_TIMEOUT`]); refuses a GIL-only build or another minor version than the one ftbench
    /// embeds (its ABI would not match).
    pub fn probe(python: &Path) -> Result<Interpreter> {
        let code = "import json, sys, sysconfig; json.dump([sys.base_prefix, sysconfig.get_config_var('LIBDIR') or '', \
                    '%d.%d' % sys.version_info[:2], str(sysconfig.get_config_var('Py_GIL_DISABLED') or 0)], open(sys.argv[1], 'w'))";
        let dir = tempfile::Builder::new().prefix("ftbench-ab-").tempdir().context("creating a temporary folder")?;
        let record = dir.path().join("facts.json");
        let mut command = Command::new(python);
        command.args(["-c", code]).arg(&record).stdout(Stdio::null());
        let spec = supervise::Spec { command, stderr: dir.path().join("stderr.log"), record, timeout: PROBE_TIMEOUT, dump_stacks: false };
        let run = supervise::run::<[String; 4]>(spec).with_context(|| format!("cannot run the interpreter {}", python.display()))?;
        if let Some((_, why)) = run.fault("") {
            let last = run.stderr.lines().rev().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
            bail!("{} did not tell its home and version ({why}): {last}", python.display());
        }
        let [home, libdir, version, gil_disabled] = run.record.expect("no fault: the record was read");
        if gil_disabled.trim() != "1" {
            bail!("{} is not a free-threaded build (Py_GIL_DISABLED is not 1)", python.display());
        }
        if version != BUILT_FOR {
            bail!(
                "{} is Python {version}; this ftbench embeds Python {BUILT_FOR}: build ftbench against {version} \
                 (FTBENCH_PYTHON=... cargo xtask bootstrap) or compare two {BUILT_FOR} builds",
                python.display()
            );
        }
        Ok(Interpreter { executable: python.to_path_buf(), home: home.into(), libdir: libdir.into() })
    }

    /// Points a child at this interpreter.
    pub fn configure(&self, cmd: &mut Command) {
        let var = if cfg!(target_os = "macos") { "DYLD_LIBRARY_PATH" } else { "LD_LIBRARY_PATH" };
        let mut path = self.libdir.clone().into_os_string();
        if let Some(old) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            path.push(":");
            path.push(old);
        }
        cmd.env(var, path).env("PYTHONHOME", &self.home);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("python3");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn an_interpreter_that_fails_or_says_nothing_is_named_with_what_it_printed() {
        let dir = tempfile::tempdir().unwrap();
        let failing = script(dir.path(), "echo 'ImportError: no sysconfig' >&2; exit 1");
        let err = Interpreter::probe(&failing).unwrap_err().to_string();
        assert!(err.contains(&failing.display().to_string()) && err.contains("exit status: 1") && err.contains("no sysconfig"), "{err}");
        let silent = script(dir.path(), "exit 0");
        let err = Interpreter::probe(&silent).unwrap_err().to_string();
        assert!(err.contains("without writing a result"), "{err}");
    }
}
