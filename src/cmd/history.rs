//! `ftbench history add RUN` and `ftbench history report`: a history of runs kept as one small
//! file per run (see [`crate::history`]), and its report: change points per series, charted.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::exit;
use crate::fsutil::write_atomic;
use crate::history::analysis::Analysis;
use crate::history::place::MIN_RUNS;
use crate::history::{append, load, RunRecord};
use crate::paths::{help_with_default, reports_dir};
use crate::report::charts::render_history_charts;
use crate::report::{doc, history};
use crate::results::RunResults;
use crate::runs::{require_finished, resolve_results, resolve_run};

#[derive(clap::Subcommand, Debug)]
pub enum Cmd {
    /// Append a finished run to the history (one file per run; the same run again replaces it).
    Add(AddArgs),
    /// Change points of every series of the history, and the report: summary.md, index.html, charts/.
    Report(ReportArgs),
    /// Where a run's figures (a pull request's) sit against the history's last runs on its machine.
    Place(PlaceArgs),
}

#[derive(clap::Args, Debug)]
#[command(after_help = exit::HELP)]
pub struct PlaceArgs {
    #[command(flatten)]
    pub at: RunInHistory,
    /// How many of the history's last runs are the reference.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub last: usize,
    /// Series per machine label, as `history report --by-label`.
    #[arg(long)]
    pub by_label: bool,
    /// List every placed figure, not only those outside the range.
    #[arg(long)]
    pub all: bool,
    /// Print GitHub-flavoured Markdown (for a pull request's comment).
    #[arg(long)]
    pub markdown: bool,
}

#[derive(clap::Args, Debug)]
#[command(after_help = exit::HELP)]
pub struct AddArgs {
    #[command(flatten)]
    pub at: RunInHistory,
}

/// A finished run and a history folder: what `add` and `place` both take.
#[derive(clap::Args, Debug)]
pub struct RunInHistory {
    /// A run folder, a results.json, a `latest` pointer or a baseline name [default: reports/latest].
    pub run: Option<PathBuf>,
    #[arg(long, value_name = "DIR", help = help_with_default("The history folder (FTBENCH_HISTORY)", history_dir()))]
    pub history: Option<PathBuf>,
}

impl RunInHistory {
    /// The run's results (refused unless finished), the file they came from and the history folder.
    fn load(&self) -> Result<(RunResults, PathBuf, PathBuf)> {
        let file = match &self.run {
            Some(p) => resolve_results(p)?,
            None => resolve_run(None)?,
        };
        let results = RunResults::load(&file)?;
        require_finished(&results, &file, false)?;
        Ok((results, file, self.history.clone().unwrap_or_else(history_dir)))
    }
}

#[derive(clap::Args, Debug)]
#[command(after_help = exit::HELP)]
pub struct ReportArgs {
    #[arg(long, value_name = "DIR", help = help_with_default("The history folder (FTBENCH_HISTORY)", history_dir()))]
    pub history: Option<PathBuf>,
    /// Where the report goes (summary.md, index.html and charts/).
    #[arg(long, short, value_name = "DIR", default_value = "history-report")]
    pub out: PathBuf,
    /// Series are per machine label (`FTBENCH_MACHINE`, e.g. a CI runner label) rather than per
    /// machine fingerprint: hosted runners of one label change CPU models (runs without a label
    /// keep their fingerprint).
    #[arg(long)]
    pub by_label: bool,
}

/// `FTBENCH_HISTORY`, else `reports/history`.
fn history_dir() -> PathBuf {
    std::env::var_os("FTBENCH_HISTORY").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| reports_dir().join("history"))
}

pub fn run(cmd: Cmd) -> Result<i32> {
    match cmd {
        Cmd::Add(a) => add(a),
        Cmd::Report(a) => report(a),
        Cmd::Place(a) => place(a),
    }
}

fn place(a: PlaceArgs) -> Result<i32> {
    let (results, _, dir) = a.at.load()?;
    let records = load(&dir)?;
    if a.last < MIN_RUNS {
        bail!("--last {}: a range needs at least {MIN_RUNS} earlier runs", a.last);
    }
    // The run itself, already added, is no reference for itself.
    let record = RunRecord::of(&results);
    let earlier: Vec<RunRecord> = records.into_iter().filter(|r| r.run.id != record.run.id).collect();
    let placements = crate::history::place::place(&earlier, &record, a.last, a.by_label);
    if placements.is_empty() {
        println!(
            "ftbench: no figure of run {} has {MIN_RUNS} earlier runs of its series on this machine in {}: nothing to place",
            record.run.id,
            dir.display()
        );
        return Ok(exit::OK);
    }
    let document = history::placement(&record.run.id, &placements, a.last, a.all);
    print!("{}", if a.markdown { doc::to_markdown(&document) } else { doc::to_text(&document) });
    Ok(exit::OK)
}

fn add(a: AddArgs) -> Result<i32> {
    let (results, file, dir) = a.at.load()?;
    let record = RunRecord::of(&results);
    if record.figures.is_empty() {
        // Kept all the same: the run is part of the history (what changed at it), with no points.
        let problems: std::collections::BTreeSet<String> = results
            .workloads
            .iter()
            .flat_map(|w| &w.rows)
            .filter_map(|r| r.problem())
            .map(|p| p.label.split(" (").next().unwrap_or_default().to_string())
            .collect();
        let why = problems.into_iter().collect::<Vec<_>>().join(", ");
        eprintln!(
            "ftbench: warning: {} has no valid row ({}): it joins the history with no figures",
            file.display(),
            if why.is_empty() { "no row" } else { &why }
        );
    }
    let (path, replaced) = append(&dir, &record)?;
    let how = if replaced { "replaced in" } else { "added to" };
    println!("ftbench: run {} ({} figures) {how} the history: {}", record.run.id, record.figures.len(), path.display());
    Ok(exit::OK)
}

fn report(a: ReportArgs) -> Result<i32> {
    let dir = a.history.unwrap_or_else(history_dir);
    let records = load(&dir)?;
    if records.is_empty() {
        bail!("the history folder {} holds no run (add one with `ftbench history add RUN`)", dir.display());
    }
    let analysis = Analysis::of(records, a.by_label);
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let groups = analysis.groups();
    let charts = render_history_charts(&analysis, &groups, &a.out.join("charts")).context("drawing the history charts")?;
    let document = history::build(&analysis, &groups, &charts);
    write_atomic(&a.out.join("summary.md"), doc::to_markdown(&document).as_bytes())?;
    write_atomic(&a.out.join("index.html"), doc::to_html(&document).as_bytes())?;
    let changes = analysis.newest_first().len();
    println!(
        "ftbench: {} runs, {} series, {changes} change point(s) → {}",
        analysis.records.len(),
        analysis.found.len(),
        a.out.join("index.html").display()
    );
    Ok(exit::OK)
}
