//! The free-threading gain chart: GIL-off / GIL-on throughput at the reference thread count, one
//! bar per workload, best first.

use super::context::{not_drawn_note, row_problem, workload_excluded, Ctx};
use super::model::{Axis, BarsPlot, Body, Fmt, Plot};
use crate::results::GilMode;

/// The free-threading gain chart of every workload run in both modes.
pub(super) fn plot(ctx: &Ctx) -> Plot {
    let t = ctx.reference;
    let mut bars = Vec::new();
    let mut missing = Vec::new();
    for (name, modes) in &ctx.workloads {
        let (off, on) = (modes.get(&GilMode::Off), modes.get(&GilMode::On));
        if off.is_none() && on.is_none() {
            continue;
        }
        let why = (|| -> std::result::Result<f64, String> {
            let t = t.ok_or("no thread count")?;
            let off = off.ok_or("no GIL-off run")?;
            let on = on.ok_or("no GIL-on run")?;
            if let Some(w) = workload_excluded(off) {
                return Err(w);
            }
            if let Some(w) = workload_excluded(on) {
                return Err(format!("GIL on: {w}"));
            }
            let r_off = off.rows.iter().find(|r| r.threads == t).ok_or(format!("GIL off not measured at {t}"))?;
            if let Some(p) = row_problem(r_off) {
                return Err(format!("GIL off: {}", p.split(':').next().unwrap_or("")));
            }
            let r_on = on.rows.iter().find(|r| r.threads == t).ok_or(format!("GIL on not measured at {t}"))?;
            if let Some(p) = row_problem(r_on) {
                return Err(format!("GIL on: {}", p.split(':').next().unwrap_or("")));
            }
            let (a, b) = (r_off.throughput.unwrap().point, r_on.throughput.unwrap().point);
            r_off.ft_gain.or((b > 0.0).then(|| a / b)).ok_or_else(|| "no gain".to_string())
        })();
        match why {
            Ok(g) if g.is_finite() && g > 0.0 => bars.push((name.to_string(), g)),
            Ok(_) => missing.push(format!("{name} (no gain)")),
            Err(e) => missing.push(format!("{name} ({e})")),
        }
    }
    bars.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let flag = ctx.flag_note(bars.iter().map(|b| b.0.as_str()));
    let bars: Vec<(String, f64)> = bars.into_iter().map(|(n, g)| (ctx.display_name(&n), g)).collect();
    let max = bars.iter().map(|b| b.1).fold(1.0f64, f64::max);
    let mut notes = vec!["Green: faster with the GIL off; red: slower. Dashed line: no gain (1×).".to_string()];
    if let Some(n) = not_drawn_note("Not drawn: ", &missing) {
        notes.push(n);
    }
    notes.extend(flag);
    let n = bars.len() as u32;
    let empty = bars.is_empty().then(|| "No workload has valid GIL-off and GIL-on rows at this thread count.".to_string());
    let mut x = Axis::linear("GIL-off / GIL-on throughput (×)", 0.0, max * 1.15, 8, Fmt::Ratio);
    x.fmt = Fmt::Ratio;
    Plot {
        title: format!("Free-threading gain at {}", ctx.at_cores()),
        subtitle: Some("GIL-off throughput / GIL-on throughput, same workload and thread count".into()),
        legend: vec![],
        notes,
        body: Body::Bars(BarsPlot { x, bars, empty }),
        plot_height: (n * 34 + 100).max(320),
    }
}
