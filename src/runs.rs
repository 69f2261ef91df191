//! Which run a command means. Every command that reads a run asks here, so each way of naming
//! one works, and fails, alike everywhere:
//!
//! * a run folder (holding `results.json`), or a results file (any JSON file, taken as given);
//! * a `latest` pointer: a symlink to the run folder, or a small file whose first line is the run
//!   folder's name (relative to the pointer's folder) or path;
//! * a baseline name: `reports_dir()/baselines/NAME.json`, a verbatim copy of a run's results.json
//!   ([`crate::baseline`] saves and lists them);
//! * nothing, or the word `latest`: `reports_dir()/latest`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::paths::reports_dir;
use crate::results::{results_file, RunResults};

/// Pointer files larger than this are not pointers (a run id is one short line).
const MAX_POINTER_BYTES: u64 = 4096;

/// `reports_dir()/baselines`.
pub fn baselines_dir() -> PathBuf {
    reports_dir().join("baselines")
}

/// Refuses names that are empty, contain path separators or unusual characters, or start
/// with `.` (hidden files; also the atomic writer's temp files).
pub fn validate_name(name: &str) -> Result<()> {
    if name.is_empty() {
        bail!("baseline name is empty");
    }
    if name.contains('/') || name.contains('\\') {
        bail!("baseline name `{name}` contains a path separator; use a plain name such as `main`");
    }
    if name.starts_with('.') {
        bail!("baseline name `{name}` starts with `.`");
    }
    if name.len() > 100 {
        bail!("baseline name `{name}` is longer than 100 characters");
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_.+@".contains(*c))) {
        bail!("baseline name `{name}` contains {c:?}; use letters, digits and `-_.+@`");
    }
    Ok(())
}

/// `baselines_dir()/NAME.json`, after validating NAME.
pub fn baseline_path(name: &str) -> Result<PathBuf> {
    validate_name(name)?;
    Ok(baselines_dir().join(format!("{name}.json")))
}

/// Names of the saved baselines, sorted (empty when the folder does not exist).
pub fn baseline_names() -> Result<Vec<String>> {
    let dir = baselines_dir();
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list baselines in {}", dir.display())),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list baselines in {}", dir.display()))?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else { continue };
        if let Some(name) = file_name.strip_suffix(".json") {
            if validate_name(name).is_ok() && entry.path().is_file() {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// The run folder `reports/latest` leads to. Not checked for results.json: the reader that
/// opens it names what is missing.
pub fn latest_run_dir(reports: &Path) -> Result<PathBuf> {
    let latest = latest_pointer(reports)?;
    let dir = follow(&latest)?;
    if !dir.is_dir() {
        bail!("{} does not lead to a run folder", latest.display());
    }
    // A symlink (or a plain folder) is followed to the run's own name.
    Ok(if dir == latest { fs::canonicalize(&dir).unwrap_or(dir) } else { dir })
}

/// `reports/latest`, which must exist.
fn latest_pointer(reports: &Path) -> Result<PathBuf> {
    let latest = reports.join("latest");
    match fs::symlink_metadata(&latest) {
        Ok(_) => Ok(latest),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("no run to use: {} does not exist (run the benchmarks first, or name a run folder)", latest.display())
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", latest.display())),
    }
}

/// A run named by path, or `reports_dir()/latest` for `None`: a run folder (holding results.json)
/// or a results file, both accepted by [`crate::results::RunResults::load`].
pub fn resolve_run(path_or_latest: Option<&Path>) -> Result<PathBuf> {
    let Some(path) = path_or_latest else {
        let latest = reports_dir().join("latest");
        return run_folder(&latest_run_dir(&reports_dir())?, Some(&latest));
    };
    let target = follow(path)?;
    if target.is_dir() {
        run_folder(&target, (target != path).then_some(path))
    } else {
        Ok(target)
    }
}

/// A run named on the command line: an existing path (see [`resolve_run`]), else a baseline name,
/// else the word `latest`. Unknown names are an error listing the saved baselines.
pub fn resolve_results(spec: &Path) -> Result<PathBuf> {
    if fs::symlink_metadata(spec).is_ok() {
        return resolve_run(Some(spec));
    }
    if let Some(name) = spec.to_str().filter(|n| validate_name(n).is_ok()) {
        let path = baselines_dir().join(format!("{name}.json"));
        if path.is_file() {
            return Ok(path);
        }
        if name == "latest" {
            return resolve_run(None);
        }
    }
    let names = baseline_names().unwrap_or_default();
    let available = if names.is_empty() {
        format!("no baselines saved in {}", baselines_dir().display())
    } else {
        format!("baselines in {}: {}", baselines_dir().display(), names.join(", "))
    };
    bail!("{}: no such file or folder, and no baseline of that name ({available})", spec.display())
}

/// Where `path` leads: the run folder a pointer file names, else `path` itself.
fn follow(path: &Path) -> Result<PathBuf> {
    let link = fs::symlink_metadata(path).with_context(|| format!("{}: no such file or folder", path.display()))?;
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(_) if link.file_type().is_symlink() => {
            let target = fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_else(|_| "?".into());
            bail!("{} is a symlink to {target}, which does not exist", path.display());
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if !is_pointer_file(path, &meta)? {
        return Ok(path.to_path_buf());
    }
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        bail!("{} is empty: expected the name of a run folder", path.display());
    };
    let target = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join(line);
    if !target.is_dir() {
        bail!("{} names run `{line}`, but {} is not a folder", path.display(), target.display());
    }
    Ok(target)
}

fn run_folder(dir: &Path, via: Option<&Path>) -> Result<PathBuf> {
    if !results_file(dir).is_file() {
        match via {
            Some(p) => bail!("{} (named by {}) holds no results.json", dir.display(), p.display()),
            None => bail!("{} holds no results.json: not an ftbench run folder", dir.display()),
        }
    }
    Ok(dir.to_path_buf())
}

/// A small regular file that is neither named `*.json` nor starts with `{`.
fn is_pointer_file(path: &Path, meta: &fs::Metadata) -> Result<bool> {
    if !meta.is_file() || meta.len() > MAX_POINTER_BYTES {
        return Ok(false);
    }
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        return Ok(false);
    }
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    Ok(!matches!(first, Some(b'{') | Some(b'[')))
}

/// Refuses a run that did not finish (running, interrupted, abandoned) unless `allow_partial`:
/// its rows are a subset of its plan, measured with fewer passes than its settings say.
pub fn require_finished(r: &RunResults, source: &Path, allow_partial: bool) -> Result<()> {
    match r.unfinished() {
        Some(how) if !allow_partial => bail!(
            "{}: run {} is {how}: its rows are a subset of its plan, with fewer passes than its settings say. \
             Finish it with `cargo bench -- --resume {}`, or pass --allow-partial to use it as it is",
            source.display(),
            r.run.id,
            source.display()
        ),
        _ => Ok(()),
    }
}
