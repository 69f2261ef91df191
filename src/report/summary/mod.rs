//! The report's content, as a [`Doc`] rendered to both summary.md and index.html.
//!
//! One file per section, in the order [`build`] writes them: `run` (run facts and alerts),
//! `recommendations` (the answer, one table row per question), `primitives` (the selection:
//! each group's decision, reasons, chart and table), `interpreter` (interpreter scaling),
//! `figures` (the charts), `problems`, `calibration` (noise and harness calibration),
//! `environment` (machine, interpreters, packages) and `full_data` (folded); `cells` holds the
//! helpers they share.

mod calibration;
mod cells;
mod environment;
mod figures;
mod full_data;
mod interpreter;
mod primitives;
mod problems;
mod recommendations;
mod run;

use super::charts::ChartFile;
use super::doc::Doc;
use crate::results::RunResults;
use crate::selection::Selection;

pub use calibration::{CPU_ONLY_OFF_FACTOR, CPU_ONLY_ON_MAX, PROBE_TARGET};
pub use interpreter::ftscalingbench_terms;

/// The whole report of a run: every section, in reading order.
pub fn build(results: &RunResults, selection: &Selection, charts: &[ChartFile]) -> Doc {
    let mut doc = Doc { title: format!("ftbench report: {}", results.run.id), blocks: vec![] };
    run::info(&mut doc, results);
    run::alerts(&mut doc, results);
    recommendations::section(&mut doc, selection);
    primitives::section(&mut doc, selection, charts);
    interpreter::section(&mut doc, results);
    figures::section(&mut doc, charts);
    problems::section(&mut doc, results);
    calibration::section(&mut doc, results);
    environment::section(&mut doc, results);
    full_data::section(&mut doc, results);
    doc
}
