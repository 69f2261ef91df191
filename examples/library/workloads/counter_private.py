"""Each thread adds to its own lockcounter.Counter: the lock uncontended, its cost alone."""

import lockcounter

PRIMITIVE = "lockcounter.Counter (one per thread)"
SCENARIO = "short-critical-section"
INVARIANT = "each thread's counter equals ops"
DESCRIPTION = "`counter.add()` on a Counter of the thread's own"
PACKAGES = ["lockcounter"]


def setup(threads):
    return [lockcounter.Counter() for _ in range(threads)]


def worker(counters, thread_index, ops):
    add = counters[thread_index].add
    for _ in range(ops):
        add()


def verify(counters, threads, ops):
    values = [c.value for c in counters]
    assert values == [ops] * threads, f"counters {values} != {ops} each"
