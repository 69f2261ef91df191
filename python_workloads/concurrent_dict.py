"""Keyed counters in one ft_utils.concurrency.ConcurrentDict of AtomicInt64, no lock (compare dict_lock)."""

try:
    from ft_utils.concurrency import AtomicInt64, ConcurrentDict
except ImportError:  # ftbench skips the workload, naming the package in PACKAGES
    AtomicInt64 = ConcurrentDict = None

from _support import KEYS, State, check_key_counts

PRIMITIVE = "ft_utils.concurrency.ConcurrentDict (AtomicInt64 values)"
SCENARIO = "hot-counter"
OPERATION = "add 1 to one of 64 dict keys shared by every thread"
INVARIANT = "every key's count equals the number of increments aimed at it (threads * ops in all)"
DESCRIPTION = ("`counts[key] += 1` on one shared ConcurrentDict whose values are AtomicInt64; the same "
               "64 keys as dict_lock, shared by all threads. ConcurrentDict has no atomic "
               "read-modify-write, so the atomic add is the value's: += adds in place and stores "
               "the same object back")
PACKAGES = ["ft_utils"]
MUTANT = "AtomicInt64 = RacyInt"
VARIANT_OF = "concurrent_dict"


def setup(threads):
    counts = ConcurrentDict()
    for key in range(KEYS):
        counts[key] = AtomicInt64(0)
    return State(threads=threads, counts=counts)


def worker(state, thread_index, ops):
    counts = state.counts
    for i in range(ops):
        key = (i * 7 + thread_index) & 63  # every thread cycles through all 64 keys
        counts[key] += 1  # AtomicInt64.__iadd__: atomic add, then the same object is stored back


def verify(state, threads, ops):
    check_key_counts({k: v.get() for k, v in state.counts.as_dict().items()}, threads, ops)
