"""ftscalingbench's create_dict: building a one-item dict literal."""

from _support import check, check_results, results_state

PRIMITIVE = "dict literal {\"key\": \"value\"}"
SCENARIO = "interpreter"
INVARIANT = "each thread built ops non-empty dicts, the last one {'key': 'value'}"
DESCRIPTION = "CPython Tools/ftscalingbench create_dict; op = d = {\"key\": \"value\"}; made += 1 if d (plain truth test)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def setup(threads):
    state = results_state(threads)
    state.last = [None] * threads
    return state


def worker(state, thread_index, ops):
    made = 0
    d = None
    for i in range(ops):
        d = {
            "key": "value",
        }
        if d:
            made += 1
    state.results[thread_index] = made
    state.last[thread_index] = d


def verify(state, threads, ops):
    check_results(state, threads, ops, "dicts built")
    check(all(d == {"key": "value"} for d in state.last), "a thread's last dict is not {'key': 'value'}")
