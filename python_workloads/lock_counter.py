"""A shared counter behind one threading.Lock: the classic short critical section."""

import threading

from _support import State, check_count

PRIMITIVE = "threading.Lock"
SCENARIO = "hot-counter"
OPERATION = "add 1 to one counter shared by every thread"
INVARIANT = "the counter equals threads * ops"
DESCRIPTION = "`with lock: state.count += 1` on one shared Lock"
PACKAGES = []
MUTANT = "threading = without(threading, Lock=NoLock)"


def setup(threads):
    return State(threads=threads, lock=threading.Lock(), count=0)


def worker(state, thread_index, ops):
    lock = state.lock
    for _ in range(ops):
        with lock:
            state.count += 1


def verify(state, threads, ops):
    check_count("counter", threads * ops, state.count)
