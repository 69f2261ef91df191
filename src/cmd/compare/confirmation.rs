//! `compare --confirm`: the two runs' sides measured again side by side, as `ab` measures them,
//! when both can be run again here — each run's workload files unchanged (or given), and the
//! interpreter ftbench embeds the one both runs measured.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::Args;
use crate::child::ChildTiming;
use crate::config::Settings;
use crate::results::RunResults;
use crate::runs::resolve_results;
use crate::sweep::{Filter, Sweep, Variant};

/// The sweep that re-measures both sides (its filter and folder are the confirmation's), at the
/// base run's settings and ops per round; refused, naming the thing at fault, when a side cannot
/// be run again as it was measured.
pub fn sweep(args: &Args, base: &RunResults, new: &RunResults) -> Result<Sweep> {
    let variants =
        vec![side("base", "BASE", base, args.base_workloads.as_deref())?, side("new", "NEW", new, args.new_workloads.as_deref())?];
    Ok(Sweep {
        exe: std::env::current_exe().context("locating the ftbench binary")?,
        settings: Settings::of_run(&base.run.config)?,
        timing: ChildTiming::Timed,
        variants,
        filter: Filter::default(),
        reports_dir: PathBuf::new(),
        child_timeout: None,
        resume: None,
        quiet: false,
        ops_from: Some(resolve_results(&args.base)?),
    })
}

/// One side: `given`, or the folder the run measured; its interpreter must be this ftbench's.
fn side(name: &str, which: &str, run: &RunResults, given: Option<&Path>) -> Result<Variant> {
    let venv = crate::paths::venv_python().display().to_string();
    if let Some(other) = run.interpreters.iter().find(|i| i.executable != venv) {
        bail!(
            "--confirm: {which} was measured with {}, this ftbench embeds {venv}: measure both again with \
             `ftbench ab --base-python …`",
            other.executable
        );
    }
    let flag = format!("--{name}-workloads");
    let folder = match given {
        Some(dir) => dir.to_path_buf(),
        None => measured_folder(run).with_context(|| format!("--confirm: {which}: give {flag} DIR"))?,
    };
    unchanged(run, &folder).with_context(|| format!("--confirm: {which}: give {flag} with the code {which} measured"))?;
    Ok(Variant { name: Some(name.into()), workloads_dir: folder, python: None, venv: None })
}

/// The one folder every workload of `run` was measured from.
fn measured_folder(run: &RunResults) -> Result<PathBuf> {
    let mut folders = run.workloads.iter().map(|w| Path::new(&w.meta.file).parent().map(Path::to_path_buf));
    let first = folders.next().flatten().context("the run names no workload file")?;
    if folders.any(|f| f.as_ref() != Some(&first)) {
        bail!("the run measured workloads from more than one folder");
    }
    Ok(first)
}

/// Every workload file `run` measured is in `folder` with the content it measured (its CRC-32).
fn unchanged(run: &RunResults, folder: &Path) -> Result<()> {
    for w in &run.workloads {
        let Some(crc) = &w.file_crc32 else { continue };
        let file = folder.join(format!("{}.py", w.workload));
        let now = std::fs::read(&file).map(|b| format!("{:08x}", crc32fast::hash(&b)));
        match now {
            Ok(now) if &now == crc => {}
            Ok(_) => bail!("{} changed since it was measured", file.display()),
            Err(e) => bail!("{}: {e}", file.display()),
        }
    }
    Ok(())
}
