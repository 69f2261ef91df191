PRIMITIVE = "none"
SCENARIO = "control"
INVARIANT = "none"
PACKAGES = ["ftbench_no_such_package"]


def setup(threads):
    return None


def worker(state, thread_index, ops):
    pass


def verify(state, threads, ops):
    pass
