//! Can the interpreter be embedded? ftbench runs Python inside its own process, started as the
//! venv's interpreter (`PyConfig.executable`, as src/embedding.rs does). Some builds cannot be
//! (a static libpython, a build-time prefix that is not where the files are): this finds out in a
//! second, with a ten-line C program, before anything is compiled or installed on the interpreter.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::ctx::Ctx;
use crate::find::{Interpreter, HOW_TO_GET};
use crate::util::{capture, describe, last_lines, which};

/// Starts Python the way src/embedding.rs does and prints `sys.prefix`.
const PROGRAM: &str = r#"#include <Python.h>
int main(int argc, char **argv) {
    if (argc != 2) return 2;
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;
    PyStatus status = PyConfig_SetBytesString(&config, &config.executable, argv[1]);
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) Py_ExitStatusException(status);
    int rc = PyRun_SimpleString("import sys, encodings, site; print(sys.prefix)");
    return Py_FinalizeEx() < 0 ? 1 : -rc;
}
"#;

/// `INCLUDEPY`, `LIBDIR` and `LDVERSION` from the interpreter's sysconfig.
fn build_vars(python: &Path) -> Result<[String; 3]> {
    let code = "import sysconfig as s; print('\\n'.join(str(s.get_config_var(k) or '') for k in ('INCLUDEPY', 'LIBDIR', 'LDVERSION')))";
    let (ok, out) = capture(Command::new(python).args(["-I", "-c", code]))?;
    let lines: Vec<&str> = out.lines().collect();
    match lines.as_slice() {
        [inc, lib, ver] if ok && !inc.is_empty() && !lib.is_empty() && !ver.is_empty() => {
            Ok([inc.to_string(), lib.to_string(), ver.to_string()])
        }
        _ => bail!("its sysconfig has no INCLUDEPY/LIBDIR/LDVERSION: {}", last_lines(&out, 3)),
    }
}

/// The C compiler cargo links with (`$CC`, else `cc`).
fn compiler() -> Option<PathBuf> {
    which(&std::env::var("CC").ok().filter(|c| !c.trim().is_empty()).unwrap_or_else(|| "cc".into()))
}

/// Embeds `base` as the venv's interpreter `venv_python`: Ok, or an error that refuses `base` with the fix.
pub fn check(ctx: &Ctx, base: &Interpreter, venv_python: &Path) -> Result<()> {
    let Some(cc) = compiler() else {
        crate::util::say("embedding check skipped: no C compiler (cc) on PATH; cargo will need one to link");
        return Ok(());
    };
    let refuse = |why: String| {
        anyhow::anyhow!(
            "{} cannot be embedded, and ftbench runs Python inside its own process: {why}\n\
             Fix: use a free-threaded CPython with a shared libpython (python.org, Homebrew, uv and a build \
             from source with --enable-shared all have one) via FTBENCH_PYTHON=/path/to/python3.14t, \
             or unset FTBENCH_PYTHON to let the bootstrap look.\n{HOW_TO_GET}",
            base.describe()
        )
    };
    let [include, libdir, ldversion] = build_vars(&base.base).map_err(|e| refuse(format!("{e:#}")))?;
    let dir = ctx.root.join("target").join("ftbench-embed-check");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (source, exe) = (dir.join("embed.c"), dir.join("embed"));
    std::fs::write(&source, PROGRAM)?;
    let mut compile = Command::new(cc);
    compile
        .arg(&source)
        .arg("-o")
        .arg(&exe)
        .arg(format!("-I{include}"))
        .arg(format!("-L{libdir}"))
        .arg(format!("-lpython{ldversion}"))
        .arg(format!("-Wl,-rpath,{libdir}"));
    let (ok, out) = capture(&mut compile)?;
    if !ok {
        return Err(refuse(format!("`{}` failed:\n{}", describe(&compile), last_lines(&out, 8))));
    }
    let (ok, out) = capture(Command::new(&exe).arg(venv_python).env_remove("PYTHONHOME").env_remove("PYTHONPATH"))?;
    let prefix = out.lines().last().unwrap_or_default().trim();
    let venv = ctx.venv.canonicalize().unwrap_or_else(|_| ctx.venv.clone());
    if !ok {
        return Err(refuse(format!("starting it embedded failed:\n{}", last_lines(&out, 8))));
    }
    if Path::new(prefix).canonicalize().ok().as_deref() != Some(venv.as_path()) {
        return Err(refuse(format!("embedded, its sys.prefix is {prefix}, not the venv {}", venv.display())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn an_interpreter_without_headers_or_libpython_is_refused_with_the_fix() {
        if compiler().is_none() {
            return; // nothing to check with; `check` says so itself
        }
        let dir = tempfile::tempdir().unwrap();
        let python = dir.path().join("python3.14t");
        let d = dir.path().display();
        std::fs::write(&python, format!("#!/bin/sh\nprintf '{d}/include\\n{d}/lib\\n3.14t\\n'\n")).unwrap();
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        let base = Interpreter {
            path: python.clone(),
            base: python.clone(),
            base_unresolved: python.clone(),
            version: "3.14.0".into(),
            major: 3,
            minor: 14,
            free_threaded: true,
            packages: vec![],
        };
        let ctx = Ctx {
            root: dir.path().into(),
            venv: dir.path().join(".python"),
            shim: python.clone(),
            cache: dir.path().into(),
            install_build_deps: false,
        };
        let e = check(&ctx, &base, &ctx.venv_python()).unwrap_err().to_string();
        assert!(e.contains("python3.14t (Python 3.14.0, free-threaded) cannot be embedded"), "{e}");
        assert!(e.contains("Python.h") && e.contains("Fix: ") && e.contains("FTBENCH_PYTHON="), "{e}");
    }
}
