//! Writing: each plot drawn to `<base>.svg` and `<base>.png` (atomically), and [`render_charts`],
//! which builds and writes every chart of a run.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::prelude::*;

use super::context::Ctx;
use super::draw::draw;
use super::model::Plot;
use super::style::ensure_font;
use super::{contention, gain, group, heatmap, throughput, ChartFile, ChartKind};
use crate::fsutil::write_atomic;
use crate::results::RunResults;
use crate::selection::Selection;

/// Draws `plot` as `<dir>/<base>.svg` and `<dir>/<base>.png`.
pub(super) fn write_plot(plot: &Plot, dir: &Path, base: &str) -> Result<(PathBuf, PathBuf)> {
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

/// A group chart's title: its scenario's, with the group's operation or family.
pub fn group_title(scenario_title: &str, operation: Option<&str>, family: Option<&str>) -> String {
    match (operation, family) {
        (Some(op), _) => format!("{scenario_title}: {op}"),
        (None, Some(f)) => format!("{scenario_title}: variants of {f}"),
        (None, None) => scenario_title.to_string(),
    }
}

/// The key a history chart is filed under: `scenario/family`, as the history's records group.
pub fn group_key(scenario: &str, family: Option<&str>) -> String {
    format!("{scenario}/{}", family.unwrap_or(""))
}

/// The base file name of the chart of the group keyed `key` (`scenario/tail`): `<prefix>-scenario-tail`.
pub fn group_file(key: &str, prefix: &str) -> String {
    format!("{prefix}-{}", file_stem(key.trim_end_matches('/').replace('/', "-").as_str()))
}

/// Draws every chart of a run into `charts_dir`: one per selection group, the run-wide ones, one
/// per workload.
pub fn render_charts(results: &RunResults, selection: &Selection, charts_dir: &Path) -> Result<Vec<ChartFile>> {
    ensure_font()?;
    std::fs::create_dir_all(charts_dir).with_context(|| format!("cannot create {}", charts_dir.display()))?;
    let mut out = Vec::new();
    let mut emit = |kind: ChartKind, base: String, about: (Option<String>, Option<String>), plot: Plot| -> Result<()> {
        let (svg, png) = write_plot(&plot, charts_dir, &base)?;
        out.push(ChartFile { kind, base, title: plot.title.clone(), workload: about.0, group: about.1, svg, png });
        Ok(())
    };

    let ctx = Ctx::new(results);
    for (sc, g) in selection.groups() {
        let names: Vec<&str> = g.candidates.iter().map(|c| c.workload.as_str()).collect();
        let plot = group::plot(&ctx, &group_title(&sc.title, g.operation.as_deref(), g.family.as_deref()), &names);
        emit(ChartKind::Group, group_file(&g.key, "group"), (None, Some(g.key.clone())), plot)?;
    }
    emit(ChartKind::FtGain, "ft-gain".into(), (None, None), gain::plot(&ctx))?;
    emit(ChartKind::CoreHeatmap, "core-heatmap".into(), (None, None), heatmap::plot(&ctx))?;
    emit(ChartKind::Contention, "contention".into(), (None, None), contention::plot(&ctx))?;
    for (name, modes) in &ctx.workloads {
        if modes.values().all(|w| w.rows.is_empty()) {
            continue;
        }
        let plot = throughput::plot(name, modes);
        emit(ChartKind::Throughput, format!("throughput-{}", file_stem(name)), (Some(name.to_string()), None), plot)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("lock_counter"), "lock_counter");
        assert_eq!(file_stem("a/b c"), "a_b_c");
        assert_eq!(file_stem("..x"), "_..x");
    }
}
