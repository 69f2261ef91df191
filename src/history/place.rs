//! Where one run's figures sit against the last runs of a history (`ftbench history place`): for a
//! pull request's run, the main branch's recent figures are the reference a reader knows.
//!
//! Per series of the run's machine, the run's judged figure (per canary where every point has
//! one) against the last `N` runs' on the log scale: their mean, and the 99 % prediction interval
//! for one more run of the same code, `mean ± t(0.99, N−1) · s · √(1 + 1/N)`, with `s` the spread
//! from run to run the series itself shows. A run of the same code falls outside it in 1 figure of
//! 100; it is a place to look, not a verdict (the verdict is `ab`'s or `compare`'s).

use super::series::{build, Series, SeriesKey};
use super::RunRecord;
use crate::stats;

/// The prediction interval's level.
pub const LEVEL: f64 = 0.99;
/// Fewer earlier runs than this give no spread worth an interval.
pub const MIN_RUNS: usize = 3;

/// One figure of the run against its series' last runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub key: SeriesKey,
    /// The run's figure as shown, and the last runs' median as shown.
    pub value: f64,
    pub median: f64,
    /// How many earlier runs the reference holds (at most `N`).
    pub runs: usize,
    /// The run's judged figure against the last runs' mean, in percent, and the prediction
    /// interval around that mean, in percent of it.
    pub change_pct: f64,
    pub interval_pct: (f64, f64),
}

impl Placement {
    /// Outside the interval where one more run of the same code falls 99 times in 100.
    pub fn outside(&self) -> bool {
        self.change_pct < self.interval_pct.0 || self.change_pct > self.interval_pct.1
    }
}

/// Every figure of `run` whose series in `history` has at least [`MIN_RUNS`] earlier points, each
/// against its last `last` of them; furthest outside first.
pub fn place(history: &[RunRecord], run: &RunRecord, last: usize, by_label: bool) -> Vec<Placement> {
    let mut records = history.to_vec();
    records.push(run.clone());
    let index = records.len() - 1;
    let mut out: Vec<Placement> = build(&records, by_label).iter().filter_map(|s| placement(s, index, last)).collect();
    out.sort_by(|a, b| distance(b).total_cmp(&distance(a)));
    out
}

/// How far outside its interval a placement lies, in widths of it (negative: inside).
fn distance(p: &Placement) -> f64 {
    let (lo, hi) = p.interval_pct;
    (lo - p.change_pct).max(p.change_pct - hi) / (hi - lo).max(f64::MIN_POSITIVE)
}

fn placement(s: &Series, index: usize, last: usize) -> Option<Placement> {
    let (now, earlier) = s.points.split_last().filter(|(p, _)| p.run == index)?;
    let earlier = &earlier[earlier.len().saturating_sub(last)..];
    if earlier.len() < MIN_RUNS {
        return None;
    }
    let logs: Vec<f64> = earlier.iter().map(|p| p.judged.point.ln()).collect();
    let (mean, sd) = (stats::mean(&logs)?, stats::variance(&logs)?.sqrt());
    let n = logs.len() as f64;
    let half = stats::t_quantile(LEVEL, n - 1.0) * sd * (1.0 + 1.0 / n).sqrt();
    let pct = |log: f64| (log.exp() - 1.0) * 100.0;
    let shown: Vec<f64> = earlier.iter().map(|p| p.shown.point).collect();
    Some(Placement {
        key: s.key.clone(),
        value: now.shown.point,
        median: stats::median(&shown)?,
        runs: earlier.len(),
        change_pct: pct(now.judged.point.ln() - mean),
        interval_pct: (pct(-half), pct(half)),
    })
}
