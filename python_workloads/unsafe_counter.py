"""lock_counter without the lock: the read-modify-write races once the GIL is off."""

from _support import State, check_count

PRIMITIVE = "none (unsynchronized attribute +=)"
SCENARIO = "race-surface"
OPERATION = "add 1 to one counter shared by every thread"
INVARIANT = "the counter equals threads * ops (expected to fail with the GIL off)"
DESCRIPTION = "`state.count += 1` with no lock; lost_updates = expected - actual"
PACKAGES = []
MUTANT_EXEMPT = "an unsynchronized baseline: there is no primitive to remove"
UNSYNCHRONIZED = True


def setup(threads):
    return State(threads=threads, count=0)


def worker(state, thread_index, ops):
    for _ in range(ops):
        state.count += 1


def verify(state, threads, ops):
    check_count("unsynchronized counter", threads * ops, state.count)
