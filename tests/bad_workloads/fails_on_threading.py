"""Raises only on a thread that `threading` started: its rows measure fine on the suite's Rust
threads, and the driver control must record the failure with the row, losing nothing."""

import threading

PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "workers do not raise"


def setup(threads):
    return None


def worker(state, thread_index, ops):
    if type(threading.current_thread()) is threading.Thread:
        raise RuntimeError("this worker refuses threading threads")


def verify(state, threads, ops):
    pass
