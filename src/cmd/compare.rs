//! `ftbench compare BASE NEW`: judges NEW against BASE and prints the verdict (terminal table,
//! Markdown or JSON). Exit status 0 without a regression of the kind `--fail-on` selects, 1 with
//! one; bad paths, unknown baselines, corrupt files and bad options are errors (2).

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::builder::PossibleValue;

use crate::compare::{compare, compare_paired, CompareOptions, Comparison, FailOn};
use crate::results::RunResults;
use crate::runs::resolve_results;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The reference run: a run folder, a results.json, a `latest` pointer, or a baseline name.
    pub base: PathBuf,
    /// The run to judge; same forms as BASE.
    pub new: PathBuf,
    /// Smallest relative change, in percent, that can count as a regression or improvement
    /// (the test must also be significant and the change beyond the runs' own noise).
    #[arg(long, default_value_t = 5.0, value_name = "PERCENT")]
    pub threshold: f64,
    /// Significance level of the per-row test.
    #[arg(long, default_value_t = 0.01, value_name = "P")]
    pub alpha: f64,
    /// Which regressions make the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Any)]
    pub fail_on: FailOn,
    /// Print GitHub-flavoured markdown (for PR comments) instead of the terminal table.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// Print every row's verdict, effect, p-value and interval as JSON (see reports/SCHEMA.md).
    #[arg(long)]
    pub json: bool,
    /// BASE and NEW are the two sides of one `ftbench ab` run (its base/ and new/ folders): compare
    /// them pass by pass with a paired test.
    #[arg(long)]
    pub paired: bool,
}

/// `--fail-on`'s values: the domain's [`FailOn`], spelled and explained for the command line.
impl clap::ValueEnum for FailOn {
    fn value_variants<'a>() -> &'a [Self] {
        &[FailOn::Throughput, FailOn::Scaling, FailOn::Any]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            FailOn::Throughput => "Throughput regressions only",
            FailOn::Scaling => "Scaling (speedup) regressions only",
            FailOn::Any => "Either",
        };
        Some(PossibleValue::new(self.label()).help(help))
    }
}

/// Loads both runs, prints the comparison, returns 0 or 1.
pub fn run(args: Args) -> Result<i32> {
    if !args.threshold.is_finite() || args.threshold < 0.0 {
        bail!("--threshold must be a non-negative number of percent, got {}", args.threshold);
    }
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        bail!("--alpha must be a probability between 0 and 1, got {}", args.alpha);
    }
    let base = RunResults::load(&resolve_results(&args.base)?)?;
    let new = RunResults::load(&resolve_results(&args.new)?)?;
    let opts = CompareOptions { threshold_pct: args.threshold, alpha: args.alpha, fail_on: args.fail_on };
    let mut cmp = if args.paired { compare_paired(&base, &new, &opts) } else { compare(&base, &new, &opts) };
    cmp.base.source = Some(args.base.display().to_string());
    cmp.new.source = Some(args.new.display().to_string());
    print!("{}", printed(&cmp, args.json, args.markdown)?);
    if args.markdown && !cmp.mismatches.is_empty() {
        eprintln!("WARNING: base and new ran on different machines or interpreters: {}", cmp.mismatches.join("; "));
    }
    Ok(cmp.exit_code())
}

/// The comparison as `--json`, `--markdown` or the terminal table asks (`compare` and `ab`).
pub(super) fn printed(cmp: &Comparison, json: bool, markdown: bool) -> Result<String> {
    Ok(if json {
        cmp.to_json()? + "\n"
    } else if markdown {
        cmp.render_markdown()
    } else {
        cmp.render_text()
    })
}
