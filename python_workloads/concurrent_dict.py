"""Keyed counters in one ft_utils.concurrency.ConcurrentDict, no lock (compare dict_lock)."""

try:
    from ft_utils.concurrency import ConcurrentDict
except ImportError:  # ftbench skips the workload, naming the package in PACKAGES
    ConcurrentDict = None

from _support import State, check_key_counts, key_counts

PRIMITIVE = "ft_utils.concurrency.ConcurrentDict"
SCENARIO = "hot-counter"
INVARIANT = "every key's count equals the number of increments aimed at it (threads * ops in all)"
DESCRIPTION = ("`counts[key] += 1` on one shared ConcurrentDict, 64 keys per thread cycled by "
               "(i*7)&63; each key is written by its owning thread only (ConcurrentDict has no "
               "atomic read-modify-write), so no lock is needed")
PACKAGES = ["ft_utils"]
VARIANT_OF = "concurrent_dict"


def setup(threads):
    counts = ConcurrentDict()
    for key in key_counts(threads, 0):
        counts[key] = 0
    return State(threads=threads, counts=counts)


def worker(state, thread_index, ops):
    counts = state.counts
    owner = thread_index << 6  # this thread's 64 keys: owner | 0 .. owner | 63
    for i in range(ops):
        key = owner | ((i * 7) & 63)
        counts[key] += 1  # safe without a lock: only this thread writes this key


def verify(state, threads, ops):
    check_key_counts(state.counts.as_dict(), threads, ops)
