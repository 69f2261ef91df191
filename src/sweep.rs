//! The parent of a run: picks the benchmarks, starts one supervised child per workload × GIL mode
//! (see [`crate::supervise`]), turns deaths into results with evidence, and keeps `results.json`
//! current after every child, so a crash, a deadlock or Ctrl-C never costs what was already measured.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use regex::Regex;

use crate::child::{blank_result, ChildRecord, ChildSpec, ChildTiming, CHILD_ENV};
use crate::config::Settings;
use crate::owner::RunOwner;
use crate::results::{Calibration, GilMode, RunConfig, RunInfo, RunResults, RunStatus, WorkloadResult, WorkloadStatus};
use crate::supervise::{self, interrupted, Fault, Outcome, Reenable};
use crate::workload::{discover, name_of, opt_in_note, split_opt_in, Declared};
use crate::{fsutil, paths, probes};

/// Which benchmarks to run: criterion's positional filter (a regex, or exact with `--exact`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub patterns: Vec<String>,
    pub exact: bool,
}

impl Filter {
    /// The regexes, one per pattern (escaped and anchored when `exact`).
    pub fn matcher(&self) -> Result<Vec<Regex>> {
        self.patterns
            .iter()
            .map(|p| {
                let p = if self.exact { format!("^{}$", regex::escape(p)) } else { p.clone() };
                Regex::new(&p).with_context(|| format!("benchmark filter '{p}' is not a valid regular expression"))
            })
            .collect()
    }
}

/// One run: what to measure, with which binary, and where to write.
#[derive(Clone)]
pub struct Sweep {
    /// The binary to start children from (it must call `child::run_if_child` first thing).
    pub exe: PathBuf,
    pub settings: Settings,
    pub timing: ChildTiming,
    /// What is measured: one variant for a run, two (base and new) for `ftbench ab`.
    pub variants: Vec<Variant>,
    pub filter: Filter,
    /// The folder that holds run folders and `latest`.
    pub reports_dir: PathBuf,
    /// Kill a child that runs longer than this (`FTBENCH_TIMEOUT`); default from the settings.
    pub child_timeout: Option<Duration>,
    /// Continue this run folder's unfinished run (one variant): only what it lacks is measured.
    pub resume: Option<PathBuf>,
    /// No progress lines (errors and the run's own summary still print).
    pub quiet: bool,
    /// The run whose ops per round this one reuses (`ab`'s confirmation: its first measurement);
    /// `None`: `FTBENCH_OPS_FROM`, if set.
    pub ops_from: Option<PathBuf>,
}

/// One side of a run: a workload folder and the interpreter its children embed.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// The sub-folder of the run folder it writes to (`base`, `new`); `None`: the run folder.
    pub name: Option<String>,
    pub workloads_dir: PathBuf,
    /// Another build of the interpreter the binary was built for (same minor version); its
    /// children get its home and library folder. `None`: the one linked at build time.
    pub python: Option<crate::ab::Interpreter>,
    /// The venv its children embed (`ftbench ab --base-venv`/`--new-venv`): another set of
    /// installed packages on the same interpreter. `None`: the suite's ([`crate::paths::venv_dir`]).
    pub venv: Option<PathBuf>,
}

impl Variant {
    /// The only variant of an ordinary run.
    pub fn single(workloads_dir: PathBuf) -> Vec<Variant> {
        vec![Variant { name: None, workloads_dir, python: None, venv: None }]
    }
}

/// One variant's results and where they go.
struct Side<'v> {
    variant: &'v Variant,
    dir: PathBuf,
    results: RunResults,
    /// What its children are given for its workload folder and venv (see [`SideLinks`]).
    links: Option<SideLinks>,
}

impl Side<'_> {
    fn save(&self) -> Result<()> {
        self.results.save(&self.dir.join("results.json"))
    }

    /// The path of `file` (in the side's workload folder) its children are given.
    fn child_file(&self, file: &Path) -> PathBuf {
        match &self.links {
            Some(l) => l.workloads.join(file.file_name().expect("workload files have names")),
            None => file.to_path_buf(),
        }
    }
}

