//! `cargo xtask aa`: can `ftbench compare` be trusted on this machine? It runs what a user would
//! and judges the outcome (a benchmark of the tool itself, not a unit test):
//!
//! (a) A/A: pairs of back-to-back default runs (`cargo bench`) of the same code, each calibrating
//!     its own ops per round as two runs a user makes do (rows whose work differs are not
//!     comparable), each pair compared with `ftbench compare`: there must be no verdict at all, exit 0;
//! (b) A/B: one more run with `lock_counter`'s loop made slower by one extra statement per op,
//!     compared with the last A run: `lock_counter` at 1 thread must be caught in both GIL modes
//!     and no other workload flagged;
//! (c) the same A/B with `ftbench ab --until-decided` (both sides side by side in one run, more
//!     pass pairs where still inconclusive, flagged rows confirmed by a second measurement): caught
//!     and confirmed, and no other workload flagged; its minutes and the machine's noise are reported;
//! (d) a broad A/B: [`BROAD`]'s workloads with every round ~12 % longer only when the GIL is off
//!     (a regression of the free-threaded build alone, which touches half the rows), measured at
//!     1 and 2 threads, once as a run compared with the last A run and once with
//!     `ftbench ab --until-decided`: most GIL-off 1-thread rows must be caught and no GIL-on row flagged.
//!
//! Everything goes to `reports/aa/<timestamp>/`, with `summary.md` holding the figures: the A/A
//! false-verdict rate, the slowdowns caught and the smallest change each side could detect.
//! Measuring only writes run folders; judging only reads them, so `--rejudge DIR` judges a stored
//! folder again with today's `ftbench compare` (a verdict-rule change checked against stored runs
//! in seconds), into `DIR/rejudged.md`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::ctx::Ctx;
use crate::util::say;

/// The slowdown: two extra integer statements in `lock_counter`'s loop (the same loop alone,
/// interleaved in one process: 0.84× throughput at 1 thread, GIL off and on, on a 2-vCPU VM, 3.13t).
pub(crate) const SLOWED: &str = "lock_counter";
const ORIGINAL_LOOP: &str = "    for _ in range(ops):\n        with lock:";
const SLOWER_LOOP: &str = "    for i in range(ops):\n        i += 1\n        i += 1\n        with lock:";

/// The broad case's workloads (the 16 of `../shared/evidence/broad-gil-off`): every default
/// scenario, lock-based and lock-free, worker and pipeline.
const BROAD: [&str; 16] = [
    "atomic_atomicx",
    "atomic_ft_utils",
    "bank_transfer_global_lock",
    "concurrent_dict",
    "cpu_only",
    "deque_queue",
    "immutable_snapshot",
    "lock_counter",
    "lock_private",
    "locked_dict_reads",
    "queue_pipeline",
    "rlock_reentrant",
    "semaphore_pool",
    "sharded_counter",
    "shared_dict_writes",
    "simplequeue_pipeline",
];
/// Appended to each broad workload: after each call of its `worker` (or `drive`), busy-wait 12 % of
/// the call's own time when the GIL is off, so every GIL-off round is ~12 % longer at any thread
/// count and GIL-on rounds are untouched.
const BROAD_SLOWDOWN: &str = r#"

# --- cargo xtask aa: a GIL-off-only slowdown of every round ---
import sys as _aa_sys, time as _aa_time


def _aa_slowed(inner):
    def slowed(a, b, c):
        start = _aa_time.perf_counter_ns()
        inner(a, b, c)
        if not _aa_sys._is_gil_enabled():
            end = _aa_time.perf_counter_ns() + (_aa_time.perf_counter_ns() - start) * 12 // 100
            while _aa_time.perf_counter_ns() < end:
                pass
    return slowed


if "worker" in globals():
    worker = _aa_slowed(worker)
else:
    drive = _aa_slowed(drive)
"#;
/// The broad case runs at these thread counts (its 2-thread rows are contended on 2 vCPUs).
const BROAD_THREADS: &str = "1,2";

struct Options {
    pairs: usize,
    quick: bool,
    rejudge: Option<PathBuf>,
}

