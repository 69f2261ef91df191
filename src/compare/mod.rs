//! Scaling-regression tracking between two runs (`ftbench compare BASE NEW`, and `ftbench ab`).
//!
//! Every workload × GIL mode × thread count present in both runs is compared on two figures,
//! each from its per-pass values (one value per independent pass, see `sweep`):
//!
//! * **throughput**: thread count by thread count, on whichever basis that fits both runs moved
//!   unchanged code least across rows: raw ops/s, and for 1-thread rows also ops per canary
//!   iteration (drift-corrected; both runs measured canaries on the same interpreter) and ops/s of
//!   each pass's fastest round (see [`Basis::fits`]);
//! * **scaling**: speedup = throughput(t) / throughput(base threads), each side's the report's.
//!
//! A figure is *regressed* or *improved* only when ALL of
//! 1. Welch's t-test on the logs of each side's fastest passes (half, or a third on fastest
//!    rounds; `ab --paired`: a paired t-test) gives p < `--alpha` (default 0.01);
//! 2. the change exceeds `--threshold` (default 5 %);
//! 3. the change exceeds the noise floor: how far the same code landed within either run, raised
//!    to the run floor, how far unchanged rows of that thread count moved between the two runs.
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

use std::collections::BTreeSet;

use crate::results::RunResults;
use environment::{disturbed_runs, environment_mismatches};
use rows::{judge_rows, shared_bases};

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
    let (mut rows, run_floors) =
        if paired { judge_rows(base, new, opts, Basis::Raw, true) } else { judge_on_quietest_basis(base, new, opts, &mut notes) };
    sort_rows(&mut rows);
    let disturbed = disturbed_runs(base, new);
    Comparison { base: RunLabel::of(base), new: RunLabel::of(new), options: *opts, paired, run_floors, mismatches, disturbed, notes, rows }
}

/// Judges every row on each basis both runs can share and, thread count by thread count, keeps the
/// one on which unchanged code moved least between these two runs (the smallest run floor): each
/// basis removes one kind of machine noise and adds its own (the canary's noise, a fastest round's
/// luck), and which wins depends on how the machine misbehaved and on how contended the rows are.
fn judge_on_quietest_basis(
    base: &RunResults,
    new: &RunResults,
    opts: &CompareOptions,
    notes: &mut Vec<String>,
) -> (Vec<RowComparison>, Vec<RunFloor>) {
    let (bases, missing) = shared_bases(base, new);
    let judged: Vec<(Basis, Vec<RowComparison>, Vec<RunFloor>)> = bases
        .iter()
        .map(|b| {
            let (rows, floors) = judge_rows(base, new, opts, *b, false);
            (*b, rows, floors)
        })
        .collect();
    let floor = |floors: &[RunFloor], t: usize| floors.iter().find(|f| f.threads == t).map_or(0.0, |f| f.throughput_pct);
    let threads: BTreeSet<usize> = judged[0].1.iter().map(|r| r.threads).collect();
    let (mut rows, mut floors) = (Vec::new(), Vec::new());
    for t in threads {
        // The first of equals wins: `bases` lists them in order of preference.
        let fitting = || judged.iter().filter(|j| j.0.fits(t));
        let (basis, chosen, chosen_floors) =
            fitting().min_by(|x, y| floor(&x.2, t).total_cmp(&floor(&y.2, t))).expect("raw fits every row");
        rows.extend(chosen.iter().filter(|r| r.threads == t).cloned());
        floors.extend(chosen_floors.iter().filter(|f| f.threads == t).copied());
        let others: Vec<String> =
            fitting().filter(|j| j.0 != *basis).map(|j| format!("; {} {:.1} %", j.0.label(), floor(&j.2, t))).collect();
        notes.push(format!(
            "throughput at {t} thread(s) compared {} (run floor {:.1} %{})",
            basis.label(),
            floor(chosen_floors, t),
            others.concat()
        ));
    }
    notes.extend(missing);
    (rows, floors)
}
