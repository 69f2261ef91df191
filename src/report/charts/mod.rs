//! Charts, each written as SVG and PNG with the same base name into `<run>/charts/`.
//!
//! Every chart is first reduced to a backend-independent `model::Plot` (data, axes, legend, notes),
//! then drawn twice. Axes are always `f64` with explicit tick positions; logarithmic axes plot
//! `log2(value)` and label the ticks with the value, so one drawing path serves every chart.
//!
//! Invalid rows (status ≠ ok), rows without throughput, and skipped / failed workloads are never
//! drawn as data: they are listed in the notes under the chart ("Not drawn: …").
//!
//! Text uses the embedded DejaVu Sans, registered with plotters under the family name
//! [`FONT_FAMILY`] (`sans-serif`), so PNGs render on machines without system fonts and SVGs fall
//! back to the viewer's own sans-serif font.
//!
//! - `style`: the embedded font, sizes, colours, text measuring and wrapping.
//! - `model`: the backend-independent plot (axes, series, bars, heat map, legend, notes).
//! - `draw`: one drawing of a plot onto any plotters backend.
//! - `write`: each plot drawn to SVG and PNG, and every chart of a run.
//! - `context`: what the chart builders share: the run by workload, and what is not drawn.
//! - One builder per chart: `group` (one per selection group: throughput and speedup of its
//!   candidates, the report's small multiples), `throughput`, `gain`, `heatmap`, `contention`.

mod contention;
mod context;
mod draw;
mod fleet;
mod gain;
mod group;
mod heatmap;
mod history;
mod model;
mod style;
mod throughput;
mod write;

use std::path::PathBuf;

pub use contention::is_lock_like;
pub use fleet::render_fleet_charts;
pub use history::render_history_charts;
pub use style::{ensure_font, FONT_FAMILY};
pub use write::{file_stem, group_file, group_key, group_title, render_charts};

/// What a chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// One workload: throughput vs threads, GIL off and on, with confidence bands.
    Throughput,
    /// One selection group: its candidates' throughput and speedup vs threads, GIL off and on.
    Group,
    /// GIL-off / GIL-on throughput at the core count, one bar per workload.
    FtGain,
    /// Per-core utilisation at the core count, GIL off: workload × core.
    CoreHeatmap,
    /// Blocked fraction and context switches per op vs threads, lock-like workloads, GIL off.
    Contention,
}

/// One chart written as `<base>.svg` and `<base>.png`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartFile {
    pub kind: ChartKind,
    /// Base file name (no extension), e.g. `throughput-lock_counter`.
    pub base: String,
    pub title: String,
    /// The workload a per-workload chart is about.
    pub workload: Option<String>,
    /// The selection group a group chart is about: its key (`Group::key`).
    pub group: Option<String>,
    pub svg: PathBuf,
    pub png: PathBuf,
}
