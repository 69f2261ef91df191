//! The history report's charts: per machine and scenario group, small multiples over the
//! machine's runs — 1-thread throughput (the figure change points are found on, relative to each
//! series' median, so that workloads of any speed share an axis) and speedup at the core count —
//! one colour per workload, GIL off solid and on dashed, intervals shaded, and a cross on the
//! first run after each change point.

use std::path::Path;

use anyhow::Result;

use super::model::{Axis, Body, Fmt, LegendEntry, LinesPlot, Marker, Plot, Series as Line};
use super::style::{style_for, GREY, MAX_SERIES};
use super::write::{file_stem, group_key, write_plot};
use super::{ChartFile, ChartKind};
use crate::history::analysis::{Analysis, Found, Group};
use crate::history::series::Metric;
use crate::results::GilMode;
use crate::stats;

/// One chart per machine and group, written into `dir`.
pub fn render_history_charts(a: &Analysis, groups: &[Group], dir: &Path) -> Result<Vec<ChartFile>> {
    super::ensure_font()?;
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for (m, (machine, runs)) in a.machines.iter().enumerate() {
        for g in groups {
            let key = group_key(&g.scenario, g.family.as_deref());
            let Some(plot) = plot(a, machine, runs.len(), g) else { continue };
            let suffix = if a.machines.len() > 1 { format!("-m{}", m + 1) } else { String::new() };
            let base = format!("history-{}{suffix}", file_stem(key.trim_end_matches('/').replace('/', "-").as_str()));
            let (svg, png) = write_plot(&plot, dir, &base)?;
            let group = Some(format!("{machine}:{key}"));
            out.push(ChartFile { kind: ChartKind::Group, base, title: plot.title.clone(), workload: None, group, svg, png });
        }
    }
    Ok(out)
}

/// The series of `machine` for `workload` in `mode` at `threads` of `metric`.
fn series<'a>(a: &'a Analysis, machine: &str, workload: &str, mode: GilMode, metric: Metric, threads: usize) -> Option<&'a Found> {
    a.found.iter().find(|f| {
        let k = &f.series.key;
        k.machine == machine && k.workload == workload && k.mode == mode && k.metric == metric && k.threads == threads
    })
}

/// The thread count speedups are read at: the largest measured ≤ the newest run's headline cores.
fn core_count(a: &Analysis, machine: &str, workloads: &[String]) -> Option<usize> {
    let cores = a.machines.iter().find(|(k, _)| k == machine)?.1.last().map(|r| a.records[*r].machine.headline_cores)?;
    let measured = a
        .found
        .iter()
        .filter(|f| f.series.key.machine == machine && f.series.key.metric == Metric::Speedup && workloads.contains(&f.series.key.workload))
        .map(|f| f.series.key.threads)
        .collect();
    crate::selection::grouped::pick_at_most(&measured, cores)
}

