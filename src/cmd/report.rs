//! `ftbench report [RUN_DIR]`: re-renders a run's summary.md, index.html and charts from its
//! results.json.

use std::path::PathBuf;

use anyhow::Result;

use crate::paths::reports_dir;
use crate::report::render;
use crate::results::RunResults;
use crate::runs::latest_run_dir;

#[derive(clap::Args, Clone, Debug, Default)]
#[command(after_help = crate::exit::HELP)]
pub struct Args {
    /// Run folder holding results.json (default: the run named by reports/latest).
    pub run_dir: Option<PathBuf>,
}

/// Renders the report, says where it went and whether the run was partial.
pub fn run(args: Args) -> Result<i32> {
    let dir = match args.run_dir {
        Some(d) => d,
        None => latest_run_dir(&reports_dir())?,
    };
    let rendered = render(&dir)?;
    if let Ok(r) = RunResults::load(&dir) {
        if let Some(how) = r.unfinished() {
            eprintln!("note: run {} is {how}; the report is partial", r.run.id);
        }
    }
    println!("summary: {}", rendered.summary.display());
    println!("index:   {}", rendered.index.display());
    println!("charts:  {} files in {}", rendered.charts.len(), rendered.index.with_file_name("charts").display());
    Ok(0)
}
