//! `ftbench compare BASE NEW`: judges NEW against BASE and prints the verdict (terminal table,
//! Markdown or JSON); the exit status follows [`crate::exit`].

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::builder::PossibleValue;

use crate::compare::{compare, compare_paired, CompareOptions, Comparison, FailOn};
use crate::config::{parse_modes, parse_threads};
use crate::exit;
use crate::results::{GilMode, RunResults};
use crate::runs::{require_finished, resolve_results};
use crate::sweep::Filter;

mod confirmation;

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = exit::HELP)]
pub struct Args {
    /// The reference run: a run folder, a results.json, a `latest` pointer, or a baseline name.
    pub base: PathBuf,
    /// The run to judge; same forms as BASE.
    pub new: PathBuf,
    /// Regexes over benchmark ids such as `lock_counter.gil-off/2`: only the rows one matches.
    pub filters: Vec<String>,
    /// Only these thread counts, e.g. 1 or 1,2.
    #[arg(long, value_name = "LIST")]
    pub threads: Option<String>,
    /// Only these GIL modes: off, on or off,on.
    #[arg(long, value_name = "LIST")]
    pub modes: Option<String>,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// BASE and NEW are the two sides of one `ftbench ab` run (its base/ and new/ folders): judge
    /// them pass by pass, as `ab` does.
    #[arg(long)]
    pub paired: bool,
    /// Compare a run that did not finish (running, interrupted, abandoned) as it is.
    #[arg(long)]
    pub allow_partial: bool,
    /// Before a regressed or improved verdict fails, measure its rows again, both sides side by
    /// side as `ab` does, from the workload folders each run measured (unchanged since) or those
    /// given; the verdict stands only if the second measurement agrees. Written under NEW's folder.
    #[arg(long)]
    pub confirm: bool,
    /// The base side's workload folder for --confirm (default: the one BASE measured).
    #[arg(long, value_name = "DIR", requires = "confirm")]
    pub base_workloads: Option<PathBuf>,
    /// The new side's workload folder for --confirm (default: the one NEW measured).
    #[arg(long, value_name = "DIR", requires = "confirm")]
    pub new_workloads: Option<PathBuf>,
}

/// How a comparison is judged and shown: `compare` and `ab` alike.
#[derive(clap::Args, Debug, Clone)]
pub struct JudgeArgs {
    /// T: a regression's or improvement's whole 95 % interval must lie beyond ±T percent, an
    /// unchanged figure's within it.
    #[arg(long, default_value_t = 5.0, value_name = "PERCENT")]
    pub threshold: f64,
    /// False-discovery rate of the Benjamini–Hochberg test over every figure of the comparison.
    #[arg(long, default_value_t = 0.05, value_name = "Q")]
    pub alpha: f64,
    /// Which regressions make the exit status 1 (`none`: only report).
    #[arg(long, value_enum, default_value_t = FailOn::Any)]
    pub fail_on: FailOn,
    /// Exit 4 when more than this percentage of the rows both runs measured could not be judged
    /// (inconclusive or not comparable).
    #[arg(long, value_name = "PERCENT")]
    pub fail_on_inconclusive: Option<f64>,
    /// Print GitHub-flavoured markdown (for PR comments) instead of the terminal table.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Print every row's verdict, change, interval and p-value as JSON (see reports/SCHEMA.md).
    #[arg(long)]
    pub json: bool,
    /// List every row in the terminal table, unchanged ones too.
    #[arg(long)]
    pub all: bool,
}

impl JudgeArgs {
    /// The options, checked.
    pub fn options(&self) -> Result<CompareOptions> {
        if !self.threshold.is_finite() || self.threshold < 0.0 {
            bail!("--threshold must be a non-negative number of percent, got {}", self.threshold);
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            bail!("--alpha must be a rate between 0 and 1, got {}", self.alpha);
        }
        if let Some(p) = self.fail_on_inconclusive.filter(|p| !(0.0..=100.0).contains(p)) {
            bail!("--fail-on-inconclusive must be a percentage from 0 to 100, got {p}");
        }
        Ok(CompareOptions {
            threshold_pct: self.threshold,
            alpha: self.alpha,
            confidence: 0.95,
            fail_on: self.fail_on,
            fail_on_inconclusive_pct: self.fail_on_inconclusive,
        })
    }

