"""Read-mostly via immutable snapshots: the writer publishes a fresh tuple; no lock."""


import threading

from _support import State, check_read_mostly

PRIMITIVE = "tuple snapshot swap (lock-free reads)"
SCENARIO = "read-mostly"
OPERATION = "read a consistent 3-field snapshot; every 32nd op publishes a new one"
INVARIANT = ("no reader ever saw a torn snapshot (b == 2*a, a == 3*version+1, versions never go "
             "back); every thread published ops // 32 versions and the final version is threads * (ops // 32)")
DESCRIPTION = ("every 32nd op of every thread swaps in a new (version, a, b) tuple under a writers' Lock; every op "
               "unpacks the current snapshot with no lock (as immutable_snapshot)")
PACKAGES = []
MUTANT = "threading = without(threading, Lock=NoLock)"
VARIANT_OF = "read_mostly"

WRITE_EVERY = 32  # a power of two: every thread publishes when (i & 31) == 31


def setup(threads):
    return State(threads=threads, snapshot=(0, 1, 2), write_lock=threading.Lock(),
                 torn=[None] * threads, published=[None] * threads)


# As immutable_snapshot: every thread publishes every 32nd op (the same share of writes at every
# thread count), writers serialize on a Lock so each publishes the version after the last one, and
# readers take no lock.
def worker(state, thread_index, ops):
    mask = WRITE_EVERY - 1
    write_lock = state.write_lock
    published = 0
    last = 0
    torn = 0
    for i in range(ops):
        if (i & mask) == mask:
            with write_lock:
                version = state.snapshot[0] + 1
                a = 3 * version + 1
                state.snapshot = (version, a, 2 * a)
            published += 1
        v, a, b = state.snapshot
        if b != 2 * a or a != 3 * v + 1 or v < last:
            torn += 1
        last = v
    state.torn[thread_index] = torn
    state.published[thread_index] = published


def verify(state, threads, ops):
    check_read_mostly(state, threads, ops // WRITE_EVERY, state.snapshot[0])
