//! One drawing of a [`Plot`] onto any plotters backend, so the SVG and the PNG of a chart are the
//! same picture: title, legend on the right, the body (line panels, bars or heat map), then the
//! notes.

use anyhow::{anyhow, Result};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::model::{Axis, BarsPlot, Body, HeatPlot, LegendEntry, LinesPlot, Marker, Plot};
use super::style::{
    fit, font, font_c, text_width, wrap, DESC_SIZE, GAIN_DOWN, GAIN_UP, GREY, GRID, INK, LABEL_SIZE, LEGEND_SIZE, NOTE_INK, NOTE_LINE,
    NOTE_SIZE, SUBTITLE_SIZE, TITLE_SIZE, WHITE_C, WIDTH,
};
use crate::report::format;

fn de<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing failed: {e:?}")
}

pub(super) fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, plot: &Plot) -> Result<()> {
    root.fill(&WHITE).map_err(de)?;
    let (w, _) = root.dim_in_pixel();

    // Title and subtitle.
    root.draw(&Text::new(plot.title.clone(), (20, 12), font(TITLE_SIZE))).map_err(de)?;
    let mut top = 48;
    if let Some(sub) = &plot.subtitle {
        root.draw(&Text::new(fit(sub, SUBTITLE_SIZE, w - 40), (20, 44), font_c(SUBTITLE_SIZE, &GREY))).map_err(de)?;
        top += 24;
    }
    let (_, rest) = root.split_vertically(top);
    let (main, notes_area) = rest.split_vertically(plot.plot_height());

    // Legend on the right.
    let lw = plot.legend_width();
    let (plot_area, legend_area) = main.split_horizontally(w - lw);
    if lw > 0 {
        draw_legend(&legend_area, &plot.legend)?;
    }

    match &plot.body {
        Body::Lines(panels) => {
            // One y label width for all panels, so their x axes line up.
            let label_w = panels.iter().map(|p| label_area_width(&p.y)).max().unwrap_or(40);
            let areas = plot_area.split_evenly((panels.len().max(1), 1));
            for (area, p) in areas.iter().zip(panels) {
                draw_lines(area, p, label_w)?;
            }
        }
        Body::Bars(b) => draw_bars(&plot_area, b)?,
        Body::Heat(h) => draw_heat(&plot_area, h)?,
    }

    // "Not drawn" notes in red, explanations in grey.
    let mut i = 0;
    for note in &plot.notes {
        let color: &'static RGBColor = if note.starts_with("Not drawn") || note.starts_with('*') { &NOTE_INK } else { &GREY };
        for line in wrap(note, NOTE_SIZE, WIDTH - 40) {
            notes_area.draw(&Text::new(line, (20, 6 + i * NOTE_LINE as i32), font_c(NOTE_SIZE, color))).map_err(de)?;
            i += 1;
        }
    }
    root.present().map_err(de)?;
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> Result<()> {
    let (w, _) = area.dim_in_pixel();
    let x0 = 10;
    for (i, e) in entries.iter().enumerate() {
        let y = 30 + i as i32 * 24;
        if e.band {
            area.draw(&Rectangle::new([(x0, y - 7), (x0 + 28, y + 7)], e.color.mix(0.22).filled())).map_err(de)?;
        } else if e.dashed {
            area.draw(&PathElement::new(vec![(x0, y), (x0 + 8, y)], e.color.stroke_width(2))).map_err(de)?;
            area.draw(&PathElement::new(vec![(x0 + 14, y), (x0 + 22, y)], e.color.stroke_width(2))).map_err(de)?;
        } else {
            area.draw(&PathElement::new(vec![(x0, y), (x0 + 28, y)], e.color.stroke_width(2))).map_err(de)?;
        }
        if let Some(m) = e.marker {
            draw_marker_px(area, (x0 + 14, y), m, e.color)?;
        }
        let label = fit(&e.label, LEGEND_SIZE, w.saturating_sub(60));
        area.draw(&Text::new(label, (x0 + 38, y), font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center)))).map_err(de)?;
    }
    Ok(())
}

fn draw_marker_px<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: (i32, i32), m: Marker, color: RGBColor) -> Result<()> {
    let s = color.filled();
    match m {
        Marker::Circle => area.draw(&Circle::new(p, 4, s)),
        Marker::Square => area.draw(&Rectangle::new([(p.0 - 4, p.1 - 4), (p.0 + 4, p.1 + 4)], s)),
        Marker::Triangle => area.draw(&TriangleMarker::new(p, 5, s)),
        Marker::Cross => area.draw(&Cross::new(p, 4, color.stroke_width(2))),
    }
    .map_err(de)
}

