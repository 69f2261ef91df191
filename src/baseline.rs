//! Named baselines (`ftbench baseline save NAME [RUN]`, `ftbench baseline list`) and the
//! resolution of "which run?" arguments shared by compare, export and report.
//!
//! A baseline is a verbatim copy of a run's `results.json`, stored as
//! `reports_dir()/baselines/NAME.json` (written atomically). Baselines only read results.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::fsutil::write_atomic;
use crate::paths::reports_dir;
use crate::results::{results_file, RunResults, RunStatus};

/// Pointer files larger than this are not pointers (a run id is one short line).
const MAX_POINTER_BYTES: u64 = 4096;

#[derive(clap::Subcommand, Debug, Clone)]
pub enum BaselineCmd {
    /// Save a run's results.json as baseline NAME (replacing an existing one of that name).
    Save {
        /// Letters, digits and `-_.+@`; must not start with `.`.
        name: String,
        /// A run folder, a results.json or a `latest` pointer [default: reports/latest].
        run: Option<PathBuf>,
    },
    /// List saved baselines: name, run id, date, commit, machine.
    List,
}

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

/// Which run to use: `None` means `reports_dir()/latest`.
///
/// Accepts a run folder (must hold `results.json`), a results file (any JSON file, returned
/// as given), or a `latest` pointer: either a symlink to the run folder or a small regular
/// file whose first line is the run folder's name (relative to the pointer's folder) or path.
/// Returns a run folder or a results file — both are accepted by [`RunResults::load`];
/// [`results_file`] maps either to the JSON file.
pub fn resolve_run(path_or_latest: Option<&Path>) -> Result<PathBuf> {
    let latest;
    let path = match path_or_latest {
        Some(p) => p,
        None => {
            latest = reports_dir().join("latest");
            if fs::symlink_metadata(&latest).is_err() {
                bail!("no run to use: {} does not exist (run the benchmarks first, or name a run folder)", latest.display());
            }
            &latest
        }
    };
    let link = fs::symlink_metadata(path).with_context(|| format!("{}: no such file or folder", path.display()))?;
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(_) if link.file_type().is_symlink() => {
            let target = fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_else(|_| "?".into());
            bail!("{} is a symlink to {target}, which does not exist", path.display());
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if meta.is_dir() {
        return run_folder(path, None);
    }
    if is_pointer_file(path, &meta)? {
        let text = fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
            bail!("{} is empty: expected the name of a run folder", path.display());
        };
        let base = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let target = base.join(line);
        if !target.is_dir() {
            bail!("{} names run `{line}`, but {} is not a folder", path.display(), target.display());
        }
        return run_folder(&target, Some(path));
    }
    Ok(path.to_path_buf())
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

/// A compare/export argument: an existing path (run folder, results file, `latest` pointer),
/// else a baseline name, else the word `latest` (meaning `reports_dir()/latest`).
/// Unknown names are an error listing the saved baselines.
pub fn resolve_results(spec: &Path) -> Result<PathBuf> {
    if fs::symlink_metadata(spec).is_ok() {
        return resolve_run(Some(spec));
    }
    if let Some(name) = spec.to_str() {
        if validate_name(name).is_ok() {
            let path = baselines_dir().join(format!("{name}.json"));
            if path.is_file() {
                return Ok(path);
            }
            if name == "latest" {
                return resolve_run(None);
            }
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

/// One saved baseline, readable or not.
#[derive(Debug)]
pub struct BaselineEntry {
    pub name: String,
    pub path: PathBuf,
    /// The baseline's results, or why it could not be read.
    pub results: std::result::Result<RunResults, String>,
}

/// Every saved baseline, sorted by name; unreadable files are listed with their error.
pub fn list() -> Result<Vec<BaselineEntry>> {
    Ok(baseline_names()?
        .into_iter()
        .map(|name| {
            let path = baselines_dir().join(format!("{name}.json"));
            let results = RunResults::load(&path).map_err(|e| format!("{e:#}"));
            BaselineEntry { name, path, results }
        })
        .collect())
}

/// What [`save`] did.
#[derive(Debug)]
pub struct Saved {
    pub path: PathBuf,
    pub results: RunResults,
    /// The run id of the baseline this one replaced, if any (`Some("?")` when it was unreadable).
    pub replaced: Option<String>,
}

/// Copies the run's results.json (validated first) to `baselines_dir()/NAME.json`, atomically.
pub fn save(name: &str, run: Option<&Path>) -> Result<Saved> {
    let dest = baseline_path(name)?;
    let src = results_file(&resolve_run(run)?);
    let results = RunResults::load(&src)?;
    let bytes = fs::read(&src).with_context(|| format!("cannot read results file {}", src.display()))?;
    let replaced = dest.is_file().then(|| RunResults::load(&dest).map(|r| r.run.id).unwrap_or_else(|_| "?".to_string()));
    write_atomic(&dest, &bytes).with_context(|| format!("cannot save baseline `{name}`"))?;
    Ok(Saved { path: dest, results, replaced })
}

/// `ftbench baseline ...`; returns the exit status.
pub fn command(cmd: BaselineCmd) -> Result<i32> {
    match cmd {
        BaselineCmd::Save { name, run } => {
            let saved = save(&name, run.as_deref())?;
            let r = &saved.results;
            if r.run.status != RunStatus::Complete {
                eprintln!("warning: run {} is {}, not complete: baseline `{name}` may lack workloads", r.run.id, kebab(&r.run.status));
            }
            match &saved.replaced {
                Some(old) => println!(
                    "replaced baseline `{name}` (was run {old}) with run {} (commit {}): {}",
                    r.run.id,
                    short_commit(&r.run.suite_commit),
                    saved.path.display()
                ),
                None => println!(
                    "saved baseline `{name}` from run {} (commit {}): {}",
                    r.run.id,
                    short_commit(&r.run.suite_commit),
                    saved.path.display()
                ),
            }
            Ok(0)
        }
        BaselineCmd::List => {
            let entries = list()?;
            if entries.is_empty() {
                println!("no baselines saved in {}", baselines_dir().display());
                return Ok(0);
            }
            let headers = ["NAME", "RUN ID", "DATE", "COMMIT", "MACHINE"];
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| match &e.results {
                    Ok(r) => vec![
                        e.name.clone(),
                        r.run.id.clone(),
                        short_date(&r.run.started),
                        short_commit(&r.run.suite_commit).to_string(),
                        machine_line(r),
                    ],
                    Err(err) => vec![e.name.clone(), "-".into(), "-".into(), "-".into(), format!("unreadable: {err}")],
                })
                .collect();
            print!("{}", text_table(&headers, &rows));
            Ok(0)
        }
    }
}

/// `cpu_model, N logical cores, os`.
pub fn machine_line(r: &RunResults) -> String {
    let m = &r.machine;
    format!("{}, {} logical cores, {}", m.cpu_model, m.logical_cores, m.os)
}

/// The first 12 characters of a commit hash (or the whole string when shorter, e.g. "unknown").
pub fn short_commit(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// `2024-05-01T12:34:56Z` → `2024-05-01 12:34`.
pub fn short_date(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replacen('T', " ", 1)
}

/// An enum's serialized (kebab-case) name, e.g. `gil-reenabled`, `lost-updates`.
pub(crate) fn kebab<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".to_string(),
    }
}

/// Left-aligned columns separated by two spaces; widths count characters.
pub(crate) fn text_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(' ', widths[i].saturating_sub(cell.chars().count())));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(headers.to_vec(), &mut out);
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out
}
