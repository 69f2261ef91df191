//! `ftbench export --format github-action-benchmark|bencher [RUN] [-o FILE]`: writes a run's valid
//! rows for a continuous-benchmarking service (see [`crate::export`]), to a file or stdout, and
//! lists the skipped rows on stderr. A run with nothing to export is an error: an empty upload
//! usually hides a broken run.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::builder::PossibleValue;

use crate::export::{export, ExportFormat};
use crate::fsutil::write_atomic;
use crate::results::{results_file, RunResults};
use crate::runs::{require_finished, resolve_results, resolve_run};

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = crate::exit::HELP)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// A run folder, a results.json, a `latest` pointer or a baseline name [default: reports/latest].
    pub run: Option<PathBuf>,
    /// Write here (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Export a run that did not finish (running, interrupted, abandoned) as it is.
    #[arg(long)]
    pub allow_partial: bool,
}

/// `--format`'s values: the domain's [`ExportFormat`], spelled and explained for the command line.
impl clap::ValueEnum for ExportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[ExportFormat::GithubActionBenchmark, ExportFormat::Bencher]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            ExportFormat::GithubActionBenchmark => {
                PossibleValue::new("github-action-benchmark").help("github-action-benchmark's `customBiggerIsBetter` JSON array")
            }
            ExportFormat::Bencher => PossibleValue::new("bencher").help("Bencher Metric Format (BMF) JSON object"),
        })
    }
}

/// Writes the document to `--output` or stdout; lists skipped rows on stderr.
pub fn run(args: Args) -> Result<i32> {
    let path = match &args.run {
        Some(p) => resolve_results(p)?,
        None => resolve_run(None)?,
    };
    let results = RunResults::load(&path)?;
    require_finished(&results, &path, args.allow_partial)?;
    let out = export(&results, args.format);
    for s in &out.skipped {
        eprintln!("skipped {}: {}", s.name, s.reason);
    }
    if out.exported == 0 {
        bail!("nothing to export: {} has no valid rows", results_file(&path).display());
    }
    let mut text = serde_json::to_string_pretty(&out.json).context("serialising the export")?;
    text.push('\n');
    match &args.output {
        Some(file) => {
            write_atomic(file, text.as_bytes())?;
            eprintln!("exported {} rows to {}", out.exported, file.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes()).context("writing the export to stdout")?;
            stdout.flush().context("writing the export to stdout")?;
        }
    }
    Ok(0)
}
