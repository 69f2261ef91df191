//! Named baselines: save a run under a name, list the saved ones.
//!
//! A baseline is a verbatim copy of a run's `results.json`, stored as
//! `reports_dir()/baselines/NAME.json` (written atomically); where they live, which names are
//! allowed and how a name is resolved is [`crate::runs`]'s. Baselines only read results.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::fsutil::write_atomic;
use crate::results::{results_file, RunResults};
use crate::runs::{baseline_names, baseline_path, baselines_dir, resolve_run};

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
pub fn save(name: &str, run: Option<&Path>, allow_partial: bool) -> Result<Saved> {
    let dest = baseline_path(name)?;
    let src = results_file(&resolve_run(run)?);
    let results = RunResults::load(&src)?;
    crate::runs::require_finished(&results, &src, allow_partial)?;
    let bytes = fs::read(&src).with_context(|| format!("cannot read results file {}", src.display()))?;
    let replaced = dest.is_file().then(|| RunResults::load(&dest).map(|r| r.run.id).unwrap_or_else(|_| "?".to_string()));
    write_atomic(&dest, &bytes).with_context(|| format!("cannot save baseline `{name}`"))?;
    Ok(Saved { path: dest, results, replaced })
}

/// The first 12 characters of a commit hash (or the whole string when shorter, e.g. "unknown").
pub fn short_commit(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