/// In `ab`, links of equal length in the run folder (`sides/a/…` for base, `sides/b/…` for new)
/// to each side's workload folder and venv, which its children are given instead: the paths live
/// on in the child's heap (`__file__`, code objects, `sys.path`, `sys.prefix`), and a side whose
/// paths were longer would lay out its memory differently for the whole run. They go when the
/// run ends: a run folder is uploaded and copied whole, and must not hold a venv.
struct SideLinks {
    workloads: PathBuf,
    venv: PathBuf,
    /// The side's own folders the two links stand for.
    own_workloads: PathBuf,
    own_venv: PathBuf,
}

impl Drop for SideLinks {
    fn drop(&mut self) {
        for link in [&self.workloads, &self.venv] {
            let _ = std::fs::remove_file(link);
        }
        if let Some(side) = self.venv.parent() {
            let _ = std::fs::remove_dir(side);
            let _ = side.parent().map(std::fs::remove_dir);
        }
    }
}

impl SideLinks {
    fn make(run_dir: &Path, index: usize, variant: &Variant) -> Result<SideLinks> {
        let dir = run_dir.join("sides").join(["a", "b", "c", "d"].get(index).context("ab has two sides")?);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let venv = variant.venv.clone().unwrap_or_else(crate::paths::venv_dir);
        let links = SideLinks {
            workloads: dir.join("workloads"),
            venv: dir.join("venv"),
            own_workloads: variant.workloads_dir.clone(),
            own_venv: venv,
        };
        for (link, target) in links.pairs() {
            let target = std::path::absolute(target).with_context(|| target.display().to_string())?;
            std::os::unix::fs::symlink(&target, link).with_context(|| format!("linking {} to {}", link.display(), target.display()))?;
        }
        Ok(links)
    }

    /// Each link with the folder it stands for.
    fn pairs(&self) -> [(&PathBuf, &PathBuf); 2] {
        [(&self.workloads, &self.own_workloads), (&self.venv, &self.own_venv)]
    }

    /// `path` as the side's own: a link's path in what a child reported, put back to its target.
    fn unlink(&self, path: &str) -> String {
        self.pairs()
            .iter()
            .find_map(|(link, target)| Some(Path::new(path).strip_prefix(link).ok().map(|rest| target.join(rest))?.display().to_string()))
            .unwrap_or_else(|| path.to_string())
    }
}

/// A benchmark the sweep will run: a workload in one GIL mode at some thread counts.
struct Planned {
    file: PathBuf,
    mode: GilMode,
    threads: Vec<usize>,
    /// The variables the workload's child must start with (its `ENV`).
    env: Vec<(String, String)>,
}

impl Sweep {
    /// Runs every planned child once per pass, in an order shuffled per pass so that the machine's
    /// drift spreads evenly over the benchmarks; returns the run folder. `results.json` is written
    /// after each child. A benchmark that did not run cleanly in a pass is not started again.
    pub fn run(&self) -> Result<PathBuf> {
        let plan = self.plan()?;
        let reference = match &self.ops_from {
            Some(run) => Some(RunResults::load(run)?),
            None => ops_reference()?,
        };
        let (run_dir, mut sides) = match &self.resume {
            Some(dir) => (dir.clone(), vec![self.resumed_side(dir)?]),
            None => self.new_sides()?,
        };
        let seed = sides[0].results.run.config.seed;
        write_latest(&self.reports_dir, &run_dir)?;
        let passes = self.passes();
        eprintln!("ftbench: run {} → {} ({} benchmarks × {passes} passes)", sides[0].results.run.id, run_dir.display(), plan.len());
        if let Some(note) = self.opt_in_note()? {
            eprintln!("ftbench: {note}");
        }
        let (started, total) = (Instant::now(), passes * plan.len() * sides.len());
        let mut done = 0;
        for pass in 0..passes {
            for (k, p) in shuffled(&plan, seed, pass).into_iter().enumerate() {
                // Side by side, in an order that alternates, so neither variant always goes first.
                let n = sides.len();
                for i in (0..n).map(|i| (i + pass + k) % n) {
                    let ops = calibrated_ops(&sides, reference.as_ref(), p);
                    let progress = progress_label((pass, passes), started.elapsed(), (done, total));
                    self.run_in_pass(&mut sides[i], p, (pass, &progress), ops)?;
                    done += 1;
                }
            }
        }
        for side in &mut sides {
            let r = &mut side.results;
            r.run.status = if interrupted() { RunStatus::Interrupted } else { RunStatus::Complete };
            r.run.ended = Some(now_rfc3339());
            finish_calibration(r);
            r.derive_figures();
            side.save()?;
        }
        Ok(run_dir)
    }

