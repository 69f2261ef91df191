//! Plain text shared by every writer (report, compare, export, terminal lines): a message reduced
//! to the one line a table cell or a note has room for, and the one terminal table (compare,
//! baseline, stress and doctor print theirs with it).

use std::fmt::Write as _;

/// The first non-blank line of `s`, trimmed ("" when there is none).
pub fn first_line(s: &str) -> &str {
    s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

/// [`first_line`], cut to `max` characters with an ellipsis.
pub fn one_line(s: &str, max: usize) -> String {
    let line = first_line(s);
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_string()
    }
}

/// `1 thread`, `4 threads`.
pub fn threads(n: usize) -> String {
    if n == 1 {
        "1 thread".into()
    } else {
        format!("{n} threads")
    }
}

/// `x` with at most `decimals` decimals and no trailing zeros ("0.01", "5", "95").
pub fn trim_float(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Rows as left-aligned columns two spaces apart under heads in capitals; widths count characters.
pub fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let head: Vec<String> = head.iter().map(|h| h.to_uppercase()).collect();
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for cells in std::iter::once(&head).chain(rows) {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths.get(i).map_or(0, |w| w.saturating_sub(cell.chars().count()));
            let _ = write!(line, "{cell}{:pad$}  ", "");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_non_blank_line_trimmed_and_cut() {
        assert_eq!(first_line("\n  \n  boom  \nmore"), "boom");
        assert_eq!(first_line(""), "");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("abc", 3), "abc");
        assert_eq!((trim_float(0.010, 3), trim_float(95.0, 2), trim_float(100.0, 0)), ("0.01".into(), "95".into(), "100".into()));
    }

    #[test]
    fn table_columns_align_on_the_widest_cell() {
        let rows = vec![vec!["lock".to_string(), "ok".into()], vec!["é".into(), "".into()]];
        assert_eq!(table(&["name", "status"], &rows), "NAME  STATUS\nlock  ok\né\n");
    }
}
