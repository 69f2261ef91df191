//! The README's "Choosing a primitive" and docs/choosing.md's worked example quote the committed
//! example report: every line they quote stands in reports/example/summary.md as written, and every
//! answer the README quotes is the one the decision rule (`ftbench::selection`) derives from the
//! example's results.json, so neither can drift from the example it cites (re-measuring the example
//! means re-quoting them). docs/transfer.md's quotes are checked the same way. docs/configuration.md
//! has a row for every command, with every flag its `--help` lists.

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

/// `ftbench ARGS --help`.
fn help(args: &[&str]) -> String {
    let out = common::ftbench().args(args).arg("--help").output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The commands a help text lists (`help` aside).
fn subcommands(help: &str) -> Vec<String> {
    let listed = help.lines().skip_while(|l| !l.starts_with("Commands:")).skip(1).take_while(|l| l.starts_with("  "));
    listed.filter_map(|l| l.split_whitespace().next()).filter(|c| *c != "help").map(String::from).collect()
}

/// The long flags a help text lists: its lines that start with one (`-q, --quiet` too).
fn long_flags(help: &str) -> Vec<String> {
    let flag = |l: &str| {
        let l = l.trim_start();
        let l = if l.starts_with('-') && l.get(2..4) == Some(", ") { &l[4..] } else { l };
        let name: String = l.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        (name.starts_with("--") && name != "--help" && name != "--version").then_some(name)
    };
    help.lines().filter_map(flag).collect()
}

#[test]
fn docs_configuration_has_a_row_for_every_command_with_every_flag() {
    let page = read("docs/configuration.md");
    let compare = page.lines().find(|l| l.starts_with("| `compare ")).expect("compare's row");
    let mut missing = Vec::new();
    for command in subcommands(&help(&[])) {
        let Some(row) = page.lines().find(|l| l.starts_with(&format!("| `{command} "))) else {
            missing.push(format!("{command}: no row"));
            continue;
        };
        let nested = subcommands(&help(&[&command]));
        let invocations: Vec<Vec<&str>> =
            if nested.is_empty() { vec![vec![&command]] } else { nested.iter().map(|n| vec![command.as_str(), n]).collect() };
        for args in invocations {
            if !row.contains(&format!("`{}", args.join(" "))) {
                missing.push(format!("{}: not in its row", args.join(" ")));
            }
            // `ab` takes `compare`'s options, as its row says.
            let shared = |f: &str| command == "ab" && row.contains("`compare`'s options") && compare.contains(f);
            for f in long_flags(&help(&args)).into_iter().filter(|f| !row.contains(f.as_str()) && !shared(f)) {
                missing.push(format!("{} {f}", args.join(" ")));
            }
        }
    }
    assert!(missing.is_empty(), "docs/configuration.md lacks: {missing:#?}");
}
