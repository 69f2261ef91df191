//! The report is a pure function of results.json. Two stored runs render byte-identical: the
//! committed example (a real run: summary, HTML, every SVG and PNG) and a synthetic run with every
//! kind of failure (summary, HTML and SVGs), so a change of structure that alters any figure or
//! word of the report shows up here. To change a report on purpose, re-render the stored folder.

use std::path::{Path, PathBuf};

mod common;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path).into_iter().map(|f| Path::new(path.file_name().unwrap()).join(f)));
        } else {
            out.push(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    out.sort();
    out
}

/// Renders a copy of `stored`'s results.json and checks every stored file against it.
fn renders_identically(stored: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(stored.join("results.json"), tmp.path().join("results.json")).unwrap();
    ftbench::report::render(tmp.path()).unwrap();
    for name in files(stored) {
        let (want, got) = (std::fs::read(stored.join(&name)).unwrap(), std::fs::read(tmp.path().join(&name)));
        assert!(got.is_ok_and(|got| got == want), "{} is not rendered as stored in {}", name.display(), stored.display());
    }
}

#[test]
fn the_example_reports_render_byte_identical_with_the_same_files() {
    for example in ["reports/example", "reports/interp-example", "reports/interp-source"].map(|e| common::repo().join(e)) {
        same_files(&example);
    }
}

/// `stored` renders identically and the render writes no file more or less.
fn same_files(example: &Path) {
    renders_identically(example);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(example.join("results.json"), tmp.path().join("results.json")).unwrap();
    ftbench::report::render(tmp.path()).unwrap();
    assert_eq!(files(tmp.path()), files(example), "no file more or less than the example");
}

#[test]
fn a_run_with_every_kind_of_failure_renders_byte_identical() {
    renders_identically(&common::repo().join("tests/fixtures/golden/synthetic"));
}