fn label_area_width(axis: &Axis) -> u32 {
    let widest = axis.ticks.iter().map(|t| text_width(&axis.label(*t), LABEL_SIZE)).max().unwrap_or(20);
    widest + 20 + if axis.desc.is_empty() { 0 } else { 30 }
}

fn draw_empty<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, msg: &str) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new([(20, 10), (w as i32 - 20, h as i32 - 10)], GRID.stroke_width(1))).map_err(de)?;
    let style = font_c(18.0, &GREY).pos(Pos::new(HPos::Center, VPos::Center));
    let lines = wrap(msg, 18.0, w.saturating_sub(80));
    let y0 = h as i32 / 2 - (lines.len() as i32 * 26) / 2;
    for (i, l) in lines.iter().enumerate() {
        area.draw(&Text::new(l.clone(), (w as i32 / 2, y0 + i as i32 * 26), style.clone())).map_err(de)?;
    }
    Ok(())
}

fn draw_lines<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &LinesPlot, label_w: u32) -> Result<()> {
    let area = match &p.heading {
        Some(h) => area.titled(h, font(DESC_SIZE + 1.0)).map_err(de)?,
        None => area.clone(),
    };
    if let Some(msg) = &p.empty {
        return draw_empty(&area, msg);
    }
    let x_fmt = |v: &f64| p.x.label(*v);
    let y_fmt = |v: &f64| p.y.label(*v);
    let mut chart = ChartBuilder::on(&area)
        .margin_top(12)
        .margin_right(24)
        .margin_left(8)
        .x_label_area_size(52)
        .y_label_area_size(label_w)
        .build_cartesian_2d(TickAxis::from(&p.x), TickAxis::from(&p.y))
        .map_err(de)?;
    chart
        .configure_mesh()
        .x_desc(p.x.desc.clone())
        .y_desc(p.y.desc.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(WHITE.mix(0.0))
        .axis_style(GREY.stroke_width(1))
        .draw()
        .map_err(de)?;

    if p.ideal {
        let (a, b) = (p.x.lo.max(p.y.lo), p.x.hi.min(p.y.hi));
        if b > a {
            chart.draw_series(DashedLineSeries::new(vec![(a, a), (b, b)], 8, 6, GREY.stroke_width(2))).map_err(de)?;
        }
    }

    if let Some(p_cores) = p.pe_boundary {
        let x = p.x.tx(p_cores as f64);
        if x > p.x.lo && x < p.x.hi {
            chart.draw_series(DashedLineSeries::new(vec![(x, p.y.lo), (x, p.y.hi)], 4, 4, GREY.stroke_width(2))).map_err(de)?;
            let label = font_c(LABEL_SIZE, &GREY).pos(Pos::new(HPos::Left, VPos::Top));
            chart.draw_series(std::iter::once(Text::new(format!(" {p_cores} P-cores | E-cores →"), (x, p.y.hi), label))).map_err(de)?;
        }
    }

    // Bands under the lines.
    for s in &p.series {
        for band in &s.bands {
            let pts: Vec<(f64, f64, f64)> = band.iter().map(|(x, lo, hi)| (p.x.tx(*x), p.y.tx(*lo), p.y.tx(*hi))).collect();
            if pts.len() >= 2 {
                let mut poly: Vec<(f64, f64)> = pts.iter().map(|(x, _, hi)| (*x, *hi)).collect();
                poly.extend(pts.iter().rev().map(|(x, lo, _)| (*x, *lo)));
                chart.draw_series(std::iter::once(Polygon::new(poly, s.color.mix(0.18).filled()))).map_err(de)?;
            }
            // Error bars as well, so single points and narrow bands stay visible.
            chart
                .draw_series(pts.iter().map(|(x, lo, hi)| PathElement::new(vec![(*x, *lo), (*x, *hi)], s.color.mix(0.6).stroke_width(1))))
                .map_err(de)?;
        }
    }
    for s in &p.series {
        for run in &s.runs {
            let pts: Vec<(f64, f64)> = run.iter().map(|(x, y)| (p.x.tx(*x), p.y.tx(*y))).collect();
            if pts.len() >= 2 {
                if s.dashed {
                    chart.draw_series(DashedLineSeries::new(pts.clone(), 8, 5, s.color.stroke_width(2))).map_err(de)?;
                } else {
                    chart.draw_series(LineSeries::new(pts.clone(), s.color.stroke_width(2))).map_err(de)?;
                }
            }
            let style = s.color.filled();
            match s.marker {
                Marker::Circle => chart.draw_series(pts.iter().map(|p| Circle::new(*p, 4, style))).map(|_| ()),
                Marker::Square => {
                    chart.draw_series(pts.iter().map(|p| EmptyElement::at(*p) + Rectangle::new([(-4, -4), (4, 4)], style))).map(|_| ())
                }
                Marker::Triangle => chart.draw_series(pts.iter().map(|p| TriangleMarker::new(*p, 5, style))).map(|_| ()),
                Marker::Cross => chart.draw_series(pts.iter().map(|p| Cross::new(*p, 4, s.color.stroke_width(2)))).map(|_| ()),
            }
            .map_err(de)?;
        }
    }
    Ok(())
}

fn draw_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, b: &BarsPlot) -> Result<()> {
    if let Some(msg) = &b.empty {
        return draw_empty(area, msg);
    }
    let n = b.bars.len();
    let names: Vec<String> = b.bars.iter().map(|bar| fit(&bar.label, LABEL_SIZE, 380)).collect();
    let y_ticks: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    let y_label = |v: &f64| {
        let i = v.floor() as usize;
        if i < n {
            names[n - 1 - i].clone()
        } else {
            String::new()
        }
    };
    let x_fmt = |v: &f64| b.x.label(*v);
    let widest = names.iter().map(|s| text_width(s, LABEL_SIZE)).max().unwrap_or(40);
    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_right(24)
        .margin_left(8)
        .x_label_area_size(52)
        .y_label_area_size(widest + 20)
        .build_cartesian_2d(TickAxis::from(&b.x), TickAxis::new(0.0, n as f64, &y_ticks))
        .map_err(de)?;
    chart
        .configure_mesh()
        .x_desc(b.x.desc.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_label)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(WHITE.mix(0.0))
        .disable_y_mesh()
        .axis_style(GREY.stroke_width(1))
        .draw()
        .map_err(de)?;
    // Parity: gain 1 = free-threading neither helps nor hurts. Under the bars and their labels.
    if b.x.lo <= 1.0 && b.x.hi >= 1.0 {
        chart.draw_series(DashedLineSeries::new(vec![(1.0, 0.0), (1.0, n as f64)], 8, 6, INK.stroke_width(2))).map_err(de)?;
    }
    for (i, bar) in b.bars.iter().enumerate() {
        let (y, v) = ((n - 1 - i) as f64, bar.value);
        let (lo, hi) = bar.interval.unwrap_or((v, v));
        let color = if lo > 1.0 {
            GAIN_UP
        } else if hi < 1.0 {
            GAIN_DOWN
        } else {
            GREY
        };
        chart.draw_series(std::iter::once(Rectangle::new([(0.0, y + 0.18), (v, y + 0.82)], color.filled()))).map_err(de)?;
        if let Some((lo, hi)) = bar.interval {
            let whisker = vec![(lo, y + 0.5), (hi, y + 0.5)];
            chart.draw_series(std::iter::once(PathElement::new(whisker, INK.stroke_width(2)))).map_err(de)?;
        }
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((hi.max(v), y + 0.5))
                    + Text::new(format::ratio(v), (6, 0), font(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center))),
            ))
            .map_err(de)?;
    }
    Ok(())
}

