"""Producers -> consumers through a collections.deque (atomic append/popleft, no lock); a Semaphore
counts the items."""

import threading
from collections import deque

from _support import ALTERNATOR, CONSUMER, PRODUCER, State, check, check_items, role

PRIMITIVE = "collections.deque + threading.Semaphore (item count)"
SCENARIO = "producer-consumer"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = ("deque.append / deque.popleft as a queue; a consumer waits on a Semaphore released once per "
               "append, so an empty deque is waited on, never polled; same roles and items as "
               "simplequeue_pipeline")
PACKAGES = []
VARIANT_OF = "simplequeue_pipeline"


def setup(threads):
    return State(threads=threads, dq=deque(), items=threading.Semaphore(0), got=[None] * threads)


# Roles (see _support.role): even index puts `ops` items, odd index gets `ops` items, and with an
# odd thread count the last thread does `ops` put+get pairs.
# The Semaphore's count never exceeds the items in the deque (release follows append; acquire precedes
# popleft), so popleft never finds it empty, and every acquire is matched by a release that will come.
def worker(state, thread_index, ops):
    append, popleft = state.dq.append, state.dq.popleft
    release, acquire = state.items.release, state.items.acquire
    kind = role(state.threads, thread_index)
    base = thread_index * ops
    if kind == PRODUCER:
        for item in range(base, base + ops):
            append(item)
            release()
    elif kind == CONSUMER:
        got = []
        keep = got.append
        for _ in range(ops):
            acquire()
            keep(popleft())
        state.got[thread_index] = got
    else:
        assert kind == ALTERNATOR
        got = []
        keep = got.append
        for item in range(base, base + ops):
            append(item)
            release()
            acquire()
            keep(popleft())
        state.got[thread_index] = got


def verify(state, threads, ops):
    check_items(state.got, threads, ops)
    check(not state.dq, f"{len(state.dq)} items left in the deque")
    check(not state.items.acquire(blocking=False), "the item count is not zero at the end")
