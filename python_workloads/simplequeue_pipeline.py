"""Every thread puts into and gets from one queue.SimpleQueue."""

import queue

from _support import State, check, check_items

PRIMITIVE = "queue.SimpleQueue"
SCENARIO = "producer-consumer"
OPERATION = "put one item into one unbounded queue, then get one (any thread's)"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = ("SimpleQueue (unbounded, C-implemented); per op every thread puts one item, then gets one "
               "(any thread's); same worker as queue_pipeline")
PACKAGES = []
MUTANT = "queue = without(queue, SimpleQueue=RacyQueue)"


def setup(threads):
    return State(threads=threads, q=queue.SimpleQueue(), got=[None] * threads)


# Every thread puts its own `ops` items and gets `ops` items, one put then one get per op, so an op
# is the same work at every thread count. A get never finds the queue empty (so nothing can hang):
# each thread between its put and its get accounts for one item in it, so there are at least as
# many items as getters.
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
