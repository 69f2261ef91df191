//! ftbench's exit codes: one table for every command (`docs/verdicts.md` has it with the words).
//! When several apply, the most severe wins: bad input, interrupted, regression, a failed
//! workload, too many inconclusive rows, nothing.

/// Nothing `--fail-on` selects was found, and every workload ran.
pub const OK: i32 = 0;
/// A regression of the kind `--fail-on` selects.
pub const REGRESSION: i32 = 1;
/// Bad input: a path, a file, an option; nothing was judged.
pub const BAD_INPUT: i32 = 2;
/// A workload failed (GIL re-enabled, timeout, crash, error, a raise, a broken invariant): in a
/// run, any; in `ab` and `compare`, on the new side where the base worked.
pub const WORKLOAD_FAILED: i32 = 3;
/// More rows than `--fail-on-inconclusive` allows could not be judged (inconclusive or not comparable).
pub const INCONCLUSIVE: i32 = 4;
/// Interrupted (SIGINT): partial results were kept.
pub const INTERRUPTED: i32 = 130;

/// Most severe first.
const SEVERITY: [i32; 6] = [BAD_INPUT, INTERRUPTED, REGRESSION, WORKLOAD_FAILED, INCONCLUSIVE, OK];

/// The more severe of two exit codes (an unknown code counts as bad input).
pub fn worst(a: i32, b: i32) -> i32 {
    let rank = |c: i32| SEVERITY.iter().position(|s| *s == c).unwrap_or(0);
    if rank(a) <= rank(b) {
        a
    } else {
        b
    }
}

/// The table, for every command's `--help`.
pub const HELP: &str = "Exit status: 0 nothing selected by --fail-on found; 1 a regression (--fail-on); 2 bad input; \
3 a workload failed (GIL re-enabled, timeout, crash, error, raise, broken invariant; ab and compare: \
on the new side where the base worked); 4 more rows than --fail-on-inconclusive allows could not be judged; 130 interrupted. \
The most severe applies, in the order 2, 130, 1, 3, 4, 0.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_severe_code_wins() {
        assert_eq!(worst(OK, INCONCLUSIVE), INCONCLUSIVE);
        assert_eq!(worst(INCONCLUSIVE, WORKLOAD_FAILED), WORKLOAD_FAILED);
        assert_eq!(worst(REGRESSION, WORKLOAD_FAILED), REGRESSION);
        assert_eq!(worst(INTERRUPTED, REGRESSION), INTERRUPTED);
        assert_eq!(worst(REGRESSION, BAD_INPUT), BAD_INPUT);
        assert_eq!(worst(OK, OK), OK);
    }
}
