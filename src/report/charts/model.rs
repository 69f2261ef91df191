//! The backend-independent plot every chart is reduced to: axes with explicit ticks (log2 axes
//! plot `log2(value)` and label ticks with the value), series of points with confidence bands,
//! bars, a heat map, a legend and notes. [`super::draw`] draws it onto any plotters backend.

use plotters::style::RGBColor;

use super::style::{text_width, wrap, LEGEND_SIZE, NOTE_LINE, NOTE_SIZE, WIDTH};
use crate::report::format;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Marker {
    Circle,
    Square,
    Triangle,
    Cross,
}

#[derive(Clone, Debug)]
pub(super) struct Series {
    pub(super) color: RGBColor,
    pub(super) marker: Marker,
    pub(super) dashed: bool,
    /// Contiguous runs of valid points (a gap where a row is invalid or missing).
    pub(super) runs: Vec<Vec<(f64, f64)>>,
    /// Confidence band per run: (x, lower, upper).
    pub(super) bands: Vec<Vec<(f64, f64, f64)>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Fmt {
    Si,
    Threads,
    Ratio,
    Percent,
    Small,
}

#[derive(Clone, Debug)]
pub(super) struct Axis {
    pub(super) desc: String,
    pub(super) log2: bool,
    /// Range and ticks in plotted space (log2 of the value on log axes).
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<f64>,
    pub(super) fmt: Fmt,
}

impl Axis {
    pub(super) fn tx(&self, v: f64) -> f64 {
        if self.log2 {
            v.max(1e-12).log2()
        } else {
            v
        }
    }

    pub(super) fn label(&self, t: f64) -> String {
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
    pub(super) fn linear(desc: &str, lo: f64, hi: f64, n: usize, fmt: Fmt) -> Axis {
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
    pub(super) fn log2(desc: &str, min: f64, max: f64, ticks: &[f64], fmt: Fmt) -> Axis {
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
pub(super) fn pow2_ticks(min: f64, max: f64) -> Vec<f64> {
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
pub(super) struct LinesPlot {
    pub(super) heading: Option<String>,
    pub(super) x: Axis,
    pub(super) y: Axis,
    pub(super) series: Vec<Series>,
    /// Draw y = x (speedup chart).
    pub(super) ideal: bool,
    /// A hybrid CPU's P-core count: a labelled vertical line (speedup chart).
    pub(super) pe_boundary: Option<usize>,
    pub(super) empty: Option<String>,
}

#[derive(Clone, Debug)]
pub(super) struct BarsPlot {
    pub(super) x: Axis,
    /// Top to bottom.
    pub(super) bars: Vec<Bar>,
    pub(super) empty: Option<String>,
}

/// One bar of a ratio: green when its interval lies above 1, red below, grey when it reaches 1.
#[derive(Clone, Debug)]
pub(super) struct Bar {
    pub(super) label: String,
    pub(super) value: f64,
    pub(super) interval: Option<(f64, f64)>,
}

#[derive(Clone, Debug)]
pub(super) struct HeatPlot {
    /// Workload names, top to bottom.
    pub(super) rows: Vec<String>,
    /// Percent busy per core, per row.
    pub(super) values: Vec<Vec<f64>>,
    pub(super) cores: usize,
    pub(super) empty: Option<String>,
}

#[derive(Clone, Debug)]
pub(super) enum Body {
    Lines(Vec<LinesPlot>),
    Bars(BarsPlot),
    Heat(HeatPlot),
}

#[derive(Clone, Debug)]
pub(super) struct LegendEntry {
    pub(super) label: String,
    pub(super) color: RGBColor,
    pub(super) marker: Option<Marker>,
    pub(super) dashed: bool,
    pub(super) band: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Plot {
    pub(super) title: String,
    pub(super) subtitle: Option<String>,
    pub(super) legend: Vec<LegendEntry>,
    pub(super) notes: Vec<String>,
    pub(super) body: Body,
    /// Height of the plotting region (excluding title and notes).
    pub(super) plot_height: u32,
}

impl Plot {
    pub(super) fn legend_width(&self) -> u32 {
        if self.legend.is_empty() {
            return 0;
        }
        let widest = self.legend.iter().map(|e| text_width(&e.label, LEGEND_SIZE)).max().unwrap_or(0);
        (widest + 70).clamp(180, 340)
    }

    fn note_lines(&self) -> Vec<String> {
        self.notes.iter().flat_map(|n| wrap(n, NOTE_SIZE, WIDTH - 40)).collect()
    }

    pub(super) fn plot_height(&self) -> u32 {
        let legend_need = 30 + self.legend.len() as u32 * 24;
        self.plot_height.max(legend_need)
    }

    pub(super) fn size(&self) -> (u32, u32) {
        let title = 48 + if self.subtitle.is_some() { 24 } else { 0 };
        let notes = self.note_lines().len() as u32;
        let notes_h = if notes > 0 { notes * NOTE_LINE + 16 } else { 8 };
        (WIDTH, title + self.plot_height() + notes_h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
