"""ftscalingbench's thread_local_read: five attribute reads of a module-level threading.local."""

import threading

from _support import check_results, results_state

PRIMITIVE = "threading.local attribute read"
SCENARIO = "interpreter"
INVARIANT = "each thread read its own value 10, five times per op: the sum of the last reads is 10 * ops"
DESCRIPTION = "CPython Tools/ftscalingbench thread_local_read; op = four reads of tmp.x, then accu += tmp.x"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"

thread_local = threading.local()


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    tmp = thread_local
    tmp.x = 10
    accu = 0
    for i in range(ops):
        _ = tmp.x
        _ = tmp.x
        _ = tmp.x
        _ = tmp.x
        accu += tmp.x
    state.results[thread_index] = accu


def verify(state, threads, ops):
    check_results(state, threads, 10 * ops, "sum of thread-local reads")
