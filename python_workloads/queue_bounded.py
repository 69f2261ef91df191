"""Producers -> consumers through one bounded queue.Queue(maxsize=8): producers block when it is full
(back-pressure)."""

import queue

from _support import ALTERNATOR, CONSUMER, PRODUCER, State, check, check_items, role

CAPACITY = 8  # as condition_predicate's buffer

PRIMITIVE = "queue.Queue(maxsize=8)"
SCENARIO = "producer-consumer"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = ("bounded Queue, blocking put()/get(); same role split and items as queue_pipeline (its unbounded "
               "twin)")
PACKAGES = []
VARIANT_OF = "queue_pipeline"


def setup(threads):
    return State(threads=threads, q=queue.Queue(maxsize=CAPACITY), got=[None] * threads)


# Roles (see _support.role): even index puts `ops` items, odd index gets `ops` items, and with an
# odd thread count the last thread does `ops` put+get pairs.
# A put blocks while 8 items wait and a get while none do; consumers get exactly what producers put
# and the alternator gets right after its own put, so every wait ends (no deadlock for any threads, ops).
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
