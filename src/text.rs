//! Plain text shared by every writer (report, compare, export, terminal lines): a message reduced
//! to the one line a table cell or a note has room for.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_non_blank_line_trimmed_and_cut() {
        assert_eq!(first_line("\n  \n  boom  \nmore"), "boom");
        assert_eq!(first_line(""), "");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("abc", 3), "abc");
    }
}
