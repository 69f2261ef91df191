//! README.md's "Choosing a primitive" quotes the committed example report: every comparison and
//! collapse it quotes must stand in reports/example/summary.md as written, so the README cannot
//! drift from the example it cites (re-measuring the example means re-quoting it).

mod common;

use common::repo;
use regex::Regex;

#[test]
fn the_readme_quotes_the_example_report_as_it_is() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let summary = std::fs::read_to_string(repo().join("reports/example/summary.md")).unwrap();
    let block = readme.split("<!-- example:begin").nth(1).and_then(|b| b.split("<!-- example:end -->").next()).expect("the example block");
    let claims = Regex::new(r"`[^`]+` (?:\d+(?:\.\d+)?×|≈) `[^`]+`(?: at \d+ threads)?(?: \(\d+(?:\.\d+)?×, within noise\))?|`[^`]+` collapses past \d+ threads?").unwrap();
    let quoted: Vec<&str> = claims.find_iter(block).map(|m| m.as_str()).collect();
    assert!(quoted.len() >= 8, "{quoted:?}");
    let missing: Vec<&&str> = quoted.iter().filter(|q| !summary.contains(**q)).collect();
    assert!(missing.is_empty(), "README.md quotes what reports/example/summary.md does not say: {missing:#?}");
    assert!(readme.lines().count() <= 180, "README.md is {} lines; the rest belongs in docs/", readme.lines().count());
}

/// The lines between `<!-- NAME:begin … -->` and `<!-- NAME:end -->` in `text`.
fn quoted_lines<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    let block = text.split(&format!("<!-- {name}:begin")).nth(1).and_then(|b| b.split(&format!("<!-- {name}:end -->")).next());
    let block = block.unwrap_or_else(|| panic!("no {name} block"));
    block.lines().skip(1).filter(|l| !l.trim().is_empty()).collect()
}

#[test]
fn docs_transfer_quotes_the_reports_it_cites_as_they_are() {
    let doc = std::fs::read_to_string(repo().join("docs/transfer.md")).unwrap();
    let quoted = [
        ("example", "reports/example/summary.md"),
        ("interp", "reports/interp-example/summary.md"),
        ("interp-source", "reports/interp-source/summary.md"),
    ];
    for (block, report) in quoted {
        let summary = std::fs::read_to_string(repo().join(report)).unwrap();
        let lines = quoted_lines(&doc, block);
        assert!(lines.len() >= 3, "{block}: {lines:?}");
        let missing: Vec<&&str> = lines.iter().filter(|l| !summary.lines().any(|s| s == **l)).collect();
        assert!(missing.is_empty(), "docs/transfer.md quotes lines {report} does not have: {missing:#?}");
    }
}
