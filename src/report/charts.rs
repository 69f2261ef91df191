//! Charts, each written as SVG and PNG with the same base name into `<run>/charts/`.
//!
//! Every chart is first reduced to a backend-independent [`Plot`] (data, axes, legend, notes),
//! then drawn twice. Axes are always `f64` with explicit tick positions; logarithmic axes plot
//! `log2(value)` and label the ticks with the value, so one drawing path serves every chart.
//!
//! Invalid rows (status ≠ ok), rows without throughput, and skipped / failed workloads are never
//! drawn as data: they are listed in the notes under the chart ("Not drawn: …").
//!
//! Text uses the embedded DejaVu Sans, registered with plotters under the family name
//! [`FONT_FAMILY`] (`sans-serif`), so PNGs render on machines without system fonts and SVGs fall
//! back to the viewer's own sans-serif font.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

use crate::fsutil::write_atomic;
use crate::results::{GilMode, RowStatus, RunResults, ThreadRow, WorkloadResult, WorkloadStatus};

use super::format;
use super::selection::{by_workload, cores_kind, reference_threads, selection_mode};

/// The family name the embedded font is registered under; used for every text in every chart.
pub const FONT_FAMILY: &str = "sans-serif";
static FONT_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded DejaVu Sans with plotters (once per process).
pub fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        let normal = register_font(FONT_FAMILY, FontStyle::Normal, FONT_TTF).is_ok();
        // Bold requests fall back to the regular face; registering it explicitly is harmless.
        let bold = register_font(FONT_FAMILY, FontStyle::Bold, FONT_TTF).is_ok();
        normal && bold
    });
    if !ok {
        bail!("the embedded DejaVu Sans font could not be loaded");
    }
    Ok(())
}

/// What a chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// One workload: throughput vs threads, GIL off and on, with confidence bands.
    Throughput,
    /// All workloads: speedup vs threads (log2 axes), GIL off, against y = x.
    Speedup,
    /// GIL-off / GIL-on throughput at the core count, one bar per workload.
    FtGain,
    /// Per-core utilisation at the core count, GIL off: workload × core.
    CoreHeatmap,
    /// Blocked fraction and context switches per op vs threads, lock-like workloads, GIL off.
    Contention,
}

/// One chart written as `<base>.svg` and `<base>.png`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartFile {
    pub kind: ChartKind,
    /// Base file name (no extension), e.g. `throughput-lock_counter`.
    pub base: String,
    pub title: String,
    /// The workload a per-workload chart is about.
    pub workload: Option<String>,
    pub svg: PathBuf,
    pub png: PathBuf,
}

// ---------------------------------------------------------------------------------------------
// Styling

const WIDTH: u32 = 1200;
const TITLE_SIZE: f64 = 26.0;
const SUBTITLE_SIZE: f64 = 16.0;
const LABEL_SIZE: f64 = 15.0;
const DESC_SIZE: f64 = 17.0;
const LEGEND_SIZE: f64 = 15.0;
const NOTE_SIZE: f64 = 14.0;
const NOTE_LINE: u32 = 20;

const INK: RGBColor = RGBColor(29, 36, 48);
const GREY: RGBColor = RGBColor(110, 116, 128);
const GRID: RGBColor = RGBColor(226, 230, 236);
const NOTE_INK: RGBColor = RGBColor(150, 40, 30);
const GIL_OFF: RGBColor = RGBColor(31, 119, 180);
const GIL_ON: RGBColor = RGBColor(230, 120, 20);
const GAIN_UP: RGBColor = RGBColor(60, 140, 80);
const GAIN_DOWN: RGBColor = RGBColor(200, 70, 60);

/// Tableau 10, slightly darkened where it is too light on white.
const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(78, 160, 155),
    RGBColor(89, 161, 79),
    RGBColor(200, 165, 30),
    RGBColor(176, 122, 161),
    RGBColor(230, 110, 130),
    RGBColor(156, 117, 95),
    RGBColor(110, 110, 110),
];

fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(&INK)
}

fn font_c(size: f64, color: &'static RGBColor) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(color)
}

fn text_width(text: &str, size: f64) -> u32 {
    (FONT_FAMILY, size).into_font().box_size(text).map(|(w, _)| w).unwrap_or((text.chars().count() as f64 * size * 0.6) as u32)
}

