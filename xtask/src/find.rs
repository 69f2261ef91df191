//! Interpreter discovery: which free-threaded CPython to build the project venv from.
//!
//! `FTBENCH_PYTHON`, then `PYO3_PYTHON` (unless it is our own `tools/python` shim, which
//! `.cargo/config.toml` sets for every cargo command, xtask included), are taken as they are.
//! Otherwise every `python3.13t`/`3.14t`/`3.15t` on PATH, in Homebrew's bin folders, python.org's
//! `PythonT.framework`, uv's managed-python folder, pyenv's versions and our cache of builds is run
//! once (`Py_GIL_DISABLED == 1`?) and the newest supported free-threaded one is taken: cargo started
//! from an IDE often has none of those folders on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use crate::cache;
use crate::ctx::Ctx;
use crate::util::{capture, is_executable, last_lines, same_file, version_key, which};

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
        let kind = if self.free_threaded { "free-threaded" } else { "with the GIL" };
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
        bail!("{} does not run ({}): {}", path.display(), out.status, last_lines(&err, 3));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    let v: Value = serde_json::from_str(line).with_context(|| format!("{} printed something unexpected: {text}", path.display()))?;
    let s = |k: &str| v[k].as_str().map(str::to_owned).ok_or_else(|| anyhow!("probe of {}: no {k}", path.display()));
    let base_real = PathBuf::from(s("base_real")?);
    let packages = v["packages"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_str().map(str::to_owned)))).collect())
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
    let done = |interp, how: String, tried| Ok(Discovery { found: Some(Found { interp, how }), tried });

    // 1. FTBENCH_PYTHON: the user's explicit choice; anything wrong with it is an error.
    if let Some(value) = env_nonempty("FTBENCH_PYTHON") {
        let path = which(&value).ok_or_else(|| anyhow!("FTBENCH_PYTHON={value}: no such executable"))?;
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
        Some(value) if is_our_shim(ctx, &value) => {
            tried.push(format!("PYO3_PYTHON={value}: our own tools/python shim (set by .cargo/config.toml), ignored"))
        }
        Some(value) => match which(&value) {
            None => tried.push(format!("PYO3_PYTHON={value}: no such executable")),
            Some(path) => match probe(&path, &[]) {
                Err(e) => tried.push(format!("PYO3_PYTHON={value}: {e:#}")),
                Ok(i) if !i.free_threaded => tried.push(format!("PYO3_PYTHON={value}: {} is not free-threaded", i.describe())),
                Ok(i) => return done(i, format!("PYO3_PYTHON={value} is set"), tried),
            },
        },
    }

    // 3. Everything installed where people install free-threaded CPython: the newest supported wins.
    let places = Places::from_env(ctx);
    let mut found = choose(candidates(&places), &mut tried);
    // 4. None, but uv is there: a user-level install is quicker than a build from source.
    if let (None, Some(uv)) = (&found, which("uv")) {
        found = install_with_uv(&uv, &places, &mut tried);
    }
    Ok(Discovery { found, tried })
}

/// What `uv python install` is asked for.
const UV_REQUEST: &str = "3.14t";

/// `uv python install 3.14t` (a user-level install into uv's own folder, nothing system-wide),
/// then the known places again. None, with what uv said in `tried`, when it could not.
fn install_with_uv(uv: &Path, places: &Places, tried: &mut Vec<String>) -> Option<Found> {
    crate::util::say(format!(
        "no free-threaded CPython found; trying `{} python install {UV_REQUEST}` (a user-level install)",
        uv.display()
    ));
    match capture(Command::new(uv).args(["python", "install", UV_REQUEST])) {
        Ok((true, _)) => {}
        Ok((false, out)) => {
            tried.push(format!("uv python install {UV_REQUEST}: failed: {}", last_lines(&out, 1)));
            return None;
        }
        Err(e) => {
            tried.push(format!("uv python install {UV_REQUEST}: {e:#}"));
            return None;
        }
    }
    let found = choose(candidates(places), tried)?;
    Some(Found { how: format!("`uv python install {UV_REQUEST}` installed it ({})", found.how), ..found })
}

/// The free-threaded interpreter names looked for, newest first.
const NAMES: &[&str] = &["python3.15t", "python3.14t", "python3.13t"];

/// Where discovery looks besides the environment variables. `root` is `/` except in tests, which
/// build fake install trees in a temp folder.
pub struct Places {
    pub path: Vec<PathBuf>,
    pub root: PathBuf,
    /// uv's managed-python folder (`uv python dir`).
    pub uv_python: Option<PathBuf>,
    /// `$PYENV_ROOT` or `~/.pyenv`.
    pub pyenv_root: Option<PathBuf>,
    /// ftbench's cache of builds from source.
    pub cache: PathBuf,
}

