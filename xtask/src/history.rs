//! `cargo xtask history [--runs N] [--quick] [--filter REGEX]`: the history's change points on
//! real runs of this machine. N runs of a filtered sweep with the suite as it is, then N with
//! `lock_counter`'s loop made ~14 % slower (as `aa` slows it), each added to a history with
//! `ftbench history add`; then `ftbench history report`. `lock_counter`'s 1-thread throughput must
//! show a change point between run N and N + 1 in both GIL modes, attributed to its file; every
//! other change point is counted against what the simulation predicts (docs/history.md). Every
//! run after the first does the first's work per round (FTBENCH_OPS_FROM), as main's runs in CI do
//! against their baseline.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

use crate::aa::{bench_cmd, cargo, copy_workloads, run_bench, run_folder, slow_loop, SLOWED};
use crate::ctx::Ctx;
use crate::util::say;

/// A handful of workloads: the slowed one, a control and three that share nothing with it.
const FILTER: &str = r"^(lock_counter|cpu_only|lock_private|sharded_counter|rlock_reentrant)\.";

struct Options {
    runs: usize,
    quick: bool,
    filter: String,
}

fn parse(args: &[OsString]) -> Result<Options> {
    let mut o = Options { runs: 8, quick: false, filter: FILTER.into() };
    let mut it = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--runs" => {
                let v = it.next().context("--runs needs a number")?;
                o.runs = v.parse().ok().filter(|n| *n >= 1).with_context(|| format!("--runs takes a whole number ≥ 1, not {v}"))?;
            }
            "--filter" => o.filter = it.next().context("--filter needs a regex over benchmark ids")?,
            other => bail!("`history` takes --runs N, --quick and --filter REGEX, not {other}"),
        }
    }
    Ok(o)
}

pub fn run(ctx: &Ctx, args: &[OsString]) -> Result<i32> {
    let o = parse(args)?;
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let out = ctx.root.join("reports/history-check").join(stamp.to_string());
    let slowed = copy_workloads(ctx, &out.join("slowed_workloads"), &[SLOWED], slow_loop)?;
    let history = out.join("history");
    let mut first: Option<PathBuf> = None;
    for i in 1..=2 * o.runs {
        let reports = out.join(format!("run{i:02}"));
        let workloads = (i > o.runs).then_some(slowed.as_path());
        run_bench(&mut bench_cmd(ctx, workloads, first.as_deref(), o.quick, &o.filter), &reports)?;
        let run = run_folder(&reports)?;
        ftbench(ctx, &[OsStr::new("history"), OsStr::new("add"), run.as_os_str(), OsStr::new("--history"), history.as_os_str()])?;
        first.get_or_insert(run);
    }
    let report = out.join("report");
    let args = ["history", "report", "--history"].map(OsStr::new);
    ftbench(ctx, &[&args[..], &[history.as_os_str(), OsStr::new("--out"), report.as_os_str()]].concat())?;
    let (ok, text) = judge(&report.join("summary.md"), o.runs)?;
    std::fs::write(out.join("summary.md"), &text).context("writing summary.md")?;
    println!("{text}");
    say(format!("history: everything is under {}", out.display()));
    Ok(if ok { 0 } else { 1 })
}

/// `ftbench ARGS` (built in release mode), which must succeed.
fn ftbench(ctx: &Ctx, args: &[&OsStr]) -> Result<()> {
    let status = cargo(ctx).args(["run", "--release", "--quiet", "--"]).args(args).status().context("running ftbench")?;
    if !status.success() {
        bail!("ftbench {:?} failed ({status})", args);
    }
    Ok(())
}

/// Reads the change points table of the history report: `lock_counter`'s 1-thread throughput must
/// change between run `runs` and the next in both modes; the others are listed and counted.
fn judge(summary: &Path, runs: usize) -> Result<(bool, String)> {
    let md = std::fs::read_to_string(summary).with_context(|| format!("reading {}", summary.display()))?;
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
    let at = format!("#{runs} → #{}", runs + 1);
    let mut text = vec![format!("# cargo xtask history: {} runs, lock_counter slowed from run {}\n", 2 * runs, runs + 1)];
    let mut ok = true;
    for mode in ["off", "on"] {
        let figure = format!("`lock_counter` GIL {mode}, 1 thread: throughput");
        let found = rows.iter().find(|r| r.contains(&figure));
        let right = found.is_some_and(|r| r.contains(&at) && r.contains("lock_counter.py changed"));
        ok &= right;
        text.push(format!("- {figure}: {}", found.map_or("**no change point**".to_string(), |r| r.to_string())));
        if !right {
            text.push(format!("  **expected between runs {at}, attributed to lock_counter.py**"));
        }
    }
    let others: Vec<&&str> = rows.iter().filter(|r| !r.contains("`lock_counter`")).collect();
    let expected = md.lines().find(|l| l.contains("may be noise")).unwrap_or_default();
    text.push(format!("\nChange points of other workloads: {} (the report: \"{}\")", others.len(), expected.trim()));
    text.extend(others.iter().map(|r| format!("- {r}")));
    text.push(format!("\nOverall: {}", if ok { "lock_counter's step found at the right run" } else { "**not met**" }));
    Ok((ok, text.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_must_be_found_in_both_modes_at_the_right_run() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("summary.md");
        let row = |mode: &str, at: &str| {
            format!("| `lock_counter` GIL {mode}, 1 thread: throughput | 1 → 2 | -14 % | {at} (…) | lock_counter.py changed |")
        };
        let write = |rows: &[String]| std::fs::write(&file, format!("up to 1 of these may be noise.\n{}\n", rows.join("\n"))).unwrap();
        write(&[row("off", "#8 → #9"), row("on", "#8 → #9"), "| `cpu_only` GIL off, 1 thread: throughput | … |".into()]);
        let (ok, text) = judge(&file, 8).unwrap();
        assert!(ok && text.contains("other workloads: 1"), "{text}");
        write(&[row("off", "#8 → #9"), row("on", "#9 → #10")]);
        assert!(!judge(&file, 8).unwrap().0, "one run late");
        write(&[row("off", "#8 → #9")]);
        assert!(!judge(&file, 8).unwrap().0, "GIL on missing");
    }

    #[test]
    fn options_are_checked() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        let o = parse(&args(&["--runs", "3", "--quick", "--filter", "^x\\."])).unwrap();
        assert_eq!((o.runs, o.quick, o.filter.as_str()), (3, true, "^x\\."));
        assert!(parse(&args(&["--runs", "0"])).is_err());
        assert!(parse(&args(&["--pairs", "2"])).is_err());
    }
}
