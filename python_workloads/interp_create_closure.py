"""ftscalingbench's create_closure: defining a nested function every iteration, then calling it."""

from _support import check_results, results_state

PRIMITIVE = "nested def (function object creation) + call"
SCENARIO = "interpreter"
INVARIANT = "each thread's sum of foo(i) is ops*(ops-1)/2"
DESCRIPTION = "CPython Tools/ftscalingbench create_closure; op = def foo(x): return x; accu += foo(i)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    accu = 0
    for i in range(ops):
        def foo(x):
            return x
        accu += foo(i)
    state.results[thread_index] = accu


def verify(state, threads, ops):
    check_results(state, threads, ops * (ops - 1) // 2, "sum of foo(i)")
