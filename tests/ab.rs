//! `ftbench ab`: two variants measured side by side in one run.

mod common;

use std::path::{Path, PathBuf};

use common::{ftbench, workloads};
use ftbench::results::RunResults;

#[test]
fn both_sides_do_the_same_work_per_round() {
    let _machine = common::one_at_a_time();
    // The new side's lock_counter does about ten times the work per op: calibrated apart, the two
    // sides would settle on different ops per round.
    let (base, new) = (workloads(&["lock_counter", "cpu_only"]), workloads(&["lock_counter", "cpu_only"]));
    let file = new.path().join("lock_counter.py");
    let code = std::fs::read_to_string(&file).unwrap();
    let slower = code.replace(
        "    for _ in range(ops):\n        with lock:",
        "    for _ in range(ops):\n        for _ in range(30):\n            pass\n        with lock:",
    );
    assert_ne!(code, slower, "lock_counter's loop changed: update this test");
    std::fs::write(&file, slower).unwrap();
    let out = tempfile::tempdir().unwrap();
    let output =
        ab_folders(&["--quick", "--passes", "2", "--threads", "1,2", "--modes", "off", "--json"], out.path(), base.path(), new.path());
    assert!(output.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&output.stderr));
    let run = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_dir()).expect("a run folder");
    let side = |name: &str| RunResults::load(&run.join(name).join("results.json")).unwrap();
    let (base, new) = (side("base"), side("new"));
    for w in &base.workloads {
        let other = new.workload(&w.workload, w.mode).expect("measured on both sides");
        for (b, n) in w.rows.iter().zip(&other.rows) {
            assert_eq!((b.threads, b.ops_per_thread), (n.threads, n.ops_per_thread), "{} calibrated once for both sides", w.workload);
        }
    }
}

/// The bootstrap's interpreter, copied into `prefix` as another install of the same build: its
/// executable and libpython copied, its standard library linked. The copied executable still
/// carries the original's loader path (an absolute rpath, or setup-python's LD_LIBRARY_PATH), so
/// on its own it would run the original's libpython; with `launcher` its `bin/python` puts the
/// `ftbench ab ARGS --out OUT --base-workloads BASE --new-workloads NEW`, run to its end.
fn ab_folders(args: &[&str], out: &Path, base: &Path, new: &Path) -> std::process::Output {
    let mut ab = ftbench();
    ab.arg("ab").args(args).arg("--out").arg(out).arg("--base-workloads").arg(base).arg("--new-workloads").arg(new);
    ab.output().unwrap()
}

