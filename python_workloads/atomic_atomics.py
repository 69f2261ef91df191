"""A shared hot counter on the `atomics` package (patomic, via cffi): needs 3.14t."""

try:
    import atomics
except ImportError:  # ftbench skips the workload, naming the package in PACKAGES / MIN_PYTHON
    atomics = None

from _support import State, check_count

PRIMITIVE = "atomics.atomic(width=8, atype=INT)"
SCENARIO = "hot-counter"
OPERATION = "add 1 to one counter shared by every thread"
INVARIANT = "the atomic counter equals threads * ops"
DESCRIPTION = "`counter.inc()` on one shared 8-byte atomics AtomicInt (lock-free, SEQ_CST)"
PACKAGES = ["atomics"]
MIN_PYTHON = (3, 14)  # atomics needs cffi >= 2, which supports free-threading only from 3.14t
# The stand-in needs neither the package nor 3.14t, so the mutant runs on every interpreter.
MUTANT = "atomics = _types.SimpleNamespace(atomic=lambda width, atype: RacyInt(), INT=None); PACKAGES = []; MIN_PYTHON = (3,)"


def setup(threads):
    return State(threads=threads, counter=atomics.atomic(width=8, atype=atomics.INT))


def worker(state, thread_index, ops):
    inc = state.counter.inc
    for _ in range(ops):
        inc()


def verify(state, threads, ops):
    check_count("atomic counter", threads * ops, state.counter.load())
