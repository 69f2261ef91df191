//! The history report's document (`ftbench history report`): the change points newest first,
//! each with its size, interval, the two runs it falls between and what changed there; then per
//! scenario group its chart over the runs; then the runs. Rendered to Markdown and HTML like a
//! run's report.

use crate::history::analysis::{Analysis, Change, Group};
use crate::history::changes::{MAX_P, MIN_SIDE};
use crate::history::place::{Placement, LEVEL, MIN_RUNS};
use crate::history::series::{Metric, Series};
use crate::report::charts::{group_key, ChartFile};
use crate::report::doc::{Block, Doc, Figure, Inl, Table, Tone};
use crate::report::format;

/// False change points per flat series of 50 runs of this VM's noise at most (the simulation's
/// bound, tests/history_rule.rs): what the report expects among this many series.
const FALSE_PER_SERIES: f64 = 0.01;

pub fn build(a: &Analysis, groups: &[Group], charts: &[ChartFile]) -> Doc {
    let mut doc = Doc { title: format!("ftbench history: {} runs", a.records.len()), blocks: vec![] };
    doc.p(Inl::new()
        .t(format!(
            "{} series (workload × GIL mode × thread count × figure, per machine) over the runs in order. A change point is placed \
         where the E-divisive energy statistic splits a series and kept when Yuen's test of the two sides gives p < {MAX_P:e}, \
         with at least {MIN_SIDE} runs on each side; the variance is the series' own spread from run to run. The method and \
         how it was tested: ",
            a.found.len()
        ))
        .c("docs/history.md")
        .t("."));
    changes(&mut doc, a);
    doc.h(2, "over-time", "Over time");
    for g in groups {
        let figures: Vec<Figure> = charts
            .iter()
            .filter(|c| c.group.as_deref().is_some_and(|k| k.ends_with(&format!(":{}", group_key(&g.scenario, g.family.as_deref())))))
            .map(|c| Figure {
                svg: format!("charts/{}.svg", c.base),
                png: format!("charts/{}.png", c.base),
                caption: Inl::new().t(format!("{}: 1-thread throughput and speedup over the runs", c.title)),
            })
            .collect();
        if !figures.is_empty() {
            doc.h(3, "", title(g));
            doc.push(Block::Figures(figures));
        }
    }
    runs(&mut doc, a);
    doc
}

fn title(g: &Group) -> Inl {
    match &g.family {
        Some(f) => Inl::new().t(format!("{}: variants of ", g.title)).c(f),
        None => Inl::new().t(g.title.clone()),
    }
}

fn changes(doc: &mut Doc, a: &Analysis) {
    doc.h(2, "changes", "Change points");
    let all = a.newest_first();
    let expected = (a.found.len() as f64 * FALSE_PER_SERIES).ceil();
    doc.p(format!(
        "{} change point(s) in {} series, newest first. On flat series with this VM's noise the rule finds at most one false \
         change point per 100 series: up to {expected} of these may be noise. Throughput is judged per canary iteration \
         (the machine's speed divided out) where the runs have canaries; from → to are the figures as measured.",
        all.len(),
        a.found.len()
    ));
    if all.is_empty() {
        return;
    }
    let mut t = Table::new(&["Figure", "From → to", "Change [95 % interval]", "Between runs", "What changed"]).numeric(&[1, 2]);
    for (s, c) in all {
        let (lo, hi) = c.point.test.interval;
        let size = format!("{:+.1} % [{:+.1}, {:+.1}]", c.point.test.effect * 100.0, lo * 100.0, hi * 100.0);
        let tone = if c.point.test.effect < 0.0 { Tone::Bad } else { Tone::Good };
        let changed = if c.changed.is_empty() { "nothing recorded".to_string() } else { c.changed.join("; ") };
        t.row(tone, vec![figure(s), from_to(s.key.metric, c).into(), size.into(), between(a, c), changed.into()]);
    }
    doc.push(Block::Table(t));
}

/// `lock_counter` GIL off, 1 thread: throughput.
fn figure(s: &Series) -> Inl {
    let k = &s.key;
    Inl::new().c(&k.workload).t(format!(" {}, {}: {}", format::gil_mode(k.mode), format::threads(k.threads), k.metric.label()))
}

fn from_to(metric: Metric, c: &Change) -> String {
    let v = |x: f64| if metric == Metric::Throughput { format::ops(x) } else { format::ratio(x) };
    format!("{} → {}", v(c.from), v(c.to))
}