impl Places {
    fn from_env(ctx: &Ctx) -> Self {
        let home = env_nonempty("HOME").map(PathBuf::from);
        let path = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
        Places {
            path,
            root: PathBuf::from("/"),
            uv_python: uv_python_dir(home.as_deref()),
            pyenv_root: env_nonempty("PYENV_ROOT").map(PathBuf::from).or_else(|| home.map(|h| h.join(".pyenv"))),
            cache: ctx.cache.clone(),
        }
    }
}

/// uv's managed-python folder: what `uv python dir` says when uv is on PATH, else uv's default
/// (`$UV_PYTHON_INSTALL_DIR`, `$XDG_DATA_HOME/uv/python`, `~/.local/share/uv/python`; the same on macOS).
fn uv_python_dir(home: Option<&Path>) -> Option<PathBuf> {
    if let Some(uv) = which("uv") {
        if let Ok((true, out)) = capture(Command::new(uv).args(["python", "dir"])) {
            if let Some(dir) = out.lines().map(str::trim).find(|l| l.starts_with('/')) {
                return Some(PathBuf::from(dir));
            }
        }
    }
    env_nonempty("UV_PYTHON_INSTALL_DIR")
        .map(PathBuf::from)
        .or_else(|| env_nonempty("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("uv").join("python")))
        .or_else(|| home.map(|h| h.join(".local/share/uv/python")))
}

/// An executable worth probing, and where it was found (for messages).
pub struct Candidate {
    pub path: PathBuf,
    pub place: String,
}

/// Every `python3.1Xt` in the known places, in order of preference among equal versions:
/// PATH, Homebrew (Apple Silicon, then Intel), python.org's framework, uv, pyenv, our cache.
pub fn candidates(places: &Places) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut look = |dir: &Path, place: &str| {
        for name in NAMES {
            let path = dir.join(name);
            if is_executable(&path) {
                found.push(Candidate { path, place: place.to_owned() });
            }
        }
    };
    for dir in &places.path {
        look(dir, "PATH");
    }
    look(&places.root.join("opt/homebrew/bin"), "Homebrew (/opt/homebrew)");
    look(&places.root.join("usr/local/bin"), "/usr/local/bin (Homebrew on Intel Macs)");
    for version in subdirs(&places.root.join("Library/Frameworks/PythonT.framework/Versions")) {
        look(&version.join("bin"), "python.org's installer (PythonT.framework)");
    }
    for install in places.uv_python.iter().flat_map(|d| subdirs(d)) {
        look(&install.join("bin"), "uv's managed Pythons");
    }
    for version in places.pyenv_root.iter().flat_map(|d| subdirs(&d.join("versions"))) {
        look(&version.join("bin"), "pyenv");
    }
    for (version, path) in cache::finished_builds(&places.cache) {
        found.push(Candidate { path, place: format!("a previous build of {version}t in the cache") });
    }
    found
}

/// Subfolders of `dir`, sorted (none when it does not exist).
fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    v.sort();
    v
}

/// Probes every candidate once (one per file: symlinks and hard links are the same interpreter)
/// and takes the newest free-threaded one some PyO3 line supports; the first found wins a tie.
pub fn choose(pool: Vec<Candidate>, tried: &mut Vec<String>) -> Option<Found> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut good: Vec<(Interpreter, String)> = Vec::new();
    for c in pool {
        if seen.iter().any(|s| same_file(s, &c.path)) {
            continue;
        }
        seen.push(c.path.clone());
        let at = format!("{} ({})", c.path.display(), c.place);
        match probe(&c.path, &[]) {
            Err(e) => tried.push(format!("{at}: {e:#}")),
            Ok(i) if !i.free_threaded => tried.push(format!("{at}: Python {} is not free-threaded", i.version)),
            Ok(i) if crate::pyo3::choose(None, i.major, i.minor).is_err() => {
                tried.push(format!("{at}: Python {}t is not supported by any PyO3 line this suite builds with", i.version))
            }
            Ok(i) => good.push((i, c.place)),
        }
    }
    if good.is_empty() {
        tried.push(format!("free-threaded {} in PATH, Homebrew, python.org's framework, uv, pyenv, the cache: none", NAMES.join("/")));
        return None;
    }
    let best = (0..good.len()).rev().max_by_key(|&k| version_key(&good[k].0.version))?;
    let (interp, place) = good.remove(best);
    let others: Vec<String> = good.iter().map(|(i, p)| format!("{} {} ({p})", i.path.display(), i.version)).collect();
    for o in &others {
        tried.push(format!("{o}: an older (or equal, found later) free-threaded Python"));
    }
    let how = format!("it is the newest supported free-threaded CPython found, in {place}");
    Some(Found { interp, how })
}

