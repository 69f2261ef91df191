"""A shared hot counter on ft_utils.concurrency.AtomicInt64."""

try:
    from ft_utils.concurrency import AtomicInt64
except ImportError:  # ftbench skips the workload, naming the package in PACKAGES
    AtomicInt64 = None

from _support import State, check_count

PRIMITIVE = "ft_utils.concurrency.AtomicInt64"
SCENARIO = "hot-counter"
OPERATION = "add 1 to one counter shared by every thread"
INVARIANT = "the atomic counter equals threads * ops"
DESCRIPTION = "`counter += 1` on one shared AtomicInt64 (in-place += is the atomic add; plain + is not)"
PACKAGES = ["ft_utils"]
MUTANT = "AtomicInt64 = RacyInt"


def setup(threads):
    return State(threads=threads, counter=AtomicInt64(0))


def worker(state, thread_index, ops):
    counter = state.counter
    for _ in range(ops):
        counter += 1  # AtomicInt64.__iadd__: atomic add, returns the same object


def verify(state, threads, ops):
    check_count("atomic counter", threads * ops, state.counter.get())