    /// One benchmark of one side in one pass with `ops` per thread where known (calibrated
    /// otherwise), unless interrupted or already failed.
    fn run_in_pass(&self, side: &mut Side<'_>, p: &Planned, (pass, progress): (usize, &str), ops: BTreeMap<usize, u64>) -> Result<()> {
        let file = side.variant.workloads_dir.join(p.file.file_name().expect("workload files have names"));
        let known = side.results.workload(&name_of(&file), p.mode);
        if interrupted() {
            if known.is_none() {
                let reason = Some("not started: the run was interrupted".into());
                side.results.workloads.push(blank_result(&file, p.mode, WorkloadStatus::Interrupted, reason));
            }
            return Ok(());
        }
        if known.is_some_and(|w| w.status != WorkloadStatus::Ran || measured_in(w, pass)) {
            return Ok(());
        }
        // Each side's own file says which environment its child needs.
        let env = Declared::read(&file)?.env;
        let planned = Planned { file, mode: p.mode, threads: p.threads.clone(), env };
        let (result, record) = self.run_child(side, &planned, (pass, progress), ops)?;
        let crc = std::fs::read(&planned.file).ok().map(|b| format!("{:08x}", crc32fast::hash(&b)));
        merge(&mut side.results, result, record, pass);
        if let Some(w) = side.results.workloads.iter_mut().find(|w| w.workload == name_of(&planned.file) && w.mode == p.mode) {
            w.file_crc32 = crc;
        }
        side.results.derive_figures();
        side.save()
    }

    /// Smoke runs prove the pipeline once; measuring runs replicate.
    fn passes(&self) -> usize {
        if self.timing == ChildTiming::Smoke {
            1
        } else {
            self.settings.passes.max(1)
        }
    }

    /// Every benchmark id the run would measure (`cargo bench -- --list`).
    pub fn benchmark_ids(&self) -> Result<Vec<String>> {
        let plan = self.plan()?;
        Ok(plan
            .iter()
            .flat_map(|p| {
                let group = crate::results::group_name(&name_of(&p.file), p.mode);
                p.threads.iter().map(move |t| format!("{group}/{t}"))
            })
            .collect())
    }

    /// The first variant's workload folder: the one the plan is made from.
    fn base_dir(&self) -> Result<&Path> {
        Ok(&self.variants.first().context("a sweep needs a workload folder")?.workloads_dir)
    }

    /// Which opt-in workloads a run without a filter leaves out, and how to select them.
    pub fn opt_in_note(&self) -> Result<Option<String>> {
        if !self.filter.patterns.is_empty() {
            return Ok(None);
        }
        let (_, opt_in) = split_opt_in(discover(self.base_dir()?)?)?;
        Ok(opt_in_note(
            &opt_in,
            "are not in the default run",
            "select them with a filter, e.g. `cargo bench -- interp` or `ftbench bench interp`",
        ))
    }

    /// Workload × mode × threads selected by the filter (opt-in scenarios only when a filter is given);
    /// an unmatched filter is an error.
    fn plan(&self) -> Result<Vec<Planned>> {
        let dir = self.base_dir()?;
        let files = discover(dir)?;
        if files.is_empty() {
            bail!("no workload files (*.py) in {}", dir.display());
        }
        for v in &self.variants[1..] {
            let theirs: Vec<String> = discover(&v.workloads_dir)?.iter().map(|f| name_of(f)).collect();
            if let Some(missing) = files.iter().map(|f| name_of(f)).find(|n| !theirs.contains(n)) {
                bail!(
                    "{} has no {missing}.py, which {} has: both sides must hold the same workloads",
                    v.workloads_dir.display(),
                    dir.display()
                );
            }
        }
        let matchers = self.filter.matcher()?;
        let selected = |id: &str| matchers.is_empty() || matchers.iter().any(|m| m.is_match(id));
        let mut plan = Vec::new();
        for file in &files {
            let declared = Declared::read(file)?;
            if matchers.is_empty() && declared.opt_in() {
                continue;
            }
            for &mode in &self.settings.modes {
                let group = crate::results::group_name(&name_of(file), mode);
                let threads: Vec<usize> = self.settings.threads.iter().copied().filter(|t| selected(&format!("{group}/{t}"))).collect();
                if !threads.is_empty() {
                    plan.push(Planned { file: file.clone(), mode, threads, env: declared.env.clone() });
                }
            }
        }
        if plan.is_empty() {
            let names: Vec<String> = files.iter().map(|f| name_of(f)).collect();
            bail!(
                "benchmark filter {:?} matches no benchmark; ids look like lock_counter.gil-off/2; workloads: {}",
                self.filter.patterns,
                names.join(", ")
            );
        }
        Ok(plan)
    }

