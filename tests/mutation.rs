//! Every workload that protects shared state with a primitive must fail `ftbench stress` (GIL off,
//! `--jitter`) once that primitive is swapped for a stand-in that synchronizes nothing: proof that
//! its `verify` can see the primitive missing. Each workload file declares its own mutant, or why
//! it has none; a file that declares neither fails the suite.

mod common;

use common::{repo, workloads};
use ftbench::results::GilMode;
use ftbench::stress::{stress, table, StressArgs};
use ftbench::workload::{discover, name_of};

/// What a workload file declares about its mutant: `MUTANT = "<line>"`, the line that, appended
/// after tests/fixtures/mutation/standins.py, swaps its primitive for a stand-in (the workloads
/// look these names up at call time); or `MUTANT_EXEMPT = "<why>"`, when no primitive guards
/// shared state. One-line string literals, read as text like the suite's other declarations.
#[derive(Debug, PartialEq)]
enum Mutant {
    Swap(String),
    Exempt(String),
}

/// Every workload file's declaration, by name; an error names each file that has none or both.
fn declared() -> Result<Vec<(String, Mutant)>, String> {
    let literal = regex::Regex::new(r#"^(MUTANT|MUTANT_EXEMPT) = (?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*$"#).unwrap();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for file in discover(&repo().join("python_workloads")).unwrap() {
        let text = std::fs::read_to_string(&file).unwrap();
        let found: Vec<Mutant> = text
            .lines()
            .filter_map(|l| literal.captures(l))
            .map(|c| {
                let value = c.get(2).or(c.get(3)).unwrap().as_str().replace("\\\"", "\"");
                if &c[1] == "MUTANT" {
                    Mutant::Swap(value)
                } else {
                    Mutant::Exempt(value)
                }
            })
            .collect();
        match <[Mutant; 1]>::try_from(found) {
            Ok([m]) => out.push((name_of(&file), m)),
            Err(found) => problems.push(format!(
                "{}: declares {} of MUTANT = \"<the line that swaps its primitive>\" and MUTANT_EXEMPT = \"<why none>\"; it needs one",
                file.display(),
                found.len()
            )),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.join("\n"))
    }
}

fn mutants() -> Vec<(String, String)> {
    declared().unwrap().into_iter().filter_map(|(n, m)| if let Mutant::Swap(line) = m { Some((n, line)) } else { None }).collect()
}

#[test]
fn every_workload_declares_its_mutant_or_why_it_has_none() {
    let all = declared().unwrap_or_else(|e| panic!("{e}"));
    assert!(all.len() >= 60, "{} workloads read", all.len());
    // The suite's own guarantee holds for the primitives it is about.
    for must in ["lock_counter", "queue_pipeline", "concurrent_dict", "ft_utils_rwlock"] {
        assert!(mutants().iter().any(|(n, _)| n == must), "{must} has no mutant");
    }
    for (name, m) in &all {
        if let Mutant::Exempt(why) = m {
            assert!(why.len() > 10, "{name}: MUTANT_EXEMPT must say why");
        }
    }
}

#[test]
fn stress_fails_every_workload_whose_primitive_is_removed() {
    let dir = workloads(&[]);
    let standins = std::fs::read_to_string(repo().join("tests/fixtures/mutation/standins.py")).unwrap();
    let mutants = mutants();
    for (name, swap) in &mutants {
        let original = std::fs::read_to_string(repo().join("python_workloads").join(format!("{name}.py"))).unwrap();
        std::fs::write(dir.path().join(format!("{name}.py")), format!("{original}{standins}\n{swap}\n")).unwrap();
    }
    let args = StressArgs {
        workloads: Vec::new(),
        rounds: 30,
        threads: vec![4],
        ops: Some(1000),
        jitter: true,
        workloads_dir: Some(dir.path().to_path_buf()),
        timeout: 120,
    };
    let outcomes = stress(std::path::Path::new(env!("CARGO_BIN_EXE_ftbench")), &args).unwrap();
    println!("{}", table(&outcomes));
    let mut survivors = Vec::new();
    for (name, _) in &mutants {
        let off = outcomes.iter().find(|o| o.workload == *name && o.mode == Some(GilMode::Off)).unwrap();
        // A mutant that failed to load or hung would also be a "failure": demand that verify caught it.
        assert!(!off.skipped && off.problem.is_none(), "{name}: the mutant did not run: {off:?}");
        if !(off.broken_rounds > 0 && off.is_failure()) {
            survivors.push(format!("{name}: {off:?}"));
        }
    }
    assert!(survivors.is_empty(), "without their primitive, these passed every round:\n{}", survivors.join("\n"));
}
