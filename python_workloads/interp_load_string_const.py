"""ftscalingbench's load_string_const: comparing against a str constant of the code object."""

from _support import check_results, results_state

PRIMITIVE = "str constant (i == 'a string')"
SCENARIO = "interpreter"
INVARIANT = "each thread's accumulator is ops (no int equals the string)"
DESCRIPTION = "CPython Tools/ftscalingbench load_string_const; op = accu += 7 if i == 'a string' else 1"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    accu = 0
    for i in range(ops):
        if i == 'a string':
            accu += 7
        else:
            accu += 1
    state.results[thread_index] = accu


def verify(state, threads, ops):
    check_results(state, threads, ops, "accumulator")
