"""ftscalingbench's setattr_non_interned: setattr with attribute names built at run time (not interned)."""

from _support import check, results_state

PRIMITIVE = "setattr(obj, f\"{prefix}_a\", ...) (run-time attribute names, interned on set)"
SCENARIO = "interpreter"
INVARIANT = "each thread's object ends with bench_a, bench_b, bench_c == ops - 1 (the last i set)"
DESCRIPTION = ("CPython Tools/ftscalingbench setattr_non_interned (CPython gh-146041); "
               "op = three setattr calls with f-string names on the thread's own object")
MUTANT_EXEMPT = "an interpreter loop: the threads share nothing"

_ATTR_PREFIX = "bench"


class MyObject:
    pass


def setup(threads):
    return results_state(threads)


def worker(state, thread_index, ops):
    prefix = _ATTR_PREFIX
    obj = MyObject()
    for i in range(ops):
        setattr(obj, f"{prefix}_a", i)
        setattr(obj, f"{prefix}_b", i)
        setattr(obj, f"{prefix}_c", i)
    state.results[thread_index] = obj


def verify(state, threads, ops):
    for t in range(threads):
        obj = state.results[t]
        check(obj is not None, f"thread {t} did not report")
        got = (getattr(obj, "bench_a", None), getattr(obj, "bench_b", None), getattr(obj, "bench_c", None))
        check(got == (ops - 1,) * 3, f"thread {t}: attributes are {got}, expected {ops - 1} each")