/// "#9 → #10 (2025-01-01T00:09:00Z → …)": the two runs, in the machine's order, and when.
fn between(a: &Analysis, c: &Change) -> Inl {
    let (b, n) = (&a.records[c.before].run, &a.records[c.after].run);
    Inl::new().t(format!("#{} → #{} ", a.position(c.before), a.position(c.after))).t(format!("({} → {})", b.started, n.started))
}

fn runs(doc: &mut Doc, a: &Analysis) {
    doc.h(2, "runs", "Runs");
    for (key, indices) in &a.machines {
        let newest = &a.records[*indices.last().expect("a machine has a run")];
        let label = newest.machine.label.as_deref().map(|l| format!("{l}: ")).unwrap_or_default();
        let name = format!("{label}{} ({} cores, {key})", newest.machine.cpu_model, newest.machine.logical_cores);
        let mut t = Table::new(&["#", "Run", "Started", "Suite commit", "Python", "What changed since the run before"]).numeric(&[0]);
        for (i, r) in indices.iter().enumerate().rev() {
            let rec = &a.records[*r];
            let since = i.checked_sub(1).map(|p| run_changes(&a.records[indices[p]], rec)).unwrap_or_default();
            let commit = crate::baseline::short_commit(&rec.run.suite_commit).to_string();
            let cells = vec![
                (i + 1).to_string().into(),
                Inl::new().c(&rec.run.id),
                rec.run.started.as_str().into(),
                Inl::new().c(commit),
                rec.interpreter.as_str().into(),
                since.into(),
            ];
            t.row(Tone::Plain, cells);
        }
        doc.push(Block::Fold {
            summary: Inl::new().b(name).t(format!(": {} runs, newest first", indices.len())),
            blocks: vec![Block::Table(t)],
        });
    }
}

/// What changed between two runs for any workload: the run's changes and every workload file.
fn run_changes(before: &crate::history::RunRecord, after: &crate::history::RunRecord) -> String {
    let names: std::collections::BTreeSet<&String> = before.workloads.keys().chain(after.workloads.keys()).collect();
    let mut all: Vec<String> = Vec::new();
    for n in names {
        for c in crate::history::series::changed(before, after, n) {
            if !all.contains(&c) {
                all.push(c);
            }
        }
    }
    all.join("; ")
}

/// `ftbench history place`: the run's figures that lie outside where one more run of the last runs'
/// code would fall (all of them with `all`), furthest first, under a line that says how many.
pub fn placement(run: &str, placements: &[Placement], last: usize, all: bool) -> Doc {
    let mut doc = Doc { title: format!("Run {run} against the history's last {last} runs"), blocks: vec![] };
    let outside = placements.iter().filter(|p| p.outside()).count();
    doc.p(format!(
        "{outside} of {} figures lie outside the {:.0} % range where one more run of the last runs' code would fall \
         (expect about 1 in 100 by chance: a place to look, not a verdict). Figures whose series has fewer than {MIN_RUNS} \
         earlier runs on this machine are not placed.",
        placements.len(),
        LEVEL * 100.0
    ));
    let shown: Vec<&Placement> = placements.iter().filter(|p| all || p.outside()).collect();
    if shown.is_empty() {
        return doc;
    }
    let mut t = Table::new(&["Figure", "This run", "Last runs (median)", "Change [99 % range]"]).numeric(&[1, 2, 3]);
    for p in shown {
        let v = |x: f64| if p.key.metric == Metric::Throughput { format::ops(x) } else { format::ratio(x) };
        let (lo, hi) = p.interval_pct;
        let tone = match (p.outside(), p.change_pct < 0.0) {
            (false, _) => Tone::Plain,
            (true, true) => Tone::Bad,
            (true, false) => Tone::Good,
        };
        let key = &p.key;
        let figure = Inl::new().c(&key.workload).t(format!(
            " {}, {}: {}",
            format::gil_mode(key.mode),
            format::threads(key.threads),
            key.metric.label()
        ));
        let change = format!("{:+.1} % [{lo:+.1}, {hi:+.1}]", p.change_pct);
        t.row(tone, vec![figure, v(p.value).into(), format!("{} ({} runs)", v(p.median), p.runs).into(), change.into()]);
    }
    doc.push(Block::Table(t));
    doc
}
