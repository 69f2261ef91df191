//! Number formatting shared by tables and charts: SI prefixes, ratios, percentages.

pub use crate::text::threads;

const PREFIXES: [(f64, &str); 5] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")];

/// Three significant figures with an SI prefix and a space: `1.23 M`, `456 k`, `7.00`.
pub fn si(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let (scaled, prefix) = scale(v);
    let digits = sig_decimals(scaled.abs());
    if prefix.is_empty() {
        format!("{scaled:.digits$}")
    } else {
        format!("{scaled:.digits$} {prefix}")
    }
}

/// Throughput for tables and text: `1.23 M ops/s`.
pub fn ops(v: f64) -> String {
    let s = si(v);
    if s.ends_with(|c: char| c.is_ascii_digit()) {
        format!("{s} ops/s")
    } else {
        format!("{s}ops/s")
    }
}

/// Compact axis label: `1.5M`, `250k`, `0`, `0.5`.
pub fn si_axis(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == 0.0 {
        return "0".into();
    }
    let (scaled, prefix) = scale(v);
    let digits = sig_decimals(scaled.abs());
    let mut s = format!("{scaled:.digits$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    format!("{s}{prefix}")
}

fn scale(v: f64) -> (f64, &'static str) {
    let a = v.abs();
    for (factor, prefix) in PREFIXES {
        // Round first so 999_950 shows as "1.00 M", not "1000 k".
        if a >= factor * 0.9995 {
            return (v / factor, prefix);
        }
    }
    (v, "")
}

fn sig_decimals(a: f64) -> usize {
    if a >= 99.95 {
        0
    } else if a >= 9.995 {
        1
    } else if a >= 0.9995 {
        2
    } else if a >= 0.09995 {
        3
    } else {
        4
    }
}

/// A ratio such as a speedup or a gain: `3.1×`, `1.04×`, `0.35×`, `120×`.
pub fn ratio(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x >= 99.5 {
        format!("{x:.0}×")
    } else if x >= 1.95 {
        format!("{x:.1}×")
    } else {
        format!("{x:.2}×")
    }
}

/// A ratio with its interval: `0.50× [0.46×, 0.55×]` (the ratio alone without one).
pub fn ratio_ci(x: f64, interval: Option<[f64; 2]>) -> String {
    match interval {
        Some([lo, hi]) => format!("{} [{}, {}]", ratio(x), ratio(lo), ratio(hi)),
        None => ratio(x),
    }
}

/// A throughput with its interval: `15.6 M [14.4 M, 16.8 M]` (the point alone without one).
pub fn si_ci(point: f64, interval: Option<[f64; 2]>) -> String {
    match interval {
        Some([lo, hi]) => format!("{} [{}, {}]", si(point), si(lo), si(hi)),
        None => si(point),
    }
}

/// A fraction (0..1) as a percentage: `42 %`, `3.5 %`, `0.12 %`.
pub fn pct(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "n/a".into();
    }
    let p = fraction * 100.0;
    if p.abs() >= 9.95 || p == 0.0 {
        format!("{p:.0} %")
    } else if p.abs() >= 0.995 {
        format!("{p:.1} %")
    } else {
        format!("{p:.2} %")
    }
}

/// A small quantity (context switches per op) with up to 3 significant figures.
pub fn small(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    if v.abs() >= 1000.0 {
        return si(v);
    }
    let digits = sig_decimals(v.abs()).max(if v.abs() < 0.01 { 5 } else { 0 });
    format!("{v:.digits$}")
}

/// Bytes with a binary prefix: `15.5 GiB`.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A short duration: `38 µs`, `4.18 ms`, `1.20 s`.
pub fn seconds(v: f64) -> String {
    match v.abs() {
        a if !a.is_finite() => "n/a".into(),
        a if a < 1e-3 => format!("{:.0} µs", v * 1e6),
        a if a < 1.0 => format!("{:.2} ms", v * 1e3),
        _ => format!("{v:.2} s"),
    }
}

/// A GIL mode in words, for headings, legends and notes: `GIL off`, `GIL on`.
pub fn gil_mode(m: crate::results::GilMode) -> &'static str {
    use crate::results::GilMode;
    match m {
        GilMode::Off => "GIL off",
        GilMode::On => "GIL on",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_prefixes() {
        assert_eq!(si(1_234_000.0), "1.23 M");
        assert_eq!(si(456_000.0), "456 k");
        assert_eq!(si(999_999.0), "1.00 M");
        assert_eq!(si(7.0), "7.00");
        assert_eq!(si(2.5e9), "2.50 G");
        assert_eq!(si(0.0), "0");
        assert_eq!(ops(1.5e6), "1.50 Mops/s");
        assert_eq!(ops(12.0), "12.0 ops/s");
    }

    #[test]
    fn short_durations_pick_their_unit() {
        assert_eq!(seconds(3.8e-5), "38 µs");
        assert_eq!(seconds(4.183e-3), "4.18 ms");
        assert_eq!(seconds(1.2), "1.20 s");
    }

    #[test]
    fn axis_labels_trim_zeros() {
        assert_eq!(si_axis(2_000_000.0), "2M");
        assert_eq!(si_axis(250_000.0), "250k");
        assert_eq!(si_axis(1_500_000.0), "1.5M");
        assert_eq!(si_axis(0.0), "0");
    }

    #[test]
    fn ratios_and_percentages() {
        assert_eq!(ratio(3.12), "3.1×");
        assert_eq!(ratio(1.04), "1.04×");
        assert_eq!(ratio(0.351), "0.35×");
        assert_eq!(pct(0.42), "42 %");
        assert_eq!(pct(0.035), "3.5 %");
        assert_eq!(bytes(16 * 1024 * 1024 * 1024), "16.0 GiB");
    }
}
