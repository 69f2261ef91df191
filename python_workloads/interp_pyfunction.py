"""ftscalingbench's pyfunction: calling a module-level Python function."""

from _support import check_results, results_state

PRIMITIVE = "Python function call (next_number(i))"
SCENARIO = "interpreter"
INVARIANT = "each thread's sum of next_number(i) is ops*(ops+1)/2"
DESCRIPTION = "CPython Tools/ftscalingbench pyfunction; op = accu += next_number(i) (ftscalingbench keeps only the last)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def next_number(i):
    return i + 1


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    accu = 0
    for i in range(ops):
        accu += next_number(i)
    state.results[thread_index] = accu


def verify(state, threads, ops):
    check_results(state, threads, ops * (ops + 1) // 2, "sum of next_number(i)")
