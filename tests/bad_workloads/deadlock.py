"""Deadlocks at 2+ threads: thread 0 takes A then B, thread 1 takes B then A, and a barrier makes
sure each holds its first lock before asking for the second."""
import threading

PRIMITIVE = "threading.Lock (two, opposite orders)"
SCENARIO = "short-critical-section"
INVARIANT = "never reached: the round deadlocks"


def setup(threads):
    return {"a": threading.Lock(), "b": threading.Lock(), "both": threading.Barrier(min(threads, 2))}


def worker(state, thread_index, ops):
    if thread_index > 1:
        return
    first, second = ("a", "b") if thread_index == 0 else ("b", "a")
    with state[first]:
        state["both"].wait()
        with state[second]:
            pass


def verify(state, threads, ops):
    pass
