"""ftscalingbench's object_lookup_special: round() looks up __round__ (_PyObject_LookupSpecial)."""

from _support import check_results, results_state

PRIMITIVE = "round(float) (special-method lookup)"
SCENARIO = "interpreter"
INVARIANT = "each thread's sum of round(i/ops) equals the count of i with 2*i > ops"
DESCRIPTION = "CPython Tools/ftscalingbench object_lookup_special; op = accu += round(i / n)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    n = ops
    accu = 0
    for i in range(n):
        accu += round(i / n)
    state.results[thread_index] = accu


def verify(state, threads, ops):
    # i/n < 1 rounds to 1 exactly when it is above one half (0.5 itself rounds to even, 0).
    check_results(state, threads, ops - 1 - ops // 2, "sum of round(i/n)")
