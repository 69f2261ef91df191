//! The bootstrap record, `<repo>/.python/ftbench-bootstrap.json`:
//!
//! ```json
//! {
//!   "schema": 1,
//!   "interpreter": "/home/me/.cache/ftbench/cpython-3.13.5t/bin/python3.13t",
//!   "version": "3.13.5",
//!   "found_by": "previous build of 3.13.5t in the cache /home/me/.cache/ftbench",
//!   "venv": "/work/ftbench/.python",
//!   "packages": {
//!     "ft_utils": { "status": "installed", "version": "0.2.0" },
//!     "atomics":  { "status": "skipped", "reason": "skipped: needs Python >= 3.14 (...)" },
//!     "pyatomix": { "status": "failed", "reason": "<last lines of pip's output>" }
//!   }
//! }
//! ```
//! `interpreter` is the base interpreter the venv was made from, symlinks resolved.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::{json, Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Package {
    Installed(String),
    Skipped(String),
    Failed(String),
}

#[derive(Debug)]
pub struct Record {
    pub interpreter: PathBuf,
    pub version: String,
    pub found_by: String,
    pub venv: PathBuf,
    pub packages: Vec<(String, Package)>,
}

impl Record {
    pub fn read(path: &Path) -> Option<Record> {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
        let packages = v["packages"]
            .as_object()?
            .iter()
            .filter_map(|(name, p)| {
                let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
                let pkg = match p["status"].as_str()? {
                    "installed" => Package::Installed(text("version")),
                    "skipped" => Package::Skipped(text("reason")),
                    _ => Package::Failed(text("reason")),
                };
                Some((name.clone(), pkg))
            })
            .collect::<Vec<_>>();
        // serde_json's maps are sorted by name: put them back in the order they are installed.
        let mut packages = packages;
        let rank = |n: &str| crate::venv::PACKAGES.iter().position(|p| *p == n).unwrap_or(usize::MAX);
        packages.sort_by_key(|(n, _)| rank(n));
        Some(Record {
            interpreter: PathBuf::from(v["interpreter"].as_str()?),
            version: v["version"].as_str()?.to_owned(),
            found_by: v["found_by"].as_str().unwrap_or_default().to_owned(),
            venv: PathBuf::from(v["venv"].as_str().unwrap_or_default()),
            packages,
        })
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let mut packages = Map::new();
        for (name, p) in &self.packages {
            let entry = match p {
                Package::Installed(v) => json!({ "status": "installed", "version": v }),
                Package::Skipped(r) => json!({ "status": "skipped", "reason": r }),
                Package::Failed(r) => json!({ "status": "failed", "reason": r }),
            };
            packages.insert(name.clone(), entry);
        }
        let v = json!({
            "schema": 1,
            "interpreter": self.interpreter.display().to_string(),
            "version": self.version,
            "found_by": self.found_by,
            "venv": self.venv.display().to_string(),
            "packages": packages,
        });
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(&v)? + "\n").with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    }

    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// "ft_utils 0.2.0, pyatomix 0.1.5, atomics skipped, x FAILED".
    pub fn packages_summary(&self) -> String {
        self.packages
            .iter()
            .map(|(n, p)| match p {
                Package::Installed(v) => format!("{n} {v}"),
                Package::Skipped(_) => format!("{n} skipped"),
                Package::Failed(_) => format!("{n} FAILED"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let dir = std::env::temp_dir().join(format!("xtask-record-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.json");
        let r = Record {
            interpreter: "/x/bin/python3.14t".into(),
            version: "3.14.0".into(),
            found_by: "python3.14t is on PATH".into(),
            venv: "/repo/.python".into(),
            packages: vec![("ft_utils".into(), Package::Installed("0.2.0".into())), ("atomics".into(), Package::Failed("no wheel".into()))],
        };
        r.write(&path).unwrap();
        let back = Record::read(&path).unwrap();
        assert_eq!(back.interpreter, r.interpreter);
        assert_eq!(back.package("atomics"), Some(&Package::Failed("no wheel".into())));
        assert_eq!(back.packages_summary(), "ft_utils 0.2.0, atomics FAILED");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