fn parse(args: &[OsString]) -> Result<Options> {
    let mut o = Options { pairs: 3, quick: false, rejudge: None };
    let mut it = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--pairs" => {
                let v = it.next().context("--pairs needs a number")?;
                o.pairs = v.parse().ok().filter(|n| *n >= 1).with_context(|| format!("--pairs takes a whole number ≥ 1, not {v}"))?;
            }
            "--rejudge" => o.rejudge = Some(it.next().context("--rejudge needs a folder written by `cargo xtask aa`")?.into()),
            other => bail!("`aa` takes --pairs N, --quick and --rejudge DIR, not {other}"),
        }
    }
    Ok(o)
}

pub fn run(ctx: &Ctx, args: &[OsString]) -> Result<i32> {
    let o = parse(args)?;
    let (out, summary) = match &o.rejudge {
        Some(dir) => (dir.clone(), "rejudged.md"),
        None => (measure(ctx, &o)?, "summary.md"),
    };
    let (ok, text) = judge(ctx, &out)?;
    std::fs::write(out.join(summary), &text).with_context(|| format!("writing {summary}"))?;
    println!("{text}");
    say(format!("aa: everything is under {}", out.display()));
    Ok(if ok { 0 } else { 1 })
}

/// The runs: `pairs` A/A pairs, the slowed run and `ab`, into a new folder.
fn measure(ctx: &Ctx, o: &Options) -> Result<PathBuf> {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let out = ctx.root.join("reports/aa").join(stamp.to_string());
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let slow = copy_workloads(ctx, &out.join("slowed_workloads"), &[SLOWED], slow_loop)?;
    let broad = copy_workloads(ctx, &out.join("broad_workloads"), &BROAD, |code, _| Ok(code + BROAD_SLOWDOWN))?;
    // Each A run calibrates itself, as two runs a user makes do: nothing fixed for a whole run may
    // differ between them and pass for a change. The slowed run reuses the last A run's
    // calibration, as a run compared with a baseline in README's CI recipe does.
    for pair in 1..=o.pairs {
        bench(ctx, &out.join(format!("a{pair}-1")), None, None, o.quick)?;
        bench(ctx, &out.join(format!("a{pair}-2")), None, None, o.quick)?;
    }
    let last_a = run_folder(&out.join(format!("a{}-2", o.pairs)))?;
    bench(ctx, &out.join("b"), Some(&slow), Some(&last_a), o.quick)?;
    ab(ctx, &out.join("ab"), &slow, None, o.quick)?;
    let mut broad_bench = bench_cmd(ctx, Some(&broad), Some(&last_a), o.quick, &broad_filter());
    run_bench(broad_bench.env("FTBENCH_THREADS", BROAD_THREADS), &out.join("broad"))?;
    ab(ctx, &out.join("ab-broad"), &broad, Some(&broad_filter()), o.quick)?;
    Ok(out)
}