    fn create_run_dir(&self) -> Result<PathBuf> {
        let id = now_rfc3339().replace(':', "-");
        let mut dir = self.reports_dir.join(&id);
        for n in 2.. {
            if !dir.exists() {
                break;
            }
            dir = self.reports_dir.join(format!("{id}-{n}"));
        }
        std::fs::create_dir_all(dir.join("logs"))
            .with_context(|| format!("the output folder {} is not writable", self.reports_dir.display()))?;
        // Prove it is writable before any benchmark runs.
        fsutil::write_atomic(&dir.join(".write-test"), b"")
            .with_context(|| format!("the output folder {} is not writable", dir.display()))?;
        std::fs::remove_file(dir.join(".write-test")).ok();
        Ok(dir)
    }

    /// A new run folder with one side per variant, each with its results.json written.
    fn new_sides(&self) -> Result<(PathBuf, Vec<Side<'_>>)> {
        let run_dir = self.create_run_dir()?;
        let seed = fastrand::u64(..);
        let mut sides = Vec::new();
        for (index, variant) in self.variants.iter().enumerate() {
            let dir = variant.name.as_ref().map_or_else(|| run_dir.clone(), |n| run_dir.join(n));
            std::fs::create_dir_all(dir.join("logs")).with_context(|| format!("creating {}", dir.display()))?;
            let links = (self.variants.len() > 1).then(|| SideLinks::make(&run_dir, index, variant)).transpose()?;
            let side = Side { variant, results: self.new_results(&run_dir, seed), dir, links };
            side.save()?;
            sides.push(side);
        }
        Ok((run_dir, sides))
    }

