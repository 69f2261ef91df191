//! What makes two runs hard to compare, said before any verdict: different machines or
//! interpreters (loud), a disturbed machine (loud), other configuration differences (notes).

use crate::results::{GilMode, RunConfig, RunResults};

/// A run whose canaries drifted more than this (coefficient of variation), or with more than this
/// share of its passes disturbed, was measured on a machine too noisy to judge by.
const MAX_RUN_CANARY_CV: f64 = 0.10;
const MAX_RUN_DISTURBED_SHARE: f64 = 0.10;

/// Why each run, if any, was measured on a disturbed machine.
pub(super) fn disturbed_runs(base: &RunResults, new: &RunResults) -> Vec<String> {
    let mut out = Vec::new();
    for (side, r) in [("base", base), ("new", new)] {
        let Some(n) = &r.noise else { continue };
        let cv = n.canary_cv.unwrap_or(0.0);
        let share = n.disturbed_passes as f64 / n.passes.max(1) as f64;
        if cv > MAX_RUN_CANARY_CV || share > MAX_RUN_DISTURBED_SHARE {
            out.push(format!(
                "{side} run {}: canary drift {:.1} %, {} of {} passes disturbed (limits {:.0} % and {:.0} %); measure it again",
                r.run.id,
                cv * 100.0,
                n.disturbed_passes,
                n.passes,
                MAX_RUN_CANARY_CV * 100.0,
                MAX_RUN_DISTURBED_SHARE * 100.0
            ));
        }
    }
    out
}

/// Loud differences (machine, interpreter) are returned; quieter ones go to `notes`.
pub(super) fn environment_mismatches(base: &RunResults, new: &RunResults, notes: &mut Vec<String>) -> Vec<String> {
    let mut loud = Vec::new();
    let (bm, nm) = (&base.machine, &new.machine);
    let differs = |what: &str, b: String, n: String, list: &mut Vec<String>| {
        if b != n {
            list.push(format!("{what}: {b:?} (base) vs {n:?} (new)"));
        }
    };
    differs("cpu_model", bm.cpu_model.clone(), nm.cpu_model.clone(), &mut loud);
    differs("logical_cores", bm.logical_cores.to_string(), nm.logical_cores.to_string(), &mut loud);
    differs("os", bm.os.clone(), nm.os.clone(), &mut loud);
    differs("arch", bm.arch.clone(), nm.arch.clone(), &mut loud);
    differs("kernel", bm.kernel.clone(), nm.kernel.clone(), notes);

    for mode in GilMode::ALL {
        let bi = base.interpreters.iter().find(|i| i.mode == mode);
        let ni = new.interpreters.iter().find(|i| i.mode == mode);
        match (bi, ni) {
            (Some(b), Some(n)) => {
                differs(&format!("{mode} interpreter version"), b.version.clone(), n.version.clone(), &mut loud);
                differs(
                    &format!("{mode} interpreter free_threaded_build"),
                    b.free_threaded_build.to_string(),
                    n.free_threaded_build.to_string(),
                    &mut loud,
                );
            }
            (Some(_), None) => notes.push(format!("no {mode} interpreter facts in new")),
            (None, Some(_)) => notes.push(format!("no {mode} interpreter facts in base")),
            (None, None) => {}
        }
    }

    let (bc, nc) = (&base.run.config, &new.run.config);
    // Both change what a row measures (docs/transfer.md); runs before they were recorded used Rust
    // threads, and importlib's choice of code.
    let driver = |c: &RunConfig| c.driver.unwrap_or_default().label().to_string();
    differs("driver", driver(bc), driver(nc), &mut loud);
    let code = |c: &RunConfig| c.code.map_or("not recorded (a .pyc if one was cached, else source)", |c| c.label()).to_string();
    differs("code", code(bc), code(nc), &mut loud);
    differs("quick", bc.quick.to_string(), nc.quick.to_string(), notes);
    differs("passes", bc.passes.to_string(), nc.passes.to_string(), notes);
    differs("warm_up_ms", bc.warm_up_ms.to_string(), nc.warm_up_ms.to_string(), notes);
    differs("measurement_ms", bc.measurement_ms.to_string(), nc.measurement_ms.to_string(), notes);
    for (side, r) in [("base", base), ("new", new)] {
        if let Some(how) = r.unfinished() {
            notes.push(format!(
                "{side} run {} is {how}: rows it did not reach are listed as in one run only, and each compared figure says \
                 how many passes it had (base_passes, new_passes)",
                r.run.id
            ));
        }
    }
    loud
}

/// Whether both runs measured every GIL mode with the same interpreter build.
pub(super) fn same_interpreters(base: &RunResults, new: &RunResults) -> bool {
    base.interpreters
        .iter()
        .all(|b| new.interpreters.iter().filter(|n| n.mode == b.mode).all(|n| n.version == b.version && n.executable == b.executable))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CodeContext, Driver};

    #[test]
    fn another_driver_or_code_context_is_said_before_any_verdict() {
        let base = crate::testing::run("base");
        let same = environment_mismatches(&base, &crate::testing::run("new"), &mut Vec::new());
        assert!(same.is_empty(), "{same:?}");
        let mut python = crate::testing::run("new");
        python.run.config.driver = Some(Driver::Python);
        let loud = environment_mismatches(&base, &python, &mut Vec::new());
        assert_eq!(loud, ["driver: \"rust\" (base) vs \"python\" (new)"]);
        // A run made before the driver was recorded ran on Rust threads; its code context is unknown.
        let mut old = crate::testing::run("old");
        (old.run.config.driver, old.run.config.code) = (None, None);
        let loud = environment_mismatches(&old, &base, &mut Vec::new());
        assert_eq!(loud.len(), 1, "{loud:?}");
        assert!(loud[0].starts_with("code: \"not recorded") && loud[0].ends_with("\"cached\" (new)"), "{loud:?}");
        let mut source = crate::testing::run("new");
        source.run.config.code = Some(CodeContext::Source);
        assert_eq!(environment_mismatches(&base, &source, &mut Vec::new()), ["code: \"cached\" (base) vs \"source\" (new)"]);
    }
}
