"""Unique ids for every thread from one itertools.count, taken under a threading.Lock."""

import itertools
import threading

from _support import State, check_distinct_ids

PRIMITIVE = "itertools.count under threading.Lock"
SCENARIO = "hot-counter"
INVARIANT = "threads*ops ids were handed out and no id twice"
DESCRIPTION = ("op = with lock: take the next id from a shared itertools.count; ft_utils_batch_executor batches "
               "the same source")
PACKAGES = []
VARIANT_OF = "id_source"


def setup(threads):
    return State(threads=threads, lock=threading.Lock(), source=itertools.count().__next__, got=[None] * threads)


def worker(state, thread_index, ops):
    lock, take = state.lock, state.source
    ids = []  # made in its own thread
    keep = ids.append
    for _ in range(ops):
        with lock:
            i = take()
        keep(i)
    state.got[thread_index] = ids


def verify(state, threads, ops):
    check_distinct_ids(state.got, threads, ops)
