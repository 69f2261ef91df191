//! The core heat map: mean percent busy of each logical core at the reference thread count, GIL
//! off, one row per workload.

use super::context::{gil_off_workloads, not_drawn_note, row_problem, Ctx};
use super::model::{Body, HeatPlot, Plot};

/// The per-core utilisation chart of every GIL-off workload.
pub(super) fn plot(ctx: &Ctx) -> Plot {
    let t = ctx.reference;
    let (workloads, excluded) = gil_off_workloads(ctx);
    let mut rows = Vec::new();
    let mut values = Vec::new();
    let mut missing: Vec<String> = excluded;
    let mut drawn: Vec<&str> = Vec::new();
    let mut cores = 0;
    for (name, w) in &workloads {
        let Some(t) = t else { break };
        let Some(r) = w.rows.iter().find(|r| r.threads == t) else {
            missing.push(format!("{name} (not measured at {t})"));
            continue;
        };
        if let Some(p) = row_problem(r) {
            missing.push(format!("{name} ({})", p.split(':').next().unwrap_or("")));
            continue;
        }
        match r.cores.as_ref().filter(|c| !c.per_core_mean.is_empty()) {
            Some(c) => {
                cores = cores.max(c.per_core_mean.len());
                rows.push(ctx.display_name(name));
                drawn.push(*name);
                values.push(c.per_core_mean.clone());
            }
            None => missing.push(format!("{name} (no per-core samples)")),
        }
    }
    let n = rows.len() as u32;
    let empty = rows.is_empty().then(|| "No valid GIL-off row with per-core samples at this thread count.".to_string());
    let mut notes = vec!["Mean percent busy of each logical core over the measurement, from the sampler.".to_string()];
    if let Some(n) = not_drawn_note("Not drawn: ", &missing) {
        notes.push(n);
    }
    notes.extend(ctx.flag_note(drawn));
    Plot {
        title: format!("Per-core utilisation at {}, GIL off", ctx.at_cores()),
        subtitle: None,
        legend: vec![],
        notes,
        body: Body::Heat(HeatPlot { rows, values, cores, empty }),
        plot_height: (n * 30 + 100).max(320),
    }
}
