//! Scaling-regression tracking between two runs (`ftbench compare BASE NEW`, and `ftbench ab`).
//!
//! Every workload × GIL mode × thread count present in both runs is compared on two figures,
//! each from its per-pass values (one value per independent pass, see `sweep`), fixed before the
//! values are seen:
//!
//! * **throughput**: at 1 thread each pass's fastest round (two runs on one interpreter: over the
//!   pass's canary), with more threads each pass's ops/s;
//! * **scaling**: the per-pass speedup, throughput(t) / throughput(base threads) in the same pass.
//!
//! Each figure's change is Yuen's 20 %-trimmed mean of the log values with its 95 % interval
//! (two runs: two samples; `ab`, whose sides ran side by side in every pass: the pass-by-pass
//! ratios). Between two runs the machine itself moves (the canaries say by how much), and that
//! drift is added to both ends of the throughput interval unless each pass's canary divided it out. Benjamini–Hochberg at `--alpha` over
//! every figure of the comparison says which changed; then, with T = `--threshold`:
//! *regressed* / *improved*: found changed and the whole interval beyond −T / +T; *unchanged*: the
//! whole interval within ±T; *inconclusive* otherwise, with the smallest change it could have
//! shown. Rows with fewer than two passes on a side are *not comparable*; rows that are not valid
//! (errors, invalid, disturbed, implausible) are listed as `invalid`. A workload the new side broke
//! where the base worked (GIL re-enabled, timeout, crash, error, raise, broken invariant) fails
//! the comparison with exit 3 and is named first.
//!
//! [`compare`] and [`compare_paired`] are pure; [`Comparison::exit_code`] follows the table in
//! `docs/verdicts.md`.
//!
//! - `model`: the comparison's data, counts, exit code and JSON;
//! - `verdict`: a figure's change and interval, the family test, the four words;
//! - `drift`: how far the machine moved between two runs;
//! - `rows`: matching, measuring and sorting the rows;
//! - `environment`: machine, interpreter and configuration differences, disturbed runs;
//! - `failures`: workloads that failed on either side, and which of them fail the comparison;
//! - `output`: the terminal and Markdown forms, as [`crate::report::doc`] documents.

mod drift;
mod environment;
mod failures;
mod model;
mod output;
mod rows;
mod verdict;

pub use drift::Drift;
pub use failures::{Side, SideFailure};
pub use model::*;
pub use rows::{per_pass_speedups, speedup_base};
pub use verdict::{Confirmation, MetricChange};

use crate::results::RunResults;
use environment::{disturbed_runs, environment_mismatches, same_interpreters};
use rows::{judge_rows, Design};

/// Compares two runs. Pure: no I/O.
pub fn compare(base: &RunResults, new: &RunResults, opts: &CompareOptions) -> Comparison {
    compare_runs(base, new, opts, false)
}

/// Compares the two sides of one `ftbench ab` run pass by pass (`ab`, and `compare --paired`: sides
/// measured so close together that a pass pair shares the machine's speed, so no drift is added).
pub fn compare_paired(base: &RunResults, new: &RunResults, opts: &CompareOptions) -> Comparison {
    compare_runs(base, new, opts, true)
}

fn compare_runs(base: &RunResults, new: &RunResults, opts: &CompareOptions, paired: bool) -> Comparison {
    let mut notes = Vec::new();
    let mismatches = environment_mismatches(base, new, &mut notes);
    let drift = if paired { Vec::new() } else { drift::drift(base, new) };
    let per_canary = !paired && same_interpreters(base, new);
    if !paired && !per_canary {
        notes.push(
            "the interpreters differ: the canaries ran on each run's own, so the drift added to throughput intervals \
             includes how the change moved the canary loop (`ftbench ab --base-python/--new-python` pairs passes instead)"
                .into(),
        );
    }
    let mut rows = judge_rows(base, new, opts, Design { paired, per_canary, drift: &drift });
    sort_rows(&mut rows);
    let disturbed = disturbed_runs(base, new);
    let mut failures = failures::side_failures(base, new);
    failures.sort_by_key(|f| !f.fails);
    for f in failures.iter().filter(|f| !f.fails) {
        notes.push(format!("{} (not failing this comparison: {})", f.describe(), f.why_not.unwrap_or_default()));
    }
    Comparison {
        base: RunLabel::of(base),
        new: RunLabel::of(new),
        options: *opts,
        paired,
        drift,
        mismatches,
        disturbed,
        notes,
        failures,
        rows,
    }
}
