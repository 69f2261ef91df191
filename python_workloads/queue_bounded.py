"""Every thread puts into and gets from one bounded queue.Queue(maxsize=2): a put blocks while it is
full (back-pressure)."""

import queue

from _support import State, check, check_items

CAPACITY = 2  # as condition_predicate's buffer

PRIMITIVE = "queue.Queue(maxsize=2)"
SCENARIO = "producer-consumer"
OPERATION = "put one item into a buffer of capacity 2, then get one (any thread's)"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = ("bounded Queue, blocking put()/get(); per op a put then a get, as queue_pipeline (its unbounded "
               "twin)")
PACKAGES = []
MUTANT = "queue = without(queue, Queue=RacyQueue)"
VARIANT_OF = "queue_pipeline"


def setup(threads):
    return State(threads=threads, q=queue.Queue(maxsize=CAPACITY), got=[None] * threads)


# Every thread puts its own `ops` items and gets `ops` items, one put then one get per op, so an op
# is the same work at every thread count (as queue_pipeline). A get never finds the queue empty:
# each thread between its put and its get accounts for one item in it.
# With room for 2, a put blocks from 3 threads on (back-pressure); the items that fill the queue
# belong to threads about to get, so every blocked put is released (no deadlock for any threads, ops).
def worker(state, thread_index, ops):
    q = state.q
    put, get = q.put, q.get
    got = []
    keep = got.append
    base = thread_index * ops
    for item in range(base, base + ops):
        put(item)
        keep(get())
    state.got[thread_index] = got


def verify(state, threads, ops):
    check_items(state.got, threads, ops)
    check(state.q.empty(), f"{state.q.qsize()} items left in the queue")
