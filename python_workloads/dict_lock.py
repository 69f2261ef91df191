"""Keyed counters in one plain dict behind one threading.Lock (compare concurrent_dict)."""

import threading

from _support import KEYS, State, check_key_counts

PRIMITIVE = "dict + threading.Lock"
SCENARIO = "hot-counter"
OPERATION = "add 1 to one of 64 dict keys shared by every thread"
INVARIANT = "every key's count equals the number of increments aimed at it (threads * ops in all)"
DESCRIPTION = ("`with lock: counts[key] += 1` on one shared dict; the same 64 keys as concurrent_dict, "
               "shared by all threads (thread t's op i increments key (i*7+t)&63)")
PACKAGES = []
MUTANT = "threading = without(threading, Lock=NoLock)"
VARIANT_OF = "concurrent_dict"


def setup(threads):
    counts = dict.fromkeys(range(KEYS), 0)
    return State(threads=threads, counts=counts, lock=threading.Lock())


def worker(state, thread_index, ops):
    counts = state.counts
    lock = state.lock
    for i in range(ops):
        key = (i * 7 + thread_index) & 63  # every thread cycles through all 64 keys
        with lock:
            counts[key] += 1


def verify(state, threads, ops):
    check_key_counts(dict(state.counts), threads, ops)
