"""A bounded buffer on threading.Condition: every thread puts then gets, waiting on pure predicates."""

import collections
import threading

from _support import State, check, check_items

PRIMITIVE = "threading.Condition"
SCENARIO = "producer-consumer"
OPERATION = "put one item into a buffer of capacity 2, then get one (any thread's)"
INVARIANT = ("every item put is got exactly once, the buffer never holds more than its capacity, "
             "and it is empty at the end")
DESCRIPTION = ("bounded buffer (capacity 2) with two Conditions on one Lock, as queue.Queue does; "
               "per op every thread puts one item, then gets one, each by wait_for(pure predicate) "
               "and notify(); from 3 threads on, puts wait for room")
PACKAGES = []
MUTANT = "threading = without(threading, Condition=NoCondition)"

CAPACITY = 2  # small, so that puts wait for room from 3 threads on


def setup(threads):
    buf = collections.deque()
    lock = threading.Lock()
    return State(
        threads=threads,
        buf=buf,
        not_full=threading.Condition(lock),
        not_empty=threading.Condition(lock),
        has_room=lambda: len(buf) < CAPACITY,
        has_item=lambda: len(buf) > 0,
        got=[None] * threads,
        peak=[0] * threads,
    )


# Every thread puts its own `ops` items and gets `ops` items, one put then one get per op, so an op
# is the same work at every thread count. The buffer holds one item per thread between its put and
# its get, so once more than CAPACITY threads run, puts wait for room. No deadlock: a thread waiting
# for room sees a full buffer, i.e. CAPACITY threads between put and get, and their gets find items
# (there are at least as many items as getters), make room and notify; a get never finds the buffer
# empty for the same reason.
def worker(state, thread_index, ops):
    buf = state.buf
    not_full, not_empty = state.not_full, state.not_empty
    has_room, has_item = state.has_room, state.has_item
    got = []
    keep = got.append
    peak = 0
    base = thread_index * ops
    for item in range(base, base + ops):
        with not_full:
            not_full.wait_for(has_room)
            buf.append(item)
            size = len(buf)
            not_empty.notify()
        if size > peak:
            peak = size
        with not_empty:
            not_empty.wait_for(has_item)
            taken = buf.popleft()
            not_full.notify()
        keep(taken)
    state.got[thread_index] = got
    state.peak[thread_index] = peak


def verify(state, threads, ops):
    check_items(state.got, threads, ops)
    check(max(state.peak) <= CAPACITY, f"buffer held {max(state.peak)} items, capacity {CAPACITY}")
    check(len(state.buf) == 0, f"{len(state.buf)} items left in the buffer")
