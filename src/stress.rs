//! `ftbench stress`: thousands of short rounds of each workload, optionally with random yields and
//! tiny sleeps at the workload's line boundaries (`--jitter`), under PYTHON_GIL=0 and PYTHON_GIL=1
//! in separate processes. Counts broken rounds and captures every thread's exceptions.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use pyo3::prelude::*;
use serde::{Deserialize, Serialize};

use crate::embedding::{self, harness, py_error};
use crate::paths;
use crate::results::{GilMode, WorkloadStatus};
use crate::runner::{calibrate, jitter_tracers, Pool};
use crate::supervise::{self, Reenable};
use crate::workload::{discover, name_of, opt_in_note, split_opt_in, Declared, Verdict, Workload};

/// Names the file holding a [`StressSpec`]; its presence makes a binary a stress child.
pub const STRESS_ENV: &str = "FTBENCH_STRESS_CHILD";

/// What [`stress`] runs; `ftbench stress --help` explains each field.
#[derive(Debug, Clone)]
pub struct StressArgs {
    /// Workload file names without .py; all when empty.
    pub workloads: Vec<String>,
    /// Per workload, GIL mode and thread count.
    pub rounds: u64,
    /// Thread counts; each is stressed in its own child.
    pub threads: Vec<usize>,
    /// Ops per thread per round; None calibrates to about half a millisecond.
    pub ops: Option<u64>,
    pub jitter: bool,
    pub workloads_dir: Option<PathBuf>,
    /// Seconds a stress child may run.
    pub timeout: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct StressSpec {
    pub workload: PathBuf,
    pub rounds: u64,
    pub threads: usize,
    pub ops: Option<u64>,
    pub jitter: bool,
    pub record: PathBuf,
}

/// One workload under one GIL setting.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct StressOutcome {
    pub workload: String,
    pub mode: Option<GilMode>,
    #[serde(default)]
    pub threads: usize,
    pub unsynchronized: bool,
    pub rounds: u64,
    pub broken_rounds: u64,
    pub first_failure: Option<String>,
    /// Tracebacks from worker threads and from threads the workload started (threading.excepthook).
    pub exceptions: Vec<String>,
    /// Skipped, timed out, crashed or failed to load: why.
    pub problem: Option<String>,
    pub skipped: bool,
}

impl StressOutcome {
    /// A workload that claims to be safe but broke, raised or died.
    pub fn is_failure(&self) -> bool {
        !self.skipped && (self.problem.is_some() || !self.exceptions.is_empty() || (self.broken_rounds > 0 && !self.unsynchronized))
    }
}

/// Runs the stress test of every selected workload; returns the outcomes in order.
pub fn stress(exe: &Path, args: &StressArgs) -> Result<Vec<StressOutcome>> {
    let dir = args.workloads_dir.clone().unwrap_or_else(paths::workloads_dir);
    let files = select(&dir, &args.workloads)?;
    if args.threads.is_empty() || args.threads.contains(&0) || args.rounds == 0 {
        bail!("--threads and --rounds must be at least 1");
    }
    let scratch = tempfile::tempdir().context("creating a scratch folder for stress records")?;
    let mut out = Vec::new();
    for file in &files {
        for mode in GilMode::ALL {
            for threads in &args.threads {
                out.push(run_child(exe, args, file, (mode, *threads), scratch.path())?);
            }
        }
    }
    Ok(out)
}

/// The named workloads, or with no names every workload but the opt-in ones (as a run without a
/// filter), saying which were left out.
fn select(dir: &Path, names: &[String]) -> Result<Vec<PathBuf>> {
    let files = discover(dir)?;
    if names.is_empty() {
        let (default, opt_in) = split_opt_in(files)?;
        if let Some(note) = opt_in_note(&opt_in, "are not stressed unless named", "name them to stress them: `ftbench stress NAME …`") {
            eprintln!("ftbench: {note}");
        }
        return Ok(default);
    }
    names
        .iter()
        .map(|n| {
            files.iter().find(|f| name_of(f) == *n).cloned().with_context(|| {
                let known: Vec<String> = files.iter().map(|f| name_of(f)).collect();
                format!("unknown workload '{n}' (in {}: {})", dir.display(), known.join(", "))
            })
        })
        .collect()
}

