//! The fleet report's document (`ftbench fleet RUN…`): the machines, then per scenario group the
//! answer across them and each machine's, rendered to Markdown and HTML like a run's report.

use crate::fleet::{Across, Cell, Fleet, GroupAcross};
use crate::report::charts::{group_title, ChartFile};
use crate::report::decision::{Names, Words};
use crate::report::doc::{Block, Doc, Figure, Inl, Table, Tone};
use crate::report::format;

/// The whole fleet report, each group's chart (if drawn) under its table.
pub fn build(fleet: &Fleet, groups: &[GroupAcross], charts: &[ChartFile]) -> Doc {
    let mut doc = Doc { title: format!("ftbench fleet: {} machines", fleet.members.len()), blocks: vec![] };
    machines(&mut doc, fleet);
    doc.h(2, "answers", "Answers across machines");
    doc.p("Each machine decides each group by the rule of its own report (docs/choosing.md), at its own core count \
         (P-cores on a hybrid CPU), among the candidates every machine ranked: portable when they have one winner \
         wherever a machine has one (a machine where it only ties is named), a portable tie when no machine has a \
         clear winner, depends only when a machine's winner beats the others' beyond noise there.");
    doc.push(Block::List(groups.iter().map(answer).collect()));
    for g in groups {
        doc.h(3, "", title(g));
        let mut t = Table::new(&["Machine", "Answer", "At its core count", "Scales? (speedup, 95 % CI)"]);
        for (m, c) in fleet.members.iter().zip(&g.cells) {
            let (tone, cells): (Tone, Vec<Inl>) = match c {
                Cell::Decided(group) => {
                    let w = Words { group, names: Names::Short };
                    let at = group.threads.map(format::threads).unwrap_or_default();
                    (Tone::Plain, vec![w.answer(), Inl::new().t(format!("{at}: ")).push(w.at_n()), w.scales().into()])
                }
                Cell::Nothing(why) => (Tone::Muted, vec![Inl::new().t(format!("nothing valid: {why}"))]),
                Cell::NotComparable(why) => (Tone::Warn, vec![Inl::new().b("not comparable").t(format!(": {why}"))]),
                Cell::Absent => (Tone::Muted, vec![Inl::new().t("not run")]),
            };
            t.row(tone, std::iter::once(Inl::from(m.label.as_str())).chain(cells).collect());
        }
        doc.push(Block::Table(t));
        if let Some(c) = charts.iter().find(|c| c.group.as_deref() == Some(&g.key)) {
            let caption = Inl::new().t(format!("{}: efficiency vs threads per machine", c.title));
            doc.push(Block::Figures(vec![Figure {
                svg: format!("charts/{}.svg", c.base),
                png: format!("charts/{}.png", c.base),
                caption,
            }]));
        }
    }
    doc
}

fn title(g: &GroupAcross) -> Inl {
    Inl::new().t(group_title(&g.title, g.operation.as_deref(), g.family.as_deref()))
}

/// "Hot counters: portable — `X` wins on every machine (by at least 1.3× on M)".
fn answer(g: &GroupAcross) -> Inl {
    let l = Inl::new().b(g.title.as_str());
    let l = match (&g.operation, &g.family) {
        (Some(op), _) => l.t(format!(" ({op}): ")),
        (None, Some(f)) => l.t(", ").c(f).t(": "),
        (None, None) => l.t(": "),
    };
    let l = match &g.across {
        Across::Portable { winner, worst, ties_on } => {
            let by = worst.as_ref().map(|(x, on)| format!(" (by at least {} on {on})", format::ratio(*x))).unwrap_or_default();
            let ties = if ties_on.is_empty() { String::new() } else { format!("; a tie within noise on {}", ties_on.join(", ")) };
            l.b("portable").t(": ").c(winner).t(format!(" wins on every machine that has a clear winner{by}{ties}"))
        }
        Across::PortableTie { tied } => {
            let mut l = l.b("no clear winner anywhere").t(" (a portable tie): ");
            for (i, w) in tied.iter().enumerate() {
                l = if i == 0 { l } else { l.t(" ≈ ") }.c(w);
            }
            l.t(" on every machine")
        }
        Across::Depends { winners } => {
            let mut l = l.b("depends").t(": ");
            for (i, (top, on)) in winners.iter().enumerate() {
                l = if i == 0 { l } else { l.t("; ") };
                for (j, w) in top.iter().enumerate() {
                    l = if j == 0 { l } else { l.t(" ≈ ") }.c(w);
                }
                l = l.t(format!(" on {}", on.join(", ")));
            }
            l
        }
        Across::Only { who } => l.t("only ").c(who).t(" on every machine"),
        Across::Described => l.t("different jobs, described on each machine, ranked on none"),
        Across::Unknown => l.t("no candidate ranked on every machine"),
    };
    match g.threads_do_not_pay.len() {
        0 => l,
        n if n == g.cells.iter().filter(|c| matches!(c, Cell::Decided(_))).count() => l.t("; threads do not pay on every machine"),
        _ => l.t(format!("; threads do not pay on {}", g.threads_do_not_pay.join(", "))),
    }
}

fn machines(doc: &mut Doc, fleet: &Fleet) {
    doc.h(2, "machines", "Machines");
    let mut t = Table::new(&["Machine", "CPU", "Cores (logical / physical / P+E)", "OS", "Interpreter", "Suite commit", "When", "Noise"]);
    for m in &fleet.members {
        let (r, mf) = (&m.results, &m.results.machine);
        let pe = match (mf.performance_cores, mf.efficiency_cores) {
            (Some(p), Some(e)) => format!(" / {p}+{e}"),
            _ => String::new(),
        };
        let cores = format!("{} / {}{pe}", mf.logical_cores, mf.physical_cores.map_or("?".into(), |p| p.to_string()));
        let interp =
            r.interpreters.first().map(|i| i.version_info.iter().map(u32::to_string).collect::<Vec<_>>().join(".")).unwrap_or_default();
        let noise = r.noise.as_ref().and_then(|n| n.canary_cv).map(|cv| format!("canary drift {:.1} %", cv * 100.0)).unwrap_or_default();
        let commit = crate::baseline::short_commit(&r.run.suite_commit).to_string();
        t.row(
            Tone::Plain,
            vec![
                m.label.as_str().into(),
                mf.cpu_model.as_str().into(),
                cores.into(),
                mf.os.as_str().into(),
                interp.into(),
                Inl::new().c(commit),
                r.run.started.as_str().into(),
                noise.into(),
            ],
        );
    }
    doc.push(Block::Table(t));
    if !fleet.superseded.is_empty() {
        doc.p(format!("Older runs of a machine with a newer one, left out: {}.", fleet.superseded.join(", ")));
    }
    if !fleet.missing.is_empty() {
        let text =
            "No run from these machines (their runner failed, timed out or was cancelled); the answers below are the other machines':";
        doc.push(Block::Warning {
            title: "Machines missing from the fleet".into(),
            text: text.into(),
            items: fleet.missing.iter().map(|m| m.as_str().into()).collect(),
        });
    }
}
