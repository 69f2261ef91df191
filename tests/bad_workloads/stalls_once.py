"""The first calibration round stalls, as a busy machine can stall any round once: calibration must
size the work by rounds the machine left alone, not by that one."""

import time

PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "every op is counted"

_stalled = False


def setup(threads):
    return [0] * threads


def worker(state, thread_index, ops):
    global _stalled
    if ops == 1 and not _stalled:
        _stalled = True
        time.sleep(0.03)
    n = 0
    for _ in range(ops):
        n += 1
    state[thread_index] = n


def verify(state, threads, ops):
    assert sum(state) == threads * ops, (sum(state), threads * ops)