    /// The unfinished run in `dir`, taken over by this process: refused when it is complete, when
    /// another process still runs it, or when the suite, the machine or the interpreter changed.
    fn resumed_side(&self, dir: &Path) -> Result<Side<'_>> {
        let variant = match self.variants.as_slice() {
            [v] if v.name.is_none() => v,
            _ => bail!("only a run of one variant (cargo bench) can be resumed, not an ab run"),
        };
        let mut results = RunResults::load(dir)?;
        let id = results.run.id.clone();
        match results.run.status {
            RunStatus::Complete => bail!("run {id} is complete: there is nothing to resume"),
            RunStatus::Running => bail!(
                "run {id} is marked running and its process is alive, or it was recorded before ftbench named \
                 a run's process: it cannot be resumed"
            ),
            RunStatus::Interrupted | RunStatus::Abandoned => {}
        }
        if let Some(why) = changed_since(&results) {
            bail!("run {id} cannot be resumed: {why}; start a new run");
        }
        results.run.status = RunStatus::Running;
        results.run.ended = None;
        results.run.owner = Some(RunOwner::current());
        results.run.resumed.push(now_rfc3339());
        // Workloads the interruption stopped run again; their finished passes stay.
        results.workloads.retain(|w| w.status != WorkloadStatus::Interrupted || !w.rows.is_empty());
        for w in results.workloads.iter_mut().filter(|w| w.status == WorkloadStatus::Interrupted) {
            (w.status, w.reason) = (WorkloadStatus::Ran, None);
        }
        eprintln!("ftbench: resuming run {id} ({}): only what it lacks is measured", dir.display());
        let side = Side { variant, results, dir: dir.to_path_buf(), links: None };
        side.save()?;
        Ok(side)
    }

    fn new_results(&self, run_dir: &Path, seed: u64) -> RunResults {
        let s = &self.settings;
        RunResults::new(
            RunInfo {
                id: run_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                status: RunStatus::Running,
                started: now_rfc3339(),
                ended: None,
                suite_commit: suite_commit(),
                config: RunConfig {
                    threads: s.threads.clone(),
                    modes: s.modes.clone(),
                    quick: s.quick,
                    filters: self.filter.patterns.clone(),
                    round_target_ms: s.round_target.as_secs_f64() * 1e3,
                    passes: self.passes(),
                    warm_up_ms: if self.timing == ChildTiming::Timed { s.warm_up.as_millis() as u64 } else { 0 },
                    measurement_ms: if self.timing == ChildTiming::Timed { s.measurement.as_millis() as u64 } else { 0 },
                    min_rounds: match self.timing {
                        ChildTiming::Timed => s.min_rounds,
                        ChildTiming::Smoke => 1,
                        ChildTiming::Rounds { rounds, .. } => rounds,
                    },
                    seed,
                    driver: Some(s.driver),
                    code: Some(s.code),
                    driver_control: s.driver_control,
                },
                owner: Some(RunOwner::current()),
                resumed: Vec::new(),
            },
            probes::machine_facts(),
        )
    }

    /// Starts the child for `p` in `pass`, waits for it within the timeout, and explains how it ended.
    fn run_child(
        &self,
        side: &Side<'_>,
        p: &Planned,
        (pass, progress): (usize, &str),
        ops: BTreeMap<usize, u64>,
    ) -> Result<(WorkloadResult, Option<ChildRecord>)> {
        let (name, variant) = (name_of(&p.file), side.variant);
        let stem = format!("{}.pass{}", crate::results::group_name(&name, p.mode), pass + 1);
        let logs = side.dir.join("logs");
        // The suite's own figures are measured once, in the first pass, with ABBA blocks.
        let calibrate = pass == 0 && self.timing != ChildTiming::Smoke;
        let spec = ChildSpec {
            workload: side.child_file(&p.file),
            mode: p.mode,
            settings: Settings { threads: p.threads.clone(), ..self.settings.clone() },
            timing: self.timing,
            pass,
            progress: progress.to_string(),
            ops,
            record: logs.join(format!("{stem}.record.json")),
            calibrate_probes: calibrate && name == "cpu_only",
        };
        let mut command = supervise::own_child(&self.exe, CHILD_ENV, &spec, &logs.join(format!("{stem}.spec.json")))?;
        // Progress is not output: a child's lines go to stderr, so `ab --json > ab.json` is JSON.
        let progress = if self.quiet { Stdio::null() } else { Stdio::from(std::io::stderr()) };
        command.envs(p.env.iter().cloned()).stdout(progress);
        supervise::gil_env(&mut command, p.mode, Reenable::Visible);
        if let Some(python) = &variant.python {
            python.configure(&mut command);
        }
        // The child embeds the venv `FTBENCH_VENV` names (`paths::venv_python`).
        if let Some(venv) = side.links.as_ref().map(|l| &l.venv).or(variant.venv.as_ref()) {
            command.env("FTBENCH_VENV", venv);
        }
        // A fresh hash seed per process: a dict's layout fixed for a whole run would be one more
        // thing that differs between runs and not between passes.
        let hash_seed = fastrand::u32(..);
        command.env("PYTHONHASHSEED", hash_seed.to_string());
        let timeout = self.child_timeout.or(spec.settings.child_timeout).unwrap_or_else(|| default_child_timeout(&spec.settings));
        let stderr = logs.join(format!("{stem}.stderr.log"));
        let run = supervise::run(supervise::Spec { command, stderr, record: spec.record.clone(), timeout, dump_stacks: true })
            .with_context(|| format!("starting child {}", self.exe.display()))?;
        let mut result = explain(&spec, &run);
        result.rows.iter_mut().flat_map(|r| &mut r.passes).for_each(|p| p.hash_seed = Some(hash_seed));
        // `ab` proved the side's libpython before measuring; each child's own account must agree.
        let loaded = run.record.as_ref().and_then(|r| r.interpreter.as_ref()).map(|i| i.library.as_deref().map(Path::new));
        if let Some(why) = variant.python.as_ref().zip(loaded).and_then(|(python, loaded)| python.mismatch(loaded)) {
            (result.status, result.reason) = (WorkloadStatus::Error, Some(why));
        }
        if result.status != WorkloadStatus::Ran {
            eprintln!(
                "ftbench: pass {:<2} {name:<28} {:<7} {}: {}",
                pass + 1,
                p.mode,
                result.status.label().to_uppercase(),
                result.reason.as_deref().unwrap_or("")
            );
        }
        let mut record = run.record;
        if let Some(links) = &side.links {
            result.meta.file = links.unlink(&result.meta.file);
            for facts in record.iter_mut().flat_map(|r| &mut r.interpreter) {
                facts.executable = links.unlink(&facts.executable);
            }
        }
        Ok((result, record))
    }
}

