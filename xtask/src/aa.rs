//! `cargo xtask aa`: can `ftbench compare` be trusted on this machine? It runs what a user would
//! and judges the outcome (a benchmark of the tool itself, not a unit test):
//!
//! (a) A/A: pairs of back-to-back default runs (`cargo bench`) of the same code, the second
//!     reusing the first's calibration (`FTBENCH_OPS_FROM`, as README's CI recipe does), each pair
//!     compared with `ftbench compare`: there must be no verdict at all, exit 0;
//! (b) A/B: one more run with `lock_counter`'s loop made slower by one extra statement per op,
//!     compared with the last A run: `lock_counter` at 1 thread must be caught in both GIL modes
//!     and no other workload flagged;
//! (c) the same A/B with `ftbench ab` (both sides side by side in one run), which must take less
//!     time than (b).
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
const SLOWED: &str = "lock_counter";
const ORIGINAL_LOOP: &str = "    for _ in range(ops):\n        with lock:";
const SLOWER_LOOP: &str = "    for i in range(ops):\n        i += 1\n        i += 1\n        with lock:";

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
    let slow = slowed_workloads(ctx, &out)?;
    // Every run after the first of a pair reuses its calibration (FTBENCH_OPS_FROM), as a run
    // compared with a baseline does in README's CI recipe: both do the same work per round.
    for pair in 1..=o.pairs {
        let first = out.join(format!("a{pair}-1"));
        bench(ctx, &first, None, None, o.quick)?;
        bench(ctx, &out.join(format!("a{pair}-2")), None, Some(&run_folder(&first)?), o.quick)?;
    }
    let last_a = run_folder(&out.join(format!("a{}-2", o.pairs)))?;
    bench(ctx, &out.join("b"), Some(&slow), Some(&last_a), o.quick)?;
    ab(ctx, &out.join("ab"), &slow, o.quick)?;
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
        compared_rows += rows_in(&cmp, "regressed") + rows_in(&cmp, "improved") + rows_in(&cmp, "unchanged");
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
        report.push(format!("  - smallest detectable change, median over rows: {}", detectable(&cmp)));
    }
    let rate = false_verdicts as f64 / compared_rows.max(1) as f64;
    report.push(format!("- A/A false-verdict rate: {false_verdicts} of {compared_rows} compared rows ({:.2} %)", rate * 100.0));

    let last_a = run_folder(&out.join(format!("a{pairs}-2")))?;
    let slowed = run_folder(&out.join("b"))?;
    ok &= judge_ab("A/B with `ftbench compare`", &compare(ctx, &last_a, &slowed)?.1, &mut report);
    let ab = run_folder(&out.join("ab"))?;
    ok &= judge_ab("A/B with `ftbench ab`", &compare(ctx, &ab.join("base"), &ab.join("new"))?.1, &mut report);
    let (ab_seconds, separate) = (run_seconds(&ab.join("base"))?, run_seconds(&last_a)? + run_seconds(&slowed)?);
    let faster = ab_seconds < separate;
    ok &= faster;
    report.push(format!(
        "- time: `ftbench ab` {ab_seconds:.0} s against {separate:.0} s for the two runs of the A/B pair: {}",
        if faster { "met" } else { "**not met**" }
    ));
    report.push(format!("\nOverall: {}\n", if ok { "every criterion met" } else { "**some criteria not met**" }));
    Ok((ok, report.join("\n")))
}

/// The run folder a reports folder's `latest` names.
fn run_folder(reports: &Path) -> Result<PathBuf> {
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
    let (record, file) = (record(run)?, run.join("results.json"));
    let time = |key: &str| -> Result<SystemTime> {
        let text = record["run"][key].as_str().with_context(|| format!("{}: run.{key} is missing", file.display()))?;
        humantime::parse_rfc3339(text).with_context(|| format!("{}: run.{key} = {text}", file.display()))
    };
    Ok(time("ended")?.duration_since(time("started")?).unwrap_or_default().as_secs_f64())
}

/// A copy of python_workloads/ with the slowed workload.
fn slowed_workloads(ctx: &Ctx, out: &Path) -> Result<PathBuf> {
    let src = ctx.root.join("python_workloads");
    let dest = out.join("slowed_workloads");
    std::fs::create_dir_all(&dest)?;
    for entry in std::fs::read_dir(&src)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "py") {
            std::fs::copy(&path, dest.join(path.file_name().unwrap()))?;
        }
    }
    let file = dest.join(format!("{SLOWED}.py"));
    let code = std::fs::read_to_string(&file)?;
    if !code.contains(ORIGINAL_LOOP) {
        bail!("{}: its loop changed; update xtask/src/aa.rs so the injected slowdown still applies", file.display());
    }
    std::fs::write(&file, code.replace(ORIGINAL_LOOP, SLOWER_LOOP))?;
    Ok(dest)
}

/// One default run (`cargo bench`) into `reports`, reusing the calibration of `ops_from` if given.
fn bench(ctx: &Ctx, reports: &Path, workloads: Option<&Path>, ops_from: Option<&Path>, quick: bool) -> Result<()> {
    let mut cmd = cargo(ctx);
    cmd.args(["bench", "--quiet"]);
    if quick {
        cmd.args(["--", "--quick"]);
    }
    cmd.env("FTBENCH_REPORTS", reports);
    if let Some(w) = workloads {
        cmd.env("FTBENCH_WORKLOADS", w);
    }
    if let Some(run) = ops_from {
        cmd.env("FTBENCH_OPS_FROM", run);
    }
    say(format!("aa: cargo bench → {}", reports.display()));
    let status = cmd.status().context("running cargo bench")?;
    // Exit 1 means a workload failed (reported in the run); anything else is a broken run.
    if !matches!(status.code(), Some(0 | 1)) {
        bail!("cargo bench failed ({status})");
    }
    Ok(())
}

fn cargo(ctx: &Ctx) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(&ctx.root).env("PYO3_PYTHON", &ctx.shim);
    cmd
}

/// `ftbench compare BASE NEW --json`: its exit code and JSON.
fn compare(ctx: &Ctx, base: &Path, new: &Path) -> Result<(i32, Value)> {
    let mut cmd = cargo(ctx);
    cmd.args(["run", "--release", "--quiet", "--", "compare"]).arg(base).arg(new).arg("--json");
    let out = cmd.output().context("running ftbench compare")?;
    let code = out.status.code().unwrap_or(-1);
    if code == 2 {
        bail!("ftbench compare refused its input: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok((code, serde_json::from_slice(&out.stdout).context("reading ftbench compare --json")?))
}

/// `ftbench ab --new-workloads SLOWED` over the whole catalogue (judged later from its folders).
fn ab(ctx: &Ctx, reports: &Path, slowed: &Path, quick: bool) -> Result<()> {
    let mut cmd = cargo(ctx);
    cmd.args(["run", "--release", "--quiet", "--", "ab", "--out"]).arg(reports);
    cmd.arg("--new-workloads").arg(slowed);
    if quick {
        cmd.arg("--quick");
    }
    say(format!("aa: ftbench ab → {}", reports.display()));
    let status = cmd.status().context("running ftbench ab")?;
    if status.code() == Some(2) {
        bail!("ftbench ab refused its input");
    }
    Ok(())
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
