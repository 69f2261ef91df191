"""Lock-step phases on threading.Barrier(parties=threads): each op is one phase."""

import threading

from _support import State, check_count

PRIMITIVE = "threading.Barrier"
SCENARIO = "coordination"
OPERATION = "wait until every thread has finished the phase"
INVARIANT = ("after passing barrier k every thread sees exactly k completed phases (nobody ran "
             "ahead or was let through early), and ops phases completed in all")
DESCRIPTION = "all threads wait() on one Barrier per op; its action counts completed phases"
PACKAGES = []
MUTANT = "threading = without(threading, Barrier=NoBarrier)"
MIN_THREADS = 2  # Barrier(1) never blocks, so t=1 (still correct) would time a different operation


def setup(threads):
    state = State(threads=threads, phase=0, ahead=[None] * threads)

    def phase_done():  # run by one thread per phase, after all arrived and before any leaves
        state.phase += 1

    state.barrier = threading.Barrier(threads, action=phase_done)
    return state


def worker(state, thread_index, ops):
    wait = state.barrier.wait
    ahead = 0
    for phase in range(1, ops + 1):
        wait()
        if state.phase != phase:  # nobody can start phase+1's action before we arrive there
            ahead += 1
    state.ahead[thread_index] = ahead


def verify(state, threads, ops):
    check_count("completed phases", ops, state.phase)
    for t in range(threads):
        check_count(f"thread {t} phases observed out of step", 0, state.ahead[t] if state.ahead[t] is not None else ops)
