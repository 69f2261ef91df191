"""Every thread adds to one lockcounter.Counter: its lock contended, the library's hot path."""

import lockcounter

PRIMITIVE = "lockcounter.Counter (shared)"
SCENARIO = "hot-counter"
INVARIANT = "the counter equals threads * ops"
DESCRIPTION = "`counter.add()` on one Counter shared by every thread"
PACKAGES = ["lockcounter"]


def setup(threads):
    return lockcounter.Counter()


def worker(counter, thread_index, ops):
    add = counter.add
    for _ in range(ops):
        add()


def verify(counter, threads, ops):
    assert counter.value == threads * ops, f"counter {counter.value} != {threads * ops}"