/// Judges the runs of an aa folder with `ftbench compare`; returns whether every criterion was
/// met, and the summary.
fn judge(ctx: &Ctx, out: &Path) -> Result<(bool, String)> {
    let pairs = (1..).take_while(|p| out.join(format!("a{p}-2")).exists()).count();
    if pairs == 0 {
        bail!("{}: no A/A pair (a1-1, a1-2) in it; is it a folder `cargo xtask aa` wrote?", out.display());
    }
    let quick = record(&run_folder(&out.join("a1-1"))?)?["run"]["config"]["quick"] == true;
    let mut report = vec![format!("# `cargo xtask aa` ({pairs} pairs{})\n", if quick { ", quick" } else { "" })];
    let mut ok = true;
    let (mut false_verdicts, mut compared_rows) = (0, 0);
    for pair in 1..=pairs {
        let first = run_folder(&out.join(format!("a{pair}-1")))?;
        let second = run_folder(&out.join(format!("a{pair}-2")))?;
        let (code, cmp) = compare(ctx, &first, &second)?;
        let verdicts = flagged(&cmp);
        false_verdicts += verdicts.len();
        compared_rows += ["regressed", "improved", "inconclusive", "unchanged"].iter().map(|c| rows_in(&cmp, c)).sum::<usize>();
        let pass = code == 0 && verdicts.is_empty();
        ok &= pass;
        report.push(format!(
            "- A/A pair {pair}: {} — exit {code}, {} verdicts{} (runs took {:.0} s and {:.0} s)",
            if pass { "met" } else { "**not met**" },
            verdicts.len(),
            list(&verdicts),
            run_seconds(&first)?,
            run_seconds(&second)?,
        ));
        report.push(format!(
            "  - {} unchanged, {} inconclusive; smallest detectable change, median over rows: {}",
            rows_in(&cmp, "unchanged"),
            rows_in(&cmp, "inconclusive"),
            detectable(&cmp)
        ));
    }
    let rate = false_verdicts as f64 / compared_rows.max(1) as f64;
    report.push(format!("- A/A false-verdict rate: {false_verdicts} of {compared_rows} compared rows ({:.2} %)", rate * 100.0));

    let last_a = run_folder(&out.join(format!("a{pairs}-2")))?;
    let slowed = run_folder(&out.join("b"))?;
    ok &= judge_ab("A/B with `ftbench compare`", &compare(ctx, &last_a, &slowed)?.1, &mut report);
    let ab = run_folder(&out.join("ab"))?;
    let (decided, minutes) = ab_verdict(ctx, &out.join("ab"))?;
    ok &= judge_ab(&format!("A/B with `ftbench ab --until-decided` ({minutes})"), &decided, &mut report);
    ok &= judge_confirmed(&decided, &mut report);
    let (ab_seconds, separate) = (run_seconds(&ab.join("base"))?, run_seconds(&last_a)? + run_seconds(&slowed)?);
    let faster = ab_seconds < separate;
    ok &= faster;
    report.push(format!(
        "- time: `ftbench ab` {ab_seconds:.0} s against {separate:.0} s for the two runs of the A/B pair: {}",
        if faster { "met" } else { "**not met**" }
    ));
    if out.join("broad").exists() {
        ok &= judge_broad("broad A/B with `ftbench compare`", &compare(ctx, &last_a, &run_folder(&out.join("broad"))?)?.1, &mut report);
        let (decided, minutes) = ab_verdict(ctx, &out.join("ab-broad"))?;
        ok &= judge_broad(&format!("broad A/B with `ftbench ab --until-decided` ({minutes})"), &decided, &mut report);
    }
    report.push(format!("\nOverall: {}\n", if ok { "every criterion met" } else { "**some criteria not met**" }));
    Ok((ok, report.join("\n")))
}

/// The run folder a reports folder's `latest` names.
pub(crate) fn run_folder(reports: &Path) -> Result<PathBuf> {
    let latest =
        std::fs::read_to_string(reports.join("latest")).with_context(|| format!("{}: no `latest` run in it", reports.display()))?;
    Ok(reports.join(latest.trim()))
}

/// A run's results.json.
fn record(run: &Path) -> Result<Value> {
    let file = run.join("results.json");
    serde_json::from_slice(&std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?)
        .with_context(|| format!("reading {}", file.display()))
}

/// How long a run took, from its own record (started and ended, to the second).
fn run_seconds(run: &Path) -> Result<f64> {
    Ok(run_time(run, "ended")?.duration_since(run_time(run, "started")?).unwrap_or_default().as_secs_f64())
}

/// When a run's record says it `started` or `ended`.
fn run_time(run: &Path, key: &str) -> Result<SystemTime> {
    let (record, file) = (record(run)?, run.join("results.json"));
    let text = record["run"][key].as_str().with_context(|| format!("{}: run.{key} is missing", file.display()))?;
    humantime::parse_rfc3339(text).with_context(|| format!("{}: run.{key} = {text}", file.display()))
}

/// A copy of python_workloads/ in `dest` with each of `changed` rewritten by `change` (its code
/// and its path, for errors).
pub(crate) fn copy_workloads(ctx: &Ctx, dest: &Path, changed: &[&str], change: fn(String, &Path) -> Result<String>) -> Result<PathBuf> {
    std::fs::create_dir_all(dest)?;
    for entry in std::fs::read_dir(ctx.root.join("python_workloads"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "py") {
            std::fs::copy(&path, dest.join(path.file_name().unwrap()))?;
        }
    }
    for name in changed {
        let file = dest.join(format!("{name}.py"));
        let code = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        std::fs::write(&file, change(code, &file)?)?;
    }
    Ok(dest.to_path_buf())
}

