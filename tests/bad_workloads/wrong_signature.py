PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "none"


def setup(threads):
    return None


def worker(state):
    pass


def verify(state, threads, ops):
    pass
