//! The throughput chart of one workload: throughput vs threads (log2 x axis), GIL off and GIL on,
//! each with its confidence band; what is not drawn, and why, in the notes.

use super::context::{not_drawn_note, row_problem, runs, sorted_rows, workload_excluded};
use super::model::{Axis, Body, Fmt, LegendEntry, LinesPlot, Marker, Plot, Series};
use super::style::{GIL_OFF, GIL_ON, GREY};
use crate::report::format;
use crate::results::{GilMode, WorkloadStatus};
use crate::selection::grouped::Modes;

/// The throughput chart of workload `name` from its results per mode.
pub(super) fn plot(name: &str, modes: &Modes) -> Plot {
    let meta = &modes.values().next().unwrap().meta;
    let mut notes = Vec::new();
    let mut series = Vec::new();
    let mut legend = Vec::new();
    let mut threads: Vec<f64> = Vec::new();
    let mut ymax: f64 = 0.0;
    for (mode, color) in [(GilMode::Off, GIL_OFF), (GilMode::On, GIL_ON)] {
        let Some(w) = modes.get(&mode) else {
            notes.push(format!("{}: not run.", format::gil_mode(mode)));
            continue;
        };
        let rows = sorted_rows(w);
        threads.extend(rows.iter().map(|r| r.threads as f64));
        let mut label = format::gil_mode(mode).to_string();
        if let Some(why) = workload_excluded(w) {
            notes.push(sentence(format!("Not drawn — {}: {why}", format::gil_mode(mode))));
            continue;
        }
        if w.status == WorkloadStatus::GilReenabled {
            label.push_str(" (GIL re-enabled!)");
            notes.push(format!(
                "{}: importing this workload re-enabled the GIL; its \"GIL off\" numbers are GIL-on numbers.",
                format::gil_mode(mode)
            ));
        }
        if w.status == WorkloadStatus::Interrupted {
            notes.push(format!("{}: interrupted before its sweep finished.", format::gil_mode(mode)));
        }
        let bad: Vec<String> =
            rows.iter().filter_map(|r| row_problem(r).map(|p| format!("{} ({})", format::threads(r.threads), p))).collect();
        if let Some(n) = not_drawn_note(&format!("Not drawn — {}: ", format::gil_mode(mode)), &bad) {
            notes.push(n);
        }
        let (runs, bands) = runs(&rows, |r| {
            r.throughput.map(|t| {
                let [lo, hi] = t.interval.unwrap_or([t.point, t.point]);
                (t.point, lo, hi)
            })
        });
        ymax = bands.iter().flatten().map(|(_, _, hi)| *hi).fold(ymax, f64::max);
        if runs.is_empty() {
            continue;
        }
        legend.push(LegendEntry { label: label.clone(), color, marker: Some(Marker::Circle), dashed: false, band: false });
        series.push(Series { color, marker: Marker::Circle, dashed: false, runs, bands });
    }
    if !series.is_empty() {
        let level = modes
            .values()
            .flat_map(|w| w.rows.iter())
            .find_map(|r| r.throughput.map(|t| t.confidence_level))
            .filter(|l| *l > 0.0 && *l < 1.0);
        legend.push(LegendEntry {
            label: match level {
                Some(l) => format!("{:.0}% confidence interval", l * 100.0),
                None => "confidence interval".into(),
            },
            color: GREY,
            marker: None,
            dashed: false,
            band: true,
        });
    }
    if meta.unsynchronized {
        notes.insert(0, "Unsynchronized baseline: deliberately unsafe, rows that lost updates are not drawn.".into());
    }
    threads.sort_by(f64::total_cmp);
    threads.dedup();
    let (tmin, tmax) = (threads.first().copied().unwrap_or(1.0), threads.last().copied().unwrap_or(1.0));
    let empty = series.is_empty().then(|| "No valid measurement to draw (see the notes below).".to_string());
    let plot = LinesPlot {
        heading: None,
        x: Axis::log2("threads", tmin, tmax, &threads, Fmt::Threads),
        y: Axis::linear("throughput (ops/s)", 0.0, if ymax > 0.0 { ymax * 1.08 } else { 1.0 }, 8, Fmt::Si),
        series,
        ideal: false,
        pe_boundary: None,
        empty,
    };
    let mut sub = vec![];
    if !meta.primitive.is_empty() {
        sub.push(meta.primitive.clone());
    }
    if !meta.scenario.is_empty() {
        sub.push(meta.scenario.clone());
    }
    if !meta.invariant.is_empty() {
        sub.push(format!("invariant: {}", meta.invariant));
    }
    Plot {
        title: format!("{name}: throughput vs threads"),
        subtitle: (!sub.is_empty()).then(|| sub.join(" · ")),
        legend,
        notes,
        body: Body::Lines(vec![plot]),
        plot_height: 560,
    }
}

/// Ends `s` with a full stop unless it already ends with punctuation.
fn sentence(mut s: String) -> String {
    if !s.ends_with(['.', '?', '!', ')']) {
        s.push('.');
    }
    s
}
