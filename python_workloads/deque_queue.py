"""Every thread appends to and pops from a collections.deque (atomic append/popleft, no lock); a Semaphore
counts the items."""

import threading
from collections import deque

from _support import State, check, check_items

PRIMITIVE = "collections.deque + threading.Semaphore (item count)"
SCENARIO = "producer-consumer"
OPERATION = "put one item into one unbounded queue, then get one (any thread's)"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = ("deque.append / deque.popleft as a queue; a consumer waits on a Semaphore released once per "
               "append, so an empty deque is waited on, never polled; per op an append then a pop, as "
               "simplequeue_pipeline")
PACKAGES = []
MUTANT = "deque = RacyDeque"
VARIANT_OF = "simplequeue_pipeline"


def setup(threads):
    return State(threads=threads, dq=deque(), items=threading.Semaphore(0), got=[None] * threads)


# Every thread appends its own `ops` items and pops `ops` items, one of each per op, so an op is the
# same work at every thread count. The Semaphore's count never exceeds the items in the deque (release
# follows append; acquire precedes popleft), so popleft never finds it empty, and each acquire follows
# the thread's own release, so every wait ends.
def worker(state, thread_index, ops):
    append, popleft = state.dq.append, state.dq.popleft
    release, acquire = state.items.release, state.items.acquire
    got = []
    keep = got.append
    base = thread_index * ops
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
