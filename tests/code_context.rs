//! The code context (how ftbench compiles a workload) reaches the interpreter. Alone in its test
//! binary: on 3.13t a builtin compile() on any thread suspends the immortalization of constants
//! for the whole process, so a concurrent test's load would change what this one sees.

mod common;

use common::repo;
use ftbench::config::CodeContext;
use ftbench::embedding::{initialize, requested_mode};
use ftbench::workload::Workload;
use pyo3::prelude::*;

#[test]
fn the_code_context_reaches_the_interpreter() {
    initialize(requested_mode()).unwrap();
    Python::attach(|py| {
        let version: (u32, u32) = py
            .import("sys")
            .unwrap()
            .getattr("version_info")
            .unwrap()
            .extract::<(u32, u32, u32, String, u32)>()
            .map(|v| (v.0, v.1))
            .unwrap();
        let immortal = |code: CodeContext| -> (bool, bool, bool) {
            let w = Workload::load_as(py, &repo().join("tests/fixtures/contexts/constants.py"), code).unwrap();
            w.function(py, "immortal").unwrap().call0().unwrap().extract().unwrap()
        };
        let seen: Vec<(CodeContext, (bool, bool, bool))> = CodeContext::ALL.into_iter().map(|c| (c, immortal(c))).collect();
        if version != (3, 13) {
            eprintln!("note: the immortality of constants is checked on 3.13t only (docs/transfer.md); this is {version:?}: {seen:?}");
            return;
        }
        // (float constant, string constant with a space, module name), as docs/transfer.md reports.
        let want = [
            (CodeContext::Cached, (true, true, true)),
            (CodeContext::Source, (false, true, true)),
            (CodeContext::Main, (true, false, true)),
        ];
        assert_eq!(seen, want.to_vec());
    });
}
