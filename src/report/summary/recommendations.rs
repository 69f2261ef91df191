//! The report's answer first: one line per group of the selection — *use* the winner (its
//! throughput and how it scales), *it depends* when the two best tie in throughput and scaling,
//! *avoid* what collapses, loses updates or re-enables the GIL. Coordination primitives do different
//! jobs: they are described, not ranked (their variant families are alternatives, and are).

use crate::report::doc::{Block, Doc, Inl};
use crate::report::format;
use crate::report::selection::{Candidate, Group, Selection, Standing};

/// Scenarios whose workloads are not alternatives to each other (an Event does not replace a Barrier).
const DESCRIBED_NOT_RANKED: [&str; 1] = ["coordination"];

/// The "Recommendations" section, before everything else the report says.
pub(super) fn section(doc: &mut Doc, s: &Selection) {
    if s.scenarios.is_empty() {
        return;
    }
    doc.h(2, "recommendations", "Recommendations");
    let mut items = Vec::new();
    for sc in &s.scenarios {
        for g in &sc.groups {
            let title = match &g.family {
                Some(f) => Inl::new().b(sc.title.as_str()).t(", ").c(f).t(": "),
                None => Inl::new().b(sc.title.as_str()).t(": "),
            };
            let described_only = g.family.is_none() && DESCRIBED_NOT_RANKED.contains(&sc.scenario.as_str());
            let line = if described_only { described(g) } else { advice(g) };
            items.push(title.push(line));
        }
    }
    doc.push(Block::List(items));
}

/// "`W`: 1.60× from 1 thread, 21.7 M ops/s at 2 threads".
fn figures(c: &Candidate, g: &Group) -> String {
    let at = g.threads.map(|t| format!(" at {}", format::threads(t))).unwrap_or_default();
    let tp = c.throughput.map(|e| format!("{} ops/s{at}", format::si(e.point))).unwrap_or_default();
    match c.speedup {
        Some(s) => format!(" ({tp}, speedup {})", format::ratio(s)),
        None => format!(" ({tp})"),
    }
}

/// Use / it depends, then what to avoid.
fn advice(g: &Group) -> Inl {
    let ranked: Vec<&Candidate> = g.ranked().collect();
    let v = &g.verdict;
    let at = g.threads.map(|t| format!(" at {}", format::threads(t))).unwrap_or_default();
    // The line and the candidates it names as its subject (described below, not "avoided").
    let (mut l, named): (Inl, Vec<&str>) = match (ranked.first(), ranked.get(1)) {
        (None, _) => return nothing_to_recommend(g),
        (Some(w), None) => (Inl::new().t("only ").c(&w.label).t(figures(w, g)).t(" ran validly"), vec![&w.label]),
        (Some(w), Some(r)) => match (v.within_noise, v.scaling_differs) {
            (true, None) => {
                let line = Inl::new()
                    .b("it depends")
                    .t(": ")
                    .c(&w.label)
                    .t(" and ")
                    .c(&r.label)
                    .t(format!(" tie within noise{at} and scale alike"));
                (line, vec![&w.label, &r.label])
            }
            (true, Some((ws, rs))) => {
                let (scaler, other) = if ws >= rs { (w, r) } else { (r, w) };
                let line = Inl::new()
                    .b("use")
                    .t(" ")
                    .c(&scaler.label)
                    .t(figures(scaler, g))
                    .t(": it ties with ")
                    .c(&other.label)
                    .t(" here but scales better");
                (line, vec![&scaler.label])
            }
            (false, _) => {
                let ratio = v.ratio.map(format::ratio).unwrap_or_default();
                (Inl::new().b("use").t(" ").c(&w.label).t(figures(w, g)).t(format!(", {ratio} ")).c(&r.label), vec![&w.label])
            }
        },
    };
    for (why, who) in avoid(g) {
        l = match (named.contains(&who), named.len()) {
            (true, 1) => l.t(format!("; it {why}")),
            (true, _) => l.t("; ").c(who).t(format!(" {why}")),
            (false, _) => l.t("; ").b("avoid").t(" ").c(who).t(format!(": {why}")),
        };
    }
    l
}

/// A group with no valid candidate: why (skipped for this interpreter, only unsafe baselines, failures).
fn nothing_to_recommend(g: &Group) -> Inl {
    let skipped = g.candidates.iter().find(|c| c.standing == Standing::Skipped);
    let mut l = match skipped.and_then(|c| c.note.as_deref()) {
        Some(why) if g.candidates.iter().all(|c| c.standing == Standing::Skipped) => Inl::new().t(format!("not measured here: {why}")),
        _ => Inl::new().t("nothing to recommend"),
    };
    for (why, who) in avoid(g) {
        l = l.t("; ").c(who).t(format!(" {why}"));
    }
    l
}

/// What in the group not to use, and why.
fn avoid(g: &Group) -> Vec<(String, &str)> {
    g.candidates
        .iter()
        .filter_map(|c| match c.standing {
            Standing::Ranked => c.collapse.map(|k| (format!("collapses past {}", format::threads(k.after)), c.label.as_str())),
            Standing::Unsafe if c.lost_updates > 0 => Some(("loses updates (an unsynchronized baseline)".into(), c.label.as_str())),
            Standing::GilReenabled => Some(("importing it re-enables the GIL".into(), c.label.as_str())),
            Standing::Invalid => Some(("broke its invariant".into(), c.label.as_str())),
            _ => None,
        })
        .collect()
}

/// Each valid candidate with its figures: primitives for different jobs, side by side.
fn described(g: &Group) -> Inl {
    let parts: Vec<Inl> = g.ranked().map(|c| Inl::new().c(&c.label).t(figures(c, g))).collect();
    let mut l = Inl::new().t("different jobs, not ranked: ");
    for (i, p) in parts.into_iter().enumerate() {
        l = if i == 0 { l.push(p) } else { l.t("; ").push(p) };
    }
    l
}
