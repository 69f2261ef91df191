//! One candidate of a group: its standing (ranked, or why not) and its figures at the group's
//! thread count, as the decision rule and the report read them.

use super::grouped::Modes;
use super::{collapse, Candidate, Standing};
use crate::results::{GilMode, RowStatus, WorkloadStatus};

/// `name`'s candidate in `mode` at `threads` (labels are set by the group, which knows its members).
pub(super) fn candidate(name: &str, modes: &Modes, mode: GilMode, threads: Option<usize>) -> Candidate {
    let any = modes.values().next().expect("at least one mode");
    let here = modes.get(&mode).copied();
    let meta = &here.unwrap_or(any).meta;
    let row = here.and_then(|w| threads.and_then(|t| w.rows.iter().find(|r| r.threads == t)));
    let valid_at = |m: GilMode, t: usize| modes.get(&m).and_then(|w| w.rows.iter().find(|r| r.threads == t && r.is_valid()));
    let mut curve: Vec<_> =
        here.map(|w| w.rows.iter().filter(|r| r.is_valid()).filter_map(|r| Some((r.threads, r.throughput?))).collect()).unwrap_or_default();
    curve.sort_by_key(|(t, _)| *t);
    let gil_reenabled = modes.get(&GilMode::Off).is_some_and(|w| w.status == WorkloadStatus::GilReenabled);
    let off_at_n = threads.and_then(|t| valid_at(GilMode::Off, t)).filter(|_| !gil_reenabled);
    let mut c = Candidate {
        workload: name.to_string(),
        primitive: meta.primitive.clone(),
        label: String::new(),
        short: String::new(),
        standing: Standing::NotMeasured,
        rank: None,
        throughput: row.and_then(|r| r.throughput),
        speedup: row.and_then(|r| r.speedup),
        speedup_interval: row.and_then(|r| r.speedup_interval),
        base_threads: here.and_then(|w| w.rows.iter().filter(|r| r.speedup.is_some()).map(|r| r.threads).min()),
        efficiency: row.and_then(|r| r.efficiency),
        ft_gain: off_at_n.and_then(|r| r.ft_gain),
        ft_gain_interval: off_at_n.and_then(|r| r.ft_gain_interval),
        curve,
        gil_on: threads.filter(|_| mode == GilMode::Off).and_then(|t| valid_at(GilMode::On, t)?.throughput),
        lost_updates: row
            .map(|r| r.lost_updates)
            .or_else(|| modes.values().flat_map(|w| w.rows.iter().map(|r| r.lost_updates)).max())
            .unwrap_or(0),
        collapse: here.and_then(|w| collapse(&w.rows)),
        note: None,
    };

    // The workload's own status first.
    let Some(w) = here else {
        c.note = Some(format!("not run with {}", mode.label()));
        if let Some(other) = modes.values().find(|w| w.status == WorkloadStatus::Skipped) {
            c.standing = Standing::Skipped;
            c.note = other.reason.clone().or(c.note);
        }
        return c;
    };
    let reason = || w.reason.clone().filter(|r| !r.trim().is_empty());
    match w.status {
        WorkloadStatus::Skipped => {
            c.standing = Standing::Skipped;
            c.note = Some(reason().unwrap_or_else(|| format!("{} (no reason given)", w.status.label())));
            return c;
        }
        WorkloadStatus::Timeout | WorkloadStatus::Crashed | WorkloadStatus::Error => {
            c.standing = Standing::Failed;
            let what = w.status.label();
            c.note = Some(match reason() {
                Some(r) => format!("{what}: {r}"),
                None => what.to_string(),
            });
            return c;
        }
        WorkloadStatus::GilReenabled => {
            c.standing = Standing::GilReenabled;
            c.note = Some(reason().unwrap_or_else(|| "its import re-enabled the GIL: its GIL-off numbers are GIL-on numbers".into()));
            return c;
        }
        WorkloadStatus::Ran | WorkloadStatus::Interrupted => {}
    }

    // Unsynchronized baselines: shown, never ranked.
    if meta.unsynchronized {
        c.standing = Standing::Unsafe;
        c.gil_on = None;
        let at = match (row, threads) {
            (Some(_), Some(t)) => format!(" at {}", crate::text::threads(t)),
            _ => String::new(),
        };
        c.note = Some(if c.lost_updates > 0 {
            format!("unsynchronized, lost {} updates{at}", c.lost_updates)
        } else {
            "unsynchronized baseline (no lost updates observed, still unsafe)".into()
        });
        return c;
    }

    // A row that broke its invariant or raised, at any count, in any mode, disqualifies.
    let bad = modes
        .values()
        .flat_map(|w| w.rows.iter().map(move |r| (w.mode, r)))
        .filter(|(_, r)| matches!(r.status, RowStatus::Invalid | RowStatus::Error | RowStatus::LostUpdates))
        .min_by_key(|(m, r)| (*m != mode, r.threads));
    if let Some((m, r)) = bad {
        c.standing = Standing::Invalid;
        c.gil_on = None;
        let what = r.status.label();
        let msg = r.message.as_deref().map(crate::text::first_line).filter(|s| !s.is_empty());
        c.note = Some(format!(
            "{what} at {} ({}){}",
            crate::text::threads(r.threads),
            m.label(),
            msg.map(|m| format!(": {m}")).unwrap_or_default()
        ));
        return c;
    }

    match row {
        Some(r) if r.is_valid() => {
            c.standing = Standing::Ranked;
            if w.status == WorkloadStatus::Interrupted {
                c.note = Some("interrupted before its sweep finished".into());
            }
        }
        Some(_) => {
            c.note = Some(format!("no throughput at {}", crate::text::threads(threads.unwrap_or(0))));
        }
        None => {
            c.note = Some(match (threads, w.status) {
                (_, WorkloadStatus::Interrupted) => "interrupted before this thread count".into(),
                (Some(t), _) => format!("not measured at {}", crate::text::threads(t)),
                (None, _) => "no measurements".into(),
            });
        }
    }
    c
}
