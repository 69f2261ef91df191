//! The speedup chart: every workload's GIL-off speedup over one thread vs threads, log2 axes,
//! against ideal linear scaling (and a hybrid CPU's P-core boundary).

use super::context::{gil_off_workloads, not_drawn_note, row_problem_summaries, runs, sorted_rows, Ctx};
use super::model::{pow2_ticks, Axis, Body, Fmt, LegendEntry, LinesPlot, Plot, Series};
use super::style::{style_for, GREY};

/// The speedup chart of every GIL-off workload.
pub(super) fn plot(ctx: &Ctx) -> Plot {
    let (workloads, excluded) = gil_off_workloads(ctx);
    let mut series = Vec::new();
    let mut legend = Vec::new();
    let mut invalid = Vec::new();
    let mut drawn: Vec<&str> = Vec::new();
    let (mut smin, mut smax) = (f64::INFINITY, 0f64);
    for (name, w) in &workloads {
        let rows = sorted_rows(w);
        let (runs, _) = runs(&rows, |r| r.speedup.filter(|s| *s > 0.0).map(|s| (s, s, s)));
        let bad = row_problem_summaries(&rows);
        if !bad.is_empty() {
            invalid.push(format!("{name} ({})", bad.join(", ")));
        } else if runs.is_empty() && !rows.is_empty() {
            invalid.push(format!("{name} (no speedup: no valid 1-thread row)"));
        }
        if runs.is_empty() {
            continue;
        }
        for (_, s) in runs.iter().flatten() {
            smin = smin.min(*s);
            smax = smax.max(*s);
        }
        let (color, marker, dashed) = style_for(series.len());
        legend.push(LegendEntry { label: ctx.display_name(name), color, marker: Some(marker), dashed, band: false });
        series.push(Series { color, marker, dashed, runs, bands: vec![] });
        drawn.push(*name);
    }
    let threads = ctx.all_threads();
    let (tmin, tmax) = (threads.first().copied().unwrap_or(1.0), threads.last().copied().unwrap_or(1.0));
    let mut notes = Vec::new();
    if let Some(n) = not_drawn_note("Not drawn — invalid rows: ", &invalid) {
        notes.push(n);
    }
    if let Some(n) = not_drawn_note("Not drawn — workloads: ", &excluded) {
        notes.push(n);
    }
    notes.extend(ctx.flag_note(drawn));
    let empty = series.is_empty().then(|| "No valid GIL-off speedup to draw.".to_string());
    if !series.is_empty() {
        legend.insert(0, LegendEntry { label: "ideal (y = x)".into(), color: GREY, marker: None, dashed: true, band: false });
    }
    let (ylo, yhi) = if series.is_empty() { (0.5, 2.0) } else { (smin.min(0.5) * 0.9, smax.max(tmax) * 1.1) };
    let plot = LinesPlot {
        heading: None,
        x: Axis::log2("threads", tmin, tmax, &threads, Fmt::Threads),
        y: Axis::log2("speedup vs 1 thread (×)", ylo, yhi, &pow2_ticks(ylo, yhi), Fmt::Ratio),
        series,
        ideal: true,
        pe_boundary: ctx.results.machine.pe_boundary(),
        empty,
    };
    Plot {
        title: "Speedup vs threads, GIL off".into(),
        subtitle: Some("throughput(threads) / throughput(1 thread); log2 axes; dashed grey: ideal linear scaling".into()),
        legend,
        notes,
        body: Body::Lines(vec![plot]),
        plot_height: 600,
    }
}
