//! The report of a run: turns its results.json into summary.md, index.html and charts
//! (`ftbench report`, `ftbench verify` and `cargo bench` render it).
//!
//! Reads only `results.json` (never measures). Everything is written into the run folder:
//! `summary.md`, `index.html` and `charts/*.svg` + `charts/*.png` (same base names). Works on
//! partial runs (running / interrupted), runs with one GIL mode, and skipped or failed workloads.
//!
//! - [`crate::selection`] decides (a pure function over [`RunResults`]); the report renders it.
//! - [`charts`]: plotters charts with the embedded DejaVu Sans font.
//! - [`summary`]: the document (tables, facts, checks), rendered to Markdown and HTML by [`doc`].

pub mod charts;
pub mod decision;
pub mod doc;
pub mod fleet;
pub mod format;
pub mod history;
pub mod summary;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::fsutil::write_atomic;
use crate::results::RunResults;

pub use charts::{ChartFile, ChartKind};

/// What [`render`] wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub summary: PathBuf,
    pub index: PathBuf,
    /// Every chart file written (SVG and PNG of each chart).
    pub charts: Vec<PathBuf>,
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

    let selection = crate::selection::select(&results);
    let charts = charts::render_charts(&results, &selection, &dir.join("charts"))
        .with_context(|| format!("drawing the charts of {}", dir.display()))?;
    let document = summary::build(&results, &selection, &charts);

    let summary = dir.join("summary.md");
    write_atomic(&summary, doc::to_markdown(&document).as_bytes())?;
    let index = dir.join("index.html");
    write_atomic(&index, doc::to_html(&document).as_bytes())?;

    Ok(Rendered { summary, index, charts: charts.iter().flat_map(|c| [c.svg.clone(), c.png.clone()]).collect() })
}
