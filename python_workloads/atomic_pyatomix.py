"""A shared hot counter on pyatomix.AtomicInt (std::atomic<int64_t>)."""

try:
    from pyatomix import AtomicInt
except ImportError:  # ftbench skips the workload, naming the package in PACKAGES
    AtomicInt = None

from _support import State, check_count

PRIMITIVE = "pyatomix.AtomicInt"
SCENARIO = "hot-counter"
OPERATION = "add 1 to one counter shared by every thread"
INVARIANT = "the atomic counter equals threads * ops"
DESCRIPTION = "`counter += 1` on one shared pyatomix AtomicInt (+= is documented as atomic)"
PACKAGES = ["pyatomix"]
MUTANT = "AtomicInt = RacyInt"


def setup(threads):
    return State(threads=threads, counter=AtomicInt(0))


def worker(state, thread_index, ops):
    counter = state.counter
    for _ in range(ops):
        counter += 1  # AtomicInt.__iadd__: fetch_add, returns the same object


def verify(state, threads, ops):
    check_count("atomic counter", threads * ops, state.counter.load())
