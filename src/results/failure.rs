//! A workload that failed in a run, in the words every exit code and headline uses: what a run's
//! exit status counts, and what a comparison's gate counts when the base did not fail there.

use serde::Serialize;

use super::{GilMode, RowStatus, RunResults, WorkloadResult, WorkloadStatus};

/// How a workload failed.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// Its import turned the GIL back on in a GIL-off child.
    GilReenabled,
    /// A round did not finish (deadlock or hang).
    TimedOut,
    /// The child died (a signal, an abnormal exit).
    Crashed,
    /// The file would not load or set up, or the child failed.
    Error,
    /// A worker raised.
    Raised,
    /// `verify` found the invariant broken.
    BrokeInvariant,
}

/// Where a failure happened: at import (the whole workload × mode) or at one thread count.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Place {
    Workload,
    Threads(usize),
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Failure {
    pub workload: String,
    pub mode: GilMode,
    pub place: Place,
    pub kind: FailureKind,
}

impl Failure {
    /// "lock_counter re-enabled the GIL on import", "deadlock timed out at 2 threads (gil-off)".
    pub fn describe(&self) -> String {
        let at = match self.place {
            Place::Threads(t) => format!(" at {t} thread{}", if t == 1 { "" } else { "s" }),
            Place::Workload => String::new(),
        };
        let what = match self.kind {
            FailureKind::GilReenabled => return format!("{} re-enabled the GIL on import", self.workload),
            FailureKind::TimedOut => "timed out (deadlock?)",
            FailureKind::Crashed => "crashed",
            FailureKind::Error => "failed to load or run",
            FailureKind::Raised => "raised in a worker",
            FailureKind::BrokeInvariant => "broke its invariant",
        };
        format!("{} {what}{at} ({})", self.workload, self.mode)
    }
}

impl RunResults {
    /// Every failure of the run: workloads that re-enabled the GIL, timed out, crashed or errored,
    /// and rows that raised or broke their invariant. Skipped and interrupted workloads, rows
    /// that only lost updates (unsynchronized baselines) or were disturbed are not failures.
    pub fn failures(&self) -> Vec<Failure> {
        self.workloads.iter().flat_map(workload_failures).collect()
    }
}

fn workload_failures(w: &WorkloadResult) -> Vec<Failure> {
    let failure = |place, kind| Failure { workload: w.workload.clone(), mode: w.mode, place, kind };
    let whole = match w.status {
        WorkloadStatus::GilReenabled => Some(FailureKind::GilReenabled),
        WorkloadStatus::Timeout => Some(FailureKind::TimedOut),
        WorkloadStatus::Crashed => Some(FailureKind::Crashed),
        WorkloadStatus::Error => Some(FailureKind::Error),
        WorkloadStatus::Ran | WorkloadStatus::Skipped | WorkloadStatus::Interrupted => None,
    };
    let place = w.failed_at.map_or(Place::Workload, Place::Threads);
    let rows = w.rows.iter().filter_map(|r| match r.status {
        RowStatus::Error => Some(failure(Place::Threads(r.threads), FailureKind::Raised)),
        RowStatus::Invalid => Some(failure(Place::Threads(r.threads), FailureKind::BrokeInvariant)),
        RowStatus::Ok | RowStatus::LostUpdates => None,
    });
    whole.map(|k| failure(place, k)).into_iter().chain(rows).collect()
}

/// What another run says of a failure's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elsewhere {
    /// It measured the place and it worked: the workload loaded and ran in the same GIL mode, and
    /// (at a thread count) that row exists and did not fail.
    Worked,
    /// It failed there too (or failed to load the workload at all).
    Failed,
    /// It did not measure the place: not the workload in that mode, or not that thread count.
    NotMeasured,
}

