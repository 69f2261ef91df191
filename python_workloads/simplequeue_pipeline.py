"""Producers -> consumers through one queue.SimpleQueue."""

import queue

from _support import ALTERNATOR, CONSUMER, PRODUCER, State, check, check_items, role

PRIMITIVE = "queue.SimpleQueue"
SCENARIO = "producer-consumer"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = "SimpleQueue (unbounded, C-implemented), put()/get() (same role split and items as queue_pipeline)"
PACKAGES = []


def setup(threads):
    return State(threads=threads, q=queue.SimpleQueue(), got=[None] * threads)


# Roles (see _support.role): even index puts `ops` items, odd index gets `ops` items, and with an
# odd thread count the last thread does `ops` put+get pairs. Puts never block (unbounded) and
# consumers get at most what producers put, so every get is eventually served.
def worker(state, thread_index, ops):
    q = state.q
    put, get = q.put, q.get
    kind = role(state.threads, thread_index)
    base = thread_index * ops
    if kind == PRODUCER:
        for item in range(base, base + ops):
            put(item)
    elif kind == CONSUMER:
        got = []
        keep = got.append
        for _ in range(ops):
            keep(get())
        state.got[thread_index] = got
    else:
        assert kind == ALTERNATOR
        got = []
        keep = got.append
        for item in range(base, base + ops):
            put(item)
            keep(get())
        state.got[thread_index] = got


def verify(state, threads, ops):
    check_items(state.got, threads, ops)
    check(state.q.empty(), f"{state.q.qsize()} items left in the queue")
