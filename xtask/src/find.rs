//! Interpreter discovery: which free-threaded CPython to build the project venv from.
//!
//! Order: `FTBENCH_PYTHON`, `PYO3_PYTHON` (unless it is our own `tools/python` shim, which
//! `.cargo/config.toml` sets for every cargo command, xtask included), `python3.14t`,
//! `python3.15t`, `python3.13t` on PATH, `uv python find 3.14t`, then a previous build in the
//! cache. Each candidate is run once to check `Py_GIL_DISABLED == 1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use crate::ctx::Ctx;
use crate::util::{capture, last_lines, version_key, which};

/// What a run of an interpreter told about itself.
#[derive(Clone, Debug)]
pub struct Interpreter {
    /// The path it was run by.
    pub path: PathBuf,
    /// Its base interpreter (itself, or the interpreter a venv was made from), symlinks resolved:
    /// the identity recorded in the bootstrap record.
    pub base: PathBuf,
    /// The base interpreter as Python names it (symlinks kept): what the venv is made with.
    pub base_unresolved: PathBuf,
    /// `platform.python_version()`, e.g. "3.13.5".
    pub version: String,
    pub major: u64,
    pub minor: u64,
    /// `sysconfig.get_config_var("Py_GIL_DISABLED") == 1`.
    pub free_threaded: bool,
    /// Installed distribution versions, for the names asked about (None: not installed).
    pub packages: Vec<(String, Option<String>)>,
}

impl Interpreter {
    pub fn describe(&self) -> String {
        let kind = if self.free_threaded {
            "free-threaded"
        } else {
            "with the GIL"
        };
        format!("{} (Python {}, {kind})", self.path.display(), self.version)
    }

    pub fn at_least(&self, major: u64, minor: u64) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

const PROBE: &str = r#"
import json, os, platform, sys, sysconfig
base = getattr(sys, "_base_executable", None) or sys.executable
pkgs = []
try:
    import importlib.metadata as md
    for name in sys.argv[1:]:
        try:
            pkgs.append([name, md.version(name)])
        except Exception:
            pkgs.append([name, None])
except Exception:
    pkgs = [[name, None] for name in sys.argv[1:]]
print(json.dumps({
    "base": base,
    "base_real": os.path.realpath(base),
    "version": platform.python_version(),
    "major": sys.version_info[0],
    "minor": sys.version_info[1],
    "gil_disabled": sysconfig.get_config_var("Py_GIL_DISABLED"),
    "packages": pkgs,
}))
"#;

/// Runs `path -I -c PROBE packages...` and reads what it printed.
pub fn probe(path: &Path, packages: &[&str]) -> Result<Interpreter> {
    let out = Command::new(path)
        .arg("-I")
        .arg("-c")
        .arg(PROBE)
        .args(packages)
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .output()
        .with_context(|| format!("could not run {}", path.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!(
            "{} does not run ({}): {}",
            path.display(),
            out.status,
            last_lines(&err, 3)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    let v: Value = serde_json::from_str(line)
        .with_context(|| format!("{} printed something unexpected: {text}", path.display()))?;
    let s = |k: &str| {
        v[k].as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("probe of {}: no {k}", path.display()))
    };
    let base_real = PathBuf::from(s("base_real")?);
    let packages = v["packages"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_str().map(str::to_owned))))
                .collect()
        })
        .unwrap_or_default();
    Ok(Interpreter {
        path: path.to_path_buf(),
        base: base_real.canonicalize().unwrap_or(base_real),
        base_unresolved: PathBuf::from(s("base")?),
        version: s("version")?,
        major: v["major"].as_u64().unwrap_or(0),
        minor: v["minor"].as_u64().unwrap_or(0),
        // Py_GIL_DISABLED is 1 on free-threaded builds, 0 on 3.13+ GIL builds, None before 3.13.
        free_threaded: v["gil_disabled"].as_i64() == Some(1),
        packages,
    })
}

/// The interpreter taken, and why.
pub struct Found {
    pub interp: Interpreter,
    pub how: String,
}

pub struct Discovery {
    pub found: Option<Found>,
    /// One line per candidate looked at and not taken, with the reason.
    pub tried: Vec<String>,
}

/// The ways to get a free-threaded CPython, for messages that give up.
pub const HOW_TO_GET: &str = "\
Ways to get a free-threaded CPython 3.14 (\"3.14t\"), then run `cargo xtask bootstrap` again:
  - uv:             uv python install 3.14t
  - Homebrew:       brew install python-freethreading
  - python.org:     the macOS/Windows installer's \"free-threaded\" option (installs python3.14t)
  - any other one:  FTBENCH_PYTHON=/path/to/python3.14t cargo xtask bootstrap";

