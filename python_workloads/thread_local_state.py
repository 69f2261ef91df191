"""Per-thread state reached through a module-level threading.local, as deep library code does."""

import threading

from _support import State, check_count

PRIMITIVE = "threading.local"
SCENARIO = "hot-counter"
OPERATION = "add 1 to a per-thread count reached from inside a function"
INVARIANT = "each thread's own count (in its threading.local) equals ops"
DESCRIPTION = ("op = bump(), a function that increments _local.count on a module-level threading.local; "
               "explicit_state passes the same state as an argument instead")
PACKAGES = []
MUTANT = "_local = _types.SimpleNamespace()"
VARIANT_OF = "thread_state"

_local = threading.local()


def bump():
    _local.count += 1


def setup(threads):
    return State(threads=threads, counts=[None] * threads)


def worker(state, thread_index, ops):
    _local.count = 0  # the pool's threads live on across rounds: start each round afresh
    for _ in range(ops):
        bump()
    state.counts[thread_index] = _local.count


def verify(state, threads, ops):
    for t in range(threads):
        check_count(f"thread {t} count", ops, state.counts[t] or 0)
