//! Venvs of the suite's interpreter with other packages installed (`ftbench venv`), and what
//! differs between two of them (`ftbench ab --base-venv/--new-venv`): a library's two versions,
//! each in its own venv, measured side by side.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::paths;

/// The `.pth` file that puts the suite's packages behind a venv's own (see [`create`]).
const SUITE_PTH: &str = "_ftbench_suite.pth";

/// A venv's interpreter.
pub fn python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// Makes `dir` a venv of the suite venv's interpreter whose packages lie on top of the suite's
/// (a `.pth` file appends the suite's site-packages after its own, so what it installs wins),
/// then `pip install`s `specs` into it with `pip_args`. An existing venv is installed into.
pub fn create(dir: &Path, specs: &[String], pip_args: &[String]) -> Result<()> {
    let suite = paths::venv_python();
    if !suite.is_file() {
        bail!("no suite venv at {}: run `cargo xtask bootstrap` (or point FTBENCH_VENV at one)", paths::venv_dir().display());
    }
    if !dir.join("pyvenv.cfg").is_file() {
        if dir.read_dir().is_ok_and(|mut d| d.next().is_some()) {
            bail!("{} exists and is not a venv: give an empty or new folder", dir.display());
        }
        // No pip of its own: the suite's, found through the .pth file, installs into it.
        run(Command::new(&suite).args(["-m", "venv", "--without-pip"]).arg(dir), "making the venv")?;
    }
    let own = site_packages(&python(dir))?;
    let suite_site = site_packages(&suite)?;
    crate::fsutil::write_atomic(&own.join(SUITE_PTH), format!("{}\n", suite_site.display()).as_bytes())?;
    if specs.is_empty() {
        return Ok(());
    }
    let mut pip = Command::new(python(dir));
    pip.args(["-m", "pip", "install", "--no-input", "--disable-pip-version-check"]).args(pip_args).args(specs);
    run(&mut pip, &format!("installing {}", specs.join(" ")))
}

/// The site-packages folder of `python`.
fn site_packages(python: &Path) -> Result<PathBuf> {
    let out = Command::new(python)
        .args(["-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
        .output()
        .with_context(|| format!("starting {}", python.display()))?;
    if !out.status.success() {
        bail!("{} could not say where its packages go: {}", python.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn run(command: &mut Command, what: &str) -> Result<()> {
    let status = command.status().with_context(|| format!("{what}: starting {}", command.get_program().to_string_lossy()))?;
    if !status.success() {
        bail!("{what}: {} ended with {status}", command.get_program().to_string_lossy());
    }
    Ok(())
}

/// One installed distribution as a venv's interpreter sees it (the first of a name on its path).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// Where it was installed from (`direct_url.json`: a path, or a URL with its commit).
    pub origin: Option<String>,
    /// A digest of its installed files' hashes (RECORD, without pip's own notes).
    pub files: String,
}

/// Every distribution `python` imports, by normalised name (see `venv_packages.py`).
pub fn packages(python: &Path) -> Result<BTreeMap<String, Package>> {
    let dir = tempfile::Builder::new().prefix("ftbench-venv-").tempdir().context("creating a temporary folder")?;
    let (script, record) = (dir.path().join("venv_packages.py"), dir.path().join("packages.json"));
    std::fs::write(&script, include_str!("venv_packages.py")).with_context(|| format!("writing {}", script.display()))?;
    let mut command = Command::new(python);
    command.arg(&script).arg(&record);
    crate::ab::ask(command, dir.path(), record, &format!("{} did not list its packages", python.display()))
}

/// What differs between two sides' packages, one line each (none: the same packages).
pub fn differences(base: &BTreeMap<String, Package>, new: &BTreeMap<String, Package>) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> = base.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .filter_map(|n| match (base.get(n), new.get(n)) {
            (Some(b), Some(n)) if b == n => None,
            (Some(b), Some(n)) if b.version == n.version && b.origin == n.origin => {
                Some(format!("{} {}: same version, other files", n.name, n.version))
            }
            (Some(b), Some(n)) => Some(format!("{}: {} → {}", n.name, described(b), described(n))),
            (Some(b), None) => Some(format!("{}: {} → not installed", b.name, described(b))),
            (None, Some(n)) => Some(format!("{}: not installed → {}", n.name, described(n))),
            (None, None) => None,
        })
        .collect()
}

fn described(p: &Package) -> String {
    match &p.origin {
        Some(origin) => format!("{} ({origin})", p.version),
        None => p.version.clone(),
    }
}

/// The note `ab` prints and keeps: what differs between the base and new venvs' packages.
pub fn difference_note(base: &Path, new: &Path) -> Result<String> {
    let (b, n) = (packages(&python(base))?, packages(&python(new))?);
    let lines = differences(&b, &n);
    Ok(if lines.is_empty() {
        format!("packages: the base venv ({}) and the new one ({}) have the same packages", base.display(), new.display())
    } else {
        format!("packages that differ between the base venv ({}) and the new one ({}): {}", base.display(), new.display(), lines.join("; "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, version: &str, origin: Option<&str>, files: &str) -> (String, Package) {
        let p = Package { name: name.into(), version: version.into(), origin: origin.map(Into::into), files: files.into() };
        (name.to_lowercase(), p)
    }

    #[test]
    fn differences_name_versions_origins_files_and_missing_packages() {
        let base = BTreeMap::from([
            package("counter", "1.0.0", Some("file:///a"), "x"),
            package("same", "2.0", None, "y"),
            package("rebuilt", "3.0", None, "z"),
            package("gone", "1.0", None, "g"),
        ]);
        let new = BTreeMap::from([
            package("counter", "1.1.0", Some("file:///b"), "x2"),
            package("same", "2.0", None, "y"),
            package("rebuilt", "3.0", None, "z2"),
            package("added", "0.1", None, "a"),
        ]);
        assert_eq!(
            differences(&base, &new),
            [
                "added: not installed → 0.1",
                "counter: 1.0.0 (file:///a) → 1.1.0 (file:///b)",
                "gone: 1.0 → not installed",
                "rebuilt 3.0: same version, other files",
            ]
        );
        assert!(differences(&base, &base).is_empty());
    }
}
