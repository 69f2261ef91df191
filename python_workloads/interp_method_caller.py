"""ftscalingbench's method_caller: operator.methodcaller on a __slots__ class."""

from operator import methodcaller

from _support import check_results, results_state

PRIMITIVE = "operator.methodcaller(\"func\")(obj)"
SCENARIO = "interpreter"
INVARIANT = "each thread's sum of mc(obj) is ops"
DESCRIPTION = "CPython Tools/ftscalingbench method_caller; op = accu += mc(obj) (func returns 1)"
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"


class MyClass:
    __slots__ = ()

    def func(self):
        return 1


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    mc = methodcaller("func")
    obj = MyClass()
    accu = 0
    for i in range(ops):
        accu += mc(obj)
    state.results[thread_index] = accu


def verify(state, threads, ops):
    check_results(state, threads, ops, "sum of mc(obj)")
