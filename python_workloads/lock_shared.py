"""Lock acquire/release on ONE Lock shared by all threads (compare lock_private)."""

import threading

from _support import State, check_count

PRIMITIVE = "threading.Lock"
SCENARIO = "short-critical-section"
OPERATION = "a Lock around an update of the thread's own counter"
INVARIANT = ("each thread's private counter equals ops (the Lock is what is measured; it guards no shared "
             "state, so removing it breaks nothing)")
DESCRIPTION = ("`with lock:` around a per-thread counter, all threads on one shared Lock: "
               "contention on the mutex and on the Lock object's reference count (CPython gh-134761)")
PACKAGES = []
MUTANT_EXEMPT = "the shared Lock guards only per-thread counters: the Lock itself is what is measured"
VARIANT_OF = "lock_shared_vs_private"


def setup(threads):
    lock = threading.Lock()
    return State(threads=threads, make_lock=lambda: lock, counters=[None] * threads)


def worker(state, thread_index, ops):
    lock = state.make_lock()  # the variants differ only here
    counter = [0]  # allocated by its own thread: no false sharing with other threads' counters
    state.counters[thread_index] = counter
    for _ in range(ops):
        with lock:
            counter[0] += 1


def verify(state, threads, ops):
    for t, counter in enumerate(state.counters):
        check_count(f"thread {t} counter", ops, counter[0] if counter else 0)
