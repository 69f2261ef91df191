"""ftscalingbench's create_pyobject: instantiating an empty module-level class."""

from _support import check, check_results, results_state

PRIMITIVE = "MyObject() (instance of a Python class)"
SCENARIO = "interpreter"
INVARIANT = "each thread made ops objects, the last an instance of MyObject"
DESCRIPTION = "CPython Tools/ftscalingbench create_pyobject; op = o = MyObject(); made += 1 if o (plain truth test)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


class MyObject:
    pass


def setup(threads):
    state = results_state(threads)
    state.last = [None] * threads
    return state


def worker(state, thread_index, ops):
    made = 0
    o = None
    for i in range(ops):
        o = MyObject()
        if o:
            made += 1
    state.results[thread_index] = made
    state.last[thread_index] = o


def verify(state, threads, ops):
    check_results(state, threads, ops, "objects made")
    check(all(type(o) is MyObject for o in state.last), "a thread's last object is not a MyObject")
