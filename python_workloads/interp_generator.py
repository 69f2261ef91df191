"""ftscalingbench's generator: iterating a fresh 10-item generator of a module-level function."""

from _support import check_results, results_state

PRIMITIVE = "generator (for v in simple_gen())"
SCENARIO = "interpreter"
INVARIANT = "each thread's sum is 45 * ops"
DESCRIPTION = "CPython Tools/ftscalingbench generator; op = for v in simple_gen(): accu += v (yields 0..9)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def simple_gen():
    for i in range(10):
        yield i


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    accu = 0
    for i in range(ops):
        for v in simple_gen():
            accu += v
    state.results[thread_index] = accu


def verify(state, threads, ops):
    check_results(state, threads, 45 * ops, "sum of generated values")
