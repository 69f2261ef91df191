//! The per-user cache's builds from source, `<cache>/cpython-<version>t`: build.rs writes them and
//! find.rs takes finished ones, so the layout lives here, below both.

use std::path::{Path, PathBuf};

use crate::util::version_key;

/// `<cache>/cpython-<version>t`: where the build of `version` is installed.
pub fn prefix(cache: &Path, version: &str) -> PathBuf {
    cache.join(format!("cpython-{version}t"))
}

/// The interpreter of a build installed at `prefix`: `bin/python3.14t` for version 3.14.x.
pub fn python(prefix: &Path, version: &str) -> Option<PathBuf> {
    let key = version_key(version);
    let (major, minor) = (key.first()?, key.get(1)?);
    Some(prefix.join("bin").join(format!("python{major}.{minor}t")))
}

/// `<cache>/cpython-<version>t.incomplete`: present while a build into that prefix is unfinished.
pub fn incomplete_marker(prefix: &Path) -> PathBuf {
    let mut name = prefix.file_name().unwrap_or_default().to_os_string();
    name.push(".incomplete");
    prefix.with_file_name(name)
}

/// The finished builds' interpreters with their versions, newest version first.
pub fn finished_builds(cache: &Path) -> Vec<(String, PathBuf)> {
    let mut builds: Vec<(String, PathBuf)> = std::fs::read_dir(cache)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| !incomplete_marker(&e.path()).exists())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix("cpython-")?.strip_suffix('t')?.to_owned();
            let python = python(&e.path(), &version)?;
            Some((version, python))
        })
        .collect();
    builds.sort_by_key(|(v, _)| std::cmp::Reverse(version_key(v)));
    builds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_finished_builds_newest_first_and_never_an_unfinished_one() {
        let dir = tempfile::tempdir().unwrap();
        for version in ["3.13.5", "3.14.0", "3.15.0"] {
            std::fs::create_dir_all(prefix(dir.path(), version)).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("downloads")).unwrap();
        std::fs::write(incomplete_marker(&prefix(dir.path(), "3.15.0")), "").unwrap();
        let builds = finished_builds(dir.path());
        let expected = |v: &str, bin: &str| (v.to_owned(), dir.path().join(format!("cpython-{v}t/bin/{bin}")));
        assert_eq!(builds, [expected("3.14.0", "python3.14t"), expected("3.13.5", "python3.13t")]);
    }
}