fn plot(a: &Analysis, machine: &str, runs: usize, g: &Group) -> Option<Plot> {
    let drawn: Vec<&String> = g.workloads.iter().filter(|w| series(a, machine, w, GilMode::Off, Metric::Throughput, 1).is_some()).collect();
    if drawn.is_empty() {
        return None;
    }
    let shown = &drawn[..drawn.len().min(MAX_SERIES)];
    let modes: &[GilMode] = if shown.len() * 2 <= MAX_SERIES { &[GilMode::Off, GilMode::On] } else { &[GilMode::Off] };
    let threads = core_count(a, machine, &g.workloads);
    let mut notes = Vec::new();
    if modes.len() == 1 {
        notes.push("GIL-on lines left out to keep the chart readable (the change points table has every series).".into());
    }
    if drawn.len() > shown.len() {
        notes.push(format!(
            "Not drawn, to keep {MAX_SERIES} lines: {}.",
            drawn[shown.len()..].iter().map(|w| w.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let panel = |metric: Metric, at: usize, relative: bool, heading: String| {
        let lines: Vec<Line> = shown
            .iter()
            .enumerate()
            .flat_map(|(i, w)| modes.iter().filter_map(move |mode| series(a, machine, w, *mode, metric, at).map(|f| (i, *mode, f))))
            .flat_map(|(i, mode, f)| lines(a, f, i, mode == GilMode::On, relative))
            .collect();
        let ys: Vec<f64> = lines
            .iter()
            .flat_map(|l| l.runs.iter().flatten().map(|p| p.1).chain(l.bands.iter().flatten().flat_map(|b| [b.1, b.2])))
            .collect();
        let (lo, hi) = (ys.iter().copied().fold(f64::INFINITY, f64::min), ys.iter().copied().fold(0.0, f64::max));
        let fmt = if relative { Fmt::Percent } else { Fmt::Ratio };
        let y = Axis::linear(if relative { "of the median" } else { "speedup (×)" }, (lo * 0.98).max(0.0), hi * 1.02, 5, fmt);
        let empty = lines.is_empty().then(|| "No valid measurement to draw.".to_string());
        LinesPlot {
            heading: Some(heading),
            x: Axis::linear("run", 1.0, runs.max(2) as f64, 8, Fmt::Threads),
            y,
            series: lines,
            ideal: false,
            pe_boundary: None,
            empty,
        }
    };
    let mut panels = vec![panel(Metric::Throughput, 1, true, "1-thread throughput (per canary where runs have canaries)".into())];
    if let Some(t) = threads {
        panels.push(panel(Metric::Speedup, t, false, format!("speedup at {t} threads")));
    }
    let mut legend: Vec<LegendEntry> = shown
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let (color, marker, _) = style_for(i);
            LegendEntry { label: w.to_string(), color, marker: Some(marker), dashed: false, band: false }
        })
        .collect();
    legend.push(LegendEntry { label: "GIL off".into(), color: GREY, marker: None, dashed: false, band: false });
    if modes.len() == 2 {
        legend.push(LegendEntry { label: "GIL on".into(), color: GREY, marker: None, dashed: true, band: false });
    }
    legend.push(LegendEntry {
        label: "first run after a change point".into(),
        color: GREY,
        marker: Some(Marker::Cross),
        dashed: false,
        band: false,
    });
    let title = match &g.family {
        Some(f) => format!("{}: variants of {f}", g.title),
        None => g.title.clone(),
    };
    let title = if a.machines.len() > 1 { format!("{title} ({machine})") } else { title };
    let height = 330 * panels.len() as u32;
    Some(Plot {
        title,
        subtitle: Some(
            "x: the machine's runs, oldest first (commits in the runs table); GIL off solid, on dashed; shaded: intervals".into(),
        ),
        legend,
        notes,
        body: Body::Lines(panels),
        plot_height: height,
    })
}

/// A series as a line (relative to its median when `relative`) with its bands, and its change
/// points as crosses on the first run after each.
fn lines(a: &Analysis, f: &Found, i: usize, dashed: bool, relative: bool) -> [Line; 2] {
    let (color, marker, _) = style_for(i);
    let scale = if relative { stats::median(&f.series.judged()).unwrap_or(1.0) } else { 1.0 };
    let x = |run: usize| a.position(run) as f64;
    let pts = &f.series.points;
    let line: Vec<(f64, f64)> = pts.iter().map(|p| (x(p.run), p.judged.point / scale)).collect();
    let band: Vec<(f64, f64, f64)> =
        pts.iter().filter_map(|p| p.judged.interval.map(|[lo, hi]| (x(p.run), lo / scale, hi / scale))).collect();
    let crosses = f.changes.iter().map(|c| vec![(x(c.after), pts[c.point.at].judged.point / scale)]).collect();
    [
        Line { color, marker, dashed, runs: vec![line], bands: if band.is_empty() { vec![] } else { vec![band] } },
        Line { color, marker: Marker::Cross, dashed, runs: crosses, bands: vec![] },
    ]
}
