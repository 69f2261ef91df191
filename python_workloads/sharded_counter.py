"""A hot counter split into per-thread shards, merged once per thread at the end."""

import threading

from _support import State, check_count

PRIMITIVE = "per-thread shards + one merge under threading.Lock"
SCENARIO = "hot-counter"
INVARIANT = "the merged total equals threads * ops, and equals the sum of the shards"
DESCRIPTION = "`shard[0] += 1` on a shard of the thread's own; one `with lock: total += shard[0]` per thread"
PACKAGES = []


def setup(threads):
    return State(threads=threads, shards=[None] * threads, total=0, merge_lock=threading.Lock())


def worker(state, thread_index, ops):
    shard = [0]  # made by its own thread: no false sharing with other threads' shards
    state.shards[thread_index] = shard
    for _ in range(ops):
        shard[0] += 1
    with state.merge_lock:
        state.total += shard[0]


def verify(state, threads, ops):
    check_count("merged total", threads * ops, state.total)
    check_count("sum of shards", threads * ops, sum(s[0] for s in state.shards if s))
