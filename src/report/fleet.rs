//! The fleet report's document (`ftbench fleet RUN…`): the machines, then per scenario group the
//! answer across them and each machine's, rendered to Markdown and HTML like a run's report.

use crate::fleet::{Across, Cell, Fleet, GroupAcross};
use crate::report::charts::{group_key, ChartFile};
use crate::report::doc::{Block, Doc, Figure, Inl, Table, Tone};
use crate::report::format;

/// The whole fleet report, each group's chart (if drawn) under its table.
pub fn build(fleet: &Fleet, groups: &[GroupAcross], charts: &[ChartFile]) -> Doc {
    let mut doc = Doc { title: format!("ftbench fleet: {} machines", fleet.members.len()), blocks: vec![] };
    machines(&mut doc, fleet);
    doc.h(2, "answers", "Answers across machines");
    doc.p("Per group, the winner at each machine's own core count (P-cores on a hybrid CPU): portable when every machine \
         that has a winner agrees (with the smallest margin it wins by), depends when a machine flips it.");
    doc.push(Block::List(groups.iter().map(answer).collect()));
    for g in groups {
        doc.h(3, "", title(g));
        let mut t = Table::new(&["Machine", "Answer", "Margin", "At"]).numeric(&[2, 3]);
        for (m, c) in fleet.members.iter().zip(&g.cells) {
            let (tone, answer, margin, at) = match c {
                Cell::Winner { label, margin, threads, within_noise } => (
                    Tone::Plain,
                    Inl::new().c(label),
                    margin
                        .map(|x| format!("{}{}", format::ratio(x), if *within_noise { " (within noise)" } else { "" }))
                        .unwrap_or_default(),
                    threads.map(format::threads).unwrap_or_default(),
                ),
                Cell::Nothing(why) => (Tone::Muted, Inl::new().t(format!("nothing valid: {why}")), String::new(), String::new()),
                Cell::NotComparable(why) => {
                    (Tone::Warn, Inl::new().b("not comparable").t(format!(": {why}")), String::new(), String::new())
                }
                Cell::Absent => (Tone::Muted, Inl::new().t("not run"), String::new(), String::new()),
            };
            t.row(tone, vec![m.label.as_str().into(), answer, margin.into(), at.into()]);
        }
        doc.push(Block::Table(t));
        let key = group_key(&g.scenario, g.family.as_deref());
        if let Some(c) = charts.iter().find(|c| c.group.as_deref() == Some(&key)) {
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
    match &g.family {
        Some(f) => Inl::new().t(format!("{}: variants of ", g.title)).c(f),
        None => Inl::new().t(g.title.clone()),
    }
}

/// "Hot counters: portable — `X` wins on every machine (by at least 1.3× on M)".
fn answer(g: &GroupAcross) -> Inl {
    let l = match &g.family {
        Some(f) => Inl::new().b(g.title.as_str()).t(", ").c(f).t(": "),
        None => Inl::new().b(g.title.as_str()).t(": "),
    };
    match &g.across {
        Across::Portable { winner, worst } => {
            let by = worst
                .as_ref()
                .map(|(x, on, tie)| {
                    format!(" (by at least {} on {on}{})", format::ratio(*x), if *tie { ", a tie within noise there" } else { "" })
                })
                .unwrap_or_default();
            l.b("portable").t(": ").c(winner).t(format!(" wins on every machine that has a winner{by}"))
        }
        Across::Depends { winners } => {
            let mut l = l.b("depends").t(": ");
            for (i, (w, on)) in winners.iter().enumerate() {
                l = if i == 0 { l } else { l.t("; ") }.c(w).t(format!(" on {}", on.join(", ")));
            }
            l
        }
        Across::Unknown => l.t("no machine has a valid winner"),
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
