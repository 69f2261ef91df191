PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "none"


def setup(threads):
    raise RuntimeError("setup cannot build its state")


def worker(state, thread_index, ops):
    pass


def verify(state, threads, ops):
    pass
