//! Workloads that failed on either side of a comparison, and which of them fail it: the new side
//! failing where the base worked, side by side (`ab`) as between two runs (`compare`).

use serde::Serialize;

use crate::results::{Elsewhere, Failure, RunResults};

/// Which run a failure happened in.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Base,
    New,
}

/// A failure on one side, and whether it fails the comparison.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SideFailure {
    pub side: Side,
    #[serde(flatten)]
    pub failure: Failure,
    /// Counts against the comparison (exit 3 unless `--fail-on none`).
    pub fails: bool,
    /// Why it does not count, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<&'static str>,
}

impl SideFailure {
    /// "new side: lock_counter re-enabled the GIL on import".
    pub fn describe(&self) -> String {
        let side = match self.side {
            Side::Base => "base side",
            Side::New => "new side",
        };
        format!("{side}: {}", self.failure.describe())
    }
}

/// Every failure of both runs (on what they kept after filtering), and which fail the comparison:
/// only a new one, the new side failing where the base measured the same place and it worked. A
/// failure the base already had, or at a place the base did not measure (another thread count, a
/// filter), is named but does not fail it: a pull request does not fail for what main broke, even
/// when `ab` measured main's failure a minute ago.
pub fn side_failures(base: &RunResults, new: &RunResults) -> Vec<SideFailure> {
    let of = |side, run: &RunResults| run.failures().into_iter().map(move |failure| (side, failure));
    of(Side::New, new)
        .chain(of(Side::Base, base))
        .map(|(side, failure)| {
            let why_not = match (side, failure.in_run(base)) {
                (Side::Base, _) => Some("it failed in the base"),
                (Side::New, Elsewhere::Worked) => None,
                (Side::New, Elsewhere::Failed) => Some("it failed there in the base too"),
                (Side::New, Elsewhere::NotMeasured) => Some("the base did not measure it there"),
            };
            SideFailure { side, failure, fails: why_not.is_none(), why_not }
        })
        .collect()
}