fn de<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing failed: {e:?}")
}

/// Greedy word wrap to `width` pixels.
fn wrap(text: &str, size: f64, width: u32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
        if !cur.is_empty() && text_width(&candidate, size) > width {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        } else {
            cur = candidate;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Shortens `text` with an ellipsis to fit `width` pixels.
fn fit(text: &str, size: f64, width: u32) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let s: String = chars.iter().collect::<String>() + "…";
        if text_width(&s, size) <= width {
            return s;
        }
    }
    "…".into()
}

// ---------------------------------------------------------------------------------------------
// Backend-independent chart description

#[derive(Clone, Copy, Debug, PartialEq)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Cross,
}

const MARKERS: [Marker; 4] = [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Cross];

#[derive(Clone, Debug)]
struct Series {
    color: RGBColor,
    marker: Marker,
    dashed: bool,
    /// Contiguous runs of valid points (a gap where a row is invalid or missing).
    runs: Vec<Vec<(f64, f64)>>,
    /// Confidence band per run: (x, lower, upper).
    bands: Vec<Vec<(f64, f64, f64)>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fmt {
    Si,
    Threads,
    Ratio,
    Percent,
    Small,
}

#[derive(Clone, Debug)]
struct Axis {
    desc: String,
    log2: bool,
    /// Range and ticks in plotted space (log2 of the value on log axes).
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    fmt: Fmt,
}

impl Axis {
    fn tx(&self, v: f64) -> f64 {
        if self.log2 {
            v.max(1e-12).log2()
        } else {
            v
        }
    }

    fn label(&self, t: f64) -> String {
        let v = if self.log2 { 2f64.powf(t) } else { t };
        match self.fmt {
            Fmt::Si => format::si_axis(v),
            Fmt::Threads => format!("{}", v.round() as i64),
            Fmt::Ratio => {
                if v >= 1.0 {
                    format::si_axis(v)
                } else {
                    let s = format!("{v:.3}");
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                }
            }
            Fmt::Percent => format!("{:.0}%", v * 100.0),
            Fmt::Small => {
                let s = format::small(v);
                if s.contains('.') {
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    s
                }
            }
        }
    }

    /// Linear axis from `lo` to at least `hi` with about `n` "nice" ticks.
    fn linear(desc: &str, lo: f64, hi: f64, n: usize, fmt: Fmt) -> Axis {
        let lo = if lo.is_finite() { lo } else { 0.0 };
        let hi = if hi.is_finite() && hi > lo { hi } else { lo + 1.0 };
        let step = nice_step((hi - lo) / n.max(2) as f64);
        let mut ticks = Vec::new();
        let mut t = (lo / step).ceil() * step;
        while t <= hi + step * 1e-9 {
            ticks.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
            t += step;
        }
        Axis { desc: desc.into(), log2: false, lo, hi, ticks, fmt }
    }