/// copy's library folder first, as an install with its own rpath would. Returns the interpreter.
#[cfg(target_os = "linux")]
fn install_copy(prefix: &Path, library_name: &str, launcher: Option<&str>) -> PathBuf {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let expr = "__import__('json').dumps([__import__('sys')._base_executable, __import__('sys').base_prefix, \
                sysconfig.get_path('stdlib'), sysconfig.get_config_var('LIBDIR'), sysconfig.get_config_var('INSTSONAME')])";
    let [executable, home, stdlib, libdir, soname]: [PathBuf; 5] = serde_json::from_str(&common::sysconfig(expr)).unwrap();
    let exe = prefix.join("bin").join(executable.file_name().unwrap());
    for dir in [prefix.join("bin"), prefix.join("lib"), prefix.join("private")] {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::copy(&executable, &exe).unwrap();
    std::fs::copy(libdir.join(&soname), prefix.join("lib").join(library_name)).unwrap();
    // The loader finds a library by its soname; a differently named file is reached by a link.
    if library_name != soname.to_str().unwrap() {
        symlink(prefix.join("lib").join(library_name), prefix.join("private").join(&soname)).unwrap();
    }
    symlink(&stdlib, prefix.join(stdlib.strip_prefix(&home).unwrap())).unwrap();
    let Some(folder) = launcher else { return exe };
    let python = prefix.join("bin/python");
    let script = format!("#!/bin/sh\nLD_LIBRARY_PATH='{}' exec '{}' \"$@\"\n", prefix.join(folder).display(), exe.display());
    std::fs::write(&python, script).unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    python
}

/// `ftbench ab --base-python base --new-python new` with `args`.
#[cfg(target_os = "linux")]
fn ab_pythons(base: &Path, new: &Path, args: &[&str]) -> std::process::Output {
    ftbench().arg("ab").arg("--base-python").arg(base).arg("--new-python").arg(new).args(args).output().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn each_side_runs_its_own_libpython() {
    let _machine = common::one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let soname = common::sysconfig("sysconfig.get_config_var('INSTSONAME')");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let (base, new) = (install_copy(&a, &soname, Some("lib")), install_copy(&b, &soname, Some("lib")));
    let library = |prefix: &Path| prefix.join("lib").join(&soname).canonicalize().unwrap().display().to_string();
    let check = ab_pythons(&base, &new, &["--check-python"]);
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{said}{}", String::from_utf8_lossy(&check.stderr));
    assert!(said.contains(&format!("base: {} runs its own libpython {}", base.display(), library(&a))), "{said}");
    assert!(said.contains(&format!("new: {} runs its own libpython {}", new.display(), library(&b))), "{said}");
    // Measured: every child of each side says it ran that side's library.
    let out = tempfile::tempdir().unwrap();
    let args = ["--quick", "--passes", "2", "--threads", "1", "--modes", "off", "--out", out.path().to_str().unwrap(), "^cpu_only\\."];
    let run = ab_pythons(&base, &new, &args);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&run.stderr));
    let folder = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_dir()).expect("a run folder");
    for (side, prefix) in [("base", &a), ("new", &b)] {
        let results = RunResults::load(&folder.join(side).join("results.json")).unwrap();
        let loaded: Vec<_> = results.interpreters.iter().map(|i| i.library.clone()).collect();
        assert_eq!(loaded, [Some(library(prefix))], "{side}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_side_that_would_not_run_its_own_libpython_is_refused_before_measuring() {
    let dir = tempfile::tempdir().unwrap();
    let soname = common::sysconfig("sysconfig.get_config_var('INSTSONAME')");
    let good = install_copy(&dir.path().join("good"), &soname, Some("lib"));
    // A copy left as it is runs the original's libpython: it has none of its own to compare.
    let unaided = install_copy(&dir.path().join("unaided"), &soname, None);
    let refused = ab_pythons(&good, &unaided, &["--check-python"]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(err.contains("--new-python") && err.contains("outside its home"), "{err}");
    // Its interpreter runs its own library, reached through a link in another folder under another
    // file name (as a macOS framework's `PythonT` is): ftbench's children, which ask the loader for
    // the soname in the library's folder, would get another. Refused, and nothing measured.
    let renamed = install_copy(&dir.path().join("renamed"), "libpython-renamed.so", Some("private"));
    let out = tempfile::tempdir().unwrap();
    let refused = ab_pythons(&renamed, &good, &["--quick", "--out", out.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(err.contains("--base-python") && err.contains("instead of its libpython") && err.contains("libpython-renamed.so"), "{err}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing measured");
}

#[cfg(target_os = "linux")]
#[test]
fn a_child_that_loaded_another_libpython_fails_its_workload() {
    let _machine = common::one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let soname = common::sysconfig("sysconfig.get_config_var('INSTSONAME')");
    let (base, new) =
        (install_copy(&dir.path().join("a"), &soname, Some("lib")), install_copy(&dir.path().join("b"), &soname, Some("lib")));
    // A workload's ENV reaches only the measuring children: preloading the bootstrap's libpython
    // makes the new side's run it, whatever the side's loader path says.
    let original = Path::new(&common::sysconfig("sysconfig.get_config_var('LIBDIR')")).join(&soname);
    let (plain, folder) = (workloads(&["cpu_only"]), workloads(&["cpu_only"]));
    let file = folder.path().join("cpu_only.py");
    let code = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("ENV = {{\"LD_PRELOAD\": \"{}\"}}\n{code}", original.display())).unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut ab = ftbench();
    ab.args(["ab", "--quick", "--passes", "2", "--threads", "1", "--modes", "off", "--out", out.path().to_str().unwrap()]);
    ab.arg("--base-python").arg(&base).arg("--new-python").arg(&new);
    let run = ab.arg("--base-workloads").arg(plain.path()).arg("--new-workloads").arg(folder.path()).output().unwrap();
    assert_eq!(run.status.code(), Some(3), "a workload failed: {}", String::from_utf8_lossy(&run.stderr));
    let folder = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_dir()).expect("a run folder");
    let results = RunResults::load(&folder.join("new/results.json")).unwrap();
    let w = &results.workloads[0];
    assert_eq!(w.status, ftbench::results::WorkloadStatus::Error);
    assert!(w.reason.as_deref().unwrap_or_default().contains(&format!("loaded {}", original.canonicalize().unwrap().display())), "{w:?}");
}

/// A regression `ab` finds is measured again in fresh processes before it fails: confirmed here
/// (the new side's cpu_only is really twice as slow), both figures in the JSON.
#[test]
fn a_flagged_row_is_measured_again_and_confirmed_before_it_fails() {
    let _machine = common::one_at_a_time();
    let (base, new) = (workloads(&["cpu_only"]), workloads(&["cpu_only"]));
    common::twice_as_slow(&new.path().join("cpu_only.py"));
    // A machine too busy to measure on (a parallel build) disturbs the rows: up to three tries.
    for _ in 0..3 {
        let out = tempfile::tempdir().unwrap();
        let args = ["--quick", "--passes", "8", "--threads", "1", "--modes", "off", "--json"];
        let output = ab_folders(&args, out.path(), base.path(), new.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        let row = &json["rows"][0];
        let disturbed = stderr.contains("disturbed") || json["disturbed"].as_array().is_some_and(|d| !d.is_empty());
        if row["category"] != "regressed" && (disturbed || row["category"] == "inconclusive") {
            continue;
        }
        assert_eq!(row["category"], "regressed", "{json:#}\n{stderr}");
        let again = &row["outcome"]["throughput"]["confirmation"];
        assert_eq!(again["confirmed"], true, "{again}");
        assert!(again["change_pct"].as_f64().unwrap() < -30.0, "{again}");
        assert!(stderr.contains("confirming 1 flagged rows") && stderr.contains("the confirmation took"), "{stderr}");
        assert_eq!(output.status.code(), Some(1));
        return;
    }
    panic!("no try decided: the machine disturbed or blurred all three");
}

/// The two sides' children see paths of equal length — their workload file, the venv, `sys.path` —
/// however long the folders they were given, and the run records each side's own files.
#[test]
fn both_sides_see_paths_of_equal_length() {
    let (base, new) = (workloads(&["writes_its_paths"]), workloads(&["writes_its_paths"]));
    let longer = new.path().join("a-much-longer-folder-name-than-the-base-side-has");
    std::fs::create_dir(&longer).unwrap();
    for f in ["writes_its_paths.py", "_support.py"] {
        std::fs::rename(new.path().join(f), longer.join(f)).unwrap();
    }
    let (out, seen) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ab = ftbench();
    ab.args(["ab", "--quick", "--passes", "2", "--threads", "1", "--modes", "off", "--no-confirm", "--out"]).arg(out.path());
    ab.arg("--base-workloads").arg(base.path()).arg("--new-workloads").arg(&longer);
    ab.env("FTBENCH_PASS_ENV", "PATHS_OUT").env("PATHS_OUT", seen.path());
    let output = ab.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut sides: Vec<serde_json::Value> = std::fs::read_dir(seen.path())
        .unwrap()
        .map(|e| serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap())
        .collect();
    sides.sort_by_key(|s| s["file"].as_str().unwrap().to_string());
    assert_eq!(sides.len(), 4, "two passes of two sides: {sides:?}");
    let (a, b) = (&sides[0], &sides[3]);
    assert_ne!(a["file"], b["file"], "one child of each side: {sides:?}");
    let len = |v: &serde_json::Value| v.as_str().unwrap().len();
    assert_eq!(len(&a["file"]), len(&b["file"]), "{a} {b}");
    assert_eq!(len(&a["prefix"]), len(&b["prefix"]), "{a} {b}");
    let lens = |v: &serde_json::Value| v["path"].as_array().unwrap().iter().map(len).collect::<Vec<_>>();
    assert_eq!(lens(a), lens(b), "{a} {b}");
    // The new side's children ran its link (gone with the run); the record names the real file.
    assert!(b["file"].as_str().unwrap().ends_with("/sides/b/workloads/writes_its_paths.py"), "{b}");
    let latest = std::fs::read_to_string(out.path().join("latest")).unwrap();
    assert!(!out.path().join(latest.trim()).join("sides").exists(), "the links go with the run: a run folder holds no venv");
    let new_side = ftbench::results::RunResults::load(&out.path().join(latest.trim()).join("new")).unwrap();
    assert!(new_side.workloads[0].meta.file.contains("a-much-longer-folder-name"), "{}", new_side.workloads[0].meta.file);
}

/// One quick run (6 passes) of `workloads` into `out`, at the ops per round of `ops_from` if given; its folder.
fn quick_run(workloads: &Path, out: &Path, ops_from: Option<&Path>) -> PathBuf {
    let mut run = ftbench();
    run.args(["bench", "--quick", "--quiet"]).env("FTBENCH_WORKLOADS", workloads).env("FTBENCH_REPORTS", out);
    run.envs([("FTBENCH_PASSES", "6"), ("FTBENCH_THREADS", "1"), ("FTBENCH_MODES", "off")]);
    if let Some(base) = ops_from {
        run.env("FTBENCH_OPS_FROM", base);
    }
    let output = run.output().unwrap();
    assert!(output.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&output.stderr));
    out.join(std::fs::read_to_string(out.join("latest")).unwrap().trim())
}

/// `compare --confirm` of two runs measures a flagged row again, both runs' folders side by side,
/// and confirms it; a workload file changed since its run refuses the confirmation, naming it.
#[test]
fn compare_confirm_measures_both_runs_folders_again_side_by_side() {
    let _machine = common::one_at_a_time();
    let (base, new) = (workloads(&["cpu_only"]), workloads(&["cpu_only"]));
    common::twice_as_slow(&new.path().join("cpu_only.py"));
    let out = tempfile::tempdir().unwrap();
    let compare = |b: &Path, n: &Path, extra: &[&str]| {
        ftbench().arg("compare").arg(b).arg(n).args(["--confirm", "--json"]).args(extra).output().unwrap()
    };
    // A machine too busy to measure on disturbs the rows: up to five tries.
    let mut seen = Vec::new();
    for attempt in 0..5 {
        let b = quick_run(base.path(), &out.path().join(format!("b{attempt}")), None);
        let n = quick_run(new.path(), &out.path().join(format!("n{attempt}")), Some(&b));
        let output = compare(&b, &n, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        let row = &json["rows"][0];
        if row["category"] != "regressed" {
            seen.push(format!("{}: {}", row["category"], row["note"]));
            continue;
        }
        let again = &row["outcome"]["throughput"]["confirmation"];
        assert_eq!(again["confirmed"], true, "{again}\n{stderr}");
        assert!(stderr.contains("confirming 1 flagged rows"), "{stderr}");
        assert!(n.join("confirmation").is_dir(), "the second measurement is kept in NEW's folder");
        assert_eq!(output.status.code(), Some(1));
        // The base's file changed since: no confirmation of other code, and the file is named.
        let file = base.path().join("cpu_only.py");
        std::fs::write(&file, std::fs::read_to_string(&file).unwrap() + "\n# edited\n").unwrap();
        let refused = compare(&b, &n, &[]);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("cpu_only.py changed since it was measured") && stderr.contains("--base-workloads"), "{stderr}");
        return;
    }
    panic!("no try flagged the slower side: the machine disturbed or blurred all five: {seen:?}");
}

/// `--until-decided` adds pass pairs to rows still inconclusive (two passes of a quick run rarely
/// decide anything) within its budget, says how many looks it took, and keeps every pass in the
/// sides' results, numbered after the first look's.
#[test]
fn until_decided_adds_pass_pairs_to_what_is_still_inconclusive() {
    let _machine = common::one_at_a_time();
    let (base, new) = (workloads(&["cpu_only"]), workloads(&["cpu_only"]));
    for _ in 0..3 {
        let out = tempfile::tempdir().unwrap();
        let args = ["--until-decided", "--budget", "3min", "--quick", "--passes", "2", "--threads", "1", "--modes", "off", "--json"];
        let output = ab_folders(&args, out.path(), base.path(), new.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        let category = &json["rows"][0]["category"];
        assert!(category != "regressed" && category != "improved", "A/A: {json:#}");
        let notes = json["notes"].to_string();
        // Every pass disturbed (a parallel build): nothing to decide on. Or two pass pairs that
        // happened to agree flagged it at the first look (the confirmation withdrew it): no look
        // was left to add.
        if category == "invalid" || !notes.contains("--until-decided: ") {
            continue;
        }
        assert!(notes.contains("looks of 2 pass pairs"), "{notes}\n{stderr}");
        assert_eq!(json["options"]["alpha"].as_f64(), Some(0.05 / 6.0), "each look at a sixth of the rate");
        let run = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_dir()).unwrap();
        let side = RunResults::load(&run.join("base/results.json")).unwrap();
        let passes: Vec<usize> = side.passes().map(|p| p.pass).collect();
        assert!(passes.len() > 2 && passes.iter().max() == Some(&(passes.len() - 1)), "{passes:?}");
        return;
    }
    panic!("no try took a second look: the machine disturbed all three, or each first look decided");
}
