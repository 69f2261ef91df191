"""shared_list_append with an explicit threading.Lock around every append."""

import threading

from _support import State, check_count

PRIMITIVE = "list.append under threading.Lock"
SCENARIO = "short-critical-section"
OPERATION = "append to one list shared by every thread"
INVARIANT = "the list holds threads*ops items, exactly the numbers 0 .. threads*ops-1 (count and sum)"
DESCRIPTION = ("op = with lock: items.append(n), on one list and one Lock shared by all threads; same items as "
               "shared_list_append")
PACKAGES = []
MUTANT_EXEMPT = "its Lock guards an append the list already makes atomic: the pair measures the Lock's cost"
VARIANT_OF = "shared_list_append"


def setup(threads):
    return State(threads=threads, items=[], lock=threading.Lock())


def worker(state, thread_index, ops):
    append = state.items.append
    lock = state.lock
    base = thread_index * ops
    for item in range(base, base + ops):
        with lock:
            append(item)


def verify(state, threads, ops):
    n = threads * ops
    check_count("items appended", n, len(state.items))
    check_count("sum of the items", n * (n - 1) // 2, sum(state.items))
