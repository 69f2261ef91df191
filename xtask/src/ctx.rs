//! Where things are: the repo, its venv and shim, and the per-user cache of CPython builds.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub struct Ctx {
    /// The repo root: the parent of xtask's manifest folder.
    pub root: PathBuf,
    /// The project venv, `<repo>/.python` (what `tools/python` runs).
    pub venv: PathBuf,
    /// `<repo>/tools/python`, the shim that `.cargo/config.toml` sets as PYO3_PYTHON.
    pub shim: PathBuf,
    /// `$XDG_CACHE_HOME/ftbench` (default `~/.cache/ftbench`); `~/Library/Caches/ftbench` on macOS.
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
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    cache_dir_of(cfg!(target_os = "macos"), var("HOME"), var("XDG_CACHE_HOME"))
}

/// The one cache path per OS (README, the usage text and docs/installation.md say the same):
/// macOS's per-user caches folder there, the XDG cache folder elsewhere.
fn cache_dir_of(macos: bool, home: Option<PathBuf>, xdg_cache: Option<PathBuf>) -> Result<PathBuf> {
    let xdg = xdg_cache.filter(|p| p.is_absolute() && !macos).map(|x| x.join("ftbench"));
    let default = home.map(|h| if macos { h.join("Library/Caches/ftbench") } else { h.join(".cache/ftbench") });
    xdg.or(default).context("neither XDG_CACHE_HOME nor HOME is set: no place for the CPython build cache")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cache_per_os_and_the_docs_name_it() {
        let (home, xdg) = (Some(PathBuf::from("/home/u")), Some(PathBuf::from("/x")));
        assert_eq!(cache_dir_of(false, home.clone(), xdg.clone()).unwrap(), Path::new("/x/ftbench"));
        assert_eq!(cache_dir_of(false, home.clone(), None).unwrap(), Path::new("/home/u/.cache/ftbench"));
        assert_eq!(cache_dir_of(false, home.clone(), Some("relative".into())).unwrap(), Path::new("/home/u/.cache/ftbench"));
        assert_eq!(cache_dir_of(true, home, xdg.clone()).unwrap(), Path::new("/home/u/Library/Caches/ftbench"));
        assert!(cache_dir_of(true, None, xdg).is_err());
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
        for (name, text) in
            [("README.md", read("README.md")), ("docs/installation.md", read("docs/installation.md")), ("usage", crate::USAGE.into())]
        {
            for path in ["$XDG_CACHE_HOME/ftbench", "~/.cache/ftbench", "~/Library/Caches/ftbench"] {
                assert!(text.contains(path), "{name} does not name the cache {path}");
            }
        }
    }
}