fn env_nonempty(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// PYO3_PYTHON pointing at `tools/python` (this repo's, or any other clone's: a shell script that
/// sends people to `cargo xtask bootstrap`).
fn is_our_shim(ctx: &Ctx, value: &str) -> bool {
    let path = if value.contains('/') { PathBuf::from(value) } else { ctx.root.join(value) };
    if let (Ok(a), Ok(b)) = (path.canonicalize(), ctx.shim.canonicalize()) {
        if a == b {
            return true;
        }
    }
    std::fs::read(&path).map(|b| b.starts_with(b"#!") && String::from_utf8_lossy(&b).contains("cargo xtask bootstrap")).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake interpreter at `root/rel`: a script that answers the probe as Python `version` would.
    fn fake(root: &Path, rel: &str, version: &str, free_threaded: bool) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let key = version_key(version);
        let json = serde_json::json!({
            "base": path, "base_real": path, "version": version, "major": key[0], "minor": key[1],
            "gil_disabled": if free_threaded { 1 } else { 0 }, "packages": [],
        });
        std::fs::write(&path, format!("#!/bin/sh\necho '{json}'\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn places(root: &Path) -> Places {
        Places {
            path: vec![root.join("usr/bin")],
            root: root.to_path_buf(),
            uv_python: Some(root.join("home/.local/share/uv/python")),
            pyenv_root: Some(root.join("home/.pyenv")),
            cache: root.join("home/.cache/ftbench"),
        }
    }

    /// A stand-in `uv` at `root/uv`: `python install` runs `install` (a shell command), or fails
    /// as uv does without a network.
    fn stand_in_uv(root: &Path, install: Option<&str>) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = root.join("uv");
        let body = match install {
            Some(cmd) => format!("[ \"$1 $2 $3\" = \"python install 3.14t\" ] && {cmd}"),
            None => "echo 'error: Failed to download https://example/cpython-3.14t: dns error' >&2; exit 2".to_string(),
        };
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn with_nothing_found_uv_installs_a_free_threaded_python_for_the_user() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // What uv would install, made beside it and moved into uv's folder when asked.
        let staged = fake(root, "staged/python3.14t", "3.14.0", true);
        let target = root.join("home/.local/share/uv/python/cpython-3.14.0+freethreaded-linux-x86_64-gnu/bin");
        let uv = stand_in_uv(root, Some(&format!("mkdir -p {t} && mv {s} {t}/", t = target.display(), s = staged.display())));
        let mut tried = Vec::new();
        let found = install_with_uv(&uv, &places(root), &mut tried).expect("found after the install");
        assert_eq!(found.interp.path, target.join("python3.14t"));
        assert!(found.how.starts_with("`uv python install 3.14t` installed it"), "{}", found.how);

        // uv without a network: said in `tried`, and the bootstrap goes on to build from source.
        let offline = stand_in_uv(root, None);
        let mut tried = Vec::new();
        assert!(install_with_uv(&offline, &places(&root.join("empty")), &mut tried).is_none());
        assert!(tried.iter().any(|t| t.starts_with("uv python install 3.14t: failed: error: Failed to download")), "{tried:?}");
    }

    fn discover_in(root: &Path) -> (Option<Found>, Vec<String>) {
        let mut tried = Vec::new();
        (choose(candidates(&places(root)), &mut tried), tried)
    }

    /// Install layouts (bin folder of a 3.14t, relative to `/`) and how discovery names them.
    const LAYOUTS: &[(&str, &str)] = &[
        ("opt/homebrew/bin", "Homebrew (/opt/homebrew)"),
        ("usr/local/bin", "Homebrew on Intel"),
        ("Library/Frameworks/PythonT.framework/Versions/3.14/bin", "PythonT.framework"),
        ("home/.local/share/uv/python/cpython-3.14.0+freethreaded-macos-aarch64-none/bin", "uv's managed"),
        ("home/.pyenv/versions/3.14.0t/bin", "pyenv"),
    ];

    #[test]
    fn finds_each_layout_off_path() {
        let cached = ("home/.cache/ftbench/cpython-3.14.0t/bin", "previous build of 3.14.0t");
        for &(bin, place) in LAYOUTS.iter().chain([&cached]) {
            let dir = tempfile::tempdir().unwrap();
            let rel = format!("{bin}/python3.14t");
            let path = fake(dir.path(), &rel, "3.14.0", true);
            let (found, tried) = discover_in(dir.path());
            let found = found.unwrap_or_else(|| panic!("{rel} not found: {tried:?}"));
            assert_eq!(found.interp.path, path);
            assert!(found.how.contains(place), "{rel}: {}", found.how);
        }
    }

    #[test]
    fn takes_the_newest_supported_free_threaded_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fake(root, "usr/bin/python3.13t", "3.13.5", true);
        fake(root, "opt/homebrew/bin/python3.14t", "3.14.0", false); // a GIL build under a t name
        let uv = fake(root, "home/.local/share/uv/python/cpython-3.15.0+freethreaded-linux-x86_64-gnu/bin/python3.15t", "3.15.0", true);
        fake(root, "home/.pyenv/versions/3.16.0a1t/bin/python3.15t", "3.16.0", true);
        let (found, tried) = discover_in(root);
        let found = found.unwrap();
        assert_eq!(found.interp.path, uv);
        assert!(found.how.contains("newest supported") && found.how.contains("uv"), "{}", found.how);
        let tried = tried.join("\n");
        assert!(tried.contains("python3.14t (Homebrew (/opt/homebrew)): Python 3.14.0 is not free-threaded"), "{tried}");
        assert!(tried.contains("3.16.0t is not supported"), "{tried}");
        assert!(tried.contains("3.13.5 (PATH): an older"), "{tried}");
    }

    #[test]
    fn on_a_tie_the_first_place_wins_and_links_count_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let brew = fake(root, "opt/homebrew/bin/python3.14t", "3.14.0", true);
        std::fs::create_dir_all(root.join("usr/bin")).unwrap();
        std::os::unix::fs::symlink(&brew, root.join("usr/bin/python3.14t")).unwrap();
        fake(root, "home/.pyenv/versions/3.14.0t/bin/python3.14t", "3.14.0", true);
        let (found, tried) = discover_in(root);
        assert_eq!(found.unwrap().interp.path, root.join("usr/bin/python3.14t"), "PATH comes first");
        assert_eq!(tried.len(), 1, "the Homebrew link is the PATH one, not another candidate: {tried:?}");
        assert!(tried[0].contains("pyenv"), "{tried:?}");
    }

    #[test]
    fn nothing_found_says_where_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let (found, tried) = discover_in(dir.path());
        assert!(found.is_none());
        assert!(tried[0].contains("Homebrew, python.org's framework, uv, pyenv"), "{tried:?}");
    }

    /// The real interpreter the bootstrap took, reached through each layout's path (a symlink, as
    /// Homebrew's bin folder has): found there, a venv made from it, and that venv's interpreter
    /// starts embedded as itself (sys.prefix is the venv), as ftbench starts it.
    #[test]
    fn each_layout_gives_a_venv_that_starts_embedded_as_itself() {
        let repo = Ctx::new(false).unwrap();
        let record = crate::record::Record::read(&repo.record_path()).expect("no bootstrap record: run `cargo xtask bootstrap` first");
        let real = probe(&record.interpreter, &[]).unwrap();
        let name = format!("python{}.{}t", real.major, real.minor);
        // One thread per layout: most of the time is `python -m venv` installing pip.
        std::thread::scope(|s| {
            for &(bin, place) in LAYOUTS {
                s.spawn(|| one_layout(bin, place, &name, &record.interpreter));
            }
        });
    }

    fn one_layout(bin: &str, place: &str, name: &str, interpreter: &Path) {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join(bin).join(name);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(interpreter, &link).unwrap();
        let (found, tried) = discover_in(dir.path());
        let found = found.unwrap_or_else(|| panic!("{bin}: {tried:?}"));
        assert!(found.interp.path == link && found.how.contains(place), "{bin}: {}", found.how);
        let ctx = Ctx { root: dir.path().into(), venv: dir.path().join("venv"), cache: dir.path().into(), ..Ctx::new(false).unwrap() };
        let venv = crate::venv::create(&ctx, &found.interp).unwrap();
        assert!(same_file(&venv.base, interpreter), "{bin}: the venv's base is {}", venv.base.display());
        crate::embed::check(&ctx, &found.interp, &ctx.venv_python()).unwrap_or_else(|e| panic!("{bin}: {e:#}"));
    }
}
