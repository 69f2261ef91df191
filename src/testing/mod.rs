//! Synthetic results for the tests, unit and integration alike: the one place that fills in every
//! field of a run, so a schema change is mended here rather than in each test. Each test then
//! changes only what it is about. Not used by the tool itself.

pub mod simulate;

use crate::results::{
    CodeContext, Driver, Estimate, GilMode, InterpreterFacts, MachineFacts, PassSample, RunConfig, RunInfo, RunResults, RunStatus,
    ThreadRow, WorkloadResult, WorkloadStatus,
};

/// A complete run named `id` with no workloads yet, on a 4-core Linux machine whose interpreter
/// is a free-threaded 3.14.0.
pub fn run(id: &str) -> RunResults {
    let run = RunInfo {
        id: id.into(),
        status: RunStatus::Complete,
        started: "2025-01-02T03:04:05Z".into(),
        ended: Some("2025-01-02T03:14:05Z".into()),
        suite_commit: "0123456789abcdef0123456789abcdef01234567".into(),
        config: config(),
        owner: None,
        resumed: Vec::new(),
    };
    RunResults { interpreters: GilMode::ALL.map(interpreter).to_vec(), ..RunResults::new(run, machine()) }
}

/// 1, 2 and 4 threads in both GIL modes, five timed passes.
fn config() -> RunConfig {
    RunConfig {
        threads: vec![1, 2, 4],
        modes: GilMode::ALL.to_vec(),
        quick: false,
        filters: Vec::new(),
        round_target_ms: 10.0,
        passes: 5,
        warm_up_ms: 50,
        measurement_ms: 200,
        min_rounds: 3,
        seed: 7,
        driver: Some(Driver::Rust),
        code: Some(CodeContext::Cached),
        driver_control: false,
    }
}

fn machine() -> MachineFacts {
    MachineFacts {
        cpu_model: "Test CPU".into(),
        logical_cores: 4,
        physical_cores: Some(4),
        os: "Linux".into(),
        kernel: "6.1".into(),
        arch: "x86_64".into(),
        total_memory_bytes: 16 << 30,
        ..Default::default()
    }
}

/// The child of `mode` as it describes itself: free-threaded 3.14.0, the GIL as asked.
fn interpreter(mode: GilMode) -> InterpreterFacts {
    InterpreterFacts {
        mode,
        version: "3.14.0 experimental free-threading build".into(),
        version_info: vec![3, 14, 0],
        free_threaded_build: true,
        gil_enabled_at_start: mode.enabled(),
        config_args: "'--disable-gil'".into(),
        executable: "/venv/bin/python".into(),
        packages: [("ft_utils".to_string(), "0.3.0".to_string())].into(),
        ..Default::default()
    }
}

/// `name` in `mode` with `status` and `rows`, its GIL observed as asked and no reason given.
pub fn workload(name: &str, mode: GilMode, status: WorkloadStatus, rows: Vec<ThreadRow>) -> WorkloadResult {
    WorkloadResult {
        workload: name.to_string(),
        mode,
        meta: Default::default(),
        status,
        reason: None,
        evidence: None,
        gil_enabled_observed: Some(mode.enabled()),
        rows,
        file_crc32: None,
        failed_at: None,
    }
}

/// A measured row: five quiet passes spread evenly around `point`, so that their mean's 95 %
/// Student's t interval is `point` ± `half` ops/s, each between two equal canaries. The row's
/// figure is their faster half's ([`Estimate::unslowed`]): a little above `point`.
pub fn measured_row(threads: usize, point: f64, half: f64) -> ThreadRow {
    let offsets = [-1.0, -0.5, 0.0, 0.5, 1.0];
    // Half width of the interval of `offsets`: t(0.975, 4) × sd / √5, with sd = √0.625.
    let unit = crate::stats::t_quantile(0.95, 4.0) * 0.625f64.sqrt() / 5f64.sqrt();
    let passes: Vec<PassSample> = offsets
        .iter()
        .enumerate()
        .map(|(pass, k)| PassSample {
            pass,
            throughput: point + k * half / unit,
            rounds: 2,
            canary_before: Some(1e6),
            canary_after: Some(1e6),
            ..Default::default()
        })
        .collect();
    let values: Vec<f64> = passes.iter().map(|p| p.throughput).collect();
    ThreadRow { throughput: Estimate::unslowed(&values), normalised: Estimate::unslowed(&values), ..ThreadRow::new(threads, 1000, passes) }
}
