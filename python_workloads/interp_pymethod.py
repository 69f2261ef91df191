"""ftscalingbench's pymethod: calling a Python method of a module-level class on a thread's own instance."""

from _support import check_results, results_state

PRIMITIVE = "Python method call (c.next_number())"
SCENARIO = "interpreter"
INVARIANT = "each thread's counter object reached ops"
DESCRIPTION = "CPython Tools/ftscalingbench pymethod; op = c.next_number() (self.i += 1 on the thread's own Counter)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


class Counter:
    def __init__(self):
        self.i = 0

    def next_number(self):
        self.i += 1
        return self.i


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    c = Counter()
    for i in range(ops):
        c.next_number()
    state.results[thread_index] = c.i


def verify(state, threads, ops):
    check_results(state, threads, ops, "counter")
