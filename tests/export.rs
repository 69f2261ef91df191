//! `ftbench export`: each format's required fields, parsed back from the JSON.

use ftbench::cmd::{self, export::Args as ExportArgs};
use ftbench::export::{self, ExportFormat};
use ftbench::results::*;
use ftbench::testing::measured_row as row;
use serde_json::Value;

fn workload(name: &str, mode: GilMode, status: WorkloadStatus, rows: Vec<ThreadRow>) -> WorkloadResult {
    let reason = (status != WorkloadStatus::Ran).then(|| "numpy is not installed".to_string());
    WorkloadResult { reason, ..ftbench::testing::workload(name, mode, status, rows) }
}

/// Valid: lock gil-off 1t/4t, lock gil-on 1t/4t. Skipped: an invalid row, a row without
/// throughput, a skipped workload with no rows, a gil-reenabled workload's row.
fn sample() -> RunResults {
    let mut invalid = row(2, 1.5e6, 1e4);
    invalid.status = RowStatus::Invalid;
    invalid.message = Some("counter is 1999, expected 2000".into());
    let mut unmeasured = row(8, 1.0, 0.0);
    unmeasured.throughput = None;
    unmeasured.passes.clear();
    let mut r = ftbench::testing::run("20250102T030405Z");
    r.run.config.threads = vec![1, 2, 4, 8];
    r.workloads = vec![
        workload("lock", GilMode::Off, WorkloadStatus::Ran, vec![row(1, 1e6, 1e4), invalid, row(4, 3.6e6, 5e4), unmeasured]),
        workload("lock", GilMode::On, WorkloadStatus::Ran, vec![row(1, 9e5, 1e4), row(4, 8e5, 2e4)]),
        workload("numpy_sum", GilMode::Off, WorkloadStatus::Skipped, vec![]),
        workload("ext", GilMode::Off, WorkloadStatus::GilReenabled, vec![row(1, 5e5, 1e3)]),
    ];
    r.derive_figures();
    r
}

const VALID: [&str; 4] = ["lock/gil-off/1t", "lock/gil-off/4t", "lock/gil-on/1t", "lock/gil-on/4t"];

#[test]
fn github_action_benchmark_has_required_fields() {
    let out = export::export(&sample(), ExportFormat::GithubActionBenchmark);
    assert_eq!(out.exported, 4);
    // Round-trip through text, as a consumer would read it.
    let v: Value = serde_json::from_str(&serde_json::to_string(&out.json).unwrap()).unwrap();
    let entries = v.as_array().expect("a JSON array");
    let names: Vec<&str> = entries.iter().map(|e| e["name"].as_str().expect("name is a string")).collect();
    assert_eq!(names, VALID);
    for e in entries {
        assert_eq!(e["unit"], "ops/s");
        assert!(e["value"].is_f64() && e["value"].as_f64().unwrap() > 0.0, "{e}");
        assert!(e["range"].as_str().unwrap().starts_with("± "), "{e}");
        assert!(e["extra"].is_string());
        let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 5, "{keys:?}");
    }
    // The row's own figure and interval (its faster passes', a little above the 3.6 M they centre on).
    let four = &entries[1];
    let row = sample().row("lock", GilMode::Off, 4).unwrap().throughput.unwrap();
    let [lower, upper] = row.interval.unwrap();
    assert_eq!(four["value"].as_f64(), Some(row.point));
    assert_eq!(four["range"], format!("± {:.0}", (upper - lower) / 2.0));
    let extra = four["extra"].as_str().unwrap();
    assert!(extra.contains("speedup 3.61x") && extra.contains("efficiency 90.2%") && extra.contains("status ok"), "{extra}");
    assert!(extra.contains("ft_gain 4.47x"), "{extra}");

    // Skipped rows are reported, with reasons.
    let skipped: Vec<&str> = out.skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(skipped, ["lock/gil-off/2t", "lock/gil-off/8t", "numpy_sum/gil-off", "ext/gil-off/1t"]);
    assert!(out.skipped[0].reason.contains("invalid") && out.skipped[0].reason.contains("1999"));
    assert!(out.skipped[2].reason.contains("numpy is not installed"));
}

