"""Keyed counters in one plain dict behind one threading.Lock (compare concurrent_dict)."""

import threading

from _support import State, check_key_counts, key_counts

PRIMITIVE = "dict + threading.Lock"
SCENARIO = "hot-counter"
INVARIANT = "every key's count equals the number of increments aimed at it (threads * ops in all)"
DESCRIPTION = ("`with lock: counts[key] += 1` on one shared dict, the same keys as concurrent_dict "
               "(64 per thread, cycled by (i*7)&63)")
PACKAGES = []
VARIANT_OF = "concurrent_dict"


def setup(threads):
    counts = {}
    for key in key_counts(threads, 0):
        counts[key] = 0
    return State(threads=threads, counts=counts, lock=threading.Lock())


def worker(state, thread_index, ops):
    counts = state.counts
    lock = state.lock
    owner = thread_index << 6  # this thread's 64 keys: owner | 0 .. owner | 63
    for i in range(ops):
        key = owner | ((i * 7) & 63)
        with lock:
            counts[key] += 1


def verify(state, threads, ops):
    check_key_counts(dict(state.counts), threads, ops)
