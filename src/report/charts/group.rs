//! One chart per decision: the candidates of one selection group, throughput (top) and speedup
//! over the workload's base row (bottom) vs threads on log2 axes — GIL off solid, GIL on dashed,
//! each candidate in its own colour, confidence bands on throughput — in at most [`MAX_SERIES`]
//! lines. The speedup panels of all groups are the report's small multiples of scaling.

use super::context::{not_drawn_note, row_problem_summaries, runs, sorted_rows, workload_excluded, Ctx};
use super::model::{pow2_ticks, Axis, Body, Fmt, LegendEntry, LinesPlot, Plot, Series};
use super::style::{style_for, GREY, MAX_SERIES};
use crate::results::GilMode;
use crate::selection::grouped::Modes;

/// The chart of the group titled `title` with candidates `names` (in the selection's order).
pub(super) fn plot(ctx: &Ctx, title: &str, names: &[&str]) -> Plot {
    let mut notes = Vec::new();
    // Candidates with something to draw (a skipped or failed one is in the selection's table).
    let drawable = |m: &Modes| m.values().any(|w| workload_excluded(w).is_none() && !w.rows.is_empty());
    let members: Vec<(&str, &Modes)> =
        names.iter().filter_map(|n| ctx.workloads.iter().find(|(w, m)| w == n && drawable(m)).map(|(w, m)| (*w, m))).collect();
    let shown = &members[..members.len().min(MAX_SERIES)];
    if members.len() > shown.len() {
        let left: Vec<&str> = members[shown.len()..].iter().map(|(n, _)| *n).collect();
        notes.push(format!("Not drawn, to keep {MAX_SERIES} lines or fewer: {} (see each workload's chart).", left.join(", ")));
    }
    let modes: &[GilMode] = if shown.len() * 2 <= MAX_SERIES { &[GilMode::Off, GilMode::On] } else { &[GilMode::Off] };
    if modes.len() == 1 {
        notes.push("GIL-on lines left out to keep the chart readable (see each workload's chart).".into());
    }
    let (mut tput, mut speed, mut legend, mut invalid) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut ymax, mut smin, mut smax) = (0f64, f64::INFINITY, 0f64);
    for (i, (name, by_mode)) in shown.iter().enumerate() {
        let (color, marker, _) = style_for(i);
        legend.push(LegendEntry { label: ctx.display_name(name), color, marker: Some(marker), dashed: false, band: false });
        for mode in modes {
            let Some(w) = by_mode.get(mode).filter(|w| workload_excluded(w).is_none()) else { continue };
            let rows = sorted_rows(w);
            let bad = row_problem_summaries(&rows);
            if !bad.is_empty() {
                invalid.push(format!("{name} {mode} ({})", bad.join(", ")));
            }
            let (t_runs, bands) = runs(&rows, |r| {
                r.throughput.map(|t| (t.point, t.interval.map_or(t.point, |i| i[0]), t.interval.map_or(t.point, |i| i[1])))
            });
            let (s_runs, _) = runs(&rows, |r| r.speedup.filter(|s| *s > 0.0).map(|s| (s, s, s)));
            ymax = bands.iter().flatten().map(|b| b.2).fold(ymax, f64::max);
            for (_, s) in s_runs.iter().flatten() {
                (smin, smax) = (smin.min(*s), smax.max(*s));
            }
            let dashed = *mode == GilMode::On;
            tput.push(Series { color, marker, dashed, runs: t_runs, bands });
            speed.push(Series { color, marker, dashed, runs: s_runs, bands: vec![] });
        }
    }
    if let Some(n) = not_drawn_note("Not drawn — invalid rows: ", &invalid) {
        notes.push(n);
    }
    notes.extend(ctx.flag_note(shown.iter().map(|(n, _)| *n)));
    legend.push(LegendEntry { label: "GIL off".into(), color: GREY, marker: None, dashed: false, band: false });
    if modes.len() == 2 {
        legend.push(LegendEntry { label: "GIL on".into(), color: GREY, marker: None, dashed: true, band: false });
    }
    legend.push(LegendEntry { label: "ideal speedup (y = x)".into(), color: GREY, marker: None, dashed: true, band: false });
    let threads = ctx.all_threads();
    let (tmin, tmax) = (threads.first().copied().unwrap_or(1.0), threads.last().copied().unwrap_or(1.0));
    let empty = |s: &[Series]| s.iter().all(|s| s.runs.is_empty()).then(|| "No valid measurement to draw.".to_string());
    let (slo, shi) = if smax > 0.0 { (smin.min(0.5) * 0.9, smax.max(tmax) * 1.1) } else { (0.5, 2.0) };
    let panels = vec![
        LinesPlot {
            heading: Some("throughput".into()),
            x: Axis::log2("threads", tmin, tmax, &threads, Fmt::Threads),
            y: Axis::linear("throughput (ops/s)", 0.0, if ymax > 0.0 { ymax * 1.08 } else { 1.0 }, 6, Fmt::Si),
            empty: empty(&tput),
            series: tput,
            ideal: false,
            pe_boundary: None,
        },
        LinesPlot {
            heading: Some("speedup over the fewest threads".into()),
            x: Axis::log2("threads", tmin, tmax, &threads, Fmt::Threads),
            y: Axis::log2("speedup (×)", slo, shi, &pow2_ticks(slo, shi), Fmt::Ratio),
            empty: empty(&speed),
            series: speed,
            ideal: true,
            pe_boundary: ctx.results.machine.pe_boundary(),
        },
    ];
    Plot {
        title: title.to_string(),
        subtitle: Some("log2 thread axis; GIL off solid, GIL on dashed; shaded: confidence intervals".into()),
        legend,
        notes,
        body: Body::Lines(panels),
        plot_height: 760,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{GilMode, WorkloadStatus};
    use crate::testing;

    fn lines(plot: &Plot) -> usize {
        match &plot.body {
            Body::Lines(panels) => panels[0].series.len(),
            _ => unreachable!("a group chart has line panels"),
        }
    }

    #[test]
    fn a_group_chart_draws_at_most_eight_lines_and_says_what_it_left_out() {
        let rows = || vec![testing::measured_row(1, 1e6, 1e4), testing::measured_row(2, 1.5e6, 1e4)];
        let run = |n: usize| {
            let names = (0..n).map(|i| format!("w{i}"));
            let workloads = names.flat_map(|w| GilMode::ALL.map(|m| testing::workload(&w, m, WorkloadStatus::Ran, rows()))).collect();
            crate::results::RunResults { workloads, ..testing::run("t") }
        };
        let names = |n: usize| (0..n).map(|i| format!("w{i}")).collect::<Vec<_>>();
        // Four candidates: GIL off and on, 8 lines.
        let (r4, n4) = (run(4), names(4));
        let p = plot(&Ctx::new(&r4), "four", &n4.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(lines(&p), 8);
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        // Five: GIL off only. Ten: the first eight, and the rest named.
        let (r5, n5) = (run(5), names(5));
        let p = plot(&Ctx::new(&r5), "five", &n5.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(lines(&p), 5);
        assert!(p.notes[0].starts_with("GIL-on lines left out"), "{:?}", p.notes);
        let (r10, n10) = (run(10), names(10));
        let p = plot(&Ctx::new(&r10), "ten", &n10.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(lines(&p), MAX_SERIES);
        assert!(p.notes[0].contains("w8, w9"), "{:?}", p.notes);
    }
}
