//! The embedded interpreter in this test process: it is free-threaded, the GIL is in the mode
//! the environment asks for, a wrong claim is refused, and the loader's errors name the file.

mod common;

use common::repo;
use ftbench::embedding::{initialize, requested_mode};
use ftbench::results::GilMode;
use ftbench::workload::Workload;
use pyo3::Python;

fn bad(name: &str) -> std::path::PathBuf {
    repo().join("tests/bad_workloads").join(format!("{name}.py"))
}

#[test]
fn the_interpreter_is_free_threaded_and_refuses_a_false_gil_claim() {
    let mode = requested_mode();
    let facts = initialize(mode).unwrap();
    assert!(facts.free_threaded_build);
    assert_eq!(facts.gil_enabled_at_start, mode.enabled());
    let wrong = if mode == GilMode::Off { GilMode::On } else { GilMode::Off };
    let err = format!("{:#}", initialize(wrong).unwrap_err());
    assert!(err.contains(&format!("claims {wrong}")), "{err}");
}

#[test]
fn loader_errors_name_the_file_and_the_fault() {
    initialize(requested_mode()).unwrap();
    Python::attach(|py| {
        let err = format!("{:#}", Workload::load(py, &bad("syntax_error")).err().unwrap());
        assert!(err.contains("syntax_error.py") && err.contains("SyntaxError") && err.contains("line 5"), "{err}");

        let err = format!("{:#}", Workload::load(py, &bad("missing_worker")).err().unwrap());
        assert!(err.contains("missing_worker.py") && err.contains("worker(state, thread_index, ops)"), "{err}");

        let err = format!("{:#}", Workload::load(py, &bad("wrong_signature")).err().unwrap());
        assert!(err.contains("wrong_signature.py") && err.contains("worker(state)"), "{err}");

        let ok = Workload::load(py, &repo().join("python_workloads/lock_counter.py")).unwrap();
        assert!(ok.meta.primitive.contains("Lock"));
        assert!(!ok.meta.unsynchronized && !ok.meta.driver);
    });
}
