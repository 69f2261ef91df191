//! Where things are: the repo, its venv and shim, and the per-user cache of CPython builds.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

pub struct Ctx {
    /// The repo root: the parent of xtask's manifest folder.
    pub root: PathBuf,
    /// The project venv, `<repo>/.python` (what `tools/python` runs).
    pub venv: PathBuf,
    /// `<repo>/tools/python`, the shim that `.cargo/config.toml` sets as PYO3_PYTHON.
    pub shim: PathBuf,
    /// `$XDG_CACHE_HOME/ftbench`, `~/.cache/ftbench` or `~/Library/Caches/ftbench`.
    pub cache: PathBuf,
    /// `bootstrap --install-build-deps`: may install system packages (otherwise only as root in CI).
    pub install_build_deps: bool,
}

impl Ctx {
    pub fn new(install_build_deps: bool) -> Result<Self> {
        // cargo sets CARGO_MANIFEST_DIR for `cargo run` too; the compile-time value is the fallback
        // for running the built binary by hand.
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = match manifest.parent() {
            Some(p) => p.to_path_buf(),
            None => bail!("xtask's manifest folder {} has no parent", manifest.display()),
        };
        Ok(Ctx { venv: root.join(".python"), shim: root.join("tools").join("python"), cache: cache_dir()?, root, install_build_deps })
    }

    pub fn venv_python(&self) -> PathBuf {
        self.venv.join("bin").join("python")
    }

    pub fn record_path(&self) -> PathBuf {
        self.venv.join("ftbench-bootstrap.json")
    }

    /// Shows `p` relative to the repo when it is inside it.
    pub fn show(&self, p: &Path) -> String {
        p.strip_prefix(&self.root).map(|r| r.display().to_string()).unwrap_or_else(|_| p.display().to_string())
    }
}

fn cache_dir() -> Result<PathBuf> {
    let home = std::env::var_os("HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
    if cfg!(target_os = "macos") {
        if let Some(home) = home {
            return Ok(home.join("Library").join("Caches").join("ftbench"));
        }
    } else {
        let xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
        if let Some(xdg) = xdg {
            return Ok(xdg.join("ftbench"));
        }
        if let Some(home) = home {
            return Ok(home.join(".cache").join("ftbench"));
        }
    }
    bail!("neither XDG_CACHE_HOME nor HOME is set: no place for the CPython build cache")
}
