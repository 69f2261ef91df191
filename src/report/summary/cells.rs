//! Small cell and text helpers shared by the summary's sections.

use crate::report::format;
use crate::results::{Estimate, RowStatus, ThreadRow};
pub(super) use crate::text::first_line;

/// The value formatted, or "—" when there is none.
pub(super) fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map(f).unwrap_or_else(|| "—".into())
}

/// A confidence interval as "±x %" of its point.
pub(super) fn ci(e: &Estimate) -> String {
    match e.relative_half_width() {
        Some(half) if e.point > 0.0 => format!("±{}", format::pct(half.max(0.0))),
        _ => "—".into(),
    }
}

/// A row's status in one or two words: its problem's label, or "ok".
pub(super) fn row_status_word(row: &ThreadRow) -> String {
    match row.problem() {
        None => row.status.label().into(),
        Some(p) if row.status == RowStatus::Ok && row.throughput.is_none() => format!("{} ({})", row.status.label(), p.label),
        Some(p) => p.label,
    }
}