fn run_child(exe: &Path, args: &StressArgs, file: &Path, (mode, threads): (GilMode, usize), scratch: &Path) -> Result<StressOutcome> {
    let stem = format!("{}.{mode}.{threads}", name_of(file));
    let spec = StressSpec {
        workload: file.to_path_buf(),
        rounds: args.rounds,
        threads,
        ops: args.ops,
        jitter: args.jitter,
        record: scratch.join(format!("{stem}.json")),
    };
    let mut command = supervise::own_child(exe, STRESS_ENV, &spec, &scratch.join(format!("{stem}.spec.json")))?;
    command.envs(Declared::read(file)?.env).stdout(Stdio::null());
    supervise::gil_env(&mut command, mode, Reenable::Prevented);
    let stderr = scratch.join(format!("{stem}.stderr"));
    let timeout = Duration::from_secs(args.timeout);
    let run = supervise::run(supervise::Spec { command, stderr, record: spec.record.clone(), timeout, dump_stacks: true })
        .with_context(|| format!("starting stress child {}", exe.display()))?;
    let problem = run.fault("").map(|(_, reason)| format!("{reason}:\n{}", run.evidence()));
    let mut outcome = run.record.unwrap_or_else(|| StressOutcome { workload: name_of(file), ..Default::default() });
    (outcome.mode, outcome.threads) = (Some(mode), threads);
    outcome.problem = problem.or(outcome.problem);
    Ok(outcome)
}

/// The stress child's main: runs the rounds and writes a [`StressOutcome`].
pub fn run_if_child() -> Option<i32> {
    supervise::child_main(STRESS_ENV, "ftbench stress child", |spec: StressSpec| {
        let outcome = child_rounds(&spec).unwrap_or_else(|e| StressOutcome {
            workload: name_of(&spec.workload),
            problem: Some(format!("{e:#}")),
            ..Default::default()
        });
        supervise::write_record(&spec.record, &outcome)
    })
}

fn child_rounds(spec: &StressSpec) -> Result<StressOutcome> {
    embedding::initialize(embedding::requested_mode())?;
    Python::attach(|py| {
        let h = harness(py)?;
        h.call_method0("enable_crash_traces").map_err(|e| py_error(py, e))?;
        let w = Workload::load(py, &spec.workload)?;
        let mut out = StressOutcome { workload: w.name.clone(), unsynchronized: w.meta.unsynchronized, ..Default::default() };
        if let Some(reason) = w.skip_reason(py)? {
            out.skipped = true;
            out.problem = Some(reason);
            return Ok(out);
        }
        let caught = h.call_method0("capture_thread_exceptions").map_err(|e| py_error(py, e))?;
        let pool = Pool::new(spec.threads, w.meta.driver)?;
        let limit = Duration::from_secs(10);
        let ops = match spec.ops {
            Some(ops) => ops,
            None => calibrate(py, &pool, &w, Duration::from_micros(500), 1 << 20, limit)?,
        };
        for round in 0..spec.rounds {
            let tracers = if spec.jitter { Some(jitter_tracers(py, &w, pool.calling_threads(), 0.05, round * 1000)?) } else { None };
            let r = pool.watched_round_with(py, &w, ops, limit, tracers, true)?;
            out.rounds += 1;
            if let Some((i, tb)) = r.worker_error {
                out.exceptions.push(format!("round {round}, thread {i} of {}:\n{tb}", spec.threads));
            }
            if let Verdict::Broken { message, .. } = r.verdict {
                out.broken_rounds += 1;
                out.first_failure.get_or_insert(format!("round {round}: {message}"));
            }
        }
        let hooked: Vec<String> = caught.extract().map_err(|e| py_error(py, e))?;
        out.exceptions.extend(hooked);
        Ok(out)
    })
}

/// The table `ftbench stress` prints.
pub fn table(outcomes: &[StressOutcome]) -> String {
    let mut rows = Vec::new();
    for o in outcomes {
        let mode = o.mode.map(|m| m.label()).unwrap_or("-");
        let note = if o.skipped {
            format!("{}: {}", WorkloadStatus::Skipped.label(), o.problem.as_deref().unwrap_or(""))
        } else if let Some(p) = &o.problem {
            format!("FAILED: {}", p.lines().next().unwrap_or(""))
        } else if let Some(e) = o.exceptions.first() {
            format!("EXCEPTION: {}", e.lines().last().unwrap_or(""))
        } else if let Some(f) = &o.first_failure {
            let tag = if o.unsynchronized { "expected (unsynchronized)" } else { "BROKEN" };
            format!("{tag}: {f}")
        } else {
            "ok".to_string()
        };
        rows.push(vec![
            o.workload.clone(),
            mode.to_string(),
            o.threads.to_string(),
            o.rounds.to_string(),
            o.broken_rounds.to_string(),
            note,
        ]);
    }
    crate::text::table(&["workload", "mode", "threads", "rounds", "broken", "first failure / note"], &rows)
}
