//! The charts' look: the embedded font, text sizes, colours, and text measured, wrapped and
//! shortened to a width in pixels.

use std::sync::OnceLock;

use anyhow::{bail, Result};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use super::model::Marker;

/// The family name the embedded font is registered under; used for every text in every chart.
pub const FONT_FAMILY: &str = "sans-serif";
static FONT_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

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

pub(super) const WIDTH: u32 = 1200;
pub(super) const TITLE_SIZE: f64 = 26.0;
pub(super) const SUBTITLE_SIZE: f64 = 16.0;
pub(super) const LABEL_SIZE: f64 = 15.0;
pub(super) const DESC_SIZE: f64 = 17.0;
pub(super) const LEGEND_SIZE: f64 = 15.0;
pub(super) const NOTE_SIZE: f64 = 14.0;
pub(super) const NOTE_LINE: u32 = 20;

pub(super) const INK: RGBColor = RGBColor(29, 36, 48);
pub(super) const GREY: RGBColor = RGBColor(110, 116, 128);
pub(super) const GRID: RGBColor = RGBColor(226, 230, 236);
pub(super) const NOTE_INK: RGBColor = RGBColor(150, 40, 30);
pub(super) const GIL_OFF: RGBColor = RGBColor(31, 119, 180);
pub(super) const GIL_ON: RGBColor = RGBColor(230, 120, 20);
pub(super) const GAIN_UP: RGBColor = RGBColor(60, 140, 80);
pub(super) const GAIN_DOWN: RGBColor = RGBColor(200, 70, 60);
pub(super) const WHITE_C: RGBColor = RGBColor(255, 255, 255);

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

pub(super) fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(&INK)
}

pub(super) fn font_c(size: f64, color: &'static RGBColor) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(color)
}

pub(super) fn text_width(text: &str, size: f64) -> u32 {
    (FONT_FAMILY, size).into_font().box_size(text).map(|(w, _)| w).unwrap_or((text.chars().count() as f64 * size * 0.6) as u32)
}

/// Greedy word wrap to `width` pixels.
pub(super) fn wrap(text: &str, size: f64, width: u32) -> Vec<String> {
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
pub(super) fn fit(text: &str, size: f64, width: u32) -> String {
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

/// More lines than this on one chart cannot be told apart.
pub(super) const MAX_SERIES: usize = 8;

const MARKERS: [Marker; 4] = [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Cross];

/// Colour and marker for the i-th workload of a multi-workload chart.
pub(super) fn style_for(i: usize) -> (RGBColor, Marker, bool) {
    (PALETTE[i % PALETTE.len()], MARKERS[(i / PALETTE.len()) % MARKERS.len()], (i / PALETTE.len()) % 2 == 1)
}
