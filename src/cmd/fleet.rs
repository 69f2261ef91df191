//! `ftbench fleet RUN…`: one report over runs from several machines (see [`crate::fleet`]).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::exit;
use crate::fleet::{across, assemble};
use crate::fsutil::write_atomic;
use crate::report::charts::render_fleet_charts;
use crate::report::{doc, fleet};
use crate::results::RunResults;
use crate::runs::{require_finished, resolve_results};

#[derive(clap::Args, Debug)]
#[command(after_help = exit::HELP)]
pub struct Args {
    /// Runs from the machines: run folders, results.json files or baseline names.
    #[arg(required = true, num_args = 1..)]
    pub runs: Vec<PathBuf>,
    /// The machines the fleet should have, by the name their runs were given (`FTBENCH_MACHINE`,
    /// e.g. CI runner labels; comma-separated or repeated): the report names those without a run.
    #[arg(long, value_name = "NAME,…", value_delimiter = ',')]
    pub expect: Vec<String>,
    /// Where the fleet report goes (summary.md, index.html and charts/).
    #[arg(long, short, value_name = "DIR", default_value = "fleet")]
    pub out: PathBuf,
}

/// Reads every run (finished ones only), writes the report, says where.
pub fn run(a: Args) -> Result<i32> {
    let mut runs = Vec::new();
    for spec in &a.runs {
        let file = resolve_results(spec)?;
        let r = RunResults::load(&file)?;
        match require_finished(&r, &file, false) {
            // A runner stopped mid-run (a time limit): the fleet is of the machines that finished.
            Err(e) if !a.expect.is_empty() => eprintln!("ftbench: left out: {e:#}"),
            result => result.map(|()| runs.push(r))?,
        }
    }
    if runs.is_empty() {
        bail!("no finished run among {} given: nothing to report", a.runs.len());
    }
    let mut fleet = assemble(runs);
    fleet.expect(&a.expect);
    // One machine is a fleet only when others were expected: the report then says which are missing.
    if fleet.members.len() < 2 && fleet.missing.is_empty() {
        bail!("these runs are all from one machine ({}): a fleet report needs two machines", fleet.members[0].label);
    }
    if !fleet.missing.is_empty() {
        eprintln!("ftbench: no run from {}: the fleet report is of the other machines", fleet.missing.join(", "));
    }
    let groups = across(&fleet);
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let charts = render_fleet_charts(&fleet, &groups, &a.out.join("charts")).context("drawing the fleet charts")?;
    let document = fleet::build(&fleet, &groups, &charts);
    write_atomic(&a.out.join("summary.md"), doc::to_markdown(&document).as_bytes())?;
    write_atomic(&a.out.join("index.html"), doc::to_html(&document).as_bytes())?;
    println!("ftbench: fleet of {} machines → {}", fleet.members.len(), a.out.join("index.html").display());
    Ok(exit::OK)
}