/// The workload's result: the child's own account when it finished cleanly, otherwise what its
/// ending, record and stderr show.
fn explain(spec: &ChildSpec, run: &Outcome<ChildRecord>) -> WorkloadResult {
    let blank = || blank_result(&spec.workload, spec.mode, WorkloadStatus::Error, None);
    let mut result = run.record.as_ref().map_or_else(blank, |r| r.result.clone());
    // The thread count the child was at: the next one it would have measured.
    let min_threads = result.meta.min_threads.max(1);
    let next = spec.settings.threads.iter().copied().filter(|t| *t >= min_threads).nth(result.rows.len());
    let at = next.map(|t| format!(" at {t} threads")).unwrap_or_default();
    if let Some((fault, reason)) = run.fault(&at) {
        result.failed_at = next;
        result.status = match fault {
            Fault::Interrupted => WorkloadStatus::Interrupted,
            Fault::TimedOut => WorkloadStatus::Timeout,
            Fault::Crashed => WorkloadStatus::Crashed,
            Fault::NoRecord => WorkloadStatus::Error,
        };
        result.reason = Some(reason);
        result.evidence = Some(run.evidence());
    }
    result
}

/// Adds one child's outcome: the first pass creates the workload's entry, later passes add their
/// samples to its rows; a later pass that failed gives the workload its status and evidence.
fn merge(results: &mut RunResults, result: WorkloadResult, record: Option<ChildRecord>, pass: usize) {
    if let Some(rec) = &record {
        if let Some(facts) = &rec.interpreter {
            match results.interpreters.iter_mut().find(|i| i.mode == facts.mode) {
                Some(known) => known.packages.extend(facts.packages.clone()),
                None => results.interpreters.push(facts.clone()),
            }
        }
        if !rec.probe_ratio.is_empty() {
            results.calibration.get_or_insert_with(Calibration::default).probe_ratio.extend(rec.probe_ratio.clone());
        }
    }
    let Some(known) = results.workloads.iter_mut().find(|w| w.workload == result.workload && w.mode == result.mode) else {
        results.workloads.push(result);
        return;
    };
    if result.status != WorkloadStatus::Ran {
        known.status = result.status;
        known.reason = result.reason.map(|r| format!("pass {}: {r}", pass + 1));
        known.evidence = result.evidence;
        known.failed_at = result.failed_at;
    }
    for row in result.rows {
        match known.rows.iter_mut().find(|r| r.threads == row.threads) {
            Some(existing) => existing.absorb(row),
            None => known.rows.push(row),
        }
    }
    known.rows.sort_by_key(|r| r.threads);
}

