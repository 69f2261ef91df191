"""Lock acquire/release on a Lock of each thread's own (compare lock_shared)."""

import threading

from _support import State, check_count

PRIMITIVE = "threading.Lock"
SCENARIO = "short-critical-section"
OPERATION = "a Lock around an update of the thread's own counter"
INVARIANT = "each thread's private counter equals ops (the threads share nothing, not even the Lock)"
DESCRIPTION = ("`with lock:` around a per-thread counter, each thread on its own Lock: "
               "the uncontended cost, no shared object")
PACKAGES = []
MUTANT_EXEMPT = "the threads share nothing, not even the Lock"
VARIANT_OF = "lock_shared_vs_private"


def setup(threads):
    # Each thread makes its Lock in its own thread (its own allocator pages): Locks allocated
    # back to back here would share cache lines and contend by false sharing.
    return State(threads=threads, make_lock=threading.Lock, counters=[None] * threads)


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
