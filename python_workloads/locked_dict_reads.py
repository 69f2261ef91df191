"""Read-mostly via one live dict under one threading.Lock; writers mutate it in place."""

import threading

from _support import State, check_read_mostly

PRIMITIVE = "dict + threading.Lock (readers lock too)"
SCENARIO = "read-mostly"
OPERATION = "read a consistent 3-field snapshot; every 32nd op publishes a new one"
INVARIANT = ("no reader ever saw a torn state (b == 2*a, a == 3*version+1, versions never go "
             "back), and no update was lost: the final version is threads * (ops // 32)")
DESCRIPTION = ("every op reads version, a, b under the Lock; every 32nd op of every thread first "
               "rewrites the three in place (next version) under the Lock")
PACKAGES = []
MUTANT = "threading = without(threading, Lock=NoLock)"
VARIANT_OF = "read_mostly"

WRITE_EVERY = 32  # a power of two: a thread updates when (i & 31) == 31


def setup(threads):
    return State(threads=threads, live={"version": 0, "a": 1, "b": 2}, lock=threading.Lock(),
                 torn=[None] * threads, published=[None] * threads)


def worker(state, thread_index, ops):
    mask = WRITE_EVERY - 1
    live = state.live
    lock = state.lock
    published = 0
    last = 0
    torn = 0
    for i in range(ops):
        if (i & mask) == mask:  # the same share of writes at every thread count
            with lock:
                version = live["version"] + 1
                a = 3 * version + 1
                live["version"] = version
                live["a"] = a
                live["b"] = 2 * a
            published += 1
        with lock:
            v = live["version"]
            a = live["a"]
            b = live["b"]
        if b != 2 * a or a != 3 * v + 1 or v < last:
            torn += 1
        last = v
    state.torn[thread_index] = torn
    state.published[thread_index] = published


def verify(state, threads, ops):
    check_read_mostly(state, threads, ops // WRITE_EVERY, state.live["version"])
