PRIMITIVE = 42
SCENARIO = "control"
INVARIANT = "none"


def setup(threads):
    return None


def worker(state, thread_index, ops):
    pass


def verify(state, threads, ops):
    pass