/// White → dark blue (ColorBrewer "Blues"), `v` in 0..=100.
fn heat_color(v: f64) -> RGBColor {
    const STOPS: [(f64, (f64, f64, f64)); 5] = [
        (0.0, (247.0, 251.0, 255.0)),
        (25.0, (198.0, 219.0, 239.0)),
        (50.0, (107.0, 174.0, 214.0)),
        (75.0, (33.0, 113.0, 181.0)),
        (100.0, (8.0, 48.0, 107.0)),
    ];
    let v = v.clamp(0.0, 100.0);
    for w in STOPS.windows(2) {
        let ((a, ca), (b, cb)) = (w[0], w[1]);
        if v <= b {
            let t = (v - a) / (b - a);
            let mix = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
            return RGBColor(mix(ca.0, cb.0), mix(ca.1, cb.1), mix(ca.2, cb.2));
        }
    }
    RGBColor(8, 48, 107)
}

fn draw_heat<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, h: &HeatPlot) -> Result<()> {
    if let Some(msg) = &h.empty {
        return draw_empty(area, msg);
    }
    let (w, _) = area.dim_in_pixel();
    let (grid_area, bar_area) = area.split_horizontally(w - 110);
    let n = h.rows.len();
    let names: Vec<String> = h.rows.iter().map(|l| fit(l, LABEL_SIZE, 360)).collect();
    let widest = names.iter().map(|s| text_width(s, LABEL_SIZE)).max().unwrap_or(40);
    let step = (h.cores as f64 / 24.0).ceil().max(1.0) as usize;
    let x_ticks: Vec<f64> = (0..h.cores).step_by(step).map(|c| c as f64 + 0.5).collect();
    let y_ticks: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    let x_fmt = |v: &f64| format!("{}", v.floor() as usize);
    let y_fmt = |v: &f64| {
        let i = v.floor() as usize;
        if i < n {
            names[n - 1 - i].clone()
        } else {
            String::new()
        }
    };
    let mut chart = ChartBuilder::on(&grid_area)
        .margin_top(12)
        .margin_right(12)
        .margin_left(8)
        .x_label_area_size(52)
        .y_label_area_size(widest + 20)
        .build_cartesian_2d(TickAxis::new(0.0, h.cores as f64, &x_ticks), TickAxis::new(0.0, n as f64, &y_ticks))
        .map_err(de)?;
    chart
        .configure_mesh()
        .x_desc("logical core")
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .disable_mesh()
        .axis_style(GREY.stroke_width(1))
        .draw()
        .map_err(de)?;
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let (cell_w, cell_h) = (pw as f64 / h.cores.max(1) as f64, ph as f64 / n.max(1) as f64);
    let show_values = cell_w >= 30.0 && cell_h >= 18.0;
    for (i, vals) in h.values.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        for c in 0..h.cores {
            let v = vals.get(c).copied();
            let color = v.map(heat_color).unwrap_or(RGBColor(235, 235, 235));
            chart.draw_series(std::iter::once(Rectangle::new([(c as f64, y), (c as f64 + 1.0, y + 1.0)], color.filled()))).map_err(de)?;
            chart
                .draw_series(std::iter::once(Rectangle::new([(c as f64, y), (c as f64 + 1.0, y + 1.0)], WHITE.stroke_width(1))))
                .map_err(de)?;
            if let (true, Some(v)) = (show_values, v) {
                static DARK: RGBColor = INK;
                let style = if v > 55.0 { font_c(12.0, &WHITE_C) } else { font_c(12.0, &DARK) };
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{v:.0}"),
                        (c as f64 + 0.5, y + 0.5),
                        style.pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(de)?;
            }
        }
    }

    // Colour bar.
    let (_, bh) = bar_area.dim_in_pixel();
    let (top, bottom) = (20i32, (bh as i32 - 70).max(60));
    let x0 = 20;
    let steps = 100;
    for s in 0..steps {
        let v0 = s as f64;
        let y_hi = bottom - ((s + 1) as f64 / steps as f64 * (bottom - top) as f64) as i32;
        let y_lo = bottom - (s as f64 / steps as f64 * (bottom - top) as f64) as i32;
        bar_area.draw(&Rectangle::new([(x0, y_hi), (x0 + 22, y_lo)], heat_color(v0 + 0.5).filled())).map_err(de)?;
    }
    bar_area.draw(&Rectangle::new([(x0, top), (x0 + 22, bottom)], GREY.stroke_width(1))).map_err(de)?;
    for v in [0, 25, 50, 75, 100] {
        let y = bottom - (v as f64 / 100.0 * (bottom - top) as f64) as i32;
        bar_area.draw(&Text::new(format!("{v}%"), (x0 + 28, y), font(13.0).pos(Pos::new(HPos::Left, VPos::Center)))).map_err(de)?;
    }
    bar_area.draw(&Text::new("busy", (x0, bottom + 16), font(13.0))).map_err(de)?;
    Ok(())
}

/// A linear f64 coordinate with explicit tick positions (plotters' `WithKeyPoints` over f64 has
/// no label formatter hook).
struct TickAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    fn new(lo: f64, hi: f64, ticks: &[f64]) -> Self {
        TickAxis { lo, hi, ticks: ticks.to_vec() }
    }
}

impl From<&Axis> for TickAxis {
    fn from(a: &Axis) -> Self {
        TickAxis::new(a.lo, a.hi, &a.ticks)
    }
}

impl Ranged for TickAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span == 0.0 || !v.is_finite() {
            return (limit.0 + limit.1) / 2;
        }
        let t = (v - self.lo) / span;
        limit.0 + ((limit.1 - limit.0) as f64 * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}