/// `lock_counter`'s loop with its extra statements.
pub(crate) fn slow_loop(code: String, file: &Path) -> Result<String> {
    if !code.contains(ORIGINAL_LOOP) {
        bail!("{}: its loop changed; update xtask/src/aa.rs so the injected slowdown still applies", file.display());
    }
    Ok(code.replace(ORIGINAL_LOOP, SLOWER_LOOP))
}

/// A regex over benchmark ids that selects the broad case's workloads.
fn broad_filter() -> String {
    format!("^({})\\.", BROAD.join("|"))
}

/// One default run (`cargo bench`) into `reports`, reusing the calibration of `ops_from` if given.
fn bench(ctx: &Ctx, reports: &Path, workloads: Option<&Path>, ops_from: Option<&Path>, quick: bool) -> Result<()> {
    run_bench(&mut bench_cmd(ctx, workloads, ops_from, quick, ""), reports)
}

/// `cargo bench` of the workloads `filter` selects (all when empty).
pub(crate) fn bench_cmd(ctx: &Ctx, workloads: Option<&Path>, ops_from: Option<&Path>, quick: bool, filter: &str) -> Command {
    let mut cmd = cargo(ctx);
    cmd.args(["bench", "--quiet", "--"]);
    if !filter.is_empty() {
        cmd.arg(filter);
    }
    if quick {
        cmd.arg("--quick");
    }
    if let Some(w) = workloads {
        cmd.env("FTBENCH_WORKLOADS", w);
    }
    if let Some(run) = ops_from {
        cmd.env("FTBENCH_OPS_FROM", run);
    }
    cmd
}

pub(crate) fn run_bench(cmd: &mut Command, reports: &Path) -> Result<()> {
    say(format!("aa: cargo bench → {}", reports.display()));
    let status = cmd.env("FTBENCH_REPORTS", reports).status().context("running cargo bench")?;
    // Exit 3 means a workload failed (reported in the run; 1 in runs before ftbench's exit
    // table); anything else is a broken run.
    if !matches!(status.code(), Some(0 | 1 | 3)) {
        bail!("cargo bench failed ({status})");
    }
    Ok(())
}

pub(crate) fn cargo(ctx: &Ctx) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(&ctx.root).env("PYO3_PYTHON", &ctx.shim);
    cmd
}

/// `ftbench compare BASE NEW --json`: its exit code and JSON.
fn compare(ctx: &Ctx, base: &Path, new: &Path) -> Result<(i32, Value)> {
    compare_with(ctx, base, new, &[])
}

/// The two sides of an `ftbench ab` run judged as `ab` judges them (paired).
fn compare_ab(ctx: &Ctx, ab: &Path) -> Result<(i32, Value)> {
    compare_with(ctx, &ab.join("base"), &ab.join("new"), &["--paired"])
}