    /// The comparison as `--json`, `--markdown` or the terminal table asks.
    pub fn printed(&self, cmp: &Comparison) -> Result<String> {
        Ok(if self.json {
            cmp.to_json()? + "\n"
        } else if self.markdown {
            cmp.render_markdown()
        } else {
            cmp.render_text(self.all)
        })
    }
}

/// `--fail-on`'s values: the domain's [`FailOn`], spelled and explained for the command line.
impl clap::ValueEnum for FailOn {
    fn value_variants<'a>() -> &'a [Self] {
        &[FailOn::Throughput, FailOn::Scaling, FailOn::Any, FailOn::None]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            FailOn::Throughput => "Throughput regressions only",
            FailOn::Scaling => "Scaling (speedup) regressions only",
            FailOn::Any => "Either",
            FailOn::None => "None: report only",
        };
        Some(PossibleValue::new(self.label()).help(help))
    }
}

/// Loads both runs, prints the comparison, returns its exit code.
pub fn run(args: Args) -> Result<i32> {
    let opts = args.judge.options()?;
    let keep = selection(&args)?;
    let load = |path| -> Result<(RunResults, PathBuf)> {
        let file = resolve_results(path)?;
        let r = RunResults::load(&file)?;
        require_finished(&r, &file, args.allow_partial)?;
        Ok((r, file))
    };
    let ((mut base, _), (mut new, new_file)) = (load(&args.base)?, load(&args.new)?);
    // Refused before anything is judged: a confirmation that cannot run must not look like one.
    let again = args.confirm.then(|| confirmation::sweep(&args, &base, &new)).transpose()?;
    base.retain_rows(&keep);
    new.retain_rows(&keep);
    let mut cmp = if args.paired { compare_paired(&base, &new, &opts) } else { compare(&base, &new, &opts) };
    if let Some(again) = &again {
        let passes = base.run.config.passes.min(new.run.config.passes);
        let run_dir = if new_file.is_dir() { new_file } else { new_file.parent().context("NEW's folder")?.to_path_buf() };
        // No budget: the confirmation's extra looks are bounded by their count alone.
        crate::looks::confirm(&mut cmp, &opts, again, &run_dir, passes, None)?;
    }
    cmp.base.source = Some(args.base.display().to_string());
    cmp.new.source = Some(args.new.display().to_string());
    print!("{}", args.judge.printed(&cmp)?);
    if args.judge.markdown && !cmp.mismatches.is_empty() {
        eprintln!(
            "WARNING: base and new ran on different machines or interpreters, or measured another way: {}",
            cmp.mismatches.join("; ")
        );
    }
    Ok(cmp.exit_code())
}

/// Which rows the filters, `--threads` and `--modes` select (all, without any).
fn selection(args: &Args) -> Result<impl Fn(&str, GilMode, Option<usize>) -> bool> {
    let patterns = Filter { patterns: args.filters.clone(), exact: false }.matcher()?;
    let threads = args.threads.as_deref().map(parse_threads).transpose().context("--threads")?;
    let modes = args.modes.as_deref().map(parse_modes).transpose().context("--modes")?;
    Ok(move |id: &str, mode: GilMode, t: Option<usize>| {
        let named = patterns.is_empty() || patterns.iter().any(|p| p.is_match(id));
        let counted = match (&threads, t) {
            (Some(list), Some(t)) => list.contains(&t),
            _ => true,
        };
        named && counted && modes.as_ref().is_none_or(|m| m.contains(&mode))
    })
}
