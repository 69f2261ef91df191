//! `cargo xtask bootstrap`: find (or build) a free-threaded CPython, make the project venv
//! `<repo>/.python` from it, install the workload packages, and write the bootstrap record.
//! Idempotent: when the record, the venv and the interpreter all still agree it prints one line.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::ctx::Ctx;
use crate::find::{self, Interpreter, HOW_TO_GET};
use crate::record::{Package, Record};
use crate::util::{indent, same_file, say};
use crate::venv::{self, State, PACKAGES};
use crate::{build, cargo, embed, pyo3};

pub fn run(ctx: &Ctx) -> Result<()> {
    let start = Instant::now();

    // 1-3. An interpreter found (and checked free-threaded), or built from source.
    let discovery = find::discover(ctx)?;
    let mut tried = discovery.tried;
    let (base, how) = match discovery.found {
        Some(found) => (found.interp, found.how),
        None => {
            let (python, how) = build::build_from_source(ctx, &mut tried)?;
            let interp = find::probe(&python, &[]).context("the CPython just built does not run")?;
            if !interp.free_threaded {
                tried.push(format!("{how}: {} is not free-threaded", interp.describe()));
                bail!(refused(&tried));
            }
            (interp, how)
        }
    };

    let pyo3 = pyo3::select(ctx, base.major, base.minor)?;
    let record = Record::read(&ctx.record_path());
    let state = venv::state(ctx, &base);

    // Already done: one line.
    if let (Some(rec), State::Good(v)) = (&record, &state) {
        if same_file(&rec.interpreter, &base.base) && packages_settled(rec, v, &base) {
            say(format!(
                "bootstrap already done ({:.1}s): {} -> Python {} free-threaded at {} ({}); PyO3 {pyo3}; packages: {}",
                start.elapsed().as_secs_f64(),
                ctx.show(&ctx.venv),
                base.version,
                base.base.display(),
                how,
                rec.packages_summary()
            ));
            return Ok(());
        }
    }

    say(format!("interpreter: {}, taken because {how}", base.describe()));
    for t in &tried {
        say(format!("  not taken: {t}"));
    }

    // 4. The venv: kept when it works and was made from this interpreter, else (re)made.
    let previous_base = match &state {
        State::OtherBase(b) => Some(b.clone()),
        _ => record.as_ref().map(|r| r.interpreter.display().to_string()),
    };
    let (venv_interp, recreated) = match state {
        State::Good(v) => {
            say(format!("venv {} already made from this interpreter: kept", ctx.show(&ctx.venv)));
            (v, false)
        }
        State::Missing => (venv::create(ctx, &base)?, true),
        State::OtherBase(b) => {
            say(format!("venv {} was made from {b}: recreating it", ctx.show(&ctx.venv)));
            (venv::create(ctx, &base)?, true)
        }
        State::Broken(why) => {
            say(format!("venv {} is broken ({why}): recreating it", ctx.show(&ctx.venv)));
            (venv::create(ctx, &base)?, true)
        }
    };

    embed::check(ctx, &base, &ctx.venv_python())?;
    say(format!("embedding check: {} starts embedded as the venv's interpreter", base.base.display()));
    let packages = install_packages(ctx, &base, &venv_interp)?;
    let rec = Record { interpreter: base.base.clone(), version: base.version.clone(), found_by: how, venv: ctx.venv.clone(), packages };
    rec.write(&ctx.record_path())?;

    // 5. PyO3 caches the interpreter's build config: drop it when the interpreter changed.
    let new_base = base.base.display().to_string();
    let same_as_before = previous_base.as_deref().is_some_and(|p| same_file(Path::new(p), &base.base));
    if recreated && !same_as_before && ctx.root.join("target").exists() {
        say(format!(
            "venv made for {} (before: {}): cargo clean -p pyo3-build-config -p pyo3-ffi -p pyo3 -p ftbench, \
             so PyO3 does not keep the old interpreter's build config",
            new_base,
            previous_base.as_deref().unwrap_or("unknown")
        ));
        cargo::clean_pyo3(ctx);
    }

    let failed: Vec<&str> = rec.packages.iter().filter(|(_, p)| matches!(p, Package::Failed(_))).map(|(n, _)| n.as_str()).collect();
    say(format!(
        "bootstrap done in {:.1}s: {} -> Python {} free-threaded at {}; PyO3 {pyo3}; packages: {}; record: {}",
        start.elapsed().as_secs_f64(),
        ctx.show(&ctx.venv),
        base.version,
        base.base.display(),
        rec.packages_summary(),
        ctx.show(&ctx.record_path())
    ));
    if !failed.is_empty() {
        say(format!(
            "warning: {} did not install (reasons in the record); the workloads that need them will be skipped. \
             `cargo xtask bootstrap` tries them again.",
            failed.join(", ")
        ));
    }
    Ok(())
}

/// Every package recorded as installed (at the version the venv has) or skipped for this version.
fn packages_settled(rec: &Record, venv: &Interpreter, base: &Interpreter) -> bool {
    PACKAGES.iter().all(|name| match (rec.package(name), venv::skip_reason(name, base)) {
        (Some(Package::Skipped(_)), Some(_)) => true,
        (Some(Package::Installed(v)), None) => installed_version(venv, name).as_deref() == Some(v.as_str()),
        _ => false,
    })
}

fn installed_version(venv: &Interpreter, name: &str) -> Option<String> {
    venv.packages.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.clone())
}

/// pip-installs each package the venv lacks, one at a time; failures are recorded, not fatal.
fn install_packages(ctx: &Ctx, base: &Interpreter, venv_interp: &Interpreter) -> Result<Vec<(String, Package)>> {
    let python = ctx.venv_python();
    let mut result = Vec::new();
    let mut pip_ok = Vec::new();
    for name in PACKAGES {
        if let Some(why) = venv::skip_reason(name, base) {
            say(format!("  {name}: {why}"));
            result.push((name.to_string(), Package::Skipped(why)));
        } else if let Some(v) = installed_version(venv_interp, name) {
            say(format!("  {name} {v}: already installed"));
            result.push((name.to_string(), Package::Installed(v)));
        } else {
            say(format!("  pip install {name}"));
            match venv::pip_install(&python, name, &ctx.cache) {
                Ok(()) => pip_ok.push(name.to_string()),
                Err(why) => {
                    say(format!("  {name}: pip install failed:\n{}", indent(&why, "      ")));
                    result.push((name.to_string(), Package::Failed(why)));
                }
            }
        }
    }
    if !pip_ok.is_empty() {
        let after = find::probe(&python, PACKAGES).context("the venv stopped working after pip install")?;
        for name in pip_ok {
            let p = match installed_version(&after, &name) {
                Some(v) => {
                    say(format!("  {name} {v}: installed"));
                    Package::Installed(v)
                }
                None => Package::Failed("pip reported success but the package is not installed".into()),
            };
            result.push((name, p));
        }
    }
    result.sort_by_key(|(n, _)| PACKAGES.iter().position(|p| p == n));
    Ok(result)
}

fn refused(tried: &[String]) -> String {
    format!(
        "no free-threaded CPython: a GIL-only interpreter cannot run these benchmarks.\nTried:\n{}\n\n{HOW_TO_GET}",
        tried.iter().map(|t| format!("  - {t}")).collect::<Vec<_>>().join("\n")
    )
}
