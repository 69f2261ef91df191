"""ftscalingbench's context_manager: a `with` block on a fresh instance of a Python class."""

from _support import check_results, results_state

PRIMITIVE = "with MyContextManager() (Python __enter__/__exit__)"
SCENARIO = "interpreter"
INVARIANT = "each thread entered and left ops context managers"
DESCRIPTION = "CPython Tools/ftscalingbench context_manager; op = with MyContextManager() as one: entered += one"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


class MyContextManager:
    def __enter__(self):
        return 1

    def __exit__(self, exc_type, exc_value, traceback):
        pass


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    entered = 0
    for i in range(ops):
        with MyContextManager() as one:
            entered += one
    state.results[thread_index] = entered


def verify(state, threads, ops):
    check_results(state, threads, ops, "context managers entered")
