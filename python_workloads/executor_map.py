"""DRIVER mode: CPU-bound chunks farmed out to a concurrent.futures.ThreadPoolExecutor."""

import threading
from concurrent.futures import ThreadPoolExecutor

from _support import LCG_MODULUS, UNIT_STEPS, State, check, check_count, thread_owned, unit_sum

PRIMITIVE = "concurrent.futures.ThreadPoolExecutor"
SCENARIO = "load-balancing"
OPERATION = "run units of CPU work on a pool of threads"
INVARIANT = ("the chunks cover units 0 .. threads*ops-1 once each and their checksums add up (the tasks "
             "share nothing: the executor hands out work, it guards no shared state)")
DESCRIPTION = ("executor.map over threads*4 near-equal chunks of the cpu_only unit "
               "(pool of `threads` workers, started in setup)")
PACKAGES = []
MUTANT_EXEMPT = "the tasks share nothing; the executor hands out work and guards no shared state"

CHUNKS_PER_THREAD = 4  # enough tasks to even out the workers; few enough to amortize the
                       # per-task overhead (future, work queue put/get, wake-up) over ops/4 units


def setup(threads):
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ftbench-executor")
    # Start every worker thread now, untimed: each submit starts a thread while none is idle, and
    # the barrier holds every task until `threads` of them run at once, on `threads` threads.
    started = threading.Barrier(threads, timeout=60)
    list(executor.map(lambda _: started.wait(), range(threads)))
    return State(threads=threads, executor=executor, checksum=None, covered=None, chunks=None)


def chunk(start, stop):
    """Units start .. stop-1 of cpu_only's work; returns (units done, checksum)."""
    steps = UNIT_STEPS
    modulus = thread_owned(LCG_MODULUS)  # not the shared constant: see _support.thread_owned
    acc = 0
    for i in range(start, stop):
        x = i & 63
        for _ in range(steps):
            x = (x * 75 + 74) % modulus
        acc += x
    return stop - start, acc


def drive(state, threads, ops):
    total = threads * ops
    chunks = min(total, threads * CHUNKS_PER_THREAD)
    bounds = [total * c // chunks for c in range(chunks + 1)]
    results = list(state.executor.map(chunk, bounds[:-1], bounds[1:]))
    state.chunks = chunks
    state.covered = sum(n for n, _ in results)
    state.checksum = sum(acc for _, acc in results)


def verify(state, threads, ops):
    check(state.chunks is not None, "drive did not finish")
    check_count("units computed", threads * ops, state.covered)
    check_count("checksum", unit_sum(threads * ops), state.checksum)


def teardown(state):
    state.executor.shutdown(wait=True)