/// Ops per thread a benchmark already ran with, by thread count — on any side, else in the
/// `FTBENCH_OPS_FROM` run: later passes, the other side of an `ab` run and a run measured to be
/// compared with the reference do the same work per round as the first to calibrate it.
fn calibrated_ops(sides: &[Side<'_>], reference: Option<&RunResults>, p: &Planned) -> BTreeMap<usize, u64> {
    let name = name_of(&p.file);
    sides
        .iter()
        .map(|s| &s.results)
        .chain(reference)
        .filter_map(|r| r.workload(&name, p.mode))
        .find(|w| w.status == WorkloadStatus::Ran)
        .map(|w| w.rows.iter().map(|r| (r.threads, r.ops_per_thread)).collect())
        .unwrap_or_default()
}

/// The run named by `FTBENCH_OPS_FROM` (a run folder, results.json, `latest` or a baseline name),
/// whose calibration this run reuses so that `compare` sees the same work per round in both.
fn ops_reference() -> Result<Option<RunResults>> {
    let Some(spec) = std::env::var_os("FTBENCH_OPS_FROM").filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let load = || RunResults::load(&crate::runs::resolve_results(Path::new(&spec))?);
    load().map(Some).with_context(|| format!("FTBENCH_OPS_FROM={}", spec.to_string_lossy()))
}

/// Whether `w` has a row measured in `pass` (a resumed run measures only what it lacks).
fn measured_in(w: &WorkloadResult, pass: usize) -> bool {
    w.rows.iter().any(|r| r.passes.iter().any(|p| p.pass == pass))
}

/// What changed since `run` was measured that makes its passes and new ones different benchmarks:
/// the suite's commit, the machine or the interpreter.
fn changed_since(run: &RunResults) -> Option<String> {
    let (commit, machine) = (suite_commit(), probes::machine_facts());
    let venv = crate::paths::venv_python().display().to_string();
    if run.run.suite_commit != commit {
        return Some(format!("the suite was at commit {}, now {commit}", run.run.suite_commit));
    }
    let (was, now) = (&run.machine, &machine);
    if (&was.cpu_model, was.logical_cores, &was.os) != (&now.cpu_model, now.logical_cores, &now.os) {
        return Some(format!(
            "it ran on {} ({} cores), this is {} ({} cores)",
            was.cpu_model, was.logical_cores, now.cpu_model, now.logical_cores
        ));
    }
    run.interpreters.iter().find(|i| i.executable != venv).map(|i| format!("its interpreter was {}, now {venv}", i.executable))
}

/// "3/9, ~4 min left": the pass, and the time left at the pace so far (none before the first child).
fn progress_label((pass, passes): (usize, usize), elapsed: Duration, (done, total): (usize, usize)) -> String {
    let label = format!("{}/{passes}", pass + 1);
    if done == 0 {
        return label;
    }
    let left = elapsed.as_secs_f64() / done as f64 * total.saturating_sub(done) as f64;
    if left < 90.0 {
        format!("{label}, ~{left:.0} s left")
    } else {
        format!("{label}, ~{:.0} min left", left / 60.0)
    }
}

/// The plan in the order of `pass`: a shuffle seeded by the run's seed and the pass.
fn shuffled(plan: &[Planned], seed: u64, pass: usize) -> Vec<&Planned> {
    let mut order: Vec<&Planned> = plan.iter().collect();
    fastrand::Rng::with_seed(seed.wrapping_add(pass as u64)).shuffle(&mut order);
    order
}

/// `cpu_only` speedup at the core count (the P-core count on a hybrid CPU), per mode, from the measured rows.
fn finish_calibration(results: &mut RunResults) {
    let cores = results.machine.headline_cores();
    let speedups: Vec<(GilMode, f64)> =
        GilMode::ALL.iter().filter_map(|&m| Some((m, results.row("cpu_only", m, cores)?.speedup?))).collect();
    if speedups.is_empty() && results.calibration.is_none() {
        return;
    }
    let cal = results.calibration.get_or_insert_with(Calibration::default);
    cal.cores = cores;
    cal.cpu_only_speedup = speedups.into_iter().collect();
}

/// Generous: the deadlock watchdog inside the child catches stuck rounds long before this.
fn default_child_timeout(s: &Settings) -> Duration {
    let per_threads = (s.warm_up + s.measurement * 2) * 3 + s.round_limit(Duration::ZERO) * 2;
    Duration::from_secs(60) + per_threads * s.threads.len() as u32
}

fn write_latest(reports_dir: &Path, run_dir: &Path) -> Result<()> {
    let id = run_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    fsutil::write_atomic(&reports_dir.join("latest"), format!("{id}\n").as_bytes())
}

fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

fn suite_commit() -> String {
    Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(paths::project_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_says_the_pass_and_the_time_left_at_the_pace_so_far() {
        assert_eq!(progress_label((0, 9), Duration::ZERO, (0, 100)), "1/9", "nothing done: no estimate");
        // 10 of 100 children in 20 s: 90 more at 2 s each.
        assert_eq!(progress_label((0, 9), Duration::from_secs(20), (10, 100)), "1/9, ~3 min left");
        assert_eq!(progress_label((8, 9), Duration::from_secs(99), (99, 100)), "9/9, ~1 s left");
    }
}
