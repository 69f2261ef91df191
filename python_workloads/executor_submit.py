"""DRIVER mode: one ThreadPoolExecutor.submit() per unit of work (the message-passing style), against
executor_map's chunks."""

import threading
from concurrent.futures import ThreadPoolExecutor

from _support import LCG_MODULUS, UNIT_STEPS, State, check, check_count, thread_owned, unit_sum

PRIMITIVE = "concurrent.futures.ThreadPoolExecutor.submit (one task per unit)"
SCENARIO = "load-balancing"
OPERATION = "run units of CPU work on a pool of threads"
INVARIANT = "threads*ops futures, one per unit 0 .. threads*ops-1, and their checksums add up"
DESCRIPTION = ("submit() of every cpu_only unit as its own task, results gathered from the futures "
               "(pool of `threads` workers, started in setup); executor_map does the same units in chunks")
PACKAGES = []
MUTANT_EXEMPT = "the tasks share nothing; the executor hands out work and guards no shared state"
VARIANT_OF = "executor_map"


def setup(threads):
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ftbench-executor")
    # Start every worker thread now, untimed (as executor_map does).
    started = threading.Barrier(threads, timeout=60)
    list(executor.map(lambda _: started.wait(), range(threads)))
    return State(threads=threads, executor=executor, checksum=None, tasks=None)


def unit_task(i):
    """One unit of cpu_only's work."""
    steps = UNIT_STEPS
    modulus = thread_owned(LCG_MODULUS)  # not the shared constant: see _support.thread_owned
    x = i & 63
    for _ in range(steps):
        x = (x * 75 + 74) % modulus
    return x


def drive(state, threads, ops):
    submit = state.executor.submit
    futures = [submit(unit_task, i) for i in range(threads * ops)]
    state.checksum = sum(f.result() for f in futures)
    state.tasks = len(futures)


def verify(state, threads, ops):
    check(state.tasks is not None, "drive did not finish")
    check_count("tasks run", threads * ops, state.tasks)
    check_count("checksum", unit_sum(threads * ops), state.checksum)


def teardown(state):
    state.executor.shutdown(wait=True)
