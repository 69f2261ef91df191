//! The README's "Choosing a primitive" and docs/choosing.md's worked example quote the committed
//! example report: every line they quote stands in reports/example/summary.md as written, and every
//! answer the README quotes is the one the decision rule (`ftbench::selection`) derives from the
//! example's results.json, so neither can drift from the example it cites (re-measuring the example
//! means re-quoting them). docs/transfer.md's quotes are checked the same way.

mod common;

use common::repo;
use ftbench::results::RunResults;
use ftbench::selection::select;

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap()
}

/// `quoted` lines that are not lines of `report`.
fn not_in<'q>(quoted: &[&'q str], report: &str) -> Vec<&'q str> {
    quoted.iter().copied().filter(|l| !report.lines().any(|s| s == *l)).collect()
}

#[test]
fn the_readme_quotes_the_example_report_and_its_decisions_as_they_are() {
    let readme = read("README.md");
    let summary = read("reports/example/summary.md");
    let quoted = quoted_lines(&readme, "example");
    assert!(quoted.len() >= 6, "{quoted:?}");
    let missing = not_in(&quoted, &summary);
    assert!(missing.is_empty(), "README.md quotes what reports/example/summary.md does not say: {missing:#?}");
    // Each quoted answer is the rule's, derived here from the example's results.json.
    let s = select(&RunResults::load(&repo().join("reports/example")).unwrap());
    let mut checked = 0;
    for (sc, g) in s.groups() {
        let question = match (&g.operation, &g.family) {
            (Some(op), _) => format!("| **{}**: {op} |", sc.title),
            (None, Some(f)) => format!("| **{}**, `{f}` |", sc.title),
            (None, None) => format!("| **{}** |", sc.title),
        };
        if let Some(row) = quoted.iter().find(|l| l.starts_with(&question)) {
            let answer = row[question.len()..].trim_start();
            assert!(answer.starts_with(&format!("**{}**", g.decision.kind.words())), "{row}: the rule says {:?}", g.decision.kind);
            checked += 1;
        }
    }
    assert_eq!(checked, quoted.len() - 2, "every quoted row (past the head) is a group's");
    // One of the example's charts, as it is.
    let image = readme.split("](reports/example/charts/").nth(1).and_then(|r| r.split(')').next()).expect("a chart of the example");
    assert!(repo().join("reports/example/charts").join(image).is_file(), "{image}");
    assert!(readme.lines().count() <= 180, "README.md is {} lines; the rest belongs in docs/", readme.lines().count());
}

#[test]
fn docs_choosing_works_its_example_from_the_example_report() {
    let doc = read("docs/choosing.md");
    let quoted = quoted_lines(&doc, "example");
    assert!(quoted.len() >= 3 && quoted[0].starts_with("> **Decision:**"), "{quoted:?}");
    let missing = not_in(&quoted, &read("reports/example/summary.md"));
    assert!(missing.is_empty(), "docs/choosing.md quotes lines reports/example/summary.md does not have: {missing:#?}");
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
        let missing = not_in(&lines, &summary);
        assert!(missing.is_empty(), "docs/transfer.md quotes lines {report} does not have: {missing:#?}");
    }
}
