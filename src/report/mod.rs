//! `ftbench report [RUN_DIR]`: turns a run's results.json into summary.md, index.html and charts.
//!
//! Reads only `results.json` (never measures). Everything is written into the run folder:
//! `summary.md`, `index.html` and `charts/*.svg` + `charts/*.png` (same base names). Works on
//! partial runs (running / interrupted), runs with one GIL mode, and skipped or failed workloads.
//!
//! - [`selection`]: the primitive selection table, a pure function over [`RunResults`].
//! - [`charts`]: plotters charts with the embedded DejaVu Sans font.
//! - [`summary`]: the document (tables, facts, checks), rendered to Markdown and HTML by [`doc`].

pub mod charts;
pub mod doc;
pub mod format;
mod grouped;
pub mod selection;
pub mod summary;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::fsutil::write_atomic;
use crate::paths::reports_dir;
use crate::results::{RunResults, RunStatus};

pub use charts::{ChartFile, ChartKind};
pub use selection::{select, Selection};

/// What [`render`] wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub summary: PathBuf,
    pub index: PathBuf,
    /// Every chart file written (SVG and PNG of each chart).
    pub charts: Vec<PathBuf>,
}

/// `ftbench report [RUN_DIR]`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ReportArgs {
    /// Run folder holding results.json (default: the run named by reports/latest).
    pub run_dir: Option<PathBuf>,
}

/// Renders the report of `run_dir` (a run folder, or its results.json) into that folder.
pub fn render(run_dir: &Path) -> Result<Rendered> {
    let dir = if run_dir.is_file() {
        run_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
    } else {
        run_dir.to_path_buf()
    };
    let mut results = RunResults::load(&dir)?;
    // Fill speedup / efficiency / gain from the throughputs, so partial runs saved before the
    // figures were derived still get them (idempotent on complete runs).
    results.derive_figures();

    let charts =
        charts::render_charts(&results, &dir.join("charts")).with_context(|| format!("drawing the charts of {}", dir.display()))?;
    let selection = selection::select(&results);
    let document = summary::build(&results, &selection, &charts);

    let summary = dir.join("summary.md");
    write_atomic(&summary, doc::to_markdown(&document).as_bytes())?;
    let index = dir.join("index.html");
    write_atomic(&index, doc::to_html(&document).as_bytes())?;

    Ok(Rendered { summary, index, charts: charts.iter().flat_map(|c| [c.svg.clone(), c.png.clone()]).collect() })
}

/// The run folder `reports/latest` points at: a symlink to it, or a file holding its name.
pub fn latest_run_dir(reports: &Path) -> Result<PathBuf> {
    let latest = reports.join("latest");
    let meta = match std::fs::symlink_metadata(&latest) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("no run to report: {} does not exist (run the benchmarks first, or pass a run folder)", latest.display())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", latest.display())),
    };
    if meta.is_file() {
        let text = std::fs::read_to_string(&latest).with_context(|| format!("cannot read {}", latest.display()))?;
        let name = text.trim();
        if name.is_empty() {
            bail!("{} is empty: it should hold the name of a run folder", latest.display());
        }
        let dir = reports.join(name);
        if !dir.is_dir() {
            bail!("{} names run {name:?}, but {} is not a folder", latest.display(), dir.display());
        }
        return Ok(dir);
    }
    // A symlink (or a plain folder): follow it.
    if !latest.is_dir() {
        bail!("{} does not lead to a run folder (dangling link?)", latest.display());
    }
    Ok(std::fs::canonicalize(&latest).unwrap_or(latest))
}

/// Runs `ftbench report`; returns the process exit code.
pub fn command(args: ReportArgs) -> Result<i32> {
    let dir = match args.run_dir {
        Some(d) => d,
        None => latest_run_dir(&reports_dir())?,
    };
    let rendered = render(&dir)?;
    if let Ok(r) = RunResults::load(&dir) {
        match r.run.status {
            RunStatus::Complete => {}
            RunStatus::Running => eprintln!("note: run {} is still running; the report is partial", r.run.id),
            RunStatus::Interrupted => eprintln!("note: run {} was interrupted; the report is partial", r.run.id),
        }
    }
    println!("summary: {}", rendered.summary.display());
    println!("index:   {}", rendered.index.display());
    println!("charts:  {} files in {}", rendered.charts.len(), rendered.index.with_file_name("charts").display());
    Ok(0)
}
