"""Records which OS thread ran each call: a test checks that the canary runs on the thread that
runs a 1-thread row."""

import threading

PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "nothing is shared"

SEEN = []


def setup(threads):
    return None


def worker(state, thread_index, ops):
    SEEN.append(threading.get_native_id())


def verify(state, threads, ops):
    pass
