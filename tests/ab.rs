//! `ftbench ab`: two variants measured side by side in one run.

mod common;

use common::{ftbench, workloads};
use ftbench::results::RunResults;

#[test]
fn both_sides_do_the_same_work_per_round() {
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
    let output = ftbench()
        .args(["ab", "--quick", "--passes", "2", "--threads", "1,2", "--modes", "off", "--json", "--out"])
        .arg(out.path())
        .arg("--base-workloads")
        .arg(base.path())
        .arg("--new-workloads")
        .arg(new.path())
        .output()
        .unwrap();
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
