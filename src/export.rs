//! A run's valid rows in the input formats of continuous-benchmarking services (`ftbench export`).
//!
//! * `github-action-benchmark`: the `customBiggerIsBetter` tool's input, a JSON array of
//!   `{ "name", "unit", "value", "range", "extra" }` (name, unit and value are required).
//! * `bencher`: Bencher Metric Format (BMF), a JSON object
//!   `{ "<benchmark>": { "throughput": { "value", "lower_value", "upper_value" }, "speedup": { "value" } } }`
//!   (`throughput` is Bencher's built-in ops/s measure; `speedup` is a custom measure, present
//!   when the row has a speedup).
//!
//! Benchmark names are `<workload>/<gil-off|gil-on>/<threads>t`. Only valid rows (status `ok`
//! with a finite throughput) of workloads whose status is `ran` are exported; rows of a
//! `gil-reenabled` workload are skipped too, since their GIL-off name would carry GIL-on numbers.
//! What was skipped, and why, is returned with the document.

use serde_json::{json, Map, Value};

use crate::results::{RunResults, ThreadRow, WorkloadResult, WorkloadStatus};
use crate::text::{first_line, trim_float};

/// Which service's input to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// github-action-benchmark's `customBiggerIsBetter` JSON array.
    GithubActionBenchmark,
    /// Bencher Metric Format (BMF) JSON object.
    Bencher,
}

/// A row left out of the export, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// `workload/gil-off/4t`, or `workload/gil-off` for a workload with no rows.
    pub name: String,
    pub reason: String,
}

/// The exported document and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub json: Value,
    /// Number of rows exported.
    pub exported: usize,
    pub skipped: Vec<Skipped>,
}

/// `workload/gil-off/4t`: the benchmark name used by both formats.
pub fn benchmark_name(w: &WorkloadResult, row: &ThreadRow) -> String {
    format!("{}/{}/{}t", w.workload, w.mode.label(), row.threads)
}

/// The rows to export, in run order, and the ones skipped.
fn select(results: &RunResults) -> (Vec<(&WorkloadResult, &ThreadRow)>, Vec<Skipped>) {
    let mut keep = Vec::new();
    let mut skipped = Vec::new();
    for w in &results.workloads {
        let workload_problem = match w.status {
            WorkloadStatus::Ran => None,
            WorkloadStatus::GilReenabled => Some(format!("workload {}: GIL-on numbers under a GIL-off name", w.status.label())),
            other => Some(match &w.reason {
                Some(r) => format!("workload {}: {}", other.label(), first_line(r)),
                None => format!("workload {}", other.label()),
            }),
        };
        if w.rows.is_empty() {
            skipped.push(Skipped {
                name: format!("{}/{}", w.workload, w.mode.label()),
                reason: workload_problem.unwrap_or_else(|| "no rows".to_string()),
            });
            continue;
        }
        for row in &w.rows {
            let problem = workload_problem.clone().or_else(|| row_problem(row));
            match problem {
                Some(reason) => skipped.push(Skipped { name: benchmark_name(w, row), reason }),
                None => keep.push((w, row)),
            }
        }
    }
    (keep, skipped)
}

/// The row's problem (the data model's words), or a throughput no exporter could carry.
fn row_problem(row: &ThreadRow) -> Option<String> {
    if let Some(p) = row.problem() {
        return Some(p.to_string());
    }
    let e = row.throughput?;
    if !std::iter::once(e.point).chain(e.interval.into_iter().flatten()).all(|v| v.is_finite()) {
        return Some("throughput is not finite".to_string());
    }
    None
}

/// A float as JSON, or null when not finite (never produced for exported rows).
fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
}

/// Significant-enough formatting for the `range` string.
fn fmt_half_width(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    }
}

/// github-action-benchmark `customBiggerIsBetter` entries.
pub fn github_action_benchmark(results: &RunResults) -> Export {
    let (keep, skipped) = select(results);
    let entries: Vec<Value> = keep
        .iter()
        .map(|(w, row)| {
            let e = row.throughput.expect("selected rows have a throughput");
            let mut extra = Vec::new();
            if let Some(s) = row.speedup {
                extra.push(format!("speedup {s:.2}x"));
            }
            if let Some(eff) = row.efficiency {
                extra.push(format!("efficiency {:.1}%", eff * 100.0));
            }
            if let Some(g) = row.ft_gain {
                extra.push(format!("ft_gain {g:.2}x"));
            }
            extra.push(format!("status {}", row.status.label()));
            extra.push(format!("CI {}%", trim_float(e.confidence_level * 100.0, 2)));
            extra.push(format!("run {}", results.run.id));
            let mut entry = json!({
                "name": benchmark_name(w, row),
                "unit": "ops/s",
                "value": num(e.point),
                "extra": extra.join(", "),
            });
            if let Some([lower, upper]) = e.interval {
                entry["range"] = format!("± {}", fmt_half_width((upper - lower) / 2.0)).into();
            }
            entry
        })
        .collect();
    Export { exported: entries.len(), json: Value::Array(entries), skipped }
}

/// Bencher Metric Format: `throughput` (ops/s, with the confidence interval) and `speedup`.
pub fn bencher(results: &RunResults) -> Export {
    let (keep, skipped) = select(results);
    let mut doc = Map::new();
    for (w, row) in &keep {
        let e = row.throughput.expect("selected rows have a throughput");
        let mut measures = Map::new();
        measures.insert(
            "throughput".to_string(),
            match e.interval {
                Some([lower, upper]) => json!({ "value": num(e.point), "lower_value": num(lower), "upper_value": num(upper) }),
                None => json!({ "value": num(e.point) }),
            },
        );
        if let Some(s) = row.speedup.filter(|s| s.is_finite()) {
            measures.insert("speedup".to_string(), json!({ "value": num(s) }));
        }
        doc.insert(benchmark_name(w, row), Value::Object(measures));
    }
    Export { exported: keep.len(), json: Value::Object(doc), skipped }
}

/// Dispatches on the format.
pub fn export(results: &RunResults, format: ExportFormat) -> Export {
    match format {
        ExportFormat::GithubActionBenchmark => github_action_benchmark(results),
        ExportFormat::Bencher => bencher(results),
    }
}
