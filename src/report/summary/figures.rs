//! The "Charts" section: every chart written by [`crate::report::charts`], as figures.

use crate::report::charts::{ChartFile, ChartKind};
use crate::report::doc::{Block, Doc, Figure, Inl};

pub(super) fn figure(c: &ChartFile) -> Figure {
    let caption = match &c.workload {
        Some(w) => Inl::new().c(w).t(": throughput vs threads"),
        None => Inl::new().t(c.title.clone()),
    };
    Figure { svg: format!("charts/{}.svg", c.base), png: format!("charts/{}.png", c.base), caption }
}

/// The "Charts" section: the overview charts, then one throughput chart per workload in name
/// order (the group charts stand in the selection, under their decisions).
pub(super) fn section(doc: &mut Doc, charts: &[ChartFile]) {
    doc.h(2, "charts", "Charts");
    if charts.is_empty() {
        doc.p("No charts.");
        return;
    }
    doc.p("Invalid rows, skipped and failed workloads are never drawn as data: each chart lists them under \
         \"Not drawn\". Shaded bands are confidence intervals.");
    let overview: Vec<Figure> = charts.iter().filter(|c| !matches!(c.kind, ChartKind::Throughput | ChartKind::Group)).map(figure).collect();
    doc.push(Block::Figures(overview));
    doc.h(3, "charts-per-workload", "Throughput per workload");
    let mut per: Vec<&ChartFile> = charts.iter().filter(|c| c.kind == ChartKind::Throughput).collect();
    per.sort_by(|a, b| a.workload.cmp(&b.workload));
    doc.push(Block::Figures(per.into_iter().map(figure).collect()));
}