#[test]
fn bencher_metric_format_has_required_fields() {
    let out = export::export(&sample(), ExportFormat::Bencher);
    let v: Value = serde_json::from_str(&serde_json::to_string(&out.json).unwrap()).unwrap();
    let doc = v.as_object().expect("a JSON object");
    let mut names: Vec<&str> = doc.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, VALID);
    for (name, measures) in doc {
        let measures = measures.as_object().unwrap_or_else(|| panic!("{name}: measures object"));
        let t = measures["throughput"].as_object().expect("throughput measure");
        let (value, lo, hi) = (t["value"].as_f64().unwrap(), t["lower_value"].as_f64().unwrap(), t["upper_value"].as_f64().unwrap());
        assert!(lo <= value && value <= hi, "{name}: {lo} {value} {hi}");
        // Every measure carries a numeric `value`; lower/upper, when present, are numbers.
        for (slug, m) in measures {
            assert!(["throughput", "speedup"].contains(&slug.as_str()), "{slug}");
            assert!(m["value"].is_number(), "{name}/{slug}");
            for k in m.as_object().unwrap().keys() {
                assert!(["value", "lower_value", "upper_value"].contains(&k.as_str()), "{k}");
            }
        }
    }
    let lower = doc["lock/gil-off/4t"]["throughput"]["lower_value"].as_f64().unwrap();
    let row = sample().row("lock", GilMode::Off, 4).unwrap().throughput.unwrap();
    assert!((lower - row.interval.unwrap()[0]).abs() < 1e-3, "the row's own interval: {lower}");
    // Speedup is the ratio of the rows' faster halves: each row's three passes at and above its
    // point, 0.5 and 1 half-width of the interval over it (see testing::measured_row).
    let unit = ftbench::stats::t_quantile(0.95, 4.0) * 0.625f64.sqrt() / 5f64.sqrt();
    let want = (3.6e6 + 0.5 * 5e4 / unit) / (1e6 + 0.5 * 1e4 / unit);
    let speedup = doc["lock/gil-off/4t"]["speedup"]["value"].as_f64().unwrap();
    assert!((speedup - want).abs() < 1e-9 && (speedup - 3.607).abs() < 1e-3, "{speedup}");
    assert_eq!(out.skipped.len(), 4);
}

#[test]
fn command_writes_the_file_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("20250102T030405Z");
    sample().save(&run_dir.join("results.json")).unwrap();

    for (format, file) in [(ExportFormat::GithubActionBenchmark, "gab.json"), (ExportFormat::Bencher, "bmf.json")] {
        let out = dir.path().join("out").join(file);
        let args = ExportArgs { format, run: Some(run_dir.clone()), output: Some(out.clone()), allow_partial: false };
        assert_eq!(cmd::export::run(args).unwrap(), 0);
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        match format {
            ExportFormat::GithubActionBenchmark => assert_eq!(v.as_array().unwrap().len(), 4),
            ExportFormat::Bencher => assert_eq!(v.as_object().unwrap().len(), 4),
        }
    }

    // A `latest` pointer file (holding the run id) is accepted as RUN.
    let latest = dir.path().join("latest");
    std::fs::write(&latest, "20250102T030405Z\n").unwrap();
    let out = dir.path().join("via-latest.json");
    let args = ExportArgs { format: ExportFormat::Bencher, run: Some(latest), output: Some(out.clone()), allow_partial: false };
    assert_eq!(cmd::export::run(args).unwrap(), 0);
    assert!(out.is_file());

    // Corrupt input: an error naming the file.
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{ truncated").unwrap();
    let args = ExportArgs { format: ExportFormat::Bencher, run: Some(corrupt.clone()), output: None, allow_partial: false };
    let msg = format!("{:#}", cmd::export::run(args).unwrap_err());
    assert!(msg.contains(&corrupt.display().to_string()), "{msg}");

    // Nothing valid to export: an error, not an empty upload.
    let mut empty = sample();
    empty.workloads.retain(|w| w.status != WorkloadStatus::Ran);
    let empty_file = dir.path().join("empty.json");
    empty.save(&empty_file).unwrap();
    let args = ExportArgs { format: ExportFormat::GithubActionBenchmark, run: Some(empty_file), output: None, allow_partial: false };
    let msg = format!("{:#}", cmd::export::run(args).unwrap_err());
    assert!(msg.contains("nothing to export"), "{msg}");
}
