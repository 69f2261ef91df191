//! The free-threading gain chart: GIL-off / GIL-on throughput at the reference thread count, one
//! bar per workload, best first.

use super::context::{not_drawn_note, row_problem, workload_excluded, Ctx};
use super::model::{Axis, Bar, BarsPlot, Body, Fmt, Plot};
use crate::results::GilMode;

/// The interval of a ratio of two estimates, from their intervals: the lowest over the highest, the
/// highest over the lowest (conservative: it ignores that the two errors are independent).
fn ratio_interval(num: Option<[f64; 2]>, den: Option<[f64; 2]>) -> Option<(f64, f64)> {
    let ([nl, nh], [dl, dh]) = (num?, den?);
    (dl > 0.0 && dh > 0.0).then(|| (nl.max(0.0) / dh, nh / dl))
}

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
        let why = (|| -> std::result::Result<(f64, Option<(f64, f64)>), String> {
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
            let (a, b) = (r_off.throughput.unwrap(), r_on.throughput.unwrap());
            let gain = r_off.ft_gain.or((b.point > 0.0).then(|| a.point / b.point)).ok_or_else(|| "no gain".to_string())?;
            Ok((gain, ratio_interval(a.interval, b.interval)))
        })();
        match why {
            Ok((g, interval)) if g.is_finite() && g > 0.0 => bars.push(Bar { label: name.to_string(), value: g, interval }),
            Ok(_) => missing.push(format!("{name} (no gain)")),
            Err(e) => missing.push(format!("{name} ({e})")),
        }
    }
    bars.sort_by(|a, b| b.value.total_cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
    let flag = ctx.flag_note(bars.iter().map(|b| b.label.as_str()));
    let bars: Vec<Bar> = bars.into_iter().map(|b| Bar { label: ctx.display_name(&b.label), ..b }).collect();
    let max = bars.iter().map(|b| b.interval.map_or(b.value, |i| i.1.max(b.value))).fold(1.0f64, f64::max);
    let mut notes =
        vec!["Green: faster with the GIL off, red: slower, both beyond their interval; grey: the interval reaches 1× (no gain \
         either way that this run can tell). Whiskers: GIL-off interval over GIL-on interval. Dashed line: 1×."
            .to_string()];
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
