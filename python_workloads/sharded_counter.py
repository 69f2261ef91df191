"""A hot counter split into per-thread shards, flushed into a shared total every 64 ops."""

import threading

from _support import State, check, check_count

PRIMITIVE = "per-thread shards + a flush every 64 ops under threading.Lock"
SCENARIO = "hot-counter"
OPERATION = "add 1 to one counter shared by every thread"
INVARIANT = "the shared total equals threads * ops once every thread has flushed its shard"
DESCRIPTION = ("`shard[0] += 1` on a shard of the thread's own; every 64 ops and at the end, "
               "`with lock: total += shard[0]` and the shard restarts, so the total lags by < 64 per thread")
PACKAGES = []
MUTANT = "threading = without(threading, Lock=NoLock)"

FLUSH_EVERY = 64  # a power of two: a thread flushes when (i & 63) == 63


def setup(threads):
    return State(threads=threads, flushed=[None] * threads, total=0, merge_lock=threading.Lock())


def worker(state, thread_index, ops):
    mask = FLUSH_EVERY - 1
    lock = state.merge_lock
    shard = [0]  # made by its own thread: no false sharing with other threads' shards
    for i in range(ops):
        shard[0] += 1
        if (i & mask) == mask:
            with lock:  # the lock makes this read-then-write one step
                total = state.total
                state.total = total + shard[0]
            shard[0] = 0
    with lock:
        total = state.total
        state.total = total + shard[0]
    state.flushed[thread_index] = True


def verify(state, threads, ops):
    check(all(state.flushed), "a thread did not flush its shard")
    check_count("shared total", threads * ops, state.total)
