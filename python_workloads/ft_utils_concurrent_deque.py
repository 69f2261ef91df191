"""Producers -> consumers through an ft_utils ConcurrentDeque (append/popleft); a Semaphore counts the
items."""

import threading

try:
    from ft_utils.concurrency import ConcurrentDeque
except ImportError:
    ConcurrentDeque = None

from _support import ALTERNATOR, CONSUMER, PRODUCER, State, check, check_items, role

PRIMITIVE = "ft_utils.concurrency.ConcurrentDeque + threading.Semaphore (item count)"
SCENARIO = "producer-consumer"
INVARIANT = "the multiset of items got equals the multiset put, and the queue is empty at the end"
DESCRIPTION = ("ConcurrentDeque.append / popleft in place of collections.deque (deque_queue); same Semaphore "
               "wait, roles and items")
PACKAGES = ["ft_utils"]
VARIANT_OF = "simplequeue_pipeline"


def setup(threads):
    return State(threads=threads, dq=ConcurrentDeque(), items=threading.Semaphore(0), got=[None] * threads)


# Roles (see _support.role): even index puts `ops` items, odd index gets `ops` items, and with an
# odd thread count the last thread does `ops` put+get pairs.
# As deque_queue: release follows append and acquire precedes popleft, so popleft never finds it empty.
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
    check(len(state.dq) == 0, f"{len(state.dq)} items left in the deque")
    check(not state.items.acquire(blocking=False), "the item count is not zero at the end")
