//! results.json from a real run round-trips through the data model, every field it has is
//! documented in reports/SCHEMA.md, and readers refuse corrupt or other-version files by path.

mod common;

use common::{repo, run, workloads};
use ftbench::results::{RunResults, SCHEMA_VERSION};

fn keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                // Maps keyed by data (packages, calibration per workload, mode or thread count) are not fields.
                if !matches!(k.as_str(), "packages" | "harness_overhead" | "cpu_only_speedup" | "probe_ratio" | "canary_median") {
                    keys(v, out);
                }
                out.insert(k.clone());
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn results_json_round_trips_and_every_field_is_documented() {
    let dir = workloads(&["cpu_only", "unsafe_counter"]);
    let (_, results) = run(dir.path(), &["--threads", "1,2", "--rounds", "3", "--ops", "3000", "--no-report"], &[]);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("results.json");
    results.save(&file).unwrap();
    let again = RunResults::load(&file).unwrap();
    assert_eq!(again, results);

    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(value["schema_version"], SCHEMA_VERSION);
    let schema = std::fs::read_to_string(repo().join("reports/SCHEMA.md")).unwrap();
    let mut fields = Default::default();
    keys(&value, &mut fields);
    let undocumented: Vec<_> = fields.iter().filter(|k| !schema.contains(&format!("`{k}`"))).collect();
    assert!(undocumented.is_empty(), "fields missing from reports/SCHEMA.md: {undocumented:?}");
}

#[test]
fn corrupt_and_other_version_files_are_refused_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"schema_version\": 1, \"run\": ").unwrap();
    let err = format!("{:#}", RunResults::load(&corrupt).unwrap_err());
    assert!(err.contains("corrupt.json") && err.contains("not valid JSON"), "{err}");

    let future = dir.path().join("future.json");
    std::fs::write(&future, "{\"schema_version\": 99}").unwrap();
    let err = format!("{:#}", RunResults::load(&future).unwrap_err());
    assert!(err.contains("future.json") && err.contains("99"), "{err}");

    let missing = dir.path().join("nope");
    let err = format!("{:#}", RunResults::load(&missing).unwrap_err());
    assert!(err.contains("nope"), "{err}");
}
