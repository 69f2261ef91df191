"""A bounded buffer on threading.Condition: producers and consumers wait on pure predicates."""

import collections
import threading

from _support import ALTERNATOR, CONSUMER, PRODUCER, State, check, check_items, role

PRIMITIVE = "threading.Condition"
SCENARIO = "producer-consumer"
INVARIANT = ("every item put is got exactly once, the buffer never holds more than its capacity, "
             "and it is empty at the end")
DESCRIPTION = ("bounded buffer (capacity 8) with two Conditions on one Lock, as queue.Queue does; "
               "wait_for(pure predicate), notify() per put/get")
PACKAGES = []

CAPACITY = 8


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


# Roles (see _support.role): even index produces `ops` items, odd index consumes `ops` items, and
# with an odd thread count the last thread does `ops` put+get pairs. No deadlock: puts and gets
# balance, so when the alternator waits to get, an item it or a producer put is still in the buffer
# or on its way (consumers take at most as many as producers put); when anyone waits for room, a
# consumer or the alternator's own next get will make it.
def worker(state, thread_index, ops):
    buf = state.buf
    not_full, not_empty = state.not_full, state.not_empty
    has_room, has_item = state.has_room, state.has_item
    kind = role(state.threads, thread_index)
    peak = 0
    if kind == PRODUCER:
        base = thread_index * ops
        for item in range(base, base + ops):
            with not_full:
                not_full.wait_for(has_room)
                buf.append(item)
                size = len(buf)
                not_empty.notify()
            if size > peak:
                peak = size
    elif kind == CONSUMER:
        got = []
        keep = got.append
        for _ in range(ops):
            with not_empty:
                not_empty.wait_for(has_item)
                item = buf.popleft()
                not_full.notify()
            keep(item)
        state.got[thread_index] = got
    else:
        assert kind == ALTERNATOR
        got = []
        keep = got.append
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
                item = buf.popleft()
                not_full.notify()
            keep(item)
        state.got[thread_index] = got
    state.peak[thread_index] = peak


def verify(state, threads, ops):
    check_items(state.got, threads, ops)
    check(max(state.peak) <= CAPACITY, f"buffer held {max(state.peak)} items, capacity {CAPACITY}")
    check(len(state.buf) == 0, f"{len(state.buf)} items left in the buffer")
