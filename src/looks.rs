//! More pass pairs for a paired measurement (both sides side by side, as `ab` measures): the looks
//! of `ab --until-decided`, and the second measurement that confirms a flagged verdict before it
//! can fail anyone (`ab`, `compare --confirm`).

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

use crate::compare::{compare_paired, CompareOptions, Comparison, RowCategory, RowComparison};
use crate::results::RunResults;
use crate::supervise::interrupted;
use crate::sweep::{Filter, Sweep};

/// How many looks `--until-decided` may take: the error rates are split over this many.
pub const MAX_LOOKS: usize = 6;

/// How many times a confirmation may measure a row again whose re-measurement the machine kept
/// from being judged (disturbed, too few quiet passes) before the verdict is left unconfirmed.
const CONFIRMATION_LOOKS: usize = 3;

/// Benchmark ids of the rows more pass pairs could decide: an inconclusive figure, too few quiet
/// passes to judge, or disturbed in most passes (and their base rows).
pub fn undecided(cmp: &Comparison) -> Vec<String> {
    cmp.ids_where(|r| r.category() == RowCategory::Inconclusive || r.measurable_again())
}

/// Benchmark ids of the rows a re-measurement could not judge for the machine (and their base rows).
fn unjudged(cmp: &Comparison) -> Vec<String> {
    cmp.ids_where(RowComparison::measurable_again)
}

/// Both sides of one paired measurement, with the passes of every look added.
pub struct Paired {
    pub base: RunResults,
    pub new: RunResults,
    /// Pass pairs per look.
    pub passes: usize,
    pub looks: usize,
    pub begun: Instant,
}

impl Paired {
    /// The first look, measured in `dir` since `begun`.
    pub fn load(dir: &Path, passes: usize, begun: Instant) -> Result<Paired> {
        let (base, new) = (RunResults::load(&dir.join("base"))?, RunResults::load(&dir.join("new"))?);
        Ok(Paired { base, new, passes, looks: 1, begun })
    }

    /// Compares the sides, then measures the rows `pending` names again, look after look, in
    /// `run_dir/<folder><look>/` with `again`'s settings, adding their passes, until none is
    /// pending, `max_looks` are taken, another look would end past `deadline` (`ab --budget`; none
    /// for `compare --confirm`) or the user interrupts.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &mut self,
        again: &Sweep,
        run_dir: &Path,
        folder: &str,
        opts: &CompareOptions,
        pending: fn(&Comparison) -> Vec<String>,
        max_looks: usize,
        deadline: Option<Instant>,
    ) -> Result<Comparison> {
        let mut cmp = compare_paired(&self.base, &self.new, opts);
        while self.looks < max_looks && !pending(&cmp).is_empty() && !interrupted() {
            if deadline.is_some_and(|d| Instant::now() + self.begun.elapsed() / self.looks as u32 > d) {
                eprintln!("ftbench: --budget spent: {} rows still pending", pending(&cmp).len());
                break;
            }
            let ids = pending(&cmp);
            let sweep = Sweep {
                filter: Filter { patterns: ids, exact: true },
                reports_dir: run_dir.join(format!("{folder}{}", self.looks + 1)),
                ..again.clone()
            };
            let dir = sweep.run()?;
            let offset = self.looks * self.passes;
            self.base.add_passes(&RunResults::load(&dir.join("base"))?, offset);
            self.new.add_passes(&RunResults::load(&dir.join("new"))?, offset);
            cmp = compare_paired(&self.base, &self.new, opts);
            self.looks += 1;
        }
        Ok(cmp)
    }
}

/// Measures the rows `cmp` flagged again before their verdict can fail anyone, with `passes` pass
/// pairs, as `again` measures (both sides side by side, at its ops per round), in
/// `run_dir/confirmation/` (and, for rows the machine kept from being judged, again in
/// `confirmation2/`…), judges them alone at `opts`' single-test rates and confirms or withdraws
/// each verdict ([`Comparison::confirm`]). Says how long it took.
pub fn confirm(
    cmp: &mut Comparison,
    opts: &CompareOptions,
    again: &Sweep,
    run_dir: &Path,
    passes: usize,
    deadline: Option<Instant>,
) -> Result<()> {
    let ids = cmp.flagged_ids();
    if ids.is_empty() {
        return Ok(());
    }
    eprintln!("ftbench: confirming {} flagged rows: measuring them again ({})", ids.len(), ids.join(", "));
    let mut settings = again.settings.clone();
    settings.passes = passes;
    let sweep =
        Sweep { filter: Filter { patterns: ids, exact: true }, reports_dir: run_dir.join("confirmation"), settings, ..again.clone() };
    let begun = Instant::now();
    let dir = sweep.run()?;
    let mut confirming = Paired::load(&dir, passes, begun)?;
    let second = confirming.decide(&sweep, run_dir, "confirmation", opts, unjudged, CONFIRMATION_LOOKS, deadline)?;
    eprintln!("ftbench: the confirmation took {:.0} s", begun.elapsed().as_secs_f64());
    cmp.confirm(&second);
    Ok(())
}
