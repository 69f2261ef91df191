"""Thread 1 raises: the round must be reported with the traceback, thread index and count."""

PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "workers do not raise"


def setup(threads):
    return None


def worker(state, thread_index, ops):
    if thread_index == 1:
        raise ValueError(f"worker {thread_index} refuses")


def verify(state, threads, ops):
    pass
