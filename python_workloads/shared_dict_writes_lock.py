"""shared_dict_writes with an explicit threading.Lock around every store."""

import threading

from _support import KEYS, State, check, check_count

PRIMITIVE = "dict[key] = value under threading.Lock"
SCENARIO = "short-critical-section"
OPERATION = "store into the thread's own 64 keys of one shared dict"
INVARIANT = "each thread's 64 keys hold the last value it stored to them, and the dict holds no other key"
DESCRIPTION = ("op = with lock: d[(t << 6) | (i & 63)] = i, one dict and one Lock shared by all threads; same keys "
               "as shared_dict_writes")
PACKAGES = []
MUTANT_EXEMPT = "its Lock guards a store the dict already makes atomic: the pair measures the Lock's cost"
VARIANT_OF = "shared_dict_writes"


def setup(threads):
    return State(threads=threads, d={}, lock=threading.Lock())


def worker(state, thread_index, ops):
    d = state.d
    lock = state.lock
    base = thread_index << 6
    for i in range(ops):
        with lock:
            d[base | (i & 63)] = i


def verify(state, threads, ops):
    keys = min(ops, KEYS)
    check_count("keys in the dict", threads * keys, len(state.d))
    for t in range(threads):
        for k in range(keys):
            last = k + KEYS * ((ops - 1 - k) // KEYS)  # the last i < ops with i & 63 == k
            got = state.d.get((t << 6) | k)
            check(got == last, f"key {(t << 6) | k} of thread {t} holds {got!r}, expected {last}")
