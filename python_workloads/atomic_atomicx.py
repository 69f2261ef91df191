"""A shared hot counter on atomicx.AtomicInt (Rust std::sync::atomic)."""

try:
    from atomicx import AtomicInt
except ImportError:  # ftbench skips the workload, naming the package in PACKAGES
    AtomicInt = None

from _support import State, check_count

PRIMITIVE = "atomicx.AtomicInt"
SCENARIO = "hot-counter"
OPERATION = "add 1 to one counter shared by every thread"
INVARIANT = "the atomic counter equals threads * ops"
DESCRIPTION = "`counter.inc()` on one shared atomicx AtomicInt"
PACKAGES = ["atomicx"]
MUTANT = "AtomicInt = RacyInt"


def setup(threads):
    return State(threads=threads, counter=AtomicInt(0))


def worker(state, thread_index, ops):
    inc = state.counter.inc
    for _ in range(ops):
        inc()


def verify(state, threads, ops):
    check_count("atomic counter", threads * ops, state.counter.load())
