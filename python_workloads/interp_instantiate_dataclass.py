"""ftscalingbench's instantiate_dataclass: constructing a dataclass with keyword arguments."""

from dataclasses import dataclass

from _support import check, check_results, results_state

PRIMITIVE = "@dataclass instance (MyDataClass(x=1, y=2, z=3))"
SCENARIO = "interpreter"
INVARIANT = "each thread built ops instances, the last equal to MyDataClass(1, 2, 3)"
DESCRIPTION = "CPython Tools/ftscalingbench instantiate_dataclass; op = obj = MyDataClass(x=1, y=2, z=3); made += 1 if obj"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


@dataclass
class MyDataClass:
    x: int
    y: int
    z: int


def setup(threads):
    state = results_state(threads)
    state.last = [None] * threads
    return state


def worker(state, thread_index, ops):
    made = 0
    obj = None
    for _ in range(ops):
        obj = MyDataClass(x=1, y=2, z=3)
        if obj:
            made += 1
    state.results[thread_index] = made
    state.last[thread_index] = obj


def verify(state, threads, ops):
    check_results(state, threads, ops, "instances built")
    check(all(o == MyDataClass(1, 2, 3) for o in state.last), f"a thread's last instance is wrong: {state.last}")
