//! The "Primitive selection" section: the selection ([`crate::selection`]) rendered, per group
//! its decision, its candidates' figures, and folded under them the comparisons behind it and its chart.

use super::cells::{ci, opt};
use crate::report::charts::{ChartFile, ChartKind};
use crate::report::decision::{vs_base, Names, Words};
use crate::report::doc::{Block, Doc, Inl, Table, Tone};
use crate::report::format;
use crate::results::GilMode;
use crate::selection::{Candidate, Group, Selection, Standing};

fn candidate_tone(c: &Candidate) -> Tone {
    match c.standing {
        Standing::Ranked if c.rank == Some(1) => Tone::Good,
        Standing::Ranked => Tone::Plain,
        Standing::Unsafe | Standing::GilReenabled => Tone::Warn,
        Standing::Invalid | Standing::Failed => Tone::Bad,
        Standing::NotMeasured | Standing::Skipped => Tone::Muted,
    }
}

/// The "Primitive selection" section: one decision and one ranked table per group.
pub(super) fn section(doc: &mut Doc, s: &Selection, charts: &[ChartFile]) {
    doc.h(2, "selection", "Primitive selection");
    let at = match s.reference_threads {
        Some(t) if t == s.cores => format!("{} (the {} count)", format::threads(t), s.cores_kind),
        Some(t) if s.cores > 0 => format!("{} (the largest measured count ≤ {} {}s)", format::threads(t), s.cores, s.cores_kind),
        Some(t) => format::threads(t),
        None => format!("the {} count (nothing measured yet)", s.cores_kind),
    };
    let by = match s.mode {
        GilMode::Off => "GIL-off throughput",
        GilMode::On => "GIL-on throughput (this run has no GIL-off results)",
    };
    doc.p(format!(
        "Candidates are ranked by {by} at {at}, valid rows only. Unsynchronized baselines are shown for reference \
         and never ranked; workloads with an invalid or errored row (any thread count, either mode) are not ranked. \
         Throughput is each row's one figure, the mean of its faster passes with a 95 % interval; speedup (over the \
         fewest threads measured: 1, or the workload's MIN_THREADS, said as \"vs 2 threads\") and FT gain (GIL off \
         over on) are ratios of those figures, with intervals from their per-pass ratios; efficiency is speedup over \
         the ideal from that base. \"Beyond noise\": the intervals do not overlap (a figure against its own 1-thread one: its ratio's interval excludes 1). \"Collapses past N threads\": \
         throughput falls by more than 20 % from N to the next measured count."
    ));
    if s.scenarios.is_empty() {
        doc.p("No primitive workloads in this run.");
    }
    for sc in &s.scenarios {
        let id = format!("scenario-{}", if sc.scenario.is_empty() { "none" } else { &sc.scenario });
        doc.h(3, &id, sc.title.as_str());
        for g in &sc.groups {
            match (&g.operation, &g.family) {
                (Some(op), _) => doc.h(4, "", Inl::new().t(format!("Operation: {op}"))),
                (None, Some(f)) => doc.h(4, "", Inl::new().t("Variants of ").c(f)),
                (None, None) => {}
            }
            let w = Words { group: g, names: Names::Full };
            let mut decision = Inl::new().b("Decision:").t(" ").push(w.answer());
            if !w.at_n().is_empty() {
                decision = decision.t(format!("; at {}: ", g.threads.map(format::threads).unwrap_or_default())).push(w.at_n());
            }
            if g.winner().is_some() && g.decision.kind != crate::selection::Kind::Described {
                decision = decision.t(format!("; scales: {}", w.scales()));
            }
            let caveats = w.caveats(None);
            if caveats.plain() != "—" {
                decision = decision.t("; ").push(caveats);
            }
            doc.push(Block::Callout(Tone::Plain, decision));
            doc.push(Block::Table(candidates_table(s.mode, g)));
            // The comparisons behind the decision and the chart are folded, so that a scenario's
            // decisions and tables read in one screen.
            let reasons = w.reasons();
            let chart = charts.iter().find(|c| c.kind == ChartKind::Group && c.group.as_deref() == Some(g.key.as_str()));
            let summary = match (reasons.is_empty(), chart.is_some()) {
                (false, true) => "Why, and the chart",
                (true, true) => "The chart",
                (false, false) => "Why",
                (true, false) => continue,
            };
            let why = (!reasons.is_empty()).then(|| Block::List(reasons.into_iter().map(|r| Inl::new().t("Why: ").push(r)).collect()));
            let blocks = why.into_iter().chain(chart.map(|c| Block::Figures(vec![super::figures::figure(c)]))).collect();
            doc.push(Block::Fold { summary: summary.into(), blocks });
        }
    }
}

/// One group's candidates, ranked, with their figures at the group's thread count.
fn candidates_table(mode: GilMode, g: &Group) -> Table {
    let thr = g.threads.map(|t| format!(" @{t}")).unwrap_or_default();
    let tp = format!("{}{thr} (ops/s)", format::gil_mode(mode));
    let mut t = Table::new(&["#", "Workload", "Primitive", &tp, "CI", "Speedup (95 % CI)", "Efficiency", "FT gain (95 % CI)", "Status"])
        .numeric(&[0, 3, 4, 5, 6, 7]);
    for c in &g.candidates {
        let status = match (&c.standing, &c.note) {
            (Standing::Ranked, None) => Inl::new().t("ok"),
            (Standing::Ranked, Some(n)) => Inl::new().t(format!("ok ({n})")),
            (Standing::Unsafe, n) => Inl::new().b("unsafe").t(n.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()),
            (st, Some(n)) => Inl::new().b(st.label()).t(format!(": {n}")),
            (st, None) => Inl::new().b(st.label()),
        };
        let status = match c.collapse {
            Some(k) if c.standing == Standing::Ranked => {
                status.t(format!("; collapses past {} (−{} at {})", format::threads(k.after), format::pct(k.drop), k.next))
            }
            _ => status,
        };
        t.row(
            candidate_tone(c),
            vec![
                c.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()).into(),
                Inl::new().c(&c.workload),
                Inl::new().c(&c.primitive),
                opt(c.throughput, |e| format::si(e.point)).into(),
                opt(c.throughput.as_ref(), ci).into(),
                opt(c.speedup, |x| format!("{}{}", format::ratio_ci(x, c.speedup_interval), vs_base(c.base_threads))).into(),
                opt(c.efficiency, format::pct).into(),
                opt(c.ft_gain, |x| format::ratio_ci(x, c.ft_gain_interval)).into(),
                status,
            ],
        );
    }
    t
}
