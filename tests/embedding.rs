//! The embedded interpreter in this test process: it is free-threaded, the GIL is in the mode
//! the environment asks for, a wrong claim is refused, and the loader's errors name the file.

mod common;

use common::repo;
use ftbench::embedding::{initialize, requested_mode};
use ftbench::results::GilMode;
use ftbench::runner::Pool;
use ftbench::workload::Workload;
use pyo3::prelude::*;

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
fn the_interpreter_is_the_venvs_and_imports_its_packages() {
    initialize(requested_mode()).unwrap();
    let venv = ftbench::paths::venv_dir().canonicalize().unwrap();
    Python::attach(|py| {
        let sys = py.import("sys").unwrap();
        let get = |name: &str| sys.getattr(name).unwrap().extract::<String>().unwrap();
        assert_eq!(std::path::Path::new(&get("prefix")).canonicalize().unwrap(), venv, "sys.prefix is the venv");
        assert_eq!(get("executable"), ftbench::paths::venv_python().to_string_lossy());
        assert_ne!(get("base_prefix"), get("prefix"), "a venv interpreter, on its base installation");
        // Found through pyvenv.cfg and site, as `python -m venv` interpreters find it: no sysconfig paths.
        let file: String = py.import("ft_utils").unwrap().getattr("__file__").unwrap().extract().unwrap();
        assert!(std::path::Path::new(&file).canonicalize().unwrap().starts_with(&venv), "ft_utils from {file}");
    });
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

#[test]
fn the_canary_runs_on_the_thread_that_runs_a_one_thread_row() {
    // A shared VM slows one vCPU at a time: a canary on another thread measures another vCPU.
    initialize(requested_mode()).unwrap();
    Python::attach(|py| {
        let w = Workload::load(py, &bad("records_thread")).unwrap();
        let worker = w.function(py, "worker").unwrap();
        let pool = ftbench::runner::Pool::new(1, false).unwrap();
        let harness = ftbench::embedding::harness(py).unwrap();
        let canary = harness.getattr("canary").unwrap();
        harness.setattr("canary", &worker).unwrap();
        let measured = ftbench::measure::canary(py, &pool);
        harness.setattr("canary", canary).unwrap();
        assert!(measured.unwrap() > 0.0);
        pool.round(py, &w, 1, None, false).unwrap();
        let seen: Vec<u64> = worker.getattr("__globals__").unwrap().get_item("SEEN").unwrap().extract().unwrap();
        let main: u64 = py.import("threading").unwrap().call_method0("get_native_id").unwrap().extract().unwrap();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0], seen[1], "the canary and the row's work on one thread");
        assert_ne!(seen[0], main, "not on the calling thread");
    });
}

fn constants_fixture() -> std::path::PathBuf {
    repo().join("tests/fixtures/contexts/constants.py")
}

#[test]
fn the_python_driver_runs_worker_rounds_on_threading_threads() {
    initialize(requested_mode()).unwrap();
    Python::attach(|py| {
        let ran_on = |pool: Pool| -> Vec<String> {
            let w = Workload::load(py, &constants_fixture()).unwrap();
            let round = pool.round(py, &w, 1, None, false).unwrap();
            assert_eq!(round.per_thread.len(), 2);
            assert!(round.worker_error.is_none() && round.elapsed >= *round.per_thread.iter().max().unwrap());
            w.module(py).getattr("SEEN").unwrap().extract().unwrap()
        };
        assert_eq!(ran_on(Pool::python(py, 2).unwrap()), ["Thread", "Thread"]);
        // Foreign threads: threading knows them only as dummies (or, when the OS reused the id of this
        // process's first thread, as that thread).
        assert!(ran_on(Pool::new(2, false).unwrap()).iter().all(|t| t != "Thread"));
    });
}