    /// Log2 axis over [min, max] (values), ticks at `ticks` (values).
    fn log2(desc: &str, min: f64, max: f64, ticks: &[f64], fmt: Fmt) -> Axis {
        let min = if min.is_finite() && min > 0.0 { min } else { 1.0 };
        let max = if max.is_finite() && max > min { max } else { min * 2.0 };
        let (lo, hi) = (min.max(1e-12).log2(), max.max(min * 1.01).log2());
        let pad = ((hi - lo) * 0.04).max(0.15);
        let mut ticks: Vec<f64> = ticks.iter().map(|v| v.log2()).filter(|t| *t >= lo - 1e-9 && *t <= hi + 1e-9).collect();
        // Thin out crowded ticks, always keeping the first and the last.
        while ticks.len() > 14 {
            let last = *ticks.last().unwrap();
            ticks = ticks.iter().copied().step_by(2).collect();
            if *ticks.last().unwrap() != last {
                ticks.push(last);
            }
        }
        Axis { desc: desc.into(), log2: true, lo: lo - pad, hi: hi + pad, ticks, fmt }
    }
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

fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Powers of two covering [min, max].
fn pow2_ticks(min: f64, max: f64) -> Vec<f64> {
    let clamp = |v: f64| {
        if v.is_finite() {
            v.clamp(1e-9, 1e12)
        } else {
            1.0
        }
    };
    let (a, b) = (clamp(min).log2().floor() as i32, clamp(max).log2().ceil() as i32);
    (a..=b).map(|e| 2f64.powi(e)).collect()
}

#[derive(Clone, Debug)]
struct LinesPlot {
    heading: Option<String>,
    x: Axis,
    y: Axis,
    series: Vec<Series>,
    /// Draw y = x (speedup chart).
    ideal: bool,
    /// A hybrid CPU's P-core count: a labelled vertical line (speedup chart).
    pe_boundary: Option<usize>,
    empty: Option<String>,
}

#[derive(Clone, Debug)]
struct BarsPlot {
    x: Axis,
    /// (label, value), top to bottom.
    bars: Vec<(String, f64)>,
    empty: Option<String>,
}

#[derive(Clone, Debug)]
struct HeatPlot {
    /// Workload names, top to bottom.
    rows: Vec<String>,
    /// Percent busy per core, per row.
    values: Vec<Vec<f64>>,
    cores: usize,
    empty: Option<String>,
}

#[derive(Clone, Debug)]
enum Body {
    Lines(Vec<LinesPlot>),
    Bars(BarsPlot),
    Heat(HeatPlot),
}

#[derive(Clone, Debug)]
struct LegendEntry {
    label: String,
    color: RGBColor,
    marker: Option<Marker>,
    dashed: bool,
    band: bool,
}

#[derive(Clone, Debug)]
struct Plot {
    title: String,
    subtitle: Option<String>,
    legend: Vec<LegendEntry>,
    notes: Vec<String>,
    body: Body,
    /// Height of the plotting region (excluding title and notes).
    plot_height: u32,
}

impl Plot {
    fn legend_width(&self) -> u32 {
        if self.legend.is_empty() {
            return 0;
        }
        let widest = self.legend.iter().map(|e| text_width(&e.label, LEGEND_SIZE)).max().unwrap_or(0);
        (widest + 70).clamp(180, 340)
    }

    fn note_lines(&self) -> Vec<String> {
        self.notes.iter().flat_map(|n| wrap(n, NOTE_SIZE, WIDTH - 40)).collect()
    }

    fn plot_height(&self) -> u32 {
        let legend_need = 30 + self.legend.len() as u32 * 24;
        self.plot_height.max(legend_need)
    }

    fn size(&self) -> (u32, u32) {
        let title = 48 + if self.subtitle.is_some() { 24 } else { 0 };
        let notes = self.note_lines().len() as u32;
        let notes_h = if notes > 0 { notes * NOTE_LINE + 16 } else { 8 };
        (WIDTH, title + self.plot_height() + notes_h)
    }
}

// ---------------------------------------------------------------------------------------------
// Drawing

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, plot: &Plot) -> Result<()> {
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
    let names: Vec<String> = b.bars.iter().map(|(l, _)| fit(l, LABEL_SIZE, 380)).collect();
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
    for (i, (_, v)) in b.bars.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let color = if *v >= 1.0 { GAIN_UP } else { GAIN_DOWN };
        chart.draw_series(std::iter::once(Rectangle::new([(0.0, y + 0.18), (*v, y + 0.82)], color.filled()))).map_err(de)?;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((*v, y + 0.5))
                    + Text::new(format::ratio(*v), (6, 0), font(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center))),
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

const WHITE_C: RGBColor = RGBColor(255, 255, 255);

// ---------------------------------------------------------------------------------------------
// Writing

fn write_plot(plot: &Plot, dir: &Path, base: &str) -> Result<(PathBuf, PathBuf)> {
    let (w, h) = plot.size();
    let svg_path = dir.join(format!("{base}.svg"));
    let png_path = dir.join(format!("{base}.png"));

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw(root, plot).with_context(|| format!("drawing {}", svg_path.display()))?;
    }
    write_atomic(&svg_path, svg.as_bytes())?;

    // The bitmap backend encodes PNG only to a path: draw into a private temp folder, then copy
    // the bytes atomically into place.
    let tmp = tempfile::tempdir().context("cannot create a temp folder for PNG charts")?;
    let tmp_png = tmp.path().join("chart.png");
    {
        let root = BitMapBackend::new(&tmp_png, (w, h)).into_drawing_area();
        draw(root, plot).with_context(|| format!("drawing {}", png_path.display()))?;
    }
    let bytes = std::fs::read(&tmp_png).with_context(|| format!("cannot read {}", tmp_png.display()))?;
    write_atomic(&png_path, &bytes)?;
    Ok((svg_path, png_path))
}