/// Finds a free-threaded interpreter without building anything.
/// Errors only when FTBENCH_PYTHON names something that is not a working free-threaded CPython.
pub fn discover(ctx: &Ctx) -> Result<Discovery> {
    let mut tried = Vec::new();
    let done = |interp, how: String, tried| {
        Ok(Discovery {
            found: Some(Found { interp, how }),
            tried,
        })
    };

    // 1. FTBENCH_PYTHON: the user's explicit choice; anything wrong with it is an error.
    if let Some(value) = env_nonempty("FTBENCH_PYTHON") {
        let path =
            which(&value).ok_or_else(|| anyhow!("FTBENCH_PYTHON={value}: no such executable"))?;
        let interp = probe(&path, &[]).with_context(|| format!("FTBENCH_PYTHON={value}"))?;
        if !interp.free_threaded {
            bail!(
                "FTBENCH_PYTHON={value} is {}, not a free-threaded build \
                 (sysconfig.get_config_var(\"Py_GIL_DISABLED\") != 1).\n\
                 Unset FTBENCH_PYTHON to let the bootstrap look for one, or point it at a python3.14t.\n{HOW_TO_GET}",
                interp.describe()
            );
        }
        return done(interp, "FTBENCH_PYTHON is set".into(), tried);
    }
    tried.push("FTBENCH_PYTHON: not set".into());

    // 2. PYO3_PYTHON, unless it is our own shim (which runs the venv this bootstrap makes).
    match env_nonempty("PYO3_PYTHON") {
        None => tried.push("PYO3_PYTHON: not set".into()),
        Some(value) if is_our_shim(ctx, &value) => tried.push(format!(
            "PYO3_PYTHON={value}: our own tools/python shim (set by .cargo/config.toml), ignored"
        )),
        Some(value) => match which(&value) {
            None => tried.push(format!("PYO3_PYTHON={value}: no such executable")),
            Some(path) => match probe(&path, &[]) {
                Err(e) => tried.push(format!("PYO3_PYTHON={value}: {e:#}")),
                Ok(i) if !i.free_threaded => tried.push(format!(
                    "PYO3_PYTHON={value}: {} is not free-threaded",
                    i.describe()
                )),
                Ok(i) => return done(i, format!("PYO3_PYTHON={value} is set"), tried),
            },
        },
    }

    // 3. Free-threaded interpreters on PATH, newest supported first.
    for name in ["python3.14t", "python3.15t", "python3.13t"] {
        match which(name) {
            None => tried.push(format!("{name}: not on PATH")),
            Some(path) => match probe(&path, &[]) {
                Err(e) => tried.push(format!("{name} on PATH: {e:#}")),
                Ok(i) if !i.free_threaded => tried.push(format!(
                    "{name} on PATH: {} is not free-threaded",
                    i.describe()
                )),
                Ok(i) => return done(i, format!("{name} is on PATH"), tried),
            },
        }
    }

    // 4. uv's managed or discovered interpreters.
    match which("uv") {
        None => tried.push("uv python find 3.14t: uv not on PATH".into()),
        Some(uv) => match capture(Command::new(&uv).args(["python", "find", "3.14t"])) {
            Ok((true, out)) => {
                let found = out
                    .lines()
                    .map(str::trim)
                    .find(|l| l.starts_with('/'))
                    .map(PathBuf::from);
                match found {
                    None => tried.push(format!(
                        "uv python find 3.14t: no path in its output: {}",
                        last_lines(&out, 2)
                    )),
                    Some(path) => match probe(&path, &[]) {
                        Err(e) => tried.push(format!("uv python find 3.14t: {e:#}")),
                        Ok(i) if !i.free_threaded => tried.push(format!(
                            "uv python find 3.14t: {} is not free-threaded",
                            i.describe()
                        )),
                        Ok(i) => return done(i, "`uv python find 3.14t` found it".into(), tried),
                    },
                }
            }
            Ok((false, out)) => tried.push(format!(
                "uv python find 3.14t: none ({})",
                last_lines(&out, 1)
            )),
            Err(e) => tried.push(format!("uv python find 3.14t: {e:#}")),
        },
    }

    // 5. A previous build from source, newest version first.
    let builds = cached_builds(ctx);
    if builds.is_empty() {
        tried.push(format!("previous build in {}: none", ctx.cache.display()));
    }
    for (version, python) in builds {
        let prefix = python.parent().and_then(Path::parent).unwrap_or(&python);
        if crate::build::incomplete_marker(prefix).exists() {
            tried.push(format!(
                "previous build {}: unfinished (interrupted or failed)",
                prefix.display()
            ));
            continue;
        }
        match probe(&python, &[]) {
            Err(e) => tried.push(format!("previous build {}: {e:#}", python.display())),
            Ok(i) if !i.free_threaded => tried.push(format!(
                "previous build {}: not free-threaded",
                python.display()
            )),
            Ok(i) => {
                return done(
                    i,
                    format!(
                        "previous build of {version}t in the cache {}",
                        ctx.cache.display()
                    ),
                    tried,
                )
            }
        }
    }
    Ok(Discovery { found: None, tried })
}

/// `<cache>/cpython-<version>t/bin/python<major>.<minor>t`, newest version first.
pub fn cached_builds(ctx: &Ctx) -> Vec<(String, PathBuf)> {
    let mut builds: Vec<(String, PathBuf)> = std::fs::read_dir(&ctx.cache)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix("cpython-")?.strip_suffix('t')?.to_owned();
            let python = build_python(&e.path(), &version)?;
            Some((version, python))
        })
        .collect();
    builds.sort_by_key(|(v, _)| std::cmp::Reverse(version_key(v)));
    builds
}

/// The interpreter of a build installed at `prefix`: `bin/python3.14t` for version 3.14.x.
pub fn build_python(prefix: &Path, version: &str) -> Option<PathBuf> {
    let key = version_key(version);
    let (major, minor) = (key.first()?, key.get(1)?);
    Some(prefix.join("bin").join(format!("python{major}.{minor}t")))
}

fn env_nonempty(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// PYO3_PYTHON pointing at `tools/python` (this repo's, or any other clone's: a shell script that
/// sends people to `cargo xtask bootstrap`).
fn is_our_shim(ctx: &Ctx, value: &str) -> bool {
    let path = if value.contains('/') {
        PathBuf::from(value)
    } else {
        ctx.root.join(value)
    };
    if let (Ok(a), Ok(b)) = (path.canonicalize(), ctx.shim.canonicalize()) {
        if a == b {
            return true;
        }
    }
    std::fs::read(&path)
        .map(|b| {
            b.starts_with(b"#!") && String::from_utf8_lossy(&b).contains("cargo xtask bootstrap")
        })
        .unwrap_or(false)
}