impl Failure {
    /// What `run` says of this failure's place.
    pub fn in_run(&self, run: &RunResults) -> Elsewhere {
        let Some(w) = run.workload(&self.workload, self.mode) else { return Elsewhere::NotMeasured };
        let failed = workload_failures(w);
        let failed_at = |p: Place| failed.iter().any(|f| f.place == p);
        let measured = match self.place {
            Place::Workload => !w.rows.is_empty() || failed_at(Place::Workload),
            Place::Threads(t) => w.rows.iter().any(|r| r.threads == t) || failed_at(Place::Threads(t)),
        };
        if failed_at(Place::Workload) || failed_at(self.place) {
            Elsewhere::Failed
        } else if measured {
            Elsewhere::Worked
        } else {
            Elsewhere::NotMeasured
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{measured_row, run, workload};

    fn with(workloads: Vec<WorkloadResult>) -> RunResults {
        RunResults { workloads, ..run("r") }
    }

    fn good(name: &str) -> WorkloadResult {
        workload(name, GilMode::Off, WorkloadStatus::Ran, vec![measured_row(1, 1e6, 1e4), measured_row(2, 2e6, 2e4)])
    }

    #[test]
    fn every_failing_status_is_a_failure_and_nothing_else_is() {
        let mut raised = good("raises");
        raised.rows[1].status = RowStatus::Error;
        let mut broken = good("breaks");
        broken.rows[0].status = RowStatus::Invalid;
        let mut lossy = good("unsynchronized");
        lossy.rows[1].status = RowStatus::LostUpdates;
        let mut disturbed = good("disturbed");
        disturbed.rows[1].disturbed = Some("steal 30 %".into());
        let mut hung = good("deadlock");
        (hung.status, hung.failed_at) = (WorkloadStatus::Timeout, Some(2));
        let r = with(vec![
            workload("reenables", GilMode::Off, WorkloadStatus::GilReenabled, vec![]),
            hung,
            workload("segfault", GilMode::Off, WorkloadStatus::Crashed, vec![]),
            workload("syntax", GilMode::Off, WorkloadStatus::Error, vec![]),
            raised,
            broken,
            lossy,
            disturbed,
            workload("skipped", GilMode::Off, WorkloadStatus::Skipped, vec![]),
            workload("interrupted", GilMode::Off, WorkloadStatus::Interrupted, vec![]),
        ]);
        let said: Vec<String> = r.failures().iter().map(Failure::describe).collect();
        assert_eq!(
            said,
            [
                "reenables re-enabled the GIL on import",
                "deadlock timed out (deadlock?) at 2 threads (gil-off)",
                "segfault crashed (gil-off)",
                "syntax failed to load or run (gil-off)",
                "raises raised in a worker at 2 threads (gil-off)",
                "breaks broke its invariant at 1 thread (gil-off)",
            ]
        );
    }

    #[test]
    fn a_place_worked_only_where_the_run_measured_it_without_failing() {
        let mut hung = good("lock_counter");
        (hung.status, hung.failed_at) = (WorkloadStatus::Timeout, Some(2));
        let base = with(vec![hung, good("cpu_only"), workload("syntax", GilMode::Off, WorkloadStatus::Error, vec![])]);
        let at = |name: &str, place| Failure { workload: name.into(), mode: GilMode::Off, place, kind: FailureKind::Crashed };
        assert_eq!(at("cpu_only", Place::Workload).in_run(&base), Elsewhere::Worked);
        assert_eq!(at("cpu_only", Place::Threads(2)).in_run(&base), Elsewhere::Worked);
        assert_eq!(at("cpu_only", Place::Threads(4)).in_run(&base), Elsewhere::NotMeasured, "a thread count the base did not run");
        assert_eq!(at("absent", Place::Workload).in_run(&base), Elsewhere::NotMeasured);
        assert_eq!(at("lock_counter", Place::Threads(1)).in_run(&base), Elsewhere::Worked, "it worked at 1 thread before hanging at 2");
        assert_eq!(at("lock_counter", Place::Threads(2)).in_run(&base), Elsewhere::Failed);
        assert_eq!(at("syntax", Place::Threads(1)).in_run(&base), Elsewhere::Failed, "it never loaded in the base");
        let mut on = at("cpu_only", Place::Workload);
        on.mode = GilMode::On;
        assert_eq!(on.in_run(&base), Elsewhere::NotMeasured, "another GIL mode");
    }
}
