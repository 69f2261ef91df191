"""Read-mostly via immutable snapshots: writers publish a fresh MappingProxyType; readers never lock."""

import threading
from types import MappingProxyType

from _support import State, check_read_mostly

PRIMITIVE = "types.MappingProxyType snapshot swap (lock-free reads, writers under a Lock)"
SCENARIO = "read-mostly"
OPERATION = "read a consistent 3-field snapshot; every 32nd op publishes a new one"
INVARIANT = ("no reader ever saw a torn snapshot (b == 2*a, a == 3*version+1, versions never go "
             "back), and no publish was lost: the final version is threads * (ops // 32)")
DESCRIPTION = ("every op reads version, a, b from the current snapshot without a lock; every 32nd op "
               "of every thread first publishes the next version under a writers' Lock")
PACKAGES = []
MUTANT = "threading = without(threading, Lock=NoLock)"
VARIANT_OF = "read_mostly"

WRITE_EVERY = 32  # a power of two: a thread publishes when (i & 31) == 31


def setup(threads):
    return State(threads=threads, snapshot=MappingProxyType({"version": 0, "a": 1, "b": 2}),
                 write_lock=threading.Lock(), torn=[None] * threads, published=[None] * threads)


def worker(state, thread_index, ops):
    mask = WRITE_EVERY - 1
    write_lock = state.write_lock
    proxy = MappingProxyType
    published = 0
    last = 0
    torn = 0
    for i in range(ops):
        if (i & mask) == mask:  # the same share of writes at every thread count
            with write_lock:  # writers serialize, so each publishes the version after the last one
                version = state.snapshot["version"] + 1
                a = 3 * version + 1
                state.snapshot = proxy({"version": version, "a": a, "b": 2 * a})
            published += 1
        snap = state.snapshot
        v = snap["version"]
        a = snap["a"]
        b = snap["b"]
        if b != 2 * a or a != 3 * v + 1 or v < last:
            torn += 1
        last = v
    state.torn[thread_index] = torn
    state.published[thread_index] = published


def verify(state, threads, ops):
    check_read_mostly(state, threads, ops // WRITE_EVERY, state.snapshot["version"])
