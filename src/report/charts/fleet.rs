//! The fleet report's charts: per selection group, small multiples of efficiency (speedup ÷
//! (threads ÷ base threads)) vs threads, one panel per candidate and one line per machine, each
//! line as far as that machine measured (its own cores, and past them).

use std::path::Path;

use anyhow::Result;

use super::model::{Axis, Body, Fmt, LegendEntry, LinesPlot, Plot, Series};
use super::style::{style_for, MAX_SERIES};
use super::write::{group_file, group_title, write_plot};
use super::{ChartFile, ChartKind};
use crate::fleet::{Fleet, GroupAcross};
use crate::results::{GilMode, ThreadRow};

/// Panels per chart: the group's first candidates (in the first machine's ranking).
const MAX_PANELS: usize = 4;

/// One chart per group, written into `dir`.
pub fn render_fleet_charts(fleet: &Fleet, groups: &[GroupAcross], dir: &Path) -> Result<Vec<ChartFile>> {
    super::ensure_font()?;
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for g in groups {
        let plot = plot(fleet, g);
        let base = group_file(&g.key, "fleet");
        let (svg, png) = write_plot(&plot, dir, &base)?;
        out.push(ChartFile {
            kind: ChartKind::Group,
            base,
            title: plot.title.clone(),
            workload: None,
            group: Some(g.key.clone()),
            svg,
            png,
        });
    }
    Ok(out)
}

fn plot(fleet: &Fleet, g: &GroupAcross) -> Plot {
    let candidates: Vec<String> = fleet
        .members
        .iter()
        .find_map(|m| m.selection.groups().find(|(_, gr)| gr.key == g.key).map(|(_, gr)| gr))
        .map(|gr| gr.candidates.iter().map(|c| c.workload.clone()).collect())
        .unwrap_or_default();
    let machines = &fleet.members[..fleet.members.len().min(MAX_SERIES)];
    let mut notes = Vec::new();
    if fleet.members.len() > machines.len() {
        notes.push(format!("Only the first {MAX_SERIES} machines are drawn."));
    }
    if candidates.len() > MAX_PANELS {
        notes.push(format!("Not drawn, to keep {MAX_PANELS} panels: {}.", candidates[MAX_PANELS..].join(", ")));
    }
    let mut threads: Vec<f64> =
        machines.iter().flat_map(|m| m.results.workloads.iter().flat_map(|w| w.rows.iter().map(|r| r.threads as f64))).collect();
    threads.sort_by(f64::total_cmp);
    threads.dedup();
    let (tmin, tmax) = (threads.first().copied().unwrap_or(1.0), threads.last().copied().unwrap_or(1.0));
    let panels = candidates
        .iter()
        .take(MAX_PANELS)
        .map(|name| {
            let series: Vec<Series> = machines
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let (color, marker, dashed) = style_for(i);
                    let mut rows: Vec<&ThreadRow> = m
                        .results
                        .workload(name, GilMode::Off)
                        .map(|w| w.rows.iter().filter(|r| r.is_valid()).collect())
                        .unwrap_or_default();
                    rows.sort_by_key(|r| r.threads);
                    let run: Vec<(f64, f64)> = rows.iter().filter_map(|r| Some((r.threads as f64, r.efficiency?))).collect();
                    Series { color, marker, dashed, runs: if run.is_empty() { vec![] } else { vec![run] }, bands: vec![] }
                })
                .collect();
            let ymax = series.iter().flat_map(|s| s.runs.iter().flatten()).map(|p| p.1).fold(1.0f64, f64::max);
            let empty = series.iter().all(|s| s.runs.is_empty()).then(|| "No machine has a valid GIL-off row.".to_string());
            LinesPlot {
                heading: Some(name.clone()),
                x: Axis::log2("threads", tmin, tmax, &threads, Fmt::Threads),
                y: Axis::linear("efficiency", 0.0, ymax * 1.1, 5, Fmt::Percent),
                series,
                ideal: false,
                pe_boundary: None,
                empty,
            }
        })
        .collect::<Vec<_>>();
    let legend = machines
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (color, marker, dashed) = style_for(i);
            LegendEntry { label: m.label.clone(), color, marker: Some(marker), dashed, band: false }
        })
        .collect();
    let title = group_title(&g.title, g.operation.as_deref(), g.family.as_deref());
    let height = 300 * panels.len().max(1) as u32;
    Plot {
        title,
        subtitle: Some("efficiency = speedup ÷ (threads ÷ base threads), GIL off; one line per machine, as far as it measured".into()),
        legend,
        notes,
        body: Body::Lines(panels),
        plot_height: height,
    }
}
