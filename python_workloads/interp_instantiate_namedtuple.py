"""ftscalingbench's instantiate_namedtuple: constructing a collections.namedtuple with keyword arguments."""

from collections import namedtuple

from _support import check, check_results, results_state

PRIMITIVE = "collections.namedtuple instance (MyNamedTuple(x=1, y=2, z=3))"
SCENARIO = "interpreter"
INVARIANT = "each thread built ops instances, the last equal to (1, 2, 3)"
DESCRIPTION = "CPython Tools/ftscalingbench instantiate_namedtuple; op = obj = MyNamedTuple(x=1, y=2, z=3); made += 1 if obj"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"

MyNamedTuple = namedtuple("MyNamedTuple", ["x", "y", "z"])


def setup(threads):
    state = results_state(threads)
    state.last = [None] * threads
    return state


def worker(state, thread_index, ops):
    made = 0
    obj = None
    for _ in range(ops):
        obj = MyNamedTuple(x=1, y=2, z=3)
        if obj:
            made += 1
    state.results[thread_index] = made
    state.last[thread_index] = obj


def verify(state, threads, ops):
    check_results(state, threads, ops, "instances built")
    check(all(type(o) is MyNamedTuple and o == (1, 2, 3) for o in state.last), f"a last instance is wrong: {state.last}")