fn compare_with(ctx: &Ctx, base: &Path, new: &Path, extra: &[&str]) -> Result<(i32, Value)> {
    let mut cmd = cargo(ctx);
    cmd.args(["run", "--release", "--quiet", "--", "compare"]).arg(base).arg(new).arg("--json").args(extra);
    let out = cmd.output().context("running ftbench compare")?;
    let code = out.status.code().unwrap_or(-1);
    if code == 2 {
        bail!("ftbench compare refused its input: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok((code, serde_json::from_slice(&out.stdout).context("reading ftbench compare --json")?))
}

/// `ftbench ab --new-workloads SLOWED` over the whole catalogue, or (`broad`) the broad case's
/// filter at its thread counts (judged later from its folders).
fn ab(ctx: &Ctx, reports: &Path, slowed: &Path, broad: Option<&str>, quick: bool) -> Result<()> {
    let mut cmd = cargo(ctx);
    cmd.args(["run", "--release", "--quiet", "--", "ab", "--until-decided", "--budget", AB_BUDGET, "--json", "--out"]).arg(reports);
    cmd.arg("--new-workloads").arg(slowed);
    if let Some(filter) = broad {
        cmd.args([filter, "--threads", BROAD_THREADS]);
    }
    if quick {
        cmd.arg("--quick");
    }
    say(format!("aa: ftbench ab → {}", reports.display()));
    let out = cmd.stderr(std::process::Stdio::inherit()).output().context("running ftbench ab")?;
    if out.status.code() == Some(2) {
        bail!("ftbench ab refused its input");
    }
    std::fs::write(reports.join(AB_VERDICT), &out.stdout).with_context(|| format!("writing {}", reports.join(AB_VERDICT).display()))
}

/// How long each `ab` may add pass pairs to undecided rows. The budget counts the first look,
/// which over the whole catalogue takes about 30 min on 2 cores: less would allow no second.
const AB_BUDGET: &str = "45min";
/// Where `ab`'s own verdict (with its looks and confirmations) is kept beside its run folder.
const AB_VERDICT: &str = "comparison.json";

/// `ab`'s own verdict, with its confirmations, and how long it took with the machine's noise; an
/// aa folder from before `--until-decided` is judged again from its two sides as `ab` did then.
fn ab_verdict(ctx: &Ctx, reports: &Path) -> Result<(Value, String)> {
    let run = run_folder(reports)?;
    let base = record(&run.join("base"))?;
    let noise = &base["noise"];
    let noise = format!(
        "canary CV {:.1} %, {} of {} passes disturbed",
        noise["canary_cv"].as_f64().unwrap_or(f64::NAN) * 100.0,
        noise["disturbed_passes"],
        noise["passes"]
    );
    let file = reports.join(AB_VERDICT);
    let cmp = match std::fs::read(&file) {
        Ok(json) => serde_json::from_slice(&json).with_context(|| format!("reading {}", file.display()))?,
        Err(_) => compare_ab(ctx, &run)?.1,
    };
    let minutes = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|end| end.duration_since(run_time(&run.join("base"), "started").ok()?).ok());
    let took = minutes.map_or("time unknown".into(), |d| format!("{:.0} min", d.as_secs_f64() / 60.0));
    Ok((cmp, format!("{took}; {noise}")))
}

/// (b) and (c): the slowed workload caught at 1 thread in both modes, nothing else flagged.
fn judge_ab(what: &str, cmp: &Value, report: &mut Vec<String>) -> bool {
    let verdicts = flagged(cmp);
    let caught: Vec<&String> = verdicts.iter().filter(|v| v.starts_with(&format!("{SLOWED}/")) && v.contains("/1t throughput")).collect();
    let others: Vec<&String> = verdicts.iter().filter(|v| !v.starts_with(&format!("{SLOWED}/"))).collect();
    let both_modes = ["gil-off", "gil-on"].iter().all(|m| caught.iter().any(|v| v.contains(m)));
    let pass = both_modes && others.is_empty();
    report.push(format!(
        "- {what}: {} — {SLOWED} at 1 thread caught in {} of 2 modes ({}); other workloads flagged: {}{}",
        if pass { "met" } else { "**not met**" },
        caught.len(),
        effects(cmp, SLOWED),
        others.len(),
        list(&others.into_iter().cloned().collect::<Vec<_>>())
    ));
    pass
}

/// (c): every 1-thread verdict on the slowed workload was measured again and confirmed (an `ab`
/// from before confirmations has none, and says so).
fn judge_confirmed(cmp: &Value, report: &mut Vec<String>) -> bool {
    let caught: Vec<&Value> = rows(cmp)
        .filter(|r| r["workload"] == SLOWED && r["threads"] == 1 && r["outcome"]["throughput"]["change"] == "regressed")
        .map(|r| &r["outcome"]["throughput"])
        .collect();
    let confirmed: Vec<String> = caught
        .iter()
        .filter(|m| m["confirmation"]["confirmed"] == true)
        .filter_map(|m| Some(format!("{:+.1} %", m["confirmation"]["change_pct"].as_f64()?)))
        .collect();
    let pass = !caught.is_empty() && confirmed.len() == caught.len();
    report.push(format!(
        "  - confirmed by a second measurement: {} — {} of {} ({})",
        if pass { "met" } else { "**not met**" },
        confirmed.len(),
        caught.len(),
        confirmed.join(", ")
    ));
    pass
}

/// (d): most GIL-off 1-thread rows of the broad workloads caught (throughput regressed), and no
/// GIL-on row flagged on any figure.
fn judge_broad(what: &str, cmp: &Value, report: &mut Vec<String>) -> bool {
    let one_thread_off = |r: &&Value| BROAD.iter().any(|w| r["workload"] == *w) && mode(r) == "gil-off" && r["threads"] == 1;
    let rows_off: Vec<&Value> = rows(cmp).filter(one_thread_off).collect();
    let caught = rows_off.iter().filter(|r| r["outcome"]["throughput"]["change"] == "regressed").count();
    let gil_on: Vec<String> = flagged(cmp).into_iter().filter(|v| v.contains("/gil-on/")).collect();
    let mut changes: Vec<f64> = rows_off.iter().filter_map(|r| r["outcome"]["throughput"]["change_pct"].as_f64()).collect();
    changes.sort_by(f64::total_cmp);
    let median = changes.get(changes.len() / 2).map_or("-".to_string(), |m| format!("{m:+.1} %"));
    let pass = caught * 2 > rows_off.len() && gil_on.is_empty();
    report.push(format!(
        "- {what}: {} — GIL-off 1-thread rows caught: {caught} of {} (median change {median}); GIL-on figures flagged: {}{}",
        if pass { "met" } else { "**not met**" },
        rows_off.len(),
        gil_on.len(),
        list(&gil_on)
    ));
    pass
}

/// `workload/mode/Nt figure (change%)` of every figure that got a verdict: a row's throughput,
/// its speedup, or both, each with its own change.
fn flagged(cmp: &Value) -> Vec<String> {
    rows(cmp)
        .flat_map(|r| {
            ["throughput", "speedup"].into_iter().filter_map(move |figure| {
                let m = &r["outcome"][figure];
                matches!(m["change"].as_str(), Some("regressed" | "improved")).then(|| {
                    let change = m["change_pct"].as_f64().unwrap_or(f64::NAN);
                    format!("{}/{}/{}t {figure} ({change:+.1} %)", r["workload"].as_str().unwrap_or("?"), mode(r), r["threads"])
                })
            })
        })
        .collect()
}

/// The measured 1-thread throughput changes of `workload`, per mode.
fn effects(cmp: &Value, workload: &str) -> String {
    rows(cmp)
        .filter(|r| r["workload"] == workload && r["threads"] == 1)
        .filter_map(|r| Some(format!("{} {:+.1} %", mode(r), r["outcome"]["throughput"]["change_pct"].as_f64()?)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Median over compared rows of the smallest change that would have been a verdict: at 1 thread
/// and over all rows.
fn detectable(cmp: &Value) -> String {
    let median = |one_thread: bool| {
        let mut v: Vec<f64> = rows(cmp)
            .filter(|r| !one_thread || r["threads"] == 1)
            .filter_map(|r| r["outcome"]["throughput"]["detectable_pct"].as_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).map_or("-".to_string(), |m| format!("{m:.1} %"))
    };
    format!("{} at 1 thread, {} over all rows", median(true), median(false))
}

fn rows(cmp: &Value) -> impl Iterator<Item = &Value> {
    cmp["rows"].as_array().into_iter().flatten()
}

fn rows_in(cmp: &Value, category: &str) -> usize {
    rows(cmp).filter(|r| r["category"] == category).count()
}

fn mode(r: &Value) -> &str {
    match r["mode"].as_str() {
        Some("on") => "gil-on",
        _ => "gil-off",
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!(": {}", items.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(workload: &str, mode: &str, threads: u64, category: &str, change: f64) -> Value {
        serde_json::json!({"workload": workload, "mode": mode, "threads": threads, "category": category,
            "outcome": {"outcome": "compared", "throughput": {"change_pct": change, "change": category, "detectable_pct": 6.0}}})
    }

    #[test]
    fn the_ab_criterion_wants_both_modes_at_one_thread_and_nothing_else() {
        let caught = serde_json::json!({"rows": [
            row(SLOWED, "off", 1, "regressed", -15.0), row(SLOWED, "on", 1, "regressed", -16.0),
            row(SLOWED, "off", 2, "unchanged", -3.0), row("cpu_only", "off", 1, "unchanged", 1.0)]});
        let mut report = Vec::new();
        assert!(judge_ab("x", &caught, &mut report), "{report:?}");
        assert!(report[0].contains("caught in 2 of 2 modes") && report[0].contains("gil-off -15.0 %"), "{report:?}");

        let one_mode = serde_json::json!({"rows": [row(SLOWED, "off", 1, "regressed", -15.0), row(SLOWED, "on", 1, "unchanged", -4.0)]});
        assert!(!judge_ab("x", &one_mode, &mut report));
        let bystander = serde_json::json!({"rows": [
            row(SLOWED, "off", 1, "regressed", -15.0), row(SLOWED, "on", 1, "regressed", -16.0),
            row("cpu_only", "on", 4, "improved", 9.0)]});
        assert!(!judge_ab("x", &bystander, &mut report));
        assert!(report.last().unwrap().contains("cpu_only/gil-on/4t throughput (+9.0 %)"), "{report:?}");
    }

    #[test]
    fn the_slowdown_counts_as_confirmed_only_when_every_caught_row_was_measured_again_and_agreed() {
        let mut on = row(SLOWED, "on", 1, "regressed", -14.0);
        let mut off = row(SLOWED, "off", 1, "regressed", -13.0);
        on["outcome"]["throughput"]["confirmation"] = serde_json::json!({"change_pct": -12.5, "confirmed": true});
        let mut report = Vec::new();
        assert!(!judge_confirmed(&serde_json::json!({"rows": [on.clone(), off.clone()]}), &mut report), "{report:?}");
        off["outcome"]["throughput"]["confirmation"] = serde_json::json!({"change_pct": -15.0, "confirmed": true});
        assert!(judge_confirmed(&serde_json::json!({"rows": [on, off]}), &mut report), "{report:?}");
        assert!(report[1].contains("2 of 2 (-12.5 %, -15.0 %)"), "{report:?}");
        assert!(!judge_confirmed(&serde_json::json!({"rows": []}), &mut report), "nothing caught is nothing confirmed");
    }

    #[test]
    fn a_scaling_verdict_is_named_with_the_speedup_change_not_the_throughput_one() {
        let mut r = row("atomic_ft_utils", "off", 4, "regressed", -10.3);
        r["outcome"]["throughput"]["change"] = "unchanged".into();
        r["outcome"]["speedup"] = serde_json::json!({"change_pct": -32.1, "change": "regressed"});
        assert_eq!(flagged(&serde_json::json!({"rows": [r]})), ["atomic_ft_utils/gil-off/4t speedup (-32.1 %)"]);
        // A slowed workload whose 1-thread row is flagged only on another figure is not caught.
        let mut report = Vec::new();
        let mut r = row(SLOWED, "off", 1, "regressed", -4.0);
        r["outcome"]["throughput"]["change"] = "unchanged".into();
        assert!(!judge_ab("x", &serde_json::json!({"rows": [r]}), &mut report));
    }

    #[test]
    fn the_broad_criterion_wants_most_gil_off_rows_and_no_gil_on_one() {
        let mut report = Vec::new();
        let off = |w: &str, c: &str| row(w, "off", 1, c, -11.0);
        let most = serde_json::json!({"rows": [off("cpu_only", "regressed"), off("lock_counter", "regressed"),
            off("deque_queue", "inconclusive"), row("cpu_only", "on", 1, "unchanged", 0.5), off("barrier_phases", "unchanged")]});
        assert!(judge_broad("x", &most, &mut report), "{report:?}");
        assert!(report[0].contains("caught: 2 of 3"), "rows of other workloads do not count: {report:?}");
        let half = serde_json::json!({"rows": [off("cpu_only", "regressed"), off("lock_counter", "inconclusive")]});
        assert!(!judge_broad("x", &half, &mut report));
        let gil_on = serde_json::json!({"rows": [off("cpu_only", "regressed"), row("cpu_only", "on", 2, "regressed", -6.0)]});
        assert!(!judge_broad("x", &gil_on, &mut report));
        assert!(report.last().unwrap().contains("cpu_only/gil-on/2t throughput"), "{report:?}");
    }

    #[test]
    fn options_are_checked() {
        let args = |s: &str| s.split_whitespace().map(OsString::from).collect::<Vec<_>>();
        let o = parse(&args("--pairs 2 --quick")).unwrap();
        assert_eq!((o.pairs, o.quick), (2, true));
        assert!(parse(&args("--pairs 0")).is_err());
        assert_eq!(parse(&args("--rejudge reports/aa/1")).unwrap().rejudge, Some(PathBuf::from("reports/aa/1")));
        assert!(parse(&args("--rejudge")).is_err());
        assert!(parse(&args("--fast")).is_err());
    }
}