/// A file-name-safe version of a workload name.
pub fn file_stem(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

/// Draws every chart of a run into `charts_dir`.
pub fn render_charts(results: &RunResults, charts_dir: &Path) -> Result<Vec<ChartFile>> {
    ensure_font()?;
    std::fs::create_dir_all(charts_dir).with_context(|| format!("cannot create {}", charts_dir.display()))?;
    let mut out = Vec::new();
    let mut emit = |kind: ChartKind, base: String, workload: Option<String>, plot: Plot| -> Result<()> {
        let (svg, png) = write_plot(&plot, charts_dir, &base)?;
        out.push(ChartFile { kind, base, title: plot.title.clone(), workload, svg, png });
        Ok(())
    };

    let ctx = Ctx::new(results);
    emit(ChartKind::Speedup, "speedup".into(), None, speedup_plot(&ctx))?;
    emit(ChartKind::FtGain, "ft-gain".into(), None, gain_plot(&ctx))?;
    emit(ChartKind::CoreHeatmap, "core-heatmap".into(), None, heat_plot(&ctx))?;
    emit(ChartKind::Contention, "contention".into(), None, contention_plot(&ctx))?;
    for (name, modes) in &ctx.workloads {
        if modes.values().all(|w| w.rows.is_empty()) {
            continue;
        }
        let plot = throughput_plot(name, modes);
        emit(ChartKind::Throughput, format!("throughput-{}", file_stem(name)), Some(name.to_string()), plot)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Chart contents

struct Ctx<'a> {
    results: &'a RunResults,
    workloads: Vec<(&'a str, BTreeMap<GilMode, &'a WorkloadResult>)>,
    reference: Option<usize>,
    /// `machine.headline_cores()`, and what it counts ("core" or "P-core").
    cores: usize,
    cores_kind: &'static str,
}

impl<'a> Ctx<'a> {
    fn new(results: &'a RunResults) -> Self {
        let mode = selection_mode(results);
        Ctx {
            results,
            workloads: by_workload(results),
            reference: reference_threads(results, mode),
            cores: results.machine.headline_cores(),
            cores_kind: cores_kind(&results.machine),
        }
    }

    /// Thread counts measured anywhere in the run.
    fn all_threads(&self) -> Vec<f64> {
        let mut t: Vec<usize> = self.results.workloads.iter().flat_map(|w| w.rows.iter().map(|r| r.threads)).collect();
        t.sort_unstable();
        t.dedup();
        t.into_iter().filter(|t| *t > 0).map(|t| t as f64).collect()
    }

    /// True when some row of `name` (any mode, any count) failed its invariant or raised: its
    /// valid rows are still drawn, but it is never ranked.
    fn flagged(&self, name: &str) -> bool {
        self.workloads.iter().filter(|(n, _)| *n == name).flat_map(|(_, m)| m.values()).any(|w| {
            w.rows.iter().any(|r| match r.status {
                RowStatus::Invalid | RowStatus::Error => true,
                RowStatus::LostUpdates => !w.meta.unsynchronized,
                RowStatus::Ok => false,
            })
        })
    }

    fn unsynchronized(&self, name: &str) -> bool {
        self.workloads.iter().any(|(n, m)| *n == name && m.values().any(|w| w.meta.unsynchronized))
    }

    /// The workload's name as drawn: `*` when flagged, `(unsafe)` when unsynchronized.
    fn display_name(&self, name: &str) -> String {
        let mut s = name.to_string();
        if self.unsynchronized(name) {
            s.push_str(" (unsafe)");
        }
        if self.flagged(name) {
            s.push_str(" *");
        }
        s
    }

    /// The note explaining `*`, when one of `names` carries it.
    fn flag_note<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Option<String> {
        let flagged: Vec<&str> = names.into_iter().filter(|n| self.flagged(n)).collect();
        (!flagged.is_empty()).then(|| {
            format!(
                "* {}: invalid or errored rows at another thread count or GIL mode (valid rows drawn; never ranked).",
                flagged.join(", ")
            )
        })
    }

    fn at_cores(&self) -> String {
        match self.reference {
            Some(t) if t == self.cores => format!("{} (the {} count)", format::threads(t), self.cores_kind),
            Some(t) if self.cores > 0 => format!("{} (largest measured ≤ {} {}s)", format::threads(t), self.cores, self.cores_kind),
            Some(t) => format::threads(t),
            None => format!("the {} count", self.cores_kind),
        }
    }
}

/// "2 threads: invalid" for each row that cannot be drawn.
fn row_problem_summaries(rows: &[&ThreadRow]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| row_problem(r).map(|p| format!("{}: {}", format::threads(r.threads), p.split(':').next().unwrap_or(""))))
        .collect()
}

fn row_problem(r: &ThreadRow) -> Option<String> {
    let first_line =
        |m: &Option<String>| m.as_deref().and_then(|s| s.lines().map(str::trim).find(|l| !l.is_empty())).map(|s| format!(": {s}"));
    match r.status {
        RowStatus::Ok if r.throughput.is_none() => Some("no throughput".into()),
        RowStatus::Ok => r
            .implausible
            .as_ref()
            .map(|why| format!("implausible: {why}"))
            .or_else(|| r.disturbed.as_ref().map(|why| format!("disturbed: {why}"))),
        RowStatus::Invalid => Some(format!("invalid{}", first_line(&r.message).unwrap_or_default())),
        RowStatus::LostUpdates => Some(format!("lost updates ({})", r.lost_updates)),
        RowStatus::Error => Some(format!("error{}", first_line(&r.message).unwrap_or_default())),
    }
}

/// Why a workload's rows in `mode` are not drawn at all, if so.
fn workload_excluded(w: &WorkloadResult) -> Option<String> {
    match w.status {
        WorkloadStatus::Ran | WorkloadStatus::Interrupted => None,
        WorkloadStatus::GilReenabled if w.mode == GilMode::On => None,
        WorkloadStatus::GilReenabled => Some("GIL re-enabled on import".into()),
        s => Some(match w.reason.as_deref().filter(|r| !r.trim().is_empty()) {
            Some(r) => format!("{}: {}", format::workload_status(s), r.lines().next().unwrap_or("").trim()),
            None => format::workload_status(s).into(),
        }),
    }
}

/// Splits `rows` (sorted by thread count) into runs of consecutive drawable points.
type Runs = Vec<Vec<(f64, f64)>>;
type Bands = Vec<Vec<(f64, f64, f64)>>;

fn runs<F: Fn(&ThreadRow) -> Option<(f64, f64, f64)>>(rows: &[&ThreadRow], f: F) -> (Runs, Bands) {
    let mut runs = Vec::new();
    let mut bands = Vec::new();
    let (mut run, mut band) = (Vec::new(), Vec::new());
    for r in rows {
        match (r.is_valid(), f(r)) {
            (true, Some((y, lo, hi))) if y.is_finite() => {
                // A missing or broken interval collapses onto the point.
                let (lo, hi) = if lo.is_finite() && hi.is_finite() { (lo.min(y), hi.max(y)) } else { (y, y) };
                run.push((r.threads as f64, y));
                band.push((r.threads as f64, lo, hi));
            }
            _ => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                    bands.push(std::mem::take(&mut band));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
        bands.push(band);
    }
    (runs, bands)
}

fn sorted_rows(w: &WorkloadResult) -> Vec<&ThreadRow> {
    let mut rows: Vec<&ThreadRow> = w.rows.iter().filter(|r| r.threads > 0).collect();
    rows.sort_by_key(|r| r.threads);
    rows
}

/// Ends `s` with a full stop unless it already ends with punctuation.
fn sentence(mut s: String) -> String {
    if !s.ends_with(['.', '?', '!', ')']) {
        s.push('.');
    }
    s
}

/// "Not drawn: a (x), b (y)" notes, grouped so one line covers many workloads.
fn not_drawn_note(prefix: &str, items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| format!("{prefix}{}", items.join(", ")))
}

fn throughput_plot(name: &str, modes: &BTreeMap<GilMode, &WorkloadResult>) -> Plot {
    let meta = &modes.values().next().unwrap().meta;
    let mut notes = Vec::new();
    let mut series = Vec::new();
    let mut legend = Vec::new();
    let mut threads: Vec<f64> = Vec::new();
    let mut ymax: f64 = 0.0;
    for (mode, color) in [(GilMode::Off, GIL_OFF), (GilMode::On, GIL_ON)] {
        let Some(w) = modes.get(&mode) else {
            notes.push(format!("{}: not run.", mode_name(mode)));
            continue;
        };
        let rows = sorted_rows(w);
        threads.extend(rows.iter().map(|r| r.threads as f64));
        let mut label = mode_name(mode).to_string();
        if let Some(why) = workload_excluded(w) {
            notes.push(sentence(format!("Not drawn — {}: {why}", mode_name(mode))));
            continue;
        }
        if w.status == WorkloadStatus::GilReenabled {
            label.push_str(" (GIL re-enabled!)");
            notes.push(format!(
                "{}: importing this workload re-enabled the GIL; its \"GIL off\" numbers are GIL-on numbers.",
                mode_name(mode)
            ));
        }
        if w.status == WorkloadStatus::Interrupted {
            notes.push(format!("{}: interrupted before its sweep finished.", mode_name(mode)));
        }
        let bad: Vec<String> =
            rows.iter().filter_map(|r| row_problem(r).map(|p| format!("{} ({})", format::threads(r.threads), p))).collect();
        if let Some(n) = not_drawn_note(&format!("Not drawn — {}: ", mode_name(mode)), &bad) {
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

fn mode_name(m: GilMode) -> &'static str {
    match m {
        GilMode::Off => "GIL off",
        GilMode::On => "GIL on",
    }
}

/// Colour and marker for the i-th workload of a multi-workload chart.
fn style_for(i: usize) -> (RGBColor, Marker, bool) {
    (PALETTE[i % PALETTE.len()], MARKERS[(i / PALETTE.len()) % MARKERS.len()], (i / PALETTE.len()) % 2 == 1)
}

/// GIL-off results of each workload, with notes for the ones (or rows) not drawn.
fn gil_off_workloads<'a>(ctx: &'a Ctx) -> (Vec<(&'a str, &'a WorkloadResult)>, Vec<String>) {
    let mut drawn = Vec::new();
    let mut excluded = Vec::new();
    for (name, modes) in &ctx.workloads {
        let Some(w) = modes.get(&GilMode::Off) else {
            continue;
        };
        match workload_excluded(w) {
            Some(why) => excluded.push(format!("{name} ({why})")),
            None => drawn.push((*name, *w)),
        }
    }
    (drawn, excluded)
}

fn speedup_plot(ctx: &Ctx) -> Plot {
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

fn gain_plot(ctx: &Ctx) -> Plot {
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

fn heat_plot(ctx: &Ctx) -> Plot {
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

/// Blocking primitives: the ones where "blocked" and context switches mean waiting for the primitive.
pub fn is_lock_like(primitive: &str) -> bool {
    primitive.split(|c: char| !c.is_ascii_alphanumeric()).any(|tok| {
        tok.ends_with("Lock")
            || tok.ends_with("Queue")
            || tok.ends_with("Semaphore")
            || matches!(tok, "Condition" | "Event" | "Barrier" | "Mutex")
    })
}

fn contention_plot(ctx: &Ctx) -> Plot {
    let (workloads, excluded) = gil_off_workloads(ctx);
    let mut blocked = Vec::new();
    let mut switches = Vec::new();
    let mut legend = Vec::new();
    let mut invalid = Vec::new();
    let mut drawn: Vec<&str> = Vec::new();
    let (mut bmax, mut smax) = (0f64, 0f64);
    for (name, w) in workloads.iter().filter(|(_, w)| is_lock_like(&w.meta.primitive)) {
        let rows = sorted_rows(w);
        let bad = row_problem_summaries(&rows);
        if !bad.is_empty() {
            invalid.push(format!("{name} ({})", bad.join(", ")));
        }
        let (b_runs, _) = runs(&rows, |r| r.contention.as_ref().map(|c| (c.blocked_fraction, 0.0, 0.0)));
        let (s_runs, _) = runs(&rows, |r| {
            let c = r.contention.as_ref()?;
            Some((c.voluntary_switches_per_op? + c.involuntary_switches_per_op?, 0.0, 0.0))
        });
        if b_runs.is_empty() && s_runs.is_empty() {
            continue;
        }
        bmax = b_runs.iter().flatten().map(|p| p.1).fold(bmax, f64::max);
        smax = s_runs.iter().flatten().map(|p| p.1).fold(smax, f64::max);
        let (color, marker, dashed) = style_for(legend.len());
        legend.push(LegendEntry { label: ctx.display_name(name), color, marker: Some(marker), dashed, band: false });
        drawn.push(*name);
        blocked.push(Series { color, marker, dashed, runs: b_runs, bands: vec![] });
        switches.push(Series { color, marker, dashed, runs: s_runs, bands: vec![] });
    }
    let threads = ctx.all_threads();
    let (tmin, tmax) = (threads.first().copied().unwrap_or(1.0), threads.last().copied().unwrap_or(1.0));
    let empty = blocked.is_empty().then(|| "No lock-like workload with valid GIL-off contention data.".to_string());
    let mut notes =
        vec!["Shown: GIL-off workloads whose primitive is a Lock, RLock, Condition, Semaphore, Queue, Event or Barrier.".to_string()];
    let logical = ctx.results.machine.logical_cores;
    if logical > 0 && tmax > logical as f64 {
        notes.push(format!("Past {logical} threads (the core count) the blocked fraction also counts waiting for a CPU."));
    }
    if let Some(n) = not_drawn_note("Not drawn — invalid rows: ", &invalid) {
        notes.push(n);
    }
    let lock_excluded: Vec<String> = excluded
        .into_iter()
        .filter(|e| {
            let name = e.split(" (").next().unwrap_or("");
            ctx.workloads.iter().any(|(n, m)| *n == name && m.values().any(|w| is_lock_like(&w.meta.primitive)))
        })
        .collect();
    if let Some(n) = not_drawn_note("Not drawn — workloads: ", &lock_excluded) {
        notes.push(n);
    }
    notes.extend(ctx.flag_note(drawn));
    let x = Axis::log2("threads", tmin, tmax, &threads, Fmt::Threads);
    let top = LinesPlot {
        heading: Some("Blocked fraction: 1 − CPU time / (threads × wall time)".into()),
        x: x.clone(),
        y: Axis::linear("blocked", 0.0, (bmax * 1.1).clamp(0.05, 1.0), 5, Fmt::Percent),
        series: blocked,
        ideal: false,
        pe_boundary: None,
        empty: empty.clone(),
    };
    let bottom = LinesPlot {
        heading: Some("Context switches per operation (voluntary + involuntary)".into()),
        x,
        y: Axis::linear("switches / op", 0.0, if smax > 0.0 { smax * 1.1 } else { 1.0 }, 5, Fmt::Small),
        series: switches,
        ideal: false,
        pe_boundary: None,
        empty,
    };
    Plot {
        title: "Contention vs threads, GIL off".into(),
        subtitle: None,
        legend,
        notes,
        body: Body::Lines(vec![top, bottom]),
        plot_height: 820,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_like_primitives() {
        for p in [
            "threading.Lock",
            "threading.RLock",
            "queue.Queue",
            "queue.SimpleQueue",
            "threading.Condition",
            "threading.BoundedSemaphore",
            "threading.Event",
            "threading.Barrier",
            "ft_utils.ConcurrentQueue",
        ] {
            assert!(is_lock_like(p), "{p}");
        }
        for p in ["ft_utils.AtomicInt64", "itertools.count", "lock-free dict", "none (unsynchronized)"] {
            assert!(!is_lock_like(p), "{p}");
        }
    }

    #[test]
    fn linear_ticks_are_nice() {
        let a = Axis::linear("", 0.0, 10.0, 5, Fmt::Si);
        assert_eq!(a.ticks, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(nice_step(0.3), 0.5);
    }

    #[test]
    fn log2_axis_labels_values() {
        let a = Axis::log2("threads", 1.0, 8.0, &[1.0, 2.0, 4.0, 8.0], Fmt::Threads);
        let labels: Vec<String> = a.ticks.iter().map(|t| a.label(*t)).collect();
        assert_eq!(labels, ["1", "2", "4", "8"]);
        let r = Axis::log2("", 0.25, 4.0, &pow2_ticks(0.25, 4.0), Fmt::Ratio);
        let labels: Vec<String> = r.ticks.iter().map(|t| r.label(*t)).collect();
        assert_eq!(labels, ["0.25", "0.5", "1", "2", "4"]);
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("lock_counter"), "lock_counter");
        assert_eq!(file_stem("a/b c"), "a_b_c");
        assert_eq!(file_stem("..x"), "_..x");
    }
}
