//! The "Charts" section: every chart written by [`crate::report::charts`], as figures.

use crate::report::charts::{ChartFile, ChartKind};
use crate::report::doc::{Block, Doc, Figure, Inl};
use crate::report::grouped::by_workload;
use crate::results::RunResults;

fn figure(c: &ChartFile) -> Figure {
    let caption = match &c.workload {
        Some(w) => Inl::new().c(w).t(": throughput vs threads"),
        None => Inl::new().t(c.title.clone()),
    };
    Figure { svg: format!("charts/{}.svg", c.base), png: format!("charts/{}.png", c.base), caption }
}

/// The "Charts" section: the overview charts, then one throughput chart per workload in run order.
pub(super) fn section(doc: &mut Doc, r: &RunResults, charts: &[ChartFile]) {
    doc.h(2, "charts", "Charts");
    if charts.is_empty() {
        doc.p("No charts.");
        return;
    }
    doc.p("Invalid rows, skipped and failed workloads are never drawn as data: each chart lists them under \
         \"Not drawn\". Shaded bands are confidence intervals.");
    let overview: Vec<Figure> = charts.iter().filter(|c| c.kind != ChartKind::Throughput).map(figure).collect();
    doc.push(Block::Figures(overview));
    doc.h(3, "charts-per-workload", "Throughput per workload");
    // In workload order of the run.
    let order: Vec<&str> = by_workload(r).into_iter().map(|(n, _)| n).collect();
    let mut per: Vec<&ChartFile> = charts.iter().filter(|c| c.kind == ChartKind::Throughput).collect();
    per.sort_by_key(|c| c.workload.as_deref().and_then(|w| order.iter().position(|o| *o == w)).unwrap_or(usize::MAX));
    doc.push(Block::Figures(per.into_iter().map(figure).collect()));
}
