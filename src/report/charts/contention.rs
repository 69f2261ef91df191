//! The contention chart of the lock-like workloads, GIL off: blocked fraction (top) and context
//! switches per operation (bottom) vs threads.

use super::context::{gil_off_workloads, not_drawn_note, row_problem_summaries, runs, sorted_rows, Ctx};
use super::model::LegendEntry;
use super::model::{Axis, Body, Fmt, LinesPlot, Plot, Series};
use super::style::{style_for, MAX_SERIES};

/// Blocking primitives: the ones where "blocked" and context switches mean waiting for the primitive.
pub fn is_lock_like(primitive: &str) -> bool {
    primitive.split(|c: char| !c.is_ascii_alphanumeric()).any(|tok| {
        tok.ends_with("Lock")
            || tok.ends_with("Queue")
            || tok.ends_with("Semaphore")
            || matches!(tok, "Condition" | "Event" | "Barrier" | "Mutex")
    })
}

/// The contention chart of every lock-like GIL-off workload.
pub(super) fn plot(ctx: &Ctx) -> Plot {
    let (workloads, excluded) = gil_off_workloads(ctx);
    let mut blocked = Vec::new();
    let mut switches = Vec::new();
    let mut legend = Vec::new();
    let mut invalid = Vec::new();
    let mut drawn: Vec<&str> = Vec::new();
    let mut drawable = Vec::new();
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
        if !(b_runs.is_empty() && s_runs.is_empty()) {
            let peak = b_runs.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
            drawable.push((*name, b_runs, s_runs, peak));
        }
    }
    // The most contended, at most MAX_SERIES lines, drawn in name order; the rest named.
    drawable.sort_by(|a, b| b.3.total_cmp(&a.3));
    let left: Vec<String> = drawable.split_off(drawable.len().min(MAX_SERIES)).into_iter().map(|d| d.0.to_string()).collect();
    drawable.sort_by(|a, b| a.0.cmp(b.0));
    let (mut bmax, mut smax) = (0f64, 0f64);
    for (name, b_runs, s_runs, _) in drawable {
        bmax = b_runs.iter().flatten().map(|p| p.1).fold(bmax, f64::max);
        smax = s_runs.iter().flatten().map(|p| p.1).fold(smax, f64::max);
        let (color, marker, dashed) = style_for(legend.len());
        legend.push(LegendEntry { label: ctx.display_name(name), color, marker: Some(marker), dashed, band: false });
        drawn.push(name);
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
    if let Some(n) = not_drawn_note(&format!("Not drawn, to keep the {MAX_SERIES} most contended: "), &left) {
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
}
