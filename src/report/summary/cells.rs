//! Small cell and text helpers shared by the summary's sections.

use crate::report::format;
use crate::results::{Estimate, RowStatus, ThreadRow};

/// The value formatted, or "—" when there is none.
pub(super) fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map(f).unwrap_or_else(|| "—".into())
}

/// The first non-blank line of `s`, trimmed.
pub(super) fn first_line(s: &str) -> &str {
    s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

/// A confidence interval as "±x %" of its point.
pub(super) fn ci(e: &Estimate) -> String {
    match e.relative_half_width() {
        Some(half) if e.point > 0.0 => format!("±{}", format::pct(half.max(0.0))),
        _ => "—".into(),
    }
}

/// A row's status in one or two words.
pub(super) fn row_status_word(row: &ThreadRow) -> String {
    match row.status {
        RowStatus::Ok if row.throughput.is_none() => "ok (no throughput)".into(),
        RowStatus::Ok if row.disturbed.is_some() => "disturbed".into(),
        RowStatus::Ok if row.implausible.is_some() => "implausible".into(),
        RowStatus::Ok => "ok".into(),
        RowStatus::Invalid => "invalid".into(),
        RowStatus::LostUpdates => format!("lost updates ({})", row.lost_updates),
        RowStatus::Error => "error".into(),
    }
}
