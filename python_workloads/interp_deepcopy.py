"""ftscalingbench's deepcopy: copy.deepcopy of a small dict holding a list and a tuple."""

import copy

from _support import check, check_results, results_state

PRIMITIVE = "copy.deepcopy"
SCENARIO = "interpreter"
INVARIANT = "each thread made ops copies; the last equals the original and shares no mutable part with it"
DESCRIPTION = "CPython Tools/ftscalingbench deepcopy; op = c = copy.deepcopy(x); made += 1 if c"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def setup(threads):
    state = results_state(threads)
    state.pairs = [None] * threads
    return state


def worker(state, thread_index, ops):
    x = {'list': [1, 2], 'tuple': (1, None)}
    made = 0
    c = None
    for i in range(ops):
        c = copy.deepcopy(x)
        if c:
            made += 1
    state.results[thread_index] = made
    state.pairs[thread_index] = (x, c)


def verify(state, threads, ops):
    check_results(state, threads, ops, "copies made")
    for t, (x, c) in enumerate(state.pairs):
        check(c == x and c is not x and c['list'] is not x['list'], f"thread {t}: {c!r} is not a deep copy of {x!r}")
