//! A paired A/B comparison in one run (`ftbench ab`). Two variants — two builds of the interpreter,
//! or two workload folders (two versions of a workload or of the package it imports) — are
//! measured side by side, benchmark by benchmark, in every pass, alternating which goes first.
//! Drift hits both sides of a pair alike, so a paired t-test over passes sees smaller changes in
//! less time than two separate runs compared with `ftbench compare`. This module holds the other
//! interpreter a side may run on.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// Another build of the interpreter the binary embeds: its children find its standard library
/// through PYTHONHOME and its libpython through the dynamic loader's path.
#[derive(Clone, Debug, PartialEq)]
pub struct Interpreter {
    pub executable: PathBuf,
    pub home: PathBuf,
    pub libdir: PathBuf,
}

/// `major.minor` of the CPython ftbench was built against (set by build.rs).
pub const BUILT_FOR: &str = env!("FTBENCH_PYTHON_MINOR");

impl Interpreter {
    /// Asks `python` for its home, library folder and version; refuses a GIL-only build or another
    /// minor version than the one ftbench embeds (its ABI would not match).
    pub fn probe(python: &Path) -> Result<Interpreter> {
        let code = "import sys, sysconfig; print(sys.base_prefix); print(sysconfig.get_config_var('LIBDIR') or ''); \
                    print('%d.%d' % sys.version_info[:2]); print(sysconfig.get_config_var('Py_GIL_DISABLED') or 0)";
        let out =
            Command::new(python).args(["-c", code]).output().with_context(|| format!("cannot run the interpreter {}", python.display()))?;
        if !out.status.success() {
            bail!("{} failed: {}", python.display(), String::from_utf8_lossy(&out.stderr).trim());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().collect();
        let [home, libdir, version, gil_disabled] = lines[..] else {
            bail!("{} printed something unexpected: {text:?}", python.display());
        };
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
