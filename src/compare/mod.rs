//! Scaling-regression tracking between two runs (`ftbench compare BASE NEW`, and `ftbench ab`).
//!
//! Every workload × GIL mode × thread count present in both runs is compared on two figures,
//! each from its per-pass values (one value per independent pass, see `sweep`):
//!
//! * **throughput**: ops per canary iteration (drift-corrected) when both runs measured canaries on
//!   the same interpreter, else raw ops/s;
//! * **scaling**: speedup = throughput(t) / throughput(base threads), computed within each pass.
//!
//! A figure is *regressed* or *improved* only when ALL of
//! 1. Welch's t-test on the logs of the per-pass values gives p < `--alpha` (default 0.01);
//! 2. the change exceeds `--threshold` (default 5 %);
//! 3. the change exceeds the noise floor: half the range the same code spanned within either run
//!    (a change smaller than a run's own pass-to-pass spread is never a verdict).
//!
//! Rows with fewer than two quiet passes on a side are *not comparable* (no interval to judge by);
//! rows that are not valid (errors, invalid, disturbed, implausible) are listed as `invalid`.
//! Different machines or interpreters are warned about at the top of the output.
//!
//! [`compare`] and [`compare_paired`] are pure; [`Comparison::exit_code`] is 0 without a regression
//! of the kind `fail_on` selects, else 1.
//!
//! - `model`: the comparison's data, counts, exit code and JSON;
//! - `verdict`: when a change counts, and the run floor;
//! - `rows`: matching, judging and sorting the rows;
//! - `environment`: machine, interpreter and configuration differences, disturbed runs;
//! - `output`: the terminal and Markdown forms, as [`crate::report::doc`] documents.

mod environment;
mod model;
mod output;
mod rows;
mod verdict;

pub use model::*;
pub use rows::{pass_values, speedup_base};
pub use verdict::{run_floor_pct, MetricChange, RunFloor};

use crate::results::RunResults;
use environment::{disturbed_runs, environment_mismatches};
use rows::{judge_rows, shared_basis};

/// Compares two runs. Pure: no I/O.
pub fn compare(base: &RunResults, new: &RunResults, opts: &CompareOptions) -> Comparison {
    compare_runs(base, new, opts, false)
}

/// Compares the two sides of one `ftbench ab` run pass by pass (`compare --paired`: a paired t-test
/// on raw ops/s, for sides measured so close together that a pass pair shares the machine's speed).
pub fn compare_paired(base: &RunResults, new: &RunResults, opts: &CompareOptions) -> Comparison {
    compare_runs(base, new, opts, true)
}

fn compare_runs(base: &RunResults, new: &RunResults, opts: &CompareOptions, paired: bool) -> Comparison {
    let mut notes = Vec::new();
    let mismatches = environment_mismatches(base, new, &mut notes);
    let (mut rows, run_floors) = match (paired, shared_basis(base, new)) {
        (false, Basis::PerCanary) => {
            // The canary divides out drift but adds its own noise: keep the basis on which unchanged
            // code moved less between these two runs (the smaller spread across rows).
            let (raw, per_canary) = (judge_rows(base, new, opts, Basis::Raw, false), judge_rows(base, new, opts, Basis::PerCanary, false));
            let spread = |floors: &[RunFloor]| floors.iter().map(|f| f.throughput_pct).sum::<f64>();
            let use_canary = spread(&per_canary.1) <= spread(&raw.1);
            let (name, other) = if use_canary { ("per canary iteration", "raw") } else { ("raw (ops/s)", "per canary") };
            notes.push(format!("throughput compared {name}: across rows, unchanged code moved no more on it than {other}"));
            if use_canary {
                per_canary
            } else {
                raw
            }
        }
        (false, _) => {
            notes.push("throughput compared raw (ops/s): canaries missing, or the interpreters differ".to_string());
            judge_rows(base, new, opts, Basis::Raw, false)
        }
        (true, _) => judge_rows(base, new, opts, Basis::Raw, true),
    };
    sort_rows(&mut rows);
    let disturbed = disturbed_runs(base, new);
    Comparison { base: RunLabel::of(base), new: RunLabel::of(new), options: *opts, paired, run_floors, mismatches, disturbed, notes, rows }
}
